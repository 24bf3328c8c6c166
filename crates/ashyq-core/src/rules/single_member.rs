//! Single-member districts (Mazhilis SMDs, maslikhat SMDs, akims): plurality (law digest §3.1,
//! §4, §5).

use crate::counts::Totals;
use crate::election::{Contest, OptionKind};
use crate::rules::presidential::{checked_total, CandidateRow};

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
    /// Why undetermined, if so.
    pub undetermined: Option<String>,
}

pub(super) fn decide(contest: &Contest, total: Option<&Totals>) -> SingleMemberOutcome {
    let mut out = SingleMemberOutcome {
        candidates: Vec::new(),
        against_all: None,
        base: None,
        winner: None,
        against_all_exceeds_winner: false,
        undetermined: None,
    };
    let Some(total) = total else {
        out.undetermined = Some("undetermined: the package has no counts for this contest".into());
        return out;
    };
    let mut missing = Vec::new();
    for (i, o) in contest.options().iter().enumerate() {
        match (o.kind, total.option(i)) {
            (OptionKind::Choice, Some(v)) => {
                out.candidates.push(CandidateRow { option: i, votes: v })
            }
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
    out.candidates.sort_by(|a, b| b.votes.cmp(&a.votes).then(a.option.cmp(&b.option)));
    out.base = checked_total(out.candidates.iter().map(|c| c.votes), out.against_all);
    if out.base.is_none() {
        out.undetermined = Some("undetermined: the votes add up to more than 2^64".into());
        return out;
    }
    let c = &out.candidates;
    match c.first() {
        None => out.undetermined = Some("undetermined: the contest has no candidates".into()),
        Some(first) if first.votes == 0 => {
            out.undetermined = Some("undetermined: no candidate received a vote".into())
        }
        Some(first) if c.len() > 1 && c[1].votes == first.votes => {
            let tied: Vec<String> = c
                .iter()
                .filter(|r| r.votes == first.votes)
                .map(|r| contest.options()[r.option].id.to_string())
                .collect();
            out.undetermined = Some(format!(
                "undetermined by law: {} are tied at {} votes; the law's rule for a tied single-member district was not found (law digest §3.1, [?])",
                tied.join(", "),
                first.votes
            ));
        }
        Some(first) => {
            out.winner = Some(first.option);
            out.against_all_exceeds_winner = out.against_all.is_some_and(|a| a > first.votes);
        }
    }
    out
}
