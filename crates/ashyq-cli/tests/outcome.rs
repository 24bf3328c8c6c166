//! `ashyq outcome` reproduces the official results of the bundled real elections exactly, and
//! `ashyq check` / `ashyq outcome` report bad packages precisely without panicking.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().unwrap()
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn outcome_json(package: &Path) -> Value {
    let out = ashyq(&["outcome", package.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn example(name: &str) -> Value {
    outcome_json(&examples().join(name))
}

#[test]
fn mazhilis_2023_seats_match_the_cec() {
    let v = example("kz-2023-03-19-mazhilis");
    assert_eq!(v["election"], "kz-2023-03-19");
    assert_eq!(v["rules"], "kz-2022");
    let c = &v["contests"][0];
    assert_eq!(c["kind"], "party-list");
    let expected = serde_json::json!({"amanat": 40, "auyl": 8, "respublica": 6, "ak-zhol": 6, "qhp": 5, "jsdp": 4, "baitaq": 0});
    assert_eq!(c["seats"], expected);
    assert_eq!(
        c["passed"],
        serde_json::json!(["amanat", "auyl", "respublica", "ak-zhol", "qhp", "jsdp"])
    );
    assert_eq!(c["threshold_base"], 6_366_441);
    assert_eq!(c["quota"]["exact"], "1990573/23");
    assert_eq!(c["undetermined"], Value::Null);
}

#[test]
fn mazhilis_2021_and_2016_seats_match_the_cec() {
    let c = &example("kz-2021-01-10-mazhilis")["contests"][0];
    assert_eq!(
        c["seats"],
        serde_json::json!({"nur-otan": 76, "ak-zhol": 12, "qhp": 10, "auyl": 0, "adal": 0})
    );
    let c = &example("kz-2016-03-20-mazhilis")["contests"][0];
    assert_eq!(
        c["seats"],
        serde_json::json!({"nur-otan": 84, "ak-zhol": 7, "cppk": 7, "auyl": 0, "osdp": 0, "birlik": 0})
    );
    // The reported shares reproduce on the valid-vote base: Nur Otan 82.20% in 2016.
    assert_eq!(c["table"][0]["percent"], "82.20");
}

#[test]
fn presidential_winners_match_the_cec() {
    let c = &example("kz-2022-11-20-presidential")["contests"][0];
    assert_eq!(c["winner"], "tokayev");
    assert_eq!(c["runoff"], Value::Null);
    assert_eq!(c["base"], 7_940_478);
    assert_eq!(c["candidates"][0]["percent"], "81.31");
    let c = &example("kz-2019-06-09-presidential")["contests"][0];
    assert_eq!(c["winner"], "tokayev");
    assert_eq!(c["candidates"][0]["percent"], "70.96");
}

#[test]
fn referendum_2022_is_valid_and_adopted() {
    let c = &example("kz-2022-06-05-referendum")["contests"][0];
    assert_eq!(c["valid"], true);
    assert_eq!(c["adopted"], true);
    assert_eq!(c["units_total"], 17);
    assert_eq!(c["units_required"], 12);
    assert_eq!(c["units_in_favour"], 17);
    assert_eq!(c["units_basis"], "reported");
    let turnout = c["turnout"].as_f64().unwrap();
    assert!((turnout - 0.6805).abs() < 0.0001, "{turnout}");
    assert_eq!(c["totals"]["yes_percent"], "77.18");
}

#[test]
fn mazhilis_2007_one_list_took_all_98_seats() {
    // Law reference §3.3 History: Nur Otan 88.41% of the valid votes, no other list over 7%.
    let c = &example("kz-2007-08-18-mazhilis")["contests"][0];
    assert_eq!(c["seats"]["nur-otan"], 98);
    assert_eq!(c["passed"], serde_json::json!(["nur-otan"]));
    assert_eq!(c["one_list_took_all"], true);
    assert_eq!(c["table"][0]["percent"], "88.41");
    assert_eq!(c["undetermined"], Value::Null);
    assert_eq!(c["undetermined_code"], Value::Null);
    assert_eq!(c["warning_codes"], serde_json::json!([]));
    // Under the 2009 rule the runner-up would be admitted, with 3 or 4 seats: undetermined.
    let p = examples().join("kz-2007-08-18-mazhilis");
    let out = ashyq(&["outcome", p.to_str().unwrap(), "--format", "json", "--rules", "kz-2009"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["contests"][0];
    assert_eq!(c["runner_up"]["option"], "osdp");
    assert_eq!(c["seats"], serde_json::json!({}));
    assert!(c["undetermined"].as_str().unwrap().contains("3 or 4 seats"), "{c}");
    assert_eq!(c["undetermined_code"], "runner-up-readings");
    // The 2009 rule set was not the law on 18 Aug 2007: a warning, with its code.
    assert_eq!(v["warning_codes"], serde_json::json!(["rule-set-not-in-force"]));
    assert!(v["warnings"][0].as_str().unwrap().contains("the law in force was kz-2007"), "{v}");
}

#[test]
fn maslikhat_list_seats_of_2023_reproduce() {
    // Law reference §4; sources and their disagreements in the example's election.toml.
    let v = example("kz-2023-03-19-maslikhat-lists");
    let c = &v["contests"];
    assert_eq!(c[0]["id"], "astana-list");
    assert_eq!(c[0]["body"], "maslikhat");
    assert_eq!(
        c[0]["seats"],
        serde_json::json!({"amanat": 12, "auyl": 0, "respublica": 0, "qhp": 1, "baitaq": 1, "ak-zhol": 3})
    );
    // The published shares reproduce on all list votes + against all.
    let shares: Vec<&str> =
        c[0]["table"].as_array().unwrap().iter().map(|r| r["percent"].as_str().unwrap()).collect();
    assert_eq!(shares, ["68.78", "0.65", "1.63", "5.50", "5.49", "16.96"]);
    assert_eq!(
        c[1]["seats"],
        serde_json::json!({"amanat": 12, "auyl": 0, "respublica": 3, "qhp": 3, "baitaq": 2, "ak-zhol": 1})
    );
    assert_eq!(c[1]["table"][0]["percent"], "51.94");
    // Karaganda: the official split was not found; the computed one fills the 18 seats and
    // every published share reproduces.
    let total: u64 = c[2]["seats"].as_object().unwrap().values().map(|s| s.as_u64().unwrap()).sum();
    assert_eq!(total, 18);
    assert_eq!(c[2]["table"][0]["percent"], "51.67");
    // Maslikhat lists carry their own rules: the method is [M], not the Mazhilis [H].
    let method = c[0]["legal_rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "kz-2022.maslikhat-list.method")
        .unwrap();
    assert_eq!(method["confidence"], "M");
}

#[test]
fn a_what_if_is_labelled_and_says_what_it_kept() {
    let p = examples().join("kz-2023-03-19-mazhilis");
    let out = ashyq(&["outcome", p.to_str().unwrap(), "--rules", "kz-2026"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Mazhilis election 2023"), "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("HYPOTHETICAL (what if)"), "{text}");
    assert!(text.contains("kept: contest \"mazhilis-list\": the package's 69 seats (under kz-2026 the body's list tier has 145)"), "{text}");
    assert!(text.contains("Result (hypothetical): seats allocated"), "{text}");
    assert!(!text.contains("\nResult: "), "every result is labelled hypothetical:\n{text}");
    let out = ashyq(&["outcome", p.to_str().unwrap(), "--rules", "kz-2026", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hypothetical"], true);
    assert_eq!(v["what_if"]["package_rules"], "kz-2022");
    assert_eq!(v["contests"][0]["seats_total"], 69);
}

#[test]
fn rules_lists_every_rule_set_with_its_dates_and_the_legend() {
    let out = ashyq(&["rules"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "kz-2007 — ",
        "in force from 2007-05-01, replaced on 2009-02-09",
        "kz-2009 — ",
        "in force from 2009-02-09, replaced on 2022-06-05",
        "in force from 2026-07-01",
        "[L] a directly elected akim: plurality is assumed",
        "[?] whether an akim needs an absolute majority",
        "Confidence: [H] primary text",
        "docs/law.md",
    ] {
        assert!(text.contains(needle), "missing {needle:?}");
    }
    let out = ashyq(&["rules", "kz-2022", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["from"], "2022-06-05");
    assert_eq!(v[0]["legend"]["?"], "not found: never applied as fact");
    assert_eq!(v[0]["akim"][0]["confidence"], "L");
    assert_eq!(v[0]["akim"][0]["reference"], "docs/law.md §5");
}

#[test]
fn the_2019_ballot_had_no_against_all_line_and_the_output_says_so() {
    let p = examples().join("kz-2019-06-09-presidential");
    let text = String::from_utf8(ashyq(&["outcome", p.to_str().unwrap()]).stdout).unwrap();
    assert!(
        text.contains(
            "Base of percentages = candidate votes (the ballot has no \"against all\" line)"
        ),
        "{text}"
    );
    assert!(!text.contains("candidate votes + against all"), "{text}");
}

#[test]
fn what_if_flag_applies_another_rule_set() {
    let p = examples().join("kz-2023-03-19-mazhilis");
    let out = ashyq(&["outcome", p.to_str().unwrap(), "--format", "json", "--rules", "kz-2007"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rules"], "kz-2007");
    assert_eq!(v["contests"][0]["seats"]["amanat"], 46);
    assert_eq!(v["contests"][0]["seats"]["qhp"], 0);
    let out = ashyq(&["outcome", p.to_str().unwrap(), "--rules", "kz-1995"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown rule set \"kz-1995\""));
}

#[test]
fn text_output_explains_the_allocation() {
    let p = examples().join("kz-2023-03-19-mazhilis");
    let out = ashyq(&["outcome", p.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in ["Hare quota", "1990573/23", "0.8252*", "Threshold: 5% of 6,366,441", "Art. 97"] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn check_passes_on_every_official_example() {
    for entry in std::fs::read_dir(examples()).unwrap() {
        let p = entry.unwrap().path();
        let out = ashyq(&["check", p.to_str().unwrap()]);
        assert!(out.status.success(), "{}: {}", p.display(), String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn demo_records_certifies_and_verifies_every_example() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("demo.db").display());
    let key = dir.path().join("demo.key");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_ashyq"))
            .args(["demo", "--no-serve", "--db", &db, "--key", key.to_str().unwrap()])
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("8 real elections"));
    assert!(text.contains("Result: ADOPTED"));
    assert_eq!(text.matches("Certified: SHA-256 of the inputs").count(), 8);
    assert!(text.contains("Record verified"), "{text}");
    // A second run reuses the record and certifies the same inputs again.
    let again = String::from_utf8(run().stdout).unwrap();
    assert_eq!(again.matches("already in the record").count(), 8);
    let hashes = |t: &str| -> Vec<String> {
        t.lines().filter(|l| l.starts_with("Certified:")).map(str::to_owned).collect()
    };
    assert_eq!(hashes(&text), hashes(&again));
}

#[test]
fn a_mixed_maslikhat_and_an_akim_slot_into_one_package() {
    // Synthetic package (tests/data/maslikhat-mixed): list half + single-member districts + akim.
    let v = outcome_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/maslikhat-mixed"));
    let c = &v["contests"];
    // Quota 2,320 / 16 = 145; floors 9/4/1; remainders .931 (p3) and .862 (p1) take the last two.
    assert_eq!(c[0]["seats"], serde_json::json!({"p1": 10, "p2": 4, "p3": 2, "p4": 0}));
    assert_eq!(c[0]["passed"], serde_json::json!(["p1", "p2", "p3"]));
    assert_eq!(c[1]["winner"], "ivanova");
    assert_eq!(c[2]["winner"], "omarov");
    assert_eq!(c[3]["winner"], "daumov");
    assert_eq!(c[3]["territory"], "D2");
}

#[test]
fn a_non_constitutional_referendum_without_unit_counts_prints_no_unit_table() {
    // The 2024 nuclear-plant referendum (law reference §A1): decided nationally; a package with
    // national counts only must not print 17 rows of "unknown".
    let dir = tempfile::tempdir().unwrap();
    let mut units = String::from("id,parent,kind,name\nKZ,,country,Kazakhstan\n");
    for i in 0..17 {
        units.push_str(&format!("R{i},KZ,region,Region {i}\n"));
    }
    std::fs::write(dir.path().join("units.csv"), units).unwrap();
    std::fs::write(
        dir.path().join("election.toml"),
        "[election]\nid = \"r\"\nname = \"R\"\ndate = \"2024-10-06\"\nrules = \"kz-2022\"\n\n[[contest]]\nid = \"npp\"\nkind = \"referendum\"\nterritory = \"KZ\"\nconstitutional = false\n\n[[contest.option]]\nid = \"yes\"\nname = \"Yes\"\n\n[[contest.option]]\nid = \"no\"\nname = \"No\"\n",
    )
    .unwrap();
    // 2024 results (addendum A1): the four lines add up to those who took part.
    std::fs::write(
        dir.path().join("counts.csv"),
        "contest,unit,line,value\nnpp,KZ,registered,12284487\nnpp,KZ,ballots_issued,7820204\nnpp,KZ,yes,5561937\nnpp,KZ,no,2045271\nnpp,KZ,invalid,130267\nnpp,KZ,not_counted,82729\n",
    )
    .unwrap();
    let out = ashyq(&["outcome", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Not a constitutional question"), "{text}");
    assert!(text.contains("Result: ADOPTED"), "{text}");
    assert!(!text.contains("Region 0") && !text.contains("yes-majority  "), "{text}");
}

/// `ashyq outcome --db URL` reads the outcome from the record — the same JSON as from the
/// package it was imported from — and asks which election when the record holds several.
#[test]
fn outcome_from_the_record_equals_the_package_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("r.db").display());
    for name in ["kz-2023-03-19-mazhilis", "kz-2022-06-05-referendum"] {
        let out = ashyq(&["import", "--db", &db, examples().join(name).to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let out = ashyq(&["outcome", "--db", &db, "--election", "kz-2023-03-19", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let from_record: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_record, example("kz-2023-03-19-mazhilis"));
    let out = ashyq(&["outcome", "--db", &db]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("several elections") && err.contains("--election"), "{err}");
    let missing = dir.path().join("none.db");
    let out = ashyq(&["outcome", "--db", &format!("sqlite:{}", missing.display())]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!missing.exists(), "outcome must not create a record");
}
