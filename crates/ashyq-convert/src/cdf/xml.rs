//! A small XML writer (escaping, indentation) and the model as NIST SP 1500-100 v2 XML
//! (`NIST_V2_election_results_reporting.xsd`: namespace [`super::NIST_XML_NAMESPACE`], `ObjectId`
//! attributes, `xsi:type` on abstract `GpUnit`/`Contest`/`ContestSelection` elements, child
//! elements in the order of the schema's sequences).
//!
//! Hand-written rather than a crate: the documents are write-only, element names are constants,
//! and the only data-dependent parts are text and attribute values, escaped by [`escape`].

use super::model::{BallotTotals, Choice, ContestType, ExtId, Intl, Report, EXT_PREFIX};
use super::NIST_XML_NAMESPACE;

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Escapes text for XML content and attribute values (both quotes, so one function serves
/// both). Characters XML 1.0 cannot carry at all (controls other than tab, newline and carriage
/// return; U+FFFE, U+FFFF) become U+FFFD; a carriage return is written as `&#13;` so that it
/// survives end-of-line normalisation.
pub(crate) fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// An indented XML document being written.
pub(crate) struct Xml {
    out: String,
    open: Vec<&'static str>,
}

impl Xml {
    pub(crate) fn new() -> Xml {
        let mut out = String::with_capacity(1 << 16);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Xml { out, open: Vec::new() }
    }

    fn indent(&mut self) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape(v, &mut self.out);
            self.out.push('"');
        }
    }

    /// Opens an element with attributes; its children follow on their own lines.
    pub(crate) fn open(&mut self, name: &'static str, attrs: &[(&str, &str)]) {
        self.indent();
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Closes the innermost open element.
    pub(crate) fn close(&mut self) {
        let name = self.open.pop().unwrap_or("");
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// An element holding only text.
    pub(crate) fn leaf_attrs(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.indent();
        self.tag(name, attrs);
        self.out.push('>');
        escape(text, &mut self.out);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    pub(crate) fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_attrs(name, &[], text);
    }

    pub(crate) fn leaf_opt(&mut self, name: &str, v: Option<u64>) {
        if let Some(v) = v {
            self.leaf(name, &v.to_string());
        }
    }

    /// An `InternationalizedText` element; `language` is the attribute's spelling (`Language`
    /// in NIST, `language` in Google's profile).
    pub(crate) fn intl(&mut self, name: &'static str, language: &str, texts: &Intl) {
        self.open(name, &[]);
        for t in texts {
            self.leaf_attrs("Text", &[(language, &t.language)], &t.text);
        }
        self.close();
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

fn ext_ids(x: &mut Xml, ext: &[ExtId]) {
    for e in ext {
        x.open("ExternalIdentifier", &[]);
        x.leaf("Type", e.ty.name());
        if let Some(o) = e.ty.other_type() {
            x.leaf("OtherType", o);
        }
        x.leaf("Value", &e.value);
        x.close();
    }
}

fn ballot_counts(x: &mut Xml, r: &Report, b: &BallotTotals) {
    x.open("BallotCounts", &[]);
    x.leaf("GpUnitId", &r.units[b.unit].object_id);
    x.leaf("Type", "total");
    x.leaf_opt("BallotsCast", b.cast);
    x.leaf_opt("BallotsRejected", b.rejected);
    x.close();
}

pub(crate) fn write_nist(r: &Report) -> String {
    let mut x = Xml::new();
    x.open("ElectionReport", &[("xmlns", NIST_XML_NAMESPACE), ("xmlns:xsi", XSI)]);

    x.open("Election", &[]);
    for b in &r.ballot_counts {
        ballot_counts(&mut x, r, b);
    }
    for c in &r.contests {
        for (unit, line, v) in &c.lines {
            x.open("BallotCounts", &[]);
            x.leaf("GpUnitId", &r.units[*unit].object_id);
            x.leaf("Type", "other");
            x.leaf("OtherType", &format!("{EXT_PREFIX}{line}:{}", c.ashyq_id));
            x.leaf("BallotsCast", &v.to_string());
            x.close();
        }
    }
    for k in &r.candidates {
        x.open("Candidate", &[("ObjectId", &k.object_id)]);
        x.intl("BallotName", "Language", &k.ballot_name);
        ext_ids(&mut x, &k.ext);
        x.leaf("PersonId", &k.person);
        x.close();
    }
    for c in &r.contests {
        let ty = match c.ty {
            ContestType::BallotMeasure => "BallotMeasureContest",
            ContestType::Candidate { .. } => "CandidateContest",
            ContestType::Party { .. } => "PartyContest",
        };
        x.open("Contest", &[("ObjectId", &c.object_id), ("xsi:type", ty)]);
        x.intl("BallotTitle", "Language", &c.title);
        for s in &c.selections {
            let sty = match s.choice {
                Choice::Party(_) => "PartySelection",
                Choice::Candidate(_) => "CandidateSelection",
                Choice::Text { .. } => "BallotMeasureSelection",
            };
            x.open("ContestSelection", &[("ObjectId", &s.object_id), ("xsi:type", sty)]);
            x.leaf("SequenceOrder", &s.sequence.to_string());
            for (unit, v) in &s.votes {
                x.open("VoteCounts", &[]);
                x.leaf("GpUnitId", &r.units[*unit].object_id);
                x.leaf("Type", "total");
                x.leaf("Count", &v.to_string());
                x.close();
            }
            match &s.choice {
                Choice::Party(p) => x.leaf("PartyIds", p),
                Choice::Candidate(k) => x.leaf("CandidateIds", k),
                Choice::Text { selection, .. } => {
                    ext_ids(&mut x, &s.ext);
                    x.intl("Selection", "Language", selection);
                }
            }
            x.close();
        }
        x.leaf("ElectionDistrictId", &c.district);
        ext_ids(&mut x, &c.ext);
        x.leaf("Name", &c.name);
        x.leaf("SequenceOrder", &c.sequence.to_string());
        match c.ty {
            ContestType::BallotMeasure => x.leaf("Type", "referendum"),
            ContestType::Candidate { number_runoff, vote_variation } => {
                x.leaf("VoteVariation", vote_variation);
                x.leaf("NumberElected", "1");
                x.leaf_opt("NumberRunoff", number_runoff.map(u64::from));
                x.leaf("VotesAllowed", "1");
            }
            ContestType::Party { .. } => x.leaf("VoteVariation", "proportional"),
        }
        x.close();
    }
    x.leaf("ElectionScopeId", &r.scope);
    ext_ids(&mut x, &r.election_ext);
    x.intl("Name", "Language", &r.election_name);
    x.leaf("StartDate", &r.date);
    x.leaf("EndDate", &r.date);
    x.leaf("Type", r.election_type);
    if let Some(o) = r.election_other_type {
        x.leaf("OtherType", o);
    }
    x.close();

    x.leaf("Format", "precinct-level");
    x.leaf("GeneratedDate", &r.generated);
    for u in &r.units {
        x.open("GpUnit", &[("ObjectId", &u.object_id), ("xsi:type", "ReportingUnit")]);
        if !u.composing.is_empty() {
            x.leaf("ComposingGpUnitIds", &u.composing.join(" "));
        }
        ext_ids(&mut x, &u.ext);
        x.intl("Name", "Language", &u.name);
        x.leaf("Type", &u.ty);
        if let Some(o) = &u.other_type {
            x.leaf("OtherType", o);
        }
        x.leaf_opt("VotersParticipated", u.voters_participated);
        x.leaf_opt("VotersRegistered", u.voters_registered);
        x.close();
    }
    x.leaf("Issuer", &r.issuer);
    x.leaf("IssuerAbbreviation", &r.issuer_abbreviation);
    for p in &r.parties {
        x.open("Party", &[("ObjectId", &p.object_id)]);
        ext_ids(&mut x, &p.ext);
        x.intl("Name", "Language", &p.name);
        x.leaf("PartyScopeGpUnitIds", &p.scope);
        x.close();
    }
    for p in &r.persons {
        x.open("Person", &[("ObjectId", &p.object_id)]);
        x.intl("FullName", "Language", &p.full_name);
        x.close();
    }
    x.leaf("SequenceStart", "1");
    x.leaf("SequenceEnd", "1");
    x.leaf("Status", r.status);
    x.leaf("VendorApplicationId", &r.vendor);
    x.close();
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_characters_xml_cannot_carry() {
        let mut s = String::new();
        escape("a<b & \"c\" 'd' >\t\n\r\u{1}\u{FFFF}é", &mut s);
        assert_eq!(s, "a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;\t\n&#13;\u{FFFD}\u{FFFD}é");
    }

    #[test]
    fn writes_nested_indented_elements() {
        let mut x = Xml::new();
        x.open("A", &[("k", "v&")]);
        x.leaf("B", "1 < 2");
        x.intl(
            "N",
            "language",
            &vec![super::super::LanguageText {
                language: "kk".into(), text: "Қазақстан".into()
            }],
        );
        x.close();
        assert_eq!(
            x.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A k=\"v&amp;\">\n  <B>1 &lt; 2</B>\n  <N>\n    <Text language=\"kk\">Қазақстан</Text>\n  </N>\n</A>\n"
        );
    }
}
