//! The register database on SQLite and on PostgreSQL (when `ASHYQ_TEST_POSTGRES` is set;
//! required when `CI` is set): replacement in one transaction, per-station counts, membership,
//! history, and the refusal to share a database with the election record.

#![allow(clippy::unwrap_used)]

use ashyq_store::register::{RegisterImport, RegisterStore, RegisterVoter};
use ashyq_store::testing::PgSchema;
use ashyq_store::{Store, StoreError};

struct Backend {
    url: String,
    _dir: Option<tempfile::TempDir>,
    /// Dropped last, after the store's connections: the schema is dropped with it.
    _pg: Option<PgSchema>,
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("register.db").display());
    Backend { url, _dir: Some(dir), _pg: None }
}

fn postgres() -> Option<Backend> {
    let (schema, url) = ashyq_store::testing::pg_test_schema()?;
    Some(Backend { url, _dir: None, _pg: Some(schema) })
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[test] fn $name() { super::$name(&super::sqlite()); })*
        }
        mod postgres_backend {
            $(#[test] fn $name() { if let Some(b) = super::postgres() { super::$name(&b); } })*
        }
    };
}

on_both!(replace_counts_membership_history, failed_replace_changes_nothing, refuses_the_record);

fn stations() -> Vec<(String, String)> {
    ["PS-1", "PS-2", "PS-3"].iter().map(|s| (s.to_string(), format!("School {s}"))).collect()
}

fn voter(iin: u64, station: &str) -> RegisterVoter {
    RegisterVoter {
        iin,
        full_name: format!("Voter {iin}"),
        birth_date: "1990-01-01".into(),
        station: station.into(),
        digest: format!("{iin:064x}"),
    }
}

fn import(n: u64) -> RegisterImport {
    RegisterImport {
        source_sha256: "ab".repeat(32),
        election_date: "2023-03-19".into(),
        rows: n + 1,
        accepted: n,
        salt: format!("{n:02}").repeat(32),
    }
}

fn replace_counts_membership_history(b: &Backend) {
    let mut r = RegisterStore::open(&b.url).unwrap();
    assert_eq!(r.salt().unwrap(), None);
    // 1,203 voters: more than two PostgreSQL batches, and a partial one.
    let n = r
        .replace(&import(1203), &stations(), |sink| {
            for i in 0..1203u64 {
                let st = if i % 3 == 0 { "PS-1" } else { "PS-3" };
                sink(voter(900_000_000_000 + i, st)).map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 1203);
    drop(r);
    let mut r = RegisterStore::open_existing(&b.url).unwrap();
    assert_eq!(r.voter_count().unwrap(), 1203);
    assert_eq!(
        r.station_counts().unwrap(),
        vec![("PS-1".into(), 401), ("PS-2".into(), 0), ("PS-3".into(), 802)]
    );
    assert_eq!(r.membership(&format!("{:064x}", 900_000_000_001u64)).unwrap(), Some("PS-3".into()));
    assert_eq!(r.membership(&format!("{:064x}", 1u64)).unwrap(), None);
    assert_eq!(r.salt().unwrap(), Some("1203".repeat(32)));
    // A second import replaces the first.
    r.replace(&import(2), &stations()[..2], |sink| {
        sink(voter(850_515_401_239, "PS-2")).map_err(|e| e.to_string())?;
        sink(voter(900_101_300_007, "PS-2")).map_err(|e| e.to_string())
    })
    .unwrap();
    assert_eq!(r.station_counts().unwrap(), vec![("PS-1".into(), 0), ("PS-2".into(), 2)]);
    assert_eq!(r.salt().unwrap(), Some("02".repeat(32)));
    let h = r.imports().unwrap();
    assert_eq!(h.iter().map(|i| (i.seq, i.accepted)).collect::<Vec<_>>(), vec![(1, 1203), (2, 2)]);
}

fn failed_replace_changes_nothing(b: &Backend) {
    let mut r = RegisterStore::open(&b.url).unwrap();
    r.replace(&import(1), &stations(), |sink| {
        sink(voter(900_101_300_007, "PS-1")).map_err(|e| e.to_string())
    })
    .unwrap();
    let before = r.station_counts().unwrap();
    // An unknown station.
    let e = r
        .replace(&import(2), &stations(), |sink| {
            sink(voter(850_515_401_239, "PS-1")).map_err(|e| e.to_string())?;
            sink(voter(900_101_300_811, "PS-9")).map_err(|e| e.to_string())
        })
        .unwrap_err();
    assert!(e.to_string().contains("station PS-9 is not in the register's stations"), "{e}");
    // A repeated IIN.
    let e = r.replace(&import(2), &stations(), |sink| {
        sink(voter(850_515_401_239, "PS-1")).map_err(|e| e.to_string())?;
        sink(voter(850_515_401_239, "PS-2")).map_err(|e| e.to_string())
    });
    assert!(e.is_err());
    // The filler itself failing.
    let e = r
        .replace(&import(2), &stations(), |_| Err("the voters file changed".to_owned()))
        .unwrap_err();
    assert!(e.to_string().contains("the voters file changed"), "{e}");
    assert_eq!(r.station_counts().unwrap(), before);
    assert_eq!(r.imports().unwrap().len(), 1);
    assert_eq!(r.membership(&format!("{:064x}", 900_101_300_007u64)).unwrap(), Some("PS-1".into()));
}

fn refuses_the_record(b: &Backend) {
    let record =
        Store::open(&b.url, ashyq_store::OpenMode::Create, ashyq_store::system_clock()).unwrap();
    drop(record);
    let e = RegisterStore::open(&b.url).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
    assert!(e.to_string().contains("needs a database of its own"), "{e}");
    // The record is untouched: it still opens and verifies clean, and keeps its WAL journal.
    let mut record =
        Store::open(&b.url, ashyq_store::OpenMode::Existing, ashyq_store::system_clock()).unwrap();
    let problems: Vec<String> = record
        .verify(None, &Default::default())
        .unwrap()
        .into_iter()
        .flat_map(|(_, v)| v.problems)
        .collect();
    assert_eq!(problems, Vec::<String>::new());
    if let Some(path) = b.url.strip_prefix("sqlite:") {
        assert_eq!(journal_mode(path), "wal", "the record keeps its journal mode");
    }
}

/// The journal mode of a SQLite file from its header (bytes 18 and 19 are 2 in WAL mode).
fn journal_mode(path: &str) -> &'static str {
    let bytes = std::fs::read(path).unwrap();
    if bytes.len() > 19 && bytes[18] == 2 && bytes[19] == 2 {
        "wal"
    } else {
        "rollback"
    }
}

#[test]
fn open_existing_needs_a_register() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("none.db").display());
    let e = RegisterStore::open_existing(&url).unwrap_err().to_string();
    assert!(e.contains("there is no register"), "{e}");
    assert!(!dir.path().join("none.db").exists(), "nothing was created");
}
