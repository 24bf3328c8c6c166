//! The assertions that confirm the 2023 Mazhilis allocation (examples/kz-2023-03-19-mazhilis:
//! the official national totals), with their margins checked against an independent exact
//! computation in this test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use ashyq_audit::assertions::{contest_assertions, AssertionKind};

#[test]
fn mazhilis_2023_assertions_and_margins() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/kz-2023-03-19-mazhilis");
    let p = ashyq_package::read_package(&dir).expect("example package");
    let a = contest_assertions(&p.election, &p.tree, &p.counts, 0).expect("assertions");
    let c = &p.election.contests()[0];
    let id = |j: usize| c.options()[j].id.as_str();
    // 6 lists pass, Baitaq fails, and 6 × 5 Hare seat pairs.
    let passes =
        a.iter().filter(|m| matches!(m.assertion.kind, AssertionKind::Passes { .. })).count();
    let fails: Vec<&str> = a
        .iter()
        .filter_map(|m| match m.assertion.kind {
            AssertionKind::Fails { list } => Some(id(list)),
            _ => None,
        })
        .collect();
    let hare =
        a.iter().filter(|m| matches!(m.assertion.kind, AssertionKind::HareSeat { .. })).count();
    assert_eq!((passes, fails, hare), (6, vec!["baitaq"], 30));
    assert!(a.iter().all(|m| m.total > 0), "the official totals satisfy every assertion");

    // Independent check: base T = list votes + against all = 6,366,441; 5% of it = 318,322.05.
    let votes: [(&str, u64); 7] = [
        ("amanat", 3_431_510),
        ("auyl", 693_938),
        ("respublica", 547_154),
        ("ak-zhol", 535_139),
        ("qhp", 432_920),
        ("jsdp", 331_058),
        ("baitaq", 146_431),
    ];
    let t: u64 = votes.iter().map(|v| v.1).sum::<u64>() + 248_291;
    assert_eq!(t, 6_366_441);
    let find =
        |pred: &dyn Fn(&AssertionKind) -> bool| a.iter().find(|m| pred(&m.assertion.kind)).unwrap();
    for (k, &(name, v)) in votes.iter().enumerate() {
        // |v − 0.05·T| ballots, rounded up: ⌈|20v − T| / 20⌉.
        let flip = (20 * v).abs_diff(t).div_ceil(20);
        let m = find(
            &|kd| matches!(kd, AssertionKind::Passes { list } | AssertionKind::Fails { list } if *list == k),
        );
        assert_eq!(m.ballots_to_flip, flip, "{name}");
    }
    let jsdp = find(&|kd| matches!(kd, AssertionKind::Passes { list } if id(*list) == "jsdp"));
    assert_eq!(jsdp.ballots_to_flip, 12_736, "JSDP is 12,735.95 votes above 5%");
    // Hare: V = 5,971,719 votes of the passing lists, S = 69; seats 40/8/6/6/5/4.
    let passing = &votes[..6];
    let seats = [40i128, 8, 6, 6, 5, 4];
    let v_sum: i128 = passing.iter().map(|x| i128::from(x.1)).sum();
    let mut closest = (u64::MAX, "", "");
    for (i, &(na, va)) in passing.iter().enumerate() {
        for (j, &(nb, vb)) in passing.iter().enumerate() {
            if i == j {
                continue;
            }
            let k = seats[j] - seats[i] + 1;
            let g = 69 * (i128::from(va) - i128::from(vb)) + k * v_sum;
            let hi = 0.max(69 + k).max(k);
            let lo = 0.min(-69 + k).min(k);
            let flip = ((g + (hi - lo) - 1) / (hi - lo)) as u64;
            let m = find(
                &|kd| matches!(kd, AssertionKind::HareSeat { list, rival, .. } if id(*list) == na && id(*rival) == nb),
            );
            assert_eq!((m.total, m.ballots_to_flip), (g, flip), "{na} vs {nb}");
            if flip < closest.0 {
                closest = (flip, na, nb);
            }
        }
    }
    // The closest seat: Amanat's 40th against Respublica's 7th, 14,159 ballots.
    assert_eq!(closest, (14_159, "amanat", "respublica"));
}
