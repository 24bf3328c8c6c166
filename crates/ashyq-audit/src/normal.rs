//! The standard normal distribution, for margins of error and p-values (statistics only).

/// Φ(z), the standard normal distribution function.
pub fn cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of a z statistic: P(|Z| ≥ |z|).
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// The z with Φ(z) = p, for 0 < p < 1 (bisection on Φ to full double precision).
pub fn quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let (mut lo, mut hi) = (-40.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The critical value of a two-sided interval at `confidence` (0.95 → 1.959964…).
pub fn critical_value(confidence: f64) -> Option<f64> {
    quantile(0.5 + confidence / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert!((critical_value(0.95).unwrap() - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((critical_value(0.99).unwrap() - 2.575_829_303_548_901).abs() < 1e-12);
        assert!((two_sided_p(1.959_963_984_540_054) - 0.05).abs() < 1e-12);
        assert!((cdf(0.0) - 0.5).abs() < 1e-15);
        assert_eq!(quantile(1.0), None);
    }
}
