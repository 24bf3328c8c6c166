//! Registers: the single national voter register and the registration of parties, party lists
//! and candidates (issue 12; law digest §7 and §8.5–8.6).
//!
//! Brief overview:
//! - [`voters`] classifies one row of the voter register (pure); [`check`] runs the check over a
//!   whole file, streaming and in parallel, with bounded memory, and gives the exact counts per
//!   reason, per-station counts and, on request, every rejected row with its line;
//!   [`generate`] writes a synthetic register with planted defects and the counts a correct
//!   check must find.
//! - [`privacy`]: who may see what of the register, and the salted-hash membership digest.
//! - [`parties`] (party registration), [`lists`] (party lists, the 30% quota, the choice of
//!   deputies), [`candidates`] (eligibility per office, presidential nomination signatures):
//!   each rule cites its source and every failure is a [`Finding`] with the numbers.
//!
//! The registration documents (party files, lists, candidates' files) deserialise from JSON and
//! the [`Finding`]s serialise to it (serde derives, for the HTTP API); with the `openapi`
//! feature they also describe themselves as OpenAPI schemas (utoipa). Dates are `YYYY-MM-DD`.
//!
//! Invariant: the register is personal data. Nothing here writes it anywhere but where the
//! caller says (the register database of `ashyq_store::register`, never the election record or
//! its exports); the verdicts and counts are integers, decided in exact arithmetic; dates come
//! from the caller, never from the clock.
#![deny(missing_docs)]

pub mod candidates;
pub mod check;
pub mod files;
pub mod finding;
pub mod generate;
pub mod lists;
pub mod parties;
pub mod privacy;
pub mod serde_date;
pub mod voters;

pub use ashyq_core::iin::{Date, Iin, IinError};
pub use check::{check_file, CheckOptions, CheckSummary, RegisterError, Rejection, Stations};
pub use finding::{Finding, Findings, Verdict};
pub use voters::Reason;
