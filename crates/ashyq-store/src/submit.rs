//! Protocols entered by people: checks on submission, double entry and its resolution,
//! corrections as new versions, history. Every accepted version goes through one transaction
//! that re-checks the version number under the writers' lock and appends to the log.

use ashyq_core::checks::{check_protocol, required_lines, Finding, ProtocolContext, Severity};
use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::election::Contest;
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitIdx;
use ashyq_record::certify::{self, Definition};
use ashyq_record::leaf::{EntryLeaf, Leaf, ProtocolLeaf};
use ashyq_record::statement::{protocol_statement, verify_statement, ProtocolSignature};
use ashyq_record::Timestamp;

use crate::append::{append, next_id, Appended, NewLeaf};
use crate::db::{Db, Value};
use crate::rows::{lines_json, parse_lines};
use crate::{
    CheckFinding, Difference, ProtocolVersion, Receipt, Store, StoreError, Submission, Submitted,
    MAX_CLOCK_SKEW_SECONDS,
};

/// Authors are the same person when they are equal after trimming and case-folding.
pub(crate) fn fold(author: &str) -> String {
    author.trim().to_lowercase()
}

fn finding_codes(findings: &[CheckFinding]) -> Vec<String> {
    findings.iter().map(|f| f.code.clone()).collect()
}

pub(crate) fn core_findings(contest: &Contest, f: Vec<Finding>) -> Vec<CheckFinding> {
    f.into_iter()
        .map(|f| CheckFinding {
            code: f.code.to_string(),
            error: f.severity == Severity::Error,
            line: f.lines.first().map(|l| certify::line_name(contest, l.column())),
            message: f.message,
        })
        .collect()
}

fn differences(contest: &Contest, a1: &str, r1: &Row, a2: &str, r2: &Row) -> Vec<Difference> {
    r1.iter()
        .zip(r2)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(col, (x, y))| Difference {
            line: certify::line_name(contest, col),
            values: vec![(a1.to_owned(), *x), (a2.to_owned(), *y)],
        })
        .collect()
}

/// One keying awaiting its pair: (author, row, reason).
type Keying = (String, Row, String);

/// What became of one submission of a batch inside the transaction.
enum Outcome {
    /// Written: the k-th leaf of the batch.
    Written(usize),
    /// Its idempotency key was already used for the same request: its version and receipt.
    Replayed(u64, Receipt),
    /// Refused.
    Failed(StoreError),
}

/// A first submission that passed every check, ready to be written.
struct Prepared {
    nv: NewVersion,
    findings: Vec<CheckFinding>,
}

/// The conflict of a submission to a protocol that already has a version.
fn already(s: &Submission, v: u64) -> StoreError {
    StoreError::Conflict(format!(
        "protocol (contest {}, unit {}) already has version {v}; changes go through a correction with a reason",
        s.contest, s.unit
    ))
}

/// A version about to be stored.
struct NewVersion {
    contest: usize,
    unit: UnitIdx,
    version: u64,
    row: Row,
    author: String,
    at: String,
    reason: String,
    findings: Vec<String>,
    signature: Option<ProtocolSignature>,
}

/// Checks a commission's signature of the version `row` would become (issue 8): refused with
/// the reason when it does not verify, so nothing unsigned-as-claimed is ever written.
fn check_signature(
    def: &Definition,
    ci: usize,
    ui: UnitIdx,
    row: &Row,
    signature: Option<&ProtocolSignature>,
) -> Result<(), StoreError> {
    let Some(sig) = signature else { return Ok(()) };
    if def.leaf.double_entry {
        return Err(StoreError::Invalid(
            "this election uses double entry: a version is made by two independent keyings, so a commission's signature cannot be attached to one of them".into(),
        ));
    }
    let contest = &def.election.contests()[ci];
    let statement = protocol_statement(
        def.election.id().as_str(),
        contest.id().as_str(),
        def.tree.unit(ui).id.as_str(),
        &certify::row_lines(contest, row),
    );
    verify_statement(&statement, sig).map_err(|e| {
        StoreError::Invalid(format!(
            "{e} (the signed statement is every line of the version as it would be stored: for a correction, the corrected protocol as a whole)"
        ))
    })
}

fn current_version(db: &mut Db, eid: &str, ci: usize, ui: usize) -> Result<u64, StoreError> {
    let v = db.query_one(
        "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3",
        &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
    )?[0]
        .int()?;
    u64::try_from(v).map_err(|_| {
        StoreError::corrupt(
            format!("version {v} is negative"),
            format!("protocol_versions of election {eid}"),
        )
    })
}

/// Inserts a version row and returns its log item.
fn insert_version(db: &mut Db, def: &Definition, nv: &NewVersion) -> Result<NewLeaf, StoreError> {
    let id = next_id(db, "protocol_versions")?;
    let (row, leaf) = version_row(def, nv, id);
    db.exec(
        "INSERT INTO protocol_versions (id, election_id, contest_idx, unit_idx, version, lines, author, at, reason, findings, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        &row,
    )?;
    Ok(leaf)
}

/// The `protocol_versions` row of a new version with id `id`, and its log item.
fn version_row(def: &Definition, nv: &NewVersion, id: i64) -> (Vec<Value>, NewLeaf) {
    let eid = def.election.id().to_string();
    let contest = &def.election.contests()[nv.contest];
    let lines = certify::row_lines(contest, &nv.row);
    let row = vec![
        Value::Int(id),
        eid.as_str().into(),
        Value::Int(nv.contest as i64),
        Value::Int(nv.unit as i64),
        Value::Int(nv.version as i64),
        lines_json(&lines).into(),
        nv.author.as_str().into(),
        nv.at.as_str().into(),
        nv.reason.as_str().into(),
        nv.findings.join(",").into(),
        match &nv.signature {
            Some(s) => crate::rows::signature_text(s).into(),
            None => Value::Null,
        },
    ];
    let leaf = Leaf::Protocol(ProtocolLeaf {
        election: eid,
        contest: contest.id().to_string(),
        unit: def.tree.unit(nv.unit).id.to_string(),
        version: nv.version,
        author: nv.author.clone(),
        at: nv.at.clone(),
        reason: nv.reason.clone(),
        findings: nv.findings.clone(),
        lines,
        signature: nv.signature.clone(),
    });
    (row, NewLeaf::new(id, &leaf))
}

/// The latest version number of each (contest, unit) in `keys` that has one, in a few queries
/// (a group commit asks for all its protocols at once: one round trip per 500, not per protocol).
fn current_versions(
    db: &mut Db,
    eid: &str,
    keys: &[(usize, usize)],
) -> Result<std::collections::HashMap<(usize, usize), u64>, StoreError> {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let mut out = std::collections::HashMap::new();
    // Each (contest, unit) pair is looked up through the index on (election, contest, unit,
    // version), 250 pairs per query.
    for chunk in keys.chunks(250) {
        let pairs: Vec<String> = (0..chunk.len())
            .map(|i| format!("(contest_idx = ?{} AND unit_idx = ?{})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "SELECT contest_idx, unit_idx, CAST(MAX(version) AS BIGINT) FROM protocol_versions WHERE election_id = ?1 AND ({}) GROUP BY contest_idx, unit_idx",
            pairs.join(" OR ")
        );
        let mut params = vec![Value::from(eid)];
        params
            .extend(chunk.iter().flat_map(|&(c, u)| [Value::Int(c as i64), Value::Int(u as i64)]));
        for r in db.query(&sql, &params)? {
            let (c, u, v) = (r[0].int()?, r[1].int()?, r[2].int()?);
            let corrupt = || {
                StoreError::corrupt(
                    format!("a version row has contest {c}, unit {u}, version {v}"),
                    format!("protocol_versions of election {eid}"),
                )
            };
            let key = (
                usize::try_from(c).map_err(|_| corrupt())?,
                usize::try_from(u).map_err(|_| corrupt())?,
            );
            out.insert(key, u64::try_from(v).map_err(|_| corrupt())?);
        }
    }
    Ok(out)
}

/// The latest keying of each of the first two distinct authors (after case-folding) in a round.
fn entry_pair(
    db: &mut Db,
    def: &Definition,
    ci: usize,
    ui: usize,
    round: u64,
) -> Result<Option<(Keying, Keying)>, StoreError> {
    let eid = def.election.id().as_str();
    let contest = &def.election.contests()[ci];
    let rows = db.query(
        "SELECT author, lines, reason FROM entries WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 AND round = ?4 ORDER BY id",
        &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64), Value::Int(round as i64)],
    )?;
    let mut by_author: Vec<Keying> = Vec::new();
    for r in &rows {
        let a = r[0].text()?.to_owned();
        let lines = parse_lines(r[1].text()?)
            .map_err(|e| StoreError::corrupt(e, format!("an entry of election {eid}")))?;
        let row = certify::lines_row(contest, &lines)
            .map_err(|e| StoreError::corrupt(e, format!("an entry of election {eid}")))?;
        let reason = r[2].text()?.to_owned();
        match by_author.iter_mut().find(|(x, _, _)| fold(x) == fold(&a)) {
            Some(slot) => *slot = (a, row, reason),
            None => by_author.push((a, row, reason)),
        }
    }
    let mut it = by_author.into_iter();
    Ok(match (it.next(), it.next()) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    })
}

impl Store {
    pub(crate) fn protocol_key_pub(
        def: &Definition,
        contest: &str,
        unit: &str,
    ) -> Result<(usize, UnitIdx), StoreError> {
        Self::protocol_key(def, contest, unit)
    }

    fn protocol_key(
        def: &Definition,
        contest: &str,
        unit: &str,
    ) -> Result<(usize, UnitIdx), StoreError> {
        let e = def.election.id();
        let ci = def.election.contest_index(contest).ok_or_else(|| {
            StoreError::NotFound(format!(
                "contest \"{}\" is not in election {e}",
                ashyq_record::quote(contest)
            ))
        })?;
        let ui = def.tree.index_of(unit).ok_or_else(|| {
            StoreError::NotFound(format!(
                "unit \"{}\" is not in election {e}",
                ashyq_record::quote(unit)
            ))
        })?;
        if !def.tree.is_within(ui, def.election.contests()[ci].territory()) {
            return Err(StoreError::Invalid(format!(
                "unit \"{unit}\" is outside the territory of contest \"{contest}\""
            )));
        }
        Ok((ci, ui))
    }

    /// Validates a submission's time: RFC 3339, not in the future beyond the clock skew.
    pub(crate) fn entry_time(&self, time: &str) -> Result<Timestamp, StoreError> {
        let t = Timestamp::parse(time).map_err(|e| StoreError::Invalid(format!("the time {e}")))?;
        let now = self.now();
        if t.unix() > now.unix() + MAX_CLOCK_SKEW_SECONDS {
            return Err(StoreError::Invalid(format!(
                "the time {t} lies in the future (it is now {now}); a protocol cannot be entered before it exists"
            )));
        }
        Ok(t)
    }

    /// All versions of one protocol, oldest first.
    pub fn history(
        &mut self,
        election_id: &str,
        contest: &str,
        unit: &str,
    ) -> Result<Vec<ProtocolVersion>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (ci, ui) = Self::protocol_key(&def, contest, unit)?;
        let c = &def.election.contests()[ci];
        let rows = self.db.query(
            "SELECT v.version, v.author, v.at, v.reason, v.findings, v.lines, l.seq, v.signature FROM protocol_versions v JOIN log l ON l.election_id = v.election_id AND l.kind = 'protocol' AND l.ref = v.id WHERE v.election_id = ?1 AND v.contest_idx = ?2 AND v.unit_idx = ?3 ORDER BY v.version",
            &[election_id.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
        )?;
        let loc = || format!("protocol (contest {contest}, unit {unit}) of election {election_id}");
        rows.iter()
            .map(|r| {
                let lines = parse_lines(r[5].text()?).map_err(|e| StoreError::corrupt(e, loc()))?;
                let row =
                    certify::lines_row(c, &lines).map_err(|e| StoreError::corrupt(e, loc()))?;
                Ok(ProtocolVersion {
                    version: u64::try_from(r[0].int()?)
                        .map_err(|_| StoreError::corrupt("a negative version", loc()))?,
                    author: r[1].text()?.to_owned(),
                    time: r[2].text()?.to_owned(),
                    reason: r[3].text()?.to_owned(),
                    findings: crate::rows::codes(r[4].text()?),
                    values: certify::row_lines(c, &row),
                    log_index: (r[6].int()? - 1).max(0) as u64,
                    signature: r[7]
                        .opt_text()?
                        .map(crate::rows::parse_signature)
                        .transpose()
                        .map_err(|e| StoreError::corrupt(e, loc()))?,
                })
            })
            .collect()
    }

    fn latest_row(
        &mut self,
        def: &Definition,
        ci: usize,
        ui: usize,
    ) -> Result<Option<(u64, Row)>, StoreError> {
        let eid = def.election.id().as_str();
        let rows = self.db.query(
            "SELECT version, lines FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 ORDER BY version DESC LIMIT 1",
            &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
        )?;
        let loc = || format!("a protocol version of election {eid}");
        match rows.first() {
            None => Ok(None),
            Some(r) => {
                let lines = parse_lines(r[1].text()?).map_err(|e| StoreError::corrupt(e, loc()))?;
                let row = certify::lines_row(&def.election.contests()[ci], &lines)
                    .map_err(|e| StoreError::corrupt(e, loc()))?;
                Ok(Some((
                    u64::try_from(r[0].int()?)
                        .map_err(|_| StoreError::corrupt("a negative version", loc()))?,
                    row,
                )))
            }
        }
    }

    /// Refuses a row whose values would make a total overflow a 64-bit count, naming the line.
    /// Counts of people stay far below 2^40 (a trillion), so the record's totals cannot
    /// overflow while every value does (fewer than 2^24 protocols per contest); a value above
    /// that bound is checked against the actual totals with the row in place.
    fn check_overflow(
        &mut self,
        def: &Definition,
        ci: usize,
        ui: usize,
        row: &Row,
    ) -> Result<(), StoreError> {
        const BOUND: u64 = 1 << 40;
        if row.iter().all(|v| v.is_none_or(|v| v <= BOUND)) {
            return Ok(());
        }
        let contest = &def.election.contests()[ci];
        let counts = self.latest_counts(def)?;
        let mut with = ContestCounts::new(contest);
        for (u, r) in counts[ci].rows().filter(|(u, _)| *u != ui).chain(std::iter::once((ui, row)))
        {
            for (col, v) in r.iter().enumerate() {
                if let Some(v) = v {
                    let _ = with.set(u, Line::from_column(col), *v);
                }
            }
        }
        with.roll_up(&def.tree, contest.territory()).map_err(|e| {
            StoreError::Invalid(format!(
                "contest {}: {e}; the protocol would make a total that cannot be recorded",
                contest.id()
            ))
        })?;
        Ok(())
    }

    /// Every check on a row: totals that would overflow, arithmetic, plausibility (W1–W3) for a
    /// polling station's protocol, and R7 against the protocols below for a summary protocol.
    fn check_row(
        &mut self,
        def: &Definition,
        ci: usize,
        ui: usize,
        row: &Row,
    ) -> Result<Vec<CheckFinding>, StoreError> {
        self.check_overflow(def, ci, ui, row)?;
        let contest = &def.election.contests()[ci];
        // The one function of core that decides which checks apply (stations: arithmetic and
        // plausibility; summary protocols: arithmetic and R7 against the protocols below).
        let below = if def.tree.children(ui).is_empty() {
            None
        } else {
            let counts = self.latest_counts(def)?;
            let mut below = ContestCounts::new(contest);
            let mut any = false;
            for (u, r) in counts[ci].rows() {
                if u != ui && def.tree.is_within(u, ui) {
                    any = true;
                    for (col, v) in r.iter().enumerate() {
                        if let Some(v) = v {
                            let _ = below.set(u, Line::from_column(col), *v);
                        }
                    }
                }
            }
            if any {
                Some(below.roll_up(&def.tree, ui).map_err(|e| StoreError::Invalid(e.to_string()))?)
            } else {
                None
            }
        };
        let ctx = match &below {
            None if def.tree.children(ui).is_empty() => ProtocolContext::station(self.limits),
            None => ProtocolContext::summary(None, self.limits),
            Some(roll) => ProtocolContext::summary(roll.at(ui), self.limits),
        };
        let f = core_findings(contest, check_protocol(contest, row, &ctx));
        Ok(f)
    }

    pub(crate) fn row_from_values(
        contest: &Contest,
        base: Option<Row>,
        values: &[(String, u64)],
    ) -> Result<Row, StoreError> {
        let n = ProtocolLine::COUNT + contest.options().len();
        let mut row = base.unwrap_or_else(|| vec![None; n]);
        let mut seen = std::collections::HashSet::new();
        for (name, v) in values {
            let line = certify::line_of(contest, name).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "line \"{}\" is neither a protocol line nor an option of contest \"{}\" (options: {})",
                    ashyq_record::quote(name),
                    contest.id(),
                    contest.options().iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            if !seen.insert(line) {
                return Err(StoreError::Invalid(format!("line \"{name}\" is given twice")));
            }
            row[line.column()] = Some(*v);
        }
        Ok(row)
    }

    fn gate(findings: Vec<CheckFinding>, s: &Submission) -> Result<Vec<CheckFinding>, StoreError> {
        let blocked: Vec<CheckFinding> = findings
            .iter()
            .filter(|f| (f.error && !s.override_errors) || (!f.error && !s.acknowledge_warnings))
            .cloned()
            .collect();
        if blocked.is_empty() {
            Ok(findings)
        } else {
            Err(StoreError::Rejected(blocked))
        }
    }

    fn validate_person(s: &Submission, what: &str) -> Result<String, StoreError> {
        let a = s.author.trim();
        if a.is_empty() {
            return Err(StoreError::Invalid(format!("{what} needs an author")));
        }
        if a == "import" {
            return Err(StoreError::Invalid(
                "\"import\" names the package import; an entry needs a person's name".into(),
            ));
        }
        Ok(a.to_owned())
    }

    /// Submits a protocol: the first version of a protocol that has none. It must carry every
    /// line its contest requires; it is checked (errors block unless overridden, warnings need
    /// acknowledgement). Under double entry it is stored as an entry, and the second independent
    /// entry that agrees creates the version. A protocol that already has a version is a
    /// conflict: changes go through [`Store::correct`].
    pub fn submit(&mut self, election_id: &str, s: &Submission) -> Result<Submitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        if !def.leaf.double_entry {
            return self.submit_many(election_id, std::slice::from_ref(s))?.pop().unwrap_or_else(
                || Err(StoreError::Invalid("the submission was not processed".into())),
            );
        }
        let p = self.prepare_first(&def, s)?;
        if let Some((v, _)) = self.latest_row(&def, p.nv.contest, p.nv.unit)? {
            return Err(already(s, v));
        }
        if def.leaf.double_entry {
            let nv = p.nv;
            return self.key_entry(
                &def,
                nv.contest,
                nv.unit,
                1,
                nv.row,
                &nv.author,
                &nv.at,
                "",
                &p.findings,
            );
        }
        self.accept(&def, p.nv, p.findings)
    }

    /// Everything a first submission is checked for before anything is written.
    fn prepare_first(&mut self, def: &Definition, s: &Submission) -> Result<Prepared, StoreError> {
        let (ci, ui) = Self::protocol_key(def, &s.contest, &s.unit)?;
        let contest = def.election.contests()[ci].clone();
        let author = Self::validate_person(s, "a submission")?;
        let at = self.entry_time(&s.time)?;
        let row = Self::row_from_values(&contest, None, &s.values)?;
        let missing: Vec<String> = required_lines(&contest)
            .into_iter()
            .filter(|l| row[l.column()].is_none())
            .map(|l| certify::line_name(&contest, l.column()))
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the protocol lacks {}: a submission carries every line of its contest (law digest §8.1)",
                missing.join(", ")
            )));
        }
        check_signature(def, ci, ui, &row, s.signature.as_ref())?;
        let findings = self.check_row(def, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        Ok(Prepared {
            nv: NewVersion {
                contest: ci,
                unit: ui,
                version: 1,
                row,
                author,
                at: at.to_string(),
                reason: "entered".into(),
                findings: finding_codes(&findings),
                signature: s.signature.clone(),
            },
            findings,
        })
    }

    /// Submits many first protocols at once — the group commit of election night: each is
    /// checked exactly as [`Store::submit`] checks it, and every accepted one is written in one
    /// transaction with one signed checkpoint, so each is durable when this returns. Each
    /// submission gets its own result (a rejected or conflicting one does not stop the others;
    /// the second of two submissions of one protocol in a batch is a conflict). `Err` when the
    /// whole write failed (nothing of it was stored). Under double entry the submissions are
    /// keyed one by one.
    pub fn submit_many(
        &mut self,
        election_id: &str,
        subs: &[Submission],
    ) -> Result<Vec<Result<Submitted, StoreError>>, StoreError> {
        let def = self.cached_definition(election_id)?;
        if def.leaf.double_entry {
            return Ok(subs.iter().map(|s| self.submit(election_id, s)).collect());
        }
        let mut results: Vec<Option<Result<Submitted, StoreError>>> =
            Vec::with_capacity(subs.len());
        let mut prepared: Vec<(usize, Prepared)> = Vec::new();
        for (i, s) in subs.iter().enumerate() {
            match self.prepare_first(&def, s) {
                Ok(p) => {
                    prepared.push((i, p));
                    results.push(None);
                }
                Err(e) => results.push(Some(Err(e))),
            }
        }
        let eid = def.election.id().to_string();
        let signer = self.signer.clone();
        let now = self.now();
        let (outcomes, appended) = self.write_tx(|db| {
            let mut seen = std::collections::HashSet::new();
            let mut leaves = Vec::new();
            let mut rows = Vec::new();
            let mut out: Vec<(usize, Outcome)> = Vec::with_capacity(prepared.len());
            let keys: Vec<(usize, usize)> =
                prepared.iter().map(|(_, p)| (p.nv.contest, p.nv.unit)).collect();
            let current = current_versions(db, &eid, &keys)?;
            let mut id = next_id(db, "protocol_versions")?;
            for (i, p) in &prepared {
                if let Some(k) = &subs[*i].idempotency {
                    if let Some((hash, version, receipt)) =
                        crate::access::lookup(db, &k.scope, &k.key)?
                    {
                        out.push((
                            *i,
                            if hash == k.request_hash {
                                Outcome::Replayed(version, receipt)
                            } else {
                                Outcome::Failed(StoreError::Conflict(format!(
                                "the idempotency key \"{}\" was already used for another request",
                                ashyq_record::quote(&k.key)
                            )))
                            },
                        ));
                        continue;
                    }
                }
                let key = (p.nv.contest, p.nv.unit);
                let cur = current.get(&key).copied().unwrap_or(0);
                if cur > 0 || !seen.insert(key) {
                    out.push((*i, Outcome::Failed(already(&subs[*i], cur.max(1)))));
                    continue;
                }
                let (row, leaf) = version_row(&def, &p.nv, id);
                id += 1;
                rows.push(row);
                leaves.push(leaf);
                out.push((*i, Outcome::Written(leaves.len() - 1)));
            }
            db.insert_many(
                "INSERT INTO protocol_versions (id, election_id, contest_idx, unit_idx, version, lines, author, at, reason, findings, signature)",
                11,
                rows,
                |_| {},
            )?;
            let appended = if leaves.is_empty() {
                None
            } else {
                Some(append(db, &eid, &def.leaf.origin, leaves, signer.as_deref())?)
            };
            if let Some(a) = &appended {
                for (i, o) in &out {
                    if let (Outcome::Written(k), Some(key)) = (o, &subs[*i].idempotency) {
                        crate::access::record(db, key, &eid, 1, &a.receipt(*k), now.as_str())?;
                    }
                }
            }
            Ok((out, appended))
        })?;
        let mut findings: std::collections::HashMap<usize, Vec<CheckFinding>> =
            prepared.into_iter().map(|(i, p)| (i, p.findings)).collect();
        for (i, o) in outcomes {
            results[i] = Some(match o {
                Outcome::Failed(e) => Err(e),
                Outcome::Replayed(version, receipt) => {
                    Ok(Submitted::Accepted { version, findings: Vec::new(), receipt })
                }
                Outcome::Written(k) => Ok(Submitted::Accepted {
                    version: 1,
                    findings: findings.remove(&i).unwrap_or_default(),
                    receipt: appended.as_ref().map(|a| a.receipt(k)).unwrap_or_else(|| Receipt {
                        log_index: 0,
                        leaf_hash: String::new(),
                        tree_size: 0,
                        checkpoint: None,
                        replayed: false,
                    }),
                }),
            });
        }
        Ok(results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(StoreError::Invalid("the submission was not processed".into()))
                })
            })
            .collect())
    }

    /// Stores a double-entry keying for `round` and, in the same transaction, accepts the
    /// version when two independent keyings agree.
    #[allow(clippy::too_many_arguments)]
    fn key_entry(
        &mut self,
        def: &Definition,
        ci: usize,
        ui: usize,
        round: u64,
        row: Row,
        author: &str,
        at: &str,
        reason: &str,
        findings: &[CheckFinding],
    ) -> Result<Submitted, StoreError> {
        let contest = def.election.contests()[ci].clone();
        let eid = def.election.id().to_string();
        let signer = self.signer.clone();
        let origin = def.leaf.origin.clone();
        let lines = certify::row_lines(&contest, &row);
        self.write_tx(|db| {
            let cur = current_version(db, &eid, ci, ui)?;
            if cur + 1 != round {
                return Err(StoreError::Conflict(format!(
                    "the protocol changed meanwhile (now at version {cur}); review and enter it again"
                )));
            }
            let id = next_id(db, "entries")?;
            db.exec(
                "INSERT INTO entries (id, election_id, contest_idx, unit_idx, round, author, at, reason, lines) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[
                    Value::Int(id),
                    eid.as_str().into(),
                    Value::Int(ci as i64),
                    Value::Int(ui as i64),
                    Value::Int(round as i64),
                    author.into(),
                    at.into(),
                    reason.into(),
                    lines_json(&lines).into(),
                ],
            )?;
            let entry = Leaf::Entry(EntryLeaf {
                election: eid.clone(),
                contest: contest.id().to_string(),
                unit: def.tree.unit(ui).id.to_string(),
                round,
                author: author.to_owned(),
                at: at.to_owned(),
                reason: reason.to_owned(),
                lines: lines.clone(),
            });
            let mut leaves = vec![NewLeaf::new(id, &entry)];
            let outcome = match entry_pair(db, def, ci, ui, round)? {
                None => Submitted::AwaitingSecondEntry,
                Some(((a1, r1, why1), (a2, r2, _))) if r1 == r2 => {
                    let reason = if round == 1 {
                        "double entry: two independent entries agree".to_owned()
                    } else {
                        format!("{why1} (double entry: confirmed by {a2})")
                    };
                    let nv = NewVersion {
                        contest: ci,
                        unit: ui,
                        version: round,
                        row: r1,
                        author: format!("{a1}+{a2}"),
                        at: at.to_owned(),
                        reason,
                        findings: finding_codes(findings),
                        signature: None,
                    };
                    leaves.push(insert_version(db, def, &nv)?);
                    let appended = append(db, &eid, &origin, leaves, signer.as_deref())?;
                    return Ok(Submitted::Accepted {
                        version: round,
                        findings: findings.to_vec(),
                        receipt: appended.receipt(1),
                    });
                }
                Some(((a1, r1, _), (a2, r2, _))) => Submitted::Differences(differences(&contest, &a1, &r1, &a2, &r2)),
            };
            append(db, &eid, &origin, leaves, signer.as_deref())?;
            Ok(outcome)
        })
    }

    /// Field-by-field differences between the two entries awaiting resolution (empty when
    /// fewer than two entries are pending).
    pub fn differences(
        &mut self,
        election_id: &str,
        contest: &str,
        unit: &str,
    ) -> Result<Vec<Difference>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (ci, ui) = Self::protocol_key(&def, contest, unit)?;
        let c = &def.election.contests()[ci];
        let next = self.latest_row(&def, ci, ui)?.map_or(1, |l| l.0 + 1);
        Ok(match entry_pair(&mut self.db, &def, ci, ui, next)? {
            None => Vec::new(),
            Some(((a1, r1, _), (a2, r2, _))) => differences(c, &a1, &r1, &a2, &r2),
        })
    }

    /// A coordinator resolves two disagreeing entries: `values` gives the value of every
    /// differing line; the agreed lines are kept. The result is checked and stored as the next
    /// version. An entrant cannot resolve a difference in their own entry.
    pub fn resolve(&mut self, election_id: &str, s: &Submission) -> Result<Submitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (ci, ui) = Self::protocol_key(&def, &s.contest, &s.unit)?;
        let contest = def.election.contests()[ci].clone();
        let author = Self::validate_person(s, "a resolution")?;
        let at = self.entry_time(&s.time)?;
        let next = self.latest_row(&def, ci, ui)?.map_or(1, |l| l.0 + 1);
        let Some(((a1, r1, why1), (a2, r2, _))) = entry_pair(&mut self.db, &def, ci, ui, next)?
        else {
            return Err(StoreError::Conflict(format!(
                "protocol (contest {}, unit {}) has no two entries awaiting resolution",
                s.contest, s.unit
            )));
        };
        if fold(&author) == fold(&a1) || fold(&author) == fold(&a2) {
            return Err(StoreError::Forbidden(format!(
                "{author} keyed one of the two entries; a difference is resolved by a second pair of eyes, not by an entrant"
            )));
        }
        let diffs = differences(&contest, &a1, &r1, &a2, &r2);
        let missing: Vec<&str> = diffs
            .iter()
            .filter(|d| !s.values.iter().any(|(l, _)| *l == d.line))
            .map(|d| d.line.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Invalid(format!(
                "the entries differ on {}: give a value for each",
                missing.join(", ")
            )));
        }
        let row = Self::row_from_values(&contest, Some(r1), &s.values)?;
        check_signature(&def, ci, ui, &row, s.signature.as_ref())?;
        let findings = self.check_row(&def, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        let base = if next == 1 { String::new() } else { format!("{why1}; ") };
        let reason = format!(
            "{base}double entry resolved by {author} between {a1} and {a2}{}",
            if s.reason.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", s.reason.trim())
            }
        );
        self.accept(
            &def,
            NewVersion {
                contest: ci,
                unit: ui,
                version: next,
                row,
                author,
                at: at.to_string(),
                reason,
                findings: finding_codes(&findings),
                signature: None,
            },
            findings,
        )
    }

    /// Corrects a protocol: a new version with the given lines changed (others kept), an
    /// author, a time and a reason. Never overwrites. Under double entry a correction, like a
    /// first entry, needs a second independent keying that agrees.
    pub fn correct(&mut self, election_id: &str, s: &Submission) -> Result<Submitted, StoreError> {
        if s.reason.trim().is_empty() {
            return Err(StoreError::Invalid("a correction needs a reason".into()));
        }
        let author = Self::validate_person(s, "a correction")?;
        let def = self.cached_definition(election_id)?;
        let (ci, ui) = Self::protocol_key(&def, &s.contest, &s.unit)?;
        let contest = def.election.contests()[ci].clone();
        let at = self.entry_time(&s.time)?;
        let Some((v, base)) = self.latest_row(&def, ci, ui)? else {
            return Err(StoreError::NotFound(format!(
                "protocol (contest {}, unit {}) has no accepted version to correct; submit it first",
                s.contest, s.unit
            )));
        };
        let row = Self::row_from_values(&contest, Some(base), &s.values)?;
        check_signature(&def, ci, ui, &row, s.signature.as_ref())?;
        let findings = self.check_row(&def, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        if def.leaf.double_entry {
            return self.key_entry(
                &def,
                ci,
                ui,
                v + 1,
                row,
                &author,
                at.as_str(),
                s.reason.trim(),
                &findings,
            );
        }
        self.accept(
            &def,
            NewVersion {
                contest: ci,
                unit: ui,
                version: v + 1,
                row,
                author,
                at: at.to_string(),
                reason: s.reason.trim().to_owned(),
                findings: finding_codes(&findings),
                signature: s.signature.clone(),
            },
            findings,
        )
    }

    /// Stores an accepted version and appends it to the log, re-checking its version number
    /// under the writers' lock.
    fn accept(
        &mut self,
        def: &Definition,
        nv: NewVersion,
        findings: Vec<CheckFinding>,
    ) -> Result<Submitted, StoreError> {
        let eid = def.election.id().to_string();
        let signer = self.signer.clone();
        let version = nv.version;
        let appended: Appended = self.write_tx(|db| {
            let cur = current_version(db, &eid, nv.contest, nv.unit)?;
            if cur + 1 != version {
                return Err(StoreError::Conflict(format!(
                    "the protocol changed meanwhile (now at version {cur}); review and submit again"
                )));
            }
            let leaf = insert_version(db, def, &nv)?;
            append(db, &eid, &def.leaf.origin, vec![leaf], signer.as_deref())
        })?;
        Ok(Submitted::Accepted { version, findings, receipt: appended.receipt(0) })
    }
}
