//! The election fingerprint and the fraud model of Klimek, Yegorov, Hanel & Thurner,
//! "Statistical detection of systematic election irregularities", PNAS 109(41):16469–16473
//! (2012).
//!
//! The fingerprint is the 2-D histogram of stations by turnout and the leader's share (1 pp
//! bins). The model: in a fair election each station's turnout `t` and leader's share `v` are
//! normal (truncated to [0, 1]) around the fair peak (τ, σ_τ) and (ν, σ_ν). With probability
//! `f_i` a station suffers *incremental fraud*: a fraction `x` (half-normal of width θ) of its
//! non-voters is stuffed for the leader and a fraction `x^α` of the other candidates' votes
//! is moved to the leader; with probability `f_e` *extreme fraud*: `x = 1 − |N(0, 0.075)|`,
//! nearly everything goes to the leader. Then turnout = 1 − (1−x)(1−t) and the leader's
//! votes = N·(t·v + x(1−t) + x^α(1−v)t).
//!
//! The fair parameters are read off the data as in the paper (and in Kobak's re-analysis,
//! github.com/dkobak/elections, meduza2018): τ and ν are the first local maxima above 30% of
//! kernel density estimates of turnout and share; σ_τ is the root mean square of t − τ over
//! stations below both peaks, σ_ν that of v − ν below the share peak, θ = (mean of (v − ν)²
//! above the share peak)^(1/4). `f_i`, `f_e` and α are then fitted by minimising the squared
//! difference between the model's fingerprint (simulated on the stations' own sizes with common
//! random numbers from the seed) and the observed one, on a coarse grid refined twice.

use serde::Serialize;

use crate::math::{normal, parallel_blocks, stream, truncated_normal01};
use crate::stations::Stations;

/// Bins per axis of the fingerprint (1 percentage point each; 100% falls in the last bin).
pub const BINS: usize = 100;
/// Smallest station the model is fitted on (Klimek et al. removed stations under 100 voters).
pub const MIN_REGISTERED: u64 = 100;
/// Width of the extreme-fraud draw around 1 (Klimek et al.).
const EXTREME_SIGMA: f64 = 0.075;
/// Stations used in the fit (a deterministic, evenly spaced subset when there are more).
const FIT_STATIONS: usize = 30_000;

/// The 2-D histogram: `counts[t][v]` stations with turnout in [t, t+1)% and leader's share in
/// [v, v+1)%.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Fingerprint {
    /// Bin width in percentage points.
    pub bin_pp: u32,
    /// What is counted.
    pub weighted_by: &'static str,
    /// Stations counted (those with registered voters and ballots).
    pub stations: u64,
    /// `counts[turnout_bin][share_bin]`.
    pub counts: Vec<Vec<u64>>,
}

fn bin(x: f64) -> usize {
    // `as` truncates toward zero and saturates at 0 for negatives: the floor for x ≥ 0.
    ((x * BINS as f64) as usize).min(BINS - 1)
}

/// The fingerprint of the stations.
pub fn fingerprint(st: &Stations) -> Fingerprint {
    let mut counts = vec![vec![0u64; BINS]; BINS];
    let mut n = 0;
    for s in st.stations.iter().filter(|s| s.registered > 0 && s.ballots > 0) {
        counts[bin(s.turnout())][bin(s.share(st.leader))] += 1;
        n += 1;
    }
    Fingerprint { bin_pp: 1, weighted_by: "stations", stations: n, counts }
}

/// The fair peak read off the data.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct FairPeak {
    /// Turnout peak τ.
    pub tau: f64,
    /// Turnout spread σ_τ.
    pub sigma_tau: f64,
    /// Leader's share peak ν.
    pub nu: f64,
    /// Share spread σ_ν.
    pub sigma_nu: f64,
    /// Width θ of incremental fraud.
    pub theta: f64,
}

/// The fitted model.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct KlimekFit {
    /// Share of stations with incremental fraud.
    pub f_i: f64,
    /// Share of stations with extreme fraud.
    pub f_e: f64,
    /// How vote stealing scales with ballot stuffing (x^α).
    pub alpha: f64,
    /// The fair peak.
    pub fair: FairPeak,
    /// Stations the fit used.
    pub stations_fitted: u64,
    /// Squared distance between observed and fitted fingerprints, per station squared
    /// (lower is better).
    pub distance: f64,
    /// The same distance for the fair model (f_i = f_e = 0): how much fraud improves the fit.
    pub distance_fair: f64,
}

/// First local maximum above 0.3 of a Gaussian kernel density estimate (Scott's bandwidth) of
/// `xs` in [0, 1], evaluated on a 0.001 grid (as gaussian_kde in the reference code).
fn first_peak(xs: &[f64]) -> f64 {
    const G: usize = 1000;
    let n = xs.len().max(1) as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    let h = (sd * n.powf(-0.2)).max(1e-3);
    let mut hist = vec![0f64; G + 1];
    for &x in xs {
        hist[((x * G as f64).round().max(0.0) as usize).min(G)] += 1.0;
    }
    let r = ((4.0 * h * G as f64).ceil() as usize).max(1);
    let kern: Vec<f64> =
        (0..=r).map(|d| (-0.5 * (d as f64 / (h * G as f64)).powi(2)).exp()).collect();
    let dens: Vec<f64> = (0..=G)
        .map(|i| {
            let lo = i.saturating_sub(r);
            let hi = (i + r).min(G);
            (lo..=hi).map(|j| hist[j] * kern[i.abs_diff(j)]).sum()
        })
        .collect();
    for i in 300..G {
        if dens[i + 1] - dens[i] < 0.0 {
            return i as f64 / G as f64;
        }
    }
    0.5
}

/// The fair peak of (turnout, share) pairs.
pub fn fair_peak(t: &[f64], v: &[f64]) -> FairPeak {
    let tau = first_peak(t);
    let nu = first_peak(v);
    let rms = |it: &mut dyn Iterator<Item = f64>| {
        let (mut s, mut c) = (0.0, 0.0);
        for d in it {
            s += d * d;
            c += 1.0;
        }
        if c > 0.0 {
            (s / c).sqrt()
        } else {
            0.1
        }
    };
    let sigma_tau =
        rms(&mut t.iter().zip(v).filter(|(a, b)| **a < tau && **b < nu).map(|(a, _)| a - tau));
    let sigma_nu = rms(&mut v.iter().filter(|b| **b < nu).map(|b| b - nu));
    let theta = rms(&mut v.iter().filter(|b| **b > nu).map(|b| b - nu)).sqrt();
    FairPeak {
        tau,
        sigma_tau: sigma_tau.max(1e-3),
        nu,
        sigma_nu: sigma_nu.max(1e-3),
        theta: theta.max(1e-3),
    }
}

/// Common random numbers of one simulated station.
struct Draw {
    t: f64,
    v: f64,
    u: f64,
    x_incremental: f64,
    x_extreme: f64,
}

/// The model's fingerprint for (f_i, f_e), with `pow_i[k]` = x_incremental^α and
/// `pow_e[k]` = x_extreme^α of draw k precomputed for the α at hand.
fn simulate_hist(draws: &[Draw], pow_i: &[f64], pow_e: &[f64], f_i: f64, f_e: f64) -> Vec<f64> {
    let mut h = vec![0f64; BINS * BINS];
    for ((d, &pi), &pe) in draws.iter().zip(pow_i).zip(pow_e) {
        let (x, xa) = if d.u < f_i {
            (d.x_incremental, pi)
        } else if d.u < f_i + f_e {
            (d.x_extreme, pe)
        } else {
            (0.0, 0.0)
        };
        let (turnout, share) = if x == 0.0 {
            (d.t, d.v)
        } else {
            let turnout = 1.0 - (1.0 - x) * (1.0 - d.t);
            let leader = d.t * d.v + x * (1.0 - d.t) + xa * (1.0 - d.v) * d.t;
            (turnout, if turnout > 0.0 { (leader / turnout).min(1.0) } else { 0.0 })
        };
        h[bin(turnout) * BINS + bin(share)] += 1.0;
    }
    h
}

fn distance(observed: &[f64], model: &[f64], scale: f64) -> f64 {
    observed.iter().zip(model).map(|(o, m)| (o - m * scale).powi(2)).sum()
}

/// Fits the model. `None` when fewer than 100 stations qualify.
pub fn fit(st: &Stations, seed: u64, threads: usize) -> Option<KlimekFit> {
    let pairs: Vec<(f64, f64)> = st
        .stations
        .iter()
        .filter(|s| s.registered >= MIN_REGISTERED && s.ballots > 0)
        .map(|s| (s.turnout().min(1.0), s.share(st.leader)))
        .collect();
    if pairs.len() < 100 {
        return None;
    }
    let t: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let v: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let fair = fair_peak(&t, &v);
    let mut observed = vec![0f64; BINS * BINS];
    for &(a, b) in &pairs {
        observed[bin(a) * BINS + bin(b)] += 1.0;
    }
    // Common random numbers (the model does not depend on station size beyond the histogram).
    let m = pairs.len().min(FIT_STATIONS);
    let mut rng = stream(seed, 1 << 40);
    let draws: Vec<Draw> = (0..m)
        .map(|_| {
            let t = truncated_normal01(&mut rng, fair.tau, fair.sigma_tau);
            let v = truncated_normal01(&mut rng, fair.nu, fair.sigma_nu);
            let u = rand::Rng::gen::<f64>(&mut rng);
            let x_incremental = truncated_normal01(&mut rng, 0.0, fair.theta);
            let x_extreme = 1.0 - (EXTREME_SIGMA * normal(&mut rng)).abs().min(1.0);
            Draw { t, v, u, x_incremental, x_extreme }
        })
        .collect();
    let pows = |draws: &[Draw], a: f64| -> (Vec<f64>, Vec<f64>) {
        (
            draws.iter().map(|d| d.x_incremental.powf(a)).collect(),
            draws.iter().map(|d| d.x_extreme.powf(a)).collect(),
        )
    };
    let eval = |draws: &[Draw], pw: &(Vec<f64>, Vec<f64>), fi: f64, fe: f64| -> f64 {
        if fi + fe > 1.0 {
            return f64::INFINITY;
        }
        let scale = pairs.len() as f64 / draws.len() as f64;
        distance(&observed, &simulate_hist(draws, &pw.0, &pw.1, fi, fe), scale)
    };
    // Evaluates every grid point (grouped by α, whose powers are computed once per α); ties
    // go to the earlier point of the grid.
    let search = |draws: &[Draw], grid: Vec<(f64, f64, f64)>| -> (f64, (f64, f64, f64)) {
        let mut best = (f64::INFINITY, (0.0, 0.0, 1.0));
        let mut start = 0;
        while start < grid.len() {
            let a = grid[start].2;
            let end = start + grid[start..].iter().take_while(|p| p.2 == a).count();
            let pw = pows(draws, a);
            let part = &grid[start..end];
            let chunk = part.len().div_ceil(threads.max(1) * 4).max(1);
            let results = parallel_blocks(part.len().div_ceil(chunk), threads, |b| {
                part[b * chunk..((b + 1) * chunk).min(part.len())]
                    .iter()
                    .map(|&p| (eval(draws, &pw, p.0, p.1), p))
                    .collect::<Vec<_>>()
            });
            for c in results.into_iter().flatten() {
                if c.0 < best.0 {
                    best = c;
                }
            }
            start = end;
        }
        best
    };
    let steps = |lo: f64, hi: f64, step: f64| -> Vec<f64> {
        let n = ((hi - lo) / step).round() as i64;
        (0..=n).map(|i| lo + i as f64 * step).filter(|x| *x >= -1e-12).map(|x| x.max(0.0)).collect()
    };
    let mut grid = Vec::new();
    // Coarse grid on a third of the draws, then a finer one around the best point on all.
    for a in steps(1.0, 3.0, 1.0) {
        for fi in steps(0.0, 1.0, 0.05) {
            for fe in steps(0.0, 0.1, 0.005) {
                grid.push((fi, fe, a));
            }
        }
    }
    let (_, (fi, fe, a)) = search(&draws[..draws.len().div_ceil(3)], grid);
    let mut grid = Vec::new();
    for a in steps(a - 0.75, a + 0.75, 0.25).into_iter().filter(|a| *a > 0.0) {
        for fi in steps(fi - 0.05, fi + 0.05, 0.01) {
            for fe in steps(fe - 0.005, fe + 0.005, 0.001) {
                grid.push((fi.min(1.0), fe, a));
            }
        }
    }
    let (d, (fi, fe, a)) = search(&draws, grid);
    let n2 = (pairs.len() as f64).powi(2);
    Some(KlimekFit {
        f_i: (fi * 1000.0).round() / 1000.0,
        f_e: (fe * 1000.0).round() / 1000.0,
        alpha: (a * 100.0).round() / 100.0,
        fair,
        stations_fitted: pairs.len() as u64,
        distance: d / n2,
        distance_fair: eval(&draws, &pows(&draws, 1.0), 0.0, 0.0) / n2,
    })
}
