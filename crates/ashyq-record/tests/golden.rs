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
                signature: None,
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

/// The leaves of observers and audits (added with record format 2; additive: the kinds above
/// keep their bytes).
fn golden_observe() -> Vec<(Leaf, &'static str, &'static str)> {
    let audit = |event| {
        Leaf::Audit(AuditLeaf {
            election: "kz-test".into(),
            audit: 1,
            author: "audit board".into(),
            at: "2023-03-21T09:00:00Z".into(),
            event,
        })
    };
    vec![
        (
            Leaf::Observation(ObservationLeaf {
                election: "kz-test".into(),
                contest: "mazhilis-list".into(),
                unit: "S1".into(),
                observer: "adil-soz".into(),
                version: 2,
                author: "Айгерим".into(),
                at: "2023-03-19T16:00:00Z".into(),
                reason: "a clearer photo of the signed copy".into(),
                photo_sha256: Some("0f".repeat(32)),
                findings: vec!["R4".into()],
                lines: vec![("ballots_issued".into(), 900), ("amanat".into(), 480)],
            }),
            r#"{"leaf":"ashyq/observation","election":"kz-test","contest":"mazhilis-list","unit":"S1","observer":"adil-soz","version":2,"author":"Айгерим","at":"2023-03-19T16:00:00Z","reason":"a clearer photo of the signed copy","photo_sha256":"0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f","findings":["R4"],"lines":{"ballots_issued":900,"amanat":480}}"#,
            "cc26419c773107b70ffda53234a1af5e0823fb35c52ce8b5ded704e20d5b1275",
        ),
        (
            Leaf::Observation(ObservationLeaf {
                election: "kz-test".into(),
                contest: "ref".into(),
                unit: "S1".into(),
                observer: "adil-soz".into(),
                version: 1,
                author: "import".into(),
                at: "2023-03-19T16:00:00Z".into(),
                reason: String::new(),
                photo_sha256: None,
                findings: vec![],
                lines: vec![("yes".into(), 3)],
            }),
            r#"{"leaf":"ashyq/observation","election":"kz-test","contest":"ref","unit":"S1","observer":"adil-soz","version":1,"author":"import","at":"2023-03-19T16:00:00Z","reason":"","findings":[],"lines":{"yes":3}}"#,
            "2087d042b9c74058c523106c841bd25a321dec46b6f3f90f03a13138836d735f",
        ),
        (
            Leaf::ObservedTurnout(ObservedTurnoutLeaf {
                election: "kz-test".into(),
                unit: "S1".into(),
                hour: "11:30".into(),
                voters: 97,
                observer: "adil-soz".into(),
                author: "Bolat".into(),
                at: "2023-03-19T06:31:00Z".into(),
            }),
            r#"{"leaf":"ashyq/observed_turnout","election":"kz-test","unit":"S1","hour":"11:30","voters":97,"observer":"adil-soz","author":"Bolat","at":"2023-03-19T06:31:00Z"}"#,
            "02a80373db89692512b89d7ac64e0822761ca4dbd5deb686a63e43587c1c5c1d",
        ),
        (
            audit(AuditEvent::Committed(AuditCommitment {
                contest: "ref".into(),
                method: "macro".into(),
                risk_limit_percent: "5".into(),
                first_round_draws: 15,
                checkpoint: "ashyq/kz-test\n4\nELmI6Syx0prlQwprBMuWn8nRnpyIsfy+xfHAj9Msgkc=\n"
                    .into(),
                files: vec![
                    ("checkpoint.txt".into(), "01".repeat(32)),
                    ("manifest.csv".into(), "02".repeat(32)),
                    ("assertions.csv".into(), "03".repeat(32)),
                    ("parameters.toml".into(), "04".repeat(32)),
                    ("commitment.txt".into(), "05".repeat(32)),
                ],
                digest: "05".repeat(32),
            })),
            r#"{"leaf":"ashyq/audit","election":"kz-test","audit":1,"event":"committed","author":"audit board","at":"2023-03-21T09:00:00Z","contest":"ref","method":"macro","risk_limit_percent":"5","first_round_draws":15,"checkpoint":"ashyq/kz-test\n4\nELmI6Syx0prlQwprBMuWn8nRnpyIsfy+xfHAj9Msgkc=\n","files":{"checkpoint.txt":"0101010101010101010101010101010101010101010101010101010101010101","manifest.csv":"0202020202020202020202020202020202020202020202020202020202020202","assertions.csv":"0303030303030303030303030303030303030303030303030303030303030303","parameters.toml":"0404040404040404040404040404040404040404040404040404040404040404","commitment.txt":"0505050505050505050505050505050505050505050505050505050505050505"},"digest":"0505050505050505050505050505050505050505050505050505050505050505"}"#,
            "2c090223d77a2b32316fc27f830d986e5849ed2580f58996bb8730877138a1f8",
        ),
        (
            audit(AuditEvent::Seed { seed: "1 6 2 3 5 4".into() }),
            r#"{"leaf":"ashyq/audit","election":"kz-test","audit":1,"event":"seed","author":"audit board","at":"2023-03-21T09:00:00Z","seed":"1 6 2 3 5 4"}"#,
            "4a72a5c3ed900858c95beb6af2b0bfbb01363155f289621161f6584a10140954",
        ),
        (
            audit(AuditEvent::Drawn { round: 1, draws: 15 }),
            r#"{"leaf":"ashyq/audit","election":"kz-test","audit":1,"event":"drawn","author":"audit board","at":"2023-03-21T09:00:00Z","round":1,"draws":15}"#,
            "0b9c16932613215db2d30efa3d7199bd5301fb4b72826f34c03ab7d4dc3843bd",
        ),
        (
            audit(AuditEvent::HandCount {
                unit: "S1".into(),
                lines: vec![("ballots_issued".into(), 10), ("yes".into(), 6), ("no".into(), 4)],
            }),
            r#"{"leaf":"ashyq/audit","election":"kz-test","audit":1,"event":"hand_count","author":"audit board","at":"2023-03-21T09:00:00Z","unit":"S1","lines":{"ballots_issued":10,"yes":6,"no":4}}"#,
            "d5b671eb17e00e89556369f7b797ac0cc4a6fc7900954694a46e2fa9495f52ee",
        ),
        (
            audit(AuditEvent::Closed { risk: "0.0371".into(), result: "confirmed".into() }),
            r#"{"leaf":"ashyq/audit","election":"kz-test","audit":1,"event":"closed","author":"audit board","at":"2023-03-21T09:00:00Z","risk":"0.0371","result":"confirmed"}"#,
            "60a0758762bb526e1861c63017e91c7c3d99648b9d7dd563bf1066f8549f1639",
        ),
    ]
}

#[test]
fn observer_and_audit_leaves_read_as_documented_and_are_pinned() {
    for (leaf, text, want) in golden_observe() {
        let bytes = leaf.to_bytes();
        assert_eq!(String::from_utf8(bytes.clone()).unwrap(), text, "{}", leaf.kind());
        assert_eq!(Leaf::parse(&bytes).unwrap(), leaf, "{} does not round-trip", leaf.kind());
        assert_eq!(
            hex::encode(leaf.hash()),
            want,
            "the canonical form of a {} leaf changed:\n{text}",
            leaf.kind()
        );
    }
}

#[test]
fn observer_and_audit_leaves_are_parsed_strictly() {
    for (leaf, text, _) in golden_observe() {
        // An unknown key, a missing key, a re-ordered key: not the canonical form.
        let extra = text.replacen("{\"leaf\"", "{\"x\":1,\"leaf\"", 1);
        assert!(Leaf::parse(extra.as_bytes()).is_err(), "{}: {extra}", leaf.kind());
        let spaced = text.replacen(",\"election\"", ", \"election\"", 1);
        assert!(Leaf::parse(spaced.as_bytes()).is_err(), "{}: {spaced}", leaf.kind());
    }
    let bad = r#"{"leaf":"ashyq/audit","election":"kz-test","audit":1,"event":"shredded","author":"a","at":"t"}"#;
    assert!(Leaf::parse(bad.as_bytes()).unwrap_err().contains("unknown audit event"));
}

/// A protocol the commission signed with its own key (RFC 8032 signatures are deterministic):
/// the optional `signature` key comes last, and the leaf without it keeps its old bytes.
#[test]
fn a_signed_protocol_leaf_is_pinned() {
    let Leaf::Protocol(mut p) = golden().remove(1).0 else { unreachable!() };
    let statement =
        ashyq_record::statement::protocol_statement(&p.election, &p.contest, &p.unit, &p.lines);
    p.signature = Some(Signer::from_seed([7; 32]).sign_protocol(&statement));
    let leaf = Leaf::Protocol(p);
    let bytes = leaf.to_bytes();
    assert_eq!(Leaf::parse(&bytes).unwrap(), leaf);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.ends_with(r#""lines":{"registered":1200,"ballots_issued":900,"amanat":500},"signature":{"key":"6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=","signature":"6ssF7Wz2mgLeJwldKD9Lmdcksolu4oINZEf2RuhbwPZDo2ts4y1TjxlXthim8PdFHzHErOVnZz6szxkfsYucDA=="}}"#),
        "{text}"
    );
    assert_eq!(
        hex::encode(leaf.hash()),
        "2e96f69f4440c3efe2f3b63f8a9977eb443c7c39a7f6bac04cc8b4e58ebb8e59",
        "{text}"
    );
}
