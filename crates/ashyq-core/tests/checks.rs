//! The check catalogue: every code fires on a protocol made to break exactly its relation, the
//! one function `check_protocol` applies the right checks to stations and summary protocols,
//! and `required_lines` follows the law reference §8.1.
#![allow(clippy::unwrap_used)]

use ashyq_core::checks::{
    check_protocol, check_turnout, missing_lines, required_lines, CheckCode, Finding,
    PlausibilityLimits, ProtocolContext, Severity, CATALOGUE,
};
use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::line::{Line, ProtocolLine as P};
use ashyq_core::units::{UnitInfo, UnitTree};

fn tree() -> UnitTree {
    let u = |id: &str, parent: &str, kind: &str| UnitInfo {
        id: id.into(),
        parent: parent.into(),
        kind: kind.into(),
        name: id.into(),
    };
    UnitTree::new(vec![
        u("KZ", "", "country"),
        u("R1", "KZ", "region"),
        u("S1", "R1", "station"),
        u("S2", "R1", "station"),
    ])
    .unwrap()
}

fn election(kind: &str, options: &[&str]) -> Election {
    let info = ElectionInfo {
        names: Vec::new(),
        id: "e".into(),
        name: "e".into(),
        date: "2023-03-19".into(),
        rules: "kz-2022".into(),
        contests: vec![ContestInfo {
            id: "c".into(),
            kind: kind.into(),
            territory: "KZ".into(),
            seats: (kind == "party-list").then_some(10),
            options: options
                .iter()
                .map(|o| OptionInfo { id: (*o).into(), name: (*o).into(), ..Default::default() })
                .collect(),
            ..Default::default()
        }],
    };
    Election::try_from_info(info, &tree()).unwrap()
}

/// A consistent station protocol of a two-candidate contest: 1000 registered, 600 took part
/// (400 + 150 + 50 invalid), 20 absentee of 25 certificates, 30 mobile of 40 applications.
fn good_row(n_options: usize) -> Vec<Option<u64>> {
    let mut row = vec![None; P::COUNT + n_options];
    for (p, v) in [
        (P::Registered, 1000),
        (P::BallotsReceived, 1100),
        (P::BallotsIssued, 600),
        (P::BallotsCancelled, 500),
        (P::BallotsFound, 600),
        (P::Invalid, 50),
        (P::Absentee, 20),
        (P::Mobile, 30),
        (P::AbsenteeCertificates, 25),
        (P::MobileApplications, 40),
    ] {
        row[p.column()] = Some(v);
    }
    row[Line::Option(0).column()] = Some(400);
    row[Line::Option(1).column()] = Some(150);
    row
}

fn set(row: &mut [Option<u64>], p: P, v: u64) {
    row[p.column()] = Some(v);
}

fn codes(f: &[Finding]) -> Vec<CheckCode> {
    f.iter().map(|f| f.code).collect()
}

fn station(limits: PlausibilityLimits) -> ProtocolContext<'static> {
    ProtocolContext::station(limits)
}

#[test]
fn a_consistent_protocol_passes_every_check() {
    let e = election("presidential", &["a", "b"]);
    let f = check_protocol(&e.contests()[0], &good_row(2), &station(Default::default()));
    assert!(f.is_empty(), "{f:?}");
}

/// Every code of the catalogue fires on a protocol that breaks its relation. The match is
/// exhaustive, so a new code cannot be added without a case here.
#[test]
fn every_check_code_fires() {
    let e = election("presidential", &["a", "b"]);
    let contest = &e.contests()[0];
    // Arithmetic only: a summary protocol with nothing known below it.
    let arith = ProtocolContext::summary(None, PlausibilityLimits::default());
    for code in CheckCode::ALL {
        let mut row = good_row(2);
        let found: Vec<Finding> = match code {
            CheckCode::R2 => {
                set(&mut row, P::Invalid, 51);
                check_protocol(contest, &row, &arith)
            }
            CheckCode::R3 => {
                set(&mut row, P::BallotsCancelled, 499);
                check_protocol(contest, &row, &arith)
            }
            CheckCode::R4 => {
                set(&mut row, P::BallotsFound, 601);
                set(&mut row, P::Invalid, 51); // keep R2 (against ballots_found) satisfied
                check_protocol(contest, &row, &arith)
            }
            CheckCode::R5 => {
                set(&mut row, P::Registered, 599);
                check_protocol(contest, &row, &arith)
            }
            CheckCode::R6 => {
                set(&mut row, P::MobileApplications, 29);
                check_protocol(contest, &row, &arith)
            }
            CheckCode::R7 => {
                // A summary protocol (R1) whose line a says 401 while S1 + S2 add up to 400.
                let t = tree();
                let mut counts = ContestCounts::new(contest);
                counts.set(2, Line::Option(0), 300).unwrap();
                counts.set(3, Line::Option(0), 100).unwrap();
                let roll = counts.roll_up(&t, 0).unwrap();
                let ctx = ProtocolContext::for_unit(&t, &roll, 1, PlausibilityLimits::default());
                let mut row = vec![None; P::COUNT + 2];
                row[Line::Option(0).column()] = Some(401);
                check_protocol(contest, &row, &ctx)
            }
            CheckCode::V1 => {
                set(&mut row, P::BallotsIssued, 549);
                set(&mut row, P::BallotsFound, 549);
                set(&mut row, P::BallotsCancelled, 551);
                row[P::Invalid.column()] = None; // R2 would fire as well
                check_protocol(contest, &row, &arith)
            }
            CheckCode::V2 => {
                set(&mut row, P::NotCounted, 0);
                check_protocol(contest, &row, &arith)
            }
            CheckCode::V3 => {
                set(&mut row, P::BallotsReceived, 599);
                row[P::BallotsCancelled.column()] = None; // R3 would fire as well
                row[P::BallotsFound.column()] = None; // V3 would fire twice
                check_protocol(contest, &row, &arith)
            }
            CheckCode::V4 => {
                set(&mut row, P::Absentee, 601);
                set(&mut row, P::AbsenteeCertificates, 700);
                check_protocol(contest, &row, &arith)
            }
            CheckCode::W1 | CheckCode::W2 | CheckCode::W3 => {
                // 60% turnout, 8.3% invalid, 5% mobile: each over a limit of 1%.
                let one = |w| PlausibilityLimits {
                    max_turnout_percent: if w == CheckCode::W1 { 1 } else { 100 },
                    max_invalid_percent: if w == CheckCode::W2 { 1 } else { 100 },
                    max_mobile_percent: if w == CheckCode::W3 { 1 } else { 100 },
                };
                check_protocol(contest, &row, &station(one(code)))
            }
            CheckCode::T1 => check_turnout(&[("10:00", 50), ("12:00", 40)], Some(1000)),
            CheckCode::T2 => check_turnout(&[("20:00", 1001)], Some(1000)),
        };
        assert_eq!(codes(&found), [code], "{code}: {found:?}");
        assert_eq!(found[0].severity, code.severity());
    }
}

#[test]
fn plausibility_applies_to_stations_and_r7_to_summaries_only() {
    let e = election("presidential", &["a", "b"]);
    let contest = &e.contests()[0];
    let t = tree();
    let strict = PlausibilityLimits {
        max_turnout_percent: 1,
        max_invalid_percent: 100,
        max_mobile_percent: 100,
    };
    let mut counts = ContestCounts::new(contest);
    for (p, v) in [(P::Registered, 1000), (P::BallotsIssued, 600)] {
        counts.set(2, Line::Protocol(p), v).unwrap();
    }
    counts.set(1, Line::Protocol(P::Registered), 999).unwrap();
    let roll = counts.roll_up(&t, 0).unwrap();
    // S1 is a station: W1 (60% over 1%).
    let row = counts.row(2).unwrap();
    let f = check_protocol(contest, row, &ProtocolContext::for_unit(&t, &roll, 2, strict));
    assert_eq!(codes(&f), [CheckCode::W1]);
    // R1 is a summary protocol: no plausibility warning, but R7 (999 vs 1000 below it, 1 protocol).
    let row = counts.row(1).unwrap();
    let f = check_protocol(contest, row, &ProtocolContext::for_unit(&t, &roll, 1, strict));
    assert_eq!(codes(&f), [CheckCode::R7]);
    assert!(f[0].message.contains("the 1 protocols below it add up to 1000"), "{}", f[0].message);
    // KZ has units below but none of its children has counts… R1 has, so KZ is compared too.
    // A summary with nothing known below gets the arithmetic checks only.
    let f = check_protocol(contest, row, &ProtocolContext::summary(None, strict));
    assert!(f.is_empty());
}

#[test]
fn required_lines_follow_the_protocol_form() {
    let names = |e: &Election| -> Vec<String> {
        let c = &e.contests()[0];
        required_lines(c)
            .into_iter()
            .map(|l| match l {
                Line::Protocol(p) => p.name().to_owned(),
                Line::Option(i) => c.options()[i].id.to_string(),
            })
            .collect()
    };
    assert_eq!(
        names(&election("presidential", &["a", "b"])),
        ["registered", "ballots_issued", "invalid", "absentee", "mobile", "a", "b"]
    );
    assert_eq!(
        names(&election("referendum", &["yes", "no"])),
        [
            "registered",
            "ballots_issued",
            "invalid",
            "not_counted",
            "absentee",
            "mobile",
            "yes",
            "no"
        ]
    );
    assert_eq!(
        names(&election("senate", &["x", "y"])),
        ["registered", "ballots_issued", "invalid", "x", "y"]
    );
    let e = election("party-list", &["a", "b"]);
    let mut row = good_row(2);
    assert!(missing_lines(&e.contests()[0], &row).is_empty());
    row[P::Mobile.column()] = None;
    row[Line::Option(1).column()] = None;
    assert_eq!(missing_lines(&e.contests()[0], &row), [Line::Protocol(P::Mobile), Line::Option(1)]);
}

#[test]
fn the_catalogue_marks_heuristics_and_legal_checks() {
    for d in CATALOGUE {
        match d.code {
            CheckCode::W1 | CheckCode::W2 | CheckCode::W3 => {
                assert!(d.confidence.is_none());
                assert_eq!(d.severity, Severity::Warning);
            }
            _ => assert!(d.confidence.is_some(), "{}", d.code),
        }
        assert!(d.basis.contains("law reference §") || d.confidence.is_none(), "{}", d.code);
    }
}
