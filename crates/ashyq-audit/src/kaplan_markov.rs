//! Ballot-level comparison audits with the Kaplan–Markov bound (P. B. Stark, "Super-Simple
//! Simultaneous Single-Ballot Risk-Limiting Audits", EVT/WOTE 2010; "A Gentle Introduction to
//! Risk-limiting Audits", 2012): the initial sample size `nmin` given the diluted margin, the
//! error inflation factor γ and the discrepancies seen (one- and two-vote over- and
//! understatements), and the Kaplan–Markov p-value of a sample. As N. McBurnett's `rlacalc`
//! (`nmin`, `KM_P_value`), which the differential test checks on random inputs.

/// Why a Kaplan–Markov figure cannot be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum KaplanMarkovError {
    /// Risk limit outside (0, 1].
    #[error("the risk limit must be more than 0% and at most 100%, not {0}%")]
    RiskLimit(f64),
    /// Margin outside (0, 1].
    #[error("the diluted margin must be more than 0% and at most 100%, not {0}%")]
    Margin(f64),
    /// γ ≤ 1.
    #[error("gamma must be greater than 1, not {0}")]
    Gamma(f64),
}

/// Counts of discrepancies found in a comparison sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Discrepancies {
    /// One-vote overstatements.
    pub o1: u64,
    /// Two-vote overstatements.
    pub o2: u64,
    /// One-vote understatements.
    pub u1: u64,
    /// Two-vote understatements.
    pub u2: u64,
}

fn check(alpha: Option<f64>, gamma: f64, margin: f64) -> Result<(), KaplanMarkovError> {
    if let Some(alpha) = alpha {
        if !(alpha > 0.0 && alpha <= 1.0) {
            return Err(KaplanMarkovError::RiskLimit(alpha * 100.0));
        }
    }
    if gamma.is_nan() || gamma <= 1.0 {
        return Err(KaplanMarkovError::Gamma(gamma));
    }
    if !(margin > 0.0 && margin <= 1.0) {
        return Err(KaplanMarkovError::Margin(margin * 100.0));
    }
    Ok(())
}

/// Stark's initial sample size for a comparison audit:
/// `n = ⌈−2γ (ln α + o1 ln(1 − 1/2γ) + o2 ln(1 − 1/γ) + u1 ln(1 + 1/2γ) + u2 ln(1 + 1/γ)) / m⌉`,
/// and never fewer than the o1 + o2 + u1 + u2 discrepancies already seen in it (`rlacalc.nmin`;
/// rlacalc's floor reads `o1 + o2 + u1 + u1`, a typo this function does not copy: the
/// differential test shows where that matters).
pub fn nmin(
    alpha: f64,
    gamma: f64,
    margin: f64,
    d: Discrepancies,
) -> Result<u64, KaplanMarkovError> {
    check(Some(alpha), gamma, margin)?;
    let sum = alpha.ln()
        + d.o1 as f64 * (1.0 - 1.0 / (2.0 * gamma)).ln()
        + d.o2 as f64 * (1.0 - 1.0 / gamma).ln()
        + d.u1 as f64 * (1.0 + 1.0 / (2.0 * gamma)).ln()
        + d.u2 as f64 * (1.0 + 1.0 / gamma).ln();
    let n = (-2.0 * gamma * sum / margin).ceil().max(0.0) as u64;
    Ok(n.max(d.o1 + d.o2 + d.u1 + d.u2))
}

/// The Kaplan–Markov p-value of a comparison sample of `n` ballots with the discrepancies `d`:
/// `(1 − m/2γ)^n (1 − 1/2γ)^−o1 (1 − 1/γ)^−o2 (1 + 1/2γ)^−u1 (1 + 1/γ)^−u2`, capped at 1
/// (`rlacalc.KM_P_value`, uncapped there).
pub fn p_value(
    n: u64,
    gamma: f64,
    margin: f64,
    d: Discrepancies,
) -> Result<f64, KaplanMarkovError> {
    check(None, gamma, margin)?;
    let p = (1.0 - margin / (2.0 * gamma)).powf(n as f64)
        * (1.0 - 1.0 / (2.0 * gamma)).powf(-(d.o1 as f64))
        * (1.0 - 1.0 / gamma).powf(-(d.o2 as f64))
        * (1.0 + 1.0 / (2.0 * gamma)).powf(-(d.u1 as f64))
        * (1.0 + 1.0 / gamma).powf(-(d.u2 as f64));
    Ok(if p.is_nan() { 1.0 } else { p.min(1.0) })
}

/// Arlo's and Colorado's default γ.
pub const DEFAULT_GAMMA: f64 = 1.03905;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(o1: u64, o2: u64, u1: u64, u2: u64) -> Discrepancies {
        Discrepancies { o1, o2, u1, u2 }
    }

    // rlacalc's doctests (after Stark's "Gentle introduction", p. 5).
    #[test]
    fn reproduces_rlacalc_doctests() {
        let g = DEFAULT_GAMMA;
        assert_eq!(nmin(0.1, g, 0.2, d(0, 0, 0, 0)), Ok(24));
        assert_eq!(nmin(0.1, g, 0.1, d(0, 0, 0, 0)), Ok(48));
        assert_eq!(nmin(0.1, g, 0.002, d(0, 0, 0, 0)), Ok(2393));
        assert_eq!(nmin(0.1, g, 0.05, d(1, 0, 0, 0)), Ok(123));
        assert_eq!(nmin(0.1, g, 0.005, d(1, 0, 1, 0)), Ok(1067));
        assert_eq!(nmin(0.1, g, 0.05, d(0, 0, 0, 0)), Ok(96));
        assert_eq!(nmin(0.2, g, 0.05, d(0, 0, 0, 0)), Ok(67));
        let nh = (354040.0 - 337589.0) / (354040.0 + 337589.0 + 33234.0);
        assert_eq!(p_value(200, g, nh, d(1, 0, 0, 0)), Ok(0.21438135077031842));
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(nmin(0.1, 1.0, 0.05, d(0, 0, 0, 0)).is_err());
        assert!(nmin(1.5, 1.1, 0.05, d(0, 0, 0, 0)).is_err());
        assert!(nmin(0.1, 1.1, 0.0, d(0, 0, 0, 0)).is_err());
        assert_eq!(nmin(0.1, 1.1, 0.9, d(0, 0, 40, 40)), Ok(80), "floor: the discrepancies seen");
    }
}
