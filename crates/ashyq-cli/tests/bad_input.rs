//! Every malformed package gets a precise message naming file, line and field, a non-zero exit
//! code, and never a panic (issue 2, item 6).
#![allow(clippy::unwrap_used)]

use std::fs;
use std::process::Command;

const ELECTION: &str = r#"[election]
id = "t"
name = "Test"
date = "2023-03-19"
rules = "kz-2022"

[[contest]]
id = "list"
kind = "party-list"
territory = "KZ"
seats = 10

[[contest.option]]
id = "a"
name = "A"
registered = 1

[[contest.option]]
id = "b"
name = "B"
registered = 2

[[contest.option]]
id = "against-all"
name = "Against all"
kind = "against-all"
"#;

const UNITS: &str = "id,parent,kind,name\nKZ,,country,Kazakhstan\nR1,KZ,region,R1\nS1,R1,station,S1\nS2,R1,station,S2\n";

const COUNTS: &str = "contest,unit,line,value\nlist,S1,registered,1000\nlist,S1,ballots_issued,600\nlist,S1,invalid,10\nlist,S1,a,400\nlist,S1,b,150\nlist,S1,against-all,40\nlist,S2,registered,800\nlist,S2,ballots_issued,500\nlist,S2,invalid,0\nlist,S2,a,200\nlist,S2,b,250\nlist,S2,against-all,50\n";

/// Writes a package with one file replaced, runs `ashyq check` and `ashyq outcome`, and
/// returns (check exit code, check stdout, outcome exit code, outcome stderr).
fn run(election: &str, units: &str, counts: &str) -> (i32, String, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("election.toml"), election).unwrap();
    fs::write(dir.path().join("units.csv"), units).unwrap();
    fs::write(dir.path().join("counts.csv"), counts).unwrap();
    let p = dir.path().to_str().unwrap();
    let check = Command::new(env!("CARGO_BIN_EXE_ashyq")).args(["check", p]).output().unwrap();
    let outcome = Command::new(env!("CARGO_BIN_EXE_ashyq")).args(["outcome", p]).output().unwrap();
    (
        check.status.code().unwrap(),
        String::from_utf8(check.stdout).unwrap(),
        outcome.status.code().unwrap(),
        String::from_utf8(outcome.stderr).unwrap(),
    )
}

#[track_caller]
fn assert_problem(election: &str, units: &str, counts: &str, expected: &str) {
    let (check_code, check_out, outcome_code, outcome_err) = run(election, units, counts);
    assert_eq!(check_code, 1, "check should find problems:\n{check_out}");
    assert!(check_out.contains(expected), "check output lacks {expected:?}:\n{check_out}");
    assert_eq!(outcome_code, 2, "outcome should fail:\n{outcome_err}");
    assert!(outcome_err.contains(expected), "outcome stderr lacks {expected:?}:\n{outcome_err}");
    assert!(!outcome_err.contains("panicked"), "{outcome_err}");
}

#[test]
fn the_good_package_is_clean() {
    let (check_code, check_out, outcome_code, _) = run(ELECTION, UNITS, COUNTS);
    assert_eq!((check_code, outcome_code), (0, 0), "{check_out}");
}

#[test]
fn bad_numbers_name_the_line_and_field() {
    let counts = COUNTS.replace("list,S1,a,400", "list,S1,a,12x4");
    assert_problem(
        ELECTION,
        UNITS,
        &counts,
        "counts.csv:5: value \"12x4\" is not a non-negative integer",
    );
    let counts = COUNTS.replace("list,S1,a,400", "list,S1,a,-400");
    assert_problem(
        ELECTION,
        UNITS,
        &counts,
        "counts.csv:5: value \"-400\" is not a non-negative integer",
    );
    let counts = COUNTS.replace("list,S1,a,400", "list,S1,a,99999999999999999999999");
    assert_problem(ELECTION, UNITS, &counts, "counts.csv:5: value \"99999999999999999999999\"");
}

#[test]
fn unknown_ids_are_named() {
    assert_problem(
        ELECTION,
        UNITS,
        &COUNTS.replace("list,S1,a,400", "lst,S1,a,400"),
        "counts.csv:5: contest \"lst\" is not defined in election.toml",
    );
    assert_problem(
        ELECTION,
        UNITS,
        &COUNTS.replace("list,S1,a,400", "list,S9,a,400"),
        "counts.csv:5: unit \"S9\" is not in units.csv",
    );
    assert_problem(
        ELECTION,
        UNITS,
        &COUNTS.replace("list,S1,a,400", "list,S1,c,400"),
        "counts.csv:5: line \"c\" is neither a protocol line nor an option of contest \"list\"",
    );
}

#[test]
fn duplicate_rows_point_to_the_first() {
    let counts = format!("{COUNTS}list,S1,a,401\n");
    assert_problem(ELECTION, UNITS, &counts, "counts.csv:14: duplicate row: contest \"list\", unit \"S1\", line \"a\" was already given on line 5");
}

#[test]
fn missing_columns_are_listed() {
    assert_problem(
        ELECTION,
        UNITS,
        &COUNTS.replace("contest,unit,line,value", "contest,unit,line,val"),
        "counts.csv:1: the header lacks the column value",
    );
    assert_problem(
        ELECTION,
        "id,kind,name\nKZ,country,K\n",
        COUNTS,
        "units.csv:1: the header lacks the column parent",
    );
}

#[test]
fn bad_toml_and_unknown_rule_sets() {
    assert_problem(
        &ELECTION.replace("seats = 10", "seats = = 10"),
        UNITS,
        COUNTS,
        "election.toml:11: invalid TOML",
    );
    assert_problem(
        &ELECTION.replace("rules = \"kz-2022\"", "rules = \"kz-1995\""),
        UNITS,
        COUNTS,
        "election.toml:5: unknown rule set \"kz-1995\"",
    );
    assert_problem(
        &ELECTION.replace("seats = 10", "seat = 10"),
        UNITS,
        COUNTS,
        "election.toml:11: invalid TOML: unknown field `seat`",
    );
    assert_problem(
        &ELECTION.replace("kind = \"party-list\"", "kind = \"kurultai\""),
        UNITS,
        COUNTS,
        "election.toml:9: unknown contest kind \"kurultai\"",
    );
    assert_problem(
        &ELECTION.replace("seats = 10\n", ""),
        UNITS,
        COUNTS,
        "a party-list contest needs seats = N",
    );
    assert_problem(
        &ELECTION.replace("id = \"b\"", "id = \"invalid\""),
        UNITS,
        COUNTS,
        "election.toml:19: option id \"invalid\" collides with the protocol line",
    );
    assert_problem(
        &ELECTION.replace("territory = \"KZ\"", "territory = \"XX\""),
        UNITS,
        COUNTS,
        "election.toml:10: territory \"XX\" is not a unit in units.csv",
    );
}

#[test]
fn cycles_and_unknown_parents_in_the_unit_tree() {
    let units =
        "id,parent,kind,name\nKZ,,country,K\nR1,S1,region,R1\nS1,R1,station,S1\nS2,R1,station,S2\n";
    assert_problem(
        ELECTION,
        units,
        COUNTS,
        "unit \"R1\" is its own ancestor: the parent links form a cycle (R1 -> S1 -> R1)",
    );
    let units = UNITS.replace("S2,R1", "S2,R9");
    assert_problem(
        ELECTION,
        &units,
        COUNTS,
        "units.csv:5: parent \"R9\" of unit \"S2\" is not a unit in this file",
    );
    let units = format!("{UNITS}S1,R1,station,dup\n");
    assert_problem(
        ELECTION,
        &units,
        COUNTS,
        "units.csv:6: unit id \"S1\" is already used on an earlier row",
    );
}

#[test]
fn contradictory_counts_fail_the_arithmetic_checks() {
    // Valid votes (400 + 150 + 40 = 590) exceed ballots issued (500) at S1.
    let counts = COUNTS.replace("list,S1,ballots_issued,600", "list,S1,ballots_issued,500");
    let (code, out, outcome_code, _) = run(ELECTION, UNITS, &counts);
    assert_eq!(code, 1);
    assert!(out.contains("counts.csv:3: contest \"list\", unit \"S1\": option votes add up to 590, more than ballots_issued = 500 [error V1]"), "{out}");
    assert!(out.contains("[error R2]"), "{out}");
    // No outcome is declared from counts that fail an error check: exit 1 (issue 7, item 1).
    assert_eq!(outcome_code, 1);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("election.toml"), ELECTION).unwrap();
    fs::write(dir.path().join("units.csv"), UNITS).unwrap();
    fs::write(dir.path().join("counts.csv"), &counts).unwrap();
    let p = dir.path().to_str().unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_ashyq")).args(["outcome", p]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let text = String::from_utf8(refused.stdout).unwrap();
    // The failed checks, in `ashyq check`'s format, and no winner.
    assert!(text.contains("counts.csv:3: contest \"list\", unit \"S1\": option votes add up to 590, more than ballots_issued = 500 [error V1]"), "{text}");
    assert!(text.contains("no outcome:") && !text.contains("Result:"), "{text}");
    // With --ignore-checks: computed, the failed checks at the top, labelled hypothetical.
    let forced = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["outcome", p, "--ignore-checks"])
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));
    let text = String::from_utf8(forced.stdout).unwrap();
    let first_lines: Vec<&str> = text.lines().take(4).collect();
    assert!(
        first_lines.iter().any(|l| l.starts_with("CHECKS IGNORED: 2 protocol check(s)")),
        "{text}"
    );
    assert!(text.contains("Result (hypothetical):"), "{text}");
    let json = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["outcome", p, "--ignore-checks", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["checks_ignored"], true);
    assert_eq!(v["hypothetical"], true);
    assert_eq!(v["failed_checks"][0]["code"], "R2");
    assert_eq!(v["failed_checks"][1]["code"], "V1");
    // More issued than registered.
    let counts = COUNTS.replace("list,S2,registered,800", "list,S2,registered,400");
    let (code, out, _, _) = run(ELECTION, UNITS, &counts);
    assert_eq!(code, 1);
    assert!(out.contains("counts.csv:9: contest \"list\", unit \"S2\": ballots_issued = 500 exceeds registered = 400 [error R5]"), "{out}");
}

#[test]
fn summary_protocols_are_checked_against_their_stations() {
    // A regional summary (R1) that disagrees with S1 + S2 on line a (600 vs 610).
    let counts = format!("{COUNTS}list,R1,a,610\n");
    let (code, out, _, _) = run(ELECTION, UNITS, &counts);
    assert_eq!(code, 1);
    assert!(out.contains("counts.csv:14: contest \"list\", unit \"R1\": summary protocol says 610, the 2 protocols below it add up to 600 [error R7]"), "{out}");
}

#[test]
fn counts_outside_the_territory_are_rejected() {
    let election = ELECTION.replace("territory = \"KZ\"", "territory = \"R1\"");
    let units = format!("{UNITS}R2,KZ,region,R2\n");
    let counts = format!("{COUNTS}list,R2,a,5\n");
    assert_problem(
        &election,
        &units,
        &counts,
        "counts.csv:14: unit \"R2\" is outside the territory \"R1\" of contest \"list\"",
    );
}

#[test]
fn a_missing_folder_or_file_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["outcome", "/nonexistent/package"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/package: does not exist; a package is a folder"), "{err}");
    // A file is not a folder.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("votes.csv");
    fs::write(&file, "x").unwrap();
    let err = ashyq_stderr(&["outcome", file.to_str().unwrap()]);
    assert!(err.contains("votes.csv: is not a folder"), "{err}");
    // An empty folder: all three files are named.
    let err = ashyq_stderr(&["outcome", dir.path().to_str().unwrap()]);
    for f in ["election.toml", "units.csv", "counts.csv"] {
        assert!(err.contains(&format!("{f}: is missing from")), "{f}: {err}");
    }
    fs::write(dir.path().join("election.toml"), ELECTION).unwrap();
    fs::write(dir.path().join("units.csv"), UNITS).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["outcome", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("counts.csv: is missing from") && !err.contains("units.csv:"), "{err}");
}

fn ashyq_stderr(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn a_mistyped_package_name_gets_a_suggestion() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let typo = examples.join("kz-2023-mazhilis");
    let err = ashyq_stderr(&["outcome", typo.to_str().unwrap()]);
    assert!(err.contains("kz-2023-mazhilis: does not exist"), "{err}");
    assert!(err.contains("did you mean") && err.contains("kz-2023-03-19-mazhilis"), "{err}");
}

#[test]
fn totals_that_would_overflow_are_refused_naming_the_line() {
    // Each count fits in 64 bits, but S1 + S2 on line "a" does not.
    let counts = COUNTS
        .replace("list,S1,a,400", "list,S1,a,18446744073709551000")
        .replace("list,S2,a,200", "list,S2,a,1000");
    assert_problem(
        ELECTION,
        UNITS,
        &counts,
        "counts.csv: contest \"list\": the total of line \"a\" at unit \"R1\" exceeds 18446744073709551615",
    );
    // Every line's total fits, but the ballots of R1 (S1 + S2) do not.
    let counts = COUNTS.replace("list,S1,a,400", "list,S1,a,18446744073709551000");
    assert_problem(
        ELECTION,
        UNITS,
        &counts,
        "the option votes, invalid and not-counted ballots at unit \"R1\" add up to more than 18446744073709551615",
    );
}

#[test]
fn messages_quote_at_most_200_bytes_of_the_offending_input() {
    let long = "9".repeat(5_000);
    let counts = COUNTS.replace("list,S1,a,400", &format!("list,S1,a,{long}"));
    let (_, out, _, err) = run(ELECTION, UNITS, &counts);
    for text in [&out, &err] {
        let line = text.lines().find(|l| l.contains("counts.csv:5")).unwrap();
        assert!(line.len() < 400, "{} bytes: {line}", line.len());
        assert!(line.contains("(5000 bytes)"), "{line}");
    }
    let counts = COUNTS.replace("list,S1,a,400", &format!("list,{},a,400", "S".repeat(5_000)));
    let (_, out, _, _) = run(ELECTION, UNITS, &counts);
    let line = out.lines().find(|l| l.contains("counts.csv:5")).unwrap();
    assert!(line.len() < 400 && line.contains("is not in units.csv"), "{line}");
}

#[test]
fn check_json_lists_problems_with_fields() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("election.toml"), ELECTION).unwrap();
    fs::write(dir.path().join("units.csv"), UNITS).unwrap();
    fs::write(dir.path().join("counts.csv"), COUNTS.replace("list,S1,a,400", "list,S1,a,x"))
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["check", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["file"], "counts.csv");
    assert_eq!(v["problems"][0]["line"], 5);
    assert_eq!(v["problems"][0]["field"], "value");
}

#[test]
fn plausibility_warnings_have_configurable_limits() {
    // S1: 600 of 1000 took part (60%); with --max-turnout 55 that is a W1 warning.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("election.toml"), ELECTION).unwrap();
    fs::write(dir.path().join("units.csv"), UNITS).unwrap();
    fs::write(dir.path().join("counts.csv"), COUNTS).unwrap();
    let p = dir.path().to_str().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["check", p, "--max-turnout", "55"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("counts.csv:3: contest \"list\", unit \"S1\": turnout is 60.0% (600 of 1000), above the plausibility limit of 55% (a heuristic, not a rule of law) [warning W1]"), "{text}");
    assert!(text.contains("S2") && text.contains("62.5%"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["check", p, "--max-turnout", "70"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
