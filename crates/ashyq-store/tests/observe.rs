//! Observers and audits in the record (issue 9), on SQLite and PostgreSQL (when
//! `ASHYQ_TEST_POSTGRES` is set; required when `CI` is set): observer copies versioned per
//! observer and never counted in the official totals, observers' turnout counts, the comparison
//! of the official protocols with the copies (checked against the package comparison of the
//! same data), an audit committed, seeded, drawn, hand-counted and closed in the record, and an
//! attacker editing every value of the new tables.

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
    fixed_clock, Clock, IdempotencyKey, ImportOptions, ObservationInput, ObservedTurnoutInput,
    OpenMode, Signer, Store, StoreError,
};

fn clock() -> Clock {
    fixed_clock(Timestamp::parse("2026-03-02T00:00:00Z").unwrap())
}

struct Backend {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
    /// Dropped last, after the store's connections: the schema is dropped with it.
    _pg: Option<PgSchema>,
}

impl Backend {
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
    copies_are_versioned_per_observer_and_never_touch_official_totals,
    bad_copies_are_refused_with_the_line_and_change_nothing,
    group_commit_and_idempotent_retries,
    large_batches_version_copies_like_small_ones,
    compare_in_the_record_equals_the_package_comparison,
    observers_who_disagree_are_listed_not_merged,
    observed_turnout_is_checked_and_compared,
    audit_of_the_district_escalates_to_a_full_hand_count,
    audit_that_confirms_and_its_export_verifies_offline,
    audit_hand_counts_only_for_drawn_stations_checked_by_verify,
    tamper_every_value_of_the_observer_and_audit_tables,
);

fn key() -> Arc<Signer> {
    Arc::new(Signer::from_seed([31; 32]))
}

fn noop(_: u64, _: u64) {}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn district(which: &str) -> ashyq_package::Package {
    ashyq_package::read_package(&data(&format!(
        "../ashyq-cli/tests/data/district-observers/{which}"
    )))
    .expect("district package")
}

fn small() -> ashyq_package::Package {
    ashyq_package::read_package(&data("test_data/small")).expect("small package")
}

fn import(b: &mut Backend, p: &ashyq_package::Package, signer: Option<Arc<Signer>>) -> String {
    b.store.set_signer(signer);
    b.store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut noop)
        .expect("import")
        .election
}

fn problems_with(store: &mut Store, anchors: &Anchors) -> Vec<String> {
    store.verify(None, anchors).expect("verify").into_iter().flat_map(|(_, v)| v.problems).collect()
}

fn pinned(b: &mut Backend, e: &str) -> Anchors {
    let key = VerifierKey::parse(&b.store.verifier_key(e).expect("key")).expect("parse");
    let (_, note) = b.store.latest_checkpoint(e).expect("checkpoint");
    Anchors { key: Some(key), checkpoints: vec![("published".into(), note)], ..Default::default() }
}

fn copy(contest: &str, unit: &str, observer: &str, values: &[(&str, u64)]) -> ObservationInput {
    ObservationInput {
        contest: contest.into(),
        unit: unit.into(),
        observer: observer.into(),
        values: values.iter().map(|(l, v)| ((*l).to_owned(), *v)).collect(),
        photo_sha256: None,
        author: "Aigerim".into(),
        time: "2026-03-01T22:00:00+05:00".into(),
        reason: String::new(),
        idempotency: None,
    }
}

/// Every copy of a package's protocols, as observer `observer` holds them.
fn copies_of(p: &ashyq_package::Package, observer: &str) -> Vec<ObservationInput> {
    copies_of_counts(&p.election, &p.tree, &p.counts, observer)
}

fn copies_of_counts(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    observer: &str,
) -> Vec<ObservationInput> {
    let mut out = Vec::new();
    for (ci, c) in election.contests().iter().enumerate() {
        for (u, row) in counts[ci].rows() {
            let values: Vec<(String, u64)> = ashyq_record::certify::row_lines(c, row);
            out.push(ObservationInput {
                contest: c.id().to_string(),
                unit: tree.unit(u).id.to_string(),
                observer: observer.into(),
                values,
                photo_sha256: Some(format!("{:064x}", u)),
                author: format!("{observer} volunteer"),
                time: "2026-03-01T22:00:00+05:00".into(),
                reason: String::new(),
                idempotency: None,
            });
        }
    }
    out
}

/// Totals, progress and the certification inputs: what official tabulation reads.
fn official_view(b: &mut Backend, e: &str) -> (Vec<ContestCounts>, String, String) {
    let (_, _, counts) = b.store.totals(e).unwrap();
    let progress = format!("{:?}", b.store.progress(e).unwrap());
    let turnout = format!("{:?}", b.store.turnout(e).unwrap());
    (counts, progress, turnout)
}

fn copies_are_versioned_per_observer_and_never_touch_official_totals(b: &mut Backend) {
    let e = import(b, &small(), Some(key()));
    let before = official_view(b, &e);
    let cert1 = b.store.certify(&e).unwrap();
    // A copy that differs from the official protocol of S001 (alpha 600 → 650).
    let mut c = copy("president", "S001", "adil-soz", &[("alpha", 650), ("beta", 180)]);
    c.photo_sha256 = Some("AB".repeat(32));
    let o = b.store.observe(&e, &c).unwrap();
    assert_eq!(o.version, 1);
    assert!(o.receipt.checkpoint.is_some(), "a copy is covered by a signed checkpoint");
    // The same protocol from the same observer: a conflict without a reason, and when it
    // repeats the latest copy; with a reason and other lines, version 2.
    let err = b.store.observe(&e, &c).unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
    assert!(err.to_string().contains("same lines as version 1"), "{err}");
    let mut c2 = copy("president", "S001", "adil-soz", &[("alpha", 640), ("beta", 180)]);
    let err = b.store.observe(&e, &c2).unwrap_err();
    assert!(err.to_string().contains("only with a reason"), "{err}");
    c2.reason = "the first photo was blurred".into();
    assert_eq!(b.store.observe(&e, &c2).unwrap().version, 2);
    // Another observer's copy of the same protocol is its own version 1.
    let c3 = copy("president", "S001", "echo", &[("alpha", 600)]);
    assert_eq!(b.store.observe(&e, &c3).unwrap().version, 1);
    let list = b.store.observations(&e, Some("president"), Some("S001")).unwrap();
    let seen: Vec<(&str, u64)> = list.iter().map(|o| (o.observer.as_str(), o.version)).collect();
    assert_eq!(seen, vec![("adil-soz", 1), ("adil-soz", 2), ("echo", 1)]);
    assert_eq!(list[0].photo_sha256.as_deref(), Some("ab".repeat(32).as_str()), "stored lowercase");
    assert_eq!(list[1].reason, "the first photo was blurred");
    assert_eq!(list[0].values, vec![("alpha".to_owned(), 650), ("beta".to_owned(), 180)]);
    // Turnout counts of an observer.
    let t = ObservedTurnoutInput {
        unit: "S001".into(),
        hour: "11:45".into(),
        voters: 300,
        observer: "adil-soz".into(),
        author: "Bolat".into(),
        time: "2026-03-01T11:50:00+05:00".into(),
    };
    b.store.observe_turnout_all(&e, &[t]).unwrap().unwrap();
    // Official tabulation reads none of it.
    assert_eq!(official_view(b, &e), before, "observations changed the official tabulation");
    let cert2 = b.store.certify(&e).unwrap();
    assert_eq!(cert2.inputs_hash, cert1.inputs_hash, "certification inputs changed");
    assert_eq!(cert2.totals_csv, cert1.totals_csv);
    assert_eq!(
        b.store.history(&e, "president", "S001").unwrap().len(),
        1,
        "no official version was added"
    );
    let anchors = pinned(b, &e);
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
}

/// A bad copy, what its refusal says, and its kind.
type Case = (ObservationInput, &'static str, fn(&StoreError) -> bool);

fn bad_copies_are_refused_with_the_line_and_change_nothing(b: &mut Backend) {
    let e = import(b, &small(), None);
    let before = b.store.content_digest().unwrap();
    let cases: Vec<Case> = vec![
        (copy("mayor", "S001", "o", &[("alpha", 1)]), "contest \"mayor\"", |e| {
            matches!(e, StoreError::NotFound(_))
        }),
        (copy("president", "S999", "o", &[("alpha", 1)]), "unit \"S999\"", |e| {
            matches!(e, StoreError::NotFound(_))
        }),
        (copy("president", "S001", "o", &[("gamma", 1)]), "line \"gamma\"", |e| {
            matches!(e, StoreError::Invalid(_))
        }),
        (copy("president", "S001", "o", &[("alpha", 1), ("alpha", 2)]), "given twice", |e| {
            matches!(e, StoreError::Invalid(_))
        }),
        (copy("president", "S001", "o", &[]), "holds no line", |e| {
            matches!(e, StoreError::Invalid(_))
        }),
        (copy("president", "S001", "o", &[("alpha", 1 << 41)]), "line \"alpha\"", |e| {
            matches!(e, StoreError::Invalid(_))
        }),
        (copy("president", "S001", " ", &[("alpha", 1)]), "observer", |e| {
            matches!(e, StoreError::Invalid(_))
        }),
        (
            ObservationInput {
                photo_sha256: Some("not a hash".into()),
                ..copy("president", "S001", "o", &[("alpha", 1)])
            },
            "field photo_sha256",
            |e| matches!(e, StoreError::Invalid(_)),
        ),
        (
            ObservationInput {
                time: "2030-01-01T00:00:00Z".into(),
                ..copy("president", "S001", "o", &[("alpha", 1)])
            },
            "in the future",
            |e| matches!(e, StoreError::Invalid(_)),
        ),
    ];
    for (c, says, kind) in &cases {
        let err = b.store.observe(&e, c).unwrap_err();
        assert!(kind(&err), "{err:?}");
        assert!(err.to_string().contains(says), "{err} should say {says}");
    }
    // All or nothing: one bad copy among good ones stores none of them.
    let mut batch = copies_of(&small(), "o");
    batch[3].values.push(("gamma".into(), 1));
    let refused = b.store.observe_all(&e, &batch).unwrap().unwrap_err();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, 3);
    assert_eq!(b.store.content_digest().unwrap(), before, "a refused copy changed the record");
    // A conflict found inside the transaction rolls the whole import back too.
    let good = copies_of(&small(), "o");
    b.store.observe(&e, &good[5]).unwrap();
    let mid = b.store.content_digest().unwrap();
    let refused = b.store.observe_all(&e, &good).unwrap().unwrap_err();
    assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), vec![5]);
    assert!(matches!(refused[0].1, StoreError::Conflict(_)));
    assert_eq!(b.store.content_digest().unwrap(), mid);
    // Copies that fail the protocol checks are kept, with their findings.
    let bad_sum = copy(
        "president",
        "S002",
        "o",
        &[
            ("ballots_found", 610),
            ("invalid", 12),
            ("alpha", 500),
            ("beta", 300),
            ("against-all", 10),
        ],
    );
    let o = b.store.observe(&e, &bad_sum).unwrap();
    assert!(o.findings.iter().any(|f| f.error), "{:?}", o.findings);
    let stored = b.store.observations(&e, None, Some("S002")).unwrap();
    assert!(!stored[0].findings.is_empty());
    assert_eq!(problems_with(&mut b.store, &Anchors::default()), Vec::<String>::new());
}

fn group_commit_and_idempotent_retries(b: &mut Backend) {
    let e = import(b, &small(), Some(key()));
    let size = b.store.log_state(&e).unwrap().size;
    let mut batch = copies_of(&small(), "adil-soz");
    batch.push(copy("president", "S404", "adil-soz", &[("alpha", 1)]));
    batch[0].idempotency =
        Some(IdempotencyKey { scope: "tok".into(), key: "k1".into(), request_hash: "h1".into() });
    let res = b.store.observe_many(&e, &batch).unwrap();
    assert_eq!(res.iter().filter(|r| r.is_ok()).count(), 7);
    assert!(matches!(res[7], Err(StoreError::NotFound(_))));
    let receipts: Vec<_> = res.iter().flatten().map(|o| o.receipt.clone()).collect();
    assert!(receipts.iter().all(|r| r.tree_size == size + 7), "one transaction");
    let checkpoints: std::collections::BTreeSet<_> =
        receipts.iter().map(|r| r.checkpoint.clone()).collect();
    assert_eq!(checkpoints.len(), 1, "one signed checkpoint for the batch");
    // The retry gets the first receipt back; the same key for another request is a conflict.
    let again = b.store.observe(&e, &batch[0]).unwrap();
    assert!(again.receipt.replayed);
    assert_eq!(again.receipt.log_index, receipts[0].log_index);
    let mut other = batch[1].clone();
    other.idempotency =
        Some(IdempotencyKey { scope: "tok".into(), key: "k1".into(), request_hash: "h2".into() });
    other.reason = "retyped".into();
    other.values[0].1 += 1;
    assert!(matches!(b.store.observe(&e, &other), Err(StoreError::Conflict(_))));
    assert_eq!(b.store.log_state(&e).unwrap().size, size + 7);
}

/// Batches of more than 16 copies read their observers' earlier copies in one query: the same
/// versions and conflicts as copy by copy.
fn large_batches_version_copies_like_small_ones(b: &mut Backend) {
    let (election, tree, counts) = wide(40);
    let e = b
        .store
        .import(&election, &tree, &counts, &ImportOptions::default(), &mut noop)
        .unwrap()
        .election;
    let mut batch = copies_of_counts(&election, &tree, &counts, "adil-soz");
    batch.extend(copies_of_counts(&election, &tree, &counts, "echo").into_iter().take(5));
    assert_eq!(batch.len(), 45);
    // One copy of the batch already held: refused in the batch as copy by copy.
    b.store.observe(&e, &batch[7]).unwrap();
    let refused = b.store.observe_all(&e, &batch).unwrap().unwrap_err();
    assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), vec![7]);
    batch.remove(7);
    let ok = b.store.observe_all(&e, &batch).unwrap().unwrap();
    assert!(ok.iter().all(|o| o.version == 1));
    // Again: every copy is held already, with the same lines.
    let refused = b.store.observe_all(&e, &batch).unwrap().unwrap_err();
    assert_eq!(refused.len(), 44);
    assert!(refused.iter().all(|(_, e)| e.to_string().contains("same lines as version 1")));
    // Changed copies with a reason: version 2 (and version 3 for a copy changed twice in one batch).
    for c in &mut batch {
        c.values.iter_mut().find(|(l, _)| l == "a").unwrap().1 -= 1;
        c.values.iter_mut().find(|(l, _)| l == "b").unwrap().1 += 1;
        c.reason = "the signed copy, read again".into();
    }
    let mut twice = batch[0].clone();
    twice.values.iter_mut().find(|(l, _)| l == "a").unwrap().1 -= 1;
    twice.values.iter_mut().find(|(l, _)| l == "b").unwrap().1 += 1;
    batch.push(twice);
    let ok = b.store.observe_all(&e, &batch).unwrap().unwrap();
    assert_eq!(ok.iter().filter(|o| o.version == 2).count(), 44);
    assert_eq!(ok.last().unwrap().version, 3);
    let (_, _, totals) = b.store.totals(&e).unwrap();
    assert_eq!(totals, counts, "official counts unchanged");
    assert_eq!(problems_with(&mut b.store, &Anchors::default()), Vec::<String>::new());
}

fn district_record(b: &mut Backend) -> String {
    let e = import(b, &district("official"), Some(key()));
    let copies = copies_of(&district("observed"), "adil-soz");
    b.store.observe_all(&e, &copies).unwrap().unwrap();
    e
}

fn compare_in_the_record_equals_the_package_comparison(b: &mut Backend) {
    let e = district_record(b);
    let r = b.store.compare(&e, None, None).unwrap();
    let (off, obs) = (district("official"), district("observed"));
    let direct = ashyq_audit::compare::compare(
        ashyq_audit::compare::Record {
            election: &off.election,
            tree: &off.tree,
            counts: &off.counts,
        },
        ashyq_audit::compare::Record {
            election: &obs.election,
            tree: &obs.tree,
            counts: &obs.counts,
        },
    )
    .unwrap();
    assert_eq!(r.comparison.contests, direct.contests, "the record gives the package comparison");
    let c = &r.comparison.contests[0];
    assert_eq!(
        (c.stations_compared, c.stations_missing, c.stations_differing, c.abs_diff),
        (15, 0, 4, 664)
    );
    assert_eq!(c.decision_official, "bolat elected");
    assert_eq!(c.decision_merged, "aigerim elected");
    assert!(c.outcome_changed());
    assert_eq!(r.observers, vec!["adil-soz".to_owned()]);
    let d7 = &r.by_unit[0];
    assert_eq!(d7.len(), 1);
    assert_eq!(
        (d7[0].unit.as_str(), d7[0].stations_compared, d7[0].stations_differing, d7[0].abs_diff),
        ("D7", 15, 4, 664)
    );
    // One observer only, one contest only, and an unknown observer.
    let one = b.store.compare(&e, Some("d7"), Some("adil-soz")).unwrap();
    assert_eq!(one.comparison.contests, r.comparison.contests);
    assert!(matches!(b.store.compare(&e, None, Some("nobody")), Err(StoreError::NotFound(_))));
    // The official totals are still the commission's: Bolat wins the record's outcome.
    let (election, tree, counts) = b.store.totals(&e).unwrap();
    let o = ashyq_core::rules::outcome(&election, &tree, &counts, &Default::default()).unwrap();
    let d = ashyq_audit::compare::decision(&election.contests()[0], &tree, &o.contests[0]);
    assert_eq!(d, "bolat elected");
}

fn observers_who_disagree_are_listed_not_merged(b: &mut Backend) {
    let e = district_record(b);
    // A second observer holds copies of two stations: one agreeing with adil-soz, one not.
    let obs = district("observed");
    let mut second = copies_of(&obs, "echo");
    second.retain(|c| c.unit == "D7-01" || c.unit == "D7-03");
    for c in &mut second {
        if c.unit == "D7-03" {
            c.values.iter_mut().find(|(l, _)| l == "aigerim").unwrap().1 += 10;
        }
    }
    b.store.observe_all(&e, &second).unwrap().unwrap();
    let r = b.store.compare(&e, None, None).unwrap();
    assert_eq!(r.observers, vec!["adil-soz".to_owned(), "echo".to_owned()]);
    assert_eq!(r.disputed.len(), 1);
    assert_eq!(r.disputed[0].unit, "D7-03");
    assert_eq!(r.disputed[0].copies.len(), 2);
    let c = &r.comparison.contests[0];
    assert_eq!((c.stations_compared, c.stations_missing, c.stations_differing), (14, 1, 3));
    // Each observer alone.
    let echo = b.store.compare(&e, None, Some("echo")).unwrap();
    assert_eq!(echo.comparison.contests[0].stations_compared, 2);
    assert_eq!(echo.comparison.contests[0].stations_missing, 13);
    assert!(echo.disputed.is_empty());
}

fn observed_turnout_is_checked_and_compared(b: &mut Backend) {
    let e = import(b, &small(), None);
    b.store.record_turnout(&e, "S001", "12:00", 570, "pec", "2026-03-01T12:05:00+05:00").unwrap();
    b.store.record_turnout(&e, "S002", "12:00", 300, "pec", "2026-03-01T12:05:00+05:00").unwrap();
    let t = |unit: &str, hour: &str, voters: u64| ObservedTurnoutInput {
        unit: unit.into(),
        hour: hour.into(),
        voters,
        observer: "adil-soz".into(),
        author: "Bolat".into(),
        time: "2026-03-01T12:10:00+05:00".into(),
    };
    let before = b.store.content_digest().unwrap();
    for (bad, says) in [
        (t("S001", "12:60", 1), "field hour"),
        (t("S001", "noon", 1), "field hour"),
        (t("S999", "12:00", 1), "S999"),
        (t("R1-D1", "12:00", 1), "not a polling station"),
    ] {
        let refused =
            b.store.observe_turnout_all(&e, &[t("S002", "12:00", 298), bad]).unwrap().unwrap_err();
        assert_eq!(refused.len(), 1);
        assert!(refused[0].1.to_string().contains(says), "{}", refused[0].1);
    }
    assert_eq!(b.store.content_digest().unwrap(), before);
    b.store
        .observe_turnout_all(
            &e,
            &[t("S001", "12:00", 370), t("S002", "12:00", 298), t("S003", "11:30", 10)],
        )
        .unwrap()
        .unwrap();
    let dup = b.store.observe_turnout_all(&e, &[t("S001", "12:00", 371)]).unwrap().unwrap_err();
    assert!(matches!(dup[0].1, StoreError::Conflict(_)));
    let official = b.store.station_turnout(&e).unwrap();
    let observed: Vec<ashyq_audit::turnout::Snapshot> = b
        .store
        .observed_turnout(&e, Some("adil-soz"))
        .unwrap()
        .into_iter()
        .map(|x| ashyq_audit::turnout::Snapshot { unit: x.unit, hour: x.hour, voters: x.voters })
        .collect();
    let c = ashyq_audit::turnout::compare_turnout(
        &official,
        &observed,
        ashyq_audit::turnout::Tolerance { percent: (10, 1), voters: 5 },
    );
    assert_eq!(c.compared, 2);
    assert_eq!(c.flagged.len(), 1);
    assert_eq!((c.flagged[0].unit.as_str(), c.flagged[0].excess), ("S001", 200));
    assert_eq!(c.without_official, vec![("S003".to_owned(), "11:30".to_owned())]);
    // S001 and S002, their district, region and country at 12:00.
    assert_eq!(b.store.turnout(&e).unwrap().len(), 5, "official turnout unchanged");
    assert_eq!(problems_with(&mut b.store, &Anchors::default()), Vec::<String>::new());
}

/// The hand count of a station: its protocol in `p`, as lines.
fn protocol_lines(p: &ashyq_package::Package, unit: &str) -> Vec<(String, u64)> {
    let u = p.tree.index_of(unit).unwrap();
    ashyq_record::certify::row_lines(&p.election.contests()[0], p.counts[0].row(u).unwrap())
}

fn audit_of_the_district_escalates_to_a_full_hand_count(b: &mut Backend) {
    let e = district_record(b);
    let c = b.store.audit_commit(&e, None, 5.0, "audit board").unwrap();
    assert_eq!((c.info.audit, c.stations, c.assertions, c.info.first_round_draws), (1, 15, 1, 15));
    assert!(c.info.checkpoint.contains("\n\n"), "a signed record commits to its signed checkpoint");
    // The bundle is the package command's bundle (same manifest, assertions; own parameters).
    assert_eq!(c.bundle.files[1].0, "manifest.csv");
    assert!(c.bundle.files[1].1.starts_with("batch,ballots,error_bound\nD7-01,"));
    assert!(c.bundle.files[3].1.contains("record_checkpoint_size"));
    // Nothing can be drawn before the seed.
    assert!(matches!(b.store.audit_draw(&e, 1, None, "audit board"), Err(StoreError::Invalid(_))));
    b.store.audit_seed(&e, 1, "1 6 2 3 5 4", "audit board").unwrap();
    assert!(matches!(
        b.store.audit_seed(&e, 1, "other", "audit board"),
        Err(StoreError::Conflict(_))
    ));
    let round = b.store.audit_draw(&e, 1, None, "audit board").unwrap();
    assert_eq!((round.round, round.from, round.draws.len(), round.distinct), (1, 0, 15, 10));
    // The same draws as the package command's sample (docs/verification.md).
    let stations: Vec<&str> = round.draws.iter().map(|d| d.1.as_str()).collect();
    assert_eq!(stations[0], "D7-07");
    assert_eq!(stations[4], "D7-03");
    let drawn: std::collections::BTreeSet<String> =
        round.draws.iter().map(|d| d.1.clone()).collect();
    let undrawn = (1..=15).map(|k| format!("D7-{k:02}")).find(|s| !drawn.contains(s)).unwrap();
    let observed = district("observed");
    let err = b
        .store
        .audit_hand_count(
            &e,
            1,
            &undrawn,
            &protocol_lines(&observed, &undrawn),
            "board",
            "2026-03-01T23:00:00Z",
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(_)) && err.to_string().contains("was not drawn"),
        "{err}"
    );
    // A hand count that fails the arithmetic checks is rejected.
    let first = drawn.iter().next().unwrap().clone();
    let mut bad = protocol_lines(&observed, &first);
    bad.iter_mut().find(|(l, _)| l == "aigerim").unwrap().1 += 1000;
    let err =
        b.store.audit_hand_count(&e, 1, &first, &bad, "board", "2026-03-01T23:00:00Z").unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    // Closing with drawn stations not counted is refused; evaluation names them.
    let ev = b.store.audit_evaluate(&e, 1).unwrap();
    assert_eq!(ev.pending.len(), 10);
    assert!(ev.evaluation.is_none());
    assert!(matches!(b.store.audit_close(&e, 1, "board"), Err(StoreError::Invalid(_))));
    for s in &drawn {
        b.store
            .audit_hand_count(
                &e,
                1,
                s,
                &protocol_lines(&observed, s),
                "board",
                "2026-03-01T23:00:00Z",
            )
            .unwrap();
    }
    assert!(matches!(
        b.store.audit_hand_count(
            &e,
            1,
            &first,
            &protocol_lines(&observed, &first),
            "board",
            "2026-03-01T23:00:00Z"
        ),
        Err(StoreError::Conflict(_))
    ));
    let ev = b.store.audit_evaluate(&e, 1).unwrap();
    let x = ev.evaluation.as_ref().unwrap();
    assert_eq!(x.risk, 1.0);
    assert!(matches!(x.next, ashyq_audit::macro_audit::Next::FullHandCount(_)));
    assert!(ev.changed_since.is_empty());
    let (closed, _) = b.store.audit_close(&e, 1, "board").unwrap();
    assert_eq!(closed.info.closed, Some(("1".to_owned(), "full_hand_count".to_owned())));
    assert!(matches!(b.store.audit_draw(&e, 1, Some(3), "board"), Err(StoreError::Conflict(_))));
    let anchors = pinned(b, &e);
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
    let audits = b.store.audits(&e).unwrap();
    assert_eq!(audits.len(), 1);
    assert_eq!((audits[0].rounds.clone(), audits[0].hand_counts.len()), (vec![15], 10));
}

/// A single-member district of `n` stations with a wide margin (350 to 200).
fn wide(n: usize) -> (Election, UnitTree, Vec<ContestCounts>) {
    let mut units = vec![UnitInfo {
        id: "D".into(),
        parent: String::new(),
        kind: "district".into(),
        name: "District".into(),
    }];
    for s in 0..n {
        units.push(UnitInfo {
            id: format!("S{s:03}"),
            parent: "D".into(),
            kind: "station".into(),
            name: String::new(),
        });
    }
    let tree = UnitTree::new(units).unwrap();
    let info = ElectionInfo {
        id: "wide".into(),
        name: "wide".into(),
        date: "2023-03-19".into(),
        rules: "kz-2022".into(),
        names: Vec::new(),
        contests: vec![ContestInfo {
            id: "d".into(),
            kind: "single-member".into(),
            territory: "D".into(),
            options: ["a", "b"]
                .iter()
                .map(|o| OptionInfo { id: (*o).into(), name: (*o).into(), ..Default::default() })
                .chain(std::iter::once(OptionInfo {
                    id: "against-all".into(),
                    name: "Against all".into(),
                    kind: Some("against-all".into()),
                    ..Default::default()
                }))
                .collect(),
            ..Default::default()
        }],
    };
    let election = Election::try_from_info(info, &tree).unwrap();
    let mut cc = ContestCounts::new(&election.contests()[0]);
    for s in 0..n {
        let u = tree.index_of(&format!("S{s:03}")).unwrap();
        for (line, v) in [
            (Line::Protocol(P::Registered), 1000),
            (Line::Protocol(P::BallotsIssued), 600),
            (Line::Protocol(P::BallotsFound), 600),
            (Line::Protocol(P::Invalid), 10),
            (Line::Protocol(P::Absentee), 0),
            (Line::Protocol(P::Mobile), 0),
            (Line::Option(0), 350),
            (Line::Option(1), 200),
            (Line::Option(2), 40),
        ] {
            cc.set(u, line, v).unwrap();
        }
    }
    (election, tree, vec![cc])
}

fn audit_that_confirms_and_its_export_verifies_offline(b: &mut Backend) {
    let (election, tree, counts) = wide(200);
    b.store.set_signer(Some(key()));
    let e = b
        .store
        .import(&election, &tree, &counts, &ImportOptions::default(), &mut noop)
        .unwrap()
        .election;
    let c = b.store.audit_commit(&e, Some("d"), 5.0, "audit board").unwrap();
    assert!(c.info.first_round_draws < 200, "{}", c.info.first_round_draws);
    // A correction after the commitment does not change what is audited, and is reported.
    let mut fix = ashyq_store::Submission {
        contest: "d".into(),
        unit: "S000".into(),
        values: vec![("a".into(), 349), ("invalid".into(), 11)],
        author: "clerk".into(),
        time: "2026-03-01T23:00:00Z".into(),
        reason: "recount".into(),
        ..Default::default()
    };
    fix.acknowledge_warnings = true;
    b.store.correct(&e, &fix).unwrap();
    b.store.audit_seed(&e, 1, "31415926535", "audit board").unwrap();
    let round = b.store.audit_draw(&e, 1, None, "audit board").unwrap();
    let row = |_: &str| -> Vec<(String, u64)> {
        [
            ("registered", 1000),
            ("ballots_issued", 600),
            ("ballots_found", 600),
            ("invalid", 10),
            ("absentee", 0),
            ("mobile", 0),
            ("a", 350),
            ("b", 200),
            ("against-all", 40),
        ]
        .iter()
        .map(|(l, v)| ((*l).to_owned(), *v))
        .collect()
    };
    let mut counted = std::collections::BTreeSet::new();
    for (_, s, _) in &round.draws {
        if counted.insert(s.clone()) {
            b.store.audit_hand_count(&e, 1, s, &row(s), "board", "2026-03-01T23:30:00Z").unwrap();
        }
    }
    let ev = b.store.audit_evaluate(&e, 1).unwrap();
    let x = ev.evaluation.clone().unwrap();
    assert!(x.risk <= 0.05, "{}", x.risk);
    assert_eq!(x.next, ashyq_audit::macro_audit::Next::Confirmed);
    assert_eq!(ev.changed_since, vec!["S000".to_owned()]);
    // More draws are refused once confirmed.
    let err = b.store.audit_draw(&e, 1, None, "audit board").unwrap_err();
    assert!(err.to_string().contains("needs no more draws"), "{err}");
    let (closed, _) = b.store.audit_close(&e, 1, "audit board").unwrap();
    let (risk, result) = closed.info.closed.clone().unwrap();
    assert_eq!(result, "confirmed");
    assert_eq!(risk, format!("{}", x.risk));
    let anchors = pinned(b, &e);
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
    // The record folder carries every audit event and re-verifies offline.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("record");
    b.store.export(&e, &dir).unwrap();
    let verify = |a: &Anchors| ashyq_record::folder::verify(&dir, a).unwrap().problems;
    assert_eq!(verify(&anchors), Vec::<String>::new());
    let log = std::fs::read_to_string(dir.join("log.jsonl")).unwrap();
    assert_eq!(log.matches("\"leaf\":\"ashyq/audit\"").count(), 4 + counted.len());
    // The closing risk edited in the folder: the signatures and the replay both object.
    let edited = log.replacen(&format!("\"risk\":\"{risk}\""), "\"risk\":\"0.001\"", 1);
    assert_ne!(edited, log);
    std::fs::write(dir.join("log.jsonl"), &edited).unwrap();
    let f = verify(&Anchors::default());
    assert!(f.iter().any(|p| p.contains("measured risk")), "{f:?}");
    assert!(f.iter().any(|p| p.contains("hashes to") || p.contains("root")), "{f:?}");
}

fn audit_hand_counts_only_for_drawn_stations_checked_by_verify(b: &mut Backend) {
    // An unsigned record (the attacker needs no key): a hand count of a station that was never
    // drawn, appended behind the store's back with a correct leaf hash, is caught by replaying
    // the sampler.
    let e = import(b, &district("official"), None);
    b.store.audit_commit(&e, None, 5.0, "board").unwrap();
    b.store.audit_seed(&e, 1, "1 6 2 3 5 4", "board").unwrap();
    let round = b.store.audit_draw(&e, 1, Some(2), "board").unwrap();
    let drawn: Vec<&str> = round.draws.iter().map(|d| d.1.as_str()).collect();
    let undrawn =
        (1..=15).map(|k| format!("D7-{k:02}")).find(|s| !drawn.contains(&s.as_str())).unwrap();
    assert_eq!(problems_with(&mut b.store, &Anchors::default()), Vec::<String>::new());
    let p = district("official");
    let lines = protocol_lines(&p, &undrawn);
    let leaf = ashyq_record::Leaf::Audit(ashyq_record::leaf::AuditLeaf {
        election: e.clone(),
        audit: 1,
        author: "forger".into(),
        at: "2026-03-01T23:00:00Z".into(),
        event: ashyq_record::leaf::AuditEvent::HandCount {
            unit: undrawn.clone(),
            lines: lines.clone(),
        },
    });
    let unit_idx = p.tree.index_of(&undrawn).unwrap();
    let size = b.store.log_state(&e).unwrap().size;
    let mut detail = serde_json::Map::new();
    let mut l = serde_json::Map::new();
    for (k, v) in &lines {
        l.insert(k.clone(), serde_json::json!(v));
    }
    detail.insert("lines".into(), serde_json::Value::Object(l));
    b.store
        .execute_unchecked(&format!(
            "INSERT INTO audit_events (id, election_id, audit, event, contest_idx, unit_idx, detail, author, at) VALUES (99, '{e}', 1, 'hand_count', NULL, {unit_idx}, '{}', 'forger', '2026-03-01T23:00:00Z'); INSERT INTO log (election_id, seq, kind, ref, leaf_hash) VALUES ('{e}', {}, 'audit', 99, '{}')",
            serde_json::Value::Object(detail),
            size + 1,
            hex::encode(leaf.hash())
        ))
        .unwrap();
    let f = problems_with(&mut b.store, &Anchors::default());
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].contains(&format!("log entry {} (audit 1: hand count of {undrawn})", size + 1))
            && f[0].contains("not among the 2 draws"),
        "{f:?}"
    );
}

/// Every row of the observer and audit tables, every column: one edit at a time, and `verify`
/// with the commission's key and a published checkpoint names a problem each time — and for an
/// observation's values, the log entry of that copy.
fn tamper_every_value_of_the_observer_and_audit_tables(b: &mut Backend) {
    let e = district_record(b);
    let mut second = copy("d7", "D7-02", "adil-soz", &[("aigerim", 1)]);
    second.reason = "a correction of the copy".into();
    b.store.observe(&e, &second).unwrap();
    b.store
        .observe_turnout_all(
            &e,
            &[ObservedTurnoutInput {
                unit: "D7-01".into(),
                hour: "12:00".into(),
                voters: 300,
                observer: "adil-soz".into(),
                author: "Bolat".into(),
                time: "2026-03-01T12:10:00+05:00".into(),
            }],
        )
        .unwrap()
        .unwrap();
    b.store.audit_commit(&e, None, 5.0, "board").unwrap();
    b.store.audit_seed(&e, 1, "1 6 2 3 5 4", "board").unwrap();
    let round = b.store.audit_draw(&e, 1, Some(1), "board").unwrap();
    let s = round.draws[0].1.clone();
    b.store
        .audit_hand_count(
            &e,
            1,
            &s,
            &protocol_lines(&district("observed"), &s),
            "board",
            "2026-03-01T23:00:00Z",
        )
        .unwrap();
    let anchors = pinned(b, &e);
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
    // One vote moved on an observer's copy: verify names the copy's log entry.
    let n = b.store.observations(&e, None, Some("D7-03")).unwrap()[0].log_index + 1;
    b.store
        .execute_unchecked("UPDATE observations SET lines = REPLACE(lines, '\"aigerim\":299', '\"aigerim\":300') WHERE unit_idx = 3")
        .unwrap();
    let f = problems_with(&mut b.store, &anchors);
    assert!(
        f.iter().any(|p| p.contains(&format!("log entry {n}: observation by adil-soz of protocol (contest d7, unit D7-03) version 1 hashes to"))
            && p.contains("its content or the stored hash was altered")),
        "{f:?}"
    );
    b.store
        .execute_unchecked("UPDATE observations SET lines = REPLACE(lines, '\"aigerim\":300', '\"aigerim\":299') WHERE unit_idx = 3")
        .unwrap();
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new());
    let rows = b.store.raw_rows().unwrap();
    let mut edits = 0;
    for (table, cols, values) in &rows {
        if !["observations", "observed_turnout", "audit_events"].contains(&table.as_str()) {
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
                    continue;
                }
                edits += 1;
                let f = problems_with(&mut b.store, &anchors);
                assert!(!f.is_empty(), "editing {table}.{col} from {old} to {new} went unnoticed");
                b.store.execute_unchecked(&undo).unwrap_or_else(|e| panic!("{undo}: {e}"));
            }
        }
    }
    assert_eq!(problems_with(&mut b.store, &anchors), Vec::<String>::new(), "every edit undone");
    eprintln!("{edits} single-value edits of observer and audit rows, every one detected");
    assert!(edits > 300, "{edits}");
    // Deleting an observation row leaves its log entry pointing at nothing.
    b.store.execute_unchecked("DELETE FROM observations WHERE version = 2").unwrap();
    let f = problems_with(&mut b.store, &anchors);
    assert!(
        f.iter().any(|p| p.contains("refers to observation") && p.contains("deleted")),
        "{f:?}"
    );
}
