//! Observers beside the official record (issue 9): copies of protocols held by observer groups,
//! their own counts of voters during the day, and the comparison of the official protocols with
//! the copies. Every copy and count is a leaf of the election's log, like every official fact,
//! but in tables of their own: nothing that reads official counts (totals, progress,
//! certification, the live view, outcomes) reads them, so official tabulation never changes when
//! observations arrive.
//!
//! A copy is versioned per (observer, contest, unit): a later copy from the same observer
//! supersedes the earlier one only with a reason, and never overwrites it. A copy is recorded as
//! the observer holds it: the protocol checks it fails are kept with it as findings, not refused
//! (a copy that fails the law's arithmetic is evidence too). The comparison uses
//! `ashyq_audit::compare`; the store only loads the rows.

use std::collections::{BTreeMap, BTreeSet};

use ashyq_audit::compare::{self, Comparison, Record, UnitRollup};
use ashyq_audit::turnout::Snapshot;
use ashyq_core::checks::{check_protocol, ProtocolContext};
use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::election::Election;
use ashyq_core::line::Line;
use ashyq_core::units::UnitTree;
use ashyq_record::certify::{self, Definition};
use ashyq_record::leaf::{Leaf, ObservationLeaf, ObservedTurnoutLeaf};
use ashyq_record::verify::{is_name, is_sha256_hex, is_time_of_day};

use crate::append::{append, next_id, NewLeaf};
use crate::db::{Db, Value};
use crate::rows::{self, lines_json};
use crate::{CheckFinding, IdempotencyKey, Receipt, Store, StoreError};

/// A value above this is no count of voters (2^40, about 1.1 trillion): a copy carrying one is
/// refused, so that "the observer copies are right" can always be summed.
const MAX_VALUE: u64 = 1 << 40;

/// An observer's copy of one protocol, as submitted.
#[derive(Clone, Debug, Default)]
pub struct ObservationInput {
    /// Contest id.
    pub contest: String,
    /// Unit id: the polling station (or the commission of a summary protocol).
    pub unit: String,
    /// The observer (organisation) holding the copy: copies are versioned per observer.
    pub observer: String,
    /// Line name (protocol line or option id) → value, as the copy shows them (at least one).
    pub values: Vec<(String, u64)>,
    /// SHA-256 of the photo of the signed copy (64 hexadecimal digits), if there is one.
    pub photo_sha256: Option<String>,
    /// Who entered it.
    pub author: String,
    /// When it was entered: RFC 3339, not in the future.
    pub time: String,
    /// Why a later copy supersedes the observer's earlier one (required then).
    pub reason: String,
    /// Makes a retried submission safe (as for protocols).
    pub idempotency: Option<IdempotencyKey>,
}

/// An accepted copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// Its version for this observer and protocol.
    pub version: u64,
    /// The protocol checks the copy fails (recorded with it).
    pub findings: Vec<CheckFinding>,
    /// Where it is in the log.
    pub receipt: Receipt,
}

/// A stored copy (one version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Contest id.
    pub contest: String,
    /// Unit id.
    pub unit: String,
    /// The observer.
    pub observer: String,
    /// Version for this observer and protocol.
    pub version: u64,
    /// Who entered it.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// Why it superseded the earlier copy (empty for version 1).
    pub reason: String,
    /// SHA-256 of the photo of the signed copy.
    pub photo_sha256: Option<String>,
    /// Codes of the protocol checks it fails.
    pub findings: Vec<String>,
    /// (line, value) in the contest's line order.
    pub values: Vec<(String, u64)>,
    /// 0-based index of its leaf in the log.
    pub log_index: u64,
}

/// An observer's own count of the voters who had voted at a station by a time of day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObservedTurnoutInput {
    /// The polling station.
    pub unit: String,
    /// Time of day `HH:MM` (local time on election day).
    pub hour: String,
    /// Voters counted by then.
    pub voters: u64,
    /// The observer (organisation).
    pub observer: String,
    /// Who entered it.
    pub author: String,
    /// When it was entered (RFC 3339, not in the future).
    pub time: String,
}

/// A stored observer's turnout count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObservedTurnout {
    /// The polling station.
    pub unit: String,
    /// Time of day.
    pub hour: String,
    /// Voters counted.
    pub voters: u64,
    /// The observer.
    pub observer: String,
    /// Who entered it.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// 0-based index of its leaf in the log.
    pub log_index: u64,
}

/// A protocol whose copies, held by different observers, disagree: it is left out of the
/// observed record (`--observer` compares one observer's copies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disputed {
    /// Contest id.
    pub contest: String,
    /// Unit id.
    pub unit: String,
    /// Each observer's latest copy: (observer, lines).
    pub copies: Vec<(String, Vec<(String, u64)>)>,
}

/// The official record against the observers' copies in the record.
#[derive(Clone, Debug)]
pub struct RecordComparison {
    /// The election.
    pub election: Election,
    /// Its tree.
    pub tree: UnitTree,
    /// The official counts (latest accepted versions).
    pub official: Vec<ContestCounts>,
    /// The observed counts (each observer's latest copy; copies of several observers merged
    /// where they agree).
    pub observed: Vec<ContestCounts>,
    /// Station by station, for the contests compared only (see `contests`).
    pub comparison: Comparison,
    /// Per compared contest, the mismatches by commission and region.
    pub by_unit: Vec<Vec<UnitRollup>>,
    /// The observers whose copies were used, sorted.
    pub observers: Vec<String>,
    /// Protocols whose copies disagree between observers (left out of the observed record).
    pub disputed: Vec<Disputed>,
    /// The log size the comparison reflects.
    pub log_size: u64,
}

/// The latest copy of a protocol by each observer: (contest, unit) → observer → lines.
type LatestCopies = BTreeMap<(usize, usize), BTreeMap<String, Vec<(String, u64)>>>;

/// An observer's latest copy of a protocol during a write: (version, lines JSON, photo).
type CopyState = Option<(u64, String, Option<String>)>;

/// A copy that passed every check before the write.
struct PreparedCopy {
    contest: usize,
    unit: usize,
    observer: String,
    row: Row,
    photo: Option<String>,
    author: String,
    at: String,
    reason: String,
    findings: Vec<CheckFinding>,
}

/// What became of one copy of a batch in the write transaction.
enum CopyOutcome {
    Written { leaf: usize, version: u64 },
    Replayed(u64, Receipt),
    Failed(StoreError),
}

fn name_of(s: &str, what: &str) -> Result<String, StoreError> {
    let t = s.trim();
    if !is_name(t) {
        return Err(StoreError::Invalid(format!(
            "{what} \"{}\" must be 1 to {} bytes without control characters",
            ashyq_record::quote(s),
            ashyq_record::QUOTE_LIMIT
        )));
    }
    Ok(t.to_owned())
}

/// The observer's latest copy of a protocol: (version, lines JSON, photo).
fn latest_copy(
    db: &mut Db,
    eid: &str,
    contest: usize,
    unit: usize,
    observer: &str,
) -> Result<CopyState, StoreError> {
    let rows = db.query(
        "SELECT version, lines, photo_sha256 FROM observations WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 AND observer = ?4 ORDER BY version DESC LIMIT 1",
        &[eid.into(), Value::Int(contest as i64), Value::Int(unit as i64), observer.into()],
    )?;
    match rows.first() {
        None => Ok(None),
        Some(r) => Ok(Some((
            u64::try_from(r[0].int()?).map_err(|_| {
                StoreError::corrupt("a negative version", format!("observations of election {eid}"))
            })?,
            r[1].text()?.to_owned(),
            r[2].opt_text()?.map(str::to_owned),
        ))),
    }
}

impl Store {
    /// Checks a copy before anything is written.
    fn prepare_copy(
        &mut self,
        def: &Definition,
        o: &ObservationInput,
    ) -> Result<PreparedCopy, StoreError> {
        let (ci, ui) = Self::protocol_key_pub(def, &o.contest, &o.unit)?;
        let contest = &def.election.contests()[ci];
        let observer = name_of(&o.observer, "the observer's id")?;
        let author = name_of(&o.author, "the author")?;
        let at = self.entry_time(&o.time)?;
        if o.values.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the copy of protocol (contest {}, unit {}) holds no line",
                o.contest, o.unit
            )));
        }
        if let Some((line, v)) = o.values.iter().find(|(_, v)| *v > MAX_VALUE) {
            return Err(StoreError::Invalid(format!(
                "line \"{}\": {v} is no count of voters (more than 2^40)",
                ashyq_record::quote(line)
            )));
        }
        let row = Self::row_from_values(contest, None, &o.values)?;
        let photo = match o.photo_sha256.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                let p = p.to_ascii_lowercase();
                if !is_sha256_hex(&p) {
                    return Err(StoreError::Invalid(format!(
                        "field photo_sha256: \"{}\" is not a SHA-256 (64 hexadecimal digits)",
                        ashyq_record::quote(&p)
                    )));
                }
                Some(p)
            }
        };
        let ctx = if def.tree.children(ui).is_empty() {
            ProtocolContext::station(self.limits)
        } else {
            ProtocolContext::summary(None, self.limits)
        };
        let findings = crate::submit::core_findings(contest, check_protocol(contest, &row, &ctx));
        Ok(PreparedCopy {
            contest: ci,
            unit: ui,
            observer,
            row,
            photo,
            author,
            at: at.to_string(),
            reason: o.reason.trim().to_owned(),
            findings,
        })
    }

    /// Records one observer's copy of a protocol (see [`Store::observe_many`]).
    pub fn observe(
        &mut self,
        election_id: &str,
        o: &ObservationInput,
    ) -> Result<Observed, StoreError> {
        self.observe_many(election_id, std::slice::from_ref(o))?
            .pop()
            .unwrap_or_else(|| Err(StoreError::Invalid("the copy was not processed".into())))
    }

    /// Records many copies at once in one transaction with one signed checkpoint (the group
    /// commit of the API's intake); each gets its own result. A copy is refused when its contest
    /// or unit is unknown (`NotFound`), a line or value is bad (`Invalid`, naming the line or
    /// field), or the observer already holds a copy of the protocol and this one gives no reason
    /// or repeats the latest one (`Conflict`). `Err` when the whole write failed.
    pub fn observe_many(
        &mut self,
        election_id: &str,
        items: &[ObservationInput],
    ) -> Result<Vec<Result<Observed, StoreError>>, StoreError> {
        Ok(self
            .observe_batch(election_id, items, false)?
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(StoreError::Invalid("the copy was not processed".into())))
            })
            .collect())
    }

    /// Records every copy or none: when any copy is refused, nothing is written and the inner
    /// `Err` lists every refusal with the index of its copy (the CLI's import: bad input
    /// changes nothing). The outer `Err` is a failed write.
    #[allow(clippy::type_complexity)]
    pub fn observe_all(
        &mut self,
        election_id: &str,
        items: &[ObservationInput],
    ) -> Result<Result<Vec<Observed>, Vec<(usize, StoreError)>>, StoreError> {
        let results = self.observe_batch(election_id, items, true)?;
        let mut ok = Vec::with_capacity(results.len());
        let mut refused = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Some(Ok(o)) => ok.push(o),
                Some(Err(e)) => refused.push((i, e)),
                // Not stored because another copy of the batch was refused.
                None => {}
            }
        }
        Ok(if refused.is_empty() { Ok(ok) } else { Err(refused) })
    }

    /// The copies' results; with `atomic`, `None` for a copy left unstored because another one
    /// was refused.
    #[allow(clippy::type_complexity)]
    fn observe_batch(
        &mut self,
        election_id: &str,
        items: &[ObservationInput],
        atomic: bool,
    ) -> Result<Vec<Option<Result<Observed, StoreError>>>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let mut results: Vec<Option<Result<Observed, StoreError>>> =
            Vec::with_capacity(items.len());
        let mut prepared: Vec<(usize, PreparedCopy)> = Vec::new();
        for (i, o) in items.iter().enumerate() {
            match self.prepare_copy(&def, o) {
                Ok(p) => {
                    prepared.push((i, p));
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        if atomic && results.iter().any(Option::is_some) {
            return Ok(results);
        }
        let eid = def.election.id().to_string();
        let signer = self.signer.clone();
        let now = self.now();
        let mut refused: Vec<(usize, StoreError)> = Vec::new();
        let written = self.write_tx(|db| {
            // (contest, unit, observer) → (version, lines JSON, photo) as the batch leaves it.
            let mut latest: BTreeMap<(usize, usize, String), CopyState> =
                BTreeMap::new();
            let mut leaves = Vec::new();
            let mut out: Vec<(usize, CopyOutcome)> = Vec::with_capacity(prepared.len());
            // Ids are assigned here, under the writers' lock.
            let mut next = next_id(db, "observations")?;
            // A large batch reads its observers' copies once (one query per observer, not one
            // per copy) and inserts its rows together.
            let mut loaded: BTreeSet<String> = BTreeSet::new();
            if prepared.len() > 16 {
                let observers: BTreeSet<&str> =
                    prepared.iter().map(|(_, p)| p.observer.as_str()).collect();
                for o in observers {
                    for r in db.query(
                        "SELECT contest_idx, unit_idx, version, lines, photo_sha256 FROM observations WHERE election_id = ?1 AND observer = ?2",
                        &[eid.as_str().into(), o.into()],
                    )? {
                        let loc = || format!("observations of election {eid}");
                        let (c, u) = rows::resolve(&def, r[0].int()?, r[1].int()?, "an observation")?;
                        let v = u64::try_from(r[2].int()?)
                            .map_err(|_| StoreError::corrupt("a negative version", loc()))?;
                        let slot = latest.entry((c, u, o.to_owned())).or_insert(None);
                        if slot.as_ref().is_none_or(|(w, _, _)| *w < v) {
                            *slot = Some((v, r[3].text()?.to_owned(), r[4].opt_text()?.map(str::to_owned)));
                        }
                    }
                    loaded.insert(o.to_owned());
                }
            }
            let mut rows_out: Vec<Vec<Value>> = Vec::new();
            for (i, p) in &prepared {
                if let Some(k) = &items[*i].idempotency {
                    if let Some((hash, version, receipt)) =
                        crate::access::lookup(db, &k.scope, &k.key)?
                    {
                        out.push((
                            *i,
                            if hash == k.request_hash {
                                CopyOutcome::Replayed(version, receipt)
                            } else {
                                CopyOutcome::Failed(StoreError::Conflict(format!(
                                    "the idempotency key \"{}\" was already used for another request",
                                    ashyq_record::quote(&k.key)
                                )))
                            },
                        ));
                        continue;
                    }
                }
                let key = (p.contest, p.unit, p.observer.clone());
                if !latest.contains_key(&key) {
                    let cur = if loaded.contains(&p.observer) {
                        None
                    } else {
                        latest_copy(db, &eid, p.contest, p.unit, &p.observer)?
                    };
                    latest.insert(key.clone(), cur);
                }
                let contest = &def.election.contests()[p.contest];
                let lines = certify::row_lines(contest, &p.row);
                let json = lines_json(&lines);
                let what = format!(
                    "observer {} already holds a copy of protocol (contest {}, unit {})",
                    p.observer,
                    contest.id(),
                    def.tree.unit(p.unit).id
                );
                let version = match latest.get(&key).cloned().flatten() {
                    None => 1,
                    Some((v, old, photo)) if old == json && photo == p.photo => {
                        out.push((
                            *i,
                            CopyOutcome::Failed(StoreError::Conflict(format!(
                                "{what} with the same lines as version {v}: nothing to supersede"
                            ))),
                        ));
                        continue;
                    }
                    Some((v, _, _)) if p.reason.is_empty() => {
                        out.push((
                            *i,
                            CopyOutcome::Failed(StoreError::Conflict(format!(
                                "{what} (version {v}); a later copy supersedes it only with a reason"
                            ))),
                        ));
                        continue;
                    }
                    Some((v, _, _)) => v + 1,
                };
                let id = next;
                next += 1;
                let codes: Vec<String> = p.findings.iter().map(|f| f.code.clone()).collect();
                rows_out.push(vec![
                        Value::Int(id),
                        eid.as_str().into(),
                        Value::Int(p.contest as i64),
                        Value::Int(p.unit as i64),
                        p.observer.as_str().into(),
                        Value::Int(version as i64),
                        json.as_str().into(),
                        p.photo.clone().into(),
                        p.author.as_str().into(),
                        p.at.as_str().into(),
                        p.reason.as_str().into(),
                        codes.join(",").into(),
                    ]);
                let leaf = Leaf::Observation(ObservationLeaf {
                    election: eid.clone(),
                    contest: contest.id().to_string(),
                    unit: def.tree.unit(p.unit).id.to_string(),
                    observer: p.observer.clone(),
                    version,
                    author: p.author.clone(),
                    at: p.at.clone(),
                    reason: p.reason.clone(),
                    photo_sha256: p.photo.clone(),
                    findings: codes,
                    lines,
                });
                leaves.push(NewLeaf::new(id, &leaf));
                latest.insert(key, Some((version, json, p.photo.clone())));
                out.push((*i, CopyOutcome::Written { leaf: leaves.len() - 1, version }));
            }
            if atomic {
                for (i, o) in &mut out {
                    if let CopyOutcome::Failed(e) = o {
                        refused.push((*i, std::mem::replace(e, StoreError::Invalid(String::new()))));
                    }
                }
                if !refused.is_empty() {
                    // Roll the whole import back; the refusals are returned below.
                    return Err(StoreError::Conflict("the import was refused".into()));
                }
            }
            db.insert_many(
                "INSERT INTO observations (id, election_id, contest_idx, unit_idx, observer, version, lines, photo_sha256, author, at, reason, findings)",
                12,
                rows_out,
                |_| {},
            )?;
            let appended = if leaves.is_empty() {
                None
            } else {
                Some(append(db, &eid, &def.leaf.origin, leaves, signer.as_deref())?)
            };
            if let Some(a) = &appended {
                for (i, o) in &out {
                    if let (CopyOutcome::Written { leaf, version }, Some(key)) =
                        (o, &items[*i].idempotency)
                    {
                        crate::access::record(db, key, &eid, *version, &a.receipt(*leaf), now.as_str())?;
                    }
                }
            }
            Ok((out, appended))
        });
        let (outcomes, appended) = match written {
            Ok(x) => x,
            Err(_) if !refused.is_empty() => {
                let mut res: Vec<Option<Result<Observed, StoreError>>> =
                    (0..items.len()).map(|_| None).collect();
                for (i, e) in refused {
                    res[i] = Some(Err(e));
                }
                return Ok(res);
            }
            Err(e) => return Err(e),
        };
        let mut findings: BTreeMap<usize, Vec<CheckFinding>> =
            prepared.into_iter().map(|(i, p)| (i, p.findings)).collect();
        for (i, o) in outcomes {
            results[i] = Some(match o {
                CopyOutcome::Failed(e) => Err(e),
                CopyOutcome::Replayed(version, receipt) => {
                    Ok(Observed { version, findings: Vec::new(), receipt })
                }
                CopyOutcome::Written { leaf, version } => Ok(Observed {
                    version,
                    findings: findings.remove(&i).unwrap_or_default(),
                    receipt: appended.as_ref().map(|a| a.receipt(leaf)).unwrap_or(Receipt {
                        log_index: 0,
                        leaf_hash: String::new(),
                        tree_size: 0,
                        checkpoint: None,
                        replayed: false,
                    }),
                }),
            });
        }
        Ok(results)
    }

    /// Every stored copy (every version), optionally of one contest and one unit, in contest,
    /// unit, observer and version order.
    pub fn observations(
        &mut self,
        election_id: &str,
        contest: Option<&str>,
        unit: Option<&str>,
    ) -> Result<Vec<Observation>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let e = def.election.id();
        let ci = contest
            .map(|c| {
                def.election.contest_index(c).ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "contest \"{}\" is not in election {e}",
                        ashyq_record::quote(c)
                    ))
                })
            })
            .transpose()?;
        let ui = unit
            .map(|u| {
                def.tree.index_of(u).ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "unit \"{}\" is not in election {e}",
                        ashyq_record::quote(u)
                    ))
                })
            })
            .transpose()?;
        let cols: Vec<String> =
            rows::OBSERVATION_COLUMNS.split(", ").map(|c| format!("o.{c}")).collect();
        let found = self.db.query(
            &format!(
                "SELECT l.seq, {} FROM observations o JOIN log l ON l.election_id = o.election_id AND l.kind = 'observation' AND l.ref = o.id WHERE o.election_id = ?1 ORDER BY o.contest_idx, o.unit_idx, o.observer, o.version",
                cols.join(", ")
            ),
            &[election_id.into()],
        )?;
        let mut out = Vec::new();
        for r in &found {
            let (c, u) = rows::resolve(&def, r[2].int()?, r[3].int()?, "an observation")?;
            if ci.is_some_and(|x| x != c) || ui.is_some_and(|x| x != u) {
                continue;
            }
            let leaf = rows::observation_leaf(&def.leaf, &r[1..].to_vec()).map_err(|e| {
                StoreError::corrupt(e, format!("an observation of election {election_id}"))
            })?;
            let Leaf::Observation(o) = leaf else { continue };
            out.push(Observation {
                contest: o.contest,
                unit: o.unit,
                observer: o.observer,
                version: o.version,
                author: o.author,
                time: o.at,
                reason: o.reason,
                photo_sha256: o.photo_sha256,
                findings: o.findings,
                values: o.lines,
                log_index: (r[0].int()? - 1).max(0) as u64,
            });
        }
        Ok(out)
    }

    /// Records observers' turnout counts, every one or none: when any is refused (an unknown
    /// station, a unit that is not a polling station, a time of day that is not `HH:MM`, the
    /// observer's count at that station and time already recorded), nothing is written and the
    /// inner `Err` lists each refusal with its index.
    #[allow(clippy::type_complexity)]
    pub fn observe_turnout_all(
        &mut self,
        election_id: &str,
        items: &[ObservedTurnoutInput],
    ) -> Result<Result<Vec<Receipt>, Vec<(usize, StoreError)>>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let mut refused = Vec::new();
        let mut ready = Vec::with_capacity(items.len());
        for (i, t) in items.iter().enumerate() {
            match self.prepare_turnout(&def, t) {
                Ok(x) => ready.push(x),
                Err(e) => refused.push((i, e)),
            }
        }
        if !refused.is_empty() {
            return Ok(Err(refused));
        }
        let eid = def.election.id().to_string();
        let signer = self.signer.clone();
        let mut conflicts: Vec<(usize, StoreError)> = Vec::new();
        let written = self.write_tx(|db| {
            let mut seen = BTreeSet::new();
            let mut leaves = Vec::new();
            for (i, (u, t)) in ready.iter().enumerate() {
                let dup = !db
                    .query(
                        "SELECT id FROM observed_turnout WHERE election_id = ?1 AND unit_idx = ?2 AND observer = ?3 AND hour = ?4",
                        &[eid.as_str().into(), Value::Int(*u as i64), t.observer.as_str().into(), t.hour.as_str().into()],
                    )?
                    .is_empty();
                if dup || !seen.insert((*u, t.observer.clone(), t.hour.clone())) {
                    conflicts.push((
                        i,
                        StoreError::Conflict(format!(
                            "observer {}'s count at {} at {} is already recorded",
                            t.observer, t.unit, t.hour
                        )),
                    ));
                    continue;
                }
                let id = next_id(db, "observed_turnout")?;
                db.exec(
                    "INSERT INTO observed_turnout (id, election_id, unit_idx, hour, voters, observer, author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    &[
                        Value::Int(id),
                        eid.as_str().into(),
                        Value::Int(*u as i64),
                        t.hour.as_str().into(),
                        Value::Int(t.voters as i64),
                        t.observer.as_str().into(),
                        t.author.as_str().into(),
                        t.time.as_str().into(),
                    ],
                )?;
                let leaf = Leaf::ObservedTurnout(ObservedTurnoutLeaf {
                    election: eid.clone(),
                    unit: t.unit.clone(),
                    hour: t.hour.clone(),
                    voters: t.voters,
                    observer: t.observer.clone(),
                    author: t.author.clone(),
                    at: t.time.clone(),
                });
                leaves.push(NewLeaf::new(id, &leaf));
            }
            if !conflicts.is_empty() {
                return Err(StoreError::Conflict("the import was refused".into()));
            }
            if leaves.is_empty() {
                return Ok(Vec::new());
            }
            let a = append(db, &eid, &def.leaf.origin, leaves, signer.as_deref())?;
            Ok((0..ready.len()).map(|k| a.receipt(k)).collect())
        });
        match written {
            Ok(r) => Ok(Ok(r)),
            Err(_) if !conflicts.is_empty() => Ok(Err(conflicts)),
            Err(e) => Err(e),
        }
    }

    /// A turnout count checked and normalised: (unit index, the count with its trimmed names
    /// and UTC time).
    fn prepare_turnout(
        &mut self,
        def: &Definition,
        t: &ObservedTurnoutInput,
    ) -> Result<(usize, ObservedTurnoutInput), StoreError> {
        let e = def.election.id();
        let u = def.tree.index_of(&t.unit).ok_or_else(|| {
            StoreError::NotFound(format!(
                "unit \"{}\" is not in election {e}",
                ashyq_record::quote(&t.unit)
            ))
        })?;
        if !def.tree.children(u).is_empty() {
            return Err(StoreError::Invalid(format!(
                "unit \"{}\" is not a polling station; voters are counted at stations",
                t.unit
            )));
        }
        let hour = t.hour.trim();
        if !is_time_of_day(hour) {
            return Err(StoreError::Invalid(format!(
                "field hour: \"{}\" is not a time of day HH:MM (00:00 to 23:59)",
                ashyq_record::quote(&t.hour)
            )));
        }
        if t.voters > MAX_VALUE {
            return Err(StoreError::Invalid(format!(
                "field voters: {} is no count of voters",
                t.voters
            )));
        }
        Ok((
            u,
            ObservedTurnoutInput {
                unit: t.unit.clone(),
                hour: hour.to_owned(),
                voters: t.voters,
                observer: name_of(&t.observer, "the observer's id")?,
                author: name_of(&t.author, "the author")?,
                time: self.entry_time(&t.time)?.to_string(),
            },
        ))
    }

    /// Observers' turnout counts (of one observer, or of all), in station, time and observer
    /// order.
    pub fn observed_turnout(
        &mut self,
        election_id: &str,
        observer: Option<&str>,
    ) -> Result<Vec<ObservedTurnout>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let found = self.db.query(
            "SELECT l.seq, t.unit_idx, t.hour, t.voters, t.observer, t.author, t.at FROM observed_turnout t JOIN log l ON l.election_id = t.election_id AND l.kind = 'observed_turnout' AND l.ref = t.id WHERE t.election_id = ?1 ORDER BY t.unit_idx, t.hour, t.observer",
            &[election_id.into()],
        )?;
        let loc = || format!("an observed turnout count of election {election_id}");
        let mut out = Vec::new();
        for r in &found {
            let who = r[4].text()?;
            if observer.is_some_and(|o| o != who) {
                continue;
            }
            let u = rows::resolve_unit(&def, r[1].int()?, "an observed turnout count")?;
            out.push(ObservedTurnout {
                unit: def.tree.unit(u).id.to_string(),
                hour: r[2].text()?.to_owned(),
                voters: u64::try_from(r[3].int()?)
                    .map_err(|_| StoreError::corrupt("a negative count", loc()))?,
                observer: who.to_owned(),
                author: r[5].text()?.to_owned(),
                time: r[6].text()?.to_owned(),
                log_index: (r[0].int()? - 1).max(0) as u64,
            });
        }
        Ok(out)
    }

    /// The commission's intraday turnout snapshots, per polling station (what observers'
    /// counts are compared with).
    pub fn station_turnout(&mut self, election_id: &str) -> Result<Vec<Snapshot>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let found = self.db.query(
            "SELECT unit_idx, hour, voters FROM turnout WHERE election_id = ?1 ORDER BY unit_idx, hour",
            &[election_id.into()],
        )?;
        found
            .iter()
            .map(|r| {
                let u = rows::resolve_unit(&def, r[0].int()?, "a turnout snapshot")?;
                Ok(Snapshot {
                    unit: def.tree.unit(u).id.to_string(),
                    hour: r[1].text()?.to_owned(),
                    voters: u64::try_from(r[2].int()?).map_err(|_| {
                        StoreError::corrupt(
                            "a negative voter count",
                            format!("a turnout snapshot of election {election_id}"),
                        )
                    })?,
                })
            })
            .collect()
    }

    /// The official record against the observers' copies: per station every line that differs,
    /// stations missing (an official protocol without a copy) and extra, `abs_diff`, the
    /// mismatches by commission and region, and the legal outcome under the official counts,
    /// under the copies, and if the copies are right (`ashyq_audit::compare`).
    ///
    /// `observer`: one observer's copies (their latest version each); by default every
    /// observer's, merged where they agree; a protocol whose copies disagree between observers
    /// is left out and listed in `disputed`. `contest`: one contest; by default every contest
    /// the copies cover.
    pub fn compare(
        &mut self,
        election_id: &str,
        contest: Option<&str>,
        observer: Option<&str>,
    ) -> Result<RecordComparison, StoreError> {
        let def = self.cached_definition(election_id)?;
        let log_size = self.log_state(election_id)?.size;
        let official = self.latest_counts(&def)?;
        let copies = self.observations(election_id, contest, None)?;
        // The latest copy of each observer: (contest, unit) → observer → lines.
        let mut latest: LatestCopies = BTreeMap::new();
        let mut observers = BTreeSet::new();
        for o in copies {
            if observer.is_some_and(|x| x != o.observer) {
                continue;
            }
            let (c, u) = Self::protocol_key_pub(&def, &o.contest, &o.unit)?;
            observers.insert(o.observer.clone());
            latest.entry((c, u)).or_default().insert(o.observer, o.values);
        }
        if latest.is_empty() {
            return Err(StoreError::NotFound(match (observer, contest) {
                (Some(o), Some(c)) => {
                    format!("observer {o} holds no copy of a protocol of contest {c}")
                }
                (Some(o), None) => {
                    format!("observer {o} holds no copy of any protocol of election {election_id}")
                }
                (None, Some(c)) => {
                    format!("the record holds no observer copy of a protocol of contest {c}")
                }
                (None, None) => format!(
                    "the record holds no observer copy of any protocol of election {election_id}"
                ),
            }));
        }
        let mut observed: Vec<ContestCounts> =
            def.election.contests().iter().map(ContestCounts::new).collect();
        let mut disputed = Vec::new();
        for (&(c, u), by) in &latest {
            let cdef = &def.election.contests()[c];
            let mut merged: Row =
                vec![None; cdef.options().len() + ashyq_core::line::ProtocolLine::COUNT];
            let mut agree = true;
            for lines in by.values() {
                let row = certify::lines_row(cdef, lines).map_err(|e| {
                    StoreError::corrupt(e, format!("an observation of election {election_id}"))
                })?;
                for (col, v) in row.into_iter().enumerate() {
                    match (merged[col], v) {
                        (Some(a), Some(b)) if a != b => agree = false,
                        (None, Some(b)) => merged[col] = Some(b),
                        _ => {}
                    }
                }
            }
            if !agree {
                disputed.push(Disputed {
                    contest: cdef.id().to_string(),
                    unit: def.tree.unit(u).id.to_string(),
                    copies: by.iter().map(|(o, l)| (o.clone(), l.clone())).collect(),
                });
                continue;
            }
            for (col, v) in merged.into_iter().enumerate() {
                if let Some(v) = v {
                    observed[c].set(u, Line::from_column(col), v).map_err(|e| {
                        StoreError::corrupt(
                            e.to_string(),
                            format!("an observation of election {election_id}"),
                        )
                    })?;
                }
            }
        }
        let chosen: BTreeSet<String> =
            latest.keys().map(|(c, _)| def.election.contests()[*c].id().to_string()).collect();
        let rec = |counts| Record { election: &def.election, tree: &def.tree, counts };
        let mut comparison = compare::compare(rec(&official), rec(&observed))
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        comparison.contests.retain(|c| chosen.contains(&c.contest));
        let by_unit = comparison
            .contests
            .iter()
            .map(|cc| {
                let ci = def.election.contest_index(&cc.contest).unwrap_or_default();
                compare::by_unit(&def.tree, &official[ci], cc)
            })
            .collect();
        Ok(RecordComparison {
            election: def.election.clone(),
            tree: def.tree.clone(),
            official,
            observed,
            comparison,
            by_unit,
            observers: observers.into_iter().collect(),
            disputed,
            log_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_times_of_day() {
        assert!(is_time_of_day("00:00") && is_time_of_day("23:59") && is_time_of_day("11:30"));
        for bad in ["24:00", "12:60", "1:30", "12:3", "ab:cd", "12-30", ""] {
            assert!(!is_time_of_day(bad), "{bad}");
        }
        assert!(name_of(" adil-soz ", "x").is_ok());
        assert!(name_of("", "x").is_err() && name_of("a\nb", "x").is_err());
        assert!(name_of(&"x".repeat(201), "x").is_err());
    }
}
