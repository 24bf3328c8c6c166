//! `ashyq tally` end to end: output formats, `--by`, and precise errors on bad counts.csv rows
//! (exit 2, `counts.csv:LINE: …`), including rows in the second half of a file read in parallel.

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().expect("run ashyq")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn generate(out: &Path, stations: &str) {
    let o = ashyq(&[
        "generate",
        "--stations",
        stations,
        "--seed",
        "2",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/kz-2023-03-19-mazhilis");

#[test]
fn csv_of_the_2023_example_is_its_counts() {
    let o = ashyq(&["tally", EXAMPLE, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let counts = std::fs::read_to_string(Path::new(EXAMPLE).join("counts.csv")).expect("counts");
    // Same rows, in protocol column order (registered, ballots_issued, invalid, options).
    assert_eq!(text(&o.stdout), counts);
    let o = ashyq(&["tally", EXAMPLE, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["contests"][0]["units"][0]["lines"]["amanat"], 3431510);
    assert_eq!(v["contests"][0]["units"][0]["protocols"], 1);
}

#[test]
fn by_region_gives_twenty_units_that_add_up_to_the_country() {
    let dir = TempDir::new().expect("tempdir");
    let pkg = dir.path().join("p");
    generate(&pkg, "600");
    let p = pkg.to_str().expect("path");
    let national = text(&ashyq(&["tally", p, "--format", "csv"]).stdout);
    let regions = text(&ashyq(&["tally", p, "--format", "csv", "--by", "region"]).stdout);
    let cities = text(&ashyq(&["tally", p, "--format", "csv", "--by", "city"]).stdout);
    let sum = |csv: &str, line: &str| -> u64 {
        csv.lines()
            .filter(|l| l.split(',').nth(2) == Some(line))
            .map(|l| l.rsplit(',').next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0))
            .sum()
    };
    let units: std::collections::BTreeSet<&str> =
        regions.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    assert_eq!(units.len(), 17);
    for line in ["registered", "ballots_issued", "amanat", "against-all"] {
        assert_eq!(sum(&national, line), sum(&regions, line) + sum(&cities, line), "{line}");
    }
    let sorted: Vec<&str> = regions.lines().skip(1).filter_map(|l| l.split(',').nth(1)).collect();
    let mut again = sorted.clone();
    again.sort();
    assert_eq!(sorted, again, "units sorted by id");
    let t = text(&ashyq(&["tally", p]).stdout);
    assert!(t.contains("KZ Kazakhstan (country): 600 protocol(s)"), "{t}");
}

/// A change to one line of counts.csv.
type Edit<'a> = dyn Fn(&str) -> String + 'a;

#[test]
fn bad_rows_are_reported_with_their_line_and_exit_2() {
    let dir = TempDir::new().expect("tempdir");
    let pkg = dir.path().join("p");
    // ~ 12 MB of counts: read in parallel chunks.
    generate(&pkg, "25000");
    let counts_path = pkg.join("counts.csv");
    let original = std::fs::read_to_string(&counts_path).expect("counts");
    let n = original.lines().count();
    let cases: [(usize, &Edit<'_>, &str); 6] = [
        (
            n - 3,
            &|l| {
                l.replace("amanat", "amanat2")
                    .replace("auyl", "auyl2")
                    .replace("qhp", "qhp2")
                    .replace("jsdp", "jsdp2")
            },
            "is neither a protocol line nor an option",
        ),
        (n - 10, &|l| format!("{}x", l), "is not a non-negative integer"),
        (n / 2 + 7, &|l| l.replacen(",", ",NOPE-", 1), "is not in units.csv"),
        (20, &|l| format!("{l},extra"), "row has 5 fields, the header has 4"),
        (n - 1, &|l| l.replacen("mazhilis-list", "senate", 1), "contest \"senate\" is not defined"),
        (n * 3 / 4, &|_| original.lines().nth(5).unwrap_or("").to_owned(), "duplicate row"),
    ];
    for (line_no, edit, msg) in cases {
        let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
        lines[line_no - 1] = edit(&lines[line_no - 1]);
        std::fs::write(&counts_path, lines.join("\n") + "\n").expect("write");
        let o = ashyq(&["tally", pkg.to_str().expect("path"), "--format", "csv"]);
        assert_eq!(o.status.code(), Some(2), "{msg}");
        let err = text(&o.stderr);
        assert!(
            err.contains(&format!("counts.csv:{line_no}: ")) && err.contains(msg),
            "expected line {line_no}: {msg}; got {err}"
        );
        assert!(o.stdout.is_empty());
    }
    // Unusual but valid CSV (quotes, CRLF) is tallied, via the exact path.
    let quoted = original.replacen("mazhilis-list,", "\"mazhilis-list\",", 3).replace('\n', "\r\n");
    std::fs::write(&counts_path, quoted).expect("write");
    let a = ashyq(&["tally", pkg.to_str().expect("path"), "--format", "csv"]);
    std::fs::write(&counts_path, &original).expect("write");
    let b = ashyq(&["tally", pkg.to_str().expect("path"), "--format", "csv"]);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn db_source_gives_the_same_tally_as_the_package() {
    let dir = TempDir::new().expect("tempdir");
    let pkg = dir.path().join("p");
    generate(&pkg, "300");
    let p = pkg.to_str().expect("path");
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    let o = ashyq(&["import", p, "--db", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for by in [&[][..], &["--by", "region"][..], &["--by", "station"][..]] {
        let mut a = vec!["tally", "--db", url.as_str(), "--format", "csv"];
        a.extend_from_slice(by);
        let from_db = ashyq(&a);
        assert_eq!(from_db.status.code(), Some(0), "{}", text(&from_db.stderr));
        let mut b = vec!["tally", p, "--format", "csv"];
        b.extend_from_slice(by);
        assert_eq!(text(&from_db.stdout), text(&ashyq(&b).stdout), "{by:?}");
    }
    let o = ashyq(&["tally", "--db", &url, "--election", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("election \"nope\" is not in the record"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn argument_errors() {
    let o = ashyq(&["tally", EXAMPLE, "--db", "sqlite:./x.db"]);
    assert_eq!(o.status.code(), Some(2), "package and --db conflict");
    let o = ashyq(&["tally"]);
    assert_eq!(o.status.code(), Some(2), "a source is required");
    let o = ashyq(&["tally", EXAMPLE, "--election", "x"]);
    assert_eq!(o.status.code(), Some(2), "--election needs --db");
    let o = ashyq(&["tally", EXAMPLE, "--by", "oblast"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(
            "no unit has kind \"oblast\"; the kinds in units.csv are: city, country, region"
        ),
        "{}",
        text(&o.stderr)
    );
}
