//! A simulated MACRO audit of a Kazakhstan-shaped Mazhilis election (10,000 stations, national
//! shares of 2023) with hand counts: clean counts confirm the outcome in the first round; small
//! random discrepancies cost more rounds but confirm; planted errors that change the true outcome
//! (JSDP really below 5%) are never confirmed: the audit escalates to a full hand count, whose
//! result differs from the reported one.
#![allow(clippy::unwrap_used)]

mod common;

use ashyq_audit::assertions::contest_assertions;
use ashyq_audit::macro_audit::{MacroAudit, Next};
use ashyq_core::rules::{outcome, ContestResult};
use common::{build, row, Built, Station};
use rand::{Rng, SeedableRng};

const OPTIONS: [(&str, bool); 8] = [
    ("amanat", false),
    ("auyl", false),
    ("respublica", false),
    ("ak-zhol", false),
    ("qhp", false),
    ("jsdp", false),
    ("baitaq", false),
    ("against-all", true),
];
const VOTES: [f64; 8] =
    [3_431_510.0, 693_938.0, 547_154.0, 535_139.0, 432_920.0, 331_058.0, 146_431.0, 248_291.0];

fn stations(seed: u64) -> Vec<Station> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let total: f64 = VOTES.iter().sum();
    (0..10_000)
        .map(|i| {
            let ballots: u64 = rng.gen_range(250..1050);
            let valid = ballots - ballots * 24 / 1000;
            let mut votes: Vec<u64> = VOTES
                .iter()
                .map(|v| ((valid as f64) * v / total * rng.gen_range(0.9..1.1)).round() as u64)
                .collect();
            let s: u64 = votes.iter().sum();
            if s > ballots {
                votes[0] -= s - ballots;
            }
            Station { id: format!("S{i:05}"), votes, issued: ballots }
        })
        .collect()
}

fn mazhilis(st: &[Station]) -> Built {
    build("party-list", "kz-2022", Some(69), &OPTIONS, st)
}

fn seats(b: &Built) -> Vec<(usize, u32, bool)> {
    let o = outcome(&b.election, &b.tree, &b.counts, &Default::default()).unwrap();
    match &o.contests[0].result {
        ContestResult::PartyList(p) => {
            p.rows.iter().map(|r| (r.option, r.seats, r.passed)).collect()
        }
        other => panic!("{other:?}"),
    }
}

/// Runs the audit round by round with `hand(batch)` as the hand count; returns the final
/// decision and the draws made.
fn run(
    audit: &MacroAudit,
    seed: &str,
    alpha: f64,
    hand: &dyn Fn(usize) -> Option<Vec<Option<u64>>>,
) -> (Next, usize, usize) {
    let mut draws = audit.draws(seed, 0, audit.initial_draws(alpha).unwrap() as usize);
    let mut rounds = 1;
    loop {
        let e = audit.evaluate(alpha, &draws, hand).unwrap();
        match e.next {
            Next::MoreDraws(n) => {
                let more = audit.draws(seed, draws.len(), n as usize);
                draws.extend(more);
                rounds += 1;
            }
            done => return (done, draws.len(), rounds),
        }
    }
}

#[test]
fn clean_and_noisy_hand_counts_confirm_planted_reversals_escalate() {
    let reported = mazhilis(&stations(2023));
    let a = contest_assertions(&reported.election, &reported.tree, &reported.counts, 0).unwrap();
    assert_eq!(a.len(), 37);
    let audit = MacroAudit::new(&a, &reported.tree, &reported.counts[0], 0, 8).unwrap();
    let alpha = 0.05;
    let n0 = audit.initial_draws(alpha).unwrap();
    assert!((100..3000).contains(&n0), "first round {n0} draws");
    let same = |p: usize| Some(row(8, &audit.batches[p].options, audit.batches[p].ballots));
    let (next, draws, rounds) = run(&audit, "clean 1", alpha, &same);
    assert_eq!(
        (next, draws as u64, rounds),
        (Next::Confirmed, n0, 1),
        "clean counts confirm in round 1"
    );

    // Noise: each hand count moves one vote between two random lists (both directions).
    let noisy = |p: usize| {
        let b = &audit.batches[p];
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(p as u64);
        let mut v = b.options.clone();
        let (from, to) = (rng.gen_range(0..8), rng.gen_range(0..8));
        if v[from] > 0 {
            v[from] -= 1;
            v[to] += 1;
        }
        Some(row(8, &v, b.ballots))
    };
    let (next, draws, _) = run(&audit, "noisy 1", alpha, &noisy);
    assert_eq!(next, Next::Confirmed);
    assert!(draws as u64 >= n0, "discrepancies never shrink the sample ({draws} vs {n0})");
    eprintln!(
        "U = {:.1}, first round {n0} draws; noisy counts confirmed after {draws} draws",
        audit.total_error_bound
    );

    // Planted: the reported protocols of 720 stations carry 25 JSDP votes that were really
    // "against all"; in truth JSDP is below 5% and loses its 4 seats.
    let mut truth_st = stations(2023);
    for s in truth_st.iter_mut().filter(|s| s.votes[5] >= 40).step_by(5).take(720) {
        s.votes[5] -= 25;
        s.votes[7] += 25;
    }
    let truth = mazhilis(&truth_st);
    let (rep, tru) = (seats(&reported), seats(&truth));
    assert!(
        rep[5].2 && !tru[5].2,
        "JSDP passes as reported and fails in truth: {rep:?} vs {tru:?}"
    );
    let true_count = |p: usize| {
        let s = &truth_st[p];
        assert_eq!(s.id, audit.batches[p].id);
        Some(row(8, &s.votes, s.issued))
    };
    let mut confirmed = 0;
    for k in 0..5 {
        let (next, draws, rounds) = run(&audit, &format!("public dice {k}"), alpha, &true_count);
        eprintln!("planted, seed {k}: {next:?} after {draws} draws in {rounds} rounds");
        match next {
            Next::FullHandCount(_) => assert!(rounds >= 2 || draws > 0),
            Next::Confirmed => confirmed += 1,
            Next::MoreDraws(_) => unreachable!(),
        }
    }
    // The risk limit bounds a wrong confirmation by 5% per audit.
    assert_eq!(confirmed, 0, "a wrong outcome was confirmed");
    // The full hand count is the truth: the allocation it gives is the true one.
    assert_ne!(rep, tru);
}
