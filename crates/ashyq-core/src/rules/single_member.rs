//! Single-member contests: Mazhilis districts and maslikhat districts by plurality (law
//! reference §3.1, §4); directly elected akims, where plurality is only assumed and a run-off
//! rule is unknown (§5).

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::line::ProtocolLine;
use crate::rules::party_list::option_ref;
use crate::rules::presidential::{checked_total, CandidateRow};
use crate::rules::SingleMemberRules;
use crate::rules::{OptionRef, Undetermined};

/// Single-member outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleMemberOutcome {
    /// Candidates, most votes first (ties in package order).
    pub candidates: Vec<CandidateRow>,
    /// "Against all" votes, if on the ballot.
    pub against_all: Option<u64>,
    /// Valid votes: candidates + against all.
    pub base: Option<u64>,
    /// Elected candidate (option index).
    pub winner: Option<usize>,
    /// "Against all" got more votes than the winner: recorded; no legal effect found.
    pub against_all_exceeds_winner: bool,
    /// Akims only: the ballots the leader needs more than half of for the outcome not to
    /// depend on the unknown majority rule (valid votes + invalid ballots).
    pub majority_base: Option<u64>,
    /// Why undetermined, if so.
    pub undetermined: Option<Undetermined>,
}

pub(super) fn decide(
    contest: &Contest,
    total: Option<&Totals>,
    rules: &SingleMemberRules,
) -> SingleMemberOutcome {
    let mut out = SingleMemberOutcome {
        candidates: Vec::new(),
        against_all: None,
        base: None,
        winner: None,
        against_all_exceeds_winner: false,
        majority_base: None,
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
    out.base = checked_total(out.candidates.iter().map(|c| c.votes), out.against_all);
    let Some(base) = out.base else {
        out.undetermined = Some(Undetermined::VotesOverflow);
        return out;
    };
    let c = &out.candidates;
    match c.first() {
        None => out.undetermined = Some(Undetermined::NoCandidates),
        Some(first) if first.votes == 0 => out.undetermined = Some(Undetermined::NoVotes),
        Some(first) if c.len() > 1 && c[1].votes == first.votes => {
            let tied: Vec<OptionRef> = c
                .iter()
                .filter(|r| r.votes == first.votes)
                .map(|r| option_ref(contest, r.option))
                .collect();
            out.undetermined = Some(Undetermined::DistrictTie { tied, votes: first.votes });
        }
        Some(first) if rules.majority_unknown => {
            // Plurality is only assumed for akims [L]; a majority-and-run-off rule is not
            // excluded [?]. The leader is elected under either reading only with more than half
            // of all ballots (valid votes + invalid).
            let Some(invalid) = total.line(ProtocolLine::Invalid) else {
                out.undetermined = Some(Undetermined::AkimInvalidUnknown {
                    leader: option_ref(contest, first.option),
                });
                return out;
            };
            let majority_base = base.saturating_add(invalid);
            out.majority_base = Some(majority_base);
            if 2 * u128::from(first.votes) > u128::from(majority_base) {
                out.winner = Some(first.option);
            } else {
                out.undetermined = Some(Undetermined::AkimWithoutMajority {
                    leader: option_ref(contest, first.option),
                    votes: first.votes,
                    ballots: majority_base,
                });
            }
        }
        Some(first) => {
            out.winner = Some(first.option);
            out.against_all_exceeds_winner = out.against_all.is_some_and(|a| a > first.votes);
        }
    }
    out
}
