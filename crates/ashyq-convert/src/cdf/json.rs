//! The model as NIST SP 1500-100 v2 JSON (`NIST_V2_election_results_reporting.json`, draft-04):
//! every object carries its `@type` (`ElectionResults.…`), objects referenced by id an `@id`.
//!
//! Written through `Serialize` views of the model rather than by building a `serde_json::Value`:
//! the text of a 10,000-station report is then produced without holding a tree of maps for every
//! count (about 1 KB each), and [`super::export_json`]'s `Value` comes from the same code.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::model::{
    BallotTotals, Candidate, Choice, Contest, ContestType, ExtId, Intl, Party, Person, Report,
    Selection, Unit, EXT_PREFIX,
};
use ashyq_core::line::ProtocolLine;

/// A sequence produced on demand by a closure.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

fn ty(name: &str) -> String {
    format!("ElectionResults.{name}")
}

struct IntlJ<'a>(&'a Intl);

impl Serialize for IntlJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Lang<'a>(&'a str, &'a str);
        impl Serialize for Lang<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(3))?;
                m.serialize_entry("@type", "ElectionResults.LanguageString")?;
                m.serialize_entry("Content", self.1)?;
                m.serialize_entry("Language", self.0)?;
                m.end()
            }
        }
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("@type", "ElectionResults.InternationalizedText")?;
        m.serialize_entry("Text", &Seq(|| self.0.iter().map(|t| Lang(&t.language, &t.text))))?;
        m.end()
    }
}

struct ExtJ<'a>(&'a ExtId);

impl Serialize for ExtJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.ExternalIdentifier")?;
        m.serialize_entry("Type", self.0.ty.name())?;
        if let Some(o) = self.0.ty.other_type() {
            m.serialize_entry("OtherType", o)?;
        }
        m.serialize_entry("Value", &self.0.value)?;
        m.end()
    }
}

struct ExtIdsJ<'a>(&'a [ExtId]);

impl Serialize for ExtIdsJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ExtJ))
    }
}

fn ext_ids(ext: &[ExtId]) -> ExtIdsJ<'_> {
    ExtIdsJ(ext)
}

struct UnitJ<'a>(&'a Unit);

impl Serialize for UnitJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let u = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.ReportingUnit")?;
        m.serialize_entry("@id", &u.object_id)?;
        m.serialize_entry("Name", &IntlJ(&u.name))?;
        m.serialize_entry("Type", &u.ty)?;
        if let Some(o) = &u.other_type {
            m.serialize_entry("OtherType", o)?;
        }
        if !u.composing.is_empty() {
            m.serialize_entry("ComposingGpUnitIds", &u.composing)?;
        }
        m.serialize_entry("ExternalIdentifier", &ext_ids(&u.ext))?;
        if let Some(v) = u.voters_registered {
            m.serialize_entry("VotersRegistered", &v)?;
        }
        if let Some(v) = u.voters_participated {
            m.serialize_entry("VotersParticipated", &v)?;
        }
        m.end()
    }
}

struct PartyJ<'a>(&'a Party);

impl Serialize for PartyJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.Party")?;
        m.serialize_entry("@id", &p.object_id)?;
        m.serialize_entry("Name", &IntlJ(&p.name))?;
        m.serialize_entry("PartyScopeGpUnitIds", &[&p.scope])?;
        m.serialize_entry("ExternalIdentifier", &ext_ids(&p.ext))?;
        m.end()
    }
}

struct PersonJ<'a>(&'a Person);

impl Serialize for PersonJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("@type", "ElectionResults.Person")?;
        m.serialize_entry("@id", &self.0.object_id)?;
        m.serialize_entry("FullName", &IntlJ(&self.0.full_name))?;
        m.end()
    }
}

struct CandidateJ<'a>(&'a Candidate);

impl Serialize for CandidateJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let k = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.Candidate")?;
        m.serialize_entry("@id", &k.object_id)?;
        m.serialize_entry("BallotName", &IntlJ(&k.ballot_name))?;
        m.serialize_entry("PersonId", &k.person)?;
        m.serialize_entry("ExternalIdentifier", &ext_ids(&k.ext))?;
        m.end()
    }
}

/// A `BallotCounts` of the election: the standard totals at a unit, or one Ashyq protocol line.
enum BallotCountJ<'a> {
    Total(&'a Report, &'a BallotTotals),
    Line(&'a Report, &'a Contest, &'a (usize, ProtocolLine, u64)),
}

impl Serialize for BallotCountJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.BallotCounts")?;
        match *self {
            BallotCountJ::Total(r, b) => {
                m.serialize_entry("GpUnitId", &r.units[b.unit].object_id)?;
                m.serialize_entry("Type", "total")?;
                if let Some(v) = b.cast {
                    m.serialize_entry("BallotsCast", &v)?;
                }
                if let Some(v) = b.rejected {
                    m.serialize_entry("BallotsRejected", &v)?;
                }
            }
            BallotCountJ::Line(r, c, &(unit, line, v)) => {
                m.serialize_entry("GpUnitId", &r.units[unit].object_id)?;
                m.serialize_entry("Type", "other")?;
                m.serialize_entry("OtherType", &format!("{EXT_PREFIX}{line}:{}", c.ashyq_id))?;
                m.serialize_entry("BallotsCast", &v)?;
            }
        }
        m.end()
    }
}

struct VoteCountJ<'a>(&'a Report, usize, u64);

impl Serialize for VoteCountJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("@type", "ElectionResults.VoteCounts")?;
        m.serialize_entry("GpUnitId", &self.0.units[self.1].object_id)?;
        m.serialize_entry("Type", "total")?;
        m.serialize_entry("Count", &self.2)?;
        m.end()
    }
}

struct SelectionJ<'a>(&'a Report, &'a Selection);

impl Serialize for SelectionJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (r, sel) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        match &sel.choice {
            Choice::Party(p) => {
                m.serialize_entry("@type", "ElectionResults.PartySelection")?;
                m.serialize_entry("PartyIds", &[p])?;
            }
            Choice::Candidate(k) => {
                m.serialize_entry("@type", "ElectionResults.CandidateSelection")?;
                m.serialize_entry("CandidateIds", &[k])?;
            }
            Choice::Text { selection, .. } => {
                m.serialize_entry("@type", "ElectionResults.BallotMeasureSelection")?;
                m.serialize_entry("Selection", &IntlJ(selection))?;
                m.serialize_entry("ExternalIdentifier", &ext_ids(&sel.ext))?;
            }
        }
        m.serialize_entry("@id", &sel.object_id)?;
        m.serialize_entry("SequenceOrder", &sel.sequence)?;
        m.serialize_entry(
            "VoteCounts",
            &Seq(|| sel.votes.iter().map(|&(u, v)| VoteCountJ(r, u, v))),
        )?;
        m.end()
    }
}

struct ContestJ<'a>(&'a Report, &'a Contest);

impl Serialize for ContestJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (r, c) = (self.0, self.1);
        let t = match c.ty {
            ContestType::BallotMeasure => "BallotMeasureContest",
            ContestType::Candidate { .. } => "CandidateContest",
            ContestType::Party { .. } => "PartyContest",
        };
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", &ty(t))?;
        m.serialize_entry("@id", &c.object_id)?;
        m.serialize_entry("Name", &c.name)?;
        m.serialize_entry("BallotTitle", &IntlJ(&c.title))?;
        m.serialize_entry("ElectionDistrictId", &c.district)?;
        m.serialize_entry("SequenceOrder", &c.sequence)?;
        match c.ty {
            ContestType::BallotMeasure => m.serialize_entry("Type", "referendum")?,
            ContestType::Candidate { number_runoff, vote_variation } => {
                m.serialize_entry("VoteVariation", vote_variation)?;
                m.serialize_entry("VotesAllowed", &1)?;
                m.serialize_entry("NumberElected", &1)?;
                if let Some(n) = number_runoff {
                    m.serialize_entry("NumberRunoff", &n)?;
                }
            }
            ContestType::Party { .. } => m.serialize_entry("VoteVariation", "proportional")?,
        }
        m.serialize_entry("ExternalIdentifier", &ext_ids(&c.ext))?;
        m.serialize_entry(
            "ContestSelection",
            &Seq(|| c.selections.iter().map(|sel| SelectionJ(r, sel))),
        )?;
        m.end()
    }
}

struct ElectionJ<'a>(&'a Report);

impl Serialize for ElectionJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.Election")?;
        m.serialize_entry("Name", &IntlJ(&r.election_name))?;
        m.serialize_entry("StartDate", &r.date)?;
        m.serialize_entry("EndDate", &r.date)?;
        m.serialize_entry("Type", r.election_type)?;
        if let Some(o) = r.election_other_type {
            m.serialize_entry("OtherType", o)?;
        }
        m.serialize_entry("ElectionScopeId", &r.scope)?;
        m.serialize_entry("ExternalIdentifier", &ext_ids(&r.election_ext))?;
        if !r.candidates.is_empty() {
            m.serialize_entry("Candidate", &Seq(|| r.candidates.iter().map(CandidateJ)))?;
        }
        m.serialize_entry("Contest", &Seq(|| r.contests.iter().map(|c| ContestJ(r, c))))?;
        let counts = || {
            r.ballot_counts.iter().map(|b| BallotCountJ::Total(r, b)).chain(
                r.contests
                    .iter()
                    .flat_map(move |c| c.lines.iter().map(move |l| BallotCountJ::Line(r, c, l))),
            )
        };
        if counts().next().is_some() {
            m.serialize_entry("BallotCounts", &Seq(counts))?;
        }
        m.end()
    }
}

/// The whole `ElectionReport`.
pub(crate) struct ReportJ<'a>(pub(crate) &'a Report);

impl Serialize for ReportJ<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("@type", "ElectionResults.ElectionReport")?;
        m.serialize_entry("Format", "precinct-level")?;
        m.serialize_entry("GeneratedDate", &r.generated)?;
        m.serialize_entry("Issuer", &r.issuer)?;
        m.serialize_entry("IssuerAbbreviation", &r.issuer_abbreviation)?;
        m.serialize_entry("SequenceStart", &1)?;
        m.serialize_entry("SequenceEnd", &1)?;
        m.serialize_entry("Status", r.status)?;
        m.serialize_entry("VendorApplicationId", &r.vendor)?;
        m.serialize_entry("Election", &[ElectionJ(r)])?;
        m.serialize_entry("GpUnit", &Seq(|| r.units.iter().map(UnitJ)))?;
        if !r.parties.is_empty() {
            m.serialize_entry("Party", &Seq(|| r.parties.iter().map(PartyJ)))?;
        }
        if !r.persons.is_empty() {
            m.serialize_entry("Person", &Seq(|| r.persons.iter().map(PersonJ)))?;
        }
        m.end()
    }
}
