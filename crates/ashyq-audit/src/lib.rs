//! Independent verification for Ashyq, as pure maths over plain data (protocol rows, packages
//! already read): no I/O, no clock, randomness only from a public seed the caller gives.
//!
//! - [`compare`]: observer copies (or any second record) against the official protocols, station
//!   by station and line by line, with the legal outcome under each and under "the observer
//!   copies are right";
//! - [`turnout`]: observers' own counts of voters at given hours against the official intraday
//!   turnout, flagged beyond a stated tolerance;
//! - [`pvt`]: parallel vote tabulation: a stratified sample of stations from a public seed, and
//!   ratio estimates with margins of error (cluster sampling, finite-population correction) and
//!   a test of the official result;
//! - risk-limiting audits: [`bravo`] (ballot polling), [`kaplan_markov`] (ballot comparison),
//!   [`assertions`] (SHANGRLA assertions for what Kazakh law decides: the presidential 50%, the
//!   5% threshold, each Hare largest-remainder seat, the referendum's yes-majorities),
//!   [`macro_audit`] (batch comparison with a polling-station protocol as the batch, escalating
//!   to a full hand count), [`sampler`] (Rivest's SHA-256 consistent sampler, bit-compatible with
//!   Arlo's) and [`bundle`] (the commitment published before the seed is drawn).
//!
//! Legal comparisons (a share against 50% or 5%, a seat against a seat) are exact integer
//! inequalities; floating point appears only in the statistics (risks, estimates, margins of
//! error), never in a legal decision.
#![deny(missing_docs)]

pub mod assertions;
pub mod bravo;
pub mod bundle;
pub mod compare;
pub mod kaplan_markov;
pub mod macro_audit;
pub mod normal;
pub mod pvt;
pub mod sampler;
pub mod turnout;
