//! `convert --from bulgaria-cik`: the two CIK folders in ../shared/data reproduce the official
//! totals quoted in shared/data/README.md and the source files' own sums; the committed
//! excerpt (CC BY-SA 4.0, test_data/bulgaria) converts without the shared folder.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use ashyq_convert::{convert, SourceFormat};
use ashyq_core::counts::Totals;
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

fn convert_read(src: &Path) -> (tempfile::TempDir, Package) {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("bg");
    convert(SourceFormat::BulgariaCik, src, &dir, &mut |_, _| {}).expect("converts");
    let p = read_package(&dir).unwrap_or_else(|d| panic!("reads back: {d}"));
    (out, p)
}

/// A `;` table (gzip or plain) as header → column and rows.
fn table(dir: &Path, stem: &str) -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let gz = dir.join(format!("{stem}.csv.gz"));
    let mut text = String::new();
    if gz.is_file() {
        flate2::read::MultiGzDecoder::new(std::fs::File::open(gz).expect("open"))
            .read_to_string(&mut text)
            .expect("gunzip");
    } else {
        text = std::fs::read_to_string(dir.join(format!("{stem}.csv"))).expect("read");
    }
    let mut rdr = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
    let h = rdr.headers().expect("h").iter().enumerate().map(|(i, s)| (s.to_owned(), i)).collect();
    let rows = rdr.records().map(|r| r.expect("row").iter().map(str::to_owned).collect()).collect();
    (h, rows)
}

fn root(p: &Package) -> Totals {
    let c = &p.election.contests()[0];
    p.counts[0]
        .roll_up(&p.tree, c.territory())
        .expect("rolls up")
        .at(c.territory())
        .expect("root")
        .clone()
}

fn opt(p: &Package, t: &Totals, id: &str) -> Option<u64> {
    t.option(p.election.contests()[0].option_index(id).unwrap_or_else(|| panic!("option {id}")))
}

/// Source sums computed here: protocol columns, and party votes = paper + machine per
/// ballot number, skipping the summary codes ≥ 100 and the sections listed in `skip`.
fn protocol_sum(dir: &Path, col: &str) -> u64 {
    let (h, rows) = table(dir, "41_protocols");
    rows.iter().map(|r| r[h[col]].parse::<u64>().expect("n")).sum()
}

fn party_sums(dir: &Path, machine: &str, skip: &HashSet<String>) -> HashMap<u64, u64> {
    let mut out = HashMap::new();
    for stem in ["50_votes_paper", machine] {
        let (h, rows) = table(dir, stem);
        for r in rows {
            let code: u64 = r[h["party"]].parse().expect("code");
            if code < 99 && !skip.contains(&r[h["section_id"]]) {
                *out.entry(code).or_insert(0) += r[h["votes"]].parse::<u64>().expect("votes");
            }
        }
    }
    out
}

#[test]
fn bulgaria_2021_07_11_matches_cik() {
    let Some(data) = data_dir() else { return };
    let dir = data.join("bulgaria-cik-sections/20210711");
    let (_tmp, p) = convert_read(&dir);
    let t = root(&p);
    assert_eq!(t.protocols, 13_005, "sections");
    assert_eq!(t.line(ProtocolLine::BallotsIssued), Some(2_775_754), "voted");
    assert_eq!(t.line(ProtocolLine::Invalid), Some(9_342));
    assert_eq!(opt(&p, &t, "against-all"), Some(35_201), "I support no one");
    assert_eq!(opt(&p, &t, "party-22"), Some(657_829), "ITN");
    assert_eq!(opt(&p, &t, "party-5"), Some(642_165), "GERB-SDS");
    assert_eq!(
        t.line(ProtocolLine::Registered),
        Some(
            protocol_sum(&dir, "pre_registered_voters")
                + protocol_sum(&dir, "onsite_listed_voters")
        )
    );
    assert_eq!(
        t.line(ProtocolLine::Registered).map(|r| r - protocol_sum(&dir, "onsite_listed_voters")),
        Some(6_668_540),
        "CIK line 1"
    );
    let parties = party_sums(&dir, "50_votes_machine", &HashSet::new());
    let c = &p.election.contests()[0];
    let mut n = 0;
    for (i, o) in c.options().iter().enumerate() {
        let code: u64 = match o.id.as_str().strip_prefix("party-").or_else(|| {
            o.id.as_str().strip_prefix("independent-").and_then(|s| s.split('-').next())
        }) {
            Some(c) => c.parse().expect("code"),
            None => continue,
        };
        assert_eq!(t.option(i), Some(parties.get(&code).copied().unwrap_or(0)), "{}", o.id);
        n += 1;
    }
    assert_eq!(n, c.options().len() - 1, "every list and independent candidate checked");
    assert!(
        c.option_index("independent-24-rik24").is_some(),
        "the independent candidate of RIK 24 (21_participants)"
    );
}

#[test]
fn bulgaria_2022_10_02_matches_cik_and_keeps_missing_machine_data_unknown() {
    let Some(data) = data_dir() else { return };
    let dir = data.join("bulgaria-cik-sections/20221002");
    let (_tmp, p) = convert_read(&dir);
    let t = root(&p);
    assert_eq!(t.line(ProtocolLine::BallotsIssued), Some(2_601_900), "voted");
    assert_eq!(t.line(ProtocolLine::Invalid), Some(9_042));
    assert_eq!(opt(&p, &t, "against-all"), Some(87_635), "I support no one (protocol lines)");
    // Sections whose machine votes are on the protocol but missing from the raw machine data.
    let (h, rows) = table(&dir, "41_protocols");
    let (mh, mrows) = table(&dir, "50_votes_machine_from_machine_data");
    let with_machine: HashSet<&str> = mrows.iter().map(|r| r[mh["section_id"]].as_str()).collect();
    let gaps: HashSet<String> = rows
        .iter()
        .filter(|r| {
            r[h["valid_machine_votes_for_parties"]] != "0"
                && !with_machine.contains(r[h["section_id"]].as_str())
        })
        .map(|r| r[h["section_id"]].clone())
        .collect();
    assert_eq!(gaps.len(), 42);
    assert_eq!(opt(&p, &t, "party-9"), None, "national party totals are unknown, not understated");
    // Over the other sections, party votes = paper + machine data.
    let c = &p.election.contests()[0];
    let sums = party_sums(&dir, "50_votes_machine_from_machine_data", &gaps);
    let pp = c.option_index("party-9").expect("PP");
    let mut got = 0;
    let mut lacking = 0;
    for (u, row) in p.counts[0].rows() {
        match row[ProtocolLine::COUNT + pp] {
            Some(v) => got += v,
            None => {
                lacking += 1;
                assert!(gaps.contains(&p.tree.unit(u).id.as_str()[3..]));
            }
        }
    }
    assert_eq!((got, lacking), (sums[&9], 42));
}

#[test]
fn committed_excerpt_converts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/bulgaria/20210711");
    let (_tmp, p) = convert_read(&dir);
    let t = root(&p);
    assert_eq!(t.protocols, 18);
    assert_eq!(t.line(ProtocolLine::BallotsIssued), Some(protocol_sum(&dir, "voted_voters")));
    let rik = p.tree.index_of("BG-01").expect("RIK 01");
    assert_eq!(p.tree.unit(rik).name, "Благоевград", "name from riks.csv");
    assert_eq!(p.tree.children(rik).len(), 12);
}

/// The two machine-vote records of 2021-07-11 as packages: every ballot number's total equals
/// the sum of its file (codes ≥ 100 skipped), and the sections are those with rows in the file.
#[test]
fn machine_vote_records_convert_with_their_files_sums() {
    let Some(data) = data_dir() else { return };
    let src = data.join("bulgaria-cik-sections/20210711");
    for (format, stem, sections) in [
        (SourceFormat::BulgariaCikMachineProtocol, "50_votes_machine", 9_674),
        (SourceFormat::BulgariaCikMachineData, "50_votes_machine_from_machine_data", 9_580),
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        let dir = out.path().join("bg");
        convert(format, &src, &dir, &mut |_, _| {}).expect("converts");
        let p = read_package(&dir).unwrap_or_else(|d| panic!("reads back: {d}"));
        let t = root(&p);
        assert_eq!(t.protocols, sections, "{stem}");
        let (h, rows) = table(&src, stem);
        let mut sums: HashMap<u64, u64> = HashMap::new();
        for r in rows {
            let code: u64 = r[h["party"]].parse().expect("code");
            if code < 100 {
                *sums.entry(code).or_insert(0) += r[h["votes"]].parse::<u64>().expect("votes");
            }
        }
        assert_eq!(opt(&p, &t, "against-all"), Some(sums[&99]), "{stem}: no one");
        for (code, id) in [(22, "party-22"), (5, "party-5"), (4, "party-4")] {
            assert_eq!(opt(&p, &t, id), Some(sums[&code]), "{stem}: {id}");
        }
        assert_eq!(t.line(ProtocolLine::BallotsIssued), None, "option lines only");
    }
}
