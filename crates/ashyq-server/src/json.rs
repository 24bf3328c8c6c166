//! The API's JSON documents, rendered from a live snapshot. Field names are a contract.

use ashyq_core::counts::Totals;
use ashyq_core::election::{Contest, ContestKind};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitIdx;
use serde::Serialize;
use utoipa::ToSchema;

use ashyq_store::{Store, StoreError};
use base64::Engine as _;

use crate::live::Snapshot;

/// A unit, as documents name it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitRef {
    /// Unit id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind (country, region, district, station …).
    pub kind: String,
}

/// One line of a protocol or of a sum.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LineValue {
    /// Protocol line or option id.
    pub line: String,
    /// The value; `null` when unknown (some protocol below lacks the line).
    pub value: Option<u64>,
}

/// An option's share on the legal base.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Share {
    /// Option id.
    pub option: String,
    /// Option name.
    pub name: String,
    /// Votes; `null` when unknown.
    pub votes: Option<u64>,
    /// Percent of the base (display only, rounded to 2 places; decisions use exact counts).
    pub percent: Option<f64>,
}

/// A contest's totals at one unit.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnitResult {
    /// The unit.
    pub unit: UnitRef,
    /// Polling stations below the unit.
    pub stations: u64,
    /// Protocols expected and received below the unit, at the level the record reports.
    pub protocols_expected: u64,
    /// Protocols received.
    pub protocols_reported: u64,
    /// Every line of the sum, in protocol order.
    pub lines: Vec<LineValue>,
    /// What the shares divide by: `valid votes (candidates or parties + against all)` (law
    /// reference §0.2) or, for a referendum, `took part (ballots issued)` (§0.3).
    pub base: String,
    /// Each option's share.
    pub shares: Vec<Share>,
    /// Ballots issued / registered, percent (display only).
    pub turnout: Option<f64>,
    /// Log size at which these totals last changed.
    pub changed_at: u64,
}

/// A contest, as documents name it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContestRef {
    /// Contest id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Territory unit id.
    pub territory: String,
}

/// A contest's results at the units asked for.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContestResults {
    /// The contest.
    pub contest: ContestRef,
    /// Units with totals.
    pub units: Vec<UnitResult>,
}

/// `GET …/results`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Results {
    /// Election id.
    pub election: String,
    /// The log size these results reflect.
    pub tree_size: u64,
    /// The log's root at that size, hex.
    pub root_hash: String,
    /// The latest signed checkpoint's size.
    pub signed_size: u64,
    /// With `?since=N`: N (only units whose totals changed after it are listed).
    pub since: Option<u64>,
    /// One entry per contest asked for.
    pub contests: Vec<ContestResults>,
}

pub(crate) fn unit_ref(s: &Snapshot, u: UnitIdx) -> UnitRef {
    let unit = s.tree.unit(u);
    UnitRef { id: unit.id.to_string(), name: unit.name.clone(), kind: unit.kind.clone() }
}

pub(crate) fn contest_ref(s: &Snapshot, c: usize) -> ContestRef {
    let contest = &s.election.contests()[c];
    ContestRef {
        id: contest.id().to_string(),
        name: contest.name().to_owned(),
        kind: contest.kind().name().to_owned(),
        territory: s.tree.unit(contest.territory()).id.to_string(),
    }
}

fn percent(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| (a as f64 * 10_000.0 / b as f64).round() / 100.0)
}

fn line_name(contest: &Contest, col: usize) -> String {
    match Line::from_column(col) {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => contest.options()[i].id.to_string(),
    }
}

/// The results document of a contest at a unit; `None` when nothing below it reported.
pub(crate) fn unit_result(s: &Snapshot, c: usize, u: UnitIdx) -> Option<UnitResult> {
    let contest = &s.election.contests()[c];
    let t: &Totals = s.totals(c, u)?;
    let lines = (0..t.values.len())
        .map(|col| LineValue { line: line_name(contest, col), value: t.values[col] })
        .collect();
    let n = contest.options().len();
    let votes: Vec<Option<u64>> = (0..n).map(|i| t.option(i)).collect();
    let (base_name, base) = if contest.kind() == ContestKind::Referendum {
        ("took part (ballots issued)", t.line(ProtocolLine::BallotsIssued))
    } else {
        (
            "valid votes (candidates or parties + against all)",
            votes.iter().copied().sum::<Option<u64>>(),
        )
    };
    let shares = contest
        .options()
        .iter()
        .zip(&votes)
        .map(|(o, v)| Share {
            option: o.id.to_string(),
            name: o.name.clone(),
            votes: *v,
            percent: v.zip(base).and_then(|(v, b)| percent(v, b)),
        })
        .collect();
    let progress = s.progress(c, u);
    Some(UnitResult {
        unit: unit_ref(s, u),
        stations: s.stations[u],
        protocols_expected: progress.expected,
        protocols_reported: progress.reported,
        lines,
        base: base_name.to_owned(),
        shares,
        turnout: t
            .line(ProtocolLine::BallotsIssued)
            .zip(t.line(ProtocolLine::Registered))
            .and_then(|(a, b)| percent(a, b)),
        changed_at: s.changed.get(c).and_then(|v| v.get(u)).copied().unwrap_or(0),
    })
}

/// An election as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct ElectionSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Date.
    pub date: String,
    /// Rule set.
    pub rules: String,
    /// Log size reflected.
    pub tree_size: u64,
    /// Root at that size, hex.
    pub root_hash: String,
    /// Latest signed checkpoint's size.
    pub signed_size: u64,
    /// Contests.
    pub contests: Vec<ContestRef>,
}

/// Reporting progress of a contest.
#[derive(Serialize, ToSchema)]
pub struct ProgressJson {
    /// Contest id.
    pub contest: String,
    /// Protocols expected at the level the record reports.
    pub expected: u64,
    /// Protocols received.
    pub reported: u64,
    /// Registered voters on them.
    pub registered_reported: u64,
}

/// One version of a protocol.
#[derive(Serialize, ToSchema)]
pub struct VersionJson {
    /// Version number.
    pub version: u64,
    /// Who entered it.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// Why.
    pub reason: String,
    /// Findings acknowledged or overridden.
    pub findings: Vec<String>,
    /// Its lines.
    pub lines: Vec<LineValue>,
    /// 0-based index of its leaf in the log.
    pub log_index: u64,
    /// The commission's own Ed25519 signature of this version, when it signed it: anyone can
    /// check it against the lines (see docs/server.md, "Signed protocols").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureJson>,
}

/// A commission's Ed25519 signature of a protocol: its public key and the signature, both
/// standard base64 (32 and 64 bytes), over the protocol statement (`ashyq protocol sign`).
#[derive(Clone, Serialize, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureJson {
    /// The commission's Ed25519 public key, base64.
    pub key: String,
    /// The signature, base64.
    pub signature: String,
}

impl From<ashyq_store::ProtocolSignature> for SignatureJson {
    fn from(s: ashyq_store::ProtocolSignature) -> Self {
        SignatureJson { key: s.key, signature: s.signature }
    }
}

impl From<SignatureJson> for ashyq_store::ProtocolSignature {
    fn from(s: SignatureJson) -> Self {
        ashyq_store::ProtocolSignature { key: s.key, signature: s.signature }
    }
}

/// The inclusion proof of a leaf (as `ashyq log prove --format json`).
#[derive(Serialize, ToSchema)]
pub struct ProofJson {
    /// 0-based leaf index.
    pub leaf_index: u64,
    /// Tree size of the checkpoint.
    pub tree_size: u64,
    /// Base64 of the canonical leaf bytes.
    pub leaf: String,
    /// Leaf hash, hex.
    pub leaf_hash: String,
    /// Audit path (RFC 9162 §2.1.3), hex, bottom up.
    pub path: Vec<String>,
    /// Root hash, hex.
    pub root_hash: String,
    /// The signed checkpoint (C2SP signed note).
    pub checkpoint: String,
}

/// `GET …/protocols/{contest}/{unit}`.
#[derive(Serialize, ToSchema)]
pub struct ProtocolJson {
    /// Election id.
    pub election: String,
    /// Contest.
    pub contest: ContestRef,
    /// Unit.
    pub unit: UnitRef,
    /// Every version, oldest first.
    pub versions: Vec<VersionJson>,
    /// The latest version's inclusion proof against the latest signed checkpoint (`null` when the
    /// record is unsigned or no checkpoint covers it yet).
    pub proof: Option<ProofJson>,
    /// The commission's verifier key (`null` when the record is unsigned).
    pub verifier_key: Option<String>,
}

/// The list entry of an election.
pub(crate) fn election_summary(s: &Snapshot, id: &str) -> ElectionSummary {
    ElectionSummary {
        id: id.to_owned(),
        name: s.election.name().to_owned(),
        date: s.election.date().to_owned(),
        rules: s.election.rules().name().to_owned(),
        tree_size: s.size,
        root_hash: hex::encode(s.root),
        signed_size: s.signed_size,
        contests: (0..s.election.contests().len()).map(|c| contest_ref(s, c)).collect(),
    }
}

/// The results document: each contest in `contests` at `unit` (default: its territory), or with
/// `since`, every unit below it whose totals changed after that log size.
pub(crate) fn results(
    s: &Snapshot,
    election: &str,
    contests: &[usize],
    unit: Option<UnitIdx>,
    since: Option<u64>,
) -> Results {
    let contests = contests
        .iter()
        .map(|&c| {
            let root = unit.unwrap_or_else(|| s.election.contests()[c].territory());
            let units: Vec<UnitIdx> = match since {
                None => vec![root],
                Some(since) => {
                    s.tree.subtree(root).into_iter().filter(|&u| s.changed[c][u] > since).collect()
                }
            };
            ContestResults {
                contest: contest_ref(s, c),
                units: units.into_iter().filter_map(|u| unit_result(s, c, u)).collect(),
            }
        })
        .collect();
    Results {
        election: election.to_owned(),
        tree_size: s.size,
        root_hash: hex::encode(s.root),
        signed_size: s.signed_size,
        since,
        contests,
    }
}

/// The outcome document, or — when a protocol fails an error-severity check and the law's own
/// arithmetic rejects the counts (law reference §8.2) — the body listing the failed checks.
pub(crate) enum OutcomeDoc {
    /// The same JSON as `ashyq outcome --format json`.
    Decided(serde_json::Value),
    /// No outcome: the failed checks (served with 409).
    FailedChecks(serde_json::Value),
}

/// The outcome of every contest from the latest accepted protocols.
pub(crate) fn outcome(s: &Snapshot) -> Result<OutcomeDoc, String> {
    let options = ashyq_core::rules::OutcomeOptions::default();
    match ashyq_core::rules::outcome(&s.election, &s.tree, s.counts(), &options) {
        Ok(o) => Ok(OutcomeDoc::Decided(ashyq_report::outcome_json(&s.election, &s.tree, &o))),
        Err(ashyq_core::rules::OutcomeError::FailedChecks(failed)) => {
            Ok(OutcomeDoc::FailedChecks(serde_json::json!({
                "status": 409,
                "error": "failed_checks",
                "message": format!("no outcome: {} protocol check(s) fail with severity error, and the law's own arithmetic rejects these counts", failed.len()),
                "failed_checks": failed.iter().map(|f| ashyq_report::failed_check_line(&s.election, &s.tree, f)).collect::<Vec<_>>(),
                "tree_size": s.size,
            })))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Reporting progress of every contest.
pub(crate) fn progress(s: &Snapshot) -> Vec<ProgressJson> {
    s.election
        .contests()
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let p = s.progress(ci, c.territory());
            ProgressJson {
                contest: c.id().to_string(),
                expected: p.expected,
                reported: p.reported,
                registered_reported: p.registered_reported,
            }
        })
        .collect()
}

/// `contest,unit,line,value` as `ashyq tally` prints it, at each contest's territory or at
/// every unit of kind `by`. `Err` names what the caller asked wrongly (or a roll-up overflow).
pub(crate) fn results_csv(s: &Snapshot, by: Option<&str>) -> Result<String, String> {
    let scope = match by {
        Some(k) => ashyq_tally::Scope::Kind(k.to_owned()),
        None => ashyq_tally::Scope::Territory,
    };
    let rollups: Vec<ashyq_core::counts::RollUp> =
        s.rollups().iter().cloned().collect::<Result<_, _>>()?;
    let tally =
        ashyq_tally::select(&s.election, &s.tree, &rollups, &scope).map_err(|e| e.to_string())?;
    Ok(ashyq_tally::render::csv(&tally))
}

/// The CDF export formats: file name, media type.
pub(crate) const CDF_FORMATS: [(&str, &str); 3] = [
    ("cdf.json", "application/json"),
    ("cdf.xml", "application/xml"),
    ("cdf-civics.xml", "application/xml"),
];

/// The current results as NIST SP 1500-100 v2 (`cdf.json`, `cdf.xml`) or Google's civics
/// profile (`cdf-civics.xml`), generated at `now`; `None` for an unknown format.
pub(crate) fn cdf(s: &Snapshot, format: &str, now: &str) -> Option<Result<Vec<u8>, String>> {
    use ashyq_convert::cdf::{self, ExportOptions, OcdIds, ResultsStatus, Translated};
    if !CDF_FORMATS.iter().any(|(f, _)| *f == format) {
        return None;
    }
    let names = Translated { election: &s.election, tree: &s.tree, language: "und".into() };
    let ocd = OcdIds::new();
    let mut options = ExportOptions::new(now, &names, &ocd);
    let complete = progress(s).iter().all(|p| p.reported == p.expected);
    options.status =
        if complete { ResultsStatus::UnofficialComplete } else { ResultsStatus::UnofficialPartial };
    let out = match format {
        "cdf.json" => cdf::export_json_text(&s.election, &s.tree, s.counts(), &options, false),
        "cdf.xml" => cdf::export_xml(&s.election, &s.tree, s.counts(), &options),
        _ => cdf::export_civics_xml(&s.election, &s.tree, s.counts(), &options),
    };
    Some(out.map(String::into_bytes).map_err(|e| e.to_string()))
}

/// A protocol's version history and the inclusion proof of its latest version, read from the
/// record (blocking).
pub(crate) fn protocol(
    store: &mut Store,
    s: &Snapshot,
    election: &str,
    contest: usize,
    unit: UnitIdx,
) -> Result<ProtocolJson, StoreError> {
    let (contest_ref, unit_ref) = (contest_ref(s, contest), unit_ref(s, unit));
    let history = store.history(election, &contest_ref.id, &unit_ref.id)?;
    let key = store.verifier_key(election).ok();
    let proof = if history.is_empty() || key.is_none() {
        None
    } else {
        match store.prove(election, &contest_ref.id, &unit_ref.id, None) {
            Ok(p) => Some(ProofJson {
                leaf_index: p.leaf_index,
                tree_size: p.tree_size,
                leaf: base64::engine::general_purpose::STANDARD.encode(&p.leaf),
                leaf_hash: hex::encode(p.leaf_hash),
                path: p.path.iter().map(hex::encode).collect(),
                root_hash: hex::encode(p.root_hash),
                checkpoint: p.checkpoint,
            }),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        }
    };
    Ok(ProtocolJson {
        election: election.to_owned(),
        contest: contest_ref,
        unit: unit_ref,
        versions: history
            .into_iter()
            .map(|v| VersionJson {
                version: v.version,
                author: v.author,
                time: v.time,
                reason: v.reason,
                findings: v.findings,
                lines: v
                    .values
                    .into_iter()
                    .map(|(line, value)| LineValue { line, value: Some(value) })
                    .collect(),
                log_index: v.log_index,
                signature: v.signature.map(SignatureJson::from),
            })
            .collect(),
        proof,
        verifier_key: key,
    })
}
