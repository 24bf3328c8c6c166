//! Bit-compatibility with Arlo (votingworks/arlo @ 8d86156c, `server/tests/audit_math/`): the
//! consistent sampler against Arlo's published sample for its test seed
//! (`snapshots/snap_test_sampler.py`), PPEB ticket numbers, and the MACRO error bounds and
//! round sample sizes of `test_macro.py` (a plurality contest is the single-member pair
//! assertion here).
#![allow(clippy::unwrap_used)]

mod common;

use ashyq_audit::assertions::contest_assertions;
use ashyq_audit::macro_audit::{MacroAudit, Next};
use ashyq_audit::sampler::{
    first_fraction, next_fraction, python_tuple_repr, sample, trim, PyValue,
};
use common::{build, row, Station};

const SEED: &str = "12345678901234567890abcdefghijklmnopqrstuvwxyz😊";

#[test]
fn reproduces_arlos_published_sample() {
    // manifest = {"pct 1".."pct 4": ballots 1..25}; draw_sample(SEED, manifest, 20, 0):
    // with replacement, 18 digits, ids are Python tuples (batch, position).
    let mut ids = Vec::new();
    for pct in 1..=4 {
        for pos in 1..=25 {
            ids.push(python_tuple_repr(&[PyValue::Str(format!("pct {pct}")), PyValue::Int(pos)]));
        }
    }
    let expected = [
        ("0.000617786129909912", "('pct 2', 3)", 1),
        ("0.002991631653037245", "('pct 3', 24)", 1),
        ("0.012057030610635061", "('pct 1', 25)", 1),
        ("0.017930028930651931", "('pct 4', 19)", 1),
        ("0.025599454926985137", "('pct 3', 15)", 1),
        ("0.045351055354441163", "('pct 1', 7)", 1),
        ("0.063913979803461405", "('pct 1', 8)", 1),
        ("0.064553852798863609", "('pct 1', 22)", 1),
        ("0.078998835671540970", "('pct 1', 20)", 1),
        ("0.090240829778172783", "('pct 3', 12)", 1),
        ("0.096136506157297637", "('pct 1', 20)", 2),
        ("0.104280162683637014", "('pct 4', 17)", 1),
        ("0.108948480696023984", "('pct 1', 25)", 2),
        ("0.111195681310332785", "('pct 1', 4)", 1),
        ("0.114438612046531251", "('pct 4', 3)", 1),
        ("0.130457464320709301", "('pct 2', 1)", 1),
        ("0.133484785501449819", "('pct 1', 12)", 1),
        ("0.134519219670087860", "('pct 3', 20)", 1),
        ("0.135840440920085144", "('pct 3', 10)", 1),
        ("0.138772253094235762", "('pct 4', 20)", 1),
    ];
    let drawn = sample(&ids, SEED, true, 0, 20, 18).unwrap();
    let got: Vec<(&str, &str, u32)> =
        drawn.iter().map(|t| (t.number.as_str(), ids[t.index].as_str(), t.generation)).collect();
    assert_eq!(got, expected);
    // test_draw_more_samples: the second 10 with drop = 10 are the same tickets.
    let more = sample(&ids, SEED, true, 10, 10, 18).unwrap();
    assert_eq!(
        more.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(),
        expected[10..].iter().map(|e| e.0).collect::<Vec<_>>()
    );
}

#[test]
fn reproduces_arlos_ppeb_ticket_numbers() {
    // draw_ppeb_sample: first_fraction(batch_key, seed) trimmed to 18 digits, then
    // next_fraction of the trimmed ticket for a batch drawn again.
    let key =
        |pct: &str| python_tuple_repr(&[PyValue::Str("Jx 1".into()), PyValue::Str(pct.into())]);
    let t8 = trim(&first_fraction(&key("pct 8"), SEED), 18);
    assert_eq!(t8, "0.642074320588256264");
    assert_eq!(trim(&next_fraction(&t8), 18), "0.697435332323894639");
    assert_eq!(trim(&first_fraction(&key("pct 14"), SEED), 18), "0.9722586520568512638");
    assert_eq!(trim(&first_fraction(&key("pct 0"), SEED), 18), "0.096486566275573723");
}

/// Arlo's test_macro fixture for one contest: 200 batches ("Batch i") of 400 ballots and 200
/// ("Batch i AV") of 200, with the contest in the batches `range`.
fn arlo_contest(ranges: &[(usize, usize)], w: u64, l: u64) -> common::Built {
    let mut stations = Vec::new();
    for i in 0..200 {
        if ranges.iter().any(|&(lo, hi)| (lo..hi).contains(&i)) {
            stations.push(Station { id: format!("Batch-{i}"), votes: vec![w, l], issued: 400 });
            stations.push(Station {
                id: format!("Batch-{i}-AV"),
                votes: vec![w / 2, l / 2],
                issued: 200,
            });
        }
    }
    build("single-member", "kz-2022", None, &[("winner", false), ("loser", false)], &stations)
}

fn audit_of(b: &common::Built) -> MacroAudit {
    let a = contest_assertions(&b.election, &b.tree, &b.counts, 0).unwrap();
    assert_eq!(a.len(), 1, "one pair: winner beats loser");
    MacroAudit::new(&a, &b.tree, &b.counts[0], 0, 2).unwrap()
}

#[test]
fn macro_matches_arlos_test_macro() {
    let a = arlo_contest(&[(0, 200)], 200, 180);
    let b = arlo_contest(&[(0, 100)], 200, 160);
    let c = arlo_contest(&[(0, 30), (100, 130)], 200, 140);
    // test_max_error: u_p.
    let (aa, ab, ac) = (audit_of(&a), audit_of(&b), audit_of(&c));
    let up = |m: &MacroAudit, id: &str| {
        m.batches.iter().find(|x| x.id == id).unwrap().error_bound.to_f64()
    };
    assert!((up(&aa, "Batch-0") - 0.07).abs() < 1e-12);
    assert!((up(&aa, "Batch-0-AV") - 0.035).abs() < 1e-12);
    assert!((up(&ab, "Batch-0") - 0.0733).abs() < 1e-3);
    assert!((up(&ac, "Batch-0-AV") - 0.0426).abs() < 1e-3);
    // test_get_sample_sizes, first round at a 25% risk limit: 30, 16, 11.
    let alpha = 0.25;
    assert_eq!(
        [aa.initial_draws(alpha), ab.initial_draws(alpha), ac.initial_draws(alpha)],
        [Ok(30), Ok(16), Ok(11)]
    );
    // Four discrepancy-free batches: 26, 12, 7.
    let idx = |m: &MacroAudit, id: &str| m.batches.iter().position(|x| x.id == id).unwrap();
    let clean = |m: &MacroAudit, ids: &[String]| -> Vec<usize> {
        ids.iter().map(|id| idx(m, id)).collect()
    };
    let first4: Vec<String> = (0..4).map(|i| format!("Batch-{i}")).collect();
    let same = |m: &MacroAudit| {
        let m = m.clone();
        move |p: usize| Some(row(2, &m.batches[p].options, m.batches[p].ballots))
    };
    let next = |m: &MacroAudit, draws: &[usize]| m.evaluate(alpha, draws, &same(m)).unwrap().next;
    assert_eq!(next(&aa, &clean(&aa, &first4)), Next::MoreDraws(26));
    assert_eq!(next(&ab, &clean(&ab, &first4)), Next::MoreDraws(12));
    assert_eq!(next(&ac, &clean(&ac, &first4)), Next::MoreDraws(7));
    // Batches 4..8 with A counted 190–190 (taint = 1/U: the size does not change) and C clean:
    // C's size drops by 5.
    let nine: Vec<String> = (0..9).map(|i| format!("Batch-{i}")).collect();
    let a_draws = clean(&aa, &nine);
    let tainted = |p: usize| {
        let bt = &aa.batches[p];
        let n: usize = bt.id.trim_start_matches("Batch-").parse().unwrap_or(0);
        if (4..9).contains(&n) && !bt.id.ends_with("AV") {
            Some(row(2, &[190, 190], 400))
        } else {
            Some(row(2, &bt.options, bt.ballots))
        }
    };
    assert_eq!(aa.evaluate(alpha, &a_draws, &tainted).unwrap().next, Next::MoreDraws(26));
    assert_eq!(next(&ac, &clean(&ac, &nine)), Next::MoreDraws(2));
    // "The 2 for C is conservative: the audit ends after one more 0-taint batch."
    let ten: Vec<String> = (0..10).map(|i| format!("Batch-{i}")).collect();
    assert_eq!(next(&ac, &clean(&ac, &ten)), Next::Confirmed);
}
