//! `ashyq allocate` end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

fn write(dir: &TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write test file");
    path
}

fn ashyq(args: &[&str], file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .arg("allocate")
        .args(args)
        .arg(file)
        .output()
        .expect("run ashyq")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const MAZHILIS_2023: &str = "option,votes
Amanat,3431510
Auyl,693938
Respublica,547154
Ak Zhol,535139
People's Party,432920
JSDP,331058
Baytaq,146431
";

#[test]
fn mazhilis_2023_hare_with_against_all_in_the_base() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "2023.csv", MAZHILIS_2023);
    let out = ashyq(
        &["--method", "hare", "--seats", "69", "--threshold", "5", "--threshold-base", "6366441"],
        &file,
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "option,votes,seats
Amanat,3431510,40
Auyl,693938,8
Respublica,547154,6
Ak Zhol,535139,6
People's Party,432920,5
JSDP,331058,4
Baytaq,146431,0
"
    );
}

#[test]
fn threshold_defaults_to_the_sum_of_the_file() {
    // Sum 1000: 5% = 50. C has exactly 50 and passes; D (49) fails.
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "t.csv", "option,votes\nA,600\nB,301\nC,50\nD,49\n");
    let out = ashyq(&["--method", "dhondt", "--seats", "10", "--threshold", "5"], &file);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    // D'Hondt over A 600, B 301, C 50, quotients ranked: 600, 301, 300, 200, 150.5,
    // 150, 120, 100.3, 100, 85.7 → A 7, B 3, C 0.
    assert_eq!(stdout(&out), "option,votes,seats\nA,600,7\nB,301,3\nC,50,0\nD,49,0\n");
    // At 5.1% C fails too, and a decimal percentage parses exactly: same seats here.
    let out = ashyq(&["--method", "hare", "--seats", "10", "--threshold", "5.1"], &file);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    // Hare over A 600 + B 301 = 901: shares 6.659, 3.341 → A 7, B 3.
    assert_eq!(stdout(&out), "option,votes,seats\nA,600,7\nB,301,3\nC,50,0\nD,49,0\n");
    // Without a threshold Hare gives C a seat: shares 6, 3.01, 0.5, 0.49 → C takes the 10th.
    let out = ashyq(&["--method", "hare", "--seats", "10"], &file);
    assert_eq!(stdout(&out), "option,votes,seats\nA,600,6\nB,301,3\nC,50,1\nD,49,0\n");
}

const TIED: &str = "option,votes\nFirst,100\nSecond,100\nThird,50\n";

#[test]
fn tie_under_error_exits_1_naming_options() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "tie.csv", TIED);
    // D'Hondt, 3 seats: 100, 100, 50, 50, 50 → First, Second, then a three-way tie.
    let out = ashyq(&["--method", "dhondt", "--seats", "3"], &file);
    assert_eq!(out.status.code(), Some(1), "stdout: {}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("\"First\", \"Second\" and \"Third\""), "{err}");
    assert!(err.contains("for 1 seat"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn tie_under_order_goes_to_the_earlier_row() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "tie.csv", TIED);
    let out = ashyq(&["--method", "dhondt", "--seats", "3", "--ties", "order"], &file);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "option,votes,seats\nFirst,100,2\nSecond,100,1\nThird,50,0\n");
    assert!(stderr(&out).contains("registration order"), "{}", stderr(&out));
}

#[test]
fn tie_under_lot_is_deterministic_per_seed() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "tie.csv", TIED);
    let run = |seed: &str| {
        let out =
            ashyq(&["--method", "dhondt", "--seats", "3", "--ties", "lot", "--seed", seed], &file);
        assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
        assert!(stderr(&out).contains(&format!("by lot with seed {seed}")), "{}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(run("42"), run("42"));
    let mut outcomes = std::collections::BTreeSet::new();
    for seed in 0..30 {
        let out = run(&seed.to_string());
        let total: u32 = out
            .lines()
            .skip(1)
            .map(|l| l.rsplit(',').next().and_then(|s| s.parse::<u32>().ok()).unwrap_or(99))
            .sum();
        assert_eq!(total, 3, "{out}");
        outcomes.insert(out);
    }
    assert!(outcomes.len() > 1, "different seeds should be able to give different draws");
}

#[test]
fn lot_without_seed_is_a_usage_error() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "tie.csv", TIED);
    let out = ashyq(&["--method", "dhondt", "--seats", "3", "--ties", "lot"], &file);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--seed"), "{}", stderr(&out));
}

#[test]
fn bad_number_reports_file_and_line() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "votes.csv", "option,votes\nA,10\nB,20\nC,30\nD,12x4\n");
    let out = ashyq(&["--method", "hare", "--seats", "5"], &file);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("votes.csv:5: value \"12x4\" in column votes is not a non-negative integer"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn malformed_files_exit_2() {
    let dir = TempDir::new().expect("tempdir");
    let cases = [
        ("missing.csv", "option,count\nA,1\n", "missing.csv:1: missing column votes"),
        ("empty.csv", "", "empty.csv: empty file"),
        ("header.csv", "option,votes\n", "header.csv: no rows after the header"),
        ("dup.csv", "option,votes\nA,1\nB,2\nA,3\n", "dup.csv:4: duplicate option \"A\""),
        (
            "short.csv",
            "option,votes\nA,1\nB\n",
            "short.csv:3: the row has 1 field(s) but the header has 2 (option,votes)",
        ),
        (
            "thousands.csv",
            "option,votes\nA,1,000\nB,50\n",
            "thousands.csv:2: the row has 3 field(s) but the header has 2 (option,votes): \"A,1,000\"; a thousands separator",
        ),
        (
            "neg.csv",
            "option,votes\nA,-1\n",
            "neg.csv:2: value \"-1\" in column votes is not a non-negative integer",
        ),
        (
            "big.csv",
            "option,votes\nA,99999999999999999999\n",
            "big.csv:2: value \"99999999999999999999\" in column votes is too large",
        ),
        ("noname.csv", "option,votes\n,5\n", "noname.csv:2: empty value in column option"),
    ];
    for (name, contents, expected) in cases {
        let file = write(&dir, name, contents);
        let out = ashyq(&["--method", "dhondt", "--seats", "3"], &file);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
    let out = ashyq(&["--method", "dhondt", "--seats", "3"], &dir.path().join("nope.csv"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.csv"), "{}", stderr(&out));
}

#[test]
fn bad_arguments_exit_2() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "ok.csv", "option,votes\nA,10\n");
    for args in [
        &["--method", "plurality", "--seats", "3"][..],
        &["--method", "hare", "--seats", "3", "--threshold", "five"][..],
        &["--method", "hare", "--seats", "3", "--threshold", "101"][..],
        &["--method", "hare", "--seats", "3", "--threshold-base", "10"][..],
    ] {
        let out = ashyq(args, &file);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    // Nobody passing the threshold is an error too.
    let file = write(&dir, "few.csv", "option,votes\nA,10\n");
    let out = ashyq(
        &["--method", "hare", "--seats", "3", "--threshold", "5", "--threshold-base", "1000"],
        &file,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no option passed the threshold"), "{}", stderr(&out));
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(["allocate", "--help"])
        .output()
        .expect("run ashyq");
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for needle in [
        "--method",
        "--seats",
        "--threshold",
        "--threshold-base",
        "--ties",
        "--seed",
        "sum",
        "huntington-hill",
    ] {
        assert!(help.contains(needle), "help lacks {needle}:\n{help}");
    }
}

#[test]
fn standard_input_is_read_without_a_file_and_checked_the_same_way() {
    use std::io::Write;
    let run = |input: &str, extra: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ashyq"))
            .args(["allocate", "--method", "hare", "--seats", "3"])
            .args(extra)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run ashyq");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
        child.wait_with_output().expect("wait")
    };
    // The example: "1,000" must not be read as 1 vote.
    let out = run("option,votes\nA,1,000\nB,50\n", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<stdin>:2: the row has 3 field(s)"), "{}", stderr(&out));
    let out = run("option,votes\nA,1000\nB,50\n", &["-"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "option,votes,seats\nA,1000,3\nB,50,0\n");
}

#[test]
fn messages_quote_at_most_200_bytes_of_a_field() {
    let dir = TempDir::new().expect("tempdir");
    let file = write(&dir, "long.csv", &format!("option,votes\nA,{}\n", "x".repeat(10_000)));
    let out = ashyq(&["--method", "dhondt", "--seats", "3"], &file);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.len() < 500 && err.contains("(10000 bytes)"), "{} bytes: {err}", err.len());
}
