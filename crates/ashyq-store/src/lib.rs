//! The record in a database: every protocol of an election, every version of it, double
//! entries, turnout snapshots and certifications, and beside them observers' copies of
//! protocols, observers' turnout counts and the events of risk-limiting audits (which never feed
//! the official totals), stored in embedded SQLite or in PostgreSQL behind one interface. This is the only crate of Ashyq that knows SQL; what the record *is*
//! (canonical leaves, the Merkle log, checkpoints, the verification procedure) lives in the
//! record kernel, `ashyq-record`, which this crate stores and reads back.
//!
//! Law and design: protocol lines and checks follow the law digest §8 (via `ashyq_core::checks`);
//! double entry follows Abacus (peers.md); the log is RFC 9162's Merkle tree with C2SP signed
//! checkpoints (`ashyq_record`).
//!
//! Invariants:
//! - every write is one transaction, preceded by every check, so rejected input leaves the record
//!   exactly as it was; a crash mid-write leaves nothing of it;
//! - every stored fact is a leaf of its election's log, and every row is referenced by exactly
//!   one log entry; appending costs O(log n) (the frontier is stored with each write);
//! - a record that has a verifier key accepts writes only with that key, so every entry is
//!   covered by a signed checkpoint;
//! - the store takes the clock from its caller ([`Clock`]) and reports progress through a
//!   callback; it never prints.
#![deny(missing_docs)]

mod access;
mod append;
mod audit;
mod db;
mod error;
mod import;
mod log;
mod observe;
pub mod register;
mod rows;
mod schema;
mod submit;
mod tabulate;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::Election;
use ashyq_core::units::UnitTree;
use ashyq_record::certify::Definition;
use ashyq_record::verify::{Anchors, Verification};
use ashyq_record::Timestamp;
use sha2::{Digest, Sha256};

pub use crate::access::{IdempotencyKey, Role, TokenInfo};
pub use crate::audit::{AuditCommitted, AuditEvaluation, AuditInfo, AuditRound};
use crate::db::Db;
pub use crate::error::{BackendError, BackendErrorKind, StoreError};
pub use crate::log::{ConsistencyProof, InclusionProof, LogState, LoggedVersion};
pub use crate::observe::{
    Disputed, Observation, ObservationInput, Observed, ObservedTurnout, ObservedTurnoutInput,
    RecordComparison,
};
pub use ashyq_core::checks::PlausibilityLimits;
pub use ashyq_record::statement::ProtocolSignature;
pub use ashyq_record::verify::TURNOUT_HOURS;
pub use ashyq_record::Signer;

/// The default database URL.
pub const DEFAULT_URL: &str = "sqlite:./ashyq.db";

/// How far in the future a submission's time may lie (clock skew between the commission's
/// computer and the server).
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// The source of "now": the caller's clock.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The operating system's clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp::from_unix(secs).unwrap_or_else(|_| {
            Timestamp::parse("1970-01-01T00:00:00Z").expect("the epoch is a valid time")
        })
    })
}

/// A clock that always says `at` (for tests and reproducible runs).
pub fn fixed_clock(at: Timestamp) -> Clock {
    Arc::new(move || at.clone())
}

/// Whether [`Store::open`] may create a new record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the database (SQLite file or PostgreSQL tables) if it does not exist.
    Create,
    /// Open an existing record only; a missing SQLite file or an empty database is an error.
    Existing,
}

/// A failed check on a submitted protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFinding {
    /// Catalogue code (R2…R7, V1…V3, W1…W3, T1…).
    pub code: String,
    /// True for errors (block unless overridden), false for warnings (need acknowledgement).
    pub error: bool,
    /// The line the finding is about, when it is about one line.
    pub line: Option<String>,
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
    /// The log's origin (default `ashyq/ELECTION`): the first line of every checkpoint and the
    /// name of the verifier key.
    pub origin: Option<String>,
}

/// What an import stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    /// Election id.
    pub election: String,
    /// Protocols stored (each as version 1).
    pub protocols: u64,
    /// Imported protocols that fail checks (recorded as given, flagged in their findings).
    pub protocols_with_findings: u64,
    /// Log size after the import.
    pub log_size: u64,
    /// The signed checkpoint, when a key was given.
    pub checkpoint: Option<String>,
}

/// A protocol submitted by a person.
#[derive(Clone, Debug, Default)]
pub struct Submission {
    /// Contest id.
    pub contest: String,
    /// Unit id (a polling station, or a territorial commission for a summary protocol).
    pub unit: String,
    /// Line name (protocol line or option id) → value. A submission carries every line its
    /// contest requires; a correction, the lines it changes (the others keep their value).
    pub values: Vec<(String, u64)>,
    /// Who entered it.
    pub author: String,
    /// When it was entered: RFC 3339, not in the future (beyond [`MAX_CLOCK_SKEW_SECONDS`]).
    pub time: String,
    /// Why (required for corrections).
    pub reason: String,
    /// Accept despite errors (an explicit override, recorded with the version).
    pub override_errors: bool,
    /// Acknowledge warnings (recorded with the version).
    pub acknowledge_warnings: bool,
    /// Makes a retried submission safe: the first acceptance under this key is recorded with
    /// its receipt in the same transaction, and a retry gets that receipt back.
    pub idempotency: Option<IdempotencyKey>,
    /// The commission's own Ed25519 signature of the version this submission creates: over
    /// [`ashyq_record::statement::protocol_statement`] of every line of that version (for a
    /// correction, the corrected protocol as a whole, not only the changed lines). Checked
    /// before anything is written and kept in the version's leaf. Not accepted under double
    /// entry, where the version is made by two keyings, not by one signed document.
    pub signature: Option<ProtocolSignature>,
}

/// One field on which two entries disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Line name.
    pub line: String,
    /// (author, value) of each entry; `None` = line left empty.
    pub values: Vec<(String, Option<u64>)>,
}

/// Where an accepted fact sits in the log: what a submitter keeps as proof of acceptance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// 0-based index of the leaf in the election's log.
    pub log_index: u64,
    /// The leaf hash, hex.
    pub leaf_hash: String,
    /// The log size after the write.
    pub tree_size: u64,
    /// The signed checkpoint covering it (when the write was signed).
    pub checkpoint: Option<String>,
    /// True when this is the receipt of an earlier acceptance, returned to a retry that carried
    /// the same idempotency key.
    pub replayed: bool,
}

/// Result of a submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submitted {
    /// Stored as this version; the warnings acknowledged or errors overridden are listed.
    Accepted {
        /// Version number.
        version: u64,
        /// Acknowledged findings.
        findings: Vec<CheckFinding>,
        /// Where it is in the log.
        receipt: Receipt,
    },
    /// Double entry: stored as an entry; a second, independent entry is needed.
    AwaitingSecondEntry,
    /// Double entry: two entries disagree; a coordinator must resolve.
    Differences(Vec<Difference>),
}

/// One version in a protocol's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolVersion {
    /// Version number (1 = first).
    pub version: u64,
    /// Author.
    pub author: String,
    /// Time.
    pub time: String,
    /// Reason.
    pub reason: String,
    /// Codes of acknowledged or overridden findings.
    pub findings: Vec<String>,
    /// (line, value) for every present line, in column order.
    pub values: Vec<(String, u64)>,
    /// 0-based index of its leaf in the log.
    pub log_index: u64,
    /// The commission's own signature of this version, when it signed it (checked on entry and
    /// by `verify`).
    pub signature: Option<ProtocolSignature>,
}

/// Reporting progress of one contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestProgress {
    /// Contest id.
    pub contest: String,
    /// Protocols the contest expects at the level the record reports: the polling stations of
    /// its territory, or, where a unit reported a protocol for its whole subtree and nothing
    /// below it reported, that unit.
    pub expected: u64,
    /// Of those, protocols accepted.
    pub reported: u64,
    /// Registered voters on the reported protocols.
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
    pub seq: u64,
    /// When.
    pub at: String,
    /// SHA-256 over the canonical inputs (definition + every counted version's hash).
    pub inputs_hash: String,
    /// Log entries covered.
    pub log_size: u64,
    /// The counts certified (latest versions as of `log_size`).
    pub counts: Vec<ContestCounts>,
    /// Root totals per contest as CSV `contest,unit,line,value`.
    pub totals_csv: String,
    /// Where the certification itself sits in the log.
    pub receipt: Receipt,
}

/// A row as tamper tests see it: table, column names, values as SQL literals.
#[doc(hidden)]
pub type RawRow = (String, Vec<String>, Vec<String>);

/// The store: one open database.
pub struct Store {
    db: Db,
    clock: Clock,
    signer: Option<Arc<Signer>>,
    limits: PlausibilityLimits,
    /// Definitions already read back: they never change once imported (the record is insert
    /// only), so each is read and validated once per `Store`. `verify` never uses this cache.
    definitions: HashMap<String, Arc<Definition>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.db.is_postgres() { "Store(postgres)" } else { "Store(sqlite)" })
    }
}

impl Store {
    /// Opens a record: `sqlite:PATH` (relative or absolute) or `postgres://user@host:port/db`.
    /// [`OpenMode::Create`] creates it (and applies pending migrations); [`OpenMode::Existing`]
    /// refuses to create anything, so a command that only reads never leaves a database behind.
    pub fn open(url: &str, mode: OpenMode, clock: Clock) -> Result<Store, StoreError> {
        let db = db::connect(url, mode)?;
        let mut store = Store {
            db,
            clock,
            signer: None,
            limits: PlausibilityLimits::default(),
            definitions: HashMap::new(),
        };
        let now = (store.clock)();
        match mode {
            OpenMode::Create => schema::migrate(&mut store.db, now.as_str())?,
            OpenMode::Existing => schema::check_current(&mut store.db, url, now.as_str())?,
        }
        Ok(store)
    }

    /// Signs every later write with this key (a checkpoint per write transaction).
    pub fn set_signer(&mut self, signer: Option<Arc<Signer>>) {
        self.signer = signer;
    }

    /// Sets the plausibility limits used on submission.
    pub fn set_limits(&mut self, limits: PlausibilityLimits) {
        self.limits = limits;
    }

    /// Now, by the caller's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The highest applied schema migration.
    pub fn schema_version(&mut self) -> Result<i64, StoreError> {
        schema::version(&mut self.db)
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
            Some(n) => Err(StoreError::NotFound(format!(
                "election \"{}\" is not in the record (it holds: {})",
                ashyq_record::quote(n),
                if all.is_empty() { "nothing".to_owned() } else { all.join(", ") }
            ))),
            None => match all.len() {
                1 => Ok(all[0].clone()),
                0 => Err(StoreError::NotFound(
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
            self.db
                .batch("BEGIN ISOLATION LEVEL SERIALIZABLE; LOCK TABLE log IN EXCLUSIVE MODE")?;
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
        Ok((def.election.clone(), def.tree.clone()))
    }

    /// The validated definition, read from the database the first time only.
    fn cached_definition(&mut self, election_id: &str) -> Result<Arc<Definition>, StoreError> {
        if let Some(def) = self.definitions.get(election_id) {
            return Ok(Arc::clone(def));
        }
        let (leaf, problems) = rows::definition_leaf(&mut self.db, election_id)?;
        if let Some(p) = problems.first() {
            return Err(StoreError::corrupt(
                p,
                format!("the definition of election {election_id}"),
            ));
        }
        let def = Definition::new(leaf).map_err(|p| {
            StoreError::corrupt(p.join("; "), format!("the definition of election {election_id}"))
        })?;
        let def = Arc::new(def);
        self.definitions.insert(election_id.to_owned(), Arc::clone(&def));
        Ok(def)
    }

    /// Recomputes every leaf, hash, checkpoint, frontier and certified total of every election
    /// (or of the one named) from the raw rows, trusting only `anchors`.
    pub fn verify(
        &mut self,
        election: Option<&str>,
        anchors: &Anchors,
    ) -> Result<Vec<(String, Verification)>, StoreError> {
        let ids = match election {
            Some(e) => vec![self.election_id(Some(e))?],
            None => self.elections()?,
        };
        let mut out = Vec::new();
        for e in ids {
            match rows::record_input(&mut self.db, &e) {
                Ok((input, extra)) => {
                    let mut v = ashyq_record::verify::verify(&input, anchors);
                    v.problems.splice(0..0, extra);
                    out.push((e, v));
                }
                Err(err @ StoreError::Corrupt { .. }) => {
                    let problems = vec![format!("election {e}: cannot be read back: {err}")];
                    out.push((
                        e,
                        Verification {
                            problems,
                            anchored: anchors.key.is_some(),
                            ..Verification::default()
                        },
                    ));
                }
                Err(other) => return Err(other),
            }
        }
        if election.is_none() {
            let orphans = rows::orphans(&mut self.db)?;
            if !orphans.is_empty() {
                out.push((
                    String::new(),
                    Verification {
                        problems: orphans,
                        anchored: anchors.key.is_some(),
                        ..Verification::default()
                    },
                ));
            }
        }
        Ok(out)
    }

    /// Writes a self-contained record folder for one election.
    pub fn export(&mut self, election_id: &str, dir: &Path) -> Result<(), StoreError> {
        let def = self.cached_definition(election_id)?;
        let (input, extra) = rows::record_input(&mut self.db, election_id)?;
        if let Some(p) = extra.first() {
            return Err(StoreError::corrupt(p, format!("the record of election {election_id}")));
        }
        let leaves: Vec<ashyq_record::Leaf> = input
            .leaves
            .into_iter()
            .enumerate()
            .map(|(i, l)| l.map_err(|e| StoreError::corrupt(e, format!("log entry {}", i + 1))))
            .collect::<Result<_, _>>()?;
        let checkpoints: Vec<(u64, String)> =
            input.checkpoints.into_iter().map(|(s, n)| (s.max(0) as u64, n)).collect();
        ashyq_record::folder::write(dir, &def, &leaves, &checkpoints, input.stored_key.as_deref())
            .map_err(|e| StoreError::Io(e.to_string()))
    }

    /// SHA-256 over every row of every table, in a fixed order: equal digests mean equal
    /// records (used to prove that rejected input changed nothing).
    pub fn content_digest(&mut self) -> Result<String, StoreError> {
        let mut h = Sha256::new();
        for (t, order) in schema::TABLES.iter().chain(&schema::ACCESS_TABLES) {
            let rows = self.db.query(&format!("SELECT * FROM {t} ORDER BY {order}"), &[])?;
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

    /// Every (table, column names, values as SQL literals) of the record, for tamper tests.
    #[doc(hidden)]
    pub fn raw_rows(&mut self) -> Result<Vec<RawRow>, StoreError> {
        let mut out = Vec::new();
        for (t, order) in schema::TABLES {
            let cols = self.db.columns(t)?;
            for r in self.db.query(&format!("SELECT * FROM {t} ORDER BY {order}"), &[])? {
                out.push((t.to_owned(), cols.clone(), r.iter().map(db::Value::literal).collect()));
            }
        }
        Ok(out)
    }
}

/// Test support: isolated PostgreSQL schemas, so parallel tests do not collide.
#[doc(hidden)]
pub mod testing {
    use crate::StoreError;

    /// Creates a fresh schema `t_<random>` on the server of `base_url` and returns (schema,
    /// URL whose connections use it as search_path).
    pub fn pg_fresh_schema(base_url: &str) -> Result<(String, String), StoreError> {
        let mut rnd = [0u8; 8];
        getrandom::getrandom(&mut rnd).map_err(|e| StoreError::Io(e.to_string()))?;
        let schema = format!("t_{}", hex::encode(rnd));
        let url = pg_schema(base_url, &schema)?;
        Ok((schema, url))
    }

    /// Creates schema `schema` on the server of `base_url` and returns the URL whose
    /// connections use it as search_path.
    pub fn pg_schema(base_url: &str, schema: &str) -> Result<String, StoreError> {
        let mut c = postgres::Client::connect(base_url, postgres::NoTls)
            .map_err(|e| StoreError::Io(format!("{base_url} is unreachable: {e}")))?;
        c.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .map_err(|e| StoreError::Io(e.to_string()))?;
        let sep = if base_url.contains('?') { '&' } else { '?' };
        Ok(format!("{base_url}{sep}options=-c%20search_path%3D{schema}"))
    }

    /// A test's own PostgreSQL schema, dropped when the guard is.
    pub struct PgSchema {
        base: String,
        schema: String,
    }

    impl Drop for PgSchema {
        fn drop(&mut self) {
            pg_drop_schema(&self.base, &self.schema);
        }
    }

    /// The server of `ASHYQ_TEST_POSTGRES` in a fresh schema: the guard and the URL. `None`
    /// (with a note on stderr) when the variable is unset; a panic when `CI` is set too, because
    /// the PostgreSQL tests must run in CI.
    pub fn pg_test_schema() -> Option<(PgSchema, String)> {
        let Ok(base) = std::env::var("ASHYQ_TEST_POSTGRES") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but ASHYQ_TEST_POSTGRES is not: the PostgreSQL tests must run in CI"
            );
            eprintln!("skipped: ASHYQ_TEST_POSTGRES not set");
            return None;
        };
        let (schema, url) = pg_fresh_schema(&base).expect("a fresh PostgreSQL schema");
        Some((PgSchema { base, schema }, url))
    }

    /// Drops a schema made by [`pg_fresh_schema`].
    pub fn pg_drop_schema(base_url: &str, schema: &str) {
        if let Ok(mut c) = postgres::Client::connect(base_url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}
