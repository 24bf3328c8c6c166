//! The rule sets as data. Every rule cites its sources and carries exactly the confidence the
//! law reference (`docs/law.md`) gives it; `tests/law_reference.rs` compares the two.

use super::{
    Confidence as C, LegalRule, OneListPasses, PartyListRules, Ref, ReferendumRules, RuleSet,
    RuleSetId, SingleMemberRules,
};
use crate::election::UnitTest;

// ------------------------------------------------------------------ shared party-list rules

const BASE_VALID: LegalRule = LegalRule {
    id: "list.base-valid",
    text: "shares are taken of the valid votes: votes for all lists plus \"against all\" where the ballot has it; invalid ballots are left out",
    source: "CEC practice reproduced exactly for 2016, 2021 and 2023; CEC deputy chair [S15] (law reference §0 item 2, §3.4)",
    confidence: C::High,
    reference: Ref::Text { section: "§0", phrase: "The base for percentages in results is the valid ballots" },
};

const HARE_LR: LegalRule = LegalRule {
    id: "list.hare-largest-remainder",
    text: "seats: Hare quota = votes of the passing lists / seats; each passing list gets the integer part of votes/quota, remaining seats go to the largest remainders",
    source: "Const. Law on Elections Art. 97 [S2][S3]; reproduces every Mazhilis allocation 2012–2023 exactly (law reference §3.1, §3.4)",
    confidence: C::High,
    reference: Ref::Row { section: "§3.1", row: "Quota" },
};

const REMAINDER_TIE: LegalRule = LegalRule {
    id: "list.remainder-tie",
    text: "equal remainders: the list registered earlier wins",
    source: "Art. 97 as documented for 2009–2021 [S3][S4]; no later text seen (law reference §3.1)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§3.1", row: "Ties in remainders" },
};

const LIST_LENGTH: LegalRule = LegalRule {
    id: "list.length",
    text: "a list has at most seats + 30% candidates; a seat allocated beyond a list's length cannot be filled",
    source: "CL 05.11.2022 No. 156-VII [S35] (law reference §3.1, §7)",
    confidence: C::High,
    reference: Ref::Row { section: "§3.1", row: "List length" },
};

const UNFILLABLE_SEAT: LegalRule = LegalRule {
    id: "list.unfillable-seat",
    text: "what happens to a seat allocated to a list with no candidate left to take it is not known: such a seat is undetermined by law",
    source: "Art. 97, current text not seen (law reference §12)",
    confidence: C::Unknown,
    reference: Ref::Unknown { section: "§12", phrase: "what happens to an unfilled list seat" },
};

// ------------------------------------------------------------------ Mazhilis lists, 2007–2022

const THRESHOLD_7: LegalRule = LegalRule {
    id: "kz-2007.party-list.threshold",
    text: "a list takes part in the allocation if it has at least 7% of the valid votes",
    source: "Art. 97 (2007–2021) [S2][S3]; 2016 and 2021 shares reproduce on the valid votes (law reference §3.3)",
    confidence: C::High,
    reference: Ref::Row { section: "§3.3", row: "Threshold" },
};

const QUOTA_2007: LegalRule = LegalRule {
    id: "kz-2007.party-list.quota",
    text: "the \"first electoral quotient\" = votes of the passing lists / 98; integer parts, then largest remainders",
    source: "Art. 97 [S2][S3][S4] (law reference §3.3)",
    confidence: C::High,
    reference: Ref::Row { section: "§3.3", row: "Quota" },
};

const ONE_LIST_TAKES_ALL: LegalRule = LegalRule {
    id: "kz-2007.party-list.one-list",
    text: "when only one list passes the threshold, it takes every list seat (2007: Nur Otan, 88.4%, took all 98)",
    source: "IPU Parline [S3] (law reference §3.3, History)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§3.3", row: "History" },
};

const NO_LIST_2007: LegalRule = LegalRule {
    id: "kz-2007.party-list.no-list",
    text: "when no list passes the threshold, the law's rule is not known",
    source: "Art. 97: the zero-party edge case is among the reference's open questions (law reference §12)",
    confidence: C::Unknown,
    reference: Ref::Unknown { section: "§12", phrase: "the one-party and zero-party edge cases" },
};

const RUNNER_UP_2009: LegalRule = LegalRule {
    id: "kz-2009.party-list.runner-up",
    text: "when only one list passes the threshold, the runner-up takes part too: the quotient uses both lists' votes, the runner-up's votes/quotient is multiplied by 0.7 (correction index), and it gets at least 2 seats",
    source: "Feb 2009 amendment to Art. 97 [S2][S3] (law reference §3.3; never triggered 2012–2021)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§3.3", row: "Only one party ≥7%" },
};

const RUNNER_UP_UNKNOWNS: LegalRule = LegalRule {
    id: "kz-2009.party-list.runner-up-unknowns",
    text: "whether the runner-up takes part in the remainder round, and how its minimum of 2 seats interacts with the total, is not known: where these readings give different seats, the outcome is undetermined",
    source: "the available translation of Art. 97 is truncated [S2] (law reference §3.3, encoding sketch)",
    confidence: C::Unknown,
    reference: Ref::Text { section: "§3.3", phrase: "whether the runner-up takes part in the remainder round" },
};

const KZ2007_LIST: &[LegalRule] = &[
    THRESHOLD_7,
    BASE_VALID,
    QUOTA_2007,
    REMAINDER_TIE,
    ONE_LIST_TAKES_ALL,
    NO_LIST_2007,
    UNFILLABLE_SEAT,
];

const KZ2009_LIST: &[LegalRule] = &[
    THRESHOLD_7,
    BASE_VALID,
    QUOTA_2007,
    REMAINDER_TIE,
    RUNNER_UP_2009,
    RUNNER_UP_UNKNOWNS,
    NO_LIST_2007,
    UNFILLABLE_SEAT,
];

// ------------------------------------------------------------------ Mazhilis lists, 2022–2026

const KZ2022_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2022.party-list.threshold",
        text: "a list takes part in the allocation if it has at least 5% of the votes",
        source: "CL 05.11.2022 No. 156-VII; 5% since the May 2021 law [S7][S20] (law reference §3.1)",
        confidence: C::High,
        reference: Ref::Row { section: "§3.1", row: "Threshold" },
    },
    LegalRule {
        id: "kz-2022.party-list.threshold-base",
        text: "the threshold base is the votes for all lists plus \"against all\"; invalid ballots are left out",
        source: "checked on the 2023 results: Amanat 3,431,510 / 6,366,441 = 53.90% (law reference §3.1, §3.4)",
        confidence: C::High,
        reference: Ref::Row { section: "§3.1", row: "Threshold base" },
    },
    HARE_LR,
    REMAINDER_TIE,
    LIST_LENGTH,
    UNFILLABLE_SEAT,
    LegalRule {
        id: "kz-2022.party-list.one-list",
        text: "when only one list passes the threshold, the law's rule is not known: whether the 2009 runner-up rule survived the 2022 rewrite was not found",
        source: "law reference §3.1",
        confidence: C::Unknown,
        reference: Ref::Row { section: "§3.1", row: "Only one party ≥5%" },
    },
    LegalRule {
        id: "kz-2022.party-list.no-list",
        text: "when no list passes the threshold, the law's rule is not known",
        source: "law reference §3.1",
        confidence: C::Unknown,
        reference: Ref::Row { section: "§3.1", row: "No party ≥5%" },
    },
];

// ------------------------------------------------------------------ maslikhat lists

const KZ2022_MASLIKHAT_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2022.maslikhat-list.threshold",
        text: "the list half of an oblast or republican-city maslikhat: a list takes part in the allocation if it has at least 5% of the votes",
        source: "Interfax 19 Jan 2023 [S31]; [S52][S51] (law reference §4)",
        confidence: C::High,
        reference: Ref::Row { section: "§4", row: "Oblast maslikhats and those of Astana, Almaty, Shymkent" },
    },
    LegalRule {
        id: "kz-2022.maslikhat-list.method",
        text: "the same base (all lists plus \"against all\") and the same Hare quota with largest remainders as the Mazhilis",
        source: "assumed in the sources [S31][S52][S51] (law reference §4)",
        confidence: C::Medium,
        reference: Ref::Row { section: "§4", row: "Oblast maslikhats and those of Astana, Almaty, Shymkent" },
    },
    LegalRule {
        id: "kz-2022.maslikhat-list.remainder-tie",
        text: "equal remainders: the list registered earlier wins, as for the Mazhilis (inferred; no maslikhat text seen)",
        source: "inferred from the Mazhilis rule [S3][S4] (law reference §4: method assumed as for the Mazhilis)",
        confidence: C::Low,
        reference: Ref::NotCovered { section: "§4", phrase: "same base and Hare/LR method assumed" },
    },
    LIST_LENGTH,
    UNFILLABLE_SEAT,
    LegalRule {
        id: "kz-2022.maslikhat-list.few-lists",
        text: "when fewer than two lists pass the threshold, the law's rule is not known",
        source: "as for the Mazhilis (law reference §3.1, §4)",
        confidence: C::Unknown,
        reference: Ref::Row { section: "§3.1", row: "Only one party ≥5%" },
    },
];

const KZ2009_MASLIKHAT_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2009.maslikhat-list.threshold",
        text: "maslikhats by party lists (introduced by the 2018 amendment; first fully in 2021): a 7% threshold is assumed",
        source: "[S52] (law reference §3.3, Maslikhats; §4, 2018–2021)",
        confidence: C::Low,
        reference: Ref::Row { section: "§3.3", row: "Maslikhats" },
    },
    LegalRule {
        id: "kz-2009.maslikhat-list.method",
        text: "the base and the Hare quota with largest remainders are assumed as for the Mazhilis",
        source: "inferred (law reference §3.3, §4)",
        confidence: C::Low,
        reference: Ref::Row { section: "§3.3", row: "Maslikhats" },
    },
    LegalRule {
        id: "kz-2009.maslikhat-list.few-lists",
        text: "when fewer than two lists pass the threshold, the law's rule for maslikhats is not known",
        source: "law reference §12",
        confidence: C::Unknown,
        reference: Ref::Unknown { section: "§12", phrase: "the one-party and zero-party edge cases" },
    },
];

// ------------------------------------------------------------------ the Kurultai, 2026

const NOT_COVERED_2026: &str =
    "This report does **not** cover the new constitutional law on elections";

const KZ2026_LIST: &[LegalRule] = &[
    LegalRule {
        id: "kz-2026.party-list.seats",
        text: "the Kurultai: 145 deputies by proportional representation in one nationwide district",
        source: "2026 Constitution [K1][K2] (law reference §A2)",
        confidence: C::High,
        reference: Ref::Row { section: "§A2", row: "Size, system" },
    },
    LegalRule {
        id: "kz-2026.party-list.threshold",
        text: "a list takes part in the allocation if it has at least 5% of the votes",
        source: "official statement to the OSCE, Jan 2026 [K2][K3] (law reference §A2)",
        confidence: C::Medium,
        reference: Ref::Row { section: "§A2", row: "Threshold" },
    },
    LegalRule {
        id: "kz-2026.party-list.base-method-tie",
        text: "threshold base (all lists plus \"against all\"), Hare quota with largest remainders and the earlier-registered list winning equal remainders, as in 2023: a working assumption, the 2026 election law was not found",
        source: "law reference §A2 (2023 practice, §3.1, assumed)",
        confidence: C::Low,
        reference: Ref::Row { section: "§A2", row: "Threshold base, allocation method, tie rule" },
    },
    LIST_LENGTH,
    UNFILLABLE_SEAT,
    LegalRule {
        id: "kz-2026.party-list.few-lists",
        text: "when fewer than two lists pass the threshold, the law's rule is not known",
        source: "the 2026 election law was not found (law reference §A2)",
        confidence: C::Low,
        reference: Ref::Row { section: "§A2", row: "Threshold base, allocation method, tie rule" },
    },
];

const KZ2026_MASLIKHAT_LIST: &[LegalRule] = &[LegalRule {
    id: "kz-2026.maslikhat-list.carried-over",
    text: "maslikhat lists under the 2026 Constitution: the 2023 rules (5%, base with \"against all\", Hare quota, largest remainders, earlier-registered list wins ties) are carried over as a working assumption",
    source: "the 2026 election law was not found (law reference §0 item 1, §4)",
    confidence: C::Low,
    reference: Ref::NotCovered { section: "§0", phrase: NOT_COVERED_2026 },
}];

// ------------------------------------------------------------------ referendum

const REFERENDUM_VALIDITY: LegalRule = LegalRule {
    id: "referendum.validity",
    text: "the referendum is valid if more than half of the registered voters took part (received a ballot), counted nationally",
    source: "Const. Law on the Republican Referendum No. 2592, Art. 31 p.2 [S23][S22][S26] (law reference §1)",
    confidence: C::High,
    reference: Ref::Row { section: "§1", row: "Validity (turnout)" },
};

const REFERENDUM_ADOPTION: LegalRule = LegalRule {
    id: "referendum.adoption",
    text: "a question is adopted if \"yes\" has more than half of all who took part (invalid and not-counted ballots included)",
    source: "Art. 31 [S22][S21][S27]; exact for 2022 and 2026 (law reference §1, §0 item 3)",
    confidence: C::High,
    reference: Ref::Row { section: "§1", row: "Adoption, amount" },
};

const REFERENDUM_TERRITORY: LegalRule = LegalRule {
    id: "referendum.territory",
    text: "a constitutional question must also pass in at least ceil(2n/3) of the n oblasts, cities of republican significance and the capital",
    source: "Art. 31 [S22][S24][S25] (law reference §1)",
    confidence: C::High,
    reference: Ref::Row { section: "§1", row: "Adoption, territory" },
};

const REFERENDUM_UNITS: LegalRule = LegalRule {
    id: "referendum.units",
    text: "n = 17 units until 7 Jun 2022 (14 oblasts + Nur-Sultan, Almaty, Shymkent), 20 since the Abai, Zhetysu and Ulytau oblasts took effect on 8 Jun 2022; the test counts the package's regions and cities and warns when their number differs",
    source: "Ortcom [S24] (law reference §1, §9)",
    confidence: C::High,
    reference: Ref::Row { section: "§1", row: "Number of units" },
};

const REFERENDUM_CONSTITUTIONAL_ONLY: LegalRule = LegalRule {
    id: "referendum.constitutional-only",
    text: "only a constitutional question needs the two-thirds territorial test; the 2024 nuclear-plant referendum was decided on the national conditions alone",
    source: "[K28][K29] (law reference §A1)",
    confidence: C::Medium,
    reference: Ref::Text { section: "§A1", phrase: "was decided on the national conditions alone" },
};

const REFERENDUM_UNIT_TEST: LegalRule = LegalRule {
    id: "referendum.unit-test",
    text: "which quantity must pass in a unit is disputed: a yes-majority of participants (2022 CEC) or turnout over 50% (CEC chair, March 2026); both are computed and shown",
    source: "[S22][S21] vs [S26][K18] (law reference §1, §11 item 1)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§1", row: "Which quantity must pass in 2/3 of units?" },
};

const REFERENDUM_RULES: &[LegalRule] = &[
    REFERENDUM_VALIDITY,
    REFERENDUM_ADOPTION,
    REFERENDUM_TERRITORY,
    REFERENDUM_UNITS,
    REFERENDUM_CONSTITUTIONAL_ONLY,
    REFERENDUM_UNIT_TEST,
];

const REFERENDUM_2026_RULES: &[LegalRule] = &[LegalRule {
    id: "kz-2026.referendum.carried-over",
    text: "referendums under the 2026 Constitution: the rules of the referendum law as applied in 2022–2026 (validity over half of the registered, yes over half of those who took part, the two-thirds test for constitutional questions) are carried over as a working assumption",
    source: "not covered by the law reference for elections after 1 Jul 2026 (law reference §0 item 1)",
    confidence: C::Low,
    reference: Ref::NotCovered { section: "§0", phrase: NOT_COVERED_2026 },
}];

/// Before the CEC chair's statement of 13 Mar 2026 the only official description of the per-unit
/// test is the 2022 CEC's yes-majority; from it, his turnout test (addendum A1).
const UNIT_TEST_BY_DATE: &[(&str, UnitTest, &str)] = &[
    (
        "0000-01-01",
        UnitTest::YesMajority,
        "the 2022 CEC and press: a yes-majority of participants in each unit [S22][S21]",
    ),
    (
        "2026-03-13",
        UnitTest::Turnout,
        "CEC chair Abdirov on 13 Mar 2026, the only official statement about the March 2026 referendum: turnout over 50% in two thirds of the regions [K18] (law reference §A1)",
    ),
];

// ------------------------------------------------------------------ president

const PRESIDENT_MAJORITY: LegalRule = LegalRule {
    id: "presidential.majority",
    text: "a candidate is elected in round 1 with more than 50% of the valid votes (candidate votes plus \"against all\" where the ballot has it; invalid ballots left out)",
    source: "Const. Law on Elections Art. 9 / CEC practice [S5][S15][S14]; 2022 shares reproduce only on this base (law reference §2)",
    confidence: C::High,
    reference: Ref::Row { section: "§2", row: "Winner, round 1" },
};

const PRESIDENT_RUNOFF: LegalRule = LegalRule {
    id: "presidential.runoff",
    text: "otherwise a run-off between the two candidates with the most votes within two months; in the run-off the candidate with more votes wins",
    source: "[S5][S16][S19] (law reference §2)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§2", row: "Run-off" },
};

const PRESIDENT_REPEAT: LegalRule = LegalRule {
    id: "presidential.repeat-election",
    text:
        "if the run-off gives no winner (a tie), the CEC calls repeat elections within two months",
    source: "old text of the law, Art. 64 [S19] (law reference §2, Failed election)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§2", row: "Failed election" },
};

const PRESIDENT_AGAINST_ALL: LegalRule = LegalRule {
    id: "presidential.against-all",
    text: "\"against all\" (on the ballot since 2022) has no legal effect beyond the base, even above 50%",
    source: "CEC statements 2022 [S20][S15][S16] (law reference §2)",
    confidence: C::High,
    reference: Ref::Row { section: "§2", row: "\"Against all\"" },
};

const PRESIDENTIAL_2007: &[LegalRule] = &[PRESIDENT_MAJORITY, PRESIDENT_RUNOFF, PRESIDENT_REPEAT];
const PRESIDENTIAL_2022: &[LegalRule] =
    &[PRESIDENT_MAJORITY, PRESIDENT_RUNOFF, PRESIDENT_REPEAT, PRESIDENT_AGAINST_ALL];
const PRESIDENTIAL_2026: &[LegalRule] = &[LegalRule {
    id: "kz-2026.presidential.carried-over",
    text: "the presidential rules of 2022 (absolute majority of the valid votes, run-off between the top two, repeat election after a tied run-off, \"against all\" without legal effect) are carried over as a working assumption",
    source: "not covered by the law reference for elections after 1 Jul 2026 (law reference §0 item 1)",
    confidence: C::Low,
    reference: Ref::NotCovered { section: "§0", phrase: NOT_COVERED_2026 },
}];

// ------------------------------------------------------------------ single-member districts

const SMD_PLURALITY: LegalRule = LegalRule {
    id: "mazhilis-district.plurality",
    text: "the candidate with more votes than each other candidate is elected; no run-off, no minimum turnout",
    source: "Const. Law on Elections Art. 9(2) as amended 2022 [S1][S8]; all 29 districts filled on election day 2023 (law reference §3.1)",
    confidence: C::High,
    reference: Ref::Row { section: "§3.1", row: "SMD winner" },
};

const SMD_AGAINST_ALL: LegalRule = LegalRule {
    id: "district.against-all",
    text: "\"against all\" is on the ballot; no legal effect on the winner was found",
    source: "[S37][S20] (law reference §3.1)",
    confidence: C::Medium,
    reference: Ref::Row { section: "§3.1", row: "SMD and 'against all'" },
};

const SMD_TIE: LegalRule = LegalRule {
    id: "district.tie",
    text: "a tie for the most votes: the law's rule is not known",
    source: "law reference §3.1, §12",
    confidence: C::Unknown,
    reference: Ref::Row { section: "§3.1", row: "SMD tie" },
};

const MASLIKHAT_PLURALITY: LegalRule = LegalRule {
    id: "maslikhat-district.plurality",
    text: "maslikhat single-member districts (half of an oblast or republican-city maslikhat, all of a district or city maslikhat): the candidate with the most votes is elected",
    source: "[S31][S50] (law reference §4)",
    confidence: C::High,
    reference: Ref::Row { section: "§4", row: "District maslikhats and those of cities of regional significance" },
};

const AKIM_PLURALITY: LegalRule = LegalRule {
    id: "akim.plurality",
    text: "a directly elected akim: plurality is assumed; a candidate with more than half of all ballots is elected under any majority rule as well",
    source: "no winner rule found; rural akims since 25 Jul 2021 [S40][S20], district and city akims since 5 Nov 2023 [S41] (law reference §5)",
    confidence: C::Low,
    reference: Ref::Row { section: "§5", row: "Rural winner rule" },
};

const AKIM_RUNOFF: LegalRule = LegalRule {
    id: "akim.runoff",
    text: "whether an akim needs an absolute majority, and a run-off without one, is not known; so is the effect of \"against all\": a leader without more than half of all ballots is undetermined by law",
    source: "law reference §5 (run-off [?], against all [?]), §12",
    confidence: C::Unknown,
    reference: Ref::Text { section: "§5", phrase: "plurality assumed; run-off [?]" },
};

const SMD_2026_CARRIED: LegalRule = LegalRule {
    id: "kz-2026.district.carried-over",
    text: "single-member districts of maslikhats under the 2026 Constitution: plurality as in 2023, carried over as a working assumption",
    source: "not covered by the law reference for elections after 1 Jul 2026 (law reference §0 item 1)",
    confidence: C::Low,
    reference: Ref::NotCovered { section: "§0", phrase: NOT_COVERED_2026 },
};

const MAZHILIS_DISTRICTS: &[LegalRule] = &[SMD_PLURALITY, SMD_AGAINST_ALL, SMD_TIE];
const MASLIKHAT_DISTRICTS: &[LegalRule] = &[MASLIKHAT_PLURALITY, SMD_AGAINST_ALL, SMD_TIE];
const MASLIKHAT_DISTRICTS_2026: &[LegalRule] = &[SMD_2026_CARRIED, SMD_AGAINST_ALL, SMD_TIE];
const AKIMS: &[LegalRule] = &[AKIM_PLURALITY, AKIM_RUNOFF, SMD_TIE];

// ------------------------------------------------------------------ Senate

const SENATE: &[LegalRule] = &[
    LegalRule {
        id: "senate.quorum",
        text: "the vote is valid if more than half of the electors (the maslikhat deputies of the region) take part",
        source: "old text of the election law [S39] (law reference §6)",
        confidence: C::Medium,
        reference: Ref::Row { section: "§6", row: "Quorum" },
    },
    LegalRule {
        id: "senate.majority",
        text: "a candidate is elected with more than 50% of the votes of the electors who took part; otherwise a run-off between the two candidates with the most votes, which the candidate with more votes wins",
        source: "Const. Law on Elections, old Art. 9; ElectionGuide and Wikipedia on 2023 [S38][S5] (law reference §6)",
        confidence: C::High,
        reference: Ref::Row { section: "§6", row: "Winner" },
    },
];

// ------------------------------------------------------------------ why a part is missing

const NO_MAZHILIS_DISTRICTS: &str = "the Mazhilis had no single-member districts from 2007 until the 2022 reform: all 98 elected seats were party-list seats (law reference §3.3)";
const NO_MASLIKHAT_LISTS_2007: &str =
    "maslikhats were not elected by party lists before the 2018 amendment (law reference §4)";
const MASLIKHAT_DISTRICTS_2009: &str = "the law reference does not cover maslikhat single-member districts before 2023 (from 2018 to 2021 maslikhats were elected by party lists; law reference §4)";
const NO_AKIMS_2007: &str = "akims were not elected directly before 25 Jul 2021 (law reference §5)";
const NO_SENATE_2026: &str = "the 2026 Constitution replaced the two chambers with the unicameral Kurultai from 1 Jul 2026: there is no Senate (law reference §0 item 1, §6)";
const NO_DISTRICTS_2026: &str = "the Kurultai has no single-member districts: all 145 deputies are elected by party lists (law reference §A2)";

/// May 2007 – 8 Feb 2009.
pub static KZ_2007: RuleSet = RuleSet {
    id: RuleSetId::Kz2007,
    title: "Kazakhstan 2007–2009: 98 party-list Mazhilis seats, 7% threshold, one passing list takes all",
    from: Some("2007-05-01"),
    until: Some("2009-02-09"),
    in_force: "from the May 2007 constitutional amendments (the day is not in the law reference; no election fell in May or June 2007) until the February 2009 amendment (IPU gives 9 Feb 2009) [S3]; Mazhilis election 18 Aug 2007",
    referendum: Ok(ReferendumRules { default_unit_test: UNIT_TEST_BY_DATE, rules: REFERENDUM_RULES }),
    presidential: Ok(PRESIDENTIAL_2007),
    parliament_list: Ok(PartyListRules {
        threshold_percent: (7, 1),
        seats_by_law: Some(98),
        one_list: OneListPasses::TakesAll,
        no_list: "no list passed the 7% threshold, and the law's rule for that case is not known (law reference §12, [?])",
        rules: KZ2007_LIST,
    }),
    maslikhat_list: Err(NO_MASLIKHAT_LISTS_2007),
    parliament_district: Err(NO_MAZHILIS_DISTRICTS),
    maslikhat_district: Err(MASLIKHAT_DISTRICTS_2009),
    akim: Err(NO_AKIMS_2007),
    senate: Ok(SENATE),
};

/// 9 Feb 2009 – 4 Jun 2022.
pub static KZ_2009: RuleSet = RuleSet {
    id: RuleSetId::Kz2009,
    title: "Kazakhstan 2009–2022: 98 party-list Mazhilis seats, 7% threshold, runner-up admitted when one list passes",
    from: Some("2009-02-09"),
    until: Some("2022-06-05"),
    in_force: "from the February 2009 amendment (IPU gives 9 Feb 2009) [S3] until the 5 Jun 2022 constitutional referendum; Mazhilis elections 2012, 2016, 2021, presidential elections 2011, 2015, 2019, maslikhats by party lists from 2018, rural akims from 25 Jul 2021",
    referendum: Ok(ReferendumRules { default_unit_test: UNIT_TEST_BY_DATE, rules: REFERENDUM_RULES }),
    presidential: Ok(PRESIDENTIAL_2007),
    parliament_list: Ok(PartyListRules {
        threshold_percent: (7, 1),
        seats_by_law: Some(98),
        one_list: OneListPasses::RunnerUp2009,
        no_list: "no list passed the 7% threshold, and the law's rule for that case is not known (law reference §12, [?])",
        rules: KZ2009_LIST,
    }),
    maslikhat_list: Ok(PartyListRules {
        threshold_percent: (7, 1),
        seats_by_law: None,
        one_list: OneListPasses::Unknown("only one list passed the threshold, and the rule for maslikhats is not known (law reference §12, [?])"),
        no_list: "no list passed the threshold, and the rule for maslikhats is not known (law reference §12, [?])",
        rules: KZ2009_MASLIKHAT_LIST,
    }),
    parliament_district: Err(NO_MAZHILIS_DISTRICTS),
    maslikhat_district: Err(MASLIKHAT_DISTRICTS_2009),
    akim: Ok(SingleMemberRules { majority_unknown: true, rules: AKIMS }),
    senate: Ok(SENATE),
};

/// 5 Jun 2022 – 30 Jun 2026.
pub static KZ_2022: RuleSet = RuleSet {
    id: RuleSetId::Kz2022,
    title: "Kazakhstan 2022 reform: 69 list seats (5%) + 29 single-member districts, \"against all\"",
    from: Some("2022-06-05"),
    until: Some("2026-07-01"),
    in_force: "from the 5 Jun 2022 constitutional referendum and CL 05.11.2022 No. 156-VII until the 2026 Constitution took effect on 1 Jul 2026 [S28]; referendum 2022, presidential 2022, Senate 2023, Mazhilis and maslikhats 2023, district akims 2023, referendums 2024 and 15 Mar 2026",
    referendum: Ok(ReferendumRules { default_unit_test: UNIT_TEST_BY_DATE, rules: REFERENDUM_RULES }),
    presidential: Ok(PRESIDENTIAL_2022),
    parliament_list: Ok(PartyListRules {
        threshold_percent: (5, 1),
        seats_by_law: Some(69),
        one_list: OneListPasses::Unknown("only one list passed the 5% threshold, and whether the 2009 runner-up rule survived the 2022 rewrite is not known (law reference §3.1, [?])"),
        no_list: "no list passed the 5% threshold, and the law's rule for that case is not known (law reference §3.1, [?])",
        rules: KZ2022_LIST,
    }),
    maslikhat_list: Ok(PartyListRules {
        threshold_percent: (5, 1),
        seats_by_law: None,
        one_list: OneListPasses::Unknown("only one list passed the 5% threshold, and the rule for that case is not known (law reference §3.1, §4, [?])"),
        no_list: "no list passed the 5% threshold, and the rule for that case is not known (law reference §3.1, §4, [?])",
        rules: KZ2022_MASLIKHAT_LIST,
    }),
    parliament_district: Ok(SingleMemberRules { majority_unknown: false, rules: MAZHILIS_DISTRICTS }),
    maslikhat_district: Ok(SingleMemberRules { majority_unknown: false, rules: MASLIKHAT_DISTRICTS }),
    akim: Ok(SingleMemberRules { majority_unknown: true, rules: AKIMS }),
    senate: Ok(SENATE),
};

/// From 1 Jul 2026.
pub static KZ_2026: RuleSet = RuleSet {
    id: RuleSetId::Kz2026,
    title: "Kazakhstan 2026 Constitution: unicameral Kurultai, 145 nationwide list seats, 5%",
    from: Some("2026-07-01"),
    until: None,
    in_force: "from 1 Jul 2026, when the Constitution adopted by the 15 Mar 2026 referendum took effect [S28][K1]; Kurultai election 23 Aug 2026. The 2026 election law was not found: everything but the Kurultai's size and threshold is a working assumption [L]",
    referendum: Ok(ReferendumRules { default_unit_test: UNIT_TEST_BY_DATE, rules: REFERENDUM_2026_RULES }),
    presidential: Ok(PRESIDENTIAL_2026),
    parliament_list: Ok(PartyListRules {
        threshold_percent: (5, 1),
        seats_by_law: Some(145),
        one_list: OneListPasses::Unknown("only one list passed the threshold, and the 2026 election law was not found (law reference §A2)"),
        no_list: "no list passed the threshold, and the 2026 election law was not found (law reference §A2)",
        rules: KZ2026_LIST,
    }),
    maslikhat_list: Ok(PartyListRules {
        threshold_percent: (5, 1),
        seats_by_law: None,
        one_list: OneListPasses::Unknown("only one list passed the threshold, and the 2026 election law was not found (law reference §0 item 1)"),
        no_list: "no list passed the threshold, and the 2026 election law was not found (law reference §0 item 1)",
        rules: KZ2026_MASLIKHAT_LIST,
    }),
    parliament_district: Err(NO_DISTRICTS_2026),
    maslikhat_district: Ok(SingleMemberRules { majority_unknown: false, rules: MASLIKHAT_DISTRICTS_2026 }),
    akim: Ok(SingleMemberRules { majority_unknown: true, rules: AKIMS }),
    senate: Err(NO_SENATE_2026),
};

const NONE_WHY: &str = "the rule set is \"none\" (foreign or research data): counts only";

/// No legal rules: foreign data.
pub static NONE: RuleSet = RuleSet {
    id: RuleSetId::None,
    title: "no rule set: counts only (foreign or research data)",
    from: None,
    until: None,
    in_force: "-",
    referendum: Err(NONE_WHY),
    presidential: Err(NONE_WHY),
    parliament_list: Err(NONE_WHY),
    maslikhat_list: Err(NONE_WHY),
    parliament_district: Err(NONE_WHY),
    maslikhat_district: Err(NONE_WHY),
    akim: Err(NONE_WHY),
    senate: Err(NONE_WHY),
};
