//! The fast path against the reference (`read_package` + `ContestCounts::roll_up`) on generated
//! packages, clean and with the irregularities real packages have: missing lines, summary rows
//! of districts and regions, rows out of order, a contest over a sub-territory.

use std::path::Path;

use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::units::UnitTree;
use ashyq_generate::{Generator, Params, Preset, Sink};
use ashyq_package::PackageWriter;
use ashyq_tally::{tally_exact, tally_fast_with, tally_package, FastError, Scope};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

type Row = (String, String, String, u64);

#[derive(Default)]
struct Memory(Vec<Row>);

impl Sink for Memory {
    type Error = std::convert::Infallible;
    fn count(&mut self, c: &str, u: &str, l: &str, v: u64) -> Result<(), Self::Error> {
        self.0.push((c.into(), u.into(), l.into(), v));
        Ok(())
    }
    fn truth(&mut self, _: &str, _: bool, _: bool) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn generate(params: &Params) -> (Generator, Vec<Row>) {
    let g = Generator::new(params).expect("params");
    let mut m = Memory::default();
    let Ok(()) = g.run(&mut m, |_| {});
    (g, m.0)
}

fn write(dir: &Path, election: &Election, tree: &UnitTree, rows: &[Row]) {
    let mut w = PackageWriter::create(dir, election, tree, &[]).expect("create");
    for (c, u, l, v) in rows {
        w.count(c, u, l, *v).expect("row");
    }
    w.finish().expect("finish");
}

const SCOPES: [&str; 5] = ["", "country", "region", "district", "station"];

fn scope(s: &str) -> Scope {
    if s.is_empty() {
        Scope::Territory
    } else {
        Scope::Kind(s.to_owned())
    }
}

/// Fast (with 1, 2 and 3 chunks) equals exact for every scope.
fn assert_same(dir: &Path) {
    for s in SCOPES {
        let exact = tally_exact(dir, &scope(s)).expect("exact path reads the package");
        for threads in [1, 2, 3] {
            let fast = match tally_fast_with(dir, &scope(s), Some(threads)) {
                Ok(t) => t,
                Err(FastError::Declined(why)) => {
                    panic!("fast path declined a valid package: {why}")
                }
                Err(FastError::Final(e)) => panic!("{e}"),
            };
            assert_eq!(fast, exact, "scope {s:?}, {threads} chunk(s)");
        }
    }
}

#[test]
fn clean_generated_packages_tally_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, rows) = generate(&Params {
        stations: 1500,
        abroad: 5,
        seed: 21,
        stuffing: 0.1,
        rounding: 0.1,
        contests: vec![Preset::Mazhilis, Preset::President],
    });
    write(dir.path(), g.election(), g.tree(), &rows);
    assert_same(dir.path());
    // The national registered total is the sum over all stations.
    let t = tally_package(dir.path(), &Scope::Territory).expect("tally");
    let reg: u64 =
        rows.iter().filter(|r| r.0 == "mazhilis-list" && r.2 == "registered").map(|r| r.3).sum();
    assert_eq!(t.contests[0].units[0].totals.values[0], Some(reg));
    assert_eq!(t.contests[0].units[0].totals.protocols, 1505);
}

#[test]
fn irregular_packages_tally_alike() {
    for seed in 0..6u64 {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let dir = tempfile::tempdir().expect("tempdir");
        let (g, mut rows) = generate(&Params { stations: 400, seed, ..Params::default() });
        let tree = g.tree();
        // A second contest over Almaty only (e.g. a single-member district).
        let ala = tree.index_of("KZ-ALA").expect("Almaty");
        let mut info = ElectionInfo {
            id: "irregular".into(),
            name: "irregular".into(),
            date: "2023-03-19".into(),
            rules: "kz-2022".into(),
            contests: vec![],
        };
        for c in g.election().contests() {
            info.contests.push(ContestInfo {
                id: c.id().to_string(),
                kind: c.kind().name().into(),
                territory: "KZ".into(),
                seats: c.seats().map(i64::from),
                options: c
                    .options()
                    .iter()
                    .map(|o| OptionInfo {
                        id: o.id.to_string(),
                        name: o.name.clone(),
                        kind: (o.kind == ashyq_core::election::OptionKind::AgainstAll)
                            .then(|| "against-all".into()),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            });
        }
        info.contests.push(ContestInfo {
            id: "ala-smd".into(),
            kind: "single-member".into(),
            territory: "KZ-ALA".into(),
            options: ["a", "b"]
                .map(|o| OptionInfo { id: o.into(), name: o.into(), ..Default::default() })
                .to_vec(),
            ..Default::default()
        });
        let election = Election::try_from_info(info, tree).expect("definition");
        for s in tree.subtree(ala) {
            if tree.unit(s).kind == "station" && rng.gen_bool(0.8) {
                for l in ["registered", "ballots_issued", "a", "b"] {
                    rows.push((
                        "ala-smd".into(),
                        tree.unit(s).id.to_string(),
                        l.into(),
                        rng.gen_range(0..900),
                    ));
                }
            }
        }
        // Missing lines: drop 1% of the rows (a line becomes unknown in every sum above).
        rows.retain(|_| !rng.gen_bool(0.01));
        // Summary rows for some districts and regions (they must be ignored when stations
        // below them have data), and a district that has only a summary row.
        for u in 0..tree.len() {
            let kind = tree.unit(u).kind.as_str();
            if (kind == "district" || kind == "region") && rng.gen_bool(0.3) {
                for l in ["registered", "ballots_issued", "amanat", "invalid"] {
                    rows.push((
                        "mazhilis-list".into(),
                        tree.unit(u).id.to_string(),
                        l.into(),
                        rng.gen_range(0..1_000_000),
                    ));
                }
            }
        }
        let district = tree.units().iter().position(|u| u.kind == "district").expect("district");
        let below: Vec<String> =
            tree.subtree(district).iter().map(|&u| tree.unit(u).id.to_string()).collect();
        rows.retain(|r| r.1 == below[0] || !below.contains(&r.1));
        rows.push(("mazhilis-list".into(), below[0].clone(), "auyl".into(), 5));
        // Rows out of order: shuffle a tenth of the file, and move some to the end.
        let n = rows.len();
        let start = rng.gen_range(0..n / 2);
        rows[start..start + n / 10].shuffle(&mut rng);
        for _ in 0..50 {
            let i = rng.gen_range(0..rows.len());
            let r = rows.remove(i);
            rows.push(r);
        }
        write(dir.path(), &election, tree, &rows);
        assert_same(dir.path());
        let national = tally_exact(dir.path(), &Scope::Territory).expect("exact");
        let kz = &national.contests[0].units[0].totals;
        assert!(kz.values.iter().any(Option::is_none), "some national line is unknown");
        assert!(kz.units_with_line[0] > 0, "registered is on some protocol");
        assert_eq!(national.contests[1].units.len(), 1, "the Almaty contest has a total");
    }
}

#[test]
fn overflow_is_reported_by_both_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, mut rows) = generate(&Params { stations: 30, seed: 1, ..Params::default() });
    for r in rows.iter_mut().filter(|r| r.2 == "registered").take(2) {
        r.3 = u64::MAX;
    }
    write(dir.path(), g.election(), g.tree(), &rows);
    let exact = tally_exact(dir.path(), &Scope::Territory).expect_err("overflow");
    let via = tally_package(dir.path(), &Scope::Territory).expect_err("overflow");
    assert_eq!(exact.to_string(), via.to_string());
    assert!(exact.to_string().contains("exceeds 18446744073709551615"), "{exact}");
}

#[test]
fn unknown_kind_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, rows) = generate(&Params { stations: 30, seed: 1, ..Params::default() });
    write(dir.path(), g.election(), g.tree(), &rows);
    let e = tally_package(dir.path(), &Scope::Kind("oblast".into())).expect_err("unknown kind");
    assert_eq!(
        e.to_string(),
        "no unit has kind \"oblast\"; the kinds in units.csv are: city, country, district, region, station"
    );
}
