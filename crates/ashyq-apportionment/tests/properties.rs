//! Property tests for `allocate`.

use ashyq_apportionment::{allocate, ApportionmentError, Method, Threshold, TiePolicy};
use proptest::prelude::*;

const DIVISOR_METHODS: [Method; 6] = [
    Method::DHondt,
    Method::SainteLague,
    Method::ModifiedSainteLague,
    Method::HuntingtonHill,
    Method::Adams,
    Method::Dean,
];

fn method() -> impl Strategy<Value = Method> {
    prop::sample::select(Method::ALL.to_vec())
}

fn divisor_method() -> impl Strategy<Value = Method> {
    prop::sample::select(DIVISOR_METHODS.to_vec())
}

/// Vote vectors with at least one positive entry: small numbers (many ties),
/// moderate ones, or full-range u64.
fn votes() -> impl Strategy<Value = Vec<u64>> {
    prop_oneof![
        prop::collection::vec(0u64..12, 1..9),
        prop::collection::vec(0u64..1_000_000, 1..9),
        prop::collection::vec(any::<u64>(), 1..6),
    ]
    .prop_filter("needs votes", |v| v.iter().any(|&x| x > 0))
}

fn resolving_policy() -> impl Strategy<Value = TiePolicy> {
    prop_oneof![Just(TiePolicy::Order), any::<u64>().prop_map(|seed| TiePolicy::Lot { seed })]
}

fn total(votes: &[u64]) -> u128 {
    votes.iter().map(|&v| u128::from(v)).sum()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(1000))]

    /// With a resolving tie policy the house is always filled exactly; the only
    /// possible failure is Droop's unfillable remainder round, which needs
    /// V <= S(S+1).
    #[test]
    fn seats_sum_to_house(votes in votes(), seats in 0u32..300, m in method(), ties in resolving_policy()) {
        match allocate(&votes, seats, m, None, &ties) {
            Ok(a) => {
                prop_assert_eq!(a.seats.len(), votes.len());
                prop_assert_eq!(a.seats.iter().map(|&s| u64::from(s)).sum::<u64>(), u64::from(seats));
                for (i, &v) in votes.iter().enumerate() {
                    if v == 0 {
                        prop_assert_eq!(a.seats[i], 0, "zero-vote option got a seat");
                    }
                }
                if !m.is_quota_method() {
                    prop_assert_eq!(a.steps.len(), seats as usize);
                }
            }
            Err(ApportionmentError::QuotaUnfillable { .. }) => {
                let s = u128::from(seats);
                prop_assert!(m == Method::Droop && total(&votes) <= s * (s + 1));
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    /// Permuting the votes permutes the seats; a tie stays the same tie.
    #[test]
    fn anonymity(
        (votes, perm) in votes().prop_flat_map(|v| {
            let n = v.len();
            (Just(v), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
        seats in 1u32..120,
        m in method(),
        with_threshold in any::<bool>(),
    ) {
        let base: u64 = votes.iter().fold(0u64, |acc, &v| acc.saturating_add(v));
        let t = Threshold { percent_numer: 5, percent_denom: 1, base };
        let t = with_threshold.then_some(&t);
        let permuted: Vec<u64> = perm.iter().map(|&i| votes[i]).collect();
        let a = allocate(&votes, seats, m, t, &TiePolicy::Error);
        let b = allocate(&permuted, seats, m, t, &TiePolicy::Error);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                for (j, &i) in perm.iter().enumerate() {
                    prop_assert_eq!(b.seats[j], a.seats[i]);
                    prop_assert_eq!(b.passed[j], a.passed[i]);
                }
            }
            (Err(ApportionmentError::Tie { options: oa, seats: sa }),
             Err(ApportionmentError::Tie { options: ob, seats: sb })) => {
                prop_assert_eq!(sa, sb);
                let mut mapped: Vec<usize> = ob.iter().map(|&j| perm[j]).collect();
                mapped.sort_unstable();
                prop_assert_eq!(mapped, oa);
            }
            (Err(ea), Err(eb)) => prop_assert_eq!(
                std::mem::discriminant(&ea), std::mem::discriminant(&eb)
            ),
            (a, b) => prop_assert!(false, "one side failed: {:?} vs {:?}", a, b),
        }
    }

    /// Hare and Droop give every option the integer part of its exact quota
    /// share or one more; Hare's shares are v·S/V.
    #[test]
    fn quota_property(votes in votes(), seats in 1u32..300, droop in any::<bool>(), ties in resolving_policy()) {
        let m = if droop { Method::Droop } else { Method::Hare };
        let v_total = total(&votes);
        let s = u128::from(seats);
        let a = match allocate(&votes, seats, m, None, &ties) {
            Ok(a) => a,
            Err(ApportionmentError::QuotaUnfillable { .. }) if droop => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("unexpected error {e}"))),
        };
        for (i, &v) in votes.iter().enumerate() {
            let v = u128::from(v);
            // Exact share v/quota as numer/denom.
            let (numer, denom) = if droop { (v, v_total / (s + 1) + 1) } else { (v * s, v_total) };
            let lower = numer / denom;
            let upper = if numer % denom == 0 { lower } else { lower + 1 };
            let got = u128::from(a.seats[i]);
            prop_assert!(got == lower || got == lower + 1, "option {} got {} outside [{}, {}]", i, got, lower, lower + 1);
            if !droop {
                prop_assert!(got <= upper, "hare option {} got {} above its upper quota {}", i, got, upper);
            }
            prop_assert_eq!(u128::from(a.floors[i]), lower);
        }
    }

    /// Same seed, same result; and a tie-free allocation is the same under
    /// every policy, with no tie recorded.
    #[test]
    fn lot_is_deterministic(votes in votes(), seats in 1u32..150, m in method(), seed in any::<u64>()) {
        let lot = TiePolicy::Lot { seed };
        let first = allocate(&votes, seats, m, None, &lot);
        let second = allocate(&votes, seats, m, None, &lot);
        prop_assert_eq!(&first, &second);
        match allocate(&votes, seats, m, None, &TiePolicy::Error) {
            Ok(strict) => {
                prop_assert!(strict.ties.is_empty());
                let first = first.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&strict.seats, &first.seats);
                prop_assert!(first.ties.is_empty());
                let order = allocate(&votes, seats, m, None, &TiePolicy::Order)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(strict, order);
            }
            Err(ApportionmentError::Tie { options, seats: at_stake }) => {
                let first = first.map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(first.ties.len(), 1);
                prop_assert_eq!(&first.ties[0].tied, &options);
                prop_assert_eq!(first.ties[0].seats, at_stake);
                prop_assert_eq!(first.ties[0].winners.len(), at_stake as usize);
                prop_assert!(options.len() > at_stake as usize);
            }
            Err(e) => prop_assert_eq!(first, Err(e)),
        }
    }

    /// Threshold: failing options get nothing; the result equals allocating
    /// with the failing options' votes set to zero.
    #[test]
    fn threshold_excludes(votes in votes(), seats in 1u32..100, m in method(), pct in 1u64..40) {
        let base: u64 = votes.iter().fold(0u64, |acc, &v| acc.saturating_add(v));
        let t = Threshold { percent_numer: pct, percent_denom: 2, base };
        match allocate(&votes, seats, m, Some(&t), &TiePolicy::Order) {
            Ok(a) => {
                let zeroed: Vec<u64> = votes.iter().zip(&a.passed)
                    .map(|(&v, &p)| if p { v } else { 0 }).collect();
                for (i, &p) in a.passed.iter().enumerate() {
                    prop_assert_eq!(p, u128::from(votes[i]) * 200 >= u128::from(pct) * u128::from(base));
                    if !p { prop_assert_eq!(a.seats[i], 0); }
                }
                let b = allocate(&zeroed, seats, m, None, &TiePolicy::Order)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(a.seats, b.seats);
            }
            Err(ApportionmentError::NoOptionPassed) => {}
            Err(ApportionmentError::QuotaUnfillable { .. }) if m == Method::Droop => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    /// Never panics, whatever the input.
    #[test]
    fn total_on_any_input(
        votes in prop::collection::vec(any::<u64>(), 0..6),
        seats in prop_oneof![0u32..50, any::<u32>()],
        m in method(),
        t in proptest::option::of((any::<u64>(), 0u64..3, any::<u64>())),
        policy in prop_oneof![Just(TiePolicy::Error), resolving_policy()],
    ) {
        let seats = if seats > 2_000_000 { seats } else { seats % 2_000 };
        let t = t.map(|(n, d, b)| Threshold { percent_numer: n, percent_denom: d, base: b });
        let _ = allocate(&votes, seats, m, t.as_ref(), &policy);
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Divisor methods with `TiePolicy::Order` are house monotone: the
    /// allocation is the first S seats of one sequential process ("highest
    /// priority, lowest index first") that does not depend on S.
    #[test]
    fn divisor_house_monotone(votes in votes(), m in divisor_method(), max in 1u32..60) {
        let mut previous = vec![0u32; votes.len()];
        for s in 0..=max {
            let a = allocate(&votes, s, m, None, &TiePolicy::Order)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            for (i, (&now, &before)) in a.seats.iter().zip(&previous).enumerate() {
                prop_assert!(now >= before, "option {} lost a seat going to house {}", i, s);
            }
            prop_assert_eq!(a.seats.iter().sum::<u32>(), s);
            // The steps of house s are a prefix of the steps of any larger house.
            previous = a.seats;
        }
        let big = allocate(&votes, max, m, None, &TiePolicy::Order)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let small = allocate(&votes, max / 2, m, None, &TiePolicy::Order)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let prefix: Vec<usize> = big.steps.iter().take(small.steps.len()).map(|s| s.option).collect();
        let small_steps: Vec<usize> = small.steps.iter().map(|s| s.option).collect();
        prop_assert_eq!(prefix, small_steps);
    }
}
