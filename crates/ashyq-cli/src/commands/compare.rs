//! `ashyq compare`: two packages station by station (official protocols vs observer copies, or
//! any independent record), or with `--turnout` observers' intraday turnout counts vs the
//! official snapshots. The maths is `ashyq_audit::compare` / `ashyq_audit::turnout`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ashyq_audit::compare::{compare, Record};
use ashyq_audit::turnout::{compare_turnout, Snapshot, Tolerance};
use ashyq_core::election::parse_percent;
use serde_json::{json, Value};

use super::{load_package, print, Format};

/// Arguments of `ashyq compare`.
///
/// `ashyq compare OFFICIAL OBSERVED` compares two election packages station by station: every
/// protocol line known on both sides, the stations missing from the observed package, the
/// observed stations without an official protocol, abs_diff = Σ |official − observed| over the
/// stations in both and their option lines, and the legal outcome under the official counts,
/// under the observed ones, and if the observer copies are right (official counts with every
/// observed protocol in place of the official one).
///
/// `ashyq compare --turnout OFFICIAL.csv OBSERVED.csv` compares intraday turnout: CSV files with
/// the columns unit,hour,voters (as `ashyq protocol turnout` prints them; other columns are
/// ignored); a station and hour is flagged when the official figure exceeds the observed one
/// by more than the tolerance: official > observed × (1 + PCT/100) + VOTERS.
///
/// Exit 0 when everything matches, 1 when a station differs, is missing or is flagged.
#[derive(clap::Args, Debug)]
pub(crate) struct CompareArgs {
    /// The official record: a package folder (or with --turnout, a CSV unit,hour,voters).
    pub(crate) official: PathBuf,
    /// The observed record: observers' copies as a package (or with --turnout, their counts).
    pub(crate) observed: PathBuf,
    /// Output format: text for people, json with stations_compared, stations_missing,
    /// stations_differing, abs_diff, the per-station list and the outcome under each.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Compare intraday turnout CSVs instead of packages.
    #[arg(long)]
    pub(crate) turnout: bool,
    /// Turnout: relative tolerance in percent (decimal, e.g. 5 or 2.5).
    #[arg(long, value_name = "PCT", default_value = "0", requires = "turnout")]
    pub(crate) tolerance: String,
    /// Turnout: absolute tolerance in voters.
    #[arg(long, value_name = "VOTERS", default_value_t = 0, requires = "turnout")]
    pub(crate) tolerance_voters: u64,
}

pub(crate) fn run(args: &CompareArgs) -> Result<ExitCode> {
    if args.turnout {
        return run_turnout(args);
    }
    let official = load_package(&args.official)?;
    let observed = load_package(&args.observed)?;
    let c = compare(
        Record { election: &official.election, tree: &official.tree, counts: &official.counts },
        Record { election: &observed.election, tree: &observed.tree, counts: &observed.counts },
    )
    .with_context(|| {
        format!("cannot compare {} with {}", args.official.display(), args.observed.display())
    })?;
    let compared: usize = c.contests.iter().map(|x| x.stations_compared).sum();
    let missing: usize = c.contests.iter().map(|x| x.stations_missing).sum();
    let extra: usize = c.contests.iter().map(|x| x.stations_extra).sum();
    let differing: usize = c.contests.iter().map(|x| x.stations_differing).sum();
    let abs: u64 = c.contests.iter().map(|x| x.abs_diff).fold(0, u64::saturating_add);
    let text = match args.format {
        Format::Json => {
            let stations: Vec<Value> = c
                .contests
                .iter()
                .flat_map(|cc| {
                    cc.stations.iter().map(move |s| {
                        json!({
                            "contest": cc.contest,
                            "unit": s.unit,
                            "status": s.status.name(),
                            "abs_diff": s.abs_diff,
                            "lines": s.lines.iter().map(|l| json!({
                                "line": l.line,
                                "option": l.is_option,
                                "official": l.official,
                                "observed": l.observed,
                                "diff": l.observed as i128 - l.official as i128,
                            })).collect::<Vec<_>>(),
                        })
                    })
                })
                .collect();
            let contests: Vec<Value> = c
                .contests
                .iter()
                .map(|cc| {
                    json!({
                        "id": cc.contest,
                        "stations_compared": cc.stations_compared,
                        "stations_missing": cc.stations_missing,
                        "stations_extra": cc.stations_extra,
                        "stations_differing": cc.stations_differing,
                        "abs_diff": cc.abs_diff,
                        "options_unmatched": cc.options_unmatched,
                        "decision": {
                            "official": cc.decision_official,
                            "observed": cc.decision_observed,
                            "observer_copies_right": cc.decision_merged,
                        },
                        "outcome_changed": cc.outcome_changed(),
                    })
                })
                .collect();
            let [o, x, m] = &c.outcomes;
            let v = json!({
                "official": args.official.display().to_string(),
                "observed": args.observed.display().to_string(),
                "stations_compared": compared,
                "stations_missing": missing,
                "stations_extra": extra,
                "stations_differing": differing,
                "abs_diff": abs,
                "contests_unmatched": c.contests_unmatched,
                "contests": contests,
                "stations": stations,
                "outcomes": {
                    "official": ashyq_report::outcome_json(&official.election, &official.tree, o),
                    "observed": ashyq_report::outcome_json(&observed.election, &observed.tree, x),
                    "observer_copies_right": ashyq_report::outcome_json(&official.election, &official.tree, m),
                },
            });
            let mut s = serde_json::to_string_pretty(&v)?;
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = format!(
                "official {} vs observed {}\nstations compared {compared}, missing {missing}, extra {extra}, differing {differing}; abs_diff {abs}\n",
                args.official.display(),
                args.observed.display()
            );
            for id in &c.contests_unmatched {
                s.push_str(&format!("contest {id}: not in the observed package\n"));
            }
            for cc in &c.contests {
                s.push_str(&format!(
                    "\ncontest {}: compared {}, missing {}, extra {}, differing {}, abs_diff {}\n",
                    cc.contest,
                    cc.stations_compared,
                    cc.stations_missing,
                    cc.stations_extra,
                    cc.stations_differing,
                    cc.abs_diff
                ));
                if !cc.options_unmatched.is_empty() {
                    s.push_str(&format!(
                        "  options not in the observed package: {}\n",
                        cc.options_unmatched.join(", ")
                    ));
                }
                for st in cc.stations.iter().filter(|x| !x.lines.is_empty()) {
                    let lines: Vec<String> = st
                        .lines
                        .iter()
                        .map(|l| format!("{} {} → {}", l.line, l.official, l.observed))
                        .collect();
                    s.push_str(&format!(
                        "  {} differs (abs {}): {}\n",
                        st.unit,
                        st.abs_diff,
                        lines.join(", ")
                    ));
                }
                for (label, status) in
                    [("missing from the observed package", "missing"), ("observed only", "extra")]
                {
                    let ids: Vec<&str> = cc
                        .stations
                        .iter()
                        .filter(|x| x.status.name() == status)
                        .map(|x| x.unit.as_str())
                        .collect();
                    if !ids.is_empty() {
                        s.push_str(&format!("  {label} ({}): {}\n", ids.len(), ids.join(" ")));
                    }
                }
                s.push_str(&format!(
                    "  outcome, official:                  {}\n",
                    cc.decision_official
                ));
                s.push_str(&format!(
                    "  outcome, observed:                  {}\n",
                    cc.decision_observed
                ));
                s.push_str(&format!(
                    "  outcome if the observer copies are right: {}{}\n",
                    cc.decision_merged,
                    if cc.outcome_changed() { "  [CHANGED]" } else { "" }
                ));
            }
            s
        }
    };
    print(&text)?;
    Ok(if differing > 0 || missing > 0 || extra > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a turnout CSV (unit,hour,voters; other columns ignored).
fn read_turnout(path: &Path) -> Result<Vec<Snapshot>> {
    let name = path.display().to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .with_context(|| format!("cannot read {name}"))?;
    let headers =
        rdr.headers().with_context(|| format!("{name}:1: cannot read the header"))?.clone();
    let col = |h: &str| {
        headers.iter().position(|x| x.trim_start_matches('\u{feff}') == h).ok_or_else(|| {
            anyhow::anyhow!(
                "{name}:1: field {h}: the header lacks the column {h} (needs unit,hour,voters)"
            )
        })
    };
    let (cu, ch, cv) = (col("unit")?, col("hour")?, col("voters")?);
    let mut out = Vec::new();
    for r in rdr.records() {
        let r = r.with_context(|| format!("{name}: malformed CSV"))?;
        let line = r.position().map_or(0, |p| p.line());
        let get = |c: usize| r.get(c).unwrap_or("").trim();
        let voters: u64 = get(cv).parse().map_err(|_| {
            anyhow::anyhow!(
                "{name}:{line}: field voters: \"{}\" is not a non-negative integer",
                get(cv)
            )
        })?;
        if get(cu).is_empty() || get(ch).is_empty() {
            bail!("{name}:{line}: field unit/hour: empty");
        }
        out.push(Snapshot { unit: get(cu).to_owned(), hour: get(ch).to_owned(), voters });
    }
    Ok(out)
}

fn run_turnout(args: &CompareArgs) -> Result<ExitCode> {
    let percent = parse_percent(&args.tolerance).ok_or_else(|| {
        anyhow::anyhow!("--tolerance: \"{}\" is not a percentage (e.g. 5 or 2.5)", args.tolerance)
    })?;
    let tol = Tolerance { percent, voters: args.tolerance_voters };
    let official = read_turnout(&args.official)?;
    let observed = read_turnout(&args.observed)?;
    let c = compare_turnout(&official, &observed, tol);
    let text = match args.format {
        Format::Json => {
            let v = json!({
                "tolerance_percent": args.tolerance,
                "tolerance_voters": args.tolerance_voters,
                "compared": c.compared,
                "without_official": c.without_official.iter().map(|(u, h)| json!({"unit": u, "hour": h})).collect::<Vec<_>>(),
                "flagged": c.flagged.iter().map(|f| json!({
                    "unit": f.unit, "hour": f.hour, "official": f.official, "observed": f.observed,
                    "excess": f.excess, "reports": f.reports,
                })).collect::<Vec<_>>(),
            });
            let mut s = serde_json::to_string_pretty(&v)?;
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = format!(
                "turnout: {} station-hours compared, {} observed without an official figure; flagged beyond {}% + {} voters: {}\n",
                c.compared,
                c.without_official.len(),
                args.tolerance,
                args.tolerance_voters,
                c.flagged.len()
            );
            for f in &c.flagged {
                s.push_str(&format!(
                    "  {} {}: official {} > observed {} (+{}, {} observer report(s))\n",
                    f.unit, f.hour, f.official, f.observed, f.excess, f.reports
                ));
            }
            s
        }
    };
    print(&text)?;
    Ok(if c.flagged.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
