//! NIST SP 1500-100 v2 JSON: import of a hand-written third-party-style report
//! (test_data/cdf), and export → import round trips of every package in examples/.

use std::path::{Path, PathBuf};

use ashyq_convert::cdf::export_cdf;
use ashyq_convert::{convert, SourceFormat};
use ashyq_core::line::ProtocolLine;
use ashyq_package::{read_package, Package};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn import(src: &Path, out: &Path) -> Package {
    convert(SourceFormat::Cdf, src, out, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("converts: {e}"));
    read_package(out).unwrap_or_else(|d| panic!("reads back: {d}"))
}

#[test]
fn hand_written_report_imports_with_kinds_tree_and_totals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = import(&manifest().join("test_data/cdf/kz-demo-precincts.json"), &tmp.path().join("p"));
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
    let totals = |ci: usize| {
        let c = &e.contests()[ci];
        p.counts[ci]
            .roll_up(&p.tree, c.territory())
            .expect("roll")
            .at(c.territory())
            .expect("root")
            .clone()
    };
    // President: early + election-day summed at each precinct (no "total" given).
    let t = totals(0);
    assert_eq!((t.option(0), t.option(1), t.option(2)), (Some(1510), Some(750), Some(170)));
    assert_eq!(t.line(ProtocolLine::Registered), Some(3500), "VotersRegistered of the precincts");
    assert_eq!(t.line(ProtocolLine::Invalid), Some(21));
    assert_eq!(t.line(ProtocolLine::BallotsIssued), Some(1510 + 750 + 170 + 21));
    assert_eq!(e.contests()[0].options()[0].name, "Aliya Seitkali");
    let r = totals(2);
    let c = &e.contests()[2];
    assert_eq!(r.option(c.option_index("yes").expect("yes")), Some(1750));
    assert_eq!(r.option(c.option_index("no").expect("no")), Some(640));
    assert_eq!(totals(1).option(0), Some(1180));
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
        assert_eq!(report["Election"][0]["ElectionScopeId"], original.tree.unit(0).id.as_str());
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
    // A converted package (with summary-free station protocols and an against-all option) through
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
    let json = tmp.path().join("bg.json");
    std::fs::write(&json, export_cdf(&original, "2026-01-01T00:00:00Z").to_string())
        .expect("write");
    let back = import(&json, &tmp.path().join("back"));
    assert_eq!(back.election, original.election);
    assert_eq!(back.tree, original.tree);
    assert_eq!(back.counts, original.counts);
}

#[test]
fn errors_name_the_file_and_the_json_path_or_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"Election\": [\n    {,}\n  ]\n}\n").expect("write");
    let e = convert(SourceFormat::Cdf, &bad, &tmp.path().join("o"), &mut |_, _| {})
        .expect_err("syntax");
    assert!(e.to_string().starts_with("bad.json:3: invalid JSON"), "{e}");
    let text = std::fs::read_to_string(manifest().join("test_data/cdf/kz-demo-precincts.json"))
        .expect("read");
    let text = text.replacen("\"GpUnitId\": \"ru-p2\"", "\"GpUnitId\": \"ru-p9\"", 1);
    std::fs::write(&bad, text).expect("write");
    let e = convert(SourceFormat::Cdf, &bad, &tmp.path().join("o"), &mut |_, _| {})
        .expect_err("unknown unit");
    assert_eq!(
        e.to_string(),
        "bad.json: $.Election[0].Contest[0].BallotSelection[0].VoteCounts[2].GpUnitId: \"ru-p9\" is not a GpUnit of the report"
    );
    assert!(!tmp.path().join("o").exists());
}
