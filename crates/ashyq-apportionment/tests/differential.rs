//! Differential test against the independent Python package `apportionment`
//! (PyPI, version 1.0) via `scripts/differential_apportionment.py`.
//!
//! Without the package the test is skipped (stderr says so), except under CI
//! (env var `CI` set), where it fails with install instructions.

use std::path::PathBuf;
use std::process::Command;

use ashyq_apportionment::{allocate, ApportionmentError, Method, Threshold, TiePolicy};
use serde_json::Value;

const CASES: u32 = 3000;
const SEED: u64 = 20_261_124;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

fn python_has_package() -> bool {
    Command::new("python3")
        .args(["-c", "import apportionment"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn as_u64_vec(v: &Value) -> Option<Vec<u64>> {
    v.as_array()?.iter().map(Value::as_u64).collect()
}

#[test]
fn agrees_with_python_apportionment_package() {
    if !python_has_package() {
        let how = "install it with `pip install apportionment==1.0` (python3 must be on PATH)";
        if std::env::var_os("CI").is_some() {
            panic!("python package apportionment not installed; {how}");
        }
        eprintln!("skipped: python package apportionment not installed; {how}");
        return;
    }
    let root = workspace_root();
    let output = Command::new("python3")
        .arg(root.join("scripts").join("differential_apportionment.py"))
        .args(["--cases", &CASES.to_string(), "--seed", &SEED.to_string()])
        .current_dir(&root)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "differential script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8 output");

    let mut compared = 0u32;
    let mut ties = 0u32;
    let mut summary = None;
    for line in stdout.lines() {
        let case: Value = serde_json::from_str(line).expect("a JSON line");
        if let Some(s) = case.get("summary") {
            summary = Some(s.clone());
            continue;
        }
        let method_name = case["method"].as_str().expect("method");
        let method = Method::from_name(method_name).expect("known method");
        let votes = as_u64_vec(&case["votes"]).expect("votes");
        let seats = u32::try_from(case["seats"].as_u64().expect("seats")).expect("u32 seats");
        let threshold = case["threshold_percent"].as_array().map(|p| Threshold {
            percent_numer: p[0].as_u64().expect("numer"),
            percent_denom: p[1].as_u64().expect("denom"),
            base: votes.iter().sum(),
        });
        let got = allocate(&votes, seats, method, threshold.as_ref(), &TiePolicy::Error);
        let expected = &case["expected"];
        let agree = match (expected.as_str(), &got) {
            (Some("tie"), Err(ApportionmentError::Tie { .. })) => {
                ties += 1;
                true
            }
            (Some("no_seats"), Err(ApportionmentError::NoOptionPassed))
            | (Some("no_seats"), Err(ApportionmentError::NoVotes))
            | (Some("unfillable"), Err(ApportionmentError::QuotaUnfillable { .. })) => true,
            (None, Ok(a)) => {
                let want = as_u64_vec(expected).expect("expected seats");
                a.seats.iter().map(|&s| u64::from(s)).eq(want.iter().copied())
            }
            _ => false,
        };
        assert!(
            agree,
            "disagreement with the python package on case {}: method {method_name}, votes {votes:?}, \
             seats {seats}, threshold {threshold:?} (base = sum of votes); python says {expected}, \
             ashyq says {got:?}",
            case["case"]
        );
        compared += 1;
    }
    let summary = summary.expect("the script prints a summary line");
    eprintln!("differential: {compared} cases agreed ({ties} ties); script summary: {summary}");
    assert!(compared >= CASES * 9 / 10, "too few cases compared: {compared}");
    assert!(ties > 0, "the generator should produce some ties");
}
