//! `ashyq observe`: observers' copies of protocols and their own turnout counts, into the
//! record beside the official protocols (never mixed into the official totals), and listed
//! back. The store checks and logs them (`Store::observe_all`, `Store::observe_turnout_all`);
//! this module reads files and prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_store::{ObservationInput, ObservedTurnoutInput, StoreError};
use serde_json::json;

use super::record::{load_key, Target};
use super::{print, Format};

/// Arguments of `ashyq observe`.
#[derive(clap::Args, Debug)]
pub(crate) struct ObserveArgs {
    #[command(subcommand)]
    pub(crate) action: Action,
}

/// What `ashyq observe` does.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// Import an observer group's copies of protocols into the record, every copy or none.
    ///
    /// INPUT is a CSV `contest,unit,line,value[,photo_sha256]` (counts.csv's columns; the
    /// optional column holds the SHA-256 of the photo of the signed copy, on any row of its
    /// protocol), or a package folder whose counts.csv holds the copies (and, optionally,
    /// photos.csv `contest,unit,photo_sha256`). Contests, units and lines are those of the
    /// record's definition. Each copy is version 1 of the observer's copy of that protocol; a
    /// later copy of a protocol the observer already holds needs --reason and becomes the next
    /// version (the earlier one is kept). Copies that fail the protocol checks are stored with
    /// their findings (a copy is evidence as held). Bad input is reported as FILE:LINE and
    /// nothing is stored (exit 2).
    Import(ImportArgs),
    /// Import an observer group's own counts of voters: a CSV `unit,hour,voters` (hour a time
    /// of day HH:MM; other columns ignored), every count or none.
    Turnout(TurnoutArgs),
    /// List the copies in the record (every version), or with --turnout the observers' counts.
    List(ListArgs),
}

/// Arguments of `ashyq observe import`.
#[derive(clap::Args, Debug)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The observer (organisation) whose copies these are, e.g. `adil-soz`.
    #[arg(long, value_name = "ID")]
    pub(crate) observer: String,
    /// The copies: a CSV `contest,unit,line,value[,photo_sha256]`, or a package folder.
    #[arg(value_name = "PACKAGE_OR_CSV")]
    pub(crate) input: PathBuf,
    /// Who enters them (default: the observer's id).
    #[arg(long)]
    pub(crate) author: Option<String>,
    /// When they were entered: RFC 3339 (default: now).
    #[arg(long)]
    pub(crate) time: Option<String>,
    /// Why these copies supersede copies the observer already holds (required then).
    #[arg(long, default_value = "")]
    pub(crate) reason: String,
    /// The commission's key file (a signed record accepts writes only with its key).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
}

/// Arguments of `ashyq observe turnout`.
#[derive(clap::Args, Debug)]
pub(crate) struct TurnoutArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The observer (organisation) whose counts these are.
    #[arg(long, value_name = "ID")]
    pub(crate) observer: String,
    /// The counts: CSV unit,hour,voters.
    pub(crate) input: PathBuf,
    /// Who enters them (default: the observer's id).
    #[arg(long)]
    pub(crate) author: Option<String>,
    /// When they were entered: RFC 3339 (default: now).
    #[arg(long)]
    pub(crate) time: Option<String>,
    /// The commission's key file (a signed record accepts writes only with its key).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
}

/// Arguments of `ashyq observe list`.
#[derive(clap::Args, Debug)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// Only this contest.
    #[arg(long)]
    pub(crate) contest: Option<String>,
    /// Only this unit.
    #[arg(long)]
    pub(crate) unit: Option<String>,
    /// Only this observer.
    #[arg(long, value_name = "ID")]
    pub(crate) observer: Option<String>,
    /// The observers' turnout counts instead of their copies.
    #[arg(long, conflicts_with_all = ["contest"])]
    pub(crate) turnout: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

pub(crate) fn run(args: &ObserveArgs) -> Result<ExitCode> {
    match &args.action {
        Action::Import(a) => import(a),
        Action::Turnout(a) => turnout(a),
        Action::List(a) => list(a),
    }
}

/// Photo hashes of a package's photos.csv: (contest, unit) → (SHA-256, file, line).
type Photos = BTreeMap<(String, String), (String, String, u64)>;

/// One protocol's copy as read: where it starts, its lines (with their file lines), its photo.
struct CopyRows {
    file: String,
    first_line: u64,
    contest: String,
    unit: String,
    values: Vec<(String, u64)>,
    lines: Vec<u64>,
    photo: Option<(String, u64)>,
}

fn csv_reader(path: &Path) -> Result<(csv::Reader<std::fs::File>, csv::StringRecord)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("{}:1: cannot read the header", path.display()))?
        .clone();
    Ok((rdr, headers))
}

fn column(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h.trim_start_matches('\u{feff}').trim() == name)
}

/// Reads copies from a long CSV `contest,unit,line,value[,photo_sha256]`, grouped by protocol
/// in order of first appearance.
fn read_copies(path: &Path, photos: &Photos) -> Result<Vec<CopyRows>> {
    let name = path.display().to_string();
    let (mut rdr, headers) = csv_reader(path)?;
    let col = |h: &str| {
        column(&headers, h).ok_or_else(|| {
            anyhow!("{name}:1: field {h}: the header lacks the column {h} (needs contest,unit,line,value[,photo_sha256])")
        })
    };
    let (cc, cu, cl, cv) = (col("contest")?, col("unit")?, col("line")?, col("value")?);
    let cp = column(&headers, "photo_sha256");
    let mut copies: Vec<CopyRows> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    let mut problems: Vec<String> = Vec::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let line = r.position().map_or(0, |p| p.line());
        let get = |c: usize| r.get(c).unwrap_or("").trim().to_owned();
        let (contest, unit, l, v) = (get(cc), get(cu), get(cl), get(cv));
        if contest.is_empty() || unit.is_empty() || l.is_empty() {
            problems.push(format!("{name}:{line}: field contest/unit/line: empty"));
            continue;
        }
        let Ok(value) = v.parse::<u64>() else {
            problems
                .push(format!("{name}:{line}: field value: \"{v}\" is not a non-negative integer"));
            continue;
        };
        let k = *index.entry((contest.clone(), unit.clone())).or_insert_with(|| {
            copies.push(CopyRows {
                file: name.clone(),
                first_line: line,
                contest: contest.clone(),
                unit: unit.clone(),
                values: Vec::new(),
                lines: Vec::new(),
                photo: None,
            });
            copies.len() - 1
        });
        if let Some(at) = copies[k].values.iter().position(|(x, _)| *x == l) {
            problems.push(format!(
                "{name}:{line}: field line: {l} of ({contest}, {unit}) is already given at line {}",
                copies[k].lines[at]
            ));
            continue;
        }
        copies[k].values.push((l, value));
        copies[k].lines.push(line);
        if let Some(p) = cp.map(get).filter(|p| !p.is_empty()) {
            match &copies[k].photo {
                Some((q, at)) if *q != p => problems.push(format!(
                    "{name}:{line}: field photo_sha256: {p} differs from {q} given at line {at} for the same protocol"
                )),
                Some(_) => {}
                None => copies[k].photo = Some((p, line)),
            }
        }
        if problems.len() >= 200 {
            break;
        }
    }
    for ((contest, unit), (photo, file, line)) in photos {
        match index.get(&(contest.clone(), unit.clone())) {
            None => problems.push(format!(
                "{file}:{line}: field unit: there is no copy of ({contest}, {unit}) in {name}"
            )),
            Some(&k) => copies[k].photo = Some((photo.clone(), *line)),
        }
    }
    if !problems.is_empty() {
        bail!("the copies cannot be imported (nothing was stored):\n{}", problems.join("\n"));
    }
    Ok(copies)
}

/// photos.csv of a package folder: (contest, unit) → (photo, file, line).
fn read_photos(path: &Path) -> Result<Photos> {
    let name = path.display().to_string();
    let (mut rdr, headers) = csv_reader(path)?;
    let col = |h: &str| {
        column(&headers, h).ok_or_else(|| {
            anyhow!("{name}:1: field {h}: the header lacks the column {h} (needs contest,unit,photo_sha256)")
        })
    };
    let (cc, cu, cp) = (col("contest")?, col("unit")?, col("photo_sha256")?);
    let mut out = BTreeMap::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let line = r.position().map_or(0, |p| p.line());
        let get = |c: usize| r.get(c).unwrap_or("").trim().to_owned();
        if out.insert((get(cc), get(cu)), (get(cp), name.clone(), line)).is_some() {
            bail!("{name}:{line}: field unit: ({}, {}) is given twice", get(cc), get(cu));
        }
    }
    Ok(out)
}

fn where_of(e: &StoreError) -> &'static str {
    match e {
        StoreError::NotFound(m) if m.starts_with("contest") => "contest",
        StoreError::NotFound(_) => "unit",
        StoreError::Invalid(m) if m.starts_with("line") => "line",
        StoreError::Invalid(m) if m.starts_with("field photo_sha256") => "photo_sha256",
        StoreError::Invalid(m) if m.contains("outside the territory") => "unit",
        StoreError::Invalid(m) if m.contains("the time") || m.contains("time ") => "time",
        _ => "protocol",
    }
}

fn import(a: &ImportArgs) -> Result<ExitCode> {
    let (mut store, e) = a.target.open()?;
    let (csv_path, photos) = if a.input.is_dir() {
        let pkg = super::load_package(&a.input)?;
        if pkg.election.id().as_str() != e {
            bail!(
                "{}: the package is election {}, but the record's election is {e}",
                a.input.join("election.toml").display(),
                pkg.election.id()
            );
        }
        let photos_path = a.input.join("photos.csv");
        let photos =
            if photos_path.exists() { read_photos(&photos_path)? } else { BTreeMap::new() };
        (a.input.join("counts.csv"), photos)
    } else {
        (a.input.clone(), BTreeMap::new())
    };
    let copies = read_copies(&csv_path, &photos)?;
    if copies.is_empty() {
        bail!("{}: holds no copy", csv_path.display());
    }
    store.set_signer(load_key(a.key.as_deref(), false)?);
    let time = a.time.clone().unwrap_or_else(|| store.now().to_string());
    let author = a.author.clone().unwrap_or_else(|| a.observer.clone());
    let inputs: Vec<ObservationInput> = copies
        .iter()
        .map(|c| ObservationInput {
            contest: c.contest.clone(),
            unit: c.unit.clone(),
            observer: a.observer.clone(),
            values: c.values.clone(),
            photo_sha256: c.photo.as_ref().map(|p| p.0.clone()),
            author: author.clone(),
            time: time.clone(),
            reason: a.reason.clone(),
            idempotency: None,
        })
        .collect();
    let stored = store
        .observe_all(&e, &inputs)
        .with_context(|| format!("cannot store the copies of {}", a.input.display()))?;
    let observed = match stored {
        Ok(o) => o,
        Err(refused) => {
            let mut lines: Vec<String> = Vec::new();
            for (i, err) in refused.iter().take(200) {
                let c = &copies[*i];
                let field = where_of(err);
                // Point at the row of the line named, when the message names one.
                let line = c
                    .values
                    .iter()
                    .zip(&c.lines)
                    .find(|((l, _), _)| err.to_string().contains(&format!("\"{l}\"")))
                    .map_or(c.first_line, |(_, n)| *n);
                let line = match (field, &c.photo) {
                    ("photo_sha256", Some((_, n))) => *n,
                    _ => line,
                };
                let msg = err.to_string();
                lines.push(if msg.starts_with("field ") {
                    format!("{}:{line}: {msg}", c.file)
                } else {
                    format!("{}:{line}: field {field}: {msg}", c.file)
                });
            }
            if refused.len() > 200 {
                lines.push(format!("… and {} more", refused.len() - 200));
            }
            bail!("the copies cannot be imported (nothing was stored):\n{}", lines.join("\n"));
        }
    };
    let log_size = observed.iter().map(|o| o.receipt.tree_size).max().unwrap_or(0);
    let with_findings = observed.iter().filter(|o| !o.findings.is_empty()).count();
    let superseding = observed.iter().filter(|o| o.version > 1).count();
    let mut text = format!(
        "stored {} copies of observer {} in election {e} ({} superseding earlier copies; log size {log_size}, {})\n",
        observed.len(),
        a.observer,
        superseding,
        if observed.iter().any(|o| o.receipt.checkpoint.is_some()) {
            "checkpoint signed"
        } else {
            "not signed: no --key"
        }
    );
    if with_findings > 0 {
        text.push_str(&format!(
            "{with_findings} copies fail protocol checks; their codes are kept with each copy (`ashyq observe list`)\n"
        ));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn turnout(a: &TurnoutArgs) -> Result<ExitCode> {
    let (mut store, e) = a.target.open()?;
    let name = a.input.display().to_string();
    let (mut rdr, headers) = csv_reader(&a.input)?;
    let col = |h: &str| {
        column(&headers, h).ok_or_else(|| {
            anyhow!("{name}:1: field {h}: the header lacks the column {h} (needs unit,hour,voters)")
        })
    };
    let (cu, ch, cv) = (col("unit")?, col("hour")?, col("voters")?);
    let time = a.time.clone().unwrap_or_else(|| store.now().to_string());
    let author = a.author.clone().unwrap_or_else(|| a.observer.clone());
    let mut items = Vec::new();
    let mut at_line = Vec::new();
    let mut problems = Vec::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let line = r.position().map_or(0, |p| p.line());
        let get = |c: usize| r.get(c).unwrap_or("").trim().to_owned();
        let Ok(voters) = get(cv).parse::<u64>() else {
            problems.push(format!(
                "{name}:{line}: field voters: \"{}\" is not a non-negative integer",
                get(cv)
            ));
            continue;
        };
        items.push(ObservedTurnoutInput {
            unit: get(cu),
            hour: get(ch),
            voters,
            observer: a.observer.clone(),
            author: author.clone(),
            time: time.clone(),
        });
        at_line.push(line);
    }
    if !problems.is_empty() {
        bail!("the counts cannot be imported (nothing was stored):\n{}", problems.join("\n"));
    }
    store.set_signer(load_key(a.key.as_deref(), false)?);
    match store.observe_turnout_all(&e, &items).context("cannot store the counts")? {
        Ok(receipts) => {
            print(&format!(
                "stored {} turnout counts of observer {} in election {e} (log size {})\n",
                receipts.len(),
                a.observer,
                receipts.last().map_or(0, |r| r.tree_size)
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(refused) => {
            let lines: Vec<String> = refused
                .iter()
                .take(200)
                .map(|(i, err)| {
                    let msg = err.to_string();
                    let field = match err {
                        _ if msg.starts_with("field ") => "",
                        StoreError::NotFound(_) => "field unit: ",
                        StoreError::Invalid(m) if m.contains("observer") => "field observer: ",
                        StoreError::Invalid(m) if m.contains("author") => "field author: ",
                        StoreError::Invalid(m) if m.contains("time") => "field time: ",
                        StoreError::Invalid(_) => "field unit: ",
                        _ => "field hour: ",
                    };
                    format!("{name}:{}: {field}{msg}", at_line[*i])
                })
                .collect();
            bail!("the counts cannot be imported (nothing was stored):\n{}", lines.join("\n"))
        }
    }
}

fn list(a: &ListArgs) -> Result<ExitCode> {
    let (mut store, e) = a.target.open()?;
    if a.turnout {
        let mut rows = store.observed_turnout(&e, a.observer.as_deref())?;
        if let Some(u) = &a.unit {
            rows.retain(|r| &r.unit == u);
        }
        let text = match a.format {
            Format::Json => {
                let v: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        json!({"unit": r.unit, "hour": r.hour, "voters": r.voters, "observer": r.observer,
                               "author": r.author, "time": r.time, "log_index": r.log_index})
                    })
                    .collect();
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&json!({"election": e, "turnout": v}))?
                )
            }
            Format::Text => {
                let mut s = String::from("unit,hour,voters,observer,author,time\n");
                for r in &rows {
                    s.push_str(&format!(
                        "{},{},{},{},{},{}\n",
                        r.unit, r.hour, r.voters, r.observer, r.author, r.time
                    ));
                }
                s
            }
        };
        print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = store.observations(&e, a.contest.as_deref(), a.unit.as_deref())?;
    if let Some(o) = &a.observer {
        rows.retain(|r| &r.observer == o);
    }
    let text = match a.format {
        Format::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    let mut lines = serde_json::Map::new();
                    for (l, x) in &r.values {
                        lines.insert(l.clone(), json!(x));
                    }
                    json!({
                        "contest": r.contest, "unit": r.unit, "observer": r.observer, "version": r.version,
                        "author": r.author, "time": r.time, "reason": r.reason, "photo_sha256": r.photo_sha256,
                        "findings": r.findings, "lines": lines, "log_index": r.log_index,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json!({"election": e, "observations": v}))?
            )
        }
        Format::Text => {
            let mut s = format!("election {e}: {} copies\n", rows.len());
            for r in &rows {
                let lines: Vec<String> = r.values.iter().map(|(l, v)| format!("{l}={v}")).collect();
                s.push_str(&format!(
                    "{} {} by {} v{} ({}, {}{}{}{}): {}\n",
                    r.contest,
                    r.unit,
                    r.observer,
                    r.version,
                    r.author,
                    r.time,
                    if r.reason.is_empty() { String::new() } else { format!(", {}", r.reason) },
                    r.photo_sha256
                        .as_ref()
                        .map_or(String::new(), |p| format!(", photo {}", &p[..12.min(p.len())])),
                    if r.findings.is_empty() {
                        String::new()
                    } else {
                        format!(", fails {}", r.findings.join(" "))
                    },
                    lines.join(" ")
                ));
            }
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
