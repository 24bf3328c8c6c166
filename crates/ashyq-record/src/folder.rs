//! The record folder: one election's complete record as files that anyone can verify offline
//! (`ashyq verify --record DIR`) — no database, no network, no trust in the server.
//!
//! The folder is also an election package (`election.toml`, `units.csv`, `counts.csv` with the
//! latest accepted version of every protocol), so `ashyq outcome DIR` works on it; verification
//! checks that those files say what the log says.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::certify::{self, Definition};
use crate::leaf::Leaf;
use crate::verify::{self, Anchors, RecordInput, Verification};

/// The log: one leaf's canonical bytes per line.
pub const LOG_FILE: &str = "log.jsonl";
/// Every signed checkpoint: `{"size": N, "note": "…"}` per line.
pub const CHECKPOINTS_FILE: &str = "checkpoints.jsonl";
/// The latest signed checkpoint, as a plain note (what transparency-log tooling reads).
pub const CHECKPOINT_FILE: &str = "checkpoint";
/// The commission's verifier key in signed-note form.
pub const KEY_FILE: &str = "verifier_key.txt";
/// Format, election, origin, log size.
pub const RECORD_FILE: &str = "record.json";

const README: &str = "\
Ashyq election record
=====================

This folder is the complete record of one election as kept by Ashyq. It can be checked
offline, without a database and without trusting the server that produced it:

    ashyq verify --record THIS_FOLDER --verifier-key 'KEY' --checkpoint CHECKPOINT_YOU_SAW

exits 0 when the record is intact and 1, with one line per problem, when it is not. KEY is the
commission's verifier key and CHECKPOINT_YOU_SAW a checkpoint published earlier, both obtained
from somewhere other than this folder (the commission's site, a newspaper, a witness): the copies
inside the folder prove only that the folder agrees with itself.

Files
- log.jsonl: the append-only log, one fact per line, in the order it was accepted: the election
  definition (line 1), every accepted version of every protocol (never overwritten), double
  entries, intraday turnout snapshots, certifications; beside them, never counted in the
  official totals: observers' copies of protocols and their own turnout counts, and the events
  of risk-limiting audits (commitment, seed, rounds, hand counts, result). Each line is hashed
  as an RFC 9162 leaf, SHA-256(0x00 || line).
- checkpoints.jsonl: every signed checkpoint (C2SP tlog-checkpoint, signed as a C2SP signed note
  with Ed25519): the Merkle root (RFC 9162: node = SHA-256(0x01 || left || right)) of the log's
  first `size` lines. checkpoint: the latest one, as a plain note.
- verifier_key.txt: the commission's verifier key as the record states it.
- election.toml, units.csv, counts.csv: the definition and the latest version of every protocol
  (`ashyq outcome THIS_FOLDER` prints the legal outcome).
- record.json: format, election, origin, log size.

The canonical forms are documented in the Ashyq source, crates/ashyq-record.
";

/// Why a folder cannot be written or read at all.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FolderError(pub String);

fn io(path: &Path, e: impl std::fmt::Display) -> FolderError {
    FolderError(format!("{}: {e}", path.display()))
}

fn write_file(dir: &Path, name: &str, text: &[u8]) -> Result<(), FolderError> {
    let p = dir.join(name);
    let mut f = fs::File::create(&p).map_err(|e| io(&p, e))?;
    f.write_all(text).map_err(|e| io(&p, e))?;
    f.sync_all().map_err(|e| io(&p, e))
}

/// Writes the record into `dir` (created if needed). `leaves` is the whole log in order (the
/// first is the definition); `checkpoints` (size, note) in size order.
pub fn write(
    dir: &Path,
    def: &Definition,
    leaves: &[Leaf],
    checkpoints: &[(u64, String)],
    verifier_key: Option<&str>,
) -> Result<(), FolderError> {
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let protocols = leaves.iter().filter_map(|l| match l {
        Leaf::Protocol(p) => Some((p, p_hash(l))),
        _ => None,
    });
    let latest = certify::latest(def, protocols)
        .map_err(|e| FolderError(format!("the record is damaged: {e}")))?;
    let counts = certify::counts(def, &latest)
        .map_err(|e| FolderError(format!("the record is damaged: {e}")))?;
    ashyq_package::write_package(
        dir,
        &def.election,
        &def.tree,
        &counts,
        &["Exported Ashyq record: counts.csv holds the latest accepted version of every protocol.", "See README.txt."],
    )
    .map_err(|e| io(dir, e))?;
    let mut log = Vec::new();
    for l in leaves {
        log.extend_from_slice(&l.to_bytes());
        log.push(b'\n');
    }
    write_file(dir, LOG_FILE, &log)?;
    let mut s = String::new();
    for (size, note) in checkpoints {
        s.push_str(&serde_json::json!({"size": size, "note": note}).to_string());
        s.push('\n');
    }
    write_file(dir, CHECKPOINTS_FILE, s.as_bytes())?;
    if let Some((_, note)) = checkpoints.last() {
        write_file(dir, CHECKPOINT_FILE, note.as_bytes())?;
    }
    write_file(dir, KEY_FILE, format!("{}\n", verifier_key.unwrap_or_default()).as_bytes())?;
    write_file(
        dir,
        RECORD_FILE,
        format!(
            "{}\n",
            serde_json::json!({"format": "ashyq-record/2", "election": def.election.id().as_str(), "origin": def.leaf.origin, "log_size": leaves.len()})
        )
        .as_bytes(),
    )?;
    write_file(dir, "README.txt", README.as_bytes())
}

fn p_hash(l: &Leaf) -> crate::merkle::Hash {
    l.hash()
}

fn read(dir: &Path, name: &str) -> Result<String, FolderError> {
    let p = dir.join(name);
    fs::read_to_string(&p).map_err(|e| io(&p, e))
}

/// Reads a record folder into the verifier's input (the leaves are parsed strictly; a line
/// that is not a canonical leaf becomes an unreadable entry).
pub fn read_input(dir: &Path) -> Result<RecordInput, FolderError> {
    let meta: serde_json::Value = serde_json::from_str(&read(dir, RECORD_FILE)?)
        .map_err(|e| FolderError(format!("{RECORD_FILE}: {e}")))?;
    let election = meta
        .get("election")
        .and_then(|v| v.as_str())
        .ok_or_else(|| FolderError(format!("{RECORD_FILE}: \"election\" is missing")))?
        .to_owned();
    let log = fs::read(dir.join(LOG_FILE)).map_err(|e| io(&dir.join(LOG_FILE), e))?;
    let mut leaves = Vec::new();
    let mut stored_hashes = Vec::new();
    for line in log.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        stored_hashes.push(Some(crate::merkle::leaf_hash(line)));
        leaves.push(Leaf::parse(line).map_err(|e| format!("{LOG_FILE}: {e}")));
    }
    let mut checkpoints = Vec::new();
    for (i, line) in read(dir, CHECKPOINTS_FILE)?.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| FolderError(format!("{CHECKPOINTS_FILE}:{}: {e}", i + 1)))?;
        let (Some(size), Some(note)) =
            (v.get("size").and_then(|s| s.as_i64()), v.get("note").and_then(|s| s.as_str()))
        else {
            return Err(FolderError(format!(
                "{CHECKPOINTS_FILE}:{}: expected {{\"size\", \"note\"}}",
                i + 1
            )));
        };
        checkpoints.push((size, note.to_owned()));
    }
    let key = read(dir, KEY_FILE)?.trim().to_owned();
    Ok(RecordInput {
        election,
        leaves,
        stored_hashes,
        checkpoints,
        stored_key: (!key.is_empty()).then_some(key),
        frontiers: Vec::new(),
    })
}

/// Verifies a record folder offline: the log, its checkpoints against the anchors, and that the
/// package files say what the log says. `Err` only when the folder cannot be read at all.
pub fn verify(dir: &Path, anchors: &Anchors) -> Result<Verification, FolderError> {
    let input = read_input(dir)?;
    let mut v = verify::verify(&input, anchors);
    let def = match input.leaves.first() {
        Some(Ok(Leaf::Definition(d))) => Definition::new(d.clone()).ok(),
        _ => None,
    };
    let Some(def) = def else { return Ok(v) };
    let e = def.election.id().to_string();
    match ashyq_package::read_package(dir) {
        Err(d) => v.problems.push(format!(
            "election {e}: the package files cannot be read: {}",
            d.to_string().lines().next().unwrap_or_default()
        )),
        Ok(pkg) => {
            let (info, units) = (
                crate::definition::election_info(&pkg.election, &pkg.tree),
                crate::definition::unit_infos(&pkg.tree),
            );
            if info != def.leaf.election || units != def.leaf.units {
                v.problems.push(format!(
                    "election {e}: election.toml and units.csv differ from the definition in {LOG_FILE}"
                ));
            }
            let protocols: Vec<(&crate::leaf::ProtocolLeaf, crate::merkle::Hash)> = input
                .leaves
                .iter()
                .filter_map(|l| match l {
                    Ok(l @ Leaf::Protocol(p)) => Some((p, l.hash())),
                    _ => None,
                })
                .collect();
            if let Ok(counts) =
                certify::latest(&def, protocols).and_then(|l| certify::counts(&def, &l))
            {
                for (c, (want, got)) in
                    def.election.contests().iter().zip(counts.iter().zip(&pkg.counts))
                {
                    if want != got {
                        v.problems.push(format!(
                            "election {e}: counts.csv: contest {} differs from the latest protocol versions in {LOG_FILE}",
                            c.id()
                        ));
                    }
                }
            }
        }
    }
    Ok(v)
}
