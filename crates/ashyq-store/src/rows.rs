//! Reading the record's rows back as the kernel's leaves. Every reader of stored indexes goes
//! through [`resolve`] or [`ids`], so `verify`, totals and certification agree on what an
//! out-of-range (or negative) index is: corruption, named, never a panic.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ashyq_core::election::{ContestInfo, ElectionInfo, NameInfo, OptionInfo};
use ashyq_core::units::UnitInfo;
use ashyq_record::certify::Definition;
use ashyq_record::leaf::{
    AuditCommitment, AuditEvent, AuditLeaf, CertificationLeaf, DefinitionLeaf, EntryLeaf, Leaf,
    ObservationLeaf, ObservedTurnoutLeaf, ProtocolLeaf, TurnoutLeaf,
};
use ashyq_record::merkle;
use ashyq_record::statement::ProtocolSignature;
use ashyq_record::verify::RecordInput;

use crate::db::{Db, Row, Value};
use crate::StoreError;

/// `{"line":value,…}` in the given order.
pub(crate) fn lines_json(lines: &[(String, u64)]) -> String {
    let mut m = serde_json::Map::new();
    for (k, v) in lines {
        m.insert(k.clone(), serde_json::Value::from(*v));
    }
    serde_json::Value::Object(m).to_string()
}

/// Inverse of [`lines_json`], keeping the stored order.
pub(crate) fn parse_lines(s: &str) -> Result<Vec<(String, u64)>, String> {
    let v: serde_json::Value =
        serde_json::from_str(s).map_err(|e| format!("the stored lines are not JSON ({e})"))?;
    let o = v.as_object().ok_or("the stored lines are not a JSON object")?;
    o.iter()
        .map(|(k, v)| {
            v.as_u64()
                .map(|v| (k.clone(), v))
                .ok_or_else(|| format!("line \"{}\" does not hold a count", ashyq_record::quote(k)))
        })
        .collect()
}

/// Codes stored as `R4,W1`.
pub(crate) fn codes(s: &str) -> Vec<String> {
    s.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

/// Contest and unit ids of stored indexes; `Err` names an index out of range.
pub(crate) fn ids(
    def: &DefinitionLeaf,
    contest: Option<i64>,
    unit: i64,
) -> Result<(String, String), String> {
    let u = usize::try_from(unit)
        .ok()
        .and_then(|u| def.units.get(u))
        .ok_or_else(|| format!("it names unit #{unit}, which does not exist"))?;
    let c = match contest {
        None => String::new(),
        Some(c) => usize::try_from(c)
            .ok()
            .and_then(|c| def.election.contests.get(c))
            .ok_or_else(|| format!("it names contest #{c}, which does not exist"))?
            .id
            .clone(),
    };
    Ok((c, u.id.clone()))
}

/// The validated contest and unit of stored indexes.
pub(crate) fn resolve(
    def: &Definition,
    contest: i64,
    unit: i64,
    what: &str,
) -> Result<(usize, usize), StoreError> {
    let c = usize::try_from(contest).ok().filter(|&c| c < def.election.contests().len());
    let u = usize::try_from(unit).ok().filter(|&u| u < def.tree.len());
    match (c, u) {
        (Some(c), Some(u)) => Ok((c, u)),
        _ => Err(StoreError::corrupt(
            format!("it names contest #{contest}, unit #{unit}, which do not exist"),
            format!("{what} of election {}", def.election.id()),
        )),
    }
}

/// The validated unit of a stored index.
pub(crate) fn resolve_unit(def: &Definition, unit: i64, what: &str) -> Result<usize, StoreError> {
    usize::try_from(unit).ok().filter(|&u| u < def.tree.len()).ok_or_else(|| {
        StoreError::corrupt(
            format!("it names unit #{unit}, which does not exist"),
            format!("{what} of election {}", def.election.id()),
        )
    })
}

fn u64_of(v: i64, what: &str) -> Result<u64, String> {
    u64::try_from(v).map_err(|_| format!("{what} {v} is negative"))
}

/// The definition leaf as the rows hold it, with the problems met reading them.
pub(crate) fn definition_leaf(
    db: &mut Db,
    eid: &str,
) -> Result<(DefinitionLeaf, Vec<String>), StoreError> {
    definition_rows(db, eid).map_err(|e| match e {
        StoreError::Corrupt { what, .. } => StoreError::corrupt(
            what,
            format!(
                "the definition of election {eid} (tables elections, units, contests, options)"
            ),
        ),
        other => other,
    })
}

fn definition_rows(db: &mut Db, eid: &str) -> Result<(DefinitionLeaf, Vec<String>), StoreError> {
    let head = db.query(
        "SELECT origin, name, date, rules, double_entry, imported_at FROM elections WHERE id = ?1",
        &[eid.into()],
    )?;
    let Some(head) = head.first() else {
        return Err(StoreError::NotFound(format!(
            "election \"{}\" is not in the record",
            ashyq_record::quote(eid)
        )));
    };
    let mut problems = Vec::new();
    let double_entry = match head[4].int()? {
        0 => false,
        1 => true,
        other => {
            problems.push(format!("the double-entry setting is {other}, neither 0 nor 1"));
            other != 0
        }
    };
    let units = db.query(
        "SELECT idx, id, parent_idx, kind, name FROM units WHERE election_id = ?1 ORDER BY idx",
        &[eid.into()],
    )?;
    let unit_ids: Vec<String> =
        units.iter().map(|r| r[1].text().map(str::to_owned)).collect::<Result<_, _>>()?;
    let mut infos = Vec::with_capacity(units.len());
    for (i, r) in units.iter().enumerate() {
        if r[0].int()? != i as i64 {
            problems.push(format!(
                "unit #{i} is missing (the next unit row has index {})",
                r[0].int()?
            ));
        }
        let parent = match r[2].opt_int()? {
            None => String::new(),
            Some(p) => match usize::try_from(p).ok().and_then(|p| unit_ids.get(p)) {
                Some(id) => id.clone(),
                None => {
                    problems.push(format!(
                        "unit {} names parent #{p}, which does not exist",
                        unit_ids[i]
                    ));
                    format!("#{p}")
                }
            },
        };
        infos.push(UnitInfo {
            id: unit_ids[i].clone(),
            parent,
            kind: r[3].text()?.to_owned(),
            name: r[4].text()?.to_owned(),
        });
    }
    let contests = db.query(
        "SELECT idx, id, kind, name, territory, seats, constitutional, unit_test, round, threshold_percent, reported_units_in_favour, body FROM contests WHERE election_id = ?1 ORDER BY idx",
        &[eid.into()],
    )?;
    let options = db.query(
        "SELECT contest_idx, idx, id, name, registered, kind, list_length FROM options WHERE election_id = ?1 ORDER BY contest_idx, idx",
        &[eid.into()],
    )?;
    let mut by_contest: BTreeMap<i64, Vec<(i64, OptionInfo)>> = BTreeMap::new();
    for o in &options {
        by_contest.entry(o[0].int()?).or_default().push((
            o[1].int()?,
            OptionInfo {
                id: o[2].text()?.to_owned(),
                name: o[3].text()?.to_owned(),
                registered: o[4].opt_int()?,
                kind: o[5].opt_text()?.map(str::to_owned),
                list_length: o[6].opt_int()?,
            },
        ));
    }
    let mut cinfos = Vec::new();
    for (i, c) in contests.iter().enumerate() {
        let idx = c[0].int()?;
        if idx != i as i64 {
            problems
                .push(format!("contest #{i} is missing (the next contest row has index {idx})"));
        }
        let opts = by_contest.remove(&idx).unwrap_or_default();
        for (k, (oi, o)) in opts.iter().enumerate() {
            if *oi != k as i64 {
                problems.push(format!(
                    "option #{k} of contest #{idx} is missing (found index {oi} for {})",
                    o.id
                ));
            }
        }
        let constitutional = match c[6].opt_int()? {
            None => None,
            Some(0) => Some(false),
            Some(1) => Some(true),
            Some(other) => {
                problems
                    .push(format!("contest #{idx}: constitutional is {other}, neither 0 nor 1"));
                Some(true)
            }
        };
        cinfos.push(ContestInfo {
            id: c[1].text()?.to_owned(),
            kind: c[2].text()?.to_owned(),
            name: c[3].opt_text()?.map(str::to_owned),
            territory: c[4].text()?.to_owned(),
            seats: c[5].opt_int()?,
            constitutional,
            unit_test: c[7].opt_text()?.map(str::to_owned),
            round: c[8].opt_int()?,
            threshold_percent: c[9].opt_text()?.map(str::to_owned),
            reported_units_in_favour: c[10].opt_int()?,
            body: c[11].opt_text()?.map(str::to_owned),
            options: opts.into_iter().map(|(_, o)| o).collect(),
        });
    }
    for (c, opts) in by_contest {
        problems.push(format!(
            "{} option rows belong to contest #{c}, which does not exist",
            opts.len()
        ));
    }
    let mut names = Vec::new();
    for (i, r) in db
        .query(
            "SELECT idx, kind, id, lang, name FROM names WHERE election_id = ?1 ORDER BY idx",
            &[eid.into()],
        )?
        .iter()
        .enumerate()
    {
        if r[0].int()? != i as i64 {
            problems.push(format!(
                "name #{i} is missing (the next name row has index {})",
                r[0].int()?
            ));
        }
        names.push(NameInfo {
            kind: r[1].text()?.to_owned(),
            id: r[2].text()?.to_owned(),
            lang: r[3].text()?.to_owned(),
            name: r[4].text()?.to_owned(),
        });
    }
    let leaf = DefinitionLeaf {
        election: ElectionInfo {
            id: eid.to_owned(),
            name: head[1].text()?.to_owned(),
            date: head[2].text()?.to_owned(),
            rules: head[3].text()?.to_owned(),
            contests: cinfos,
            names,
        },
        units: infos,
        origin: head[0].text()?.to_owned(),
        double_entry,
        imported_at: head[5].text()?.to_owned(),
    };
    Ok((leaf, problems))
}

/// A protocol version row → its leaf.
pub(crate) fn protocol_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    // id, contest_idx, unit_idx, version, lines, author, at, reason, findings
    let (contest, unit) = ids(
        def,
        Some(r[1].int().map_err(|e| e.to_string())?),
        r[2].int().map_err(|e| e.to_string())?,
    )?;
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(|e| e.to_string());
    Ok(Leaf::Protocol(ProtocolLeaf {
        election: def.election.id.clone(),
        contest,
        unit,
        version: u64_of(r[3].int().map_err(|e| e.to_string())?, "version")?,
        author: t(5)?,
        at: t(6)?,
        reason: t(7)?,
        findings: codes(&t(8)?),
        lines: parse_lines(&t(4)?)?,
        signature: match r.get(9).map(|v| v.opt_text()).transpose().map_err(|e| e.to_string())? {
            None | Some(None) => None,
            Some(Some(text)) => Some(parse_signature(text)?),
        },
    }))
}

/// The `signature` column's text: `KEY SIGNATURE` (both base64, which holds no space).
pub(crate) fn signature_text(s: &ProtocolSignature) -> String {
    format!("{} {}", s.key, s.signature)
}

/// Reads a `signature` column.
pub(crate) fn parse_signature(text: &str) -> Result<ProtocolSignature, String> {
    let (key, signature) =
        text.split_once(' ').ok_or("a stored protocol signature is not \"KEY SIGNATURE\"")?;
    Ok(ProtocolSignature { key: key.to_owned(), signature: signature.to_owned() })
}

/// The columns [`protocol_leaf`] reads.
pub(crate) const PROTOCOL_COLUMNS: &str =
    "id, contest_idx, unit_idx, version, lines, author, at, reason, findings, signature";

fn entry_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    // id, contest_idx, unit_idx, round, author, at, reason, lines
    let (contest, unit) = ids(
        def,
        Some(r[1].int().map_err(|e| e.to_string())?),
        r[2].int().map_err(|e| e.to_string())?,
    )?;
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(|e| e.to_string());
    Ok(Leaf::Entry(EntryLeaf {
        election: def.election.id.clone(),
        contest,
        unit,
        round: u64_of(r[3].int().map_err(|e| e.to_string())?, "round")?,
        author: t(4)?,
        at: t(5)?,
        reason: t(6)?,
        lines: parse_lines(&t(7)?)?,
    }))
}

fn turnout_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    // id, unit_idx, hour, voters, author, at, findings
    let (_, unit) = ids(def, None, r[1].int().map_err(|e| e.to_string())?)?;
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(|e| e.to_string());
    Ok(Leaf::Turnout(TurnoutLeaf {
        election: def.election.id.clone(),
        unit,
        hour: t(2)?,
        voters: u64_of(r[3].int().map_err(|e| e.to_string())?, "voters")?,
        author: t(4)?,
        at: t(5)?,
        findings: codes(&t(6)?),
    }))
}

fn certification_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    // seq, at, log_size, inputs_hash, totals_csv
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(|e| e.to_string());
    Ok(Leaf::Certification(CertificationLeaf {
        election: def.election.id.clone(),
        seq: u64_of(r[0].int().map_err(|e| e.to_string())?, "sequence number")?,
        at: t(1)?,
        log_size: u64_of(r[2].int().map_err(|e| e.to_string())?, "log size")?,
        inputs_hash: t(3)?,
        totals: t(4)?,
    }))
}

/// The columns [`observation_leaf`] reads.
pub(crate) const OBSERVATION_COLUMNS: &str =
    "id, contest_idx, unit_idx, observer, version, lines, photo_sha256, author, at, reason, findings";

/// An observation row → its leaf.
pub(crate) fn observation_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    let (contest, unit) = ids(
        def,
        Some(r[1].int().map_err(|e| e.to_string())?),
        r[2].int().map_err(|e| e.to_string())?,
    )?;
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(|e| e.to_string());
    Ok(Leaf::Observation(ObservationLeaf {
        election: def.election.id.clone(),
        contest,
        unit,
        observer: t(3)?,
        version: u64_of(r[4].int().map_err(|e| e.to_string())?, "version")?,
        lines: parse_lines(&t(5)?)?,
        photo_sha256: r[6].opt_text().map_err(|e| e.to_string())?.map(str::to_owned),
        author: t(7)?,
        at: t(8)?,
        reason: t(9)?,
        findings: codes(&t(10)?),
    }))
}

fn observed_turnout_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    // id, unit_idx, hour, voters, observer, author, at
    let (_, unit) = ids(def, None, r[1].int().map_err(|e| e.to_string())?)?;
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(|e| e.to_string());
    Ok(Leaf::ObservedTurnout(ObservedTurnoutLeaf {
        election: def.election.id.clone(),
        unit,
        hour: t(2)?,
        voters: u64_of(r[3].int().map_err(|e| e.to_string())?, "voters")?,
        observer: t(4)?,
        author: t(5)?,
        at: t(6)?,
    }))
}

/// The columns [`audit_leaf`] reads.
pub(crate) const AUDIT_COLUMNS: &str =
    "id, audit, event, contest_idx, unit_idx, detail, author, at";

/// What an audit event stores beside its audit number: (contest, unit, detail JSON). The
/// contest and the unit are stored as indexes by the caller; the detail holds the event's other
/// keys in their canonical order.
pub(crate) fn audit_detail(event: &AuditEvent) -> String {
    use serde_json::{json, Map, Value};
    let v = match event {
        AuditEvent::Committed(c) => {
            let mut files = Map::new();
            for (n, h) in &c.files {
                files.insert(n.clone(), Value::from(h.as_str()));
            }
            json!({
                "method": c.method,
                "risk_limit_percent": c.risk_limit_percent,
                "first_round_draws": c.first_round_draws,
                "checkpoint": c.checkpoint,
                "files": files,
                "digest": c.digest,
            })
        }
        AuditEvent::Seed { seed } => json!({ "seed": seed }),
        AuditEvent::Drawn { round, draws } => json!({ "round": round, "draws": draws }),
        AuditEvent::HandCount { lines, .. } => {
            json!({ "lines": serde_json::from_str::<Value>(&lines_json(lines)).unwrap_or_default() })
        }
        AuditEvent::Closed { risk, result } => json!({ "risk": risk, "result": result }),
    };
    v.to_string()
}

/// An audit event row → its leaf.
pub(crate) fn audit_leaf(def: &DefinitionLeaf, r: &Row) -> Result<Leaf, String> {
    let e = |x: crate::StoreError| x.to_string();
    let t = |i: usize| r[i].text().map(str::to_owned).map_err(e);
    let detail: serde_json::Value =
        serde_json::from_str(&t(5)?).map_err(|x| format!("the stored detail is not JSON ({x})"))?;
    let d = detail.as_object().ok_or("the stored detail is not a JSON object")?;
    let s = |k: &str| -> Result<String, String> {
        d.get(k)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("the detail's \"{k}\" is missing or not text"))
    };
    let n = |k: &str| -> Result<u64, String> {
        d.get(k)
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| format!("the detail's \"{k}\" is missing or not a count"))
    };
    let keys = |want: &[&str]| -> Result<(), String> {
        if d.len() == want.len() && want.iter().all(|k| d.contains_key(*k)) {
            Ok(())
        } else {
            Err(format!("the detail's keys are not {}", want.join(", ")))
        }
    };
    let contest = r[3].opt_int().map_err(e)?;
    let unit = r[4].opt_int().map_err(e)?;
    let kind = t(2)?;
    let expects = (kind == "committed", kind == "hand_count");
    if expects != (contest.is_some(), unit.is_some()) {
        return Err(format!("a {kind} event with the wrong contest or unit columns"));
    }
    let event = match kind.as_str() {
        "committed" => {
            keys(&[
                "method",
                "risk_limit_percent",
                "first_round_draws",
                "checkpoint",
                "files",
                "digest",
            ])?;
            let (c, _) = ids(def, contest, 0)?;
            let files = d
                .get("files")
                .and_then(|v| v.as_object())
                .ok_or("the detail's \"files\" is not an object")?
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|v| (k.clone(), v.to_owned()))
                        .ok_or_else(|| format!("the digest of {k} is not text"))
                })
                .collect::<Result<Vec<_>, String>>()?;
            AuditEvent::Committed(AuditCommitment {
                contest: c,
                method: s("method")?,
                risk_limit_percent: s("risk_limit_percent")?,
                first_round_draws: n("first_round_draws")?,
                checkpoint: s("checkpoint")?,
                files,
                digest: s("digest")?,
            })
        }
        "seed" => {
            keys(&["seed"])?;
            AuditEvent::Seed { seed: s("seed")? }
        }
        "drawn" => {
            keys(&["round", "draws"])?;
            AuditEvent::Drawn { round: n("round")?, draws: n("draws")? }
        }
        "hand_count" => {
            keys(&["lines"])?;
            let (_, u) = ids(def, None, unit.unwrap_or(-1))?;
            let lines = parse_lines(&d.get("lines").map(|v| v.to_string()).unwrap_or_default())?;
            AuditEvent::HandCount { unit: u, lines }
        }
        "closed" => {
            keys(&["risk", "result"])?;
            AuditEvent::Closed { risk: s("risk")?, result: s("result")? }
        }
        other => {
            return Err(format!("the audit event \"{}\" is unknown", ashyq_record::quote(other)))
        }
    };
    Ok(Leaf::Audit(AuditLeaf {
        election: def.election.id.clone(),
        audit: u64_of(r[1].int().map_err(e)?, "audit number")?,
        author: t(6)?,
        at: t(7)?,
        event,
    }))
}

/// Builds a leaf from a row of one of the fact tables.
type LeafOfRow = fn(&DefinitionLeaf, &Row) -> Result<Leaf, String>;

/// Everything the verifier needs about one election, rebuilt from the rows, plus the problems
/// only the rows can show (rows no log entry refers to, entries referring twice, gaps).
pub(crate) fn record_input(
    db: &mut Db,
    eid: &str,
) -> Result<(RecordInput, Vec<String>), StoreError> {
    let (def, mut extra) = definition_leaf(db, eid)?;
    let mut tables: HashMap<&'static str, BTreeMap<i64, Result<Leaf, String>>> = HashMap::new();
    let specs: [(&'static str, String, LeafOfRow); 7] = [
        (
            "protocol",
            format!("SELECT {PROTOCOL_COLUMNS} FROM protocol_versions WHERE election_id = ?1 ORDER BY id"),
            |d, r| protocol_leaf(d, r),
        ),
        (
            "entry",
            "SELECT id, contest_idx, unit_idx, round, author, at, reason, lines FROM entries WHERE election_id = ?1 ORDER BY id".to_owned(),
            |d, r| entry_leaf(d, r),
        ),
        (
            "turnout",
            "SELECT id, unit_idx, hour, voters, author, at, findings FROM turnout WHERE election_id = ?1 ORDER BY id".to_owned(),
            |d, r| turnout_leaf(d, r),
        ),
        (
            "certification",
            "SELECT seq, at, log_size, inputs_hash, totals_csv FROM certifications WHERE election_id = ?1 ORDER BY seq".to_owned(),
            |d, r| certification_leaf(d, r),
        ),
        (
            "observation",
            format!("SELECT {OBSERVATION_COLUMNS} FROM observations WHERE election_id = ?1 ORDER BY id"),
            |d, r| observation_leaf(d, r),
        ),
        (
            "observed_turnout",
            "SELECT id, unit_idx, hour, voters, observer, author, at FROM observed_turnout WHERE election_id = ?1 ORDER BY id".to_owned(),
            |d, r| observed_turnout_leaf(d, r),
        ),
        (
            "audit",
            format!("SELECT {AUDIT_COLUMNS} FROM audit_events WHERE election_id = ?1 ORDER BY id"),
            |d, r| audit_leaf(d, r),
        ),
    ];
    for (kind, sql, build) in &specs {
        let mut m = BTreeMap::new();
        for r in db.query(sql, &[eid.into()])? {
            match r[0].int() {
                Ok(key) => {
                    m.insert(key, build(&def, &r));
                }
                Err(_) => extra.push(format!(
                    "election {eid}: a {kind} row's key is not an integer ({:?}): the row was edited",
                    r[0]
                )),
            }
        }
        tables.insert(kind, m);
    }
    let log = db.query(
        "SELECT seq, kind, ref, leaf_hash FROM log WHERE election_id = ?1 ORDER BY seq",
        &[eid.into()],
    )?;
    let mut leaves = Vec::with_capacity(log.len());
    let mut stored_hashes = Vec::with_capacity(log.len());
    let mut referenced: BTreeSet<(String, i64)> = BTreeSet::new();
    for (i, r) in log.iter().enumerate() {
        let (seq, kind, reference) = match (r[0].int(), r[1].text(), r[2].int()) {
            (Ok(s), Ok(k), Ok(x)) => (s, k.to_owned(), x),
            _ => {
                extra.push(format!(
                    "election {eid}: log row {} holds values of the wrong type ({r:?})",
                    i + 1
                ));
                leaves.push(Err("its row holds values of the wrong type".to_owned()));
                stored_hashes.push(None);
                continue;
            }
        };
        if seq != i as i64 + 1 {
            extra.push(format!(
                "election {eid}: log entry {} is missing (the next entry is {seq}): the log was truncated or a row deleted",
                i + 1
            ));
        }
        stored_hashes.push(r[3].text().ok().and_then(merkle::parse_hash));
        if !referenced.insert((kind.clone(), reference)) {
            extra.push(format!(
                "election {eid}: log entry {seq} refers to {kind} #{reference} a second time"
            ));
        }
        let leaf = if kind == "definition" {
            if reference == 0 {
                Ok(Leaf::Definition(def.clone()))
            } else {
                Err(format!("it refers to definition #{reference}; there is only #0"))
            }
        } else {
            match tables.get(kind.as_str()) {
                None => Err(format!("its kind \"{}\" is unknown", ashyq_record::quote(&kind))),
                Some(m) => match m.get(&reference) {
                    None => Err(format!(
                        "it refers to {kind} #{reference}, which is not in the record (deleted?)"
                    )),
                    Some(l) => l.clone(),
                },
            }
        };
        leaves.push(leaf);
    }
    for (kind, m) in &tables {
        for (id, leaf) in m {
            if !referenced.contains(&(kind.to_string(), *id)) {
                let what =
                    leaf.as_ref().map(Leaf::describe).unwrap_or_else(|_| format!("{kind} #{id}"));
                extra.push(format!("election {eid}: {what} (row {id}) is in no log entry: it was added behind the log's back"));
            }
        }
    }
    let mut checkpoints = Vec::new();
    for r in db.query(
        "SELECT size, note FROM checkpoints WHERE election_id = ?1 ORDER BY size",
        &[eid.into()],
    )? {
        match (r[0].int(), r[1].text()) {
            (Ok(size), Ok(note)) => checkpoints.push((size, note.to_owned())),
            _ => extra.push(format!(
                "election {eid}: a checkpoint row holds values of the wrong type ({r:?})"
            )),
        }
    }
    let mut stored_key = None;
    for r in
        db.query("SELECT verifier_key FROM record_keys WHERE election_id = ?1", &[eid.into()])?
    {
        match r[0].text() {
            Ok(k) => stored_key = Some(k.to_owned()),
            Err(_) => extra
                .push(format!("election {eid}: the stored verifier key is not text ({:?})", r[0])),
        }
    }
    let mut frontiers = Vec::new();
    for r in db.query(
        "SELECT size, hashes FROM log_frontiers WHERE election_id = ?1 ORDER BY size",
        &[eid.into()],
    )? {
        match (r[0].int(), r[1].text()) {
            (Ok(size), Ok(hashes)) => {
                let list = if hashes.is_empty() {
                    Vec::new()
                } else {
                    hashes.split(',').map(merkle::parse_hash).collect()
                };
                frontiers.push((size, list));
            }
            _ => extra.push(format!(
                "election {eid}: a frontier row holds values of the wrong type ({r:?})"
            )),
        }
    }
    let input = RecordInput {
        election: eid.to_owned(),
        leaves,
        stored_hashes,
        checkpoints,
        stored_key,
        frontiers,
    };
    Ok((input, extra))
}

/// Rows that belong to no election, and bookkeeping that does not match this version.
pub(crate) fn orphans(db: &mut Db) -> Result<Vec<String>, StoreError> {
    let mut out = crate::schema::migration_problems(db)?;
    for (t, _) in crate::schema::TABLES {
        if t == "schema_migrations" || t == "elections" {
            continue;
        }
        let n = db.query_one(
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t} WHERE election_id NOT IN (SELECT id FROM elections)"),
            &[],
        )?[0]
            .int()?;
        if n > 0 {
            out.push(format!("{n} rows of table {t} belong to no election in the record"));
        }
    }
    Ok(out)
}

/// A value for an optional count column.
pub(crate) fn opt(v: Option<i64>) -> Value {
    v.into()
}
