//! `ashyq convert` end to end: izbirkom (a 200-row excerpt of a Russian file written to a temp
//! folder at test time — the Russian data is never committed), the committed Georgian and
//! Bulgarian excerpts, CDF export and import, overwrite protection and bad input; then `ashyq
//! check` and `ashyq outcome` on a converted package. The CDF exports of a generated
//! station-level election go through the standard's own validators (as in
//! `crates/ashyq-convert/tests/cdf_standard.rs`, driver `cdf_validators.py` there).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().expect("run ashyq")
}

fn out_s(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err_s(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn ingest_test_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ashyq-convert/test_data")
}

/// ../shared/data, or None (with the skip message) when absent outside CI.
fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared/data is not present, and CI is set: the real-data tests must run in CI");
    }
    eprintln!("skipped: ../shared/data not present");
    None
}

/// The header and first `n` rows of a Russian file, as plain CSV in `dir`.
fn russian_excerpt(data: &Path, year: u32, n: usize, dir: &Path) -> PathBuf {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(
        std::fs::File::open(data.join(format!("russia-kobak-shpilkin/russia_{year}.csv.gz")))
            .expect("open"),
    )
    .read_to_string(&mut text)
    .expect("gunzip");
    let excerpt: String = text.split_inclusive('\n').take(n + 1).collect();
    let path = dir.join(format!("russia_{year}_excerpt.csv"));
    std::fs::write(&path, excerpt).expect("write excerpt");
    path
}

#[test]
fn izbirkom_excerpt_converts_checks_and_has_no_legal_outcome() {
    let Some(data) = data_dir() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = russian_excerpt(&data, 2018, 200, tmp.path());
    let pkg = tmp.path().join("ru2018");
    let o = ashyq(&["convert", "--from", "izbirkom", p(&src), "--out", p(&pkg)]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    assert!(err_s(&o).contains("200 protocols"), "{}", err_s(&o));
    let units = std::fs::read_to_string(pkg.join("units.csv")).expect("units");
    assert!(units.contains("RU-R01-T001-U1,RU-R01-T001,station,УИК №1"));
    // check: rules none, but the arithmetic runs. Real protocols do not all add up.
    let o = ashyq(&["check", p(&pkg), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out_s(&o)).expect("check json");
    let problems = v["problems"].as_array().expect("problems");
    assert!(
        problems.iter().all(|x| x["code"] != "P1"),
        "the converted package is valid: {problems:?}"
    );
    assert_eq!(o.status.code(), Some(if problems.is_empty() { 0 } else { 1 }));
    let o = ashyq(&["outcome", p(&pkg), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    let v: serde_json::Value = serde_json::from_str(&out_s(&o)).expect("outcome json");
    assert_eq!(v["rules"], "none");
    assert_eq!(v["contests"][0]["kind"], "presidential");
    assert_eq!(
        v["contests"][0]["winner"],
        serde_json::Value::Null,
        "no legal outcome under rules none"
    );
}

#[test]
fn georgian_and_bulgarian_excerpts_convert_and_check() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ge = tmp.path().join("ge");
    let src = ingest_test_data().join("georgia/cec_scrape_proportional_excerpt.csv");
    let o = ashyq(&["convert", "--from", "georgia-cec", p(&src), "--out", p(&ge)]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    let o = ashyq(&["check", p(&ge), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out_s(&o)).expect("json");
    // CEC turnout below the valid votes at some precincts (V1), no registered voters abroad (R5).
    let codes: Vec<&str> =
        v["problems"].as_array().expect("list").iter().filter_map(|x| x["code"].as_str()).collect();
    assert!(codes.iter().all(|c| ["V1", "R5"].contains(c)), "{codes:?}");
    let bg = tmp.path().join("bg");
    let src = ingest_test_data().join("bulgaria/20210711");
    let o = ashyq(&["convert", "--from", "bulgaria-cik", p(&src), "--out", p(&bg)]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    let o = ashyq(&["outcome", p(&bg), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out_s(&o)).expect("json");
    assert_eq!(v["election"], "bg-2021-07-11");
    assert_eq!(v["contests"][0]["kind"], "party-list");
}

#[test]
fn cdf_export_and_import_round_trip_through_the_cli() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let example =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/kz-2023-03-19-mazhilis");
    let json = tmp.path().join("mazhilis.json");
    let o = ashyq(&["convert", "--to", "cdf", p(&example), "--out", p(&json)]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    let back = tmp.path().join("back");
    let o = ashyq(&["convert", "--from", "cdf", p(&json), "--out", p(&back)]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    let a = ashyq(&["outcome", p(&example), "--format", "json"]);
    let b = ashyq(&["outcome", p(&back), "--format", "json"]);
    assert_eq!(out_s(&a), out_s(&b), "same outcome after the round trip");
    assert!(out_s(&a).contains("\"amanat\": 40"), "Mazhilis 2023: Amanat 40 seats");
}

#[test]
fn refuses_to_overwrite_and_writes_nothing_on_bad_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = ingest_test_data().join("georgia/cec_scrape_proportional_excerpt.csv");
    let out = tmp.path().join("ge");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join("keep.txt"), "mine").expect("write");
    let o = ashyq(&["convert", "--from", "georgia-cec", p(&src), "--out", p(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err_s(&o).contains("not empty") && err_s(&o).contains("--force"), "{}", err_s(&o));
    assert!(out.join("keep.txt").is_file(), "left alone");
    let o = ashyq(&["convert", "--from", "georgia-cec", p(&src), "--out", p(&out), "--force"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", err_s(&o));
    assert!(out.join("counts.csv").is_file() && !out.join("keep.txt").exists());

    let text = std::fs::read_to_string(&src).expect("read");
    let bad = tmp.path().join("bad.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[5] = lines[5].replacen(",proportional,", ",proportional,-3", 1);
    std::fs::write(&bad, lines.join("\n")).expect("write");
    let out2 = tmp.path().join("never");
    let o = ashyq(&["convert", "--from", "georgia-cec", p(&bad), "--out", p(&out2)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err_s(&o).contains("bad.csv:6: field total_registered_voters"), "{}", err_s(&o));
    assert!(!out2.exists(), "nothing written");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("ashyq-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary folder left behind");
}

/// The CDF validators' driver, or `None` (with the skip message) outside CI when they are not
/// installed (`pip install jsonschema lxml civics-cdf-validator==1.66`, done by .ci/run).
fn cdf_validators() -> Option<PathBuf> {
    let script = ingest_test_data().join("../tests/cdf_validators.py");
    match Command::new("python3").arg(&script).arg("check").output() {
        Ok(o) if o.status.success() => Some(script),
        other => {
            let why = other.map_or_else(|e| e.to_string(), |o| out_s(&o));
            assert!(
                std::env::var_os("CI").is_none(),
                "the CDF validators are not available ({why}), and CI is set"
            );
            eprintln!("skipped: CDF validators not available ({})", why.trim());
            None
        }
    }
}

/// Runs a mode of the validators' driver; panics with its output unless every file passes.
fn validate(script: &Path, mode: &str, schema: &Path, files: &[&Path]) {
    let o = Command::new("python3")
        .arg(script)
        .arg(mode)
        .arg(schema)
        .args(files)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{mode} {}: {}{}", schema.display(), out_s(&o), err_s(&o));
}

/// `civics_cdf_validator … --rule_set election_results` reports no fatal and no error.
fn civics_clean(xml: &Path, ocd: &Path) {
    let cdf = ingest_test_data().join("cdf");
    let o = Command::new("civics_cdf_validator")
        .args(["validate", p(xml), "--xsd"])
        .arg(cdf.join("civics_cdf_spec.xsd"))
        .arg("--ocdid_file")
        .arg(ocd)
        .args(["-c", "kz", "--rule_set", "election_results"])
        .output()
        .expect("civics_cdf_validator");
    let text = out_s(&o);
    assert!(
        text.contains(" 0 Fatal message found") && text.contains(" 0 Error message found"),
        "{}: {text}",
        xml.display()
    );
    assert!(o.status.code().is_some_and(|c| c < 3), "{text}");
}

/// A generated station-level election (`ashyq generate --stations 1000 --seed 1`, and one with
/// both contests at every station and stations abroad) exported by the CLI in all three CDF
/// forms passes the NIST JSON schema, the NIST XSD and civics_cdf_validator, and the JSON
/// converts back to the same package.
#[test]
fn cdf_exports_of_a_generated_station_level_election_pass_the_validators() {
    use ashyq_convert::cdf::{derived_ocd_id, STATION_KINDS};
    let tmp = tempfile::tempdir().expect("tempdir");
    let cdf = ingest_test_data().join("cdf");
    let script = cdf_validators();
    for (name, extra) in
        [("gen", &[][..]), ("gen2", &["--contests", "mazhilis,president", "--abroad", "5"][..])]
    {
        let pkg = tmp.path().join(name);
        let mut args = vec!["generate", "--stations", "1000", "--seed", "1", "--out", p(&pkg)];
        args.extend_from_slice(extra);
        let o = ashyq(&args);
        assert_eq!(o.status.code(), Some(0), "{}", err_s(&o));
        // The OCD-IDs to vouch for: upstream's, the proposed regions', and the synthetic
        // districts' (fictional: derived by the export's own rule, so only their syntax,
        // case and uniqueness are checked).
        let package = ashyq_package::read_package(&pkg).expect("generated package");
        let mut ocd = std::fs::read_to_string(cdf.join("ocd-division-ids-country-kz.csv"))
            .expect("upstream list");
        let proposed =
            std::fs::read_to_string(cdf.join("ocd-division-ids-country-kz-proposed.csv"))
                .expect("proposed list");
        ocd.push_str(proposed.split_once('\n').map_or("", |(_, r)| r));
        let mut districts = 0;
        for (i, u) in package.tree.units().iter().enumerate() {
            if u.kind == "district" {
                let id = derived_ocd_id(&package.tree, i).expect("a district has an OCD-ID");
                ocd.push_str(&format!("{id},{}\n", u.name));
                districts += 1;
            }
            assert_eq!(
                derived_ocd_id(&package.tree, i).is_none(),
                STATION_KINDS.contains(&u.kind.as_str()),
                "{}",
                u.id
            );
        }
        assert!(districts >= 20, "{districts} districts");
        let ocd_file = tmp.path().join(format!("{name}-ocd.csv"));
        std::fs::write(&ocd_file, ocd).expect("write");

        let json = tmp.path().join(format!("{name}.json"));
        let xml = tmp.path().join(format!("{name}.xml"));
        let civics = tmp.path().join(format!("{name}.civics.xml"));
        for (to, out) in [("cdf", &json), ("cdf-xml", &xml), ("civics-cdf-xml", &civics)] {
            let o = ashyq(&[
                "convert",
                "--to",
                to,
                p(&pkg),
                "--out",
                p(out),
                "--ocd-ids",
                p(&ocd_file),
                "--language",
                "en",
                "--status",
                "unofficial-partial",
            ]);
            assert_eq!(o.status.code(), Some(0), "--to {to}: {}", err_s(&o));
        }
        let text = std::fs::read_to_string(&civics).expect("read");
        let units = text.matches("xsi:type=\"ReportingUnit\"").count();
        let places = text.matches("<Type>polling-place</Type>").count();
        assert_eq!(units, package.tree.len());
        assert_eq!(places, package.tree.units().iter().filter(|u| u.kind == "station").count());
        assert_eq!(text.matches("<Type>ocd-id</Type>").count(), units - places);

        let back = tmp.path().join(format!("{name}-back"));
        let o = ashyq(&["convert", "--from", "cdf", p(&json), "--out", p(&back)]);
        assert_eq!(o.status.code(), Some(0), "{}", err_s(&o));
        let again = ashyq_package::read_package(&back).expect("converted back");
        assert_eq!(again.election, package.election, "{name}: definition");
        assert_eq!(again.tree, package.tree, "{name}: units");
        assert_eq!(again.counts, package.counts, "{name}: counts");

        let Some(script) = &script else { continue };
        validate(script, "json", &cdf.join("NIST_V2_election_results_reporting.json"), &[&json]);
        validate(script, "xsd", &cdf.join("NIST_V2_election_results_reporting.xsd"), &[&xml]);
        validate(script, "xsd", &cdf.join("civics_cdf_spec.xsd"), &[&civics]);
        validate(script, "ocd", &ocd_file, &[&civics]);
        civics_clean(&civics, &ocd_file);
    }
}

#[test]
fn cdf_export_options_are_checked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let example =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/kz-2022-06-05-referendum");
    let out = tmp.path().join("r.xml");
    let o = ashyq(&[
        "convert",
        "--to",
        "cdf-xml",
        p(&example),
        "--out",
        p(&out),
        "--generated-date",
        "2022-06-06",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err_s(&o).contains("generated date \"2022-06-06\" is not an RFC 3339"),
        "{}",
        err_s(&o)
    );
    let o =
        ashyq(&["convert", "--to", "cdf", p(&example), "--out", p(&out), "--language", "kazakh"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err_s(&o).contains("--language: \"kazakh\" is not a BCP 47 language tag"),
        "{}",
        err_s(&o)
    );
    let missing = tmp.path().join("none.csv");
    let o =
        ashyq(&["convert", "--to", "cdf", p(&example), "--out", p(&out), "--ocd-ids", p(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err_s(&o).contains("none.csv"), "{}", err_s(&o));
    assert!(!out.exists(), "nothing written");
    let o = ashyq(&[
        "convert",
        "--to",
        "cdf-xml",
        p(&example),
        "--out",
        p(&out),
        "--language",
        "kk",
        "--status",
        "certified",
        "--issuer",
        "Central Election Commission",
        "--issuer-abbreviation",
        "CEC",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err_s(&o));
    let xml = std::fs::read_to_string(&out).expect("read");
    for s in [
        "<Status>certified</Status>",
        "<Issuer>Central Election Commission</Issuer>",
        "<Text Language=\"kk\">",
        "<GeneratedDate>2022-06-05T00:00:00Z</GeneratedDate>",
    ] {
        assert!(xml.contains(s), "{s} in {xml}");
    }
}

#[test]
fn help_shows_both_directions() {
    let o = ashyq(&["convert", "--help"]);
    let h = out_s(&o);
    for w in [
        "--from",
        "--to",
        "izbirkom",
        "georgia-cec",
        "bulgaria-cik",
        "cdf",
        "cdf-xml",
        "civics-cdf-xml",
        "--ocd-ids",
        "--language",
        "--force",
    ] {
        assert!(h.contains(w), "help mentions {w}: {h}");
    }
    let o = ashyq(&["convert", "x", "--out", "y"]);
    assert_eq!(o.status.code(), Some(2), "--from or --to is required");
}

/// An independent check of the list-seat rule on real station-level data: Russia's 2021 Duma
/// federal list tier also allocates 225 seats by a 5% threshold and Hare largest remainders.
/// Converting the CEC's station protocols and applying Ashyq's kz-2022 list rule must give the
/// official allocation: United Russia 126, KPRF 48, LDPR 19, A Just Russia 19, New People 13
/// (CEC of Russia, 24 Sep 2021).
#[test]
fn duma_2021_list_seats_reproduce_under_the_hare_rule() {
    let Some(data) = data_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ru-2021");
    let source = data.join("russia-kobak-shpilkin/russia_2021.csv.gz");
    let ashyq = env!("CARGO_BIN_EXE_ashyq");
    let convert = Command::new(ashyq)
        .args([
            "convert",
            "--from",
            "izbirkom",
            source.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(convert.status.success(), "{}", String::from_utf8_lossy(&convert.stderr));
    // 344 of the 96,325 protocols fail the Kazakh ballot-accounting check R3 (Russian protocols
    // also count lost and unaccounted ballots): without --ignore-checks no outcome is declared.
    let refused = Command::new(ashyq)
        .args(["outcome", out.to_str().unwrap(), "--rules", "kz-2022"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let outcome = Command::new(ashyq)
        .args([
            "outcome",
            out.to_str().unwrap(),
            "--rules",
            "kz-2022",
            "--ignore-checks",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(outcome.status.success(), "{}", String::from_utf8_lossy(&outcome.stderr));
    let v: serde_json::Value = serde_json::from_slice(&outcome.stdout).unwrap();
    let failed = v["failed_checks"].as_array().unwrap();
    assert_eq!(failed.len(), 344);
    assert!(failed.iter().all(|f| f["code"] == "R3"));
    assert_eq!(v["hypothetical"], true);
    let list =
        v["contests"].as_array().unwrap().iter().find(|c| c["kind"] == "party-list").unwrap();
    assert_eq!(list["seats_total"], 225);
    let mut won: Vec<(String, u64)> = list["seats"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, s)| s.as_u64() != Some(0))
        .map(|(id, s)| (id.clone(), s.as_u64().unwrap()))
        .collect();
    won.sort_by_key(|w| std::cmp::Reverse(w.1));
    let seats: Vec<u64> = won.iter().map(|(_, s)| *s).collect();
    assert_eq!(seats, [126, 48, 19, 19, 13], "{won:?}");
    // The two largest are United Russia (ballot no. 5) and KPRF (ballot no. 1).
    assert_eq!(won[0].0, "party-05");
    assert_eq!(won[1].0, "party-01");
}
