//! `ashyq rules` and `ashyq checks`: the law and the check catalogue, printed.

use std::fmt::Write;
use std::process::ExitCode;

use anyhow::Result;
use ashyq_core::checks::CATALOGUE;
use ashyq_core::election::decimal;
use ashyq_core::rules::{
    legend, LegalRule, OneListPasses, Part, PartyListRules, RuleSet, RuleSetId,
};
use serde_json::{json, Map, Value};

use super::{print, Format};

/// Arguments of `ashyq rules`.
#[derive(clap::Args, Debug)]
pub(crate) struct RulesArgs {
    /// Show only this rule set (kz-2007, kz-2009, kz-2022, kz-2026, none).
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

fn rules_json(rules: &[LegalRule]) -> Vec<Value> {
    rules.iter().map(ashyq_report::rule_json).collect()
}

fn one_list(p: &PartyListRules) -> String {
    match p.one_list {
        OneListPasses::TakesAll => "the one list takes every seat".to_owned(),
        OneListPasses::RunnerUp2009 => {
            "the runner-up is admitted (0.7 correction index, at least 2 seats); undetermined where the unknown parts matter".to_owned()
        }
        OneListPasses::Unknown(why) => format!("undetermined: {why}"),
    }
}

fn party_list_json(p: &Part<PartyListRules>) -> Value {
    match p {
        Ok(p) => json!({
            "threshold_percent": p.threshold_percent.0 as f64 / p.threshold_percent.1 as f64,
            "seats_by_law": p.seats_by_law,
            "national_list_seats": p.seats_by_law,
            "one_list_passing": one_list(p),
            "no_list_passing": p.no_list,
            "rules": rules_json(p.rules),
        }),
        Err(_) => Value::Null,
    }
}

/// A part of a rule set: its rules, or why it has none.
type PartRules = Result<&'static [LegalRule], &'static str>;

fn part_rules<T>(p: &'static Part<T>, f: fn(&'static T) -> &'static [LegalRule]) -> PartRules {
    p.as_ref().map(f).map_err(|e| *e)
}

/// The parts of a rule set: (JSON key, title, rules or why absent).
fn parts(rs: &RuleSet) -> Vec<(&'static str, &'static str, PartRules)> {
    let rs: &'static RuleSet = rs.id.rule_set();
    vec![
        ("referendum", "referendum", part_rules(&rs.referendum, |r| r.rules)),
        ("presidential", "presidential", part_rules(&rs.presidential, |r| r)),
        (
            "party_list",
            "national parliament, party lists",
            part_rules(&rs.parliament_list, |r| r.rules),
        ),
        (
            "single_member",
            "national parliament, single-member districts",
            part_rules(&rs.parliament_district, |r| r.rules),
        ),
        ("maslikhat_list", "maslikhat party lists", part_rules(&rs.maslikhat_list, |r| r.rules)),
        (
            "maslikhat_district",
            "maslikhat single-member districts",
            part_rules(&rs.maslikhat_district, |r| r.rules),
        ),
        ("akim", "akims", part_rules(&rs.akim, |r| r.rules)),
        ("senate", "senate", part_rules(&rs.senate, |r| r)),
    ]
}

fn rule_set_json(rs: &RuleSet) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(rs.id.name()));
    m.insert("title".into(), json!(rs.title));
    m.insert("from".into(), json!(rs.from));
    m.insert("until".into(), json!(rs.until));
    m.insert("in_force".into(), json!(rs.in_force));
    m.insert("party_list".into(), party_list_json(&rs.parliament_list));
    m.insert("maslikhat_list".into(), party_list_json(&rs.maslikhat_list));
    m.insert(
        "referendum".into(),
        match &rs.referendum {
            Ok(r) => json!({
                "default_unit_test": r.default_unit_test.iter().map(|(from, t, why)| json!({"from": from, "test": t.name(), "basis": why})).collect::<Vec<_>>(),
                "rules": rules_json(r.rules),
            }),
            Err(_) => Value::Null,
        },
    );
    let mut absent = Map::new();
    for (key, _, part) in parts(rs) {
        match part {
            Ok(r) if !matches!(key, "party_list" | "maslikhat_list" | "referendum") => {
                m.insert(key.into(), json!(rules_json(r)));
            }
            Ok(_) => {}
            Err(why) => {
                if !matches!(key, "party_list" | "maslikhat_list" | "referendum") {
                    m.insert(key.into(), json!([]));
                }
                absent.insert(key.into(), json!(why));
            }
        }
    }
    m.insert("absent".into(), Value::Object(absent));
    Value::Object(m)
}

pub(crate) fn run(args: &RulesArgs) -> Result<ExitCode> {
    let sets: Vec<&RuleSet> = match args.rules {
        Some(r) => vec![r.rule_set()],
        None => RuleSetId::ALL.iter().map(|r| r.rule_set()).collect(),
    };
    let text = match args.format {
        Format::Json => {
            // One object per rule set; each carries the legend of the marks and where the
            // source ids and sections resolve.
            let legend_marks: Map<String, Value> = ashyq_core::rules::Confidence::ALL
                .iter()
                .map(|c| (c.mark().to_owned(), json!(c.meaning())))
                .collect();
            let v: Vec<_> = sets
                .iter()
                .map(|rs| {
                    let mut o = rule_set_json(rs);
                    o["legend"] = json!(legend_marks);
                    o["references"] = json!("docs/law.md");
                    o
                })
                .collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Text => {
            let mut s = String::new();
            for rs in sets {
                let _ = writeln!(
                    s,
                    "{} — {}\n  {}\n  in force: {}",
                    rs.id,
                    rs.title,
                    rs.in_force_dates(),
                    rs.in_force
                );
                for (_, title, part) in parts(rs) {
                    match part {
                        Ok(rules) => {
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
                        }
                        Err(why) if rs.id != RuleSetId::None => {
                            let _ = writeln!(s, "  {title}: none — {why}");
                        }
                        Err(_) => {}
                    }
                }
                if let Ok(p) = &rs.parliament_list {
                    let seats = p.seats_by_law.map_or("-".into(), |s| s.to_string());
                    let _ = writeln!(
                        s,
                        "  parameters: national parliament list threshold {}%, list seats {seats}; one list passing: {}",
                        decimal(p.threshold_percent.0, p.threshold_percent.1),
                        one_list(p)
                    );
                }
                if let Ok(r) = &rs.referendum {
                    for (from, t, why) in r.default_unit_test {
                        let _ = writeln!(
                            s,
                            "  default referendum unit test from {from}: {} ({why})",
                            t.name()
                        );
                    }
                }
                s.push('\n');
            }
            s.push_str(&legend());
            s.push('\n');
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
                // A heuristic's basis says so in words; it has no confidence mark.
                let mark = c.confidence.map_or(String::new(), |m| format!("[{}]", m.mark()));
                let _ = writeln!(
                    s,
                    "{:<4} {:<8} {}\n              basis: {} {mark}",
                    c.code.as_str(),
                    c.severity.name(),
                    c.relation,
                    c.basis
                );
            }
            s.push('\n');
            s.push_str(&legend());
            s.push('\n');
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
