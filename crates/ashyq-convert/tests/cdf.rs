//! NIST SP 1500-100 v2: import of hand-written third-party-style reports (test_data/cdf: one
//! valid against the v2 JSON schema, one in the pre-v2 naming), export → import round trips of
//! every package in examples/ and of converted real data, what the export says where CDF has a
//! place for it, determinism, and refused input. `cdf_standard.rs` runs the standard's own
//! validators on the exports.

use std::path::{Path, PathBuf};

use ashyq_convert::cdf::{
    export_civics_xml, export_json, export_json_text, export_xml, ExportError, ExportOptions,
    LanguageText, Named, Names, OcdIds, OneLanguage,
};
use ashyq_convert::{convert, SourceFormat};
use ashyq_core::counts::Totals;
use ashyq_core::line::ProtocolLine;
use ashyq_package::{read_package, Package};
use serde_json::Value;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The package as NIST CDF JSON, its names in English with their translations (names.csv), no
/// OCD-IDs beyond the country.
fn export_cdf(p: &Package, generated: &str) -> Value {
    let names = ashyq_convert::cdf::Translated {
        election: &p.election,
        tree: &p.tree,
        language: "en".into(),
    };
    let ocd = OcdIds::new();
    export_json(&p.election, &p.tree, &p.counts, &ExportOptions::new(generated, &names, &ocd))
        .expect("exports")
}

fn import(src: &Path, out: &Path) -> Package {
    convert(SourceFormat::Cdf, src, out, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("converts: {e}"));
    read_package(out).unwrap_or_else(|d| panic!("reads back: {d}"))
}

fn root_totals(p: &Package, ci: usize) -> Totals {
    let c = &p.election.contests()[ci];
    p.counts[ci]
        .roll_up(&p.tree, c.territory())
        .expect("roll")
        .at(c.territory())
        .expect("root")
        .clone()
}

fn example(name: &str) -> Package {
    read_package(&manifest().join("../../examples").join(name)).expect("example")
}

#[test]
fn v2_report_imports_with_kinds_tree_and_totals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p =
        import(&manifest().join("test_data/cdf/kz-demo-precincts-v2.json"), &tmp.path().join("p"));
    let e = &p.election;
    assert_eq!((e.date(), e.rules().name()), ("2026-03-01", "none"));
    let kinds: Vec<(&str, &str, Option<u32>)> =
        e.contests().iter().map(|c| (c.id().as_str(), c.kind().name(), c.seats())).collect();
    assert_eq!(
        kinds,
        [
            ("contest-president", "presidential", None),
            ("contest-assembly", "party-list", Some(10)),
            ("contest-ref", "referendum", None)
        ]
    );
    let p3 = p.tree.index_of("ru-p3").expect("precinct");
    assert_eq!(p.tree.unit(p.tree.unit(p3).parent.expect("parent")).kind, "district");
    assert_eq!(p.tree.unit(p3).name, "Precinct 3", "InternationalizedText name");
    // President: early + election-day votes summed at each precinct (no "total" given).
    let t = root_totals(&p, 0);
    assert_eq!((t.option(0), t.option(1), t.option(2)), (Some(1510), Some(750), Some(170)));
    assert_eq!(t.line(ProtocolLine::Registered), Some(3500), "VotersRegistered");
    assert_eq!(t.line(ProtocolLine::BallotsIssued), Some(2480), "VotersParticipated");
    // The election's BallotCounts (p2 given as early + election-day): ballots cast = found.
    assert_eq!(t.line(ProtocolLine::BallotsFound), Some(605 + 559 + 940 + 347));
    assert_eq!(t.line(ProtocolLine::Invalid), Some(21));
    assert_eq!(e.contests()[0].options()[0].name, "Aliya Seitkali");
    // NIST v2 has ballot counts per election, not per contest: the referendum gets the same.
    let r = root_totals(&p, 2);
    let c = &e.contests()[2];
    assert_eq!(r.option(c.option_index("yes").expect("yes")), Some(1750));
    assert_eq!(r.option(c.option_index("no").expect("no")), Some(640));
    assert_eq!(r.line(ProtocolLine::Invalid), Some(21));
    assert_eq!(root_totals(&p, 1).option(0), Some(1180));
}

#[test]
fn pre_v2_report_imports_with_its_per_contest_summary_counts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = import(
        &manifest().join("test_data/cdf/kz-demo-precincts-pre-v2.json"),
        &tmp.path().join("p"),
    );
    let t = root_totals(&p, 0);
    assert_eq!((t.option(0), t.option(1), t.option(2)), (Some(1510), Some(750), Some(170)));
    assert_eq!(t.line(ProtocolLine::Registered), Some(3500), "VotersRegistered");
    assert_eq!(t.line(ProtocolLine::BallotsFound), Some(1510 + 750 + 170 + 21), "BallotsCast");
    assert_eq!(t.line(ProtocolLine::BallotsIssued), None, "not in the report, not guessed");
    assert_eq!(t.line(ProtocolLine::Invalid), Some(21));
    assert_eq!(root_totals(&p, 2).line(ProtocolLine::Invalid), Some(15 + 10 + 20 + 5));
    assert_eq!(p.tree.unit(p.tree.index_of("ru-d1").expect("d1")).name, "North District");
}

#[test]
fn every_example_package_round_trips_through_cdf() {
    let examples = manifest().join("../../examples");
    let mut n = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&examples)
        .expect("examples/")
        .map(|d| d.expect("entry").path())
        .collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.join("election.toml").is_file()) {
        let original = read_package(&dir).unwrap_or_else(|d| panic!("{}: {d}", dir.display()));
        let report = export_cdf(&original, "2026-01-01T00:00:00Z");
        assert_eq!(report["@type"], "ElectionResults.ElectionReport");
        assert_eq!(
            report["Election"][0]["ElectionScopeId"],
            format!("ru-{}", original.tree.unit(0).id)
        );
        let tmp = tempfile::tempdir().expect("tempdir");
        let json = tmp.path().join("report.json");
        std::fs::write(&json, serde_json::to_string_pretty(&report).expect("json")).expect("write");
        let back = import(&json, &tmp.path().join("back"));
        assert_eq!(back.election, original.election, "{}: election definition", dir.display());
        assert_eq!(back.tree, original.tree, "{}: units", dir.display());
        assert_eq!(back.counts, original.counts, "{}: counts", dir.display());
        n += 1;
    }
    assert!(n >= 6, "round-tripped {n} example packages");
}

#[test]
fn converted_real_data_round_trips_too() {
    // A converted package (station protocols, an against-all option, Cyrillic names) through
    // CDF and back: the committed Bulgarian excerpt.
    let tmp = tempfile::tempdir().expect("tempdir");
    let pkg = tmp.path().join("bg");
    convert(
        SourceFormat::BulgariaCik,
        &manifest().join("test_data/bulgaria/20210711"),
        &pkg,
        &mut |_, _| {},
    )
    .expect("bg");
    let original = read_package(&pkg).expect("reads");
    assert!(original.election.contests()[0].against_all().is_some(), "has against-all");
    let json = tmp.path().join("bg.json");
    std::fs::write(&json, export_cdf(&original, "2026-01-01T00:00:00Z").to_string())
        .expect("write");
    let back = import(&json, &tmp.path().join("back"));
    assert_eq!(back.election, original.election);
    assert_eq!(back.tree, original.tree);
    assert_eq!(back.counts, original.counts);
}

/// Where CDF has a place for a number, the standard field carries it (not only the extension).
#[test]
fn standard_fields_carry_names_votes_voters_and_ballots() {
    let p = example("kz-2023-03-19-mazhilis");
    let r = export_cdf(&p, "2023-03-20T06:00:00+05:00");
    assert_eq!(r["GeneratedDate"], "2023-03-20T06:00:00+05:00");
    let e = &r["Election"][0];
    assert_eq!(e["Name"]["Text"][0]["Content"], "Mazhilis election 2023, party-list tier");
    assert_eq!(e["Name"]["Text"][0]["Language"], "en");
    let kz = &r["GpUnit"][0];
    assert_eq!((kz["@id"].as_str(), kz["Type"].as_str()), (Some("ru-KZ"), Some("country")));
    assert_eq!(kz["VotersRegistered"], 12_035_578);
    assert_eq!(kz["VotersParticipated"], 6_521_860, "ballots issued = voters who took part");
    let ids = kz["ExternalIdentifier"].as_array().expect("ids");
    assert!(ids.iter().any(|i| i["Type"] == "ocd-id" && i["Value"] == "ocd-division/country:kz"));
    assert!(ids.iter().any(|i| i["Type"] == "local-level" && i["Value"] == "KZ"));
    let region = &r["GpUnit"][1];
    assert_eq!(
        (region["Type"].as_str(), region["OtherType"].as_str()),
        (Some("other"), Some("region"))
    );
    assert!(
        !region["ExternalIdentifier"]
            .as_array()
            .expect("ids")
            .iter()
            .any(|i| i["Type"] == "ocd-id"),
        "no OCD-ID the caller did not vouch for"
    );
    let total = e["BallotCounts"]
        .as_array()
        .expect("ballot counts")
        .iter()
        .find(|b| b["Type"] == "total")
        .expect("total");
    assert_eq!(
        (total["GpUnitId"].as_str(), &total["BallotsRejected"]),
        (Some("ru-KZ"), &155_419.into())
    );
    assert!(total.get("BallotsCast").is_none(), "ballots found are not in the package");
    let c = &e["Contest"][0];
    assert_eq!(c["@type"], "ElectionResults.PartyContest");
    assert_eq!(c["VoteVariation"], "proportional");
    let sel = c["ContestSelection"].as_array().expect("selections");
    assert_eq!(sel[0]["@type"], "ElectionResults.PartySelection");
    assert_eq!(sel[0]["VoteCounts"][0]["Count"], 3_431_510);
    assert_eq!(sel[0]["VoteCounts"][0]["GpUnitId"], "ru-KZ");
    let against = sel.last().expect("against all");
    assert_eq!(against["@type"], "ElectionResults.BallotMeasureSelection", "not a fake party");
    assert_eq!(against["Selection"]["Text"][0]["Content"], "Against all");
    let parties = r["Party"].as_array().expect("parties");
    assert_eq!(parties.len(), 7, "seven lists, no party called \"Against all\"");

    let p = example("kz-2022-11-20-presidential");
    let r = export_cdf(&p, "2022-11-21T00:00:00Z");
    let c = &r["Election"][0]["Contest"][0];
    assert_eq!(c["@type"], "ElectionResults.CandidateContest");
    assert_eq!((c["VoteVariation"].as_str(), &c["NumberRunoff"]), (Some("majority"), &2.into()));
    let k = &r["Election"][0]["Candidate"][0];
    assert_eq!(k["BallotName"]["Text"][0]["Content"], "Kassym-Jomart Tokayev");
    let person =
        r["Person"].as_array().expect("persons").iter().find(|x| x["@id"] == k["PersonId"]);
    assert_eq!(person.expect("person")["FullName"], k["BallotName"]);

    let p = example("kz-2022-06-05-referendum");
    let r = export_cdf(&p, "2022-06-06T00:00:00Z");
    let e = &r["Election"][0];
    assert_eq!(
        (e["Type"].as_str(), e["OtherType"].as_str()),
        (Some("other"), Some("republican-referendum"))
    );
    assert_eq!(e["Contest"][0]["Type"], "referendum");
}

struct ThreeLanguages;

impl Names for ThreeLanguages {
    fn texts(&self, of: Named<'_>) -> Vec<LanguageText> {
        ["kk", "ru", "en"]
            .iter()
            .map(|l| LanguageText {
                language: (*l).to_owned(),
                text: format!("{} [{l}]", of.package_name()),
            })
            .collect()
    }
}

#[test]
fn names_take_every_language_a_name_source_gives() {
    let p = example("kz-2023-03-19-mazhilis");
    let ocd = OcdIds::new();
    let opts = ExportOptions::new("2023-03-20T00:00:00Z", &ThreeLanguages, &ocd);
    let r = export_json(&p.election, &p.tree, &p.counts, &opts).expect("json");
    let texts = r["GpUnit"][0]["Name"]["Text"].as_array().expect("texts");
    let langs: Vec<&str> = texts.iter().filter_map(|t| t["Language"].as_str()).collect();
    assert_eq!(langs, ["kk", "ru", "en"]);
    assert_eq!(texts[0]["Content"], "Kazakhstan [kk]");
    let xml = export_xml(&p.election, &p.tree, &p.counts, &opts).expect("xml");
    assert!(xml.contains("<Text Language=\"ru\">Kazakhstan [ru]</Text>"), "NIST XML");
    let civics = export_civics_xml(&p.election, &p.tree, &p.counts, &opts).expect("civics");
    assert!(civics.contains("<Text language=\"en\">Kazakhstan [en]</Text>"), "Google's profile");
}

struct Bad(&'static str, &'static str);

impl Names for Bad {
    fn texts(&self, _: Named<'_>) -> Vec<LanguageText> {
        vec![
            LanguageText { language: self.0.into(), text: "x".into() },
            LanguageText { language: self.1.into(), text: "y".into() },
        ]
    }
}

#[test]
fn unusable_options_are_refused_with_a_sentence() {
    let p = example("kz-2022-06-05-referendum");
    let ocd = OcdIds::new();
    let en = OneLanguage { language: "en".into() };
    let run = |opts: &ExportOptions<'_>| export_json(&p.election, &p.tree, &p.counts, opts);
    let e = run(&ExportOptions::new("2022-06-06", &en, &ocd)).expect_err("date only");
    assert!(matches!(e, ExportError::GeneratedDate(_)), "{e}");
    assert!(e.to_string().starts_with("generated date \"2022-06-06\" is not an RFC 3339"), "{e}");
    let e = run(&ExportOptions::new("2022-06-06T00:00:00Z", &Bad("en", "EN"), &ocd))
        .expect_err("two English texts");
    assert_eq!(e.to_string(), "name of unit KZ: two texts in \"EN\"");
    let e = run(&ExportOptions::new("2022-06-06T00:00:00Z", &Bad("en", "english"), &ocd))
        .expect_err("bad tag");
    assert!(e.to_string().contains("\"english\" is not a BCP 47 language tag"), "{e}");
    let mut opts = ExportOptions::new("2022-06-06T00:00:00Z", &en, &ocd);
    opts.issuer = " ";
    assert!(matches!(run(&opts), Err(ExportError::Option(_))));
    let fewer = &p.counts[..0];
    let e = export_json(
        &p.election,
        &p.tree,
        fewer,
        &ExportOptions::new("2022-06-06T00:00:00Z", &en, &ocd),
    )
    .expect_err("counts of another election");
    assert_eq!(e.to_string(), "counts do not match the election: 1 contests but counts for 0");
}

#[test]
fn exports_are_deterministic() {
    let p = example("kz-2019-06-09-presidential");
    let names = OneLanguage { language: "en".into() };
    let mut ocd = OcdIds::new();
    ocd.insert("ocd-division/country:kz/region:akm");
    let opts = ExportOptions::new("2019-06-10T00:00:00+06:00", &names, &ocd);
    let twice = |f: &dyn Fn() -> String| assert_eq!(f(), f());
    twice(&|| export_json(&p.election, &p.tree, &p.counts, &opts).expect("json").to_string());
    twice(&|| export_xml(&p.election, &p.tree, &p.counts, &opts).expect("xml"));
    twice(&|| export_civics_xml(&p.election, &p.tree, &p.counts, &opts).expect("civics"));
    let xml = export_xml(&p.election, &p.tree, &p.counts, &opts).expect("xml");
    assert!(xml.contains("<Value>ocd-division/country:kz/region:akm</Value>"), "vouched OCD-ID");
    // The text and the Value come from the same writer.
    let value = export_json(&p.election, &p.tree, &p.counts, &opts).expect("json");
    for pretty in [false, true] {
        let text = export_json_text(&p.election, &p.tree, &p.counts, &opts, pretty).expect("text");
        let again = if pretty {
            serde_json::to_string_pretty(&value).expect("pretty")
        } else {
            value.to_string()
        };
        assert_eq!(text, again);
    }
}

#[test]
fn errors_name_the_file_and_the_json_path_or_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"Election\": [\n    {,}\n  ]\n}\n").expect("write");
    let e = convert(SourceFormat::Cdf, &bad, &tmp.path().join("o"), &mut |_, _| {})
        .expect_err("syntax");
    assert!(e.to_string().starts_with("bad.json:3: invalid JSON"), "{e}");
    let text = std::fs::read_to_string(manifest().join("test_data/cdf/kz-demo-precincts-v2.json"))
        .expect("read");
    let unknown_unit = text.replacen("\"GpUnitId\": \"ru-p2\"", "\"GpUnitId\": \"ru-p9\"", 1);
    std::fs::write(&bad, unknown_unit).expect("write");
    let e = convert(SourceFormat::Cdf, &bad, &tmp.path().join("o"), &mut |_, _| {})
        .expect_err("unknown unit");
    assert_eq!(
        e.to_string(),
        "bad.json: $.Election[0].Contest[0].ContestSelection[0].VoteCounts[2].GpUnitId: \"ru-p9\" is not a GpUnit of the report"
    );
    assert!(!tmp.path().join("o").exists());

    // An Ashyq extension count naming a contest the report does not have.
    let mut r = export_cdf(&example("kz-2023-03-19-mazhilis"), "2023-03-20T00:00:00Z");
    let counts = r["Election"][0]["BallotCounts"].as_array_mut().expect("counts");
    let i = counts.iter().position(|b| b["Type"] == "other").expect("an extension count");
    counts[i]["OtherType"] = "ashyq-registered:senate".into();
    std::fs::write(&bad, r.to_string()).expect("write");
    let e = convert(SourceFormat::Cdf, &bad, &tmp.path().join("o"), &mut |_, _| {})
        .expect_err("unknown contest");
    assert_eq!(
        e.to_string(),
        format!("bad.json: $.Election[0].BallotCounts[{i}]: names contest \"senate\", which is not a contest of the election")
    );
}
