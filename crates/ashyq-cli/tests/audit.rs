//! `ashyq audit` and `ashyq pvt` end to end: the contract "last line is the number" for
//! sample-size and risk (values of rlacalc's doctests), the 2023 Mazhilis assertions, and the
//! whole MACRO flow on a generated election — commit, sample from the seed, evaluate clean hand
//! counts (confirmed), hand counts with errors (not confirmed), a changed bundle or record
//! (refused); then a PVT design and estimate.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().expect("run ashyq")
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn last_line(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).lines().last().unwrap_or("").to_owned()
}

#[test]
fn sample_sizes_and_risks_end_with_the_number() {
    let n = |args: &[&str]| last_line(&ashyq(args));
    assert_eq!(
        n(&["audit", "sample-size", "--method", "bravo", "--risk-limit", "10", "--margin", "4"]),
        "2902"
    );
    assert_eq!(
        n(&["audit", "sample-size", "--method", "bravo", "--risk-limit", "10", "--margin", "20"]),
        "119"
    );
    assert_eq!(
        n(&[
            "audit",
            "sample-size",
            "--method",
            "kaplan-markov",
            "--risk-limit",
            "10",
            "--margin",
            "5",
            "--o1",
            "1"
        ]),
        "123"
    );
    assert_eq!(
        n(&[
            "audit",
            "sample-size",
            "--method",
            "kaplan-markov",
            "--risk-limit",
            "10",
            "--margin",
            "0.5",
            "--o1",
            "1",
            "--u1",
            "1"
        ]),
        "1067"
    );
    assert_eq!(
        n(&[
            "audit",
            "sample-size",
            "--method",
            "kaplan-markov",
            "--risk-limit",
            "20",
            "--margin",
            "5",
            "--gamma",
            "1.03905"
        ]),
        "67"
    );
    assert_eq!(
        n(&[
            "audit",
            "risk",
            "--method",
            "bravo",
            "--reported",
            "1410,1132",
            "--sample",
            "170,135"
        ]),
        "0.1342382069344729"
    );
    assert_eq!(
        n(&["audit", "risk", "--method", "bravo", "--reported", "100,50", "--sample", "0,30"]),
        "1"
    );
    let km =
        n(&["audit", "risk", "--method", "kaplan-markov", "--margin", "5", "--sample-size", "0"]);
    assert_eq!(km, "1");
    // Bad input: exit 2 with a sentence.
    let o = ashyq(&["audit", "risk", "--method", "bravo", "--reported", "5,9", "--sample", "1,1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must have more votes than the loser"));
    let o =
        ashyq(&["audit", "sample-size", "--method", "bravo", "--risk-limit", "0", "--margin", "5"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn mazhilis_2023_assertions() {
    let pkg = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/kz-2023-03-19-mazhilis");
    let o = ashyq(&["audit", "assertions", p(&pkg), "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let a = v["contests"][0]["assertions"].as_array().expect("assertions");
    assert_eq!(a.len(), 37);
    let jsdp = a
        .iter()
        .find(|x| x["assertion"] == "jsdp has at least 5% of the list votes + against all")
        .unwrap();
    assert_eq!(jsdp["ballots_to_flip"], 12_736);
    let t = String::from_utf8_lossy(&ashyq(&["audit", "assertions", p(&pkg)]).stdout).into_owned();
    assert!(
        t.contains("closest: jsdp has at least 5% of the list votes + against all (12736 ballots)"),
        "{t}"
    );
}

/// Rewrites counts.csv of `dir`: for each station in `stations`, moves `k` votes of `from` to
/// `to` (all of them when it has fewer).
fn move_votes(dir: &Path, stations: &[String], from: &str, to: &str, k: u64) {
    let path = dir.join("counts.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut moved = std::collections::HashMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() == 4 && f[2] == from && stations.iter().any(|s| s == f[1]) {
            moved.insert(f[1].to_owned(), f[3].parse::<u64>().unwrap().min(k));
        }
    }
    let mut out = String::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() == 4 && moved.contains_key(f[1]) && (f[2] == from || f[2] == to) {
            let v: u64 = f[3].parse().unwrap();
            let m = moved[f[1]];
            let v = if f[2] == from { v - m } else { v + m };
            out.push_str(&format!("{},{},{},{v}\n", f[0], f[1], f[2]));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    std::fs::write(&path, out).unwrap();
}

fn copy_package(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["election.toml", "units.csv", "counts.csv"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
}

#[test]
fn macro_flow_commit_sample_evaluate() {
    let tmp = tempfile::tempdir().expect("tmp");
    let official = tmp.path().join("official");
    let o = ashyq(&[
        "generate",
        "--stations",
        "1000",
        "--seed",
        "11",
        "--contests",
        "president",
        "--out",
        p(&official),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let checkpoint = tmp.path().join("checkpoint.txt");
    std::fs::write(
        &checkpoint,
        "ashyq.kz/election/demo\n1000\nq0ZBlLWmTs3Rz4R4l6kcBQFlUV+g3T2Xrj7Q3mF1Mhc=\n",
    )
    .unwrap();
    let bundle = tmp.path().join("bundle");
    let o = ashyq(&[
        "audit",
        "commit",
        p(&official),
        "--checkpoint",
        p(&checkpoint),
        "--risk-limit",
        "5",
        "--out",
        p(&bundle),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let digest = last_line(&o);
    assert_eq!(digest.len(), 64, "the digest to publish: {digest}");
    // The same inputs give the same digest (nothing in it depends on the clock).
    let bundle2 = tmp.path().join("bundle2");
    assert_eq!(
        last_line(&ashyq(&[
            "audit",
            "commit",
            p(&official),
            "--checkpoint",
            p(&checkpoint),
            "--risk-limit",
            "5",
            "--out",
            p(&bundle2)
        ])),
        digest
    );
    // The sample from the seed.
    let seed = "08112026 public dice 3 1 4 1 5 9";
    let o = ashyq(&["audit", "sample", "--bundle", p(&bundle), "--seed", seed]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let drawn: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("draw,"))
        .map(|l| l.split(',').nth(1).unwrap().to_owned())
        .collect();
    assert!(!drawn.is_empty() && drawn.len() < 1000, "{} draws", drawn.len());
    assert_eq!(
        ashyq(&["audit", "sample", "--bundle", p(&bundle), "--seed", seed]).stdout,
        o.stdout,
        "reproducible"
    );
    let n = drawn.len().to_string();
    // Clean hand counts (the official protocols themselves): confirmed, exit 0.
    let o = ashyq(&[
        "audit",
        "evaluate",
        "--bundle",
        p(&bundle),
        "--seed",
        seed,
        p(&official),
        "--hand-count",
        p(&official),
        "--draws",
        &n,
    ]);
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{t}{}", String::from_utf8_lossy(&o.stderr));
    assert!(t.contains("confirmed: the risk is at most the 5% limit"), "{t}");
    // Small errors (the winner really had 40 votes fewer in every drawn station) do not threaten
    // a 60-point margin: still confirmed, and the discrepancies are listed.
    let hand = tmp.path().join("hand");
    copy_package(&official, &hand);
    move_votes(&hand, &drawn, "tokayev", "against-all", 40);
    let o = ashyq(&[
        "audit",
        "evaluate",
        "--bundle",
        p(&bundle),
        "--seed",
        seed,
        p(&official),
        "--hand-count",
        p(&hand),
        "--draws",
        &n,
    ]);
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(t.contains("taint") && t.contains("tokayev -40, against-all +40"), "{t}");
    // Hand counts where the winner's votes were really all "against all": not confirmed.
    let hand = tmp.path().join("hand2");
    copy_package(&official, &hand);
    move_votes(&hand, &drawn, "tokayev", "against-all", 100_000);
    let o = ashyq(&[
        "audit",
        "evaluate",
        "--bundle",
        p(&bundle),
        "--seed",
        seed,
        p(&official),
        "--hand-count",
        p(&hand),
        "--draws",
        &n,
    ]);
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("not yet confirmed: draw") || t.contains("full hand count:"), "{t}");
    // A bundle changed after the commitment is refused.
    let manifest = bundle.join("manifest.csv");
    let m = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, m.replacen(",", ";", 1)).unwrap();
    let o = ashyq(&["audit", "sample", "--bundle", p(&bundle), "--seed", seed]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("manifest.csv has changed since the commitment"));
    // Protocols changed after the commitment are refused.
    let changed = tmp.path().join("changed");
    copy_package(&official, &changed);
    move_votes(&changed, &drawn[..1], "tokayev", "against-all", 1);
    let o = ashyq(&[
        "audit",
        "evaluate",
        "--bundle",
        p(&bundle2),
        "--seed",
        seed,
        p(&changed),
        "--hand-count",
        p(&official),
        "--draws",
        &n,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("the protocols changed after the commitment")
    );
}

#[test]
fn pvt_design_and_estimate() {
    let tmp = tempfile::tempdir().expect("tmp");
    let official = tmp.path().join("official");
    assert!(ashyq(&["generate", "--stations", "2000", "--seed", "5", "--out", p(&official)])
        .status
        .success());
    let o = ashyq(&["pvt", "design", p(&official), "--seed", "20261127", "--sample", "150"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        o.stdout,
        ashyq(&["pvt", "design", p(&official), "--seed", "20261127", "--sample", "150"]).stdout
    );
    let design = tmp.path().join("design.csv");
    std::fs::write(&design, &o.stdout).unwrap();
    let rows = String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.starts_with("KZ-")).count();
    assert_eq!(rows, 150);
    // Observer copies = the protocols: the official result is inside every interval.
    let o = ashyq(&[
        "pvt",
        "estimate",
        "--design",
        p(&design),
        p(&official),
        "--official",
        p(&official),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["quantities"].as_array().unwrap().len(), 9, "8 options + turnout");
    // An official result that gives the leader 250 extra votes in every station is caught.
    let inflated = tmp.path().join("inflated");
    copy_package(&official, &inflated);
    let text = std::fs::read_to_string(inflated.join("counts.csv")).unwrap();
    let bumped: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            if f.len() == 4 && f[2] == "amanat" {
                format!("{},{},{},{}\n", f[0], f[1], f[2], f[3].parse::<u64>().unwrap() + 250)
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(inflated.join("counts.csv"), bumped).unwrap();
    let o = ashyq(&[
        "pvt",
        "estimate",
        "--design",
        p(&design),
        p(&official),
        "--official",
        p(&inflated),
    ]);
    let t = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.lines().any(|l| l.starts_with("amanat") && l.contains("OUTSIDE")), "{t}");
}
