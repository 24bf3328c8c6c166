//! The model as NIST SP 1500-100 v2 JSON (`NIST_V2_election_results_reporting.json`, draft-04):
//! every object carries its `@type` (`ElectionResults.…`), objects referenced by id an `@id`.

use serde_json::{json, Map, Value};

use super::model::{BallotTotals, Choice, ContestType, ExtId, Intl, Report, EXT_PREFIX};

fn t(name: &str) -> Value {
    Value::String(format!("ElectionResults.{name}"))
}

fn obj(ty: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("@type".into(), t(ty));
    m
}

fn intl(texts: &Intl) -> Value {
    let text: Vec<Value> = texts
        .iter()
        .map(|x| {
            json!({
                "@type": "ElectionResults.LanguageString",
                "Content": x.text,
                "Language": x.language
            })
        })
        .collect();
    json!({"@type": "ElectionResults.InternationalizedText", "Text": text})
}

fn ext_ids(ext: &[ExtId]) -> Value {
    Value::Array(
        ext.iter()
            .map(|e| {
                let mut m = obj("ExternalIdentifier");
                m.insert("Type".into(), json!(e.ty.name()));
                if let Some(o) = e.ty.other_type() {
                    m.insert("OtherType".into(), json!(o));
                }
                m.insert("Value".into(), json!(e.value));
                Value::Object(m)
            })
            .collect(),
    )
}

fn ballot_counts(b: &BallotTotals) -> Value {
    let mut m = obj("BallotCounts");
    m.insert("GpUnitId".into(), json!(b.unit));
    m.insert("Type".into(), json!("total"));
    if let Some(v) = b.cast {
        m.insert("BallotsCast".into(), json!(v));
    }
    if let Some(v) = b.rejected {
        m.insert("BallotsRejected".into(), json!(v));
    }
    Value::Object(m)
}

pub(crate) fn write(r: &Report) -> Value {
    let units: Vec<Value> = r
        .units
        .iter()
        .map(|u| {
            let mut m = obj("ReportingUnit");
            m.insert("@id".into(), json!(u.object_id));
            m.insert("Name".into(), intl(&u.name));
            m.insert("Type".into(), json!(u.ty));
            if let Some(o) = &u.other_type {
                m.insert("OtherType".into(), json!(o));
            }
            if !u.composing.is_empty() {
                m.insert("ComposingGpUnitIds".into(), json!(u.composing));
            }
            m.insert("ExternalIdentifier".into(), ext_ids(&u.ext));
            if let Some(v) = u.voters_registered {
                m.insert("VotersRegistered".into(), json!(v));
            }
            if let Some(v) = u.voters_participated {
                m.insert("VotersParticipated".into(), json!(v));
            }
            Value::Object(m)
        })
        .collect();
    let parties: Vec<Value> = r
        .parties
        .iter()
        .map(|p| {
            let mut m = obj("Party");
            m.insert("@id".into(), json!(p.object_id));
            m.insert("Name".into(), intl(&p.name));
            m.insert("PartyScopeGpUnitIds".into(), json!([p.scope]));
            m.insert("ExternalIdentifier".into(), ext_ids(&p.ext));
            Value::Object(m)
        })
        .collect();
    let persons: Vec<Value> = r
        .persons
        .iter()
        .map(|p| {
            let mut m = obj("Person");
            m.insert("@id".into(), json!(p.object_id));
            m.insert("FullName".into(), intl(&p.full_name));
            Value::Object(m)
        })
        .collect();
    let candidates: Vec<Value> = r
        .candidates
        .iter()
        .map(|c| {
            let mut m = obj("Candidate");
            m.insert("@id".into(), json!(c.object_id));
            m.insert("BallotName".into(), intl(&c.ballot_name));
            m.insert("PersonId".into(), json!(c.person));
            m.insert("ExternalIdentifier".into(), ext_ids(&c.ext));
            Value::Object(m)
        })
        .collect();
    let mut counts: Vec<Value> = r.ballot_counts.iter().map(ballot_counts).collect();
    let contests: Vec<Value> = r
        .contests
        .iter()
        .map(|c| {
            for (unit, line, v) in &c.lines {
                let mut m = obj("BallotCounts");
                m.insert("GpUnitId".into(), json!(unit));
                m.insert("Type".into(), json!("other"));
                m.insert("OtherType".into(), json!(format!("{EXT_PREFIX}{line}:{}", c.ashyq_id)));
                m.insert("BallotsCast".into(), json!(v));
                counts.push(Value::Object(m));
            }
            let ty = match c.ty {
                ContestType::BallotMeasure => "BallotMeasureContest",
                ContestType::Candidate { .. } => "CandidateContest",
                ContestType::Party { .. } => "PartyContest",
            };
            let mut m = obj(ty);
            m.insert("@id".into(), json!(c.object_id));
            m.insert("Name".into(), json!(c.name));
            m.insert("BallotTitle".into(), intl(&c.title));
            m.insert("ElectionDistrictId".into(), json!(c.district));
            m.insert("SequenceOrder".into(), json!(c.sequence));
            match c.ty {
                ContestType::BallotMeasure => {
                    m.insert("Type".into(), json!("referendum"));
                }
                ContestType::Candidate { number_runoff, vote_variation } => {
                    m.insert("VoteVariation".into(), json!(vote_variation));
                    m.insert("VotesAllowed".into(), json!(1));
                    m.insert("NumberElected".into(), json!(1));
                    if let Some(n) = number_runoff {
                        m.insert("NumberRunoff".into(), json!(n));
                    }
                }
                ContestType::Party { .. } => {
                    m.insert("VoteVariation".into(), json!("proportional"));
                }
            }
            m.insert("ExternalIdentifier".into(), ext_ids(&c.ext));
            let selections: Vec<Value> = c
                .selections
                .iter()
                .map(|s| {
                    let mut sm = match &s.choice {
                        Choice::Party(p) => {
                            let mut sm = obj("PartySelection");
                            sm.insert("PartyIds".into(), json!([p]));
                            sm
                        }
                        Choice::Candidate(k) => {
                            let mut sm = obj("CandidateSelection");
                            sm.insert("CandidateIds".into(), json!([k]));
                            sm
                        }
                        Choice::Text { selection, .. } => {
                            let mut sm = obj("BallotMeasureSelection");
                            sm.insert("Selection".into(), intl(selection));
                            sm.insert("ExternalIdentifier".into(), ext_ids(&s.ext));
                            sm
                        }
                    };
                    sm.insert("@id".into(), json!(s.object_id));
                    sm.insert("SequenceOrder".into(), json!(s.sequence));
                    let votes: Vec<Value> = s
                        .votes
                        .iter()
                        .map(|(unit, v)| {
                            json!({
                                "@type": "ElectionResults.VoteCounts",
                                "GpUnitId": unit,
                                "Type": "total",
                                "Count": v
                            })
                        })
                        .collect();
                    sm.insert("VoteCounts".into(), Value::Array(votes));
                    Value::Object(sm)
                })
                .collect();
            m.insert("ContestSelection".into(), Value::Array(selections));
            Value::Object(m)
        })
        .collect();

    let mut e = obj("Election");
    e.insert("Name".into(), intl(&r.election_name));
    e.insert("StartDate".into(), json!(r.date));
    e.insert("EndDate".into(), json!(r.date));
    e.insert("Type".into(), json!(r.election_type));
    if let Some(o) = r.election_other_type {
        e.insert("OtherType".into(), json!(o));
    }
    e.insert("ElectionScopeId".into(), json!(r.scope));
    e.insert("ExternalIdentifier".into(), ext_ids(&r.election_ext));
    if !candidates.is_empty() {
        e.insert("Candidate".into(), Value::Array(candidates));
    }
    e.insert("Contest".into(), Value::Array(contests));
    if !counts.is_empty() {
        e.insert("BallotCounts".into(), Value::Array(counts));
    }

    let mut m = obj("ElectionReport");
    m.insert("Format".into(), json!("precinct-level"));
    m.insert("GeneratedDate".into(), json!(r.generated));
    m.insert("Issuer".into(), json!(r.issuer));
    m.insert("IssuerAbbreviation".into(), json!(r.issuer_abbreviation));
    m.insert("SequenceStart".into(), json!(1));
    m.insert("SequenceEnd".into(), json!(1));
    m.insert("Status".into(), json!(r.status));
    m.insert("VendorApplicationId".into(), json!(r.vendor));
    m.insert("Election".into(), json!([Value::Object(e)]));
    m.insert("GpUnit".into(), Value::Array(units));
    if !parties.is_empty() {
        m.insert("Party".into(), Value::Array(parties));
    }
    if !persons.is_empty() {
        m.insert("Person".into(), Value::Array(persons));
    }
    Value::Object(m)
}
