//! The store test suite, written once and run on SQLite and on PostgreSQL (when
//! `ASHYQ_TEST_POSTGRES` is set; required when `CI` is set). Each PostgreSQL test works in its
//! own schema, dropped at the end.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::line::{Line, ProtocolLine as P};
use ashyq_core::units::{UnitInfo, UnitTree};
use ashyq_store::{ImportOptions, Signer, Store, StoreError, Submission, Submitted};

fn small_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/small")
}

fn small() -> ashyq_package::Package {
    ashyq_package::read_package(&small_dir()).expect("test package reads")
}

struct Backend {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<String>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        if let (Some(schema), Ok(base)) = (&self.pg_schema, std::env::var("ASHYQ_TEST_POSTGRES")) {
            ashyq_store::testing::pg_drop_schema(&base, schema);
        }
    }
}

impl Backend {
    fn reopen(&self) -> Store {
        Store::open(&self.url).expect("reopen")
    }
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("record.db").display());
    let store = Store::open(&url).expect("open sqlite");
    Backend { store, url, _dir: Some(dir), pg_schema: None }
}

fn postgres() -> Option<Backend> {
    let Ok(base) = std::env::var("ASHYQ_TEST_POSTGRES") else {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but ASHYQ_TEST_POSTGRES is not: the PostgreSQL tests must run in CI");
        }
        eprintln!("skipped: ASHYQ_TEST_POSTGRES not set");
        return None;
    };
    let (schema, url) = ashyq_store::testing::pg_fresh_schema(&base)
        .unwrap_or_else(|e| panic!("ASHYQ_TEST_POSTGRES={base}: {e}"));
    let store = Store::open(&url).expect("open postgres");
    Some(Backend { store, url, _dir: None, pg_schema: Some(schema) })
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[test] fn $name() { super::$name(&mut super::sqlite()); })*
        }
        mod postgres_backend {
            $(#[test] fn $name() { if let Some(mut b) = super::postgres() { super::$name(&mut b); } })*
        }
    };
}

on_both!(
    migrate_twice,
    import_stores_every_protocol_and_totals_match,
    second_import_is_refused_and_changes_nothing,
    corrections_add_versions_and_totals_use_the_latest,
    checks_block_errors_and_warnings_until_overridden,
    summary_protocol_checked_against_its_stations,
    double_entry_needs_two_agreeing_entries_or_a_resolution,
    turnout_snapshots_sum_up_the_tree,
    certified_outcome_is_reproducible,
    verify_catches_an_altered_count,
    verify_catches_an_altered_hash,
    verify_catches_a_deleted_row,
    verify_catches_reordered_log_entries,
    verify_catches_an_altered_tree_head,
    export_verifies_offline_and_catches_edits,
    a_foreign_key_is_refused,
    ten_thousand_stations_round_trip,
);

fn key(b: &Backend) -> (tempfile::TempDir, Signer) {
    let _ = b;
    let d = tempfile::tempdir().expect("tempdir");
    let s = Signer::load_or_create(&d.path().join("commission.key")).expect("key");
    (d, s)
}

fn import_small(b: &mut Backend, signer: Option<&Signer>) -> String {
    let p = small();
    let s = b
        .store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), signer)
        .expect("import");
    assert_eq!(s.protocols, 7);
    assert_eq!(s.protocols_with_findings, 0);
    s.election
}

/// The small election's definition with no protocols yet (for submission tests).
fn import_empty(b: &mut Backend, double_entry: bool) -> String {
    let p = small();
    let counts: Vec<ContestCounts> = p.election.contests().iter().map(ContestCounts::new).collect();
    let opts = ImportOptions { double_entry, progress: false };
    let s = b.store.import(&p.election, &p.tree, &counts, &opts, None).expect("import");
    assert_eq!(s.protocols, 0);
    s.election
}

fn sub(unit: &str, author: &str, values: &[(&str, u64)]) -> Submission {
    Submission {
        contest: "president".into(),
        unit: unit.into(),
        values: values.iter().map(|(l, v)| ((*l).to_owned(), *v)).collect(),
        author: author.into(),
        time: "2026-03-01T21:00:00+05:00".into(),
        ..Default::default()
    }
}

/// A consistent station protocol: registered 1000, issued 700 (alpha 400, beta 200, against 70,
/// invalid 30).
fn good(unit: &str, author: &str) -> Submission {
    sub(
        unit,
        author,
        &[
            ("registered", 1000),
            ("ballots_received", 1000),
            ("ballots_issued", 700),
            ("ballots_cancelled", 300),
            ("ballots_found", 700),
            ("invalid", 30),
            ("mobile", 20),
            ("alpha", 400),
            ("beta", 200),
            ("against-all", 70),
        ],
    )
}

fn root_total(b: &mut Backend, e: &str, line: Line) -> Option<u64> {
    let (election, tree, counts) = b.store.totals(e).expect("totals");
    let c = &election.contests()[0];
    let roll = counts[0].roll_up(&tree, c.territory()).expect("roll up");
    roll.at(c.territory()).and_then(|t| t.get(line))
}

fn migrate_twice(b: &mut Backend) {
    assert_eq!(b.store.schema_version().expect("version"), 2);
    let mut again = b.reopen();
    assert_eq!(again.schema_version().expect("version"), 2);
    assert_eq!(again.migrations_applied().expect("count"), 2);
    let mut third = b.reopen();
    assert_eq!(third.migrations_applied().expect("count"), 2);
}

fn import_stores_every_protocol_and_totals_match(b: &mut Backend) {
    let (_k, signer) = key(b);
    let e = import_small(b, Some(&signer));
    let p = small();
    let (election, tree, counts) = b.store.totals(&e).expect("totals");
    assert_eq!(election, p.election);
    assert_eq!(tree, p.tree);
    assert_eq!(counts, p.counts, "stored latest versions equal the package's counts");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(3620));
    let progress = b.store.progress(&e).expect("progress");
    assert_eq!(progress[0].stations_expected, 7);
    assert_eq!(progress[0].stations_reported, 7);
    assert_eq!(progress[0].registered_reported, 1200 + 900 + 1500 + 700 + 2100 + 1100 + 600);
    assert_eq!(b.store.verify().expect("verify"), Vec::<String>::new());
    // The definition survives a reopen.
    let mut again = b.reopen();
    assert_eq!(again.definition(&e).expect("definition").0, p.election);
}

fn second_import_is_refused_and_changes_nothing(b: &mut Backend) {
    import_small(b, None);
    let before = b.store.content_digest().expect("digest");
    let p = small();
    let err = b
        .store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), None)
        .unwrap_err();
    assert!(err.to_string().contains("already in the record"), "{err}");
    assert_eq!(b.store.content_digest().expect("digest"), before);
}

fn corrections_add_versions_and_totals_use_the_latest(b: &mut Backend) {
    let e = import_small(b, None);
    let mut s = sub("S001", "clerk-7", &[("alpha", 590), ("against-all", 60)]);
    let before = b.store.content_digest().expect("digest");
    let err = b.store.correct(&e, &s, None).unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    assert_eq!(
        b.store.content_digest().expect("digest"),
        before,
        "a refused correction changes nothing"
    );
    s.reason = "recount ordered by the district commission".into();
    let r = b.store.correct(&e, &s, None).expect("correct");
    assert!(matches!(r, Submitted::Accepted { version: 2, .. }), "{r:?}");
    let h = b.store.history(&e, "president", "S001").expect("history");
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].author, "import");
    assert!(h[0].values.contains(&("alpha".into(), 600)));
    assert_eq!(h[1].author, "clerk-7");
    assert_eq!(h[1].reason, "recount ordered by the district commission");
    assert!(h[1].values.contains(&("alpha".into(), 590)));
    assert!(h[1].values.contains(&("beta".into(), 180)), "unchanged lines are kept");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(3610));
    assert_eq!(root_total(b, &e, Line::Option(2)), Some(385));
    assert_eq!(b.store.verify().expect("verify"), Vec::<String>::new());
}

fn checks_block_errors_and_warnings_until_overridden(b: &mut Backend) {
    let e = import_empty(b, false);
    let before = b.store.content_digest().expect("digest");
    // R3: received ≠ issued + cancelled.
    let mut bad = good("S001", "clerk");
    bad.values.retain(|(l, _)| l != "ballots_received");
    bad.values.push(("ballots_received".into(), 990));
    match b.store.submit(&e, &bad, None) {
        Err(StoreError::Rejected(f)) => {
            assert!(f.iter().any(|f| f.code == "R3" && f.error), "{f:?}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(
        b.store.content_digest().expect("digest"),
        before,
        "a rejected protocol changes nothing"
    );
    bad.override_errors = true;
    match b.store.submit(&e, &bad, None).expect("override") {
        Submitted::Accepted { version: 1, findings } => assert_eq!(findings[0].code, "R3"),
        other => panic!("{other:?}"),
    }
    assert_eq!(b.store.history(&e, "president", "S001").expect("history")[0].findings, "R3");
    // W1: turnout 99% is a warning that needs acknowledgement.
    let mut high = sub(
        "S002",
        "clerk",
        &[
            ("registered", 1000),
            ("ballots_issued", 990),
            ("invalid", 10),
            ("alpha", 900),
            ("beta", 60),
            ("against-all", 20),
        ],
    );
    let before = b.store.content_digest().expect("digest");
    match b.store.submit(&e, &high, None) {
        Err(StoreError::Rejected(f)) => {
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].code, "W1");
            assert!(!f[0].error);
            assert!(f[0].message.contains("99.0%"), "{}", f[0].message);
        }
        other => panic!("expected a warning, got {other:?}"),
    }
    assert_eq!(b.store.content_digest().expect("digest"), before);
    high.acknowledge_warnings = true;
    assert!(matches!(b.store.submit(&e, &high, None).expect("ack"), Submitted::Accepted { .. }));
    // Limits are configurable.
    b.store.set_limits(ashyq_store::PlausibilityLimits {
        max_mobile_percent: 1,
        ..Default::default()
    });
    match b.store.submit(&e, &good("S003", "clerk"), None) {
        Err(StoreError::Rejected(f)) => assert_eq!(f[0].code, "W3"),
        other => panic!("expected W3, got {other:?}"),
    }
    // Unknown lines and units are errors that name them.
    let err = b.store.submit(&e, &sub("S004", "c", &[("gamma", 1)]), None).unwrap_err();
    assert!(err.to_string().contains("\"gamma\""), "{err}");
    let err = b.store.submit(&e, &sub("S999", "c", &[("alpha", 1)]), None).unwrap_err();
    assert!(err.to_string().contains("\"S999\""), "{err}");
}

fn summary_protocol_checked_against_its_stations(b: &mut Backend) {
    let e = import_empty(b, false);
    b.store.submit(&e, &good("S005", "a"), None).expect("S005");
    b.store.submit(&e, &good("S006", "a"), None).expect("S006");
    let before = b.store.content_digest().expect("digest");
    // District R2-D1's summary protocol says alpha 801; its stations add up to 800.
    let summary = sub("R2-D1", "district", &[("registered", 2000), ("alpha", 801)]);
    match b.store.submit(&e, &summary, None) {
        Err(StoreError::Rejected(f)) => {
            assert_eq!(f[0].code, "R7");
            assert!(
                f[0].message.contains("801") && f[0].message.contains("800"),
                "{}",
                f[0].message
            );
        }
        other => panic!("expected R7, got {other:?}"),
    }
    assert_eq!(b.store.content_digest().expect("digest"), before);
    let summary = sub("R2-D1", "district", &[("registered", 2000), ("alpha", 800)]);
    assert!(matches!(
        b.store.submit(&e, &summary, None).expect("summary"),
        Submitted::Accepted { .. }
    ));
}

fn double_entry_needs_two_agreeing_entries_or_a_resolution(b: &mut Backend) {
    let e = import_empty(b, true);
    assert_eq!(
        b.store.submit(&e, &good("S001", "alice"), None).expect("first"),
        Submitted::AwaitingSecondEntry
    );
    assert_eq!(root_total(b, &e, Line::Option(0)), None, "one entry does not count");
    // The same person entering twice is not independent.
    assert_eq!(
        b.store.submit(&e, &good("S001", "alice"), None).expect("again"),
        Submitted::AwaitingSecondEntry
    );
    let mut other = good("S001", "bob");
    for (l, v) in other.values.iter_mut() {
        if l == "alpha" {
            *v = 410;
        }
        if l == "against-all" {
            *v = 60;
        }
    }
    match b.store.submit(&e, &other, None).expect("second") {
        Submitted::Differences(d) => {
            assert_eq!(d.len(), 2);
            assert_eq!(d[0].line, "alpha");
            assert_eq!(
                d[0].values,
                vec![("alice".to_owned(), Some(400)), ("bob".to_owned(), Some(410))]
            );
            assert_eq!(d[1].line, "against-all");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(b.store.differences(&e, "president", "S001").expect("diffs").len(), 2);
    assert_eq!(root_total(b, &e, Line::Option(0)), None, "unresolved does not count");
    let before = b.store.content_digest().expect("digest");
    let err =
        b.store.resolve(&e, &sub("S001", "coordinator", &[("alpha", 400)]), None).unwrap_err();
    assert!(err.to_string().contains("against-all"), "{err}");
    assert_eq!(b.store.content_digest().expect("digest"), before);
    let r = b
        .store
        .resolve(&e, &sub("S001", "coordinator", &[("alpha", 400), ("against-all", 70)]), None)
        .expect("resolve");
    assert!(matches!(r, Submitted::Accepted { version: 1, .. }), "{r:?}");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(400));
    let h = b.store.history(&e, "president", "S001").expect("history");
    assert_eq!(h[0].author, "coordinator");
    assert!(h[0].reason.contains("alice") && h[0].reason.contains("bob"), "{}", h[0].reason);
    // Two agreeing entries are accepted at once.
    assert_eq!(
        b.store.submit(&e, &good("S002", "alice"), None).expect("a"),
        Submitted::AwaitingSecondEntry
    );
    assert!(matches!(
        b.store.submit(&e, &good("S002", "bob"), None).expect("b"),
        Submitted::Accepted { version: 1, .. }
    ));
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(800));
    assert_eq!(b.store.verify().expect("verify"), Vec::<String>::new());
}

fn turnout_snapshots_sum_up_the_tree(b: &mut Backend) {
    let e = import_empty(b, false);
    let t = "2026-03-01T10:05:00+05:00";
    b.store.record_turnout(&e, "S001", "10:00", 120, "s1", t).expect("s1");
    b.store.record_turnout(&e, "S002", "10:00", 80, "s2", t).expect("s2");
    b.store.record_turnout(&e, "S005", "10:00", 300, "s5", t).expect("s5");
    b.store.record_turnout(&e, "S001", "12:00", 400, "s1", t).expect("s1 12");
    let before = b.store.content_digest().expect("digest");
    assert!(b
        .store
        .record_turnout(&e, "R1", "10:00", 1, "x", t)
        .unwrap_err()
        .to_string()
        .contains("not a polling station"));
    assert!(b
        .store
        .record_turnout(&e, "S003", "11:00", 1, "x", t)
        .unwrap_err()
        .to_string()
        .contains("11:00"));
    assert!(b
        .store
        .record_turnout(&e, "S001", "10:00", 5, "x", t)
        .unwrap_err()
        .to_string()
        .contains("already"));
    assert_eq!(b.store.content_digest().expect("digest"), before);
    let rows = b.store.turnout(&e).expect("turnout");
    let find = |u: &str, h: &str| {
        rows.iter().find(|r| r.unit == u && r.hour == h).map(|r| (r.voters, r.stations))
    };
    assert_eq!(find("KZ", "10:00"), Some((500, 3)));
    assert_eq!(find("R1", "10:00"), Some((200, 2)));
    assert_eq!(find("R1-D1", "12:00"), Some((400, 1)));
    assert_eq!(find("R2", "12:00"), None);
}

fn certified_outcome_is_reproducible(b: &mut Backend) {
    let (_k, signer) = key(b);
    let e = import_small(b, Some(&signer));
    let c1 = b.store.certify(&e, "2026-03-02T12:00:00+05:00").expect("certify");
    let c2 = b.store.certify(&e, "2026-03-02T12:05:00+05:00").expect("certify");
    assert_eq!(c1.inputs_hash, c2.inputs_hash, "same inputs, same hash");
    assert!(c1.totals_csv.contains("president,KZ,alpha,3620"), "{}", c1.totals_csv);
    let (election, tree, _) = b.store.totals(&e).expect("totals");
    let options = ashyq_core::rules::OutcomeOptions::default();
    let o = ashyq_core::rules::outcome(&election, &tree, &c1.counts, &options).expect("outcome");
    assert_eq!(o.contests.len(), 1);
    let mut s = sub("S001", "clerk", &[("alpha", 590), ("against-all", 60)]);
    s.reason = "recount".into();
    b.store.correct(&e, &s, Some(&signer)).expect("correct");
    let c3 = b.store.certify(&e, "").expect("certify");
    assert_ne!(c3.inputs_hash, c1.inputs_hash);
    assert!(c3.totals_csv.contains("president,KZ,alpha,3610"));
    assert_eq!(
        b.store.verify().expect("verify"),
        Vec::<String>::new(),
        "earlier certifications still verify"
    );
    b.store.execute_unchecked("UPDATE certifications SET totals_csv = REPLACE(totals_csv, '3620', '3630') WHERE seq = 1").expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(f.iter().any(|f| f.contains("certification 1")), "{f:?}");
}

fn signed(b: &mut Backend) -> (tempfile::TempDir, String) {
    let (k, signer) = key(b);
    let e = import_small(b, Some(&signer));
    let mut s = sub("S003", "clerk", &[("beta", 221), ("against-all", 69)]);
    s.reason = "typo".into();
    b.store.correct(&e, &s, Some(&signer)).expect("correct");
    assert_eq!(b.store.verify().expect("verify"), Vec::<String>::new());
    (k, e)
}

fn verify_catches_an_altered_count(b: &mut Backend) {
    let (_k, _e) = signed(b);
    b.store
        .execute_unchecked(
            "UPDATE protocol_versions SET vals = REPLACE(vals, ',600,', ',650,') WHERE id = 1",
        )
        .expect("tamper");
    let f = b.store.verify().expect("verify");
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains("log entry 1")
            && f[0].contains("protocol version 1")
            && f[0].contains("unit S001"),
        "{f:?}"
    );
}

fn verify_catches_an_altered_hash(b: &mut Backend) {
    let (_k, _e) = signed(b);
    b.store
        .execute_unchecked(&format!(
            "UPDATE log SET leaf_hash = '{}' WHERE seq = 2",
            "ab".repeat(32)
        ))
        .expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(f.iter().any(|f| f.contains("log entry 2") && f.contains("unit S002")), "{f:?}");
    assert!(f.iter().any(|f| f.contains("tree head of size 7")), "{f:?}");
}

fn verify_catches_a_deleted_row(b: &mut Backend) {
    let (_k, _e) = signed(b);
    // Delete the correction (version 2 of S003) and its log entry: the signed head of size 8
    // still remembers it.
    b.store
        .execute_unchecked(
            "DELETE FROM log WHERE seq = 8; DELETE FROM protocol_versions WHERE id = 8",
        )
        .expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(f.iter().any(|f| f.contains("tree head of size 8") && f.contains("deleted")), "{f:?}");
    // Delete a version but leave its log entry.
    b.store.execute_unchecked("DELETE FROM protocol_versions WHERE id = 4").expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(
        f.iter().any(|f| f.contains("log entry 4") && f.contains("not in the record")),
        "{f:?}"
    );
}

fn verify_catches_reordered_log_entries(b: &mut Backend) {
    let (_k, _e) = signed(b);
    b.store
        .execute_unchecked(
            "UPDATE log SET seq = -1 WHERE seq = 3; UPDATE log SET seq = 3 WHERE seq = 4; UPDATE log SET seq = 4 WHERE seq = -1",
        )
        .expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(f.iter().any(|f| f.contains("log entries 3 and 4 are out of order")), "{f:?}");
    assert!(f.iter().any(|f| f.contains("tree head")), "{f:?}");
}

fn verify_catches_an_altered_tree_head(b: &mut Backend) {
    let (_k, _e) = signed(b);
    b.store
        .execute_unchecked("UPDATE tree_heads SET at = 'yesterday' WHERE size = 7")
        .expect("time is not signed");
    assert_eq!(b.store.verify().expect("verify"), Vec::<String>::new());
    b.store
        .execute_unchecked(&format!(
            "UPDATE tree_heads SET signature = '{}' WHERE size = 8",
            "00".repeat(64)
        ))
        .expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(
        f.iter().any(|f| f.contains("tree head of size 8") && f.contains("signature")),
        "{f:?}"
    );
    b.store
        .execute_unchecked("UPDATE contests SET name = 'Changed' WHERE idx = 0")
        .expect("tamper");
    let f = b.store.verify().expect("verify");
    assert!(f.iter().any(|f| f.contains("definition") && f.contains("altered")), "{f:?}");
}

fn export_verifies_offline_and_catches_edits(b: &mut Backend) {
    let (_k, e) = signed(b);
    b.store.certify(&e, "2026-03-02T00:00:00Z").expect("certify");
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("record");
    b.store.export(&e, &dir).expect("export");
    assert_eq!(ashyq_store::verify_record(&dir).expect("verify"), Vec::<String>::new());
    assert!(std::fs::read_to_string(dir.join("README.txt"))
        .expect("readme")
        .contains("ashyq verify --record"));
    // The exported folder is a package with the latest counts.
    let p = ashyq_package::read_package(&dir).expect("package");
    let (_, _, counts) = b.store.totals(&e).expect("totals");
    assert_eq!(p.counts, counts);
    // Edit one value in the versions file.
    let path = dir.join("protocol_versions.jsonl");
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replacen(",600,", ",601,", 1);
    assert_ne!(text, edited);
    std::fs::write(&path, edited).expect("write");
    let f = ashyq_store::verify_record(&dir).expect("verify");
    assert!(f.iter().any(|f| f.contains("log entry 1") && f.contains("unit S001")), "{f:?}");
    std::fs::write(&path, text).expect("restore");
    // Edit counts.csv.
    let path = dir.join("counts.csv");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replacen("president,S001,alpha,600", "president,S001,alpha,700", 1))
        .expect("write");
    let f = ashyq_store::verify_record(&dir).expect("verify");
    assert!(f.iter().any(|f| f.contains("counts.csv")), "{f:?}");
}

fn a_foreign_key_is_refused(b: &mut Backend) {
    let (_k, e) = signed(b);
    let before = b.store.content_digest().expect("digest");
    let d = tempfile::tempdir().expect("tempdir");
    let other = Signer::load_or_create(&d.path().join("other.key")).expect("key");
    let mut s = sub("S003", "clerk", &[("beta", 220), ("against-all", 70)]);
    s.reason = "back".into();
    let err = b.store.correct(&e, &s, Some(&other)).unwrap_err();
    assert!(matches!(err, StoreError::Key(_)), "{err}");
    assert_eq!(b.store.content_digest().expect("digest"), before);
}

// ---- Not per backend -------------------------------------------------------------------------

/// A generated election of `n` stations (arithmetic consistent).
fn generated(n: usize) -> (Election, UnitTree, Vec<ContestCounts>) {
    let mut units = vec![UnitInfo {
        id: "KZ".into(),
        parent: String::new(),
        kind: "country".into(),
        name: "KZ".into(),
    }];
    for r in 0..20 {
        units.push(UnitInfo {
            id: format!("R{r}"),
            parent: "KZ".into(),
            kind: "region".into(),
            name: format!("R{r}"),
        });
        for d in 0..10 {
            units.push(UnitInfo {
                id: format!("R{r}-D{d}"),
                parent: format!("R{r}"),
                kind: "district".into(),
                name: String::new(),
            });
        }
    }
    for s in 0..n {
        units.push(UnitInfo {
            id: format!("S{s}"),
            parent: format!("R{}-D{}", s % 20, (s / 20) % 10),
            kind: "station".into(),
            name: String::new(),
        });
    }
    let tree = UnitTree::new(units).expect("tree");
    let info = ElectionInfo {
        id: "gen".into(),
        name: "generated".into(),
        date: "2026-01-01".into(),
        rules: "kz-2022".into(),
        contests: vec![ContestInfo {
            id: "p".into(),
            kind: "presidential".into(),
            territory: "KZ".into(),
            options: (0..6)
                .map(|i| OptionInfo {
                    id: format!("o{i}"),
                    name: format!("O{i}"),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
    };
    let election = Election::try_from_info(info, &tree).expect("election");
    let mut cc = ContestCounts::new(&election.contests()[0]);
    for s in 0..n {
        let u = tree.index_of(&format!("S{s}")).expect("station");
        let reg = 1000 + (s as u64 * 7919) % 1500;
        let iss = reg * 6 / 10;
        let inv = iss / 50;
        let mut rest = iss - inv;
        for (line, v) in [(P::Registered, reg), (P::BallotsIssued, iss), (P::Invalid, inv)] {
            cc.set(u, Line::Protocol(line), v).expect("set");
        }
        for o in 0..6 {
            let v = if o == 5 { rest } else { rest / 3 };
            rest -= v;
            cc.set(u, Line::Option(o), v).expect("set");
        }
    }
    (election, tree, vec![cc])
}

/// A Kazakhstan-size election round-trips: what the record totals is exactly what was imported.
/// (Speed is measured in scripts/bench-import.sh, not asserted here.)
fn ten_thousand_stations_round_trip(b: &mut Backend) {
    let (election, tree, counts) = generated(10_000);
    let s =
        b.store.import(&election, &tree, &counts, &ImportOptions::default(), None).expect("import");
    assert_eq!(s.protocols, 10_000);
    let (e2, t2, c2) = b.store.totals("gen").expect("totals");
    let roll = c2[0].roll_up(&t2, e2.contests()[0].territory()).expect("roll");
    assert_eq!(c2, counts);
    assert_eq!(roll.at(0).expect("root").protocols, 10_000);
}

/// Child half of the kill test: imports a big election into the database named by
/// `ASHYQ_KILL_TEST_DB`; does nothing when run normally.
#[test]
fn kill_test_child() {
    let Ok(url) = std::env::var("ASHYQ_KILL_TEST_DB") else { return };
    let (election, tree, counts) = generated(60_000);
    let mut store = Store::open(&url).expect("open");
    println!("importing");
    let _ = store.import(&election, &tree, &counts, &ImportOptions::default(), None);
    println!("imported");
}

/// Kills a child process importing 60,000 protocols (SIGKILL 200 ms and 600 ms into the
/// import, and once right after it committed) and checks that the record holds all or nothing
/// of it and still verifies. `fresh` gives an empty record for each attempt.
fn kill_minus_nine_during_import(backend_name: &str, fresh: &mut dyn FnMut() -> Backend) {
    use std::io::{BufRead, BufReader};
    let exe = std::env::current_exe().expect("test binary");
    let mut outcomes = Vec::new();
    for delay_ms in [Some(200u64), Some(600), None] {
        let backend = fresh();
        let url = backend.url.clone();
        let mut child = std::process::Command::new(&exe)
            .args(["--exact", "kill_test_child", "--nocapture", "--test-threads=1"])
            .env("ASHYQ_KILL_TEST_DB", &url)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        // Wait until the import has started (or finished), then SIGKILL.
        let wanted = if delay_ms.is_some() { "importing" } else { "imported" };
        loop {
            match lines.next() {
                Some(Ok(l)) if l.contains(wanted) => break,
                Some(_) => continue,
                None => break,
            }
        }
        if let Some(ms) = delay_ms {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let mut store = backend.reopen();
        assert_eq!(store.verify().expect("verify"), Vec::<String>::new());
        let n = match store.elections().expect("elections").as_slice() {
            [] => 0,
            [e] => store.totals(e).expect("totals").2[0].len(),
            other => panic!("{other:?}"),
        };
        assert!(n == 0 || n == 60_000, "a killed import left {n} protocols");
        outcomes.push(n);
    }
    eprintln!("{backend_name}: protocols present after kill -9: {outcomes:?}");
    assert_eq!(outcomes.last(), Some(&60_000), "a committed import survives kill -9");
}

#[test]
fn kill_minus_nine_during_import_leaves_nothing_or_everything_sqlite() {
    kill_minus_nine_during_import("sqlite", &mut sqlite);
}

#[test]
fn kill_minus_nine_during_import_leaves_nothing_or_everything_postgres() {
    if postgres().is_none() {
        return;
    }
    kill_minus_nine_during_import("postgres", &mut || postgres().expect("postgres"));
}
