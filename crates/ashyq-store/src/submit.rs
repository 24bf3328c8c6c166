//! Protocols entered by people: checks on submission, double entry and its resolution,
//! corrections as new versions, history. Every accepted version goes through `accept`.

use super::import::{append_versions, next_id};
use super::*;

/// The catalogue codes of the findings accepted with a version, as stored (`R4,W1`).
fn finding_codes(findings: &[CheckFinding]) -> String {
    findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>().join(",")
}

fn differences(
    contest: &ashyq_core::election::Contest,
    a1: &str,
    r1: &Row,
    a2: &str,
    r2: &Row,
) -> Vec<Difference> {
    r1.iter()
        .zip(r2)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(col, (x, y))| Difference {
            line: line_name(contest, col),
            values: vec![(a1.to_owned(), *x), (a2.to_owned(), *y)],
        })
        .collect()
}

fn line_name(contest: &ashyq_core::election::Contest, col: usize) -> String {
    match Line::from_column(col) {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => contest.options()[i].id.to_string(),
    }
}

fn line_of(contest: &ashyq_core::election::Contest, name: &str) -> Option<Line> {
    ProtocolLine::from_name(name)
        .map(Line::Protocol)
        .or_else(|| contest.option_index(name).map(Line::Option))
}

fn core_findings(f: Vec<ashyq_core::checks::Finding>) -> Vec<CheckFinding> {
    f.into_iter()
        .map(|f| CheckFinding {
            code: f.code.to_string(),
            error: f.severity == Severity::Error,
            message: f.message,
        })
        .collect()
}

impl Store {
    /// All versions of one protocol, oldest first.
    pub fn history(
        &mut self,
        election_id: &str,
        contest: &str,
        unit: &str,
    ) -> Result<Vec<ProtocolVersion>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, contest, unit)?;
        let c = &election.contests()[ci];
        let rows = self.db.query(
            "SELECT version, author, at, reason, findings, vals FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 ORDER BY version",
            &[election_id.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
        )?;
        rows.iter()
            .map(|r| {
                let row = record::parse_vals(r[5].text()?, ProtocolLine::COUNT + c.options().len())
                    .map_err(StoreError::Corrupt)?;
                Ok(ProtocolVersion {
                    version: r[0].int()?,
                    author: r[1].text()?.to_owned(),
                    time: r[2].text()?.to_owned(),
                    reason: r[3].text()?.to_owned(),
                    findings: r[4].text()?.to_owned(),
                    values: row
                        .iter()
                        .enumerate()
                        .filter_map(|(col, v)| v.map(|v| (line_name(c, col), v)))
                        .collect(),
                })
            })
            .collect()
    }

    fn latest_row(
        &mut self,
        eid: &str,
        ci: usize,
        ui: usize,
        n: usize,
    ) -> Result<Option<(i64, Row)>, StoreError> {
        let rows = self.db.query(
            "SELECT version, vals FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 ORDER BY version DESC LIMIT 1",
            &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
        )?;
        match rows.first() {
            None => Ok(None),
            Some(r) => Ok(Some((
                r[0].int()?,
                record::parse_vals(r[1].text()?, n).map_err(StoreError::Corrupt)?,
            ))),
        }
    }

    /// Runs every check on a row: arithmetic (core), plausibility (W1–W3) for station
    /// protocols, and R7 against the stations below for summary protocols.
    fn check_row(
        &mut self,
        eid: &str,
        election: &Election,
        tree: &UnitTree,
        ci: usize,
        ui: usize,
        row: &Row,
    ) -> Result<Vec<CheckFinding>, StoreError> {
        let contest = &election.contests()[ci];
        let mut sum_below: Option<ashyq_core::counts::Totals> = None;
        if !tree.children(ui).is_empty() {
            let (counts, _) = self.latest(eid, election)?;
            let mut cc = counts[ci].clone();
            let own_below: Vec<UnitIdx> =
                cc.rows().map(|(u, _)| u).filter(|&u| u != ui && tree.is_within(u, ui)).collect();
            if !own_below.is_empty() {
                // Sum of the protocols strictly below: roll up without the unit's own row.
                let mut below = ContestCounts::new(contest);
                for (u, r) in cc.rows() {
                    if u != ui && tree.is_within(u, ui) {
                        for (col, v) in r.iter().enumerate() {
                            if let Some(v) = v {
                                let _ = below.set(u, Line::from_column(col), *v);
                            }
                        }
                    }
                }
                cc = below;
                let roll = cc.roll_up(tree, ui).map_err(|e| StoreError::Invalid(e.to_string()))?;
                sum_below = roll.at(ui).cloned();
            }
        }
        let ctx = if tree.children(ui).is_empty() {
            ProtocolContext::station(self.limits)
        } else {
            ProtocolContext::summary(sum_below.as_ref(), self.limits)
        };
        Ok(core_findings(check_protocol(contest, row, &ctx)))
    }

    fn row_from_values(
        contest: &ashyq_core::election::Contest,
        base: Option<Row>,
        values: &[(String, u64)],
    ) -> Result<Row, StoreError> {
        let n = ProtocolLine::COUNT + contest.options().len();
        let mut row = base.unwrap_or_else(|| vec![None; n]);
        for (name, v) in values {
            let line = line_of(contest, name).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "line \"{name}\" is neither a protocol line nor an option of contest \"{}\" (options: {})",
                    contest.id(),
                    contest.options().iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")
                ))
            })?;
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

    /// Submits a protocol. Without double entry it is checked and, if it passes (or its
    /// findings are overridden/acknowledged), stored as the next version. With double entry it
    /// is stored as an entry; the second independent entry that agrees creates the version.
    pub fn submit(
        &mut self,
        election_id: &str,
        s: &Submission,
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, &s.contest, &s.unit)?;
        let contest = election.contests()[ci].clone();
        if s.author.trim().is_empty() {
            return Err(StoreError::Invalid("a submission needs an author".into()));
        }
        let n = ProtocolLine::COUNT + contest.options().len();
        let latest = self.latest_row(election_id, ci, ui, n)?;
        let next = latest.as_ref().map_or(1, |l| l.0 + 1);
        let row = Self::row_from_values(&contest, None, &s.values)?;
        let findings = self.check_row(election_id, election, tree, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        let double = self
            .db
            .query_one("SELECT double_entry FROM elections WHERE id = ?1", &[election_id.into()])?
            [0]
        .int()?
            != 0;
        let reason = if s.reason.is_empty() { "entered".to_owned() } else { s.reason.clone() };
        if !double {
            return self.accept(
                election_id,
                election,
                tree,
                NewVersion {
                    contest: ci,
                    unit: ui,
                    version: next,
                    row,
                    author: s.author.clone(),
                    at: s.time.clone(),
                    reason: reason.clone(),
                    findings: finding_codes(&findings),
                },
                &findings,
                signer,
            );
        }
        // Double entry.
        let eid = election_id.to_owned();
        let vals = record::format_vals(&row);
        let entries = self.write_tx(|db| {
            let id = next_id(db, "entries")?;
            db.exec(
                "INSERT INTO entries (id, election_id, contest_idx, unit_idx, round, author, at, vals) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[Value::Int(id), eid.as_str().into(), Value::Int(ci as i64), Value::Int(ui as i64), Value::Int(next), s.author.as_str().into(), s.time.as_str().into(), vals.into()],
            )?;
            Ok(())
        });
        entries?;
        let pair = self.entry_pair(election_id, ci, ui, next, n)?;
        match pair {
            None => Ok(Submitted::AwaitingSecondEntry),
            Some(((a1, r1), (a2, r2))) => {
                if r1 == r2 {
                    let author = format!("{a1}+{a2}");
                    self.accept(
                        election_id,
                        election,
                        tree,
                        NewVersion {
                            contest: ci,
                            unit: ui,
                            version: next,
                            row: r1,
                            author: author.clone(),
                            at: s.time.clone(),
                            reason: "double entry: two independent entries agree".to_owned(),
                            findings: finding_codes(&findings),
                        },
                        &findings,
                        signer,
                    )
                } else {
                    Ok(Submitted::Differences(differences(&contest, &a1, &r1, &a2, &r2)))
                }
            }
        }
    }

    /// The latest entries of the first two distinct authors in a round.
    #[allow(clippy::type_complexity)]
    fn entry_pair(
        &mut self,
        eid: &str,
        ci: usize,
        ui: usize,
        round: i64,
        n: usize,
    ) -> Result<Option<((String, Row), (String, Row))>, StoreError> {
        let rows = self.db.query(
            "SELECT author, vals FROM entries WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3 AND round = ?4 ORDER BY id",
            &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64), Value::Int(round)],
        )?;
        let mut by_author: Vec<(String, Row)> = Vec::new();
        for r in &rows {
            let a = r[0].text()?.to_owned();
            let row = record::parse_vals(r[1].text()?, n).map_err(StoreError::Corrupt)?;
            match by_author.iter_mut().find(|(x, _)| *x == a) {
                Some(slot) => slot.1 = row,
                None => by_author.push((a, row)),
            }
        }
        if by_author.len() < 2 {
            return Ok(None);
        }
        let mut it = by_author.into_iter();
        match (it.next(), it.next()) {
            (Some(a), Some(b)) => Ok(Some((a, b))),
            _ => Ok(None),
        }
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
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, contest, unit)?;
        let c = &election.contests()[ci];
        let n = ProtocolLine::COUNT + c.options().len();
        let next = self.latest_row(election_id, ci, ui, n)?.map_or(1, |l| l.0 + 1);
        Ok(match self.entry_pair(election_id, ci, ui, next, n)? {
            None => Vec::new(),
            Some(((a1, r1), (a2, r2))) => differences(c, &a1, &r1, &a2, &r2),
        })
    }

    /// A coordinator resolves two disagreeing entries: `choices` gives the value of every
    /// differing line; the agreed lines are kept. The result is checked and stored as the next
    /// version.
    pub fn resolve(
        &mut self,
        election_id: &str,
        s: &Submission,
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, &s.contest, &s.unit)?;
        let contest = election.contests()[ci].clone();
        let n = ProtocolLine::COUNT + contest.options().len();
        let next = self.latest_row(election_id, ci, ui, n)?.map_or(1, |l| l.0 + 1);
        let Some(((a1, r1), (a2, r2))) = self.entry_pair(election_id, ci, ui, next, n)? else {
            return Err(StoreError::Invalid(format!(
                "protocol (contest {}, unit {}) has no two entries awaiting resolution",
                s.contest, s.unit
            )));
        };
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
        let findings = self.check_row(election_id, election, tree, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        let reason = format!(
            "double entry resolved by {} between {a1} and {a2}{}",
            s.author,
            if s.reason.is_empty() { String::new() } else { format!(": {}", s.reason) }
        );
        self.accept(
            election_id,
            election,
            tree,
            NewVersion {
                contest: ci,
                unit: ui,
                version: next,
                row,
                author: s.author.clone(),
                at: s.time.clone(),
                reason: reason.clone(),
                findings: finding_codes(&findings),
            },
            &findings,
            signer,
        )
    }

    /// Corrects a protocol: a new version with the given lines changed (others kept), an
    /// author, a time and a reason. Never overwrites.
    pub fn correct(
        &mut self,
        election_id: &str,
        s: &Submission,
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        if s.reason.trim().is_empty() {
            return Err(StoreError::Invalid("a correction needs a reason".into()));
        }
        if s.author.trim().is_empty() {
            return Err(StoreError::Invalid("a correction needs an author".into()));
        }
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (ci, ui) = self.protocol_key(election, tree, &s.contest, &s.unit)?;
        let contest = election.contests()[ci].clone();
        let n = ProtocolLine::COUNT + contest.options().len();
        let Some((v, base)) = self.latest_row(election_id, ci, ui, n)? else {
            return Err(StoreError::Invalid(format!(
                "protocol (contest {}, unit {}) has no accepted version to correct; submit it first",
                s.contest, s.unit
            )));
        };
        let row = Self::row_from_values(&contest, Some(base), &s.values)?;
        let findings = self.check_row(election_id, election, tree, ci, ui, &row)?;
        let findings = Self::gate(findings, s)?;
        self.accept(
            election_id,
            election,
            tree,
            NewVersion {
                contest: ci,
                unit: ui,
                version: v + 1,
                row,
                author: s.author.clone(),
                at: s.time.clone(),
                reason: s.reason.clone(),
                findings: finding_codes(&findings),
            },
            &findings,
            signer,
        )
    }

    #[allow(clippy::too_many_arguments)]
    /// Stores an accepted version (its checks passed, were overridden or acknowledged) and
    /// appends it to the log, re-checking its version number under the writers' lock.
    fn accept(
        &mut self,
        eid: &str,
        election: &Election,
        tree: &UnitTree,
        nv: NewVersion,
        findings: &[CheckFinding],
        signer: Option<&Signer>,
    ) -> Result<Submitted, StoreError> {
        let def_hash = self
            .db
            .query_one("SELECT definition_hash FROM elections WHERE id = ?1", &[eid.into()])?[0]
            .text()?
            .to_owned();
        let (ci, ui, version) = (nv.contest, nv.unit, nv.version);
        let now = if nv.at.is_empty() { now_utc() } else { nv.at.clone() };
        self.write_tx(|db| {
            // The version number is re-checked under the lock.
            let cur = db.query_one(
                "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM protocol_versions WHERE election_id = ?1 AND contest_idx = ?2 AND unit_idx = ?3",
                &[eid.into(), Value::Int(ci as i64), Value::Int(ui as i64)],
            )?[0]
                .int()?;
            if cur + 1 != version {
                return Err(StoreError::Invalid(format!(
                    "the protocol changed meanwhile (now at version {cur}); review and submit again"
                )));
            }
            append_versions(db, eid, &def_hash, election, tree, vec![nv], signer, &now, None)
        })?;
        Ok(Submitted::Accepted { version, findings: findings.to_vec() })
    }
}
