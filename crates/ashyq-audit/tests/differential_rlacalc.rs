//! Differential test against the independent Python package `rlacalc` (PyPI 0.4.0, N.
//! McBurnett) via `scripts/differential_rlacalc.py`, on random inputs: Kaplan–Markov `nmin`
//! and p-value, BRAVO ASN and risk.
//!
//! Without the package the test is skipped (stderr says so), except under CI (env var `CI`
//! set), where it fails with install instructions.
//!
//! Known difference, counted and checked: rlacalc's `nmin` floors the sample size at
//! `o1 + o2 + u1 + u1` (a typo for `u2`); where that floor decides, Ashyq's value is the
//! corrected `max(⌈…⌉, o1 + o2 + u1 + u2)`. rlacalc returns the BRAVO risk uncapped and a
//! negative ASN once the risk so far is below the limit; Ashyq caps the risk at 1 and says 0.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use ashyq_audit::bravo;
use ashyq_audit::kaplan_markov::{self, Discrepancies};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const CASES: usize = 2000;

fn python_has_package() -> bool {
    Command::new("python3")
        .args(["-c", "import rlacalc"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn agrees_with_rlacalc_on_random_inputs() {
    if !python_has_package() {
        let how = "install it with `pip install rlacalc==0.4.0` (python3 must be on PATH)";
        if std::env::var_os("CI").is_some() {
            panic!("python package rlacalc not installed; {how}");
        }
        eprintln!("skipped: python package rlacalc not installed; {how}");
        return;
    }
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(20_261_127);
    let mut cases = Vec::new();
    for i in 0..CASES {
        let case = match i % 4 {
            0 => json!({"f": "nmin", "args": {
                "alpha": rng.gen_range(0.001..0.5), "gamma": rng.gen_range(1.001..2.0),
                "margin": rng.gen_range(0.001..1.0), "o1": rng.gen_range(0..6u64),
                "o2": rng.gen_range(0..4u64), "u1": rng.gen_range(0..6u64), "u2": rng.gen_range(0..4u64)}}),
            1 => json!({"f": "km_p_value", "args": {
                "n": rng.gen_range(0..3000u64), "gamma": rng.gen_range(1.001..2.0),
                "margin": rng.gen_range(0.001..1.0), "o1": rng.gen_range(0..6u64),
                "o2": rng.gen_range(0..4u64), "u1": rng.gen_range(0..6u64), "u2": rng.gen_range(0..4u64)}}),
            2 => json!({"f": "asn", "args": {
                "alpha": rng.gen_range(0.001..0.5), "margin": rng.gen_range(0.005..1.0),
                "risk_level": rng.gen_range(0.01..1.0)}}),
            _ => {
                let l: u64 = rng.gen_range(1..100_000);
                let w: u64 = l + rng.gen_range(1..100_000);
                json!({"f": "bravo_risk", "args": {"W": w, "L": l,
                    "w": rng.gen_range(0..2000u64), "l": rng.gen_range(0..2000u64)}})
            }
        };
        cases.push(case);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut child = Command::new("python3")
        .arg(root.join("scripts/differential_rlacalc.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python3");
    // Feed the cases from a thread while this one reads the answers (pipes are finite).
    let mut stdin = child.stdin.take().expect("stdin");
    let input: String = cases.iter().map(|c| format!("{c}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python output");
    writer.join().expect("writer thread").expect("write the cases");
    assert!(out.status.success(), "oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let (mut compared, mut typo) = (0, 0);
    for line in stdout.lines() {
        let c: Value = serde_json::from_str(line).expect("a JSON line");
        let a = &c["args"];
        let f = |k: &str| a[k].as_f64().unwrap();
        let u = |k: &str| a[k].as_u64().unwrap();
        let theirs = c["out"].as_f64();
        match c["f"].as_str().unwrap() {
            "nmin" => {
                let d = Discrepancies { o1: u("o1"), o2: u("o2"), u1: u("u1"), u2: u("u2") };
                let ours =
                    kaplan_markov::nmin(f("alpha"), f("gamma"), f("margin"), d).unwrap() as f64;
                let theirs = theirs.expect("rlacalc nmin");
                if ours != theirs {
                    // Only rlacalc's floor typo may differ: the Kaplan–Markov term itself must
                    // agree, recomputed here from Stark's formula.
                    let g = f("gamma");
                    let sum = f("alpha").ln()
                        + d.o1 as f64 * (1.0 - 1.0 / (2.0 * g)).ln()
                        + d.o2 as f64 * (1.0 - 1.0 / g).ln()
                        + d.u1 as f64 * (1.0 + 1.0 / (2.0 * g)).ln()
                        + d.u2 as f64 * (1.0 + 1.0 / g).ln();
                    let term = (-2.0 * g * sum / f("margin")).ceil();
                    let typo_floor = (d.o1 + d.o2 + 2 * d.u1) as f64;
                    let fixed_floor = (d.o1 + d.o2 + d.u1 + d.u2) as f64;
                    assert_eq!(theirs, term.max(typo_floor), "nmin {a}: rlacalc");
                    assert_eq!(ours, term.max(0.0).max(fixed_floor), "nmin {a}: ours");
                    typo += 1;
                }
            }
            "km_p_value" => {
                let d = Discrepancies { o1: u("o1"), o2: u("o2"), u1: u("u1"), u2: u("u2") };
                let ours = kaplan_markov::p_value(u("n"), f("gamma"), f("margin"), d).unwrap();
                let theirs = theirs.expect("rlacalc KM_P_value").min(1.0);
                assert!(
                    (ours - theirs).abs() <= 1e-12 * theirs.max(1e-300),
                    "KM p {a}: ours {ours}, rlacalc {theirs}"
                );
            }
            "asn" => {
                let ours = bravo::asn(f("alpha"), f("margin"), f("risk_level")).unwrap() as f64;
                // rlacalc returns a negative size once the risk so far is below the limit;
                // Ashyq says 0 (nothing more to draw).
                assert_eq!(Some(ours), theirs.map(|t| t.max(0.0)), "ASN {a}");
            }
            _ => {
                let ours = bravo::risk(u("W"), u("L"), u("w"), u("l")).unwrap();
                match theirs {
                    Some(t) => {
                        let t = t.min(1.0);
                        assert!(
                            (ours - t).abs() <= 1e-12 * t.max(1e-300),
                            "BRAVO risk {a}: ours {ours}, rlacalc {t}"
                        );
                    }
                    None => assert!(
                        ours == 1.0 || ours == 0.0,
                        "rlacalc overflowed where Ashyq gives {ours}"
                    ),
                }
            }
        }
        compared += 1;
    }
    assert_eq!(compared, CASES, "every case compared");
    eprintln!("rlacalc: {compared} cases agree; {typo} nmin cases differ only by rlacalc's o1+o2+u1+u1 floor");
}
