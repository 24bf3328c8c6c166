//! `ashyq pvt`: parallel vote tabulation — a stratified sample of stations from a public seed
//! (`design`) and ratio estimates with margins of error from the sampled protocols, with a test
//! of the official result (`estimate`). The maths is `ashyq_audit::pvt`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_audit::normal;
use ashyq_audit::pvt::{design, ratio_estimate, FrameStation, RatioEstimate, StratumSample};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitTree;
use serde_json::json;

use super::{load_package, print, Format};

/// Arguments of `ashyq pvt`.
#[derive(clap::Args, Debug)]
pub(crate) struct PvtArgs {
    #[command(subcommand)]
    pub(crate) action: Action,
}

/// What `ashyq pvt` does.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// Draw a stratified random sample of polling stations from a public seed and print it as
    /// CSV (stratum,stations_in_stratum,sampled_in_stratum,station,ticket). Strata are the
    /// units of kind --by (default region), optionally split by --split FILE (unit,group, e.g.
    /// urban/rural); a station with no ancestor of that kind is in its top-level unit's stratum
    /// (a city of republican significance). Every stratum gets at least 2 stations, the rest in
    /// proportion to its stations. Stations are the leaves of the package's territorial tree.
    Design(DesignArgs),
    /// Estimate every option's share of the valid votes and the turnout from the sampled
    /// stations' protocols (observer copies), with margins of error (ratio estimator, cluster
    /// sampling, finite-population correction), and test the official result: its share, the z
    /// statistic and the two-sided p-value. Exit 1 when an official figure lies outside the
    /// interval.
    Estimate(EstimateArgs),
}

/// Arguments of `ashyq pvt design`.
#[derive(clap::Args, Debug)]
pub(crate) struct DesignArgs {
    /// A package folder whose units.csv lists the stations (only units.csv is read).
    pub(crate) package: PathBuf,
    /// The public seed (e.g. 20 digits from dice, announced before the draw).
    #[arg(long)]
    pub(crate) seed: String,
    /// Number of stations to sample.
    #[arg(long)]
    pub(crate) sample: u64,
    /// Unit kind that forms the strata.
    #[arg(long, value_name = "KIND", default_value = "region")]
    pub(crate) by: String,
    /// CSV unit,group splitting each stratum (e.g. urban/rural); every station must be listed.
    #[arg(long, value_name = "FILE")]
    pub(crate) split: Option<PathBuf>,
}

/// Arguments of `ashyq pvt estimate`.
#[derive(clap::Args, Debug)]
pub(crate) struct EstimateArgs {
    /// The design CSV printed by `ashyq pvt design`.
    #[arg(long)]
    pub(crate) design: PathBuf,
    /// The sampled stations' protocols (observer copies) as a package.
    pub(crate) sample: PathBuf,
    /// The official package, to test its result.
    #[arg(long)]
    pub(crate) official: Option<PathBuf>,
    /// The contest (default: the package's only contest).
    #[arg(long)]
    pub(crate) contest: Option<String>,
    /// Confidence level of the intervals, percent.
    #[arg(long, default_value_t = 95.0)]
    pub(crate) confidence: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

pub(crate) fn run(args: &PvtArgs) -> Result<ExitCode> {
    match &args.action {
        Action::Design(a) => run_design(a),
        Action::Estimate(a) => run_estimate(a),
    }
}

fn read_split(path: &Path) -> Result<HashMap<String, String>> {
    let name = path.display().to_string();
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("cannot read {name}"))?;
    let h = rdr.headers().with_context(|| format!("{name}:1: cannot read the header"))?.clone();
    let (cu, cg) = (
        h.iter()
            .position(|x| x == "unit")
            .ok_or_else(|| anyhow!("{name}:1: field unit: the header needs unit,group"))?,
        h.iter()
            .position(|x| x == "group")
            .ok_or_else(|| anyhow!("{name}:1: field group: the header needs unit,group"))?,
    );
    let mut out = HashMap::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let line = r.position().map_or(0, |p| p.line());
        let (u, g) = (r.get(cu).unwrap_or("").trim(), r.get(cg).unwrap_or("").trim());
        if u.is_empty() || g.is_empty() {
            bail!("{name}:{line}: field unit/group: empty");
        }
        if out.insert(u.to_owned(), g.to_owned()).is_some() {
            bail!("{name}:{line}: field unit: {u} appears twice");
        }
    }
    Ok(out)
}

/// The station's ancestor of kind `kind`; failing that, its top-level unit (the child of the
/// root on its path: a city of republican significance when strata are regions).
fn stratum_of(tree: &UnitTree, u: usize, kind: &str) -> String {
    let path = tree.path(u);
    let pick = path
        .iter()
        .copied()
        .find(|&a| tree.unit(a).kind == kind)
        .or_else(|| {
            path.iter()
                .copied()
                .find(|&a| tree.unit(a).parent.is_some_and(|p| tree.unit(p).parent.is_none()))
        })
        .unwrap_or(u);
    tree.unit(pick).id.as_str().to_owned()
}

/// The package's territorial tree from units.csv alone: a design is made before any count.
fn read_tree(dir: &Path) -> Result<UnitTree> {
    let path = dir.join("units.csv");
    let name = path.display().to_string();
    let mut rdr = csv::Reader::from_path(&path).with_context(|| format!("cannot read {name}"))?;
    let h = rdr.headers().with_context(|| format!("{name}:1: cannot read the header"))?.clone();
    let col = |c: &str| {
        h.iter()
            .position(|x| x.trim_start_matches('\u{feff}') == c)
            .ok_or_else(|| anyhow!("{name}:1: field {c}: the header needs id,parent,kind,name"))
    };
    let (ci, cp, ck, cn) = (col("id")?, col("parent")?, col("kind")?, col("name")?);
    let mut infos = Vec::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let get = |c: usize| r.get(c).unwrap_or("").to_owned();
        infos.push(ashyq_core::units::UnitInfo {
            id: get(ci),
            parent: get(cp),
            kind: get(ck),
            name: get(cn),
        });
    }
    UnitTree::new(infos).map_err(|errs| {
        let lines: Vec<String> = errs.iter().take(20).map(|e| format!("{name}: {e}")).collect();
        anyhow!("{}", lines.join("\n"))
    })
}

fn run_design(a: &DesignArgs) -> Result<ExitCode> {
    let tree = read_tree(&a.package)?;
    let split = a.split.as_deref().map(read_split).transpose()?;
    let mut frame = Vec::new();
    for u in 0..tree.len() {
        if !tree.children(u).is_empty() {
            continue;
        }
        let id = tree.unit(u).id.as_str().to_owned();
        let mut stratum = stratum_of(&tree, u, &a.by);
        if let Some(s) = &split {
            let g = s.get(&id).ok_or_else(|| anyhow!("station {id} is not in the --split file"))?;
            stratum = format!("{stratum}/{g}");
        }
        frame.push(FrameStation { id, stratum });
    }
    let d = design(&frame, a.sample, &a.seed)?;
    let mut s = format!(
        "# PVT design: seed \"{}\", {} stations in {} strata (by {}{}), sample {}\n# stations per stratum are those with the smallest Rivest SHA-256 ticket numbers under the seed\nstratum,stations_in_stratum,sampled_in_stratum,station,ticket\n",
        a.seed,
        frame.len(),
        d.strata.len(),
        a.by,
        if split.is_some() { " and --split" } else { "" },
        a.sample
    );
    let sizes: HashMap<&str, (u64, u64)> =
        d.strata.iter().map(|x| (x.name.as_str(), (x.stations, x.sampled))).collect();
    for x in &d.sample {
        let (n, k) = sizes[x.stratum.as_str()];
        s.push_str(&format!("{},{n},{k},{},{}\n", x.stratum, x.station, x.ticket));
    }
    print(&s)?;
    Ok(ExitCode::SUCCESS)
}

/// (stratum → (stations in stratum, sampled station ids)).
fn read_design(path: &Path) -> Result<BTreeMap<String, (u64, Vec<String>)>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
    let h = rdr.headers().with_context(|| format!("{name}: cannot read the header"))?.clone();
    let col = |c: &str| {
        h.iter()
            .position(|x| x == c)
            .ok_or_else(|| anyhow!("{name}: field {c}: not a design printed by `ashyq pvt design`"))
    };
    let (cs, cn, cst) = (col("stratum")?, col("stations_in_stratum")?, col("station")?);
    let mut out: BTreeMap<String, (u64, Vec<String>)> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let line = r.position().map_or(0, |p| p.line());
        let n: u64 = r
            .get(cn)
            .unwrap_or("")
            .parse()
            .map_err(|_| anyhow!("{name}:{line}: field stations_in_stratum: not a count"))?;
        let e = out.entry(r.get(cs).unwrap_or("").to_owned()).or_insert((n, Vec::new()));
        e.1.push(r.get(cst).unwrap_or("").to_owned());
    }
    if out.is_empty() {
        bail!("{name}: the design samples no station");
    }
    Ok(out)
}

fn run_estimate(a: &EstimateArgs) -> Result<ExitCode> {
    if !(a.confidence > 0.0 && a.confidence < 100.0) {
        bail!("--confidence must be between 0 and 100 (percent)");
    }
    let z =
        normal::critical_value(a.confidence / 100.0).ok_or_else(|| anyhow!("bad --confidence"))?;
    let design = read_design(&a.design)?;
    let p = load_package(&a.sample)?;
    let ci = match &a.contest {
        Some(id) => p
            .election
            .contest_index(id)
            .ok_or_else(|| anyhow!("the sample package has no contest \"{id}\""))?,
        None if p.election.contests().len() == 1 => 0,
        None => bail!("the sample package has several contests: choose one with --contest"),
    };
    let c = &p.election.contests()[ci];
    let n_options = c.options().len();
    let get = |row: &[Option<u64>], line: Line| row.get(line.column()).copied().flatten();
    // Quantities: each option over the valid votes; turnout = issued / registered.
    let mut names: Vec<String> = c.options().iter().map(|o| o.id.as_str().to_owned()).collect();
    names.push("turnout".to_owned());
    let mut missing = Vec::new();
    let mut per_q: Vec<Vec<StratumSample>> = vec![Vec::new(); names.len()];
    for (stratum, (n_h, stations)) in &design {
        let mut pairs: Vec<Vec<(u64, u64)>> = vec![Vec::new(); names.len()];
        for id in stations {
            let Some(row) = p.tree.index_of(id).and_then(|u| p.counts[ci].row(u)) else {
                missing.push(id.clone());
                continue;
            };
            let votes: Option<Vec<u64>> =
                (0..n_options).map(|j| get(row, Line::Option(j))).collect();
            if let Some(v) = votes {
                let valid: u64 = v.iter().sum();
                for (j, &x) in v.iter().enumerate() {
                    pairs[j].push((x, valid));
                }
            }
            if let (Some(i), Some(r)) = (
                get(row, Line::Protocol(ProtocolLine::BallotsIssued)),
                get(row, Line::Protocol(ProtocolLine::Registered)),
            ) {
                pairs[n_options].push((i, r));
            }
        }
        for (q, pr) in pairs.into_iter().enumerate() {
            per_q[q].push(StratumSample { name: stratum.clone(), stations: *n_h, pairs: pr });
        }
    }
    // Official shares.
    let official: Option<Vec<Option<f64>>> = match &a.official {
        None => None,
        Some(path) => {
            let o = load_package(path)?;
            let oci = o.election.contest_index(c.id().as_str()).ok_or_else(|| {
                anyhow!("the official package has no contest \"{}\"", c.id().as_str())
            })?;
            let oc = &o.election.contests()[oci];
            let roll = o.counts[oci].roll_up(&o.tree, oc.territory())?;
            let t = roll
                .at(oc.territory())
                .ok_or_else(|| anyhow!("the official package has no counts for the contest"))?;
            let votes: Vec<Option<u64>> = c
                .options()
                .iter()
                .map(|op| oc.option_index(op.id.as_str()).and_then(|k| t.option(k)))
                .collect();
            let valid: Option<u64> = votes.iter().copied().sum();
            let mut v: Vec<Option<f64>> = votes
                .iter()
                .map(|x| match (x, valid) {
                    (Some(x), Some(vd)) if vd > 0 => Some(*x as f64 / vd as f64),
                    _ => None,
                })
                .collect();
            v.push(match (t.line(ProtocolLine::BallotsIssued), t.line(ProtocolLine::Registered)) {
                (Some(i), Some(r)) if r > 0 => Some(i as f64 / r as f64),
                _ => None,
            });
            Some(v)
        }
    };
    let mut rows = Vec::new();
    let mut outside = 0;
    for (q, name) in names.iter().enumerate() {
        let est: Result<RatioEstimate, _> = ratio_estimate(&per_q[q], z, name);
        let off = official.as_ref().and_then(|o| o[q]);
        rows.push((name.clone(), est, off));
    }
    let sampled: usize = design.values().map(|d| d.1.len()).sum();
    let text = match a.format {
        Format::Text => {
            let mut s = format!(
                "PVT estimate for contest {}: {} of {} sampled stations reporting, {} strata, {}% intervals (z = {:.4})\n",
                c.id().as_str(), sampled - missing.len(), sampled, design.len(), fmt(a.confidence), z
            );
            if !missing.is_empty() {
                s.push_str(&format!("not reporting ({}): {}\n", missing.len(), missing.join(" ")));
            }
            s.push_str("quantity            estimate %   ± MoE %   interval %          official %   z        p\n");
            for (name, est, off) in &rows {
                match est {
                    Ok(e) => {
                        let (lo, hi) =
                            (e.estimate - e.margin_of_error, e.estimate + e.margin_of_error);
                        let (offs, zs, ps) = match off {
                            Some(o) => {
                                let (zv, pv) = e.test(*o);
                                if *o < lo || *o > hi {
                                    outside += 1;
                                }
                                (
                                    format!("{:.3}", o * 100.0),
                                    format!("{zv:.2}"),
                                    format!("{pv:.3e}"),
                                )
                            }
                            None => ("-".into(), "-".into(), "-".into()),
                        };
                        s.push_str(&format!(
                            "{name:<18}  {:>10.3}  {:>8.3}   [{:.3}, {:.3}]   {offs:>10}   {zs:<7}  {ps}{}\n",
                            e.estimate * 100.0,
                            e.margin_of_error * 100.0,
                            lo * 100.0,
                            hi * 100.0,
                            if off.is_some_and(|o| o < lo || o > hi) { "  OUTSIDE" } else { "" }
                        ));
                    }
                    Err(err) => s.push_str(&format!("{name:<18}  cannot be estimated: {err}\n")),
                }
            }
            s.push_str("method: combined ratio estimator over strata, stations as clusters, finite-population correction 1 - n_h/N_h (NDI PVT handbook; Apollo's estimator)\n");
            s
        }
        Format::Json => {
            let qs: Vec<_> = rows
                .iter()
                .map(|(name, est, off)| match est {
                    Ok(e) => {
                        let (zv, pv) = off.map(|o| e.test(o)).unzip();
                        let inside = off.map(|o| (o - e.estimate).abs() <= e.margin_of_error);
                        if inside == Some(false) {
                            outside += 1;
                        }
                        json!({"quantity": name, "estimate": e.estimate, "std_error": e.std_error,
                               "margin_of_error": e.margin_of_error, "stations": e.stations,
                               "official": off, "z": zv, "p_value": pv, "official_inside": inside})
                    }
                    Err(err) => json!({"quantity": name, "error": err.to_string()}),
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({
                "contest": c.id().as_str(), "confidence_percent": a.confidence, "z": z,
                "sampled": sampled, "not_reporting": missing, "quantities": qs,
            }))?;
            s.push('\n');
            s
        }
    };
    print(&text)?;
    Ok(if outside > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn fmt(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
