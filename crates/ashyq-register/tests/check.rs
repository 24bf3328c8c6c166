//! The register check on files: a hand-made register whose every line's verdict is written
//! down, and generated registers with planted defects whose counts must come out exactly, for
//! any number of threads and any chunk size (chunk boundaries fall inside rows).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use ashyq_register::check::{check_file, for_each_accepted, CheckOptions, Stations, CHUNK};
use ashyq_register::generate::{generate, Defects, GenerateOptions, Truth};
use ashyq_register::{CheckSummary, Date, Reason};

fn date(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn run(
    voters: &Path,
    stations: &Stations,
    threads: usize,
    chunk: u64,
    report: bool,
) -> CheckSummary {
    let opts = CheckOptions {
        election_day: date("2023-03-19"),
        threads,
        chunk_bytes: chunk,
        report,
        progress: None,
    };
    check_file(voters, stations, &opts).unwrap()
}

fn stations() -> Stations {
    Stations::new([
        ("S1".to_owned(), "School 1".to_owned()),
        ("S2".to_owned(), "School 2".to_owned()),
    ])
    .unwrap()
}

/// Every line's verdict by hand (election day 2023-03-19; adults born 2005-03-19 or earlier).
const HAND: &str = "iin,full_name,birth_date,station
900101300007,Ахметов Али,1990-01-01,S1
900101300008,Wrong check digit,1990-01-01,S1
850515401239,Дубликат Первый,1985-05-15,S1
850515401239,Дубликат Второй,1985-05-15,S2
000229500018,Mismatch but duplicate,2000-03-01,S1
000229500018,Mismatch and duplicate,2000-02-29,S9
061211600012,Too young,2006-12-11,S1
900101300811,Second pass,1990-01-02,S1
050319500016,Turns 18 today,2005-03-19,S2
050320600018,Turns 18 tomorrow,2005-03-20,S2
900101300811,Unknown station but duplicate,1990-01-01,S7
\"900101300017\",\"Сейткали, \"\"Айгерим\"\"\",1990-01-01,S2
900101400013,Unknown,1990-01-01,S3
900101400013x,Malformed? no: an invalid IIN,1990-01-01,S1
900101300027,Too,many,fields,S1
900101300031,Bad \\xFF byte,1990-01-01,S1

900101300047,Name,1990-01-01,S2";

#[test]
fn every_line_of_a_hand_made_register() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("voters.csv");
    // Byte \xFF written raw (the const holds its escape as text).
    let bytes = HAND.replace("\\xFF", "\u{0}").into_bytes();
    let bytes: Vec<u8> = bytes.into_iter().map(|b| if b == 0 { 0xFF } else { b }).collect();
    std::fs::write(&path, bytes).unwrap();
    // Check digits of the rows meant to be valid.
    for iin in [
        "050319500016",
        "050320600018",
        "900101300017",
        "900101400013",
        "900101300027",
        "900101300047",
    ] {
        assert!(ashyq_register::Iin::parse(iin).is_ok(), "{iin} must be a valid IIN for this test");
    }
    for chunk in [1, 7, 64, CHUNK] {
        for threads in [1, 3] {
            let s = run(&path, &stations(), threads, chunk, true);
            assert_eq!(s.rows, 18, "chunk {chunk}");
            assert_eq!(s.malformed, 3);
            assert_eq!(s.rejected(Reason::InvalidIin), 2);
            assert_eq!(s.rejected(Reason::DuplicateIin), 6);
            assert_eq!(s.rejected(Reason::BirthDateMismatch), 0);
            assert_eq!(s.rejected(Reason::Under18), 2);
            assert_eq!(s.rejected(Reason::UnknownStation), 1);
            assert_eq!(s.accepted, 4);
            assert_eq!(s.per_station, vec![1, 3]);
            let got: Vec<(u64, &str)> =
                s.rejections.iter().map(|r| (r.line, r.reason_name())).collect();
            assert_eq!(
                got,
                vec![
                    (3, "invalid_iin"),
                    (4, "duplicate_iin"),
                    (5, "duplicate_iin"),
                    (6, "duplicate_iin"),
                    (7, "duplicate_iin"),
                    (8, "under_18"),
                    (9, "duplicate_iin"),
                    (11, "under_18"),
                    (12, "duplicate_iin"),
                    (14, "unknown_station"),
                    (15, "invalid_iin"),
                    (16, "malformed"),
                    (17, "malformed"),
                    (18, "malformed"),
                ]
            );
            let detail =
                |line: u64| s.rejections.iter().find(|r| r.line == line).unwrap().detail.clone();
            assert_eq!(detail(4), "iin 850515401239 is also on line 5");
            assert_eq!(detail(9), "iin 900101300811 is also on line 12");
            assert_eq!(detail(16), "5 fields, expected 4 (iin,full_name,birth_date,station)");
            assert_eq!(detail(17), "not UTF-8 (invalid byte at column 18)");
            assert_eq!(detail(18), "empty line");
            assert_eq!(
                detail(11),
                "born 2005-03-20, 17 years old on election day 2023-03-19 (18 needed)"
            );
        }
    }
    let s = run(&path, &stations(), 2, CHUNK, false);
    assert!(s.rejections.is_empty());
    let mut names = Vec::new();
    let n = for_each_accepted(&path, &stations(), date("2023-03-19"), &s, |v| {
        names.push((v.iin.to_string(), v.full_name, v.station));
        Ok(())
    })
    .unwrap();
    assert_eq!(n, 4);
    assert_eq!(
        names,
        vec![
            ("900101300007".to_owned(), "Ахметов Али".to_owned(), 0),
            ("050319500016".to_owned(), "Turns 18 today".to_owned(), 1),
            ("900101300017".to_owned(), "Сейткали, \"Айгерим\"".to_owned(), 1),
            ("900101300047".to_owned(), "Name".to_owned(), 1),
        ]
    );
}

fn generated(rows: u64, defects: Defects, seed: u64) -> (tempfile::TempDir, Truth, Stations) {
    let dir = tempfile::tempdir().unwrap();
    let mut v =
        std::io::BufWriter::new(std::fs::File::create(dir.path().join("voters.csv")).unwrap());
    let mut s = Vec::new();
    let opts = GenerateOptions {
        rows,
        stations: 97,
        seed,
        election_day: date("2023-03-19"),
        defects,
        encoding_errors: true,
    };
    let truth = generate(&opts, &mut v, &mut s).unwrap();
    drop(v);
    std::fs::write(dir.path().join("stations.csv"), &s).unwrap();
    let st = Stations::read(&dir.path().join("stations.csv")).unwrap();
    (dir, truth, st)
}

fn assert_matches(s: &CheckSummary, t: &Truth) {
    assert_eq!(s.rows, t.rows);
    assert_eq!(s.accepted, t.accepted);
    assert_eq!(s.rejected, t.rejected);
    assert_eq!(s.malformed, t.malformed);
    assert_eq!(s.per_station, t.per_station);
    assert_eq!(s.rows, s.accepted + s.rejected.iter().sum::<u64>() + s.malformed);
}

#[test]
fn generated_register_counts_are_exact() {
    // Heavy defects (about 12% of rows) so that every kind occurs often.
    let defects = Defects {
        invalid_iin: 30_000,
        duplicate_iin: 20_000,
        birth_date_mismatch: 20_000,
        under_18: 20_000,
        unknown_station: 10_000,
        malformed: 20_000,
    };
    let (dir, truth, st) = generated(60_000, defects, 7);
    for r in Reason::ALL {
        assert!(
            truth.rejected[r.index()] > 500,
            "{} planted {}",
            r.name(),
            truth.rejected[r.index()]
        );
    }
    let voters = dir.path().join("voters.csv");
    for (threads, chunk) in [(1, CHUNK), (2, 100_000), (3, 4_099)] {
        let s = run(&voters, &st, threads, chunk, false);
        assert_matches(&s, &truth);
    }
    let s = run(&voters, &st, 2, 50_000, true);
    assert_matches(&s, &truth);
    assert_eq!(s.rejections.len() as u64, truth.rows - truth.accepted);
    for r in Reason::ALL {
        let n = s.rejections.iter().filter(|x| x.reason == Some(r)).count() as u64;
        assert_eq!(n, truth.rejected[r.index()], "{}", r.name());
    }
    assert!(s.rejections.windows(2).all(|w| w[0].line < w[1].line));
    let n = for_each_accepted(&voters, &st, date("2023-03-19"), &s, |_| Ok(())).unwrap();
    assert_eq!(n, truth.accepted);
}

#[test]
fn generation_is_deterministic() {
    let (a, ta, _) = generated(5_000, Defects::default(), 42);
    let (b, tb, _) = generated(5_000, Defects::default(), 42);
    let (c, _, _) = generated(5_000, Defects::default(), 43);
    let read = |d: &tempfile::TempDir| std::fs::read(d.path().join("voters.csv")).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_eq!(ta, tb);
    assert_ne!(read(&a), read(&c));
}

#[test]
fn bad_files_are_errors_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v.csv");
    std::fs::write(&p, "iin,name,birth_date,station\n").unwrap();
    let e = check_file(
        &p,
        &stations(),
        &CheckOptions {
            election_day: date("2023-03-19"),
            threads: 1,
            chunk_bytes: CHUNK,
            report: false,
            progress: None,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.ends_with("v.csv:1: the header has no column full_name (expected iin,full_name,birth_date,station)"), "{e}");
    let s = dir.path().join("s.csv");
    std::fs::write(&s, "station,name\nS1,One\nS1,Again\n").unwrap();
    let e = Stations::read(&s).unwrap_err().to_string();
    assert!(e.ends_with("s.csv:3: station: station S1 is listed twice"), "{e}");
    std::fs::write(&s, "id,name\nS1,One\n").unwrap();
    assert!(Stations::read(&s).unwrap_err().to_string().contains("expected \"station,name\""));
    let e = Stations::read(&dir.path().join("missing.csv")).unwrap_err().to_string();
    assert!(e.contains("missing.csv"), "{e}");
}

/// A plain reference: every line through `pre_classify` in order, duplicates with a HashMap.
fn reference(bytes: &[u8], stations: &Stations, day: Date) -> (u64, u64, [u64; 5], u64, Vec<u64>) {
    use ashyq_register::voters::{latest_adult_birth, pre_classify, Columns, Context, PreVerdict};
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    let cols = Columns::from_header(&bytes[..nl]).unwrap();
    let lookup = |s: &[u8]| stations.find(s);
    let ctx = Context { latest_adult_birth: latest_adult_birth(day), stations: &lookup };
    let mut body = &bytes[nl + 1..];
    if body.last() == Some(&b'\n') {
        body = &body[..body.len() - 1];
    }
    let verdicts: Vec<PreVerdict> = if bytes.len() == nl + 1 {
        vec![]
    } else {
        body.split(|&b| b == b'\n').map(|l| pre_classify(l, &cols, &ctx)).collect()
    };
    let mut seen = std::collections::HashMap::new();
    for v in &verdicts {
        if let PreVerdict::Valid { iin, .. } = v {
            *seen.entry(iin.as_u64()).or_insert(0u64) += 1;
        }
    }
    let (mut accepted, mut rejected, mut malformed) = (0, [0u64; 5], 0);
    let mut per_station = vec![0u64; stations.len()];
    for v in &verdicts {
        match v {
            PreVerdict::Malformed(_) => malformed += 1,
            PreVerdict::InvalidIin(_) => rejected[0] += 1,
            PreVerdict::Valid { iin, .. } if seen[&iin.as_u64()] > 1 => rejected[1] += 1,
            PreVerdict::Valid { later: Some(r), .. } => rejected[r.index()] += 1,
            PreVerdict::Valid { later: None, station, .. } => {
                accepted += 1;
                per_station[station.unwrap() as usize] += 1;
            }
        }
    }
    (verdicts.len() as u64, accepted, rejected, malformed, per_station)
}

/// Random lines — valid rows, copies, random bytes with commas, quotes, `\r` and invalid UTF-8
/// — give the same counts through the parallel engine (any threads, any chunk size) as through
/// the plain reference, and never a panic.
#[test]
fn random_lines_agree_with_a_plain_reference() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.csv");
    let st = stations();
    let valid = [
        "900101300007",
        "850515401239",
        "000229500018",
        "061211600012",
        "900101300811",
        "050319500016",
    ];
    for round in 0..30 {
        let mut bytes = b"iin,full_name,birth_date,station\n".to_vec();
        let n = rng.gen_range(0..300);
        for _ in 0..n {
            match rng.gen_range(0..6) {
                0 | 1 => {
                    let iin = valid[rng.gen_range(0..valid.len())];
                    let born = ashyq_register::Iin::parse(iin).unwrap().birth_date();
                    let st = ["S1", "S2", "S3"][rng.gen_range(0..3)];
                    bytes.extend(format!("{iin},Name,{born},{st}").bytes());
                }
                2 => {
                    // A fresh valid IIN from the generator's building blocks.
                    let serial = rng.gen_range(1..9999u32);
                    let p = format!("800101{}{serial:04}", rng.gen_range(3..5));
                    let d: Vec<u8> = p.bytes().map(|b| b - b'0').collect();
                    let mut first = [0u8; 11];
                    first.copy_from_slice(&d);
                    if let Some(k) = ashyq_core::iin::check_digit(&first) {
                        bytes.extend(format!("{p}{k},\"N, M\",1980-01-01,S2").bytes());
                    }
                }
                _ => {
                    let len = rng.gen_range(0..40);
                    for _ in 0..len {
                        let b =
                            [b',', b'"', b'\r', 0xFF, 0xD0, b'1', b'a', b' '][rng.gen_range(0..8)];
                        bytes.push(b);
                    }
                }
            }
            bytes.push(b'\n');
        }
        if rng.gen_bool(0.3) && bytes.last() == Some(&b'\n') && n > 0 {
            bytes.pop(); // no final line break
        }
        std::fs::write(&path, &bytes).unwrap();
        let (rows, accepted, rejected, malformed, per_station) =
            reference(&bytes, &st, date("2023-03-19"));
        for (threads, chunk) in [(1, CHUNK), (2, 1), (3, 17), (2, 256)] {
            let s = run(&path, &st, threads, chunk, round % 2 == 0);
            assert_eq!(
                (s.rows, s.accepted, s.rejected, s.malformed, &s.per_station),
                (rows, accepted, rejected, malformed, &per_station),
                "round {round}, threads {threads}, chunk {chunk}"
            );
            if round % 2 == 0 {
                assert_eq!(s.rejections.len() as u64, rows - accepted);
            }
        }
    }
}

#[test]
fn crlf_bom_header_only_and_no_final_newline() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("v.csv");
    std::fs::write(&p, "\u{feff}iin,full_name,birth_date,station\r\n900101300007,A,1990-01-01,S1\r\n850515401239,B,1985-05-15,S2").unwrap();
    let s = run(&p, &stations(), 2, CHUNK, false);
    assert_eq!((s.rows, s.accepted), (2, 2));
    std::fs::write(&p, "iin,full_name,birth_date,station\n").unwrap();
    let s = run(&p, &stations(), 2, CHUNK, false);
    assert_eq!((s.rows, s.accepted), (0, 0));
    std::fs::write(&p, "iin,full_name,birth_date,station").unwrap();
    let s = run(&p, &stations(), 2, CHUNK, false);
    assert_eq!(s.rows, 0);
    std::fs::write(&p, "").unwrap();
    let e = check_file(
        &p,
        &stations(),
        &CheckOptions {
            election_day: date("2023-03-19"),
            threads: 1,
            chunk_bytes: CHUNK,
            report: false,
            progress: None,
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("the file is empty"), "{e}");
}
