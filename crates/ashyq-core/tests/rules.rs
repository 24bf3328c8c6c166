//! Edge cases of the rule sets, each tied to the law digest (`shared/reference/kz-electoral-law.md`).
//! One `Case` builder per test; every expectation was worked out by hand from the rule cited.
#![allow(clippy::unwrap_used)]

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::rules::{outcome, ContestOutcome, ContestResult, RuleSetId, UnitsBasis};
use ashyq_core::units::{UnitInfo, UnitTree};

/// A one-contest election over KZ and `n_units` top-level units.
struct Case {
    tree: UnitTree,
    election: Election,
    counts: ContestCounts,
}

fn opt(id: &str, registered: Option<i64>, against_all: bool) -> OptionInfo {
    OptionInfo {
        id: id.into(),
        name: id.to_uppercase(),
        registered,
        kind: against_all.then(|| "against-all".into()),
        list_length: None,
    }
}

impl Case {
    fn new(rules: &str, n_units: usize, contest: ContestInfo) -> Case {
        let mut units = vec![UnitInfo {
            id: "KZ".into(),
            parent: String::new(),
            kind: "country".into(),
            name: "Kazakhstan".into(),
        }];
        for i in 0..n_units {
            units.push(UnitInfo {
                id: format!("U{i:02}"),
                parent: "KZ".into(),
                kind: "region".into(),
                name: format!("Unit {i}"),
            });
        }
        let tree = UnitTree::new(units).unwrap();
        let info = ElectionInfo {
            id: "test".into(),
            name: "test".into(),
            date: "2023-03-19".into(),
            rules: rules.into(),
            contests: vec![ContestInfo { territory: "KZ".into(), ..contest }],
        };
        let election = Election::try_from_info(info, &tree).unwrap();
        let counts = ContestCounts::new(&election.contests()[0]);
        Case { tree, election, counts }
    }

    fn set(&mut self, unit: &str, line: &str, value: u64) -> &mut Self {
        let u = self.tree.index_of(unit).unwrap();
        let contest = &self.election.contests()[0];
        let line = match ProtocolLine::from_name(line) {
            Some(p) => Line::Protocol(p),
            None => Line::Option(contest.option_index(line).unwrap()),
        };
        self.counts.set(u, line, value).unwrap();
        self
    }

    fn outcome(&self) -> ContestOutcome {
        let o = outcome(&self.election, &self.tree, std::slice::from_ref(&self.counts)).unwrap();
        o.contests.into_iter().next().unwrap()
    }

    fn option_ids(&self, ids: &[usize]) -> Vec<String> {
        ids.iter().map(|&i| self.election.contests()[0].options()[i].id.to_string()).collect()
    }
}

// ---------------------------------------------------------------- party lists (§3.1, §3.3, §3.4)

fn party_list(seats: i64, parties: &[(&str, Option<i64>)], against_all: bool) -> ContestInfo {
    let mut options: Vec<OptionInfo> = parties.iter().map(|(id, r)| opt(id, *r, false)).collect();
    if against_all {
        options.push(opt("against-all", None, true));
    }
    ContestInfo {
        id: "list".into(),
        kind: "party-list".into(),
        seats: Some(seats),
        options,
        ..Default::default()
    }
}

fn seats(case: &Case) -> Vec<(String, u32)> {
    match case.outcome().result {
        ContestResult::PartyList(p) => {
            p.rows.iter().map(|r| (case.option_ids(&[r.option])[0].clone(), r.seats)).collect()
        }
        other => panic!("not a party-list outcome: {other:?}"),
    }
}

#[test]
fn threshold_base_includes_against_all_and_excludes_invalid() {
    // A: 900, B: 52, C: 48; against all 0 vs 40; invalid 10,000 never matters.
    // Without against all, base = 1000: B = 5.2% passes. With 40 against all, base = 1040:
    // B = 52/1040 = 5.0% exactly — passes (at least 5%); C = 48/1040 = 4.6% fails.
    // With 41 against all, base = 1041: B = 4.995% fails.
    for (aa, b_passes) in [(0u64, true), (40, true), (41, false)] {
        let mut c = Case::new(
            "kz-2022",
            0,
            party_list(10, &[("a", Some(1)), ("b", Some(2)), ("c", Some(3))], true),
        );
        c.set("KZ", "a", 900)
            .set("KZ", "b", 52)
            .set("KZ", "c", 48)
            .set("KZ", "against-all", aa)
            .set("KZ", "invalid", 10_000);
        let out = c.outcome();
        let ContestResult::PartyList(p) = &out.result else { panic!() };
        assert_eq!(p.threshold_base, Some(1000 + aa));
        assert_eq!(p.rows[1].passed, b_passes, "against all = {aa}");
        assert!(!p.rows[2].passed || aa == 0);
    }
}

#[test]
fn hare_quota_is_over_passing_lists_only() {
    // 2023 Mazhilis (§3.4): quota = 5,971,719 / 69 and seats 40/8/6/6/5/4/0.
    let mut c = Case::new(
        "kz-2022",
        0,
        party_list(
            69,
            &[
                ("amanat", Some(1)),
                ("auyl", Some(2)),
                ("respublica", Some(3)),
                ("ak-zhol", Some(4)),
                ("qhp", Some(5)),
                ("jsdp", Some(6)),
                ("baitaq", Some(7)),
            ],
            true,
        ),
    );
    for (p, v) in [
        ("amanat", 3431510),
        ("auyl", 693938),
        ("respublica", 547154),
        ("ak-zhol", 535139),
        ("qhp", 432920),
        ("jsdp", 331058),
        ("baitaq", 146431),
        ("against-all", 248291),
    ] {
        c.set("KZ", p, v);
    }
    let got: Vec<u32> = seats(&c).into_iter().map(|(_, s)| s).collect();
    assert_eq!(got, [40, 8, 6, 6, 5, 4, 0]);
    let ContestResult::PartyList(p) = c.outcome().result else { panic!() };
    assert_eq!(p.quota.unwrap().to_string(), "1990573/23"); // 5971719/69 reduced
    assert_eq!(
        p.rows.iter().map(|r| r.floor.unwrap_or(0)).collect::<Vec<_>>(),
        [39, 8, 6, 6, 5, 3, 0]
    );
}

#[test]
fn remainder_ties_go_to_the_earlier_registered_list() {
    // 3 seats; A 200, B 100, C 100: quota 400/3; A = 1.5 → 1, B = C = 0.75 → 0.
    // 2 seats left for remainders .5 (A), .75 (B), .75 (C): B and C both get one — no tie.
    // Make it a tie for ONE seat: 2 seats; A 200, B 100, C 100: quota 200; A = 1 (rem 0),
    // B = C = 0.5: one seat for two equal remainders → the earlier-registered list wins.
    for (b_reg, c_reg, winner) in [(2, 3, "b"), (3, 2, "c")] {
        let mut c = Case::new(
            "kz-2022",
            0,
            party_list(2, &[("a", Some(1)), ("b", Some(b_reg)), ("c", Some(c_reg))], true),
        );
        c.set("KZ", "a", 200).set("KZ", "b", 100).set("KZ", "c", 100).set("KZ", "against-all", 0);
        let s = seats(&c);
        let won: Vec<&str> =
            s.iter().filter(|(id, n)| id != "a" && *n == 1).map(|(id, _)| id.as_str()).collect();
        assert_eq!(won, [winner]);
        let out = c.outcome();
        let ContestResult::PartyList(p) = &out.result else { panic!() };
        assert_eq!(p.ties.len(), 1);
        assert_eq!(p.ties[0].1, 1, "one seat at stake");
        assert!(out.undetermined.is_none());
    }
}

#[test]
fn remainder_tie_without_registration_order_is_undetermined() {
    let mut c =
        Case::new("kz-2022", 0, party_list(2, &[("a", Some(1)), ("b", None), ("c", None)], false));
    c.set("KZ", "a", 200).set("KZ", "b", 100).set("KZ", "c", 100);
    let out = c.outcome();
    let why = out.undetermined.expect("a tie needs the registration order");
    assert!(why.contains("registration order") && why.contains('b') && why.contains('c'), "{why}");
}

#[test]
fn one_or_zero_lists_over_the_threshold_is_undetermined_by_law() {
    // kz-2022: one list passes (A 96%), B and C below 5% → the law is unknown (§3.1 [?]).
    let mut c = Case::new(
        "kz-2022",
        0,
        party_list(69, &[("a", Some(1)), ("b", Some(2)), ("c", Some(3))], true),
    );
    c.set("KZ", "a", 960).set("KZ", "b", 20).set("KZ", "c", 20).set("KZ", "against-all", 0);
    let why = c.outcome().undetermined.unwrap();
    assert!(why.starts_with("undetermined by law"), "{why}");
    // Zero lists pass: against all 99%.
    let mut c = Case::new("kz-2022", 0, party_list(69, &[("a", Some(1)), ("b", Some(2))], true));
    c.set("KZ", "a", 4).set("KZ", "b", 4).set("KZ", "against-all", 992);
    assert!(c.outcome().undetermined.unwrap().starts_with("undetermined by law"));
    // kz-2007: the 2009 runner-up rule is only partly known → undetermined as well.
    let mut c = Case::new("kz-2007", 0, party_list(98, &[("a", Some(1)), ("b", Some(2))], false));
    c.set("KZ", "a", 950).set("KZ", "b", 50);
    let why = c.outcome().undetermined.unwrap();
    assert!(why.contains("0.7 correction index"), "{why}");
}

#[test]
fn what_if_the_2023_votes_were_counted_under_the_2007_rules() {
    // 7% threshold: QHP (6.80%) and JSDP (5.20%) drop out; 69 seats over 4 lists.
    let mut c = Case::new(
        "kz-2022",
        0,
        party_list(
            69,
            &[
                ("amanat", Some(1)),
                ("auyl", Some(2)),
                ("respublica", Some(3)),
                ("ak-zhol", Some(4)),
                ("qhp", Some(5)),
                ("jsdp", Some(6)),
                ("baitaq", Some(7)),
            ],
            true,
        ),
    );
    for (p, v) in [
        ("amanat", 3431510),
        ("auyl", 693938),
        ("respublica", 547154),
        ("ak-zhol", 535139),
        ("qhp", 432920),
        ("jsdp", 331058),
        ("baitaq", 146431),
        ("against-all", 248291),
    ] {
        c.set("KZ", p, v);
    }
    c.election = c.election.with_rules(RuleSetId::Kz2007);
    // Quota = 5,207,741 / 69 = 75,474.5…; 3431510/q = 45.47 → 45; 693938/q = 9.19 → 9;
    // 547154/q = 7.25 → 7; 535139/q = 7.09 → 7; floors 68; 1 seat to the largest remainder
    // (Amanat .465 vs Respublica .249 vs Auyl .194 vs Ak Zhol .090) → Amanat 46.
    let got: Vec<u32> = seats(&c).into_iter().map(|(_, s)| s).collect();
    assert_eq!(got, [46, 9, 7, 7, 0, 0, 0]);
}

// ---------------------------------------------------------------- referendum (§1, addendum A1)

fn referendum(constitutional: Option<bool>, unit_test: Option<&str>) -> ContestInfo {
    ContestInfo {
        id: "ref".into(),
        kind: "referendum".into(),
        constitutional,
        unit_test: unit_test.map(str::to_owned),
        options: vec![opt("yes", None, false), opt("no", None, false)],
        ..Default::default()
    }
}

/// 17 units of 1,000 registered; `k` of them vote yes 600 / no 300 (+100 invalid) with 1,000
/// taking part; the rest vote yes 300 / no 600 with 1,000 taking part. Each unit's turnout is
/// 100%, so the turnout test passes in all 17.
fn seventeen_units(k: usize, constitutional: Option<bool>, unit_test: Option<&str>) -> Case {
    let mut c = Case::new("kz-2022", 17, referendum(constitutional, unit_test));
    for i in 0..17 {
        let u = format!("U{i:02}");
        let (yes, no) = if i < k { (600, 300) } else { (300, 600) };
        c.set(&u, "registered", 1000)
            .set(&u, "ballots_issued", 1000)
            .set(&u, "yes", yes)
            .set(&u, "no", no)
            .set(&u, "invalid", 100);
    }
    c
}

fn referendum_outcome(c: &Case) -> ashyq_core::rules::ReferendumOutcome {
    match c.outcome().result {
        ContestResult::Referendum(r) => r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn twelve_of_seventeen_units_adopt_eleven_do_not() {
    // Nationally yes must also exceed half: with k = 12, yes = 12·600 + 5·300 = 8,700 of 17,000 → 51.2%.
    let r = referendum_outcome(&seventeen_units(12, None, None));
    assert_eq!((r.units_total, r.units_required, r.units_in_favour), (17, 12, Some(12)));
    assert_eq!(r.adopted, Some(true));
    assert_eq!(r.units_basis, UnitsBasis::Computed);
    // k = 11: 11·600 + 6·300 = 8,400 of 17,000 = 49.4% — fails nationally as well; make the
    // national majority hold by giving one failing unit a huge yes count? No: keep the unit test
    // isolated by checking the territorial flag directly.
    let r = referendum_outcome(&seventeen_units(11, None, None));
    assert_eq!(r.units_in_favour, Some(11));
    assert_eq!(r.territorial_pass, Some(false));
    assert_eq!(r.adopted, Some(false));
}

#[test]
fn eleven_units_fail_even_when_the_national_majority_holds() {
    // 11 units: yes 600/1000; 6 units: yes 490/1000 (just short), so nationally
    // yes = 6,600 + 2,940 = 9,540 of 17,000 = 56% > 50%, but only 11 units < 12 required.
    let mut c = Case::new("kz-2022", 17, referendum(None, None));
    for i in 0..17 {
        let u = format!("U{i:02}");
        let yes = if i < 11 { 600 } else { 490 };
        c.set(&u, "registered", 1000).set(&u, "ballots_issued", 1000).set(&u, "yes", yes).set(
            &u,
            "no",
            1000 - yes,
        );
    }
    let r = referendum_outcome(&c);
    assert_eq!(r.national_majority, Some(true));
    assert_eq!(r.units_in_favour, Some(11));
    assert_eq!(r.adopted, Some(false));
    // The same counts under the turnout test (every unit has 100% turnout) pass 17 of 17.
    assert_eq!(r.units_turnout_majority, Some(17));
    let mut c2 = Case::new("kz-2022", 17, referendum(None, Some("turnout")));
    c2.counts = c.counts.clone();
    let r2 = referendum_outcome(&c2);
    assert_eq!((r2.units_in_favour, r2.adopted), (Some(17), Some(true)));
}

#[test]
fn the_yes_share_is_of_all_who_took_part() {
    // Yes 480, no 420, invalid 60, not counted 40: 1,000 took part. Yes is 53% of yes+no but only
    // 48% of those who took part → not adopted (§0.3: invalid and both-marked stay in the base).
    let mut c = Case::new("kz-2022", 0, referendum(Some(false), None));
    c.set("KZ", "registered", 1500)
        .set("KZ", "ballots_issued", 1000)
        .set("KZ", "yes", 480)
        .set("KZ", "no", 420)
        .set("KZ", "invalid", 60)
        .set("KZ", "not_counted", 40);
    let r = referendum_outcome(&c);
    assert_eq!(r.valid, Some(true));
    assert_eq!(r.national_majority, Some(false));
    assert_eq!(r.adopted, Some(false));
}

#[test]
fn low_turnout_makes_the_referendum_invalid() {
    // Exactly half took part: not "more than half" → invalid, whatever the votes.
    let mut c = Case::new("kz-2022", 0, referendum(Some(false), None));
    c.set("KZ", "registered", 2000)
        .set("KZ", "ballots_issued", 1000)
        .set("KZ", "yes", 990)
        .set("KZ", "no", 10);
    let r = referendum_outcome(&c);
    assert_eq!((r.valid, r.adopted), (Some(false), Some(false)));
    c.counts = ContestCounts::new(&c.election.contests()[0]);
    c.set("KZ", "registered", 2000)
        .set("KZ", "ballots_issued", 1001)
        .set("KZ", "yes", 990)
        .set("KZ", "no", 11);
    assert_eq!(referendum_outcome(&c).adopted, Some(true));
}

#[test]
fn a_non_constitutional_referendum_is_decided_nationally() {
    // 2024 nuclear-plant referendum (addendum A1): only 2 of 17 units have a yes majority,
    // but a big yes in those two carries the national vote.
    let mut c = Case::new("kz-2022", 17, referendum(Some(false), None));
    for i in 0..17 {
        let u = format!("U{i:02}");
        let (reg, yes) = if i < 2 { (10_000, 9_000) } else { (1000, 400) };
        c.set(&u, "registered", reg).set(&u, "ballots_issued", reg).set(&u, "yes", yes).set(
            &u,
            "no",
            reg - yes,
        );
    }
    let r = referendum_outcome(&c);
    assert_eq!(r.units_required, 0);
    assert_eq!(r.units_basis, UnitsBasis::NotApplicable);
    assert_eq!(r.adopted, Some(true));
    // The same counts as a constitutional question fail the territorial test.
    let mut c2 = Case::new("kz-2022", 17, referendum(None, None));
    c2.counts = c.counts.clone();
    assert_eq!(referendum_outcome(&c2).adopted, Some(false));
}

#[test]
fn missing_units_leave_the_territorial_test_undetermined_unless_decided_anyway() {
    // 10 units pass, 7 have no counts: 10 + 7 ≥ 12 could still pass → undetermined.
    let mut c = Case::new("kz-2022", 17, referendum(None, None));
    for i in 0..10 {
        let u = format!("U{i:02}");
        c.set(&u, "registered", 1000)
            .set(&u, "ballots_issued", 900)
            .set(&u, "yes", 800)
            .set(&u, "no", 100);
    }
    let r = referendum_outcome(&c);
    assert_eq!(r.adopted, None);
    assert!(r.undetermined.unwrap().contains("lack the counts"));
    // 12 units pass and 5 are missing: decided regardless.
    for i in 10..12 {
        let u = format!("U{i:02}");
        c.set(&u, "registered", 1000)
            .set(&u, "ballots_issued", 900)
            .set(&u, "yes", 800)
            .set(&u, "no", 100);
    }
    let r = referendum_outcome(&c);
    assert_eq!((r.territorial_pass, r.adopted), (Some(true), Some(true)));
}

// ---------------------------------------------------------------- presidential (§2)

fn presidential(round: Option<i64>, candidates: &[&str]) -> ContestInfo {
    let mut options: Vec<OptionInfo> = candidates.iter().map(|c| opt(c, None, false)).collect();
    options.push(opt("against-all", None, true));
    ContestInfo {
        id: "pres".into(),
        kind: "presidential".into(),
        round,
        options,
        ..Default::default()
    }
}

fn presidential_outcome(c: &Case) -> (Option<String>, Option<[String; 2]>, Option<String>) {
    let out = c.outcome();
    let ContestResult::Presidential(p) = &out.result else { panic!() };
    let w = p.winner.map(|w| c.option_ids(&[w])[0].clone());
    let r = p.runoff.map(|[a, b]| [c.option_ids(&[a])[0].clone(), c.option_ids(&[b])[0].clone()]);
    (w, r, out.undetermined)
}

#[test]
fn absolute_majority_counts_against_all_in_the_base() {
    // A 510, B 400, against all 100: base 1010, A = 50.5% → elected. Invalid 5,000 is ignored.
    let mut c = Case::new("kz-2022", 0, presidential(None, &["a", "b"]));
    c.set("KZ", "a", 510)
        .set("KZ", "b", 400)
        .set("KZ", "against-all", 100)
        .set("KZ", "invalid", 5000);
    assert_eq!(presidential_outcome(&c).0.as_deref(), Some("a"));
    // Against all 120: base 1030, A = 49.5% → run-off A vs B.
    let mut c = Case::new("kz-2022", 0, presidential(None, &["a", "b"]));
    c.set("KZ", "a", 510).set("KZ", "b", 400).set("KZ", "against-all", 120);
    let (w, r, _) = presidential_outcome(&c);
    assert_eq!((w, r), (None, Some(["a".to_owned(), "b".to_owned()])));
    // Exactly half is not more than half.
    let mut c = Case::new("kz-2022", 0, presidential(None, &["a", "b"]));
    c.set("KZ", "a", 500).set("KZ", "b", 400).set("KZ", "against-all", 100);
    assert!(presidential_outcome(&c).0.is_none());
}

#[test]
fn runoff_between_the_top_two_and_its_ties() {
    let mut c = Case::new("kz-2022", 0, presidential(None, &["a", "b", "c"]));
    c.set("KZ", "a", 300).set("KZ", "b", 400).set("KZ", "c", 200).set("KZ", "against-all", 100);
    let (_, r, _) = presidential_outcome(&c);
    assert_eq!(r, Some(["b".to_owned(), "a".to_owned()]));
    // Tie for the second place → undetermined by law.
    let mut c = Case::new("kz-2022", 0, presidential(None, &["a", "b", "c"]));
    c.set("KZ", "a", 300).set("KZ", "b", 400).set("KZ", "c", 300).set("KZ", "against-all", 0);
    let (w, r, why) = presidential_outcome(&c);
    assert_eq!((w, r), (None, None));
    assert!(why.unwrap().contains("run-off place"));
    // Round 2: more votes wins, against all has no effect even when it is the largest line.
    let mut c = Case::new("kz-2022", 0, presidential(Some(2), &["a", "b"]));
    c.set("KZ", "a", 300).set("KZ", "b", 299).set("KZ", "against-all", 2000);
    let out = c.outcome();
    let ContestResult::Presidential(p) = &out.result else { panic!() };
    assert!(p.against_all_majority);
    assert_eq!(presidential_outcome(&c).0.as_deref(), Some("a"));
    // Round 2 tie.
    let mut c = Case::new("kz-2022", 0, presidential(Some(2), &["a", "b"]));
    c.set("KZ", "a", 300).set("KZ", "b", 300).set("KZ", "against-all", 0);
    assert!(presidential_outcome(&c).2.unwrap().starts_with("undetermined by law"));
}

// ---------------------------------------------------------------- single-member districts (§3.1)

#[test]
fn smd_plurality_ignores_against_all_and_ties_are_undetermined() {
    let info = |c: &[&str]| ContestInfo {
        id: "smd".into(),
        kind: "single-member".into(),
        options: c
            .iter()
            .map(|c| opt(c, None, false))
            .chain([opt("against-all", None, true)])
            .collect(),
        ..Default::default()
    };
    // Against all (500) beats everyone: the plurality candidate (300, 27%) is still elected.
    let mut c = Case::new("kz-2022", 0, info(&["a", "b"]));
    c.set("KZ", "a", 300).set("KZ", "b", 299).set("KZ", "against-all", 500);
    let out = c.outcome();
    let ContestResult::SingleMember(s) = &out.result else { panic!() };
    assert_eq!(s.winner.map(|w| c.option_ids(&[w])[0].clone()).as_deref(), Some("a"));
    assert!(s.against_all_exceeds_winner);
    // Tie.
    let mut c = Case::new("kz-2022", 0, info(&["a", "b", "c"]));
    c.set("KZ", "a", 300).set("KZ", "b", 300).set("KZ", "c", 10).set("KZ", "against-all", 0);
    let why = c.outcome().undetermined.unwrap();
    assert!(why.starts_with("undetermined by law") && why.contains("a, b"), "{why}");
}

#[test]
fn unknown_option_counts_never_become_zero() {
    // Counts at two units, one of which lacks B's line: B's national total is unknown, so the
    // outcome is undetermined rather than computed with B = partial sum.
    let mut c = Case::new("kz-2022", 2, presidential(None, &["a", "b"]));
    c.set("U00", "a", 100).set("U00", "b", 50).set("U00", "against-all", 0);
    c.set("U01", "a", 100).set("U01", "against-all", 0);
    assert!(c.outcome().undetermined.unwrap().contains("unknown"));
}

#[test]
fn rules_none_gives_no_legal_outcome() {
    let mut c = Case::new("none", 0, presidential(None, &["a", "b"]));
    c.set("KZ", "a", 100).set("KZ", "b", 50).set("KZ", "against-all", 0);
    assert_eq!(c.outcome().result, ContestResult::NoRules);
}

#[test]
fn huge_counts_never_panic() {
    let mut c = Case::new("kz-2022", 0, presidential(None, &["a", "b"]));
    c.set("KZ", "a", u64::MAX).set("KZ", "b", u64::MAX).set("KZ", "against-all", 1);
    assert!(c.outcome().undetermined.unwrap().contains("more than 2^64"));
    let mut c = Case::new("kz-2022", 0, party_list(10, &[("a", Some(1)), ("b", Some(2))], true));
    c.set("KZ", "a", u64::MAX).set("KZ", "b", 1).set("KZ", "against-all", 1);
    assert!(c.outcome().undetermined.unwrap().contains("more than 2^64"));
    let mut c = Case::new("kz-2022", 0, referendum(Some(false), None));
    c.set("KZ", "registered", u64::MAX)
        .set("KZ", "ballots_issued", u64::MAX)
        .set("KZ", "yes", u64::MAX)
        .set("KZ", "no", 0);
    assert_eq!(referendum_outcome(&c).adopted, Some(true));
}
