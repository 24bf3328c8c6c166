//! Rule sets: Kazakhstan's electoral law as versioned data plus code.
//!
//! Each [`RuleSet`] is a value (thresholds, seat counts, defaults of disputed parameters, the
//! dates it was in force) and each rule it applies is a [`LegalRule`] that names its legal source
//! and the confidence of that source, exactly as in the project's law reference (`docs/law.md`,
//! which follows the research digest section by section). Where the law is unknown, the outcome
//! says "undetermined by law: …" and never guesses.
//!
//! [`outcome`] is the one entry point: it refuses to decide from counts that fail an
//! error-severity protocol check (the law's own arithmetic rejects them) unless the caller
//! explicitly ignores the checks, in which case the outcome carries the failed checks.

mod data;
mod explain;
mod party_list;
mod presidential;
mod referendum;
mod senate;
mod single_member;

use std::fmt;

pub use data::{KZ_2007, KZ_2009, KZ_2022, KZ_2026, NONE};
pub use explain::{
    BeyondList, OptionRef, OtherTurnoutCount, ReferendumGap, Undetermined, UnitRef, Warning,
};
pub use party_list::{PartyListOutcome, PartyRow, RunnerUp};
pub use presidential::{CandidateRow, PresidentialOutcome};
pub use referendum::{
    expected_units, territorial_units, units_required, ReferendumOutcome, ReferendumUnitRow,
    TakePartBase, TerritorialUnits, UnitsBasis, TERRITORIAL_KINDS,
};
pub use senate::SenateOutcome;
pub use single_member::SingleMemberOutcome;

use crate::checks::{check_protocol, Finding, PlausibilityLimits, ProtocolContext, Severity};
use crate::counts::{ContestCounts, CountError};
use crate::election::{Body, Contest, ContestKind, Election, UnitTest};
use crate::units::{UnitIdx, UnitTree};

/// How sure the law reference is of a rule (`docs/law.md`, "Confidence marks").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Primary text, several consistent sources, or reproduced from official results.
    High,
    /// One reliable secondary source or an official statement.
    Medium,
    /// Weak, indirect or inferred: a working assumption.
    Low,
    /// Not found: never applied as fact. A rule marked so makes the outcome "undetermined by
    /// law" where it matters, and is printed to say what is unknown.
    Unknown,
}

impl Confidence {
    /// The reference's mark: `H`, `M`, `L`, `?`.
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::High => "H",
            Confidence::Medium => "M",
            Confidence::Low => "L",
            Confidence::Unknown => "?",
        }
    }

    /// What the mark means, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            Confidence::High => {
                "primary text, several consistent sources, or reproduced from official results"
            }
            Confidence::Medium => "one reliable secondary source or an official statement",
            Confidence::Low => "weak, indirect or inferred: a working assumption",
            Confidence::Unknown => "not found: never applied as fact",
        }
    }

    /// Every mark, strongest first.
    pub const ALL: [Confidence; 4] =
        [Confidence::High, Confidence::Medium, Confidence::Low, Confidence::Unknown];
}

/// The legend printed under every text output that shows confidence marks or source ids.
pub fn legend() -> String {
    let marks: Vec<String> =
        Confidence::ALL.iter().map(|c| format!("[{}] {}", c.mark(), c.meaning())).collect();
    format!(
        "Confidence: {}.\nSources [S1]…[S56], [K1]…[K37] and sections §0–§12, §A1–§A3: the law reference, docs/law.md.",
        marks.join("; ")
    )
}

/// Where the law reference states a rule and its confidence, so that a test can compare the
/// program's mark with the reference's (and the research digest's) for every rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ref {
    /// A row of a table with a `Conf.` column: the row whose first cell starts with `row`,
    /// in section `section` (e.g. `§3.1`). The rule's mark appears in that cell.
    Row {
        /// `§1`, `§3.1`, `§A2` …
        section: &'static str,
        /// The start of the row's first cell.
        row: &'static str,
    },
    /// A paragraph or list item of `section` containing `phrase`, whose bracketed mark
    /// (`[H]`, `[M …]`) is the rule's.
    Text {
        /// Section.
        section: &'static str,
        /// A phrase of the paragraph.
        phrase: &'static str,
    },
    /// The reference says it does not cover this (e.g. the 2026 election law): the rule is a
    /// working assumption carried over, so its mark is `L`.
    NotCovered {
        /// Section.
        section: &'static str,
        /// The phrase saying so.
        phrase: &'static str,
    },
    /// The reference lists this as unknown (e.g. §12): the mark is `?`.
    Unknown {
        /// Section.
        section: &'static str,
        /// The phrase saying so.
        phrase: &'static str,
    },
}

/// One rule of law as applied by the code, with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegalRule {
    /// Stable id, e.g. `kz-2022.party-list.threshold`.
    pub id: &'static str,
    /// The rule in one sentence.
    pub text: &'static str,
    /// Legal source and law-reference section.
    pub source: &'static str,
    /// Confidence of the source.
    pub confidence: Confidence,
    /// Where the law reference states it.
    pub reference: Ref,
}

/// The rule sets Ashyq knows, each in force between two dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleSetId {
    /// May 2007 – 8 Feb 2009: 98 list seats, 7% threshold; one list over it takes every seat.
    Kz2007,
    /// 9 Feb 2009 – 4 Jun 2022: as 2007, plus the runner-up rule when one list passes.
    Kz2009,
    /// 5 Jun 2022 – 30 Jun 2026: 69 list seats (5%) + 29 single-member districts, "against all".
    Kz2022,
    /// From 1 Jul 2026: the 2026 Constitution, unicameral Kurultai of 145 list seats.
    Kz2026,
    /// Foreign or unknown law: tally, compare and forensics work; no legal outcome.
    None,
}

impl RuleSetId {
    /// Every rule set, oldest first.
    pub const ALL: [RuleSetId; 5] = [
        RuleSetId::Kz2007,
        RuleSetId::Kz2009,
        RuleSetId::Kz2022,
        RuleSetId::Kz2026,
        RuleSetId::None,
    ];

    /// The package spelling.
    pub fn name(self) -> &'static str {
        match self {
            RuleSetId::Kz2007 => "kz-2007",
            RuleSetId::Kz2009 => "kz-2009",
            RuleSetId::Kz2022 => "kz-2022",
            RuleSetId::Kz2026 => "kz-2026",
            RuleSetId::None => "none",
        }
    }

    /// Parses the package spelling.
    pub fn from_name(s: &str) -> Option<RuleSetId> {
        RuleSetId::ALL.into_iter().find(|r| r.name() == s)
    }

    /// The rule set's parameters.
    pub fn rule_set(self) -> &'static RuleSet {
        match self {
            RuleSetId::Kz2007 => &KZ_2007,
            RuleSetId::Kz2009 => &KZ_2009,
            RuleSetId::Kz2022 => &KZ_2022,
            RuleSetId::Kz2026 => &KZ_2026,
            RuleSetId::None => &NONE,
        }
    }

    /// The Kazakh rule set in force on `date` (`YYYY-MM-DD`), if any: before May 2007 none is
    /// known.
    pub fn in_force_on(date: &str) -> Option<RuleSetId> {
        RuleSetId::ALL.into_iter().find(|r| {
            let rs = r.rule_set();
            rs.from.is_some_and(|from| from <= date) && rs.until.is_none_or(|until| date < until)
        })
    }
}

impl fmt::Display for RuleSetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a party-list rule set does when only one list passes the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneListPasses {
    /// The one list takes every seat (2007–2009: Nur Otan took all 98 in 2007).
    TakesAll,
    /// The February 2009 amendment: the runner-up is admitted with a 0.7 correction index and
    /// at least 2 seats; where its unknown parts matter, undetermined.
    RunnerUp2009,
    /// The law is not known: undetermined (the reason).
    Unknown(&'static str),
}

/// Party-list rules of a rule set (for one body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyListRules {
    /// Threshold in percent as an exact fraction `(numer, denom)`; a list passes with a share
    /// of at least this much.
    pub threshold_percent: (u64, u64),
    /// Seats of the body's list tier when it is fixed by law (the national parliament); a
    /// package's contest states its own seats.
    pub seats_by_law: Option<u32>,
    /// What happens when only one list passes.
    pub one_list: OneListPasses,
    /// Why the outcome is undetermined when no list passes.
    pub no_list: &'static str,
    /// The rules applied, in order.
    pub rules: &'static [LegalRule],
}

/// Referendum rules of a rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferendumRules {
    /// Default per-unit quantity of the two-thirds test, by election date: the first entry
    /// whose start is on or before the date applies (sources disagree; a package may choose).
    pub default_unit_test: &'static [(&'static str, UnitTest, &'static str)],
    /// The rules applied.
    pub rules: &'static [LegalRule],
}

impl ReferendumRules {
    /// The default per-unit test on `date`, with the statement it follows.
    pub fn unit_test_on(&self, date: &str) -> (UnitTest, &'static str) {
        self.default_unit_test
            .iter()
            .rev()
            .find(|(from, _, _)| *from <= date)
            .or(self.default_unit_test.first())
            .map_or((UnitTest::YesMajority, ""), |&(_, t, why)| (t, why))
    }
}

/// Single-member rules (one body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleMemberRules {
    /// Whether the winner needs no absolute majority (plurality known), or a winner without one
    /// leaves the outcome undetermined because a run-off rule is unknown (akims).
    pub majority_unknown: bool,
    /// The rules applied.
    pub rules: &'static [LegalRule],
}

/// A part of the law a rule set has, or why it has none.
pub type Part<T> = Result<T, &'static str>;

/// A complete rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    /// Id.
    pub id: RuleSetId,
    /// One-line title.
    pub title: &'static str,
    /// First day in force (`YYYY-MM-DD`); `None` for `none`.
    pub from: Option<&'static str>,
    /// First day no longer in force; `None` while in force.
    pub until: Option<&'static str>,
    /// When it was in force and what changed, in words, with sources.
    pub in_force: &'static str,
    /// Referendum rules.
    pub referendum: Part<ReferendumRules>,
    /// Presidential rules.
    pub presidential: Part<&'static [LegalRule]>,
    /// The national parliament's party lists (Mazhilis; Kurultai under the 2026 Constitution).
    pub parliament_list: Part<PartyListRules>,
    /// Maslikhat party lists.
    pub maslikhat_list: Part<PartyListRules>,
    /// The national parliament's single-member districts.
    pub parliament_district: Part<SingleMemberRules>,
    /// Maslikhat single-member districts.
    pub maslikhat_district: Part<SingleMemberRules>,
    /// Directly elected akims.
    pub akim: Part<SingleMemberRules>,
    /// The Senate.
    pub senate: Part<&'static [LegalRule]>,
}

impl RuleSet {
    /// Every rule the set applies to any contest, each once, in a stable order.
    pub fn all_rules(&self) -> Vec<(&'static str, LegalRule)> {
        let mut out: Vec<(&'static str, LegalRule)> = Vec::new();
        let mut add = |part: &'static str, rules: &[LegalRule]| {
            for r in rules {
                if !out.iter().any(|(_, o)| o.id == r.id) {
                    out.push((part, *r));
                }
            }
        };
        if let Ok(r) = &self.referendum {
            add("referendum", r.rules);
        }
        if let Ok(r) = &self.presidential {
            add("presidential", r);
        }
        if let Ok(r) = &self.parliament_list {
            add("parliament party lists", r.rules);
        }
        if let Ok(r) = &self.maslikhat_list {
            add("maslikhat party lists", r.rules);
        }
        if let Ok(r) = &self.parliament_district {
            add("parliament single-member districts", r.rules);
        }
        if let Ok(r) = &self.maslikhat_district {
            add("maslikhat single-member districts", r.rules);
        }
        if let Ok(r) = &self.akim {
            add("akims", r.rules);
        }
        if let Ok(r) = &self.senate {
            add("senate", r);
        }
        out
    }
}

/// The legal outcome of one contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContestResult {
    /// Referendum outcome.
    Referendum(ReferendumOutcome),
    /// Presidential outcome.
    Presidential(PresidentialOutcome),
    /// Party-list outcome.
    PartyList(PartyListOutcome),
    /// Single-member outcome.
    SingleMember(SingleMemberOutcome),
    /// Senate outcome.
    Senate(SenateOutcome),
    /// No legal outcome: the rule set is `none`, or it has no rules for this kind of contest
    /// (the reason is in [`ContestOutcome::undetermined`]).
    NoRules,
}

/// One contest's outcome, with the rules that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestOutcome {
    /// Index of the contest in the election.
    pub contest: usize,
    /// The result.
    pub result: ContestResult,
    /// Rules applied, each with its source.
    pub rules: Vec<LegalRule>,
    /// When the law does not determine the outcome: why (its `Display` is the sentence).
    pub undetermined: Option<Undetermined>,
    /// Things a reader must know that do not change the outcome (a map that disagrees with
    /// the one in force, a result that depends on which count of participants is used, …).
    pub warnings: Vec<Warning>,
}

/// A protocol that failed an error-severity check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedCheck {
    /// Index of the contest.
    pub contest: usize,
    /// The unit whose protocol failed.
    pub unit: UnitIdx,
    /// What failed.
    pub finding: Finding,
}

/// A "what if": the votes of a package under another rule set than its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WhatIf {
    /// The package's own rule set.
    pub package_rules: RuleSetId,
    /// What the other rule set changes (sentences).
    pub changed: Vec<String>,
    /// What stays as the package says, although the other rule set would differ (sentences).
    pub kept: Vec<String>,
}

/// Outcomes of every contest, in package order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionOutcome {
    /// Rule set applied.
    pub rules: RuleSetId,
    /// Set when the rule set applied is not the package's own: the outcome is hypothetical.
    pub what_if: Option<WhatIf>,
    /// One per contest.
    pub contests: Vec<ContestOutcome>,
    /// Election-level warnings (e.g. a rule set that was not in force on the election day).
    pub warnings: Vec<Warning>,
    /// Error-severity check failures the outcome was computed in spite of (only with
    /// [`OutcomeOptions::ignore_failed_checks`]; otherwise [`outcome`] refuses).
    pub failed_checks: Vec<FailedCheck>,
}

/// How [`outcome`] is asked to decide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeOptions {
    /// Apply this rule set instead of the package's own ("what if"); the outcome says so.
    pub rules: Option<RuleSetId>,
    /// Compute the outcome even from protocols that fail error checks; the outcome then
    /// carries the failures. Without it, such counts are refused.
    pub ignore_failed_checks: bool,
}

/// Why no outcome was computed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    /// The counts cannot be summed.
    #[error(transparent)]
    Count(#[from] CountError),
    /// Protocols fail error-severity checks: the law's own arithmetic rejects the counts.
    #[error("{} protocol check(s) fail with severity error, so no outcome is declared from these counts", .0.len())]
    FailedChecks(Vec<FailedCheck>),
}

/// Every error-severity check failure of every protocol, in contest and unit order, running
/// the one check function ([`check_protocol`]) with each protocol's context.
pub fn failed_checks(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
) -> Result<Vec<FailedCheck>, CountError> {
    let mut out = Vec::new();
    for (ci, (contest, cc)) in election.contests().iter().zip(counts).enumerate() {
        let roll_up = cc.roll_up(tree, contest.territory())?;
        for (unit, row) in cc.rows() {
            let ctx =
                ProtocolContext::for_unit(tree, &roll_up, unit, PlausibilityLimits::default());
            for finding in check_protocol(contest, row, &ctx) {
                if finding.severity == Severity::Error {
                    out.push(FailedCheck { contest: ci, unit, finding });
                }
            }
        }
    }
    Ok(out)
}

/// Applies the law to every contest.
///
/// `counts[i]` are the counts of contest `i`. The rule set is the package's own, or
/// `options.rules` ("what if", labelled as such). Counts whose protocols fail an
/// error-severity check are refused with [`OutcomeError::FailedChecks`] unless
/// `options.ignore_failed_checks`.
pub fn outcome(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    options: &OutcomeOptions,
) -> Result<ElectionOutcome, OutcomeError> {
    let failed = failed_checks(election, tree, counts)?;
    if !failed.is_empty() && !options.ignore_failed_checks {
        return Err(OutcomeError::FailedChecks(failed));
    }
    let applied = options.rules.unwrap_or(election.rules());
    let rule_set = applied.rule_set();
    let mut contests = Vec::with_capacity(election.contests().len());
    for (i, (contest, contest_counts)) in election.contests().iter().zip(counts).enumerate() {
        contests.push(contest_outcome(
            i,
            contest,
            rule_set,
            election.date(),
            tree,
            contest_counts,
        )?);
    }
    let mut warnings = Vec::new();
    if applied != RuleSetId::None {
        match RuleSetId::in_force_on(election.date()) {
            Some(r) if r == applied => {}
            Some(r) => warnings.push(Warning::RuleSetNotInForce {
                applied,
                date: election.date().to_owned(),
                in_force: r,
            }),
            None => warnings
                .push(Warning::NoRuleSetOnDate { applied, date: election.date().to_owned() }),
        }
    }
    let what_if =
        (applied != election.rules()).then(|| what_if(election, election.rules(), applied));
    Ok(ElectionOutcome { rules: applied, what_if, contests, warnings, failed_checks: failed })
}

impl RuleSet {
    /// `in force from 2009-02-09, replaced on 2022-06-05`, for messages.
    pub fn in_force_dates(&self) -> String {
        match (self.from, self.until) {
            (Some(f), Some(u)) => format!("in force from {f}, replaced on {u}"),
            (Some(f), None) => format!("in force from {f}"),
            _ => "no dates".to_owned(),
        }
    }
}

/// The contest's rules under a rule set: what the contest's kind and body select.
enum Selected<'a> {
    Referendum(&'a ReferendumRules),
    Presidential(&'a [LegalRule]),
    PartyList(&'a PartyListRules),
    SingleMember(&'a SingleMemberRules),
    Senate(&'a [LegalRule]),
}

fn select<'a>(rule_set: &'a RuleSet, contest: &Contest) -> Result<Selected<'a>, &'static str> {
    Ok(match (contest.kind(), contest.body()) {
        (ContestKind::Referendum, _) => {
            Selected::Referendum(rule_set.referendum.as_ref().map_err(|e| *e)?)
        }
        (ContestKind::Presidential, _) => Selected::Presidential(rule_set.presidential?),
        (ContestKind::PartyList, Some(Body::Maslikhat)) => {
            Selected::PartyList(rule_set.maslikhat_list.as_ref().map_err(|e| *e)?)
        }
        (ContestKind::PartyList, _) => {
            Selected::PartyList(rule_set.parliament_list.as_ref().map_err(|e| *e)?)
        }
        (ContestKind::SingleMember, Some(Body::Maslikhat)) => {
            Selected::SingleMember(rule_set.maslikhat_district.as_ref().map_err(|e| *e)?)
        }
        (ContestKind::SingleMember, Some(Body::Akim)) => {
            Selected::SingleMember(rule_set.akim.as_ref().map_err(|e| *e)?)
        }
        (ContestKind::SingleMember, None) => {
            Selected::SingleMember(rule_set.parliament_district.as_ref().map_err(|e| *e)?)
        }
        (ContestKind::Senate, _) => Selected::Senate(rule_set.senate?),
    })
}

fn contest_outcome(
    index: usize,
    contest: &Contest,
    rule_set: &RuleSet,
    date: &str,
    tree: &UnitTree,
    counts: &ContestCounts,
) -> Result<ContestOutcome, CountError> {
    let roll_up = counts.roll_up(tree, contest.territory())?;
    let total = roll_up.at(contest.territory());
    let mut out = ContestOutcome {
        contest: index,
        result: ContestResult::NoRules,
        rules: Vec::new(),
        undetermined: None,
        warnings: Vec::new(),
    };
    if rule_set.id == RuleSetId::None {
        return Ok(out);
    }
    let selected = match select(rule_set, contest) {
        Ok(s) => s,
        Err(why) => {
            out.undetermined = Some(Undetermined::ByLaw(why));
            return Ok(out);
        }
    };
    match selected {
        Selected::Referendum(rr) => {
            let (default_test, why) = rr.unit_test_on(date);
            let o = referendum::decide(contest, tree, &roll_up, default_test, why, date);
            out.undetermined = o.undetermined.clone();
            out.warnings = o.warnings.clone();
            out.rules = rr.rules.to_vec();
            out.result = ContestResult::Referendum(o);
        }
        Selected::Presidential(rules) => {
            let o = presidential::decide(contest, total);
            out.undetermined = o.undetermined.clone();
            out.rules = rules.to_vec();
            out.result = ContestResult::Presidential(o);
        }
        Selected::PartyList(pl) => {
            let o = party_list::decide(contest, total, pl);
            out.undetermined = o.undetermined.clone();
            out.rules = pl.rules.to_vec();
            out.result = ContestResult::PartyList(o);
        }
        Selected::SingleMember(sm) => {
            let o = single_member::decide(contest, total, sm);
            out.undetermined = o.undetermined.clone();
            out.rules = sm.rules.to_vec();
            out.result = ContestResult::SingleMember(o);
        }
        Selected::Senate(rules) => {
            let o = senate::decide(contest, total);
            out.undetermined = o.undetermined.clone();
            out.rules = rules.to_vec();
            out.result = ContestResult::Senate(o);
        }
    }
    Ok(out)
}

fn percent_text((n, d): (u64, u64)) -> String {
    crate::election::decimal(n, d)
}

/// What a rule set other than the package's own changes and keeps, contest by contest.
fn what_if(election: &Election, from: RuleSetId, to: RuleSetId) -> WhatIf {
    let (a, b) = (from.rule_set(), to.rule_set());
    let mut changed = vec![format!(
        "the law applied: {to} ({}) instead of the package's {from} ({})",
        b.title, a.title
    )];
    let mut kept =
        vec!["the votes, the options, the territorial units and every protocol of the package"
            .to_owned()];
    for c in election.contests() {
        let name = c.id();
        match (select(a, c), select(b, c)) {
            (_, Err(why)) => {
                changed.push(format!("contest \"{name}\": {to} has no rules for it ({why})"))
            }
            (Ok(Selected::PartyList(pa)), Ok(Selected::PartyList(pb))) => {
                match c.threshold_percent() {
                    Some(t) => kept.push(format!(
                        "contest \"{name}\": the threshold of {}% set by the package",
                        percent_text(t)
                    )),
                    None if pa.threshold_percent != pb.threshold_percent => changed.push(format!(
                        "contest \"{name}\": threshold {}% → {}%",
                        percent_text(pa.threshold_percent),
                        percent_text(pb.threshold_percent)
                    )),
                    None => {}
                }
                if std::mem::discriminant(&pa.one_list) != std::mem::discriminant(&pb.one_list) {
                    changed.push(format!(
                        "contest \"{name}\": what happens when only one list passes the threshold"
                    ));
                }
                let seats = c.seats().unwrap_or(0);
                match pb.seats_by_law {
                    Some(s) if s != seats => kept.push(format!(
                        "contest \"{name}\": the package's {seats} seats (under {to} the body's list tier has {s})"
                    )),
                    _ => kept.push(format!("contest \"{name}\": the package's {seats} seats")),
                }
            }
            (Ok(Selected::Referendum(ra)), Ok(Selected::Referendum(rb))) => {
                let (ta, _) = ra.unit_test_on(election.date());
                let (tb, _) = rb.unit_test_on(election.date());
                match c.unit_test() {
                    Some(t) => kept.push(format!(
                        "contest \"{name}\": the per-unit test \"{}\" chosen by the package",
                        t.name()
                    )),
                    None if ta != tb => changed.push(format!(
                        "contest \"{name}\": default per-unit test {} → {}",
                        ta.name(),
                        tb.name()
                    )),
                    None => {}
                }
            }
            _ => {}
        }
    }
    changed.push("the confidence of the rules applied (each is printed with its mark)".to_owned());
    WhatIf { package_rules: from, changed, kept }
}

/// `a / b` as a percentage with `places` decimals, rounded half up (the CEC rounds, law
/// reference §8.2 R9). `None` when `b == 0`.
pub fn percent(a: u64, b: u64, places: u32) -> Option<String> {
    if b == 0 {
        return None;
    }
    let scale = 10u128.pow(places);
    let scaled = (a as u128 * 100 * scale * 2 + b as u128) / (2 * b as u128);
    let int = scaled / scale;
    let frac = scaled % scale;
    Some(if places == 0 {
        format!("{int}")
    } else {
        format!("{int}.{frac:0width$}", width = places as usize)
    })
}

/// `a / b` as a float (for JSON consumers; the decisions never use it).
pub fn ratio_f64(a: u64, b: u64) -> Option<f64> {
    (b != 0).then(|| a as f64 / b as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_rounds_half_up_like_the_cec() {
        // Tokayev 2022: 6,456,393 / 7,940,478 = 81.3098…% → 81.31
        assert_eq!(percent(6_456_393, 7_940_478, 2).as_deref(), Some("81.31"));
        assert_eq!(percent(1, 8, 2).as_deref(), Some("12.50"));
        assert_eq!(percent(1, 800, 1).as_deref(), Some("0.1"));
        assert_eq!(percent(1, 3, 0).as_deref(), Some("33"));
        assert_eq!(percent(1, 0, 2), None);
    }

    #[test]
    fn rule_sets_round_trip_their_names() {
        for id in RuleSetId::ALL {
            assert_eq!(RuleSetId::from_name(id.name()), Some(id));
            assert_eq!(id.rule_set().id, id);
        }
    }

    #[test]
    fn rule_sets_follow_each_other_without_gaps() {
        let dated: Vec<&RuleSet> =
            RuleSetId::ALL.iter().map(|r| r.rule_set()).filter(|r| r.from.is_some()).collect();
        for w in dated.windows(2) {
            assert_eq!(w[0].until, w[1].from, "{} → {}", w[0].id, w[1].id);
        }
        assert_eq!(dated.last().map(|r| r.until), Some(None));
        assert_eq!(RuleSetId::in_force_on("2007-08-18"), Some(RuleSetId::Kz2007));
        assert_eq!(RuleSetId::in_force_on("2016-03-20"), Some(RuleSetId::Kz2009));
        assert_eq!(RuleSetId::in_force_on("2022-06-05"), Some(RuleSetId::Kz2022));
        assert_eq!(RuleSetId::in_force_on("2026-03-15"), Some(RuleSetId::Kz2022));
        assert_eq!(RuleSetId::in_force_on("2026-08-23"), Some(RuleSetId::Kz2026));
        assert_eq!(RuleSetId::in_force_on("2004-09-19"), None);
    }
}
