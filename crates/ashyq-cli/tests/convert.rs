//! `ashyq convert` end to end: izbirkom (a 200-row excerpt of a Russian file written to a temp
//! folder at test time — the Russian data is never committed), the committed Georgian and
//! Bulgarian excerpts, CDF export and import, overwrite protection and bad input; then `ashyq
//! check` and `ashyq outcome` on a converted package.

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

#[test]
fn help_shows_both_directions() {
    let o = ashyq(&["convert", "--help"]);
    let h = out_s(&o);
    for w in ["--from", "--to", "izbirkom", "georgia-cec", "bulgaria-cik", "cdf", "--force"] {
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
