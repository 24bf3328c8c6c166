//! Ballot-polling audits with BRAVO (M. Lindeman, P. B. Stark, V. S. Yates, "BRAVO:
//! Ballot-polling Risk-limiting Audits to Verify Outcomes", EVT/WOTE 2012): the expected sample
//! size (ASN, §9.2 and Table 1) and the measured risk of a sample, for a reported winner W and
//! loser L. Computed exactly as N. McBurnett's `rlacalc` (`findAsn`,
//! `ballot_polling_risk_level`; PyPI `rlacalc` 0.4.0), which the differential test checks on
//! random inputs; floating point, since these are statistics, not legal decisions.

/// Why a BRAVO figure cannot be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BravoError {
    /// Risk limit outside (0, 1].
    #[error("the risk limit must be more than 0% and at most 100%, not {0}%")]
    RiskLimit(f64),
    /// Margin outside (0, 1].
    #[error("the margin must be more than 0% and at most 100%, not {0}%")]
    Margin(f64),
    /// Risk level outside (0, 1].
    #[error("the risk level so far must be more than 0% and at most 100%, not {0}%")]
    RiskLevel(f64),
    /// The reported winner does not lead.
    #[error("the reported winner ({winner} votes) must have more votes than the loser ({loser})")]
    NotAWinner {
        /// Winner's votes.
        winner: u64,
        /// Loser's votes.
        loser: u64,
    },
}

/// Average sample number (expected ballots to draw) of a BRAVO audit of a two-candidate
/// contest with `margin` = (W − L)/(W + L) as a fraction, risk limit `alpha` and the risk level
/// reached so far (`1.0` before the audit starts). The formula of BRAVO §9.2 (Wald's ASN for the
/// SPRT), evaluated as `rlacalc.findAsn` does (on 100,000 notional ballots).
pub fn asn(alpha: f64, margin: f64, risk_level: f64) -> Result<u64, BravoError> {
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(BravoError::RiskLimit(alpha * 100.0));
    }
    if !(margin > 0.0 && margin <= 1.0) {
        return Err(BravoError::Margin(margin * 100.0));
    }
    if !(risk_level > 0.0 && risk_level <= 1.0) {
        return Err(BravoError::RiskLevel(risk_level * 100.0));
    }
    let ballots = 100_000.0_f64;
    let vw = ballots * (0.5 + margin / 2.0);
    let vl = ballots * (0.5 - margin / 2.0);
    let sw = vw / (vw + vl);
    let zw = (2.0 * sw).ln();
    let pw = vw / ballots;
    let pl = vl / ballots;
    // A 100% margin: the loser term p_l·z_l → 0 (rlacalc returns the same 4 at α = 10%).
    let loser_term = if vl <= 0.0 { 0.0 } else { pl * (2.0 * (1.0 - sw)).ln() };
    let n = ((1.0 / alpha * risk_level).ln() + zw / 2.0)
        / (((vw + vl) / ballots) * (pw * zw + loser_term));
    Ok(n.ceil().max(0.0) as u64)
}

/// The measured risk of a BRAVO sample: 1/T with T = Π (s/½) over the sampled winner ballots ×
/// Π ((1−s)/½) over the loser ballots, s = W/(W+L) (BRAVO §4), capped at 1. Computed in logs
/// as `rlacalc.ballot_polling_risk_level`.
pub fn risk(
    reported_winner: u64,
    reported_loser: u64,
    sample_winner: u64,
    sample_loser: u64,
) -> Result<f64, BravoError> {
    if reported_winner <= reported_loser {
        return Err(BravoError::NotAWinner { winner: reported_winner, loser: reported_loser });
    }
    let s = reported_winner as f64 / (reported_winner as f64 + reported_loser as f64);
    let mut log_t = (s.ln() - 0.5f64.ln()) * sample_winner as f64;
    if sample_loser > 0 {
        log_t += ((1.0 - s).ln() - 0.5f64.ln()) * sample_loser as f64;
    }
    let r = (0.0 - log_t).exp();
    Ok(if r.is_nan() { 1.0 } else { r.min(1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    // rlacalc's doctests: BRAVO Table 1 and two Colorado 2018 counties.
    #[test]
    fn reproduces_rlacalc_doctests() {
        assert_eq!(asn(0.1, 0.01, 1.0), Ok(46151));
        assert_eq!(asn(0.1, 0.04, 1.0), Ok(2902));
        assert_eq!(asn(0.1, 0.2, 1.0), Ok(119));
        assert_eq!(asn(0.1, 1.0, 1.0), Ok(4));
        assert_eq!(risk(1410, 1132, 170, 135), Ok(0.1342382069344729));
        assert_eq!(risk(2894, 1695, 45, 32), Ok(0.47002027242290234));
    }

    #[test]
    fn risk_is_capped_and_inputs_checked() {
        assert_eq!(risk(100, 50, 0, 30), Ok(1.0));
        assert_eq!(risk(2894, 0, 1130, 0).map(|r| r < 1e-300), Ok(true));
        assert!(matches!(risk(5, 5, 1, 1), Err(BravoError::NotAWinner { .. })));
        assert!(asn(0.0, 0.1, 1.0).is_err());
        assert!(asn(0.1, 0.0, 1.0).is_err());
    }
}
