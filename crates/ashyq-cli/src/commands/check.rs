//! `ashyq check`.

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use ashyq_core::checks::{check_protocol, Finding, PlausibilityLimits, ProtocolContext, Severity};
use ashyq_core::line::Line;
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
    /// Plausibility warning W1: turnout (ballots issued / registered) above this percentage.
    #[arg(long, value_name = "PERCENT", default_value_t = PlausibilityLimits::default().max_turnout_percent)]
    pub(crate) max_turnout: u64,
    /// Plausibility warning W2: invalid ballots above this percentage of ballots issued.
    #[arg(long, value_name = "PERCENT", default_value_t = PlausibilityLimits::default().max_invalid_percent)]
    pub(crate) max_invalid: u64,
    /// Plausibility warning W3: mobile-box voters above this percentage of ballots issued.
    #[arg(long, value_name = "PERCENT", default_value_t = PlausibilityLimits::default().max_mobile_percent)]
    pub(crate) max_mobile: u64,
}

struct Problem {
    file: String,
    line: Option<u64>,
    field: Option<String>,
    code: String,
    severity: &'static str,
    message: String,
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
            check_counts(&package, &limits, &mut problems)?
        }
    }
    let n_errors = problems.iter().filter(|p| p.severity == "error").count();
    let n_warnings = problems.len() - n_errors;
    let text = match args.format {
        Format::Text => {
            let mut s = String::new();
            for p in &problems {
                let loc = match p.line {
                    Some(l) => format!("{}:{}", p.file, l),
                    None => p.file.clone(),
                };
                let _ = writeln!(s, "{loc}: {} [{} {}]", p.message, p.severity, p.code);
            }
            s.push_str(&summary);
            let _ = writeln!(
                s,
                "{}: {} error(s), {} warning(s)",
                args.package.display(),
                n_errors,
                n_warnings
            );
            s
        }
        Format::Json => {
            let list: Vec<_> = problems
                .iter()
                .map(|p| json!({"file": p.file, "line": p.line, "field": p.field, "code": p.code, "severity": p.severity, "message": p.message}))
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({
                "package": args.package.display().to_string(),
                "ok": problems.is_empty(),
                "errors": n_errors,
                "warnings": n_warnings,
                "problems": list,
            }))?;
            s.push('\n');
            s
        }
    };
    print(&text)?;
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn check_counts(
    package: &Package,
    limits: &PlausibilityLimits,
    problems: &mut Vec<Problem>,
) -> Result<()> {
    let tree = &package.tree;
    for (ci, (contest, counts)) in
        package.election.contests().iter().zip(&package.counts).enumerate()
    {
        let mut push = |unit: usize, f: Finding| {
            let line = f
                .lines
                .first()
                .and_then(|&l| package.location(ci, unit, l))
                .or_else(|| package.first_location(ci, unit));
            let field = f.lines.first().map(|&l| match l {
                Line::Protocol(p) => p.name().to_owned(),
                Line::Option(i) => contest.options()[i].id.to_string(),
            });
            problems.push(Problem {
                file: COUNTS_FILE.into(),
                line,
                field,
                code: f.code.to_string(),
                severity: match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                message: format!(
                    "contest \"{}\", unit \"{}\": {}",
                    contest.id(),
                    tree.unit(unit).id,
                    f.message
                ),
            });
        };
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
                push(unit, f);
            }
        }
    }
    Ok(())
}
