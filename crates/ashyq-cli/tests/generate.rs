//! `ashyq generate` end to end: clean packages pass `ashyq check` with no problem, the same
//! arguments give byte-identical packages, truth.csv names the manipulated stations.

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().expect("run ashyq")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn generate(out: &Path, extra: &[&str]) {
    let out_s = out.to_str().expect("utf-8 path");
    let mut args = vec!["generate", "--out", out_s];
    args.extend_from_slice(extra);
    let o = ashyq(&args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
}

#[test]
fn a_clean_generated_package_has_no_problems() {
    let dir = TempDir::new().expect("tempdir");
    let pkg = dir.path().join("kz");
    generate(
        &pkg,
        &[
            "--stations",
            "2000",
            "--seed",
            "4",
            "--contests",
            "mazhilis,president",
            "--abroad",
            "10",
        ],
    );
    let o = ashyq(&["check", pkg.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).ends_with(": 0 error(s), 0 warning(s)\n"), "{}", text(&o.stdout));
    // The outcome of the synthetic Mazhilis list resembles 2023: six lists pass, Baitaq does not.
    let o = ashyq(&["outcome", pkg.to_str().expect("path"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let passed = v["contests"][0]["passed"].as_array().expect("passed").len();
    assert_eq!(passed, 6, "{}", v["contests"][0]);
    assert_eq!(v["contests"][1]["winner"], "tokayev");
}

#[test]
fn manipulated_packages_still_add_up_and_truth_names_the_stations() {
    let dir = TempDir::new().expect("tempdir");
    let pkg = dir.path().join("kz");
    generate(
        &pkg,
        &["--stations", "1000", "--seed", "9", "--stuffing", "0.1", "--rounding", "0.05"],
    );
    let truth = std::fs::read_to_string(pkg.join("truth.csv")).expect("truth.csv");
    let mut lines = truth.lines();
    assert_eq!(lines.next(), Some("unit,stuffed,rounded"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 1000);
    let stuffed = rows.iter().filter(|r| r[1] == "1").count();
    let rounded = rows.iter().filter(|r| r[2] == "1").count();
    assert!((60..=140).contains(&stuffed), "{stuffed} stuffed");
    assert!((20..=80).contains(&rounded), "{rounded} rounded");
    // Stuffing and rounding keep the protocol arithmetic: no error (truth.csv is ignored by
    // the package reader); the only warnings are implausible turnouts at manipulated stations.
    let o = ashyq(&["check", pkg.to_str().expect("path"), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["errors"], 0, "{v}");
    let manipulated: Vec<&str> =
        rows.iter().filter(|r| r[1] == "1" || r[2] == "1").map(|r| r[0]).collect();
    for p in v["problems"].as_array().expect("problems") {
        let msg = p["message"].as_str().unwrap_or("");
        assert_eq!(p["code"], "W1", "{p}");
        let unit = msg.split('"').nth(3).unwrap_or("");
        assert!(manipulated.contains(&unit), "{unit} warned but not manipulated: {msg}");
    }
    // Every truth row is a station of units.csv.
    let units = std::fs::read_to_string(pkg.join("units.csv")).expect("units");
    for r in rows.iter().take(50) {
        assert!(units.contains(&format!("\n{},", r[0])), "{} not in units.csv", r[0]);
    }
}

#[test]
fn same_arguments_give_a_byte_identical_package() {
    let dir = TempDir::new().expect("tempdir");
    let args = ["--stations", "500", "--seed", "77", "--stuffing", "0.2", "--rounding", "0.2"];
    generate(&dir.path().join("a"), &args);
    generate(&dir.path().join("b"), &args);
    for f in ["election.toml", "units.csv", "counts.csv", "truth.csv"] {
        let a = std::fs::read(dir.path().join("a").join(f)).expect("a");
        let b = std::fs::read(dir.path().join("b").join(f)).expect("b");
        assert!(a == b, "{f} differs");
    }
    generate(&dir.path().join("c"), &["--stations", "500", "--seed", "78"]);
    let a = std::fs::read(dir.path().join("a/counts.csv")).expect("a");
    let c = std::fs::read(dir.path().join("c/counts.csv")).expect("c");
    assert!(a != c, "another seed gives another election");
}

#[test]
fn bad_arguments_are_errors_and_existing_folders_are_not_overwritten() {
    let dir = TempDir::new().expect("tempdir");
    let out = dir.path().to_str().expect("path");
    std::fs::write(dir.path().join("keep.txt"), "x").expect("write");
    let o = ashyq(&["generate", "--stations", "10", "--seed", "1", "--out", out]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("already holds files; use --force"), "{}", text(&o.stderr));
    let fresh = dir.path().join("new");
    let fresh = fresh.to_str().expect("path");
    for (args, msg) in [
        (vec!["--stations", "0"], "--stations must be at least 1"),
        (
            vec!["--stations", "10", "--stuffing", "1.5"],
            "--stuffing = 1.5 is not a share between 0 and 1",
        ),
        (
            vec!["--stations", "10", "--contests", "senate"],
            "unknown contest \"senate\"; known contests: mazhilis, president",
        ),
    ] {
        let mut a = vec!["generate", "--seed", "1", "--out", fresh];
        a.extend(args);
        let o = ashyq(&a);
        assert_eq!(o.status.code(), Some(2));
        assert!(text(&o.stderr).contains(msg), "{}", text(&o.stderr));
    }
}
