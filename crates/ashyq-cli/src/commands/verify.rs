//! `ashyq verify`: recompute every leaf, hash, checkpoint and certified total of the record (in a
//! database, or an exported folder offline) and name whatever was altered, deleted, reordered,
//! rolled back or appended without the commission's signature. Trust comes from outside the
//! record: the commission's verifier key and checkpoints published earlier.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_record::verify::{Anchors, Verification};
use ashyq_record::VerifierKey;
use ashyq_store::OpenMode;

use super::print;
use super::record::open_store;

/// Arguments of `ashyq verify`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").args(["db", "record"])))]
pub(crate) struct VerifyArgs {
    /// The record database: `sqlite:PATH` or `postgres://user@host:port/db` (default
    /// sqlite:./ashyq.db).
    #[arg(long, value_name = "URL", env = "ASHYQ_DB")]
    pub(crate) db: Option<String>,
    /// An exported record folder (`ashyq export`), checked offline without any database.
    #[arg(long, value_name = "DIR")]
    pub(crate) record: Option<PathBuf>,
    /// Only this election of the database.
    #[arg(long, value_name = "ID", conflicts_with = "record")]
    pub(crate) election: Option<String>,
    /// The commission's verifier key (`name+keyid+base64key`, as `ashyq log key` prints it, or a
    /// file holding it), obtained independently of the record. Every checkpoint must be signed
    /// by it and every log entry covered by one.
    #[arg(long, value_name = "KEY")]
    pub(crate) verifier_key: Option<String>,
    /// A signed checkpoint published earlier (a file, as `ashyq log checkpoint` printed it):
    /// the record must extend it. Repeat for several.
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Vec<PathBuf>,
    /// The public keys the precinct and territorial commissions published before the count: a
    /// CSV with header `unit,key` (base64 Ed25519, as `ashyq protocol keygen` prints it). Every
    /// protocol version of a listed unit must carry its commission's signature with that key.
    #[arg(long, value_name = "FILE")]
    pub(crate) protocol_keys: Option<PathBuf>,
}

/// Reads a `unit,key` CSV of published protocol keys; a bad row names its line and field.
fn protocol_keys(path: &std::path::Path) -> Result<std::collections::BTreeMap<String, String>> {
    let name = path.display();
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot read the protocol keys {name}"))?;
    let headers = r.headers().with_context(|| format!("{name}: line 1"))?.clone();
    let col = |h: &str| headers.iter().position(|x| x == h);
    let (Some(unit_col), Some(key_col)) = (col("unit"), col("key")) else {
        anyhow::bail!("{name}: line 1: the header must name the columns unit and key");
    };
    let mut keys = std::collections::BTreeMap::new();
    for (i, row) in r.records().enumerate() {
        let line = i + 2;
        let row = row.with_context(|| format!("{name}: line {line}"))?;
        let unit = row.get(unit_col).unwrap_or_default();
        let key = row.get(key_col).unwrap_or_default();
        if unit.is_empty() {
            anyhow::bail!("{name}: line {line}, field unit: empty");
        }
        ashyq_record::statement::parse_public_key(key)
            .map_err(|e| anyhow::anyhow!("{name}: line {line}, field key: {e}"))?;
        if keys.insert(unit.to_owned(), key.to_owned()).is_some() {
            anyhow::bail!("{name}: line {line}, field unit: {unit} is listed twice");
        }
    }
    Ok(keys)
}

fn anchors(args: &VerifyArgs) -> Result<Anchors> {
    let key = match &args.verifier_key {
        None => None,
        Some(k) => {
            let text = if std::path::Path::new(k).is_file() {
                std::fs::read_to_string(k)
                    .with_context(|| format!("cannot read the verifier key file {k}"))?
            } else {
                k.clone()
            };
            Some(VerifierKey::parse(&text).with_context(|| "--verifier-key".to_owned())?)
        }
    };
    let mut checkpoints = Vec::new();
    for f in &args.checkpoint {
        let note = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read the checkpoint {}", f.display()))?;
        checkpoints.push((f.display().to_string(), note));
    }
    let protocol_keys = match &args.protocol_keys {
        Some(p) => protocol_keys(p)?,
        None => Default::default(),
    };
    Ok(Anchors { key, checkpoints, protocol_keys })
}

pub(crate) fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let anchors = anchors(args)?;
    let (what, results): (String, Vec<(String, Verification)>) = match &args.record {
        Some(dir) => {
            let v = ashyq_record::folder::verify(dir, &anchors)
                .with_context(|| format!("cannot verify {}", dir.display()))?;
            (dir.display().to_string(), vec![(String::new(), v)])
        }
        None => {
            let url = args.db.clone().unwrap_or_else(|| ashyq_store::DEFAULT_URL.to_owned());
            let mut store = open_store(&url, OpenMode::Existing)?;
            let v = store.verify(args.election.as_deref(), &anchors)?;
            (url, v)
        }
    };
    let problems: Vec<&String> = results.iter().flat_map(|(_, v)| &v.problems).collect();
    let mut text = String::new();
    if problems.is_empty() {
        text.push_str(&format!(
            "{what}: the record is intact: every leaf, hash, checkpoint signature and certified total recomputes\n"
        ));
    } else {
        for p in &problems {
            text.push_str(p);
            text.push('\n');
        }
    }
    for (e, v) in &results {
        if e.is_empty() && v.log_size == 0 && args.record.is_none() {
            continue;
        }
        let name = if e.is_empty() { String::new() } else { format!("election {e}: ") };
        let covered = v.latest_checkpoint.map_or("no signed checkpoint".to_owned(), |s| {
            format!("signed checkpoints up to size {s}")
        });
        if v.anchored {
            text.push_str(&format!(
                "{name}{} log entries, {covered}, checked against the key and checkpoints you gave\n",
                v.log_size
            ));
        } else {
            text.push_str(&format!(
                "{name}{} log entries, {covered}; internal consistency only: nothing outside the record was given, so a record rebuilt or rolled back by whoever controls it would pass. Pin the commission's key with --verifier-key{} and give a checkpoint published earlier with --checkpoint\n",
                v.log_size,
                v.key.as_ref().map_or(String::new(), |k| format!(" (the record names {k})"))
            ));
        }
        if !anchors.protocol_keys.is_empty() {
            text.push_str(&format!(
                "{name}every protocol of the {} units with a published protocol key was held to that key\n",
                anchors.protocol_keys.len()
            ));
        }
        if v.signed_protocols > 0 {
            text.push_str(&format!(
                "{name}{} protocol versions carry their commission's own Ed25519 signature; each was checked against its lines\n",
                v.signed_protocols
            ));
        }
    }
    print(&text)?;
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
