//! The record from the shell: `ashyq import`, `protocol`, `verify`, `export`, on SQLite and
//! (when `ASHYQ_TEST_POSTGRES` is set; required when `CI` is set) on PostgreSQL.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ashyq(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args(args)
        .current_dir(cwd)
        .env_remove("ASHYQ_DB")
        .output()
        .expect("run ashyq")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn small() -> String {
    repo().join("crates/ashyq-store/test_data/small").display().to_string()
}

fn pg_url() -> Option<(ashyq_store::testing::PgSchema, String)> {
    ashyq_store::testing::pg_test_schema()
}

/// The whole station-level flow against one database URL.
fn station_flow(db: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cwd = tmp.path();
    let key = cwd.join("commission.key").display().to_string();
    let o = ashyq(&["import", &small(), "--db", db, "--key", &key], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(
        stdout(&o).contains("stored 7 protocols of election test-2026-station"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("checkpoint signed"));
    let o = ashyq(&["import", &small(), "--db", db], cwd);
    assert_eq!(code(&o), 2, "a second import is an error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("already in the record"));

    let o = ashyq(&["verify", "--db", db], cwd);
    assert_eq!(code(&o), 0, "{o:?}");

    let correct = |extra: &[&str]| {
        let mut a = vec![
            "protocol",
            "correct",
            "--db",
            db,
            "--key",
            &key,
            "--contest",
            "president",
            "--unit",
            "S001",
            "--author",
            "clerk-7",
            "--time",
            "2026-03-02T09:00:00+05:00",
        ];
        a.extend_from_slice(extra);
        ashyq(&a, cwd)
    };
    let o = correct(&["--set", "alpha=590", "--set", "against-all=60"]);
    assert_eq!(code(&o), 2, "no reason: {o:?}");
    let o = correct(&["--set", "alpha=1590", "--reason", "typo"]);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(
        stdout(&o).contains("rejected, nothing stored") && stdout(&o).contains("R2 error"),
        "{}",
        stdout(&o)
    );
    let o = correct(&["--set", "alpha=590", "--set", "against-all=60", "--reason", "recount"]);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(stdout(&o).contains("accepted as version 2"));
    let o = ashyq(
        &["protocol", "history", "--db", db, "--contest", "president", "--unit", "S001"],
        cwd,
    );
    let h = stdout(&o);
    assert!(
        h.contains("version 1 by import")
            && h.contains("version 2 by clerk-7 at 2026-03-02T04:00:00Z (log entry 9): recount"),
        "{h}"
    );
    assert!(h.contains("alpha=590"));

    let o = ashyq(&["protocol", "progress", "--db", db], cwd);
    assert_eq!(
        stdout(&o),
        "president: 7 of 7 protocols reported, 8100 registered voters covered\n"
    );
    let o = ashyq(
        &[
            "protocol", "turnout", "--db", db, "--key", &key, "--unit", "S001", "--hour", "10:00",
            "--voters", "150", "--author", "s1",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["protocol", "turnout", "--db", db], cwd);
    assert!(stdout(&o).contains("KZ,10:00,150,1"), "{}", stdout(&o));
    let o = ashyq(&["protocol", "certify", "--db", db], cwd);
    assert_eq!(code(&o), 2, "a signed record needs its key: {o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("--key"), "{o:?}");
    let o = ashyq(&["protocol", "certify", "--db", db, "--key", &key], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(
        stdout(&o).contains("president,KZ,alpha,3610") && stdout(&o).contains("Alpha Candidate"),
        "{}",
        stdout(&o)
    );

    let out = cwd.join("record").display().to_string();
    let o = ashyq(&["export", "--db", db, "--out", &out], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["verify", "--record", &out], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    // The exported folder is a package: its outcome is the stored totals' outcome.
    let o = ashyq(&["outcome", &out], cwd);
    assert!(stdout(&o).contains("3,610"), "{}", stdout(&o));
    // Alter one value of the exported log: verify names it.
    let log = Path::new(&out).join("log.jsonl");
    let text = std::fs::read_to_string(&log).expect("read");
    std::fs::write(&log, text.replacen("\"beta\":180", "\"beta\":181", 1)).expect("write");
    let o = ashyq(&["verify", "--record", &out], cwd);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(stdout(&o).contains("the log was altered"), "{}", stdout(&o));
    let o = ashyq(&["verify", "--record", &cwd.join("nowhere").display().to_string()], cwd);
    assert_eq!(code(&o), 2, "{o:?}");
}

fn double_entry_flow(db: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cwd = tmp.path();
    // A definition with no protocols: copy the package with an empty counts.csv.
    let pkg = cwd.join("pkg");
    std::fs::create_dir(&pkg).expect("mkdir");
    for f in ["election.toml", "units.csv"] {
        std::fs::copy(Path::new(&small()).join(f), pkg.join(f)).expect("copy");
    }
    std::fs::write(pkg.join("counts.csv"), "contest,unit,line,value\n").expect("write");
    let o = ashyq(&["import", &pkg.display().to_string(), "--db", db, "--double-entry"], cwd);
    assert!(stdout(&o).contains("stored 0 protocols"), "{o:?}");
    let entry = |author: &str, alpha: u64| {
        let set_alpha = format!("alpha={alpha}");
        let set_against = format!("against-all={}", 448 - alpha);
        ashyq(
            &[
                "protocol",
                "submit",
                "--db",
                db,
                "--contest",
                "president",
                "--unit",
                "S002",
                "--author",
                author,
                "--set",
                "registered=900",
                "--set",
                "ballots_issued=610",
                "--set",
                "invalid=12",
                "--set",
                "absentee=3",
                "--set",
                "mobile=25",
                "--set",
                &set_alpha,
                "--set",
                "beta=150",
                "--set",
                &set_against,
            ],
            cwd,
        )
    };
    let o = entry("alice", 400);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(stdout(&o).contains("first entry stored"));
    let o = entry("bob", 410);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(stdout(&o).contains("alpha: alice 400, bob 410"), "{}", stdout(&o));
    assert!(stdout(&o).contains("against-all: alice 48, bob 38"), "{}", stdout(&o));
    let o =
        ashyq(&["protocol", "diff", "--db", db, "--contest", "president", "--unit", "S002"], cwd);
    assert_eq!(code(&o), 1);
    let o = ashyq(&["protocol", "progress", "--db", db], cwd);
    assert!(stdout(&o).starts_with("president: 0 of 7"), "{}", stdout(&o));
    let o = ashyq(
        &[
            "protocol",
            "resolve",
            "--db",
            db,
            "--contest",
            "president",
            "--unit",
            "S002",
            "--author",
            "coordinator",
            "--set",
            "alpha=400",
        ],
        cwd,
    );
    assert_eq!(code(&o), 2, "a choice is missing: {o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("against-all"));
    let o = ashyq(
        &[
            "protocol",
            "resolve",
            "--db",
            db,
            "--contest",
            "president",
            "--unit",
            "S002",
            "--author",
            "coordinator",
            "--set",
            "alpha=400",
            "--set",
            "against-all=48",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["protocol", "progress", "--db", db], cwd);
    assert!(stdout(&o).starts_with("president: 1 of 7"), "{}", stdout(&o));
    let o = ashyq(&["verify", "--db", db], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(stdout(&o).contains("internal consistency only"), "{}", stdout(&o));
}

/// What an observer does: keep the key and a checkpoint, ask for proofs, re-verify later.
fn observer_flow(db: &str) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cwd = tmp.path();
    let key = cwd.join("commission.key").display().to_string();
    assert_eq!(code(&ashyq(&["import", &small(), "--db", db, "--key", &key], cwd)), 0);
    let o = ashyq(&["log", "key", "--db", db], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let vkey = stdout(&o).trim().to_owned();
    assert!(vkey.starts_with("ashyq/test-2026-station+"), "{vkey}");
    let o = ashyq(&["log", "checkpoint", "--db", db], cwd);
    let cp = stdout(&o);
    assert!(cp.starts_with("ashyq/test-2026-station\n8\n"), "{cp}");
    let cp_file = cwd.join("checkpoint-8");
    std::fs::write(&cp_file, &cp).unwrap();
    let cp_arg = cp_file.display().to_string();
    let o = ashyq(&["verify", "--db", db, "--verifier-key", &vkey, "--checkpoint", &cp_arg], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(
        stdout(&o).contains("checked against the key and checkpoints you gave"),
        "{}",
        stdout(&o)
    );
    // A correction later; the earlier checkpoint still holds.
    let o = ashyq(
        &[
            "protocol",
            "correct",
            "--db",
            db,
            "--key",
            &key,
            "--contest",
            "president",
            "--unit",
            "S003",
            "--author",
            "clerk",
            "--set",
            "beta=221",
            "--set",
            "against-all=69",
            "--reason",
            "typo",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(
        &[
            "log",
            "prove",
            "--db",
            db,
            "--contest",
            "president",
            "--unit",
            "S003",
            "--format",
            "json",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let p: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for k in ["leaf_index", "tree_size", "leaf", "leaf_hash", "path", "root_hash"] {
        assert!(p.get(k).is_some(), "{k} missing: {p}");
    }
    assert_eq!(p["leaf_index"], 8);
    assert_eq!(p["tree_size"], 9);
    use base64::Engine as _;
    let leaf =
        base64::engine::general_purpose::STANDARD.decode(p["leaf"].as_str().unwrap()).unwrap();
    assert!(String::from_utf8(leaf).unwrap().contains("\"beta\":221"));
    let o = ashyq(&["log", "consistency", "--db", db, "--from", "8", "--format", "json"], cwd);
    let c: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((c["from"].as_u64(), c["to"].as_u64()), (Some(8), Some(9)));
    assert_eq!(c["to_root"], p["root_hash"]);
    for k in ["path", "from_root"] {
        assert!(c.get(k).is_some());
    }
    let o = ashyq(&["verify", "--db", db, "--verifier-key", &vkey, "--checkpoint", &cp_arg], cwd);
    assert_eq!(code(&o), 0, "the record extends the checkpoint: {o:?}");
    // Another key pinned: every checkpoint fails.
    let other = "ashyq/test-2026-station+00000000+AWa+fjMsekUzMr2dCn99sFX1xe8aBq2mbZizn7aBDEc6";
    let o = ashyq(&["verify", "--db", db, "--verifier-key", other], cwd);
    assert_eq!(code(&o), 2, "a malformed key is an error: {o:?}");
    let impostor = ashyq_record::Signer::from_seed([9; 32])
        .verifier_key("ashyq/test-2026-station")
        .unwrap()
        .to_string();
    let o = ashyq(&["verify", "--db", db, "--verifier-key", &impostor], cwd);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(stdout(&o).contains("not the pinned key"), "{}", stdout(&o));
}

#[test]
fn observer_flow_on_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    observer_flow(&format!("sqlite:{}", tmp.path().join("r.db").display()));
}

#[test]
fn observer_flow_on_postgres() {
    if let Some((_guard, url)) = pg_url() {
        observer_flow(&url);
    }
}

/// A commission's own protocol key from the shell: keygen (never overwriting), sign (the JSON
/// an API client sends, or the exact statement), a signed correction kept in the record and
/// checked by verify, and a commission token bound to the key.
#[test]
fn commission_signed_protocols_from_the_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let db = format!("sqlite:{}", cwd.join("r.db").display());
    let o = ashyq(&["import", &small(), "--db", &db, "--key", "record.key"], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["protocol", "keygen", "--out", "pec.key"], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let public = stdout(&o).trim().to_owned();
    assert_eq!(public.len(), 44, "{public}");
    let o = ashyq(&["protocol", "keygen", "--out", "pec.key"], cwd);
    assert_ne!(code(&o), 0, "an existing key file is never overwritten");
    assert!(String::from_utf8_lossy(&o.stderr).contains("never overwritten"), "{o:?}");
    let which = ["--election", "test-2026-station", "--contest", "president", "--unit", "S001"];
    let mut a = vec!["protocol", "sign", "--key", "pec.key"];
    a.extend_from_slice(&which);
    a.extend_from_slice(&["--set", "registered=1000", "--set", "alpha=600"]);
    let o = ashyq(&a, cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let sig: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(sig["key"], public.as_str());
    a.push("--statement");
    assert_eq!(
        stdout(&ashyq(&a, cwd)),
        "ashyq protocol statement v1\nelection test-2026-station\ncontest president\nunit S001\nalpha 600\nregistered 1000\n"
    );
    let o = ashyq(
        &[
            "protocol",
            "correct",
            "--db",
            &db,
            "--key",
            "record.key",
            "--contest",
            "president",
            "--unit",
            "S001",
            "--author",
            "pec-1",
            "--set",
            "alpha=590",
            "--set",
            "against-all=60",
            "--reason",
            "recount",
            "--sign-with",
            "pec.key",
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(
        &["protocol", "history", "--db", &db, "--contest", "president", "--unit", "S001"],
        cwd,
    );
    assert!(
        stdout(&o).contains(&format!("signed by the commission's own key {public}")),
        "{}",
        stdout(&o)
    );
    let o = ashyq(&["verify", "--db", &db], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(
        stdout(&o).contains("1 protocol versions carry their commission's own Ed25519 signature"),
        "{}",
        stdout(&o)
    );
    // The exported folder carries the signature in its leaves: checked offline, and a changed
    // signature in log.jsonl is named.
    let o = ashyq(&["export", "--db", &db, "--out", "folder"], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    let o = ashyq(&["verify", "--record", "folder"], cwd);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(stdout(&o).contains("1 protocol versions carry"), "{}", stdout(&o));
    let log = std::fs::read_to_string(cwd.join("folder/log.jsonl")).unwrap();
    let sig_at = log.find("\"signature\":\"").unwrap() + "\"signature\":\"".len();
    let mut forged = log.clone();
    let flip = if &log[sig_at..=sig_at] == "A" { "B" } else { "A" };
    forged.replace_range(sig_at..=sig_at, flip);
    std::fs::write(cwd.join("folder/log.jsonl"), forged).unwrap();
    let o = ashyq(&["verify", "--record", "folder"], cwd);
    assert_eq!(code(&o), 1, "{o:?}");
    // The keys the commissions published: S001's version 1 (imported) is not signed.
    std::fs::write(cwd.join("keys.csv"), format!("unit,key\nS001,{public}\n")).unwrap();
    let o = ashyq(&["verify", "--db", &db, "--protocol-keys", "keys.csv"], cwd);
    assert_eq!(code(&o), 1, "{o:?}");
    assert!(
        stdout(&o).contains("(protocol (contest president, unit S001) version 1) is not signed, but the commission of S001 published the key"),
        "{}",
        stdout(&o)
    );
    std::fs::write(cwd.join("keys.csv"), "unit,key\nS001,AAAA\n").unwrap();
    let o = ashyq(&["verify", "--db", &db, "--protocol-keys", "keys.csv"], cwd);
    assert_eq!(code(&o), 2, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("keys.csv: line 2, field key"), "{o:?}");
    let o = ashyq(
        &[
            "token",
            "create",
            "--db",
            &db,
            "--role",
            "commission",
            "--unit",
            "R1",
            "--protocol-key",
            &public,
        ],
        cwd,
    );
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains(&public));
    let o =
        ashyq(&["token", "create", "--db", &db, "--role", "cec", "--protocol-key", &public], cwd);
    assert_ne!(code(&o), 0, "only commissions sign protocols: {o:?}");
    let o = ashyq(
        &[
            "token",
            "create",
            "--db",
            &db,
            "--role",
            "commission",
            "--unit",
            "R1",
            "--protocol-key",
            "AAAA",
        ],
        cwd,
    );
    assert_ne!(code(&o), 0, "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("32 bytes"), "{o:?}");
}

#[test]
fn commands_on_a_missing_record_create_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for args in [
        vec![
            "protocol",
            "submit",
            "--contest",
            "president",
            "--unit",
            "S001",
            "--author",
            "a",
            "--set",
            "alpha=1",
        ],
        vec!["protocol", "progress"],
        vec!["verify"],
        vec!["tally", "--db", "sqlite:./ashyq.db"],
        vec!["log", "key"],
        vec!["export", "--out", "x"],
    ] {
        let o = ashyq(&args, tmp.path());
        assert_eq!(code(&o), 2, "{args:?}: {o:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"), "{args:?}: {o:?}");
        assert!(!tmp.path().join("ashyq.db").exists(), "{args:?} created a database");
    }
    let o = ashyq(&["verify", "--db", "postgres://postgres@127.0.0.1:1/test"], tmp.path());
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("connection refused"), "{o:?}");
}

#[test]
fn station_level_record_on_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    station_flow(&format!("sqlite:{}", tmp.path().join("r.db").display()));
}

#[test]
fn double_entry_on_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    double_entry_flow(&format!("sqlite:{}", tmp.path().join("r.db").display()));
}

#[test]
fn station_level_record_on_postgres() {
    if let Some((_guard, url)) = pg_url() {
        station_flow(&url);
    }
}

#[test]
fn double_entry_on_postgres() {
    if let Some((_guard, url)) = pg_url() {
        double_entry_flow(&url);
    }
}

#[test]
fn default_database_is_ashyq_db_in_the_working_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let o = ashyq(&["verify"], tmp.path());
    assert_eq!(code(&o), 2, "no record yet: {o:?}");
    assert!(!tmp.path().join("ashyq.db").exists());
    let o = ashyq(&["import", &small()], tmp.path());
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(tmp.path().join("ashyq.db").exists());
    assert_eq!(code(&ashyq(&["verify"], tmp.path())), 0);
}

/// Every bundled national-level example goes in, verifies, exports and gives the same outcome
/// from the exported record as from the package.
#[test]
fn bundled_examples_round_trip_through_the_record() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite:{}", tmp.path().join("all.db").display());
    let mut n = 0;
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo().join("examples"))
        .expect("examples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("election.toml").exists())
        .collect();
    dirs.sort();
    for dir in dirs {
        let d = dir.display().to_string();
        let o = ashyq(&["import", &d, "--db", &db], tmp.path());
        assert_eq!(code(&o), 0, "{d}: {o:?}");
        let id = stdout(&o).split_whitespace().nth(5).expect("election id").to_owned();
        let out = tmp.path().join(&id).display().to_string();
        let o = ashyq(&["export", "--db", &db, "--election", &id, "--out", &out], tmp.path());
        assert_eq!(code(&o), 0, "{o:?}");
        assert_eq!(code(&ashyq(&["verify", "--record", &out], tmp.path())), 0, "{id}");
        let want = stdout(&ashyq(&["outcome", &d, "--format", "json"], tmp.path()));
        let got = stdout(&ashyq(&["outcome", &out, "--format", "json"], tmp.path()));
        assert_eq!(got, want, "{id}: the exported record gives another outcome");
        n += 1;
    }
    assert!(n >= 6, "only {n} examples");
    let o = ashyq(&["verify", "--db", &db], tmp.path());
    assert_eq!(code(&o), 0, "{o:?}");
}
