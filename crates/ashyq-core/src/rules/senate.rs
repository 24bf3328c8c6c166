//! The Senate (until 1 Jul 2026; law reference §6): an indirect election in which the electors
//! are the deputies of every maslikhat of the region, voting at a joint meeting. Quorum: more
//! than half of the electors take part; a candidate needs more than 50% of the votes of the
//! electors who took part; otherwise a run-off between the top two decides by plurality.
//!
//! Counts: `registered` = electors, `ballots_issued` = electors who took part.

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::line::ProtocolLine;
use crate::rules::party_list::option_ref;
use crate::rules::presidential::CandidateRow;
use crate::rules::{OptionRef, Undetermined};

/// Senate outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenateOutcome {
    /// 1 or 2 (run-off).
    pub round: u32,
    /// Electors: the maslikhat deputies of the region.
    pub electors: Option<u64>,
    /// Electors who took part (ballots issued): the base of the majority.
    pub took_part: Option<u64>,
    /// Quorum: more than half of the electors took part (`None`: unknown).
    pub quorum: Option<bool>,
    /// Candidates, most votes first (ties in package order).
    pub candidates: Vec<CandidateRow>,
    /// Elected candidate (option index).
    pub winner: Option<usize>,
    /// The two candidates of the run-off (option indices), most votes first.
    pub runoff: Option<[usize; 2]>,
    /// Why undetermined, if so.
    pub undetermined: Option<Undetermined>,
}

fn more_than_half(part: u64, whole: u64) -> bool {
    2 * u128::from(part) > u128::from(whole)
}

pub(super) fn decide(contest: &Contest, total: Option<&Totals>) -> SenateOutcome {
    let mut out = SenateOutcome {
        round: contest.round(),
        electors: None,
        took_part: None,
        quorum: None,
        candidates: Vec::new(),
        winner: None,
        runoff: None,
        undetermined: None,
    };
    let Some(total) = total else {
        out.undetermined = Some(Undetermined::NoCounts);
        return out;
    };
    out.electors = total.line(ProtocolLine::Registered);
    out.took_part = total.line(ProtocolLine::BallotsIssued);
    out.quorum = out.electors.zip(out.took_part).map(|(e, t)| more_than_half(t, e));
    let mut missing = Vec::new();
    for (i, o) in contest.options().iter().enumerate() {
        match (o.kind, total.option(i)) {
            (OptionKind::Choice, Some(v)) => {
                out.candidates.push(CandidateRow { option: i, votes: v })
            }
            (OptionKind::AgainstAll, Some(_)) => {}
            (_, None) => missing.push(option_ref(contest, i)),
        }
    }
    out.candidates.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.option.cmp(&b.option)));
    match out.quorum {
        None => {
            out.undetermined = Some(Undetermined::SenateElectorsUnknown);
            return out;
        }
        Some(false) => {
            out.undetermined = Some(Undetermined::SenateNoQuorum {
                took_part: out.took_part.unwrap_or(0),
                electors: out.electors.unwrap_or(0),
            });
            return out;
        }
        Some(true) => {}
    }
    if !missing.is_empty() {
        out.undetermined = Some(Undetermined::VotesUnknown { options: missing });
        return out;
    }
    let took_part = out.took_part.unwrap_or(0);
    let c = &out.candidates;
    if out.round == 2 {
        if c.len() != 2 {
            out.undetermined = Some(Undetermined::RunoffNotTwo { candidates: c.len() });
        } else if c[0].votes == c[1].votes {
            out.undetermined = Some(Undetermined::SenateRunoffTie { votes: c[0].votes });
        } else {
            out.winner = Some(c[0].option);
        }
        return out;
    }
    match c.first() {
        None => out.undetermined = Some(Undetermined::NoCandidates),
        Some(first) if more_than_half(first.votes, took_part) => out.winner = Some(first.option),
        Some(_) if c.len() == 1 => {
            out.undetermined = Some(Undetermined::SenateSoleCandidate);
        }
        Some(_) if c.len() > 2 && c[1].votes == c[2].votes => {
            let tied: Vec<OptionRef> = c
                .iter()
                .filter(|r| r.votes == c[1].votes)
                .map(|r| option_ref(contest, r.option))
                .collect();
            out.undetermined = Some(Undetermined::SenateRunoffPlaceTie { tied, votes: c[1].votes });
        }
        Some(_) => out.runoff = Some([c[0].option, c[1].option]),
    }
    out
}
