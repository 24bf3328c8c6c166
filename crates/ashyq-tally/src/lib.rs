//! Tallies: the totals of every contest at chosen units of the territorial tree (the root of
//! each contest's territory, or every unit of a kind such as `region`), following the
//! tabulation chain of the law reference §8.3 (station → district → region → country).
//!
//! Semantics are exactly those of [`ashyq_core::counts::ContestCounts::roll_up`]: a unit's
//! total is the sum of its children's totals when any unit below it has a protocol (its own
//! protocol, if any, is then a summary protocol and is not added), otherwise its own protocol;
//! a line of a sum is known only when every contributing protocol has it (absent is unknown,
//! never zero).
//!
//! Two paths compute them from an election package:
//! - [`tally_exact`]: [`ashyq_package::read_package`] then `roll_up` — the reference;
//! - [`tally_fast`]: a multi-threaded byte-level reader of `counts.csv` that interns contests,
//!   units and lines to indices and keeps one dense row per protocol. It accepts only the plain
//!   CSV dialect the package writer produces (no quotes, no padding) and checks everything
//!   `read_package` checks (known contest, unit and line; unit inside the contest's
//!   territory; value a non-negative integer; no duplicate row); on anything else it declines
//!   and [`tally_package`] falls back to the exact path, which reports every problem as
//!   `counts.csv:LINE: …`. The fast path therefore never decides about bad input itself.
//!
//! The engine is independent of where counts come from: [`tally_counts`] rolls up counts held
//! in memory (for example a store's latest accepted protocol versions), [`select`] turns any
//! per-contest [`RollUp`] into the same [`ContestTotals`], and [`render`] prints them.
#![deny(missing_docs)]

mod fast;
pub mod render;
mod units;

use std::path::Path;

use ashyq_core::counts::{ContestCounts, RollUp, Totals};
use ashyq_core::election::{Contest, Election};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::{UnitIdx, UnitTree};
use ashyq_package::{read_package, Diagnostics};

pub use fast::{tally_fast, tally_fast_with};

/// Which units to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The root of each contest's territory (normally the country).
    Territory,
    /// Every unit of this `kind` (units.csv) inside each contest's territory, in unit-id order.
    Kind(String),
}

/// Totals at one unit, with the unit's identity (so results need no tree to be read).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitTotals {
    /// Unit id (units.csv `id`).
    pub id: String,
    /// Unit kind (units.csv `kind`).
    pub kind: String,
    /// Unit name.
    pub name: String,
    /// Its totals, as [`ashyq_core::counts::RollUp::at`] gives them.
    pub totals: Totals,
}

/// The selected totals of one contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestTotals {
    /// Contest id.
    pub id: String,
    /// Contest name.
    pub name: String,
    /// The name of each column of [`Totals::values`]: the protocol lines, then the option ids.
    pub lines: Vec<String>,
    /// Units with totals, in scope order; units without any protocol below them are left out.
    pub units: Vec<UnitTotals>,
}

/// A tally: the selected totals of every contest, in package order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Election id.
    pub election: String,
    /// One entry per contest, in package order.
    pub contests: Vec<ContestTotals>,
}

/// Column names of a contest: protocol lines, then option ids.
pub fn line_names(contest: &Contest) -> Vec<String> {
    (0..ProtocolLine::COUNT + contest.options().len())
        .map(|col| match Line::from_column(col) {
            Line::Protocol(p) => p.name().to_owned(),
            Line::Option(i) => contest.options()[i].id.to_string(),
        })
        .collect()
}

/// The error for a kind no unit has, listing the kinds present.
fn unknown_kind<'k>(kind: &str, kinds: impl Iterator<Item = &'k str>) -> TallyError {
    let mut known: Vec<&str> = kinds.collect();
    known.sort_unstable();
    known.dedup();
    TallyError::UnknownKind { kind: kind.to_owned(), known: known.join(", ") }
}

/// Why a tally failed.
#[derive(Debug, thiserror::Error)]
pub enum TallyError {
    /// The package does not read: every problem, with file and line.
    #[error("the package has problems:\n{}", .0.to_string().trim_end())]
    Package(Diagnostics),
    /// A sum does not fit in 64 bits.
    #[error("contest \"{contest}\": {source}")]
    Count {
        /// Contest id.
        contest: String,
        /// The core's error.
        source: ashyq_core::counts::CountError,
    },
    /// `--by KIND` names a kind no unit has.
    #[error("no unit has kind \"{kind}\"; the kinds in units.csv are: {known}")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
        /// The kinds present, comma-separated.
        known: String,
    },
}

/// The units a scope selects inside `territory`, in report order; checks that a kind exists.
pub fn scope_units(
    tree: &UnitTree,
    territory: UnitIdx,
    scope: &Scope,
) -> Result<Vec<UnitIdx>, TallyError> {
    match scope {
        Scope::Territory => Ok(vec![territory]),
        Scope::Kind(kind) => {
            if !tree.units().iter().any(|u| &u.kind == kind) {
                return Err(unknown_kind(kind, tree.units().iter().map(|u| u.kind.as_str())));
            }
            let mut units: Vec<UnitIdx> = tree
                .subtree(territory)
                .into_iter()
                .filter(|&u| &tree.unit(u).kind == kind)
                .collect();
            units.sort_by(|&a, &b| tree.unit(a).id.as_str().cmp(tree.unit(b).id.as_str()));
            Ok(units)
        }
    }
}

/// Selects the totals of a scope from each contest's roll-up (in contest order).
pub fn select(
    election: &Election,
    tree: &UnitTree,
    roll_ups: &[RollUp],
    scope: &Scope,
) -> Result<Tally, TallyError> {
    let mut contests = Vec::with_capacity(roll_ups.len());
    for (contest, roll) in election.contests().iter().zip(roll_ups) {
        let units = scope_units(tree, contest.territory(), scope)?
            .into_iter()
            .filter_map(|u| {
                let unit = tree.unit(u);
                roll.at(u).map(|t| UnitTotals {
                    id: unit.id.to_string(),
                    kind: unit.kind.clone(),
                    name: unit.name.clone(),
                    totals: t.clone(),
                })
            })
            .collect();
        contests.push(ContestTotals {
            id: contest.id().to_string(),
            name: contest.name().to_owned(),
            lines: line_names(contest),
            units,
        });
    }
    Ok(Tally { election: election.id().to_string(), contests })
}

/// Rolls counts held in memory (from a package, or from a store's latest accepted protocol
/// versions) up with the core and selects a scope.
pub fn tally_counts(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    scope: &Scope,
) -> Result<Tally, TallyError> {
    let mut roll_ups = Vec::with_capacity(counts.len());
    for (contest, counts) in election.contests().iter().zip(counts) {
        let roll = counts
            .roll_up(tree, contest.territory())
            .map_err(|source| TallyError::Count { contest: contest.id().to_string(), source })?;
        roll_ups.push(roll);
    }
    select(election, tree, &roll_ups, scope)
}

/// The reference path: reads the whole package with [`read_package`] and rolls every contest
/// up with the core.
pub fn tally_exact(dir: &Path, scope: &Scope) -> Result<Tally, TallyError> {
    let package = read_package(dir).map_err(TallyError::Package)?;
    tally_counts(&package.election, &package.tree, &package.counts, scope)
}

/// Tallies a package: the fast path, or the exact path when the fast one declines (unusual
/// CSV dialect, or any problem in the input, which the exact path then reports in full).
pub fn tally_package(dir: &Path, scope: &Scope) -> Result<Tally, TallyError> {
    match tally_fast(dir, scope) {
        Ok(t) => Ok(t),
        Err(fast::FastError::Final(e)) => Err(e),
        Err(fast::FastError::Declined(_)) => tally_exact(dir, scope),
    }
}

pub use fast::FastError;

/// Reporting progress of one contest below a unit: protocols expected and received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Protocols expected at the level the counts report: the polling stations below the unit,
    /// except that a unit which reported a protocol for its whole subtree, with nothing below it
    /// reported, counts as one (a package of regional totals reports per region).
    pub expected: u64,
    /// Of those, protocols received.
    pub reported: u64,
    /// Registered voters on the received protocols.
    pub registered_reported: u64,
}

/// Reporting progress of `counts` below `at` (law digest §8.3: every station's protocol feeds
/// the tabulation above it).
pub fn progress(tree: &UnitTree, at: UnitIdx, counts: &ContestCounts) -> Progress {
    // Units with a protocol somewhere strictly below them.
    let mut below = vec![false; tree.len()];
    for (u, _) in counts.rows() {
        let mut p = tree.unit(u).parent;
        while let Some(a) = p {
            if below[a] {
                break;
            }
            below[a] = true;
            p = tree.unit(a).parent;
        }
    }
    let mut res = Progress::default();
    let mut stack: Vec<UnitIdx> = vec![at];
    while let Some(u) = stack.pop() {
        let own = counts.row(u);
        if tree.children(u).is_empty() || (own.is_some() && !below[u]) {
            res.expected += 1;
            if let Some(r) = own {
                res.reported += 1;
                res.registered_reported = res
                    .registered_reported
                    .saturating_add(r[ProtocolLine::Registered.column()].unwrap_or(0));
            }
        } else {
            stack.extend(tree.children(u).iter().copied());
        }
    }
    res
}
