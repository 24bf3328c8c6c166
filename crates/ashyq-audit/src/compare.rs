//! Two records of the same election compared station by station: the official protocols against
//! observers' signed copies (or any independent record: the Bulgarian voting machines' own data
//! against the machine votes written on the protocols). Contests and options are matched by
//! id, stations by unit id, lines by name.
//!
//! For every contest: the stations compared (a protocol on both sides), missing (an official
//! protocol without an observed one), extra (observed only), differing (some line known on both
//! sides with different values), and `abs_diff` = Σ over the stations on both sides and over the
//! option lines known on both sides of |official − observed|. Then the legal outcome under the
//! official counts, under the observed ones, and under "the observer copies are right" (the
//! official counts with every observed protocol put in place of the official one): a flipped
//! district or a seat changing hands shows as a changed decision.

use std::collections::BTreeMap;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{Contest, Election};
use ashyq_core::line::Line;
use ashyq_core::rules::{
    self, ContestOutcome, ContestResult, ElectionOutcome, OutcomeError, OutcomeOptions,
};
use ashyq_core::units::{UnitIdx, UnitTree};

use crate::assertions::format_percent;

/// One record: an election definition, its territorial tree and its counts.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// The election.
    pub election: &'a Election,
    /// The tree.
    pub tree: &'a UnitTree,
    /// Counts per contest.
    pub counts: &'a [ContestCounts],
}

/// A line whose values differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineDiff {
    /// Line name (protocol line or option id).
    pub line: String,
    /// Whether it is an option's votes.
    pub is_option: bool,
    /// Official value.
    pub official: u64,
    /// Observed value.
    pub observed: u64,
}

/// How a station compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every line known on both sides is equal.
    Matches,
    /// Some line differs.
    Differs,
    /// Official protocol, no observed one.
    Missing,
    /// Observed protocol, no official one.
    Extra,
}

impl Status {
    /// The JSON spelling.
    pub fn name(self) -> &'static str {
        match self {
            Status::Matches => "matches",
            Status::Differs => "differs",
            Status::Missing => "missing",
            Status::Extra => "extra",
        }
    }
}

/// One station of one contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StationComparison {
    /// Station (unit) id.
    pub unit: String,
    /// Status.
    pub status: Status,
    /// Lines that differ.
    pub lines: Vec<LineDiff>,
    /// Σ |official − observed| over its option lines.
    pub abs_diff: u64,
}

/// One contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestComparison {
    /// Contest id.
    pub contest: String,
    /// Stations with a protocol on both sides.
    pub stations_compared: usize,
    /// Official protocols without an observed one.
    pub stations_missing: usize,
    /// Observed protocols without an official one.
    pub stations_extra: usize,
    /// Stations with a differing line.
    pub stations_differing: usize,
    /// Σ |official − observed| over the stations on both sides and their option lines.
    pub abs_diff: u64,
    /// Every station that is not a plain match, in official tree order, then the extras.
    pub stations: Vec<StationComparison>,
    /// Option ids of the official contest that the observed contest lacks.
    pub options_unmatched: Vec<String>,
    /// The decision under the official counts.
    pub decision_official: String,
    /// The decision under the observed counts alone.
    pub decision_observed: String,
    /// The decision if the observer copies are right.
    pub decision_merged: String,
}

impl ContestComparison {
    /// Whether the observer copies change the legal decision.
    pub fn outcome_changed(&self) -> bool {
        self.decision_official != self.decision_merged
    }
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Contests present on both sides, in official order.
    pub contests: Vec<ContestComparison>,
    /// Official contest ids absent from the observed record.
    pub contests_unmatched: Vec<String>,
    /// The official counts with the observed protocols in place ("observer copies are right").
    pub merged: Vec<ContestCounts>,
    /// Outcomes: official, observed, merged.
    pub outcomes: [ElectionOutcome; 3],
}

/// Why a comparison cannot be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    /// No contest in common.
    #[error("the two records have no contest in common (official: {0})")]
    NoCommonContest(String),
    /// Summing failed.
    #[error("{0}")]
    Count(#[from] OutcomeError),
}

/// Compares `observed` with `official`.
pub fn compare(official: Record<'_>, observed: Record<'_>) -> Result<Comparison, CompareError> {
    let mut contests = Vec::new();
    let mut unmatched = Vec::new();
    let mut merged: Vec<ContestCounts> = official.counts.to_vec();
    // The decision under each set of counts, even where protocols fail checks: a comparison is
    // exactly where such counts must be seen (the outcomes then list the failed checks).
    let options = OutcomeOptions { ignore_failed_checks: true, ..OutcomeOptions::default() };
    let outcome_official =
        rules::outcome(official.election, official.tree, official.counts, &options)?;
    let outcome_observed =
        rules::outcome(observed.election, observed.tree, observed.counts, &options)?;
    let mut pending = Vec::new();
    for (ci, oc) in official.election.contests().iter().enumerate() {
        let Some(xi) = observed.election.contest_index(oc.id().as_str()) else {
            unmatched.push(oc.id().as_str().to_owned());
            continue;
        };
        let xc = &observed.election.contests()[xi];
        let (cmp, merged_counts) = compare_contest(
            oc,
            &official.counts[ci],
            official.tree,
            xc,
            &observed.counts[xi],
            observed.tree,
        );
        merged[ci] = merged_counts;
        pending.push((ci, xi, cmp));
    }
    if pending.is_empty() {
        let ids: Vec<&str> = official.election.contests().iter().map(|c| c.id().as_str()).collect();
        return Err(CompareError::NoCommonContest(ids.join(", ")));
    }
    let outcome_merged = rules::outcome(official.election, official.tree, &merged, &options)?;
    for (ci, xi, mut cmp) in pending {
        let oc = &official.election.contests()[ci];
        let xc = &observed.election.contests()[xi];
        cmp.decision_official = decision(oc, official.tree, &outcome_official.contests[ci]);
        cmp.decision_observed = decision(xc, observed.tree, &outcome_observed.contests[xi]);
        cmp.decision_merged = decision(oc, official.tree, &outcome_merged.contests[ci]);
        contests.push(cmp);
    }
    Ok(Comparison {
        contests,
        contests_unmatched: unmatched,
        merged,
        outcomes: [outcome_official, outcome_observed, outcome_merged],
    })
}

fn line_name(contest: &Contest, col: usize) -> (String, bool) {
    match Line::from_column(col) {
        Line::Protocol(p) => (p.name().to_owned(), false),
        Line::Option(j) => (contest.options()[j].id.as_str().to_owned(), true),
    }
}

fn compare_contest(
    oc: &Contest,
    ocounts: &ContestCounts,
    otree: &UnitTree,
    xc: &Contest,
    xcounts: &ContestCounts,
    xtree: &UnitTree,
) -> (ContestComparison, ContestCounts) {
    // Column map official → observed.
    let n_cols = ocounts.n_columns();
    let map: Vec<Option<usize>> = (0..n_cols)
        .map(|col| match Line::from_column(col) {
            Line::Protocol(p) => Some(p.column()),
            Line::Option(j) => {
                xc.option_index(oc.options()[j].id.as_str()).map(|k| Line::Option(k).column())
            }
        })
        .collect();
    let options_unmatched: Vec<String> = oc
        .options()
        .iter()
        .filter(|o| xc.option_index(o.id.as_str()).is_none())
        .map(|o| o.id.as_str().to_owned())
        .collect();
    let mut res = ContestComparison {
        contest: oc.id().as_str().to_owned(),
        stations_compared: 0,
        stations_missing: 0,
        stations_extra: 0,
        stations_differing: 0,
        abs_diff: 0,
        stations: Vec::new(),
        options_unmatched,
        decision_official: String::new(),
        decision_observed: String::new(),
        decision_merged: String::new(),
    };
    let mut merged = ocounts.clone();
    let mut replace: Vec<(UnitIdx, Vec<Option<u64>>)> = Vec::new();
    for (u, orow) in ocounts.rows() {
        let id = otree.unit(u).id.as_str();
        let xrow = xtree.index_of(id).and_then(|x| xcounts.row(x));
        let Some(xrow) = xrow else {
            res.stations_missing += 1;
            res.stations.push(StationComparison {
                unit: id.to_owned(),
                status: Status::Missing,
                lines: Vec::new(),
                abs_diff: 0,
            });
            continue;
        };
        res.stations_compared += 1;
        let mut lines = Vec::new();
        let mut abs = 0u64;
        let mut new_row = orow.clone();
        for col in 0..n_cols {
            let Some(xcol) = map[col] else { continue };
            let (o, x) = (orow[col], xrow.get(xcol).copied().flatten());
            if x.is_some() {
                new_row[col] = x;
            }
            if let (Some(o), Some(x)) = (o, x) {
                if o != x {
                    let (line, is_option) = line_name(oc, col);
                    if is_option {
                        abs = abs.saturating_add(o.abs_diff(x));
                    }
                    lines.push(LineDiff { line, is_option, official: o, observed: x });
                }
            }
        }
        res.abs_diff = res.abs_diff.saturating_add(abs);
        if !lines.is_empty() {
            res.stations_differing += 1;
            res.stations.push(StationComparison {
                unit: id.to_owned(),
                status: Status::Differs,
                lines,
                abs_diff: abs,
            });
        }
        if new_row != *orow {
            replace.push((u, new_row));
        }
    }
    // Observed protocols with no official one.
    let mut extras: BTreeMap<UnitIdx, String> = BTreeMap::new();
    for (x, xrow) in xcounts.rows() {
        let id = xtree.unit(x).id.as_str();
        let official_unit = otree.index_of(id);
        if official_unit.and_then(|u| ocounts.row(u)).is_some() {
            continue;
        }
        res.stations_extra += 1;
        res.stations.push(StationComparison {
            unit: id.to_owned(),
            status: Status::Extra,
            lines: Vec::new(),
            abs_diff: 0,
        });
        if let Some(u) = official_unit.filter(|&u| otree.is_within(u, oc.territory())) {
            let row: Vec<Option<u64>> = (0..n_cols)
                .map(|col| map[col].and_then(|xc| xrow.get(xc).copied().flatten()))
                .collect();
            extras.insert(u, id.to_owned());
            replace.push((u, row));
        }
    }
    if !replace.is_empty() {
        let mut rebuilt = ContestCounts::new(oc);
        let mut rows: BTreeMap<UnitIdx, Vec<Option<u64>>> =
            ocounts.rows().map(|(u, r)| (u, r.clone())).collect();
        for (u, r) in replace {
            rows.insert(u, r);
        }
        for (u, r) in rows {
            for (col, v) in r.into_iter().enumerate() {
                if let Some(v) = v {
                    // Cannot fail: one value per (unit, column), units within the territory.
                    let _ = rebuilt.set(u, Line::from_column(col), v);
                }
            }
        }
        merged = rebuilt;
    }
    (res, merged)
}

/// The mismatches of one contest rolled up to a commission: every station protocol below a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRollup {
    /// Unit id (a territorial commission: district, region, …).
    pub unit: String,
    /// Its kind (`region`, `district`, …).
    pub kind: String,
    /// Protocols below it compared (on both sides).
    pub stations_compared: usize,
    /// Official protocols below it without an observed one.
    pub stations_missing: usize,
    /// Protocols below it that differ.
    pub stations_differing: usize,
    /// Σ |official − observed| over the option lines of the protocols below it.
    pub abs_diff: u64,
}

/// Mismatches by commission and region: `cmp` (of a contest whose official counts are
/// `official`) rolled up to every unit above the protocols, in tree order, for each unit with at
/// least one official protocol below it. Observed-only protocols are not counted here (they are
/// the comparison's `stations_extra`).
pub fn by_unit(
    tree: &UnitTree,
    official: &ContestCounts,
    cmp: &ContestComparison,
) -> Vec<UnitRollup> {
    let status: BTreeMap<&str, &StationComparison> =
        cmp.stations.iter().map(|s| (s.unit.as_str(), s)).collect();
    let mut acc: Vec<Option<UnitRollup>> = vec![None; tree.len()];
    for (u, _) in official.rows() {
        let id = tree.unit(u).id.as_str();
        let s = status.get(id).filter(|s| s.status != Status::Extra);
        for a in tree.path(u).into_iter().filter(|&a| a != u) {
            let r = acc[a].get_or_insert_with(|| UnitRollup {
                unit: tree.unit(a).id.as_str().to_owned(),
                kind: tree.unit(a).kind.clone(),
                stations_compared: 0,
                stations_missing: 0,
                stations_differing: 0,
                abs_diff: 0,
            });
            match s.map(|s| s.status) {
                Some(Status::Missing) => r.stations_missing += 1,
                Some(Status::Differs) => {
                    r.stations_compared += 1;
                    r.stations_differing += 1;
                }
                _ => r.stations_compared += 1,
            }
            r.abs_diff = r.abs_diff.saturating_add(s.map_or(0, |s| s.abs_diff));
        }
    }
    tree.topological_order().iter().filter_map(|&u| acc[u].take()).collect()
}

/// The legal decision of a contest as a short sentence (what a flipped result changes).
pub fn decision(contest: &Contest, tree: &UnitTree, outcome: &ContestOutcome) -> String {
    if let Some(u) = &outcome.undetermined {
        return u.to_string();
    }
    let oid = |j: usize| contest.options()[j].id.as_str().to_owned();
    match &outcome.result {
        ContestResult::NoRules => "no legal outcome (rules \"none\")".to_owned(),
        ContestResult::Presidential(p) => match (p.winner, p.runoff) {
            (Some(w), _) => format!("{} elected", oid(w)),
            (None, Some([a, b])) => format!("run-off between {} and {}", oid(a), oid(b)),
            _ => "undetermined".to_owned(),
        },
        ContestResult::SingleMember(s) => match s.winner {
            Some(w) => format!("{} elected", oid(w)),
            None => "undetermined".to_owned(),
        },
        ContestResult::Senate(s) => match (s.winner, s.runoff) {
            (Some(w), _) => format!("{} elected senator", oid(w)),
            (None, Some([a, b])) => format!("run-off between {} and {}", oid(a), oid(b)),
            _ => "undetermined".to_owned(),
        },
        ContestResult::PartyList(pl) => {
            let seats: Vec<String> = pl
                .rows
                .iter()
                .filter(|r| r.passed)
                .map(|r| format!("{} {}", oid(r.option), r.seats))
                .collect();
            format!(
                "seats: {} (threshold {}%)",
                seats.join(", "),
                format_percent(pl.threshold_percent)
            )
        }
        ContestResult::Referendum(r) => {
            let valid = r.valid.map_or("validity unknown", |v| if v { "valid" } else { "invalid" });
            let units = r.units_in_favour.map_or("?".to_owned(), |u| u.to_string());
            let adopted = match r.adopted {
                Some(true) => "adopted",
                Some(false) => "not adopted",
                None => "undetermined",
            };
            let _ = tree;
            format!(
                "{valid}, {adopted} (units in favour {units} of {}, {} required)",
                r.units_total, r.units_required
            )
        }
    }
}
