//! Counts of one contest at the units of its territory, and their roll-up through the tree.
//!
//! Absent lines are unknown, never zero: a total is known only when every protocol that
//! contributes to it has the line.

use std::collections::BTreeMap;

use crate::election::Contest;
use crate::line::{Line, ProtocolLine};
use crate::units::{UnitIdx, UnitTree};

/// A row of a protocol: one optional value per column ([`Line::column`]).
pub type Row = Vec<Option<u64>>;

/// Why counts could not be recorded or summed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CountError {
    /// The same (unit, line) twice.
    #[error("a value for this unit and line was already given")]
    Duplicate,
    /// The unit is outside the contest's territory.
    #[error("the unit is not within the contest's territory")]
    OutsideTerritory,
    /// A sum exceeded 2^64 − 1.
    #[error("the sum of line \"{line}\" at unit \"{unit}\" exceeds 18446744073709551615")]
    Overflow {
        /// Unit id.
        unit: String,
        /// Line name (`option #n` for an option; see `column` to name it).
        line: String,
        /// The column of the line ([`Line::from_column`]).
        column: usize,
    },
    /// The ballots of a total (option votes + invalid + not counted) exceed 2^64 − 1.
    #[error("the option votes, invalid and not-counted ballots at unit \"{unit}\" add up to more than 18446744073709551615")]
    BallotsOverflow {
        /// Unit id.
        unit: String,
    },
}

/// The protocols of one contest: for each unit that has its own protocol, one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestCounts {
    n_columns: usize,
    rows: BTreeMap<UnitIdx, Row>,
}

impl ContestCounts {
    /// Empty counts for a contest.
    pub fn new(contest: &Contest) -> ContestCounts {
        ContestCounts {
            n_columns: ProtocolLine::COUNT + contest.options().len(),
            rows: BTreeMap::new(),
        }
    }

    /// Number of columns in each row (protocol lines + options).
    pub fn n_columns(&self) -> usize {
        self.n_columns
    }

    /// Records one value. Fails on a duplicate (unit, line).
    pub fn set(&mut self, unit: UnitIdx, line: Line, value: u64) -> Result<(), CountError> {
        let n = self.n_columns;
        let row = self.rows.entry(unit).or_insert_with(|| vec![None; n]);
        let cell = &mut row[line.column()];
        if cell.is_some() {
            return Err(CountError::Duplicate);
        }
        *cell = Some(value);
        Ok(())
    }

    /// The unit's own protocol, if it has one.
    pub fn row(&self, unit: UnitIdx) -> Option<&Row> {
        self.rows.get(&unit)
    }

    /// All units with their own protocol, in unit-index order.
    pub fn rows(&self) -> impl Iterator<Item = (UnitIdx, &Row)> {
        self.rows.iter().map(|(&u, r)| (u, r))
    }

    /// Number of protocols.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no protocols.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rolls the protocols up the tree within `territory`.
    ///
    /// For each unit: if any unit below it has a protocol, its total is the sum of its
    /// children's totals (its own protocol, if any, is a summary protocol to be checked against
    /// that sum, check R7); otherwise its total is its own protocol. A column of a sum is
    /// known only if it is known in every contributing child.
    pub fn roll_up(&self, tree: &UnitTree, territory: UnitIdx) -> Result<RollUp, CountError> {
        let n = tree.len();
        let mut totals: Vec<Option<Totals>> = vec![None; n];
        let subtree = tree.subtree(territory);
        for &u in subtree.iter().rev() {
            let mut sum: Option<Totals> = None;
            for &c in tree.children(u) {
                if let Some(child) = &totals[c] {
                    let acc = sum.get_or_insert_with(|| Totals::zero(self.n_columns));
                    acc.add(child).map_err(|col| CountError::Overflow {
                        unit: tree.unit(u).id.to_string(),
                        line: column_name(col),
                        column: col,
                    })?;
                }
            }
            totals[u] = match sum {
                Some(s) => Some(s),
                None => self.rows.get(&u).map(|r| Totals {
                    values: r.clone(),
                    protocols: 1,
                    units_with_line: r.iter().map(|v| u32::from(v.is_some())).collect(),
                }),
            };
        }
        Ok(RollUp { totals })
    }

    /// [`ContestCounts::roll_up`], and also fails when, at any unit, the ballots of a total —
    /// every option's votes plus `invalid` plus `not_counted` — add up to more than a `u64`
    /// holds: such counts cannot be right and are refused on reading, before they reach any
    /// decision or the record.
    pub fn roll_up_checked(
        &self,
        tree: &UnitTree,
        territory: UnitIdx,
    ) -> Result<RollUp, CountError> {
        let roll_up = self.roll_up(tree, territory)?;
        let ballot_columns: Vec<usize> = [ProtocolLine::Invalid, ProtocolLine::NotCounted]
            .iter()
            .map(|p| p.column())
            .chain(ProtocolLine::COUNT..self.n_columns)
            .collect();
        // Bottom-up, so the message names the protocol where the sum first overflows.
        for u in tree.subtree(territory).into_iter().rev() {
            if let Some(t) = roll_up.at(u) {
                let sum = ballot_columns
                    .iter()
                    .filter_map(|&c| t.values[c])
                    .try_fold(0u64, u64::checked_add);
                if sum.is_none() {
                    return Err(CountError::BallotsOverflow { unit: tree.unit(u).id.to_string() });
                }
            }
        }
        Ok(roll_up)
    }
}

fn column_name(col: usize) -> String {
    match Line::from_column(col) {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => format!("option #{}", i + 1),
    }
}

/// Summed counts at one unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    /// One value per column; `None` when some contributing protocol lacks the line.
    pub values: Row,
    /// Number of protocols summed.
    pub protocols: u32,
    /// Per column, how many of those protocols had the line.
    pub units_with_line: Vec<u32>,
}

impl Totals {
    fn zero(n: usize) -> Totals {
        Totals { values: vec![Some(0); n], protocols: 0, units_with_line: vec![0; n] }
    }

    fn add(&mut self, other: &Totals) -> Result<(), usize> {
        for (col, (a, b)) in self.values.iter_mut().zip(&other.values).enumerate() {
            *a = match (*a, *b) {
                (Some(x), Some(y)) => Some(x.checked_add(y).ok_or(col)?),
                _ => None,
            };
        }
        for (a, b) in self.units_with_line.iter_mut().zip(&other.units_with_line) {
            *a += b;
        }
        self.protocols += other.protocols;
        Ok(())
    }

    /// Value of a line, if known.
    pub fn get(&self, line: Line) -> Option<u64> {
        self.values.get(line.column()).copied().flatten()
    }

    /// Value of a protocol line, if known.
    pub fn line(&self, line: ProtocolLine) -> Option<u64> {
        self.get(Line::Protocol(line))
    }

    /// Votes of option `i`, if known.
    pub fn option(&self, i: usize) -> Option<u64> {
        self.get(Line::Option(i))
    }
}

/// Totals at every unit of a territory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollUp {
    totals: Vec<Option<Totals>>,
}

impl RollUp {
    /// Totals at a unit; `None` when no protocol lies in its subtree.
    pub fn at(&self, unit: UnitIdx) -> Option<&Totals> {
        self.totals.get(unit).and_then(|t| t.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
    use crate::units::UnitInfo;

    fn setup() -> (UnitTree, Election) {
        let u = |id: &str, p: &str| UnitInfo {
            id: id.into(),
            parent: p.into(),
            kind: "x".into(),
            name: id.into(),
        };
        let tree =
            UnitTree::new(vec![u("KZ", ""), u("R1", "KZ"), u("S1", "R1"), u("S2", "R1")]).unwrap();
        let info = ElectionInfo {
            names: Vec::new(),
            id: "e".into(),
            name: "e".into(),
            date: "2022-11-20".into(),
            rules: "kz-2022".into(),
            contests: vec![ContestInfo {
                id: "p".into(),
                kind: "presidential".into(),
                territory: "KZ".into(),
                options: vec![OptionInfo {
                    id: "a".into(),
                    name: "A".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        let election = Election::try_from_info(info, &tree).unwrap();
        (tree, election)
    }

    #[test]
    fn rolls_up_and_keeps_unknown_lines_unknown() {
        let (tree, election) = setup();
        let mut counts = ContestCounts::new(&election.contests()[0]);
        let reg = Line::Protocol(ProtocolLine::Registered);
        counts.set(2, reg, 100).unwrap();
        counts.set(3, reg, 50).unwrap();
        counts.set(2, Line::Option(0), 7).unwrap();
        assert_eq!(counts.set(2, Line::Option(0), 7), Err(CountError::Duplicate));
        let roll = counts.roll_up(&tree, 0).unwrap();
        let kz = roll.at(0).unwrap();
        assert_eq!(kz.line(ProtocolLine::Registered), Some(150));
        assert_eq!(kz.option(0), None, "S2 lacks the option line");
        assert_eq!(kz.protocols, 2);
        assert_eq!(kz.units_with_line[Line::Option(0).column()], 1);
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let (tree, election) = setup();
        let mut counts = ContestCounts::new(&election.contests()[0]);
        let reg = Line::Protocol(ProtocolLine::Registered);
        counts.set(2, reg, u64::MAX).unwrap();
        counts.set(3, reg, 1).unwrap();
        assert!(matches!(counts.roll_up(&tree, 0), Err(CountError::Overflow { column: 0, .. })));
        // Each line fits, but the ballots of a protocol do not.
        let mut counts = ContestCounts::new(&election.contests()[0]);
        counts.set(2, Line::Option(0), u64::MAX).unwrap();
        counts.set(2, Line::Protocol(ProtocolLine::Invalid), 1).unwrap();
        assert!(counts.roll_up(&tree, 0).is_ok());
        assert!(matches!(
            counts.roll_up_checked(&tree, 0),
            Err(CountError::BallotsOverflow { unit }) if unit == "S1"
        ));
    }
}
