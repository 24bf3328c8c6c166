//! Reading the log for outsiders: the verifier key, the latest signed checkpoint, inclusion
//! proofs of protocol versions (RFC 9162 §2.1.3) and consistency proofs (§2.1.4).

use ashyq_record::merkle::{self, Hash};
use ashyq_record::note::{Checkpoint, VerifierKey};

use crate::db::Value;
use crate::{rows, Store, StoreError};

/// An inclusion proof of one protocol version against a signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// 0-based index of the leaf.
    pub leaf_index: u64,
    /// Size of the tree the proof is against (the latest checkpoint's).
    pub tree_size: u64,
    /// The leaf's canonical bytes.
    pub leaf: Vec<u8>,
    /// Its RFC 9162 leaf hash.
    pub leaf_hash: Hash,
    /// The audit path, bottom up.
    pub path: Vec<Hash>,
    /// The root of the tree of `tree_size` leaves.
    pub root_hash: Hash,
    /// The signed checkpoint of that root.
    pub checkpoint: String,
}

/// A consistency proof between two tree sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyProof {
    /// The smaller size.
    pub from: u64,
    /// The larger size.
    pub to: u64,
    /// The proof.
    pub path: Vec<Hash>,
    /// Root of the first `from` leaves.
    pub from_root: Hash,
    /// Root of the first `to` leaves.
    pub to_root: Hash,
}

/// An accepted protocol version, as a reader following the log sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedVersion {
    /// 1-based position in the log.
    pub seq: u64,
    /// Contest index in the definition.
    pub contest: usize,
    /// Unit index in the tree.
    pub unit: usize,
    /// Version number.
    pub version: u64,
    /// The protocol's row (column order of `ashyq_core::counts::Row`).
    pub row: ashyq_core::counts::Row,
    /// When it was entered (RFC 3339, UTC, as recorded).
    pub at: String,
}

/// Where an election's log stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogState {
    /// Entries.
    pub size: u64,
    /// Root of the whole log.
    pub root: Hash,
    /// The latest signed checkpoint's size (0 when none).
    pub signed_size: u64,
}

impl Store {
    /// The log's size and root, read from the stored frontier (O(log n)).
    pub fn log_state(&mut self, election_id: &str) -> Result<LogState, StoreError> {
        let loc = || format!("the log of election {election_id}");
        let size = self.db.query_one(
            "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM log WHERE election_id = ?1",
            &[election_id.into()],
        )?[0]
            .int()?;
        let signed = self.db.query_one(
            "SELECT CAST(COALESCE(MAX(size), 0) AS BIGINT) FROM checkpoints WHERE election_id = ?1",
            &[election_id.into()],
        )?[0]
            .int()?;
        let root = if size == 0 {
            merkle::empty_root()
        } else {
            let rows = self.db.query(
                "SELECT hashes FROM log_frontiers WHERE election_id = ?1 AND size = ?2",
                &[election_id.into(), Value::Int(size)],
            )?;
            let r = rows.first().ok_or_else(|| {
                StoreError::corrupt(format!("no frontier is stored at size {size}"), loc())
            })?;
            let hashes: Option<Vec<Hash>> =
                r[0].text()?.split(',').map(merkle::parse_hash).collect();
            hashes
                .and_then(|h| merkle::Frontier::from_parts(size as u64, &h))
                .ok_or_else(|| StoreError::corrupt("the stored frontier does not parse", loc()))?
                .root()
        };
        Ok(LogState { size: size.max(0) as u64, root, signed_size: signed.max(0) as u64 })
    }

    /// The protocol versions accepted after the first `after` log entries, in log order (what a
    /// live view applies to stay current).
    pub fn versions_since(
        &mut self,
        election_id: &str,
        after: u64,
    ) -> Result<Vec<LoggedVersion>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let rows = self.db.query(
            "SELECT l.seq, v.contest_idx, v.unit_idx, v.version, v.lines, v.at FROM log l JOIN protocol_versions v ON l.election_id = v.election_id AND l.kind = 'protocol' AND l.ref = v.id WHERE l.election_id = ?1 AND l.seq > ?2 ORDER BY l.seq",
            &[election_id.into(), Value::Int(after.min(i64::MAX as u64) as i64)],
        )?;
        let loc = || format!("a protocol version of election {election_id}");
        rows.iter()
            .map(|r| {
                let (c, u) = rows::resolve(&def, r[1].int()?, r[2].int()?, "a protocol version")?;
                let lines =
                    rows::parse_lines(r[4].text()?).map_err(|e| StoreError::corrupt(e, loc()))?;
                let row = ashyq_record::certify::lines_row(&def.election.contests()[c], &lines)
                    .map_err(|e| StoreError::corrupt(e, loc()))?;
                Ok(LoggedVersion {
                    seq: r[0].int()?.max(0) as u64,
                    contest: c,
                    unit: u,
                    version: r[3].int()?.max(0) as u64,
                    row,
                    at: r[5].text()?.to_owned(),
                })
            })
            .collect()
    }

    fn leaf_hashes(&mut self, eid: &str) -> Result<Vec<Hash>, StoreError> {
        self.db
            .query(
                "SELECT seq, leaf_hash FROM log WHERE election_id = ?1 ORDER BY seq",
                &[eid.into()],
            )?
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let loc = || format!("log entry {} of election {eid}", i + 1);
                if r[0].int()? != i as i64 + 1 {
                    return Err(StoreError::corrupt("the log has a gap", loc()));
                }
                merkle::parse_hash(r[1].text()?)
                    .ok_or_else(|| StoreError::corrupt("a malformed leaf hash", loc()))
            })
            .collect()
    }

    /// The commission's verifier key for an election, in signed-note form
    /// (`name+keyid+base64key`). `NotFound` when the record was never signed.
    pub fn verifier_key(&mut self, election_id: &str) -> Result<String, StoreError> {
        let eid = self.election_id(Some(election_id))?;
        let rows = self.db.query(
            "SELECT verifier_key FROM record_keys WHERE election_id = ?1",
            &[eid.as_str().into()],
        )?;
        match rows.first() {
            Some(r) => Ok(r[0].text()?.to_owned()),
            None => Err(StoreError::NotFound(format!(
                "the record of election {eid} has no verifier key: it was written without the commission's key (--key)"
            ))),
        }
    }

    /// The latest signed checkpoint (size, note), checked against the record's own key.
    pub fn latest_checkpoint(
        &mut self,
        election_id: &str,
    ) -> Result<(Checkpoint, String), StoreError> {
        let key = self.verifier_key(election_id)?;
        let rows = self.db.query(
            "SELECT size, note FROM checkpoints WHERE election_id = ?1 ORDER BY size DESC LIMIT 1",
            &[election_id.into()],
        )?;
        let Some(r) = rows.first() else {
            return Err(StoreError::NotFound(format!(
                "the record of election {election_id} holds no signed checkpoint"
            )));
        };
        let note = r[1].text()?.to_owned();
        let loc = || format!("the checkpoint of election {election_id} at size {:?}", r[0]);
        let vk = VerifierKey::parse(&key).map_err(|e| StoreError::corrupt(e.to_string(), loc()))?;
        let c =
            Checkpoint::open(&note, &vk).map_err(|e| StoreError::corrupt(e.to_string(), loc()))?;
        Ok((c, note))
    }

    /// The inclusion proof of a protocol version (the latest when `version` is `None`) against
    /// the latest signed checkpoint.
    pub fn prove(
        &mut self,
        election_id: &str,
        contest: &str,
        unit: &str,
        version: Option<u64>,
    ) -> Result<InclusionProof, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (ci, ui) = Self::protocol_key_pub(&def, contest, unit)?;
        let (cp, note) = self.latest_checkpoint(election_id)?;
        let sql = format!(
            "SELECT l.seq, {} FROM protocol_versions v JOIN log l ON l.election_id = v.election_id AND l.kind = 'protocol' AND l.ref = v.id WHERE v.election_id = ?1 AND v.contest_idx = ?2 AND v.unit_idx = ?3 ORDER BY v.version",
            rows::PROTOCOL_COLUMNS.split(", ").map(|c| format!("v.{c}")).collect::<Vec<_>>().join(", ")
        );
        let found = self
            .db
            .query(&sql, &[election_id.into(), Value::Int(ci as i64), Value::Int(ui as i64)])?;
        let row = match version {
            None => found.last(),
            Some(v) => found.iter().find(|r| r[4].int().ok() == i64::try_from(v).ok()),
        };
        let Some(row) = row else {
            return Err(StoreError::NotFound(match version {
                None => {
                    format!("protocol (contest {contest}, unit {unit}) has no accepted version")
                }
                Some(v) => format!("protocol (contest {contest}, unit {unit}) has no version {v}"),
            }));
        };
        let index = (row[0].int()? - 1).max(0) as u64;
        let loc = || format!("log entry {} of election {election_id}", index + 1);
        let leaf = rows::protocol_leaf(&def.leaf, &row[1..].to_vec())
            .map_err(|e| StoreError::corrupt(e, loc()))?;
        if index >= cp.size {
            return Err(StoreError::NotFound(format!(
                "protocol (contest {contest}, unit {unit}) is log entry {}, which no signed checkpoint covers yet (the latest covers {})",
                index + 1,
                cp.size
            )));
        }
        let hashes = self.leaf_hashes(election_id)?;
        let bytes = leaf.to_bytes();
        let leaf_hash = merkle::leaf_hash(&bytes);
        if hashes.get(index as usize) != Some(&leaf_hash) {
            return Err(StoreError::corrupt(
                "the protocol version does not hash to its log entry",
                loc(),
            ));
        }
        let path = merkle::inclusion_proof(&hashes, index, cp.size).ok_or_else(|| {
            StoreError::corrupt(
                format!(
                    "the log has {} entries but its checkpoint covers {}",
                    hashes.len(),
                    cp.size
                ),
                loc(),
            )
        })?;
        Ok(InclusionProof {
            leaf_index: index,
            tree_size: cp.size,
            leaf: bytes,
            leaf_hash,
            path,
            root_hash: cp.root,
            checkpoint: note,
        })
    }

    /// The consistency proof between the first `from` and the first `to` entries (default: the
    /// latest signed checkpoint's size).
    pub fn consistency(
        &mut self,
        election_id: &str,
        from: u64,
        to: Option<u64>,
    ) -> Result<ConsistencyProof, StoreError> {
        let to = match to {
            Some(t) => t,
            None => self.latest_checkpoint(election_id)?.0.size,
        };
        let hashes = self.leaf_hashes(election_id)?;
        if from > to || to > hashes.len() as u64 {
            return Err(StoreError::Invalid(format!(
                "a consistency proof needs 0 ≤ from ≤ to ≤ {} (the log's size); got from {from}, to {to}",
                hashes.len()
            )));
        }
        let path = merkle::consistency_proof(&hashes, from, to).unwrap_or_default();
        Ok(ConsistencyProof {
            from,
            to,
            path,
            from_root: merkle::root(&hashes[..from as usize]),
            to_root: merkle::root(&hashes[..to as usize]),
        })
    }
}
