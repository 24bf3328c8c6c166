//! The store test suite, written once and run on SQLite and on PostgreSQL (when
//! `ASHYQ_TEST_POSTGRES` is set; required when `CI` is set). Each PostgreSQL test works in its
//! own schema, dropped at the end.
//!
//! The attacker's tests (`tamper_*`) play someone with write access to the database: they
//! rebuild the record under another key, roll it back, append behind the commission's back,
//! and edit every single value of every table, and require `verify`, given the commission's
//! verifier key and a checkpoint published earlier, to name the damage every time.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::line::{Line, ProtocolLine as P};
use ashyq_core::units::{UnitInfo, UnitTree};
use ashyq_record::verify::Anchors;
use ashyq_record::{Timestamp, VerifierKey};
use ashyq_store::testing::PgSchema;
use ashyq_store::{
    fixed_clock, Clock, ImportOptions, OpenMode, Signer, Store, StoreError, Submission, Submitted,
};

fn clock() -> Clock {
    fixed_clock(Timestamp::parse("2026-03-02T00:00:00Z").unwrap())
}

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
    /// Dropped last, after the store's connections: the schema is dropped with it.
    _pg: Option<PgSchema>,
}

impl Backend {
    fn reopen(&self) -> Store {
        Store::open(&self.url, OpenMode::Existing, clock()).expect("reopen")
    }
    fn is_sqlite(&self) -> bool {
        self.url.starts_with("sqlite:")
    }
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("record.db").display());
    let store = Store::open(&url, OpenMode::Create, clock()).expect("open sqlite");
    Backend { store, url, _dir: Some(dir), _pg: None }
}

fn postgres() -> Option<Backend> {
    let (schema, url) = ashyq_store::testing::pg_test_schema()?;
    let store = Store::open(&url, OpenMode::Create, clock()).expect("open postgres");
    Some(Backend { store, url, _dir: None, _pg: Some(schema) })
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
    opening_never_creates_and_migrations_apply_once,
    import_stores_every_protocol_and_totals_match,
    second_import_is_refused_and_changes_nothing,
    corrections_add_versions_and_totals_use_the_latest,
    a_second_submission_is_a_conflict_and_lines_are_required,
    group_commit_writes_a_batch_with_one_checkpoint,
    retries_with_an_idempotency_key_get_the_same_receipt,
    tokens_are_hashed_scoped_and_revocable,
    times_must_be_rfc3339_and_not_in_the_future,
    checks_block_errors_and_warnings_until_overridden,
    summary_protocol_checked_against_its_stations,
    double_entry_needs_two_agreeing_entries_or_a_resolution,
    double_entry_corrections_need_a_second_pair_of_eyes,
    turnout_snapshots_sum_up_the_tree_and_are_checked,
    progress_counts_at_the_level_the_record_reports,
    certified_outcome_is_reproducible,
    proofs_verify_against_the_checkpoint,
    appending_is_checkpointed_and_a_signed_record_needs_its_key,
    tamper_rebuilt_under_another_key,
    tamper_rolled_back_behind_a_published_checkpoint,
    tamper_appended_without_a_signed_checkpoint,
    tamper_out_of_range_indexes_are_named_not_panicked,
    tamper_every_single_value_of_every_table,
    export_verifies_offline_and_catches_edits,
    overflowing_totals_are_refused,
    ten_thousand_stations_round_trip,
    commission_signatures_are_checked_kept_and_verified,
    a_schema_4_record_upgrades_in_place,
);

fn key() -> Arc<Signer> {
    Arc::new(Signer::from_seed([11; 32]))
}

fn other_key() -> Arc<Signer> {
    Arc::new(Signer::from_seed([12; 32]))
}

fn noop(_: u64, _: u64) {}

fn import_package(
    b: &mut Backend,
    p: &ashyq_package::Package,
    opts: &ImportOptions,
) -> Result<String, StoreError> {
    b.store.import(&p.election, &p.tree, &p.counts, opts, &mut noop).map(|s| s.election)
}

fn import_small(b: &mut Backend, signer: Option<Arc<Signer>>) -> String {
    b.store.set_signer(signer);
    let p = small();
    let s = b
        .store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut noop)
        .expect("import");
    assert_eq!(s.protocols, 7);
    assert_eq!(s.protocols_with_findings, 0);
    assert_eq!(s.log_size, 8, "the definition and seven protocols");
    s.election
}

/// The small election's definition with no protocols yet (for submission tests).
fn import_empty(b: &mut Backend, double_entry: bool) -> String {
    let p = small();
    let counts: Vec<ContestCounts> = p.election.contests().iter().map(ContestCounts::new).collect();
    let opts = ImportOptions { double_entry, ..Default::default() };
    let s = b.store.import(&p.election, &p.tree, &counts, &opts, &mut noop).expect("import");
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
            ("absentee", 5),
            ("mobile", 20),
            ("alpha", 400),
            ("beta", 200),
            ("against-all", 70),
        ],
    )
}

fn with(mut s: Submission, line: &str, v: u64) -> Submission {
    match s.values.iter_mut().find(|(l, _)| l == line) {
        Some(slot) => slot.1 = v,
        None => s.values.push((line.to_owned(), v)),
    }
    s
}

fn root_total(b: &mut Backend, e: &str, line: Line) -> Option<u64> {
    let (election, tree, counts) = b.store.totals(e).expect("totals");
    let c = &election.contests()[0];
    let roll = counts[0].roll_up(&tree, c.territory()).expect("roll up");
    roll.at(c.territory()).and_then(|t| t.get(line))
}

/// Every problem `verify` finds, trusting nothing outside the record.
fn problems(store: &mut Store) -> Vec<String> {
    problems_with(store, &Anchors::default())
}

fn problems_with(store: &mut Store, anchors: &Anchors) -> Vec<String> {
    store.verify(None, anchors).expect("verify").into_iter().flat_map(|(_, v)| v.problems).collect()
}

fn pinned(b: &mut Backend, e: &str) -> Anchors {
    let key = VerifierKey::parse(&b.store.verifier_key(e).expect("key")).expect("parse");
    let (_, note) = b.store.latest_checkpoint(e).expect("checkpoint");
    Anchors { key: Some(key), checkpoints: vec![("published".into(), note)], ..Default::default() }
}

fn digest(b: &mut Backend) -> String {
    b.store.content_digest().expect("digest")
}

fn opening_never_creates_and_migrations_apply_once(b: &mut Backend) {
    assert_eq!(b.store.schema_version().expect("version"), 5);
    let mut again = b.reopen();
    assert_eq!(again.schema_version().expect("version"), 5);
    let before = digest(b);
    let _third = Store::open(&b.url, OpenMode::Create, clock()).expect("open again");
    assert_eq!(digest(b), before, "opening an existing record changes nothing");
    if b.is_sqlite() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("absent.db");
        let err = Store::open(&format!("sqlite:{}", path.display()), OpenMode::Existing, clock())
            .unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!path.exists(), "opening an existing record never creates one");
        std::fs::write(d.path().join("empty.db"), b"").unwrap();
        let err = Store::open(
            &format!("sqlite:{}", d.path().join("empty.db").display()),
            OpenMode::Existing,
            clock(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("holds no Ashyq record"), "{err}");
    } else {
        let base = std::env::var("ASHYQ_TEST_POSTGRES").unwrap();
        let (_, rest) = base.rsplit_once('/').unwrap();
        let missing = base.replace(&format!("/{rest}"), "/no_such_database_ashyq");
        let err = Store::open(&missing, OpenMode::Existing, clock()).unwrap_err();
        assert!(
            matches!(&err, StoreError::Backend(e) if e.kind == ashyq_store::BackendErrorKind::UnknownDatabase),
            "{err}"
        );
        assert!(err.to_string().contains("does not exist"), "{err}");
        let err = Store::open("postgres://postgres@127.0.0.1:1/test", OpenMode::Existing, clock())
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::Backend(e) if e.kind == ashyq_store::BackendErrorKind::Refused),
            "{err}"
        );
        assert!(err.to_string().contains("refused"), "{err}");
    }
}

/// A record written by the previous release (schema 4, before commissions' signatures) is
/// upgraded in place when opened: its versions read as unsigned and it still verifies.
fn a_schema_4_record_upgrades_in_place(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    let anchors = pinned(b, &e);
    b.store
        .execute_unchecked(
            "ALTER TABLE protocol_versions DROP COLUMN signature; ALTER TABLE tokens DROP COLUMN protocol_key; DELETE FROM schema_migrations WHERE version = 5",
        )
        .unwrap();
    let mut again = b.reopen();
    assert_eq!(again.schema_version().unwrap(), 5);
    assert_eq!(problems_with(&mut again, &anchors), Vec::<String>::new());
    assert!(again.history(&e, "president", "S001").unwrap()[0].signature.is_none());
}

fn import_stores_every_protocol_and_totals_match(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    let p = small();
    let (election, tree, counts) = b.store.totals(&e).expect("totals");
    assert_eq!(election, p.election);
    assert_eq!(tree, p.tree);
    assert_eq!(counts, p.counts, "stored latest versions equal the package's counts");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(3620));
    let progress = b.store.progress(&e).expect("progress");
    assert_eq!((progress[0].expected, progress[0].reported), (7, 7));
    assert_eq!(progress[0].registered_reported, 1200 + 900 + 1500 + 700 + 2100 + 1100 + 600);
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
    let anchors = pinned(b, &e);
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
    // The definition survives a reopen.
    let mut again = b.reopen();
    assert_eq!(again.definition(&e).expect("definition").0, p.election);
}

fn second_import_is_refused_and_changes_nothing(b: &mut Backend) {
    import_small(b, None);
    let before = digest(b);
    let err = import_package(b, &small(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("already in the record"), "{err}");
    assert_eq!(digest(b), before);
}

fn corrections_add_versions_and_totals_use_the_latest(b: &mut Backend) {
    let e = import_small(b, None);
    let mut s = sub("S001", "clerk-7", &[("alpha", 590), ("against-all", 60)]);
    let before = digest(b);
    let err = b.store.correct(&e, &s).unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    assert_eq!(digest(b), before, "a refused correction changes nothing");
    s.reason = "recount ordered by the district commission".into();
    let r = b.store.correct(&e, &s).expect("correct");
    let Submitted::Accepted { version: 2, receipt, .. } = r else { panic!("{r:?}") };
    assert_eq!(receipt.log_index, 8);
    assert_eq!(receipt.tree_size, 9);
    let h = b.store.history(&e, "president", "S001").expect("history");
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].author, "import");
    assert!(h[0].values.contains(&("alpha".into(), 600)));
    assert_eq!(h[1].author, "clerk-7");
    assert_eq!(h[1].reason, "recount ordered by the district commission");
    assert_eq!(h[1].log_index, 8);
    assert!(h[1].values.contains(&("alpha".into(), 590)));
    assert!(h[1].values.contains(&("beta".into(), 180)), "unchanged lines are kept");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(3610));
    assert_eq!(root_total(b, &e, Line::Option(2)), Some(385));
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
    let err = b.store.correct(&e, &with(sub("S001", "c", &[]), "alpha", 1)).unwrap_err();
    assert!(err.to_string().contains("needs a reason"));
}

fn a_second_submission_is_a_conflict_and_lines_are_required(b: &mut Backend) {
    let e = import_small(b, None);
    let before = digest(b);
    let err = b.store.submit(&e, &good("S001", "clerk")).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("already has version 1"), "{err}");
    assert_eq!(digest(b), before);
    let e2 = {
        let mut p = small();
        let info = ElectionInfo {
            names: Vec::new(),
            id: "other".into(),
            name: "x".into(),
            date: "2026-03-01".into(),
            rules: "kz-2022".into(),
            contests: vec![ContestInfo {
                id: "president".into(),
                kind: "presidential".into(),
                territory: "KZ".into(),
                options: ["alpha", "beta"]
                    .iter()
                    .map(|o| OptionInfo {
                        id: (*o).into(),
                        name: (*o).into(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            }],
        };
        p.election = Election::try_from_info(info, &p.tree).unwrap();
        p.counts = vec![ContestCounts::new(&p.election.contests()[0])];
        import_package(b, &p, &ImportOptions::default()).unwrap()
    };
    let before = digest(b);
    let err = b
        .store
        .submit(&e2, &sub("S001", "clerk", &[("alpha", 5), ("registered", 10)]))
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(
        err.to_string().contains("lacks ballots_issued, invalid, absentee, mobile, beta"),
        "{err}"
    );
    let err =
        b.store.submit(&e2, &sub("S001", "clerk", &[("alpha", 5), ("alpha", 6)])).unwrap_err();
    assert!(err.to_string().contains("given twice"), "{err}");
    assert_eq!(digest(b), before);
}

fn group_commit_writes_a_batch_with_one_checkpoint(b: &mut Backend) {
    b.store.set_signer(Some(key()));
    let e = import_empty(b, false);
    b.store.submit(&e, &good("S001", "clerk")).unwrap();
    let (before, _) = b.store.latest_checkpoint(&e).unwrap();
    let batch = vec![
        good("S002", "clerk"),
        with(good("S003", "clerk"), "ballots_received", 1), // R3 and V3: rejected
        good("S001", "clerk"),                              // already has a version
        good("S004", "clerk"),
        good("S004", "other"),     // twice in the batch
        sub("S999", "clerk", &[]), // no such unit
        good("S005", "clerk"),
    ];
    let r = b.store.submit_many(&e, &batch).unwrap();
    assert_eq!(r.len(), 7);
    let accepted: Vec<u64> = r
        .iter()
        .filter_map(|x| match x {
            Ok(Submitted::Accepted { receipt, .. }) => Some(receipt.log_index),
            _ => None,
        })
        .collect();
    assert_eq!(accepted, vec![2, 3, 4], "S002, S004, S005 in batch order");
    assert!(matches!(r[1], Err(StoreError::Rejected(_))), "{:?}", r[1]);
    assert!(matches!(r[2], Err(StoreError::Conflict(_))), "{:?}", r[2]);
    assert!(matches!(r[4], Err(StoreError::Conflict(_))), "{:?}", r[4]);
    assert!(matches!(r[5], Err(StoreError::NotFound(_))), "{:?}", r[5]);
    let (after, _) = b.store.latest_checkpoint(&e).unwrap();
    assert_eq!((before.size, after.size), (2, 5), "one checkpoint for the whole batch");
    if let Ok(Submitted::Accepted { receipt, .. }) = &r[0] {
        assert_eq!(receipt.tree_size, 5);
        assert!(receipt.checkpoint.as_deref().is_some_and(|c| c.contains("\n5\n")));
    }
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(4 * 400), "S001, S002, S004, S005");
    assert_eq!(b.store.progress(&e).unwrap()[0].reported, 4);
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
}

fn retries_with_an_idempotency_key_get_the_same_receipt(b: &mut Backend) {
    b.store.set_signer(Some(key()));
    let e = import_empty(b, false);
    let keyed = |s: Submission, k: &str, h: &str| Submission {
        idempotency: Some(ashyq_store::IdempotencyKey {
            scope: "tok1".into(),
            key: k.into(),
            request_hash: h.into(),
        }),
        ..s
    };
    let first = b.store.submit(&e, &keyed(good("S001", "clerk"), "k1", "h1")).unwrap();
    let again = b.store.submit(&e, &keyed(good("S001", "clerk"), "k1", "h1")).unwrap();
    let (Submitted::Accepted { receipt: r1, .. }, Submitted::Accepted { receipt: r2, version, .. }) =
        (&first, &again)
    else {
        panic!("{first:?} {again:?}")
    };
    assert!(!r1.replayed && r2.replayed);
    assert_eq!(
        (&r1.leaf_hash, r1.log_index, *version),
        (&r2.leaf_hash, r2.log_index, 1),
        "a retry gets the first acceptance's receipt"
    );
    assert_eq!(b.store.latest_checkpoint(&e).unwrap().0.size, 2, "and writes nothing");
    let err = b.store.submit(&e, &keyed(good("S002", "clerk"), "k1", "other")).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(_)) && err.to_string().contains("another request"),
        "{err}"
    );
    // Without the key the same protocol is a conflict.
    assert!(matches!(b.store.submit(&e, &good("S001", "clerk")), Err(StoreError::Conflict(_))));
    // A rejected request records nothing under its key.
    let bad = keyed(with(good("S003", "clerk"), "ballots_received", 1), "k2", "h2");
    assert!(b.store.submit(&e, &bad).is_err());
    assert!(b.store.idempotent("tok1", "k2").unwrap().is_none());
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
}

fn tokens_are_hashed_scoped_and_revocable(b: &mut Backend) {
    let e = import_small(b, None);
    let (secret, info) = b
        .store
        .create_token(ashyq_store::Role::Commission, Some("R1"), Some(&e), "R1 commission")
        .unwrap();
    assert!(secret.starts_with("ashyq_") && secret.len() > 40);
    assert_eq!(b.store.token(&secret).unwrap(), Some(info.clone()));
    assert_eq!(b.store.token("ashyq_wrong").unwrap(), None);
    assert!(
        !format!("{:?}", b.store.raw_rows().unwrap()).contains(&secret),
        "the secret is never stored"
    );
    assert!(matches!(
        b.store.create_token(ashyq_store::Role::Observer, None, None, "x"),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        b.store.create_token(ashyq_store::Role::Commission, Some("R9"), Some(&e), "x"),
        Err(StoreError::NotFound(_))
    ));
    b.store.revoke_token(&info.id).unwrap();
    assert_eq!(b.store.token(&secret).unwrap(), None);
    assert!(matches!(b.store.revoke_token(&info.id), Err(StoreError::NotFound(_))));
    assert_eq!(problems(&mut b.store), Vec::<String>::new(), "tokens are not part of the record");
}

fn times_must_be_rfc3339_and_not_in_the_future(b: &mut Backend) {
    let e = import_empty(b, false);
    let before = digest(b);
    for (t, want) in [
        ("yesterday", "RFC 3339"),
        ("2026-03-01 21:00", "RFC 3339"),
        ("2026-03-02T00:06:00Z", "future"),
    ] {
        let mut s = good("S001", "clerk");
        s.time = t.into();
        let err = b.store.submit(&e, &s).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{t}: {err}");
        assert!(err.to_string().contains(want), "{t}: {err}");
    }
    assert_eq!(digest(b), before);
    let mut s = good("S001", "clerk");
    s.time = "2026-03-02T05:04:00+05:00".into(); // 00:04 UTC: within the clock skew
    b.store.submit(&e, &s).expect("within skew");
    assert_eq!(
        b.store.history(&e, "president", "S001").unwrap()[0].time,
        "2026-03-02T00:04:00Z",
        "times are stored in UTC"
    );
}

fn checks_block_errors_and_warnings_until_overridden(b: &mut Backend) {
    let e = import_empty(b, false);
    let before = digest(b);
    // R3: received ≠ issued + cancelled.
    let mut bad = with(good("S001", "clerk"), "ballots_received", 990);
    match b.store.submit(&e, &bad) {
        Err(StoreError::Rejected(f)) => {
            assert!(f.iter().any(|f| f.code == "R3" && f.error), "{f:?}")
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(digest(b), before, "a rejected protocol changes nothing");
    bad.override_errors = true;
    match b.store.submit(&e, &bad).expect("override") {
        Submitted::Accepted { version: 1, findings, .. } => assert_eq!(findings[0].code, "R3"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        b.store.history(&e, "president", "S001").expect("history")[0].findings,
        vec!["R3".to_owned()]
    );
    // W1: turnout 99% is a warning that needs acknowledgement.
    let mut high = sub(
        "S002",
        "clerk",
        &[
            ("registered", 1000),
            ("ballots_issued", 990),
            ("invalid", 10),
            ("absentee", 0),
            ("mobile", 0),
            ("alpha", 900),
            ("beta", 60),
            ("against-all", 20),
        ],
    );
    let before = digest(b);
    match b.store.submit(&e, &high) {
        Err(StoreError::Rejected(f)) => {
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(f[0].code, "W1");
            assert!(!f[0].error);
            assert!(f[0].message.contains("99.0%"), "{}", f[0].message);
        }
        other => panic!("expected a warning, got {other:?}"),
    }
    assert_eq!(digest(b), before);
    high.acknowledge_warnings = true;
    assert!(matches!(b.store.submit(&e, &high).expect("ack"), Submitted::Accepted { .. }));
    // Limits are configurable.
    b.store.set_limits(ashyq_store::PlausibilityLimits {
        max_mobile_percent: 1,
        ..Default::default()
    });
    match b.store.submit(&e, &good("S003", "clerk")) {
        Err(StoreError::Rejected(f)) => assert_eq!(f[0].code, "W3"),
        other => panic!("expected W3, got {other:?}"),
    }
    // Unknown lines and units are errors that name them.
    let err = b.store.submit(&e, &sub("S004", "c", &[("gamma", 1)])).unwrap_err();
    assert!(err.to_string().contains("\"gamma\""), "{err}");
    let err = b.store.submit(&e, &sub("S999", "c", &[("alpha", 1)])).unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err}");
    assert!(err.to_string().contains("\"S999\""), "{err}");
}

fn summary_protocol_checked_against_its_stations(b: &mut Backend) {
    let e = import_empty(b, false);
    b.store.submit(&e, &good("S005", "a")).expect("S005");
    b.store.submit(&e, &good("S006", "a")).expect("S006");
    let before = digest(b);
    // District R2-D1's summary protocol says alpha 801; its stations add up to 800.
    let summary = |alpha| {
        sub(
            "R2-D1",
            "district",
            &[
                ("registered", 2000),
                ("ballots_issued", 1400),
                ("invalid", 60),
                ("absentee", 10),
                ("mobile", 40),
                ("alpha", alpha),
                ("beta", 400),
                ("against-all", 140),
            ],
        )
    };
    match b.store.submit(&e, &summary(801)) {
        Err(StoreError::Rejected(f)) => {
            let r7 = f.iter().find(|f| f.code == "R7").expect("R7");
            assert!(r7.message.contains("801") && r7.message.contains("800"), "{}", r7.message);
        }
        other => panic!("expected R7, got {other:?}"),
    }
    assert_eq!(digest(b), before);
    assert!(matches!(
        b.store.submit(&e, &summary(800)).expect("summary"),
        Submitted::Accepted { .. }
    ));
}

fn double_entry_needs_two_agreeing_entries_or_a_resolution(b: &mut Backend) {
    let e = import_empty(b, true);
    assert_eq!(
        b.store.submit(&e, &good("S001", "alice")).expect("first"),
        Submitted::AwaitingSecondEntry
    );
    assert_eq!(root_total(b, &e, Line::Option(0)), None, "one entry does not count");
    // The same person entering twice is not independent, whatever the case or spacing.
    assert_eq!(
        b.store.submit(&e, &good("S001", " ALICE ")).expect("again"),
        Submitted::AwaitingSecondEntry
    );
    let other = with(with(good("S001", "bob"), "alpha", 410), "against-all", 60);
    match b.store.submit(&e, &other).expect("second") {
        Submitted::Differences(d) => {
            assert_eq!(d.len(), 2);
            assert_eq!(d[0].line, "alpha");
            assert_eq!(
                d[0].values,
                vec![("ALICE".to_owned(), Some(400)), ("bob".to_owned(), Some(410))]
            );
            assert_eq!(d[1].line, "against-all");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(b.store.differences(&e, "president", "S001").expect("diffs").len(), 2);
    assert_eq!(root_total(b, &e, Line::Option(0)), None, "unresolved does not count");
    let before = digest(b);
    let err = b.store.resolve(&e, &sub("S001", "coordinator", &[("alpha", 400)])).unwrap_err();
    assert!(err.to_string().contains("against-all"), "{err}");
    // An entrant cannot resolve their own difference.
    let err = b
        .store
        .resolve(&e, &sub("S001", "Bob", &[("alpha", 400), ("against-all", 70)]))
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)), "{err}");
    assert_eq!(digest(b), before);
    let r = b
        .store
        .resolve(&e, &sub("S001", "coordinator", &[("alpha", 400), ("against-all", 70)]))
        .expect("resolve");
    assert!(matches!(r, Submitted::Accepted { version: 1, .. }), "{r:?}");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(400));
    let h = b.store.history(&e, "president", "S001").expect("history");
    assert_eq!(h[0].author, "coordinator");
    assert!(h[0].reason.contains("ALICE") && h[0].reason.contains("bob"), "{}", h[0].reason);
    // Two agreeing entries are accepted at once.
    assert_eq!(
        b.store.submit(&e, &good("S002", "alice")).expect("a"),
        Submitted::AwaitingSecondEntry
    );
    assert!(matches!(
        b.store.submit(&e, &good("S002", "bob")).expect("b"),
        Submitted::Accepted { version: 1, .. }
    ));
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(800));
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
}

fn double_entry_corrections_need_a_second_pair_of_eyes(b: &mut Backend) {
    let e = import_empty(b, true);
    b.store.submit(&e, &good("S001", "alice")).unwrap();
    b.store.submit(&e, &good("S001", "bob")).unwrap();
    let mut fix = sub("S001", "alice", &[("alpha", 399), ("against-all", 71)]);
    fix.reason = "recount".into();
    assert_eq!(b.store.correct(&e, &fix).expect("first keying"), Submitted::AwaitingSecondEntry);
    assert_eq!(
        root_total(b, &e, Line::Option(0)),
        Some(400),
        "one keying of a correction does not count"
    );
    fix.author = "carol".into();
    let r = b.store.correct(&e, &fix).expect("second keying");
    assert!(matches!(r, Submitted::Accepted { version: 2, .. }), "{r:?}");
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(399));
    let h = b.store.history(&e, "president", "S001").unwrap();
    assert!(h[1].reason.contains("recount") && h[1].reason.contains("carol"), "{}", h[1].reason);
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
}

fn turnout_snapshots_sum_up_the_tree_and_are_checked(b: &mut Backend) {
    let e = import_small(b, None);
    let t = "2026-03-01T10:05:00+05:00";
    assert!(b.store.record_turnout(&e, "S001", "10:00", 120, "s1", t).expect("s1").is_empty());
    b.store.record_turnout(&e, "S002", "10:00", 80, "s2", t).expect("s2");
    b.store.record_turnout(&e, "S005", "10:00", 300, "s5", t).expect("s5");
    b.store.record_turnout(&e, "S001", "12:00", 400, "s1", t).expect("s1 12");
    // Fewer voters at 14:00 than at 12:00 (T1); more than registered (T2: S002 has 900).
    assert_eq!(
        b.store.record_turnout(&e, "S001", "14:00", 390, "s1", t).unwrap(),
        vec!["T1".to_owned()]
    );
    assert_eq!(
        b.store.record_turnout(&e, "S002", "12:00", 901, "s2", t).unwrap(),
        vec!["T2".to_owned()]
    );
    let before = digest(b);
    let err = b.store.record_turnout(&e, "R1", "10:00", 1, "x", t).unwrap_err();
    assert!(err.to_string().contains("not a polling station"), "{err}");
    assert!(b
        .store
        .record_turnout(&e, "S003", "11:00", 1, "x", t)
        .unwrap_err()
        .to_string()
        .contains("11:00"));
    let err = b.store.record_turnout(&e, "S001", "10:00", 5, "x", t).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)) && err.to_string().contains("already"), "{err}");
    assert_eq!(digest(b), before);
    let rows = b.store.turnout(&e).expect("turnout");
    let find = |u: &str, h: &str| {
        rows.iter().find(|r| r.unit == u && r.hour == h).map(|r| (r.voters, r.stations))
    };
    assert_eq!(find("KZ", "10:00"), Some((500, 3)));
    assert_eq!(find("R1", "10:00"), Some((200, 2)));
    assert_eq!(find("R1-D1", "12:00"), Some((1301, 2)));
    assert_eq!(find("R2", "12:00"), None);
    assert_eq!(problems(&mut b.store), Vec::<String>::new());
}

fn progress_counts_at_the_level_the_record_reports(b: &mut Backend) {
    // Regional totals only (as the bundled national examples report at one level).
    let mut p = small();
    let mut cc = ContestCounts::new(&p.election.contests()[0]);
    for r in ["R1", "R2"] {
        let u = p.tree.index_of(r).unwrap();
        for (l, v) in [
            (Line::Protocol(P::Registered), 5000),
            (Line::Protocol(P::BallotsIssued), 3000),
            (Line::Protocol(P::Invalid), 100),
            (Line::Option(0), 2000),
            (Line::Option(1), 800),
            (Line::Option(2), 100),
        ] {
            cc.set(u, l, v).unwrap();
        }
    }
    p.counts = vec![cc];
    let e = import_package(b, &p, &ImportOptions::default()).unwrap();
    let pr = b.store.progress(&e).unwrap();
    assert_eq!((pr[0].expected, pr[0].reported, pr[0].registered_reported), (2, 2, 10_000));
    // A station below R2 reporting makes R2's stations the expected level there.
    b.store.submit(&e, &good("S005", "clerk")).unwrap();
    let pr = b.store.progress(&e).unwrap();
    assert_eq!(
        (pr[0].expected, pr[0].reported),
        (1 + 3, 1 + 1),
        "R1 as a whole, R2's three stations"
    );
}

fn certified_outcome_is_reproducible(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    let c1 = b.store.certify(&e).expect("certify");
    let c2 = b.store.certify(&e).expect("certify");
    assert_eq!(c1.log_size, 8);
    assert_eq!(c2.log_size, 9, "the first certification is itself in the log");
    assert_eq!(c1.inputs_hash, c2.inputs_hash, "same protocols, same inputs hash");
    assert!(c1.totals_csv.contains("president,KZ,alpha,3620"), "{}", c1.totals_csv);
    let (election, tree, _) = b.store.totals(&e).expect("totals");
    let o = ashyq_core::rules::outcome(&election, &tree, &c1.counts, &Default::default())
        .expect("outcome");
    assert_eq!(o.contests.len(), 1);
    let mut s = sub("S001", "clerk", &[("alpha", 590), ("against-all", 60)]);
    s.reason = "recount".into();
    b.store.correct(&e, &s).expect("correct");
    let c3 = b.store.certify(&e).expect("certify");
    assert_ne!(c3.inputs_hash, c1.inputs_hash);
    assert!(c3.totals_csv.contains("president,KZ,alpha,3610"));
    assert_eq!(problems(&mut b.store), Vec::<String>::new(), "earlier certifications still verify");
    // A live view follows the log: the versions since a size, and the log's state.
    let since = b.store.versions_since(&e, 8).unwrap();
    assert_eq!(since.len(), 1, "only the correction (certifications are not versions)");
    assert_eq!((since[0].seq, since[0].version, since[0].row[P::COUNT]), (11, 2, Some(590)));
    let st = b.store.log_state(&e).unwrap();
    assert_eq!((st.size, st.signed_size), (12, 12));
    assert_eq!(st.root, b.store.latest_checkpoint(&e).unwrap().0.root);
    b.store.execute_unchecked("UPDATE certifications SET totals_csv = REPLACE(totals_csv, '3620', '3630') WHERE seq = 1").expect("tamper");
    let f = problems(&mut b.store);
    assert!(f.iter().any(|f| f.contains("certification 1")), "{f:?}");
}

fn proofs_verify_against_the_checkpoint(b: &mut Backend) {
    use ashyq_record::merkle;
    let e = import_small(b, Some(key()));
    let mut s = sub("S003", "clerk", &[("beta", 221), ("against-all", 69)]);
    s.reason = "typo".into();
    b.store.correct(&e, &s).expect("correct");
    let vk = VerifierKey::parse(&b.store.verifier_key(&e).unwrap()).unwrap();
    assert_eq!(vk.name(), "ashyq/test-2026-station");
    let (cp, note) = b.store.latest_checkpoint(&e).unwrap();
    assert_eq!(ashyq_record::Checkpoint::open(&note, &vk).unwrap(), cp);
    assert_eq!(cp.size, 9);
    for (unit, version, index) in [("S001", None, 1), ("S003", Some(1), 3), ("S003", None, 8)] {
        let p = b.store.prove(&e, "president", unit, version).unwrap();
        assert_eq!(p.leaf_index, index);
        assert_eq!(p.tree_size, 9);
        assert_eq!(p.root_hash, cp.root);
        assert_eq!(merkle::leaf_hash(&p.leaf), p.leaf_hash);
        merkle::verify_inclusion(p.leaf_index, p.tree_size, &p.leaf_hash, &p.path, &p.root_hash)
            .unwrap();
        let text = String::from_utf8(p.leaf.clone()).unwrap();
        assert!(text.contains(&format!("\"unit\":\"{unit}\"")), "{text}");
    }
    assert!(String::from_utf8(b.store.prove(&e, "president", "S003", None).unwrap().leaf)
        .unwrap()
        .contains("\"beta\":221"));
    assert!(matches!(
        b.store.prove(&e, "president", "S003", Some(3)),
        Err(StoreError::NotFound(_))
    ));
    let c = b.store.consistency(&e, 8, None).unwrap();
    assert_eq!((c.from, c.to), (8, 9));
    merkle::verify_consistency(c.from, c.to, &c.from_root, &c.to_root, &c.path).unwrap();
    assert_eq!(c.to_root, cp.root);
    assert!(matches!(b.store.consistency(&e, 10, None), Err(StoreError::Invalid(_))));
}

fn appending_is_checkpointed_and_a_signed_record_needs_its_key(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    let before = digest(b);
    b.store.set_signer(None);
    let mut s = sub("S003", "clerk", &[("beta", 221), ("against-all", 69)]);
    s.reason = "typo".into();
    let err = b.store.correct(&e, &s).unwrap_err();
    assert!(matches!(err, StoreError::Key(_)) && err.to_string().contains("--key"), "{err}");
    b.store.set_signer(Some(other_key()));
    let err = b.store.correct(&e, &s).unwrap_err();
    assert!(
        matches!(err, StoreError::Key(_)) && err.to_string().contains("not the record's key"),
        "{err}"
    );
    assert_eq!(digest(b), before, "refused writes change nothing");
    b.store.set_signer(Some(key()));
    b.store.correct(&e, &s).unwrap();
    let (cp, _) = b.store.latest_checkpoint(&e).unwrap();
    assert_eq!(cp.size, 9, "every write is covered by a checkpoint");
}

/// A record rebuilt from scratch with other counts and signed with another key passes an
/// unanchored check, and fails with the commission's key pinned.
fn tamper_rebuilt_under_another_key(b: &mut Backend) {
    let mut honest = sqlite();
    let e = import_small(&mut honest, Some(key()));
    let anchors = pinned(&mut honest, &e);
    let mut p = small();
    let u = p.tree.index_of("S001").unwrap();
    let mut cc = ContestCounts::new(&p.election.contests()[0]);
    for (unit, row) in p.counts[0].rows() {
        for (col, v) in row.iter().enumerate() {
            if let Some(v) = v {
                let v = if unit == u && col == Line::Option(0).column() { v - 100 } else { *v };
                cc.set(unit, Line::from_column(col), v).unwrap();
            }
        }
    }
    p.counts = vec![cc];
    b.store.set_signer(Some(other_key()));
    import_package(b, &p, &ImportOptions::default()).unwrap();
    assert_eq!(problems(&mut b.store), Vec::<String>::new(), "internally consistent");
    let v = b.store.verify(None, &anchors).unwrap();
    assert!(!v[0].1.anchored || !v[0].1.problems.is_empty());
    let f = problems_with(&mut b.store, &anchors);
    assert!(f.iter().any(|f| f.contains("not the pinned key")), "{f:?}");
    assert!(
        f.iter().any(|f| f.contains("published checkpoint") && f.contains("rewritten")),
        "{f:?}"
    );
}

fn tamper_rolled_back_behind_a_published_checkpoint(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    let mut s = sub("S003", "clerk", &[("beta", 221), ("against-all", 69)]);
    s.reason = "typo".into();
    b.store.correct(&e, &s).unwrap();
    let anchors = pinned(b, &e); // size 9
                                 // The operator deletes the correction and everything that records it.
    b.store.execute_unchecked("DELETE FROM log WHERE seq = 9; DELETE FROM protocol_versions WHERE version = 2; DELETE FROM checkpoints WHERE size = 9; DELETE FROM log_frontiers WHERE size = 9").unwrap();
    assert_eq!(
        problems(&mut b.store),
        Vec::<String>::new(),
        "without anchors the rollback is invisible"
    );
    let f = problems_with(&mut b.store, &anchors);
    assert!(f.iter().any(|f| f.contains("rolled back")), "{f:?}");
}

fn tamper_appended_without_a_signed_checkpoint(b: &mut Backend) {
    use ashyq_record::leaf::{Leaf, ProtocolLeaf};
    let e = import_small(b, Some(key()));
    let anchors = pinned(b, &e);
    // Append version 2 of S001 with a correctly recomputed leaf hash (the canonical form is
    // public), its log entry and even a matching frontier — but no key to sign a checkpoint.
    let leaf = Leaf::Protocol(ProtocolLeaf {
        election: e.clone(),
        contest: "president".into(),
        unit: "S001".into(),
        version: 2,
        author: "operator".into(),
        at: "2026-03-01T22:00:00Z".into(),
        reason: "adjusted".into(),
        findings: vec![],
        lines: vec![
            ("registered".into(), 1200),
            ("ballots_issued".into(), 850),
            ("invalid".into(), 20),
            ("alpha".into(), 700),
            ("beta".into(), 80),
            ("against-all".into(), 50),
        ],
        signature: None,
    });
    let Leaf::Protocol(p) = &leaf else { unreachable!() };
    let mut m = serde_json::Map::new();
    for (k, v) in &p.lines {
        m.insert(k.clone(), (*v).into());
    }
    let lines = serde_json::Value::Object(m).to_string();
    let h = hex::encode(leaf.hash());
    b.store.execute_unchecked(&format!(
        "INSERT INTO protocol_versions (id, election_id, contest_idx, unit_idx, version, lines, author, at, reason, findings) VALUES (100, '{e}', 0, 6, 2, '{lines}', 'operator', '2026-03-01T22:00:00Z', 'adjusted', '');
         INSERT INTO log (election_id, seq, kind, ref, leaf_hash) VALUES ('{e}', 9, 'protocol', 100, '{h}');"
    )).unwrap();
    assert_eq!(root_total(b, &e, Line::Option(0)), Some(3720), "the forged version counts");
    // A signed record must have every entry covered: the forgery shows even without anchors…
    let f = problems(&mut b.store);
    assert!(f.iter().any(|f| f.contains("log entries 9 to 9 are not covered")), "{f:?}");
    // …and with them.
    let f = problems_with(&mut b.store, &anchors);
    assert!(f.iter().any(|f| f.contains("log entries 9 to 9 are not covered")), "{f:?}");
}

/// A precinct commission signs its protocol with its own key (issue 8): a signature that does
/// not match the lines is refused and nothing is stored; a good one is kept in the version's
/// leaf; a correction is signed as the corrected protocol as a whole; `verify` checks every
/// signature from the leaves, so even an operator who recomputes the leaf hash cannot change
/// signed lines unseen; double entry takes no signatures.
fn commission_signatures_are_checked_kept_and_verified(b: &mut Backend) {
    use ashyq_record::statement::protocol_statement;
    let e = import_empty(b, false);
    let commission = Signer::from_seed([9; 32]);
    let sign = |unit: &str, lines: &[(String, u64)]| {
        commission.sign_protocol(&protocol_statement(&e, "president", unit, lines))
    };
    let mut s = good("S001", "pec-1");
    let before = digest(b);
    s.signature = Some(sign("S001", &with(good("S001", "x"), "alpha", 401).values));
    let err = b.store.submit(&e, &s).unwrap_err();
    assert!(err.to_string().contains("does not verify"), "{err}");
    assert_eq!(digest(b), before, "a refused signature stores nothing");
    s.signature = Some(sign("S002", &s.values));
    assert!(b.store.submit(&e, &s).is_err(), "a signature made for another station");
    s.signature = Some(sign("S001", &s.values));
    let Submitted::Accepted { version: 1, .. } = b.store.submit(&e, &s).unwrap() else { panic!() };
    // Batches check each one's signature on its own.
    let mut t = good("S002", "pec-2");
    t.signature = Some(sign("S002", &good("S002", "x").values));
    let mut u = good("S003", "pec-3");
    u.signature = Some(sign("S002", &u.values));
    let r = b.store.submit_many(&e, &[t, u]).unwrap();
    assert!(r[0].is_ok(), "{:?}", r[0]);
    assert!(
        matches!(&r[1], Err(StoreError::Invalid(m)) if m.contains("does not verify")),
        "{:?}",
        r[1]
    );
    // A correction signs the protocol as it will stand, not only the changed lines.
    let mut fix = sub("S001", "pec-1", &[("alpha", 399), ("against-all", 71)]);
    fix.reason = "recount".into();
    fix.signature = Some(sign("S001", &fix.values));
    let err = b.store.correct(&e, &fix).unwrap_err();
    assert!(err.to_string().contains("as a whole"), "{err}");
    let whole = with(with(good("S001", "x"), "alpha", 399), "against-all", 71).values;
    fix.signature = Some(sign("S001", &whole));
    b.store.correct(&e, &fix).unwrap();
    let h = b.store.history(&e, "president", "S001").unwrap();
    assert_eq!(h[0].signature, Some(sign("S001", &good("S001", "x").values)));
    assert_eq!(h[1].signature, Some(sign("S001", &whole)));
    let v = b.store.verify(Some(&e), &Anchors::default()).unwrap();
    assert_eq!(v[0].1.problems, Vec::<String>::new());
    assert_eq!(v[0].1.signed_protocols, 3);
    // The operator changes the signed lines and recomputes the leaf hash (the canonical form is
    // public): the commission's signature no longer matches, whatever the record's own key says.
    let mut forged = ashyq_record::leaf::ProtocolLeaf {
        election: e.clone(),
        contest: "president".into(),
        unit: "S001".into(),
        version: 1,
        author: h[0].author.clone(),
        at: h[0].time.clone(),
        reason: h[0].reason.clone(),
        findings: h[0].findings.clone(),
        lines: h[0].values.clone(),
        signature: h[0].signature.clone(),
    };
    for (l, v) in forged.lines.iter_mut() {
        if l == "alpha" {
            *v = 500;
        } else if l == "beta" {
            *v = 100;
        }
    }
    let mut m = serde_json::Map::new();
    for (k, v) in &forged.lines {
        m.insert(k.clone(), (*v).into());
    }
    let lines = serde_json::Value::Object(m).to_string();
    let h = hex::encode(ashyq_record::Leaf::Protocol(forged).hash());
    b.store
        .execute_unchecked(&format!(
            "UPDATE protocol_versions SET lines = '{lines}' WHERE election_id = '{e}' AND version = 1 AND unit_idx = (SELECT unit_idx FROM protocol_versions WHERE election_id = '{e}' AND version = 2);
             UPDATE log SET leaf_hash = '{h}' WHERE election_id = '{e}' AND kind = 'protocol' AND ref = (SELECT id FROM protocol_versions WHERE election_id = '{e}' AND version = 1 AND unit_idx = (SELECT unit_idx FROM protocol_versions WHERE election_id = '{e}' AND version = 2));"
        ))
        .unwrap();
    let f = problems(&mut b.store);
    assert!(
        f.iter().any(|f| f.contains("protocol (contest president, unit S001) version 1")
            && f.contains("protocol signature does not verify")),
        "{f:?}"
    );
    // Double entry: versions are made by two keyings, never by one signed document.
    let mut de = sqlite();
    let e2 = import_empty(&mut de, true);
    let mut s = good("S001", "alice");
    s.signature =
        Some(commission.sign_protocol(&protocol_statement(&e2, "president", "S001", &s.values)));
    let err = de.store.submit(&e2, &s).unwrap_err();
    assert!(err.to_string().contains("double entry"), "{err}");
}

fn tamper_out_of_range_indexes_are_named_not_panicked(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    b.store.certify(&e).unwrap();
    for sql in [
        "UPDATE protocol_versions SET unit_idx = 999 WHERE id = 1",
        "UPDATE protocol_versions SET unit_idx = -1 WHERE id = 2",
        "UPDATE protocol_versions SET contest_idx = 5 WHERE id = 3",
    ] {
        b.store.execute_unchecked(sql).unwrap();
    }
    let f = problems(&mut b.store);
    assert!(f.iter().any(|f| f.contains("unit #999")), "{f:?}");
    assert!(f.iter().any(|f| f.contains("unit #-1")), "{f:?}");
    assert!(f.iter().any(|f| f.contains("contest #5")), "{f:?}");
    // Every reader names the same corruption instead of guessing.
    for err in [b.store.totals(&e).unwrap_err(), b.store.certify(&e).unwrap_err()] {
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    }
}

/// Every table of the record, every row, every column: one edit at a time, and `verify` with the
/// commission's key and a checkpoint published earlier must name a problem each time.
fn tamper_every_single_value_of_every_table(b: &mut Backend) {
    // A record that holds every kind of fact: a double-entry election, imported protocols, two
    // agreeing entries, a correction keyed twice, turnout, a certification.
    b.store.set_signer(Some(key()));
    let p = small();
    let mut counts = p.counts.clone();
    let s7 = p.tree.index_of("S007").unwrap();
    let mut keep = ContestCounts::new(&p.election.contests()[0]);
    for (u, row) in counts[0].rows() {
        if u != s7 {
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    keep.set(u, Line::from_column(col), *v).unwrap();
                }
            }
        }
    }
    counts[0] = keep;
    let e = b
        .store
        .import(
            &p.election,
            &p.tree,
            &counts,
            &ImportOptions { double_entry: true, ..Default::default() },
            &mut noop,
        )
        .unwrap()
        .election;
    b.store.submit(&e, &good("S007", "alice")).unwrap();
    b.store.submit(&e, &good("S007", "bob")).unwrap();
    let mut fix = sub("S007", "alice", &[("alpha", 399), ("against-all", 71)]);
    fix.reason = "recount".into();
    b.store.correct(&e, &fix).unwrap();
    fix.author = "carol".into();
    b.store.correct(&e, &fix).unwrap();
    b.store.record_turnout(&e, "S001", "10:00", 120, "pec", "2026-03-01T10:05:00+05:00").unwrap();
    b.store.certify(&e).unwrap();
    let anchors = pinned(b, &e);
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
    let rows = b.store.raw_rows().unwrap();
    let mut edits = 0;
    let mut refused = 0;
    for (table, cols, values) in &rows {
        if table == "schema_migrations" {
            // The database's own bookkeeping, not part of any election's record: `verify`
            // checks its versions and names (below), and applied_at is operational.
            continue;
        }
        let all: Vec<String> = cols
            .iter()
            .zip(values)
            .map(|(c, v)| if v == "NULL" { format!("{c} IS NULL") } else { format!("{c} = {v}") })
            .collect();
        for (j, col) in cols.iter().enumerate() {
            let old = &values[j];
            let mut candidates: Vec<String> = Vec::new();
            if old == "NULL" {
                candidates.push("1".into());
                candidates.push("'x'".into());
            } else if old.starts_with('\'') {
                let inner = &old[1..old.len() - 1];
                candidates.push(format!("'{}x'", inner.replace('\'', "''")));
                if !inner.is_empty() {
                    // Flip the last character (hex digits stay hex).
                    let mut chars: Vec<char> = inner.chars().collect();
                    let last = chars.len() - 1;
                    chars[last] = if chars[last] == '0' { '1' } else { '0' };
                    candidates.push(format!(
                        "'{}'",
                        chars.into_iter().collect::<String>().replace('\'', "''")
                    ));
                }
            } else {
                let v: i64 = old.parse().unwrap();
                candidates.push((v + 1).to_string());
                candidates.push((v - 1).to_string());
                if b.is_sqlite() {
                    candidates.push("'not a number'".into());
                }
            }
            for new in candidates {
                let sql = format!("UPDATE {table} SET {col} = {new} WHERE {}", all.join(" AND "));
                let undo = format!("UPDATE {table} SET {col} = {old} WHERE {}", {
                    let mut w = all.clone();
                    w[j] = format!("CAST({col} AS TEXT) = CAST({new} AS TEXT)");
                    w.join(" AND ")
                });
                if b.store.execute_unchecked(&sql).is_err() {
                    refused += 1; // the database's own constraints refuse it
                    continue;
                }
                edits += 1;
                let f = problems_with(&mut b.store, &anchors);
                assert!(!f.is_empty(), "editing {table}.{col} from {old} to {new} went unnoticed");
                b.store.execute_unchecked(&undo).unwrap_or_else(|e| panic!("{undo}: {e}"));
            }
        }
    }
    assert_eq!(
        problems_with(&mut b.store, &anchors),
        Vec::<String>::new(),
        "every edit was undone"
    );
    eprintln!("{edits} single-value edits, every one detected; {refused} refused by the database");
    assert!(edits > 300, "{edits}");
    b.store
        .execute_unchecked("UPDATE schema_migrations SET name = 'other' WHERE version = 2")
        .unwrap();
    assert!(problems(&mut b.store).iter().any(|f| f.contains("schema_migrations")));
}

fn export_verifies_offline_and_catches_edits(b: &mut Backend) {
    let e = import_small(b, Some(key()));
    let mut s = sub("S003", "clerk", &[("beta", 221), ("against-all", 69)]);
    s.reason = "typo".into();
    b.store.correct(&e, &s).unwrap();
    b.store.certify(&e).expect("certify");
    let anchors = pinned(b, &e);
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("record");
    b.store.export(&e, &dir).expect("export");
    let verify =
        |dir: &Path, a: &Anchors| ashyq_record::folder::verify(dir, a).expect("verify").problems;
    assert_eq!(verify(&dir, &anchors), Vec::<String>::new());
    assert!(std::fs::read_to_string(dir.join("README.txt"))
        .unwrap()
        .contains("ashyq verify --record"));
    assert_eq!(
        std::fs::read_to_string(dir.join("checkpoint")).unwrap(),
        b.store.latest_checkpoint(&e).unwrap().1
    );
    // The exported folder is a package with the latest counts.
    let p = ashyq_package::read_package(&dir).expect("package");
    let (_, _, counts) = b.store.totals(&e).expect("totals");
    assert_eq!(p.counts, counts);
    // Edit one value in the log.
    let path = dir.join("log.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("\"alpha\":600", "\"alpha\":601", 1);
    assert_ne!(text, edited);
    std::fs::write(&path, &edited).unwrap();
    let f = verify(&dir, &anchors);
    assert!(f.iter().any(|f| f.contains("root") && f.contains("published checkpoint")), "{f:?}");
    assert!(f.iter().any(|f| f.contains("counts.csv")), "{f:?}");
    // Without anchors, a rewritten folder with its own checkpoints is only caught by its signatures.
    std::fs::write(&path, &text).unwrap();
    // Edit counts.csv.
    let cpath = dir.join("counts.csv");
    let ctext = std::fs::read_to_string(&cpath).unwrap();
    std::fs::write(
        &cpath,
        ctext.replacen("president,S001,alpha,600", "president,S001,alpha,700", 1),
    )
    .unwrap();
    let f = verify(&dir, &Anchors::default());
    assert!(f.iter().any(|f| f.contains("counts.csv")), "{f:?}");
    std::fs::write(&cpath, &ctext).unwrap();
    // Drop the last line of the log (a rollback of the folder).
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&path, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let f = verify(&dir, &anchors);
    assert!(f.iter().any(|f| f.contains("rolled back") || f.contains("deleted")), "{f:?}");
}

fn overflowing_totals_are_refused(b: &mut Backend) {
    let mut p = small();
    let mut cc = ContestCounts::new(&p.election.contests()[0]);
    for s in ["S001", "S002"] {
        cc.set(p.tree.index_of(s).unwrap(), Line::Option(0), u64::MAX - 1).unwrap();
    }
    p.counts = vec![cc];
    let before = digest(b);
    let err = import_package(b, &p, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("exceeds"), "{err}");
    assert_eq!(digest(b), before);
    // At submission too: two protocols each just below 2^64 cannot both be recorded.
    let e = import_empty(b, false);
    let huge = |unit: &str| {
        let mut s = sub(
            unit,
            "clerk",
            &[
                ("registered", u64::MAX - 1),
                ("ballots_issued", 10),
                ("invalid", 0),
                ("absentee", 0),
                ("mobile", 0),
                ("alpha", 10),
                ("beta", 0),
                ("against-all", 0),
            ],
        );
        s.acknowledge_warnings = true;
        s.override_errors = true;
        s
    };
    b.store.submit(&e, &huge("S001")).expect("one huge protocol fits");
    let before = digest(b);
    let err = b.store.submit(&e, &huge("S002")).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("registered") && err.to_string().contains("exceeds"), "{err}");
    assert_eq!(digest(b), before);
}

/// A Kazakhstan-size election round-trips: what the record totals is exactly what was imported.
/// (Speed is measured in scripts/bench-import.sh, not asserted here.)
fn ten_thousand_stations_round_trip(b: &mut Backend) {
    let (election, tree, counts) = generated(10_000);
    let mut calls = 0u64;
    let s = b
        .store
        .import(&election, &tree, &counts, &ImportOptions::default(), &mut |done, total| {
            calls += 1;
            assert!(done <= total);
        })
        .expect("import");
    assert!(calls > 0, "progress is reported");
    assert_eq!(s.protocols, 10_000);
    let (e2, t2, c2) = b.store.totals("gen").expect("totals");
    let roll = c2[0].roll_up(&t2, e2.contests()[0].territory()).expect("roll");
    assert_eq!(c2, counts);
    assert_eq!(roll.at(0).expect("root").protocols, 10_000);
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
        names: Vec::new(),
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

/// Child half of the kill test: imports a big election into the database named by
/// `ASHYQ_KILL_TEST_DB`; does nothing when run normally.
#[test]
fn kill_test_child() {
    let Ok(url) = std::env::var("ASHYQ_KILL_TEST_DB") else { return };
    let (election, tree, counts) = generated(60_000);
    let mut store = Store::open(&url, OpenMode::Create, clock()).expect("open");
    println!("importing");
    let _ = store.import(&election, &tree, &counts, &ImportOptions::default(), &mut |_, _| {});
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
        assert_eq!(problems(&mut store), Vec::<String>::new());
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
