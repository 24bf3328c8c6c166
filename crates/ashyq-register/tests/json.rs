//! The registration documents as JSON (what the HTTP API takes) and the findings as JSON (what
//! `--format json` and the API print): keys, defaults, dates, and errors that name the field.

#![allow(clippy::unwrap_used)]

use ashyq_register::candidates::{CandidateFile, Office};
use ashyq_register::lists::{check_list, ListCandidate};
use ashyq_register::parties::{Branch, PartyApplication};
use ashyq_register::{Date, Findings};

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

#[test]
fn documents_read_from_json() {
    let c: ListCandidate = serde_json::from_str(
        r#"{"name": "Айгерим", "member": true, "woman": true, "birth_date": "1997-06-01", "disability": false}"#,
    )
    .unwrap();
    assert_eq!(
        c,
        ListCandidate {
            name: "Айгерим".into(),
            member: true,
            woman: true,
            birth_date: d("1997-06-01"),
            disability: false
        }
    );
    // A party file: name, state registration and branches may be left out.
    let p: PartyApplication = serde_json::from_str(
        r#"{"members": 5000, "initiative_group": 700, "initiative_group_formed": "2022-07-01", "founding_congress": "2022-10-01"}"#,
    )
    .unwrap();
    assert_eq!((p.name.as_str(), p.state_registration, p.branches.len()), ("", None, 0));
    let b: Branch =
        serde_json::from_str(r#"{"region": "KZ-AST", "members": 200, "registered": null}"#)
            .unwrap();
    assert_eq!(b, Branch { region: "KZ-AST".into(), members: 200, registered: None });
    // A candidate's file: what is left out or null is not said.
    let f: CandidateFile = serde_json::from_str(
        r#"{"name": "X", "birth_date": "1960-05-01", "kazakh": null, "service_years": 6}"#,
    )
    .unwrap();
    assert_eq!(
        f,
        CandidateFile {
            name: "X".into(),
            birth_date: Some(d("1960-05-01")),
            service_years: Some(6),
            ..Default::default()
        }
    );
    let offices: Vec<Office> = serde_json::from_str(
        r#"["president", "mazhilis", "maslikhat", "senate", "rural-akim", "kurultai"]"#,
    )
    .unwrap();
    assert_eq!(offices, Office::ALL);
}

#[test]
fn bad_documents_say_what_is_wrong() {
    let err = |s: &str| serde_json::from_str::<ListCandidate>(s).unwrap_err().to_string();
    let e = err(
        r#"{"name": "X", "member": true, "woman": true, "birth_date": "1997-02-29", "disability": false}"#,
    );
    assert!(e.starts_with(r#""1997-02-29" is not a date (YYYY-MM-DD)"#), "{e}");
    let e = err(
        r#"{"name": "X", "member": true, "woman": true, "birth_date": "1997-02-28", "disability": false, "womn": true}"#,
    );
    assert!(e.starts_with("unknown field `womn`"), "{e}");
    let e = err(
        r#"{"name": "X", "member": "yes", "woman": true, "birth_date": "1997-02-28", "disability": false}"#,
    );
    assert!(e.starts_with("invalid type: string \"yes\", expected a boolean"), "{e}");
    let e = err(r#"{"name": "X", "woman": true, "birth_date": "1997-02-28", "disability": false}"#);
    assert!(e.starts_with("missing field `member`"), "{e}");
    assert!(
        serde_json::from_str::<CandidateFile>(r#"{"birth_date": "1960-05-01"}"#).is_err(),
        "the name is needed"
    );
    assert!(serde_json::from_str::<Office>(r#""akim""#)
        .unwrap_err()
        .to_string()
        .contains("rural-akim"));
}

#[test]
fn findings_as_json() {
    let list: Vec<ListCandidate> = (0..4)
        .map(|i| ListCandidate {
            name: format!("C{i}"),
            member: i != 2,
            woman: false,
            birth_date: d("1970-01-01"),
            disability: false,
        })
        .collect();
    let v = serde_json::to_value(Findings::from(check_list(&list, 2, d("2023-03-19")))).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), ["ok", "findings"]);
    assert_eq!(v["ok"], false);
    assert_eq!(keys(&v["findings"][0]), ["code", "verdict", "source", "message"]);
    assert_eq!(v["findings"][0]["code"], "L1");
    assert_eq!(v["findings"][0]["verdict"], "fails");
    assert_eq!(v["findings"][0]["message"], "1 candidate(s) are not party members: C2");
    assert_eq!(v["findings"][1]["code"], "L2");
    assert_eq!(v["findings"][2]["code"], "L3");
    // Undetermined alone leaves the document ok.
    let f = ashyq_register::candidates::check_candidate(
        &CandidateFile { name: "X".into(), ..Default::default() },
        Office::RuralAkim,
        d("2023-03-19"),
    );
    let v = serde_json::to_value(Findings::from(f)).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["findings"][0]["verdict"].as_str()),
        (Some(true), Some("undetermined"))
    );
}
