//! The registration-check fixtures of the HTTP API (`crates/ashyq-server/tests/data/
//! register-checks`) through the binary: each request body `NAME.json` is written out as the
//! files and flags `ashyq party …` / `ashyq candidate …` take, the binary runs with `--format
//! json`, and its output must equal `NAME.expected.json` — the answer the server's test
//! requires of `POST /api/v1/register/checks/…`. So the API and the CLI give the same findings
//! on the same documents. `ASHYQ_BLESS=1` writes the expected files from the binary instead.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ashyq-server/tests/data/register-checks")
}

fn flag(v: &Value) -> &'static str {
    match v.as_bool() {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(_) => flag(v).to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn csv_file(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

/// A list as `name,member,woman,birth_date,disability` with yes/no flags.
fn list_csv(path: &Path, list: &Value) {
    let cols = ["name", "member", "woman", "birth_date", "disability"];
    csv_file(
        path,
        &cols,
        list.as_array().unwrap().iter().map(|c| cols.map(|k| cell(&c[k])).to_vec()),
    );
}

/// A package's units.csv whose root's children are the regions.
fn units_csv(path: &Path, regions: &Value) {
    let mut t = String::from("id,parent,kind,name\nKZ,,country,Kazakhstan\n");
    for r in regions.as_array().unwrap() {
        let r = r.as_str().unwrap();
        writeln!(t, "{r},KZ,region,{r}").unwrap();
    }
    std::fs::write(path, t).unwrap();
}

/// A party's registration file: `[party]` and one `[[branch]]` per branch, dates as TOML dates.
fn party_toml(path: &Path, party: &Value) {
    let mut t = String::from("[party]\n");
    for (k, v) in party.as_object().unwrap() {
        match (k.as_str(), v) {
            ("branches", _) | (_, Value::Null) => {}
            ("name", Value::String(s)) => {
                writeln!(t, "name = {}", Value::String(s.clone())).unwrap()
            }
            (_, Value::String(date)) => writeln!(t, "{k} = {date}").unwrap(),
            _ => writeln!(t, "{k} = {v}").unwrap(),
        }
    }
    for b in party["branches"].as_array().into_iter().flatten() {
        writeln!(t, "\n[[branch]]\nregion = {}\nmembers = {}", b["region"], b["members"]).unwrap();
        if let Some(d) = b["registered"].as_str() {
            writeln!(t, "registered = {d}").unwrap();
        }
    }
    std::fs::write(path, t).unwrap();
}

/// The command line and files for one fixture.
fn command(kind: &str, q: &Value, dir: &Path) -> Vec<String> {
    let p = |name: &str| dir.join(name).display().to_string();
    let s = |v: &Value| cell(v);
    let mut args: Vec<String> = match kind {
        "list" => {
            list_csv(&dir.join("list.csv"), &q["list"]);
            vec![
                "party".into(),
                "list".into(),
                p("list.csv"),
                "--seats".into(),
                s(&q["seats"]),
                "--on".into(),
                s(&q["on"]),
            ]
        }
        "mandates" => {
            list_csv(&dir.join("list.csv"), &q["list"]);
            let names: String = q["chosen"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| format!("{}\n", n.as_str().unwrap()))
                .collect();
            std::fs::write(dir.join("chosen.txt"), names).unwrap();
            vec![
                "party".into(),
                "mandates".into(),
                p("list.csv"),
                "--chosen".into(),
                p("chosen.txt"),
                "--won".into(),
                s(&q["won"]),
                "--results".into(),
                s(&q["results"]),
                "--decided".into(),
                s(&q["decided"]),
                "--on".into(),
                s(&q["on"]),
            ]
        }
        "party" => {
            party_toml(&dir.join("party.toml"), &q["party"]);
            units_csv(&dir.join("units.csv"), &q["regions"]);
            let mut a = vec![
                "party".into(),
                "check".into(),
                p("party.toml"),
                "--units".into(),
                p("units.csv"),
                "--on".into(),
                s(&q["on"]),
            ];
            if let Some(r) = q["rules"].as_str() {
                a.extend(["--rules".into(), r.into()]);
            }
            a
        }
        "candidate" => {
            let cols = [
                "name",
                "birth_date",
                "citizen",
                "citizen_by_birth",
                "resident_since",
                "region_resident_since",
                "higher_education",
                "service_years",
                "work_years",
                "kazakh",
                "conviction",
            ];
            csv_file(
                &dir.join("candidates.csv"),
                &cols,
                q["candidates"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| cols.map(|k| cell(&c[k])).to_vec()),
            );
            vec![
                "candidate".into(),
                "check".into(),
                p("candidates.csv"),
                "--office".into(),
                s(&q["office"]),
                "--on".into(),
                s(&q["on"]),
            ]
        }
        "nomination" => {
            csv_file(
                &dir.join("signatures.csv"),
                &["region", "signatures"],
                q["signatures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| vec![cell(&r["region"]), cell(&r["signatures"])]),
            );
            units_csv(&dir.join("units.csv"), &q["regions"]);
            vec![
                "candidate".into(),
                "signatures".into(),
                p("signatures.csv"),
                "--voters".into(),
                s(&q["voters"]),
                "--units".into(),
                p("units.csv"),
            ]
        }
        other => panic!("fixture kind {other} is not known"),
    };
    args.extend(["--format".into(), "json".into()]);
    args
}

#[test]
fn the_cli_gives_the_api_fixtures_answers() {
    let bless = std::env::var_os("ASHYQ_BLESS").is_some();
    let mut n = 0;
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(fixture_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let Some(stem) = name.strip_suffix(".json").filter(|s| !s.ends_with(".expected")) else {
            continue;
        };
        let q: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let args = command(stem.split('-').next().unwrap(), &q, dir.path());
        let out = Command::new(env!("CARGO_BIN_EXE_ashyq")).args(&args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let answer: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!("{stem}: {e}: {stdout}{}", String::from_utf8_lossy(&out.stderr))
        });
        // Exit 0 when no rule fails, 1 when one does.
        assert_eq!(out.status.code(), Some(if answer["ok"] == true { 0 } else { 1 }), "{stem}");
        let expected = fixture_dir().join(format!("{stem}.expected.json"));
        if bless {
            std::fs::write(&expected, &stdout).unwrap();
        } else {
            let want: Value = serde_json::from_slice(&std::fs::read(&expected).unwrap()).unwrap();
            assert_eq!(
                answer,
                want,
                "{stem}: `ashyq {}` differs from {}",
                args.join(" "),
                expected.display()
            );
        }
        n += 1;
    }
    assert!(n >= 12, "{n} fixtures");
}
