//! The verification procedure, the same for a database and for an exported record folder: from
//! the leaves (rebuilt from rows, or read from the folder) and what the record stores beside
//! them (leaf hashes, checkpoints, frontiers, its verifier key), recompute everything and name
//! every problem. Trust comes from outside the record: a verifier key pinned by the reader and
//! checkpoints the reader obtained earlier (from the commission's publication, a witness, a
//! newspaper). Without them only internal consistency can be checked, and the report says so.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::certify::{self, Definition};
use crate::leaf::{Leaf, ProtocolLeaf};
use crate::merkle::{self, Frontier, Hash};
use crate::note::{Checkpoint, VerifierKey};

/// At most this many problems are listed; the rest are counted.
pub const MAX_PROBLEMS: usize = 200;

/// The hours of the intraday turnout snapshots (local time on election day).
pub const TURNOUT_HOURS: [&str; 6] = ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"];

/// What a record holds, as the verifier reads it.
#[derive(Clone, Debug, Default)]
pub struct RecordInput {
    /// The election the record claims to be.
    pub election: String,
    /// Each log entry in order: its leaf, or why it cannot be read (a damaged row or line).
    pub leaves: Vec<Result<Leaf, String>>,
    /// The hash stored with each log entry (`None` when it is not 64 hex digits). The tree and
    /// its checkpoints are over these stored hashes; each is checked against its leaf.
    pub stored_hashes: Vec<Option<Hash>>,
    /// Signed checkpoints stored in the record (size as stored, note text).
    pub checkpoints: Vec<(i64, String)>,
    /// The verifier key stored in the record, if any.
    pub stored_key: Option<String>,
    /// Frontiers stored in the record (size as stored, subtree roots).
    pub frontiers: Vec<(i64, Vec<Option<Hash>>)>,
}

/// What the reader trusts, from outside the record.
#[derive(Clone, Debug, Default)]
pub struct Anchors {
    /// The commission's verifier key, obtained independently.
    pub key: Option<VerifierKey>,
    /// Checkpoints published earlier: (where it came from, signed note).
    pub checkpoints: Vec<(String, String)>,
}

/// The result of a verification.
#[derive(Clone, Debug, Default)]
pub struct Verification {
    /// One sentence per problem; empty when the record is intact.
    pub problems: Vec<String>,
    /// True when a pinned key or a published checkpoint anchored the check.
    pub anchored: bool,
    /// The key the checkpoints were checked with (pinned, else the record's own).
    pub key: Option<String>,
    /// Log entries.
    pub log_size: u64,
    /// The largest checkpoint whose signature verified.
    pub latest_checkpoint: Option<u64>,
}

struct Problems<'a> {
    election: &'a str,
    list: Vec<String>,
}

impl Problems<'_> {
    fn push(&mut self, msg: impl AsRef<str>) {
        self.list.push(format!("election {}: {}", self.election, msg.as_ref()));
    }
}

/// Runs every check.
pub fn verify(input: &RecordInput, anchors: &Anchors) -> Verification {
    let mut p = Problems { election: &input.election, list: Vec::new() };
    let n = input.leaves.len();
    if input.stored_hashes.len() != n {
        p.push(format!(
            "the log has {} entries but {} stored hashes",
            n,
            input.stored_hashes.len()
        ));
    }
    // 1. Each entry's leaf hashes to what the log stored.
    let mut tree_hashes: Vec<Hash> = Vec::with_capacity(n);
    for (i, leaf) in input.leaves.iter().enumerate() {
        let stored = input.stored_hashes.get(i).copied().flatten();
        let computed = leaf.as_ref().ok().map(Leaf::hash);
        match (leaf, stored, computed) {
            (Err(why), _, _) => p.push(format!("log entry {} cannot be read: {why}", i + 1)),
            (Ok(l), Some(s), Some(c)) if s != c => p.push(format!(
                "log entry {}: {} hashes to {}, but the log records {}: its content or the stored hash was altered",
                i + 1,
                l.describe(),
                hex::encode(c),
                hex::encode(s)
            )),
            (Ok(_), None, _) => p.push(format!("log entry {} holds a malformed hash", i + 1)),
            _ => {}
        }
        tree_hashes.push(stored.or(computed).unwrap_or([0; 32]));
    }
    // 2. The definition.
    let def = match input.leaves.first() {
        None => {
            p.push("the log is empty: it has no definition");
            None
        }
        Some(Ok(Leaf::Definition(d))) => match Definition::new(d.clone()) {
            Ok(def) => Some(def),
            Err(errs) => {
                for e in errs {
                    p.push(e);
                }
                None
            }
        },
        Some(Ok(other)) => {
            p.push(format!("log entry 1 is {}, not the election definition", other.describe()));
            None
        }
        Some(Err(_)) => None,
    };
    if let Some(d) = &def {
        if d.leaf.election.id != input.election {
            p.push(format!("the definition names election {}", d.leaf.election.id));
        }
    }
    // 3. The meaning of every entry.
    if let Some(def) = &def {
        semantics(def, input, &tree_hashes, &mut p);
    }
    // 4. Checkpoints, frontiers and the reader's anchors.
    let origin = def.as_ref().map(|d| d.leaf.origin.clone());
    let anchored = anchors.key.is_some() || !anchors.checkpoints.is_empty();
    let stored_key = input.stored_key.as_deref().map(|text| {
        VerifierKey::parse(text).and_then(|k| {
            // The stored form must be the canonical one, byte for byte.
            if k.to_string() == text {
                Ok(k)
            } else {
                Err(crate::note::NoteError::BadVerifierKey(
                    "it is not written in canonical form".into(),
                ))
            }
        })
    });
    if let Some(Err(e)) = &stored_key {
        p.push(format!("the record's verifier key cannot be read: {e}"));
    }
    let key: Option<VerifierKey> = match (&anchors.key, &stored_key) {
        (Some(pinned), Some(Ok(stored))) => {
            if pinned != stored {
                p.push(format!(
                    "the record names verifier key {stored}, not the pinned key {pinned}: the record was re-signed by another key"
                ));
            }
            Some(pinned.clone())
        }
        (Some(pinned), _) => Some(pinned.clone()),
        (None, Some(Ok(stored))) => Some(stored.clone()),
        (None, _) => None,
    };
    if let (Some(k), Some(o)) = (&key, &origin) {
        if k.name() != o {
            p.push(format!("the verifier key is named {}, but the log's origin is {o}", k.name()));
        }
    }
    // Roots at every size anything refers to, in one pass.
    let mut sizes: BTreeSet<u64> = BTreeSet::new();
    let mut parsed_cps: Vec<(i64, Result<Checkpoint, String>)> = Vec::new();
    for (size, note) in &input.checkpoints {
        let parsed = match &key {
            Some(k) => Checkpoint::open(note, k).map_err(|e| e.to_string()),
            None => Err("the record holds signed checkpoints but no verifier key".to_owned()),
        };
        if let Ok(c) = &parsed {
            sizes.insert(c.size);
        }
        parsed_cps.push((*size, parsed));
    }
    let mut published: Vec<(String, Result<Checkpoint, String>)> = Vec::new();
    for (label, note) in &anchors.checkpoints {
        let parsed = match &key {
            Some(k) => Checkpoint::open(note, k).map_err(|e| e.to_string()),
            None => Err("there is no key to check it with (give --verifier-key)".to_owned()),
        };
        if let Ok(c) = &parsed {
            sizes.insert(c.size);
        }
        published.push((label.clone(), parsed));
    }
    for (size, _) in &input.frontiers {
        if let Ok(s) = u64::try_from(*size) {
            sizes.insert(s);
        }
    }
    let (roots, frontiers) = roots_at(&tree_hashes, &sizes);
    let mut latest_checkpoint: Option<u64> = None;
    for (stored_size, parsed) in parsed_cps {
        match parsed {
            Err(e) => p.push(format!("the checkpoint stored at size {stored_size}: {e}")),
            Ok(c) => {
                if i64::try_from(c.size).ok() != Some(stored_size) {
                    p.push(format!(
                        "a checkpoint stored at size {stored_size} is for size {}",
                        c.size
                    ));
                }
                if let Some(o) = &origin {
                    if &c.origin != o {
                        p.push(format!(
                            "the checkpoint of size {} names origin {}, not {o}",
                            c.size, c.origin
                        ));
                    }
                }
                match roots.get(&c.size) {
                    None => p.push(format!(
                        "a checkpoint was signed at size {}, but the log has only {n} entries: entries were deleted",
                        c.size
                    )),
                    Some(r) if *r != c.root => p.push(format!(
                        "the checkpoint of size {}: the log's first {} entries hash to root {}, but the signed checkpoint states {}: the log was altered",
                        c.size,
                        c.size,
                        hex::encode(r),
                        hex::encode(c.root)
                    )),
                    Some(_) => latest_checkpoint = latest_checkpoint.max(Some(c.size)),
                }
            }
        }
    }
    // A signed record is written only with its key, so every entry is covered by a signed
    // checkpoint; entries beyond the last one were appended without the commission's key.
    if key.is_some() {
        let covered = latest_checkpoint.unwrap_or(0);
        if covered < n as u64 {
            p.push(format!(
                "log entries {} to {n} are not covered by any checkpoint signed by {}: they were appended without the commission's signature",
                covered + 1,
                if anchors.key.is_some() { "the pinned key" } else { "the record's key" }
            ));
        }
    }
    let latest_root = latest_checkpoint.and_then(|s| roots.get(&s).copied());
    for (label, parsed) in published {
        match parsed {
            Err(e) => p.push(format!("the published checkpoint {label}: {e}")),
            Ok(c) => match roots.get(&c.size) {
                None => p.push(format!(
                    "the published checkpoint {label} covers {} entries, but the record has only {n}: the record was rolled back or truncated",
                    c.size
                )),
                Some(r) if *r != c.root => p.push(format!(
                    "the published checkpoint {label} (size {}) states root {}, but the record's first {} entries hash to {}: the record was rewritten",
                    c.size,
                    hex::encode(c.root),
                    c.size,
                    hex::encode(r)
                )),
                Some(_) => {
                    if let (Some(ls), Some(lr)) = (latest_checkpoint, latest_root) {
                        if ls >= c.size {
                            let proof = merkle::consistency_proof(&tree_hashes, c.size, ls).unwrap_or_default();
                            if let Err(e) = merkle::verify_consistency(c.size, ls, &c.root, &lr, &proof) {
                                p.push(format!(
                                    "the published checkpoint {label} (size {}) is not consistent with the record's checkpoint of size {ls}: {e}",
                                    c.size
                                ));
                            }
                        }
                    }
                }
            },
        }
    }
    for (size, hashes) in &input.frontiers {
        let want = u64::try_from(*size).ok().and_then(|s| frontiers.get(&s));
        let got: Option<Vec<Hash>> = hashes.iter().copied().collect();
        match (want, got) {
            (None, _) => p.push(format!("a frontier is stored for size {size}, beyond the log's {n} entries")),
            (Some(w), Some(g)) if w.hashes() == g => {}
            _ => p.push(format!(
                "the frontier stored at size {size} differs from the log's: later appends would have signed wrong roots"
            )),
        }
    }
    let mut problems = p.list;
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("election {}: … and {more} more problems", input.election));
    }
    Verification {
        problems,
        anchored,
        key: key.map(|k| k.to_string()),
        log_size: n as u64,
        latest_checkpoint,
    }
}

/// Roots and frontiers at the given sizes (those within the log).
fn roots_at(
    leaves: &[Hash],
    sizes: &BTreeSet<u64>,
) -> (HashMap<u64, Hash>, HashMap<u64, Frontier>) {
    let mut roots = HashMap::new();
    let mut frontiers = HashMap::new();
    let mut f = Frontier::new();
    let mut want = sizes.iter().copied().peekable();
    if want.peek() == Some(&0) {
        roots.insert(0, f.root());
        frontiers.insert(0, f.clone());
        want.next();
    }
    for l in leaves {
        f.push(*l);
        if want.peek() == Some(&f.size()) {
            roots.insert(f.size(), f.root());
            frontiers.insert(f.size(), f.clone());
            want.next();
        }
    }
    (roots, frontiers)
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Checks what each entry means against the definition and the entries before it.
fn semantics(def: &Definition, input: &RecordInput, hashes: &[Hash], p: &mut Problems<'_>) {
    let eid = def.leaf.election.id.as_str();
    let mut versions: HashMap<(usize, usize), u64> = HashMap::new();
    // (contest, unit, round) → folded authors who keyed it.
    let mut keyed: HashMap<(usize, usize, u64), BTreeSet<String>> = HashMap::new();
    let mut turnout_seen: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut protocols: Vec<(usize, &ProtocolLeaf)> = Vec::new();
    let mut next_cert = 1u64;
    for (i, leaf) in input.leaves.iter().enumerate() {
        let Ok(leaf) = leaf else { continue };
        let pos = i + 1;
        if leaf.election() != eid {
            p.push(format!(
                "log entry {pos} ({}) belongs to election {}",
                leaf.describe(),
                leaf.election()
            ));
        }
        match leaf {
            Leaf::Definition(_) => {
                if i > 0 {
                    p.push(format!("log entry {pos} is a second election definition"));
                }
            }
            Leaf::Protocol(pr) => {
                let (c, u) = match certify::resolve(def, &pr.contest, &pr.unit) {
                    Ok(x) => x,
                    Err(e) => {
                        p.push(format!("log entry {pos} ({}): {e}", leaf.describe()));
                        continue;
                    }
                };
                if let Err(e) = certify::lines_row(&def.election.contests()[c], &pr.lines) {
                    p.push(format!("log entry {pos} ({}): {e}", leaf.describe()));
                }
                let cur = versions.entry((c, u)).or_insert(0);
                if pr.version != *cur + 1 {
                    p.push(format!(
                        "log entry {pos} ({}) follows version {}: a version is missing, repeated or out of order",
                        leaf.describe(),
                        *cur
                    ));
                }
                *cur = pr.version.max(*cur);
                if def.leaf.double_entry && pr.author != "import" {
                    let entrants = keyed.get(&(c, u, pr.version)).map_or(0, BTreeSet::len);
                    if entrants < 2 {
                        p.push(format!(
                            "log entry {pos} ({}) was accepted under double entry, but only {entrants} independent entries precede it",
                            leaf.describe()
                        ));
                    }
                }
                protocols.push((i, pr));
            }
            Leaf::Entry(e) => {
                let (c, u) = match certify::resolve(def, &e.contest, &e.unit) {
                    Ok(x) => x,
                    Err(err) => {
                        p.push(format!("log entry {pos} ({}): {err}", leaf.describe()));
                        continue;
                    }
                };
                if !def.leaf.double_entry {
                    p.push(format!("log entry {pos} ({}) is a double entry, but the election does not use double entry", leaf.describe()));
                }
                if let Err(err) = certify::lines_row(&def.election.contests()[c], &e.lines) {
                    p.push(format!("log entry {pos} ({}): {err}", leaf.describe()));
                }
                let cur = versions.get(&(c, u)).copied().unwrap_or(0);
                if e.round != cur + 1 {
                    p.push(format!(
                        "log entry {pos} ({}) was keyed while the protocol was at version {cur}",
                        leaf.describe()
                    ));
                }
                keyed.entry((c, u, e.round)).or_default().insert(fold(&e.author));
            }
            Leaf::Turnout(t) => {
                match def.tree.index_of(&t.unit) {
                    None => p.push(format!(
                        "log entry {pos} ({}): unit {} is not in the definition",
                        leaf.describe(),
                        t.unit
                    )),
                    Some(u) => {
                        if !def.tree.children(u).is_empty() {
                            p.push(format!(
                                "log entry {pos} ({}): unit {} is not a polling station",
                                leaf.describe(),
                                t.unit
                            ));
                        }
                        if let Some(first) = turnout_seen.insert((u, t.hour.clone()), pos) {
                            p.push(format!(
                                "log entries {first} and {pos} both report the turnout of {} at {}",
                                t.unit, t.hour
                            ));
                        }
                    }
                }
                if !TURNOUT_HOURS.contains(&t.hour.as_str()) {
                    p.push(format!(
                        "log entry {pos} ({}): {} is not a snapshot hour",
                        leaf.describe(),
                        t.hour
                    ));
                }
            }
            Leaf::Certification(c) => {
                if c.seq != next_cert {
                    p.push(format!(
                        "log entry {pos} is certification {}, expected certification {next_cert}",
                        c.seq
                    ));
                }
                next_cert = c.seq.max(next_cert) + 1;
                if c.log_size > i as u64 {
                    p.push(format!(
                        "log entry {pos} ({}) claims to cover {} entries, more than precede it",
                        leaf.describe(),
                        c.log_size
                    ));
                    continue;
                }
                let covered = protocols
                    .iter()
                    .filter(|(j, _)| (*j as u64) < c.log_size)
                    .map(|(j, pr)| (*pr, hashes[*j]));
                let recomputed = certify::latest(def, covered).and_then(|latest| {
                    let counts = certify::counts(def, &latest)?;
                    Ok((certify::inputs_hash(def, &latest), certify::totals_csv(def, &counts)?))
                });
                match recomputed {
                    Err(e) => p.push(format!(
                        "log entry {pos} ({}): cannot be recomputed: {e}",
                        leaf.describe()
                    )),
                    Ok((h, totals)) => {
                        if h != c.inputs_hash {
                            p.push(format!(
                                "log entry {pos} ({}, {}): its inputs hash to {h}, but it states {}",
                                leaf.describe(),
                                c.at,
                                c.inputs_hash
                            ));
                        }
                        if totals != c.totals {
                            p.push(format!(
                                "log entry {pos} ({}, {}): the recomputed totals differ from the certified totals",
                                leaf.describe(),
                                c.at
                            ));
                        }
                    }
                }
            }
        }
    }
}
