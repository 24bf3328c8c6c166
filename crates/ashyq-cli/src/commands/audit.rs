//! `ashyq audit`: risk-limiting audits. The maths is in `ashyq_audit` (BRAVO, Kaplan–Markov,
//! assertions on Kazakhstan's legal base, MACRO batch comparison with a polling-station
//! protocol as the batch, the commitment bundle, Rivest's sampler); this module reads files and
//! prints. For `sample-size` and `risk` the last line of output is the number alone.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use ashyq_audit::assertions::{contest_assertions, AssertionMargin};
use ashyq_audit::bravo;
use ashyq_audit::bundle::{
    assertions_csv, make_bundle, manifest_csv, verify_bundle, COMMITMENT, FILES,
};
use ashyq_audit::kaplan_markov::{self, Discrepancies, DEFAULT_GAMMA};
use ashyq_audit::macro_audit::{parse_fraction, ppeb_draws, MacroAudit, Next};
use ashyq_core::checks::{check_protocol, Severity};
use ashyq_package::Package;
use serde_json::json;

use super::record::{load_key, open_store};
use super::{load_package, print, Format};

/// Arguments of `ashyq audit`.
#[derive(clap::Args, Debug)]
pub(crate) struct AuditArgs {
    #[command(subcommand)]
    pub(crate) action: Action,
}

/// Audit methods.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    /// Ballot polling, BRAVO (Lindeman, Stark & Yates 2012).
    Bravo,
    /// Ballot-level comparison, Kaplan–Markov (Stark 2010): Stark's nmin, as rlacalc.
    KaplanMarkov,
    /// Batch comparison with a polling-station protocol as the batch (MACRO, Stark 2008/2009;
    /// as in Arlo), over the contest's assertions on Kazakhstan's legal base.
    Macro,
}

/// What `ashyq audit` does.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// The sample size: BRAVO's expected sample size (ASN) for --margin; Kaplan–Markov's initial
    /// sample size (Stark's nmin) for --margin and the discrepancies seen; MACRO's first-round
    /// number of station draws for a package's contest. The last line is the number.
    SampleSize(SampleSizeArgs),
    /// The measured risk: BRAVO for --reported W,L and --sample w,l; Kaplan–Markov's p-value for
    /// --margin, --sample-size and the discrepancies. Capped at 1; the last line is the number.
    Risk(RiskArgs),
    /// List the assertions that together confirm a contest's legal outcome (the 50% majority,
    /// every list's 5% threshold, every Hare largest-remainder seat, the referendum's
    /// yes-majorities), each with its margin in votes, ballots to flip, assorter margin, and the
    /// station draws it would need audited alone.
    Assertions(AssertionsArgs),
    /// Write the commitment bundle of a MACRO audit before the seed is drawn: the record's
    /// checkpoint (opaque text), the manifest of batches (stations) with their error bounds,
    /// the assertions, the parameters, their SHA-256 and the bundle's digest to publish.
    Commit(CommitArgs),
    /// Draw stations to hand-count from a committed bundle and the public seed (PPEB,
    /// reproducible: draw k uses Rivest's ticket number of k under the seed).
    Sample(SampleArgs),
    /// Evaluate the hand counts of the draws so far: measured risk, and whether the outcome is
    /// confirmed, how many more stations to draw, or a full hand count. Exit 0 when confirmed,
    /// 1 otherwise.
    Evaluate(EvaluateArgs),
    /// Close an audit kept in the record (--db) with its measured risk: confirmed, or escalated
    /// to a full hand count. Refused while a drawn station awaits its hand count or more draws
    /// are needed. Exit 0 when confirmed, 1 when a full hand count is required.
    Close(CloseArgs),
}

/// Keeping the audit in the record: with --db, `commit` makes the bundle from the record's own
/// protocols at its current checkpoint, `sample` enters the seed and records each round of
/// draws, `evaluate` enters hand counts of drawn stations and re-runs the audit from the
/// record, `close` records the result; each is a leaf of the election's log, which
/// `ashyq verify` replays (the bundle recomputed, the draws from the seed, only drawn stations
/// hand-counted).
#[derive(clap::Args, Debug)]
pub(crate) struct InRecord {
    /// The record (sqlite:PATH or postgres://…) that keeps the audit.
    #[arg(long, value_name = "URL")]
    pub(crate) db: Option<String>,
    /// Record mode: the election (needed only when the record holds several).
    #[arg(long, value_name = "ID", requires = "db")]
    pub(crate) election: Option<String>,
    /// Record mode: the audit's number (default: the latest audit).
    #[arg(long, value_name = "N", requires = "db")]
    pub(crate) audit: Option<u64>,
    /// Record mode: the commission's key file (a signed record accepts writes only with its key).
    #[arg(long, value_name = "FILE", requires = "db")]
    pub(crate) key: Option<PathBuf>,
    /// Record mode: who enters this audit event (required for every write).
    #[arg(long, requires = "db")]
    pub(crate) author: Option<String>,
}

impl InRecord {
    fn author(&self) -> Result<&str> {
        self.author
            .as_deref()
            .ok_or_else(|| anyhow!("give --author: who enters this audit event into the record"))
    }

    /// Opens the record (for writing when `write`), the election and the audit number.
    fn open(&self, write: bool) -> Result<(ashyq_store::Store, String, Option<u64>)> {
        let url = self.db.as_deref().unwrap_or_default();
        let mut store = open_store(url, ashyq_store::OpenMode::Existing)?;
        if write {
            store.set_signer(load_key(self.key.as_deref(), false)?);
        }
        let e = store.election_id(self.election.as_deref())?;
        Ok((store, e, self.audit))
    }

    fn audit_of(&self, store: &mut ashyq_store::Store, e: &str) -> Result<u64> {
        Ok(match self.audit {
            Some(n) => n,
            None => store.latest_audit(e, None)?,
        })
    }
}

/// Arguments of `ashyq audit close`.
#[derive(clap::Args, Debug)]
pub(crate) struct CloseArgs {
    #[command(flatten)]
    pub(crate) record: InRecord,
}

/// Arguments of `ashyq audit sample-size`.
#[derive(clap::Args, Debug)]
pub(crate) struct SampleSizeArgs {
    /// The method.
    #[arg(long, value_enum)]
    pub(crate) method: Method,
    /// Risk limit in percent (e.g. 5, or 2.5).
    #[arg(long, value_name = "PERCENT")]
    pub(crate) risk_limit: f64,
    /// BRAVO: margin (W − L)/(W + L) in percent; Kaplan–Markov: the diluted margin in percent.
    #[arg(long, value_name = "M", required_if_eq_any = [("method", "bravo"), ("method", "kaplan-markov")])]
    pub(crate) margin: Option<f64>,
    /// BRAVO: the risk level reached so far, in percent (default 100: nothing sampled yet).
    #[arg(long, value_name = "PERCENT", default_value_t = 100.0)]
    pub(crate) risk_level: f64,
    #[command(flatten)]
    pub(crate) km: KmArgs,
    /// MACRO: the official package.
    #[arg(required_if_eq("method", "macro"))]
    pub(crate) package: Option<PathBuf>,
    /// MACRO: the contest (default: the package's only contest).
    #[arg(long)]
    pub(crate) contest: Option<String>,
}

/// Kaplan–Markov parameters.
#[derive(clap::Args, Debug)]
pub(crate) struct KmArgs {
    /// Kaplan–Markov: error inflation factor γ (> 1).
    #[arg(long, default_value_t = DEFAULT_GAMMA)]
    pub(crate) gamma: f64,
    /// Kaplan–Markov: one-vote overstatements seen.
    #[arg(long, default_value_t = 0)]
    pub(crate) o1: u64,
    /// Kaplan–Markov: two-vote overstatements seen.
    #[arg(long, default_value_t = 0)]
    pub(crate) o2: u64,
    /// Kaplan–Markov: one-vote understatements seen.
    #[arg(long, default_value_t = 0)]
    pub(crate) u1: u64,
    /// Kaplan–Markov: two-vote understatements seen.
    #[arg(long, default_value_t = 0)]
    pub(crate) u2: u64,
}

impl KmArgs {
    fn discrepancies(&self) -> Discrepancies {
        Discrepancies { o1: self.o1, o2: self.o2, u1: self.u1, u2: self.u2 }
    }
}

/// Arguments of `ashyq audit risk`.
#[derive(clap::Args, Debug)]
pub(crate) struct RiskArgs {
    /// The method (bravo or kaplan-markov).
    #[arg(long, value_enum)]
    pub(crate) method: Method,
    /// BRAVO: reported votes of the winner and the loser, W,L.
    #[arg(long, value_name = "W,L", required_if_eq("method", "bravo"))]
    pub(crate) reported: Option<String>,
    /// BRAVO: sampled ballots for the winner and the loser, w,l.
    #[arg(long, value_name = "w,l", required_if_eq("method", "bravo"))]
    pub(crate) sample: Option<String>,
    /// Kaplan–Markov: the diluted margin in percent.
    #[arg(long, value_name = "M", required_if_eq("method", "kaplan-markov"))]
    pub(crate) margin: Option<f64>,
    /// Kaplan–Markov: ballots sampled.
    #[arg(long, value_name = "N", required_if_eq("method", "kaplan-markov"))]
    pub(crate) sample_size: Option<u64>,
    #[command(flatten)]
    pub(crate) km: KmArgs,
}

/// Arguments of `ashyq audit assertions`.
#[derive(clap::Args, Debug)]
pub(crate) struct AssertionsArgs {
    /// The official package.
    pub(crate) package: PathBuf,
    /// Only this contest (default: every contest with a legal outcome).
    #[arg(long)]
    pub(crate) contest: Option<String>,
    /// Risk limit in percent for the station draws column.
    #[arg(long, value_name = "PERCENT", default_value_t = 5.0)]
    pub(crate) risk_limit: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

/// Arguments of `ashyq audit commit`.
#[derive(clap::Args, Debug)]
pub(crate) struct CommitArgs {
    /// The official package (the record's protocols); with --db, the record's own protocols.
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    pub(crate) package: Option<PathBuf>,
    /// The record's checkpoint (signed tree head) as a text file, committed as given; with
    /// --db, the record's current checkpoint.
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    pub(crate) checkpoint: Option<PathBuf>,
    /// Risk limit in percent.
    #[arg(long, value_name = "PERCENT")]
    pub(crate) risk_limit: f64,
    /// The contest (default: the package's only contest).
    #[arg(long)]
    pub(crate) contest: Option<String>,
    /// The bundle folder to write (must not exist or be empty); optional with --db.
    #[arg(long, required_unless_present = "db")]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) record: InRecord,
}

/// Arguments of `ashyq audit sample`.
#[derive(clap::Args, Debug)]
pub(crate) struct SampleArgs {
    /// The committed bundle folder (with --db: the audit in the record).
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    pub(crate) bundle: Option<PathBuf>,
    /// The public seed, drawn after the bundle's digest was published (with --db: entered into
    /// the record the first time, and must be the same afterwards).
    #[arg(long)]
    pub(crate) seed: String,
    /// Number of draws (default: the first-round size from the bundle's parameters; with --db,
    /// for a later round, as many as the evaluation of the hand counts so far asks for).
    #[arg(long)]
    pub(crate) draws: Option<usize>,
    /// Draws already made in earlier rounds (they are skipped; with --db the record counts them).
    #[arg(long, default_value_t = 0, conflicts_with = "db")]
    pub(crate) from: usize,
    #[command(flatten)]
    pub(crate) record: InRecord,
}

/// Arguments of `ashyq audit evaluate`.
#[derive(clap::Args, Debug)]
pub(crate) struct EvaluateArgs {
    /// The committed bundle folder.
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    pub(crate) bundle: Option<PathBuf>,
    /// The public seed (with --db: the record's).
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    pub(crate) seed: Option<String>,
    /// The official package the bundle was made from (checked against the bundle).
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    pub(crate) package: Option<PathBuf>,
    /// The hand counts: a package with a protocol for every station drawn so far (with --db:
    /// the protocols of drawn stations not yet hand-counted are entered into the record, through
    /// the protocol checks; optional).
    #[arg(long, required_unless_present = "db")]
    pub(crate) hand_count: Option<PathBuf>,
    /// The number of draws made so far (all rounds; with --db the record counts them).
    #[arg(long, required_unless_present = "db", conflicts_with = "db")]
    pub(crate) draws: Option<usize>,
    #[command(flatten)]
    pub(crate) record: InRecord,
}

pub(crate) fn run(args: &AuditArgs) -> Result<ExitCode> {
    match &args.action {
        Action::SampleSize(a) => sample_size(a),
        Action::Risk(a) => risk(a),
        Action::Assertions(a) => assertions(a),
        Action::Commit(a) => commit(a),
        Action::Sample(a) => sample(a),
        Action::Evaluate(a) => {
            if a.record.db.is_some() {
                evaluate_in_record(a)
            } else {
                evaluate(a)
            }
        }
        Action::Close(a) => close(a),
    }
}

fn alpha_of(percent: f64) -> Result<f64> {
    if !(percent > 0.0 && percent < 100.0) {
        bail!("--risk-limit must be more than 0 and less than 100 (percent), not {percent}");
    }
    Ok(percent / 100.0)
}

fn pair(s: &str, flag: &str) -> Result<(u64, u64)> {
    let (a, b) = s.split_once(',').ok_or_else(|| {
        anyhow!("{flag}: \"{s}\" is not two counts separated by a comma (e.g. 600,400)")
    })?;
    let p = |x: &str| {
        x.trim()
            .parse::<u64>()
            .map_err(|_| anyhow!("{flag}: \"{x}\" is not a non-negative integer"))
    };
    Ok((p(a)?, p(b)?))
}

fn sample_size(a: &SampleSizeArgs) -> Result<ExitCode> {
    let alpha = alpha_of(a.risk_limit)?;
    let margin = a.margin.map(|m| m / 100.0);
    let n = match a.method {
        Method::Bravo => {
            let m = margin.ok_or_else(|| anyhow!("--margin is required for bravo"))?;
            let n = bravo::asn(alpha, m, a.risk_level / 100.0)?;
            format!(
                "BRAVO expected sample size (ASN) for a {}% margin at a {}% risk limit (risk so far {}%):\n{n}\n",
                fmt(m * 100.0),
                fmt(a.risk_limit),
                fmt(a.risk_level)
            )
        }
        Method::KaplanMarkov => {
            let m = margin.ok_or_else(|| anyhow!("--margin is required for kaplan-markov"))?;
            let d = a.km.discrepancies();
            let n = kaplan_markov::nmin(alpha, a.km.gamma, m, d)?;
            format!(
                "Kaplan-Markov initial sample size (Stark's nmin) for a {}% diluted margin at a {}% risk limit, gamma {}, o1 {} o2 {} u1 {} u2 {}:\n{n}\n",
                fmt(m * 100.0),
                fmt(a.risk_limit),
                a.km.gamma,
                d.o1,
                d.o2,
                d.u1,
                d.u2
            )
        }
        Method::Macro => {
            let path =
                a.package.as_ref().ok_or_else(|| anyhow!("give the package for --method macro"))?;
            let p = load_package(path)?;
            let ci = contest_of(&p, a.contest.as_deref())?;
            let (_, audit) = macro_audit(&p, ci)?;
            let n = audit.initial_draws(alpha)?;
            format!(
                "MACRO first round for contest {} at a {}% risk limit: {} stations (batches), U = {:.4}; draws with replacement:\n{n}\n",
                p.election.contests()[ci].id().as_str(),
                fmt(a.risk_limit),
                audit.batches.len(),
                audit.total_error_bound
            )
        }
    };
    print(&n)?;
    Ok(ExitCode::SUCCESS)
}

fn fmt(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn risk(a: &RiskArgs) -> Result<ExitCode> {
    let text = match a.method {
        Method::Bravo => {
            let (w, l) = pair(a.reported.as_deref().unwrap_or(""), "--reported")?;
            let (sw, sl) = pair(a.sample.as_deref().unwrap_or(""), "--sample")?;
            let r = bravo::risk(w, l, sw, sl)?;
            format!("BRAVO measured risk for reported {w},{l} and sample {sw},{sl} (capped at 1):\n{r}\n")
        }
        Method::KaplanMarkov => {
            let m = a.margin.ok_or_else(|| anyhow!("--margin is required"))? / 100.0;
            let n = a.sample_size.ok_or_else(|| anyhow!("--sample-size is required"))?;
            let p = kaplan_markov::p_value(n, a.km.gamma, m, a.km.discrepancies())?;
            format!(
                "Kaplan-Markov p-value for {n} ballots, a {}% diluted margin (capped at 1):\n{p}\n",
                fmt(m * 100.0)
            )
        }
        Method::Macro => bail!("the MACRO risk comes from hand counts: use `ashyq audit evaluate`"),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn contest_of(p: &Package, id: Option<&str>) -> Result<usize> {
    match id {
        Some(id) => p
            .election
            .contest_index(id)
            .ok_or_else(|| anyhow!("the package has no contest \"{id}\"")),
        None if p.election.contests().len() == 1 => Ok(0),
        None => bail!(
            "the package has {} contests; choose one with --contest ({})",
            p.election.contests().len(),
            p.election.contests().iter().map(|c| c.id().as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn macro_audit(p: &Package, ci: usize) -> Result<(Vec<AssertionMargin>, MacroAudit)> {
    let margins = contest_assertions(&p.election, &p.tree, &p.counts, ci)?;
    let c = &p.election.contests()[ci];
    let audit =
        MacroAudit::new(&margins, &p.tree, &p.counts[ci], c.territory(), c.options().len())?;
    Ok((margins, audit))
}

fn assertions(a: &AssertionsArgs) -> Result<ExitCode> {
    let alpha = alpha_of(a.risk_limit)?;
    let p = load_package(&a.package)?;
    let contests: Vec<usize> = match &a.contest {
        Some(id) => vec![contest_of(&p, Some(id))?],
        None => (0..p.election.contests().len()).collect(),
    };
    let mut text = String::new();
    let mut json_contests = Vec::new();
    for ci in contests {
        let c = &p.election.contests()[ci];
        let margins = match contest_assertions(&p.election, &p.tree, &p.counts, ci) {
            Ok(m) => m,
            Err(e) => {
                text.push_str(&format!("contest {}: {e}\n\n", c.id().as_str()));
                json_contests.push(json!({"id": c.id().as_str(), "error": e.to_string()}));
                continue;
            }
        };
        let n_options = c.options().len();
        let alone = |m: &AssertionMargin| -> Option<u64> {
            MacroAudit::new(
                std::slice::from_ref(m),
                &p.tree,
                &p.counts[ci],
                c.territory(),
                n_options,
            )
            .ok()?
            .initial_draws(alpha)
            .ok()
        };
        let all = MacroAudit::new(&margins, &p.tree, &p.counts[ci], c.territory(), n_options)?;
        let together = all.initial_draws(alpha)?;
        text.push_str(&format!(
            "contest {}: {} assertions; MACRO over {} protocols, first round {together} station draws at a {}% risk limit\n",
            c.id().as_str(),
            margins.len(),
            all.batches.len(),
            fmt(a.risk_limit)
        ));
        text.push_str("  #  ballots_to_flip  assorter_margin  draws_alone  assertion\n");
        let mut rows = Vec::new();
        for (k, m) in margins.iter().enumerate() {
            let n = alone(m);
            text.push_str(&format!(
                "{:>3}  {:>15}  {:>15.6}  {:>11}  {}\n",
                k + 1,
                m.ballots_to_flip,
                m.assorter_margin,
                n.map_or("-".to_owned(), |n| n.to_string()),
                m.assertion.text
            ));
            rows.push(json!({
                "assertion": m.assertion.text,
                "unit": p.tree.unit(m.assertion.unit).id.as_str(),
                "margin": m.total.to_string(),
                "ballots": m.ballots,
                "ballots_to_flip": m.ballots_to_flip,
                "assorter_margin": m.assorter_margin,
                "assorter_upper_bound": m.upper_bound,
                "draws_alone": n,
                "source": m.assertion.source,
            }));
        }
        if let Some(min) = margins.iter().min_by_key(|m| m.ballots_to_flip) {
            text.push_str(&format!(
                "  closest: {} ({} ballots)\n",
                min.assertion.text, min.ballots_to_flip
            ));
        }
        text.push('\n');
        json_contests.push(json!({
            "id": c.id().as_str(),
            "protocols": all.batches.len(),
            "first_round_draws": together,
            "assertions": rows,
        }));
    }
    let out = match a.format {
        Format::Text => text,
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&json!({
                "risk_limit_percent": a.risk_limit,
                "contests": json_contests,
            }))?;
            s.push('\n');
            s
        }
    };
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// parameters.toml of a bundle.
fn parameters_text(p: &Package, ci: usize, risk_limit: f64, n0: u64, counts_hash: &str) -> String {
    format!(
        "# Ashyq audit parameters (committed before the seed is drawn)\nelection = \"{}\"\ncontest = \"{}\"\nmethod = \"macro\"\nrisk_limit_percent = \"{}\"\nfirst_round_draws = \"{n0}\"\ncounts_sha256 = \"{counts_hash}\"\nsampler = \"PPEB with replacement: draw k takes Rivest's first_fraction(str(k), seed) over the cumulative error bounds of manifest.csv, in its order\"\nashyq_version = \"{}\"\n",
        p.election.id().as_str(),
        p.election.contests()[ci].id().as_str(),
        fmt(risk_limit),
        env!("CARGO_PKG_VERSION")
    )
}

fn counts_hash(p: &Package) -> Result<String> {
    use sha2::Digest;
    let bytes = fs::read(p.dir.join("counts.csv"))
        .with_context(|| format!("reading {}", p.dir.join("counts.csv").display()))?;
    Ok(hex::encode(sha2::Sha256::digest(&bytes)))
}

fn commit(a: &CommitArgs) -> Result<ExitCode> {
    let alpha = alpha_of(a.risk_limit)?;
    if let Some(out) = &a.out {
        if out.exists() && fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(true) {
            bail!("{} exists and is not empty; a bundle is never overwritten", out.display());
        }
    }
    if a.record.db.is_some() {
        return commit_in_record(a);
    }
    let (Some(package), Some(checkpoint_path), Some(out)) = (&a.package, &a.checkpoint, &a.out)
    else {
        bail!("give the package, --checkpoint and --out (or --db)");
    };
    let checkpoint = fs::read_to_string(checkpoint_path)
        .with_context(|| format!("cannot read the checkpoint {}", checkpoint_path.display()))?;
    let p = load_package(package)?;
    let ci = contest_of(&p, a.contest.as_deref())?;
    let (margins, audit) = macro_audit(&p, ci)?;
    let n0 = audit.initial_draws(alpha)?;
    let c = &p.election.contests()[ci];
    let option_ids: Vec<String> = c.options().iter().map(|o| o.id.as_str().to_owned()).collect();
    let unit_id = |u: usize| p.tree.unit(u).id.as_str().to_owned();
    let b = make_bundle(
        &checkpoint,
        &manifest_csv(&audit),
        &assertions_csv(&margins, &option_ids, &unit_id),
        &parameters_text(&p, ci, a.risk_limit, n0, &counts_hash(&p)?),
    );
    write_bundle(out, &b)?;
    print(&format!(
        "bundle {}: {} stations, {} assertions, first round {n0} draws at a {}% risk limit\npublish this digest before the seed is drawn:\n{}\n",
        out.display(),
        audit.batches.len(),
        margins.len(),
        fmt(a.risk_limit),
        b.digest
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Reads and verifies a bundle; returns its files by name and the digest.
fn read_bundle(dir: &Path) -> Result<(BTreeMap<String, String>, String)> {
    let commitment = fs::read_to_string(dir.join(COMMITMENT))
        .with_context(|| format!("{}: not a bundle (no {COMMITMENT})", dir.display()))?;
    let mut files = Vec::new();
    for name in FILES {
        if let Ok(t) = fs::read_to_string(dir.join(name)) {
            files.push((name.to_owned(), t));
        }
    }
    let digest = verify_bundle(&files, &commitment).map_err(|p| {
        anyhow!("the bundle {} does not match its commitment:\n{}", dir.display(), p.join("\n"))
    })?;
    Ok((files.into_iter().collect(), digest))
}

fn parameter(files: &BTreeMap<String, String>, key: &str) -> Result<String> {
    files["parameters.toml"]
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| anyhow!("parameters.toml: no {key}"))
}

/// (station id, ballots, error bound) per manifest line.
fn manifest(
    files: &BTreeMap<String, String>,
) -> Result<Vec<(String, u64, ashyq_audit::macro_audit::Fraction)>> {
    let mut out = Vec::new();
    for (i, line) in files["manifest.csv"].lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = || anyhow!("manifest.csv:{}: not batch,ballots,error_bound", i + 1);
        if f.len() != 3 {
            return Err(bad());
        }
        out.push((
            f[0].to_owned(),
            f[1].parse().map_err(|_| bad())?,
            parse_fraction(f[2]).ok_or_else(bad)?,
        ));
    }
    Ok(out)
}

fn sample(a: &SampleArgs) -> Result<ExitCode> {
    if a.record.db.is_some() {
        return sample_in_record(a);
    }
    let bundle = a.bundle.as_deref().ok_or_else(|| anyhow!("give --bundle (or --db)"))?;
    let (files, digest) = read_bundle(bundle)?;
    let m = manifest(&files)?;
    let n = match a.draws {
        Some(n) => n,
        None => parameter(&files, "first_round_draws")?
            .parse()
            .context("parameters.toml: first_round_draws")?,
    };
    let bounds: Vec<_> = m.iter().map(|x| x.2).collect();
    let draws = ppeb_draws(&bounds, &a.seed, a.from, n);
    let mut s = format!(
        "# bundle {digest}, seed \"{}\", draws {}..={}\ndraw,station,ballots\n",
        a.seed,
        a.from + 1,
        a.from + n
    );
    let mut distinct = std::collections::BTreeSet::new();
    for (i, &p) in draws.iter().enumerate() {
        distinct.insert(p);
        s.push_str(&format!("{},{},{}\n", a.from + i + 1, m[p].0, m[p].1));
    }
    s.push_str(&format!("# {} distinct stations to hand-count\n", distinct.len()));
    print(&s)?;
    Ok(ExitCode::SUCCESS)
}

fn evaluate(a: &EvaluateArgs) -> Result<ExitCode> {
    let (Some(bundle), Some(seed), Some(package), Some(hand_count), Some(n_draws)) =
        (&a.bundle, &a.seed, &a.package, &a.hand_count, a.draws)
    else {
        bail!("give --bundle, --seed, the package, --hand-count and --draws (or --db)");
    };
    let (files, digest) = read_bundle(bundle)?;
    let p = load_package(package)?;
    let contest_id = parameter(&files, "contest")?;
    let ci = contest_of(&p, Some(&contest_id))?;
    let alpha = alpha_of(
        parameter(&files, "risk_limit_percent")?
            .parse()
            .context("parameters.toml: risk_limit_percent")?,
    )?;
    let (_, audit) = macro_audit(&p, ci)?;
    if manifest_csv(&audit) != files["manifest.csv"] {
        bail!(
            "the package {} does not give the committed manifest: the protocols changed after the commitment (or it is another package)",
            package.display()
        );
    }
    let draws = audit.draws(seed, 0, n_draws);
    let hand = load_package(hand_count)?;
    let hc = hand
        .election
        .contest_index(&contest_id)
        .ok_or_else(|| anyhow!("the hand-count package has no contest \"{contest_id}\""))?;
    let hcontest = &hand.election.contests()[hc];
    let contest = &p.election.contests()[ci];
    // Every drawn station's hand count, through the protocol checks, in the official columns.
    let mut rows: BTreeMap<usize, Vec<Option<u64>>> = BTreeMap::new();
    let mut problems = Vec::new();
    for &b in &draws {
        if rows.contains_key(&b) {
            continue;
        }
        let id = &audit.batches[b].id;
        let Some(row) = hand.tree.index_of(id).and_then(|u| hand.counts[hc].row(u)) else {
            problems
                .push(format!("{id}: drawn, but the hand-count package has no protocol for it"));
            continue;
        };
        // A hand count is a station's protocol: the same checks as any station's (law reference
        // §8.2), without the plausibility heuristics.
        let ctx = ashyq_core::checks::ProtocolContext::station(
            ashyq_core::checks::PlausibilityLimits::default(),
        );
        for f in
            check_protocol(hcontest, row, &ctx).iter().filter(|f| f.severity == Severity::Error)
        {
            problems.push(format!("{id}: the hand count fails check {}: {}", f.code, f.message));
        }
        let mut mapped =
            vec![
                None;
                row.len().max(ashyq_core::line::ProtocolLine::COUNT + contest.options().len())
            ];
        for (col, cell) in mapped.iter_mut().enumerate().take(ashyq_core::line::ProtocolLine::COUNT)
        {
            *cell = row.get(col).copied().flatten();
        }
        for (j, o) in contest.options().iter().enumerate() {
            let v = hcontest.option_index(o.id.as_str()).and_then(|k| {
                row.get(ashyq_core::line::Line::Option(k).column()).copied().flatten()
            });
            if v.is_none() {
                problems.push(format!("{id}: the hand count has no line for {}", o.id.as_str()));
            }
            mapped[ashyq_core::line::Line::Option(j).column()] = v;
        }
        rows.insert(b, mapped);
    }
    if !problems.is_empty() {
        bail!("the hand counts cannot be used:\n{}", problems.join("\n"));
    }
    let e = audit.evaluate(alpha, &draws, &|b| rows.get(&b).cloned())?;
    let mut s = format!(
        "# bundle {digest}, seed \"{}\", {} draws ({} stations) hand-counted\n",
        seed,
        draws.len(),
        e.distinct_batches
    );
    let batches: Vec<String> = audit.batches.iter().map(|b| b.id.clone()).collect();
    let options: Vec<String> = contest.options().iter().map(|o| o.id.to_string()).collect();
    s.push_str(&draws_text(&e, &batches, &audit.texts, &options));
    let code = match &e.next {
        Next::Confirmed => {
            s.push_str(&format!(
                "confirmed: the risk is at most the {}% limit; the reported outcome stands\n",
                fmt(alpha * 100.0)
            ));
            ExitCode::SUCCESS
        }
        Next::MoreDraws(n) => {
            s.push_str(&format!(
                "not yet confirmed: draw {n} more (ashyq audit sample --bundle {} --seed … --from {} --draws {n})\n",
                bundle.display(),
                draws.len()
            ));
            ExitCode::from(1)
        }
        Next::FullHandCount(why) => {
            s.push_str(&format!("full hand count: {why}\n"));
            ExitCode::from(1)
        }
    };
    print(&s)?;
    Ok(code)
}

/// The draws with a discrepancy and the measured risk.
fn draws_text(
    e: &ashyq_audit::macro_audit::Evaluation,
    batches: &[String],
    texts: &[String],
    options: &[String],
) -> String {
    let mut s = String::new();
    for d in e.draws.iter().filter(|d| d.taint > 0.0 || !d.differences.is_empty()) {
        let diffs: Vec<String> =
            d.differences.iter().map(|(j, x)| format!("{} {x:+}", options[*j])).collect();
        s.push_str(&format!(
            "draw {}: {} taint {:.6}{}: {}\n",
            d.draw,
            batches[d.batch],
            d.taint,
            d.worst_assertion.map_or(String::new(), |k| format!(" (worst: {})", texts[k])),
            if diffs.is_empty() { "no vote differs".to_owned() } else { diffs.join(", ") }
        ));
    }
    s.push_str(&format!("measured risk: {}\n", e.risk));
    s
}

fn write_bundle(out: &Path, b: &ashyq_audit::bundle::Bundle) -> Result<()> {
    fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (name, text) in &b.files {
        fs::write(out.join(name), text).with_context(|| format!("writing {name}"))?;
    }
    fs::write(out.join(COMMITMENT), &b.commitment).context("writing the commitment")
}

fn commit_in_record(a: &CommitArgs) -> Result<ExitCode> {
    let (mut store, e, _) = a.record.open(true)?;
    let c = store.audit_commit(&e, a.contest.as_deref(), a.risk_limit, a.record.author()?)?;
    if let Some(out) = &a.out {
        write_bundle(out, &c.bundle)?;
    }
    print(&format!(
        "audit {} of contest {} committed to the record at log size {} (log entry {}): {} stations, {} assertions, first round {} draws at a {}% risk limit{}\npublish this digest before the seed is drawn:\n{}\n",
        c.info.audit,
        c.info.contest,
        c.info.checkpoint_size,
        c.receipt.log_index + 1,
        c.stations,
        c.assertions,
        c.info.first_round_draws,
        c.info.risk_limit_percent,
        a.out.as_ref().map_or(String::new(), |o| format!("; bundle written to {}", o.display())),
        c.info.digest
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn sample_in_record(a: &SampleArgs) -> Result<ExitCode> {
    let (mut store, e, _) = a.record.open(true)?;
    let n = a.record.audit_of(&mut store, &e)?;
    let author = a.record.author()?.to_owned();
    let info = store
        .audits(&e)?
        .into_iter()
        .find(|x| x.audit == n)
        .ok_or_else(|| anyhow!("election {e} has no audit {n}"))?;
    match &info.seed {
        None => {
            store.audit_seed(&e, n, &a.seed, &author)?;
        }
        Some(s) if *s != a.seed => bail!(
            "audit {n} was seeded with \"{s}\"; a seed is drawn once, and every round uses it"
        ),
        Some(_) => {}
    }
    let r = store.audit_draw(&e, n, a.draws.map(|d| d as u64), &author)?;
    let mut s = format!(
        "# audit {n} (bundle {}), seed \"{}\", round {}: draws {}..={} (recorded at log entry {})\ndraw,station,ballots\n",
        info.digest,
        a.seed,
        r.round,
        r.from + 1,
        r.from + r.draws.len() as u64,
        r.receipt.log_index + 1
    );
    for (k, station, ballots) in &r.draws {
        s.push_str(&format!("{k},{station},{ballots}\n"));
    }
    s.push_str(&format!("# {} distinct stations to hand-count\n", r.distinct));
    print(&s)?;
    Ok(ExitCode::SUCCESS)
}

/// A station's hand count: (station, lines).
type HandCount = (String, Vec<(String, u64)>);

/// The hand counts of `package` for the drawn stations not yet counted.
fn hand_counts_for(package: &Path, contest_id: &str, pending: &[String]) -> Result<Vec<HandCount>> {
    let hand = load_package(package)?;
    let hc = hand
        .election
        .contest_index(contest_id)
        .ok_or_else(|| anyhow!("the hand-count package has no contest \"{contest_id}\""))?;
    let contest = &hand.election.contests()[hc];
    let mut out = Vec::new();
    for id in pending {
        let Some(row) = hand.tree.index_of(id).and_then(|u| hand.counts[hc].row(u)) else {
            continue;
        };
        let lines: Vec<(String, u64)> = row
            .iter()
            .enumerate()
            .filter_map(|(col, v)| {
                let name = match ashyq_core::line::Line::from_column(col) {
                    ashyq_core::line::Line::Protocol(p) => p.name().to_owned(),
                    ashyq_core::line::Line::Option(j) => contest.options()[j].id.to_string(),
                };
                v.map(|v| (name, v))
            })
            .collect();
        out.push((id.clone(), lines));
    }
    Ok(out)
}

fn evaluate_in_record(a: &EvaluateArgs) -> Result<ExitCode> {
    let (mut store, e, _) = a.record.open(a.hand_count.is_some())?;
    let n = a.record.audit_of(&mut store, &e)?;
    let mut entered = Vec::new();
    if let Some(pkg) = &a.hand_count {
        let author = a.record.author()?.to_owned();
        let before = store.audit_evaluate(&e, n)?;
        let time = store.now().to_string();
        for (station, lines) in hand_counts_for(pkg, &before.info.contest, &before.pending)? {
            store.audit_hand_count(&e, n, &station, &lines, &author, &time).with_context(|| {
                format!("the hand count of {station} in {} was not entered", pkg.display())
            })?;
            entered.push(station);
        }
    }
    let ev = store.audit_evaluate(&e, n)?;
    let info = &ev.info;
    let mut s = format!(
        "# audit {n} of contest {} (bundle {}), committed at log size {}, risk limit {}%\n",
        info.contest, info.digest, info.checkpoint_size, info.risk_limit_percent
    );
    if !entered.is_empty() {
        s.push_str(&format!("hand counts entered: {}\n", entered.join(" ")));
    }
    if !ev.changed_since.is_empty() {
        s.push_str(&format!(
            "note: the official protocols of {} changed after the commitment; the audit covers the committed versions\n",
            ev.changed_since.join(" ")
        ));
    }
    let Some(seed) = &info.seed else {
        s.push_str("no seed yet: draw it in public and run `ashyq audit sample --db … --seed …`\n");
        print(&s)?;
        return Ok(ExitCode::from(1));
    };
    let distinct: std::collections::BTreeSet<&String> = ev.drawn.iter().collect();
    s.push_str(&format!(
        "seed \"{seed}\", {} rounds, {} draws ({} stations), {} hand-counted\n",
        info.rounds.len(),
        ev.drawn.len(),
        distinct.len(),
        info.hand_counts.len()
    ));
    if let Some((risk, result)) = &info.closed {
        s.push_str(&format!("closed: {result}, measured risk {risk}\n"));
    }
    let Some(x) = &ev.evaluation else {
        s.push_str(&format!(
            "waiting for the hand counts of {} drawn stations: {}\n",
            ev.pending.len(),
            ev.pending.join(" ")
        ));
        print(&s)?;
        return Ok(ExitCode::from(1));
    };
    s.push_str(&draws_text(x, &ev.batches, &ev.assertions, &ev.options));
    let code = match &x.next {
        Next::Confirmed => {
            s.push_str(&format!(
                "confirmed: the risk is at most the {}% limit; the reported outcome stands\n",
                info.risk_limit_percent
            ));
            ExitCode::SUCCESS
        }
        Next::MoreDraws(k) => {
            s.push_str(&format!(
                "not yet confirmed: draw {k} more (ashyq audit sample --db … --audit {n} --seed …)\n"
            ));
            ExitCode::from(1)
        }
        Next::FullHandCount(why) => {
            s.push_str(&format!("full hand count: {why}\n"));
            ExitCode::from(1)
        }
    };
    print(&s)?;
    Ok(code)
}

fn close(a: &CloseArgs) -> Result<ExitCode> {
    if a.record.db.is_none() {
        bail!("`ashyq audit close` closes an audit kept in the record: give --db");
    }
    let (mut store, e, _) = a.record.open(true)?;
    let n = a.record.audit_of(&mut store, &e)?;
    let (ev, receipt) = store.audit_close(&e, n, a.record.author()?)?;
    let (risk, result) = ev.info.closed.clone().unwrap_or_default();
    print(&format!(
        "audit {n} of contest {} closed at log entry {}: {}, measured risk {risk} (limit {}%)\n",
        ev.info.contest,
        receipt.log_index + 1,
        if result == "confirmed" {
            "the reported outcome is confirmed"
        } else {
            "a full hand count is required"
        },
        ev.info.risk_limit_percent
    ))?;
    Ok(if result == "confirmed" { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
