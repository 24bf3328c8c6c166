//! `convert --from izbirkom` on every Russian file in ../shared/data: the package's roll-up at
//! the root must equal the source's own column sums, computed here directly from the CSV
//! (independently of the converter), and the station counts and registered voters published in
//! shared/data/README.md.
//!
//! Test time (decided and documented in docs/converters.md): every year is converted and
//! checked in every run. Reading a 1.5-million-row package back with `read_package` takes ~5 s
//! per year in a debug build, so in debug the full read-back + `roll_up` runs for the two
//! smallest years (2008, 2020) and the other years compare the source sums with the sums of
//! counts.csv computed directly (every station having every line, so the roll-up is known);
//! in release builds (`cargo test --release`) or with `ASHYQ_FULL_DATA_TESTS=1` all eight years
//! go through `read_package` + `roll_up`. The Russian files are never copied into the repository.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use ashyq_convert::{convert, SourceFormat};
use ashyq_core::line::ProtocolLine;
use ashyq_package::read_package;

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

/// The package's totals at the root, by line name (protocol line or option id).
struct Root {
    protocols: u64,
    values: HashMap<String, Option<u64>>,
    /// (option id, option name) in package order.
    options: Vec<(String, String)>,
    rules_none: bool,
}

impl Root {
    fn get(&self, line: &str) -> Option<u64> {
        self.values.get(line).copied().flatten()
    }
}

/// Through the reader: `read_package` + `roll_up` at the contest's territory.
fn rolled_up(dir: &Path) -> Root {
    let pkg = read_package(dir).unwrap_or_else(|d| panic!("package reads back: {d}"));
    let contest = &pkg.election.contests()[0];
    let roll = pkg.counts[0].roll_up(&pkg.tree, contest.territory()).expect("rolls up");
    let root = roll.at(contest.territory()).expect("root has totals");
    let mut values = HashMap::new();
    for l in ProtocolLine::ALL {
        values.insert(l.name().to_owned(), root.line(l));
    }
    for (i, o) in contest.options().iter().enumerate() {
        values.insert(o.id.to_string(), root.option(i));
    }
    Root {
        protocols: u64::from(root.protocols),
        values,
        options: contest.options().iter().map(|o| (o.id.to_string(), o.name.clone())).collect(),
        rules_none: pkg.election.rules().name() == "none",
    }
}

/// Directly from counts.csv: a line's total is known when every protocol has it (as in
/// `roll_up`); option names from election.toml.
fn summed(dir: &Path) -> Root {
    let mut rdr = csv::Reader::from_path(dir.join("counts.csv")).expect("counts.csv");
    let mut sums: HashMap<Vec<u8>, (u64, u64)> = HashMap::new();
    let mut units = std::collections::HashSet::new();
    let mut rec = csv::ByteRecord::new();
    let mut last_unit = Vec::new();
    while rdr.read_byte_record(&mut rec).expect("row") {
        if rec[1] != last_unit[..] {
            last_unit = rec[1].to_vec();
            units.insert(last_unit.clone());
        }
        let v: u64 = std::str::from_utf8(&rec[3]).expect("utf8").parse().expect("count");
        let e = sums.entry(rec[2].to_vec()).or_insert((0, 0));
        e.0 += v;
        e.1 += 1;
    }
    let n = units.len() as u64;
    let values = sums
        .into_iter()
        .map(|(k, (s, c))| (String::from_utf8(k).expect("utf8"), (c == n).then_some(s)))
        .collect();
    let toml: toml::Value = std::fs::read_to_string(dir.join("election.toml"))
        .expect("toml")
        .parse()
        .expect("toml parses");
    let options = toml["contest"][0]["option"]
        .as_array()
        .expect("options")
        .iter()
        .map(|o| {
            (o["id"].as_str().expect("id").to_owned(), o["name"].as_str().expect("name").to_owned())
        })
        .collect();
    Root {
        protocols: n,
        values,
        options,
        rules_none: toml["election"]["rules"].as_str() == Some("none"),
    }
}

/// Column sums of the source, by header, computed straight from the gzip CSV.
fn source_sums(path: &std::path::Path) -> (u64, Vec<String>, Vec<u64>) {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(path).expect("open source"))
        .read_to_string(&mut text)
        .expect("gunzip source");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = rdr.headers().expect("header").iter().map(str::to_owned).collect();
    let mut sums = vec![0u64; headers.len()];
    let mut rows = 0;
    let mut r = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut r).expect("record") {
        rows += 1;
        for (i, v) in r.iter().enumerate() {
            if !v.is_empty() && v.iter().all(u8::is_ascii_digit) {
                sums[i] += v.iter().fold(0u64, |a, &d| a * 10 + u64::from(d - b'0'));
            }
        }
    }
    (rows, headers, sums)
}

fn check_year(year: u32, stations: u64, registered: u64, turnout_bp: u64) {
    let Some(data) = data_dir() else { return };
    let src = data.join(format!("russia-kobak-shpilkin/russia_{year}.csv.gz"));
    let out = tempfile::tempdir().expect("tempdir");
    let pkg_dir = out.path().join("pkg");
    let summary =
        convert(SourceFormat::Izbirkom, &src, &pkg_dir, &mut |_, _| {}).expect("converts");
    assert_eq!(summary.protocols as u64, stations, "{year}: one protocol per station row");
    let full = !cfg!(debug_assertions)
        || std::env::var_os("ASHYQ_FULL_DATA_TESTS").is_some()
        || matches!(year, 2008 | 2020);
    let root = if full { rolled_up(&pkg_dir) } else { summed(&pkg_dir) };
    assert_eq!(root.protocols, stations, "{year}: stations (README)");
    assert!(root.rules_none, "{year}: rules none");
    let (rows, headers, sums) = source_sums(&src);
    assert_eq!(rows, stations, "{year}: rows in the source");
    let sum_where = |pred: &dyn Fn(&str) -> bool| -> Option<u64> {
        let cols: Vec<usize> =
            (0..headers.len()).filter(|&i| pred(&headers[i].to_lowercase())).collect();
        (!cols.is_empty()).then(|| cols.iter().map(|&i| sums[i]).sum())
    };
    let expect: Vec<(ProtocolLine, Option<u64>)> = vec![
        (
            ProtocolLine::Registered,
            sum_where(&|h| h.contains("включенных в спис") || h.contains("внесенных в спис")),
        ),
        (
            ProtocolLine::BallotsReceived,
            sum_where(&|h| h.contains("бюллетен") && h.contains("полученных")),
        ),
        (
            ProtocolLine::BallotsIssued,
            sum_where(&|h| h.contains("бюллетен") && h.contains("выданных")),
        ),
        (
            ProtocolLine::Mobile,
            sum_where(&|h| {
                h.contains("бюллетен") && h.contains("выданных") && h.contains("вне помещ")
            }),
        ),
        (
            ProtocolLine::BallotsCancelled,
            sum_where(&|h| h.contains("бюллетен") && h.contains("погашенных")),
        ),
        (
            ProtocolLine::BallotsFound,
            sum_where(&|h| h.contains("бюллетен") && h.contains("ящиках")),
        ),
        (ProtocolLine::Invalid, sum_where(&|h| h.contains("недействительных"))),
        (ProtocolLine::Absentee, sum_where(&|h| h.contains("проголосовавших по открепительным"))),
        (ProtocolLine::NotCounted, None),
    ];
    for (line, want) in expect {
        assert_eq!(
            root.get(line.name()),
            want,
            "{year}: line {} at the root vs the source's column sum",
            line.name()
        );
    }
    assert_eq!(root.get("registered"), Some(registered), "{year}: registered (README)");
    let issued = root.get("ballots_issued").expect("issued");
    assert_eq!(
        (issued * 10_000 + registered / 2) / registered,
        turnout_bp,
        "{year}: turnout in basis points (README)"
    );

    // Every candidate/party/yes/no column, by its original name.
    let by_name: HashMap<&str, &str> =
        root.options.iter().map(|(id, name)| (name.as_str(), id.as_str())).collect();
    let text = ["region", "tik", "uik", "oik", "level", "name", "url"];
    let mut n_options = 0;
    for (i, h) in headers.iter().enumerate() {
        if text.contains(&h.as_str()) || h.starts_with("Число") {
            continue;
        }
        let id =
            *by_name.get(h.trim()).unwrap_or_else(|| panic!("{year}: column {h} became an option"));
        assert_eq!(root.get(id), Some(sums[i]), "{year}: votes of {h}");
        n_options += 1;
    }
    assert_eq!(n_options, root.options.len(), "{year}: no extra options");
    // Lines with no Ashyq counterpart are named in the provenance comment.
    let toml = std::fs::read_to_string(pkg_dir.join("election.toml")).expect("election.toml");
    for h in &headers {
        let l = h.to_lowercase();
        if l.contains("утраченных") || l.starts_with("число действительных")
        {
            assert!(
                toml.contains(h.trim()),
                "{year}: unmapped line {h} is listed in the provenance"
            );
        }
    }
    if year == 2021 {
        check_2021_shape(&pkg_dir);
    }
}

#[test]
fn russia_2004_presidential() {
    check_year(2004, 95_779, 108_064_342, 6439);
}

#[test]
fn russia_2007_duma() {
    check_year(2007, 96_193, 109_148_196, 6378);
}

#[test]
fn russia_2008_presidential() {
    check_year(2008, 96_612, 107_222_016, 6981);
}

#[test]
fn russia_2011_duma() {
    check_year(2011, 95_225, 109_229_337, 6021);
}

#[test]
fn russia_2012_presidential() {
    check_year(2012, 95_415, 109_860_331, 6534);
}

#[test]
fn russia_2018_presidential() {
    check_year(2018, 97_699, 109_008_428, 6754);
}

#[test]
fn russia_2020_constitutional_vote() {
    check_year(2020, 96_765, 107_999_611, 6769);
}

#[test]
fn russia_2021_duma_with_e_voting() {
    check_year(2021, 96_325, 109_204_662, 5172);
}

/// 2021: party-list of 225 seats; RU -> region -> oik -> tik -> station, with the remote
/// e-voting pseudo-stations kept (read from units.csv directly).
fn check_2021_shape(pkg_dir: &Path) {
    let toml = std::fs::read_to_string(pkg_dir.join("election.toml")).expect("election.toml");
    assert!(toml.contains("kind = \"party-list\"") && toml.contains("seats = 225"));
    let mut rdr = csv::Reader::from_path(pkg_dir.join("units.csv")).expect("units.csv");
    let units: Vec<(String, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("unit row");
            (r[0].to_owned(), r[1].to_owned(), r[2].to_owned())
        })
        .collect();
    assert!(units.iter().all(|u| u.0.is_ascii()));
    let by_id: HashMap<&str, &(String, String, String)> =
        units.iter().map(|u| (u.0.as_str(), u)).collect();
    let ev = units
        .iter()
        .find(|u| u.2 == "e-voting" && u.0.contains("-O109-"))
        .expect("Kursk OIK 109 e-voting");
    let mut kinds = vec![ev.2.as_str()];
    let mut cur = ev;
    while !cur.1.is_empty() {
        cur = by_id[cur.1.as_str()];
        kinds.push(cur.2.as_str());
    }
    assert_eq!(
        kinds,
        ["e-voting", "territorial-commission", "district-commission", "region", "country"]
    );
}

/// A synthetic two-station file in the 2018 layout (made-up numbers, no real data).
const SYNTHETIC_2018: &str = "region,tik,uik,\"Число избирателей, включенных в список избирателей\",\"Число избирательных бюллетеней, полученных участковой избирательной комиссией\",\"Число избирательных бюллетеней, выданных избирателям, проголосовавшим досрочно\",\"Число избирательных бюллетеней, выданных в помещении для голосования в день голосования\",\"Число избирательных бюллетеней, выданных вне помещения для голосования в день голосования\",Число погашенных избирательных бюллетеней,Число избирательных бюллетеней в переносных ящиках для голосования,Число бюллетеней в стационарных ящиках для голосования,Число недействительных избирательных бюллетеней,Число действительных избирательных бюллетеней,Число утраченных избирательных бюллетеней,\"Число избирательных бюллетеней, не учтенных при получении\",Иванов Иван Иванович,Петров Пётр Петрович,url
Область А,1 Первая,1,1000,900,0,500,20,380,20,500,5,515,0,0,300,215,http://x
Область А,1 Первая,2,800,700,0,400,10,290,10,400,4,406,0,0,200,206,http://x
";

#[test]
fn synthetic_file_converts_and_a_bad_value_names_file_line_and_field() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let good = tmp.path().join("russia_2018_synthetic.csv");
    std::fs::write(&good, SYNTHETIC_2018).expect("write");
    let out = tmp.path().join("ok");
    let s = convert(SourceFormat::Izbirkom, &good, &out, &mut |_, _| {}).expect("converts");
    assert_eq!((s.units, s.protocols), (5, 2), "RU, region, tik, two stations");
    let root = rolled_up(&out);
    assert_eq!(root.get("ballots_issued"), Some(930));
    assert_eq!(root.get("mobile"), Some(30));
    assert_eq!(root.get("ballots_found"), Some(930));
    assert_eq!(root.get("ivanov-ivan-ivanovich"), Some(500));
    assert_eq!(root.get("petrov-petr-petrovich"), Some(421));

    let bad = tmp.path().join("russia_2018_bad.csv");
    std::fs::write(&bad, SYNTHETIC_2018.replace(",400,4,406,", ",400,4x,406,")).expect("write");
    let err = convert(SourceFormat::Izbirkom, &bad, &tmp.path().join("no"), &mut |_, _| {})
        .expect_err("rejects");
    assert_eq!(
        err.to_string(),
        "russia_2018_bad.csv:3: field \"Число недействительных избирательных бюллетеней\": \"4x\" is not a non-negative integer"
    );
    assert!(!tmp.path().join("no").exists());
    let unnamed = tmp.path().join("results.csv");
    std::fs::write(&unnamed, SYNTHETIC_2018).expect("write");
    let err = convert(SourceFormat::Izbirkom, &unnamed, &tmp.path().join("no"), &mut |_, _| {})
        .expect_err("no year");
    assert!(err.to_string().contains("election year in their name"), "{err}");
}

/// Issue 10, item 2: newer izbirkom files (2024: 2,268 stations in four regions without data)
/// have stations whose protocol is empty. Blank fields are unknown, not an error: the station
/// stays in the tree with no counts, is counted and reported; a partly blank protocol keeps its
/// known lines and loses the lines summed from a blank column.
#[test]
fn empty_protocols_convert_as_absent_and_are_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let blank_row = "Область Б,2 Вторая,7,,,,,,,,,,,,,,,http://x\n";
    let partial_row =
        "Область Б,2 Вторая,8,900,800,,450,10,340,10,450,6,454,0,0,250,204,http://x\n";
    let text = format!("{SYNTHETIC_2018}{blank_row}{partial_row}");
    let src = tmp.path().join("russia_2024_synthetic.csv");
    std::fs::write(&src, text).expect("write");
    let out = tmp.path().join("pkg");
    let s = convert(SourceFormat::Izbirkom, &src, &out, &mut |_, _| {}).expect("converts");
    assert_eq!((s.protocols, s.empty_protocols), (3, 1), "two full, one partial, one empty");
    let units = std::fs::read_to_string(out.join("units.csv")).expect("units");
    assert!(units.contains("-U7,"), "the empty station is a unit: {units}");
    let counts = std::fs::read_to_string(out.join("counts.csv")).expect("counts");
    let station8: Vec<&str> = counts.lines().filter(|l| l.contains("-U8,")).collect();
    assert!(!counts.lines().any(|l| l.contains("-U7,")), "no counts for the empty station");
    // Issued early is blank at station 8: ballots_issued (early + in station + outside) is
    // unknown there, mobile (outside only) is known.
    assert!(!station8.iter().any(|l| l.contains(",ballots_issued,")), "{station8:?}");
    assert!(station8.iter().any(|l| l.ends_with(",mobile,10")), "{station8:?}");
    assert!(station8.iter().any(|l| l.ends_with(",registered,900")), "{station8:?}");
    let toml = std::fs::read_to_string(out.join("election.toml")).expect("toml");
    assert!(
        toml.contains("1 stations have an empty protocol")
            && toml.contains("1 have some figures blank"),
        "{toml}"
    );
    // The roll-up treats the unknown line as unknown, not zero.
    let root = rolled_up(&out);
    assert_eq!(root.get("ballots_issued"), None);
    assert_eq!(root.get("registered"), Some(1000 + 800 + 900));
}
