//! Renders core outcomes: JSON for programs (keys as in the product brief, more allowed) and
//! plain text a journalist can follow. The CLI and the server both call these functions, so the
//! two never disagree.
#![deny(missing_docs)]

pub mod compare;
mod json;
mod text;

pub use json::{outcome_json, rule_json};
pub use text::{failed_check_line, outcome_text};

use ashyq_core::election::Election;

/// Option id of option `i` of contest `c`.
pub(crate) fn option_id(election: &Election, c: usize, i: usize) -> &str {
    election.contests()[c].options()[i].id.as_str()
}
