//! Exact seat allocation (apportionment) for Ashyq.
//!
//! This crate is pure: no I/O, no clock, no floating point anywhere in the seat
//! arithmetic, and randomness only from an explicit seed. Every comparison of
//! quotients or remainders is an exact comparison of integers (cross-multiplied
//! in [`num_bigint::BigUint`]), so the result never depends on rounding.
//!
//! The reference for all methods and their properties is M. L. Balinski and
//! H. P. Young, *Fair Representation: Meeting the Ideal of One Man, One Vote*
//! (Yale University Press, 1982; 2nd ed. Brookings, 2001).
//!
//! # Quota (largest remainder) methods
//!
//! With `V` the total votes of the options that passed the threshold and `S`
//! the number of seats, each option first receives the integer part of
//! `votes / quota`; the seats left over go one each to the options with the
//! largest fractional parts ("remainders").
//!
//! * [`Method::Hare`] — Hare quota `V/S` (an exact fraction); also known as
//!   Hamilton's or the Hare–Niemeyer method.
//! * [`Method::Droop`] — Droop quota `floor(V/(S+1)) + 1` (an integer).
//!
//! # Divisor (highest averages) methods
//!
//! Seats are handed out one at a time to the option with the highest quotient
//! `votes / d(s)`, where `s` is the number of seats the option already holds:
//!
//! | method | divisor `d(s)` | also known as |
//! | --- | --- | --- |
//! | [`Method::DHondt`] | `s + 1` | Jefferson |
//! | [`Method::SainteLague`] | `2s + 1` | Webster |
//! | [`Method::ModifiedSainteLague`] | `1.4` for `s = 0`, then `2s + 1` | Scandinavian (Norway, Sweden) |
//! | [`Method::HuntingtonHill`] | `sqrt(s(s+1))` | equal proportions |
//! | [`Method::Adams`] | `s` | smallest divisors |
//! | [`Method::Dean`] | `2s(s+1)/(2s+1)` | harmonic mean |
//!
//! Huntington–Hill's quotient is irrational, so it is compared squared:
//! `v_i/sqrt(s_i(s_i+1)) > v_j/sqrt(s_j(s_j+1))` iff
//! `v_i² · s_j(s_j+1) > v_j² · s_i(s_i+1)`. For Huntington–Hill, Adams and Dean
//! `d(0) = 0`: an option with votes and no seat has an *infinite* priority, so
//! every option with votes gets a first seat before anyone gets a second. When
//! there are fewer seats than options with votes, all those infinite
//! priorities are equal and the [`TiePolicy`] decides (this crate does *not*
//! silently prefer the larger vote among infinities).
//!
//! # Kazakhstan
//!
//! The Mazhilis party-list tier is allocated with the Hare quota computed over
//! the votes of the parties that passed the threshold (7% until 2021, 5% since
//! 2023, of all valid votes, which since 2023 include "against all"), integer
//! parts first, then
//! largest remainders, with an exact tie going to the list registered earlier.
//! That is `allocate(votes, seats, Method::Hare, Some(&threshold),
//! &TiePolicy::Order)` with the votes in registration order and
//! `Threshold { percent_numer: 5, percent_denom: 1, base: all_valid_votes }`.
//!
//! # Choices made by this crate
//!
//! * **Threshold.** Applied first; an option passes iff
//!   `votes · 100 · percent_denom >= percent_numer · base`. Options that fail get
//!   no seat and are ignored by the quota and the divisors.
//! * **Zero votes.** An option with zero votes never receives a seat, under any
//!   method: its divisor quotient is 0 while every option with votes has a
//!   positive one, and it is not eligible for a remainder seat. If no passing
//!   option has any votes the result is [`ApportionmentError::NoVotes`].
//! * **Ties.** A tie exists only when options with *equal* quotients (or equal
//!   remainders) compete for fewer seats than there are options in the group.
//!   [`TiePolicy::Error`] reports it, [`TiePolicy::Order`] gives the seats to
//!   the options earliest in input order, and [`TiePolicy::Lot`] draws them
//!   with a seeded ChaCha20 generator (see [`TiePolicy::Lot`] for the exact
//!   algorithm). Every tie that decided a seat is recorded in
//!   [`Allocation::ties`].
//! * **Droop.** The integer parts never exceed the house (see
//!   `quota_method`), but with very few votes (`V <= S(S+1)`) the remainder
//!   round, which gives at most one extra seat to each option with votes, may
//!   be unable to fill the house: that is reported as
//!   [`ApportionmentError::QuotaUnfillable`] rather than invented.
//! * **Edge cases.** `seats == 0` gives all zeros (even with no options, and
//!   before any threshold check). An empty vote list with `seats > 0` is
//!   [`ApportionmentError::NoOptions`]. Houses larger than [`MAX_SEATS`] are
//!   rejected. No input makes [`allocate`] panic.

#![deny(missing_docs)]

mod fraction;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;

use num_bigint::BigUint;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

pub use fraction::Fraction;

/// The largest house [`allocate`] accepts.
pub const MAX_SEATS: u32 = 1_000_000;

/// An apportionment method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Largest remainder with the Hare quota `V/S` (Hamilton, Hare–Niemeyer).
    Hare,
    /// Largest remainder with the Droop quota `floor(V/(S+1)) + 1`.
    Droop,
    /// D'Hondt (Jefferson): divisors `s + 1`.
    DHondt,
    /// Sainte-Laguë (Webster): divisors `2s + 1`.
    SainteLague,
    /// Modified Sainte-Laguë: first divisor 1.4, then `2s + 1`.
    ModifiedSainteLague,
    /// Huntington–Hill (equal proportions): divisors `sqrt(s(s+1))`.
    HuntingtonHill,
    /// Adams (smallest divisors): divisors `s`.
    Adams,
    /// Dean (harmonic mean): divisors `2s(s+1)/(2s+1)`.
    Dean,
}

impl Method {
    /// Every method, in a fixed order.
    pub const ALL: [Method; 8] = [
        Method::Hare,
        Method::Droop,
        Method::DHondt,
        Method::SainteLague,
        Method::ModifiedSainteLague,
        Method::HuntingtonHill,
        Method::Adams,
        Method::Dean,
    ];

    /// The method's stable name: `hare`, `droop`, `dhondt`, `sainte-lague`,
    /// `modified-sainte-lague`, `huntington-hill`, `adams` or `dean`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Hare => "hare",
            Method::Droop => "droop",
            Method::DHondt => "dhondt",
            Method::SainteLague => "sainte-lague",
            Method::ModifiedSainteLague => "modified-sainte-lague",
            Method::HuntingtonHill => "huntington-hill",
            Method::Adams => "adams",
            Method::Dean => "dean",
        }
    }

    /// The method with this exact [`name`](Method::name), if any.
    pub fn from_name(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }

    /// Whether this is a quota (largest remainder) method.
    pub fn is_quota_method(&self) -> bool {
        matches!(self, Method::Hare | Method::Droop)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What to do when equal quotients or remainders compete for fewer seats than
/// there are tied options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TiePolicy {
    /// Fail with [`ApportionmentError::Tie`].
    Error,
    /// The options earlier in input order (registration order) win.
    Order,
    /// Draw by lot, reproducibly. One `ChaCha20Rng::seed_from_u64(seed)` is
    /// created per allocation; the tied options, listed in input order, are
    /// shuffled by Fisher–Yates from the last position down to position 1,
    /// swapping position `i` with a position `j` uniform in `0..=i`, where `j`
    /// is drawn by rejection sampling: take `x = next_u64()` until
    /// `x < floor(2^64-1 / (i+1)) * (i+1)`, then `j = x mod (i+1)`. The first
    /// `k` options of the shuffled list win the `k` seats at stake.
    Lot {
        /// The seed of the draw; same seed and same inputs give the same result.
        seed: u64,
    },
}

/// An electoral threshold: a percentage of an explicit base.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Threshold {
    /// Numerator of the percentage (`5` with denominator `1` means 5%).
    pub percent_numer: u64,
    /// Denominator of the percentage (`7` over `2` means 3.5%); must not be zero.
    pub percent_denom: u64,
    /// The number of votes the percentage is taken of (for the Mazhilis: all
    /// valid votes, including "against all").
    pub base: u64,
}

impl Threshold {
    /// Whether an option with `votes` votes passes: exactly
    /// `votes · 100 · percent_denom >= percent_numer · base`.
    pub fn passes(&self, votes: u64) -> bool {
        let lhs = BigUint::from(votes) * 100u32 * self.percent_denom;
        let rhs = BigUint::from(self.percent_numer) * self.base;
        lhs >= rhs
    }
}

/// The result of [`allocate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Seats per option, same length and order as the votes.
    pub seats: Vec<u32>,
    /// Whether each option passed the threshold (all `true` without one).
    pub passed: Vec<bool>,
    /// Quota methods: the quota (Hare `V/S`, Droop `floor(V/(S+1))+1`), with
    /// `V` the votes of passing options. `None` for divisor methods and when
    /// `seats == 0`.
    pub quota: Option<Fraction>,
    /// Quota methods: each option's integer part `floor(votes/quota)` (0 for
    /// options that failed the threshold). Empty for divisor methods and when
    /// `seats == 0`.
    pub floors: Vec<u32>,
    /// Quota methods: each option's exact fractional part
    /// `votes/quota - floor(votes/quota)` (0 for options that failed the
    /// threshold). Empty for divisor methods and when `seats == 0`.
    pub remainders: Vec<Fraction>,
    /// Every tie that decided a seat.
    pub ties: Vec<TieResolution>,
    /// Divisor methods: the seats in the order they were awarded. Empty for
    /// quota methods.
    pub steps: Vec<Step>,
}

/// How a tie was broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TieBreak {
    /// By input order ([`TiePolicy::Order`]).
    Order,
    /// By lot ([`TiePolicy::Lot`]) with this seed.
    Lot {
        /// The seed of the draw.
        seed: u64,
    },
}

/// A tie that decided seats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TieResolution {
    /// The tied options (indices into the votes), in input order.
    pub tied: Vec<usize>,
    /// How many seats were at stake among them (fewer than `tied.len()`).
    pub seats: u32,
    /// The options that won those seats, in input order.
    pub winners: Vec<usize>,
    /// The policy that broke the tie.
    pub resolved_by: TieBreak,
    /// The tied options in the order the policy ranked them (input order for
    /// [`TieBreak::Order`], the shuffled order for [`TieBreak::Lot`]); the
    /// first `seats` of them won.
    pub ranking: Vec<usize>,
}

/// The quotient that won a seat in a divisor method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Quotient {
    /// The divisor was zero (Huntington–Hill, Adams, Dean: an option's first seat).
    Infinite,
    /// `votes / d(s)` exactly.
    Exact(Fraction),
    /// Huntington–Hill: the *square* of the quotient, `votes² / (s(s+1))`,
    /// because the quotient itself is irrational.
    Squared(Fraction),
}

impl fmt::Display for Quotient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quotient::Infinite => f.write_str("infinite"),
            Quotient::Exact(q) => write!(f, "{q}"),
            Quotient::Squared(q) => write!(f, "sqrt({q})"),
        }
    }
}

/// One seat awarded by a divisor method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The seat number, from 1.
    pub seat: u32,
    /// The option that won it (index into the votes).
    pub option: usize,
    /// How many seats the option held before this one.
    pub seats_before: u32,
    /// The winning quotient `votes / d(seats_before)`.
    pub quotient: Quotient,
}

/// Why an allocation could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApportionmentError {
    /// Equal quotients or remainders compete for fewer seats than tied
    /// options, and the policy is [`TiePolicy::Error`].
    #[error("tie between options {options:?} for {seats} seat(s)")]
    Tie {
        /// The tied options (indices into the votes), in input order.
        options: Vec<usize>,
        /// The number of seats at stake among them.
        seats: u32,
    },
    /// Options passed the threshold but none of them has any votes.
    #[error("no votes were cast for any option that passed the threshold")]
    NoVotes,
    /// No option passed the threshold.
    #[error("no option passed the threshold")]
    NoOptionPassed,
    /// Seats were requested but there are no options.
    #[error("there are no options to allocate {seats} seat(s) to")]
    NoOptions {
        /// The seats requested.
        seats: u32,
    },
    /// The threshold's percentage has a zero denominator.
    #[error("invalid threshold: the percentage denominator is zero")]
    InvalidThreshold,
    /// The house is larger than [`MAX_SEATS`].
    #[error("{seats} seats is more than the supported maximum of {max}")]
    TooManySeats {
        /// The seats requested.
        seats: u32,
        /// [`MAX_SEATS`].
        max: u32,
    },
    /// Droop quota: the remainder round cannot fill the house because fewer
    /// options have votes than seats are left after the integer parts.
    #[error(
        "the quota leaves {unfilled} seat(s) after the integer parts but only {eligible} option(s) with votes can take a remainder seat"
    )]
    QuotaUnfillable {
        /// Seats left after the integer parts.
        unfilled: u64,
        /// Options with votes that passed the threshold.
        eligible: usize,
    },
    /// The integer parts exceed the house (impossible for Hare and Droop;
    /// reported instead of panicking).
    #[error(
        "the integer parts of the quota give {allocated} seats, more than the {seats} available"
    )]
    QuotaOverallocated {
        /// Seats given by the integer parts.
        allocated: u64,
        /// The house size.
        seats: u32,
    },
}

/// Allocates `seats` seats among options with the given `votes` (in input,
/// i.e. registration, order) by `method`, after applying `threshold`, breaking
/// ties by `ties`. See the crate documentation for the exact semantics.
pub fn allocate(
    votes: &[u64],
    seats: u32,
    method: Method,
    threshold: Option<&Threshold>,
    ties: &TiePolicy,
) -> Result<Allocation, ApportionmentError> {
    if threshold.is_some_and(|t| t.percent_denom == 0) {
        return Err(ApportionmentError::InvalidThreshold);
    }
    if seats > MAX_SEATS {
        return Err(ApportionmentError::TooManySeats { seats, max: MAX_SEATS });
    }
    let n = votes.len();
    let passed: Vec<bool> = votes.iter().map(|&v| threshold.is_none_or(|t| t.passes(v))).collect();
    if seats == 0 {
        return Ok(Allocation {
            seats: vec![0; n],
            passed,
            quota: None,
            floors: Vec::new(),
            remainders: Vec::new(),
            ties: Vec::new(),
            steps: Vec::new(),
        });
    }
    if n == 0 {
        return Err(ApportionmentError::NoOptions { seats });
    }
    if !passed.iter().any(|&p| p) {
        return Err(ApportionmentError::NoOptionPassed);
    }
    let eligible: Vec<usize> = (0..n).filter(|&i| passed[i] && votes[i] > 0).collect();
    if eligible.is_empty() {
        return Err(ApportionmentError::NoVotes);
    }
    let mut ctx = TieContext { policy: *ties, rng: None, ties: Vec::new() };
    let mut allocation = if method.is_quota_method() {
        quota_method(votes, seats, method, &eligible, &mut ctx)?
    } else {
        divisor_method(votes, seats, method, &eligible, &mut ctx)?
    };
    allocation.passed = passed;
    allocation.ties = ctx.ties;
    Ok(allocation)
}

/// Tie-breaking state for one allocation.
struct TieContext {
    policy: TiePolicy,
    rng: Option<ChaCha20Rng>,
    ties: Vec<TieResolution>,
}

impl TieContext {
    /// Picks `need` winners among `group` (input order, `group.len() > need`).
    fn resolve(&mut self, group: &[usize], need: u32) -> Result<Vec<usize>, ApportionmentError> {
        let (ranking, resolved_by) = match self.policy {
            TiePolicy::Error => {
                return Err(ApportionmentError::Tie { options: group.to_vec(), seats: need });
            }
            TiePolicy::Order => (group.to_vec(), TieBreak::Order),
            TiePolicy::Lot { seed } => {
                let rng = self.rng.get_or_insert_with(|| ChaCha20Rng::seed_from_u64(seed));
                let mut ranking = group.to_vec();
                for i in (1..ranking.len()).rev() {
                    let j = uniform_below(rng, i as u64 + 1) as usize;
                    ranking.swap(i, j);
                }
                (ranking, TieBreak::Lot { seed })
            }
        };
        let mut winners: Vec<usize> = ranking.iter().copied().take(need as usize).collect();
        winners.sort_unstable();
        self.ties.push(TieResolution {
            tied: group.to_vec(),
            seats: need,
            winners: winners.clone(),
            resolved_by,
            ranking,
        });
        Ok(winners)
    }
}

/// A uniform integer in `0..n` (`n > 0`) by rejection sampling on `next_u64`.
fn uniform_below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    let limit = (u64::MAX / n) * n;
    loop {
        let x = rng.next_u64();
        if x < limit {
            return x % n;
        }
    }
}

/// Hare and Droop largest remainder.
///
/// Why Droop never over-allocates: with `q = floor(V/(S+1)) + 1 > V/(S+1)`,
/// `sum floor(v_i/q) <= sum v_i/q = V/q < S + 1`, so the integer parts total at
/// most `S`. For Hare, `sum floor(v_i·S/V) <= sum v_i·S/V = S`. The remainder
/// round then gives at most one seat per option and exactly the seats left, so
/// the total is exactly `S`. (The `QuotaOverallocated` check below is
/// therefore unreachable; it exists so a logic error can never panic.)
///
/// Why Hare always fills: the remainders sum to `S - sum floors = k` and each
/// is below 1, so more than `k` options have a positive remainder. Droop can
/// leave `k` larger than the number of options with votes only when `V` is
/// tiny (`V <= S(S+1)`); that is [`ApportionmentError::QuotaUnfillable`].
fn quota_method(
    votes: &[u64],
    seats: u32,
    method: Method,
    eligible: &[usize],
    ctx: &mut TieContext,
) -> Result<Allocation, ApportionmentError> {
    let n = votes.len();
    let total: u128 = eligible.iter().map(|&i| u128::from(votes[i])).sum();
    let s = u128::from(seats);
    // floor(v/quota) = v·num_scale / den, remainder numerator = v·num_scale mod den,
    // remainder = rem / den. Hare: quota = V/S → v/quota = v·S/V. Droop: quota = q.
    let (num_scale, den, quota) = match method {
        Method::Hare => (s, total, Fraction::reduced(BigUint::from(total), BigUint::from(s))),
        _ => {
            let q = total / (s + 1) + 1;
            (1, q, Fraction::integer(q))
        }
    };
    let mut floors = vec![0u32; n];
    let mut rems = vec![0u128; n];
    let mut allocated: u128 = 0;
    for &i in eligible {
        // v ≤ 2^64 and S ≤ 2^20, so v·S fits in u128.
        let scaled = u128::from(votes[i]) * num_scale;
        let fl = scaled / den;
        rems[i] = scaled % den;
        allocated += fl;
        // fl ≤ V/q ≤ S + 1 when the proof above holds; stay total-safe anyway.
        floors[i] = u32::try_from(fl).unwrap_or(u32::MAX);
    }
    if allocated > s {
        return Err(ApportionmentError::QuotaOverallocated {
            allocated: u64::try_from(allocated).unwrap_or(u64::MAX),
            seats,
        });
    }
    let k = s - allocated;
    if k > eligible.len() as u128 {
        return Err(ApportionmentError::QuotaUnfillable {
            unfilled: u64::try_from(k).unwrap_or(u64::MAX),
            eligible: eligible.len(),
        });
    }
    let k = k as usize;
    let mut result = floors.clone();
    if k > 0 {
        let mut order: Vec<usize> = eligible.to_vec();
        // Largest remainder first; equal remainders in input order.
        order.sort_by(|&a, &b| rems[b].cmp(&rems[a]).then(a.cmp(&b)));
        let cutoff = rems[order[k - 1]];
        let above: Vec<usize> = order.iter().copied().filter(|&i| rems[i] > cutoff).collect();
        let group: Vec<usize> = order.iter().copied().filter(|&i| rems[i] == cutoff).collect();
        let need = k - above.len();
        let winners = if group.len() > need { ctx.resolve(&group, need as u32)? } else { group };
        for i in above.into_iter().chain(winners) {
            result[i] += 1;
        }
    }
    let den_big = BigUint::from(den);
    let remainders: Vec<Fraction> =
        rems.iter().map(|&r| Fraction::reduced(BigUint::from(r), den_big.clone())).collect();
    Ok(Allocation {
        seats: result,
        passed: Vec::new(),
        quota: Some(quota),
        floors,
        remainders,
        ties: Vec::new(),
        steps: Vec::new(),
    })
}

/// A divisor-method priority `num/den`, or infinite when the divisor is 0.
#[derive(Clone, Debug)]
enum Key {
    Infinite,
    Ratio(BigUint, BigUint),
}

impl Key {
    fn cmp_key(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Infinite, Key::Infinite) => Ordering::Equal,
            (Key::Infinite, Key::Ratio(..)) => Ordering::Greater,
            (Key::Ratio(..), Key::Infinite) => Ordering::Less,
            (Key::Ratio(a, b), Key::Ratio(c, d)) => (a * d).cmp(&(c * b)),
        }
    }
}

/// The priority of an option with `v > 0` votes holding `s` seats. For
/// Huntington–Hill this is the squared quotient; all keys of one method use
/// the same representation, so comparisons are consistent.
fn priority(method: Method, v: u64, s: u32) -> Key {
    let vb = BigUint::from(v);
    let s = u64::from(s); // s ≤ MAX_SEATS, so s(s+1) and 2s(s+1) fit in u64.
    match method {
        Method::DHondt => Key::Ratio(vb, BigUint::from(s + 1)),
        Method::SainteLague => Key::Ratio(vb, BigUint::from(2 * s + 1)),
        Method::ModifiedSainteLague if s == 0 => Key::Ratio(vb * 5u32, BigUint::from(7u32)),
        Method::ModifiedSainteLague => Key::Ratio(vb, BigUint::from(2 * s + 1)),
        _ if s == 0 => Key::Infinite,
        Method::HuntingtonHill => Key::Ratio(&vb * &vb, BigUint::from(s * (s + 1))),
        Method::Adams => Key::Ratio(vb, BigUint::from(s)),
        Method::Dean => Key::Ratio(vb * (2 * s + 1), BigUint::from(2 * s * (s + 1))),
        // Quota methods never reach here; D'Hondt is a harmless fallback.
        Method::Hare | Method::Droop => Key::Ratio(vb, BigUint::from(s + 1)),
    }
}

/// A heap entry: higher priority first, then lower index first.
struct Entry {
    key: Key,
    index: usize,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp_key(&other.key).then_with(|| other.index.cmp(&self.index))
    }
}

/// Highest-averages allocation, seat by seat.
///
/// At each round the group of all options sharing the highest priority is
/// taken. If the seats left suffice for the whole group, each member gets a
/// seat (in input order; the order does not matter because nothing else can
/// overtake them meanwhile, as every member's priority only drops after its
/// seat). Otherwise it is a tie for the seats left, decided by the policy;
/// that can only happen for the last seats. With [`TiePolicy::Order`] this is
/// exactly the sequential process "highest priority, lowest index first",
/// which does not depend on the house size, so the result is house monotone.
fn divisor_method(
    votes: &[u64],
    seats: u32,
    method: Method,
    eligible: &[usize],
    ctx: &mut TieContext,
) -> Result<Allocation, ApportionmentError> {
    let mut result = vec![0u32; votes.len()];
    let mut heap: BinaryHeap<Entry> =
        eligible.iter().map(|&i| Entry { key: priority(method, votes[i], 0), index: i }).collect();
    let mut steps: Vec<Step> = Vec::with_capacity(seats as usize);
    let mut remaining = seats;
    while remaining > 0 {
        let Some(top) = heap.pop() else { break };
        let mut group = vec![top];
        while heap.peek().is_some_and(|e| e.key.cmp_key(&group[0].key) == Ordering::Equal) {
            if let Some(e) = heap.pop() {
                group.push(e);
            }
        }
        // The heap pops equal keys lowest index first, so `group` is in input order.
        let winners: Vec<usize> = if group.len() <= remaining as usize {
            group.iter().map(|e| e.index).collect()
        } else {
            let members: Vec<usize> = group.iter().map(|e| e.index).collect();
            ctx.resolve(&members, remaining)?
        };
        for entry in group {
            if winners.contains(&entry.index) {
                let i = entry.index;
                steps.push(Step {
                    seat: seats - remaining + 1,
                    option: i,
                    seats_before: result[i],
                    quotient: quotient_of(method, &entry.key),
                });
                result[i] += 1;
                remaining -= 1;
                heap.push(Entry { key: priority(method, votes[i], result[i]), index: i });
            } else {
                heap.push(entry);
            }
        }
    }
    Ok(Allocation {
        seats: result,
        passed: Vec::new(),
        quota: None,
        floors: Vec::new(),
        remainders: Vec::new(),
        ties: Vec::new(),
        steps,
    })
}

fn quotient_of(method: Method, key: &Key) -> Quotient {
    match key {
        Key::Infinite => Quotient::Infinite,
        Key::Ratio(a, b) => {
            let f = Fraction::reduced(a.clone(), b.clone());
            if method == Method::HuntingtonHill {
                Quotient::Squared(f)
            } else {
                Quotient::Exact(f)
            }
        }
    }
}

#[cfg(test)]
mod tests;
