//! Plausibility warnings on a station protocol: possible, but unusual enough that a person must
//! acknowledge them before the protocol is accepted (peers.md: Abacus's warnings; law digest
//! §8.2 R8–R9 give turnout as ballots issued / registered). Codes W1–W3 extend core's
//! arithmetic catalogue.

use ashyq_core::line::ProtocolLine as P;

use crate::CheckFinding;

/// Configurable limits, in whole percent. A value strictly above a limit raises its warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlausibilityLimits {
    /// W1: turnout = ballots_issued / registered; default 95%.
    pub max_turnout_percent: u64,
    /// W2: invalid / ballots_issued; default 10%.
    pub max_invalid_percent: u64,
    /// W3: mobile (voted outside the premises) / ballots_issued; default 20%.
    pub max_mobile_percent: u64,
}

impl Default for PlausibilityLimits {
    fn default() -> Self {
        PlausibilityLimits {
            max_turnout_percent: 95,
            max_invalid_percent: 10,
            max_mobile_percent: 20,
        }
    }
}

/// A plausibility check of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlausibilityDef {
    /// Code.
    pub code: &'static str,
    /// The relation, with the configurable limit named.
    pub relation: &'static str,
    /// Basis.
    pub basis: &'static str,
}

/// W1–W3 (all warnings).
pub const CATALOGUE: &[PlausibilityDef] = &[
    PlausibilityDef {
        code: "W1",
        relation: "ballots_issued / registered ≤ max turnout (default 95%)",
        basis: "turnout as defined in law digest §8.1; near-total turnout is a classic sign of ballot stuffing (Kobak et al.)",
    },
    PlausibilityDef {
        code: "W2",
        relation: "invalid / ballots_issued ≤ max invalid share (default 10%)",
        basis: "law digest §8.1 line invalid; unusually many invalid ballots deserve a second look",
    },
    PlausibilityDef {
        code: "W3",
        relation: "mobile / ballots_issued ≤ max mobile share (default 20%)",
        basis: "law digest §8.1 line mobile (voting outside the premises), a known channel of abuse",
    },
];

/// Runs W1–W3 on one row.
pub fn check(row: &[Option<u64>], limits: &PlausibilityLimits) -> Vec<CheckFinding> {
    let get = |p: P| row.get(p.column()).copied().flatten();
    let mut res = Vec::new();
    let mut over =
        |code: &'static str, part: Option<u64>, whole: Option<u64>, limit: u64, what: &str| {
            if let (Some(a), Some(b)) = (part, whole) {
                if b > 0 && u128::from(a) * 100 > u128::from(limit) * u128::from(b) {
                    res.push(CheckFinding {
                        code: code.to_owned(),
                        error: false,
                        message: format!(
                            "{what} is {} ({a} of {b}), above the limit of {limit}%",
                            ashyq_core::rules::percent(a, b, 1).unwrap_or_default() + "%"
                        ),
                    });
                }
            }
        };
    over("W1", get(P::BallotsIssued), get(P::Registered), limits.max_turnout_percent, "turnout");
    over(
        "W2",
        get(P::Invalid),
        get(P::BallotsIssued),
        limits.max_invalid_percent,
        "the invalid share",
    );
    over(
        "W3",
        get(P::Mobile),
        get(P::BallotsIssued),
        limits.max_mobile_percent,
        "the mobile-box share",
    );
    res
}
