//! Numerical helpers: log-gamma, binomial probabilities, the normal and chi-square tails,
//! seeded random streams and normal draws. Floating point is fine here: nothing in this crate
//! feeds a legal decision.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `ln Γ(x)` for `x > 0` (Lanczos approximation, g = 7, n = 9; relative error < 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The probabilities of `Binomial(n, p)` where they matter: `(k0, pmf)` with `pmf[j]` =
/// P(K = k0 + j), covering every `k` whose probability exceeds 1e-14 of the mode's (the rest
/// sums to well under 1e-11).
pub fn binomial_window(n: u64, p: f64) -> (u64, Vec<f64>) {
    let mut pmf = Vec::new();
    let k0 = binomial_window_into(n, p, &mut pmf);
    (k0, pmf)
}

/// [`binomial_window`] into a caller's buffer (cleared first); returns `k0`.
pub fn binomial_window_into(n: u64, p: f64, pmf: &mut Vec<f64>) -> u64 {
    pmf.clear();
    if n == 0 || p <= 0.0 {
        pmf.push(1.0);
        return 0;
    }
    if p >= 1.0 {
        pmf.push(1.0);
        return n;
    }
    let nf = n as f64;
    let mode = (((n + 1) as f64) * p).floor().min(nf) as u64;
    let ln_mode =
        ln_gamma(nf + 1.0) - ln_gamma(mode as f64 + 1.0) - ln_gamma((n - mode) as f64 + 1.0)
            + mode as f64 * p.ln()
            + (n - mode) as f64 * (1.0 - p).ln();
    let at_mode = ln_mode.exp();
    let odds = p / (1.0 - p);
    let cut = at_mode * 1e-14;
    // Below the mode, in descending k, then reversed in place.
    let mut v = at_mode;
    let mut k = mode;
    while k > 0 {
        v *= k as f64 / (n - k + 1) as f64 / odds;
        k -= 1;
        if v < cut {
            break;
        }
        pmf.push(v);
    }
    let k0 = mode - pmf.len() as u64;
    pmf.reverse();
    pmf.push(at_mode);
    let mut v = at_mode;
    let mut k = mode;
    while k < n {
        v *= (n - k) as f64 / (k + 1) as f64 * odds;
        k += 1;
        if v < cut {
            break;
        }
        pmf.push(v);
    }
    // Normalise away the approximation error of ln_gamma (tiny) so probabilities sum to 1.
    let s: f64 = pmf.iter().sum();
    if s > 0.0 {
        for x in pmf.iter_mut() {
            *x /= s;
        }
    }
    k0
}

/// Upper tail of the standard normal distribution, P(Z ≥ z) (via erfc; absolute error < 1.2e-7
/// relative to the tail, W. J. Cody's rational approximation as in Numerical Recipes `erfcc`).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The standard normal quantile for a two-sided confidence level (e.g. 0.95 → 1.959964),
/// found by bisection on [`normal_sf`].
pub fn normal_two_sided_quantile(confidence: f64) -> f64 {
    let tail = (1.0 - confidence) / 2.0;
    let (mut lo, mut hi) = (0.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if normal_sf(mid) > tail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// Survival function of the chi-square distribution with `df` degrees of freedom:
/// Q(df/2, x/2), the regularised upper incomplete gamma function (series / continued fraction,
/// Numerical Recipes §6.2).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let a = df / 2.0;
    let x = x / 2.0;
    let gln = ln_gamma(a);
    if x < a + 1.0 {
        // Series for P.
        let mut sum = 1.0 / a;
        let mut del = sum;
        let mut ap = a;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        1.0 - sum * (-x + a * x.ln() - gln).exp()
    } else {
        // Continued fraction for Q (Lentz).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-15 {
                break;
            }
        }
        ((-x + a * x.ln() - gln).exp() * h).clamp(0.0, 1.0)
    }
}

/// The random stream number `stream` of a run seeded with `seed`: ChaCha8 with the seed as key
/// and the stream number as ChaCha's stream id, so blocks of Monte-Carlo replicates are
/// independent and reproducible whichever thread draws them.
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A standard normal draw (Box–Muller, one draw per call).
pub fn normal<R: RngCore>(rng: &mut R) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A draw from `Normal(mu, sigma)` truncated to [0, 1] (rejection; falls back to clamping after
/// 64 tries, which only happens when almost no mass lies in [0, 1]).
pub fn truncated_normal01<R: RngCore>(rng: &mut R, mu: f64, sigma: f64) -> f64 {
    for _ in 0..64 {
        let x = mu + sigma * normal(rng);
        if (0.0..=1.0).contains(&x) {
            return x;
        }
    }
    mu.clamp(0.0, 1.0)
}

/// Runs `blocks` independent jobs on up to `threads` threads; job `b` gets `b` and its result
/// goes to slot `b`, so the output does not depend on the number of threads.
pub fn parallel_blocks<T: Send, F: Fn(usize) -> T + Sync>(
    blocks: usize,
    threads: usize,
    job: F,
) -> Vec<T> {
    let threads = threads.clamp(1, blocks.max(1));
    if threads == 1 {
        return (0..blocks).map(&job).collect();
    }
    let mut out: Vec<Option<T>> = (0..blocks).map(|_| None).collect();
    std::thread::scope(|s| {
        let job = &job;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..blocks).step_by(threads).map(|b| (b, job(b))).collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A panicking job is a bug; propagate it.
            let done = match h.join() {
                Ok(d) => d,
                Err(e) => std::panic::resume_unwind(e),
            };
            for (b, v) in done {
                out[b] = Some(v);
            }
        }
    });
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..30u32 {
            f *= n as f64;
            assert!((ln_gamma(n as f64 + 1.0) - f.ln()).abs() < 1e-10, "{n}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn binomial_window_is_a_distribution_with_the_right_moments() {
        for (n, p) in [(10u64, 0.3), (1000, 0.5), (2500, 0.02), (7, 0.999), (100_000, 0.61)] {
            let (k0, pmf) = binomial_window(n, p);
            let s: f64 = pmf.iter().sum();
            let mean: f64 = pmf.iter().enumerate().map(|(j, q)| (k0 + j as u64) as f64 * q).sum();
            let var: f64 = pmf
                .iter()
                .enumerate()
                .map(|(j, q)| ((k0 + j as u64) as f64 - mean).powi(2) * q)
                .sum();
            assert!((s - 1.0).abs() < 1e-12);
            assert!((mean - n as f64 * p).abs() < 1e-6 * (n as f64).max(1.0), "{n} {p}");
            assert!((var - n as f64 * p * (1.0 - p)).abs() < 1e-4 * (n as f64), "{n} {p}");
        }
        // Exact small case: Binomial(3, 0.5) = 1/8, 3/8, 3/8, 1/8.
        let (k0, pmf) = binomial_window(3, 0.5);
        assert_eq!(k0, 0);
        for (a, b) in pmf.iter().zip([0.125, 0.375, 0.375, 0.125]) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn tails_match_tables() {
        assert!((normal_sf(1.959964) - 0.025).abs() < 1e-6);
        assert!((normal_sf(-1.0) - 0.841345).abs() < 1e-5);
        assert!((normal_two_sided_quantile(0.95) - 1.959964).abs() < 1e-5);
        // chi2(9): 16.919 is the 0.05 critical value, 27.877 the 0.001 one.
        assert!((chi2_sf(16.919, 9.0) - 0.05).abs() < 1e-4);
        assert!((chi2_sf(27.877, 9.0) - 0.001).abs() < 1e-5);
        assert!((chi2_sf(2.0, 2.0) - (-1.0f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn parallel_blocks_do_not_depend_on_threads() {
        let f = |b: usize| {
            let mut r = stream(7, b as u64);
            r.next_u64()
        };
        assert_eq!(parallel_blocks(13, 1, f), parallel_blocks(13, 4, f));
    }
}
