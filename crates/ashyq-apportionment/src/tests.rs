//! Hand-checked vectors.

use super::*;

fn frac(n: u64, d: u64) -> Fraction {
    Fraction::new(n, d).expect("nonzero denominator")
}

fn seats_of(votes: &[u64], seats: u32, method: Method) -> Vec<u32> {
    allocate(votes, seats, method, None, &TiePolicy::Error).expect("no tie expected").seats
}

fn pct(numer: u64, denom: u64, base: u64) -> Threshold {
    Threshold { percent_numer: numer, percent_denom: denom, base }
}

/// Mazhilis 2023: Amanat, Auyl, Respublica, Ak Zhol, People's Party, JSDP,
/// Baytaq; 5% of 6,366,441 (all party votes plus 248,291 "against all").
#[test]
fn kazakhstan_mazhilis_2023() {
    let votes = [3_431_510, 693_938, 547_154, 535_139, 432_920, 331_058, 146_431];
    let t = pct(5, 1, 6_366_441);
    let a = allocate(&votes, 69, Method::Hare, Some(&t), &TiePolicy::Error).expect("ok");
    assert_eq!(a.passed, [true, true, true, true, true, true, false]);
    assert_eq!(a.seats, [40, 8, 6, 6, 5, 4, 0]);
    // Passing votes: 3431510+693938+547154+535139+432920+331058 = 5971719.
    assert_eq!(a.quota, Some(frac(5_971_719, 69)));
    assert_eq!(a.floors, [39, 8, 6, 6, 5, 3, 0]);
    // Remainder seats: JSDP (331058·69 mod 5971719 = 4927845 → 126355/153121,
    // ≈0.825) and Amanat (≈0.649); next would be Respublica (≈0.322).
    assert_eq!(a.remainders[5], frac(126_355, 153_121));
    assert_eq!(a.remainders[0], frac(1_292_383, 1_990_573));
    assert_eq!(a.remainders[5].to_decimal_string(3), "0.825");
    assert_eq!(a.remainders[0].to_decimal_string(3), "0.649");
    assert_eq!(a.remainders[6], Fraction::zero());
    assert!(a.remainders[5] > a.remainders[0]);
    assert!(a.remainders[0] > a.remainders[2]);
    assert!(a.ties.is_empty() && a.steps.is_empty());
}

#[test]
fn kazakhstan_mazhilis_2021() {
    let votes = [5_148_074, 792_828, 659_019, 383_023, 258_618];
    let t = pct(7, 1, 7_241_562);
    let a = allocate(&votes, 98, Method::Hare, Some(&t), &TiePolicy::Error).expect("ok");
    assert_eq!(a.seats, [76, 12, 10, 0, 0]);
    assert_eq!(a.passed, [true, true, true, false, false]);
    assert_eq!(a.floors, [76, 11, 9, 0, 0]);
    assert_eq!(a.quota, Some(frac(6_599_921, 98)));
}

#[test]
fn kazakhstan_mazhilis_2016() {
    let votes = [6_183_757, 540_406, 537_123, 151_285, 88_813, 21_484];
    let t = pct(7, 1, 7_522_868);
    let a = allocate(&votes, 98, Method::Hare, Some(&t), &TiePolicy::Error).expect("ok");
    assert_eq!(a.seats, [84, 7, 7, 0, 0, 0]);
    assert_eq!(a.floors, [83, 7, 7, 0, 0, 0]);
}

#[test]
fn threshold_is_inclusive_and_exact() {
    // 5% of 200 = 10: 10 passes, 9 fails.
    let t = pct(5, 1, 200);
    assert!(t.passes(10));
    assert!(!t.passes(9));
    // 3.5% of 1000 = 35.
    let t = pct(7, 2, 1000);
    assert!(t.passes(35));
    assert!(!t.passes(34));
    // No overflow at the extremes.
    let t = pct(u64::MAX, 1, u64::MAX);
    assert!(!t.passes(u64::MAX));
    assert!(pct(100, 1, u64::MAX).passes(u64::MAX));
}

/// Wikipedia's D'Hondt / Sainte-Laguë example (8 seats).
/// D'Hondt quotients: A 100000, 50000, 33333, 25000 | B 80000, 40000, 26667 |
/// C 30000 | D 20000 (next: A 20000, B 20000) → [4, 3, 1, 0].
/// Sainte-Laguë: A 100000, 33333, 20000 | B 80000, 26667, 16000 | C 30000 |
/// D 20000 (next: A 14286) → [3, 3, 1, 1].
#[test]
fn wikipedia_dhondt_and_sainte_lague() {
    let votes = [100_000, 80_000, 30_000, 20_000];
    assert_eq!(seats_of(&votes, 8, Method::DHondt), [4, 3, 1, 0]);
    assert_eq!(seats_of(&votes, 8, Method::SainteLague), [3, 3, 1, 1]);
    // Hare: quota 28750; floors 3, 2, 1, 0 (6); remainders .478, .783, .043, .696.
    assert_eq!(seats_of(&votes, 8, Method::Hare), [3, 3, 1, 1]);
    // Droop: quota floor(230000/9)+1 = 25556; floors 3, 3, 1, 0 (7);
    // remainders .913, .130, .174, .783 → A.
    let a = allocate(&votes, 8, Method::Droop, None, &TiePolicy::Error).expect("ok");
    assert_eq!(a.quota, Some(Fraction::integer(25_556u32)));
    assert_eq!(a.floors, [3, 3, 1, 0]);
    assert_eq!(a.seats, [4, 3, 1, 0]);
}

#[test]
fn dhondt_steps_are_auditable() {
    let a =
        allocate(&[100_000, 80_000, 30_000, 20_000], 8, Method::DHondt, None, &TiePolicy::Error)
            .expect("ok");
    let order: Vec<usize> = a.steps.iter().map(|s| s.option).collect();
    assert_eq!(order, [0, 1, 0, 1, 0, 2, 1, 0]);
    assert_eq!(a.steps[4].quotient, Quotient::Exact(frac(100_000, 3)));
    assert_eq!(a.steps[7].quotient, Quotient::Exact(frac(25_000, 1)));
    assert_eq!(a.steps[7].seat, 8);
    assert_eq!(a.steps[7].seats_before, 3);
}

/// Modified Sainte-Laguë on the same votes: A 71429, 33333, 20000, 14285.7 |
/// B 57143, 26667, 16000 | C 21429 | D 20000/1.4 = 14285.7. The 8th seat is an
/// exact tie between A's 4th (100000/7) and D's 1st (5·20000/7 = 100000/7).
#[test]
fn modified_sainte_lague_exact_tie() {
    let votes = [100_000, 80_000, 30_000, 20_000];
    let err = allocate(&votes, 8, Method::ModifiedSainteLague, None, &TiePolicy::Error);
    assert_eq!(err, Err(ApportionmentError::Tie { options: vec![0, 3], seats: 1 }));
    let a = allocate(&votes, 8, Method::ModifiedSainteLague, None, &TiePolicy::Order).expect("ok");
    assert_eq!(a.seats, [4, 3, 1, 0]);
    assert_eq!(a.ties.len(), 1);
    assert_eq!(a.ties[0].tied, [0, 3]);
    assert_eq!(a.ties[0].winners, [0]);
    assert_eq!(a.ties[0].resolved_by, TieBreak::Order);
    assert_eq!(a.steps[7].quotient, Quotient::Exact(frac(100_000, 7)));
    // With 7 seats there is no tie: [3, 3, 1, 0].
    assert_eq!(seats_of(&votes, 7, Method::ModifiedSainteLague), [3, 3, 1, 0]);
    // With 9 seats both tied options get a seat: no tie.
    assert_eq!(seats_of(&votes, 9, Method::ModifiedSainteLague), [4, 3, 1, 1]);
}

/// Votes [3, 5], 4 seats.
/// D'Hondt: 5, 3, 2.5, 1.67 → [1, 3].
/// Sainte-Laguë: 5, 3, 1.67, then 1 (A) = 1 (B) for one seat → tie.
/// Huntington–Hill: [1, 1] first; squared A 9/2, B 25/2 → B; B 25/6 < A 9/2 → A: [2, 2].
/// Adams: [1, 1]; A 3, B 5 → B; B 2.5 < A 3 → A: [2, 2].
/// Dean: [1, 1]; A 9/4, B 15/4 → B; B 25/12 < A 9/4 → A: [2, 2].
#[test]
fn small_divisor_examples() {
    let votes = [3, 5];
    assert_eq!(seats_of(&votes, 4, Method::DHondt), [1, 3]);
    assert_eq!(
        allocate(&votes, 4, Method::SainteLague, None, &TiePolicy::Error),
        Err(ApportionmentError::Tie { options: vec![0, 1], seats: 1 })
    );
    assert_eq!(seats_of(&votes, 4, Method::HuntingtonHill), [2, 2]);
    assert_eq!(seats_of(&votes, 4, Method::Adams), [2, 2]);
    assert_eq!(seats_of(&votes, 4, Method::Dean), [2, 2]);
    let hh = allocate(&votes, 4, Method::HuntingtonHill, None, &TiePolicy::Error).expect("ok");
    assert_eq!(hh.steps[0].quotient, Quotient::Infinite);
    assert_eq!(hh.steps[2].quotient, Quotient::Squared(frac(25, 2)));
    assert_eq!(hh.steps[3].quotient, Quotient::Squared(frac(9, 2)));
}

/// Votes [1000, 10, 10]: Adams, Huntington–Hill and Dean give everyone a first
/// seat; D'Hondt gives all 4 to the big party.
#[test]
fn zero_divisor_methods_seat_everyone_first() {
    let votes = [1000, 10, 10];
    assert_eq!(seats_of(&votes, 4, Method::Adams), [2, 1, 1]);
    assert_eq!(seats_of(&votes, 4, Method::HuntingtonHill), [2, 1, 1]);
    assert_eq!(seats_of(&votes, 4, Method::Dean), [2, 1, 1]);
    assert_eq!(seats_of(&votes, 4, Method::DHondt), [4, 0, 0]);
    // Fewer seats than options with votes: infinite priorities tie.
    for m in [Method::Adams, Method::HuntingtonHill, Method::Dean] {
        assert_eq!(
            allocate(&votes, 2, m, None, &TiePolicy::Error),
            Err(ApportionmentError::Tie { options: vec![0, 1, 2], seats: 2 })
        );
        let a = allocate(&votes, 2, m, None, &TiePolicy::Order).expect("ok");
        assert_eq!(a.seats, [1, 1, 0]);
    }
}

#[test]
fn hare_tie_and_policies() {
    // Quota 3/2... votes [1, 1, 1], 2 seats: each share 2/3, floors 0, three
    // equal remainders for two seats.
    let votes = [1, 1, 1];
    assert_eq!(
        allocate(&votes, 2, Method::Hare, None, &TiePolicy::Error),
        Err(ApportionmentError::Tie { options: vec![0, 1, 2], seats: 2 })
    );
    let a = allocate(&votes, 2, Method::Hare, None, &TiePolicy::Order).expect("ok");
    assert_eq!(a.seats, [1, 1, 0]);
    assert_eq!(a.ties[0].seats, 2);
    let lot = |seed| allocate(&votes, 2, Method::Hare, None, &TiePolicy::Lot { seed }).expect("ok");
    let first = lot(7);
    assert_eq!(first, lot(7));
    assert_eq!(first.seats.iter().sum::<u32>(), 2);
    assert_eq!(first.ties[0].resolved_by, TieBreak::Lot { seed: 7 });
    // Different seeds give every possible loser eventually.
    let mut losers = std::collections::BTreeSet::new();
    for seed in 0..64 {
        let s = lot(seed).seats;
        losers.insert(s.iter().position(|&x| x == 0));
    }
    assert_eq!(losers.len(), 3, "lot should be able to pick any option");
}

#[test]
fn droop_edge_cases() {
    // [3, 3], 3 seats: q = floor(6/4)+1 = 2, floors [1, 1], remainders 1/2 each → tie.
    assert_eq!(
        allocate(&[3, 3], 3, Method::Droop, None, &TiePolicy::Error),
        Err(ApportionmentError::Tie { options: vec![0, 1], seats: 1 })
    );
    // [4, 0], 3 seats: q = 2, floors [2, 0]; the zero-vote option is not eligible.
    let a = allocate(&[4, 0], 3, Method::Droop, None, &TiePolicy::Lot { seed: 1 }).expect("ok");
    assert_eq!(a.seats, [3, 0]);
    // [1], 10 seats: q = 1, floor 1, nine seats that one option cannot take.
    assert_eq!(
        allocate(&[1], 10, Method::Droop, None, &TiePolicy::Order),
        Err(ApportionmentError::QuotaUnfillable { unfilled: 9, eligible: 1 })
    );
}

#[test]
fn degenerate_inputs() {
    let none = TiePolicy::Error;
    assert_eq!(allocate(&[], 0, Method::Hare, None, &none).expect("ok").seats, Vec::<u32>::new());
    assert_eq!(
        allocate(&[], 3, Method::Hare, None, &none),
        Err(ApportionmentError::NoOptions { seats: 3 })
    );
    assert_eq!(allocate(&[0, 0], 3, Method::DHondt, None, &none), Err(ApportionmentError::NoVotes));
    assert_eq!(allocate(&[5, 0], 0, Method::Dean, None, &none).expect("ok").seats, [0, 0]);
    let t = pct(50, 1, 100);
    assert_eq!(
        allocate(&[10, 20], 3, Method::Hare, Some(&t), &none),
        Err(ApportionmentError::NoOptionPassed)
    );
    let bad = pct(5, 0, 100);
    assert_eq!(
        allocate(&[10], 3, Method::Hare, Some(&bad), &none),
        Err(ApportionmentError::InvalidThreshold)
    );
    assert!(matches!(
        allocate(&[10], MAX_SEATS + 1, Method::DHondt, None, &none),
        Err(ApportionmentError::TooManySeats { .. })
    ));
    // Zero-vote options never get a seat by a divisor method.
    for m in Method::ALL {
        let a = allocate(&[0, 700, 0], 5, m, None, &TiePolicy::Lot { seed: 3 }).expect("ok");
        assert_eq!(a.seats, [0, 5, 0], "{m}");
    }
}

#[test]
fn huge_votes_do_not_overflow() {
    let votes = [u64::MAX, u64::MAX - 1, u64::MAX / 3, 1];
    for m in Method::ALL {
        let a = allocate(&votes, 1000, m, None, &TiePolicy::Order).expect("ok");
        assert_eq!(a.seats.iter().map(|&s| u64::from(s)).sum::<u64>(), 1000, "{m}");
    }
}

#[test]
fn large_house() {
    let votes = [5_148_074, 792_828, 659_019, 383_023, 258_618];
    let a = allocate(&votes, 100_000, Method::HuntingtonHill, None, &TiePolicy::Order).expect("ok");
    assert_eq!(a.seats.iter().sum::<u32>(), 100_000);
    assert_eq!(a.steps.len(), 100_000);
}

#[test]
fn names_round_trip() {
    for m in Method::ALL {
        assert_eq!(Method::from_name(m.name()), Some(m));
    }
    assert_eq!(Method::from_name("sainte-lague"), Some(Method::SainteLague));
    assert_eq!(Method::from_name("Hare"), None);
    assert_eq!(
        ApportionmentError::Tie { options: vec![0, 3], seats: 1 }.to_string(),
        "tie between options [0, 3] for 1 seat(s)"
    );
}

/// Golden value: pins the documented draw algorithm (ChaCha20 seeded with
/// `seed_from_u64`, Fisher–Yates with rejection sampling) so that a dependency
/// upgrade cannot silently change the outcome of a published lot.
#[test]
fn lot_draw_is_pinned() {
    let a = allocate(&[100, 100, 50], 3, Method::DHondt, None, &TiePolicy::Lot { seed: 5 })
        .expect("ok");
    assert_eq!(a.ties.len(), 1);
    assert_eq!(a.ties[0].tied, [0, 1, 2]);
    assert_eq!(a.ties[0].ranking, [1, 2, 0]);
    assert_eq!(a.ties[0].winners, [1]);
    assert_eq!(a.seats, [1, 2, 0]);
    // The tied seat is the last step.
    assert_eq!(a.steps[2].option, 1);
    assert_eq!(a.steps[2].quotient, Quotient::Exact(frac(50, 1)));
}
