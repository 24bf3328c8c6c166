//! Append-only schema migrations. Each migration has a version number; applied versions are
//! recorded in `schema_migrations` and never applied twice. New migrations are only ever added
//! at the end of [`MIGRATIONS`]; a released migration is never edited.
//!
//! The SQL is portable between SQLite and PostgreSQL: BIGINT and TEXT columns, no autoincrement
//! (ids are assigned by the store inside a locked write transaction).

use crate::db::{Db, Value};
use crate::StoreError;

/// (version, name, SQL).
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "the record: elections, units, contests, options, protocol versions, entries, log, tree heads, turnout, certifications",
    r#"
CREATE TABLE elections (
    id TEXT PRIMARY KEY,
    double_entry BIGINT NOT NULL,
    definition_toml TEXT NOT NULL,
    units_csv TEXT NOT NULL,
    definition_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    rules TEXT NOT NULL
);
CREATE TABLE units (
    election_id TEXT NOT NULL REFERENCES elections(id),
    idx BIGINT NOT NULL,
    id TEXT NOT NULL,
    parent_idx BIGINT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (election_id, idx),
    UNIQUE (election_id, id)
);
CREATE TABLE contests (
    election_id TEXT NOT NULL REFERENCES elections(id),
    idx BIGINT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT,
    territory TEXT NOT NULL,
    seats BIGINT,
    constitutional BIGINT,
    unit_test TEXT,
    round BIGINT,
    threshold_percent TEXT,
    reported_units_in_favour BIGINT,
    PRIMARY KEY (election_id, idx)
);
CREATE TABLE options (
    election_id TEXT NOT NULL REFERENCES elections(id),
    contest_idx BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    registered BIGINT,
    kind TEXT,
    PRIMARY KEY (election_id, contest_idx, idx)
);
CREATE TABLE protocol_versions (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    contest_idx BIGINT NOT NULL,
    unit_idx BIGINT NOT NULL,
    version BIGINT NOT NULL,
    vals TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    findings TEXT NOT NULL,
    UNIQUE (election_id, contest_idx, unit_idx, version)
);
CREATE TABLE entries (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    contest_idx BIGINT NOT NULL,
    unit_idx BIGINT NOT NULL,
    round BIGINT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    vals TEXT NOT NULL
);
CREATE INDEX entries_protocol ON entries (election_id, contest_idx, unit_idx, round);
CREATE TABLE log (
    election_id TEXT NOT NULL REFERENCES elections(id),
    seq BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    leaf_hash TEXT NOT NULL,
    PRIMARY KEY (election_id, seq)
);
CREATE TABLE record_keys (
    election_id TEXT PRIMARY KEY REFERENCES elections(id),
    public_key TEXT NOT NULL
);
CREATE TABLE tree_heads (
    election_id TEXT NOT NULL REFERENCES elections(id),
    size BIGINT NOT NULL,
    root_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (election_id, size)
);
CREATE TABLE turnout (
    election_id TEXT NOT NULL REFERENCES elections(id),
    unit_idx BIGINT NOT NULL,
    hour TEXT NOT NULL,
    voters BIGINT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (election_id, unit_idx, hour)
);
CREATE TABLE certifications (
    election_id TEXT NOT NULL REFERENCES elections(id),
    seq BIGINT NOT NULL,
    at TEXT NOT NULL,
    log_size BIGINT NOT NULL,
    inputs_hash TEXT NOT NULL,
    totals_csv TEXT NOT NULL,
    PRIMARY KEY (election_id, seq)
);
"#,
), (
    2,
    "contests.body (maslikhat or akim) and options.list_length",
    r#"
ALTER TABLE contests ADD COLUMN body TEXT;
ALTER TABLE options ADD COLUMN list_length BIGINT;
"#,
)];

/// Applies every migration not yet applied, each in its own transaction.
pub(crate) fn migrate(db: &mut Db, now: &str) -> Result<(), StoreError> {
    db.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    for &(version, name, sql) in MIGRATIONS {
        let done = db.query(
            "SELECT version FROM schema_migrations WHERE version = ?1",
            &[Value::Int(version)],
        )?;
        if !done.is_empty() {
            continue;
        }
        db.batch(if db.is_postgres() { "BEGIN" } else { "BEGIN IMMEDIATE" })?;
        let res = (|| {
            // Re-check under the lock: another process may have migrated meanwhile.
            if db.is_postgres() {
                db.batch("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")?;
            }
            let done = db.query(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                &[Value::Int(version)],
            )?;
            if done.is_empty() {
                db.batch(sql)?;
                db.exec(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    &[Value::Int(version), name.into(), now.into()],
                )?;
            }
            Ok(())
        })();
        match res {
            Ok(()) => db.batch("COMMIT")?,
            Err(e) => {
                let _ = db.batch("ROLLBACK");
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The highest applied migration.
pub(crate) fn version(db: &mut Db) -> Result<i64, StoreError> {
    let row = db.query_one(
        "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations",
        &[],
    )?;
    row[0].int()
}
