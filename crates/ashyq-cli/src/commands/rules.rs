//! `ashyq rules` and `ashyq checks`: the law and the check catalogue, printed.

use std::fmt::Write;
use std::process::ExitCode;

use anyhow::Result;
use ashyq_core::checks::CATALOGUE;
use ashyq_core::rules::{RuleSet, RuleSetId};
use serde_json::json;

use super::{print, Format};

/// Arguments of `ashyq rules`.
#[derive(clap::Args, Debug)]
pub(crate) struct RulesArgs {
    /// Show only this rule set (kz-2007, kz-2022, kz-2026, none).
    #[arg(value_parser = super::outcome::parse_rules)]
    pub(crate) rules: Option<RuleSetId>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

/// Arguments of `ashyq checks`.
#[derive(clap::Args, Debug)]
pub(crate) struct ChecksArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

fn rule_set_json(rs: &RuleSet) -> serde_json::Value {
    let rules = |rules: &[ashyq_core::rules::LegalRule]| -> Vec<serde_json::Value> {
        rules.iter().map(|r| json!({"id": r.id, "rule": r.text, "source": r.source, "confidence": r.confidence.mark()})).collect()
    };
    json!({
        "id": rs.id.name(),
        "title": rs.title,
        "in_force": rs.in_force,
        "party_list": rs.party_list.as_ref().map(|p| json!({
            "threshold_percent": p.threshold_percent.0 as f64 / p.threshold_percent.1 as f64,
            "national_list_seats": p.national_list_seats,
            "min_passing_lists": p.min_passing_lists,
            "fewer_passing": p.too_few_passing,
            "rules": rules(p.rules),
        })),
        "referendum": rs.referendum.as_ref().map(|r| json!({
            "default_unit_test": r.default_unit_test.name(),
            "rules": rules(r.rules),
        })),
        "presidential": rules(rs.presidential),
        "single_member": rules(rs.single_member),
    })
}

pub(crate) fn run(args: &RulesArgs) -> Result<ExitCode> {
    let sets: Vec<&RuleSet> = match args.rules {
        Some(r) => vec![r.rule_set()],
        None => RuleSetId::ALL.iter().map(|r| r.rule_set()).collect(),
    };
    let text = match args.format {
        Format::Json => {
            let v: Vec<_> = sets.iter().map(|rs| rule_set_json(rs)).collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Text => {
            let mut s = String::new();
            for rs in sets {
                let _ = writeln!(s, "{} — {}\n  in force: {}", rs.id, rs.title, rs.in_force);
                let mut section = |title: &str, rules: &[ashyq_core::rules::LegalRule]| {
                    if rules.is_empty() {
                        return;
                    }
                    let _ = writeln!(s, "  {title}:");
                    for r in rules {
                        let _ = writeln!(
                            s,
                            "    [{}] {} ({})\n        source: {}",
                            r.confidence.mark(),
                            r.text,
                            r.id,
                            r.source
                        );
                    }
                };
                if let Some(p) = &rs.party_list {
                    section("party list", p.rules);
                }
                if let Some(r) = &rs.referendum {
                    section("referendum", r.rules);
                }
                section("presidential", rs.presidential);
                section("single-member", rs.single_member);
                if let Some(p) = &rs.party_list {
                    let _ = writeln!(s, "  parameters: threshold {}%, national list seats {}, default referendum unit test {}", p.threshold_percent.0 as f64 / p.threshold_percent.1 as f64, p.national_list_seats, rs.referendum.as_ref().map_or("-", |r| r.default_unit_test.name()));
                    let _ = writeln!(
                        s,
                        "  fewer than {} lists passing: {}",
                        p.min_passing_lists, p.too_few_passing
                    );
                }
                s.push('\n');
            }
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn run_checks(args: &ChecksArgs) -> Result<ExitCode> {
    let text = match args.format {
        Format::Json => {
            let v: Vec<_> = CATALOGUE
                .iter()
                .map(|c| json!({"code": c.code.as_str(), "severity": c.severity.name(), "relation": c.relation, "basis": c.basis, "confidence": c.confidence.map_or("heuristic", |m| m.mark())}))
                .collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Text => {
            let mut s = String::new();
            for c in CATALOGUE {
                let mark =
                    c.confidence.map_or("heuristic".to_owned(), |m| format!("[{}]", m.mark()));
                let _ = writeln!(
                    s,
                    "{:<4} {:<8} {}\n              basis: {} {mark}",
                    c.code.as_str(),
                    c.severity.name(),
                    c.relation,
                    c.basis
                );
            }
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
