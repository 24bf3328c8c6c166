use std::collections::BTreeMap;

use ashyq_core::checks::{check_protocol, PlausibilityLimits, ProtocolContext};
use ashyq_core::counts::ContestCounts;
use ashyq_core::line::Line;

use super::*;

#[derive(Default)]
struct Memory {
    rows: Vec<(String, String, String, u64)>,
    truth: Vec<(String, bool, bool)>,
}

impl Sink for Memory {
    type Error = std::convert::Infallible;
    fn count(
        &mut self,
        contest: &str,
        unit: &str,
        line: &str,
        value: u64,
    ) -> Result<(), Self::Error> {
        self.rows.push((contest.into(), unit.into(), line.into(), value));
        Ok(())
    }
    fn truth(&mut self, station: &str, stuffed: bool, rounded: bool) -> Result<(), Self::Error> {
        self.truth.push((station.into(), stuffed, rounded));
        Ok(())
    }
}

fn generate(params: &Params) -> (Generator, Memory) {
    let g = Generator::new(params).expect("valid params");
    let mut m = Memory::default();
    let Ok(()) = g.run(&mut m, |_| {});
    (g, m)
}

fn counts(g: &Generator, m: &Memory) -> Vec<ContestCounts> {
    let e = g.election();
    let mut cc: Vec<ContestCounts> = e.contests().iter().map(ContestCounts::new).collect();
    for (c, u, l, v) in &m.rows {
        let ci = e.contest_index(c).expect("contest");
        let contest = &e.contests()[ci];
        let line = match ashyq_core::line::ProtocolLine::from_name(l) {
            Some(p) => Line::Protocol(p),
            None => Line::Option(contest.option_index(l).expect("option")),
        };
        cc[ci].set(g.tree().index_of(u).expect("unit"), line, *v).expect("no duplicate");
    }
    cc
}

#[test]
fn every_protocol_adds_up_even_when_manipulated() {
    let params = Params {
        stations: 3000,
        abroad: 20,
        seed: 7,
        stuffing: 0.2,
        rounding: 0.2,
        contests: vec![Preset::Mazhilis, Preset::President],
    };
    let (g, m) = generate(&params);
    assert_eq!(g.n_stations(), 3020);
    assert_eq!(m.rows.len() as u64, g.n_rows());
    for (contest, cc) in g.election().contests().iter().zip(counts(&g, &m)) {
        assert_eq!(cc.len(), 3020);
        for (u, row) in cc.rows() {
            // Limits of 100% switch the plausibility warnings off: only the arithmetic counts.
            let no_warnings = PlausibilityLimits {
                max_turnout_percent: 100,
                max_invalid_percent: 100,
                max_mobile_percent: 100,
            };
            let findings = check_protocol(contest, row, &ProtocolContext::station(no_warnings));
            assert!(findings.is_empty(), "{}: {findings:?}", g.tree().unit(u).id);
            let reg = row[0].expect("registered");
            assert!((50..=3000).contains(&reg), "registered {reg}");
        }
    }
}

#[test]
fn honest_protocols_raise_no_plausibility_warning() {
    let (g, m) = generate(&Params {
        stations: 5000,
        seed: 8,
        contests: vec![Preset::Mazhilis, Preset::President],
        ..Params::default()
    });
    for (contest, cc) in g.election().contests().iter().zip(counts(&g, &m)) {
        for (u, row) in cc.rows() {
            let ctx = ProtocolContext::station(PlausibilityLimits::default());
            let w = check_protocol(contest, row, &ctx);
            assert!(w.is_empty(), "{}: {w:?}", g.tree().unit(u).id);
        }
    }
}

#[test]
fn shape_sizes_and_national_result_are_realistic() {
    let (g, m) = generate(&Params { stations: 10_000, seed: 3, ..Params::default() });
    let tree = g.tree();
    let regions = tree.children(0);
    assert_eq!(regions.len(), 20);
    let ids: Vec<&str> = regions.iter().map(|&r| tree.unit(r).id.as_str()).collect();
    assert_eq!(ids[0], "KZ-ABY");
    assert_eq!(&ids[17..], ["KZ-AST", "KZ-ALA", "KZ-SHY"]);
    let districts: usize = regions.iter().map(|&r| tree.children(r).len()).sum();
    assert!((150..=260).contains(&districts), "{districts} districts");
    let cc = &counts(&g, &m)[0];
    let mut total: BTreeMap<usize, u64> = BTreeMap::new();
    for (_, row) in cc.rows() {
        for (col, v) in row.iter().enumerate() {
            *total.entry(col).or_default() += v.unwrap_or(0);
        }
    }
    let registered = total[&0] as f64;
    assert!((10.5e6..13.5e6).contains(&registered), "registered {registered}");
    let turnout = total[&2] as f64 / registered;
    assert!((0.49..0.60).contains(&turnout), "turnout {turnout}");
    let first = ashyq_core::line::ProtocolLine::COUNT; // the first option's column
    let valid: u64 = (first..first + 8).map(|c| total[&c]).sum();
    let amanat = total[&first] as f64 / valid as f64;
    let target = 3_431_510.0 / 6_366_441.0;
    assert!((amanat - target).abs() < 0.04, "amanat {amanat} vs {target}");
    let baitaq = total[&(first + 6)] as f64 / valid as f64;
    assert!(baitaq < 0.05, "baitaq must stay below the threshold: {baitaq}");
    // Almaty (city) has the lowest turnout, around 30%.
    let ala = tree.index_of("KZ-ALA").expect("Almaty");
    let (mut reg, mut iss) = (0u64, 0u64);
    for (u, row) in cc.rows() {
        if tree.is_within(u, ala) {
            reg += row[0].unwrap_or(0);
            iss += row[2].unwrap_or(0);
        }
    }
    let t_ala = iss as f64 / reg as f64;
    assert!((0.18..0.38).contains(&t_ala), "Almaty turnout {t_ala}");
}

#[test]
fn same_seed_same_rows_and_manipulation_only_overlays() {
    let base = Params { stations: 2000, seed: 11, ..Params::default() };
    let (_, a) = generate(&base);
    let (_, b) = generate(&base);
    assert_eq!(a.rows, b.rows);
    let (_, other) = generate(&Params { seed: 12, ..base.clone() });
    assert_ne!(a.rows, other.rows);
    let (_, s) = generate(&Params { stuffing: 0.1, ..base.clone() });
    let stuffed: Vec<&str> = s.truth.iter().filter(|t| t.1).map(|t| t.0.as_str()).collect();
    assert!((140..=260).contains(&stuffed.len()), "{} stuffed", stuffed.len());
    for (x, y) in a.rows.iter().zip(&s.rows) {
        if x != y {
            assert!(stuffed.contains(&x.1.as_str()), "{x:?} changed but was not stuffed");
            if x.2 == "ballots_issued" || x.2 == "amanat" {
                assert!(y.3 > x.3, "stuffing raises {}: {x:?} → {y:?}", x.2);
            }
        }
    }
    assert!(a.truth.iter().all(|t| !t.1 && !t.2));
}

#[test]
fn rounding_puts_turnout_on_whole_percentages() {
    let (g, m) = generate(&Params { stations: 1000, seed: 5, rounding: 1.0, ..Params::default() });
    let cc = &counts(&g, &m)[0];
    for (_, row) in cc.rows() {
        let (reg, iss) = (row[0].unwrap_or(0), row[2].unwrap_or(0));
        let t = iss as f64 * 100.0 / reg as f64;
        assert!((t - t.round()).abs() * reg as f64 / 100.0 <= 0.5 + 1e-9, "turnout {t}");
    }
}

#[test]
fn bad_parameters_are_errors() {
    let p = |f: fn(&mut Params)| {
        let mut p = Params::default();
        f(&mut p);
        Generator::new(&p).err()
    };
    assert_eq!(p(|p| p.stations = 0), Some(GenerateError::NoStations));
    assert!(matches!(p(|p| p.stuffing = 1.5), Some(GenerateError::BadShare { .. })));
    assert!(matches!(p(|p| p.rounding = f64::NAN), Some(GenerateError::BadShare { .. })));
    assert_eq!(p(|p| p.contests.clear()), Some(GenerateError::NoContests));
    assert_eq!(
        p(|p| p.contests.push(Preset::Mazhilis)),
        Some(GenerateError::DuplicateContest("mazhilis"))
    );
    // Fewer stations than regions still gives a valid tree.
    let (g, m) = generate(&Params { stations: 3, ..Params::default() });
    assert_eq!(g.n_stations(), 3);
    assert_eq!(m.truth.len(), 3);
}
