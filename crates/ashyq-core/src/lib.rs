//! Ashyq's core: Kazakhstan's electoral law as pure code.
//!
//! Brief overview: an [`election::Election`] (contests and options) over a
//! [`units::UnitTree`] (country → regions → … → polling stations) with
//! [`counts::ContestCounts`] (protocol lines per unit) goes into [`rules::outcome`], which
//! refuses counts whose protocols fail an error check, applies the election's [`rules::RuleSet`]
//! and returns every contest's legal outcome with the rules, sources and confidence marks used
//! (the law reference is `docs/law.md`). [`checks`] holds the catalogue of protocol checks and
//! the one function that runs them, and [`apportionment`] the seat-allocation methods.
//!
//! Invariant: this crate does no I/O, reads no clock and draws no randomness without a seed
//! given by the caller. It cannot fail for environmental reasons. Counts are integers and every
//! legal decision (thresholds, majorities, quotas, remainders) is made in exact arithmetic.
#![deny(missing_docs)]

pub mod checks;
pub mod counts;
pub mod election;
pub mod ids;
pub mod iin;
pub mod line;
pub mod quote;
pub mod rules;
pub mod units;

pub use ashyq_apportionment as apportionment;
