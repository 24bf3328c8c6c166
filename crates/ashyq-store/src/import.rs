//! Importing a whole election (definition and every protocol as version 1) in one
//! transaction, and appending versions to the Merkle log.

use super::*;

/// Inserts versions and their log entries, and signs a new tree head when a key is given.
/// Must run inside a write transaction. Returns (log size, signed).
#[allow(clippy::too_many_arguments)]
pub(super) fn append_versions(
    db: &mut Db,
    eid: &str,
    def_hash: &str,
    election: &Election,
    tree: &UnitTree,
    versions: Vec<NewVersion>,
    signer: Option<&Signer>,
    now: &str,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<(u64, bool), StoreError> {
    let first_id = next_id(db, "protocol_versions")?;
    let first_seq = db.query_one(
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM log WHERE election_id = ?1",
        &[eid.into()],
    )?[0]
        .int()?
        + 1;
    let mut leaves = Vec::with_capacity(versions.len());
    let mut vrows = Vec::with_capacity(versions.len());
    let mut lrows = Vec::with_capacity(versions.len());
    for (k, v) in versions.iter().enumerate() {
        let contest = &election.contests()[v.contest];
        let bytes = record::version_bytes(
            eid,
            def_hash,
            contest.id().as_str(),
            tree.unit(v.unit).id.as_str(),
            v.version,
            &v.author,
            &v.at,
            &v.reason,
            &v.findings,
            &v.row,
        );
        let leaf = merkle::leaf_hash(&bytes);
        leaves.push(leaf);
        let id = first_id + k as i64;
        vrows.push(vec![
            Value::Int(id),
            eid.into(),
            Value::Int(v.contest as i64),
            Value::Int(v.unit as i64),
            Value::Int(v.version),
            record::format_vals(&v.row).into(),
            v.author.as_str().into(),
            v.at.as_str().into(),
            v.reason.as_str().into(),
            v.findings.as_str().into(),
        ]);
        lrows.push(vec![
            eid.into(),
            Value::Int(first_seq + k as i64),
            Value::Int(id),
            hex::encode(leaf).into(),
        ]);
    }
    db.insert_many(
        "INSERT INTO protocol_versions (id, election_id, contest_idx, unit_idx, version, vals, author, at, reason, findings)",
        10,
        vrows,
        |n| {
            if let Some(b) = bar {
                b.inc(n);
            }
        },
    )?;
    db.insert_many("INSERT INTO log (election_id, seq, version_id, leaf_hash)", 4, lrows, |_| {})?;
    let size = (first_seq - 1) as u64 + versions.len() as u64;
    let Some(signer) = signer else {
        return Ok((size, false));
    };
    let pk = signer.public_key_hex();
    let stored =
        db.query("SELECT public_key FROM record_keys WHERE election_id = ?1", &[eid.into()])?;
    match stored.first() {
        None => {
            db.exec(
                "INSERT INTO record_keys (election_id, public_key) VALUES (?1, ?2)",
                &[eid.into(), pk.as_str().into()],
            )?;
        }
        Some(r) if r[0].text()? == pk => {}
        Some(r) => {
            return Err(StoreError::Key(format!(
                "the key file's public key {pk} is not the record's key {} for election {eid}",
                r[0].text()?
            )))
        }
    }
    let mut all: Vec<merkle::Hash> = Vec::with_capacity(size as usize);
    if first_seq > 1 {
        for r in db.query(
            "SELECT leaf_hash FROM log WHERE election_id = ?1 AND seq < ?2 ORDER BY seq",
            &[eid.into(), Value::Int(first_seq)],
        )? {
            all.push(
                merkle::parse_hash(r[0].text()?).ok_or_else(|| {
                    StoreError::Corrupt("a log entry holds a malformed hash".into())
                })?,
            );
        }
    }
    all.extend(leaves);
    let root = merkle::root(&all);
    let sig = signer.sign_head(eid, size, &root);
    db.exec(
        "INSERT INTO tree_heads (election_id, size, root_hash, at, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[eid.into(), Value::Int(size as i64), hex::encode(root).into(), now.into(), sig.into()],
    )?;
    Ok((size, true))
}

pub(super) fn next_id(db: &mut Db, table: &str) -> Result<i64, StoreError> {
    Ok(db.query_one(&format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM {table}"), &[])?[0]
        .int()?
        + 1)
}

fn progress_bar(show: bool, n: u64) -> Option<indicatif::ProgressBar> {
    if !show {
        return None;
    }
    let b =
        indicatif::ProgressBar::with_draw_target(Some(n), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} protocols ({per_sec}, {eta} left)",
    ) {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_message("importing");
    Some(b)
}

/// The election as raw (unvalidated) info, the way it is stored in the tables.
fn contest_info(c: &ashyq_core::election::Contest, tree: &UnitTree) -> ContestInfo {
    c.to_info(tree)
}

impl Store {
    /// Imports an election (e.g. a read package's election, tree and counts): the definition,
    /// and every protocol row as version 1 by author
    /// `import`, in one transaction. Arithmetic findings are recorded with the version (the
    /// package is what the commission published), not blocking.
    pub fn import(
        &mut self,
        election: &Election,
        tree: &UnitTree,
        counts: &[ContestCounts],
        opts: &ImportOptions,
        signer: Option<&Signer>,
    ) -> Result<ImportSummary, StoreError> {
        let eid = election.id().to_string();
        if counts.len() != election.contests().len() {
            return Err(StoreError::Invalid(format!(
                "{} contests but counts for {}",
                election.contests().len(),
                counts.len()
            )));
        }
        let now = now_utc();
        let def_text = ashyq_package::election_toml(election, tree, &[]);
        let units_text = record::units_csv(tree);
        let def_hash = record::definition_hash(election, tree);
        let mut versions = Vec::new();
        let mut flagged = 0u64;
        for (ci, (contest, cc)) in election.contests().iter().zip(counts).enumerate() {
            let roll_up = cc
                .roll_up(tree, contest.territory())
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            for (unit, row) in cc.rows() {
                let ctx = ProtocolContext::for_unit(tree, &roll_up, unit, self.limits);
                let f = check_protocol(contest, row, &ctx);
                let codes: Vec<&str> = f.iter().map(|f| f.code.as_str()).collect();
                if !codes.is_empty() {
                    flagged += 1;
                }
                versions.push(NewVersion {
                    contest: ci,
                    unit,
                    version: 1,
                    row: row.clone(),
                    author: "import".into(),
                    at: now.clone(),
                    reason: "imported from the election package".into(),
                    findings: codes.join(","),
                });
            }
        }
        let n = versions.len() as u64;
        let bar = progress_bar(opts.progress, n);
        let res = self.write_tx(|db| {
            let exists = db.query("SELECT id FROM elections WHERE id = ?1", &[eid.as_str().into()])?;
            if !exists.is_empty() {
                return Err(StoreError::Invalid(format!(
                    "election \"{eid}\" is already in the record; corrections go in as new versions, not as a second import"
                )));
            }
            db.exec(
                "INSERT INTO elections (id, double_entry, definition_toml, units_csv, definition_hash, imported_at, name, date, rules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                &[
                    eid.as_str().into(),
                    Value::Int(i64::from(opts.double_entry)),
                    def_text.into(),
                    units_text.into(),
                    def_hash.as_str().into(),
                    now.as_str().into(),
                    election.name().into(),
                    election.date().into(),
                    election.rules().name().into(),
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
            for (ci, c) in election.contests().iter().enumerate() {
                let info = contest_info(c, tree);
                db.exec(
                    "INSERT INTO contests (election_id, idx, id, kind, name, territory, seats, constitutional, unit_test, round, threshold_percent, reported_units_in_favour, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    &[
                        eid.as_str().into(),
                        Value::Int(ci as i64),
                        info.id.into(),
                        info.kind.into(),
                        info.name.into(),
                        info.territory.into(),
                        info.seats.into(),
                        info.constitutional.map(i64::from).into(),
                        info.unit_test.into(),
                        info.round.into(),
                        info.threshold_percent.into(),
                        info.reported_units_in_favour.into(),
                        info.body.into(),
                    ],
                )?;
                for (oi, o) in info.options.into_iter().enumerate() {
                    db.exec(
                        "INSERT INTO options (election_id, contest_idx, idx, id, name, registered, kind, list_length) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        &[
                            eid.as_str().into(),
                            Value::Int(ci as i64),
                            Value::Int(oi as i64),
                            o.id.into(),
                            o.name.into(),
                            o.registered.into(),
                            o.kind.into(),
                            o.list_length.into(),
                        ],
                    )?;
                }
            }
            append_versions(db, &eid, &def_hash, election, tree, versions, signer, &now, bar.as_ref())
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let (log_size, signed) = res?;
        Ok(ImportSummary {
            election: eid,
            protocols: n,
            protocols_with_findings: flagged,
            log_size,
            signed,
        })
    }
}
