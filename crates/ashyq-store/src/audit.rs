//! Risk-limiting audits kept in the record (issue 9 item 4): the commitment bundle of a MACRO
//! batch-comparison audit, made from the record's own protocols at its current checkpoint; the
//! public seed; each round of draws; the hand count of each drawn station (through the same
//! protocol checks as any station's protocol); the closing measured risk. Every event is an
//! `audit` leaf of the election's log (`ashyq_record::audit` fixes what each commits to, and
//! `verify` recomputes the bundle, the draws and the risk from the log). The audit never changes
//! an official protocol: it audits the protocols as committed, and says which changed since.

use std::collections::BTreeMap;
use std::sync::Arc;

use ashyq_audit::bundle::Bundle;
use ashyq_audit::macro_audit::{Evaluation, Next};
use ashyq_core::checks::{check_protocol, PlausibilityLimits, ProtocolContext};
use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::units::UnitIdx;
use ashyq_record::audit::{self as rec, Committed};
use ashyq_record::certify::{self, Definition};
use ashyq_record::leaf::{AuditCommitment, AuditEvent, AuditLeaf, Leaf, ProtocolLeaf};
use ashyq_record::merkle::{self, Frontier};
use ashyq_record::note::Checkpoint;
use ashyq_record::verify::is_name;

use crate::append::{append, next_id, NewLeaf};
use crate::db::{Db, Value};
use crate::rows;
use crate::{Receipt, Store, StoreError};

/// An audit as its events in the record say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditInfo {
    /// The audit's number within the election.
    pub audit: u64,
    /// The audited contest.
    pub contest: String,
    /// Risk limit in percent (decimal text).
    pub risk_limit_percent: String,
    /// The committed first-round size.
    pub first_round_draws: u64,
    /// The text of the checkpoint the bundle commits to.
    pub checkpoint: String,
    /// Its size: the audit covers the official protocols among these first log entries.
    pub checkpoint_size: u64,
    /// (file, SHA-256) of the five bundle files.
    pub files: Vec<(String, String)>,
    /// The bundle's digest (SHA-256 of `commitment.txt`), published before the seed.
    pub digest: String,
    /// Who committed it, and when.
    pub committed: (String, String),
    /// The public seed, once entered.
    pub seed: Option<String>,
    /// Draws per round, in order.
    pub rounds: Vec<u64>,
    /// Hand counts entered: (station, lines), in the order entered.
    pub hand_counts: Vec<(String, Vec<(String, u64)>)>,
    /// When closed: (measured risk, result).
    pub closed: Option<(String, String)>,
}

impl AuditInfo {
    /// Draws made in every round.
    pub fn draws(&self) -> u64 {
        self.rounds.iter().sum()
    }
}

/// A committed audit.
#[derive(Clone, Debug)]
pub struct AuditCommitted {
    /// The audit as recorded.
    pub info: AuditInfo,
    /// The bundle to publish (its files, its commitment, its digest).
    pub bundle: Bundle,
    /// Stations (batches) in the manifest.
    pub stations: usize,
    /// Assertions audited.
    pub assertions: usize,
    /// Where the commitment sits in the log.
    pub receipt: Receipt,
}

/// A round of draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRound {
    /// 1, 2, ….
    pub round: u64,
    /// Draws made before this round.
    pub from: u64,
    /// (draw number, station, ballots) of this round's draws.
    pub draws: Vec<(u64, String, u64)>,
    /// Distinct stations among them.
    pub distinct: usize,
    /// Where the round sits in the log.
    pub receipt: Receipt,
}

/// An audit re-run from the record.
#[derive(Clone, Debug)]
pub struct AuditEvaluation {
    /// The audit as recorded.
    pub info: AuditInfo,
    /// The station of every draw so far, in draw order.
    pub drawn: Vec<String>,
    /// Drawn stations without a hand count yet (distinct, in draw order).
    pub pending: Vec<String>,
    /// The evaluation, once every drawn station is hand-counted.
    pub evaluation: Option<Evaluation>,
    /// Station id of each batch (`Evaluation` names batches by index).
    pub batches: Vec<String>,
    /// Text of each assertion (`Evaluation` names them by index).
    pub assertions: Vec<String>,
    /// Option ids of the contest (`Evaluation`'s differences name them by index).
    pub options: Vec<String>,
    /// Stations whose official protocol changed after the commitment (the audit covers the
    /// committed versions).
    pub changed_since: Vec<String>,
}

/// An audit loaded from its events, with its MACRO audit recomputed from the committed
/// protocols.
struct Loaded {
    info: AuditInfo,
    contest: usize,
    committed: Committed,
    hand: BTreeMap<UnitIdx, Row>,
}

fn events(db: &mut Db, def: &Definition, audit: u64) -> Result<Vec<AuditLeaf>, StoreError> {
    let eid = def.election.id().as_str();
    let found = db.query(
        &format!(
            "SELECT {} FROM audit_events WHERE election_id = ?1 AND audit = ?2 ORDER BY id",
            rows::AUDIT_COLUMNS
        ),
        &[eid.into(), Value::Int(i64::try_from(audit).unwrap_or(i64::MAX))],
    )?;
    if found.is_empty() {
        return Err(StoreError::NotFound(format!("election {eid} has no audit {audit}")));
    }
    found
        .iter()
        .map(|r| match rows::audit_leaf(&def.leaf, r) {
            Ok(Leaf::Audit(a)) => Ok(a),
            Ok(_) => Err(StoreError::corrupt("not an audit event", format!("audit {audit}"))),
            Err(e) => Err(StoreError::corrupt(e, format!("audit {audit} of election {eid}"))),
        })
        .collect()
}

fn info_of(audit: u64, events: &[AuditLeaf]) -> Result<AuditInfo, StoreError> {
    let loc = || format!("audit {audit}");
    let Some(AuditEvent::Committed(c)) = events.first().map(|e| &e.event) else {
        return Err(StoreError::corrupt("its first event is not the commitment", loc()));
    };
    let size = rec::checkpoint_of(&c.checkpoint).map_err(|e| StoreError::corrupt(e, loc()))?.size;
    let mut info = AuditInfo {
        audit,
        contest: c.contest.clone(),
        risk_limit_percent: c.risk_limit_percent.clone(),
        first_round_draws: c.first_round_draws,
        checkpoint: c.checkpoint.clone(),
        checkpoint_size: size,
        files: c.files.clone(),
        digest: c.digest.clone(),
        committed: (events[0].author.clone(), events[0].at.clone()),
        seed: None,
        rounds: Vec::new(),
        hand_counts: Vec::new(),
        closed: None,
    };
    for e in &events[1..] {
        match &e.event {
            AuditEvent::Committed(_) => {
                return Err(StoreError::corrupt("it is committed twice", loc()));
            }
            AuditEvent::Seed { seed } => info.seed = Some(seed.clone()),
            AuditEvent::Drawn { draws, .. } => info.rounds.push(*draws),
            AuditEvent::HandCount { unit, lines } => {
                info.hand_counts.push((unit.clone(), lines.clone()))
            }
            AuditEvent::Closed { risk, result } => {
                info.closed = Some((risk.clone(), result.clone()))
            }
        }
    }
    Ok(info)
}

/// The official counts among the log's first `size` entries.
fn counts_at(db: &mut Db, def: &Definition, size: u64) -> Result<Vec<ContestCounts>, StoreError> {
    let eid = def.election.id().as_str();
    let cols: Vec<String> = rows::PROTOCOL_COLUMNS.split(", ").map(|c| format!("v.{c}")).collect();
    let found = db.query(
        &format!(
            "SELECT l.leaf_hash, {} FROM log l JOIN protocol_versions v ON l.election_id = v.election_id AND l.kind = 'protocol' AND l.ref = v.id WHERE l.election_id = ?1 AND l.seq <= ?2 ORDER BY l.seq",
            cols.join(", ")
        ),
        &[eid.into(), Value::Int(i64::try_from(size).unwrap_or(i64::MAX))],
    )?;
    let loc = || format!("the protocols of election {eid}");
    let mut leaves: Vec<(ProtocolLeaf, merkle::Hash)> = Vec::with_capacity(found.len());
    for r in &found {
        let hash = merkle::parse_hash(r[0].text()?)
            .ok_or_else(|| StoreError::corrupt("a malformed leaf hash", loc()))?;
        match rows::protocol_leaf(&def.leaf, &r[1..].to_vec()) {
            Ok(Leaf::Protocol(p)) => leaves.push((p, hash)),
            Ok(_) => {}
            Err(e) => return Err(StoreError::corrupt(e, loc())),
        }
    }
    rec::counts_at(def, leaves.iter().map(|(p, h)| (p, *h)))
        .map_err(|e| StoreError::corrupt(e, loc()))
}

fn load(db: &mut Db, def: &Definition, audit: u64) -> Result<Loaded, StoreError> {
    let evs = events(db, def, audit)?;
    let info = info_of(audit, &evs)?;
    let loc = || format!("audit {audit} of election {}", def.election.id());
    let contest = def
        .election
        .contest_index(&info.contest)
        .ok_or_else(|| StoreError::corrupt("its contest is not in the definition", loc()))?;
    let counts = counts_at(db, def, info.checkpoint_size)?;
    let committed = rec::build(
        def,
        &counts,
        contest,
        &info.risk_limit_percent,
        Some(info.first_round_draws),
        &info.checkpoint,
        info.checkpoint_size,
    )
    .map_err(|e| StoreError::corrupt(e, loc()))?;
    if committed.bundle.digest != info.digest {
        return Err(StoreError::corrupt(
            format!(
                "the bundle recomputed from the record has digest {}, but the commitment states {}",
                committed.bundle.digest, info.digest
            ),
            loc(),
        ));
    }
    let c = &def.election.contests()[contest];
    let mut hand = BTreeMap::new();
    for (unit, lines) in &info.hand_counts {
        let u = def
            .tree
            .index_of(unit)
            .ok_or_else(|| StoreError::corrupt(format!("unit {unit} is unknown"), loc()))?;
        let row = certify::lines_row(c, lines).map_err(|e| StoreError::corrupt(e, loc()))?;
        hand.insert(u, row);
    }
    Ok(Loaded { info, contest, committed, hand })
}

/// The text of the checkpoint at the log's current size: the signed note when the record is
/// signed, else the checkpoint body (origin, size, root).
fn current_checkpoint(db: &mut Db, def: &Definition) -> Result<(String, u64), StoreError> {
    let eid = def.election.id().as_str();
    let size = db.query_one(
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM log WHERE election_id = ?1",
        &[eid.into()],
    )?[0]
        .int()?;
    let size = u64::try_from(size).unwrap_or(0);
    let signed = db.query(
        "SELECT note FROM checkpoints WHERE election_id = ?1 AND size = ?2",
        &[eid.into(), Value::Int(size as i64)],
    )?;
    if let Some(r) = signed.first() {
        return Ok((r[0].text()?.to_owned(), size));
    }
    let loc = || format!("the log of election {eid}");
    let rows = db.query(
        "SELECT hashes FROM log_frontiers WHERE election_id = ?1 AND size = ?2",
        &[eid.into(), Value::Int(size as i64)],
    )?;
    let r = rows.first().ok_or_else(|| {
        StoreError::corrupt(format!("no frontier is stored at size {size}"), loc())
    })?;
    let hashes: Option<Vec<merkle::Hash>> =
        r[0].text()?.split(',').map(merkle::parse_hash).collect();
    let root = hashes
        .and_then(|h| Frontier::from_parts(size, &h))
        .ok_or_else(|| StoreError::corrupt("the stored frontier does not parse", loc()))?
        .root();
    Ok((Checkpoint { origin: def.leaf.origin.clone(), size, root }.body(), size))
}

fn person(author: &str) -> Result<String, StoreError> {
    let a = author.trim();
    if !is_name(a) {
        return Err(StoreError::Invalid(format!(
            "an audit event needs its author (1 to {} bytes without control characters), not \"{}\"",
            ashyq_record::QUOTE_LIMIT,
            ashyq_record::quote(author)
        )));
    }
    Ok(a.to_owned())
}

/// Appends one audit event (inside a write transaction).
fn record_event(
    db: &mut Db,
    def: &Definition,
    signer: Option<&ashyq_record::Signer>,
    leaf: AuditLeaf,
    contest: Option<usize>,
    unit: Option<UnitIdx>,
) -> Result<Receipt, StoreError> {
    let eid = def.election.id().to_string();
    let id = next_id(db, "audit_events")?;
    db.exec(
        "INSERT INTO audit_events (id, election_id, audit, event, contest_idx, unit_idx, detail, author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &[
            Value::Int(id),
            eid.as_str().into(),
            Value::Int(leaf.audit as i64),
            leaf.event.name().into(),
            contest.map(|c| c as i64).into(),
            unit.map(|u| u as i64).into(),
            rows::audit_detail(&leaf.event).into(),
            leaf.author.as_str().into(),
            leaf.at.as_str().into(),
        ],
    )?;
    let a = append(db, &eid, &def.leaf.origin, vec![NewLeaf::new(id, &Leaf::Audit(leaf))], signer)?;
    Ok(a.receipt(0))
}

fn still_open(l: &Loaded) -> Result<(), StoreError> {
    match &l.info.closed {
        Some((risk, result)) => Err(StoreError::Conflict(format!(
            "audit {} is closed ({result}, measured risk {risk})",
            l.info.audit
        ))),
        None => Ok(()),
    }
}

impl Store {
    /// The audits of an election, in order.
    pub fn audits(&mut self, election_id: &str) -> Result<Vec<AuditInfo>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let numbers = self.db.query(
            "SELECT DISTINCT audit FROM audit_events WHERE election_id = ?1 ORDER BY audit",
            &[election_id.into()],
        )?;
        let mut out = Vec::new();
        for r in &numbers {
            let n = u64::try_from(r[0].int()?).map_err(|_| {
                StoreError::corrupt("a negative audit number", format!("election {election_id}"))
            })?;
            let evs = events(&mut self.db, &def, n)?;
            out.push(info_of(n, &evs)?);
        }
        Ok(out)
    }

    /// The latest audit's number (of one contest, if given); `NotFound` when there is none.
    pub fn latest_audit(
        &mut self,
        election_id: &str,
        contest: Option<&str>,
    ) -> Result<u64, StoreError> {
        self.audits(election_id)?
            .into_iter()
            .filter(|a| contest.is_none_or(|c| a.contest == c))
            .map(|a| a.audit)
            .next_back()
            .ok_or_else(|| {
                StoreError::NotFound(format!(
                    "election {election_id} has no audit{}; commit one first",
                    contest.map_or(String::new(), |c| format!(" of contest {c}"))
                ))
            })
    }

    /// Commits a MACRO audit of `contest` (default: the only contest) at `risk_limit_percent`:
    /// the bundle is made from the official protocols at the record's current size and commits
    /// to its checkpoint (the signed note when the record is signed). Returns the bundle to
    /// publish; its digest must be public before the seed is drawn. `Invalid` when the contest
    /// has no determined outcome to audit.
    pub fn audit_commit(
        &mut self,
        election_id: &str,
        contest: Option<&str>,
        risk_limit_percent: f64,
        author: &str,
    ) -> Result<AuditCommitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        let ci = match contest {
            Some(c) => def.election.contest_index(c).ok_or_else(|| {
                StoreError::NotFound(format!(
                    "contest \"{}\" is not in election {election_id}",
                    ashyq_record::quote(c)
                ))
            })?,
            None if def.election.contests().len() == 1 => 0,
            None => {
                return Err(StoreError::Invalid(format!(
                    "election {election_id} has {} contests; choose one ({})",
                    def.election.contests().len(),
                    def.election
                        .contests()
                        .iter()
                        .map(|c| c.id().as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
        };
        let author = person(author)?;
        let risk = rec::percent_text(risk_limit_percent);
        rec::alpha(&risk).map_err(StoreError::Invalid)?;
        let at = self.now().to_string();
        let signer = self.signer.clone();
        self.write_tx(|db| {
            let (checkpoint, size) = current_checkpoint(db, &def)?;
            let counts = counts_at(db, &def, size)?;
            let committed = rec::build(&def, &counts, ci, &risk, None, &checkpoint, size)
                .map_err(|e| StoreError::Invalid(format!("contest {}: {e}", def.election.contests()[ci].id())))?;
            let n = db.query_one(
                "SELECT CAST(COALESCE(MAX(audit), 0) AS BIGINT) FROM audit_events WHERE election_id = ?1",
                &[def.election.id().as_str().into()],
            )?[0]
                .int()?
                + 1;
            let commitment = AuditCommitment {
                contest: def.election.contests()[ci].id().to_string(),
                method: rec::METHOD.to_owned(),
                risk_limit_percent: risk.clone(),
                first_round_draws: committed.first_round_draws,
                checkpoint: checkpoint.clone(),
                files: committed.file_digests(),
                digest: committed.bundle.digest.clone(),
            };
            let leaf = AuditLeaf {
                election: def.election.id().to_string(),
                audit: n as u64,
                author: author.clone(),
                at: at.clone(),
                event: AuditEvent::Committed(commitment.clone()),
            };
            let receipt = record_event(db, &def, signer.as_deref(), leaf, Some(ci), None)?;
            Ok(AuditCommitted {
                info: AuditInfo {
                    audit: n as u64,
                    contest: commitment.contest,
                    risk_limit_percent: risk.clone(),
                    first_round_draws: committed.first_round_draws,
                    checkpoint,
                    checkpoint_size: size,
                    files: commitment.files,
                    digest: commitment.digest,
                    committed: (author.clone(), at.clone()),
                    seed: None,
                    rounds: Vec::new(),
                    hand_counts: Vec::new(),
                    closed: None,
                },
                stations: committed.audit.batches.len(),
                assertions: committed.margins.len(),
                bundle: committed.bundle,
                receipt,
            })
        })
    }

    /// Enters the public seed of an audit (once, after the commitment).
    pub fn audit_seed(
        &mut self,
        election_id: &str,
        audit: u64,
        seed: &str,
        author: &str,
    ) -> Result<Receipt, StoreError> {
        let def = self.cached_definition(election_id)?;
        let author = person(author)?;
        if seed.trim().is_empty() || seed.len() > 1000 {
            return Err(StoreError::Invalid("the seed must be 1 to 1000 bytes, not blank".into()));
        }
        let at = self.now().to_string();
        let signer = self.signer.clone();
        self.write_tx(|db| {
            let evs = events(db, &def, audit)?;
            let info = info_of(audit, &evs)?;
            if let Some(s) = &info.seed {
                return Err(StoreError::Conflict(format!(
                    "audit {audit} already has its seed \"{}\"; a seed is drawn once",
                    ashyq_record::quote(s)
                )));
            }
            if info.closed.is_some() {
                return Err(StoreError::Conflict(format!("audit {audit} is closed")));
            }
            let leaf = AuditLeaf {
                election: def.election.id().to_string(),
                audit,
                author,
                at,
                event: AuditEvent::Seed { seed: seed.to_owned() },
            };
            record_event(db, &def, signer.as_deref(), leaf, None, None)
        })
    }

    /// Draws the next round of an audit: `draws` stations (default: the committed first-round
    /// size for round 1; for a later round, as many as the evaluation of the hand counts so far
    /// asks for). Refused before the seed, while a drawn station awaits its hand count (for the
    /// default size), and once the audit needs no more draws.
    pub fn audit_draw(
        &mut self,
        election_id: &str,
        audit: u64,
        draws: Option<u64>,
        author: &str,
    ) -> Result<AuditRound, StoreError> {
        let def = self.cached_definition(election_id)?;
        let author = person(author)?;
        let at = self.now().to_string();
        let signer = self.signer.clone();
        self.write_tx(|db| {
            let l = load(db, &def, audit)?;
            still_open(&l)?;
            let Some(seed) = l.info.seed.clone() else {
                return Err(StoreError::Invalid(format!(
                    "audit {audit} has no seed yet: enter the public seed first"
                )));
            };
            let m = &l.committed.audit;
            if let Some(why) = &m.full_hand_count_required {
                return Err(StoreError::Invalid(format!("no sample can decide: {why}")));
            }
            let from = l.info.draws();
            let n = match draws {
                Some(0) => return Err(StoreError::Invalid("a round draws at least one station".into())),
                Some(n) => n,
                None if l.info.rounds.is_empty() => l.info.first_round_draws,
                None => {
                    let alpha = rec::alpha(&l.info.risk_limit_percent).map_err(StoreError::Invalid)?;
                    let e = rec::evaluate(m, alpha, &seed, from, &l.hand)
                        .map_err(|e| StoreError::Invalid(format!("hand-count the drawn stations first: {e}")))?;
                    match e.next {
                        Next::MoreDraws(n) => n,
                        Next::Confirmed => {
                            return Err(StoreError::Invalid(format!(
                                "audit {audit} needs no more draws: the measured risk {} is within the {}% limit; close it",
                                e.risk, l.info.risk_limit_percent
                            )))
                        }
                        Next::FullHandCount(why) => {
                            return Err(StoreError::Invalid(format!(
                                "audit {audit} needs no more draws: {why}; close it"
                            )))
                        }
                    }
                }
            };
            let leaf = AuditLeaf {
                election: def.election.id().to_string(),
                audit,
                author,
                at,
                event: AuditEvent::Drawn { round: l.info.rounds.len() as u64 + 1, draws: n },
            };
            let receipt = record_event(db, &def, signer.as_deref(), leaf, None, None)?;
            let batches = m.draws(&seed, usize::try_from(from).unwrap_or(usize::MAX), usize::try_from(n).unwrap_or(usize::MAX));
            let mut distinct = std::collections::BTreeSet::new();
            let list = batches
                .iter()
                .enumerate()
                .map(|(k, &b)| {
                    distinct.insert(b);
                    (from + k as u64 + 1, m.batches[b].id.clone(), m.batches[b].ballots)
                })
                .collect();
            Ok(AuditRound {
                round: l.info.rounds.len() as u64 + 1,
                from,
                draws: list,
                distinct: distinct.len(),
                receipt,
            })
        })
    }

    /// Enters the hand count of a drawn station (every option, invalid ballots and ballots
    /// issued at least: `ashyq_record::audit::hand_count_lines`), through the
    /// arithmetic checks of any station's protocol (`Rejected` with the failed checks; nothing
    /// is stored). `Invalid` for a station that was not drawn; `Conflict` for a second count.
    pub fn audit_hand_count(
        &mut self,
        election_id: &str,
        audit: u64,
        unit: &str,
        values: &[(String, u64)],
        author: &str,
        time: &str,
    ) -> Result<Receipt, StoreError> {
        let def = self.cached_definition(election_id)?;
        let author = person(author)?;
        let at = self.entry_time(time)?.to_string();
        let signer = self.signer.clone();
        self.write_tx(|db| {
            let l = load(db, &def, audit)?;
            still_open(&l)?;
            let contest = &def.election.contests()[l.contest];
            let u = def.tree.index_of(unit).ok_or_else(|| {
                StoreError::NotFound(format!(
                    "unit \"{}\" is not in election {}",
                    ashyq_record::quote(unit),
                    def.election.id()
                ))
            })?;
            let Some(seed) = &l.info.seed else {
                return Err(StoreError::Invalid(format!("audit {audit} has drawn no station yet")));
            };
            let drawn = rec::drawn_units(&l.committed.audit, seed, l.info.draws());
            if !drawn.contains(&u) {
                return Err(StoreError::Invalid(format!(
                    "{unit} was not drawn in audit {audit} ({} draws so far); only drawn stations are hand-counted",
                    l.info.draws()
                )));
            }
            if l.hand.contains_key(&u) {
                return Err(StoreError::Conflict(format!(
                    "{unit} is already hand-counted in audit {audit}"
                )));
            }
            let row = Self::row_from_values(contest, None, values)?;
            let missing: Vec<String> = rec::hand_count_lines(contest)
                .into_iter()
                .filter(|x| row[x.column()].is_none())
                .map(|x| certify::line_name(contest, x.column()))
                .collect();
            if !missing.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "the hand count of {unit} lacks {}: a hand count carries every option, invalid ballots and ballots issued",
                    missing.join(", ")
                )));
            }
            let ctx = ProtocolContext::station(PlausibilityLimits::default());
            let errors: Vec<_> = crate::submit::core_findings(contest, check_protocol(contest, &row, &ctx))
                .into_iter()
                .filter(|f| f.error)
                .collect();
            if !errors.is_empty() {
                return Err(StoreError::Rejected(errors));
            }
            let lines = certify::row_lines(contest, &row);
            let leaf = AuditLeaf {
                election: def.election.id().to_string(),
                audit,
                author,
                at,
                event: AuditEvent::HandCount { unit: unit.to_owned(), lines },
            };
            record_event(db, &def, signer.as_deref(), leaf, None, Some(u))
        })
    }

    /// Re-runs an audit from the record: the draws from the committed bundle and the seed, the
    /// hand counts entered, the measured risk and what next.
    pub fn audit_evaluate(
        &mut self,
        election_id: &str,
        audit: u64,
    ) -> Result<AuditEvaluation, StoreError> {
        let def = self.cached_definition(election_id)?;
        let l = load(&mut self.db, &def, audit)?;
        let latest = self.latest_counts(&def)?;
        let committed = counts_at(&mut self.db, &def, l.info.checkpoint_size)?;
        let (now, then) = (&latest[l.contest], &committed[l.contest]);
        let mut changed: Vec<String> = Vec::new();
        for &u in def.tree.topological_order() {
            if now.row(u) != then.row(u) {
                changed.push(def.tree.unit(u).id.to_string());
            }
        }
        evaluation_of(&def, l, changed)
    }

    /// Closes an audit with its measured risk: `confirmed` when the risk is within the limit,
    /// `full_hand_count` when the audit escalated. Refused while a drawn station awaits its hand
    /// count or the evaluation asks for more draws.
    pub fn audit_close(
        &mut self,
        election_id: &str,
        audit: u64,
        author: &str,
    ) -> Result<(AuditEvaluation, Receipt), StoreError> {
        let def = Arc::clone(&self.cached_definition(election_id)?);
        let author = person(author)?;
        let at = self.now().to_string();
        let signer = self.signer.clone();
        self.write_tx(|db| {
            let l = load(db, &def, audit)?;
            still_open(&l)?;
            let ev = evaluation_of(&def, l, Vec::new())?;
            let Some(e) = &ev.evaluation else {
                return Err(StoreError::Invalid(if ev.info.seed.is_none() {
                    format!("audit {audit} has no seed yet")
                } else {
                    format!(
                        "audit {audit} cannot close: {} drawn station(s) have no hand count yet: {}",
                        ev.pending.len(),
                        ev.pending.join(", ")
                    )
                }));
            };
            let Some(result) = rec::result_of(&e.next) else {
                return Err(StoreError::Invalid(format!(
                    "audit {audit} cannot close: the measured risk {} is above the {}% limit; draw the next round",
                    e.risk, ev.info.risk_limit_percent
                )));
            };
            let risk = rec::risk_text(e.risk);
            let leaf = AuditLeaf {
                election: def.election.id().to_string(),
                audit,
                author,
                at,
                event: AuditEvent::Closed { risk: risk.clone(), result: result.to_owned() },
            };
            let receipt = record_event(db, &def, signer.as_deref(), leaf, None, None)?;
            let mut ev = ev;
            ev.info.closed = Some((risk, result.to_owned()));
            Ok((ev, receipt))
        })
    }
}

fn evaluation_of(
    def: &Definition,
    l: Loaded,
    changed_since: Vec<String>,
) -> Result<AuditEvaluation, StoreError> {
    let m = &l.committed.audit;
    let c = &def.election.contests()[l.contest];
    let (drawn, pending, evaluation) = match &l.info.seed {
        None => (Vec::new(), Vec::new(), None),
        Some(seed) => {
            let units = rec::drawn_units(m, seed, l.info.draws());
            let drawn: Vec<String> =
                units.iter().map(|&u| def.tree.unit(u).id.to_string()).collect();
            let mut pending: Vec<String> = Vec::new();
            for (u, id) in units.iter().zip(&drawn) {
                if !l.hand.contains_key(u) && !pending.contains(id) {
                    pending.push(id.clone());
                }
            }
            let evaluation = if pending.is_empty() {
                let alpha = rec::alpha(&l.info.risk_limit_percent).map_err(StoreError::Invalid)?;
                Some(
                    rec::evaluate(m, alpha, seed, l.info.draws(), &l.hand)
                        .map_err(StoreError::Invalid)?,
                )
            } else {
                None
            };
            (drawn, pending, evaluation)
        }
    };
    Ok(AuditEvaluation {
        drawn,
        pending,
        evaluation,
        batches: m.batches.iter().map(|b| b.id.clone()).collect(),
        assertions: m.texts.clone(),
        options: c.options().iter().map(|o| o.id.to_string()).collect(),
        changed_since,
        info: l.info,
    })
}
