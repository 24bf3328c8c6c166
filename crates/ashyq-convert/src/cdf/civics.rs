//! The model in Google's civics profile of CDF (`civics_cdf_spec.xsd` with `base_spec.xsd`,
//! github.com/google/civics_cdf_validator): no namespace, `objectId` attributes, collections
//! (`GpUnitCollection`, `ContestCollection` …), `ExternalIdentifiers` wrappers with a `stable`
//! id on every entity, `InternationalizedName` (not `Name`) on units, per-contest
//! `SummaryCounts`, and "against all" as the contest's `NoneOfTheAboveBallotSelection`
//! (counted in the total: it is in the base of percentages, law digest §3.1).

use super::model::{Choice, ContestType, ExtId, IdType, Report};
use super::xml::Xml;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

fn ext_ids(x: &mut Xml, stable: Option<&str>, ext: &[ExtId]) {
    if stable.is_none() && ext.is_empty() {
        return;
    }
    x.open("ExternalIdentifiers", &[]);
    // The profile's stable ids: `other` with `OtherType = stable`.
    let stable =
        stable.map(|s| ExtId { ty: IdType::Other("stable".to_owned()), value: s.to_owned() });
    for e in stable.iter().chain(ext) {
        x.open("ExternalIdentifier", &[]);
        x.leaf("Type", e.ty.name());
        if let Some(o) = e.ty.other_type() {
            x.leaf("OtherType", o);
        }
        x.leaf("Value", &e.value);
        x.close();
    }
    x.close();
}

fn votes(x: &mut Xml, r: &Report, votes: &[(usize, u64)]) {
    if votes.is_empty() {
        return;
    }
    x.open("VoteCountsCollection", &[]);
    for (unit, v) in votes {
        x.open("VoteCounts", &[]);
        x.leaf("GpUnitId", &r.units[*unit].object_id);
        x.leaf("Type", "total");
        x.leaf("Count", &v.to_string());
        x.close();
    }
    x.close();
}

pub(crate) fn write(r: &Report) -> String {
    let mut x = Xml::new();
    x.open("ElectionReport", &[("xmlns:xsi", XSI)]);

    x.open("Election", &[]);
    if !r.candidates.is_empty() {
        x.open("CandidateCollection", &[]);
        for k in &r.candidates {
            x.open("Candidate", &[("objectId", &k.object_id)]);
            x.intl("BallotName", "language", &k.ballot_name);
            ext_ids(&mut x, Some(&k.stable_id), &k.ext);
            x.leaf("PersonId", &k.person);
            x.close();
        }
        x.close();
    }
    if !r.contests.is_empty() {
        x.open("ContestCollection", &[]);
    }
    for c in &r.contests {
        let ty = match c.ty {
            ContestType::BallotMeasure => "BallotMeasureContest",
            ContestType::Candidate { .. } => "CandidateContest",
            ContestType::Party { .. } => "PartyContest",
        };
        x.open("Contest", &[("objectId", &c.object_id), ("xsi:type", ty)]);
        let mut none_of_the_above = None;
        for s in &c.selections {
            let sty = match &s.choice {
                Choice::Party(_) => "PartySelection",
                Choice::Candidate(_) => "CandidateSelection",
                Choice::Text { against_all: true, .. } => {
                    none_of_the_above = Some(s);
                    continue;
                }
                Choice::Text { .. } => "BallotMeasureSelection",
            };
            x.open("BallotSelection", &[("objectId", &s.object_id), ("xsi:type", sty)]);
            x.leaf("SequenceOrder", &s.sequence.to_string());
            votes(&mut x, r, &s.votes);
            match &s.choice {
                Choice::Party(p) => x.leaf("PartyIds", p),
                Choice::Candidate(k) => x.leaf("CandidateIds", k),
                Choice::Text { selection, .. } => {
                    ext_ids(&mut x, Some(&s.stable_id), &s.ext);
                    x.intl("Selection", "language", selection);
                }
            }
            x.close();
        }
        x.intl("BallotTitle", "language", &c.title);
        x.leaf("ElectoralDistrictId", &c.district);
        ext_ids(&mut x, Some(&c.stable_id), &c.ext);
        x.leaf("Name", &c.name);
        if let Some(s) = none_of_the_above {
            if let Choice::Text { selection, .. } = &s.choice {
                x.open("NoneOfTheAboveBallotSelection", &[("objectId", &s.object_id)]);
                x.leaf("SequenceOrder", &s.sequence.to_string());
                votes(&mut x, r, &s.votes);
                x.leaf("CountedInTotal", "true");
                ext_ids(&mut x, Some(&s.stable_id), &s.ext);
                x.intl("Selection", "language", selection);
                x.close();
            }
        }
        x.leaf("SequenceOrder", &c.sequence.to_string());
        for b in &c.summary {
            x.open("SummaryCounts", &[]);
            x.leaf("GpUnitId", &r.units[b.unit].object_id);
            x.leaf("Type", "total");
            x.leaf_opt("BallotsCast", b.cast);
            x.leaf_opt("BallotsRejected", b.rejected);
            x.close();
        }
        match c.ty {
            ContestType::BallotMeasure => x.leaf("Type", "referendum"),
            ContestType::Candidate { vote_variation, .. } => {
                x.leaf("VoteVariation", vote_variation);
                x.leaf("NumberElected", "1");
                x.leaf("VotesAllowed", "1");
            }
            ContestType::Party { seats } => {
                x.leaf("VoteVariation", "proportional");
                x.leaf_opt("NumberElected", seats.map(u64::from));
                x.leaf("VotesAllowed", "1");
            }
        }
        x.close();
    }
    if !r.contests.is_empty() {
        x.close();
    }
    x.leaf("ElectionScopeId", &r.scope);
    ext_ids(&mut x, Some(&r.election_stable_id), &r.election_ext);
    x.intl("Name", "language", &r.election_name);
    x.leaf("StartDate", &r.date);
    x.leaf("EndDate", &r.date);
    x.leaf("Type", r.election_type);
    if let Some(o) = r.election_other_type {
        x.leaf("OtherType", o);
    }
    x.close();

    x.leaf("Format", "precinct-level");
    x.leaf("GeneratedDate", &r.generated);
    x.open("GpUnitCollection", &[]);
    for u in &r.units {
        x.open("GpUnit", &[("objectId", &u.object_id), ("xsi:type", "ReportingUnit")]);
        if !u.composing.is_empty() {
            x.leaf("ComposingGpUnitIds", &u.composing.join(" "));
        }
        ext_ids(&mut x, Some(&u.object_id), &u.ext);
        x.intl("InternationalizedName", "language", &u.name);
        x.leaf("Type", &u.ty);
        if let Some(o) = &u.other_type {
            x.leaf("OtherType", o);
        }
        x.leaf_opt("VotersParticipated", u.voters_participated);
        x.leaf_opt("VotersRegistered", u.voters_registered);
        x.close();
    }
    x.close();
    x.leaf("Issuer", &r.issuer);
    x.leaf("IssuerAbbreviation", &r.issuer_abbreviation);
    if !r.parties.is_empty() {
        x.open("PartyCollection", &[]);
        for p in &r.parties {
            x.open("Party", &[("objectId", &p.object_id)]);
            ext_ids(&mut x, Some(&p.stable_id), &p.ext);
            x.intl("Name", "language", &p.name);
            x.leaf("PartyScopeGpUnitIds", &p.scope);
            x.close();
        }
        x.close();
    }
    if !r.persons.is_empty() {
        x.open("PersonCollection", &[]);
        for p in &r.persons {
            x.open("Person", &[("objectId", &p.object_id)]);
            ext_ids(&mut x, Some(&p.stable_id), &[]);
            x.intl("FullName", "language", &p.full_name);
            x.close();
        }
        x.close();
    }
    x.leaf("SequenceStart", "1");
    x.leaf("SequenceEnd", "1");
    x.leaf("Status", r.status);
    x.leaf("VendorApplicationId", &r.vendor);
    x.close();
    x.finish()
}
