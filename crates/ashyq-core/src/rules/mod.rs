//! Rule sets: Kazakhstan's electoral law as versioned data plus code.
//!
//! Each [`RuleSet`] is a value (thresholds, seat counts, defaults of disputed parameters) and
//! each rule it applies is a [`LegalRule`] that names its legal source and the confidence of
//! that source, exactly as in the law digest (`shared/reference/kz-electoral-law.md`). Where the
//! law is unknown, the outcome says "undetermined by law: …" and never guesses.

mod party_list;
mod presidential;
mod referendum;
mod senate;
mod single_member;

use std::fmt;

pub use party_list::{PartyListOutcome, PartyRow};
pub use presidential::{CandidateRow, PresidentialOutcome};
pub use referendum::{
    territorial_units, units_required, ReferendumOutcome, ReferendumUnitRow, TerritorialUnits,
    UnitsBasis, TERRITORIAL_KINDS,
};
pub use senate::SenateOutcome;
pub use single_member::SingleMemberOutcome;

use crate::counts::{ContestCounts, CountError};
use crate::election::{Contest, ContestKind, Election, UnitTest};
use crate::units::UnitTree;

/// How sure the law reference is of a rule (`docs/law.md`, "Confidence marks").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
    /// The digest's mark: `H`, `M`, `L`.
    pub fn mark(self) -> &'static str {
        match self {
            Confidence::High => "H",
            Confidence::Medium => "M",
            Confidence::Low => "L",
            Confidence::Unknown => "?",
        }
    }
}

/// One rule of law as applied by the code, with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LegalRule {
    /// Stable id, e.g. `kz-2022.party-list.threshold`.
    pub id: &'static str,
    /// The rule in one sentence.
    pub text: &'static str,
    /// Legal source and digest reference.
    pub source: &'static str,
    /// Confidence of the source.
    pub confidence: Confidence,
}

/// The rule sets Ashyq knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleSetId {
    /// 2007–2021: 98 list seats, 7% threshold, no "against all".
    Kz2007,
    /// From the 5 June 2022 referendum and CL 05.11.2022 No. 156-VII: 69 list seats + 29 SMDs,
    /// 5% threshold, "against all" on every ballot.
    Kz2022,
    /// The 2026 Constitution: unicameral Kurultai of 145 list seats, 5% threshold.
    Kz2026,
    /// Foreign or unknown law: tally, compare and forensics work; no legal outcome.
    None,
}

impl RuleSetId {
    /// Every rule set.
    pub const ALL: [RuleSetId; 4] =
        [RuleSetId::Kz2007, RuleSetId::Kz2022, RuleSetId::Kz2026, RuleSetId::None];

    /// The package spelling.
    pub fn name(self) -> &'static str {
        match self {
            RuleSetId::Kz2007 => "kz-2007",
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
            RuleSetId::Kz2022 => &KZ_2022,
            RuleSetId::Kz2026 => &KZ_2026,
            RuleSetId::None => &NONE,
        }
    }
}

impl fmt::Display for RuleSetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Party-list rules of a rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartyListRules {
    /// Threshold in percent as an exact fraction `(numer, denom)`; a list passes with a share
    /// of at least this much.
    pub threshold_percent: (u64, u64),
    /// Fewest passing lists for which the law's allocation is known. With fewer, the outcome is
    /// undetermined by law.
    pub min_passing_lists: usize,
    /// Seats of the national body's list tier (a package's contest states its own seats).
    pub national_list_seats: u32,
    /// The rules applied, in order.
    pub rules: &'static [LegalRule],
    /// Why fewer than `min_passing_lists` is undetermined.
    pub too_few_passing: &'static str,
}

/// Referendum rules of a rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferendumRules {
    /// Default per-unit quantity of the two-thirds test (sources disagree; a package may choose).
    pub default_unit_test: UnitTest,
    /// The rules applied.
    pub rules: &'static [LegalRule],
}

/// A complete rule set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSet {
    /// Id.
    pub id: RuleSetId,
    /// One-line title.
    pub title: &'static str,
    /// When it was in force.
    pub in_force: &'static str,
    /// Party-list rules; `None` for `none`.
    pub party_list: Option<PartyListRules>,
    /// Referendum rules; `None` for `none`.
    pub referendum: Option<ReferendumRules>,
    /// Presidential rules; empty for `none`.
    pub presidential: &'static [LegalRule],
    /// Single-member rules; empty for `none`.
    pub single_member: &'static [LegalRule],
    /// Senate rules; empty where the rule set has no Senate.
    pub senate: &'static [LegalRule],
}

const PCT_BASE_VALID: LegalRule = LegalRule {
    id: "base.valid",
    text: "shares are taken of the valid votes: votes for all parties or candidates plus \"against all\"; invalid ballots are left out",
    source: "CEC practice reproduced exactly for 2016, 2019, 2021, 2022 and 2023; CEC deputy chair [S15] (law digest §0.2, §3.4)",
    confidence: Confidence::High,
};

const HARE_LR: LegalRule = LegalRule {
    id: "list.hare-largest-remainder",
    text: "seats: Hare quota = votes of the passing lists / seats; each passing list gets the integer part of votes/quota, remaining seats go to the largest remainders",
    source: "Const. Law on Elections Art. 97 [S2][S3]; reproduces every Mazhilis allocation 2012–2023 exactly (law digest §3.4)",
    confidence: Confidence::High,
};

const REMAINDER_TIE: LegalRule = LegalRule {
    id: "list.remainder-tie",
    text: "equal remainders: the list registered earlier wins",
    source: "Art. 97 as documented for 2009–2021 [S3][S4]; no later text seen (law digest §3.1)",
    confidence: Confidence::Medium,
};

const KZ2022_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2022.party-list.threshold",
        text: "a list takes part in the allocation if it has at least 5% of the votes for all lists plus \"against all\"",
        source: "CL 05.11.2022 No. 156-VII; 5% since the May 2021 law [S7][S20]; base checked on 2023 results (law digest §3.1)",
        confidence: Confidence::High,
    },
    PCT_BASE_VALID,
    HARE_LR,
    REMAINDER_TIE,
];

const KZ2007_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2007.party-list.threshold",
        text: "a list takes part in the allocation if it has at least 7% of the valid votes",
        source: "Art. 97 (2007–2021) [S2][S3]; 2016 and 2021 shares reproduce on the valid votes (law digest §3.3)",
        confidence: Confidence::High,
    },
    PCT_BASE_VALID,
    HARE_LR,
    REMAINDER_TIE,
];

const KZ2026_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2026.party-list.threshold",
        text: "a list takes part in the allocation if it has at least 5% of the votes for all lists plus \"against all\" (base assumed as in 2023)",
        source: "2026 Constitution, Kurultai of 145 list seats [K1][K2]; 5% per the statement to the OSCE [K2][K3]; the base, method and tie rule of the 2026 election law were not found: 2023 practice is the working assumption (law digest addendum A2)",
        confidence: Confidence::Low,
    },
    PCT_BASE_VALID,
    HARE_LR,
    REMAINDER_TIE,
];

const REFERENDUM_RULES: &[LegalRule] = &[
    LegalRule {
        id: "referendum.validity",
        text: "the referendum is valid if more than half of the registered voters took part, counted nationally",
        source: "Const. Law on the Republican Referendum No. 2592, Art. 31 p.2 [S23][S22][S26] (law digest §1)",
        confidence: Confidence::High,
    },
    LegalRule {
        id: "referendum.adoption",
        text: "a question is adopted if \"yes\" has more than half of all who took part (invalid and not-counted ballots included)",
        source: "Art. 31 [S22][S21][S27]; exact for 2022 and 2026 (law digest §1, §0.3)",
        confidence: Confidence::High,
    },
    LegalRule {
        id: "referendum.territory",
        text: "a constitutional question must also pass in at least ceil(2n/3) of the n regions and cities of republican significance",
        source: "Art. 31 [S22][S24][S25]; units: 17 in June 2022, 20 since (law digest §1); constitutional questions only: 2024 nuclear-plant referendum decided nationally [K28][K29] (addendum A1, M)",
        confidence: Confidence::High,
    },
    LegalRule {
        id: "referendum.unit-test",
        text: "which quantity must pass in a unit is disputed: a yes-majority of participants (2022 CEC) or turnout over 50% (CEC chair 2026); both are computed",
        source: "[S22][S21] vs [S26][K18] (law digest §1, §11.1)",
        confidence: Confidence::Medium,
    },
];

const PRESIDENTIAL_RULES: &[LegalRule] = &[
    LegalRule {
        id: "presidential.majority",
        text: "a candidate is elected in round 1 with more than 50% of the candidate votes plus \"against all\" (invalid ballots left out)",
        source: "Const. Law on Elections Art. 9 / CEC practice [S5][S15][S14]; 2022 shares reproduce only on this base (law digest §2)",
        confidence: Confidence::High,
    },
    LegalRule {
        id: "presidential.runoff",
        text: "otherwise a run-off between the two candidates with the most votes; in the run-off the candidate with more votes wins",
        source: "[S5][S16][S19] (law digest §2)",
        confidence: Confidence::Medium,
    },
    LegalRule {
        id: "presidential.against-all",
        text: "\"against all\" has no legal effect beyond the base, even above 50%",
        source: "CEC statements 2022 [S20][S15][S16] (law digest §2)",
        confidence: Confidence::High,
    },
];

const SENATE_RULES: &[LegalRule] = &[
    LegalRule {
        id: "senate.quorum",
        text: "the vote is valid if more than half of the electors (the maslikhat deputies of the region) take part",
        source: "old text of the election law [S39] (law reference §6)",
        confidence: Confidence::Medium,
    },
    LegalRule {
        id: "senate.majority",
        text: "a candidate is elected with more than 50% of the votes of the electors who took part; otherwise a run-off between the two candidates with the most votes, which the candidate with more votes wins",
        source: "Const. Law on Elections, old Art. 9; ElectionGuide and Wikipedia on the 2023 election [S38][S5] (law reference §6)",
        confidence: Confidence::High,
    },
];

const SINGLE_MEMBER_RULES: &[LegalRule] = &[
    LegalRule {
        id: "single-member.plurality",
        text: "the candidate with more votes than each other candidate is elected; no run-off, no minimum turnout",
        source: "Const. Law on Elections Art. 9(2) as amended 2022 [S1][S8]; all 29 SMDs filled on election day 2023 (law digest §3.1)",
        confidence: Confidence::High,
    },
    LegalRule {
        id: "single-member.against-all",
        text: "\"against all\" is on the ballot; no legal effect on the winner was found",
        source: "[S37][S20] (law digest §3.1)",
        confidence: Confidence::Medium,
    },
];

/// 2007–2021.
pub static KZ_2007: RuleSet = RuleSet {
    id: RuleSetId::Kz2007,
    title: "Kazakhstan 2007–2021: 98 party-list Mazhilis seats, 7% threshold",
    in_force: "2007-08-18 to 2022-06-05 (Mazhilis elections 2007, 2012, 2016, 2021)",
    party_list: Some(PartyListRules {
        threshold_percent: (7, 1),
        min_passing_lists: 2,
        national_list_seats: 98,
        rules: KZ2007_LIST,
        too_few_passing: "only one list passed the 7% threshold: the 2009 amendment admits the runner-up with a 0.7 correction index and at least 2 seats, but whether it takes part in the remainder round and how its minimum interacts with the 98 seats is not known (law digest §3.3, [S2][S3], M with unverified parts)",
    }),
    referendum: Some(ReferendumRules {
        default_unit_test: UnitTest::YesMajority,
        rules: REFERENDUM_RULES,
    }),
    presidential: PRESIDENTIAL_RULES,
    single_member: SINGLE_MEMBER_RULES,
    senate: SENATE_RULES,
};

/// From the 2022 reform.
pub static KZ_2022: RuleSet = RuleSet {
    id: RuleSetId::Kz2022,
    title: "Kazakhstan 2022 reform: 69 list seats (5%) + 29 single-member districts, \"against all\"",
    in_force: "2022-06-05 to 2026-07-01 (referendum 2022, presidential 2022, Mazhilis 2023, referendum 2024)",
    party_list: Some(PartyListRules {
        threshold_percent: (5, 1),
        min_passing_lists: 2,
        national_list_seats: 69,
        rules: KZ2022_LIST,
        too_few_passing: "fewer than two lists passed the 5% threshold: whether the 2009 runner-up rule survived the 2022 rewrite is not known (law digest §3.1, [?])",
    }),
    referendum: Some(ReferendumRules {
        default_unit_test: UnitTest::YesMajority,
        rules: REFERENDUM_RULES,
    }),
    presidential: PRESIDENTIAL_RULES,
    single_member: SINGLE_MEMBER_RULES,
    senate: SENATE_RULES,
};

/// The 2026 Constitution (Kurultai).
pub static KZ_2026: RuleSet = RuleSet {
    id: RuleSetId::Kz2026,
    title: "Kazakhstan 2026 Constitution: unicameral Kurultai, 145 nationwide list seats, 5%",
    in_force: "from 2026-07-01 (referendum 2026-03-15; Kurultai election 2026-08-23)",
    party_list: Some(PartyListRules {
        threshold_percent: (5, 1),
        min_passing_lists: 2,
        national_list_seats: 145,
        rules: KZ2026_LIST,
        too_few_passing: "fewer than two lists passed the threshold: the 2026 election law was not found (law digest addendum A2, [?])",
    }),
    referendum: Some(ReferendumRules {
        default_unit_test: UnitTest::Turnout,
        rules: REFERENDUM_RULES,
    }),
    presidential: PRESIDENTIAL_RULES,
    single_member: SINGLE_MEMBER_RULES,
    senate: &[],
};

/// No legal rules: foreign data.
pub static NONE: RuleSet = RuleSet {
    id: RuleSetId::None,
    title: "no rule set: counts only (foreign or research data)",
    in_force: "-",
    party_list: None,
    referendum: None,
    presidential: &[],
    single_member: &[],
    senate: &[],
};

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
    /// The package's rule set is `none`: no legal outcome is computed.
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
    /// When the law does not determine the outcome: why (a sentence).
    pub undetermined: Option<String>,
}

/// Outcomes of every contest, in package order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionOutcome {
    /// Rule set applied.
    pub rules: RuleSetId,
    /// One per contest.
    pub contests: Vec<ContestOutcome>,
}

/// Applies the election's rule set to every contest.
///
/// `counts[i]` are the counts of contest `i`.
pub fn outcome(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
) -> Result<ElectionOutcome, CountError> {
    let rule_set = election.rules().rule_set();
    let mut contests = Vec::with_capacity(election.contests().len());
    for (i, (contest, contest_counts)) in election.contests().iter().zip(counts).enumerate() {
        contests.push(contest_outcome(i, contest, rule_set, tree, contest_counts)?);
    }
    Ok(ElectionOutcome { rules: election.rules(), contests })
}

fn contest_outcome(
    index: usize,
    contest: &Contest,
    rule_set: &RuleSet,
    tree: &UnitTree,
    counts: &ContestCounts,
) -> Result<ContestOutcome, CountError> {
    let roll_up = counts.roll_up(tree, contest.territory())?;
    let total = roll_up.at(contest.territory());
    let (result, rules, undetermined) = match (contest.kind(), rule_set.id) {
        (_, RuleSetId::None) => (ContestResult::NoRules, Vec::new(), None),
        (ContestKind::Referendum, _) => {
            let rr = rule_set.referendum.as_ref().map(|r| (r.default_unit_test, r.rules));
            let (default_test, rules) = rr.unwrap_or((UnitTest::YesMajority, &[]));
            let o = referendum::decide(contest, tree, &roll_up, default_test);
            let und = o.undetermined.clone();
            (ContestResult::Referendum(o), rules.to_vec(), und)
        }
        (ContestKind::Presidential, _) => {
            let o = presidential::decide(contest, total);
            let und = o.undetermined.clone();
            (ContestResult::Presidential(o), rule_set.presidential.to_vec(), und)
        }
        (ContestKind::SingleMember, _) => {
            let o = single_member::decide(contest, total);
            let und = o.undetermined.clone();
            (ContestResult::SingleMember(o), rule_set.single_member.to_vec(), und)
        }
        (ContestKind::Senate, _) => {
            let o = senate::decide(contest, total, !rule_set.senate.is_empty());
            let und = o.undetermined.clone();
            (ContestResult::Senate(o), rule_set.senate.to_vec(), und)
        }
        (ContestKind::PartyList, _) => match &rule_set.party_list {
            Some(pl) => {
                let o = party_list::decide(contest, total, pl);
                let und = o.undetermined.clone();
                (ContestResult::PartyList(o), pl.rules.to_vec(), und)
            }
            None => (ContestResult::NoRules, Vec::new(), None),
        },
    };
    Ok(ContestOutcome { contest: index, result, rules, undetermined })
}

/// `a / b` as a percentage with `places` decimals, rounded half up (the CEC rounds, law digest
/// §8.2 R9). `None` when `b == 0`.
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
}
