//! Integer percentages: Kobak, Shpilkin & Pshenichnikov, "Integer percentages as electoral
//! falsification fingerprints", Ann. Appl. Stat. 10(1):54–73 (2016).
//!
//! A station is *integer* in turnout when 100·issued/registered lies within ±0.05 percentage
//! points of a whole number, and integer in the leader's share when 100·leader/ballots does
//! (ballots = valid + invalid). Their inclusion rules: ballots > 0, at least 100 registered,
//! turnout ≤ 99% and leader's share ≤ 99%. The null: each station's issued ballots are
//! Binomial(registered, observed turnout) and the leader's votes Binomial(ballots, observed
//! share), independently.
//!
//! The Monte Carlo draws, for every station and replicate, whether its binomial turnout and
//! its binomial leader's share land within the window. The probability of each event is
//! computed exactly from the binomial distribution (summing its probabilities over the counts
//! that land in the window), so a replicate has exactly the distribution of one of Kobak et
//! al.'s full binomial replicates, for one random number per station and test instead of a
//! binomial draw. The exact expectation (the sum of those probabilities) and variance are
//! reported too, as a check on the simulation.

use serde::Serialize;

use crate::math::{binomial_window_into, parallel_blocks, stream};
use crate::stations::{Station, Stations};
use rand::RngCore;

/// Half-width of the window around a whole percentage, in percentage points (Kobak et al.).
pub const WINDOW_PP: f64 = 0.05;
/// Smallest number of registered voters (Kobak et al.'s inclusion rule).
pub const MIN_REGISTERED: u64 = 100;
/// Largest turnout and leader's share, in percent (Kobak et al.'s inclusion rule).
pub const MAX_PERCENT: u64 = 99;
/// Replicates per random stream (block); blocks are the unit of parallel work.
const BLOCK: usize = 8;

/// True when `100·k/n` lies within ±0.05 of an integer, computed exactly as Kobak et al.'s
/// numpy code does (`abs(p - round(p)) <= 0.05` in double precision), so that boundary cases
/// fall the same way.
pub fn is_integer_percent(k: u64, n: u64) -> bool {
    if n == 0 {
        return false;
    }
    let p = 100.0 * k as f64 / n as f64;
    (p - p.round()).abs() <= WINDOW_PP
}

/// Probability that `100·K/n` is integer (in the window) for K ~ Binomial(n, k/n).
pub fn integer_probability(k: u64, n: u64) -> f64 {
    integer_probability_with(k, n, &mut Vec::new())
}

/// [`integer_probability`] with a reusable buffer.
pub fn integer_probability_with(k: u64, n: u64, pmf: &mut Vec<f64>) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let k0 = binomial_window_into(n, k as f64 / n as f64, pmf);
    pmf.iter()
        .enumerate()
        .filter(|(j, _)| is_integer_percent(k0 + *j as u64, n))
        .map(|(_, q)| q)
        .sum()
}

/// Whether a station passes Kobak et al.'s inclusion rules.
pub fn included(s: &Station, leader: usize) -> bool {
    s.ballots > 0
        && s.registered >= MIN_REGISTERED
        && s.issued * 100 <= MAX_PERCENT * s.registered
        && s.votes[leader] * 100 <= MAX_PERCENT * s.ballots
}

/// One count of integer stations against its Monte-Carlo null.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IntegerTest {
    /// Stations in the window.
    pub observed: u64,
    /// Monte-Carlo mean of the null.
    pub expected: f64,
    /// observed − expected.
    pub excess: f64,
    /// Monte-Carlo standard deviation of the null.
    pub sd: f64,
    /// excess / sd.
    pub z: f64,
    /// (1 + replicates with at least `observed`) / (1 + replicates): one-sided.
    pub p_value: f64,
    /// The exact null mean (sum of the stations' probabilities).
    pub expected_exact: f64,
    /// The exact null standard deviation.
    pub sd_exact: f64,
    /// The 99.9th percentile of the Monte-Carlo null minus its mean (Kobak et al.'s grey band).
    pub excess_999: f64,
}

/// Per station: whether it is integer, and its null probabilities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StationIntegers {
    /// Included by the rules.
    pub included: bool,
    /// Turnout in the window.
    pub turnout: bool,
    /// Leader's share in the window.
    pub share: bool,
    /// Null probability of an integer turnout.
    pub q_turnout: f64,
    /// Null probability of an integer share.
    pub q_share: f64,
}

/// The integer-percentage analysis.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct IntegerPercentages {
    /// Stations in the window in turnout or leader's share (Kobak et al.'s headline count).
    #[serde(flatten)]
    pub either: IntegerTest,
    /// Turnout alone.
    pub turnout: IntegerTest,
    /// Leader's share alone.
    pub leader_share: IntegerTest,
    /// Stations passing the inclusion rules.
    pub included: u64,
    /// Stations excluded by the rules: (no ballots, < 100 registered, turnout > 99%, share > 99%).
    pub excluded: Excluded,
    /// Replicates of the Monte Carlo.
    pub replicates: usize,
    /// Half-width of the window, percentage points.
    pub window_pp: f64,
}

/// Stations excluded by each inclusion rule (a station counts under the first rule it fails).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Excluded {
    /// No ballots counted.
    pub no_ballots: u64,
    /// Fewer than 100 registered voters.
    pub small: u64,
    /// Turnout above 99%.
    pub turnout_above_99: u64,
    /// Leader's share above 99%.
    pub share_above_99: u64,
}

/// Runs the test. `per_station` receives each station's flags (same order as the stations).
pub fn integer_percentages(
    st: &Stations,
    replicates: usize,
    seed: u64,
    threads: usize,
) -> (IntegerPercentages, Vec<StationIntegers>) {
    let leader = st.leader;
    let mut excluded = Excluded::default();
    let flags: Vec<StationIntegers> = st
        .stations
        .iter()
        .map(|s| {
            if s.ballots == 0 {
                excluded.no_ballots += 1;
            } else if s.registered < MIN_REGISTERED {
                excluded.small += 1;
            } else if s.issued * 100 > MAX_PERCENT * s.registered {
                excluded.turnout_above_99 += 1;
            } else if s.votes[leader] * 100 > MAX_PERCENT * s.ballots {
                excluded.share_above_99 += 1;
            }
            if !included(s, leader) {
                return StationIntegers::default();
            }
            StationIntegers {
                included: true,
                turnout: is_integer_percent(s.issued, s.registered),
                share: is_integer_percent(s.votes[leader], s.ballots),
                q_turnout: 0.0,
                q_share: 0.0,
            }
        })
        .collect();
    // Null probabilities (in parallel: a binomial window per station and test).
    let chunk = 4096;
    let n = st.stations.len();
    let probs: Vec<Vec<(f64, f64)>> = parallel_blocks(n.div_ceil(chunk), threads, |b| {
        let mut buf = Vec::new();
        (b * chunk..((b + 1) * chunk).min(n))
            .map(|i| {
                if !flags[i].included {
                    return (0.0, 0.0);
                }
                let s = &st.stations[i];
                (
                    integer_probability_with(s.issued, s.registered, &mut buf),
                    integer_probability_with(s.votes[leader], s.ballots, &mut buf),
                )
            })
            .collect()
    });
    let mut flags = flags;
    for (f, (qt, qs)) in flags.iter_mut().zip(probs.into_iter().flatten()) {
        f.q_turnout = qt;
        f.q_share = qs;
    }
    let inc: Vec<&StationIntegers> = flags.iter().filter(|f| f.included).collect();
    // Thresholds for one 32-bit uniform each.
    let thr = |q: f64| (q * 4_294_967_296.0).round().min(4_294_967_296.0) as u64;
    let thresholds: Vec<(u64, u64)> =
        inc.iter().map(|f| (thr(f.q_turnout), thr(f.q_share))).collect();
    let blocks = replicates.div_ceil(BLOCK);
    let sims: Vec<Vec<[u64; 3]>> = parallel_blocks(blocks, threads, |b| {
        let mut rng = stream(seed, b as u64);
        let reps = BLOCK.min(replicates - b * BLOCK);
        (0..reps)
            .map(|_| {
                let mut c = [0u64; 3];
                for &(tt, ts) in &thresholds {
                    let r = rng.next_u64();
                    let t = (r & 0xffff_ffff) < tt;
                    let s = (r >> 32) < ts;
                    c[0] += u64::from(t || s);
                    c[1] += u64::from(t);
                    c[2] += u64::from(s);
                }
                c
            })
            .collect()
    });
    let sims: Vec<[u64; 3]> = sims.into_iter().flatten().collect();
    let observed = [
        inc.iter().filter(|f| f.turnout || f.share).count() as u64,
        inc.iter().filter(|f| f.turnout).count() as u64,
        inc.iter().filter(|f| f.share).count() as u64,
    ];
    let exact = |k: usize| -> (f64, f64) {
        let (mut m, mut v) = (0.0, 0.0);
        for f in &inc {
            let q = match k {
                0 => 1.0 - (1.0 - f.q_turnout) * (1.0 - f.q_share),
                1 => f.q_turnout,
                _ => f.q_share,
            };
            m += q;
            v += q * (1.0 - q);
        }
        (m, v.sqrt())
    };
    let test = |k: usize| -> IntegerTest {
        let xs: Vec<u64> = sims.iter().map(|c| c[k]).collect();
        let r = xs.len().max(1) as f64;
        let mean = xs.iter().sum::<u64>() as f64 / r;
        let sd = (xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / r).sqrt();
        let at_least = xs.iter().filter(|&&x| x >= observed[k]).count() as f64;
        let mut sorted = xs.clone();
        sorted.sort_unstable();
        let q999 = if sorted.is_empty() {
            0.0
        } else {
            sorted[((0.999 * (sorted.len() - 1) as f64).round() as usize).min(sorted.len() - 1)]
                as f64
        };
        let (em, esd) = exact(k);
        let excess = observed[k] as f64 - mean;
        IntegerTest {
            observed: observed[k],
            expected: mean,
            excess,
            sd,
            z: if sd > 0.0 { excess / sd } else { 0.0 },
            p_value: (1.0 + at_least) / (1.0 + xs.len() as f64),
            expected_exact: em,
            sd_exact: esd,
            excess_999: q999 - mean,
        }
    };
    let res = IntegerPercentages {
        either: test(0),
        turnout: test(1),
        leader_share: test(2),
        included: inc.len() as u64,
        excluded,
        replicates,
        window_pp: WINDOW_PP,
    };
    (res, flags)
}

/// Observed and exactly expected integer stations (turnout or share) for a subset of stations
/// (a region): `(observed, expected, sd)` with the Poisson-binomial null.
pub fn subset_counts<'a>(flags: impl Iterator<Item = &'a StationIntegers>) -> (u64, f64, f64) {
    let (mut o, mut m, mut v) = (0u64, 0.0, 0.0);
    for f in flags.filter(|f| f.included) {
        o += u64::from(f.turnout || f.share);
        let q = 1.0 - (1.0 - f.q_turnout) * (1.0 - f.q_share);
        m += q;
        v += q * (1.0 - q);
    }
    (o, m, v.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_kobaks() {
        assert!(is_integer_percent(500, 1000)); // 50.0
        assert!(is_integer_percent(1001, 2000)); // 50.05: 50.05 - 50 = 0.04999999999999716
        assert!(!is_integer_percent(501, 1000)); // 50.1
        assert!(!is_integer_percent(333, 1000));
        assert!(!is_integer_percent(1, 3)); // 33.33
        assert!(is_integer_percent(0, 100));
    }

    #[test]
    fn integer_probability_of_a_large_station_is_about_a_tenth() {
        // 10,000 voters: percentages step by 0.01, and the closed window ±0.05 around each
        // whole percentage holds 11 of every 100 steps.
        let q = integer_probability(6000, 10_000);
        assert!((q - 0.11).abs() < 0.002, "{q}");
        // A small station has a lattice: 200 voters → every k is 0.5 pp apart, every other one
        // lands on an integer percent.
        let q = integer_probability(100, 200);
        assert!((q - 0.5).abs() < 0.01, "{q}");
    }
}
