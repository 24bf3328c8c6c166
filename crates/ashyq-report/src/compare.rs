//! The JSON of a comparison of the official protocols with observers' copies (issue 9): the
//! same document for `ashyq compare --format json` (two packages, or the record) and the
//! server's `GET …/compare`, so the two never disagree. Keys fixed by the issue (more may be
//! added, none renamed): `stations_compared`, `stations_missing`, `stations_differing`,
//! `abs_diff`, the per-station list `stations`, and the outcome under each (`outcomes`, and per
//! contest `decision`).

use ashyq_audit::compare::{Comparison, UnitRollup};
use ashyq_core::election::Election;
use ashyq_core::units::UnitTree;
use serde_json::{json, Map, Value};

/// A protocol whose copies disagree between observers.
#[derive(Clone, Debug)]
pub struct DisputedCopies<'a> {
    /// Contest id.
    pub contest: &'a str,
    /// Unit id.
    pub unit: &'a str,
    /// (observer, lines) of each observer's latest copy.
    pub copies: &'a [(String, Vec<(String, u64)>)],
}

/// What a comparison within the record adds.
#[derive(Clone, Debug)]
pub struct RecordContext<'a> {
    /// Election id.
    pub election: &'a str,
    /// The log size the comparison reflects.
    pub tree_size: u64,
    /// The observers whose copies were used.
    pub observers: &'a [String],
    /// Protocols left out because observers' copies disagree.
    pub disputed: Vec<DisputedCopies<'a>>,
    /// Per compared contest, the mismatches by commission and region.
    pub by_unit: &'a [Vec<UnitRollup>],
}

fn lines_obj(lines: &[(String, u64)]) -> Value {
    let mut m = Map::new();
    for (k, v) in lines {
        m.insert(k.clone(), json!(v));
    }
    Value::Object(m)
}

/// A unit's roll-up as JSON.
pub fn rollup_json(r: &UnitRollup) -> Value {
    json!({
        "unit": r.unit,
        "kind": r.kind,
        "stations_compared": r.stations_compared,
        "stations_missing": r.stations_missing,
        "stations_differing": r.stations_differing,
        "abs_diff": r.abs_diff,
    })
}

/// The comparison as one JSON document. `labels`: what the official and the observed record
/// are (paths, or the record); `official` and `observed`: the elections and trees the outcomes
/// belong to; `record`: the keys a comparison within the record adds (`election`, `tree_size`,
/// `observers`, `observers_disagree`, and `by_unit` in each contest).
pub fn comparison_json(
    (official_label, observed_label): (&str, &str),
    c: &Comparison,
    (official_election, official_tree): (&Election, &UnitTree),
    (observed_election, observed_tree): (&Election, &UnitTree),
    record: Option<&RecordContext<'_>>,
) -> Value {
    let compared: usize = c.contests.iter().map(|x| x.stations_compared).sum();
    let missing: usize = c.contests.iter().map(|x| x.stations_missing).sum();
    let extra: usize = c.contests.iter().map(|x| x.stations_extra).sum();
    let differing: usize = c.contests.iter().map(|x| x.stations_differing).sum();
    let abs: u64 = c.contests.iter().map(|x| x.abs_diff).fold(0, u64::saturating_add);
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
        .enumerate()
        .map(|(k, cc)| {
            let mut v = json!({
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
            });
            if let (Some(r), Value::Object(o)) = (record, &mut v) {
                let rollups = r.by_unit.get(k).map_or(&[][..], |b| b.as_slice());
                o.insert("by_unit".into(), Value::Array(rollups.iter().map(rollup_json).collect()));
            }
            v
        })
        .collect();
    let [o, x, m] = &c.outcomes;
    let mut v = json!({
        "official": official_label,
        "observed": observed_label,
        "stations_compared": compared,
        "stations_missing": missing,
        "stations_extra": extra,
        "stations_differing": differing,
        "abs_diff": abs,
        "contests_unmatched": c.contests_unmatched,
        "contests": contests,
        "stations": stations,
        "outcomes": {
            "official": crate::outcome_json(official_election, official_tree, o),
            "observed": crate::outcome_json(observed_election, observed_tree, x),
            "observer_copies_right": crate::outcome_json(official_election, official_tree, m),
        },
    });
    if let (Some(r), Value::Object(obj)) = (record, &mut v) {
        obj.insert("election".into(), json!(r.election));
        obj.insert("tree_size".into(), json!(r.tree_size));
        obj.insert("observers".into(), json!(r.observers));
        obj.insert(
            "observers_disagree".into(),
            Value::Array(
                r.disputed
                    .iter()
                    .map(|d| {
                        json!({
                            "contest": d.contest,
                            "unit": d.unit,
                            "copies": d.copies.iter().map(|(obs, lines)| {
                                json!({"observer": obs, "lines": lines_obj(lines)})
                            }).collect::<Vec<_>>(),
                        })
                    })
                    .collect(),
            ),
        );
    }
    v
}
