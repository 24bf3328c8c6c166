//! Parallel vote tabulation (NDI, "Building Confidence in Elections: The Role of Parallel Vote
//! Tabulations"/"The Quick Count and Election Observation", 2002; Apollo's estimator,
//! `apollo/result_analysis/results.py`): a stratified random sample of polling stations drawn
//! from a public seed, and from the observers' copies of the sampled protocols, ratio estimates
//! of each option's share and of turnout with margins of error, and a test of the official
//! result.
//!
//! Design: strata (regions, optionally split urban/rural) get at least two stations each (two
//! are needed to estimate a variance) and the rest in proportion to their number of stations
//! (largest remainders, capped at the stratum's size). Within a stratum the stations are those
//! with the smallest Rivest ticket numbers under the seed ([`crate::sampler`]), so the draw is
//! reproducible by anyone and consistent: enlarging the sample keeps the stations already drawn.
//!
//! Estimate: stations are clusters of voters; each quantity is a ratio `R = Σ a / Σ m` (an
//! option's votes over the valid votes, ballots issued over registered voters). The combined
//! ratio estimator over strata h with N_h stations of which n_h are sampled,
//! `R̂ = Σ_h (N_h/n_h) Σ_i a_hi / Σ_h (N_h/n_h) Σ_i m_hi`, has the linearised variance
//! `V̂ = (1/M̂²) Σ_h N_h² (1 − n_h/N_h) s²_h / n_h`, `s²_h` the sample variance of
//! `d_hi = a_hi − R̂ m_hi` (S. L. Lohr, "Sampling: Design and Analysis", §4.5 and §7.3;
//! W. G. Cochran, "Sampling Techniques", §6.11). With one stratum this is Apollo's formula, which
//! takes its finite-population correction from voters (`Σm / BIG_N`) where this uses stations
//! sampled, the sampling units. Margin of error = z·√V̂; the official share is tested by
//! z = (official − R̂)/√V̂ with a two-sided normal p-value.

use std::collections::BTreeMap;

use crate::normal;
use crate::sampler::{first_fraction_with_hash, sha256_hex, trim};

/// A station of the sampling frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameStation {
    /// Station id.
    pub id: String,
    /// Stratum name.
    pub stratum: String,
}

/// One stratum of a design.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stratum {
    /// Name.
    pub name: String,
    /// Stations in the frame.
    pub stations: u64,
    /// Stations sampled.
    pub sampled: u64,
}

/// One sampled station.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampledStation {
    /// Stratum.
    pub stratum: String,
    /// Station id.
    pub station: String,
    /// Its Rivest ticket number (18 digits, as Arlo prints them).
    pub ticket: String,
}

/// A design: strata and the sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Design {
    /// Strata in name order.
    pub strata: Vec<Stratum>,
    /// The sample, by stratum then ticket.
    pub sample: Vec<SampledStation>,
}

/// Why a PVT design or estimate is impossible.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PvtError {
    /// The frame is empty.
    #[error("the sampling frame has no stations")]
    EmptyFrame,
    /// The same station twice.
    #[error("station \"{0}\" appears twice in the sampling frame")]
    Duplicate(String),
    /// Sample larger than the frame.
    #[error("a sample of {asked} stations is larger than the frame of {frame}")]
    TooLarge {
        /// Asked.
        asked: u64,
        /// Frame size.
        frame: u64,
    },
    /// Sample too small for two stations per stratum.
    #[error("a sample of {asked} stations cannot give every one of the {strata} strata its two stations (needs {needed})")]
    TooSmall {
        /// Asked.
        asked: u64,
        /// Strata.
        strata: usize,
        /// Needed.
        needed: u64,
    },
    /// A stratum with too few reporting stations to estimate a variance.
    #[error("stratum \"{0}\" has fewer than two sampled stations reporting, so its variance cannot be estimated")]
    TooFewReports(String),
    /// The denominator is zero.
    #[error("the sampled stations have no {0}")]
    ZeroBase(String),
}

/// Draws a stratified sample of `n` stations from `frame` under `seed`.
pub fn design(frame: &[FrameStation], n: u64, seed: &str) -> Result<Design, PvtError> {
    if frame.is_empty() {
        return Err(PvtError::EmptyFrame);
    }
    if n > frame.len() as u64 {
        return Err(PvtError::TooLarge { asked: n, frame: frame.len() as u64 });
    }
    let seed_hash = sha256_hex(seed);
    let mut strata: BTreeMap<&str, Vec<(String, &str)>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for s in frame {
        if !seen.insert(s.id.as_str()) {
            return Err(PvtError::Duplicate(s.id.clone()));
        }
        strata
            .entry(s.stratum.as_str())
            .or_default()
            .push((first_fraction_with_hash(&s.id, &seed_hash), s.id.as_str()));
    }
    let sizes: Vec<u64> = strata.values().map(|v| v.len() as u64).collect();
    let minimum: Vec<u64> = sizes.iter().map(|&s| s.min(2)).collect();
    let needed: u64 = minimum.iter().sum();
    if n < needed {
        return Err(PvtError::TooSmall { asked: n, strata: strata.len(), needed });
    }
    let alloc = allocate(&sizes, &minimum, n);
    let mut out = Design { strata: Vec::new(), sample: Vec::new() };
    for ((name, stations), &k) in strata.iter_mut().zip(&alloc) {
        stations.sort();
        out.strata.push(Stratum {
            name: (*name).to_owned(),
            stations: stations.len() as u64,
            sampled: k,
        });
        for (ticket, id) in stations.iter().take(k as usize) {
            out.sample.push(SampledStation {
                stratum: (*name).to_owned(),
                station: (*id).to_owned(),
                ticket: trim(ticket, 18),
            });
        }
    }
    Ok(out)
}

/// Proportional allocation of `n` over strata of `sizes` with per-stratum minimums, capped at
/// each size: largest remainders (exact integer comparison), ties to the earlier stratum.
fn allocate(sizes: &[u64], minimum: &[u64], n: u64) -> Vec<u64> {
    let mut alloc = minimum.to_vec();
    loop {
        let left = n - alloc.iter().sum::<u64>();
        let open: Vec<usize> = (0..sizes.len()).filter(|&h| alloc[h] < sizes[h]).collect();
        if left == 0 || open.is_empty() {
            return alloc;
        }
        let weight: u128 = open.iter().map(|&h| u128::from(sizes[h])).sum();
        // Exact quota of stratum h: left·N_h/weight.
        let mut shares: Vec<(usize, u128, u128)> = open
            .iter()
            .map(|&h| {
                let q = u128::from(left) * u128::from(sizes[h]);
                (h, q / weight, q % weight)
            })
            .collect();
        let mut given = 0u64;
        let mut capped = false;
        for &(h, floor, _) in &shares {
            let room = sizes[h] - alloc[h];
            let add = (floor as u64).min(room);
            if add < floor as u64 {
                capped = true;
            }
            alloc[h] += add;
            given += add;
        }
        if capped {
            continue;
        }
        shares.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        let mut rest = left - given;
        for &(h, _, _) in &shares {
            if rest == 0 {
                break;
            }
            if alloc[h] < sizes[h] {
                alloc[h] += 1;
                rest -= 1;
            }
        }
        if rest == 0 {
            return alloc;
        }
    }
}

/// A ratio estimate with its uncertainty.
#[derive(Clone, Debug, PartialEq)]
pub struct RatioEstimate {
    /// R̂.
    pub estimate: f64,
    /// √V̂.
    pub std_error: f64,
    /// z·√V̂ at the requested confidence.
    pub margin_of_error: f64,
    /// Stations used.
    pub stations: usize,
}

impl RatioEstimate {
    /// z statistic and two-sided p-value of an official value against the estimate.
    pub fn test(&self, official: f64) -> (f64, f64) {
        if self.std_error == 0.0 {
            let z = if official == self.estimate { 0.0 } else { f64::INFINITY };
            return (z, if z == 0.0 { 1.0 } else { 0.0 });
        }
        let z = (official - self.estimate) / self.std_error;
        (z, normal::two_sided_p(z))
    }
}

/// The sampled stations of one stratum: its frame size and `(a_i, m_i)` per reporting station.
#[derive(Clone, Debug, PartialEq)]
pub struct StratumSample {
    /// Name (for messages).
    pub name: String,
    /// N_h.
    pub stations: u64,
    /// `(a, m)` per reporting sampled station.
    pub pairs: Vec<(u64, u64)>,
}

/// The combined ratio estimate over strata at critical value `z`.
pub fn ratio_estimate(
    strata: &[StratumSample],
    z: f64,
    what: &str,
) -> Result<RatioEstimate, PvtError> {
    let (mut a_hat, mut m_hat) = (0.0f64, 0.0f64);
    let mut used = 0usize;
    for s in strata {
        if s.pairs.is_empty() {
            continue;
        }
        let w = s.stations as f64 / s.pairs.len() as f64;
        a_hat += w * s.pairs.iter().map(|p| p.0 as f64).sum::<f64>();
        m_hat += w * s.pairs.iter().map(|p| p.1 as f64).sum::<f64>();
        used += s.pairs.len();
    }
    if m_hat <= 0.0 {
        return Err(PvtError::ZeroBase(what.to_owned()));
    }
    let r = a_hat / m_hat;
    let mut v = 0.0f64;
    for s in strata {
        let n = s.pairs.len() as f64;
        let big_n = s.stations as f64;
        if s.pairs.len() as u64 >= s.stations {
            continue; // a census of the stratum: no sampling variance
        }
        if s.pairs.len() < 2 {
            return Err(PvtError::TooFewReports(s.name.clone()));
        }
        let d: Vec<f64> = s.pairs.iter().map(|&(a, m)| a as f64 - r * m as f64).collect();
        let mean = d.iter().sum::<f64>() / n;
        let s2 = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        v += big_n * big_n * (1.0 - n / big_n) * s2 / n;
    }
    let se = v.sqrt() / m_hat;
    Ok(RatioEstimate { estimate: r, std_error: se, margin_of_error: z * se, stations: used })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn frame() -> Vec<FrameStation> {
        (0..100)
            .map(|i| FrameStation {
                id: format!("S{i:03}"),
                stratum: if i < 70 {
                    "north"
                } else if i < 97 {
                    "south"
                } else {
                    "tiny"
                }
                .into(),
            })
            .collect()
    }

    #[test]
    fn design_allocates_and_is_reproducible_and_consistent() {
        let d = design(&frame(), 20, "public seed 42").unwrap();
        let sampled: Vec<u64> = d.strata.iter().map(|s| s.sampled).collect();
        // Minimum 2 each, the remaining 14 by 70:27:3 among the open strata.
        assert_eq!(sampled.iter().sum::<u64>(), 20);
        assert_eq!(
            d.strata.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["north", "south", "tiny"]
        );
        assert_eq!(sampled, [12, 6, 2]);
        assert_eq!(design(&frame(), 20, "public seed 42").unwrap(), d);
        let bigger = design(&frame(), 40, "public seed 42").unwrap();
        for s in &d.sample {
            assert!(
                bigger.sample.iter().any(|b| b.station == s.station),
                "consistent: {} kept",
                s.station
            );
        }
        assert_ne!(design(&frame(), 20, "another seed").unwrap().sample, d.sample);
        assert!(matches!(design(&frame(), 5, "x"), Err(PvtError::TooSmall { needed: 6, .. })));
        assert!(matches!(design(&frame(), 101, "x"), Err(PvtError::TooLarge { .. })));
    }

    #[test]
    fn single_stratum_matches_apollos_formula() {
        // Apollo: var = (1−f)/(k m̄²) · Σ(a − p m)²/(k − 1), here with f = k/N.
        let pairs = vec![(30u64, 100u64), (55, 120), (20, 80), (41, 90), (60, 150)];
        let big_n = 50u64;
        let e = ratio_estimate(
            &[StratumSample { name: "all".into(), stations: big_n, pairs: pairs.clone() }],
            1.96,
            "x",
        )
        .unwrap();
        let k = pairs.len() as f64;
        let sa: f64 = pairs.iter().map(|p| p.0 as f64).sum();
        let sm: f64 = pairs.iter().map(|p| p.1 as f64).sum();
        let p = sa / sm;
        let mbar = sm / k;
        let f = k / big_n as f64;
        let ss: f64 = pairs.iter().map(|&(a, m)| (a as f64 - p * m as f64).powi(2)).sum();
        let var = (1.0 - f) / (k * mbar * mbar) * ss / (k - 1.0);
        assert!((e.estimate - p).abs() < 1e-15);
        assert!((e.std_error - var.sqrt()).abs() < 1e-12, "{} vs {}", e.std_error, var.sqrt());
    }

    #[test]
    fn intervals_cover_the_truth_about_95_percent_of_the_time() {
        // A synthetic population of 2,000 stations in 4 strata with different shares.
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let pop: Vec<(usize, u64, u64)> = (0..2000)
            .map(|i| {
                let h = i % 4;
                let m: u64 = rng.gen_range(200..1500);
                let p = [0.3, 0.45, 0.6, 0.52][h] + rng.gen_range(-0.1..0.1);
                let a = (m as f64 * p).round() as u64;
                (h, a, m)
            })
            .collect();
        let truth = pop.iter().map(|p| p.1).sum::<u64>() as f64
            / pop.iter().map(|p| p.2).sum::<u64>() as f64;
        let frame: Vec<FrameStation> = pop
            .iter()
            .enumerate()
            .map(|(i, p)| FrameStation { id: format!("S{i}"), stratum: format!("h{}", p.0) })
            .collect();
        let z = normal::critical_value(0.95).unwrap();
        let runs = 400;
        let mut covered = 0;
        for run in 0..runs {
            let d = design(&frame, 120, &format!("seed {run}")).unwrap();
            let strata: Vec<StratumSample> = d
                .strata
                .iter()
                .map(|s| StratumSample {
                    name: s.name.clone(),
                    stations: s.stations,
                    pairs: d
                        .sample
                        .iter()
                        .filter(|x| x.stratum == s.name)
                        .map(|x| {
                            let i: usize = x.station[1..].parse().unwrap();
                            (pop[i].1, pop[i].2)
                        })
                        .collect(),
                })
                .collect();
            let e = ratio_estimate(&strata, z, "votes").unwrap();
            if (e.estimate - truth).abs() <= e.margin_of_error {
                covered += 1;
            }
        }
        let rate = covered as f64 / runs as f64;
        assert!((0.92..=0.98).contains(&rate), "coverage {rate}");
    }

    #[test]
    fn official_result_test() {
        let e =
            RatioEstimate { estimate: 0.5, std_error: 0.01, margin_of_error: 0.0196, stations: 10 };
        let (z, p) = e.test(0.5196);
        assert!((z - 1.96).abs() < 1e-9 && (p - 0.05).abs() < 1e-3);
        let (_, p) = e.test(0.57);
        assert!(
            p < 1e-10,
            "an official share 7 points above a PVT with 1 point standard error is implausible"
        );
    }
}
