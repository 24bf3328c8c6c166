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
            names: Vec::new(),
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

/// Random forests and shapes (several roots, territories anywhere, units listed in any order,
/// summary rows, missing lines, rows outside a territory, duplicates, shuffled rows): the fast
/// path either gives exactly the reference's tally or declines, and `tally_package` always
/// agrees with the reference, errors included.
#[test]
fn random_trees_and_shapes_never_give_a_wrong_tally() {
    use std::fmt::Write as _;
    let kinds = ["country", "region", "district", "station"];
    let mut declined = 0;
    let mut invalid = 0;
    for seed in 0..120u64 {
        let mut rng = ChaCha20Rng::seed_from_u64(1000 + seed);
        let n = rng.gen_range(1..120usize);
        // Ids with shared prefixes, so lookups and predictions are exercised.
        let ids: Vec<String> = (0..n).map(|i| format!("U{}-{}", i % 7, i)).collect();
        let mut parent: Vec<Option<usize>> = vec![None; n];
        for (i, p) in parent.iter_mut().enumerate().skip(1) {
            if !rng.gen_bool(0.06) {
                *p = Some(rng.gen_range(0..i));
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        if rng.gen_bool(0.5) {
            order.shuffle(&mut rng);
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let mut units = String::from("id,parent,kind,name\n");
        for &i in &order {
            let p = parent[i].map(|p| ids[p].as_str()).unwrap_or("");
            let _ =
                writeln!(units, "{},{p},{},Unit {i}", ids[i], kinds[rng.gen_range(0..kinds.len())]);
        }
        std::fs::write(dir.path().join("units.csv"), units).unwrap();
        let n_contests = rng.gen_range(1..=3);
        let mut toml = String::from("[election]\nid = \"random\"\nname = \"random\"\ndate = \"2026-01-01\"\nrules = \"none\"\n");
        let mut contests = Vec::new();
        for c in 0..n_contests {
            let territory = rng.gen_range(0..n);
            let n_options = rng.gen_range(1..=4);
            let _ = write!(
                toml,
                "\n[[contest]]\nid = \"c{c}\"\nkind = \"single-member\"\nterritory = \"{}\"\n",
                ids[territory]
            );
            for o in 0..n_options {
                let _ = write!(toml, "\n[[contest.option]]\nid = \"o{o}\"\nname = \"o{o}\"\n");
            }
            contests.push((territory, n_options));
        }
        std::fs::write(dir.path().join("election.toml"), toml).unwrap();
        let within = |u: usize, t: usize| {
            let mut cur = Some(u);
            while let Some(x) = cur {
                if x == t {
                    return true;
                }
                cur = parent[x];
            }
            false
        };
        let mut rows: Vec<String> = Vec::new();
        for (c, &(territory, n_options)) in contests.iter().enumerate() {
            let lines: Vec<String> = ["registered", "ballots_issued", "invalid"]
                .iter()
                .map(|s| (*s).to_owned())
                .chain((0..n_options).map(|o| format!("o{o}")))
                .collect();
            for (u, id) in ids.iter().enumerate() {
                let inside = within(u, territory);
                let p = if inside { 0.7 } else { 0.004 };
                if !rng.gen_bool(p) {
                    continue;
                }
                for l in &lines {
                    if rng.gen_bool(0.95) {
                        rows.push(format!("c{c},{id},{l},{}", rng.gen_range(0..5000u64)));
                    }
                }
            }
        }
        if !rows.is_empty() && rng.gen_bool(0.05) {
            let dup = rows[rng.gen_range(0..rows.len())].clone();
            rows.push(dup);
        }
        match rng.gen_range(0..3) {
            0 => rows.shuffle(&mut rng),
            1 => rows.sort(),
            _ => {}
        }
        let mut counts = String::from("contest,unit,line,value\n");
        for r in &rows {
            counts.push_str(r);
            counts.push('\n');
        }
        std::fs::write(dir.path().join("counts.csv"), counts).unwrap();
        for s in [Scope::Territory, Scope::Kind(kinds[rng.gen_range(0..kinds.len())].into())] {
            let exact = tally_exact(dir.path(), &s);
            for threads in [1, 2, 3] {
                match tally_fast_with(dir.path(), &s, Some(threads)) {
                    Ok(fast) => {
                        let want = exact.as_ref().unwrap_or_else(|e| {
                            panic!("seed {seed}: the fast path tallied input the reference rejects: {e}")
                        });
                        assert_eq!(&fast, want, "seed {seed}, {threads} chunk(s), scope {s:?}");
                    }
                    Err(FastError::Declined(_)) => declined += 1,
                    Err(FastError::Final(e)) => assert_eq!(
                        Some(e.to_string()),
                        exact.as_ref().err().map(ToString::to_string),
                        "seed {seed}"
                    ),
                }
            }
            let via = tally_package(dir.path(), &s);
            match (&via, &exact) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "seed {seed}"),
                (Err(a), Err(b)) => {
                    invalid += 1;
                    assert_eq!(a.to_string(), b.to_string(), "seed {seed}")
                }
                _ => panic!("seed {seed}: tally_package {via:?} but the reference {exact:?}"),
            }
        }
    }
    eprintln!("fast path declined {declined} times; {invalid} invalid inputs reported alike");
    assert!(invalid > 0, "some random inputs are invalid (rows outside a territory, duplicates)");
}

/// A line of several MiB (a corrupted or hostile file) neither makes the fast path quadratic nor
/// gets past validation: it declines at once and the reference reports the line.
#[test]
fn a_huge_line_is_declined_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (g, rows) = generate(&Params { stations: 30, seed: 1, ..Params::default() });
    write(dir.path(), g.election(), g.tree(), &rows);
    let path = dir.path().join("counts.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!("mazhilis-list,{},registered,1\n", "X".repeat(5 << 20)));
    std::fs::write(&path, text).unwrap();
    let t = std::time::Instant::now();
    assert!(matches!(
        tally_fast_with(dir.path(), &Scope::Territory, Some(1)),
        Err(FastError::Declined(_))
    ));
    let e = tally_package(dir.path(), &Scope::Territory).expect_err("an unknown unit");
    assert!(e.to_string().contains("counts.csv:"), "{e}");
    assert!(
        e.to_string().len() < 2000,
        "the message quotes the line only in part: {} bytes",
        e.to_string().len()
    );
    eprintln!("huge line handled in {:?}", t.elapsed());
}
