//! Party-list contests: threshold, Hare quota, largest remainders, earlier-registered list wins
//! ties (law digest §3.1, §3.3, §3.4, addendum A2).

use ashyq_apportionment::{allocate, Fraction, Method, TiePolicy};

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::rules::PartyListRules;

/// One list's line in the allocation table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyRow {
    /// Option index in the contest.
    pub option: usize,
    /// Votes.
    pub votes: u64,
    /// Passed the threshold.
    pub passed: bool,
    /// Integer part of votes / quota (passing lists).
    pub floor: Option<u32>,
    /// Fractional part of votes / quota (passing lists), exact.
    pub remainder: Option<Fraction>,
    /// Got a remainder seat.
    pub remainder_seat: bool,
    /// Seats won.
    pub seats: u32,
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
    /// "Against all" votes.
    pub against_all: Option<u64>,
    /// Sum of passing lists' votes (the quota's numerator).
    pub passing_votes: Option<u64>,
    /// Hare quota = passing votes / seats.
    pub quota: Option<Fraction>,
    /// Lists in registration order (the order that breaks ties).
    pub rows: Vec<PartyRow>,
    /// Remainder ties decided by registration order: (tied options, seats at stake).
    pub ties: Vec<(Vec<usize>, u32)>,
    /// Why undetermined, if so.
    pub undetermined: Option<String>,
}

impl PartyListOutcome {
    /// Option indices of the lists that passed the threshold, in registration order.
    pub fn passed(&self) -> Vec<usize> {
        self.rows.iter().filter(|r| r.passed).map(|r| r.option).collect()
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
    let seats_total = contest.seats().unwrap_or(rules.national_list_seats);
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
        undetermined: None,
    };
    let Some(total) = total else {
        out.undetermined = Some("undetermined: the package has no counts for this contest".into());
        return out;
    };
    let mut missing = Vec::new();
    let mut lists: Vec<(u32, usize, u64)> = Vec::new();
    for (i, o) in contest.options().iter().enumerate() {
        match (o.kind, total.option(i)) {
            (OptionKind::Choice, Some(v)) => lists.push((o.registered.unwrap_or(u32::MAX), i, v)),
            (OptionKind::AgainstAll, Some(v)) => out.against_all = Some(v),
            (_, None) => missing.push(o.id.to_string()),
        }
    }
    if !missing.is_empty() {
        out.undetermined = Some(format!(
            "undetermined: votes for {} are unknown in some protocols",
            missing.join(", ")
        ));
        return out;
    }
    lists.sort();
    let Some(base) =
        lists.iter().try_fold(out.against_all.unwrap_or(0), |acc, &(_, _, v)| acc.checked_add(v))
    else {
        out.undetermined = Some("undetermined: the votes add up to more than 2^64".into());
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
        })
        .collect();
    let passing: Vec<usize> = (0..out.rows.len()).filter(|&r| out.rows[r].passed).collect();
    // Cannot overflow: the passing votes are part of `base`, which fits in u64.
    out.passing_votes =
        Some(passing.iter().map(|&r| out.rows[r].votes).fold(0, u64::saturating_add));
    if passing.len() < rules.min_passing_lists {
        out.undetermined = Some(format!("undetermined by law: {}", rules.too_few_passing));
        return out;
    }
    let votes: Vec<u64> = passing.iter().map(|&r| out.rows[r].votes).collect();
    match allocate(&votes, seats_total, Method::Hare, None, &TiePolicy::Order) {
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
                let unregistered: Vec<String> = tied
                    .iter()
                    .filter(|&&i| contest.options()[i].registered.is_none())
                    .map(|&i| contest.options()[i].id.to_string())
                    .collect();
                if !unregistered.is_empty() {
                    out.undetermined = Some(format!(
                        "undetermined: equal remainders decide {} seat(s) among {} lists, and the package does not give the registration order (registered = N) of {}, which the law uses to break the tie",
                        tie.seats,
                        tied.len(),
                        unregistered.join(", ")
                    ));
                }
                out.ties.push((tied, tie.seats));
            }
        }
        Err(e) => out.undetermined = Some(format!("undetermined: {e}")),
    }
    out
}
