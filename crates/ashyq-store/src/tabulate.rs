//! Totals from the latest accepted versions, reporting progress, intraday turnout and
//! certification (law reference §8.3–8.4).

use super::*;

impl Store {
    pub(super) fn latest(
        &mut self,
        eid: &str,
        election: &Election,
    ) -> Result<(Vec<ContestCounts>, usize), StoreError> {
        let rows = self.db.query(
            "SELECT contest_idx, unit_idx, version, vals FROM protocol_versions WHERE election_id = ?1",
            &[eid.into()],
        )?;
        let mut latest: HashMap<(usize, usize), (i64, &str)> = HashMap::with_capacity(rows.len());
        for r in &rows {
            let key = (r[0].int()? as usize, r[1].int()? as usize);
            let v = r[2].int()?;
            let vals = r[3].text()?;
            let e = latest.entry(key).or_insert((v, vals));
            if v > e.0 {
                *e = (v, vals);
            }
        }
        let mut counts: Vec<ContestCounts> =
            election.contests().iter().map(ContestCounts::new).collect();
        for (&(c, u), &(_, vals)) in &latest {
            let contest = election.contests().get(c).ok_or_else(|| {
                StoreError::Corrupt(format!("a protocol version names contest #{c}"))
            })?;
            let row = record::parse_vals(vals, ProtocolLine::COUNT + contest.options().len())
                .map_err(StoreError::Corrupt)?;
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    counts[c]
                        .set(u, Line::from_column(col), *v)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                }
            }
        }
        Ok((counts, latest.len()))
    }

    /// The election with the latest accepted version of every protocol as counts, so the
    /// core's roll-up and outcome apply unchanged.
    pub fn totals(
        &mut self,
        election_id: &str,
    ) -> Result<(Election, UnitTree, Vec<ContestCounts>), StoreError> {
        let def = self.cached_definition(election_id)?;
        let (election, tree) = (&def.0, &def.1);
        let (counts, _) = self.latest(election_id, election)?;
        Ok((election.clone(), tree.clone(), counts))
    }

    /// Reporting progress per contest.
    pub fn progress(&mut self, election_id: &str) -> Result<Vec<ContestProgress>, StoreError> {
        let (election, tree, counts) = self.totals(election_id)?;
        Ok(election
            .contests()
            .iter()
            .zip(&counts)
            .map(|(c, cc)| {
                let stations: Vec<UnitIdx> = tree
                    .subtree(c.territory())
                    .into_iter()
                    .filter(|&u| tree.children(u).is_empty())
                    .collect();
                let mut reported = 0;
                let mut registered = 0u64;
                for &s in &stations {
                    if let Some(r) = cc.row(s) {
                        reported += 1;
                        registered = registered
                            .saturating_add(r[ProtocolLine::Registered.column()].unwrap_or(0));
                    }
                }
                ContestProgress {
                    contest: c.id().to_string(),
                    stations_expected: stations.len() as u64,
                    stations_reported: reported,
                    registered_reported: registered,
                }
            })
            .collect())
    }

    /// Records a station's intraday turnout snapshot (voters who have voted by `hour`).
    pub fn record_turnout(
        &mut self,
        election_id: &str,
        unit: &str,
        hour: &str,
        voters: u64,
        author: &str,
        time: &str,
    ) -> Result<(), StoreError> {
        let def = self.cached_definition(election_id)?;
        let tree = &def.1;
        let ui = tree.index_of(unit).ok_or_else(|| {
            StoreError::Invalid(format!("unit \"{unit}\" is not in election {election_id}"))
        })?;
        if !tree.children(ui).is_empty() {
            return Err(StoreError::Invalid(format!(
                "unit \"{unit}\" is not a polling station; turnout snapshots are reported by stations and summed up the tree"
            )));
        }
        if !TURNOUT_HOURS.contains(&hour) {
            return Err(StoreError::Invalid(format!(
                "hour \"{hour}\" is not a snapshot hour ({})",
                TURNOUT_HOURS.join(", ")
            )));
        }
        let voters =
            i64::try_from(voters).map_err(|_| StoreError::Invalid("voters is too large".into()))?;
        let eid = election_id.to_owned();
        self.write_tx(|db| {
            let dup = db.query(
                "SELECT voters FROM turnout WHERE election_id = ?1 AND unit_idx = ?2 AND hour = ?3",
                &[eid.as_str().into(), Value::Int(ui as i64), hour.into()],
            )?;
            if !dup.is_empty() {
                return Err(StoreError::Invalid(format!("unit \"{unit}\" already reported its {hour} turnout")));
            }
            db.exec(
                "INSERT INTO turnout (election_id, unit_idx, hour, voters, author, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[eid.as_str().into(), Value::Int(ui as i64), hour.into(), Value::Int(voters), author.into(), time.into()],
            )?;
            Ok(())
        })
    }

    /// Turnout snapshots summed up the tree: one row per (unit with data, hour), in tree order.
    pub fn turnout(&mut self, election_id: &str) -> Result<Vec<TurnoutRow>, StoreError> {
        let def = self.cached_definition(election_id)?;
        let tree = &def.1;
        let rows = self.db.query(
            "SELECT unit_idx, hour, voters FROM turnout WHERE election_id = ?1",
            &[election_id.into()],
        )?;
        let h = TURNOUT_HOURS.len();
        let mut sums = vec![vec![(0u64, 0u64); h]; tree.len()];
        for r in &rows {
            let u = r[0].int()? as usize;
            let Some(hi) = TURNOUT_HOURS.iter().position(|x| *x == r[1].text().unwrap_or(""))
            else {
                continue;
            };
            if u >= tree.len() {
                return Err(StoreError::Corrupt(format!("a turnout snapshot names unit #{u}")));
            }
            let v = r[2].int()?.max(0) as u64;
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

    /// Certifies the current totals: the certified counts are the latest versions as of the
    /// current log, stamped with the SHA-256 of the canonical inputs. Stored, so verify
    /// recomputes it later.
    pub fn certify(&mut self, election_id: &str, time: &str) -> Result<Certification, StoreError> {
        let eid = election_id.to_owned();
        let time = if time.is_empty() { now_utc() } else { time.to_owned() };
        self.write_tx(|db| {
            let rec = load_raw(db, &eid)?;
            let leaves: HashMap<i64, merkle::Hash> = rec
                .versions
                .iter()
                .filter_map(|v| record::version_leaf(&rec, v).ok().map(|h| (v.id, h)))
                .collect();
            let (hash, csv, counts) =
                record::certification(&rec, rec.log.len(), &leaves).map_err(StoreError::Corrupt)?;
            let seq = rec.certifications.len() as i64 + 1;
            db.exec(
                "INSERT INTO certifications (election_id, seq, at, log_size, inputs_hash, totals_csv) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[eid.as_str().into(), Value::Int(seq), time.as_str().into(), Value::Int(rec.log.len() as i64), hash.as_str().into(), csv.as_str().into()],
            )?;
            Ok(Certification { seq, inputs_hash: hash, log_size: rec.log.len() as i64, counts, totals_csv: csv })
        })
    }
}
