//! Observers and audits in the record from the shell (issue 9): `ashyq observe import|turnout|
//! list`, `ashyq compare --db` (the same JSON keys and numbers as comparing two packages), and
//! `ashyq audit commit|sample|evaluate|close --db`, then `ashyq verify` on the database and on
//! the exported folder; on SQLite and (when `ASHYQ_TEST_POSTGRES` is set; required when `CI` is
//! set) on PostgreSQL.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn ashyq(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ASHYQ_DB")
        .output()
        .expect("run ashyq")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn district() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/district-observers")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn pg_url() -> Option<(ashyq_store::testing::PgSchema, String)> {
    ashyq_store::testing::pg_test_schema()
}

#[test]
fn observers_and_audit_in_the_record_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", tmp.path().join("record.db").display());
    flow(&db, tmp.path());
}

#[test]
fn observers_and_audit_in_the_record_postgres() {
    let Some((_pg, url)) = pg_url() else { return };
    let tmp = tempfile::tempdir().unwrap();
    flow(&url, tmp.path());
}

/// The worked example of docs/verification.md, in the record.
fn flow(db: &str, cwd: &Path) {
    let d = district();
    let key = s(&cwd.join("commission.key"));
    let o = ashyq(&["import", &s(&d.join("official")), "--db", db, "--key", &key], cwd);
    assert_eq!(code(&o), 0, "{o:?}");

    // Bad input: file:line and field, nothing stored.
    let bad = cwd.join("bad.csv");
    std::fs::write(
        &bad,
        "contest,unit,line,value,photo_sha256\nd7,D7-01,aigerim,1,\nd7,D7-01,gamma,2,\nd7,D7-99,bolat,3,\nd7,D7-02,bolat,x,\n",
    )
    .unwrap();
    let o = ashyq(
        &["observe", "import", "--db", db, "--key", &key, "--observer", "adil-soz", &s(&bad)],
        cwd,
    );
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("bad.csv:5: field value: \"x\" is not a non-negative integer"),
        "{}",
        err(&o)
    );
    std::fs::write(
        &bad,
        "contest,unit,line,value,photo_sha256\nd7,D7-01,aigerim,1,\nd7,D7-01,gamma,2,\nd7,D7-99,bolat,3,nothex\n",
    )
    .unwrap();
    let o = ashyq(
        &["observe", "import", "--db", db, "--key", &key, "--observer", "adil-soz", &s(&bad)],
        cwd,
    );
    assert_eq!(code(&o), 2);
    let e = err(&o);
    assert!(e.contains("nothing was stored"), "{e}");
    assert!(e.contains("bad.csv:3: field line: line \"gamma\""), "{e}");
    assert!(e.contains("bad.csv:4: field unit: unit \"D7-99\""), "{e}");
    let o = ashyq(&["observe", "list", "--db", db], cwd);
    assert!(out(&o).contains(": 0 copies"), "{}", out(&o));

    // The observer group's copies of the 15 protocols.
    let o = ashyq(
        &[
            "observe",
            "import",
            "--db",
            db,
            "--key",
            &key,
            "--observer",
            "adil-soz",
            &s(&d.join("observed")),
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(out(&o).contains("stored 15 copies of observer adil-soz"), "{}", out(&o));
    // The same copies again: nothing to supersede.
    let o = ashyq(
        &[
            "observe",
            "import",
            "--db",
            db,
            "--key",
            &key,
            "--observer",
            "adil-soz",
            &s(&d.join("observed")),
        ],
        cwd,
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("same lines as version 1"), "{}", err(&o));

    // compare --db: the package comparison's numbers and keys.
    let o = ashyq(&["compare", "--db", db, "--format", "json"], cwd);
    assert_eq!(code(&o), 1, "differences → exit 1");
    let rec: Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = ashyq(
        &["compare", &s(&d.join("official")), &s(&d.join("observed")), "--format", "json"],
        cwd,
    );
    let pkg: Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in [
        "stations_compared",
        "stations_missing",
        "stations_differing",
        "stations_extra",
        "abs_diff",
        "stations",
        "outcomes",
    ] {
        assert_eq!(rec[k], pkg[k], "{k}");
    }
    assert_eq!(rec["stations_differing"], 4);
    assert_eq!(rec["abs_diff"], 664);
    assert_eq!(rec["contests"][0]["decision"], pkg["contests"][0]["decision"]);
    assert_eq!(rec["contests"][0]["outcome_changed"], true);
    assert_eq!(rec["contests"][0]["by_unit"][0]["unit"], "D7");
    assert_eq!(rec["contests"][0]["by_unit"][0]["stations_differing"], 4);
    assert_eq!(rec["observers"][0], "adil-soz");
    let o = ashyq(&["compare", "--db", db, "--observer", "adil-soz", "--contest", "d7"], cwd);
    let t = out(&o);
    assert!(
        t.contains("outcome if the observer copies are right: aigerim elected  [CHANGED]"),
        "{t}"
    );
    assert!(t.contains("district D7: 4 of 15 compared differ"), "{t}");
    // Positional packages and --db do not mix.
    let o = ashyq(&["compare", "--db", db, &s(&d.join("official")), &s(&d.join("observed"))], cwd);
    assert_eq!(code(&o), 2);

    // A later copy of one protocol needs a reason, and becomes version 2.
    let fix = cwd.join("fix.csv");
    std::fs::write(
        &fix,
        format!("contest,unit,line,value,photo_sha256\nd7,D7-03,aigerim,300,{}\n", "A".repeat(64)),
    )
    .unwrap();
    let o = ashyq(
        &["observe", "import", "--db", db, "--key", &key, "--observer", "adil-soz", &s(&fix)],
        cwd,
    );
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("fix.csv:2: field protocol:") && err(&o).contains("only with a reason"),
        "{}",
        err(&o)
    );
    let o = ashyq(
        &[
            "observe",
            "import",
            "--db",
            db,
            "--key",
            &key,
            "--observer",
            "adil-soz",
            "--reason",
            "a clearer photo",
            &s(&fix),
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(out(&o).contains("1 superseding"), "{}", out(&o));
    let o = ashyq(&["observe", "list", "--db", db, "--unit", "D7-03", "--format", "json"], cwd);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v["observations"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[1]["version"].as_u64(), list[1]["reason"].as_str()),
        (Some(2), Some("a clearer photo"))
    );
    assert_eq!(list[1]["photo_sha256"], "a".repeat(64));

    // Observers' turnout counts against the commission's snapshots.
    let o = ashyq(
        &[
            "protocol",
            "turnout",
            "--db",
            db,
            "--key",
            &key,
            "--unit",
            "D7-01",
            "--hour",
            "12:00",
            "--voters",
            "600",
            "--author",
            "pec",
            "--time",
            "2023-03-19T12:05:00+05:00",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let counts = cwd.join("turnout.csv");
    std::fs::write(&counts, "unit,hour,voters\nD7-01,12:00,400\nD7-02,11:45,120\n").unwrap();
    let o = ashyq(
        &["observe", "turnout", "--db", db, "--key", &key, "--observer", "adil-soz", &s(&counts)],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let o =
        ashyq(&["compare", "--db", db, "--turnout", "--tolerance", "10", "--format", "json"], cwd);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["compared"].as_u64(), v["flagged"][0]["excess"].as_u64()), (Some(1), Some(200)));
    assert_eq!(v["without_official"][0]["unit"], "D7-02");
    std::fs::write(&counts, "unit,hour,voters\nD7-01,25:00,400\n").unwrap();
    let o = ashyq(
        &["observe", "turnout", "--db", db, "--key", &key, "--observer", "x", &s(&counts)],
        cwd,
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("turnout.csv:2: field hour"), "{}", err(&o));

    // The audit, kept in the record.
    let bundle = cwd.join("bundle");
    let o = ashyq(
        &[
            "audit",
            "commit",
            "--db",
            db,
            "--key",
            &key,
            "--risk-limit",
            "5",
            "--author",
            "audit board",
            "--out",
            &s(&bundle),
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let digest = out(&o).lines().last().unwrap().to_owned();
    assert!(out(&o).contains("15 stations, 1 assertions, first round 15 draws"), "{}", out(&o));
    // The bundle works with the package commands too (the same draws).
    let o = ashyq(&["audit", "sample", "--bundle", &s(&bundle), "--seed", "1 6 2 3 5 4"], cwd);
    assert_eq!(out(&o).lines().last(), Some("# 10 distinct stations to hand-count"));
    let package_draws: Vec<String> =
        out(&o).lines().filter(|l| !l.starts_with('#')).map(str::to_owned).collect();
    let o = ashyq(&["audit", "sample", "--db", db, "--key", &key, "--seed", "1 6 2 3 5 4"], cwd);
    assert_eq!(code(&o), 2, "--author is required for a write");
    let o = ashyq(
        &[
            "audit",
            "sample",
            "--db",
            db,
            "--key",
            &key,
            "--seed",
            "1 6 2 3 5 4",
            "--author",
            "audit board",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(out(&o).contains(&digest));
    let record_draws: Vec<String> =
        out(&o).lines().filter(|l| !l.starts_with('#')).map(str::to_owned).collect();
    assert_eq!(record_draws, package_draws);
    let o = ashyq(
        &[
            "audit",
            "sample",
            "--db",
            db,
            "--key",
            &key,
            "--seed",
            "6 6 6",
            "--author",
            "audit board",
        ],
        cwd,
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("was seeded with \"1 6 2 3 5 4\""), "{}", err(&o));
    let o = ashyq(&["audit", "close", "--db", db, "--key", &key, "--author", "audit board"], cwd);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("no hand count yet"), "{}", err(&o));
    let o = ashyq(&["audit", "evaluate", "--db", db], cwd);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("waiting for the hand counts of 10 drawn stations"), "{}", out(&o));
    let o = ashyq(
        &[
            "audit",
            "evaluate",
            "--db",
            db,
            "--key",
            &key,
            "--author",
            "audit board",
            "--hand-count",
            &s(&d.join("observed")),
        ],
        cwd,
    );
    assert_eq!(code(&o), 1, "{o:?}");
    let t = out(&o);
    assert!(t.contains("draw 1: D7-07 taint 0.280472"), "{t}");
    assert!(t.contains("measured risk: 1\n"), "{t}");
    assert!(t.contains("full hand count:"), "{t}");
    let o = ashyq(&["audit", "close", "--db", db, "--key", &key, "--author", "audit board"], cwd);
    assert_eq!(code(&o), 1, "a full hand count is required → exit 1");
    assert!(out(&o).contains("a full hand count is required, measured risk 1"), "{}", out(&o));

    // The record verifies, in the database and exported; the official outcome is untouched.
    let o = ashyq(&["verify", "--db", db], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let folder = cwd.join("folder");
    let o = ashyq(&["export", "--db", db, "--out", &s(&folder)], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["verify", "--record", &s(&folder)], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["outcome", &s(&folder)], cwd);
    assert!(out(&o).contains("Result: Bolat B. is elected"), "{}", out(&o));
    let log = std::fs::read_to_string(folder.join("log.jsonl")).unwrap();
    assert_eq!(log.matches("\"leaf\":\"ashyq/observation\"").count(), 16);
    assert_eq!(log.matches("\"leaf\":\"ashyq/observed_turnout\"").count(), 2);
    // One vote moved on a copy in the exported log: verify names it.
    let edited = log.replacen("\"aigerim\":366", "\"aigerim\":367", 1);
    assert_ne!(edited, log);
    std::fs::write(folder.join("log.jsonl"), edited).unwrap();
    let o = ashyq(&["verify", "--record", &s(&folder)], cwd);
    assert_eq!(code(&o), 1);
    assert!(out(&o).contains("root") || err(&o).contains("root"), "{o:?}");
}
