//! Batch-comparison risk-limiting audits with MACRO, the maximum across-assertion relative
//! overstatement (P. B. Stark, "Efficient Post-Election Audits of Multiple Contests: 2009
//! California Tests", CELS 2009; "A Sharper Discrepancy Measure for Post-Election Audits",
//! Ann. Appl. Stat. 2(3), 2008), sampling batches with probability proportional to their error
//! bound (PPEB: J. A. Aslam, R. A. Popa, R. L. Rivest, EVT 2008; P. B. Stark, "Risk-limiting
//! post-election audits: P-values from common probability inequalities", IEEE TIFS 2009), as
//! Arlo does it (`server/audit_math/macro.py`): the same error bounds, taint, Kaplan–Markov
//! risk, first-round and next-round sample sizes (+1 batch), negative errors counted as zero,
//! and escalation to a full hand count. Here a batch is one polling-station protocol and the
//! overstatement is measured on every assertion of [`crate::assertions`] (so thresholds and Hare
//! seats are audited, not only pairwise margins).
//!
//! For assertion k with reported margin `V_k = Σ_p G_kp` and a batch p of `b_p` ballots:
//! - the error bound `u_p = max_k (G_kp − b_p·g_min,k) / V_k` (the most the batch could
//!   overstate the margin if every ballot in it really scored g_min);
//! - the relative overstatement found by the hand count `e_p = max_k (G_kp − H_kp) / V_k`
//!   (0 when negative), the taint `t_p = e_p / u_p ≤ 1`;
//! - after draws with taints t_1…t_n, the risk `Π (1 − 1/U)/(1 − t_i)`, `U = Σ_p u_p`.
//!
//! The draws are reproducible from the public seed: draw k (1, 2, …) takes Rivest's ticket
//! number of the id `k`, `x_k = sha256_uniform(sha256_hex(seed) + str(k))`
//! ([`crate::sampler::first_fraction`]), and picks the first batch p in manifest order whose
//! cumulative error bound exceeds `x_k·U`, compared exactly (big integers, no rounding).

use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::units::{UnitIdx, UnitTree};
use num_bigint::BigUint;
use num_traits::{One, Zero};

use crate::assertions::{ballots_in, protocol_rows, AssertionMargin};
use crate::sampler::{first_fraction_with_hash, sha256_hex};

/// An exact non-negative fraction `num/den` (den > 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator.
    pub num: i128,
    /// Denominator, > 0.
    pub den: i128,
}

impl Fraction {
    /// `a/b < c/d`, exactly.
    fn lt(&self, other: &Fraction) -> bool {
        self.num * other.den < other.num * self.den
    }

    /// As a float (for statistics).
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// `num/den` in lowest terms, as text.
    pub fn text(self) -> String {
        let g = gcd(self.num.unsigned_abs(), self.den.unsigned_abs()).max(1) as i128;
        if self.den / g == 1 {
            format!("{}", self.num / g)
        } else {
            format!("{}/{}", self.num / g, self.den / g)
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// One batch (polling-station protocol) as reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The station's unit id.
    pub id: String,
    /// Its unit index in the tree.
    pub unit: UnitIdx,
    /// Ballots in it ([`ballots_in`]); a hand count may not find more.
    pub ballots: u64,
    /// `G_kp` per assertion (0 for an assertion whose unit does not contain the batch).
    pub values: Vec<i128>,
    /// Whether the batch lies in assertion k's unit.
    pub within: Vec<bool>,
    /// The error bound `u_p`.
    pub error_bound: Fraction,
    /// Reported votes per option.
    pub options: Vec<u64>,
}

/// Why a MACRO audit cannot be set up or evaluated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MacroError {
    /// No assertions.
    #[error("there are no assertions to audit")]
    NoAssertions,
    /// A protocol lacks a line the assertions need.
    #[error("the protocol of {0} lacks a line the assertions need (an option's votes or ballots issued)")]
    UnknownLine(String),
    /// The risk limit is out of range.
    #[error("the risk limit must be more than 0% and less than 100%, not {0}%")]
    RiskLimit(f64),
    /// A draw names a batch that does not exist.
    #[error("draw {0} names no batch")]
    NoSuchDraw(usize),
    /// An intermediate product left 128 bits.
    #[error("the counts are too large for exact arithmetic")]
    Overflow,
}

/// A MACRO audit of a set of assertions over the protocols of one contest.
#[derive(Clone, Debug)]
pub struct MacroAudit {
    /// `V_k` per assertion.
    pub margins: Vec<i128>,
    /// `g_min` per assertion.
    pub g_min: Vec<i128>,
    /// The batches, in manifest order (tree order).
    pub batches: Vec<Batch>,
    /// `U = Σ u_p` (as a float: a statistic).
    pub total_error_bound: f64,
    /// Set when an assertion has no positive margin: only a full hand count can decide.
    pub full_hand_count_required: Option<String>,
    /// Assertion texts, for messages.
    pub texts: Vec<String>,
    /// Per assertion, the coefficients and per-ballot term (to evaluate hand counts).
    forms: Vec<(i128, Vec<i128>)>,
    n_options: usize,
}

/// Value of an assertion's linear form on a row.
fn form_value(per_ballot: i128, coefficients: &[i128], row: &[Option<u64>]) -> Option<i128> {
    let mut g: i128 = 0;
    for (j, &c) in coefficients.iter().enumerate() {
        if c != 0 {
            let v = row.get(ashyq_core::line::Line::Option(j).column()).copied().flatten()?;
            g += c * i128::from(v);
        }
    }
    if per_ballot != 0 {
        let col = ashyq_core::line::ProtocolLine::BallotsIssued.column();
        g += per_ballot * i128::from(row.get(col).copied().flatten()?);
    }
    Some(g)
}

/// What to do after a round.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// The risk is at most the limit: the reported outcome stands.
    Confirmed,
    /// Draw this many more batches (Arlo's estimate, +1 for small discrepancies).
    MoreDraws(u64),
    /// Count every ballot by hand; the hand count decides (the reason in a sentence).
    FullHandCount(String),
}

/// One sampled draw, evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawResult {
    /// The draw number (1-based).
    pub draw: usize,
    /// Batch index.
    pub batch: usize,
    /// The largest relative overstatement `e_p` (0 when the hand count favours the outcome).
    pub overstatement: f64,
    /// `t_p = e_p / u_p`.
    pub taint: f64,
    /// The assertion with the largest relative overstatement, if any error was found.
    pub worst_assertion: Option<usize>,
    /// Net change of every option line, hand − reported (for the report).
    pub differences: Vec<(usize, i64)>,
}

/// The audit after the hand counts of the draws so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Measured risk (p-value), capped at 1.
    pub risk: f64,
    /// Per draw.
    pub draws: Vec<DrawResult>,
    /// Distinct batches counted.
    pub distinct_batches: usize,
    /// What next.
    pub next: Next,
}

impl MacroAudit {
    /// Sets up the audit of `assertions` (all of one contest) over the contest's protocols.
    pub fn new(
        assertions: &[AssertionMargin],
        tree: &UnitTree,
        counts: &ContestCounts,
        territory: UnitIdx,
        n_options: usize,
    ) -> Result<MacroAudit, MacroError> {
        if assertions.is_empty() {
            return Err(MacroError::NoAssertions);
        }
        let forms: Vec<(i128, Vec<i128>)> = assertions
            .iter()
            .map(|a| (a.assertion.per_ballot, a.assertion.coefficients.clone()))
            .collect();
        let g_min: Vec<i128> = assertions.iter().map(|a| a.assertion.g_min()).collect();
        let texts: Vec<String> = assertions.iter().map(|a| a.assertion.text.clone()).collect();
        let mut batches = Vec::new();
        let mut margins = vec![0i128; assertions.len()];
        for (unit, row) in protocol_rows(tree, counts, territory) {
            let id = tree.unit(unit).id.as_str().to_owned();
            let ballots =
                ballots_in(row, n_options).ok_or_else(|| MacroError::UnknownLine(id.clone()))?;
            let mut values = Vec::with_capacity(assertions.len());
            let mut within = Vec::with_capacity(assertions.len());
            for (k, a) in assertions.iter().enumerate() {
                let inside = tree.is_within(unit, a.assertion.unit);
                let g = if inside {
                    form_value(forms[k].0, &forms[k].1, row)
                        .ok_or_else(|| MacroError::UnknownLine(id.clone()))?
                } else {
                    0
                };
                margins[k] += g;
                values.push(g);
                within.push(inside);
            }
            let options = (0..n_options)
                .map(|j| {
                    row.get(ashyq_core::line::Line::Option(j).column())
                        .copied()
                        .flatten()
                        .unwrap_or(0)
                })
                .collect();
            batches.push(Batch {
                id,
                unit,
                ballots,
                values,
                within,
                error_bound: Fraction { num: 0, den: 1 },
                options,
            });
        }
        let mut full = None;
        for (k, &v) in margins.iter().enumerate() {
            if v <= 0 && full.is_none() {
                full = Some(format!(
                    "the assertion \"{}\" has no positive margin in the protocols (a tie or a reversal): only a full hand count can decide",
                    texts[k]
                ));
            }
        }
        let mut total = 0.0;
        for b in &mut batches {
            let mut best = Fraction { num: 0, den: 1 };
            for k in 0..margins.len() {
                if !b.within[k] || margins[k] <= 0 {
                    continue;
                }
                let bound = b.values[k]
                    .checked_sub(
                        i128::from(b.ballots).checked_mul(g_min[k]).ok_or(MacroError::Overflow)?,
                    )
                    .ok_or(MacroError::Overflow)?;
                let f = Fraction { num: bound.max(0), den: margins[k] };
                if best.lt(&f) {
                    best = f;
                }
            }
            b.error_bound = best;
            total += best.to_f64();
        }
        Ok(MacroAudit {
            margins,
            g_min,
            batches,
            total_error_bound: total,
            full_hand_count_required: full,
            texts,
            forms,
            n_options,
        })
    }

    fn log_step(&self) -> f64 {
        (1.0 - 1.0 / self.total_error_bound).ln()
    }

    /// Batches that can be drawn (a positive error bound).
    pub fn drawable(&self) -> usize {
        self.batches.iter().filter(|b| b.error_bound.num > 0).count()
    }

    /// First-round number of draws expected to confirm the outcome if the hand counts match
    /// (Arlo: ⌈ln α / ln(1 − 1/U)⌉ + 1), capped at the number of batches.
    pub fn initial_draws(&self, alpha: f64) -> Result<u64, MacroError> {
        self.draws_for(alpha, 1.0)
    }

    fn draws_for(&self, alpha: f64, risk: f64) -> Result<u64, MacroError> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(MacroError::RiskLimit(alpha * 100.0));
        }
        let n_batches = self.batches.len() as u64;
        if self.full_hand_count_required.is_some() || self.total_error_bound <= 1.0 {
            return Ok(n_batches);
        }
        let est = (alpha.ln() - risk.ln()) / self.log_step();
        if !est.is_finite() {
            return Ok(n_batches);
        }
        Ok(((est.ceil().max(0.0) as u64) + 1).min(n_batches))
    }

    /// The batch indices of draws `from+1 ..= from+count` (PPEB with replacement, see the
    /// module documentation).
    pub fn draws(&self, seed: &str, from: usize, count: usize) -> Vec<usize> {
        let bounds: Vec<Fraction> = self.batches.iter().map(|b| b.error_bound).collect();
        ppeb_draws(&bounds, seed, from, count)
    }

    /// Evaluates the hand counts of the draws so far (`draws[i]` = batch of draw i+1;
    /// `hand(batch)` = that station's hand-count protocol, entered through the protocol checks).
    /// A batch drawn but not yet hand-counted makes the audit incomplete: it is reported as an
    /// error by the caller before evaluation.
    pub fn evaluate(
        &self,
        alpha: f64,
        draws: &[usize],
        hand: &dyn Fn(usize) -> Option<Row>,
    ) -> Result<Evaluation, MacroError> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(MacroError::RiskLimit(alpha * 100.0));
        }
        let mut risk = 1.0f64;
        let mut results = Vec::with_capacity(draws.len());
        let mut distinct = std::collections::BTreeSet::new();
        let mut escalate: Option<String> = self.full_hand_count_required.clone();
        let step = 1.0 - 1.0 / self.total_error_bound;
        for (i, &p) in draws.iter().enumerate() {
            let b = self.batches.get(p).ok_or(MacroError::NoSuchDraw(i + 1))?;
            distinct.insert(p);
            let Some(row) = hand(p) else {
                return Err(MacroError::UnknownLine(b.id.clone()));
            };
            let found = ballots_in(&row, self.n_options)
                .ok_or_else(|| MacroError::UnknownLine(b.id.clone()))?;
            if found > b.ballots && escalate.is_none() {
                escalate = Some(format!(
                    "the hand count of {} has {found} ballots, more than the {} its protocol accounts for: the batch's error bound does not hold",
                    b.id, b.ballots
                ));
            }
            let mut worst: Option<(Fraction, usize)> = None;
            for k in 0..self.margins.len() {
                if !b.within[k] || self.margins[k] <= 0 {
                    continue;
                }
                let (beta, coefs) = &self.forms[k];
                let h = form_value(*beta, coefs, &row)
                    .ok_or_else(|| MacroError::UnknownLine(b.id.clone()))?;
                let e = Fraction { num: b.values[k] - h, den: self.margins[k] };
                if worst.as_ref().is_none_or(|(w, _)| w.lt(&e)) {
                    worst = Some((e, k));
                }
            }
            let (e, worst_k) = match worst {
                Some((e, k)) if e.num > 0 => (e, Some(k)),
                _ => (Fraction { num: 0, den: 1 }, None),
            };
            let u = b.error_bound;
            let taint = if u.num == 0 {
                0.0
            } else {
                (e.num as f64 * u.den as f64) / (e.den as f64 * u.num as f64)
            };
            if taint >= 1.0 {
                risk = f64::INFINITY;
                if escalate.is_none() {
                    escalate = Some(format!(
                        "the hand count of {} overstates the margin of \"{}\" by as much as the batch possibly could (taint 1): no sample can confirm the outcome any more",
                        b.id,
                        worst_k.map_or("", |k| self.texts[k].as_str())
                    ));
                }
            } else {
                risk *= step / (1.0 - taint);
            }
            let differences = (0..self.n_options)
                .filter_map(|j| {
                    let col = ashyq_core::line::Line::Option(j).column();
                    let h = row.get(col).copied().flatten()? as i64;
                    let d = h - b.options[j] as i64;
                    (d != 0).then_some((j, d))
                })
                .collect();
            results.push(DrawResult {
                draw: i + 1,
                batch: p,
                overstatement: e.to_f64(),
                taint,
                worst_assertion: worst_k,
                differences,
            });
        }
        let risk = if risk.is_nan() { 1.0 } else { risk.min(1.0) };
        let next = if let Some(reason) = escalate {
            Next::FullHandCount(reason)
        } else if risk <= alpha {
            Next::Confirmed
        } else {
            let n = self.draws_for(alpha, risk)?;
            if draws.len() as u64 + n >= self.batches.len() as u64 {
                Next::FullHandCount(format!(
                    "the measured risk {risk:.4} is above the limit and another {n} draws would reach the {} batches: count them all",
                    self.batches.len()
                ))
            } else {
                Next::MoreDraws(n)
            }
        };
        Ok(Evaluation { risk, draws: results, distinct_batches: distinct.len(), next })
    }
}

/// PPEB draws `from+1 ..= from+count` over batches with error bounds `bounds` (manifest order):
/// draw k takes x_k = Rivest's `first_fraction(str(k), seed)` and the first batch whose
/// cumulative bound exceeds x_k·U, compared exactly. Empty when every bound is 0.
pub fn ppeb_draws(bounds: &[Fraction], seed: &str, from: usize, count: usize) -> Vec<usize> {
    let mut lcm = BigUint::one();
    for f in bounds.iter().filter(|f| f.num > 0) {
        let d = BigUint::from(f.den.unsigned_abs());
        let g = gcd_big(&lcm, &d);
        lcm = &lcm / &g * &d;
    }
    let mut cum: Vec<BigUint> = Vec::with_capacity(bounds.len());
    let mut acc = BigUint::zero();
    for f in bounds {
        if f.num > 0 {
            acc +=
                BigUint::from(f.num.unsigned_abs()) * (&lcm / BigUint::from(f.den.unsigned_abs()));
        }
        cum.push(acc.clone());
    }
    let total = acc;
    if total.is_zero() {
        return Vec::new();
    }
    let seed_hash = sha256_hex(seed);
    (from + 1..=from + count)
        .map(|k| {
            let x = first_fraction_with_hash(&k.to_string(), &seed_hash);
            let digits = &x[2..];
            let d = BigUint::parse_bytes(digits.as_bytes(), 10).unwrap_or_default();
            let scale = BigUint::from(10u32).pow(digits.len() as u32);
            // The first p with x·W < cum_p, i.e. d·W < 10^L·cum_p.
            let target = &d * &total;
            cum.partition_point(|c| c * &scale <= target).min(bounds.len() - 1)
        })
        .collect()
}

/// Parses a fraction written by [`Fraction::text`] (`7`, `3/40`).
pub fn parse_fraction(s: &str) -> Option<Fraction> {
    let (n, d) = match s.split_once('/') {
        Some((n, d)) => (n.trim().parse().ok()?, d.trim().parse().ok()?),
        None => (s.trim().parse().ok()?, 1),
    };
    (d > 0 && n >= 0).then_some(Fraction { num: n, den: d })
}

fn gcd_big(a: &BigUint, b: &BigUint) -> BigUint {
    let (mut a, mut b) = (a.clone(), b.clone());
    while !b.is_zero() {
        let r = &a % &b;
        a = b;
        b = r;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ppeb_draws_in_proportion_to_the_error_bounds() {
        let f = |num, den| Fraction { num, den };
        let bounds = [f(1, 2), f(0, 1), f(1, 4), f(3, 12)];
        let draws = ppeb_draws(&bounds, "dice 31415", 0, 8000);
        let mut n = [0usize; 4];
        for d in &draws {
            n[*d] += 1;
        }
        assert_eq!(n[1], 0, "a batch that cannot overstate is never drawn");
        assert!((3800..4200).contains(&n[0]), "{n:?}");
        assert!((1800..2200).contains(&n[2]) && (1800..2200).contains(&n[3]), "{n:?}");
        // Reproducible and consistent: later draws do not change earlier ones.
        assert_eq!(ppeb_draws(&bounds, "dice 31415", 0, 10), draws[..10]);
        assert_eq!(ppeb_draws(&bounds, "dice 31415", 5, 5), draws[5..10]);
        assert!(ppeb_draws(&[f(0, 1)], "x", 0, 3).is_empty());
        assert_eq!(parse_fraction("3/40"), Some(f(3, 40)));
        assert_eq!(f(6, 80).text(), "3/40");
        assert_eq!(parse_fraction("-1/2"), None);
    }
}
