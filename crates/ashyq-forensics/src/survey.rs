//! Surveys and exit polls: margins of error for a proportion from a simple random sample or a
//! clustered one (design effect, Kish 1965: deff = 1 + (m − 1)·ρ for clusters of m
//! respondents with intra-cluster correlation ρ), a published estimate against the official
//! result, and the inverse-variance aggregation of several polls with Cochran's Q test of
//! whether they agree.
//!
//! Intervals: the usual normal ("Wald") interval p ± z·√(p(1−p)·deff/n) that pollsters publish,
//! and the Wilson score interval on the effective sample size n/deff, which behaves better
//! near 0% and 100%.

use serde::Serialize;

use crate::math::{chi2_sf, normal_sf, normal_two_sided_quantile};

/// Why a survey computation was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum SurveyError {
    /// A sample size of zero.
    EmptySample,
    /// A proportion outside [0, 100] percent.
    BadPercent(f64),
    /// A design effect below 1 or not finite... or a confidence outside (0, 1).
    BadParameter(&'static str, f64),
}

impl std::fmt::Display for SurveyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SurveyError::EmptySample => write!(f, "the sample size must be at least 1"),
            SurveyError::BadPercent(p) => write!(f, "{p} is not a percentage between 0 and 100"),
            SurveyError::BadParameter(what, v) => write!(f, "{what} = {v} is out of range"),
        }
    }
}

impl std::error::Error for SurveyError {}

/// The design of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Design {
    /// Respondents.
    pub n: u64,
    /// Design effect (1 for a simple random sample).
    pub deff: f64,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
}

impl Design {
    /// A design from a sample size, an optional explicit design effect, or clusters and an
    /// intra-cluster correlation.
    pub fn new(
        n: u64,
        deff: Option<f64>,
        clusters: Option<(u64, f64)>,
        confidence: f64,
    ) -> Result<Design, SurveyError> {
        if n == 0 {
            return Err(SurveyError::EmptySample);
        }
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(SurveyError::BadParameter("confidence", confidence));
        }
        let deff = match (deff, clusters) {
            (Some(d), _) => d,
            (None, Some((k, icc))) => {
                if k == 0 || k > n {
                    return Err(SurveyError::BadParameter("clusters", k as f64));
                }
                if !(0.0..=1.0).contains(&icc) {
                    return Err(SurveyError::BadParameter("icc", icc));
                }
                1.0 + (n as f64 / k as f64 - 1.0) * icc
            }
            (None, None) => 1.0,
        };
        if !deff.is_finite() || deff < 1.0 {
            return Err(SurveyError::BadParameter("design effect", deff));
        }
        Ok(Design { n, deff, confidence })
    }

    /// The effective sample size n / deff.
    pub fn effective_n(&self) -> f64 {
        self.n as f64 / self.deff
    }
}

/// A margin of error.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Margin {
    /// The estimate, percent.
    pub percent: f64,
    /// Respondents, design effect, confidence.
    pub design: Design,
    /// Effective sample size.
    pub effective_n: f64,
    /// Standard error, percentage points.
    pub standard_error: f64,
    /// Half-width of the normal interval, percentage points.
    pub margin: f64,
    /// Normal interval, percent.
    pub interval: [f64; 2],
    /// Wilson score interval, percent.
    pub wilson: [f64; 2],
    /// The critical value used.
    pub z: f64,
}

fn check_percent(p: f64) -> Result<f64, SurveyError> {
    if (0.0..=100.0).contains(&p) {
        Ok(p / 100.0)
    } else {
        Err(SurveyError::BadPercent(p))
    }
}

/// The margin of error of a percentage estimated from a sample.
pub fn margin(percent: f64, design: Design) -> Result<Margin, SurveyError> {
    let p = check_percent(percent)?;
    let z = normal_two_sided_quantile(design.confidence);
    let ne = design.effective_n();
    let se = (p * (1.0 - p) / ne).sqrt();
    let m = z * se;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * ne)) / (1.0 + z2 / ne);
    let half = z / (1.0 + z2 / ne) * (p * (1.0 - p) / ne + z2 / (4.0 * ne * ne)).sqrt();
    Ok(Margin {
        percent,
        design,
        effective_n: ne,
        standard_error: 100.0 * se,
        margin: 100.0 * m,
        interval: [100.0 * (p - m).max(0.0), 100.0 * (p + m).min(1.0)],
        wilson: [100.0 * (centre - half).max(0.0), 100.0 * (centre + half).min(1.0)],
        z,
    })
}

/// A survey estimate against the official figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The survey's margin.
    pub survey: Margin,
    /// The official figure, percent.
    pub official: f64,
    /// official − survey, percentage points.
    pub difference: f64,
    /// The difference in standard errors.
    pub z: f64,
    /// Two-sided p-value of the difference, if the survey were an unbiased random sample of
    /// the same population as the official figure.
    pub p_value: f64,
    /// Whether the official figure lies inside the survey's normal interval.
    pub inside_interval: bool,
    /// Whether it lies inside the Wilson interval.
    pub inside_wilson: bool,
}

/// Compares a survey estimate with an official figure.
pub fn compare(percent: f64, design: Design, official: f64) -> Result<Comparison, SurveyError> {
    let m = margin(percent, design)?;
    check_percent(official)?;
    let d = official - percent;
    let z = if m.standard_error > 0.0 { d / m.standard_error } else { f64::INFINITY * d.signum() };
    Ok(Comparison {
        official,
        difference: d,
        z,
        p_value: if z.is_finite() { (2.0 * normal_sf(z.abs())).min(1.0) } else { 0.0 },
        inside_interval: official >= m.interval[0] && official <= m.interval[1],
        inside_wilson: official >= m.wilson[0] && official <= m.wilson[1],
        survey: m,
    })
}

/// One published poll.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Poll {
    /// Its name.
    pub name: String,
    /// Respondents.
    pub n: u64,
    /// The estimate, percent.
    pub percent: f64,
    /// Design effect.
    pub deff: f64,
}

/// Several polls pooled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    /// Polls pooled.
    pub polls: usize,
    /// Inverse-variance weighted estimate, percent.
    pub percent: f64,
    /// Its standard error, percentage points.
    pub standard_error: f64,
    /// Normal interval, percent.
    pub interval: [f64; 2],
    /// Total effective respondents.
    pub effective_n: f64,
    /// Cochran's Q (do the polls agree beyond sampling error?).
    pub q: f64,
    /// Its p-value (chi-square with polls − 1 df); small = the polls disagree more than
    /// sampling error allows (house effects, different dates or questions).
    pub q_p_value: f64,
    /// I²: share of the spread beyond sampling error, percent.
    pub i2: f64,
    /// Per poll: weight, percent.
    pub weights: Vec<f64>,
}

/// Pools polls by inverse-variance weights (each poll's variance p(1−p)·deff/n at its own p).
pub fn aggregate(polls: &[Poll], confidence: f64) -> Result<Aggregate, SurveyError> {
    if polls.is_empty() {
        return Err(SurveyError::EmptySample);
    }
    let mut w = Vec::new();
    let mut ps = Vec::new();
    for poll in polls {
        let d = Design::new(poll.n, Some(poll.deff), None, confidence)?;
        let p = check_percent(poll.percent)?;
        // A poll at 0% or 100% would get infinite weight: use the variance at 0.5/n instead.
        let pv = p.clamp(0.5 / poll.n as f64, 1.0 - 0.5 / poll.n as f64);
        w.push(d.effective_n() / (pv * (1.0 - pv)));
        ps.push(p);
    }
    let sw: f64 = w.iter().sum();
    let est: f64 = w.iter().zip(&ps).map(|(w, p)| w * p).sum::<f64>() / sw;
    let se = (1.0 / sw).sqrt();
    let z = normal_two_sided_quantile(confidence);
    let q: f64 = w.iter().zip(&ps).map(|(w, p)| w * (p - est).powi(2)).sum();
    let df = (polls.len() - 1) as f64;
    Ok(Aggregate {
        polls: polls.len(),
        percent: 100.0 * est,
        standard_error: 100.0 * se,
        interval: [100.0 * (est - z * se).max(0.0), 100.0 * (est + z * se).min(1.0)],
        effective_n: polls.iter().map(|p| p.n as f64 / p.deff).sum(),
        q,
        q_p_value: if df > 0.0 { chi2_sf(q, df) } else { 1.0 },
        i2: if q > df && q > 0.0 { 100.0 * (q - df) / q } else { 0.0 },
        weights: w.iter().map(|x| 100.0 * x / sw).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srs_margin_of_a_1200_poll() {
        // 50% of 1,200 at 95%: 1.96 * sqrt(0.25/1200) = 2.83 points (the textbook ±2.8).
        let d = Design::new(1200, None, None, 0.95).expect("design");
        let m = margin(50.0, d).expect("margin");
        assert!((m.margin - 2.829).abs() < 0.001, "{}", m.margin);
    }

    #[test]
    fn clustered_design_effect() {
        // 1,200 respondents in 100 clusters of 12, icc 0.05: deff = 1 + 11 * 0.05 = 1.55.
        let d = Design::new(1200, None, Some((100, 0.05)), 0.95).expect("design");
        assert!((d.deff - 1.55).abs() < 1e-12);
        let m = margin(50.0, d).expect("margin");
        assert!((m.margin - 2.829 * 1.55f64.sqrt()).abs() < 0.002);
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(Design::new(0, None, None, 0.95), Err(SurveyError::EmptySample));
        assert!(Design::new(10, Some(0.5), None, 0.95).is_err());
        let d = Design::new(10, None, None, 0.95).expect("design");
        assert_eq!(margin(101.0, d), Err(SurveyError::BadPercent(101.0)));
    }

    #[test]
    fn aggregation_of_identical_polls_adds_their_samples() {
        let p = |n| Poll { name: "a".into(), n, percent: 60.0, deff: 1.0 };
        let a = aggregate(&[p(1000), p(1000)], 0.95).expect("pooled");
        let one = margin(60.0, Design::new(2000, None, None, 0.95).expect("d")).expect("m");
        assert!((a.standard_error - one.standard_error).abs() < 1e-9);
        assert!(a.q.abs() < 1e-12 && a.i2 == 0.0);
    }
}
