//! Party-list contests: threshold, Hare quota, largest remainders, earlier-registered list wins
//! ties; what happens when only one list passes (2007: it takes every seat; 2009: the runner-up
//! is admitted); seats beyond a list's length (law reference §3.1, §3.3, §3.4, §4, addendum A2).

use ashyq_apportionment::{allocate, Fraction, Method, TiePolicy};
use num_bigint::BigUint;
use num_traits::ToPrimitive;

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::rules::{BeyondList, OneListPasses, OptionRef, PartyListRules, Undetermined};

/// One list's line in the allocation table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyRow {
    /// Option index in the contest.
    pub option: usize,
    /// Votes.
    pub votes: u64,
    /// Passed the threshold.
    pub passed: bool,
    /// Integer part of votes / quota (lists in the allocation).
    pub floor: Option<u32>,
    /// Fractional part of votes / quota (lists in the allocation), exact.
    pub remainder: Option<Fraction>,
    /// Got a remainder seat.
    pub remainder_seat: bool,
    /// Seats won by the formula.
    pub seats: u32,
    /// Seats allocated beyond the list's length (`list_length`): the law does not say what
    /// happens to them (law reference §12).
    pub beyond_list: u32,
}

/// The runner-up rule of February 2009 as applied (law reference §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerUp {
    /// The runner-up (option index), admitted below the threshold.
    pub option: usize,
    /// Its votes / quotient × 0.7, exact.
    pub corrected: Fraction,
    /// Its seats under each reading of the unknown parts: (reading, seats).
    pub readings: Vec<(&'static str, u32)>,
}

/// Party-list outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyListOutcome {
    /// Seats to fill.
    pub seats_total: u32,
    /// Threshold applied, percent as `(numer, denom)`.
    pub threshold_percent: (u64, u64),
    /// True when the package overrode the rule set's threshold.
    pub threshold_from_package: bool,
    /// Base of the threshold: all list votes + "against all".
    pub threshold_base: Option<u64>,
    /// "Against all" votes, if the ballot has the line.
    pub against_all: Option<u64>,
    /// Sum of the votes of the lists in the allocation (the quota's numerator).
    pub passing_votes: Option<u64>,
    /// Hare quota = passing votes / seats.
    pub quota: Option<Fraction>,
    /// Lists in registration order (the order that breaks ties).
    pub rows: Vec<PartyRow>,
    /// Remainder ties: (tied options, seats at stake, decided by registration order). When not
    /// decided, the outcome is undetermined.
    pub ties: Vec<(Vec<usize>, u32, bool)>,
    /// When only one list passed and the 2009 rule admitted the runner-up.
    pub runner_up: Option<RunnerUp>,
    /// When only one list passed and took every seat (2007).
    pub one_list_took_all: bool,
    /// Seats the law leaves undetermined (beyond a list's length); the other seats stand.
    pub seats_undetermined: u32,
    /// Why undetermined, if so.
    pub undetermined: Option<Undetermined>,
}

impl PartyListOutcome {
    /// Option indices of the lists that passed the threshold, in registration order.
    pub fn passed(&self) -> Vec<usize> {
        self.rows.iter().filter(|r| r.passed).map(|r| r.option).collect()
    }

    /// True when every seat is determined; false when some or all are not.
    pub fn fully_determined(&self) -> bool {
        self.undetermined.is_none()
    }

    /// True when the allocation stands except for seats beyond a list's length.
    pub fn only_list_lengths_undetermined(&self) -> bool {
        self.seats_undetermined > 0
            && self.rows.iter().any(|r| r.seats > 0)
            && matches!(self.undetermined, Some(Undetermined::BeyondLists { .. }))
    }
}

/// `votes / base ≥ n/d %` ⇔ `votes · 100 · d ≥ n · base`, in exact integers.
pub(crate) fn passes_threshold(votes: u64, base: u64, (n, d): (u64, u64)) -> bool {
    votes as u128 * 100 * d as u128 >= n as u128 * base as u128
}

pub(super) fn decide(
    contest: &Contest,
    total: Option<&Totals>,
    rules: &PartyListRules,
) -> PartyListOutcome {
    let threshold = contest.threshold_percent().unwrap_or(rules.threshold_percent);
    let seats_total = contest.seats().or(rules.seats_by_law).unwrap_or(0);
    let mut out = PartyListOutcome {
        seats_total,
        threshold_percent: threshold,
        threshold_from_package: contest.threshold_percent().is_some(),
        threshold_base: None,
        against_all: None,
        passing_votes: None,
        quota: None,
        rows: Vec::new(),
        ties: Vec::new(),
        runner_up: None,
        one_list_took_all: false,
        seats_undetermined: 0,
        undetermined: None,
    };
    let Some(total) = total else {
        out.undetermined = Some(Undetermined::NoCounts);
        return out;
    };
    let mut missing = Vec::new();
    let mut lists: Vec<(u32, usize, u64)> = Vec::new();
    for (i, o) in contest.options().iter().enumerate() {
        match (o.kind, total.option(i)) {
            (OptionKind::Choice, Some(v)) => lists.push((o.registered.unwrap_or(u32::MAX), i, v)),
            (OptionKind::AgainstAll, Some(v)) => out.against_all = Some(v),
            (_, None) => missing.push(OptionRef { index: i, id: o.id.to_string() }),
        }
    }
    if !missing.is_empty() {
        out.undetermined = Some(Undetermined::VotesUnknown { options: missing });
        return out;
    }
    lists.sort();
    let Some(base) =
        lists.iter().try_fold(out.against_all.unwrap_or(0), |acc, &(_, _, v)| acc.checked_add(v))
    else {
        out.undetermined = Some(Undetermined::VotesOverflow);
        return out;
    };
    out.threshold_base = Some(base);
    out.rows = lists
        .iter()
        .map(|&(_, option, votes)| PartyRow {
            option,
            votes,
            passed: base > 0 && votes > 0 && passes_threshold(votes, base, threshold),
            floor: None,
            remainder: None,
            remainder_seat: false,
            seats: 0,
            beyond_list: 0,
        })
        .collect();
    let passing: Vec<usize> = (0..out.rows.len()).filter(|&r| out.rows[r].passed).collect();
    // Cannot overflow: the passing votes are part of `base`, which fits in u64.
    out.passing_votes =
        Some(passing.iter().map(|&r| out.rows[r].votes).fold(0, u64::saturating_add));
    match passing.len() {
        0 => {
            out.undetermined = Some(Undetermined::ByLaw(rules.no_list));
            return out;
        }
        1 => match rules.one_list {
            OneListPasses::TakesAll => {
                out.one_list_took_all = true;
                let row = &mut out.rows[passing[0]];
                row.seats = seats_total;
                row.floor = Some(seats_total);
                row.remainder = Some(Fraction::zero());
                out.quota = Fraction::new(row.votes, seats_total);
            }
            OneListPasses::RunnerUp2009 => runner_up_2009(contest, &mut out, passing[0]),
            OneListPasses::Unknown(why) => {
                out.undetermined = Some(Undetermined::ByLaw(why));
                return out;
            }
        },
        _ => hare(contest, &mut out, &passing),
    }
    if out.undetermined.is_none() {
        beyond_lists(contest, &mut out);
    }
    out
}

/// Hare quota and largest remainders over the passing lists; ties by registration order.
fn hare(contest: &Contest, out: &mut PartyListOutcome, passing: &[usize]) {
    let votes: Vec<u64> = passing.iter().map(|&r| out.rows[r].votes).collect();
    match allocate(&votes, out.seats_total, Method::Hare, None, &TiePolicy::Order) {
        Ok(allocation) => {
            out.quota = allocation.quota.clone();
            for (k, &r) in passing.iter().enumerate() {
                let row = &mut out.rows[r];
                row.seats = allocation.seats[k];
                row.floor = allocation.floors.get(k).copied();
                row.remainder = allocation.remainders.get(k).cloned();
                row.remainder_seat = row.floor.is_some_and(|f| row.seats > f);
            }
            for tie in &allocation.ties {
                let tied: Vec<usize> =
                    tie.tied.iter().map(|&k| out.rows[passing[k]].option).collect();
                let unregistered: Vec<OptionRef> = tied
                    .iter()
                    .filter(|&&i| contest.options()[i].registered.is_none())
                    .map(|&i| option_ref(contest, i))
                    .collect();
                let decided = unregistered.is_empty();
                if !decided {
                    out.undetermined = Some(Undetermined::RemainderTieUnordered {
                        seats: tie.seats,
                        lists: tied.len(),
                        unregistered,
                    });
                }
                out.ties.push((tied, tie.seats, decided));
            }
        }
        Err(e) => out.undetermined = Some(Undetermined::SeatAllocation(e)),
    }
}

/// The February 2009 rule (law reference §3.3, M): the runner-up is admitted; the quotient is
/// over both lists' votes; the runner-up's votes/quotient is multiplied by 0.7; it gets at
/// least 2 seats. Unknown [?]: whether it takes part in the remainder round, and how the
/// remainder seats are shared when more remain than there are lists. Each reading is computed;
/// when they disagree, the outcome is undetermined by law and says between which numbers.
fn runner_up_2009(contest: &Contest, out: &mut PartyListOutcome, leader: usize) {
    let seats = out.seats_total;
    let mut others: Vec<usize> = (0..out.rows.len()).filter(|&r| r != leader).collect();
    others.sort_by(|&a, &b| out.rows[b].votes.cmp(&out.rows[a].votes));
    let Some(&second) = others.first() else {
        out.undetermined = Some(Undetermined::RunnerUpMissing);
        return;
    };
    let v2 = out.rows[second].votes;
    if v2 == 0 {
        out.undetermined = Some(Undetermined::RunnerUpWithoutVotes);
        return;
    }
    if others.get(1).is_some_and(|&t| out.rows[t].votes == v2) {
        let tied: Vec<OptionRef> = others
            .iter()
            .filter(|&&t| out.rows[t].votes == v2)
            .map(|&t| option_ref(contest, out.rows[t].option))
            .collect();
        out.undetermined = Some(Undetermined::RunnerUpTie { tied, votes: v2 });
        return;
    }
    let v1 = out.rows[leader].votes;
    let sum = u128::from(v1) + u128::from(v2);
    // raw1 = seats·v1/(v1+v2); raw2 = 0.7·seats·v2/(v1+v2), exact.
    let raw1 =
        Fraction::new(BigUint::from(seats) * v1, BigUint::from(sum)).unwrap_or_else(Fraction::zero);
    let raw2 = Fraction::new(BigUint::from(seats) * v2 * 7u32, BigUint::from(sum) * 10u32)
        .unwrap_or_else(Fraction::zero);
    let floor_u32 = |f: &Fraction| f.floor().to_u32().unwrap_or(u32::MAX);
    let fract = |f: &Fraction| {
        Fraction::new(&f.numer % &f.denom, f.denom.clone()).unwrap_or_else(Fraction::zero)
    };
    let (f1, f2) = (floor_u32(&raw1), floor_u32(&raw2));
    let (rem1, rem2) = (fract(&raw1), fract(&raw2));
    let remaining = seats.saturating_sub(f1 + f2);
    // Reading A: the runner-up is left out of the remainder round: the leader takes the rest.
    let a = f2;
    // Reading B: both take part; at most one remainder seat each, the larger remainder first
    // (on equal remainders the earlier-registered list); the leader takes what is left.
    let second_first = match rem2.cmp(&rem1) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            contest.options()[out.rows[second].option].registered
                < contest.options()[out.rows[leader].option].registered
        }
    };
    let b = f2 + u32::from(remaining >= 2 || (remaining == 1 && second_first));
    // Reading C: both take part and the remainder seats go round by largest remainder until
    // none is left.
    let c = f2 + if second_first { remaining.div_ceil(2) } else { remaining / 2 };
    let with_min = |s: u32| s.max(2).min(seats);
    let readings = vec![
        ("the runner-up is left out of the remainder round", with_min(a)),
        ("one remainder seat per list, the larger remainder first", with_min(b)),
        ("remainder seats go round by largest remainder", with_min(c)),
    ];
    let s2 = readings[0].1;
    out.passing_votes = u64::try_from(sum).ok();
    out.quota = Fraction::new(BigUint::from(sum), seats);
    out.rows[leader].floor = Some(f1);
    out.rows[leader].remainder = Some(rem1);
    out.rows[second].floor = Some(f2);
    out.rows[second].remainder = Some(rem2);
    out.runner_up = Some(RunnerUp {
        option: out.rows[second].option,
        corrected: raw2.clone(),
        readings: readings.clone(),
    });
    if readings.iter().all(|r| r.1 == s2) {
        out.rows[second].seats = s2;
        out.rows[leader].seats = seats - s2;
        out.rows[leader].remainder_seat = seats - s2 > f1;
        // All readings agree, so the runner-up has exactly max(integer part, 2): no remainder
        // seat of its own.
        out.rows[second].remainder_seat = false;
    } else {
        let mut values: Vec<u32> = readings.iter().map(|r| r.1).collect();
        values.sort();
        values.dedup();
        out.undetermined = Some(Undetermined::RunnerUpReadings {
            runner_up: option_ref(contest, out.rows[second].option),
            corrected: raw2,
            integer_seats: f2,
            remaining,
            seats: values,
        });
    }
}

/// Seats allocated beyond a list's `list_length` are undetermined by law (law reference §12).
fn beyond_lists(contest: &Contest, out: &mut PartyListOutcome) {
    let mut lists = Vec::new();
    for row in &mut out.rows {
        if let Some(len) = contest.options()[row.option].list_length {
            if row.seats > len {
                row.beyond_list = row.seats - len;
                out.seats_undetermined += row.beyond_list;
                lists.push(BeyondList {
                    list: option_ref(contest, row.option),
                    seats: row.seats,
                    candidates: len,
                    beyond: row.beyond_list,
                });
            }
        }
    }
    if !lists.is_empty() {
        out.undetermined = Some(Undetermined::BeyondLists { seats: out.seats_undetermined, lists });
    }
}

/// The option `index` of `contest`, for an explanation.
pub(crate) fn option_ref(contest: &Contest, index: usize) -> OptionRef {
    OptionRef { index, id: contest.options()[index].id.to_string() }
}
