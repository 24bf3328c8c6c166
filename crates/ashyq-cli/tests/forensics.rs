//! `ashyq forensics` end to end: published figures reproduced on the Russian station data,
//! clean and doctored generated elections, determinism, figures, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

fn ashyq(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ashyq")).args(args).output().expect("run ashyq")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// ../shared/data, or None (with the skip message) when absent outside CI.
fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!("../shared/data is not present, and CI is set: the real-data tests must run in CI");
    }
    eprintln!("skipped: ../shared/data not present");
    None
}

fn forensics_json(pkg: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["forensics", p(pkg), "--format", "json"];
    args.extend_from_slice(extra);
    let o = ashyq(&args);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o.stderr));
    (o.status.code(), serde_json::from_slice(&o.stdout).expect("json"))
}

fn convert_russia(year: u32, dir: &Path) -> Option<PathBuf> {
    let data = data_dir()?;
    let src = data.join(format!("russia-kobak-shpilkin/russia_{year}.csv.gz"));
    let out = dir.join(format!("ru{year}"));
    let o = ashyq(&["convert", "--from", "izbirkom", p(&src), "--out", p(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    Some(out)
}

/// Published Monte-Carlo results of Kobak, Shpilkin & Pshenichnikov: the excess of integer
/// polling stations (turnout or leader's share, turnout alone, share alone) and the
/// Monte-Carlo standard deviation, with the inclusion rules of their Ann. Appl. Stat. 2016
/// paper, 1,000 replicates. These are the values plotted in Significance 15(3):8–9 (2018),
/// figure "Excess of integer polling stations", as stored by the authors in
/// github.com/dkobak/elections, significance2018/montecarlo.pickle (commit 8003707).
struct Kobak {
    either: (f64, f64),
    turnout: (f64, f64),
    share: (f64, f64),
}

/// Klimek, Yegorov, Hanel & Thurner, PNAS 109(41):16469 (2012), the fitted fraud parameters
/// for Russia (as transcribed from the paper in Kobak's reanalysis, dkobak/elections
/// meduza2018/meduza.ipynb, "values taken from the paper"): (f_i, f_e, α).
struct Klimek {
    f_i: f64,
    f_e: f64,
}

/// Tolerances, stated: the observed counts are deterministic, so ours and the published
/// excess differ only by the two Monte-Carlo means, each with standard error sd/√1000; we
/// accept 4 standard errors of the difference. The exact null mean (no simulation) must agree
/// with the published excess within 4 of the published standard errors. The Klimek fit is an
/// optimisation over a simulated model whose fitting procedure the paper describes only in
/// outline: f_i within 0.08, f_e within 0.015 (α is not identified by the fingerprint — our
/// fit and the paper's differ — and is not tested).
fn check_russia(year: u32, kobak: Kobak, klimek: Option<Klimek>) {
    let tmp = TempDir::new().expect("tempdir");
    let Some(pkg) = convert_russia(year, tmp.path()) else { return };
    let (code, v) = forensics_json(&pkg, &["--seed", "42"]);
    assert_eq!(code, Some(1), "{year}: flagged");
    let ip = &v["integer_percentages"];
    assert_eq!(ip["replicates"], 1000);
    for (name, got, (excess, sd)) in [
        ("either", ip, kobak.either),
        ("turnout", &ip["turnout"], kobak.turnout),
        ("leader_share", &ip["leader_share"], kobak.share),
    ] {
        let ours = got["excess"].as_f64().expect("excess");
        let our_sd = got["sd"].as_f64().expect("sd");
        let tol = 4.0 * ((sd * sd + our_sd * our_sd) / 1000.0).sqrt();
        assert!(
            (ours - excess).abs() <= tol,
            "{year} {name}: excess {ours:.1}, published {excess} (tolerance {tol:.1})"
        );
        assert!((our_sd - sd).abs() / sd < 0.1, "{year} {name}: sd {our_sd:.1}, published {sd}");
        let observed = got["observed"].as_f64().expect("observed");
        let exact = observed - got["expected_exact"].as_f64().expect("exact");
        assert!(
            (exact - excess).abs() <= 4.0 * sd / 1000f64.sqrt(),
            "{year} {name}: exact excess {exact:.1}, published {excess}"
        );
        assert!(got["p_value"].as_f64().expect("p") < 0.001);
    }
    if let Some(k) = klimek {
        let fit = &v["klimek"];
        let (fi, fe) = (fit["f_i"].as_f64().expect("f_i"), fit["f_e"].as_f64().expect("f_e"));
        assert!((fi - k.f_i).abs() <= 0.08, "{year}: f_i {fi}, published {}", k.f_i);
        assert!((fe - k.f_e).abs() <= 0.015, "{year}: f_e {fe}, published {}", k.f_e);
    }
    // Every method states what it measures and what it does not prove.
    for key in [
        "integer_percentages",
        "fingerprint",
        "klimek",
        "shpilkin",
        "digits",
        "regions",
        "stations_ranked",
    ] {
        let s = v[key]["statement"].as_str().unwrap_or_default();
        assert!(s.len() > 150 && s.contains("not"), "{key}: {s}");
    }
}

#[test]
fn russia_2011_duma_reproduces_kobak_2016_and_klimek_2012() {
    check_russia(
        2011,
        Kobak { either: (1003.5, 113.1), turnout: (449.3, 87.7), share: (767.1, 87.5) },
        Some(Klimek { f_i: 0.64, f_e: 0.033 }),
    );
}

#[test]
fn russia_2012_presidential_reproduces_kobak_2016_and_klimek_2012() {
    check_russia(
        2012,
        Kobak { either: (1159.6, 116.3), turnout: (634.6, 90.3), share: (734.6, 90.9) },
        Some(Klimek { f_i: 0.39, f_e: 0.021 }),
    );
}

#[test]
fn russia_2018_presidential_reproduces_kobak_2018() {
    check_russia(
        2018,
        Kobak { either: (1708.8, 116.5), turnout: (1296.2, 90.1), share: (859.0, 88.4) },
        None,
    );
}

fn generate(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec!["generate", "--out", p(&out), "--stations", "10000"];
    args.extend_from_slice(extra);
    let o = ashyq(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    out
}

/// Issue 10, item 4: a clean generated election is not flagged at the 0.001 level; a doctored
/// one (2% of stations with turnout and leader's share rounded to whole percentages) is.
#[test]
fn clean_generated_election_is_not_flagged_and_a_doctored_one_is() {
    let tmp = TempDir::new().expect("tempdir");
    let clean = generate(tmp.path(), "clean", &["--seed", "11"]);
    let (code, v) = forensics_json(&clean, &[]);
    assert_eq!(code, Some(0), "{}", v["flags"]);
    assert_eq!(v["flags"]["any"], false);
    assert!(v["integer_percentages"]["p_value"].as_f64().expect("p") >= 0.001);
    assert!(v["klimek"]["f_i"].as_f64().expect("f_i") < 0.1, "{}", v["klimek"]);

    let doctored = generate(tmp.path(), "doctored", &["--seed", "11", "--rounding", "0.02"]);
    let (code, v) = forensics_json(&doctored, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(v["flags"]["integer_percentages"], true, "{}", v["integer_percentages"]);
    assert!(v["integer_percentages"]["p_value"].as_f64().expect("p") < 0.001);
    // The manipulated stations lead the ranking.
    let truth = std::fs::read_to_string(doctored.join("truth.csv")).expect("truth");
    let rounded: std::collections::HashSet<&str> = truth
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(",1"))
        .filter_map(|l| l.split(',').next())
        .collect();
    let top: Vec<&str> = v["stations_ranked"]["list"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    let hits = top.iter().filter(|id| rounded.contains(*id)).count();
    // 2% of all stations are rounded; at least five times that share leads the ranking
    // (seed 11 gives 32 of 100: an integer percentage is weak evidence about one station).
    assert!(hits >= 10, "{hits} of the top {} stations are rounded", top.len());

    let stuffed = generate(tmp.path(), "stuffed", &["--seed", "11", "--stuffing", "0.2"]);
    let (_, v) = forensics_json(&stuffed, &[]);
    assert!(v["klimek"]["f_i"].as_f64().expect("f_i") >= 0.1, "{}", v["klimek"]);
}

#[test]
fn output_depends_on_the_seed_only_not_on_threads_and_figures_are_written() {
    let tmp = TempDir::new().expect("tempdir");
    let pkg = generate(tmp.path(), "g", &["--seed", "3", "--rounding", "0.01"]);
    let plots = tmp.path().join("plots");
    let a = ashyq(&[
        "forensics",
        p(&pkg),
        "--format",
        "json",
        "--threads",
        "1",
        "--seed",
        "5",
        "--plots",
        p(&plots),
    ]);
    let b = ashyq(&["forensics", p(&pkg), "--format", "json", "--threads", "3", "--seed", "5"]);
    let c = ashyq(&["forensics", p(&pkg), "--format", "json", "--threads", "2", "--seed", "6"]);
    assert_eq!(a.stdout, b.stdout, "thread count changes nothing");
    assert_ne!(a.stdout, c.stdout, "the seed matters");
    for f in ["fingerprint.svg", "turnout.svg", "regions.svg"] {
        let svg = std::fs::read_to_string(plots.join(f)).expect("svg written");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{f}");
    }
    let v: Value = serde_json::from_slice(&a.stdout).expect("json");
    // The contract of issue 10.
    for key in ["observed", "expected", "excess", "sd", "p_value"] {
        assert!(v["integer_percentages"][key].is_number(), "{key}");
    }
    for key in ["f_i", "f_e", "alpha"] {
        assert!(v["klimek"][key].is_number(), "{key}");
    }
    assert_eq!(v["fingerprint"]["counts"].as_array().expect("counts").len(), 100);
    assert!(v["shpilkin"]["anomalous_votes"].is_number());
    assert!(v["digits"]["all_options"]["second_digit"]["resampled"]["p_value"].is_number());
    assert_eq!(v["regions"]["list"].as_array().expect("regions").len(), 20);
    assert!(!v["stations_ranked"]["list"].as_array().expect("ranked").is_empty());
    // Text output names the methods.
    let t = ashyq(&["forensics", p(&pkg)]);
    let out = text(&t.stdout);
    assert!(
        out.contains("Integer percentages") && out.contains("Klimek") && out.contains("Shpilkin"),
        "{out}"
    );
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    let tmp = TempDir::new().expect("tempdir");
    let pkg = generate(tmp.path(), "g", &["--seed", "1", "--contests", "mazhilis,president"]);
    let o = ashyq(&["forensics", p(&pkg)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("choose one with --contest (mazhilis-list, president)"),
        "{}",
        text(&o.stderr)
    );
    let o = ashyq(&["forensics", p(&pkg), "--contest", "senate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no contest \"senate\""), "{}", text(&o.stderr));
    let o = ashyq(&["forensics", p(&pkg), "--contest", "president", "--leader", "nobody"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("\"nobody\" is not an option"), "{}", text(&o.stderr));
    let o = ashyq(&["forensics", p(&tmp.path().join("missing"))]);
    assert_eq!(o.status.code(), Some(2));
    // The national example has no station protocols to examine.
    let ex = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/kz-2022-06-05-referendum");
    let o = ashyq(&["forensics", ex]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("at least 10 polling-station protocols"),
        "{}",
        text(&o.stderr)
    );
}
