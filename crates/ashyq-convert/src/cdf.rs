//! NIST SP 1500-100 Election Results Common Data Format, version 2 (NIST, 2019; schemas
//! `NIST_V2_election_results_reporting.json` and `.xsd` in github.com/usnistgov/ElectionResultsReporting,
//! branch `version2`), both ways, and Google's civics profile of it (the XML that
//! `civics_cdf_validator` checks, github.com/google/civics_cdf_validator).
//!
//! Export: plain functions from an election, its unit tree and its protocols (what
//! [`ashyq_package::read_package`] gives and what the store's `totals` returns) to a document,
//! with no I/O and byte-identical output for the same input:
//! - [`export_json`]: an `ElectionReport` as NIST v2 JSON (`serde_json::Value`), or
//!   [`export_json_text`] for its text;
//! - [`export_xml`]: the same report as NIST v2 XML (namespace [`NIST_XML_NAMESPACE`]);
//! - [`export_civics_xml`]: the report in Google's civics profile (no namespace, collections,
//!   stable ids, `SummaryCounts` per contest, "against all" as `NoneOfTheAboveBallotSelection`).
//!   It is a different XML vocabulary from NIST's (the two schemas cannot both accept one
//!   document), so it is a third output rather than a variant of the second.
//!
//! All three are built from one model (`model.rs`), so they carry the same ids, names and numbers.
//! Names are `InternationalizedText` in every language a [`Names`] source gives; today's packages
//! have one name per thing, which [`OneLanguage`] tags with a caller-chosen language.
//! OCD-IDs are emitted only for divisions the caller vouches for ([`OcdIds`]); every unit also
//! carries its package id as a `local-level` identifier.
//!
//! Whatever Ashyq needs and CDF has no field for (contest kind, seats, option ids, the protocol
//! lines of each contest) travels in schema-valid extension points — `ExternalIdentifier` with
//! `Type = "other"`, `OtherType = "ashyq-…"`, and `BallotCounts` with `Type = "other"`,
//! `OtherType = "ashyq-<line>:<contest>"`, value in `BallotsCast` — so that an exported package
//! converts back ([`crate::SourceFormat::Cdf`]) to the same package. `docs/converters.md` lists
//! every mapping.

mod civics;
mod import;
mod json;
mod model;
mod xml;

use std::collections::BTreeSet;
use std::fmt;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{Contest, ContestOption, Election};
use ashyq_core::units::{Unit, UnitIdx, UnitTree};

pub(crate) use import::read;

/// The XML namespace of NIST SP 1500-100 v2 election results documents.
pub const NIST_XML_NAMESPACE: &str = "http://itl.nist.gov/ns/voting/1500-100/v2";

/// A text in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanguageText {
    /// BCP 47 language tag (`kk`, `ru`, `en`, `und` for undetermined).
    pub language: String,
    /// The text.
    pub text: String,
}

/// What a name belongs to, for [`Names`].
#[derive(Clone, Copy, Debug)]
pub enum Named<'a> {
    /// The election.
    Election(&'a Election),
    /// A contest.
    Contest(&'a Contest),
    /// An option of a contest: a party, a candidate, `yes`/`no`, "against all".
    Option(&'a Contest, &'a ContestOption),
    /// A territorial unit.
    Unit(&'a Unit),
}

impl<'a> Named<'a> {
    /// The one name the package has for it today.
    pub fn package_name(&self) -> &'a str {
        match self {
            Named::Election(e) => e.name(),
            Named::Contest(c) => c.name(),
            Named::Option(_, o) => &o.name,
            Named::Unit(u) => &u.name,
        }
    }

    /// Its id in the package (a fallback text when a name is empty).
    pub fn id(&self) -> &'a str {
        match self {
            Named::Election(e) => e.id().as_str(),
            Named::Contest(c) => c.id().as_str(),
            Named::Option(_, o) => o.id.as_str(),
            Named::Unit(u) => u.id.as_str(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Named::Election(e) => format!("election {}", e.id()),
            Named::Contest(c) => format!("contest {}", c.id()),
            Named::Option(c, o) => format!("option {} of contest {}", o.id, c.id()),
            Named::Unit(u) => format!("unit {}", u.id),
        }
    }
}

/// Where exported names come from: one text per language for each election, contest, option
/// and unit. Each name needs at least one text, no two in the same language.
pub trait Names {
    /// The texts of one name.
    fn texts(&self, of: Named<'_>) -> Vec<LanguageText>;
}

/// The package's one name per thing, in one language (packages do not record the language of
/// their names yet; the bundled Kazakh examples are named in English). An empty name is
/// replaced by the thing's id, since CDF texts may not be empty.
#[derive(Clone, Debug)]
pub struct OneLanguage {
    /// BCP 47 tag of every name (`und` when unknown).
    pub language: String,
}

impl Names for OneLanguage {
    fn texts(&self, of: Named<'_>) -> Vec<LanguageText> {
        let name = of.package_name().trim();
        let text = if name.is_empty() { of.id() } else { name };
        vec![LanguageText { language: self.language.clone(), text: text.to_owned() }]
    }
}

/// The package's names with their translations (`names.csv`): the package's own name first,
/// tagged with `language` (`und` when the language of the package's names is not known), then
/// each translation in its own language.
#[derive(Clone, Debug)]
pub struct Translated<'a> {
    /// The election (holds the translations).
    pub election: &'a Election,
    /// Its unit tree.
    pub tree: &'a ashyq_core::units::UnitTree,
    /// BCP 47 tag of the package's own names.
    pub language: String,
}

impl Names for Translated<'_> {
    fn texts(&self, of: Named<'_>) -> Vec<LanguageText> {
        use ashyq_core::election::NameTarget;
        let mut out = OneLanguage { language: self.language.clone() }.texts(of);
        let target = match &of {
            Named::Election(_) => Some(NameTarget::Election),
            Named::Contest(c) => {
                self.election.contest_index(c.id().as_str()).map(NameTarget::Contest)
            }
            Named::Option(c, o) => self.election.contest_index(c.id().as_str()).and_then(|ci| {
                self.election.contests()[ci]
                    .option_index(o.id.as_str())
                    .map(|oi| NameTarget::Option(ci, oi))
            }),
            Named::Unit(u) => self.tree.index_of(u.id.as_str()).map(NameTarget::Unit),
        };
        if let Some(t) = target {
            for (lang, name) in self.election.translations_of(t) {
                if lang != self.language && !name.trim().is_empty() {
                    out.push(LanguageText { language: lang.to_owned(), text: name.to_owned() });
                }
            }
        }
        out
    }
}

/// Open Civic Data division ids the caller vouches for (e.g. the upstream
/// `identifiers/country-kz.csv` of github.com/opencivicdata/ocd-division-ids, plus any
/// accepted locally). A unit gets an `ocd-id` identifier when [`derived_ocd_id`] gives an id
/// in this set; the root `ocd-division/country:xx` of a country is always accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OcdIds {
    ids: BTreeSet<String>,
}

impl OcdIds {
    /// No ids beyond country roots.
    pub fn new() -> OcdIds {
        OcdIds::default()
    }

    /// Reads an OCD-ID list in the ocd-division-ids CSV layout (a header with an `id` column,
    /// one division per row).
    pub fn from_csv(text: &str) -> Result<OcdIds, String> {
        let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers = r.headers().map_err(|e| format!("bad header: {e}"))?.clone();
        let Some(col) = headers.iter().position(|h| h.trim() == "id") else {
            return Err("the header has no \"id\" column".to_owned());
        };
        let mut ids = BTreeSet::new();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| format!("line {}: {e}", i + 2))?;
            let id = rec.get(col).unwrap_or("").trim();
            if !id.starts_with("ocd-division/") {
                return Err(format!("line {}: \"{id}\" is not an ocd-division id", i + 2));
            }
            ids.insert(id.to_owned());
        }
        Ok(OcdIds { ids })
    }

    /// Adds one id.
    pub fn insert(&mut self, id: impl Into<String>) {
        self.ids.insert(id.into());
    }

    /// Whether `id` is vouched for (listed, or a country root).
    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains(id) || is_country_root(id)
    }

    /// The listed ids, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    /// Number of listed ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no id is listed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

fn is_country_root(id: &str) -> bool {
    id.strip_prefix("ocd-division/country:")
        .is_some_and(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Unit kinds that are polling stations: they report as CDF `polling-place`s and have no OCD-ID.
pub const STATION_KINDS: &[&str] = &["station", "polling-station", "section", "polling-place"];

/// The OCD-ID a unit would have under the Open Civic Data conventions (OCDEP 2: `ocd-division/
/// country:<iso>/<type>:<id>`, types and ids lowercase; github.com/opencivicdata/ocd-division-ids
/// builds subdivision ids from ISO 3166-2 codes, e.g. `ocd-division/country:cz/region:pm`):
/// a root of kind `country` whose id is an ISO 3166-1 alpha-2 code gives
/// `ocd-division/country:xx`; any other unit appends `/<kind>:<id>` to its parent's, its id
/// lowercased without its parent's id as a prefix (`KZ-AKM` under `KZ` → `…/region:akm`).
/// Polling stations ([`STATION_KINDS`]) and units under a root that is not a country have none.
/// Whether such an id exists is another matter: see [`OcdIds`].
pub fn derived_ocd_id(tree: &UnitTree, unit: UnitIdx) -> Option<String> {
    let path = tree.path(unit);
    let mut id: Option<String> = None;
    for (depth, &u) in path.iter().enumerate() {
        id = Some(ocd_step(tree, u, id.as_deref(), depth == 0)?);
    }
    id
}

/// One step of [`derived_ocd_id`]: the unit's id given its parent's.
pub(crate) fn ocd_step(
    tree: &UnitTree,
    unit: UnitIdx,
    parent_ocd: Option<&str>,
    root: bool,
) -> Option<String> {
    let u = tree.unit(unit);
    if root {
        let id = u.id.as_str();
        return (u.kind == "country"
            && id.len() == 2
            && id.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| format!("ocd-division/country:{}", id.to_ascii_lowercase()));
    }
    if STATION_KINDS.contains(&u.kind.as_str()) {
        return None;
    }
    let parent_ocd = parent_ocd?;
    let parent_id = u.parent.map(|p| tree.unit(p).id.as_str()).unwrap_or("");
    let own =
        u.id.as_str()
            .strip_prefix(parent_id)
            .and_then(|rest| rest.strip_prefix('-'))
            .filter(|rest| !rest.is_empty())
            .unwrap_or(u.id.as_str());
    let clean = |s: &str, extra: &[char]| -> String {
        s.chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_alphanumeric() || c == '_' || extra.contains(&c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let ty = clean(u.kind.trim(), &[]);
    if ty.is_empty() {
        return None;
    }
    Some(format!("{parent_ocd}/{ty}:{}", clean(own, &['-', '.', '~'])))
}

/// `Status` of an election report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultsStatus {
    /// Certified by the responsible commission.
    Certified,
    /// A correction of an earlier report.
    Correction,
    /// Before the polls close (no counts).
    PreElection,
    /// A recount.
    Recount,
    /// Unofficial, every unit reported.
    UnofficialComplete,
    /// Unofficial, some units still to report.
    UnofficialPartial,
}

impl ResultsStatus {
    /// Every status, in CDF order.
    pub const ALL: [ResultsStatus; 6] = [
        ResultsStatus::Certified,
        ResultsStatus::Correction,
        ResultsStatus::PreElection,
        ResultsStatus::Recount,
        ResultsStatus::UnofficialComplete,
        ResultsStatus::UnofficialPartial,
    ];

    /// The CDF spelling.
    pub fn name(self) -> &'static str {
        match self {
            ResultsStatus::Certified => "certified",
            ResultsStatus::Correction => "correction",
            ResultsStatus::PreElection => "pre-election",
            ResultsStatus::Recount => "recount",
            ResultsStatus::UnofficialComplete => "unofficial-complete",
            ResultsStatus::UnofficialPartial => "unofficial-partial",
        }
    }

    /// Parses the CDF spelling.
    pub fn from_name(s: &str) -> Option<ResultsStatus> {
        ResultsStatus::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// How to export.
pub struct ExportOptions<'a> {
    /// `GeneratedDate`: an RFC 3339 date-time with a zone and no fraction
    /// (`2023-03-20T06:00:00+05:00`); passing a fixed value keeps the output deterministic.
    pub generated: &'a str,
    /// `Status` of the report.
    pub status: ResultsStatus,
    /// `Issuer` (who publishes the report).
    pub issuer: &'a str,
    /// `IssuerAbbreviation`.
    pub issuer_abbreviation: &'a str,
    /// The names, in one or more languages.
    pub names: &'a dyn Names,
    /// The OCD-IDs the caller vouches for.
    pub ocd_ids: &'a OcdIds,
}

impl<'a> ExportOptions<'a> {
    /// Options with issuer "Ashyq" and status `unofficial-complete`.
    pub fn new(generated: &'a str, names: &'a dyn Names, ocd_ids: &'a OcdIds) -> Self {
        ExportOptions {
            generated,
            status: ResultsStatus::UnofficialComplete,
            issuer: "Ashyq",
            issuer_abbreviation: "ashyq",
            names,
            ocd_ids,
        }
    }
}

/// Why an export was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// `generated` is not an RFC 3339 date-time with a zone.
    GeneratedDate(String),
    /// A name source gave unusable texts.
    Name {
        /// What the name belongs to (`unit KZ-AKM`).
        what: String,
        /// What is wrong.
        message: String,
    },
    /// An option (issuer …) is empty or unusable.
    Option(String),
    /// The counts do not belong to the election (wrong number of contests or columns).
    Counts(String),
    /// The JSON writer failed (not expected: every key is a string).
    Json(String),
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::GeneratedDate(s) => write!(
                f,
                "generated date \"{s}\" is not an RFC 3339 date-time with a time zone and whole seconds (2023-03-20T06:00:00+05:00)"
            ),
            ExportError::Name { what, message } => write!(f, "name of {what}: {message}"),
            ExportError::Option(m) => f.write_str(m),
            ExportError::Counts(m) => write!(f, "counts do not match the election: {m}"),
            ExportError::Json(m) => write!(f, "the JSON report could not be written: {m}"),
        }
    }
}

impl std::error::Error for ExportError {}

/// The report as NIST SP 1500-100 v2 JSON (valid against `NIST_V2_election_results_reporting.json`).
/// `counts` are the protocols of each contest, in contest order; each is reported at its own
/// unit (`Format = precinct-level`).
pub fn export_json(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    options: &ExportOptions<'_>,
) -> Result<serde_json::Value, ExportError> {
    let report = model::build(election, tree, counts, options)?;
    serde_json::to_value(json::ReportJ(&report)).map_err(|e| ExportError::Json(e.to_string()))
}

/// The same report as [`export_json`], as JSON text (indented when `pretty`), written without
/// building the `Value` tree first: for big elections, a fraction of the memory.
pub fn export_json_text(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    options: &ExportOptions<'_>,
    pretty: bool,
) -> Result<String, ExportError> {
    let report = model::build(election, tree, counts, options)?;
    let r = json::ReportJ(&report);
    let text = if pretty { serde_json::to_string_pretty(&r) } else { serde_json::to_string(&r) };
    text.map_err(|e| ExportError::Json(e.to_string()))
}

/// The report as NIST SP 1500-100 v2 XML (valid against `NIST_V2_election_results_reporting.xsd`),
/// the same content as [`export_json`].
pub fn export_xml(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    options: &ExportOptions<'_>,
) -> Result<String, ExportError> {
    let report = model::build(election, tree, counts, options)?;
    Ok(xml::write_nist(&report))
}

/// The report in Google's civics profile of CDF (`civics_cdf_spec.xsd`, the input of
/// `civics_cdf_validator … --rule_set election_results`). It drops the Ashyq extension lines
/// (it is not meant to be converted back) and needs OCD-IDs for every unit that is not a
/// polling station.
pub fn export_civics_xml(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    options: &ExportOptions<'_>,
) -> Result<String, ExportError> {
    let report = model::build(election, tree, counts, options)?;
    Ok(civics::write(&report))
}

/// Checks the `DateTimeWithZone` pattern of CDF: `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM`.
pub fn check_generated_date(s: &str) -> Result<(), ExportError> {
    let bad = || ExportError::GeneratedDate(s.to_owned());
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    let ok_date = num(0..4).is_some()
        && b[4] == b'-'
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && b[7] == b'-'
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
        && b[10] == b'T';
    let (h, mi, se) = (num(11..13), num(14..16), num(17..19));
    let ok_time = b[13] == b':'
        && b[16] == b':'
        && match (h, mi, se) {
            (Some(h), Some(m), Some(s)) => (h < 24 && m < 60 && s < 60) || (h, m, s) == (24, 0, 0),
            _ => false,
        };
    let zone = &s[19..];
    let ok_zone = zone == "Z"
        || (zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':'
            && match (num(20..22), num(23..25)) {
                (Some(h), Some(m)) => (h <= 13 && m < 60) || (h, m) == (14, 0),
                _ => false,
            });
    if ok_date && ok_time && ok_zone {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Checks a BCP 47 language tag the way CDF consumers read it: a 2–3 letter primary language
/// (ISO 639) or `und`, then subtags of 1–8 letters or digits.
pub fn check_language_tag(tag: &str) -> Result<(), String> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    let ok_primary =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    let ok_rest =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok_primary && ok_rest {
        Ok(())
    } else {
        Err(format!("\"{tag}\" is not a BCP 47 language tag (kk, ru, en, und …)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_dates_follow_the_cdf_pattern() {
        for ok in ["2023-03-19T00:00:00Z", "2023-03-20T06:00:00+05:00", "2023-12-31T24:00:00-14:00"]
        {
            assert_eq!(check_generated_date(ok), Ok(()), "{ok}");
        }
        for bad in [
            "2023-03-19",
            "2023-03-19T00:00:00",
            "2023-03-19T00:00:00.5Z",
            "2023-13-19T00:00:00Z",
            "2023-03-19T25:00:00Z",
            "2023-03-19T00:00:00+15:00",
            "2023-03-19 00:00:00Z",
        ] {
            assert!(check_generated_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn language_tags() {
        for ok in ["kk", "ru", "en", "und", "kk-Cyrl", "kk-Latn-KZ"] {
            assert_eq!(check_language_tag(ok), Ok(()), "{ok}");
        }
        for bad in ["", "k", "english", "kk_KZ", "kk-", "12"] {
            assert!(check_language_tag(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ocd_ids_follow_the_tree_and_the_ocd_conventions() {
        let unit = |id: &str, parent: &str, kind: &str| ashyq_core::units::UnitInfo {
            id: id.into(),
            parent: parent.into(),
            kind: kind.into(),
            name: id.into(),
        };
        let tree = UnitTree::new(vec![
            unit("KZ-AKM-01", "KZ-AKM", "district"),
            unit("KZ", "", "country"),
            unit("KZ-AKM", "KZ", "region"),
            unit("AKM-17", "KZ-AKM-01", "station"),
            unit("KZ-AST", "KZ", "city"),
            unit("KZ-AST-ABROAD", "KZ-AST", "district"),
            unit("X:1", "KZ-AST", "Special Zone"),
            unit("R", "", "republic"),
            unit("R-1", "R", "region"),
        ])
        .expect("tree");
        let ocd = |id: &str| derived_ocd_id(&tree, tree.index_of(id).expect("unit"));
        assert_eq!(ocd("KZ").as_deref(), Some("ocd-division/country:kz"));
        assert_eq!(ocd("KZ-AKM").as_deref(), Some("ocd-division/country:kz/region:akm"));
        assert_eq!(
            ocd("KZ-AKM-01").as_deref(),
            Some("ocd-division/country:kz/region:akm/district:01")
        );
        assert_eq!(ocd("AKM-17"), None, "polling stations have none");
        assert_eq!(
            ocd("KZ-AST-ABROAD").as_deref(),
            Some("ocd-division/country:kz/city:ast/district:abroad")
        );
        assert_eq!(
            ocd("X:1").as_deref(),
            Some("ocd-division/country:kz/city:ast/special_zone:x_1")
        );
        assert_eq!(ocd("R-1"), None, "no country root, no OCD-ID");
    }

    #[test]
    fn ocd_lists_read_the_upstream_layout_and_accept_country_roots() {
        let ids = OcdIds::from_csv(
            "id,name\nocd-division/country:kz,Kazakhstan\nocd-division/country:kz/region:akm,Akmola\n",
        )
        .expect("csv");
        assert_eq!(ids.len(), 2);
        assert!(ids.contains("ocd-division/country:kz/region:akm"));
        assert!(ids.contains("ocd-division/country:ge"), "every country root exists upstream");
        assert!(!ids.contains("ocd-division/country:kz/region:xyz"));
        assert!(OcdIds::from_csv("name\nx\n").is_err());
        assert!(OcdIds::from_csv("id\nkz\n").is_err());
    }
}
