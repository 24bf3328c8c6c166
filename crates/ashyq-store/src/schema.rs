//! Append-only schema migrations. Each migration has a version number; applied versions are
//! recorded in `schema_migrations` and never applied twice. New migrations are only ever added
//! at the end of [`MIGRATIONS`]; a released migration is never edited.
//!
//! Migration 4 adds the observers' and auditors' tables beside the official ones: observer
//! copies of protocols (`observations`, versioned per observer), observers' turnout counts
//! (`observed_turnout`) and the events of risk-limiting audits (`audit_events`). Nothing that
//! reads official counts (totals, progress, certification, the live view) reads them.
//!
//! Migration 5 adds the commissions' own protocol signatures: `protocol_versions.signature`
//! (`KEY SIGNATURE`, both base64, or NULL when the commission did not sign) and
//! `tokens.protocol_key` (the public key a commission token's protocols must be signed with).
//!
//! Migration 1 (record format 1: protocol versions only in the log, tree heads signed in an
//! Ashyq-specific form) is retired: format 2 logs every fact and signs C2SP checkpoints, and a
//! format-1 database cannot be converted without re-signing its history. A database that holds
//! migration 1 is refused with a message saying so.
//!
//! The SQL is portable between SQLite and PostgreSQL: BIGINT and TEXT columns, no autoincrement
//! (ids are assigned by the store inside a locked write transaction).

use crate::db::{Db, Value};
use crate::error::BackendErrorKind;
use crate::StoreError;

/// (version, name, SQL).
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[(
    2,
    "record format 2: every fact a leaf of the election's log; C2SP checkpoints; frontiers",
    r#"
CREATE TABLE elections (
    id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    rules TEXT NOT NULL,
    double_entry BIGINT NOT NULL,
    imported_at TEXT NOT NULL
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
    body TEXT,
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
    list_length BIGINT,
    PRIMARY KEY (election_id, contest_idx, idx)
);
CREATE TABLE names (
    election_id TEXT NOT NULL REFERENCES elections(id),
    idx BIGINT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    lang TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (election_id, idx)
);
CREATE TABLE protocol_versions (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    contest_idx BIGINT NOT NULL,
    unit_idx BIGINT NOT NULL,
    version BIGINT NOT NULL,
    lines TEXT NOT NULL,
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
    reason TEXT NOT NULL,
    lines TEXT NOT NULL
);
CREATE INDEX entries_protocol ON entries (election_id, contest_idx, unit_idx, round);
CREATE INDEX versions_protocol ON protocol_versions (election_id, contest_idx, unit_idx, version);
CREATE TABLE turnout (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    unit_idx BIGINT NOT NULL,
    hour TEXT NOT NULL,
    voters BIGINT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    findings TEXT NOT NULL,
    UNIQUE (election_id, unit_idx, hour)
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
CREATE TABLE log (
    election_id TEXT NOT NULL REFERENCES elections(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    ref BIGINT NOT NULL,
    leaf_hash TEXT NOT NULL,
    PRIMARY KEY (election_id, seq)
);
CREATE INDEX log_ref ON log (election_id, kind, ref);
CREATE TABLE log_frontiers (
    election_id TEXT NOT NULL REFERENCES elections(id),
    size BIGINT NOT NULL,
    hashes TEXT NOT NULL,
    PRIMARY KEY (election_id, size)
);
CREATE TABLE checkpoints (
    election_id TEXT NOT NULL REFERENCES elections(id),
    size BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (election_id, size)
);
CREATE TABLE record_keys (
    election_id TEXT PRIMARY KEY REFERENCES elections(id),
    verifier_key TEXT NOT NULL
);
"#,
), (
    3,
    "access control beside the record: bearer tokens (hashed) with role and scope; idempotency keys of accepted submissions",
    r#"
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    unit TEXT,
    election_id TEXT,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    election_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    log_index BIGINT NOT NULL,
    leaf_hash TEXT NOT NULL,
    tree_size BIGINT NOT NULL,
    checkpoint TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
"#,
), (
    4,
    "observers and audits beside the official record: observer copies of protocols, observers' turnout counts, audit events",
    r#"
CREATE TABLE observations (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    contest_idx BIGINT NOT NULL,
    unit_idx BIGINT NOT NULL,
    observer TEXT NOT NULL,
    version BIGINT NOT NULL,
    lines TEXT NOT NULL,
    photo_sha256 TEXT,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    findings TEXT NOT NULL,
    UNIQUE (election_id, contest_idx, unit_idx, observer, version)
);
CREATE INDEX observations_contest ON observations (election_id, contest_idx, unit_idx);
CREATE TABLE observed_turnout (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    unit_idx BIGINT NOT NULL,
    hour TEXT NOT NULL,
    voters BIGINT NOT NULL,
    observer TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (election_id, unit_idx, observer, hour)
);
CREATE TABLE audit_events (
    id BIGINT PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections(id),
    audit BIGINT NOT NULL,
    event TEXT NOT NULL,
    contest_idx BIGINT,
    unit_idx BIGINT,
    detail TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX audit_events_audit ON audit_events (election_id, audit);
"#,
), (
    5,
    "commissions' own signatures: a protocol version's Ed25519 signature by its commission; the protocol key a commission token must sign with",
    r#"
ALTER TABLE protocol_versions ADD COLUMN signature TEXT;
ALTER TABLE tokens ADD COLUMN protocol_key TEXT;
"#,
)];

/// Tables beside the record (access control, retries): not facts of any election, never in
/// an export, not covered by `verify`.
pub(crate) const ACCESS_TABLES: [(&str, &str); 2] =
    [("tokens", "id"), ("idempotency", "scope, key")];

/// Every table of the record with its ordering key (content digests, tamper tests).
pub(crate) const TABLES: [(&str, &str); 17] = [
    ("schema_migrations", "version"),
    ("elections", "id"),
    ("units", "election_id, idx"),
    ("contests", "election_id, idx"),
    ("options", "election_id, contest_idx, idx"),
    ("names", "election_id, idx"),
    ("protocol_versions", "id"),
    ("entries", "id"),
    ("turnout", "id"),
    ("certifications", "election_id, seq"),
    ("log", "election_id, seq"),
    ("log_frontiers", "election_id, size"),
    ("checkpoints", "election_id, size"),
    ("record_keys", "election_id"),
    ("observations", "id"),
    ("observed_turnout", "id"),
    ("audit_events", "id"),
];

fn has_table(db: &mut Db, name: &str) -> Result<bool, StoreError> {
    let sql = if db.is_postgres() {
        "SELECT CAST(COUNT(*) AS BIGINT) FROM information_schema.tables WHERE table_name = ?1 AND table_schema = current_schema()"
    } else {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"
    };
    Ok(db.query_one(sql, &[name.into()])?[0].int()? > 0)
}

fn refuse_format_1(db: &mut Db) -> Result<(), StoreError> {
    let old = db.query("SELECT version FROM schema_migrations WHERE version = 1", &[])?;
    if !old.is_empty() {
        return Err(StoreError::backend(
            BackendErrorKind::NotARecord,
            "this database holds a record in format 1, written by an older Ashyq before checkpoints; format 2 logs every fact and signs C2SP checkpoints, so the old history cannot be converted: export it with the older version and import the package into a new record",
        ));
    }
    Ok(())
}

/// Checks that an existing database is a current Ashyq record, creating nothing.
pub(crate) fn check_current(db: &mut Db, url: &str, now: &str) -> Result<(), StoreError> {
    if !has_table(db, "schema_migrations")? {
        return Err(StoreError::backend(
            BackendErrorKind::NotARecord,
            format!(
                "{} holds no Ashyq record (`ashyq import` creates one)",
                crate::db::redact(url)
            ),
        ));
    }
    refuse_format_1(db)?;
    let have = version(db)?;
    let want = MIGRATIONS.last().map_or(0, |m| m.0);
    if have < want {
        // Migrations only add; opening an older record for writing brings it up to date.
        return migrate(db, now);
    }
    if have > want {
        return Err(StoreError::backend(
            BackendErrorKind::NotARecord,
            format!("the record was written by a newer Ashyq (schema {have}; this version knows {want})"),
        ));
    }
    Ok(())
}

/// Applies every migration not yet applied, each in its own transaction.
pub(crate) fn migrate(db: &mut Db, now: &str) -> Result<(), StoreError> {
    db.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    refuse_format_1(db)?;
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

/// Whether the migrations the database records are exactly this version's (names included).
pub(crate) fn migration_problems(db: &mut Db) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let rows = db.query("SELECT version, name FROM schema_migrations ORDER BY version", &[])?;
    let want: Vec<(i64, &str)> = MIGRATIONS.iter().map(|m| (m.0, m.1)).collect();
    let have: Vec<(i64, String)> = rows
        .iter()
        .map(|r| Ok((r[0].int()?, r[1].text()?.to_owned())))
        .collect::<Result<_, StoreError>>()?;
    if have.len() != want.len() || have.iter().zip(&want).any(|(h, w)| h.0 != w.0 || h.1 != w.1) {
        out.push("schema_migrations does not list exactly this version's migrations: the database's bookkeeping was altered".to_owned());
    }
    Ok(out)
}
