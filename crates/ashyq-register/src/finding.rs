//! A rule's verdict on a registration document: which rule, its legal source, and a sentence
//! with the numbers.

use std::fmt;

/// Whether a rule failed or could not be decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// The rule is not met.
    Fails,
    /// The rule cannot be decided: the law gives no test (marked `\[?\]` in the digest) or the
    /// document does not give what the rule needs.
    Undetermined,
}

/// One rule that is not met, or not decidable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Rule code (`P1`, `L3`, `C-president-age`, …).
    pub code: &'static str,
    /// Failed or undetermined.
    pub verdict: Verdict,
    /// The legal source and the digest's confidence, e.g. "law digest §7 \[S32\]\[S31\] (H)".
    pub source: &'static str,
    /// A sentence with the numbers.
    pub message: String,
}

impl Finding {
    pub(crate) fn fails(code: &'static str, source: &'static str, message: String) -> Finding {
        Finding { code, verdict: Verdict::Fails, source, message }
    }
    pub(crate) fn undetermined(
        code: &'static str,
        source: &'static str,
        message: String,
    ) -> Finding {
        Finding { code, verdict: Verdict::Undetermined, source, message }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = match self.verdict {
            Verdict::Fails => "fails",
            Verdict::Undetermined => "undetermined",
        };
        write!(f, "{} {v}: {} ({})", self.code, self.message, self.source)
    }
}

/// True when any finding is a failure.
pub fn any_fails(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.verdict == Verdict::Fails)
}

/// `⌈a × num / den⌉` in integers.
pub(crate) fn ceil_mul_div(a: u64, num: u64, den: u64) -> u64 {
    let p = u128::from(a) * u128::from(num);
    let d = u128::from(den);
    u64::try_from(p.div_ceil(d)).unwrap_or(u64::MAX)
}
