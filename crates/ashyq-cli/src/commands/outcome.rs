//! `ashyq outcome`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_core::rules::{outcome, RuleSetId};

use super::{load_package, print, Format};

/// Arguments of `ashyq outcome`.
#[derive(clap::Args, Debug)]
pub(crate) struct OutcomeArgs {
    /// The election package folder (election.toml, units.csv, counts.csv).
    pub(crate) package: PathBuf,
    /// Output format: `text` explains every step (threshold table, quota, remainders, per-unit
    /// referendum table, run-off reason, the rule and its legal source); `json` prints one object
    /// {"election","rules","contests":[…]}.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// "What if": apply another rule set instead of the package's own (kz-2007, kz-2022,
    /// kz-2026, none), e.g. the 2023 votes under the 2007–2021 rules.
    #[arg(long, value_name = "RULESET", value_parser = parse_rules)]
    pub(crate) rules: Option<RuleSetId>,
}

pub(crate) fn parse_rules(s: &str) -> Result<RuleSetId, String> {
    RuleSetId::from_name(s).ok_or_else(|| {
        format!(
            "unknown rule set \"{s}\"; known rule sets: {}",
            RuleSetId::ALL.map(|r| r.name()).join(", ")
        )
    })
}

pub(crate) fn run(args: &OutcomeArgs) -> Result<ExitCode> {
    let package = load_package(&args.package)?;
    let election = match args.rules {
        Some(r) => package.election.with_rules(r),
        None => package.election.clone(),
    };
    let result = outcome(&election, &package.tree, &package.counts)
        .with_context(|| format!("cannot total the counts of {}", args.package.display()))?;
    let text = match args.format {
        Format::Text => ashyq_report::outcome_text(&election, &package.tree, &result),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&ashyq_report::outcome_json(
                &election,
                &package.tree,
                &result,
            ))?;
            s.push('\n');
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
