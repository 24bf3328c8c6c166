//! Party lists, the 30% quota and the choice of deputies, checked against the published
//! composition of the 2023 Mazhilis lists, and the signature figures of the 2019 and 2022
//! presidential nominations.
//!
//! Provenance (stored copies read through the project's `pages` search; numbers as published):
//! - Amanat: 90 candidates, "29 are women, young people, and persons with disabilities which is
//!   32.2%" — Kazinform, 15 Feb 2023,
//!   https://www.inform.kz/en/kazakh-cec-registers-amanat-party-for-early-majilis-elections_a4035948/amp
//! - Ak Zhol: 54 candidates, women, youth and persons with disabilities "18 people" —
//!   Informburo, https://informburo.kz./amp/novosti/partiya-ak-zol-predstavila-spisok-kandidatov-v-deputaty-mazilisa
//! - All seven lists as registered: Ak Zhol 54, Amanat 90, Auyl 25, Baytaq 18, JSDP 19, QHP 52,
//!   Respublica 23 = 281 candidates; the three groups together 107 (38.1%); 80 women; 19 under 29
//!   — CEC deputy chair Petrov, 18 Feb 2023, via BAQ.KZ (Kazakh), https://ulysmedia.kz/news/12883-sem-partii-vydvinuli-svoikh-kandidatov-v-parlament
//!   and https://sailaunews.kz/cec-releases-summary-of-registered-party-lists-for-mazhilis-elections
//! - "This is a maximum of 90 people" for 69 seats — Petrov, 9 Feb 2023, Astana Times,
//!   https://astanatimes.com/2023/02/kazakhstans-seven-political-parties-nominate-283-candidates-for-upcoming-mazhilis-elections/
//! - QHP (People's Party) deputies decided 27 Mar 2023: Magerramov, Smirnova, Tanasheva (leader
//!   of the association of mothers of large families), Seitzhan (Paralympian, advocate of the
//!   rights of persons with disabilities), Sunkar (young activist) — El.kz, 27 Mar 2023,
//!   https://el.kz/ru/stali-izvestny-imena-deputatov-mazhilisa-ot-npk_69290/ ; CEC final results
//!   27 Mar 2023 (law digest §3.1 [S50]); QHP won 5 mandates (law digest §3.4).
//! - 118,273 signatures for 11,827,277 voters (1 Jul 2022) — Kazinform, 22 Sep 2022 [S18];
//!   "at least 12 regions" of 17 in 2019 — TASS, 28 Apr 2019, https://tass.com/world/1056248
//!
//! Only the combined size of the quota group is published, not who is a woman, young or
//! disabled. The rule depends on the combined number alone (a person counts once), so each test
//! builds the list three ways — the group all women, all under 29, all with disabilities — and
//! requires the same verdict from each.
#![allow(clippy::unwrap_used)]

use ashyq_register::candidates::{check_signatures, regions_required, signatures_required};
use ashyq_register::lists::{
    check_list, check_mandates, max_list_length, ListCandidate, MandateChoice,
};
use ashyq_register::{Date, Finding, Verdict};

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

/// Election day 2023; the reference day for "under 29" in these tests.
fn on() -> Date {
    d("2023-03-19")
}

#[derive(Clone, Copy)]
enum Group {
    Women,
    Youth,
    Disabled,
}

/// `n` candidates, `in_group` of them in the quota group (in the way `g` says), the others men
/// aged 45 without a disability.
fn list(party: &str, n: usize, in_group: usize, g: Group) -> Vec<ListCandidate> {
    (0..n)
        .map(|i| {
            let q = i < in_group;
            ListCandidate {
                name: format!("{party} candidate {}", i + 1),
                member: true,
                woman: q && matches!(g, Group::Women),
                birth_date: if q && matches!(g, Group::Youth) {
                    d("1997-06-01")
                } else {
                    d("1978-01-01")
                },
                disability: q && matches!(g, Group::Disabled),
            }
        })
        .collect()
}

fn codes(f: &[Finding]) -> Vec<&'static str> {
    f.iter().map(|f| f.code).collect()
}

const GROUPS: [Group; 3] = [Group::Women, Group::Youth, Group::Disabled];

#[test]
fn the_2023_lists_as_registered_pass() {
    assert_eq!(max_list_length(69), 90);
    // (party, candidates, quota group if published)
    let lists = [
        ("Ak Zhol", 54, Some(18)),
        ("Amanat", 90, Some(29)),
        ("Auyl", 25, None),
        ("Baytaq", 18, None),
        ("JSDP", 19, None),
        ("QHP", 52, None),
        ("Respublica", 23, None),
    ];
    assert_eq!(lists.iter().map(|l| l.1).sum::<usize>(), 281);
    for (party, n, group) in lists {
        // Where the party's own figure is not published, only the length is tested (L1, L2):
        // the quota group is then set to the minimum, which the CEC said every list met.
        let q = group.unwrap_or((n * 3).div_ceil(10));
        for g in GROUPS {
            let f = check_list(&list(party, n, q, g), 69, on());
            assert_eq!(f, vec![], "{party}");
        }
    }
    // The CEC's aggregate: 107 of 281 in the three groups is 38.1%.
    assert_eq!((107u64 * 1000).div_ceil(281), 381);
}

#[test]
fn amanat_with_one_more_candidate_or_three_fewer_in_the_group_fails() {
    for g in GROUPS {
        let f = check_list(&list("Amanat", 91, 29, g), 69, on());
        assert_eq!(codes(&f), ["L2"]);
        assert_eq!(
            f[0].message,
            "the list has 91 candidates; 69 seats allow at most 90 (69 + 30%, rounded up)"
        );
        // 90 candidates need 27: 27 pass, 26 fail.
        assert_eq!(check_list(&list("Amanat", 90, 27, g), 69, on()), vec![]);
        let f = check_list(&list("Amanat", 90, 26, g), 69, on());
        assert_eq!(codes(&f), ["L3"]);
        assert_eq!(f[0].verdict, Verdict::Fails);
        assert_eq!(
            f[0].message,
            "26 of 90 candidates are women, under 29 or persons with disabilities; at least 27 (30%) are required"
        );
    }
    let mut l = list("Amanat", 90, 29, Group::Women);
    l[40].member = false;
    let f = check_list(&l, 69, on());
    assert_eq!(codes(&f), ["L1"]);
    assert_eq!(f[0].message, "1 candidate(s) are not party members: Amanat candidate 41");
}

#[test]
fn a_person_in_two_groups_counts_once() {
    let mut l = list("X", 10, 3, Group::Women);
    assert_eq!(check_list(&l, 8, on()), vec![]);
    // Make the third woman the only young one and drop the youth of nobody else: still 3.
    l[2].birth_date = d("2000-01-01");
    l[2].disability = true;
    assert_eq!(check_list(&l, 8, on()), vec![]);
    l[1].woman = false;
    assert_eq!(codes(&check_list(&l, 8, on())), ["L3"], "2 people, not 4 group memberships");
}

fn qhp_list() -> Vec<ListCandidate> {
    let person = |name: &str, woman: bool, disability: bool| ListCandidate {
        name: name.to_owned(),
        member: true,
        woman,
        // Not published; taken as over 29 so that the test does not rely on anyone's youth.
        birth_date: d("1970-01-01"),
        disability,
    };
    let mut l = vec![
        person("Magerramov", false, false),
        person("Smirnova", true, false),
        person("Tanasheva", true, false),
        person("Seitzhan", false, true),
        person("Sunkar", false, false),
    ];
    // The other 47 of QHP's 52 registered candidates are not published here: placeholders,
    // with the list's quota group set to the minimum the CEC said every list met (16 of 52,
    // counting the three above).
    l.extend(list("QHP", 47, 13, Group::Women));
    l
}

#[test]
fn qhp_deputies_2023() {
    let l = qhp_list();
    assert_eq!(check_list(&l, 69, on()), vec![]);
    let choice = MandateChoice {
        won: 5,
        chosen: ["Magerramov", "Smirnova", "Tanasheva", "Seitzhan", "Sunkar"]
            .map(String::from)
            .to_vec(),
        results: d("2023-03-27"),
        decided: d("2023-03-27"),
    };
    assert_eq!(check_mandates(&l, &choice, on()), vec![], "3 of 5 in the group, 2 needed");
    // Five men outside the group would not do.
    let mut men = choice.clone();
    men.chosen = vec!["Magerramov".into(), "Sunkar".into()];
    men.chosen.extend((16..=18).map(|i| format!("QHP candidate {i}")));
    let f = check_mandates(&l, &men, on());
    assert_eq!(codes(&f), ["M3"]);
    assert_eq!(
        f[0].message,
        "0 of the 5 deputies chosen are women, under 29 or persons with disabilities; at least 2 (30%) are required"
    );
    // Ten days from the results is the last day.
    let mut late = choice.clone();
    late.decided = d("2023-04-06");
    assert_eq!(check_mandates(&l, &late, on()), vec![]);
    late.decided = d("2023-04-07");
    let f = check_mandates(&l, &late, on());
    assert_eq!(codes(&f), ["M4"]);
    assert_eq!(
        f[0].message,
        "the deputies were chosen on 2023-04-07, after 2023-04-06, 10 days from the results (2023-03-27)"
    );
    let mut wrong = choice;
    wrong.chosen[4] = "Nobody".into();
    wrong.chosen.push("Smirnova".into());
    let f = check_mandates(&l, &wrong, on());
    assert_eq!(codes(&f), ["M1", "M2", "M2"]);
}

#[test]
fn presidential_signatures_2019_and_2022() {
    assert_eq!(signatures_required(11_827_277), 118_273);
    assert_eq!(regions_required(17), 12);
    let regions: Vec<String> = (1..=20).map(|i| format!("R{i:02}")).collect();
    // 118,273 spread over 14 regions: enough; the evenness stays undetermined.
    let mut per = std::collections::BTreeMap::new();
    for (i, r) in regions.iter().take(14).enumerate() {
        per.insert(r.clone(), if i == 0 { 118_273 - 13 * 8_000 } else { 8_000 });
    }
    let f = check_signatures(&per, 11_827_277, &regions);
    assert_eq!(codes(&f), ["N3"]);
    assert_eq!(f[0].verdict, Verdict::Undetermined);
    // One signature fewer, and one region fewer.
    *per.get_mut("R01").unwrap() -= 1;
    per.remove("R14");
    let f = check_signatures(&per, 11_827_277, &regions);
    assert_eq!(codes(&f), ["N1", "N2", "N3"]);
    assert_eq!(f[0].message, "110272 valid signatures; 1% of 11827277 voters is 118273");
    assert_eq!(f[1].message, "signatures come from 13 of 20 regions; at least 14 are required");
}
