//! Totals from the latest accepted versions, reporting progress, intraday turnout and
//! certification (law reference §8.3–8.4).

use std::collections::HashMap;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::Election;
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitTree;
use ashyq_record::certify::{self, Definition};
use ashyq_record::leaf::{CertificationLeaf, Leaf, ProtocolLeaf, TurnoutLeaf};
use ashyq_record::merkle::Hash;

use crate::append::{append, next_id, NewLeaf};
use crate::db::Value;
use crate::rows::{self, parse_lines};
use crate::{Certification, ContestProgress, Store, StoreError, TurnoutRow, TURNOUT_HOURS};

impl Store {
    /// The latest version of every protocol as counts per contest.
    pub(crate) fn latest_counts(
        &mut self,
        def: &Definition,
    ) -> Result<Vec<ContestCounts>, StoreError> {
        let eid = def.election.id().as_str();
        let rows = self.db.query(
            "SELECT contest_idx, unit_idx, version, lines FROM protocol_versions WHERE election_id = ?1",
            &[eid.into()],
        )?;
        let mut latest: HashMap<(usize, usize), (i64, &str)> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let key = rows::resolve(def, r[0].int()?, r[1].int()?, "a protocol version")?;
            let v = r[2].int()?;
            let lines = r[3].text()?;
            let e = latest.entry(key).or_insert((v, lines));
            if v > e.0 {
                *e = (v, lines);
            }
        }
        let mut counts: Vec<ContestCounts> =
            def.election.contests().iter().map(ContestCounts::new).collect();
        let loc = || format!("a protocol version of election {eid}");
        for (&(c, u), &(_, lines)) in &latest {
            let contest = &def.election.contests()[c];
            let lines = parse_lines(lines).map_err(|e| StoreError::corrupt(e, loc()))?;
            let row =
                certify::lines_row(contest, &lines).map_err(|e| StoreError::corrupt(e, loc()))?;
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    counts[c]
                        .set(u, Line::from_column(col), *v)
                        .map_err(|e| StoreError::corrupt(e.to_string(), loc()))?;
                }
            }
        }
        Ok(counts)
    }

    /// The election with the latest accepted version of every protocol as counts, so the
    /// core's roll-up and outcome apply unchanged.
    pub fn totals(
        &mut self,
        election_id: &str,
    ) -> Result<(Election, UnitTree, Vec<ContestCounts>), StoreError> {
        let def = self.cached_definition(election_id)?;
        let counts = self.latest_counts(&def)?;
        Ok((def.election.clone(), def.tree.clone(), counts))
    }

    /// Reporting progress per contest, at the level the record reports: a unit's subtree is
    /// expected from its polling stations, unless the unit reported a protocol for its whole
    /// subtree and nothing below it did (a package of regional totals reports per region).
    pub fn progress(&mut self, election_id: &str) -> Result<Vec<ContestProgress>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let counts = self.latest_counts(&def)?;
        let tree = &def.tree;
        Ok(def
            .election
            .contests()
            .iter()
            .zip(&counts)
            .map(|(c, cc)| {
                let p = ashyq_tally::progress(tree, c.territory(), cc);
                ContestProgress {
                    contest: c.id().to_string(),
                    expected: p.expected,
                    reported: p.reported,
                    registered_reported: p.registered_reported,
                }
            })
            .collect())
    }

    /// Records a station's intraday turnout snapshot (voters who have voted by `hour`), with the
    /// turnout checks it raises (T1 decreasing over the day, T2 above registered) as findings.
    /// Returns the findings.
    pub fn record_turnout(
        &mut self,
        election_id: &str,
        unit: &str,
        hour: &str,
        voters: u64,
        author: &str,
        time: &str,
    ) -> Result<Vec<String>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let tree = &def.tree;
        let ui = tree.index_of(unit).ok_or_else(|| {
            StoreError::NotFound(format!(
                "unit \"{}\" is not in election {election_id}",
                ashyq_record::quote(unit)
            ))
        })?;
        if !tree.children(ui).is_empty() {
            return Err(StoreError::Invalid(format!(
                "unit \"{unit}\" is not a polling station; turnout snapshots are reported by stations and summed up the tree"
            )));
        }
        let Some(hi) = TURNOUT_HOURS.iter().position(|h| *h == hour) else {
            return Err(StoreError::Invalid(format!(
                "hour \"{}\" is not a snapshot hour ({})",
                ashyq_record::quote(hour),
                TURNOUT_HOURS.join(", ")
            )));
        };
        let author = author.trim().to_owned();
        if author.is_empty() {
            return Err(StoreError::Invalid("a turnout snapshot needs an author".into()));
        }
        let at = self.entry_time(time)?;
        let voters_i =
            i64::try_from(voters).map_err(|_| StoreError::Invalid("voters is too large".into()))?;
        // Registered voters on the station's latest protocol of any contest (the largest).
        let counts = self.latest_counts(&def)?;
        let registered =
            counts.iter().filter_map(|cc| cc.row(ui)?[ProtocolLine::Registered.column()]).max();
        let eid = election_id.to_owned();
        let signer = self.signer.clone();
        let origin = def.leaf.origin.clone();
        self.write_tx(|db| {
            let earlier: Vec<(usize, u64)> = db
                .query("SELECT hour, voters FROM turnout WHERE election_id = ?1 AND unit_idx = ?2", &[eid.as_str().into(), Value::Int(ui as i64)])?
                .iter()
                .filter_map(|r| {
                    let h = TURNOUT_HOURS.iter().position(|x| Some(*x) == r[0].text().ok())?;
                    Some((h, r[1].int().ok()?.max(0) as u64))
                })
                .collect();
            if earlier.iter().any(|&(h, _)| h == hi) {
                return Err(StoreError::Conflict(format!("unit \"{unit}\" already reported its {hour} turnout")));
            }
            // The station's snapshots in the order of the day, this one included: core's turnout
            // checks (T1 decreasing, T2 above registered).
            let mut day: Vec<(usize, u64)> = earlier.clone();
            day.push((hi, voters));
            day.sort_unstable();
            let named: Vec<(&str, u64)> = day.iter().map(|&(h, v)| (TURNOUT_HOURS[h], v)).collect();
            let mut findings: Vec<String> = ashyq_core::checks::check_turnout(&named, registered)
                .iter()
                .filter(|f| f.message.contains(&format!("at {hour} ")) || f.message.contains(&format!("reported at {hour}")))
                .map(|f| f.code.to_string())
                .collect();
            findings.dedup();
            let id = next_id(db, "turnout")?;
            db.exec(
                "INSERT INTO turnout (id, election_id, unit_idx, hour, voters, author, at, findings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[Value::Int(id), eid.as_str().into(), Value::Int(ui as i64), hour.into(), Value::Int(voters_i), author.as_str().into(), at.as_str().into(), findings.join(",").into()],
            )?;
            let leaf = Leaf::Turnout(TurnoutLeaf {
                election: eid.clone(),
                unit: unit.to_owned(),
                hour: hour.to_owned(),
                voters,
                author: author.clone(),
                at: at.to_string(),
                findings: findings.clone(),
            });
            append(db, &eid, &origin, vec![NewLeaf::new(id, &leaf)], signer.as_deref())?;
            Ok(findings)
        })
    }

    /// Turnout snapshots summed up the tree: one row per (unit with data, hour), in tree order.
    pub fn turnout(&mut self, election_id: &str) -> Result<Vec<TurnoutRow>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let tree = &def.tree;
        let rows = self.db.query(
            "SELECT unit_idx, hour, voters FROM turnout WHERE election_id = ?1",
            &[election_id.into()],
        )?;
        let h = TURNOUT_HOURS.len();
        let mut sums = vec![vec![(0u64, 0u64); h]; tree.len()];
        for r in &rows {
            let u = rows::resolve_unit(&def, r[0].int()?, "a turnout snapshot")?;
            let Some(hi) = TURNOUT_HOURS.iter().position(|x| Some(*x) == r[1].text().ok()) else {
                return Err(StoreError::corrupt(
                    format!("hour {:?} is not a snapshot hour", r[1]),
                    format!("a turnout snapshot of election {election_id}"),
                ));
            };
            let v = u64::try_from(r[2].int()?).map_err(|_| {
                StoreError::corrupt(
                    "a negative voter count",
                    format!("a turnout snapshot of election {election_id}"),
                )
            })?;
            for a in tree.path(u) {
                sums[a][hi].0 = sums[a][hi].0.saturating_add(v);
                sums[a][hi].1 += 1;
            }
        }
        let mut out = Vec::new();
        for &u in tree.topological_order() {
            for (hi, &(v, n)) in sums[u].iter().enumerate() {
                if n > 0 {
                    out.push(TurnoutRow {
                        unit: tree.unit(u).id.to_string(),
                        hour: TURNOUT_HOURS[hi].to_owned(),
                        voters: v,
                        stations: n,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Certifies the current totals: the certified counts are the latest protocol versions as of
    /// the current log, stamped with the SHA-256 of the canonical inputs and appended to the log
    /// as a certification leaf, so anyone recomputes it later.
    pub fn certify(&mut self, election_id: &str) -> Result<Certification, StoreError> {
        let def = self.cached_definition(election_id)?;
        let eid = election_id.to_owned();
        let at = self.now();
        let signer = self.signer.clone();
        self.write_tx(|db| {
            let rows = db.query(
                &format!("SELECT l.seq, l.leaf_hash, {} FROM log l JOIN protocol_versions v ON l.kind = 'protocol' AND l.ref = v.id AND l.election_id = v.election_id WHERE l.election_id = ?1 ORDER BY l.seq", rows::PROTOCOL_COLUMNS.split(", ").map(|c| format!("v.{c}")).collect::<Vec<_>>().join(", ")),
                &[eid.as_str().into()],
            )?;
            let log_size = db.query_one("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM log WHERE election_id = ?1", &[eid.as_str().into()])?[0].int()? as u64;
            let mut protocols: Vec<(ProtocolLeaf, Hash)> = Vec::with_capacity(rows.len());
            for r in &rows {
                let loc = || format!("log entry {:?} of election {eid}", r[0]);
                let leaf = rows::protocol_leaf(&def.leaf, &r[2..].to_vec()).map_err(|e| StoreError::corrupt(e, loc()))?;
                let hash = ashyq_record::merkle::parse_hash(r[1].text()?).ok_or_else(|| StoreError::corrupt("a malformed leaf hash", loc()))?;
                if leaf.hash() != hash {
                    return Err(StoreError::corrupt("the protocol version does not hash to its log entry", loc()));
                }
                let Leaf::Protocol(p) = leaf else { continue };
                protocols.push((p, hash));
            }
            let latest = certify::latest(&def, protocols.iter().map(|(p, h)| (p, *h)))
                .map_err(|e| StoreError::corrupt(e, format!("the protocols of election {eid}")))?;
            let counts = certify::counts(&def, &latest).map_err(|e| StoreError::corrupt(e, format!("election {eid}")))?;
            let inputs_hash = certify::inputs_hash(&def, &latest);
            // Counts that the law's own arithmetic rejects are not certified (law reference §8.2).
            if let Err(ashyq_core::rules::OutcomeError::FailedChecks(failed)) =
                ashyq_core::rules::outcome(&def.election, &def.tree, &counts, &Default::default())
            {
                return Err(StoreError::Rejected(
                    failed
                        .iter()
                        .map(|f| {
                            let contest = &def.election.contests()[f.contest];
                            crate::CheckFinding {
                                code: f.finding.code.to_string(),
                                error: true,
                                line: f.finding.lines.first().map(|l| certify::line_name(contest, l.column())),
                                message: format!(
                                    "contest {}, unit {}: {}",
                                    contest.id(),
                                    def.tree.unit(f.unit).id,
                                    f.finding.message
                                ),
                            }
                        })
                        .collect(),
                ));
            }
            let totals = certify::totals_csv(&def, &counts).map_err(StoreError::Invalid)?;
            let seq = db.query_one("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM certifications WHERE election_id = ?1", &[eid.as_str().into()])?[0].int()? + 1;
            db.exec(
                "INSERT INTO certifications (election_id, seq, at, log_size, inputs_hash, totals_csv) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[eid.as_str().into(), Value::Int(seq), at.as_str().into(), Value::Int(log_size as i64), inputs_hash.as_str().into(), totals.as_str().into()],
            )?;
            let leaf = Leaf::Certification(CertificationLeaf {
                election: eid.clone(),
                seq: seq as u64,
                at: at.to_string(),
                log_size,
                inputs_hash: inputs_hash.clone(),
                totals: totals.clone(),
            });
            let appended = append(db, &eid, &def.leaf.origin, vec![NewLeaf::new(seq, &leaf)], signer.as_deref())?;
            Ok(Certification {
                seq: seq as u64,
                at: at.to_string(),
                inputs_hash,
                log_size,
                counts,
                totals_csv: totals,
                receipt: appended.receipt(0),
            })
        })
    }
}
