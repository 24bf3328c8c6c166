//! The canonical forms of everything the record holds. Every stored fact is one leaf of the
//! election's Merkle log, in the order it was accepted:
//!
//! | leaf | holds |
//! |---|---|
//! | `definition` (always leaf 0) | election, contests, options, units, origin, double-entry setting, import time |
//! | `protocol` | one accepted version of a protocol: values, author, time, reason, acknowledged findings, the commission's own signature when it signed |
//! | `entry` | one keying of a protocol under double entry (before two keyings agree) |
//! | `turnout` | a station's intraday turnout snapshot |
//! | `certification` | certified totals, the hash of their inputs, the time |
//! | `observation` | an observer's copy of one protocol: observer, version, lines, optional photo hash |
//! | `observed_turnout` | an observer's own count of the voters at a station by a time of day |
//! | `audit` | one event of a risk-limiting audit: bundle committed, seed, round drawn, hand count, closed |
//!
//! Observations and observed turnout are kept beside the official facts and never mixed into
//! them: totals, certifications and outcomes read `protocol` leaves only. An `observation` is
//! versioned per (observer, contest, unit): a later copy from the same observer is a new version
//! with a reason, never an overwrite. Its keys, in order: `election`, `contest`, `unit`,
//! `observer` (the organisation holding the copy), `version`, `author` (who entered it), `at`,
//! `reason` (empty for version 1), `photo_sha256` (optional: 64 lowercase hex digits of the
//! photo of the signed copy), `findings` (codes of the protocol checks the copy fails: a copy is
//! recorded as held), `lines`. An `observed_turnout`: `election`, `unit` (a polling station),
//! `hour` (`HH:MM`, local time of day), `voters`, `observer`, `author`, `at`.
//!
//! A `protocol` leaf's keys, in order: `election`, `contest`, `unit`, `version`, `author`, `at`,
//! `reason`, `findings`, `lines`, and — only when the commission signed the protocol with its
//! own key — `signature`: `{"key": base64 Ed25519 public key, "signature": base64 signature}`
//! over the protocol's statement ([`crate::statement`]), which `verify` checks from the leaf.
//!
//! An `audit` leaf has `election`, `audit` (1, 2, … within the election), `event`, `author`,
//! `at`, then the event's own keys:
//! - `committed`: `contest`, `method` (`macro`), `risk_limit_percent` (decimal text),
//!   `first_round_draws`, `checkpoint` (the text of the record's checkpoint the bundle commits
//!   to), `files` (`{name: SHA-256}` of the five bundle files in commitment order) and `digest`
//!   (the SHA-256 of `commitment.txt`, published before the seed);
//! - `seed`: `seed` (the public seed, as drawn);
//! - `drawn`: `round` (1, 2, …) and `draws` (how many draws this round adds);
//! - `hand_count`: `unit` (a drawn station) and `lines` (its hand-counted protocol);
//! - `closed`: `risk` (the measured risk, as Rust prints the `f64`) and `result` (`confirmed` or
//!   `full_hand_count`).
//!
//! A leaf's bytes are one line of JSON, an object whose keys come in the fixed order written
//! here (never sorted, never re-ordered), optional keys left out when absent, integers as
//! integers, strings escaped as `serde_json` escapes them. The leaf hash is RFC 9162's
//! `SHA-256(0x00 ‖ bytes)`. These forms are pinned by golden-hash tests (`tests/golden.rs`):
//! changing a single byte of them would make every existing record unverifiable, so a new field
//! is only ever added as an optional key that is left out when absent.

use ashyq_core::election::{ContestInfo, ElectionInfo, NameInfo, OptionInfo};
use ashyq_core::units::UnitInfo;
use serde_json::Value;

use crate::merkle::{leaf_hash, Hash};
use crate::statement::ProtocolSignature;

/// The `format` of definition leaves written by this version.
pub const RECORD_FORMAT: u64 = 2;

/// One fact of the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// The election's definition (leaf 0).
    Definition(DefinitionLeaf),
    /// An accepted protocol version.
    Protocol(ProtocolLeaf),
    /// A double-entry keying.
    Entry(EntryLeaf),
    /// An intraday turnout snapshot.
    Turnout(TurnoutLeaf),
    /// A certification.
    Certification(CertificationLeaf),
    /// An observer's copy of a protocol.
    Observation(ObservationLeaf),
    /// An observer's own count of voters at a station by a time of day.
    ObservedTurnout(ObservedTurnoutLeaf),
    /// An event of a risk-limiting audit.
    Audit(AuditLeaf),
}

/// The election's definition and the record's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionLeaf {
    /// Election header, contests and options, exactly as stored.
    pub election: ElectionInfo,
    /// Units in record order (parents by id, empty for a root).
    pub units: Vec<UnitInfo>,
    /// The log's origin: the first line of every checkpoint and the name of the verifier key.
    pub origin: String,
    /// Whether protocols need two independent entries.
    pub double_entry: bool,
    /// When the election was imported (RFC 3339, UTC).
    pub imported_at: String,
}

/// One accepted version of one protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolLeaf {
    /// Election id.
    pub election: String,
    /// Contest id.
    pub contest: String,
    /// Unit id.
    pub unit: String,
    /// Version number, 1 for the first.
    pub version: u64,
    /// Who entered it (for a double entry: both entrants).
    pub author: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why (entered, imported, the correction's reason …).
    pub reason: String,
    /// Codes of the findings acknowledged or overridden when it was accepted.
    pub findings: Vec<String>,
    /// (line, value) of every present line, in the contest's line order.
    pub lines: Vec<(String, u64)>,
    /// The commission's own Ed25519 signature of these lines
    /// ([`crate::statement::protocol_statement`]), when it signed them.
    pub signature: Option<ProtocolSignature>,
}

/// One keying of a protocol under double entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryLeaf {
    /// Election id.
    pub election: String,
    /// Contest id.
    pub contest: String,
    /// Unit id.
    pub unit: String,
    /// The version this keying aims to create.
    pub round: u64,
    /// Who keyed it.
    pub author: String,
    /// When.
    pub at: String,
    /// The correction's reason (empty for a first entry).
    pub reason: String,
    /// (line, value) of every present line.
    pub lines: Vec<(String, u64)>,
}

/// A polling station's intraday turnout snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnoutLeaf {
    /// Election id.
    pub election: String,
    /// The polling station.
    pub unit: String,
    /// Snapshot hour (`10:00` …).
    pub hour: String,
    /// Voters who had voted by then.
    pub voters: u64,
    /// Who reported it.
    pub author: String,
    /// When.
    pub at: String,
    /// Codes of the turnout checks it raised (decreasing, above registered …).
    pub findings: Vec<String>,
}

/// A certification of the totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificationLeaf {
    /// Election id.
    pub election: String,
    /// 1, 2, … within the election.
    pub seq: u64,
    /// When.
    pub at: String,
    /// Log entries covered (the certified counts are the latest protocol versions among them).
    pub log_size: u64,
    /// SHA-256 of the certification inputs (see [`crate::certify::inputs_hash`]), hex.
    pub inputs_hash: String,
    /// Certified root totals as CSV `contest,unit,line,value`.
    pub totals: String,
}

/// An observer's copy of one protocol (kept beside the official versions, never mixed in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservationLeaf {
    /// Election id.
    pub election: String,
    /// Contest id.
    pub contest: String,
    /// Unit id (the polling station, or the commission of a summary protocol).
    pub unit: String,
    /// The observer (organisation) holding the copy; versions count per observer.
    pub observer: String,
    /// Version number per (observer, contest, unit), 1 for the first copy.
    pub version: u64,
    /// Who entered it.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why a later copy supersedes the earlier one (empty for version 1).
    pub reason: String,
    /// SHA-256 of the photo of the signed copy (64 lowercase hex digits), when given.
    pub photo_sha256: Option<String>,
    /// Codes of the protocol checks the copy fails (recorded as held, not blocking).
    pub findings: Vec<String>,
    /// (line, value) of every line on the copy, in the contest's line order.
    pub lines: Vec<(String, u64)>,
}

/// An observer's own count of the voters who had voted at a station by a time of day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedTurnoutLeaf {
    /// Election id.
    pub election: String,
    /// The polling station.
    pub unit: String,
    /// Time of day, `HH:MM` (local time on election day).
    pub hour: String,
    /// Voters counted by then.
    pub voters: u64,
    /// The observer (organisation).
    pub observer: String,
    /// Who entered it.
    pub author: String,
    /// When it was entered (RFC 3339, UTC).
    pub at: String,
}

/// One event of a risk-limiting audit kept in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLeaf {
    /// Election id.
    pub election: String,
    /// The audit's number within the election (1, 2, …).
    pub audit: u64,
    /// Who entered the event.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// What happened.
    pub event: AuditEvent,
}

/// What happened in an audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditEvent {
    /// The commitment bundle, before the seed.
    Committed(AuditCommitment),
    /// The public seed was entered.
    Seed {
        /// The seed, as drawn in public.
        seed: String,
    },
    /// A round of draws.
    Drawn {
        /// 1, 2, ….
        round: u64,
        /// Draws this round adds (draws are numbered on from the earlier rounds').
        draws: u64,
    },
    /// The hand count of a drawn station.
    HandCount {
        /// The station.
        unit: String,
        /// (line, value) of its hand-counted protocol, in the contest's line order.
        lines: Vec<(String, u64)>,
    },
    /// The audit closed.
    Closed {
        /// The measured risk (as Rust prints the `f64`).
        risk: String,
        /// `confirmed` or `full_hand_count`.
        result: String,
    },
}

/// The commitment of an audit, published before the seed is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCommitment {
    /// The audited contest.
    pub contest: String,
    /// The method (`macro`).
    pub method: String,
    /// Risk limit in percent, as decimal text.
    pub risk_limit_percent: String,
    /// Draws of the first round (the estimate committed to; rounds record what was drawn).
    pub first_round_draws: u64,
    /// The text of the record's checkpoint the bundle commits to.
    pub checkpoint: String,
    /// (file name, SHA-256) of the five bundle files, in commitment order.
    pub files: Vec<(String, String)>,
    /// SHA-256 of `commitment.txt`: the digest published before the seed.
    pub digest: String,
}

impl AuditEvent {
    /// `committed`, `seed`, `drawn`, `hand_count`, `closed`.
    pub fn name(&self) -> &'static str {
        match self {
            AuditEvent::Committed(_) => "committed",
            AuditEvent::Seed { .. } => "seed",
            AuditEvent::Drawn { .. } => "drawn",
            AuditEvent::HandCount { .. } => "hand_count",
            AuditEvent::Closed { .. } => "closed",
        }
    }
}

/// A canonical JSON object writer: keys in the order written.
struct Obj(String);

impl Obj {
    fn new() -> Obj {
        Obj(String::from("{"))
    }
    fn key(&mut self, k: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push_str(&json_str(k));
        self.0.push(':');
    }
    fn str(mut self, k: &str, v: &str) -> Obj {
        self.key(k);
        self.0.push_str(&json_str(v));
        self
    }
    fn opt_str(self, k: &str, v: Option<&str>) -> Obj {
        match v {
            Some(v) => self.str(k, v),
            None => self,
        }
    }
    fn int(mut self, k: &str, v: i128) -> Obj {
        self.key(k);
        self.0.push_str(&v.to_string());
        self
    }
    fn opt_int(self, k: &str, v: Option<i64>) -> Obj {
        match v {
            Some(v) => self.int(k, i128::from(v)),
            None => self,
        }
    }
    fn bool(mut self, k: &str, v: bool) -> Obj {
        self.key(k);
        self.0.push_str(if v { "true" } else { "false" });
        self
    }
    fn opt_raw(self, k: &str, json: Option<String>) -> Obj {
        match json {
            Some(j) => self.raw(k, &j),
            None => self,
        }
    }
    fn raw(mut self, k: &str, json: &str) -> Obj {
        self.key(k);
        self.0.push_str(json);
        self
    }
    fn done(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn str_list(v: &[String]) -> String {
    format!("[{}]", v.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(","))
}

fn str_obj(pairs: &[(String, String)]) -> String {
    let mut o = Obj::new();
    for (k, v) in pairs {
        o = o.str(k, v);
    }
    o.done()
}

fn signature_obj(s: &ProtocolSignature) -> String {
    Obj::new().str("key", &s.key).str("signature", &s.signature).done()
}

fn lines_obj(lines: &[(String, u64)]) -> String {
    let mut o = Obj::new();
    for (k, v) in lines {
        o = o.int(k, i128::from(*v));
    }
    o.done()
}

/// Translated names as `[[kind, id, lang, name], …]`, or nothing when there are none (so that
/// definitions without translations keep their bytes).
fn names_json(names: &[NameInfo]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let rows: Vec<String> = names
        .iter()
        .map(|n| {
            let NameInfo { kind, id, lang, name } = n;
            format!("[{},{},{},{}]", json_str(kind), json_str(id), json_str(lang), json_str(name))
        })
        .collect();
    Some(format!("[{}]", rows.join(",")))
}

fn option_json(o: &OptionInfo) -> String {
    // Every field is named, so that adding one to OptionInfo fails to compile here until the
    // canonical form says how it is written.
    let OptionInfo { id, name, registered, kind, list_length } = o;
    Obj::new()
        .str("id", id)
        .str("name", name)
        .opt_int("registered", *registered)
        .opt_str("kind", kind.as_deref())
        .opt_int("list_length", *list_length)
        .done()
}

fn contest_json(c: &ContestInfo) -> String {
    let ContestInfo {
        id,
        kind,
        name,
        territory,
        seats,
        constitutional,
        unit_test,
        round,
        threshold_percent,
        reported_units_in_favour,
        options,
        body,
    } = c;
    let mut o = Obj::new()
        .str("id", id)
        .str("kind", kind)
        .opt_str("name", name.as_deref())
        .str("territory", territory)
        .opt_int("seats", *seats);
    if let Some(b) = constitutional {
        o = o.bool("constitutional", *b);
    }
    o.opt_str("unit_test", unit_test.as_deref())
        .opt_int("round", *round)
        .opt_str("threshold_percent", threshold_percent.as_deref())
        .opt_int("reported_units_in_favour", *reported_units_in_favour)
        .opt_str("body", body.as_deref())
        .raw(
            "options",
            &format!("[{}]", options.iter().map(option_json).collect::<Vec<_>>().join(",")),
        )
        .done()
}

impl Leaf {
    /// The kind's name: `definition`, `protocol`, `entry`, `turnout`, `certification`,
    /// `observation`, `observed_turnout`, `audit`.
    pub fn kind(&self) -> &'static str {
        match self {
            Leaf::Definition(_) => "definition",
            Leaf::Protocol(_) => "protocol",
            Leaf::Entry(_) => "entry",
            Leaf::Turnout(_) => "turnout",
            Leaf::Certification(_) => "certification",
            Leaf::Observation(_) => "observation",
            Leaf::ObservedTurnout(_) => "observed_turnout",
            Leaf::Audit(_) => "audit",
        }
    }

    /// The canonical bytes (one line of JSON, no newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let s = match self {
            Leaf::Definition(d) => {
                let ElectionInfo { id, name, date, rules, contests, names } = &d.election;
                let units: Vec<String> = d
                    .units
                    .iter()
                    .map(|u| {
                        let UnitInfo { id, parent, kind, name } = u;
                        format!(
                            "[{},{},{},{}]",
                            json_str(id),
                            json_str(parent),
                            json_str(kind),
                            json_str(name)
                        )
                    })
                    .collect();
                Obj::new()
                    .str("leaf", "ashyq/definition")
                    .int("format", i128::from(RECORD_FORMAT))
                    .str("election", id)
                    .str("name", name)
                    .str("date", date)
                    .str("rules", rules)
                    .str("origin", &d.origin)
                    .bool("double_entry", d.double_entry)
                    .str("imported_at", &d.imported_at)
                    .raw("units", &format!("[{}]", units.join(",")))
                    .raw(
                        "contests",
                        &format!(
                            "[{}]",
                            contests.iter().map(contest_json).collect::<Vec<_>>().join(",")
                        ),
                    )
                    .opt_raw("names", names_json(names))
                    .done()
            }
            Leaf::Protocol(p) => Obj::new()
                .str("leaf", "ashyq/protocol")
                .str("election", &p.election)
                .str("contest", &p.contest)
                .str("unit", &p.unit)
                .int("version", i128::from(p.version))
                .str("author", &p.author)
                .str("at", &p.at)
                .str("reason", &p.reason)
                .raw("findings", &str_list(&p.findings))
                .raw("lines", &lines_obj(&p.lines))
                .opt_raw("signature", p.signature.as_ref().map(signature_obj))
                .done(),
            Leaf::Entry(e) => Obj::new()
                .str("leaf", "ashyq/entry")
                .str("election", &e.election)
                .str("contest", &e.contest)
                .str("unit", &e.unit)
                .int("round", i128::from(e.round))
                .str("author", &e.author)
                .str("at", &e.at)
                .str("reason", &e.reason)
                .raw("lines", &lines_obj(&e.lines))
                .done(),
            Leaf::Turnout(t) => Obj::new()
                .str("leaf", "ashyq/turnout")
                .str("election", &t.election)
                .str("unit", &t.unit)
                .str("hour", &t.hour)
                .int("voters", i128::from(t.voters))
                .str("author", &t.author)
                .str("at", &t.at)
                .raw("findings", &str_list(&t.findings))
                .done(),
            Leaf::Certification(c) => Obj::new()
                .str("leaf", "ashyq/certification")
                .str("election", &c.election)
                .int("seq", i128::from(c.seq))
                .str("at", &c.at)
                .int("log_size", i128::from(c.log_size))
                .str("inputs_hash", &c.inputs_hash)
                .str("totals", &c.totals)
                .done(),
            Leaf::Observation(o) => Obj::new()
                .str("leaf", "ashyq/observation")
                .str("election", &o.election)
                .str("contest", &o.contest)
                .str("unit", &o.unit)
                .str("observer", &o.observer)
                .int("version", i128::from(o.version))
                .str("author", &o.author)
                .str("at", &o.at)
                .str("reason", &o.reason)
                .opt_str("photo_sha256", o.photo_sha256.as_deref())
                .raw("findings", &str_list(&o.findings))
                .raw("lines", &lines_obj(&o.lines))
                .done(),
            Leaf::ObservedTurnout(t) => Obj::new()
                .str("leaf", "ashyq/observed_turnout")
                .str("election", &t.election)
                .str("unit", &t.unit)
                .str("hour", &t.hour)
                .int("voters", i128::from(t.voters))
                .str("observer", &t.observer)
                .str("author", &t.author)
                .str("at", &t.at)
                .done(),
            Leaf::Audit(a) => {
                let o = Obj::new()
                    .str("leaf", "ashyq/audit")
                    .str("election", &a.election)
                    .int("audit", i128::from(a.audit))
                    .str("event", a.event.name())
                    .str("author", &a.author)
                    .str("at", &a.at);
                match &a.event {
                    AuditEvent::Committed(c) => o
                        .str("contest", &c.contest)
                        .str("method", &c.method)
                        .str("risk_limit_percent", &c.risk_limit_percent)
                        .int("first_round_draws", i128::from(c.first_round_draws))
                        .str("checkpoint", &c.checkpoint)
                        .raw("files", &str_obj(&c.files))
                        .str("digest", &c.digest),
                    AuditEvent::Seed { seed } => o.str("seed", seed),
                    AuditEvent::Drawn { round, draws } => {
                        o.int("round", i128::from(*round)).int("draws", i128::from(*draws))
                    }
                    AuditEvent::HandCount { unit, lines } => {
                        o.str("unit", unit).raw("lines", &lines_obj(lines))
                    }
                    AuditEvent::Closed { risk, result } => {
                        o.str("risk", risk).str("result", result)
                    }
                }
                .done()
            }
        };
        s.into_bytes()
    }

    /// The RFC 9162 leaf hash of the canonical bytes.
    pub fn hash(&self) -> Hash {
        leaf_hash(&self.to_bytes())
    }

    /// The election the leaf belongs to.
    pub fn election(&self) -> &str {
        match self {
            Leaf::Definition(d) => &d.election.id,
            Leaf::Protocol(p) => &p.election,
            Leaf::Entry(e) => &e.election,
            Leaf::Turnout(t) => &t.election,
            Leaf::Certification(c) => &c.election,
            Leaf::Observation(o) => &o.election,
            Leaf::ObservedTurnout(t) => &t.election,
            Leaf::Audit(a) => &a.election,
        }
    }

    /// A short description for messages: `protocol (contest C, unit U) version 2`.
    pub fn describe(&self) -> String {
        match self {
            Leaf::Definition(_) => "the election definition".to_owned(),
            Leaf::Protocol(p) => {
                format!("protocol (contest {}, unit {}) version {}", p.contest, p.unit, p.version)
            }
            Leaf::Entry(e) => format!(
                "entry by {} for protocol (contest {}, unit {}) round {}",
                e.author, e.contest, e.unit, e.round
            ),
            Leaf::Turnout(t) => format!("turnout of {} at {}", t.unit, t.hour),
            Leaf::Certification(c) => format!("certification {}", c.seq),
            Leaf::Observation(o) => format!(
                "observation by {} of protocol (contest {}, unit {}) version {}",
                o.observer, o.contest, o.unit, o.version
            ),
            Leaf::ObservedTurnout(t) => {
                format!("turnout observed by {} at {} at {}", t.observer, t.unit, t.hour)
            }
            Leaf::Audit(a) => match &a.event {
                AuditEvent::HandCount { unit, .. } => {
                    format!("audit {}: hand count of {unit}", a.audit)
                }
                AuditEvent::Drawn { round, .. } => {
                    format!("audit {}: round {round} drawn", a.audit)
                }
                other => format!("audit {}: {}", a.audit, other.name().replace('_', " ")),
            },
        }
    }

    /// Parses canonical bytes back. Strict: unknown or missing keys, wrong types and
    /// non-canonical bytes (anything that would not re-serialize to exactly these bytes) are
    /// errors.
    pub fn parse(bytes: &[u8]) -> Result<Leaf, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        let o = v.as_object().ok_or("not a JSON object")?;
        let f = Fields(o);
        let leaf = match f.str("leaf")? {
            "ashyq/definition" => {
                let format = f.uint("format")?;
                if format != RECORD_FORMAT {
                    return Err(format!("record format {format} is not supported (this version reads {RECORD_FORMAT})"));
                }
                let units = f
                    .get("units")?
                    .as_array()
                    .ok_or("\"units\" is not a list")?
                    .iter()
                    .map(|u| {
                        let a = u
                            .as_array()
                            .filter(|a| a.len() == 4)
                            .ok_or("a unit is not [id, parent, kind, name]")?;
                        let s = |i: usize| {
                            a[i].as_str().map(str::to_owned).ok_or("a unit field is not text")
                        };
                        Ok(UnitInfo { id: s(0)?, parent: s(1)?, kind: s(2)?, name: s(3)? })
                    })
                    .collect::<Result<Vec<_>, &str>>()?;
                let contests = f
                    .get("contests")?
                    .as_array()
                    .ok_or("\"contests\" is not a list")?
                    .iter()
                    .map(parse_contest)
                    .collect::<Result<Vec<_>, String>>()?;
                Leaf::Definition(DefinitionLeaf {
                    election: ElectionInfo {
                        id: f.string("election")?,
                        name: f.string("name")?,
                        date: f.string("date")?,
                        rules: f.string("rules")?,
                        contests,
                        names: match f.0.get("names") {
                            None => Vec::new(),
                            Some(v) => v
                                .as_array()
                                .ok_or("\"names\" is not a list")?
                                .iter()
                                .map(|n| {
                                    let a = n
                                        .as_array()
                                        .filter(|a| a.len() == 4)
                                        .ok_or("a name is not [kind, id, lang, name]")?;
                                    let s = |i: usize| {
                                        a[i].as_str()
                                            .map(str::to_owned)
                                            .ok_or("a name field is not text")
                                    };
                                    Ok(NameInfo {
                                        kind: s(0)?,
                                        id: s(1)?,
                                        lang: s(2)?,
                                        name: s(3)?,
                                    })
                                })
                                .collect::<Result<Vec<_>, &str>>()?,
                        },
                    },
                    units,
                    origin: f.string("origin")?,
                    double_entry: f
                        .get("double_entry")?
                        .as_bool()
                        .ok_or("\"double_entry\" is not true or false")?,
                    imported_at: f.string("imported_at")?,
                })
            }
            "ashyq/protocol" => Leaf::Protocol(ProtocolLeaf {
                election: f.string("election")?,
                contest: f.string("contest")?,
                unit: f.string("unit")?,
                version: f.uint("version")?,
                author: f.string("author")?,
                at: f.string("at")?,
                reason: f.string("reason")?,
                findings: f.str_list("findings")?,
                lines: f.lines("lines")?,
                signature: match f.0.get("signature") {
                    None => None,
                    Some(v) => {
                        let o = v.as_object().ok_or("\"signature\" is not an object")?;
                        let g = Fields(o);
                        Some(ProtocolSignature {
                            key: g.string("key")?,
                            signature: g.string("signature")?,
                        })
                    }
                },
            }),
            "ashyq/entry" => Leaf::Entry(EntryLeaf {
                election: f.string("election")?,
                contest: f.string("contest")?,
                unit: f.string("unit")?,
                round: f.uint("round")?,
                author: f.string("author")?,
                at: f.string("at")?,
                reason: f.string("reason")?,
                lines: f.lines("lines")?,
            }),
            "ashyq/turnout" => Leaf::Turnout(TurnoutLeaf {
                election: f.string("election")?,
                unit: f.string("unit")?,
                hour: f.string("hour")?,
                voters: f.uint("voters")?,
                author: f.string("author")?,
                at: f.string("at")?,
                findings: f.str_list("findings")?,
            }),
            "ashyq/certification" => Leaf::Certification(CertificationLeaf {
                election: f.string("election")?,
                seq: f.uint("seq")?,
                at: f.string("at")?,
                log_size: f.uint("log_size")?,
                inputs_hash: f.string("inputs_hash")?,
                totals: f.string("totals")?,
            }),
            "ashyq/observation" => Leaf::Observation(ObservationLeaf {
                election: f.string("election")?,
                contest: f.string("contest")?,
                unit: f.string("unit")?,
                observer: f.string("observer")?,
                version: f.uint("version")?,
                author: f.string("author")?,
                at: f.string("at")?,
                reason: f.string("reason")?,
                photo_sha256: f.opt_string("photo_sha256")?,
                findings: f.str_list("findings")?,
                lines: f.lines("lines")?,
            }),
            "ashyq/observed_turnout" => Leaf::ObservedTurnout(ObservedTurnoutLeaf {
                election: f.string("election")?,
                unit: f.string("unit")?,
                hour: f.string("hour")?,
                voters: f.uint("voters")?,
                observer: f.string("observer")?,
                author: f.string("author")?,
                at: f.string("at")?,
            }),
            "ashyq/audit" => {
                let event = match f.str("event")? {
                    "committed" => AuditEvent::Committed(AuditCommitment {
                        contest: f.string("contest")?,
                        method: f.string("method")?,
                        risk_limit_percent: f.string("risk_limit_percent")?,
                        first_round_draws: f.uint("first_round_draws")?,
                        checkpoint: f.string("checkpoint")?,
                        files: f.strings("files")?,
                        digest: f.string("digest")?,
                    }),
                    "seed" => AuditEvent::Seed { seed: f.string("seed")? },
                    "drawn" => {
                        AuditEvent::Drawn { round: f.uint("round")?, draws: f.uint("draws")? }
                    }
                    "hand_count" => {
                        AuditEvent::HandCount { unit: f.string("unit")?, lines: f.lines("lines")? }
                    }
                    "closed" => {
                        AuditEvent::Closed { risk: f.string("risk")?, result: f.string("result")? }
                    }
                    other => {
                        return Err(format!("unknown audit event \"{}\"", crate::quote(other)))
                    }
                };
                Leaf::Audit(AuditLeaf {
                    election: f.string("election")?,
                    audit: f.uint("audit")?,
                    author: f.string("author")?,
                    at: f.string("at")?,
                    event,
                })
            }
            other => return Err(format!("unknown leaf kind \"{}\"", crate::quote(other))),
        };
        if leaf.to_bytes() != bytes {
            return Err("the bytes are not in canonical form".to_owned());
        }
        Ok(leaf)
    }
}

struct Fields<'a>(&'a serde_json::Map<String, Value>);

impl Fields<'_> {
    fn get(&self, k: &str) -> Result<&Value, String> {
        self.0.get(k).ok_or_else(|| format!("\"{k}\" is missing"))
    }
    fn str(&self, k: &str) -> Result<&str, String> {
        self.get(k)?.as_str().ok_or_else(|| format!("\"{k}\" is not text"))
    }
    fn string(&self, k: &str) -> Result<String, String> {
        self.str(k).map(str::to_owned)
    }
    fn opt_string(&self, k: &str) -> Result<Option<String>, String> {
        match self.0.get(k) {
            None => Ok(None),
            Some(v) => {
                v.as_str().map(|s| Some(s.to_owned())).ok_or_else(|| format!("\"{k}\" is not text"))
            }
        }
    }
    fn strings(&self, k: &str) -> Result<Vec<(String, String)>, String> {
        self.get(k)?
            .as_object()
            .ok_or_else(|| format!("\"{k}\" is not an object"))?
            .iter()
            .map(|(n, v)| {
                v.as_str()
                    .map(|v| (n.clone(), v.to_owned()))
                    .ok_or_else(|| format!("\"{k}\": \"{n}\" is not text"))
            })
            .collect()
    }
    fn uint(&self, k: &str) -> Result<u64, String> {
        self.get(k)?.as_u64().ok_or_else(|| format!("\"{k}\" is not a non-negative integer"))
    }
    fn str_list(&self, k: &str) -> Result<Vec<String>, String> {
        self.get(k)?
            .as_array()
            .ok_or_else(|| format!("\"{k}\" is not a list"))?
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("\"{k}\" holds a non-text item"))
            })
            .collect()
    }
    fn lines(&self, k: &str) -> Result<Vec<(String, u64)>, String> {
        self.get(k)?
            .as_object()
            .ok_or_else(|| format!("\"{k}\" is not an object"))?
            .iter()
            .map(|(l, v)| {
                v.as_u64()
                    .map(|v| (l.clone(), v))
                    .ok_or_else(|| format!("line \"{l}\" is not a count"))
            })
            .collect()
    }
}

fn parse_contest(v: &Value) -> Result<ContestInfo, String> {
    let o = v.as_object().ok_or("a contest is not an object")?;
    let f = Fields(o);
    let opt_str = |k: &str| -> Result<Option<String>, String> {
        o.get(k)
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| format!("\"{k}\" is not text")))
            .transpose()
    };
    let opt_int = |k: &str| -> Result<Option<i64>, String> {
        o.get(k).map(|v| v.as_i64().ok_or_else(|| format!("\"{k}\" is not an integer"))).transpose()
    };
    let options = f
        .get("options")?
        .as_array()
        .ok_or("\"options\" is not a list")?
        .iter()
        .map(|v| {
            let o = v.as_object().ok_or("an option is not an object")?;
            let f = Fields(o);
            Ok(OptionInfo {
                id: f.string("id")?,
                name: f.string("name")?,
                registered: o
                    .get("registered")
                    .map(|v| v.as_i64().ok_or("\"registered\" is not an integer"))
                    .transpose()?,
                kind: o
                    .get("kind")
                    .map(|v| v.as_str().map(str::to_owned).ok_or("\"kind\" is not text"))
                    .transpose()?,
                list_length: o
                    .get("list_length")
                    .map(|v| v.as_i64().ok_or("\"list_length\" is not an integer"))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ContestInfo {
        id: f.string("id")?,
        kind: f.string("kind")?,
        name: opt_str("name")?,
        territory: f.string("territory")?,
        seats: opt_int("seats")?,
        constitutional: o
            .get("constitutional")
            .map(|v| v.as_bool().ok_or("\"constitutional\" is not true or false"))
            .transpose()?,
        unit_test: opt_str("unit_test")?,
        round: opt_int("round")?,
        threshold_percent: opt_str("threshold_percent")?,
        reported_units_in_favour: opt_int("reported_units_in_favour")?,
        body: opt_str("body")?,
        options,
    })
}
