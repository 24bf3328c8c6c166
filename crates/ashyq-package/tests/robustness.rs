//! Whatever bytes a package holds, reading it never panics: it either validates or returns
//! diagnostics that name a package file.
#![allow(clippy::unwrap_used)]

use std::fs;

use ashyq_package::read_package;
use proptest::prelude::*;

const ELECTION: &str = "[election]\nid = \"t\"\nname = \"T\"\ndate = \"2022-06-05\"\nrules = \"kz-2022\"\n\n[[contest]]\nid = \"r\"\nkind = \"referendum\"\nterritory = \"KZ\"\n\n[[contest.option]]\nid = \"yes\"\nname = \"Yes\"\n\n[[contest.option]]\nid = \"no\"\nname = \"No\"\n";
const UNITS: &str = "id,parent,kind,name\nKZ,,country,K\nR1,KZ,region,R1\nS1,R1,station,S1\n";
const COUNTS: &str = "contest,unit,line,value\nr,S1,registered,100\nr,S1,ballots_issued,60\nr,S1,yes,40\nr,S1,no,20\n";

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let n = bytes.len().max(1);
        match *m {
            Mutation::Flip(i, b) => {
                if !bytes.is_empty() {
                    bytes[i % n] = b;
                }
            }
            Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Mutation::Delete(i) => {
                if !bytes.is_empty() {
                    bytes.remove(i % n);
                }
            }
            Mutation::Truncate(i) => bytes.truncate(i % n),
        }
    }
    bytes
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // Bytes that matter to the parsers: separators, quotes, digits, signs, newlines, UTF-8 lead bytes.
    let byte = prop::sample::select(vec![
        b',', b'"', b'\n', b'\r', b'=', b'[', b']', b'-', b'9', b'0', b'x', b' ', 0xC3, 0xFF, 0,
    ]);
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn corrupted_packages_never_panic(
        file in 0usize..3,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let texts = [ELECTION, UNITS, COUNTS];
        let names = ["election.toml", "units.csv", "counts.csv"];
        for (k, (name, text)) in names.iter().zip(texts).enumerate() {
            let bytes = if k == file { mutate(text, &mutations) } else { text.as_bytes().to_vec() };
            fs::write(dir.path().join(name), bytes).unwrap();
        }
        if let Err(diags) = read_package(dir.path()) {
            prop_assert!(!diags.is_empty());
            for d in diags.items() {
                prop_assert!(names.contains(&d.file.as_str()), "{d}");
                prop_assert!(!d.message.is_empty());
            }
        }
    }
}

#[test]
fn the_unmutated_package_reads() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("election.toml"), ELECTION).unwrap();
    fs::write(dir.path().join("units.csv"), UNITS).unwrap();
    fs::write(dir.path().join("counts.csv"), COUNTS).unwrap();
    let p = read_package(dir.path()).unwrap();
    assert_eq!(p.counts[0].len(), 1);
}
