//! The Senate (until 1 Jul 2026; law reference §6): an indirect election in which the electors
//! are the deputies of every maslikhat of the region, voting at a joint meeting. Quorum: more
//! than half of the electors take part; a candidate needs more than 50% of the votes of the
//! electors who took part; otherwise a run-off between the top two decides by plurality.
//!
//! Counts: `registered` = electors, `ballots_issued` = electors who took part.

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::line::ProtocolLine;
use crate::rules::presidential::CandidateRow;

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
    pub undetermined: Option<String>,
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
        out.undetermined = Some("undetermined: the package has no counts for this contest".into());
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
            (_, None) => missing.push(o.id.to_string()),
        }
    }
    out.candidates.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.option.cmp(&b.option)));
    match out.quorum {
        None => {
            out.undetermined = Some("undetermined: the number of electors (registered) or of electors who took part (ballots_issued) is unknown, so neither the quorum nor the majority can be decided".into());
            return out;
        }
        Some(false) => {
            out.undetermined = Some(format!(
                "undetermined by law: only {} of {} electors took part, not more than half, so the vote lacks its quorum; what follows a vote without quorum is not in the law reference (§6, [?])",
                out.took_part.unwrap_or(0),
                out.electors.unwrap_or(0)
            ));
            return out;
        }
        Some(true) => {}
    }
    if !missing.is_empty() {
        out.undetermined = Some(format!(
            "undetermined: votes for {} are unknown in some protocols",
            missing.join(", ")
        ));
        return out;
    }
    let took_part = out.took_part.unwrap_or(0);
    let c = &out.candidates;
    if out.round == 2 {
        if c.len() != 2 {
            out.undetermined = Some(format!(
                "undetermined: a run-off is between exactly two candidates, this contest has {}",
                c.len()
            ));
        } else if c[0].votes == c[1].votes {
            out.undetermined = Some(format!(
                "undetermined by law: the run-off is tied at {} votes each; the law reference has no rule for a tied Senate run-off (§6, [?])",
                c[0].votes
            ));
        } else {
            out.winner = Some(c[0].option);
        }
        return out;
    }
    match c.first() {
        None => out.undetermined = Some("undetermined: the contest has no candidates".into()),
        Some(first) if more_than_half(first.votes, took_part) => out.winner = Some(first.option),
        Some(_) if c.len() == 1 => {
            out.undetermined = Some("undetermined by law: the only candidate lacks more than half of the votes of the electors who took part, and a run-off needs two candidates; the law reference has no rule for this (§6, [?])".into());
        }
        Some(_) if c.len() > 2 && c[1].votes == c[2].votes => {
            let tied: Vec<String> = c
                .iter()
                .filter(|r| r.votes == c[1].votes)
                .map(|r| contest.options()[r.option].id.to_string())
                .collect();
            out.undetermined = Some(format!(
                "undetermined by law: {} tie at {} votes for a run-off place; the law reference has no tie rule (§6, [?])",
                tied.join(", "),
                c[1].votes
            ));
        }
        Some(_) => out.runoff = Some([c[0].option, c[1].option]),
    }
    out
}
