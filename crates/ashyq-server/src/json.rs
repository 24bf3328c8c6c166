//! The API's JSON documents, rendered from a live snapshot. Field names are a contract.

use ashyq_core::counts::Totals;
use ashyq_core::election::{Contest, ContestKind};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitIdx;
use serde::Serialize;
use utoipa::ToSchema;

use crate::live::Snapshot;

/// A unit, as documents name it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitRef {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind (country, region, district, station …).
    pub kind: String,
}

/// One line of a protocol or of a sum.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LineValue {
    /// Protocol line or option id.
    pub line: String,
    /// The value; `null` when unknown (some protocol below lacks the line).
    pub value: Option<u64>,
}

/// An option's share on the legal base.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Share {
    /// Option id.
    pub option: String,
    /// Option name.
    pub name: String,
    /// Votes; `null` when unknown.
    pub votes: Option<u64>,
    /// Percent of the base (display only, rounded to 2 places; decisions use exact counts).
    pub percent: Option<f64>,
}

/// A contest's totals at one unit.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitResult {
    /// The unit.
    pub unit: UnitRef,
    /// Polling stations below the unit.
    pub stations: u64,
    /// Protocols expected and received below the unit, at the level the record reports.
    pub protocols_expected: u64,
    /// Protocols received.
    pub protocols_reported: u64,
    /// Every line of the sum, in protocol order.
    pub lines: Vec<LineValue>,
    /// What the shares divide by: `valid votes (candidates or parties + against all)` (law
    /// reference §0.2) or, for a referendum, `took part (ballots issued)` (§0.3).
    pub base: String,
    /// Each option's share.
    pub shares: Vec<Share>,
    /// Ballots issued / registered, percent (display only).
    pub turnout: Option<f64>,
    /// Log size at which these totals last changed.
    pub changed_at: u64,
}

/// A contest, as documents name it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContestRef {
    /// Contest id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Territory unit id.
    pub territory: String,
}

/// A contest's results at the units asked for.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContestResults {
    /// The contest.
    pub contest: ContestRef,
    /// Units with totals.
    pub units: Vec<UnitResult>,
}

/// `GET …/results`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Results {
    /// Election id.
    pub election: String,
    /// The log size these results reflect.
    pub tree_size: u64,
    /// The log's root at that size, hex.
    pub root_hash: String,
    /// The latest signed checkpoint's size.
    pub signed_size: u64,
    /// With `?since=N`: N (only units whose totals changed after it are listed).
    pub since: Option<u64>,
    /// One entry per contest asked for.
    pub contests: Vec<ContestResults>,
}

pub(crate) fn unit_ref(s: &Snapshot, u: UnitIdx) -> UnitRef {
    let unit = s.tree.unit(u);
    UnitRef { id: unit.id.to_string(), name: unit.name.clone(), kind: unit.kind.clone() }
}

pub(crate) fn contest_ref(s: &Snapshot, c: usize) -> ContestRef {
    let contest = &s.election.contests()[c];
    ContestRef {
        id: contest.id().to_string(),
        name: contest.name().to_owned(),
        kind: contest.kind().name().to_owned(),
        territory: s.tree.unit(contest.territory()).id.to_string(),
    }
}

fn percent(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| (a as f64 * 10_000.0 / b as f64).round() / 100.0)
}

fn line_name(contest: &Contest, col: usize) -> String {
    match Line::from_column(col) {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => contest.options()[i].id.to_string(),
    }
}

/// The results document of a contest at a unit; `None` when nothing below it reported.
pub(crate) fn unit_result(s: &Snapshot, c: usize, u: UnitIdx) -> Option<UnitResult> {
    let contest = &s.election.contests()[c];
    let t: &Totals = s.totals(c, u)?;
    let lines = (0..t.values.len())
        .map(|col| LineValue { line: line_name(contest, col), value: t.values[col] })
        .collect();
    let n = contest.options().len();
    let votes: Vec<Option<u64>> = (0..n).map(|i| t.option(i)).collect();
    let (base_name, base) = if contest.kind() == ContestKind::Referendum {
        ("took part (ballots issued)", t.line(ProtocolLine::BallotsIssued))
    } else {
        (
            "valid votes (candidates or parties + against all)",
            votes.iter().copied().sum::<Option<u64>>(),
        )
    };
    let shares = contest
        .options()
        .iter()
        .zip(&votes)
        .map(|(o, v)| Share {
            option: o.id.to_string(),
            name: o.name.clone(),
            votes: *v,
            percent: v.zip(base).and_then(|(v, b)| percent(v, b)),
        })
        .collect();
    let progress = ashyq_tally::progress(&s.tree, u, &s.counts[c]);
    Some(UnitResult {
        unit: unit_ref(s, u),
        stations: s.stations[u],
        protocols_expected: progress.expected,
        protocols_reported: progress.reported,
        lines,
        base: base_name.to_owned(),
        shares,
        turnout: t
            .line(ProtocolLine::BallotsIssued)
            .zip(t.line(ProtocolLine::Registered))
            .and_then(|(a, b)| percent(a, b)),
        changed_at: s.changed.get(c).and_then(|v| v.get(u)).copied().unwrap_or(0),
    })
}
