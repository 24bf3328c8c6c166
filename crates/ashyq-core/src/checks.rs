//! Protocol checks: the arithmetic control relations of a polling-station protocol and of a
//! summary protocol against the protocols below it (law reference §8.2, R1–R9), the
//! plausibility warnings on station protocols, and the intraday turnout checks — one catalogue
//! of coded checks ([`CheckCode`], [`CATALOGUE`]) with severities, relations and legal bases.
//!
//! [`check_protocol`] is the one function that decides which checks apply to a protocol and
//! runs them; `ashyq check`, the record's import and its protocol submission all call it.
//! [`required_lines`] says which lines a protocol of a contest must carry.

use std::fmt;

use crate::counts::{RollUp, Totals};
use crate::election::{Contest, ContestKind};
use crate::line::{Line, ProtocolLine};
use crate::rules::Confidence;
use crate::units::{UnitIdx, UnitTree};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// The stable code of a check. Codes are never renumbered: a record stores them.
///
/// `R` codes are the law's control relations (law reference §8.2), `V` codes relations that
/// follow from the protocol's definitions, `W` codes plausibility heuristics (not law), `T`
/// codes the intraday turnout snapshots (§8.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckCode {
    /// Took part = valid votes + invalid (+ not counted).
    R2,
    /// Ballot accounting: received = issued + cancelled.
    R3,
    /// Ballots found in the boxes = ballots issued.
    R4,
    /// Ballots issued ≤ registered.
    R5,
    /// Absentee voters ≤ certificates presented; mobile voters ≤ written applications.
    R6,
    /// A summary protocol = the sum of the protocols below it.
    R7,
    /// Valid votes ≤ ballots issued.
    V1,
    /// `not_counted` only on referendum protocols.
    V2,
    /// Found and issued ≤ received.
    V3,
    /// Absentee and mobile voters are among those who took part.
    V4,
    /// Plausibility: turnout above a limit.
    W1,
    /// Plausibility: invalid share above a limit.
    W2,
    /// Plausibility: mobile-box share above a limit.
    W3,
    /// Intraday turnout decreases over the day.
    T1,
    /// Intraday turnout exceeds the registered voters.
    T2,
}

impl CheckCode {
    /// Every code, in catalogue order.
    pub const ALL: [CheckCode; 15] = [
        CheckCode::R2,
        CheckCode::R3,
        CheckCode::R4,
        CheckCode::R5,
        CheckCode::R6,
        CheckCode::R7,
        CheckCode::V1,
        CheckCode::V2,
        CheckCode::V3,
        CheckCode::V4,
        CheckCode::W1,
        CheckCode::W2,
        CheckCode::W3,
        CheckCode::T1,
        CheckCode::T2,
    ];

    /// The code as text: `R2`, `W1`, …
    pub fn as_str(self) -> &'static str {
        match self {
            CheckCode::R2 => "R2",
            CheckCode::R3 => "R3",
            CheckCode::R4 => "R4",
            CheckCode::R5 => "R5",
            CheckCode::R6 => "R6",
            CheckCode::R7 => "R7",
            CheckCode::V1 => "V1",
            CheckCode::V2 => "V2",
            CheckCode::V3 => "V3",
            CheckCode::V4 => "V4",
            CheckCode::W1 => "W1",
            CheckCode::W2 => "W2",
            CheckCode::W3 => "W3",
            CheckCode::T1 => "T1",
            CheckCode::T2 => "T2",
        }
    }

    /// Parses the text form.
    pub fn from_name(s: &str) -> Option<CheckCode> {
        CheckCode::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The catalogue entry.
    pub fn def(self) -> &'static CheckDef {
        &CATALOGUE[self as usize]
    }

    /// The severity of a finding with this code.
    pub fn severity(self) -> Severity {
        self.def().severity
    }
}

impl fmt::Display for CheckCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckDef {
    /// Stable code.
    pub code: CheckCode,
    /// Severity.
    pub severity: Severity,
    /// The relation checked, as a formula.
    pub relation: &'static str,
    /// Legal basis (law reference section and sources), or why a heuristic is worth a look.
    pub basis: &'static str,
    /// How sure the law reference is of the relation; `None` for a heuristic, which is no rule
    /// of law at all.
    pub confidence: Option<Confidence>,
}

/// The catalogue, in [`CheckCode::ALL`] order.
pub const CATALOGUE: &[CheckDef] = &[
    CheckDef {
        code: CheckCode::R2,
        severity: Severity::Error,
        relation: "Σ option votes (incl. against all) + invalid (+ not_counted) = ballots_found, or = ballots_issued when ballots_found is absent",
        basis: "took part = valid + invalid (+ not counted for referendums); law reference §8.2 R1–R2",
        confidence: Some(Confidence::High),
    },
    CheckDef {
        code: CheckCode::R3,
        severity: Severity::Error,
        relation: "ballots_received = ballots_issued + ballots_cancelled",
        basis: "ballot accounting; law reference §8.2 R3 (spoiled-and-replaced ballots are not on the protocol [?])",
        confidence: Some(Confidence::Medium),
    },
    CheckDef {
        code: CheckCode::R4,
        severity: Severity::Warning,
        relation: "ballots_found = ballots_issued (surplus: possible stuffing; deficit: ballots taken away)",
        basis: "law reference §8.2 R4",
        confidence: Some(Confidence::Medium),
    },
    CheckDef {
        code: CheckCode::R5,
        severity: Severity::Error,
        relation: "ballots_issued ≤ registered",
        basis: "absentee voters are added to the list where they vote; law reference §8.2 R5, §8.5",
        confidence: Some(Confidence::Medium),
    },
    CheckDef {
        code: CheckCode::R6,
        severity: Severity::Error,
        relation: "absentee ≤ absentee_certificates and mobile ≤ mobile_applications",
        basis: "an absentee voter presents a certificate, a mobile-box voter files a written application; law reference §8.2 R6, §8.5 [S46][S47]",
        confidence: Some(Confidence::Medium),
    },
    CheckDef {
        code: CheckCode::R7,
        severity: Severity::Error,
        relation: "a summary protocol's line = the sum of that line over the protocols below it",
        basis: "PEC → TEC → regional TEC → CEC; law reference §8.2 R7",
        confidence: Some(Confidence::High),
    },
    CheckDef {
        code: CheckCode::V1,
        severity: Severity::Error,
        relation: "Σ option votes (incl. against all) ≤ ballots_issued",
        basis: "valid votes cannot exceed those who took part; law reference §8.2 R2",
        confidence: Some(Confidence::High),
    },
    CheckDef {
        code: CheckCode::V2,
        severity: Severity::Error,
        relation: "not_counted appears only on referendum protocols",
        basis: "\"both options marked\" exists only on a referendum ballot; law reference §1, §8.1",
        confidence: Some(Confidence::High),
    },
    CheckDef {
        code: CheckCode::V3,
        severity: Severity::Error,
        relation: "ballots_found ≤ ballots_received, ballots_issued ≤ ballots_received",
        basis: "a commission cannot issue or find more ballots than it received; law reference §8.1",
        confidence: Some(Confidence::Medium),
    },
    CheckDef {
        code: CheckCode::V4,
        severity: Severity::Error,
        relation: "absentee ≤ ballots_issued and mobile ≤ ballots_issued",
        basis: "voters who received ballots, \"of which\" by absentee certificate and outside the premises; law reference §8.1",
        confidence: Some(Confidence::High),
    },
    CheckDef {
        code: CheckCode::W1,
        severity: Severity::Warning,
        relation: "ballots_issued / registered ≤ the turnout limit (default 95%)",
        basis: "heuristic, not a rule of law: near-total turnout at a station is a classic trace of ballot stuffing (Kobak, Shpilkin & Pshenichnikov 2016); turnout as defined in law reference §8.1",
        confidence: None,
    },
    CheckDef {
        code: CheckCode::W2,
        severity: Severity::Warning,
        relation: "invalid / ballots_issued ≤ the invalid-share limit (default 10%)",
        basis: "heuristic, not a rule of law: unusually many invalid ballots at a station deserve a second look",
        confidence: None,
    },
    CheckDef {
        code: CheckCode::W3,
        severity: Severity::Warning,
        relation: "mobile / ballots_issued ≤ the mobile-share limit (default 20%)",
        basis: "heuristic, not a rule of law: the mobile box (law reference §8.5) is a known channel of abuse (law reference §10)",
        confidence: None,
    },
    CheckDef {
        code: CheckCode::T1,
        severity: Severity::Error,
        relation: "a station's intraday turnout snapshot ≥ every earlier snapshot of the same day",
        basis: "the snapshots count voters who received ballots by 10:00, 12:00, 14:00, 16:00, 18:00 and the close, so they cannot decrease; law reference §8.4",
        confidence: Some(Confidence::High),
    },
    CheckDef {
        code: CheckCode::T2,
        severity: Severity::Error,
        relation: "a station's intraday turnout snapshot ≤ registered",
        basis: "as R5 for the final count; law reference §8.2 R5, §8.4",
        confidence: Some(Confidence::Medium),
    },
];

/// Limits of the plausibility warnings W1–W3, in whole percent. A share strictly above its limit
/// raises the warning. These are heuristics, not law: an observer tunes them.
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

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Catalogue code.
    pub code: CheckCode,
    /// Severity (the code's).
    pub severity: Severity,
    /// The lines involved; the first one locates the finding in input files.
    pub lines: Vec<Line>,
    /// A sentence with the numbers.
    pub message: String,
}

fn finding(code: CheckCode, lines: Vec<Line>, message: String) -> Finding {
    Finding { code, severity: code.severity(), lines, message }
}

/// Where a protocol sits in the tabulation chain (law reference §8.3), which decides the
/// checks that apply to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolLevel<'a> {
    /// A polling station's own protocol (a unit with no units below it): the arithmetic
    /// checks and the plausibility warnings W1–W3.
    Station,
    /// A summary protocol of a commission above the stations (territorial, regional, central):
    /// the arithmetic checks, and R7 against `below` — the sum of the protocols below it and how
    /// many they are — when any protocol below it is known.
    Summary {
        /// The protocols below, summed; `None` when none is known yet.
        below: Option<&'a Totals>,
    },
}

/// What [`check_protocol`] needs to know besides the protocol itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtocolContext<'a> {
    /// Station or summary protocol.
    pub level: ProtocolLevel<'a>,
    /// Limits of the plausibility warnings (stations only).
    pub limits: PlausibilityLimits,
}

impl<'a> ProtocolContext<'a> {
    /// A polling station's protocol.
    pub fn station(limits: PlausibilityLimits) -> Self {
        ProtocolContext { level: ProtocolLevel::Station, limits }
    }

    /// A summary protocol with the sum of the protocols below it, if known.
    pub fn summary(below: Option<&'a Totals>, limits: PlausibilityLimits) -> Self {
        ProtocolContext { level: ProtocolLevel::Summary { below }, limits }
    }

    /// The context of `unit`'s own protocol in a contest whose counts were rolled up into
    /// `roll_up`: a unit with no units below it is a station; any other unit's protocol is a
    /// summary, compared with the sum of its children's totals when any of them is known.
    pub fn for_unit(
        tree: &UnitTree,
        roll_up: &'a RollUp,
        unit: UnitIdx,
        limits: PlausibilityLimits,
    ) -> Self {
        let children = tree.children(unit);
        if children.is_empty() {
            return Self::station(limits);
        }
        // With counts below, a unit's roll-up total is the sum of its children's totals (its
        // own row is not part of it).
        let below = children.iter().any(|&c| roll_up.at(c).is_some()).then(|| roll_up.at(unit));
        Self::summary(below.flatten(), limits)
    }
}

/// The lines a protocol of `contest` must carry, in column order: a submission without any of
/// them is incomplete (law reference §8.1, the lines marked H):
///
/// - `registered` (voters on the lists), `ballots_issued` (voters who received ballots =
///   took part) and `invalid` \[S43\]\[S8\]\[S51\]\[S14\];
/// - `absentee` and `mobile`, the "of which" lines of those who took part (§8.1, H);
/// - the votes of every option, "against all" included \[S51\]\[S14\];
/// - referendums: `not_counted` (both options marked) \[S27\].
///
/// A Senate protocol counts electors, not voters on lists: `registered` (electors),
/// `ballots_issued`, `invalid` and every candidate (§6). Not required, because the law
/// reference has not seen them on the 2022–23 form (§8.1, M or ?): `ballots_received`,
/// `ballots_cancelled`, `ballots_found`, `absentee_certificates`, `mobile_applications`.
pub fn required_lines(contest: &Contest) -> Vec<Line> {
    use ProtocolLine as P;
    let mut lines: Vec<Line> = match contest.kind() {
        ContestKind::Senate => vec![P::Registered, P::BallotsIssued, P::Invalid],
        ContestKind::Referendum => {
            vec![P::Registered, P::BallotsIssued, P::Invalid, P::NotCounted, P::Absentee, P::Mobile]
        }
        _ => vec![P::Registered, P::BallotsIssued, P::Invalid, P::Absentee, P::Mobile],
    }
    .into_iter()
    .map(Line::Protocol)
    .collect();
    lines.sort();
    lines.extend((0..contest.options().len()).map(Line::Option));
    lines
}

/// The [`required_lines`] that `row` lacks, in column order.
pub fn missing_lines(contest: &Contest, row: &[Option<u64>]) -> Vec<Line> {
    required_lines(contest)
        .into_iter()
        .filter(|l| row.get(l.column()).copied().flatten().is_none())
        .collect()
}

/// Runs every check that applies to one protocol and returns what failed.
///
/// Every protocol gets the arithmetic checks (R2–R6, V1–V4); a station's protocol also the
/// plausibility warnings W1–W3 with `ctx.limits`; a summary protocol also R7 against the
/// protocols below it. Checks whose lines are absent are skipped: absent is unknown, not zero.
pub fn check_protocol(
    contest: &Contest,
    row: &[Option<u64>],
    ctx: &ProtocolContext<'_>,
) -> Vec<Finding> {
    let mut res = check_arithmetic(contest, row);
    match ctx.level {
        ProtocolLevel::Station => res.extend(check_plausibility(row, &ctx.limits)),
        ProtocolLevel::Summary { below: Some(sum) } => {
            res.extend(check_summary(row, &sum.values, sum.protocols))
        }
        ProtocolLevel::Summary { below: None } => {}
    }
    res
}

fn check_arithmetic(contest: &Contest, row: &[Option<u64>]) -> Vec<Finding> {
    use ProtocolLine as P;
    let get = |p: P| row.get(p.column()).copied().flatten();
    let l = Line::Protocol;
    let mut res = Vec::new();
    let option_lines: Vec<Line> = (0..contest.options().len()).map(Line::Option).collect();
    let option_votes: Option<u128> =
        option_lines.iter().map(|ln| row.get(ln.column()).copied().flatten().map(u128::from)).sum();
    let is_referendum = contest.kind() == ContestKind::Referendum;
    let not_counted = get(P::NotCounted);
    if let (Some(nc), false) = (not_counted, is_referendum) {
        res.push(finding(
            CheckCode::V2,
            vec![l(P::NotCounted)],
            format!(
                "not_counted = {nc} on a {} protocol; it exists only on referendum protocols",
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
                        CheckCode::R2,
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
                CheckCode::V1,
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
                CheckCode::R3,
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
                CheckCode::R4,
                vec![l(P::BallotsFound), l(P::BallotsIssued)],
                format!("ballots_found = {found}, ballots_issued = {iss}: {what}"),
            ));
        }
    }
    if let (Some(iss), Some(reg)) = (get(P::BallotsIssued), get(P::Registered)) {
        if iss > reg {
            res.push(finding(
                CheckCode::R5,
                vec![l(P::BallotsIssued), l(P::Registered)],
                format!("ballots_issued = {iss} exceeds registered = {reg}"),
            ));
        }
    }
    for (voted, basis, what) in [
        (P::Absentee, P::AbsenteeCertificates, "absentee certificates presented"),
        (P::Mobile, P::MobileApplications, "written applications to vote outside the premises"),
    ] {
        if let (Some(v), Some(b)) = (get(voted), get(basis)) {
            if v > b {
                res.push(finding(
                    CheckCode::R6,
                    vec![l(voted), l(basis)],
                    format!("{} = {v} exceeds {} = {b} ({what})", voted.name(), basis.name()),
                ));
            }
        }
    }
    if let Some(iss) = get(P::BallotsIssued) {
        for p in [P::Absentee, P::Mobile] {
            if let Some(v) = get(p) {
                if v > iss {
                    res.push(finding(
                        CheckCode::V4,
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
                        CheckCode::V3,
                        vec![l(p), l(P::BallotsReceived)],
                        format!("{} = {v} exceeds ballots_received = {rec}", p.name()),
                    ));
                }
            }
        }
    }
    res
}

/// The plausibility warnings W1–W3 on a station's protocol.
fn check_plausibility(row: &[Option<u64>], limits: &PlausibilityLimits) -> Vec<Finding> {
    use ProtocolLine as P;
    let get = |p: P| row.get(p.column()).copied().flatten();
    let mut res = Vec::new();
    let mut over = |code: CheckCode, part: P, whole: P, limit: u64, what: &str| {
        if let (Some(a), Some(b)) = (get(part), get(whole)) {
            if b > 0 && u128::from(a) * 100 > u128::from(limit) * u128::from(b) {
                let share = crate::rules::percent(a, b, 1).unwrap_or_default();
                res.push(finding(
                    code,
                    vec![Line::Protocol(part), Line::Protocol(whole)],
                    format!("{what} is {share}% ({a} of {b}), above the plausibility limit of {limit}% (a heuristic, not a rule of law)"),
                ));
            }
        }
    };
    over(CheckCode::W1, P::BallotsIssued, P::Registered, limits.max_turnout_percent, "turnout");
    over(
        CheckCode::W2,
        P::Invalid,
        P::BallotsIssued,
        limits.max_invalid_percent,
        "the invalid share",
    );
    over(
        CheckCode::W3,
        P::Mobile,
        P::BallotsIssued,
        limits.max_mobile_percent,
        "the mobile-box share",
    );
    res
}

/// Check R7: a summary protocol against the sum of the `protocols` protocols below it.
fn check_summary(own: &[Option<u64>], sum: &[Option<u64>], protocols: u32) -> Vec<Finding> {
    let mut res = Vec::new();
    for (col, (a, b)) in own.iter().zip(sum).enumerate() {
        if let (Some(a), Some(b)) = (a, b) {
            if a != b {
                let line = Line::from_column(col);
                res.push(finding(
                    CheckCode::R7,
                    vec![line],
                    format!("summary protocol says {a}, the {protocols} protocols below it add up to {b}"),
                ));
            }
        }
    }
    res
}

/// The intraday turnout checks T1 and T2 on one station's snapshots.
///
/// `snapshots` are `(time, voters who have received a ballot by then)` in the order of the day
/// (10:00, 12:00, 14:00, 16:00, 18:00, close; law reference §8.4); `registered` is the station's
/// voters on the lists, if known. T1 flags a snapshot below an earlier one, T2 a snapshot above
/// `registered`.
pub fn check_turnout(snapshots: &[(&str, u64)], registered: Option<u64>) -> Vec<Finding> {
    let mut res = Vec::new();
    let mut highest: Option<(&str, u64)> = None;
    for &(time, voters) in snapshots {
        if let Some((earlier, max)) = highest {
            if voters < max {
                res.push(finding(
                    CheckCode::T1,
                    vec![Line::Protocol(ProtocolLine::BallotsIssued)],
                    format!("turnout at {time} is {voters} voters, fewer than the {max} reported at {earlier}; the count of voters who received ballots cannot decrease over the day"),
                ));
            }
        }
        if highest.is_none_or(|(_, max)| voters > max) {
            highest = Some((time, voters));
        }
        if let Some(reg) = registered {
            if voters > reg {
                res.push(finding(
                    CheckCode::T2,
                    vec![
                        Line::Protocol(ProtocolLine::BallotsIssued),
                        Line::Protocol(ProtocolLine::Registered),
                    ],
                    format!("turnout at {time} is {voters} voters, more than the {reg} registered"),
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
    fn the_catalogue_is_in_code_order_and_complete() {
        assert_eq!(CATALOGUE.len(), CheckCode::ALL.len());
        for (i, code) in CheckCode::ALL.into_iter().enumerate() {
            assert_eq!(CATALOGUE[i].code, code);
            assert_eq!(code.def().code, code);
            assert_eq!(CheckCode::from_name(code.as_str()), Some(code));
            // Heuristics are exactly the W codes, and they say so.
            let heuristic = code.as_str().starts_with('W');
            assert_eq!(code.def().confidence.is_none(), heuristic, "{code}");
            assert_eq!(code.def().basis.starts_with("heuristic, not a rule of law"), heuristic);
        }
    }

    #[test]
    fn plausibility_limits_are_strict_and_configurable() {
        let mut row = vec![None; ProtocolLine::COUNT];
        row[ProtocolLine::Registered.column()] = Some(1000);
        row[ProtocolLine::BallotsIssued.column()] = Some(950);
        row[ProtocolLine::Invalid.column()] = Some(96);
        row[ProtocolLine::Mobile.column()] = Some(190);
        let codes = |limits: &PlausibilityLimits| -> Vec<CheckCode> {
            check_plausibility(&row, limits).iter().map(|f| f.code).collect()
        };
        // 95.0% turnout is not above 95%; 96 of 950 = 10.1% invalid is above 10%; 20.0% mobile is
        // not above 20%.
        assert_eq!(codes(&PlausibilityLimits::default()), [CheckCode::W2]);
        let strict = PlausibilityLimits {
            max_turnout_percent: 90,
            max_invalid_percent: 20,
            max_mobile_percent: 19,
        };
        assert_eq!(codes(&strict), [CheckCode::W1, CheckCode::W3]);
    }

    #[test]
    fn turnout_snapshots_that_decrease_or_exceed_the_lists_are_flagged() {
        let ok = [("10:00", 100), ("12:00", 250), ("14:00", 250), ("20:00", 700)];
        assert!(check_turnout(&ok, Some(1000)).is_empty());
        // 14:00 below 12:00, and 16:00 still below the 12:00 high: two T1 findings.
        let down = [("10:00", 100), ("12:00", 400), ("14:00", 300), ("16:00", 350)];
        let f = check_turnout(&down, None);
        assert_eq!(f.iter().map(|f| f.code).collect::<Vec<_>>(), [CheckCode::T1, CheckCode::T1]);
        assert!(f[0]
            .message
            .contains("at 14:00 is 300 voters, fewer than the 400 reported at 12:00"));
        let over = [("18:00", 900), ("20:00", 1001)];
        let f = check_turnout(&over, Some(1000));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].code, f[0].severity), (CheckCode::T2, Severity::Error));
        assert!(check_turnout(&over, None).is_empty(), "unknown registered: no T2");
    }
}
