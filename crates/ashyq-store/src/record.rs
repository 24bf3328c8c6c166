//! The raw record of one election and the verification procedure that recomputes every hash
//! and total from it. The same procedure runs on a database ([`crate::Store::verify`]) and on an
//! exported record folder ([`crate::verify_record`]), so an observer re-checks exactly what the
//! commission's server checks.
//!
//! Canonical serializations (stable, documented in the crate README):
//! - definition: `election_toml(election, tree, [])` + `"\n-- units.csv --\n"` + canonical
//!   units.csv; its SHA-256 is the definition hash;
//! - protocol version: the JSON array `["ashyq-protocol-version/1", election, definition hash,
//!   contest, unit, version, author, time, reason, findings, [values or null…]]`, hashed as an
//!   RFC 6962 leaf;
//! - certification inputs: `["ashyq-certification-inputs/1", election, definition hash,
//!   log size, [[contest, unit, version, leaf hash]…]]` in contest and unit order, SHA-256.

use std::collections::{BTreeMap, HashMap};

use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::election::Election;
use ashyq_core::line::Line;
use ashyq_core::units::UnitTree;
use sha2::{Digest, Sha256};

use crate::keys;
use crate::merkle::{self, Hash};

/// At most this many findings are listed; the rest are counted.
pub(crate) const MAX_FINDINGS: usize = 200;

/// One stored protocol version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawVersion {
    pub(crate) id: i64,
    pub(crate) contest: usize,
    pub(crate) unit: usize,
    pub(crate) version: i64,
    pub(crate) vals: String,
    pub(crate) author: String,
    pub(crate) at: String,
    pub(crate) reason: String,
    pub(crate) findings: String,
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawLogEntry {
    pub(crate) seq: i64,
    pub(crate) version_id: i64,
    pub(crate) leaf_hash: String,
}

/// One signed tree head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawHead {
    pub(crate) size: i64,
    pub(crate) root_hash: String,
    pub(crate) at: String,
    pub(crate) signature: String,
}

/// One certification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawCertification {
    pub(crate) seq: i64,
    pub(crate) at: String,
    pub(crate) log_size: i64,
    pub(crate) inputs_hash: String,
    pub(crate) totals_csv: String,
}

/// Everything stored about one election.
pub(crate) struct RawRecord {
    pub(crate) election_id: String,
    pub(crate) election: Election,
    pub(crate) tree: UnitTree,
    pub(crate) definition_hash: String,
    pub(crate) versions: Vec<RawVersion>,
    pub(crate) log: Vec<RawLogEntry>,
    pub(crate) public_key: Option<String>,
    pub(crate) heads: Vec<RawHead>,
    pub(crate) certifications: Vec<RawCertification>,
}

/// Canonical units.csv.
pub(crate) fn units_csv(tree: &UnitTree) -> String {
    let mut w =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let _ = w.write_record(["id", "parent", "kind", "name"]);
    for u in tree.units() {
        let parent = u.parent.map(|p| tree.unit(p).id.as_str()).unwrap_or("");
        let _ = w.write_record([u.id.as_str(), parent, &u.kind, &u.name]);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// Canonical definition text.
pub(crate) fn definition_text(election: &Election, tree: &UnitTree) -> String {
    let mut s = ashyq_package::election_toml(election, tree, &[]);
    s.push_str("\n-- units.csv --\n");
    s.push_str(&units_csv(tree));
    s
}

/// SHA-256 of the canonical definition, hex.
pub(crate) fn definition_hash(election: &Election, tree: &UnitTree) -> String {
    hex::encode(Sha256::digest(definition_text(election, tree).as_bytes()))
}

/// `1,2,,4`: one field per column, empty when absent.
pub(crate) fn format_vals(row: &[Option<u64>]) -> String {
    let mut s = String::with_capacity(row.len() * 6);
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        if let Some(v) = v {
            s.push_str(&v.to_string());
        }
    }
    s
}

/// Inverse of [`format_vals`], checking the number of columns.
pub(crate) fn parse_vals(s: &str, n_columns: usize) -> Result<Row, String> {
    let row: Result<Row, String> = s
        .split(',')
        .map(|f| {
            if f.is_empty() {
                Ok(None)
            } else {
                f.parse::<u64>().map(Some).map_err(|_| format!("\"{f}\" is not a count"))
            }
        })
        .collect();
    let row = row?;
    if row.len() != n_columns {
        return Err(format!("{} values where the contest has {n_columns} lines", row.len()));
    }
    Ok(row)
}

/// The canonical bytes of a protocol version (the log leaf's data).
#[allow(clippy::too_many_arguments)]
pub(crate) fn version_bytes(
    election_id: &str,
    definition_hash: &str,
    contest_id: &str,
    unit_id: &str,
    version: i64,
    author: &str,
    at: &str,
    reason: &str,
    findings: &str,
    row: &[Option<u64>],
) -> Vec<u8> {
    let values: Vec<serde_json::Value> =
        row.iter().map(|v| v.map_or(serde_json::Value::Null, serde_json::Value::from)).collect();
    let doc = serde_json::json!([
        "ashyq-protocol-version/1",
        election_id,
        definition_hash,
        contest_id,
        unit_id,
        version,
        author,
        at,
        reason,
        findings,
        values
    ]);
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// The leaf hash of a stored version; `Err` when its values do not parse.
pub(crate) fn version_leaf(rec: &RawRecord, v: &RawVersion) -> Result<Hash, String> {
    let contest = rec
        .election
        .contests()
        .get(v.contest)
        .ok_or_else(|| format!("contest #{} does not exist", v.contest))?;
    if v.unit >= rec.tree.len() {
        return Err(format!("unit #{} does not exist", v.unit));
    }
    let row = parse_vals(&v.vals, ashyq_core::line::ProtocolLine::COUNT + contest.options().len())?;
    Ok(merkle::leaf_hash(&version_bytes(
        &rec.election_id,
        &rec.definition_hash,
        contest.id().as_str(),
        rec.tree.unit(v.unit).id.as_str(),
        v.version,
        &v.author,
        &v.at,
        &v.reason,
        &v.findings,
        &row,
    )))
}

/// `contest C, unit U, version N`.
pub(crate) fn describe(rec: &RawRecord, v: &RawVersion) -> String {
    let c = rec.election.contests().get(v.contest).map_or("?", |c| c.id().as_str());
    let u = if v.unit < rec.tree.len() { rec.tree.unit(v.unit).id.as_str() } else { "?" };
    format!("protocol version {} (contest {c}, unit {u}, version {})", v.id, v.version)
}

/// The latest version of each protocol, by (contest, unit).
pub(crate) type Latest<'a> = BTreeMap<(usize, usize), &'a RawVersion>;

/// Latest version per protocol among `versions` (by version number), as counts per contest,
/// plus the (contest, unit) → version list used.
pub(crate) fn latest_counts<'a>(
    election: &Election,
    versions: impl IntoIterator<Item = &'a RawVersion>,
) -> Result<(Vec<ContestCounts>, Latest<'a>), String> {
    let mut latest: BTreeMap<(usize, usize), &RawVersion> = BTreeMap::new();
    for v in versions {
        let e = latest.entry((v.contest, v.unit)).or_insert(v);
        if v.version > e.version {
            *e = v;
        }
    }
    let mut counts: Vec<ContestCounts> =
        election.contests().iter().map(ContestCounts::new).collect();
    for (&(c, u), v) in &latest {
        let contest =
            election.contests().get(c).ok_or_else(|| format!("contest #{c} does not exist"))?;
        let row =
            parse_vals(&v.vals, ashyq_core::line::ProtocolLine::COUNT + contest.options().len())?;
        for (col, val) in row.iter().enumerate() {
            if let Some(val) = val {
                counts[c]
                    .set(u, Line::from_column(col), *val)
                    .map_err(|e| format!("{}: {e}", describe_plain(c, u)))?;
            }
        }
    }
    Ok((counts, latest))
}

fn describe_plain(c: usize, u: usize) -> String {
    format!("contest #{c}, unit #{u}")
}

/// Certification of the counts as of the first `log_size` log entries: (inputs hash, totals CSV).
pub(crate) fn certification(
    rec: &RawRecord,
    log_size: usize,
    leaves: &HashMap<i64, Hash>,
) -> Result<(String, String, Vec<ContestCounts>), String> {
    let by_id: HashMap<i64, &RawVersion> = rec.versions.iter().map(|v| (v.id, v)).collect();
    let in_log: Vec<&RawVersion> =
        rec.log.iter().take(log_size).filter_map(|l| by_id.get(&l.version_id).copied()).collect();
    let (counts, latest) = latest_counts(&rec.election, in_log)?;
    let inputs: Vec<serde_json::Value> = latest
        .iter()
        .map(|(&(c, u), v)| {
            serde_json::json!([
                rec.election.contests()[c].id().as_str(),
                rec.tree.unit(u).id.as_str(),
                v.version,
                leaves.get(&v.id).map(hex::encode).unwrap_or_default()
            ])
        })
        .collect();
    let doc = serde_json::json!([
        "ashyq-certification-inputs/1",
        rec.election_id,
        rec.definition_hash,
        log_size,
        inputs
    ]);
    let hash = hex::encode(Sha256::digest(serde_json::to_vec(&doc).unwrap_or_default()));
    let mut csv = String::from("contest,unit,line,value\n");
    for (contest, cc) in rec.election.contests().iter().zip(&counts) {
        let roll = cc.roll_up(&rec.tree, contest.territory()).map_err(|e| e.to_string())?;
        if let Some(t) = roll.at(contest.territory()) {
            for (col, v) in t.values.iter().enumerate() {
                if let Some(v) = v {
                    let line = match Line::from_column(col) {
                        Line::Protocol(p) => p.name().to_owned(),
                        Line::Option(i) => contest.options()[i].id.to_string(),
                    };
                    csv.push_str(&format!(
                        "{},{},{line},{v}\n",
                        contest.id(),
                        rec.tree.unit(contest.territory()).id
                    ));
                }
            }
        }
    }
    Ok((hash, csv, counts))
}

/// Recomputes every hash, signature and certified total; returns one sentence per problem.
pub(crate) fn check(rec: &RawRecord) -> Vec<String> {
    let mut f = Vec::new();
    let e = &rec.election_id;
    let def = definition_hash(&rec.election, &rec.tree);
    if def != rec.definition_hash {
        f.push(format!(
            "election {e}: the definition (contests, options, units) hashes to {def}, but the record states {}: the definition was altered",
            rec.definition_hash
        ));
    }
    // Versions: well-formed, numbered 1..n per protocol.
    let mut leaves: HashMap<i64, Hash> = HashMap::with_capacity(rec.versions.len());
    let mut per_protocol: BTreeMap<(usize, usize), Vec<i64>> = BTreeMap::new();
    for v in &rec.versions {
        match version_leaf(rec, v) {
            Ok(h) => {
                leaves.insert(v.id, h);
            }
            Err(msg) => f.push(format!("election {e}: {} is malformed: {msg}", describe(rec, v))),
        }
        per_protocol.entry((v.contest, v.unit)).or_default().push(v.version);
    }
    for (&(c, u), versions) in &per_protocol {
        let mut vs = versions.clone();
        vs.sort_unstable();
        for (i, &v) in vs.iter().enumerate() {
            let want = i as i64 + 1;
            if v != want {
                let cid = rec.election.contests().get(c).map_or("?", |c| c.id().as_str());
                let uid = if u < rec.tree.len() { rec.tree.unit(u).id.as_str() } else { "?" };
                f.push(format!(
                    "election {e}: protocol (contest {cid}, unit {uid}) has versions {vs:?}: version {want} is missing (deleted?)"
                ));
                break;
            }
        }
    }
    // Log: contiguous, in acceptance order, one entry per version, hashes match content.
    let by_id: HashMap<i64, &RawVersion> = rec.versions.iter().map(|v| (v.id, v)).collect();
    let mut seen: HashMap<i64, i64> = HashMap::new();
    let mut prev_version_id: Option<(i64, i64)> = None;
    for (i, l) in rec.log.iter().enumerate() {
        let want = i as i64 + 1;
        if l.seq != want {
            f.push(format!(
                "election {e}: log entry {want} is missing (the next entry is {}): the log was truncated or a row deleted",
                l.seq
            ));
            break;
        }
    }
    for l in &rec.log {
        if let Some((pseq, pid)) = prev_version_id {
            if l.version_id <= pid {
                f.push(format!(
                    "election {e}: log entries {pseq} and {} are out of order (protocol versions {pid} then {}): entries were reordered",
                    l.seq, l.version_id
                ));
            }
        }
        prev_version_id = Some((l.seq, l.version_id));
        if let Some(first) = seen.insert(l.version_id, l.seq) {
            f.push(format!(
                "election {e}: log entries {first} and {} both record protocol version {}",
                l.seq, l.version_id
            ));
        }
        match by_id.get(&l.version_id) {
            None => f.push(format!(
                "election {e}: log entry {} records protocol version {}, which is not in the record (deleted?)",
                l.seq, l.version_id
            )),
            Some(v) => {
                if let Some(h) = leaves.get(&v.id) {
                    let h = hex::encode(h);
                    if h != l.leaf_hash {
                        f.push(format!(
                            "election {e}: log entry {}: {} hashes to {h}, but the log records {}: the version's content or the stored hash was altered",
                            l.seq,
                            describe(rec, v),
                            l.leaf_hash
                        ));
                    }
                }
            }
        }
    }
    for v in &rec.versions {
        if !seen.contains_key(&v.id) {
            f.push(format!("election {e}: {} is not in the log", describe(rec, v)));
        }
    }
    // Signed tree heads.
    let stored: Vec<Option<Hash>> =
        rec.log.iter().map(|l| merkle::parse_hash(&l.leaf_hash)).collect();
    if !rec.heads.is_empty() && rec.public_key.is_none() {
        f.push(format!("election {e}: the record has signed tree heads but no public key"));
    }
    for h in &rec.heads {
        let size = h.size.max(0) as usize;
        if size > rec.log.len() {
            f.push(format!(
                "election {e}: tree head of size {} was signed, but the log has only {} entries: log entries were deleted",
                h.size,
                rec.log.len()
            ));
            continue;
        }
        let leaves_prefix: Option<Vec<Hash>> = stored[..size].iter().copied().collect();
        let Some(leaves_prefix) = leaves_prefix else {
            f.push(format!(
                "election {e}: a log entry below tree head {} holds a malformed hash",
                h.size
            ));
            continue;
        };
        let root = hex::encode(merkle::root(&leaves_prefix));
        if root != h.root_hash {
            f.push(format!(
                "election {e}: tree head of size {}: the log's first {} entries hash to root {root}, but the signed head states {}: the log was altered",
                h.size, h.size, h.root_hash
            ));
        }
        if let Some(pk) = &rec.public_key {
            let r = merkle::parse_hash(&h.root_hash).unwrap_or([0; 32]);
            if let Err(msg) = keys::verify_head(pk, e, h.size as u64, &r, &h.signature) {
                f.push(format!(
                    "election {e}: tree head of size {} (signed {}): {msg}",
                    h.size, h.at
                ));
            }
        }
    }
    // Certified outcomes: recompute inputs hash and totals.
    for c in &rec.certifications {
        let size = c.log_size.max(0) as usize;
        if size > rec.log.len() {
            f.push(format!(
                "election {e}: certification {} covers {} log entries, but the log has only {}",
                c.seq,
                c.log_size,
                rec.log.len()
            ));
            continue;
        }
        match certification(rec, size, &leaves) {
            Ok((hash, totals, _)) => {
                if hash != c.inputs_hash {
                    f.push(format!(
                        "election {e}: certification {} ({}): its inputs hash to {hash}, but it states {}",
                        c.seq, c.at, c.inputs_hash
                    ));
                }
                if totals != c.totals_csv {
                    f.push(format!(
                        "election {e}: certification {} ({}): the recomputed totals differ from the certified totals",
                        c.seq, c.at
                    ));
                }
            }
            Err(msg) => {
                f.push(format!("election {e}: certification {}: cannot recompute: {msg}", c.seq))
            }
        }
    }
    if f.len() > MAX_FINDINGS {
        let more = f.len() - MAX_FINDINGS;
        f.truncate(MAX_FINDINGS);
        f.push(format!("election {e}: … and {more} more findings"));
    }
    f
}
