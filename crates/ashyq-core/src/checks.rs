//! Protocol checks: the arithmetic control relations of a polling-station protocol and of a
//! summary protocol against its stations (law digest §8.2, R1–R9), as a catalogue of coded
//! checks with severities and legal bases.

use crate::election::{Contest, ContestKind};
use crate::line::{Line, ProtocolLine};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The protocol cannot be right: blocks acceptance.
    Error,
    /// Possible, but needs a person's acknowledgement.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One check of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckDef {
    /// Stable code, e.g. `R2`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The relation checked, as a formula.
    pub relation: &'static str,
    /// Legal basis and confidence.
    pub basis: &'static str,
}

/// The catalogue, in code order.
pub const CATALOGUE: &[CheckDef] = &[
    CheckDef {
        code: "R2",
        severity: Severity::Error,
        relation: "Σ option votes (incl. against all) + invalid (+ not_counted) = ballots_found, or = ballots_issued when ballots_found is absent",
        basis: "took part = valid + invalid (+ not counted for referendums); law digest §8.2 R1–R2 (H)",
    },
    CheckDef {
        code: "R3",
        severity: Severity::Error,
        relation: "ballots_received = ballots_issued + ballots_cancelled",
        basis: "ballot accounting; law digest §8.2 R3 (M: spoiled-and-replaced ballots are not on the protocol [?])",
    },
    CheckDef {
        code: "R4",
        severity: Severity::Warning,
        relation: "ballots_found = ballots_issued (surplus: possible stuffing; deficit: ballots taken away)",
        basis: "law digest §8.2 R4 (M)",
    },
    CheckDef {
        code: "R5",
        severity: Severity::Error,
        relation: "ballots_issued ≤ registered",
        basis: "absentee voters are added to the list where they vote; law digest §8.2 R5, §8.5 (M)",
    },
    CheckDef {
        code: "R6",
        severity: Severity::Error,
        relation: "absentee ≤ ballots_issued and mobile ≤ ballots_issued",
        basis: "subsets of those who took part; law digest §8.1, §8.2 R6 (H)",
    },
    CheckDef {
        code: "R7",
        severity: Severity::Error,
        relation: "a summary protocol's line = the sum of that line over the protocols below it",
        basis: "PEC → TEC → regional TEC → CEC; law digest §8.2 R7 (H)",
    },
    CheckDef {
        code: "V1",
        severity: Severity::Error,
        relation: "Σ option votes (incl. against all) ≤ ballots_issued",
        basis: "valid votes cannot exceed those who took part; law digest §8.2 R2 (H)",
    },
    CheckDef {
        code: "V2",
        severity: Severity::Error,
        relation: "not_counted appears only on referendum protocols",
        basis: "\"both options marked\" exists only on a referendum ballot; law digest §1, §8.1 (H)",
    },
    CheckDef {
        code: "V3",
        severity: Severity::Error,
        relation: "ballots_found ≤ ballots_received, ballots_issued ≤ ballots_received",
        basis: "a commission cannot issue or find more ballots than it received; law digest §8.1 (M)",
    },
    CheckDef {
        code: "W1",
        severity: Severity::Warning,
        relation: "ballots_issued / registered ≤ the turnout limit (default 95%)",
        basis: "turnout as defined in law digest §8.1; near-total turnout is a classic trace of ballot stuffing (Kobak, Shpilkin & Pshenichnikov 2016)",
    },
    CheckDef {
        code: "W2",
        severity: Severity::Warning,
        relation: "invalid / ballots_issued ≤ the invalid-share limit (default 10%)",
        basis: "law digest §8.1 line invalid; unusually many invalid ballots deserve a second look",
    },
    CheckDef {
        code: "W3",
        severity: Severity::Warning,
        relation: "mobile / ballots_issued ≤ the mobile-share limit (default 20%)",
        basis: "law digest §8.1, §8.5 mobile box (voting outside the premises), a known channel of abuse",
    },
];

/// Limits of the plausibility warnings W1–W3, in whole percent. A share strictly above its limit
/// raises the warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlausibilityLimits {
    /// W1: turnout = ballots_issued / registered.
    pub max_turnout_percent: u64,
    /// W2: invalid / ballots_issued.
    pub max_invalid_percent: u64,
    /// W3: mobile / ballots_issued.
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

/// Runs the plausibility warnings W1–W3 on one station protocol.
pub fn check_plausibility(row: &[Option<u64>], limits: &PlausibilityLimits) -> Vec<Finding> {
    use ProtocolLine as P;
    let get = |p: P| row.get(p.column()).copied().flatten();
    let mut res = Vec::new();
    let mut over = |code: &'static str, part: P, whole: P, limit: u64, what: &str| {
        if let (Some(a), Some(b)) = (get(part), get(whole)) {
            if b > 0 && u128::from(a) * 100 > u128::from(limit) * u128::from(b) {
                let share = crate::rules::percent(a, b, 1).unwrap_or_default();
                res.push(finding(
                    code,
                    vec![Line::Protocol(part), Line::Protocol(whole)],
                    format!("{what} is {share}% ({a} of {b}), above the limit of {limit}%"),
                ));
            }
        }
    };
    over("W1", P::BallotsIssued, P::Registered, limits.max_turnout_percent, "turnout");
    over("W2", P::Invalid, P::BallotsIssued, limits.max_invalid_percent, "the invalid share");
    over("W3", P::Mobile, P::BallotsIssued, limits.max_mobile_percent, "the mobile-box share");
    res
}

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Catalogue code.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// The lines involved; the first one locates the finding in input files.
    pub lines: Vec<Line>,
    /// A sentence with the numbers.
    pub message: String,
}

fn def(code: &str) -> &'static CheckDef {
    CATALOGUE.iter().find(|d| d.code == code).unwrap_or(&CATALOGUE[0])
}

fn finding(code: &'static str, lines: Vec<Line>, message: String) -> Finding {
    Finding { code, severity: def(code).severity, lines, message }
}

/// Runs the arithmetic checks on one protocol row. Checks whose lines are absent are skipped:
/// absent is unknown, not zero.
pub fn check_protocol(contest: &Contest, row: &[Option<u64>]) -> Vec<Finding> {
    use ProtocolLine as P;
    let get = |p: P| row.get(p.column()).copied().flatten();
    let l = Line::Protocol;
    let mut res = Vec::new();
    let option_lines: Vec<Line> = (0..contest.options().len()).map(Line::Option).collect();
    let option_votes: Option<u128> =
        option_lines.iter().map(|ln| row.get(ln.column()).copied().flatten().map(u128::from)).sum();
    let is_referendum = contest.kind() == ContestKind::Referendum;
    let not_counted = get(P::NotCounted);
    if not_counted.is_some() && !is_referendum {
        res.push(finding(
            "V2",
            vec![l(P::NotCounted)],
            format!(
                "not_counted = {} on a {} protocol; it exists only on referendum protocols",
                not_counted.unwrap_or(0),
                contest.kind()
            ),
        ));
    }
    if let (Some(votes), Some(invalid)) = (option_votes, get(P::Invalid)) {
        let nc = if is_referendum { not_counted } else { Some(0) };
        if let Some(nc) = nc {
            let took_part = votes + invalid as u128 + nc as u128;
            let (target, line) = match (get(P::BallotsFound), get(P::BallotsIssued)) {
                (Some(f), _) => (Some(f), P::BallotsFound),
                (None, Some(i)) => (Some(i), P::BallotsIssued),
                _ => (None, P::BallotsIssued),
            };
            if let Some(t) = target {
                if took_part != t as u128 {
                    let nc_text =
                        if is_referendum { format!(" + not_counted {nc}") } else { String::new() };
                    res.push(finding(
                        "R2",
                        vec![l(line), l(P::Invalid)],
                        format!("option votes {votes} + invalid {invalid}{nc_text} = {took_part}, but {} = {t}", line.name()),
                    ));
                }
            }
        }
    }
    if let (Some(votes), Some(issued)) = (option_votes, get(P::BallotsIssued)) {
        if votes > issued as u128 {
            res.push(finding(
                "V1",
                vec![l(P::BallotsIssued)],
                format!("option votes add up to {votes}, more than ballots_issued = {issued}"),
            ));
        }
    }
    if let (Some(rec), Some(iss), Some(can)) =
        (get(P::BallotsReceived), get(P::BallotsIssued), get(P::BallotsCancelled))
    {
        if rec as u128 != iss as u128 + can as u128 {
            res.push(finding(
                "R3",
                vec![l(P::BallotsReceived), l(P::BallotsIssued), l(P::BallotsCancelled)],
                format!("ballots_received = {rec}, but ballots_issued {iss} + ballots_cancelled {can} = {}", iss as u128 + can as u128),
            ));
        }
    }
    if let (Some(found), Some(iss)) = (get(P::BallotsFound), get(P::BallotsIssued)) {
        if found != iss {
            let what = if found > iss {
                "more ballots in the boxes than were issued (possible stuffing)"
            } else {
                "fewer ballots in the boxes than were issued (ballots taken away)"
            };
            res.push(finding(
                "R4",
                vec![l(P::BallotsFound), l(P::BallotsIssued)],
                format!("ballots_found = {found}, ballots_issued = {iss}: {what}"),
            ));
        }
    }
    if let (Some(iss), Some(reg)) = (get(P::BallotsIssued), get(P::Registered)) {
        if iss > reg {
            res.push(finding(
                "R5",
                vec![l(P::BallotsIssued), l(P::Registered)],
                format!("ballots_issued = {iss} exceeds registered = {reg}"),
            ));
        }
    }
    if let Some(iss) = get(P::BallotsIssued) {
        for p in [P::Absentee, P::Mobile] {
            if let Some(v) = get(p) {
                if v > iss {
                    res.push(finding(
                        "R6",
                        vec![l(p), l(P::BallotsIssued)],
                        format!("{} = {v} exceeds ballots_issued = {iss}", p.name()),
                    ));
                }
            }
        }
    }
    if let Some(rec) = get(P::BallotsReceived) {
        for p in [P::BallotsIssued, P::BallotsFound] {
            if let Some(v) = get(p) {
                if v > rec {
                    res.push(finding(
                        "V3",
                        vec![l(p), l(P::BallotsReceived)],
                        format!("{} = {v} exceeds ballots_received = {rec}", p.name()),
                    ));
                }
            }
        }
    }
    res
}

/// Check R7: a summary protocol against the sum of the protocols below it.
pub fn check_summary(own: &[Option<u64>], sum: &[Option<u64>], protocols: u32) -> Vec<Finding> {
    let mut res = Vec::new();
    for (col, (a, b)) in own.iter().zip(sum).enumerate() {
        if let (Some(a), Some(b)) = (a, b) {
            if a != b {
                let line = Line::from_column(col);
                res.push(finding(
                    "R7",
                    vec![line],
                    format!("summary protocol says {a}, the {protocols} protocols below it add up to {b}"),
                ));
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausibility_limits_are_strict_and_configurable() {
        let mut row = vec![None; ProtocolLine::COUNT];
        row[ProtocolLine::Registered.column()] = Some(1000);
        row[ProtocolLine::BallotsIssued.column()] = Some(950);
        row[ProtocolLine::Invalid.column()] = Some(96);
        row[ProtocolLine::Mobile.column()] = Some(190);
        let codes = |limits: &PlausibilityLimits| -> Vec<&str> {
            check_plausibility(&row, limits).iter().map(|f| f.code).collect()
        };
        // 95.0% turnout is not above 95%; 10.1% invalid is above 10%; 20.0% mobile is not above 20%.
        assert_eq!(codes(&PlausibilityLimits::default()), ["W2"]);
        let strict = PlausibilityLimits {
            max_turnout_percent: 90,
            max_invalid_percent: 20,
            max_mobile_percent: 19,
        };
        assert_eq!(codes(&strict), ["W1", "W3"]);
        assert!(CATALOGUE.iter().any(|d| d.code == "W3" && d.severity == Severity::Warning));
    }
}
