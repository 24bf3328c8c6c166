//! The verification procedure, the same for a database and for an exported record folder: from
//! the leaves (rebuilt from rows, or read from the folder) and what the record stores beside
//! them (leaf hashes, checkpoints, frontiers, its verifier key), recompute everything and name
//! every problem. Trust comes from outside the record: a verifier key pinned by the reader and
//! checkpoints the reader obtained earlier (from the commission's publication, a witness, a
//! newspaper). Without them only internal consistency can be checked, and the report says so.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ashyq_audit::macro_audit::MacroAudit;
use ashyq_core::counts::Row;
use ashyq_core::units::UnitIdx;

use crate::audit;
use crate::certify::{self, Definition};
use crate::leaf::{AuditEvent, AuditLeaf, Leaf, ProtocolLeaf};
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
    /// The public keys precinct and territorial commissions published before the count (unit
    /// id → base64 Ed25519 key): every protocol version of a listed unit must carry that
    /// commission's signature with that key.
    pub protocol_keys: BTreeMap<String, String>,
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
    /// Protocol versions that carry a commission's own signature (each checked).
    pub signed_protocols: u64,
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
        semantics(def, input, anchors, &tree_hashes, &mut p);
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
        signed_protocols: input
            .leaves
            .iter()
            .filter(|l| matches!(l, Ok(Leaf::Protocol(p)) if p.signature.is_some()))
            .count() as u64,
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

/// Whether `s` is a time of day `HH:MM` (00:00 to 23:59).
pub fn is_time_of_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
        && (b[0] - b'0') * 10 + (b[1] - b'0') < 24
        && b[3] < b'6'
}

/// Whether `s` is a SHA-256 as the record writes it: 64 lowercase hexadecimal digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether an observer's or author's name is well-formed: not empty, no surrounding blanks, no
/// control characters, at most 200 bytes.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.trim() == s
        && s.len() <= crate::QUOTE_LIMIT
        && !s.chars().any(char::is_control)
}

/// An audit as its events replay.
struct AuditReplay {
    contest: usize,
    alpha: f64,
    /// The audit over the committed protocols (`None` when the commitment could not be
    /// recomputed: its problem is already reported).
    macro_audit: Option<MacroAudit>,
    seed: Option<String>,
    rounds: u64,
    draws: u64,
    drawn: Vec<UnitIdx>,
    hand: BTreeMap<UnitIdx, Row>,
    closed: bool,
}

/// Checks an audit event against the audit's earlier events and the log before it.
fn audit_event(
    def: &Definition,
    a: &AuditLeaf,
    pos: usize,
    hashes: &[Hash],
    protocols: &[(usize, &ProtocolLeaf)],
    audits: &mut BTreeMap<u64, AuditReplay>,
    p: &mut Problems<'_>,
) {
    let what = Leaf::Audit(a.clone()).describe();
    let mut bad = |msg: String| p.push(format!("log entry {pos} ({what}): {msg}"));
    if let AuditEvent::Committed(c) = &a.event {
        let expected = audits.keys().next_back().map_or(1, |n| n + 1);
        if a.audit != expected {
            bad(format!("audits are numbered in order; the next is audit {expected}"));
            return;
        }
        let contest = match def.election.contest_index(&c.contest) {
            Some(ci) => ci,
            None => {
                bad(format!("contest \"{}\" is not in the definition", crate::quote(&c.contest)));
                return;
            }
        };
        let alpha = match audit::alpha(&c.risk_limit_percent) {
            Ok(x) => x,
            Err(e) => {
                bad(e);
                return;
            }
        };
        let mut replay = AuditReplay {
            contest,
            alpha,
            macro_audit: None,
            seed: None,
            rounds: 0,
            draws: 0,
            drawn: Vec::new(),
            hand: BTreeMap::new(),
            closed: false,
        };
        if c.method != audit::METHOD {
            bad(format!("the method \"{}\" is not {}", crate::quote(&c.method), audit::METHOD));
        }
        match audit::checkpoint_of(&c.checkpoint) {
            Err(e) => bad(format!("the checkpoint it commits to cannot be read: {e}")),
            Ok(cp) if cp.origin != def.leaf.origin => bad(format!(
                "the checkpoint it commits to names origin {}, not {}",
                cp.origin, def.leaf.origin
            )),
            Ok(cp) if cp.size >= pos as u64 => bad(format!(
                "it commits to a checkpoint of size {}, which does not precede it",
                cp.size
            )),
            Ok(cp) if crate::merkle::root(&hashes[..cp.size as usize]) != cp.root => bad(format!(
                "it commits to a checkpoint of size {} whose root is not the log's first {} entries: the bundle commits to another record",
                cp.size, cp.size
            )),
            Ok(cp) => {
                let covered = protocols
                    .iter()
                    .filter(|(j, _)| (*j as u64) < cp.size)
                    .map(|(j, pr)| (*pr, hashes[*j]));
                let built = audit::counts_at(def, covered).and_then(|counts| {
                    audit::build(
                        def,
                        &counts,
                        contest,
                        &c.risk_limit_percent,
                        Some(c.first_round_draws),
                        &c.checkpoint,
                        cp.size,
                    )
                });
                match built {
                    Err(e) => bad(format!("its bundle cannot be recomputed: {e}")),
                    Ok(b) => {
                        let want = b.file_digests();
                        for (name, sha) in &want {
                            match c.files.iter().find(|(n, _)| n == name) {
                                None => bad(format!("it lists no digest of {name}")),
                                Some((_, got)) if got != sha => bad(format!(
                                    "{name} of the bundle recomputed from the record hashes to {sha}, but the commitment states {got}"
                                )),
                                Some(_) => {}
                            }
                        }
                        if c.files.len() != want.len() {
                            bad(format!(
                                "it lists {} files instead of {}",
                                c.files.len(),
                                want.len()
                            ));
                        }
                        if c.digest != b.bundle.digest {
                            bad(format!(
                                "the bundle recomputed from the record has digest {}, but it states {}",
                                b.bundle.digest, c.digest
                            ));
                        }
                        replay.macro_audit = Some(b.audit);
                    }
                }
            }
        }
        audits.insert(a.audit, replay);
        return;
    }
    let Some(r) = audits.get_mut(&a.audit) else {
        bad(format!("audit {} was never committed", a.audit));
        return;
    };
    if r.closed {
        bad("the audit was already closed".to_owned());
        return;
    }
    match &a.event {
        AuditEvent::Committed(_) => {}
        AuditEvent::Seed { seed } => {
            if r.seed.is_some() {
                bad("the audit's seed was already entered".to_owned());
            } else if seed.trim().is_empty() {
                bad("the seed is empty".to_owned());
            } else {
                r.seed = Some(seed.clone());
            }
        }
        AuditEvent::Drawn { round, draws } => {
            let Some(seed) = r.seed.clone() else {
                bad("stations were drawn before the seed was entered".to_owned());
                return;
            };
            if *round != r.rounds + 1 {
                bad(format!("round {round} follows round {}", r.rounds));
            }
            if *draws == 0 {
                bad("a round draws at least one station".to_owned());
            }
            r.rounds = (*round).max(r.rounds);
            r.draws = r.draws.saturating_add(*draws);
            if let Some(m) = &r.macro_audit {
                r.drawn = audit::drawn_units(m, &seed, r.draws);
            }
        }
        AuditEvent::HandCount { unit, lines } => {
            let contest = &def.election.contests()[r.contest];
            let u = match certify::resolve(def, contest.id().as_str(), unit) {
                Ok((_, u)) => u,
                Err(e) => {
                    bad(e);
                    return;
                }
            };
            if r.draws == 0 {
                bad("a station was hand-counted before any was drawn".to_owned());
                return;
            }
            if r.macro_audit.is_some() && !r.drawn.contains(&u) {
                bad(format!(
                    "{unit} is not among the {} draws the sampler made from the committed bundle and the seed",
                    r.draws
                ));
            }
            if r.hand.contains_key(&u) {
                bad(format!("{unit} was already hand-counted in this audit"));
            }
            match audit::hand_count_row(contest, lines) {
                Err(e) => bad(e),
                Ok(row) => {
                    r.hand.entry(u).or_insert(row);
                }
            }
        }
        AuditEvent::Closed { risk, result } => {
            r.closed = true;
            let (Some(m), Some(seed)) = (&r.macro_audit, &r.seed) else {
                if r.seed.is_none() {
                    bad("the audit was closed before its seed was entered".to_owned());
                }
                return;
            };
            match audit::evaluate(m, r.alpha, seed, r.draws, &r.hand) {
                Err(e) => bad(format!("the audit was closed although {e}")),
                Ok(e) => {
                    let want = audit::risk_text(e.risk);
                    if &want != risk {
                        bad(format!(
                            "the hand counts give a measured risk of {want}, but it states {risk}"
                        ));
                    }
                    match audit::result_of(&e.next) {
                        None => {
                            bad("the audit was closed while its evaluation asks for more draws"
                                .to_owned())
                        }
                        Some(w) if w != result => bad(format!(
                            "the hand counts give the result {w}, but it states {result}"
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }
}

/// Checks what each entry means against the definition and the entries before it.
fn semantics(
    def: &Definition,
    input: &RecordInput,
    anchors: &Anchors,
    hashes: &[Hash],
    p: &mut Problems<'_>,
) {
    for unit in anchors.protocol_keys.keys() {
        if def.tree.index_of(unit).is_none() {
            p.push(format!(
                "a published protocol key names unit {}, which is not in the election",
                crate::quote(unit)
            ));
        }
    }
    let eid = def.leaf.election.id.as_str();
    let mut versions: HashMap<(usize, usize), u64> = HashMap::new();
    // (contest, unit, round) → folded authors who keyed it.
    let mut keyed: HashMap<(usize, usize, u64), BTreeSet<String>> = HashMap::new();
    let mut turnout_seen: BTreeMap<(usize, String), usize> = BTreeMap::new();
    let mut protocols: Vec<(usize, &ProtocolLeaf)> = Vec::new();
    let mut next_cert = 1u64;
    // (contest, unit, observer) → the observer's latest copy version.
    let mut observed: HashMap<(usize, usize, String), u64> = HashMap::new();
    let mut observed_turnout: HashMap<(usize, String, String), usize> = HashMap::new();
    let mut audits: BTreeMap<u64, AuditReplay> = BTreeMap::new();
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
                // The commission's own signature, checked from the leaf alone (issue 8), and
                // held to the key the commission published, when the reader has it.
                if let Some(published) = anchors.protocol_keys.get(&pr.unit) {
                    match &pr.signature {
                        None => p.push(format!(
                            "log entry {pos} ({}) is not signed, but the commission of {} published the key {published}",
                            leaf.describe(),
                            pr.unit
                        )),
                        Some(sig) if sig.key.trim() != published.trim() => p.push(format!(
                            "log entry {pos} ({}) is signed with the key {}, not with the key {published} the commission of {} published",
                            leaf.describe(),
                            crate::quote(&sig.key),
                            pr.unit
                        )),
                        Some(_) => {}
                    }
                }
                if let Some(sig) = &pr.signature {
                    let statement = crate::statement::protocol_statement(
                        &pr.election,
                        &pr.contest,
                        &pr.unit,
                        &pr.lines,
                    );
                    if let Err(e) = crate::statement::verify_statement(&statement, sig) {
                        p.push(format!("log entry {pos} ({}): {e}", leaf.describe()));
                    }
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
            Leaf::Observation(o) => {
                let d = leaf.describe();
                let (c, u) = match certify::resolve(def, &o.contest, &o.unit) {
                    Ok(x) => x,
                    Err(e) => {
                        p.push(format!("log entry {pos} ({d}): {e}"));
                        continue;
                    }
                };
                match certify::lines_row(&def.election.contests()[c], &o.lines) {
                    Err(e) => p.push(format!("log entry {pos} ({d}): {e}")),
                    Ok(_) if o.lines.is_empty() => {
                        p.push(format!("log entry {pos} ({d}): the copy holds no line"))
                    }
                    Ok(_) => {}
                }
                if !is_name(&o.observer) {
                    p.push(format!("log entry {pos} ({d}): the observer's id is malformed"));
                }
                if let Some(h) = &o.photo_sha256 {
                    if !is_sha256_hex(h) {
                        p.push(format!(
                            "log entry {pos} ({d}): the photo's SHA-256 \"{}\" is not 64 lowercase hexadecimal digits",
                            crate::quote(h)
                        ));
                    }
                }
                let cur = observed.entry((c, u, o.observer.clone())).or_insert(0);
                if o.version != *cur + 1 {
                    p.push(format!(
                        "log entry {pos} ({d}) follows version {}: a version is missing, repeated or out of order",
                        *cur
                    ));
                }
                if o.version > 1 && o.reason.trim().is_empty() {
                    p.push(format!(
                        "log entry {pos} ({d}) supersedes an earlier copy without a reason"
                    ));
                }
                *cur = o.version.max(*cur);
            }
            Leaf::ObservedTurnout(t) => {
                let d = leaf.describe();
                match def.tree.index_of(&t.unit) {
                    None => p.push(format!(
                        "log entry {pos} ({d}): unit {} is not in the definition",
                        t.unit
                    )),
                    Some(u) => {
                        if !def.tree.children(u).is_empty() {
                            p.push(format!(
                                "log entry {pos} ({d}): unit {} is not a polling station",
                                t.unit
                            ));
                        }
                        let key = (u, t.hour.clone(), t.observer.clone());
                        if let Some(first) = observed_turnout.insert(key, pos) {
                            p.push(format!(
                                "log entries {first} and {pos} both report {}'s count at {} at {}",
                                t.observer, t.unit, t.hour
                            ));
                        }
                    }
                }
                if !is_time_of_day(&t.hour) {
                    p.push(format!("log entry {pos} ({d}): {} is not a time of day HH:MM", t.hour));
                }
                if !is_name(&t.observer) {
                    p.push(format!("log entry {pos} ({d}): the observer's id is malformed"));
                }
            }
            Leaf::Audit(a) => audit_event(def, a, pos, hashes, &protocols, &mut audits, p),
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
