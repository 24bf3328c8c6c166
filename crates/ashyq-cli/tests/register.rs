//! `ashyq register`, `ashyq party` and `ashyq candidate` through the binary: the JSON contract
//! and every count on a hand-made register, a generated register checked exactly against its
//! planted truth, the report, import into the register database with counts and membership,
//! bad input (exit 2, file:line), and the party and candidate checks.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/register").join(name)
}

fn units() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/kz-2023-03-19-mazhilis/units.csv")
}

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn check_json_contract_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    let voters = data("voters.csv");
    let stations = data("stations.csv");
    let o = ashyq(&[
        "register",
        "check",
        p(&voters),
        "--stations",
        p(&stations),
        "--election-date",
        "2023-03-19",
        "--format",
        "json",
        "--report",
        p(&report),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Keys and reason order are the contract.
    assert_eq!(
        stdout(&o),
        "{\"rows\":12,\"accepted\":4,\"rejected\":{\"invalid_iin\":1,\"duplicate_iin\":2,\"birth_date_mismatch\":1,\"under_18\":2,\"unknown_station\":1},\"malformed\":1}\n"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        report,
        "line,reason,detail
3,invalid_iin,\"iin \"\"900101300008\"\": the check digit of the IIN is 8, but digits 1-11 give 7\"
4,duplicate_iin,iin 850515401239 is also on line 5
5,duplicate_iin,iin 850515401239 is also on line 4
6,birth_date_mismatch,\"birth_date 2000-03-01 differs from 2000-02-29, the date in the IIN\"
7,under_18,\"born 2006-12-11, 16 years old on election day 2023-03-19 (18 needed)\"
9,under_18,\"born 2005-03-20, 17 years old on election day 2023-03-19 (18 needed)\"
11,unknown_station,\"station \"\"S3\"\" is not in the stations file\"
12,malformed,\"5 fields, expected 4 (iin,full_name,birth_date,station)\"
"
    );
    let o = ashyq(&[
        "register",
        "check",
        p(&voters),
        "--stations",
        p(&stations),
        "--election-date",
        "2023-03-19",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("12 rows checked against 2 polling stations for election day 2023-03-19"),
        "{text}"
    );
    assert!(text.contains("    duplicate_iin                  2\n"), "{text}");
    // A day later, the voter born on 2005-03-20 is 18.
    let o = ashyq(&[
        "register",
        "check",
        p(&voters),
        "--stations",
        p(&stations),
        "--election-date",
        "2023-03-20",
        "--format",
        "json",
    ]);
    assert!(stdout(&o).contains("\"accepted\":5,"), "{}", stdout(&o));
}

/// The Done-when on a smaller register: every count exact, from one binary run.
#[test]
fn generated_register_counts_match_the_planted_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reg");
    let o = ashyq(&[
        "register",
        "generate",
        "--rows",
        "150000",
        "--stations",
        "500",
        "--seed",
        "12",
        "--election-date",
        "2023-03-19",
        "--out",
        p(&out),
        "--defects",
        "10000,8000,6000,6000,4000,6000",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("truth.json")).unwrap()).unwrap();
    for threads in ["1", "2"] {
        let o = ashyq(&[
            "register",
            "check",
            p(&out.join("voters.csv")),
            "--stations",
            p(&out.join("stations.csv")),
            "--election-date",
            "2023-03-19",
            "--format",
            "json",
            "--threads",
            threads,
        ]);
        assert_eq!(o.status.code(), Some(1));
        let got: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        for key in ["rows", "accepted", "rejected", "malformed"] {
            assert_eq!(got[key], truth[key], "{key}");
        }
        for (reason, n) in truth["rejected"].as_object().unwrap() {
            assert!(n.as_u64().unwrap() > 300, "{reason} planted often");
        }
    }
}

#[test]
fn import_counts_and_membership() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("register.db").display());
    let voters = data("voters.csv");
    let stations = data("stations.csv");
    let o = ashyq(&[
        "register",
        "import",
        p(&voters),
        "--stations",
        p(&stations),
        "--election-date",
        "2023-03-19",
        "--register",
        &url,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("\"stored\":4"), "{}", stdout(&o));
    let o = ashyq(&["register", "counts", "--register", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "station,registered\nS1,1\nS2,3\n");
    let o = ashyq(&["register", "counts", "--register", &url, "--contest", "mazhilis-list"]);
    assert_eq!(
        stdout(&o),
        "contest,unit,line,value\nmazhilis-list,S1,registered,1\nmazhilis-list,S2,registered,3\n"
    );
    let o = ashyq(&["register", "membership", "--register", &url, "--iin", "900101300017"]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "registered at polling station S2\n")
    );
    // A duplicate is not on the register; neither is an unknown digest.
    let o = ashyq(&["register", "membership", "--register", &url, "--iin", "850515401239"]);
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(1), "not on the register\n"));
    let o = ashyq(&["register", "membership", "--register", &url, "--digest", &"0".repeat(64)]);
    assert_eq!(o.status.code(), Some(1));
    let o = ashyq(&["register", "membership", "--register", &url, "--iin", "900101300008"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("check digit"), "{}", stderr(&o));
    // Nothing personal in the counts output.
    let o = ashyq(&["register", "counts", "--register", &url]);
    assert!(!stdout(&o).contains("9001013000"));
}

#[test]
fn the_register_never_shares_the_records_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("record.db").display());
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/kz-2022-06-05-referendum");
    let o = ashyq(&["import", p(&example), "--db", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ashyq(&[
        "register",
        "import",
        p(&data("voters.csv")),
        "--stations",
        p(&data("stations.csv")),
        "--election-date",
        "2023-03-19",
        "--register",
        &url,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs a database of its own"), "{}", stderr(&o));
}

#[test]
fn bad_input_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "iin,full_name,birth,station\n900101300007,A,1990-01-01,S1\n").unwrap();
    let o = ashyq(&[
        "register",
        "check",
        p(&bad),
        "--stations",
        p(&data("stations.csv")),
        "--election-date",
        "2023-03-19",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.csv:1: the header has no column birth_date"),
        "{}",
        stderr(&o)
    );
    let o = ashyq(&[
        "register",
        "check",
        p(&data("voters.csv")),
        "--stations",
        p(&bad),
        "--election-date",
        "2023-03-19",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.csv:1: the header is"), "{}", stderr(&o));
    let o = ashyq(&[
        "register",
        "check",
        p(&data("voters.csv")),
        "--stations",
        p(&data("stations.csv")),
        "--election-date",
        "2023-02-30",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"2023-02-30\" is not a date"), "{}", stderr(&o));
    let o = ashyq(&[
        "register",
        "counts",
        "--register",
        &format!("sqlite:{}", dir.path().join("none.db").display()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("there is no register"), "{}", stderr(&o));
    let list = dir.path().join("list.csv");
    std::fs::write(&list, "name,member,woman,birth_date,disability\nA,yes,maybe,1990-01-01,no\n")
        .unwrap();
    let o = ashyq(&["party", "list", p(&list), "--seats", "5", "--on", "2023-03-19"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("list.csv:2: woman: \"maybe\" is not yes or no"), "{}", stderr(&o));
}

#[test]
fn party_checks() {
    let u = units();
    let o =
        ashyq(&["party", "check", p(&data("party.toml")), "--units", p(&u), "--on", "2024-01-01"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("20 branches for 20 regions"), "{}", stdout(&o));
    // The same party under the rules before 2022 fails the membership threshold.
    let o = ashyq(&[
        "party",
        "check",
        p(&data("party.toml")),
        "--units",
        p(&u),
        "--on",
        "2024-01-01",
        "--rules",
        "kz-2007",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["findings"][0]["code"], "P1");
    assert_eq!(
        v["findings"][0]["message"],
        "the party has 5000 members; at least 20000 are required"
    );
    let o = ashyq(&["party", "list", p(&data("list.csv")), "--seats", "10", "--on", "2023-03-19"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // With 9 seats, 13 candidates are too many (at most 9 + 3 = 12).
    let o = ashyq(&["party", "list", p(&data("list.csv")), "--seats", "9", "--on", "2023-03-19"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("L2 fails: the list has 13 candidates; 9 seats allow at most 12"),
        "{}",
        stdout(&o)
    );
    // Candidate 4 (born 1999-05-01) is 29 on 2028-05-01: no longer young, the quota fails.
    let o = ashyq(&["party", "list", p(&data("list.csv")), "--seats", "10", "--on", "2028-05-01"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("3 of 13 candidates"), "{}", stdout(&o));
    let mandates = |decided: &str| {
        ashyq(&[
            "party",
            "mandates",
            p(&data("list.csv")),
            "--chosen",
            p(&data("chosen.txt")),
            "--won",
            "3",
            "--results",
            "2023-03-27",
            "--decided",
            decided,
            "--on",
            "2023-03-19",
        ])
    };
    assert_eq!(mandates("2023-04-06").status.code(), Some(0));
    let o = mandates("2023-04-07");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("M4 fails"), "{}", stdout(&o));
}

#[test]
fn candidate_checks() {
    let o = ashyq(&[
        "candidate",
        "check",
        p(&data("candidates.csv")),
        "--office",
        "president",
        "--on",
        "2022-11-20",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains(
            "C-president fails: Too young is 39 on 2022-11-20; president requires at least 40"
        ),
        "{text}"
    );
    assert!(
        text.contains("C-president undetermined: Unknown language: the file does not say whether"),
        "{text}"
    );
    assert!(!text.contains("Eligible"), "{text}");
    let o = ashyq(&[
        "candidate",
        "check",
        p(&data("candidates.csv")),
        "--office",
        "mayor",
        "--on",
        "2022-11-20",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown office \"mayor\""));
    let o = ashyq(&[
        "candidate",
        "signatures",
        p(&data("signatures.csv")),
        "--voters",
        "11827277",
        "--units",
        p(&units()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.contains("118000 valid signatures from 14 regions; required 118273 (1% of 11827277 voters) from at least 14 of 20 regions"), "{text}");
    assert!(
        text.contains("N1 fails: 118000 valid signatures; 1% of 11827277 voters is 118273"),
        "{text}"
    );
    assert!(text.contains("N3 undetermined"), "{text}");
    let o = ashyq(&[
        "candidate",
        "signatures",
        p(&data("signatures.csv")),
        "--voters",
        "11800000",
        "--units",
        p(&units()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}
