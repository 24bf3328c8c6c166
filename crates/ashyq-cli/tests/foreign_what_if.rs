//! An independent check of the list-seat rule on real station-level data: Russia's 2021 Duma
//! federal list tier also allocates 225 seats by a 5% threshold and Hare largest remainders.
//! Converting the CEC's station protocols (Kobak/Shpilkin file) and applying Ashyq's kz-2022
//! list rule must give the official allocation: United Russia 126, KPRF 48, LDPR 19,
//! A Just Russia 19, New People 13 (CEC of Russia, 24 Sep 2021).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;

/// ../shared/data, or None (with the skip message) when absent outside CI.
fn shared_data() -> Option<PathBuf> {
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

#[test]
fn duma_2021_list_seats_reproduce_under_the_hare_rule() {
    let Some(data) = shared_data() else { return };
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
    let outcome = Command::new(ashyq)
        .args(["outcome", out.to_str().unwrap(), "--rules", "kz-2022", "--format", "json"])
        .output()
        .unwrap();
    assert!(outcome.status.success(), "{}", String::from_utf8_lossy(&outcome.stderr));
    let v: serde_json::Value = serde_json::from_slice(&outcome.stdout).unwrap();
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
