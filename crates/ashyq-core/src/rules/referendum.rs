//! The republican referendum (Const. Law No. 2592, Art. 31; law reference §1 and addendum A1).

use crate::counts::{RollUp, Totals};
use crate::election::{Contest, UnitTest};
use crate::line::ProtocolLine;
use crate::rules::{OtherTurnoutCount, ReferendumGap, Undetermined, UnitRef, Warning};
use crate::units::{UnitIdx, UnitTree};

/// Where the number of units in favour came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitsBasis {
    /// Computed from the package's counts per unit.
    Computed,
    /// Taken from the officially reported number (`reported_units_in_favour`), because the
    /// package has no counts below its territory.
    Reported,
    /// Not a constitutional question: the territorial test does not apply.
    NotApplicable,
    /// Neither counts per unit nor a reported number: the test cannot be evaluated.
    Unknown,
}

/// One unit of the territorial test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferendumUnitRow {
    /// The unit.
    pub unit: UnitIdx,
    /// Registered voters.
    pub registered: Option<u64>,
    /// Took part (ballots issued).
    pub took_part: Option<u64>,
    /// Yes votes.
    pub yes: Option<u64>,
    /// No votes.
    pub no: Option<u64>,
    /// `yes > took_part / 2` in this unit, if computable.
    pub yes_majority: Option<bool>,
    /// `took_part > registered / 2` in this unit, if computable.
    pub turnout_majority: Option<bool>,
}

/// Which count of "those who took part" the decision divides by, and what the other count
/// would decide (law reference §1, §8.1–§8.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakePartBase {
    /// The count used: `ballots_issued` (voters who received a ballot; turnout is received
    /// ballots / voters on the lists, law reference §8.1, H).
    pub used: Option<u64>,
    /// The name of the other count: `ballots_found` (ballots in the boxes, which check R2 sums
    /// against) or, without it, the sum of the ballot lines (yes + no + invalid + not counted).
    pub other_name: &'static str,
    /// The other count, when known.
    pub other: Option<u64>,
    /// Validity with the other count.
    pub valid_other: Option<bool>,
    /// National yes-majority with the other count.
    pub national_majority_other: Option<bool>,
    /// The two counts decide validity or the national majority differently.
    pub flips: bool,
}

/// The referendum's outcome with every figure a reader needs to re-check it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferendumOutcome {
    /// National registered voters.
    pub registered: Option<u64>,
    /// National participants (ballots issued).
    pub took_part: Option<u64>,
    /// Yes votes.
    pub yes: Option<u64>,
    /// No votes.
    pub no: Option<u64>,
    /// Invalid ballots.
    pub invalid: Option<u64>,
    /// Valid but not counted (both options marked).
    pub not_counted: Option<u64>,
    /// Which count of participants the decision used, and what the other would decide.
    pub base: TakePartBase,
    /// Validity: more than half of the registered took part.
    pub valid: Option<bool>,
    /// Yes has more than half of the participants nationally.
    pub national_majority: Option<bool>,
    /// Whether the two-thirds test applies (constitutional question).
    pub constitutional: bool,
    /// The per-unit test applied (package choice or rule-set default).
    pub unit_test: UnitTest,
    /// True when the package chose the test, false when it is the rule set's default.
    pub unit_test_from_package: bool,
    /// The statement the default follows (empty when the package chose).
    pub unit_test_basis: &'static str,
    /// The units of the two-thirds test (regions and cities of republican significance under
    /// the territory) with their figures.
    pub units: Vec<ReferendumUnitRow>,
    /// Children of the territory that are not units of the test (e.g. `abroad`).
    pub units_excluded: Vec<UnitIdx>,
    /// n: number of units of the test.
    pub units_total: u32,
    /// The number of units on the map in force on the election day, when known (17 until
    /// 7 Jun 2022, 20 from 8 Jun 2022).
    pub units_expected: Option<u32>,
    /// ceil(2n/3) for a constitutional question; 0 otherwise.
    pub units_required: u32,
    /// Units passing the applied test (`None` when unknown).
    pub units_in_favour: Option<u32>,
    /// Units passing the yes-majority test, if computable.
    pub units_yes_majority: Option<u32>,
    /// Units passing the turnout test, if computable.
    pub units_turnout_majority: Option<u32>,
    /// Units without the data for the applied test.
    pub units_unknown: u32,
    /// Where `units_in_favour` came from.
    pub units_basis: UnitsBasis,
    /// Territorial test passed (`None`: undetermined or not applicable).
    pub territorial_pass: Option<bool>,
    /// Adopted (`None`: undetermined).
    pub adopted: Option<bool>,
    /// What a reader must know (map, base).
    pub warnings: Vec<Warning>,
    /// Why undetermined, if so.
    pub undetermined: Option<Undetermined>,
}

/// The units of the two-thirds test under a territory (law reference §1): its children of kind
/// `region` (oblast) or `city` (city of republican significance, the capital included) count;
/// other children (e.g. `abroad`) hold counts but are not units of the test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerritorialUnits {
    /// Regions and cities of republican significance, in tree order.
    pub counted: Vec<UnitIdx>,
    /// Other children of the territory, which the test leaves out.
    pub excluded: Vec<UnitIdx>,
}

/// Unit kinds that are units of the two-thirds test.
pub const TERRITORIAL_KINDS: [&str; 2] = ["region", "city"];

/// Splits the children of `territory` into the units of the two-thirds test and the rest.
pub fn territorial_units(tree: &UnitTree, territory: UnitIdx) -> TerritorialUnits {
    let (counted, excluded) = tree
        .children(territory)
        .iter()
        .partition(|&&u| TERRITORIAL_KINDS.contains(&tree.unit(u).kind.as_str()));
    TerritorialUnits { counted, excluded }
}

/// The number of oblasts and cities of republican significance on `date` (law reference §1,
/// §9): 20 from 8 Jun 2022 (Abai, Zhetysu, Ulytau took effect), 17 from 2019 until 7 Jun 2022
/// (Shymkent a city of republican significance since 2018; the day is not in the reference);
/// `None` before 2019, which the reference does not cover.
pub fn expected_units(date: &str) -> Option<u32> {
    if date >= "2022-06-08" {
        Some(20)
    } else if date >= "2019-01-01" {
        Some(17)
    } else {
        None
    }
}

/// `ceil(2n/3)`: 12 of 17, 14 of 20 (law reference §1: "11 of 17" is too few).
pub fn units_required(n: u32) -> u32 {
    (2 * n).div_ceil(3)
}

fn more_than_half(part: u64, whole: u64) -> bool {
    2 * part as u128 > whole as u128
}

pub(super) fn decide(
    contest: &Contest,
    tree: &UnitTree,
    roll_up: &RollUp,
    default_test: UnitTest,
    default_why: &'static str,
    date: &str,
) -> ReferendumOutcome {
    let yes_idx = contest.option_index("yes");
    let no_idx = contest.option_index("no");
    let get = |t: Option<&Totals>, line: ProtocolLine| t.and_then(|t| t.line(line));
    let opt = |t: Option<&Totals>, i: Option<usize>| t.and_then(|t| i.and_then(|i| t.option(i)));
    let national = roll_up.at(contest.territory());
    let registered = get(national, ProtocolLine::Registered);
    let took_part = get(national, ProtocolLine::BallotsIssued);
    let yes = opt(national, yes_idx);
    let no = opt(national, no_idx);
    let invalid = get(national, ProtocolLine::Invalid);
    let not_counted = get(national, ProtocolLine::NotCounted);
    let valid = match (took_part, registered) {
        (Some(t), Some(r)) => Some(more_than_half(t, r)),
        _ => None,
    };
    let national_majority = match (yes, took_part) {
        (Some(y), Some(t)) => Some(more_than_half(y, t)),
        _ => None,
    };
    let mut warnings = Vec::new();
    // The other count of those who took part: ballots found, else the ballot lines' sum.
    let (other_name, other) = match get(national, ProtocolLine::BallotsFound) {
        Some(f) => (OtherTurnoutCount::BallotsFound, Some(f)),
        None => (
            OtherTurnoutCount::BallotLinesSum,
            [yes, no, invalid, not_counted]
                .into_iter()
                .try_fold(0u64, |acc, v| v.and_then(|v| acc.checked_add(v))),
        ),
    };
    let valid_other = other.zip(registered).map(|(t, r)| more_than_half(t, r));
    let national_majority_other = yes.zip(other).map(|(y, t)| more_than_half(y, t));
    let flips = (valid.is_some() && valid_other.is_some() && valid != valid_other)
        || (national_majority.is_some()
            && national_majority_other.is_some()
            && national_majority != national_majority_other);
    if flips {
        warnings.push(Warning::TurnoutCountMatters {
            ballots_issued: took_part,
            valid,
            majority: national_majority,
            other: other_name,
            other_count: other,
            valid_other,
            majority_other: national_majority_other,
        });
    }
    let unit_test = contest.unit_test().unwrap_or(default_test);
    let test_units = territorial_units(tree, contest.territory());
    let units: Vec<ReferendumUnitRow> = test_units
        .counted
        .iter()
        .map(|&u| {
            let t = roll_up.at(u);
            let registered = get(t, ProtocolLine::Registered);
            let took_part = get(t, ProtocolLine::BallotsIssued);
            let yes = opt(t, yes_idx);
            ReferendumUnitRow {
                unit: u,
                registered,
                took_part,
                yes,
                no: opt(t, no_idx),
                yes_majority: yes.zip(took_part).map(|(y, p)| more_than_half(y, p)),
                turnout_majority: took_part.zip(registered).map(|(p, r)| more_than_half(p, r)),
            }
        })
        .collect();
    let units_total = units.len() as u32;
    let constitutional = contest.constitutional();
    let national_territory = tree.unit(contest.territory()).parent.is_none();
    let units_expected = if national_territory { expected_units(date) } else { None };
    if let Some(expected) = units_expected.filter(|&e| constitutional && e != units_total) {
        warnings.push(Warning::MapDiffers {
            units: units_total,
            date: date.to_owned(),
            expected,
            required: units_required(units_total),
            required_expected: units_required(expected),
        });
    }
    if !test_units.excluded.is_empty() && constitutional {
        let units = test_units
            .excluded
            .iter()
            .map(|&u| UnitRef {
                unit: u,
                id: tree.unit(u).id.to_string(),
                kind: tree.unit(u).kind.to_string(),
            })
            .collect();
        warnings.push(Warning::UnitsExcluded { units });
    }
    let required = if constitutional { units_required(units_total) } else { 0 };
    let count = |f: fn(&ReferendumUnitRow) -> Option<bool>| -> (u32, u32) {
        let pass = units.iter().filter(|u| f(u) == Some(true)).count() as u32;
        let unknown = units.iter().filter(|u| f(u).is_none()).count() as u32;
        (pass, unknown)
    };
    let (ym_pass, ym_unknown) = count(|u| u.yes_majority);
    let (to_pass, to_unknown) = count(|u| u.turnout_majority);
    let (applied_pass, applied_unknown) = match unit_test {
        UnitTest::YesMajority => (ym_pass, ym_unknown),
        UnitTest::Turnout => (to_pass, to_unknown),
    };
    let any_unit_data = units.iter().any(|u| roll_up.at(u.unit).is_some());
    let mut reasons: Vec<ReferendumGap> = Vec::new();
    let (units_in_favour, units_basis, territorial_pass, units_unknown) = if !constitutional {
        let known = (any_unit_data && applied_unknown < units_total).then_some(applied_pass);
        (known, UnitsBasis::NotApplicable, None, applied_unknown)
    } else if any_unit_data {
        let pass = if applied_pass >= required {
            Some(true)
        } else if applied_pass + applied_unknown < required {
            Some(false)
        } else {
            reasons.push(ReferendumGap::UnitsUndecided {
                passing: applied_pass,
                units: units_total,
                test: unit_test,
                required,
                unknown: applied_unknown,
            });
            None
        };
        (Some(applied_pass), UnitsBasis::Computed, pass, applied_unknown)
    } else if let Some(reported) = contest.reported_units_in_favour() {
        (Some(reported), UnitsBasis::Reported, Some(reported >= required), units_total)
    } else if units_total == 0 {
        reasons.push(ReferendumGap::NoUnits);
        (None, UnitsBasis::Unknown, None, 0)
    } else {
        reasons.push(ReferendumGap::NoUnitCounts);
        (None, UnitsBasis::Unknown, None, units_total)
    };
    if valid.is_none() {
        reasons.push(ReferendumGap::ValidityUnknown);
    }
    if national_majority.is_none() && valid != Some(false) {
        reasons.push(ReferendumGap::MajorityUnknown);
    }
    let adopted = match (valid, national_majority, territorial_pass, constitutional) {
        (Some(false), _, _, _) => Some(false),
        (_, Some(false), _, _) => Some(false),
        (_, _, Some(false), true) => Some(false),
        (Some(true), Some(true), Some(true), true) => Some(true),
        (Some(true), Some(true), _, false) => Some(true),
        _ => None,
    };
    let undetermined =
        if adopted.is_none() { Some(Undetermined::Referendum(reasons)) } else { None };
    ReferendumOutcome {
        registered,
        took_part,
        yes,
        no,
        invalid,
        not_counted,
        base: TakePartBase {
            used: took_part,
            other_name: other_name.name(),
            other,
            valid_other,
            national_majority_other,
            flips,
        },
        valid,
        national_majority,
        constitutional,
        unit_test,
        unit_test_from_package: contest.unit_test().is_some(),
        unit_test_basis: if contest.unit_test().is_some() { "" } else { default_why },
        units,
        units_excluded: test_units.excluded,
        units_total,
        units_expected,
        units_required: required,
        units_in_favour,
        units_yes_majority: (ym_unknown == 0 && units_total > 0).then_some(ym_pass),
        units_turnout_majority: (to_unknown == 0 && units_total > 0).then_some(to_pass),
        units_unknown,
        units_basis,
        territorial_pass,
        adopted,
        warnings,
        undetermined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_thirds_rounds_up() {
        assert_eq!(units_required(17), 12);
        assert_eq!(units_required(20), 14);
        assert_eq!(units_required(3), 2);
        assert_eq!(units_required(0), 0);
    }

    #[test]
    fn the_map_in_force_by_date() {
        assert_eq!(expected_units("2022-06-05"), Some(17));
        assert_eq!(expected_units("2022-06-08"), Some(20));
        assert_eq!(expected_units("2026-03-15"), Some(20));
        assert_eq!(expected_units("2018-06-19"), None);
        assert_eq!(expected_units("1995-08-30"), None);
    }
}
