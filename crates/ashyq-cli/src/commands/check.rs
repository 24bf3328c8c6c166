//! `ashyq check`.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use ashyq_core::checks::{check_protocol, Finding, PlausibilityLimits, ProtocolContext};
use ashyq_core::line::Line;
use ashyq_core::units::UnitIdx;
use ashyq_package::{read_package, Package, COUNTS_FILE};
use serde_json::json;

use super::{print, Format};

/// Arguments of `ashyq check`.
#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// The election package folder.
    pub(crate) package: PathBuf,
    /// Output format: `text` prints one `file:line: message [severity code]` per problem; `json` prints
    /// {"package","ok","problems":[{"file","line","field","code","severity","message"}]}.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Plausibility warning W1 (a heuristic, not law): turnout (ballots issued / registered)
    /// above this percentage at a polling station.
    #[arg(long, value_name = "PERCENT", default_value_t = PlausibilityLimits::default().max_turnout_percent)]
    pub(crate) max_turnout: u64,
    /// Plausibility warning W2 (a heuristic, not law): invalid ballots above this percentage of
    /// ballots issued at a polling station.
    #[arg(long, value_name = "PERCENT", default_value_t = PlausibilityLimits::default().max_invalid_percent)]
    pub(crate) max_invalid: u64,
    /// Plausibility warning W3 (a heuristic, not law): mobile-box voters above this percentage
    /// of ballots issued at a polling station.
    #[arg(long, value_name = "PERCENT", default_value_t = PlausibilityLimits::default().max_mobile_percent)]
    pub(crate) max_mobile: u64,
}

/// One problem as `ashyq check` reports it.
pub(crate) struct Problem {
    file: String,
    line: Option<u64>,
    field: Option<String>,
    code: String,
    severity: &'static str,
    message: String,
}

impl Problem {
    /// `file:line: message [severity code]`.
    pub(crate) fn text_line(&self) -> String {
        let loc = match self.line {
            Some(l) => format!("{}:{}", self.file, l),
            None => self.file.clone(),
        };
        format!("{loc}: {} [{} {}]", self.message, self.severity, self.code)
    }
}

/// A protocol finding located in `counts.csv`.
pub(crate) fn finding_problem(package: &Package, ci: usize, unit: UnitIdx, f: &Finding) -> Problem {
    let contest = &package.election.contests()[ci];
    let line = f
        .lines
        .first()
        .and_then(|&l| package.location(ci, unit, l))
        .or_else(|| package.first_location(ci, unit));
    let field = f.lines.first().map(|&l| match l {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => contest.options()[i].id.to_string(),
    });
    Problem {
        file: COUNTS_FILE.into(),
        line,
        field,
        code: f.code.to_string(),
        severity: f.severity.name(),
        message: format!(
            "contest \"{}\", unit \"{}\": {}",
            contest.id(),
            package.tree.unit(unit).id,
            f.message
        ),
    }
}

/// The problems as `ashyq check` prints them in text, with the closing count line.
pub(crate) fn problems_text(package: &Path, problems: &[Problem], summary: &str) -> String {
    let n_errors = problems.iter().filter(|p| p.severity == "error").count();
    let n_warnings = problems.len() - n_errors;
    let mut s = String::new();
    for p in problems {
        let _ = writeln!(s, "{}", p.text_line());
    }
    s.push_str(summary);
    let _ = writeln!(s, "{}: {} error(s), {} warning(s)", package.display(), n_errors, n_warnings);
    s
}

/// The problems as `ashyq check --format json` prints them.
pub(crate) fn problems_json(package: &Path, problems: &[Problem]) -> Result<String> {
    let n_errors = problems.iter().filter(|p| p.severity == "error").count();
    let list: Vec<_> = problems
        .iter()
        .map(|p| json!({"file": p.file, "line": p.line, "field": p.field, "code": p.code, "severity": p.severity, "message": p.message}))
        .collect();
    let mut s = serde_json::to_string_pretty(&json!({
        "package": package.display().to_string(),
        "ok": problems.is_empty(),
        "errors": n_errors,
        "warnings": problems.len() - n_errors,
        "problems": list,
    }))?;
    s.push('\n');
    Ok(s)
}

pub(crate) fn run(args: &CheckArgs) -> Result<ExitCode> {
    let mut problems = Vec::new();
    let mut summary = String::new();
    match read_package(&args.package) {
        Err(diags) => {
            for d in diags.items() {
                problems.push(Problem {
                    file: d.file.clone(),
                    line: d.line,
                    field: d.field.clone(),
                    code: "P1".into(),
                    severity: "error",
                    message: d.message.clone(),
                });
            }
            if diags.dropped() > 0 {
                let _ = writeln!(summary, "… and {} more problems", diags.dropped());
            }
        }
        Ok(package) => {
            let limits = PlausibilityLimits {
                max_turnout_percent: args.max_turnout,
                max_invalid_percent: args.max_invalid,
                max_mobile_percent: args.max_mobile,
            };
            check_counts(&package, &limits, &mut problems)
        }
    }
    let text = match args.format {
        Format::Text => problems_text(&args.package, &problems, &summary),
        Format::Json => problems_json(&args.package, &problems)?,
    };
    print(&text)?;
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Runs the one check function on every protocol of the package, each with its context
/// (station or summary protocol).
fn check_counts(package: &Package, limits: &PlausibilityLimits, problems: &mut Vec<Problem>) {
    let tree = &package.tree;
    for (ci, (contest, counts)) in
        package.election.contests().iter().zip(&package.counts).enumerate()
    {
        let roll_up = match counts.roll_up(tree, contest.territory()) {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem {
                    file: COUNTS_FILE.into(),
                    line: None,
                    field: None,
                    code: "P2".into(),
                    severity: "error",
                    message: format!("contest \"{}\": {e}", contest.id()),
                });
                continue;
            }
        };
        for (unit, row) in counts.rows() {
            let ctx = ProtocolContext::for_unit(tree, &roll_up, unit, *limits);
            for f in check_protocol(contest, row, &ctx) {
                problems.push(finding_problem(package, ci, unit, &f));
            }
        }
    }
}
