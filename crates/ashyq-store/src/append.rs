//! Appending facts to an election's log inside a write transaction: one log row per leaf, the
//! frontier after the write (so the next append costs O(log n), never a reload of every leaf),
//! and, with the commission's key, a signed C2SP checkpoint.

use ashyq_record::leaf::Leaf;
use ashyq_record::merkle::{self, Frontier};
use ashyq_record::note::Checkpoint;
use ashyq_record::Signer;

use crate::db::{Db, Value};
use crate::{Receipt, StoreError};

/// A fact to log: its kind, the id of its row (0 for the definition) and its leaf hash.
pub(crate) struct NewLeaf {
    pub(crate) kind: &'static str,
    pub(crate) reference: i64,
    pub(crate) hash: merkle::Hash,
}

impl NewLeaf {
    pub(crate) fn new(reference: i64, leaf: &Leaf) -> NewLeaf {
        NewLeaf { kind: leaf.kind(), reference, hash: leaf.hash() }
    }
}

/// The log after an append.
pub(crate) struct Appended {
    /// Log size before the append.
    pub(crate) first_index: u64,
    /// Leaf hashes of the appended leaves, in order.
    pub(crate) hashes: Vec<merkle::Hash>,
    /// Log size after.
    pub(crate) size: u64,
    /// The signed checkpoint, when signed.
    pub(crate) checkpoint: Option<String>,
}

impl Appended {
    /// The receipt of the `k`-th appended leaf.
    pub(crate) fn receipt(&self, k: usize) -> Receipt {
        Receipt {
            log_index: self.first_index + k as u64,
            leaf_hash: self.hashes.get(k).map(hex::encode).unwrap_or_default(),
            tree_size: self.size,
            checkpoint: self.checkpoint.clone(),
            replayed: false,
        }
    }
}

/// The frontier of the election's log as it stands (from the frontier row stored at its size;
/// rebuilt from the leaves only if that row is missing).
fn frontier(db: &mut Db, eid: &str, size: u64) -> Result<Frontier, StoreError> {
    if size == 0 {
        return Ok(Frontier::new());
    }
    let rows = db.query(
        "SELECT hashes FROM log_frontiers WHERE election_id = ?1 AND size = ?2",
        &[eid.into(), Value::Int(size as i64)],
    )?;
    if let Some(r) = rows.first() {
        let hashes: Option<Vec<merkle::Hash>> =
            r[0].text()?.split(',').map(merkle::parse_hash).collect();
        if let Some(f) = hashes.and_then(|h| Frontier::from_parts(size, &h)) {
            return Ok(f);
        }
        return Err(StoreError::corrupt(
            "the stored frontier does not parse",
            format!("log_frontiers of election {eid} at size {size}"),
        ));
    }
    let mut f = Frontier::new();
    for r in
        db.query("SELECT leaf_hash FROM log WHERE election_id = ?1 ORDER BY seq", &[eid.into()])?
    {
        f.push(merkle::parse_hash(r[0].text()?).ok_or_else(|| {
            StoreError::corrupt(
                "a leaf hash is not 64 hexadecimal digits",
                format!("the log of election {eid}"),
            )
        })?);
    }
    Ok(f)
}

/// Appends `leaves` (whose rows the caller has just inserted) to the log. Must run inside a
/// write transaction. A record that has a verifier key is written only with that key.
pub(crate) fn append(
    db: &mut Db,
    eid: &str,
    origin: &str,
    leaves: Vec<NewLeaf>,
    signer: Option<&Signer>,
) -> Result<Appended, StoreError> {
    let size = db.query_one(
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM log WHERE election_id = ?1",
        &[eid.into()],
    )?[0]
        .int()? as u64;
    let mut f = frontier(db, eid, size)?;
    if f.size() != size {
        return Err(StoreError::corrupt(
            format!("the log has {size} entries but its leaves number {}", f.size()),
            format!("the log of election {eid}"),
        ));
    }
    let mut hashes = Vec::with_capacity(leaves.len());
    let mut rows = Vec::with_capacity(leaves.len());
    for (k, nl) in leaves.iter().enumerate() {
        let h = nl.hash;
        f.push(h);
        hashes.push(h);
        rows.push(vec![
            eid.into(),
            Value::Int((size + k as u64 + 1) as i64),
            nl.kind.into(),
            Value::Int(nl.reference),
            hex::encode(h).into(),
        ]);
    }
    db.insert_many("INSERT INTO log (election_id, seq, kind, ref, leaf_hash)", 5, rows, |_| {})?;
    let new_size = f.size();
    let joined: Vec<String> = f.hashes().iter().map(hex::encode).collect();
    db.exec(
        "INSERT INTO log_frontiers (election_id, size, hashes) VALUES (?1, ?2, ?3)",
        &[eid.into(), Value::Int(new_size as i64), joined.join(",").into()],
    )?;
    let stored =
        db.query("SELECT verifier_key FROM record_keys WHERE election_id = ?1", &[eid.into()])?;
    let stored = stored.first().map(|r| r[0].text().map(str::to_owned)).transpose()?;
    let Some(signer) = signer else {
        if let Some(k) = stored {
            return Err(StoreError::Key(format!(
                "the record of election {eid} is signed by key {k}; give the commission's key file (--key) so that every entry is covered by a signed checkpoint"
            )));
        }
        return Ok(Appended { first_index: size, hashes, size: new_size, checkpoint: None });
    };
    let vk = signer.verifier_key(origin).map_err(|e| StoreError::Key(e.to_string()))?.to_string();
    match stored {
        None => {
            db.exec(
                "INSERT INTO record_keys (election_id, verifier_key) VALUES (?1, ?2)",
                &[eid.into(), vk.as_str().into()],
            )?;
        }
        Some(k) if k == vk => {}
        Some(k) => {
            return Err(StoreError::Key(format!(
                "the key file's verifier key {vk} is not the record's key {k} for election {eid}"
            )))
        }
    }
    let c = Checkpoint { origin: origin.to_owned(), size: new_size, root: f.root() };
    let note = signer.sign_checkpoint(&c).map_err(|e| StoreError::Key(e.to_string()))?;
    db.exec(
        "INSERT INTO checkpoints (election_id, size, note) VALUES (?1, ?2, ?3)",
        &[eid.into(), Value::Int(new_size as i64), note.as_str().into()],
    )?;
    Ok(Appended { first_index: size, hashes, size: new_size, checkpoint: Some(note) })
}

/// The next free id of a table with an `id` column.
pub(crate) fn next_id(db: &mut Db, table: &str) -> Result<i64, StoreError> {
    Ok(db.query_one(&format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"), &[])?[0]
        .int()?
        + 1)
}
