//! The voter register's database: a database of its own, never the election record's.
//!
//! Invariant (issue 12, BRIEF "Reliability and security"): the register is personal data (the
//! IIN encodes date of birth and sex). It lives only here, opened on its own URL; the record
//! ([`crate::Store`]) never holds a name, an IIN or a date of birth, and neither do its exports.
//! [`RegisterStore::open`] refuses a database that holds the election record. What leaves this
//! store: per-station counts (the protocols' `registered` line) and answers to salted-hash
//! membership questions; who may ask what is `ashyq_register::privacy`.
//!
//! Schema (its own append-only migrations, table `register_migrations`):
//! - `register_stations(id, name)`: the polling stations of the current register;
//! - `register_voters(iin, full_name, birth_date, station, digest, digest_key)`: the accepted
//!   rows of the current register; `digest` is the salted membership digest, `digest_key` its
//!   first 64 bits as a signed integer (what the index holds: integers sort far faster than
//!   64-character strings);
//! - `register_station_counts(station, registered)`: voters per station, counted while the
//!   rows are stored, in the same transaction;
//! - `register_imports(seq, imported_at, source_sha256, election_date, rows_total, accepted,
//!   salt)`: one row per import (the history of replacements; the latest row's salt is the
//!   current register's).
//!
//! An import replaces the register in one transaction: the register is updated twice a year
//! (1 January, 1 July; law digest §8.5 \[S48\]) and each update replaces the previous lists;
//! keeping no old lists is data minimisation. A failed import leaves the previous register.

use crate::db::{Db, Value};
use crate::StoreError;

/// The default register URL (a file beside, never inside, the record's `./ashyq.db`).
pub const DEFAULT_REGISTER_URL: &str = "sqlite:./ashyq-register.db";

/// The register database.
pub struct RegisterStore {
    db: Db,
}

impl std::fmt::Debug for RegisterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.db.is_postgres() {
            "RegisterStore(postgres)"
        } else {
            "RegisterStore(sqlite)"
        })
    }
}

/// What an import was (stored in `register_imports`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterImport {
    /// SHA-256 of the voters file, hex.
    pub source_sha256: String,
    /// Election day the ages were checked against (YYYY-MM-DD).
    pub election_date: String,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows accepted (and stored).
    pub accepted: u64,
    /// The membership salt of this register, hex (random per import).
    pub salt: String,
}

/// One import in the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterImportRecord {
    /// Sequence number (1 = first import).
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub imported_at: String,
    /// The import's description (the salt is not returned here).
    pub source_sha256: String,
    /// Election day of the check.
    pub election_date: String,
    /// Data rows.
    pub rows: u64,
    /// Accepted rows.
    pub accepted: u64,
}

/// One voter to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterVoter {
    /// The IIN as a number (12 digits).
    pub iin: u64,
    /// Full name.
    pub full_name: String,
    /// Date of birth, YYYY-MM-DD.
    pub birth_date: String,
    /// Station id (must be one of the import's stations).
    pub station: String,
    /// Salted membership digest, 64 hex digits.
    pub digest: String,
}

/// Migrations of the register database: (version, name, SQL). Only ever appended to. The
/// IIN is not the primary key: rows go in in file order (appending to the table is cheap) and
/// the unique index on the IIN, like the others, is built after a bulk replacement
/// ([`INDEXES`]); building an index from sorted keys is far faster than 12 M random B-tree
/// insertions.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "the voter register: stations, voters, import history",
    "CREATE TABLE register_stations (id TEXT PRIMARY KEY, name TEXT NOT NULL);
     CREATE TABLE register_voters (iin BIGINT NOT NULL, full_name TEXT NOT NULL, birth_date TEXT NOT NULL, station TEXT NOT NULL, digest TEXT NOT NULL, digest_key BIGINT NOT NULL);
     CREATE TABLE register_station_counts (station TEXT PRIMARY KEY, registered BIGINT NOT NULL);
     CREATE TABLE register_imports (seq BIGINT PRIMARY KEY, imported_at TEXT NOT NULL, source_sha256 TEXT NOT NULL, election_date TEXT NOT NULL, rows_total BIGINT NOT NULL, accepted BIGINT NOT NULL, salt TEXT NOT NULL);",
)];

/// Indexes dropped before a bulk replacement and built again after it, inside the same
/// transaction: a repeated IIN makes the build, and so the replacement, fail.
const INDEXES: &[(&str, &str)] = &[
    ("register_voters_iin", "CREATE UNIQUE INDEX register_voters_iin ON register_voters (iin)"),
    (
        "register_voters_digest",
        "CREATE INDEX register_voters_digest ON register_voters (digest_key)",
    ),
];

/// Tables that mark a database as the election record.
const RECORD_TABLES: &[&str] = &["elections", "protocol_versions"];

fn connect(url: &str) -> Result<Db, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(StoreError::Invalid(
                "sqlite: needs a file path, e.g. sqlite:./ashyq-register.db".into(),
            ));
        }
        let c = rusqlite::Connection::open(path)
            .map_err(|e| register_backend(format!("cannot open {path}: {e}")))?;
        c.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(|e| register_backend(e.to_string()))?;
        Ok(Db::Sqlite(c))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let c = postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
            register_backend(format!("cannot connect to the register database: {e}"))
        })?;
        let mut db = Db::Postgres(Box::new(crate::db::Pg::new(c)));
        db.batch("SET client_min_messages = warning")?;
        Ok(db)
    } else {
        Err(StoreError::Invalid(format!(
            "register URL \"{url}\" is neither sqlite:PATH nor postgres://user@host:port/db"
        )))
    }
}

/// A database failure of the register.
fn register_backend(message: String) -> StoreError {
    StoreError::backend(crate::BackendErrorKind::Other, message)
}

/// The system clock, RFC 3339 UTC (the time of an import in the register's history).
fn now_utc() -> String {
    (crate::system_clock())().to_string()
}

fn table_exists(db: &mut Db, name: &str) -> Result<bool, StoreError> {
    let sql = if db.is_postgres() {
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1"
    };
    Ok(!db.query(sql, &[Value::from(name)])?.is_empty())
}

/// The first 64 bits of a hex digest as a signed integer (the indexed key).
fn digest_key(digest: &str) -> Result<i64, StoreError> {
    let head = digest.get(..16).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    let head = head.ok_or_else(|| {
        StoreError::Invalid(format!("\"{digest}\" is not a membership digest (64 hex digits)"))
    })?;
    u64::from_str_radix(head, 16)
        .map(|u| u as i64)
        .map_err(|e| StoreError::Invalid(format!("digest {digest}: {e}")))
}

fn count(v: &Value) -> Result<u64, StoreError> {
    u64::try_from(v.int()?)
        .map_err(|_| StoreError::corrupt("a negative count", "the register database"))
}

impl RegisterStore {
    /// Opens (creating if needed) the register database: `sqlite:PATH` or `postgres://…`.
    /// Refuses a database that holds the election record.
    pub fn open(url: &str) -> Result<RegisterStore, StoreError> {
        let mut db = connect(url)?;
        for t in RECORD_TABLES {
            if table_exists(&mut db, t)? {
                return Err(StoreError::Invalid(format!(
                    "{url} holds the election record (table {t}): the voter register is personal data and needs a database of its own"
                )));
            }
        }
        if !db.is_postgres() {
            // Configured only now, so that a record's database is never touched. A rollback
            // journal, not WAL: a replacement writes the whole register, which WAL would write
            // twice (log, then checkpoint); the price is that readers wait while a replacement
            // is written (twice a year). The index builds may use a helper thread and keep
            // their sort runs in memory.
            db.batch(
                "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA cache_size=-262144; PRAGMA threads=2; PRAGMA temp_store=MEMORY;",
            )?;
        }
        let mut store = RegisterStore { db };
        store.migrate()?;
        Ok(store)
    }

    /// Opens a register database that must already exist (for reading: counts, membership).
    pub fn open_existing(url: &str) -> Result<RegisterStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if !std::path::Path::new(path).exists() {
                return Err(StoreError::Invalid(format!(
                    "there is no register at {url}: import one with `ashyq register import`"
                )));
            }
        }
        RegisterStore::open(url)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        self.db.batch(
            "CREATE TABLE IF NOT EXISTS register_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        for (version, name, sql) in MIGRATIONS {
            let done = self.db.query(
                "SELECT version FROM register_migrations WHERE version = ?1",
                &[Value::Int(*version)],
            )?;
            if !done.is_empty() {
                continue;
            }
            self.db.batch("BEGIN")?;
            let res = (|| -> Result<(), StoreError> {
                self.db.batch(sql)?;
                for (_, create) in INDEXES {
                    self.db.batch(create)?;
                }
                self.db.exec(
                    "INSERT INTO register_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    &[Value::Int(*version), Value::from(*name), Value::from(now_utc())],
                )?;
                Ok(())
            })();
            match res {
                Ok(()) => self.db.batch("COMMIT")?,
                Err(e) => {
                    let _ = self.db.batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Replaces the register in one transaction: the stations, then every voter that `fill`
    /// pushes through the sink it is given, then the import record. If `fill` or any insert
    /// fails (an unknown station, a repeated IIN or digest), nothing changes. Returns the
    /// voters stored.
    pub fn replace(
        &mut self,
        import: &RegisterImport,
        stations: &[(String, String)],
        fill: impl FnOnce(&mut dyn FnMut(RegisterVoter) -> Result<(), StoreError>) -> Result<(), String>,
    ) -> Result<u64, StoreError> {
        self.db.batch("BEGIN")?;
        let res = self.replace_in_transaction(import, stations, fill);
        match res {
            Ok(n) => {
                self.db.batch("COMMIT")?;
                Ok(n)
            }
            Err(e) => {
                let _ = self.db.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn replace_in_transaction(
        &mut self,
        import: &RegisterImport,
        stations: &[(String, String)],
        fill: impl FnOnce(&mut dyn FnMut(RegisterVoter) -> Result<(), StoreError>) -> Result<(), String>,
    ) -> Result<u64, StoreError> {
        let to_i64 =
            |n: u64| i64::try_from(n).map_err(|_| StoreError::Invalid(format!("{n} is too large")));
        if self.db.is_postgres() {
            // One importer at a time (SQLite's write lock does this by itself).
            self.db.batch("LOCK TABLE register_imports IN EXCLUSIVE MODE")?;
        }
        for (name, _) in INDEXES {
            self.db.batch(&format!("DROP INDEX IF EXISTS {name}"))?;
        }
        self.db.exec("DELETE FROM register_voters", &[])?;
        self.db.exec("DELETE FROM register_station_counts", &[])?;
        self.db.exec("DELETE FROM register_stations", &[])?;
        let mut known: std::collections::HashMap<&str, u64> =
            std::collections::HashMap::with_capacity(stations.len());
        self.db.insert_many(
            "INSERT INTO register_stations (id, name)",
            2,
            stations.iter().map(|(id, name)| vec![Value::from(id), Value::from(name)]),
            |_| {},
        )?;
        for (id, _) in stations {
            known.insert(id.as_str(), 0);
        }
        const CHUNK: usize = 500;
        const COLS: usize = 6;
        let single = "INSERT INTO register_voters (iin, full_name, birth_date, station, digest, digest_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
        let multi = {
            let rows: Vec<String> = (0..CHUNK)
                .map(|r| {
                    let p: Vec<String> = (1..=COLS).map(|k| format!("?{}", r * COLS + k)).collect();
                    format!("({})", p.join(", "))
                })
                .collect();
            format!("INSERT INTO register_voters (iin, full_name, birth_date, station, digest, digest_key) VALUES {}", rows.join(", "))
        };
        let is_pg = self.db.is_postgres();
        let mut stored = 0u64;
        let mut batch: Vec<Value> = Vec::with_capacity(CHUNK * COLS);
        let mut failure: Option<StoreError> = None;
        {
            let db = &mut self.db;
            let mut sink = |v: RegisterVoter| -> Result<(), StoreError> {
                let Some(n) = known.get_mut(v.station.as_str()) else {
                    return Err(StoreError::Invalid(format!(
                        "station {} is not in the register's stations",
                        v.station
                    )));
                };
                *n += 1;
                let iin = to_i64(v.iin)?;
                let key = digest_key(&v.digest)?;
                let row = [
                    Value::Int(iin),
                    Value::Text(v.full_name),
                    Value::Text(v.birth_date),
                    Value::Text(v.station),
                    Value::Text(v.digest),
                    Value::Int(key),
                ];
                stored += 1;
                if is_pg {
                    batch.extend(row);
                    if batch.len() == CHUNK * COLS {
                        db.exec(&multi, &batch)?;
                        batch.clear();
                    }
                    Ok(())
                } else {
                    db.exec(single, &row).map(|_| ())
                }
            };
            if let Err(message) = fill(&mut |v| {
                let r = sink(v);
                if let Err(e) = &r {
                    if failure.is_none() {
                        failure = Some(StoreError::Invalid(e.to_string()));
                    }
                }
                r
            }) {
                return Err(failure.unwrap_or(StoreError::Io(message)));
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        for row in batch.chunks(COLS) {
            self.db.exec(single, row)?;
        }
        let mut counts: Vec<(&str, u64)> = known.into_iter().filter(|(_, n)| *n > 0).collect();
        counts.sort_unstable();
        self.db.insert_many(
            "INSERT INTO register_station_counts (station, registered)",
            2,
            counts.iter().map(|(s, n)| vec![Value::from(*s), Value::Int(*n as i64)]),
            |_| {},
        )?;
        for (_, create) in INDEXES {
            self.db.batch(create)?;
        }
        let seq = self.db.query_one("SELECT COALESCE(MAX(seq), 0) FROM register_imports", &[])?[0]
            .int()?
            + 1;
        self.db.exec(
            "INSERT INTO register_imports (seq, imported_at, source_sha256, election_date, rows_total, accepted, salt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                Value::Int(seq),
                Value::from(now_utc()),
                Value::from(&import.source_sha256),
                Value::from(&import.election_date),
                Value::Int(to_i64(import.rows)?),
                Value::Int(to_i64(import.accepted)?),
                Value::from(&import.salt),
            ],
        )?;
        Ok(stored)
    }

    /// Voters registered at each station of the current register (every station, zero
    /// included), by station id.
    pub fn station_counts(&mut self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows = self.db.query(
            "SELECT s.id, COALESCE(c.registered, 0) FROM register_stations s LEFT JOIN register_station_counts c ON c.station = s.id ORDER BY s.id",
            &[],
        )?;
        rows.iter().map(|r| Ok((r[0].text()?.to_owned(), count(&r[1])?))).collect()
    }

    /// Voters on the current register.
    pub fn voter_count(&mut self) -> Result<u64, StoreError> {
        count(&self.db.query_one("SELECT COUNT(*) FROM register_voters", &[])?[0])
    }

    /// The station where the voter with this salted digest is registered, if any.
    pub fn membership(&mut self, digest: &str) -> Result<Option<String>, StoreError> {
        let rows = self.db.query(
            "SELECT station FROM register_voters WHERE digest_key = ?1 AND digest = ?2",
            &[Value::Int(digest_key(digest)?), Value::from(digest)],
        )?;
        rows.first().map(|r| r[0].text().map(str::to_owned)).transpose()
    }

    /// The current register's membership salt (hex), or `None` before the first import. Only
    /// for the commission and, through it, accredited observers.
    pub fn salt(&mut self) -> Result<Option<String>, StoreError> {
        let rows = self.db.query("SELECT salt FROM register_imports ORDER BY seq DESC", &[])?;
        rows.first().map(|r| r[0].text().map(str::to_owned)).transpose()
    }

    /// Every import, oldest first.
    pub fn imports(&mut self) -> Result<Vec<RegisterImportRecord>, StoreError> {
        let rows = self.db.query(
            "SELECT seq, imported_at, source_sha256, election_date, rows_total, accepted FROM register_imports ORDER BY seq",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(RegisterImportRecord {
                    seq: r[0].int()?,
                    imported_at: r[1].text()?.to_owned(),
                    source_sha256: r[2].text()?.to_owned(),
                    election_date: r[3].text()?.to_owned(),
                    rows: count(&r[4])?,
                    accepted: count(&r[5])?,
                })
            })
            .collect()
    }
}
