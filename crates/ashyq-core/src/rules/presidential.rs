//! The presidential election (law reference §2): absolute majority of the valid votes, run-off
//! between the top two, a repeat election after a tied run-off, "against all" without legal
//! effect.

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::rules::party_list::option_ref;
use crate::rules::{OptionRef, Undetermined};

/// A candidate's line in the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRow {
    /// Option index in the contest.
    pub option: usize,
    /// Votes.
    pub votes: u64,
}

/// Presidential outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresidentialOutcome {
    /// 1 or 2 (run-off).
    pub round: u32,
    /// Candidates, most votes first (ties in package order).
    pub candidates: Vec<CandidateRow>,
    /// "Against all" votes, if the ballot has the line.
    pub against_all: Option<u64>,
    /// The base of shares: candidate votes + against all.
    pub base: Option<u64>,
    /// Elected candidate (option index).
    pub winner: Option<usize>,
    /// The two candidates of the run-off (option indices), most votes first.
    pub runoff: Option<[usize; 2]>,
    /// The run-off gave no winner (a tie): the CEC calls a repeat election within two months
    /// (law reference §2, Failed election, M).
    pub repeat_election: bool,
    /// "Against all" exceeded half of the base: recorded, no legal effect.
    pub against_all_majority: bool,
    /// Why undetermined, if so.
    pub undetermined: Option<Undetermined>,
}

/// Σ votes + against all, or `None` if it exceeds `u64`.
pub(super) fn checked_total(
    votes: impl Iterator<Item = u64>,
    against_all: Option<u64>,
) -> Option<u64> {
    votes.chain(against_all).try_fold(0u64, u64::checked_add)
}

pub(super) fn decide(contest: &Contest, total: Option<&Totals>) -> PresidentialOutcome {
    let mut out = PresidentialOutcome {
        round: contest.round(),
        candidates: Vec::new(),
        against_all: None,
        base: None,
        winner: None,
        runoff: None,
        repeat_election: false,
        against_all_majority: false,
        undetermined: None,
    };
    let Some(total) = total else {
        out.undetermined = Some(Undetermined::NoCounts);
        return out;
    };
    let mut missing = Vec::new();
    for (i, o) in contest.options().iter().enumerate() {
        match (o.kind, total.option(i)) {
            (OptionKind::Choice, Some(v)) => {
                out.candidates.push(CandidateRow { option: i, votes: v })
            }
            (OptionKind::AgainstAll, Some(v)) => out.against_all = Some(v),
            (_, None) => missing.push(option_ref(contest, i)),
        }
    }
    if !missing.is_empty() {
        out.undetermined = Some(Undetermined::VotesUnknown { options: missing });
        return out;
    }
    out.candidates.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.option.cmp(&b.option)));
    let Some(base) = checked_total(out.candidates.iter().map(|c| c.votes), out.against_all) else {
        out.undetermined = Some(Undetermined::VotesOverflow);
        return out;
    };
    out.base = Some(base);
    out.against_all_majority = out.against_all.is_some_and(|a| 2 * a as u128 > base as u128);
    if base == 0 {
        out.undetermined = Some(Undetermined::NoValidVotes);
        return out;
    }
    let c = &out.candidates;
    if out.round == 2 {
        if c.len() != 2 {
            out.undetermined = Some(Undetermined::RunoffNotTwo { candidates: c.len() });
        } else if c[0].votes == c[1].votes {
            // Determined: the run-off gave no winner, so a repeat election follows.
            out.repeat_election = true;
        } else {
            out.winner = Some(c[0].option);
        }
        return out;
    }
    if let Some(first) = c.first() {
        if 2 * first.votes as u128 > base as u128 {
            out.winner = Some(first.option);
            return out;
        }
    }
    match c.len() {
        0 => out.undetermined = Some(Undetermined::NoCandidates),
        1 => out.undetermined = Some(Undetermined::PresidentialSoleCandidate),
        _ => {
            if c.len() > 2 && c[1].votes == c[2].votes {
                let tied: Vec<OptionRef> = c
                    .iter()
                    .filter(|r| r.votes == c[1].votes)
                    .map(|r| option_ref(contest, r.option))
                    .collect();
                out.undetermined =
                    Some(Undetermined::PresidentialRunoffPlaceTie { tied, votes: c[1].votes });
            } else {
                out.runoff = Some([c[0].option, c[1].option]);
            }
        }
    }
    out
}
