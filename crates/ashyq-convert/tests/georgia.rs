//! `convert --from georgia-cec`: the whole 2024 precinct file in ../shared/data reproduces the
//! checks of shared/data/README.md and the source's own column sums; the committed excerpt
//! (MIT, test_data/georgia) converts without the shared folder.

use std::io::Read;
use std::path::PathBuf;

use ashyq_convert::{convert, SourceFormat};
use ashyq_core::line::ProtocolLine;
use ashyq_package::{read_package, Package};

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

fn convert_read(src: &std::path::Path) -> (tempfile::TempDir, Package) {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("ge");
    convert(SourceFormat::GeorgiaCec, src, &dir, &mut |_, _| {}).expect("converts");
    let p = read_package(&dir).unwrap_or_else(|d| panic!("reads back: {d}"));
    (out, p)
}

/// Sum over the protocols that have the line (absent = unknown is kept by `roll_up`).
fn sum_known(p: &Package, line: usize) -> (u64, usize) {
    let mut s = 0;
    let mut missing = 0;
    for (_, row) in p.counts[0].rows() {
        match row[line] {
            Some(v) => s += v,
            None => missing += 1,
        }
    }
    (s, missing)
}

#[test]
fn georgia_2024_reproduces_the_published_sums() {
    let Some(data) = data_dir() else { return };
    let src = data.join("georgia-2024-parliamentary/cec_scrape_proportional.csv.gz");
    let (_tmp, p) = convert_read(&src);
    let c = &p.election.contests()[0];
    assert_eq!(
        (c.kind().name(), c.seats(), p.election.rules().name()),
        ("party-list", Some(150), "none")
    );
    let roll = p.counts[0].roll_up(&p.tree, c.territory()).expect("rolls up");
    let root = roll.at(c.territory()).expect("root");
    assert_eq!(root.protocols, 3095, "precincts");
    assert_eq!(root.line(ProtocolLine::Registered), Some(3_494_146));
    // 13 abroad precincts have no turnout at all: the national total is unknown, and the sum
    // over the others is the source's participated 2,086,199.
    assert_eq!(root.line(ProtocolLine::BallotsIssued), None);
    assert_eq!(sum_known(&p, ProtocolLine::BallotsIssued.column()), (2_086_199, 13));
    let valid: u64 = (0..c.options().len()).map(|i| root.option(i).expect("known")).sum();
    assert_eq!(valid, 2_061_317, "valid = sum of party votes");
    let gd = c.option_index("party-41").expect("Georgian Dream");
    assert_eq!(c.options()[gd].name, "ქართული ოცნება");
    assert_eq!(root.option(gd), Some(1_118_736));

    // Every CANDn column against the source, summed here from the CSV.
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&src).expect("open"))
        .read_to_string(&mut text)
        .expect("gunzip");
    let mut rdr = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = rdr.headers().expect("header").clone();
    let mut sums = vec![0u64; headers.len()];
    for r in rdr.records() {
        for (i, v) in r.expect("row").iter().enumerate() {
            sums[i] += v.parse::<u64>().unwrap_or(0);
        }
    }
    let mut n = 0;
    for (i, h) in headers.iter().enumerate() {
        if let Some(num) = h.strip_prefix("CAND") {
            let oi = c.option_index(&format!("party-{num}")).expect("option per CAND column");
            assert_eq!(root.option(oi), Some(sums[i]), "{h}");
            n += 1;
        }
    }
    assert_eq!(n, c.options().len());
    let reg = headers.iter().position(|h| h == "total_registered_voters").expect("col");
    assert_eq!(root.line(ProtocolLine::Registered), Some(sums[reg]));
}

#[test]
fn excerpt_converts_and_keeps_unknown_turnout_unknown() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test_data/georgia/cec_scrape_proportional_excerpt.csv");
    let (_tmp, p) = convert_read(&src);
    assert_eq!(p.counts[0].len(), 23);
    let abroad = p.tree.index_of("GE-00.87.02").expect("abroad precinct");
    assert_eq!(p.tree.unit(p.tree.unit(abroad).parent.expect("parent")).id.as_str(), "GE-87");
    let row = p.counts[0].row(abroad).expect("row");
    assert_eq!(row[ProtocolLine::BallotsIssued.column()], None, "no CEC and no OCR turnout");
    let ocr = p.counts[0].row(p.tree.index_of("GE-00.87.01").expect("u")).expect("row");
    assert_eq!(ocr[ProtocolLine::BallotsIssued.column()], Some(456), "OCR'd 456.0");
    let toml = std::fs::read_to_string(p.dir.join("election.toml")).expect("toml");
    assert!(
        toml.contains("foige") && toml.contains("00.87.02"),
        "provenance names the source and the gaps"
    );
}

#[test]
fn a_bad_number_is_reported_with_file_line_and_field() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test_data/georgia/cec_scrape_proportional_excerpt.csv");
    let text = std::fs::read_to_string(&src).expect("read");
    let bad = text.replacen(",2511,1037,", ",25x1,1037,", 1);
    assert_ne!(bad, text);
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("bad.csv");
    std::fs::write(&f, bad).expect("write");
    let err = convert(SourceFormat::GeorgiaCec, &f, &dir.path().join("out"), &mut |_, _| {})
        .expect_err("rejects");
    let msg = err.to_string();
    assert!(msg.starts_with("bad.csv:2: field total_registered_voters: \"25x1\""), "{msg}");
    assert!(!dir.path().join("out").exists(), "nothing written");
}
