//! The outcome as JSON: `{"election","rules","contests":[…]}` with the keys the product brief
//! fixes (a contract other tools rely on) plus the figures that make each outcome auditable.

use ashyq_core::apportionment::Fraction;
use ashyq_core::election::{ContestKind, Election};
use ashyq_core::rules::{
    percent, ratio_f64, ContestOutcome, ContestResult, ElectionOutcome, LegalRule, Ref, UnitsBasis,
};
use ashyq_core::units::UnitTree;
use serde_json::{json, Map, Value};

use crate::option_id;

fn fraction(f: &Fraction) -> Value {
    json!({"exact": f.to_string(), "decimal": f.to_decimal_string(6)})
}

/// A rule as JSON: id, text, source, confidence mark and where the law reference states it.
pub fn rule_json(r: &LegalRule) -> Value {
    let section = match r.reference {
        Ref::Row { section, .. }
        | Ref::Text { section, .. }
        | Ref::NotCovered { section, .. }
        | Ref::Unknown { section, .. } => section,
    };
    json!({"id": r.id, "rule": r.text, "source": r.source, "confidence": r.confidence.mark(), "reference": format!("docs/law.md {section}")})
}

fn rules(rules: &[LegalRule]) -> Value {
    rules.iter().map(rule_json).collect()
}

fn pct(a: u64, b: Option<u64>) -> Value {
    b.and_then(|b| percent(a, b, 2)).map_or(Value::Null, Value::String)
}

/// The whole election's outcome as one JSON object.
pub fn outcome_json(election: &Election, tree: &UnitTree, outcome: &ElectionOutcome) -> Value {
    let contests: Vec<Value> =
        outcome.contests.iter().map(|c| contest_json(election, tree, c)).collect();
    let failed: Vec<Value> = outcome
        .failed_checks
        .iter()
        .map(|f| {
            json!({
                "contest": election.contests()[f.contest].id().as_str(),
                "unit": tree.unit(f.unit).id.as_str(),
                "code": f.finding.code.as_str(),
                "severity": f.finding.severity.name(),
                "message": f.finding.message,
            })
        })
        .collect();
    let what_if = outcome.what_if.as_ref().map(|w| {
        json!({
            "package_rules": w.package_rules.name(),
            "applied_rules": outcome.rules.name(),
            "changed": w.changed,
            "kept": w.kept,
        })
    });
    json!({
        "election": election.id().as_str(),
        "name": election.name(),
        "date": election.date(),
        "rules": outcome.rules.name(),
        "rules_title": outcome.rules.rule_set().title,
        "hypothetical": outcome.what_if.is_some() || !outcome.failed_checks.is_empty(),
        "what_if": what_if,
        "checks_ignored": !outcome.failed_checks.is_empty(),
        "failed_checks": failed,
        "warnings": outcome.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "warning_codes": outcome.warnings.iter().map(|w| w.code()).collect::<Vec<_>>(),
        "contests": contests,
    })
}

fn contest_json(election: &Election, tree: &UnitTree, co: &ContestOutcome) -> Value {
    let c = co.contest;
    let contest = &election.contests()[c];
    let oid = |i: usize| option_id(election, c, i).to_owned();
    let mut m = Map::new();
    m.insert("id".into(), json!(contest.id().as_str()));
    m.insert("kind".into(), json!(contest.kind().name()));
    m.insert("name".into(), json!(contest.name()));
    m.insert("territory".into(), json!(tree.unit(contest.territory()).id.as_str()));
    m.insert("body".into(), json!(contest.body().map(|b| b.name())));
    match &co.result {
        ContestResult::NoRules => {
            m.insert("legal_outcome".into(), json!(false));
            let note = if co.undetermined.is_some() {
                "the rule set applied has no rules for this contest (see undetermined)"
            } else {
                "the package's rule set is \"none\": counts only, no legal outcome"
            };
            m.insert("note".into(), json!(note));
            if contest.kind() == ContestKind::PartyList {
                m.insert("seats".into(), json!({}));
                m.insert("passed".into(), json!([]));
            } else if contest.kind() != ContestKind::Referendum {
                m.insert("winner".into(), Value::Null);
            }
        }
        ContestResult::Referendum(r) => {
            m.insert("valid".into(), json!(r.valid));
            m.insert("adopted".into(), json!(r.adopted));
            let turnout = r.took_part.zip(r.registered).and_then(|(t, g)| ratio_f64(t, g));
            m.insert("turnout".into(), json!(turnout));
            m.insert("units_in_favour".into(), json!(r.units_in_favour));
            m.insert("units_total".into(), json!(r.units_total));
            m.insert("units_required".into(), json!(r.units_required));
            m.insert("constitutional".into(), json!(r.constitutional));
            m.insert("unit_test".into(), json!(r.unit_test.name()));
            m.insert("unit_test_from_package".into(), json!(r.unit_test_from_package));
            m.insert("unit_test_basis".into(), json!(r.unit_test_basis));
            m.insert("units_expected".into(), json!(r.units_expected));
            let excluded: Vec<&str> =
                r.units_excluded.iter().map(|&u| tree.unit(u).id.as_str()).collect();
            m.insert("units_excluded".into(), json!(excluded));
            m.insert(
                "base".into(),
                json!({
                    "used": "ballots_issued",
                    "took_part": r.base.used,
                    "other_name": r.base.other_name,
                    "other": r.base.other,
                    "valid_other": r.base.valid_other,
                    "national_majority_other": r.base.national_majority_other,
                    "flips": r.base.flips,
                }),
            );
            m.insert(
                "units_basis".into(),
                json!(match r.units_basis {
                    UnitsBasis::Computed => "computed",
                    UnitsBasis::Reported => "reported",
                    UnitsBasis::NotApplicable => "not-applicable",
                    UnitsBasis::Unknown => "unknown",
                }),
            );
            m.insert("units_yes_majority".into(), json!(r.units_yes_majority));
            m.insert("units_turnout_majority".into(), json!(r.units_turnout_majority));
            m.insert("territorial_pass".into(), json!(r.territorial_pass));
            m.insert("national_majority".into(), json!(r.national_majority));
            m.insert(
                "totals".into(),
                json!({
                    "registered": r.registered, "took_part": r.took_part, "yes": r.yes, "no": r.no,
                    "invalid": r.invalid, "not_counted": r.not_counted,
                    "turnout_percent": r.took_part.map(|t| pct(t, r.registered)),
                    "yes_percent": r.yes.map(|y| pct(y, r.took_part)),
                }),
            );
            let units: Vec<Value> = r
                .units
                .iter()
                .map(|u| {
                    json!({
                        "unit": tree.unit(u.unit).id.as_str(),
                        "name": tree.unit(u.unit).name,
                        "registered": u.registered, "took_part": u.took_part, "yes": u.yes, "no": u.no,
                        "yes_majority": u.yes_majority, "turnout_majority": u.turnout_majority,
                    })
                })
                .collect();
            m.insert("units".into(), json!(units));
        }
        ContestResult::Presidential(p) => {
            m.insert("winner".into(), json!(p.winner.map(oid)));
            m.insert("runoff".into(), json!(p.runoff.map(|[a, b]| [oid(a), oid(b)])));
            m.insert("repeat_election".into(), json!(p.repeat_election));
            m.insert("round".into(), json!(p.round));
            m.insert("base".into(), json!(p.base));
            m.insert("against_all".into(), json!(p.against_all));
            m.insert("against_all_majority".into(), json!(p.against_all_majority));
            let cands: Vec<Value> = p
                .candidates
                .iter()
                .map(|r| json!({"option": oid(r.option), "votes": r.votes, "percent": pct(r.votes, p.base)}))
                .collect();
            m.insert("candidates".into(), json!(cands));
        }
        ContestResult::SingleMember(s) => {
            m.insert("winner".into(), json!(s.winner.map(oid)));
            m.insert("base".into(), json!(s.base));
            m.insert("against_all".into(), json!(s.against_all));
            m.insert("against_all_exceeds_winner".into(), json!(s.against_all_exceeds_winner));
            m.insert("majority_base".into(), json!(s.majority_base));
            let cands: Vec<Value> = s
                .candidates
                .iter()
                .map(|r| json!({"option": oid(r.option), "votes": r.votes, "percent": pct(r.votes, s.base)}))
                .collect();
            m.insert("candidates".into(), json!(cands));
        }
        ContestResult::Senate(s) => {
            m.insert("winner".into(), json!(s.winner.map(oid)));
            m.insert("runoff".into(), json!(s.runoff.map(|[a, b]| [oid(a), oid(b)])));
            m.insert("round".into(), json!(s.round));
            m.insert("electors".into(), json!(s.electors));
            m.insert("took_part".into(), json!(s.took_part));
            m.insert("quorum".into(), json!(s.quorum));
            let cands: Vec<Value> = s
                .candidates
                .iter()
                .map(|r| json!({"option": oid(r.option), "votes": r.votes, "percent": pct(r.votes, s.took_part)}))
                .collect();
            m.insert("candidates".into(), json!(cands));
        }
        ContestResult::PartyList(p) => {
            // Seats the law determines: all of them, or all but those beyond a list's length.
            let mut seats = Map::new();
            if p.undetermined.is_none() || p.seats_undetermined > 0 {
                for r in &p.rows {
                    seats.insert(oid(r.option), json!(r.seats - r.beyond_list));
                }
            }
            m.insert("seats".into(), Value::Object(seats));
            m.insert("seats_undetermined".into(), json!(p.seats_undetermined));
            m.insert("one_list_took_all".into(), json!(p.one_list_took_all));
            m.insert(
                "runner_up".into(),
                p.runner_up.as_ref().map_or(Value::Null, |r| {
                    json!({
                        "option": oid(r.option),
                        "corrected_quotient": fraction(&r.corrected),
                        "readings": r.readings.iter().map(|(reading, seats)| json!({"reading": reading, "seats": seats})).collect::<Vec<_>>(),
                    })
                }),
            );
            let passed: Vec<String> = p.passed().into_iter().map(oid).collect();
            m.insert("passed".into(), json!(passed));
            m.insert("seats_total".into(), json!(p.seats_total));
            let (n, d) = p.threshold_percent;
            m.insert("threshold_percent".into(), json!(n as f64 / d as f64));
            m.insert("threshold_from_package".into(), json!(p.threshold_from_package));
            m.insert("threshold_base".into(), json!(p.threshold_base));
            m.insert("against_all".into(), json!(p.against_all));
            m.insert("passing_votes".into(), json!(p.passing_votes));
            m.insert("quota".into(), p.quota.as_ref().map_or(Value::Null, fraction));
            let table: Vec<Value> = p
                .rows
                .iter()
                .map(|r| {
                    json!({
                        "option": oid(r.option),
                        "registered": election.contests()[c].options()[r.option].registered,
                        "votes": r.votes,
                        "percent": pct(r.votes, p.threshold_base),
                        "passed": r.passed,
                        "floor": r.floor,
                        "remainder": r.remainder.as_ref().map_or(Value::Null, fraction),
                        "remainder_seat": r.remainder_seat,
                        "seats": r.seats,
                        "list_length": election.contests()[c].options()[r.option].list_length,
                        "beyond_list": r.beyond_list,
                    })
                })
                .collect();
            m.insert("table".into(), json!(table));
            let ties: Vec<Value> = p
                .ties
                .iter()
                .map(|(tied, seats, decided)| json!({"tied": tied.iter().map(|&i| oid(i)).collect::<Vec<_>>(), "seats": seats, "resolved_by": decided.then_some("earlier registration")}))
                .collect();
            m.insert("ties".into(), json!(ties));
        }
    }
    m.insert("undetermined".into(), json!(co.undetermined.as_ref().map(ToString::to_string)));
    m.insert("undetermined_code".into(), json!(co.undetermined.as_ref().map(|u| u.code())));
    m.insert(
        "warnings".into(),
        json!(co.warnings.iter().map(ToString::to_string).collect::<Vec<_>>()),
    );
    m.insert(
        "warning_codes".into(),
        json!(co.warnings.iter().map(|w| w.code()).collect::<Vec<_>>()),
    );
    m.insert("legal_rules".into(), rules(&co.rules));
    Value::Object(m)
}
