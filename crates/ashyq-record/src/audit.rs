//! Risk-limiting audits kept in the record. The maths is `ashyq_audit` (MACRO batch comparison
//! with a polling-station protocol as the batch, the assertions on Kazakhstan's legal base,
//! Rivest's sampler, the commitment bundle); this module fixes what the record commits to, so
//! that the store writes it and [`crate::verify`] recomputes exactly the same bytes from the log:
//!
//! - the bundle of an audit of one contest is a function of the definition, the official
//!   protocols among the log's first `size` entries (the checkpoint it commits to), the risk
//!   limit and the first-round size: [`build`];
//! - hand counts go through the same protocol checks as any station's protocol ([`hand_count_row`]);
//! - the evaluation is a function of the bundle, the seed, the number of draws and the hand
//!   counts ([`evaluate`]).
//!
//! The audit changes nothing official: it is a set of `audit` leaves beside the protocols.

use std::collections::BTreeMap;

use ashyq_audit::assertions::{contest_assertions, AssertionMargin};
use ashyq_audit::bundle::{assertions_csv, make_bundle, manifest_csv, Bundle, COMMITMENT};
use ashyq_audit::macro_audit::{Evaluation, MacroAudit, Next};
use ashyq_core::checks::{check_protocol, PlausibilityLimits, ProtocolContext, Severity};
use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::election::Contest;
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitIdx;
use sha2::{Digest, Sha256};

use crate::certify::{self, Definition};
use crate::note::Checkpoint;

/// The only method the record keeps: MACRO batch comparison over polling-station protocols.
pub const METHOD: &str = "macro";
/// `result` of an audit that confirmed the reported outcome.
pub const CONFIRMED: &str = "confirmed";
/// `result` of an audit that escalated to a full hand count.
pub const FULL_HAND_COUNT: &str = "full_hand_count";

/// The risk limit as a fraction from decimal percent text in (0, 100).
pub fn alpha(risk_limit_percent: &str) -> Result<f64, String> {
    let p: f64 = risk_limit_percent.trim().parse().map_err(|_| {
        format!(
            "the risk limit \"{}\" is not a number of percent",
            crate::quote(risk_limit_percent)
        )
    })?;
    if !(p.is_finite() && p > 0.0 && p < 100.0) {
        return Err(format!(
            "the risk limit must be more than 0% and less than 100%, not {risk_limit_percent}%"
        ));
    }
    Ok(p / 100.0)
}

/// A percentage as text: at most six decimals, no trailing zeros (`5`, `2.5`).
pub fn percent_text(p: f64) -> String {
    let s = format!("{p:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The measured risk as the record keeps it (Rust's shortest round-trip form of the `f64`).
pub fn risk_text(risk: f64) -> String {
    format!("{risk}")
}

/// `parameters.toml` of an audit of the record.
pub fn parameters_toml(
    election: &str,
    contest: &str,
    risk_limit_percent: &str,
    first_round_draws: u64,
    checkpoint_size: u64,
) -> String {
    format!(
        "# Ashyq audit parameters (committed before the seed is drawn)\nelection = \"{election}\"\ncontest = \"{contest}\"\nmethod = \"{METHOD}\"\nrisk_limit_percent = \"{risk_limit_percent}\"\nfirst_round_draws = \"{first_round_draws}\"\nrecord_checkpoint_size = \"{checkpoint_size}\"\ncounts = \"the latest version of every official protocol among the record's first {checkpoint_size} log entries\"\nsampler = \"PPEB with replacement: draw k takes Rivest's first_fraction(str(k), seed) over the cumulative error bounds of manifest.csv, in its order\"\n"
    )
}

/// The checkpoint a bundle commits to: the body of its text (a signed note or a plain
/// checkpoint body).
pub fn checkpoint_of(text: &str) -> Result<Checkpoint, String> {
    let body = text.split("\n\n").next().unwrap_or_default();
    Checkpoint::parse_body(body).map_err(|e| e.to_string())
}

/// The official counts as of the log's first `size` entries: the latest version of every
/// protocol among them.
pub fn counts_at<'a>(
    def: &Definition,
    protocols: impl IntoIterator<Item = (&'a crate::leaf::ProtocolLeaf, crate::merkle::Hash)>,
) -> Result<Vec<ContestCounts>, String> {
    let latest = certify::latest(def, protocols)?;
    certify::counts(def, &latest)
}

/// An audit of a contest committed to a checkpoint.
#[derive(Clone, Debug)]
pub struct Committed {
    /// The bundle (its four files, the commitment, the digest).
    pub bundle: Bundle,
    /// The MACRO audit over the committed protocols.
    pub audit: MacroAudit,
    /// The assertions, with their margins.
    pub margins: Vec<AssertionMargin>,
    /// Draws of the first round.
    pub first_round_draws: u64,
}

impl Committed {
    /// (file name, SHA-256) of the five bundle files in commitment order, `commitment.txt` last.
    pub fn file_digests(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .bundle
            .files
            .iter()
            .map(|(n, t)| ((*n).to_owned(), hex::encode(Sha256::digest(t.as_bytes()))))
            .collect();
        out.push((COMMITMENT.to_owned(), self.bundle.digest.clone()));
        out
    }
}

/// Builds the audit of `contest` over `counts` (the official protocols at the checkpoint), and
/// its bundle: the checkpoint text as given, the manifest, the assertions, the parameters.
/// `first_round_draws`: the committed first-round size, or `None` to compute it (MACRO's
/// estimate at the risk limit).
pub fn build(
    def: &Definition,
    counts: &[ContestCounts],
    contest: usize,
    risk_limit_percent: &str,
    first_round_draws: Option<u64>,
    checkpoint: &str,
    checkpoint_size: u64,
) -> Result<Committed, String> {
    let a = alpha(risk_limit_percent)?;
    let margins =
        contest_assertions(&def.election, &def.tree, counts, contest).map_err(|e| e.to_string())?;
    let c = &def.election.contests()[contest];
    let audit =
        MacroAudit::new(&margins, &def.tree, &counts[contest], c.territory(), c.options().len())
            .map_err(|e| e.to_string())?;
    let n0 = match first_round_draws {
        Some(n) => n,
        None => audit.initial_draws(a).map_err(|e| e.to_string())?,
    };
    let option_ids: Vec<String> = c.options().iter().map(|o| o.id.as_str().to_owned()).collect();
    let unit_id = |u: usize| def.tree.unit(u).id.as_str().to_owned();
    let bundle = make_bundle(
        checkpoint,
        &manifest_csv(&audit),
        &assertions_csv(&margins, &option_ids, &unit_id),
        &parameters_toml(
            def.election.id().as_str(),
            c.id().as_str(),
            risk_limit_percent,
            n0,
            checkpoint_size,
        ),
    );
    Ok(Committed { bundle, audit, margins, first_round_draws: n0 })
}

/// The lines a hand count must carry: what counting the ballots gives (every option, invalid
/// ballots, and ballots issued, on which a ballot-based assertion rests). Registered voters,
/// absentee certificates and the mobile box are paperwork, not ballots: optional.
pub fn hand_count_lines(contest: &Contest) -> Vec<Line> {
    let mut lines =
        vec![Line::Protocol(ProtocolLine::BallotsIssued), Line::Protocol(ProtocolLine::Invalid)];
    lines.extend((0..contest.options().len()).map(Line::Option));
    lines
}

/// A hand count's protocol row: the lines of the contest (at least [`hand_count_lines`]), which
/// must pass the arithmetic checks of any station's protocol (law reference §8.2; plausibility
/// warnings do not apply to a count made by hand). `Err` names the problem.
pub fn hand_count_row(contest: &Contest, lines: &[(String, u64)]) -> Result<Row, String> {
    let row = certify::lines_row(contest, lines)?;
    let missing: Vec<String> = hand_count_lines(contest)
        .into_iter()
        .filter(|l| row[l.column()].is_none())
        .map(|l| certify::line_name(contest, l.column()))
        .collect();
    if !missing.is_empty() {
        return Err(format!("the hand count lacks {}", missing.join(", ")));
    }
    let ctx = ProtocolContext::station(PlausibilityLimits::default());
    let errors: Vec<String> = check_protocol(contest, &row, &ctx)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("check {}: {}", f.code, f.message))
        .collect();
    if !errors.is_empty() {
        return Err(format!("the hand count fails {}", errors.join("; ")));
    }
    Ok(row)
}

/// The stations (unit indexes) of draws 1 ..= `total`, in draw order (with repeats).
pub fn drawn_units(audit: &MacroAudit, seed: &str, total: u64) -> Vec<UnitIdx> {
    audit
        .draws(seed, 0, usize::try_from(total).unwrap_or(usize::MAX))
        .into_iter()
        .map(|b| audit.batches[b].unit)
        .collect()
}

/// Evaluates the hand counts of draws 1 ..= `total`. `Err` lists the drawn stations that have
/// no hand count yet (or why the maths refused).
pub fn evaluate(
    audit: &MacroAudit,
    alpha: f64,
    seed: &str,
    total: u64,
    hand: &BTreeMap<UnitIdx, Row>,
) -> Result<Evaluation, String> {
    let draws = audit.draws(seed, 0, usize::try_from(total).unwrap_or(usize::MAX));
    let mut pending: Vec<&str> = Vec::new();
    for &b in &draws {
        let id = audit.batches[b].id.as_str();
        if !hand.contains_key(&audit.batches[b].unit) && !pending.contains(&id) {
            pending.push(id);
        }
    }
    if !pending.is_empty() {
        return Err(format!(
            "{} drawn station(s) have no hand count yet: {}",
            pending.len(),
            pending.join(", ")
        ));
    }
    audit
        .evaluate(alpha, &draws, &|b| hand.get(&audit.batches[b].unit).cloned())
        .map_err(|e| e.to_string())
}

/// The `result` a closed audit records for an evaluation, or `None` while it asks for more
/// draws.
pub fn result_of(next: &Next) -> Option<&'static str> {
    match next {
        Next::Confirmed => Some(CONFIRMED),
        Next::FullHandCount(_) => Some(FULL_HAND_COUNT),
        Next::MoreDraws(_) => None,
    }
}
