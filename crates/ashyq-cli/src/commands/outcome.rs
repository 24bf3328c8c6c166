//! `ashyq outcome`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ashyq_core::rules::{outcome, OutcomeError, OutcomeOptions, RuleSetId};

use super::check::{finding_problem, problems_json, problems_text, Problem};
use super::{load_package, print, Format};

/// Arguments of `ashyq outcome`.
///
/// Exit codes: 0 an outcome was computed (it may say "undetermined by law"); 1 a protocol
/// fails an error-severity check, so no outcome is declared (the failed checks are printed as
/// `ashyq check` prints them); 2 the package cannot be read.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Exit codes: 0 outcome computed; 1 protocols fail error checks (no outcome without \
--ignore-checks); 2 unreadable or malformed package or record.",
    group(clap::ArgGroup::new("source").required(true).args(["package", "db"]))
)]
pub(crate) struct OutcomeArgs {
    /// The election package folder (election.toml, units.csv, counts.csv).
    pub(crate) package: Option<PathBuf>,
    /// Read the outcome from the record in a database instead (sqlite:PATH or postgres://…):
    /// the latest accepted version of every protocol, without certifying anything (the same JSON
    /// as the server's `/outcome`).
    #[arg(long, value_name = "URL", conflicts_with = "package")]
    pub(crate) db: Option<String>,
    /// With --db: the election, when the record holds several.
    #[arg(long, value_name = "ID", requires = "db", conflicts_with = "package")]
    pub(crate) election: Option<String>,
    /// Output format: `text` explains every step (threshold table, quota, remainders, per-unit
    /// referendum table, run-off reason, the rule with its legal source and confidence mark);
    /// `json` prints one object {"election","rules","hypothetical","what_if","warnings",
    /// "failed_checks","contests":[…]}.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// "What if": apply another rule set instead of the package's own (kz-2007, kz-2009,
    /// kz-2022, kz-2026, none), e.g. the 2023 votes under the 2009–2022 rules. The outcome is
    /// labelled hypothetical and says what the other rule set changes and what stays as the
    /// package says (seats, votes).
    #[arg(long, value_name = "RULESET", value_parser = parse_rules)]
    pub(crate) rules: Option<RuleSetId>,
    /// Compute the outcome even when protocols fail error-severity checks (arithmetic the law
    /// itself rejects). The outcome then lists the failed checks at the top and is labelled
    /// hypothetical. Without it, such a package gets no outcome (exit 1).
    #[arg(long)]
    pub(crate) ignore_checks: bool,
}

pub(crate) fn parse_rules(s: &str) -> Result<RuleSetId, String> {
    RuleSetId::from_name(s).ok_or_else(|| {
        format!(
            "unknown rule set {}; known rule sets: {}",
            ashyq_core::quote::quote(s),
            RuleSetId::ALL.map(|r| r.name()).join(", ")
        )
    })
}

pub(crate) fn run(args: &OutcomeArgs) -> Result<ExitCode> {
    let options = OutcomeOptions { rules: args.rules, ignore_failed_checks: args.ignore_checks };
    let (from_package, from_record);
    let (election, tree, counts, package) = match (&args.package, &args.db) {
        (Some(dir), _) => {
            from_package = load_package(dir)?;
            let p = &from_package;
            (&p.election, &p.tree, &p.counts[..], Some((dir, p)))
        }
        (None, Some(url)) => {
            let mut store = super::record::open_store(url, ashyq_store::OpenMode::Existing)?;
            let id = store.election_id(args.election.as_deref())?;
            from_record = store.totals(&id)?;
            let (e, t, c) = &from_record;
            (e, t, &c[..], None)
        }
        (None, None) => bail!("give a package folder or --db URL"),
    };
    let result = match outcome(election, tree, counts, &options) {
        Ok(r) => r,
        Err(OutcomeError::FailedChecks(failed)) => {
            let summary = format!(
                "no outcome: {} protocol check(s) fail with severity error, and the law's own arithmetic rejects these counts; fix the protocols, or rerun with --ignore-checks to see what they would give\n",
                failed.len()
            );
            match &package {
                Some((dir, package)) => {
                    let problems: Vec<Problem> = failed
                        .iter()
                        .map(|f| finding_problem(package, f.contest, f.unit, &f.finding))
                        .collect();
                    match args.format {
                        Format::Text => print(&problems_text(dir, &problems, &summary))?,
                        Format::Json => {
                            eprint!("{summary}");
                            print(&problems_json(dir, &problems)?)?
                        }
                    }
                }
                None => {
                    let lines: Vec<String> = failed
                        .iter()
                        .map(|f| ashyq_report::failed_check_line(election, tree, f))
                        .collect();
                    match args.format {
                        Format::Text => print(&format!(
                            "{}{summary}",
                            lines.iter().map(|l| format!("{l}\n")).collect::<String>()
                        ))?,
                        Format::Json => {
                            eprint!("{summary}");
                            let v = serde_json::json!({"failed_checks": lines});
                            print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?
                        }
                    }
                }
            }
            return Ok(ExitCode::from(1));
        }
        Err(e @ OutcomeError::Count(_)) => {
            let source = match (&args.package, &args.db) {
                (Some(dir), _) => dir.display().to_string(),
                (None, db) => db.clone().unwrap_or_default(),
            };
            return Err(e).with_context(|| format!("cannot total the counts of {source}"));
        }
    };
    let text = match args.format {
        Format::Text => ashyq_report::outcome_text(election, tree, &result),
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(&ashyq_report::outcome_json(election, tree, &result))?;
            s.push('\n');
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
