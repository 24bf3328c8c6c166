//! Plausibility warnings on a station protocol (codes W1–W3 of core's catalogue,
//! [`ashyq_core::checks::check_plausibility`]), as store findings: possible, but unusual enough
//! that a person must acknowledge them before the protocol is accepted.

pub use ashyq_core::checks::PlausibilityLimits;

use crate::CheckFinding;

/// Runs W1–W3 on one row.
pub fn check(row: &[Option<u64>], limits: &PlausibilityLimits) -> Vec<CheckFinding> {
    ashyq_core::checks::check_plausibility(row, limits)
        .into_iter()
        .map(|f| CheckFinding { code: f.code.to_owned(), error: false, message: f.message })
        .collect()
}
