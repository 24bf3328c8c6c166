//! `ashyq compare`: two packages station by station (official protocols vs observer copies, or
//! any independent record), or with `--turnout` observers' intraday turnout counts vs the
//! official snapshots. The maths is `ashyq_audit::compare` / `ashyq_audit::turnout`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_audit::compare::{compare, Comparison, Record, UnitRollup};
use ashyq_audit::turnout::{compare_turnout, Snapshot, Tolerance};
use ashyq_core::election::{parse_percent, Election};
use ashyq_core::units::UnitTree;
use ashyq_report::compare::{comparison_json, DisputedCopies, RecordContext};
use ashyq_store::OpenMode;
use serde_json::json;

use super::record::open_store;
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
/// `ashyq compare --db URL [--election E] [--contest C] [--observer ID]` compares the official
/// protocols in the record with the observers' copies in the record (`ashyq observe import`, or
/// the API's observer role): each observer's latest copy, or with --observer one observer's;
/// where several observers' copies of a protocol disagree, the protocol is left out and listed
/// (observers_disagree). By default every contest the copies cover. The same JSON keys as for
/// two packages, plus the mismatches by commission and region (by_unit in each contest).
/// `ashyq compare --db URL --turnout` compares the observers' turnout counts in the record with
/// the commission's snapshots.
///
/// Exit 0 when everything matches, 1 when a station differs, is missing or is flagged.
#[derive(clap::Args, Debug)]
pub(crate) struct CompareArgs {
    /// The official record: a package folder (or with --turnout, a CSV unit,hour,voters).
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    pub(crate) official: Option<PathBuf>,
    /// The observed record: observers' copies as a package (or with --turnout, their counts).
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    pub(crate) observed: Option<PathBuf>,
    /// Compare within the record (sqlite:PATH or postgres://…): the official protocols vs the
    /// observers' copies stored in it.
    #[arg(long, value_name = "URL")]
    pub(crate) db: Option<String>,
    /// Record mode: the election (needed only when the record holds several).
    #[arg(long, value_name = "ID", requires = "db")]
    pub(crate) election: Option<String>,
    /// Record mode: only this contest (default: every contest the copies cover).
    #[arg(long, requires = "db")]
    pub(crate) contest: Option<String>,
    /// Record mode: only this observer's copies (or turnout counts).
    #[arg(long, value_name = "ID", requires = "db")]
    pub(crate) observer: Option<String>,
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

/// Where the extra keys of the record mode come from.
struct RecordExtra<'a> {
    election: &'a str,
    tree_size: u64,
    observers: &'a [String],
    disputed: &'a [ashyq_store::Disputed],
    by_unit: &'a [Vec<UnitRollup>],
}

pub(crate) fn run(args: &CompareArgs) -> Result<ExitCode> {
    if args.db.is_some() {
        return if args.turnout { run_record_turnout(args) } else { run_record(args) };
    }
    if args.turnout {
        return run_turnout(args);
    }
    let (official_path, observed_path) = paths(args)?;
    let official = load_package(official_path)?;
    let observed = load_package(observed_path)?;
    let c = compare(
        Record { election: &official.election, tree: &official.tree, counts: &official.counts },
        Record { election: &observed.election, tree: &observed.tree, counts: &observed.counts },
    )
    .with_context(|| {
        format!("cannot compare {} with {}", official_path.display(), observed_path.display())
    })?;
    let text = render(
        args.format,
        (&official_path.display().to_string(), &observed_path.display().to_string()),
        &c,
        (&official.election, &official.tree),
        (&observed.election, &observed.tree),
        None,
    )?;
    print(&text)?;
    Ok(exit_code(&c))
}

fn paths(args: &CompareArgs) -> Result<(&Path, &Path)> {
    match (&args.official, &args.observed) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => bail!("give two packages (OFFICIAL OBSERVED) or the record (--db URL)"),
    }
}

fn exit_code(c: &Comparison) -> ExitCode {
    let bad = c
        .contests
        .iter()
        .any(|x| x.stations_differing > 0 || x.stations_missing > 0 || x.stations_extra > 0);
    if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_record(args: &CompareArgs) -> Result<ExitCode> {
    let url = args.db.as_deref().unwrap_or_default();
    let mut store = open_store(url, OpenMode::Existing)?;
    let e = store.election_id(args.election.as_deref())?;
    let r = store.compare(&e, args.contest.as_deref(), args.observer.as_deref())?;
    let observed_label = match &args.observer {
        Some(o) => format!("observer {o}'s copies in the record"),
        None => format!("the observers' copies in the record ({})", r.observers.join(", ")),
    };
    let text = render(
        args.format,
        (&format!("record {url}, election {e}"), &observed_label),
        &r.comparison,
        (&r.election, &r.tree),
        (&r.election, &r.tree),
        Some(RecordExtra {
            election: &e,
            tree_size: r.log_size,
            observers: &r.observers,
            disputed: &r.disputed,
            by_unit: &r.by_unit,
        }),
    )?;
    print(&text)?;
    let code = exit_code(&r.comparison);
    Ok(if r.disputed.is_empty() { code } else { ExitCode::from(1) })
}

fn run_record_turnout(args: &CompareArgs) -> Result<ExitCode> {
    let url = args.db.as_deref().unwrap_or_default();
    let mut store = open_store(url, OpenMode::Existing)?;
    let e = store.election_id(args.election.as_deref())?;
    let official = store.station_turnout(&e)?;
    let observed: Vec<Snapshot> = store
        .observed_turnout(&e, args.observer.as_deref())?
        .into_iter()
        .map(|t| Snapshot { unit: t.unit, hour: t.hour, voters: t.voters })
        .collect();
    if observed.is_empty() {
        bail!(
            "the record holds no observer turnout count{} (`ashyq observe turnout` imports them)",
            args.observer.as_ref().map_or(String::new(), |o| format!(" of observer {o}"))
        );
    }
    turnout_report(args, &official, &observed)
}

/// The comparison as text or JSON (the JSON keys of issue 9; record mode adds its own).
fn render(
    format: Format,
    (official_label, observed_label): (&str, &str),
    c: &Comparison,
    (official_election, official_tree): (&Election, &UnitTree),
    (observed_election, observed_tree): (&Election, &UnitTree),
    extra: Option<RecordExtra<'_>>,
) -> Result<String> {
    let compared: usize = c.contests.iter().map(|x| x.stations_compared).sum();
    let missing: usize = c.contests.iter().map(|x| x.stations_missing).sum();
    let extra_stations: usize = c.contests.iter().map(|x| x.stations_extra).sum();
    let differing: usize = c.contests.iter().map(|x| x.stations_differing).sum();
    let abs: u64 = c.contests.iter().map(|x| x.abs_diff).fold(0, u64::saturating_add);
    Ok(match format {
        Format::Json => {
            let disputed: Vec<DisputedCopies<'_>> = extra.as_ref().map_or(Vec::new(), |x| {
                x.disputed
                    .iter()
                    .map(|d| DisputedCopies {
                        contest: &d.contest,
                        unit: &d.unit,
                        copies: &d.copies,
                    })
                    .collect()
            });
            let record = extra.as_ref().map(|x| RecordContext {
                election: x.election,
                tree_size: x.tree_size,
                observers: x.observers,
                disputed,
                by_unit: x.by_unit,
            });
            let v = comparison_json(
                (official_label, observed_label),
                c,
                (official_election, official_tree),
                (observed_election, observed_tree),
                record.as_ref(),
            );
            let mut s = serde_json::to_string_pretty(&v)?;
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = format!(
                "official {official_label} vs observed {observed_label}\nstations compared {compared}, missing {missing}, extra {extra_stations}, differing {differing}; abs_diff {abs}\n",
            );
            if let Some(x) = &extra {
                for d in x.disputed {
                    let copies: Vec<String> = d
                        .copies
                        .iter()
                        .map(|(o, lines)| {
                            let l: Vec<String> =
                                lines.iter().map(|(k, n)| format!("{k} {n}")).collect();
                            format!("{o}: {}", l.join(", "))
                        })
                        .collect();
                    s.push_str(&format!(
                        "observers disagree on contest {} unit {} (left out): {}\n",
                        d.contest,
                        d.unit,
                        copies.join("; ")
                    ));
                }
            }
            for id in &c.contests_unmatched {
                s.push_str(&format!("contest {id}: not in the observed package\n"));
            }
            for (k, cc) in c.contests.iter().enumerate() {
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
                if let Some(x) = &extra {
                    for r in x.by_unit.get(k).map_or(&[][..], |b| b.as_slice()) {
                        if r.stations_differing > 0 || r.stations_missing > 0 {
                            s.push_str(&format!(
                                "  {} {}: {} of {} compared differ, {} missing, abs_diff {}\n",
                                r.kind,
                                r.unit,
                                r.stations_differing,
                                r.stations_compared,
                                r.stations_missing,
                                r.abs_diff
                            ));
                        }
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
    let (official_path, observed_path) = paths(args)?;
    let official = read_turnout(official_path)?;
    let observed = read_turnout(observed_path)?;
    turnout_report(args, &official, &observed)
}

fn turnout_report(
    args: &CompareArgs,
    official: &[Snapshot],
    observed: &[Snapshot],
) -> Result<ExitCode> {
    let percent = parse_percent(&args.tolerance).ok_or_else(|| {
        anyhow!("--tolerance: \"{}\" is not a percentage (e.g. 5 or 2.5)", args.tolerance)
    })?;
    let tol = Tolerance { percent, voters: args.tolerance_voters };
    let c = compare_turnout(official, observed, tol);
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
