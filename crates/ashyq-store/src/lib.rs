//! The record: every protocol of an election, every version of it, and a signed tamper-evident
//! log, stored in embedded SQLite or in PostgreSQL behind one interface. This is the only crate
//! of Ashyq that knows SQL.
//!
//! Law and design: protocol lines and checks follow the law digest §8 (R2–R7 via
//! `ashyq_core::checks`, plausibility W1–W3 in [`plausibility`]); double entry follows Abacus
//! (peers.md); the log hashes follow RFC 6962 §2.1 ([`merkle`]); tree heads are signed with
//! Ed25519, RFC 8032 ([`keys`]).
//!
//! # Schema (migration 1; see `README.md`)
//! - `elections`: id, canonical definition (`election.toml` rendering and `units.csv`), its
//!   SHA-256 (`definition_hash`), double-entry policy; `units`, `contests`, `options`: the same
//!   definition as rows (the source the store reads back).
//! - `protocol_versions`: one row per accepted version of a protocol (election, contest, unit);
//!   never updated or deleted. Values are stored as `v1,v2,,v4` in column order (empty = line
//!   absent). Totals use the highest version of each protocol.
//! - `entries`: double-entry keyings (round = the version they aim to create).
//! - `log`: one entry per accepted version in acceptance order with its RFC 6962 leaf hash.
//! - `tree_heads`: signed (size, Merkle root); `record_keys`: the commission's public key.
//! - `turnout`: intraday snapshots per station and hour; `certifications`: certified totals with
//!   the hash of their inputs.
//!
//! Invariant: every write is one transaction, preceded by every check, so rejected input leaves
//! the record exactly as it was; a crash mid-import leaves nothing of it.
#![deny(missing_docs)]

mod db;
mod export;
mod import;
pub mod keys;
pub mod merkle;
pub mod plausibility;
mod record;
pub mod register;
mod schema;
mod submit;
mod tabulate;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use ashyq_core::checks::{check_protocol, check_summary, Severity};
use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::election::{
    ContestInfo, ContestKind, Election, ElectionInfo, OptionInfo, OptionKind,
};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::{UnitIdx, UnitInfo, UnitTree};
use sha2::{Digest, Sha256};

use crate::db::{Db, Value};
pub use crate::export::verify_record;
pub use crate::keys::Signer;
pub use crate::plausibility::PlausibilityLimits;
use crate::record::{RawCertification, RawHead, RawLogEntry, RawRecord, RawVersion};

/// The default database URL.
pub const DEFAULT_URL: &str = "sqlite:./ashyq.db";

/// The hours of the intraday turnout snapshots (local time on election day).
pub const TURNOUT_HOURS: [&str; 6] = ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"];

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database: {0}")]
    Database(String),
    /// The URL is not understood.
    #[error("{0}")]
    Url(String),
    /// Stored data cannot be read back (the record is damaged; run verify).
    #[error("the record is damaged: {0}")]
    Corrupt(String),
    /// Something named does not exist or the request is not allowed.
    #[error("{0}")]
    Invalid(String),
    /// The protocol failed checks and was not accepted; nothing was stored.
    #[error("the protocol was rejected: {}", .0.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<CheckFinding>),
    /// Key file problems.
    #[error("{0}")]
    Key(String),
    /// File problems (export, record verification).
    #[error("{0}")]
    Io(String),
}

/// A failed check on a submitted protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFinding {
    /// Catalogue code (R2…R7, V1…V3, W1…W3).
    pub code: String,
    /// True for errors (block unless overridden), false for warnings (need acknowledgement).
    pub error: bool,
    /// The sentence with the numbers.
    pub message: String,
}

impl std::fmt::Display for CheckFinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = if self.error { "error" } else { "warning" };
        write!(f, "{} {sev}: {}", self.code, self.message)
    }
}

/// Options of [`Store::import`].
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Protocols submitted later need two independent entries.
    pub double_entry: bool,
    /// Show a progress bar on stderr (hidden when stderr is not a terminal).
    pub progress: bool,
}

/// What an import stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// Election id.
    pub election: String,
    /// Protocols stored (each as version 1).
    pub protocols: u64,
    /// Imported protocols that fail arithmetic checks (recorded as given, flagged in `findings`).
    pub protocols_with_findings: u64,
    /// Log size after the import.
    pub log_size: u64,
    /// True when a tree head was signed.
    pub signed: bool,
}

/// A protocol submitted by a person.
#[derive(Clone, Debug, Default)]
pub struct Submission {
    /// Contest id.
    pub contest: String,
    /// Unit id (a polling station, or a territorial commission for a summary protocol).
    pub unit: String,
    /// Line name (protocol line or option id) → value. For a correction, lines not given keep
    /// their value from the latest version.
    pub values: Vec<(String, u64)>,
    /// Who entered it.
    pub author: String,
    /// When (caller-supplied timestamp, e.g. RFC 3339).
    pub time: String,
    /// Why (required for corrections).
    pub reason: String,
    /// Accept despite errors (an explicit, logged override).
    pub override_errors: bool,
    /// Acknowledge warnings.
    pub acknowledge_warnings: bool,
}

/// One field on which two entries disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Line name.
    pub line: String,
    /// (author, value) of each entry; `None` = line left empty.
    pub values: Vec<(String, Option<u64>)>,
}

/// Result of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// Stored as this version; the warnings acknowledged or errors overridden are listed.
    Accepted {
        /// Version number.
        version: i64,
        /// Acknowledged findings.
        findings: Vec<CheckFinding>,
    },
    /// Double entry: stored as the first entry; a second, independent entry is needed.
    AwaitingSecondEntry,
    /// Double entry: two entries disagree; a coordinator must resolve.
    Differences(Vec<Difference>),
}

/// One version in a protocol's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolVersion {
    /// Version number (1 = first).
    pub version: i64,
    /// Author.
    pub author: String,
    /// Time.
    pub time: String,
    /// Reason.
    pub reason: String,
    /// Codes of acknowledged or overridden findings, comma-separated.
    pub findings: String,
    /// (line, value) for every present line, in column order.
    pub values: Vec<(String, u64)>,
}

/// Reporting progress of one contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestProgress {
    /// Contest id.
    pub contest: String,
    /// Polling stations (leaf units) in the contest's territory.
    pub stations_expected: u64,
    /// Of those, stations with an accepted protocol.
    pub stations_reported: u64,
    /// Registered voters on the reported stations' protocols.
    pub registered_reported: u64,
}

/// Summed turnout snapshot at one unit and hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnoutRow {
    /// Unit id.
    pub unit: String,
    /// Hour (one of [`TURNOUT_HOURS`]).
    pub hour: String,
    /// Voters who had voted by then, summed over reporting stations.
    pub voters: u64,
    /// Stations that reported this snapshot.
    pub stations: u64,
}

/// A certified outcome's record.
#[derive(Clone, Debug)]
pub struct Certification {
    /// Sequence number within the election.
    pub seq: i64,
    /// SHA-256 over the canonical inputs (definition hash + every counted version's hash).
    pub inputs_hash: String,
    /// Log entries covered.
    pub log_size: i64,
    /// The counts certified (latest versions as of `log_size`).
    pub counts: Vec<ContestCounts>,
    /// Root totals per contest as CSV `contest,unit,line,value`.
    pub totals_csv: String,
}

/// The store: one open database.
pub struct Store {
    db: Db,
    limits: PlausibilityLimits,
    /// Election definitions already read back: they never change once imported (the record is
    /// insert-only), so each is read and validated once per `Store`, not once per protocol.
    /// `verify` never uses this cache; it reads the raw rows.
    definitions: HashMap<String, Arc<(Election, UnitTree)>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.db.is_postgres() { "Store(postgres)" } else { "Store(sqlite)" })
    }
}

/// The system clock as RFC 3339 UTC (`2026-11-24T01:02:03Z`). The store may read the clock;
/// core never does.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A new version to append.
struct NewVersion {
    contest: usize,
    unit: usize,
    version: i64,
    row: Row,
    author: String,
    at: String,
    reason: String,
    findings: String,
}

impl Store {
    /// Opens (creating if needed) a store: `sqlite:PATH` (relative or absolute) or
    /// `postgres://user@host:port/db`, and applies pending migrations.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let db = if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::Url(
                    "sqlite: needs a file path, e.g. sqlite:./ashyq.db".into(),
                ));
            }
            let c = rusqlite::Connection::open(path)
                .map_err(|e| StoreError::Database(format!("cannot open {path}: {e}")))?;
            c.busy_timeout(std::time::Duration::from_secs(30))
                .map_err(|e| StoreError::Database(e.to_string()))?;
            // A 256 MiB page cache (default 2 MiB) keeps the index B-trees of a national import
            // in memory; it is an upper bound, allocated only as pages are used.
            c.execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-262144;",
            )
            .map_err(|e| StoreError::Database(format!("cannot configure {path}: {e}")))?;
            Db::Sqlite(c)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let c = postgres::Client::connect(url, postgres::NoTls).map_err(|e| {
                StoreError::Database(format!("cannot connect to {}: {e}", redact(url)))
            })?;
            let mut db = Db::Postgres(Box::new(db::Pg::new(c)));
            db.batch("SET client_min_messages = warning")?;
            db
        } else {
            return Err(StoreError::Url(format!(
                "database URL \"{url}\" is neither sqlite:PATH nor postgres://user@host:port/db"
            )));
        };
        let mut store =
            Store { db, limits: PlausibilityLimits::default(), definitions: HashMap::new() };
        schema::migrate(&mut store.db, &now_utc())?;
        Ok(store)
    }

    /// Sets the plausibility limits used on submission.
    pub fn set_limits(&mut self, limits: PlausibilityLimits) {
        self.limits = limits;
    }

    /// The highest applied schema migration.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        schema::version(&mut self.db)
    }

    /// Number of applied migrations (each recorded once).
    pub fn migrations_applied(&mut self) -> Result<i64, StoreError> {
        self.db.query_one("SELECT COUNT(*) FROM schema_migrations", &[])?[0].int()
    }

    /// Election ids in the record, sorted.
    pub fn elections(&mut self) -> Result<Vec<String>, StoreError> {
        let rows = self.db.query("SELECT id FROM elections ORDER BY id", &[])?;
        rows.iter().map(|r| r[0].text().map(str::to_owned)).collect()
    }

    /// The only election, or the one named.
    pub fn election_id(&mut self, named: Option<&str>) -> Result<String, StoreError> {
        let all = self.elections()?;
        match named {
            Some(n) if all.iter().any(|e| e == n) => Ok(n.to_owned()),
            Some(n) => Err(StoreError::Invalid(format!(
                "election \"{n}\" is not in the record (it holds: {})",
                if all.is_empty() { "nothing".to_owned() } else { all.join(", ") }
            ))),
            None => match all.len() {
                1 => Ok(all[0].clone()),
                0 => Err(StoreError::Invalid(
                    "the record holds no election; import a package first".into(),
                )),
                _ => Err(StoreError::Invalid(format!(
                    "the record holds several elections ({}); name one with --election",
                    all.join(", ")
                ))),
            },
        }
    }

    fn write_tx<T>(
        &mut self,
        f: impl FnOnce(&mut Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.db.is_postgres() {
            self.db.batch("BEGIN ISOLATION LEVEL SERIALIZABLE; LOCK TABLE protocol_versions IN EXCLUSIVE MODE")?;
        } else {
            self.db.batch("BEGIN IMMEDIATE")?;
        }
        match f(&mut self.db) {
            Ok(v) => {
                self.db.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.db.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Reads an election's definition back from the record.
    pub fn definition(&mut self, election_id: &str) -> Result<(Election, UnitTree), StoreError> {
        let def = self.cached_definition(election_id)?;
        Ok((def.0.clone(), def.1.clone()))
    }

    /// The definition, read from the database the first time only.
    fn cached_definition(
        &mut self,
        election_id: &str,
    ) -> Result<Arc<(Election, UnitTree)>, StoreError> {
        if let Some(def) = self.definitions.get(election_id) {
            return Ok(Arc::clone(def));
        }
        let def = Arc::new(load_definition(&mut self.db, election_id)?);
        self.definitions.insert(election_id.to_owned(), Arc::clone(&def));
        Ok(def)
    }

    fn protocol_key(
        &mut self,
        election: &Election,
        tree: &UnitTree,
        contest: &str,
        unit: &str,
    ) -> Result<(usize, UnitIdx), StoreError> {
        let ci = election.contest_index(contest).ok_or_else(|| {
            StoreError::Invalid(format!(
                "contest \"{contest}\" is not in election {}",
                election.id()
            ))
        })?;
        let ui = tree.index_of(unit).ok_or_else(|| {
            StoreError::Invalid(format!("unit \"{unit}\" is not in election {}", election.id()))
        })?;
        if !tree.is_within(ui, election.contests()[ci].territory()) {
            return Err(StoreError::Invalid(format!(
                "unit \"{unit}\" is outside the territory of contest \"{contest}\""
            )));
        }
        Ok((ci, ui))
    }

    fn raw_record(&mut self, election_id: &str) -> Result<RawRecord, StoreError> {
        load_raw(&mut self.db, election_id)
    }

    /// Recomputes every hash, signature and certified total of every election from the raw
    /// record. Returns one sentence per problem; empty = the record is intact.
    pub fn verify(&mut self) -> Result<Vec<String>, StoreError> {
        let mut findings = Vec::new();
        for e in self.elections()? {
            match self.raw_record(&e) {
                Ok(rec) => findings.extend(record::check(&rec)),
                Err(err) => findings.push(format!("election {e}: cannot be read back: {err}")),
            }
        }
        // Rows that belong to no election.
        let orphans = self.db.query_one(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM protocol_versions WHERE election_id NOT IN (SELECT id FROM elections)",
            &[],
        )?[0]
            .int()?;
        if orphans > 0 {
            findings
                .push(format!("{orphans} protocol versions belong to no election in the record"));
        }
        Ok(findings)
    }

    /// Writes a self-contained record folder for one election (see [`verify_record`]).
    pub fn export(&mut self, election_id: &str, dir: &Path) -> Result<(), StoreError> {
        let rec = self.raw_record(election_id)?;
        export::write(&rec, dir)
    }

    /// SHA-256 over every row of every table, in a fixed order: equal digests mean equal
    /// records (used to prove that rejected input changed nothing).
    pub fn content_digest(&mut self) -> Result<String, StoreError> {
        let tables: [(&str, &str); 13] = [
            ("schema_migrations", "version"),
            ("elections", "id"),
            ("units", "election_id, idx"),
            ("contests", "election_id, idx"),
            ("options", "election_id, contest_idx, idx"),
            ("protocol_versions", "id"),
            ("entries", "id"),
            ("log", "election_id, seq"),
            ("record_keys", "election_id"),
            ("tree_heads", "election_id, size"),
            ("turnout", "election_id, unit_idx, hour"),
            ("certifications", "election_id, seq"),
            ("schema_migrations", "version"),
        ];
        let mut h = Sha256::new();
        for (t, order) in tables {
            let cols = if t == "schema_migrations" { "version, name" } else { "*" };
            let rows = self.db.query(&format!("SELECT {cols} FROM {t} ORDER BY {order}"), &[])?;
            h.update(t.as_bytes());
            for r in rows {
                h.update(format!("{r:?}\n").as_bytes());
            }
        }
        Ok(hex::encode(h.finalize()))
    }

    /// Runs raw SQL, bypassing every invariant. For tamper tests and database administrators
    /// only; `verify` reports what such edits did.
    #[doc(hidden)]
    pub fn execute_unchecked(&mut self, sql: &str) -> Result<(), StoreError> {
        self.db.batch(sql)
    }
}

fn redact(url: &str) -> String {
    // Drop a password from user:password@host.
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(a)) if a > s => {
            let userinfo = &url[s + 3..a];
            match userinfo.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &url[..s + 3], &url[a..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn load_definition(db: &mut Db, eid: &str) -> Result<(Election, UnitTree), StoreError> {
    let head = db.query("SELECT name, date, rules FROM elections WHERE id = ?1", &[eid.into()])?;
    let Some(head) = head.first() else {
        return Err(StoreError::Invalid(format!("election \"{eid}\" is not in the record")));
    };
    let units = db.query(
        "SELECT idx, id, parent_idx, kind, name FROM units WHERE election_id = ?1 ORDER BY idx",
        &[eid.into()],
    )?;
    let ids: Vec<String> =
        units.iter().map(|r| r[1].text().map(str::to_owned)).collect::<Result<_, _>>()?;
    let mut infos = Vec::with_capacity(units.len());
    for (i, r) in units.iter().enumerate() {
        if r[0].int()? != i as i64 {
            return Err(StoreError::Corrupt(format!("election {eid}: unit #{i} is missing")));
        }
        let parent = match r[2].opt_int()? {
            None => String::new(),
            Some(p) => ids.get(p as usize).cloned().ok_or_else(|| {
                StoreError::Corrupt(format!("election {eid}: unit {} has parent #{p}", ids[i]))
            })?,
        };
        infos.push(UnitInfo {
            id: ids[i].clone(),
            parent,
            kind: r[3].text()?.to_owned(),
            name: r[4].text()?.to_owned(),
        });
    }
    let tree = UnitTree::new(infos).map_err(|e| {
        StoreError::Corrupt(format!(
            "election {eid}: the units do not form a tree: {}",
            e.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    let contests = db.query(
        "SELECT idx, id, kind, name, territory, seats, constitutional, unit_test, round, threshold_percent, reported_units_in_favour FROM contests WHERE election_id = ?1 ORDER BY idx",
        &[eid.into()],
    )?;
    let options = db.query(
        "SELECT contest_idx, idx, id, name, registered, kind FROM options WHERE election_id = ?1 ORDER BY contest_idx, idx",
        &[eid.into()],
    )?;
    let mut by_contest: BTreeMap<i64, Vec<OptionInfo>> = BTreeMap::new();
    for o in &options {
        by_contest.entry(o[0].int()?).or_default().push(OptionInfo {
            id: o[2].text()?.to_owned(),
            name: o[3].text()?.to_owned(),
            registered: o[4].opt_int()?,
            kind: o[5].opt_text()?.map(str::to_owned),
        });
    }
    let mut cinfos = Vec::new();
    for c in &contests {
        cinfos.push(ContestInfo {
            id: c[1].text()?.to_owned(),
            kind: c[2].text()?.to_owned(),
            name: c[3].opt_text()?.map(str::to_owned),
            territory: c[4].text()?.to_owned(),
            seats: c[5].opt_int()?,
            constitutional: c[6].opt_int()?.map(|v| v != 0),
            unit_test: c[7].opt_text()?.map(str::to_owned),
            round: c[8].opt_int()?,
            threshold_percent: c[9].opt_text()?.map(str::to_owned),
            reported_units_in_favour: c[10].opt_int()?,
            options: by_contest.remove(&c[0].int()?).unwrap_or_default(),
        });
    }
    let info = ElectionInfo {
        id: eid.to_owned(),
        name: head[0].text()?.to_owned(),
        date: head[1].text()?.to_owned(),
        rules: head[2].text()?.to_owned(),
        contests: cinfos,
    };
    let election = Election::try_from_info(info, &tree).map_err(|p| {
        StoreError::Corrupt(format!(
            "election {eid}: the stored definition is invalid: {}",
            p.iter().map(|x| format!("{}: {}", x.field, x.message)).collect::<Vec<_>>().join("; ")
        ))
    })?;
    Ok((election, tree))
}

fn load_raw(db: &mut Db, eid: &str) -> Result<RawRecord, StoreError> {
    let (election, tree) = load_definition(db, eid)?;
    let def_hash = db
        .query_one("SELECT definition_hash FROM elections WHERE id = ?1", &[eid.into()])?[0]
        .text()?
        .to_owned();
    let versions = db
        .query(
            "SELECT id, contest_idx, unit_idx, version, vals, author, at, reason, findings FROM protocol_versions WHERE election_id = ?1 ORDER BY id",
            &[eid.into()],
        )?
        .into_iter()
        .map(|r| {
            Ok(RawVersion {
                id: r[0].int()?,
                contest: r[1].int()?.max(0) as usize,
                unit: r[2].int()?.max(0) as usize,
                version: r[3].int()?,
                vals: r[4].text()?.to_owned(),
                author: r[5].text()?.to_owned(),
                at: r[6].text()?.to_owned(),
                reason: r[7].text()?.to_owned(),
                findings: r[8].text()?.to_owned(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let log = db
        .query(
            "SELECT seq, version_id, leaf_hash FROM log WHERE election_id = ?1 ORDER BY seq",
            &[eid.into()],
        )?
        .into_iter()
        .map(|r| {
            Ok(RawLogEntry {
                seq: r[0].int()?,
                version_id: r[1].int()?,
                leaf_hash: r[2].text()?.to_owned(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let public_key = db
        .query("SELECT public_key FROM record_keys WHERE election_id = ?1", &[eid.into()])?
        .first()
        .map(|r| r[0].text().map(str::to_owned))
        .transpose()?;
    let heads = db
        .query("SELECT size, root_hash, at, signature FROM tree_heads WHERE election_id = ?1 ORDER BY size", &[eid.into()])?
        .into_iter()
        .map(|r| {
            Ok(RawHead { size: r[0].int()?, root_hash: r[1].text()?.to_owned(), at: r[2].text()?.to_owned(), signature: r[3].text()?.to_owned() })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let certifications = db
        .query("SELECT seq, at, log_size, inputs_hash, totals_csv FROM certifications WHERE election_id = ?1 ORDER BY seq", &[eid.into()])?
        .into_iter()
        .map(|r| {
            Ok(RawCertification {
                seq: r[0].int()?,
                at: r[1].text()?.to_owned(),
                log_size: r[2].int()?,
                inputs_hash: r[3].text()?.to_owned(),
                totals_csv: r[4].text()?.to_owned(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(RawRecord {
        election_id: eid.to_owned(),
        election,
        tree,
        definition_hash: def_hash,
        versions,
        log,
        public_key,
        heads,
        certifications,
    })
}

/// Test support: isolated PostgreSQL schemas, so parallel tests do not collide.
#[doc(hidden)]
pub mod testing {
    use crate::StoreError;

    /// Creates a fresh schema `t_<random>` on the server of `base_url` and returns (schema,
    /// URL whose connections use it as search_path).
    pub fn pg_fresh_schema(base_url: &str) -> Result<(String, String), StoreError> {
        let mut rnd = [0u8; 8];
        getrandom::getrandom(&mut rnd).map_err(|e| StoreError::Database(e.to_string()))?;
        let schema = format!("t_{}", hex::encode(rnd));
        let mut c = postgres::Client::connect(base_url, postgres::NoTls)
            .map_err(|e| StoreError::Database(format!("{base_url} is unreachable: {e}")))?;
        c.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let sep = if base_url.contains('?') { '&' } else { '?' };
        Ok((schema.clone(), format!("{base_url}{sep}options=-c%20search_path%3D{schema}")))
    }

    /// Drops a schema made by [`pg_fresh_schema`].
    pub fn pg_drop_schema(base_url: &str, schema: &str) {
        if let Ok(mut c) = postgres::Client::connect(base_url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}
