//! The exported record: a self-contained folder that anyone can verify offline with
//! [`verify_record`] (or `ashyq verify --record DIR`) — no database, no network, no key.
//!
//! The folder is also an election package (election.toml, units.csv, counts.csv with the
//! latest accepted version of every protocol), so `ashyq outcome DIR` works on it.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde_json::{json, Value as Json};

use crate::record::{self, RawCertification, RawHead, RawLogEntry, RawRecord, RawVersion};
use crate::StoreError;

const VERSIONS_FILE: &str = "protocol_versions.jsonl";
const LOG_FILE: &str = "log.csv";
const HEADS_FILE: &str = "tree_heads.csv";
const KEY_FILE: &str = "public_key.txt";
const CERTS_FILE: &str = "certifications.jsonl";
const RECORD_FILE: &str = "record.json";

const README: &str = "\
Ashyq election record
=====================

This folder is the complete record of one election as kept by Ashyq. It can be checked
offline, without a database and without trusting the server that produced it:

    ashyq verify --record THIS_FOLDER

exits 0 when the record is intact and 1, with one line per problem, when it is not.

Files
- election.toml, units.csv: the election definition (contests, options, territorial units).
- counts.csv: the latest accepted version of every protocol (this folder is an election
  package: `ashyq outcome THIS_FOLDER` prints the legal outcome).
- protocol_versions.jsonl: every accepted version of every protocol, never overwritten:
  values (one field per line of the protocol, empty when absent), author, time, reason,
  findings acknowledged or overridden.
- log.csv: the append-only log, one entry per accepted version, in acceptance order, with the
  RFC 6962 leaf hash SHA-256(0x00 || canonical bytes of the version).
- tree_heads.csv: Merkle roots (RFC 6962: node = SHA-256(0x01 || left || right)) of the log's
  first `size` entries, signed with the commission's Ed25519 key.
- public_key.txt: the commission's Ed25519 public key (hex).
- certifications.jsonl: certified totals with the SHA-256 of their inputs.
- record.json: election id and definition hash.

Verification procedure
1. Render the definition canonically and check its SHA-256 equals record.json's definition_hash.
2. For each version, rebuild its canonical bytes, hash them as a leaf, and compare with the log.
3. Check the log is contiguous, in acceptance order, and holds each version exactly once, and
   that every protocol's versions are numbered 1, 2, … without gaps.
4. Recompute the Merkle root of each signed tree head and check its Ed25519 signature.
5. Recompute each certification's inputs hash and totals from the versions it covered.
6. Check counts.csv equals the latest version of every protocol.
The canonical forms are documented in the Ashyq source, crates/ashyq-store/README.md.
";

fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("{}: {e}", path.display()))
}

fn write_file(dir: &Path, name: &str, text: &str) -> Result<(), StoreError> {
    let p = dir.join(name);
    let mut f = fs::File::create(&p).map_err(|e| io(&p, e))?;
    f.write_all(text.as_bytes()).map_err(|e| io(&p, e))?;
    f.sync_all().map_err(|e| io(&p, e))
}

/// Writes the record of one election into `dir` (created if needed).
pub(crate) fn write(rec: &RawRecord, dir: &Path) -> Result<(), StoreError> {
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let (counts, _) =
        record::latest_counts(&rec.election, &rec.versions).map_err(StoreError::Corrupt)?;
    ashyq_package::write_package(
        dir,
        &rec.election,
        &rec.tree,
        &counts,
        &["Exported Ashyq record: counts.csv holds the latest accepted version of every protocol.", "See README.txt."],
    )
    .map_err(|e| io(dir, e))?;
    let mut s = String::new();
    for v in &rec.versions {
        let c = rec.election.contests().get(v.contest).map_or("?", |c| c.id().as_str());
        let u = if v.unit < rec.tree.len() { rec.tree.unit(v.unit).id.as_str() } else { "?" };
        s.push_str(
            &json!({"id": v.id, "contest": c, "unit": u, "version": v.version, "values": v.vals,
                "author": v.author, "time": v.at, "reason": v.reason, "findings": v.findings})
            .to_string(),
        );
        s.push('\n');
    }
    write_file(dir, VERSIONS_FILE, &s)?;
    let mut s = String::from("seq,version_id,leaf_hash\n");
    for l in &rec.log {
        s.push_str(&format!("{},{},{}\n", l.seq, l.version_id, l.leaf_hash));
    }
    write_file(dir, LOG_FILE, &s)?;
    let mut s = String::from("size,root_hash,time,signature\n");
    for h in &rec.heads {
        s.push_str(&format!("{},{},{},{}\n", h.size, h.root_hash, h.at, h.signature));
    }
    write_file(dir, HEADS_FILE, &s)?;
    write_file(dir, KEY_FILE, &format!("{}\n", rec.public_key.clone().unwrap_or_default()))?;
    let mut s = String::new();
    for c in &rec.certifications {
        s.push_str(
            &json!({"seq": c.seq, "time": c.at, "log_size": c.log_size, "inputs_hash": c.inputs_hash, "totals_csv": c.totals_csv})
                .to_string(),
        );
        s.push('\n');
    }
    write_file(dir, CERTS_FILE, &s)?;
    write_file(
        dir,
        RECORD_FILE,
        &format!(
            "{}\n",
            json!({"format": "ashyq-record/1", "election": rec.election_id, "definition_hash": rec.definition_hash})
        ),
    )?;
    write_file(dir, "README.txt", README)
}

fn read(dir: &Path, name: &str) -> Result<String, StoreError> {
    let p = dir.join(name);
    fs::read_to_string(&p).map_err(|e| io(&p, e))
}

fn field<'a>(v: &'a Json, name: &str, file: &str, line: usize) -> Result<&'a Json, StoreError> {
    v.get(name).ok_or_else(|| StoreError::Io(format!("{file}:{line}: field \"{name}\" is missing")))
}

fn text(v: &Json, name: &str, file: &str, line: usize) -> Result<String, StoreError> {
    field(v, name, file, line)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| StoreError::Io(format!("{file}:{line}: field \"{name}\" is not text")))
}

fn int(v: &Json, name: &str, file: &str, line: usize) -> Result<i64, StoreError> {
    field(v, name, file, line)?
        .as_i64()
        .ok_or_else(|| StoreError::Io(format!("{file}:{line}: field \"{name}\" is not an integer")))
}

/// Verifies an exported record folder offline. `Ok(findings)`: empty when intact; `Err` when
/// the folder cannot be read at all.
pub fn verify_record(dir: &Path) -> Result<Vec<String>, StoreError> {
    let package = ashyq_package::read_package(dir).map_err(|d| {
        StoreError::Io(format!(
            "{}: the definition or counts cannot be read:\n{}",
            dir.display(),
            d.to_string().trim_end()
        ))
    })?;
    let meta: Json = serde_json::from_str(&read(dir, RECORD_FILE)?)
        .map_err(|e| StoreError::Io(format!("{RECORD_FILE}: {e}")))?;
    let election_id = text(&meta, "election", RECORD_FILE, 1)?;
    let definition_hash = text(&meta, "definition_hash", RECORD_FILE, 1)?;
    let mut findings = Vec::new();
    if election_id != package.election.id().as_str() {
        findings.push(format!(
            "{RECORD_FILE} names election {election_id}, but election.toml defines {}",
            package.election.id()
        ));
    }
    let mut versions = Vec::new();
    for (i, line) in read(dir, VERSIONS_FILE)?.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: Json = serde_json::from_str(line)
            .map_err(|e| StoreError::Io(format!("{VERSIONS_FILE}:{n}: {e}")))?;
        let contest_id = text(&v, "contest", VERSIONS_FILE, n)?;
        let unit_id = text(&v, "unit", VERSIONS_FILE, n)?;
        let (Some(contest), Some(unit)) =
            (package.election.contest_index(&contest_id), package.tree.index_of(&unit_id))
        else {
            findings.push(format!("{VERSIONS_FILE}:{n}: contest {contest_id} or unit {unit_id} is not in the definition"));
            continue;
        };
        versions.push(RawVersion {
            id: int(&v, "id", VERSIONS_FILE, n)?,
            contest,
            unit,
            version: int(&v, "version", VERSIONS_FILE, n)?,
            vals: text(&v, "values", VERSIONS_FILE, n)?,
            author: text(&v, "author", VERSIONS_FILE, n)?,
            at: text(&v, "time", VERSIONS_FILE, n)?,
            reason: text(&v, "reason", VERSIONS_FILE, n)?,
            findings: text(&v, "findings", VERSIONS_FILE, n)?,
        });
    }
    let mut log = Vec::new();
    for (i, line) in read(dir, LOG_FILE)?.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let parsed = match f.as_slice() {
            [s, v, h] => s.parse().ok().zip(v.parse().ok()).map(|(s, v)| RawLogEntry {
                seq: s,
                version_id: v,
                leaf_hash: (*h).to_owned(),
            }),
            _ => None,
        };
        match parsed {
            Some(l) => log.push(l),
            None => {
                return Err(StoreError::Io(format!(
                    "{LOG_FILE}:{}: expected seq,version_id,leaf_hash",
                    i + 1
                )))
            }
        }
    }
    let mut heads = Vec::new();
    for (i, line) in read(dir, HEADS_FILE)?.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        match f.as_slice() {
            [s, r, t, sig] => match s.parse() {
                Ok(size) => heads.push(RawHead {
                    size,
                    root_hash: (*r).to_owned(),
                    at: (*t).to_owned(),
                    signature: (*sig).to_owned(),
                }),
                Err(_) => {
                    return Err(StoreError::Io(format!(
                        "{HEADS_FILE}:{}: size is not an integer",
                        i + 1
                    )))
                }
            },
            _ => {
                return Err(StoreError::Io(format!(
                    "{HEADS_FILE}:{}: expected size,root_hash,time,signature",
                    i + 1
                )))
            }
        }
    }
    let pk = read(dir, KEY_FILE)?.trim().to_owned();
    let mut certifications = Vec::new();
    for (i, line) in read(dir, CERTS_FILE)?.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let v: Json = serde_json::from_str(line)
            .map_err(|e| StoreError::Io(format!("{CERTS_FILE}:{n}: {e}")))?;
        certifications.push(RawCertification {
            seq: int(&v, "seq", CERTS_FILE, n)?,
            at: text(&v, "time", CERTS_FILE, n)?,
            log_size: int(&v, "log_size", CERTS_FILE, n)?,
            inputs_hash: text(&v, "inputs_hash", CERTS_FILE, n)?,
            totals_csv: text(&v, "totals_csv", CERTS_FILE, n)?,
        });
    }
    let rec = RawRecord {
        election_id,
        election: package.election.clone(),
        tree: package.tree.clone(),
        definition_hash,
        versions,
        log,
        public_key: (!pk.is_empty()).then_some(pk),
        heads,
        certifications,
    };
    findings.extend(record::check(&rec));
    match record::latest_counts(&rec.election, &rec.versions) {
        Ok((counts, _)) => {
            for (c, (want, got)) in
                rec.election.contests().iter().zip(counts.iter().zip(&package.counts))
            {
                if want != got {
                    findings.push(format!(
                        "counts.csv: contest {} differs from the latest versions in {VERSIONS_FILE}",
                        c.id()
                    ));
                }
            }
        }
        Err(msg) => findings.push(format!("{VERSIONS_FILE}: {msg}")),
    }
    Ok(findings)
}
