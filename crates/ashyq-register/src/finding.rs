//! A rule's verdict on a registration document: which rule, its legal source, and a sentence
//! with the numbers.

use std::fmt;

use serde::Serialize;

/// Whether a rule failed or could not be decided (JSON: `fails`, `undetermined`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verdict {
    /// The rule is not met.
    Fails,
    /// The rule cannot be decided: the law gives no test (marked `\[?\]` in the digest) or the
    /// document does not give what the rule needs.
    Undetermined,
}

/// One rule that is not met, or not decidable. JSON: `{"code","verdict","source","message"}`,
/// the keys `ashyq party …`/`ashyq candidate … --format json` print and the API returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// The verdict on a document: `{"ok","findings"}`, `ok` false when any finding fails (an
/// undetermined rule alone leaves it true). The JSON of `--format json` and of the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Findings {
    /// No rule fails.
    pub ok: bool,
    /// Every rule that fails or cannot be decided, in the order the checks run.
    pub findings: Vec<Finding>,
}

impl From<Vec<Finding>> for Findings {
    fn from(findings: Vec<Finding>) -> Findings {
        Findings { ok: !any_fails(&findings), findings }
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
