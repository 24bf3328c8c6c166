//! An attacker with write access to the database edits one value of one row, chosen at random
//! (a property test over every table and column, on SQLite and PostgreSQL); `ashyq verify`, given
//! the commission's verifier key and a checkpoint published earlier, must exit 1 naming a problem
//! — never 0, never a crash (101), never an error about reading (2).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use ashyq_store::{ImportOptions, OpenMode, Signer, Store, Submission};
use proptest::prelude::*;

struct Record {
    url: String,
    key: String,
    checkpoint: std::path::PathBuf,
    _dir: tempfile::TempDir,
    rows: Vec<(String, Vec<String>, Vec<String>)>,
}

fn build(url: String, dir: tempfile::TempDir) -> Record {
    let clock =
        ashyq_store::fixed_clock(ashyq_record::Timestamp::parse("2026-03-02T00:00:00Z").unwrap());
    let mut store = Store::open(&url, OpenMode::Create, clock).unwrap();
    store.set_signer(Some(Arc::new(Signer::from_seed([5; 32]))));
    let p = ashyq_package::read_package(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../ashyq-store/test_data/small"),
    )
    .unwrap();
    let e = store
        .import(&p.election, &p.tree, &p.counts, &ImportOptions::default(), &mut |_, _| {})
        .unwrap()
        .election;
    let s = Submission {
        contest: "president".into(),
        unit: "S003".into(),
        values: vec![("beta".into(), 221), ("against-all".into(), 69)],
        author: "clerk".into(),
        time: "2026-03-01T22:00:00Z".into(),
        reason: "typo".into(),
        ..Default::default()
    };
    store.correct(&e, &s).unwrap();
    store.record_turnout(&e, "S001", "10:00", 100, "pec", "2026-03-01T05:00:00Z").unwrap();
    store.certify(&e).unwrap();
    let key = store.verifier_key(&e).unwrap();
    let checkpoint = dir.path().join("checkpoint");
    std::fs::write(&checkpoint, store.latest_checkpoint(&e).unwrap().1).unwrap();
    let rows = store
        .raw_rows()
        .unwrap()
        .into_iter()
        .filter(|(t, _, _)| t != "schema_migrations")
        .collect();
    Record { url, key, checkpoint, _dir: dir, rows }
}

fn verify(r: &Record) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq"))
        .args([
            "verify",
            "--db",
            &r.url,
            "--verifier-key",
            &r.key,
            "--checkpoint",
            &r.checkpoint.display().to_string(),
        ])
        .env_remove("ASHYQ_DB")
        .output()
        .unwrap()
}

/// Applies one edit; `None` when the database's own constraints refuse it.
fn edit(r: &Record, row: usize, col: usize, kind: u8) -> Option<(String, String)> {
    let (table, cols, values) = &r.rows[row % r.rows.len()];
    let j = col % cols.len();
    let old = &values[j];
    let new = if old == "NULL" {
        if kind.is_multiple_of(2) {
            "1".to_owned()
        } else {
            "'x'".to_owned()
        }
    } else if let Some(inner) = old.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        match kind % 3 {
            0 => format!("'{}x'", inner.replace('\'', "''")),
            1 => "''".to_owned(),
            _ => format!("'{}'", inner.chars().rev().collect::<String>().replace('\'', "''")),
        }
    } else {
        let v: i64 = old.parse().unwrap();
        match kind % 4 {
            0 => (v + 1).to_string(),
            1 => (v - 1).to_string(),
            2 => "-7".to_owned(),
            _ => "999999".to_owned(),
        }
    };
    if &new == old {
        return None;
    }
    let wh: Vec<String> = cols
        .iter()
        .zip(values)
        .map(|(c, v)| if v == "NULL" { format!("{c} IS NULL") } else { format!("{c} = {v}") })
        .collect();
    let sql = format!("UPDATE {table} SET {} = {new} WHERE {}", cols[j], wh.join(" AND "));
    let mut store = Store::open(&r.url, OpenMode::Existing, ashyq_store::system_clock()).unwrap();
    store.execute_unchecked(&sql).ok()?;
    let mut w = wh.clone();
    w[j] = format!("CAST({} AS TEXT) = CAST({new} AS TEXT)", cols[j]);
    let undo = format!("UPDATE {table} SET {} = {old} WHERE {}", cols[j], w.join(" AND "));
    Some((format!("{table}.{} {old} → {new}", cols[j]), undo))
}

fn check(r: &Record, row: usize, col: usize, kind: u8) -> Result<(), TestCaseError> {
    let Some((what, undo)) = edit(r, row, col, kind) else { return Ok(()) };
    let o = verify(r);
    let code = o.status.code();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut store = Store::open(&r.url, OpenMode::Existing, ashyq_store::system_clock()).unwrap();
    store.execute_unchecked(&undo).unwrap();
    prop_assert_eq!(code, Some(1), "{}: {:?}", what, o);
    prop_assert!(out.contains("election"), "{}: no problem named: {}", what, out);
    Ok(())
}

fn sqlite_record() -> Record {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("r.db").display());
    build(url, dir)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_single_edit_of_a_sqlite_record_fails_verify(row in 0usize..10_000, col in 0usize..16, kind in 0u8..12) {
        thread_local!(static R: Record = sqlite_record());
        R.with(|r| {
            let intact = verify(r);
            assert_eq!(intact.status.code(), Some(0), "{intact:?}");
            check(r, row, col, kind)
        })?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_single_edit_of_a_postgres_record_fails_verify(row in 0usize..10_000, col in 0usize..16, kind in 0u8..12) {
        let Ok(base) = std::env::var("ASHYQ_TEST_POSTGRES") else {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but ASHYQ_TEST_POSTGRES is not: the PostgreSQL tests must run in CI");
            }
            eprintln!("skipped: ASHYQ_TEST_POSTGRES not set");
            return Ok(());
        };
        thread_local!(static R: std::cell::OnceCell<(Record, String, String)> = const { std::cell::OnceCell::new() });
        R.with(|cell| {
            let (r, _, _) = cell.get_or_init(|| {
                // One fixed schema, dropped first, so repeated runs leave nothing behind.
                let schema = "t_tamper_cli".to_owned();
                ashyq_store::testing::pg_drop_schema(&base, &schema);
                let url = ashyq_store::testing::pg_schema(&base, &schema).unwrap();
                (build(url, tempfile::tempdir().unwrap()), base.clone(), schema)
            });
            check(r, row, col, kind)
        })?;
    }
}
