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
pub mod keys;
pub mod merkle;
pub mod plausibility;
mod record;
mod schema;

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

fn line_name(contest: &ashyq_core::election::Contest, col: usize) -> String {
    match Line::from_column(col) {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => contest.options()[i].id.to_string(),
    }
}

fn line_of(contest: &ashyq_core::election::Contest, name: &str) -> Option<Line> {
    ProtocolLine::from_name(name)
        .map(Line::Protocol)
        .or_else(|| contest.option_index(name).map(Line::Option))
}

fn core_findings(f: Vec<ashyq_core::checks::Finding>) -> Vec<CheckFinding> {
    f.into_iter()
        .map(|f| CheckFinding {
            code: f.code.to_owned(),
            error: f.severity == Severity::Error,
            message: f.message,
        })
        .collect()
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

    /// Imports an election (e.g. a read package's election, tree and counts): the definition,
    /// and every protocol row as version 1 by author
    /// `import`, in one transaction. Arithmetic findings are recorded with the version (the
    /// package is what the commission published), not blocking.
    pub fn import(
        &mut self,
        election: &Election,
        tree: &UnitTree,
        counts: &[ContestCounts],
        opts: &ImportOptions,
        signer: Option<&Signer>,
    ) -> Result<ImportSummary, StoreError> {
        let eid = election.id().to_string();
        if counts.len() != election.contests().len() {
            return Err(StoreError::Invalid(format!(
                "{} contests but counts for {}",
                election.contests().len(),
                counts.len()
            )));
        }
        let now = now_utc();
        let def_text = ashyq_ingest::election_toml(election, tree, &[]);
        let units_text = record::units_csv(tree);
        let def_hash = record::definition_hash(election, tree);
        let mut versions = Vec::new();
        let mut flagged = 0u64;
        for (ci, (contest, cc)) in election.contests().iter().zip(counts).enumerate() {
            for (unit, row) in cc.rows() {
                let f = check_protocol(contest, row);
                let codes: Vec<&str> = f.iter().map(|f| f.code).collect();
                if !codes.is_empty() {
                    flagged += 1;
                }
                versions.push(NewVersion {
                    contest: ci,
                    unit,
                    version: 1,
                    row: row.clone(),
                    author: "import".into(),
                    at: now.clone(),
                    reason: "imported from the election package".into(),
                    findings: codes.join(","),
                });
            }
        }
        let n = versions.len() as u64;
        let bar = progress_bar(opts.progress, n);
        let res = self.write_tx(|db| {
            let exists = db.query("SELECT id FROM elections WHERE id = ?1", &[eid.as_str().into()])?;
            if !exists.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "election \"{eid}\" is already in the record; corrections go in as new versions, not as a second import"
                )));
            }
            db.exec(
                "INSERT INTO elections (id, double_entry, definition_toml, units_csv, definition_hash, imported_at, name, date, rules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[
                    eid.as_str().into(),
                    Value::Int(i64::from(opts.double_entry)),
                    def_text.into(),
                    units_text.into(),
                    def_hash.as_str().into(),
                    now.as_str().into(),
                    election.name().into(),
                    election.date().into(),
                    election.rules().name().into(),
                ],
            )?;
            db.insert_many(
                "INSERT INTO units (election_id, idx, id, parent_idx, kind, name)",
                6,
                tree.units().iter().enumerate().map(|(i, u)| {
                    vec![
                        eid.as_str().into(),
                        Value::Int(i as i64),
                        u.id.as_str().into(),
                        u.parent.map(|p| p as i64).into(),
                        u.kind.as_str().into(),
                        u.name.as_str().into(),
                    ]
                }),
                |_| {},
            )?;
            for (ci, c) in election.contests().iter().enumerate() {
                let info = contest_info(c, tree);
                db.exec(
                    "INSERT INTO contests (election_id, idx, id, kind, name, territory, seats, constitutional, unit_test, round, threshold_percent, reported_units_in_favour) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    &[
                        eid.as_str().into(),
                        Value::Int(ci as i64),
                        info.id.into(),
                        info.kind.into(),
                        info.name.into(),
                        info.territory.into(),
                        info.seats.into(),
                        info.constitutional.map(i64::from).into(),
                        info.unit_test.into(),
                        info.round.into(),
                        info.threshold_percent.into(),
                        info.reported_units_in_favour.into(),
                    ],
                )?;
                for (oi, o) in info.options.into_iter().enumerate() {
                    db.exec(
                        "INSERT INTO options (election_id, contest_idx, idx, id, name, registered, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        &[
                            eid.as_str().into(),
                            Value::Int(ci as i64),
                            Value::Int(oi as i64),
                            o.id.into(),
                            o.name.into(),
                            o.registered.into(),
                            o.kind.into(),
                        ],
                    )?;
                }
            }
            append_versions(db, &eid, &def_hash, election, tree, versions, signer, &now, bar.as_ref())
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let (log_size, signed) = res?;
        Ok(ImportSummary {
            election: eid,
            protocols: n,
            protocols_with_findings: flagged,
            log_size,
            signed,
        })
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

    /// All versions of one protocol, oldest first.
    pub fn history(
        &mut self,
        election_id: &str,
        contest: &str,
        unit: &str,
    ) -> Result<Vec<ProtocolVersion>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, contest, unit)?;
        let c = &election.contests()[ci];
        let rows = self.db.query(
            "SELECT version, author, at, reason, findings, vals FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 ORDER BY version",
            &[election_id.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
        )?;
        rows.iter()
            .map(|r| {
                let row = record::parse_vals(r[5].text()?, ProtocolLine::COUNT + c.options().len())
                    .map_err(StoreError::Corrupt)?;
                Ok(ProtocolVersion {
                    version: r[0].int()?,
                    author: r[1].text()?.to_owned(),
                    time: r[2].text()?.to_owned(),
                    reason: r[3].text()?.to_owned(),
                    findings: r[4].text()?.to_owned(),
                    values: row
                        .iter()
                        .enumerate()
                        .filter_map(|(col, v)| v.map(|v| (line_name(c, col), v)))
                        .collect(),
                })
            })
            .collect()
    }

    fn latest_row(
        &mut self,
        eid: &str,
        ci: usize,
        ui: usize,
        n: usize,
    ) -> Result<Option<(i64, Row)>, StoreError> {
        let rows = self.db.query(
            "SELECT version, vals FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 ORDER BY version DESC LIMIT 1",
            &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
        )?;
        match rows.first() {
            None => Ok(None),
            Some(r) => Ok(Some((
                r[0].int()?,
                record::parse_vals(r[1].text()?, n).map_err(StoreError::Corrupt)?,
            ))),
        }
    }

    /// Runs every check on a row: arithmetic (core), plausibility (W1–W3) for station
    /// protocols, and R7 against the stations below for summary protocols.
    fn check_row(
        &mut self,
        eid: &str,
        election: &Election,
        tree: &UnitTree,
        ci: usize,
        ui: usize,
        row: &Row,
    ) -> Result<Vec<CheckFinding>, StoreError> {
        let contest = &election.contests()[ci];
        let mut f = core_findings(check_protocol(contest, row));
        if tree.children(ui).is_empty() {
            f.extend(plausibility::check(row, &self.limits));
        } else {
            let (counts, _) = self.latest(eid, election)?;
            let mut cc = counts[ci].clone();
            let own_below: Vec<UnitIdx> =
                cc.rows().map(|(u, _)| u).filter(|&u| u != ui && tree.is_within(u, ui)).collect();
            if !own_below.is_empty() {
                // Sum of the protocols strictly below: roll up without the unit's own row.
                let mut below = ContestCounts::new(contest);
                for (u, r) in cc.rows() {
                    if u != ui && tree.is_within(u, ui) {
                        for (col, v) in r.iter().enumerate() {
                            if let Some(v) = v {
                                let _ = below.set(u, Line::from_column(col), *v);
                            }
                        }
                    }
                }
                cc = below;
                let roll = cc.roll_up(tree, ui).map_err(|e| StoreError::Invalid(e.to_string()))?;
                if let Some(t) = roll.at(ui) {
                    f.extend(core_findings(check_summary(row, &t.values, t.protocols)));
                }
            }
        }
        Ok(f)
    }

    fn row_from_values(
        contest: &ashyq_core::election::Contest,
        base: Option<Row>,
        values: &[(String, u64)],
    ) -> Result<Row, StoreError> {
        let n = ProtocolLine::COUNT + contest.options().len();
        let mut row = base.unwrap_or_else(|| vec![None; n]);
        for (name, v) in values {
            let line = line_of(contest, name).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "line \"{name}\" is neither a protocol line nor an option of contest \"{}\" (options: {})",
                    contest.id(),
                    contest.options().iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            row[line.column()] = Some(*v);
        }
        Ok(row)
    }

    fn gate(findings: Vec<CheckFinding>, s: &Submission) -> Result<Vec<CheckFinding>, StoreError> {
        let blocked: Vec<CheckFinding> = findings
            .iter()
            .filter(|f| (f.error && !s.override_errors) || (!f.error && !s.acknowledge_warnings))
            .cloned()
            .collect();
        if blocked.is_empty() {
            Ok(findings)
        } else {
            Err(StoreError::Rejected(blocked))
        }
    }

    /// Submits a protocol. Without double entry it is checked and, if it passes (or its
    /// findings are overridden/acknowledged), stored as the next version. With double entry it
    /// is stored as an entry; the second independent entry that agrees creates the version.
    pub fn submit(
        &mut self,
        election_id: &str,
        s: &Submission,
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, &s.contest, &s.unit)?;
        let contest = election.contests()[ci].clone();
        if s.author.trim().is_empty() {
            return Err(StoreError::Invalid("a submission needs an author".into()));
        }
        let n = ProtocolLine::COUNT + contest.options().len();
        let latest = self.latest_row(election_id, ci, ui, n)?;
        let next = latest.as_ref().map_or(1, |l| l.0 + 1);
        let row = Self::row_from_values(&contest, None, &s.values)?;
        let findings = self.check_row(election_id, election, tree, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        let double = self
            .db
            .query_one("SELECT double_entry FROM elections WHERE id = ?1", &[election_id.into()])?
            [0]
        .int()?
            != 0;
        let reason = if s.reason.is_empty() { "entered".to_owned() } else { s.reason.clone() };
        if !double {
            return self.accept(
                election_id,
                election,
                tree,
                ci,
                ui,
                next,
                row,
                &s.author,
                &s.time,
                &reason,
                &findings,
                signer,
            );
        }
        // Double entry.
        let eid = election_id.to_owned();
        let vals = record::format_vals(&row);
        let entries = self.write_tx(|db| {
            let id = next_id(db, "entries")?;
            db.exec(
                "INSERT INTO entries (id, election_id, contest_idx, unit_idx, round, author, at, vals) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[Value::Int(id), eid.as_str().into(), Value::Int(ci as i64), Value::Int(ui as i64), Value::Int(next), s.author.as_str().into(), s.time.as_str().into(), vals.into()],
            )?;
            Ok(())
        });
        entries?;
        let pair = self.entry_pair(election_id, ci, ui, next, n)?;
        match pair {
            None => Ok(Submitted::AwaitingSecondEntry),
            Some(((a1, r1), (a2, r2))) => {
                if r1 == r2 {
                    let author = format!("{a1}+{a2}");
                    self.accept(
                        election_id,
                        election,
                        tree,
                        ci,
                        ui,
                        next,
                        r1,
                        &author,
                        &s.time,
                        "double entry: two independent entries agree",
                        &findings,
                        signer,
                    )
                } else {
                    Ok(Submitted::Differences(differences(&contest, &a1, &r1, &a2, &r2)))
                }
            }
        }
    }

    /// The latest entries of the first two distinct authors in a round.
    #[allow(clippy::type_complexity)]
    fn entry_pair(
        &mut self,
        eid: &str,
        ci: usize,
        ui: usize,
        round: i64,
        n: usize,
    ) -> Result<Option<((String, Row), (String, Row))>, StoreError> {
        let rows = self.db.query(
            "SELECT author, vals FROM entries WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 AND round = ?4 ORDER BY id",
            &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64), Value::Int(round)],
        )?;
        let mut by_author: Vec<(String, Row)> = Vec::new();
        for r in &rows {
            let a = r[0].text()?.to_owned();
            let row = record::parse_vals(r[1].text()?, n).map_err(StoreError::Corrupt)?;
            match by_author.iter_mut().find(|(x, _)| *x == a) {
                Some(slot) => slot.1 = row,
                None => by_author.push((a, row)),
            }
        }
        if by_author.len() < 2 {
            return Ok(None);
        }
        let mut it = by_author.into_iter();
        match (it.next(), it.next()) {
            (Some(a), Some(b)) => Ok(Some((a, b))),
            _ => Ok(None),
        }
    }

    /// Field-by-field differences between the two entries awaiting resolution (empty when
    /// fewer than two entries are pending).
    pub fn differences(
        &mut self,
        election_id: &str,
        contest: &str,
        unit: &str,
    ) -> Result<Vec<Difference>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, contest, unit)?;
        let c = &election.contests()[ci];
        let n = ProtocolLine::COUNT + c.options().len();
        let next = self.latest_row(election_id, ci, ui, n)?.map_or(1, |l| l.0 + 1);
        Ok(match self.entry_pair(election_id, ci, ui, next, n)? {
            None => Vec::new(),
            Some(((a1, r1), (a2, r2))) => differences(c, &a1, &r1, &a2, &r2),
        })
    }

    /// A coordinator resolves two disagreeing entries: `choices` gives the value of every
    /// differing line; the agreed lines are kept. The result is checked and stored as the next
    /// version.
    pub fn resolve(
        &mut self,
        election_id: &str,
        s: &Submission,
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, &s.contest, &s.unit)?;
        let contest = election.contests()[ci].clone();
        let n = ProtocolLine::COUNT + contest.options().len();
        let next = self.latest_row(election_id, ci, ui, n)?.map_or(1, |l| l.0 + 1);
        let Some(((a1, r1), (a2, r2))) = self.entry_pair(election_id, ci, ui, next, n)? else {
            return Err(StoreError::Invalid(format!(
                "protocol (contest {}, unit {}) has no two entries awaiting resolution",
                s.contest, s.unit
            )));
        };
        let diffs = differences(&contest, &a1, &r1, &a2, &r2);
        let missing: Vec<&str> = diffs
            .iter()
            .filter(|d| !s.values.iter().any(|(l, _)| *l == d.line))
            .map(|d| d.line.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the entries differ on {}: give a value for each",
                missing.join(", ")
            )));
        }
        let row = Self::row_from_values(&contest, Some(r1), &s.values)?;
        let findings = self.check_row(election_id, election, tree, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        let reason = format!(
            "double entry resolved by {} between {a1} and {a2}{}",
            s.author,
            if s.reason.is_empty() { String::new() } else { format!(": {}", s.reason) }
        );
        self.accept(
            election_id,
            election,
            tree,
            ci,
            ui,
            next,
            row,
            &s.author,
            &s.time,
            &reason,
            &findings,
            signer,
        )
    }

    /// Corrects a protocol: a new version with the given lines changed (others kept), an
    /// author, a time and a reason. Never overwrites.
    pub fn correct(
        &mut self,
        election_id: &str,
        s: &Submission,
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        if s.reason.trim().is_empty() {
            return Err(StoreError::Invalid("a correction needs a reason".into()));
        }
        if s.author.trim().is_empty() {
            return Err(StoreError::Invalid("a correction needs an author".into()));
        }
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, &s.contest, &s.unit)?;
        let contest = election.contests()[ci].clone();
        let n = ProtocolLine::COUNT + contest.options().len();
        let Some((v, base)) = self.latest_row(election_id, ci, ui, n)? else {
            return Err(StoreError::Invalid(format!(
                "protocol (contest {}, unit {}) has no accepted version to correct; submit it first",
                s.contest, s.unit
            )));
        };
        let row = Self::row_from_values(&contest, Some(base), &s.values)?;
        let findings = self.check_row(election_id, election, tree, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        self.accept(
            election_id,
            election,
            tree,
            ci,
            ui,
            v + 1,
            row,
            &s.author,
            &s.time,
            &s.reason,
            &findings,
            signer,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn accept(
        &mut self,
        eid: &str,
        election: &Election,
        tree: &UnitTree,
        ci: usize,
        ui: usize,
        version: i64,
        row: Row,
        author: &str,
        at: &str,
        reason: &str,
        findings: &[CheckFinding],
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        let def_hash = self
            .db
            .query_one("SELECT definition_hash FROM elections WHERE id = ?1", &[eid.into()])?[0]
            .text()?
            .to_owned();
        let codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
        let nv = NewVersion {
            contest: ci,
            unit: ui,
            version,
            row,
            author: author.to_owned(),
            at: at.to_owned(),
            reason: reason.to_owned(),
            findings: codes.join(","),
        };
        let now = if at.is_empty() { now_utc() } else { at.to_owned() };
        self.write_tx(|db| {
            // The version number is re-checked under the lock.
            let cur = db.query_one(
                "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3",
                &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
            )?[0]
                .int()?;
            if cur + 1 != version {
                return Err(StoreError::Invalid(format!(
                    "the protocol changed meanwhile (now at version {cur}); review and submit again"
                )));
            }
            append_versions(db, eid, &def_hash, election, tree, vec![nv], signer, &now, None)
        })?;
        Ok(Submitted::Accepted { version, findings: findings.to_vec() })
    }

    fn latest(
        &mut self,
        eid: &str,
        election: &Election,
    ) -> Result<(Vec<ContestCounts>, usize), StoreError> {
        let rows = self.db.query(
            "SELECT contest_idx, unit_idx, version, vals FROM protocol_versions WHERE election_id = ?1",
            &[eid.into()],
        )?;
        let mut latest: HashMap<(usize, usize), (i64, &str)> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let key = (r[0].int()? as usize, r[1].int()? as usize);
            let v = r[2].int()?;
            let vals = r[3].text()?;
            let e = latest.entry(key).or_insert((v, vals));
            if v > e.0 {
                *e = (v, vals);
            }
        }
        let mut counts: Vec<ContestCounts> =
            election.contests().iter().map(ContestCounts::new).collect();
        for (&(c, u), &(_, vals)) in &latest {
            let contest = election.contests().get(c).ok_or_else(|| {
                StoreError::Corrupt(format!("a protocol version names contest #{c}"))
            })?;
            let row = record::parse_vals(vals, ProtocolLine::COUNT + contest.options().len())
                .map_err(StoreError::Corrupt)?;
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    counts[c]
                        .set(u, Line::from_column(col), *v)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                }
            }
        }
        Ok((counts, latest.len()))
    }

    /// The election with the latest accepted version of every protocol as counts, so the
    /// core's roll-up and outcome apply unchanged.
    pub fn totals(
        &mut self,
        election_id: &str,
    ) -> Result<(Election, UnitTree, Vec<ContestCounts>), StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (counts, _) = self.latest(election_id, election)?;
        Ok((election.clone(), tree.clone(), counts))
    }

    /// Reporting progress per contest.
    pub fn progress(&mut self, election_id: &str) -> Result<Vec<ContestProgress>, StoreError> {
        let (election, tree, counts) = self.totals(election_id)?;
        Ok(election
            .contests()
            .iter()
            .zip(&counts)
            .map(|(c, cc)| {
                let stations: Vec<UnitIdx> = tree
                    .subtree(c.territory())
                    .into_iter()
                    .filter(|&u| tree.children(u).is_empty())
                    .collect();
                let mut reported = 0;
                let mut registered = 0u64;
                for &s in &stations {
                    if let Some(r) = cc.row(s) {
                        reported += 1;
                        registered = registered
                            .saturating_add(r[ProtocolLine::Registered.column()].unwrap_or(0));
                    }
                }
                ContestProgress {
                    contest: c.id().to_string(),
                    stations_expected: stations.len() as u64,
                    stations_reported: reported,
                    registered_reported: registered,
                }
            })
            .collect())
    }

    /// Records a station's intraday turnout snapshot (voters who have voted by `hour`).
    pub fn record_turnout(
        &mut self,
        election_id: &str,
        unit: &str,
        hour: &str,
        voters: u64,
        author: &str,
        time: &str,
    ) -> Result<(), StoreError> {
        let def = self.cached_definition(election_id)?;
        let tree = &def.1;
        let ui = tree.index_of(unit).ok_or_else(|| {
            StoreError::Invalid(format!("unit \"{unit}\" is not in election {election_id}"))
        })?;
        if !tree.children(ui).is_empty() {
            return Err(StoreError::Invalid(format!(
                "unit \"{unit}\" is not a polling station; turnout snapshots are reported by stations and summed up the tree"
            )));
        }
        if !TURNOUT_HOURS.contains(&hour) {
            return Err(StoreError::Invalid(format!(
                "hour \"{hour}\" is not a snapshot hour ({})",
                TURNOUT_HOURS.join(", ")
            )));
        }
        let voters =
            i64::try_from(voters).map_err(|_| StoreError::Invalid("voters is too large".into()))?;
        let eid = election_id.to_owned();
        self.write_tx(|db| {
            let dup = db.query(
                "SELECT voters FROM turnout WHERE election_id = ?1 AND unit_idx = ?2 AND hour = ?3",
                &[eid.as_str().into(), Value::Int(ui as i64), hour.into()],
            )?;
            if !dup.is_empty() {
                return Err(StoreError::Invalid(format!("unit \"{unit}\" already reported its {hour} turnout")));
            }
            db.exec(
                "INSERT INTO turnout (election_id, unit_idx, hour, voters, author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[eid.as_str().into(), Value::Int(ui as i64), hour.into(), Value::Int(voters), author.into(), time.into()],
            )?;
            Ok(())
        })
    }

    /// Turnout snapshots summed up the tree: one row per (unit with data, hour), in tree order.
    pub fn turnout(&mut self, election_id: &str) -> Result<Vec<TurnoutRow>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let tree = &def.1;
        let rows = self.db.query(
            "SELECT unit_idx, hour, voters FROM turnout WHERE election_id = ?1",
            &[election_id.into()],
        )?;
        let h = TURNOUT_HOURS.len();
        let mut sums = vec![vec![(0u64, 0u64); h]; tree.len()];
        for r in &rows {
            let u = r[0].int()? as usize;
            let Some(hi) = TURNOUT_HOURS.iter().position(|x| *x == r[1].text().unwrap_or(""))
            else {
                continue;
            };
            if u >= tree.len() {
                return Err(StoreError::Corrupt(format!("a turnout snapshot names unit #{u}")));
            }
            let v = r[2].int()?.max(0) as u64;
            for a in tree.path(u) {
                sums[a][hi].0 = sums[a][hi].0.saturating_add(v);
                sums[a][hi].1 += 1;
            }
        }
        let mut out = Vec::new();
        for &u in tree.topological_order() {
            for (hi, &(v, n)) in sums[u].iter().enumerate() {
                if n > 0 {
                    out.push(TurnoutRow {
                        unit: tree.unit(u).id.to_string(),
                        hour: TURNOUT_HOURS[hi].to_owned(),
                        voters: v,
                        stations: n,
                    });
                }
            }
        }
        Ok(out)
    }

    fn raw_record(&mut self, election_id: &str) -> Result<RawRecord, StoreError> {
        load_raw(&mut self.db, election_id)
    }

    /// Certifies the current totals: the certified counts are the latest versions as of the
    /// current log, stamped with the SHA-256 of the canonical inputs. Stored, so verify
    /// recomputes it later.
    pub fn certify(&mut self, election_id: &str, time: &str) -> Result<Certification, StoreError> {
        let eid = election_id.to_owned();
        let time = if time.is_empty() { now_utc() } else { time.to_owned() };
        self.write_tx(|db| {
            let rec = load_raw(db, &eid)?;
            let leaves: HashMap<i64, merkle::Hash> = rec
                .versions
                .iter()
                .filter_map(|v| record::version_leaf(&rec, v).ok().map(|h| (v.id, h)))
                .collect();
            let (hash, csv, counts) =
                record::certification(&rec, rec.log.len(), &leaves).map_err(StoreError::Corrupt)?;
            let seq = rec.certifications.len() as i64 + 1;
            db.exec(
                "INSERT INTO certifications (election_id, seq, at, log_size, inputs_hash, totals_csv) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[eid.as_str().into(), Value::Int(seq), time.as_str().into(), Value::Int(rec.log.len() as i64), hash.as_str().into(), csv.as_str().into()],
            )?;
            Ok(Certification { seq, inputs_hash: hash, log_size: rec.log.len() as i64, counts, totals_csv: csv })
        })
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

fn progress_bar(show: bool, n: u64) -> Option<indicatif::ProgressBar> {
    if !show {
        return None;
    }
    let b =
        indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} protocols ({per_sec}, {eta} left)",
    ) {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_message("importing");
    Some(b)
}

fn differences(
    contest: &ashyq_core::election::Contest,
    a1: &str,
    r1: &Row,
    a2: &str,
    r2: &Row,
) -> Vec<Difference> {
    r1.iter()
        .zip(r2)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(col, (x, y))| Difference {
            line: line_name(contest, col),
            values: vec![(a1.to_owned(), *x), (a2.to_owned(), *y)],
        })
        .collect()
}

fn next_id(db: &mut Db, table: &str) -> Result<i64, StoreError> {
    Ok(db.query_one(&format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"), &[])?[0]
        .int()?
        + 1)
}

/// Inserts versions and their log entries, and signs a new tree head when a key is given.
/// Must run inside a write transaction. Returns (log size, signed).
#[allow(clippy::too_many_arguments)]
fn append_versions(
    db: &mut Db,
    eid: &str,
    def_hash: &str,
    election: &Election,
    tree: &UnitTree,
    versions: Vec<NewVersion>,
    signer: Option<&Signer>,
    now: &str,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<(u64, bool), StoreError> {
    let first_id = next_id(db, "protocol_versions")?;
    let first_seq = db.query_one(
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM log WHERE election_id = ?1",
        &[eid.into()],
    )?[0]
        .int()?
        + 1;
    let mut leaves = Vec::with_capacity(versions.len());
    let mut vrows = Vec::with_capacity(versions.len());
    let mut lrows = Vec::with_capacity(versions.len());
    for (k, v) in versions.iter().enumerate() {
        let contest = &election.contests()[v.contest];
        let bytes = record::version_bytes(
            eid,
            def_hash,
            contest.id().as_str(),
            tree.unit(v.unit).id.as_str(),
            v.version,
            &v.author,
            &v.at,
            &v.reason,
            &v.findings,
            &v.row,
        );
        let leaf = merkle::leaf_hash(&bytes);
        leaves.push(leaf);
        let id = first_id + k as i64;
        vrows.push(vec![
            Value::Int(id),
            eid.into(),
            Value::Int(v.contest as i64),
            Value::Int(v.unit as i64),
            Value::Int(v.version),
            record::format_vals(&v.row).into(),
            v.author.as_str().into(),
            v.at.as_str().into(),
            v.reason.as_str().into(),
            v.findings.as_str().into(),
        ]);
        lrows.push(vec![
            eid.into(),
            Value::Int(first_seq + k as i64),
            Value::Int(id),
            hex::encode(leaf).into(),
        ]);
    }
    db.insert_many(
        "INSERT INTO protocol_versions (id, election_id, contest_idx, unit_idx, version, vals, author, at, reason, findings)",
        10,
        vrows,
        |n| {
            if let Some(b) = bar {
                b.inc(n);
            }
        },
    )?;
    db.insert_many("INSERT INTO log (election_id, seq, version_id, leaf_hash)", 4, lrows, |_| {})?;
    let size = (first_seq - 1) as u64 + versions.len() as u64;
    let Some(signer) = signer else {
        return Ok((size, false));
    };
    let pk = signer.public_key_hex();
    let stored =
        db.query("SELECT public_key FROM record_keys WHERE election_id = ?1", &[eid.into()])?;
    match stored.first() {
        None => {
            db.exec(
                "INSERT INTO record_keys (election_id, public_key) VALUES (?1, ?2)",
                &[eid.into(), pk.as_str().into()],
            )?;
        }
        Some(r) if r[0].text()? == pk => {}
        Some(r) => {
            return Err(StoreError::Key(format!(
                "the key file's public key {pk} is not the record's key {} for election {eid}",
                r[0].text()?
            )))
        }
    }
    let mut all: Vec<merkle::Hash> = Vec::with_capacity(size as usize);
    if first_seq > 1 {
        for r in db.query(
            "SELECT leaf_hash FROM log WHERE election_id = ?1 AND seq < ?2 ORDER BY seq",
            &[eid.into(), Value::Int(first_seq)],
        )? {
            all.push(
                merkle::parse_hash(r[0].text()?).ok_or_else(|| {
                    StoreError::Corrupt("a log entry holds a malformed hash".into())
                })?,
            );
        }
    }
    all.extend(leaves);
    let root = merkle::root(&all);
    let sig = signer.sign_head(eid, size, &root);
    db.exec(
        "INSERT INTO tree_heads (election_id, size, root_hash, at, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[eid.into(), Value::Int(size as i64), hex::encode(root).into(), now.into(), sig.into()],
    )?;
    Ok((size, true))
}

/// The election as raw (unvalidated) info, the way it is stored in the tables.
fn contest_info(c: &ashyq_core::election::Contest, tree: &UnitTree) -> ContestInfo {
    let referendum = c.kind() == ContestKind::Referendum;
    ContestInfo {
        id: c.id().to_string(),
        kind: c.kind().name().to_owned(),
        name: (c.name() != c.id().as_str()).then(|| c.name().to_owned()),
        territory: tree.unit(c.territory()).id.to_string(),
        seats: c.seats().map(i64::from),
        constitutional: referendum.then(|| c.constitutional()),
        unit_test: if referendum { c.unit_test().map(|t| t.name().to_owned()) } else { None },
        round: (c.round() != 1).then(|| i64::from(c.round())),
        threshold_percent: c.threshold_percent().map(|(n, d)| decimal(n, d)),
        reported_units_in_favour: if referendum {
            c.reported_units_in_favour().map(i64::from)
        } else {
            None
        },
        options: c
            .options()
            .iter()
            .map(|o| OptionInfo {
                id: o.id.to_string(),
                name: o.name.clone(),
                registered: o.registered.map(i64::from),
                kind: (o.kind == OptionKind::AgainstAll).then(|| "against-all".to_owned()),
            })
            .collect(),
    }
}

fn decimal(n: u64, d: u64) -> String {
    if d <= 1 {
        return n.to_string();
    }
    let places = d.ilog10() as usize;
    format!("{}.{:0places$}", n / d, n % d)
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
