//! `ashyq survey`: the May 2022 official survey against the referendum result (issue 10,
//! item 5), clustered designs, pooling, bad input.

use std::process::{Command, Output};

use serde_json::Value;

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().expect("run ashyq")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(args: &[&str]) -> (Option<i32>, Value) {
    let o = ashyq(args);
    (
        o.status.code(),
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stderr))),
    )
}

/// The May 2022 official survey (n = 1,200): 79.10% support and 76.51% intending to vote,
/// against the referendum's official 77.18% yes of those who took part and 68.05% turnout
/// (../shared/data/kazakhstan/kz_2022_referendum_national.csv).
#[test]
fn may_2022_survey_against_the_referendum() {
    // Support: ±2.30 points (1.96·√(0.791·0.209/1200)); 77.18% is inside 76.80–81.40%.
    let (code, v) = json(&[
        "survey",
        "compare",
        "--n",
        "1200",
        "--percent",
        "79.10",
        "--official",
        "77.18",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0));
    assert_eq!(v["inside_interval"], true);
    let m = v["survey"]["margin"].as_f64().expect("margin");
    assert!((m - 2.30).abs() < 0.005, "{m}");
    assert!((v["survey"]["interval"][0].as_f64().expect("lo") - 76.80).abs() < 0.01);
    // Intending to vote: 76.51% ± 2.40 against 68.05% turnout: far outside (z ≈ −6.9), exit 1.
    let (code, v) = json(&[
        "survey",
        "compare",
        "--n",
        "1200",
        "--percent",
        "76.51",
        "--official",
        "68.05",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(v["inside_interval"], false);
    let z = v["z"].as_f64().expect("z");
    assert!((z + 6.91).abs() < 0.05, "{z}");
    // With a design effect of 2 (a clustered sample), support's margin grows by √2.
    let (_, v) = json(&[
        "survey",
        "margin",
        "--n",
        "1200",
        "--percent",
        "79.10",
        "--deff",
        "2",
        "--format",
        "json",
    ]);
    assert!((v["margin"].as_f64().expect("m") - 2.30 * 2f64.sqrt()).abs() < 0.01);
    // 100 clusters of 12 with intra-cluster correlation 0.1: deff = 2.1.
    let (_, v) = json(&[
        "survey",
        "margin",
        "--n",
        "1200",
        "--percent",
        "79.10",
        "--clusters",
        "100",
        "--icc",
        "0.1",
        "--format",
        "json",
    ]);
    assert!((v["design"]["deff"].as_f64().expect("deff") - 2.1).abs() < 1e-9);
    let t = text(
        &ashyq(&["survey", "compare", "--n", "1200", "--percent", "76.51", "--official", "68.05"])
            .stdout,
    );
    assert!(t.contains("OUTSIDE") && t.contains("intending to vote"), "{t}");
}

#[test]
fn polls_are_pooled_and_disagreement_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("polls.csv");
    std::fs::write(&f, "name,n,percent,deff\nA,1000,60,1\nB,1000,60,\nC,2000,60,1.5\n")
        .expect("write");
    let (code, v) = json(&["survey", "aggregate", f.to_str().expect("path"), "--format", "json"]);
    assert_eq!(code, Some(0));
    assert!((v["pooled"]["percent"].as_f64().expect("p") - 60.0).abs() < 1e-9);
    assert!(v["pooled"]["q"].as_f64().expect("q") < 1e-9);
    std::fs::write(&f, "name,n,percent\nA,1000,50\nB,1000,60\n").expect("write");
    let (_, v) = json(&["survey", "aggregate", f.to_str().expect("path"), "--format", "json"]);
    assert!(v["pooled"]["q_p_value"].as_f64().expect("p") < 0.001, "{v}");
    let t = text(&ashyq(&["survey", "aggregate", f.to_str().expect("path")]).stdout);
    assert!(t.contains("disagree beyond sampling error"), "{t}");
}

#[test]
fn bad_input_names_file_line_and_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("polls.csv");
    std::fs::write(&f, "name,n,percent\nA,1000,60\nB,many,60\n").expect("write");
    let o = ashyq(&["survey", "aggregate", f.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("polls.csv:3: field n: \"many\" is not a whole number"),
        "{}",
        text(&o.stderr)
    );
    std::fs::write(&f, "name,size\nA,1\n").expect("write");
    let o = ashyq(&["survey", "aggregate", f.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("polls.csv:1: the header must have"), "{}", text(&o.stderr));
    let o = ashyq(&["survey", "margin", "--n", "0", "--percent", "50"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("the sample size must be at least 1"));
    let o = ashyq(&["survey", "margin", "--n", "10", "--percent", "150"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("150 is not a percentage between 0 and 100"));
}
