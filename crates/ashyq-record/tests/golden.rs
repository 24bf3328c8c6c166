//! Golden hashes of the canonical forms. Every existing record depends on these bytes: if one
//! of these tests fails, a change altered a canonical form and would make every record written
//! before it unverifiable. Do not update the expected values; make the change backward
//! compatible (a new optional key left out when absent) instead.

#![allow(clippy::unwrap_used)]

use ashyq_core::election::{ContestInfo, ElectionInfo, OptionInfo};
use ashyq_core::units::UnitInfo;
use ashyq_record::leaf::*;
use ashyq_record::merkle;
use ashyq_record::note::Checkpoint;
use ashyq_record::Signer;

fn definition() -> DefinitionLeaf {
    let unit = |id: &str, parent: &str, kind: &str, name: &str| UnitInfo {
        id: id.into(),
        parent: parent.into(),
        kind: kind.into(),
        name: name.into(),
    };
    DefinitionLeaf {
        election: ElectionInfo {
            id: "kz-test".into(),
            name: "Тест «выборы» \"2023\"".into(),
            date: "2023-03-19".into(),
            rules: "kz-2022".into(),
            contests: vec![
                ContestInfo {
                    id: "mazhilis-list".into(),
                    kind: "party-list".into(),
                    name: Some("Mazhilis".into()),
                    territory: "KZ".into(),
                    seats: Some(69),
                    threshold_percent: Some("5".into()),
                    options: vec![
                        OptionInfo {
                            id: "amanat".into(),
                            name: "Amanat".into(),
                            registered: Some(1),
                            kind: None,
                            list_length: None,
                        },
                        OptionInfo {
                            id: "against-all".into(),
                            name: "Against all".into(),
                            registered: None,
                            kind: Some("against-all".into()),
                            list_length: None,
                        },
                    ],
                    ..ContestInfo::default()
                },
                ContestInfo {
                    id: "ref".into(),
                    kind: "referendum".into(),
                    territory: "KZ".into(),
                    constitutional: Some(true),
                    unit_test: Some("yes-majority".into()),
                    options: vec![
                        OptionInfo {
                            id: "yes".into(),
                            name: "Yes".into(),
                            ..OptionInfo::default()
                        },
                        OptionInfo { id: "no".into(), name: "No".into(), ..OptionInfo::default() },
                    ],
                    ..ContestInfo::default()
                },
            ],
            names: vec![],
        },
        units: vec![
            unit("KZ", "", "country", "Kazakhstan"),
            unit("KZ-AST", "KZ", "city", "Astana"),
            unit("S1", "KZ-AST", "station", "Station 1"),
        ],
        origin: "ashyq/kz-test".into(),
        double_entry: true,
        imported_at: "2023-03-19T01:02:03Z".into(),
    }
}

fn golden() -> Vec<(Leaf, &'static str)> {
    vec![
        (
            Leaf::Definition(definition()),
            "a5d07eb8b01ec8c5f5d23e5ff530f1c931c22f05c53040980259605b717a3682",
        ),
        (
            Leaf::Protocol(ProtocolLeaf {
                election: "kz-test".into(),
                contest: "mazhilis-list".into(),
                unit: "S1".into(),
                version: 2,
                author: "Айгерим".into(),
                at: "2023-03-19T15:00:00Z".into(),
                reason: "correction: line 5\nretyped".into(),
                findings: vec!["R4".into(), "W1".into()],
                lines: vec![
                    ("registered".into(), 1200),
                    ("ballots_issued".into(), 900),
                    ("amanat".into(), 500),
                ],
            }),
            "4d179e5ef2479aa5d838865c539535ee403f5ccafa85b33cb9fcd3a5b3b9dd87",
        ),
        (
            Leaf::Entry(EntryLeaf {
                election: "kz-test".into(),
                contest: "ref".into(),
                unit: "S1".into(),
                round: 1,
                author: "clerk".into(),
                at: "2023-03-19T15:00:00Z".into(),
                reason: String::new(),
                lines: vec![("yes".into(), 3)],
            }),
            "ac3b8332fde6208973433ab806d67709018efcd69a60e01848a82f1e519ea6d5",
        ),
        (
            Leaf::Turnout(TurnoutLeaf {
                election: "kz-test".into(),
                unit: "S1".into(),
                hour: "10:00".into(),
                voters: 120,
                author: "pec".into(),
                at: "2023-03-19T05:00:00Z".into(),
                findings: vec![],
            }),
            "1c61c4c9206f3ef77f37be3fb15a4412d820890345a3d721bfb88996013ac21c",
        ),
        (
            Leaf::Certification(CertificationLeaf {
                election: "kz-test".into(),
                seq: 1,
                at: "2023-03-20T00:00:00Z".into(),
                log_size: 4,
                inputs_hash: "ab".repeat(32),
                totals: "contest,unit,line,value\nref,KZ,yes,3\n".into(),
            }),
            "9d1f8268ba74d5d5ef331d11dadb110245c45b2814936ad6e271739228e187ed",
        ),
    ]
}

#[test]
fn leaf_bytes_and_hashes_are_pinned() {
    for (leaf, want) in golden() {
        let bytes = leaf.to_bytes();
        assert_eq!(Leaf::parse(&bytes).unwrap(), leaf, "{} does not round-trip", leaf.kind());
        let h = hex::encode(leaf.hash());
        assert_eq!(
            h,
            want,
            "the canonical form of a {} leaf changed:\n{}",
            leaf.kind(),
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn the_protocol_leaf_reads_as_documented() {
    let (leaf, _) = golden().remove(1);
    assert_eq!(
        String::from_utf8(leaf.to_bytes()).unwrap(),
        r#"{"leaf":"ashyq/protocol","election":"kz-test","contest":"mazhilis-list","unit":"S1","version":2,"author":"Айгерим","at":"2023-03-19T15:00:00Z","reason":"correction: line 5\nretyped","findings":["R4","W1"],"lines":{"registered":1200,"ballots_issued":900,"amanat":500}}"#
    );
}

#[test]
fn tree_checkpoint_and_note_are_pinned() {
    let hashes: Vec<merkle::Hash> = golden().iter().map(|(l, _)| l.hash()).collect();
    let root = merkle::root(&hashes);
    assert_eq!(
        hex::encode(root),
        "10b988e92cb1d29ae5430a6b04cb969fc9d19e9c88b1fcbec5f1c08fd32c8247"
    );
    let signer = Signer::from_seed([42; 32]);
    let c = Checkpoint { origin: "ashyq/kz-test".into(), size: hashes.len() as u64, root };
    let vk = "ashyq/kz-test+23a72c5f+ARl/ayPhbIUyxqvIOPrNXqeJvgx2spIDNAOb+os9No1h";
    assert_eq!(signer.verifier_key("ashyq/kz-test").unwrap().to_string(), vk);
    assert_eq!(
        ashyq_record::VerifierKey::parse(vk).unwrap(),
        signer.verifier_key("ashyq/kz-test").unwrap()
    );
    assert_eq!(signer.sign_checkpoint(&c).unwrap(), "ashyq/kz-test\n5\nELmI6Syx0prlQwprBMuWn8nRnpyIsfy+xfHAj9Msgkc=\n\n\u{2014} ashyq/kz-test I6csX1QaSXpHuHB2uJBdapkDEgepLADWwQ9M8LhNpOgVj0n6N1Z5+fuUFk4y+MAIwgIJAKPM8uM3iLP4zdJ+hm0yOwI=\n");
}
