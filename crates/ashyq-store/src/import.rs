//! Importing a whole election (definition and every protocol as version 1) in one transaction.

use ashyq_core::checks::{check_protocol, ProtocolContext};
use ashyq_core::counts::ContestCounts;
use ashyq_core::election::Election;
use ashyq_core::units::UnitTree;
use ashyq_record::certify;
use ashyq_record::definition::{default_origin, definition_leaf};
use ashyq_record::leaf::{Leaf, ProtocolLeaf};
use ashyq_record::note::is_valid_key_name;

use crate::append::{append, next_id, NewLeaf};
use crate::db::Value;
use crate::rows::{lines_json, opt};
use crate::{ImportOptions, ImportSummary, Store, StoreError};

impl Store {
    /// Imports an election (e.g. a read package's election, tree and counts): the definition,
    /// and every protocol row as version 1 by author `import`, in one transaction. Findings of
    /// the checks are recorded with each version (the package is what the commission
    /// published), not blocking; totals that would overflow a 64-bit count are refused.
    /// `progress(done, total)` is called as protocols are stored.
    pub fn import(
        &mut self,
        election: &Election,
        tree: &UnitTree,
        counts: &[ContestCounts],
        opts: &ImportOptions,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportSummary, StoreError> {
        let eid = election.id().to_string();
        if counts.len() != election.contests().len() {
            return Err(StoreError::Invalid(format!(
                "{} contests but counts for {}",
                election.contests().len(),
                counts.len()
            )));
        }
        let limits = self.limits;
        let mut roll_ups = Vec::with_capacity(counts.len());
        for (contest, cc) in election.contests().iter().zip(counts) {
            roll_ups.push(cc.roll_up(tree, contest.territory()).map_err(|e| {
                StoreError::Invalid(format!(
                    "contest {}: {e}; such totals cannot be recorded",
                    contest.id()
                ))
            })?);
        }
        let origin = opts.origin.clone().unwrap_or_else(|| default_origin(&eid));
        if !is_valid_key_name(&origin) {
            return Err(StoreError::Invalid(format!(
                "the origin \"{}\" may not be empty or hold spaces or '+'",
                ashyq_record::quote(&origin)
            )));
        }
        let now = self.now();
        let def_leaf = definition_leaf(election, tree, &origin, opts.double_entry, now.as_str());
        let total: u64 = counts.iter().map(|cc| cc.len() as u64).sum();
        let mut flagged = 0u64;
        let signer = self.signer.clone();
        let summary = self.write_tx(|db| {
            let exists = db.query("SELECT id FROM elections WHERE id = ?1", &[eid.as_str().into()])?;
            if !exists.is_empty() {
                return Err(StoreError::Conflict(format!(
                    "election \"{eid}\" is already in the record; corrections go in as new versions, not as a second import"
                )));
            }
            db.exec(
                "INSERT INTO elections (id, origin, name, date, rules, double_entry, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                &[
                    eid.as_str().into(),
                    origin.as_str().into(),
                    def_leaf.election.name.as_str().into(),
                    def_leaf.election.date.as_str().into(),
                    def_leaf.election.rules.as_str().into(),
                    Value::Int(i64::from(opts.double_entry)),
                    now.as_str().into(),
                ],
            )?;
            db.insert_many(
                "INSERT INTO units (election_id, idx, id, parent_idx, kind, name)",
                6,
                tree.units().iter().enumerate().map(|(i, u)| {
                    vec![
                        eid.as_str().into(),
                        Value::Int(i as i64),
                        u.id.as_str().into(),
                        u.parent.map(|p| p as i64).into(),
                        u.kind.as_str().into(),
                        u.name.as_str().into(),
                    ]
                }),
                |_| {},
            )?;
            for (ci, info) in def_leaf.election.contests.iter().enumerate() {
                db.exec(
                    "INSERT INTO contests (election_id, idx, id, kind, name, territory, seats, constitutional, unit_test, round, threshold_percent, reported_units_in_favour, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    &[
                        eid.as_str().into(),
                        Value::Int(ci as i64),
                        info.id.as_str().into(),
                        info.kind.as_str().into(),
                        info.name.clone().into(),
                        info.territory.as_str().into(),
                        opt(info.seats),
                        opt(info.constitutional.map(i64::from)),
                        info.unit_test.clone().into(),
                        opt(info.round),
                        info.threshold_percent.clone().into(),
                        opt(info.reported_units_in_favour),
                        info.body.clone().into(),
                    ],
                )?;
                for (oi, o) in info.options.iter().enumerate() {
                    db.exec(
                        "INSERT INTO options (election_id, contest_idx, idx, id, name, registered, kind, list_length) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        &[
                            eid.as_str().into(),
                            Value::Int(ci as i64),
                            Value::Int(oi as i64),
                            o.id.as_str().into(),
                            o.name.as_str().into(),
                            opt(o.registered),
                            o.kind.clone().into(),
                            opt(o.list_length),
                        ],
                    )?;
                }
            }
            db.insert_many(
                "INSERT INTO names (election_id, idx, kind, id, lang, name)",
                6,
                def_leaf.election.names.iter().enumerate().map(|(i, n)| {
                    vec![
                        eid.as_str().into(),
                        Value::Int(i as i64),
                        n.kind.as_str().into(),
                        n.id.as_str().into(),
                        n.lang.as_str().into(),
                        n.name.as_str().into(),
                    ]
                }),
                |_| {},
            )?;
            let first_id = next_id(db, "protocol_versions")?;
            let mut leaves = Vec::with_capacity(total as usize + 1);
            leaves.push(NewLeaf::new(0, &Leaf::Definition(def_leaf.clone())));
            let mut rows = Vec::with_capacity(total as usize);
            let mut id = first_id;
            for (ci, (contest, cc)) in election.contests().iter().zip(counts).enumerate() {
                for (unit, row) in cc.rows() {
                    let ctx = ProtocolContext::for_unit(tree, &roll_ups[ci], unit, limits);
                    let codes: Vec<String> =
                        check_protocol(contest, row, &ctx).iter().map(|f| f.code.to_string()).collect();
                    if !codes.is_empty() {
                        flagged += 1;
                    }
                    let lines = certify::row_lines(contest, row);
                    let p = ProtocolLeaf {
                        election: eid.clone(),
                        contest: contest.id().to_string(),
                        unit: tree.unit(unit).id.to_string(),
                        version: 1,
                        author: "import".into(),
                        at: now.as_str().into(),
                        reason: "imported from the election package".into(),
                        findings: codes.clone(),
                        lines,
                        signature: None,
                    };
                    rows.push(vec![
                        Value::Int(id),
                        eid.as_str().into(),
                        Value::Int(ci as i64),
                        Value::Int(unit as i64),
                        Value::Int(1),
                        lines_json(&p.lines).into(),
                        "import".into(),
                        now.as_str().into(),
                        p.reason.as_str().into(),
                        codes.join(",").into(),
                    ]);
                    leaves.push(NewLeaf::new(id, &Leaf::Protocol(p)));
                    id += 1;
                }
            }
            let mut done = 0u64;
            db.insert_many(
                "INSERT INTO protocol_versions (id, election_id, contest_idx, unit_idx, version, lines, author, at, reason, findings)",
                10,
                rows,
                |n| {
                    done += n;
                    progress(done, total);
                },
            )?;
            let appended = append(db, &eid, &origin, leaves, signer.as_deref())?;
            Ok(ImportSummary {
                election: eid.clone(),
                protocols: total,
                protocols_with_findings: 0,
                log_size: appended.size,
                checkpoint: appended.checkpoint,
            })
        })?;
        Ok(ImportSummary { protocols_with_findings: flagged, ..summary })
    }
}
