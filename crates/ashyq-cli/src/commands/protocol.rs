//! `ashyq protocol`: enter, correct, double-enter and resolve protocols in the record; show a
//! protocol's history, reporting progress, intraday turnout; certify the totals. Every change is
//! a new version (author, time, reason); nothing is overwritten (law reference §8; peers.md,
//! Abacus double entry).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_store::{Store, StoreError, Submission, Submitted};

use super::import::{load_key, open_store};
use super::print;

/// Arguments of `ashyq protocol`.
#[derive(clap::Args, Debug)]
pub(crate) struct ProtocolArgs {
    #[command(subcommand)]
    pub(crate) action: Action,
}

/// Where the record is and which election.
#[derive(clap::Args, Debug)]
pub(crate) struct Target {
    /// The record: `sqlite:PATH` or `postgres://user@host:port/db`.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The election (needed only when the record holds several).
    #[arg(long, value_name = "ID")]
    pub(crate) election: Option<String>,
}

/// One protocol and who is entering it.
#[derive(clap::Args, Debug)]
pub(crate) struct Entry {
    #[command(flatten)]
    pub(crate) which: Which,
    /// A line and its value, e.g. `--set registered=1200 --set alpha=600` (protocol lines:
    /// registered, ballots_received, ballots_issued, ballots_cancelled, ballots_found, invalid,
    /// not_counted, absentee, mobile; options by their id). Repeat for each line.
    #[arg(long = "set", value_name = "LINE=VALUE", value_parser = parse_set)]
    pub(crate) set: Vec<(String, u64)>,
    /// Who enters it (required).
    #[arg(long)]
    pub(crate) author: String,
    /// When (default: now, UTC).
    #[arg(long)]
    pub(crate) time: Option<String>,
    /// Why (required for corrections).
    #[arg(long, default_value = "")]
    pub(crate) reason: String,
    /// Accept despite errors of the arithmetic checks (recorded with the version).
    #[arg(long = "override")]
    pub(crate) override_errors: bool,
    /// Acknowledge warnings (R4, W1–W3).
    #[arg(long)]
    pub(crate) acknowledge: bool,
    /// The commission's key file: sign the new tree head.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
}

/// Names one protocol.
#[derive(clap::Args, Debug)]
pub(crate) struct Which {
    #[command(flatten)]
    pub(crate) target: Target,
    /// Contest id, e.g. `president`.
    #[arg(long)]
    pub(crate) contest: String,
    /// Unit id: a polling station, or a territorial commission for a summary protocol.
    #[arg(long)]
    pub(crate) unit: String,
}

/// `ashyq protocol` actions.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum Action {
    /// Enter a protocol. It is checked (errors block unless --override, warnings need
    /// --acknowledge); with double entry it waits for a second, independent entry. Exit 1 when
    /// rejected or when the two entries differ.
    Submit(Entry),
    /// Correct a protocol: a new version with the given lines changed, with --reason. Exit 1
    /// when rejected by the checks.
    Correct(Entry),
    /// Resolve two differing entries (coordinator): give --set for every differing line.
    Resolve(Entry),
    /// Show the two entries' differences, field by field. Exit 1 when there are some.
    Diff(Which),
    /// Show every version of a protocol: author, time, reason, values.
    History(Which),
    /// Reporting progress per contest: stations reported of expected, registered voters covered.
    Progress(Target),
    /// Record a station's intraday turnout snapshot (10:00, 12:00, 14:00, 16:00, 18:00, 20:00),
    /// or with no --unit print the snapshots summed up the tree.
    Turnout(TurnoutArgs),
    /// Certify the current totals: store them with the SHA-256 of their inputs (the definition
    /// and every counted protocol version), print the hash and the totals.
    Certify(CertifyArgs),
}

/// Arguments of `ashyq protocol turnout`.
#[derive(clap::Args, Debug)]
pub(crate) struct TurnoutArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The polling station reporting.
    #[arg(long, requires_all = ["hour", "voters", "author"])]
    pub(crate) unit: Option<String>,
    /// Snapshot hour, e.g. 10:00.
    #[arg(long)]
    pub(crate) hour: Option<String>,
    /// Voters who had voted by then.
    #[arg(long)]
    pub(crate) voters: Option<u64>,
    /// Who reports it.
    #[arg(long)]
    pub(crate) author: Option<String>,
}

/// Arguments of `ashyq protocol certify`.
#[derive(clap::Args, Debug)]
pub(crate) struct CertifyArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// When (default: now, UTC).
    #[arg(long)]
    pub(crate) time: Option<String>,
}

fn parse_set(s: &str) -> Result<(String, u64), String> {
    let (l, v) = s.split_once('=').ok_or_else(|| format!("\"{s}\" is not LINE=VALUE"))?;
    let v = v
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("value \"{v}\" of {l} is not a non-negative integer"))?;
    Ok((l.trim().to_owned(), v))
}

fn open(t: &Target) -> Result<(Store, String)> {
    let mut store = open_store(&t.db)?;
    let e = store.election_id(t.election.as_deref())?;
    Ok((store, e))
}

fn submission(e: &Entry) -> Submission {
    Submission {
        contest: e.which.contest.clone(),
        unit: e.which.unit.clone(),
        values: e.set.clone(),
        author: e.author.clone(),
        time: e.time.clone().unwrap_or_else(ashyq_store::now_utc),
        reason: e.reason.clone(),
        override_errors: e.override_errors,
        acknowledge_warnings: e.acknowledge,
    }
}

fn report(res: Result<Submitted, StoreError>, what: &str) -> Result<ExitCode> {
    match res {
        Ok(Submitted::Accepted { version, findings }) => {
            let mut t = format!("{what}: accepted as version {version}\n");
            for f in findings {
                t.push_str(&format!("  accepted with {f}\n"));
            }
            print(&t)?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(Submitted::AwaitingSecondEntry) => {
            print(&format!(
                "{what}: first entry stored; it counts once a second, independent entry agrees\n"
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Ok(Submitted::Differences(d)) => {
            let mut t = format!("{what}: the two entries differ; a coordinator resolves with `ashyq protocol resolve`:\n");
            t.push_str(&differences_text(&d));
            print(&t)?;
            Ok(ExitCode::from(1))
        }
        Err(StoreError::Rejected(f)) => {
            let mut t = format!("{what}: rejected, nothing stored:\n");
            for f in f {
                t.push_str(&format!("  {f}\n"));
            }
            t.push_str("  (--override accepts despite errors, --acknowledge accepts warnings)\n");
            print(&t)?;
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

fn differences_text(d: &[ashyq_store::Difference]) -> String {
    let mut t = String::new();
    for x in d {
        let vals: Vec<String> = x
            .values
            .iter()
            .map(|(a, v)| format!("{a} {}", v.map_or("(empty)".to_owned(), |v| v.to_string())))
            .collect();
        t.push_str(&format!("  {}: {}\n", x.line, vals.join(", ")));
    }
    t
}

pub(crate) fn run(args: &ProtocolArgs) -> Result<ExitCode> {
    match &args.action {
        Action::Submit(e) | Action::Correct(e) | Action::Resolve(e) => {
            let signer = load_key(e.key.as_deref())?;
            let (mut store, id) = open(&e.which.target)?;
            let s = submission(e);
            let what = format!("protocol (contest {}, unit {})", e.which.contest, e.which.unit);
            let res = match &args.action {
                Action::Submit(_) => store.submit(&id, &s, signer.as_ref()),
                Action::Correct(_) => store.correct(&id, &s, signer.as_ref()),
                _ => store.resolve(&id, &s, signer.as_ref()),
            };
            report(res, &what)
        }
        Action::Diff(w) => {
            let (mut store, id) = open(&w.target)?;
            let d = store.differences(&id, &w.contest, &w.unit)?;
            if d.is_empty() {
                print("no differing entries awaiting resolution\n")?;
                return Ok(ExitCode::SUCCESS);
            }
            print(&differences_text(&d))?;
            Ok(ExitCode::from(1))
        }
        Action::History(w) => {
            let (mut store, id) = open(&w.target)?;
            let h = store.history(&id, &w.contest, &w.unit)?;
            let mut t = String::new();
            if h.is_empty() {
                t.push_str("no accepted version yet\n");
            }
            for v in h {
                t.push_str(&format!(
                    "version {} by {} at {}: {}\n",
                    v.version, v.author, v.time, v.reason
                ));
                if !v.findings.is_empty() {
                    t.push_str(&format!("  accepted with findings {}\n", v.findings));
                }
                let vals: Vec<String> = v.values.iter().map(|(l, x)| format!("{l}={x}")).collect();
                t.push_str(&format!("  {}\n", vals.join(" ")));
            }
            print(&t)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Progress(t) => {
            let (mut store, id) = open(t)?;
            let mut s = String::new();
            for p in store.progress(&id)? {
                s.push_str(&format!(
                    "{}: {} of {} stations reported, {} registered voters covered\n",
                    p.contest, p.stations_reported, p.stations_expected, p.registered_reported
                ));
            }
            print(&s)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Turnout(a) => {
            let (mut store, id) = open(&a.target)?;
            if let (Some(unit), Some(hour), Some(voters), Some(author)) =
                (&a.unit, &a.hour, a.voters, &a.author)
            {
                store.record_turnout(&id, unit, hour, voters, author, &ashyq_store::now_utc())?;
                print(&format!("recorded turnout of {unit} at {hour}: {voters}\n"))?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut s = String::from("unit,hour,voters,stations\n");
            for r in store.turnout(&id)? {
                s.push_str(&format!("{},{},{},{}\n", r.unit, r.hour, r.voters, r.stations));
            }
            print(&s)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Certify(a) => {
            let (mut store, id) = open(&a.target)?;
            let time = a.time.clone().unwrap_or_else(ashyq_store::now_utc);
            let c = store.certify(&id, &time).context("cannot certify")?;
            let (election, tree, _) = store.totals(&id)?;
            let options = ashyq_core::rules::OutcomeOptions::default();
            let o = match ashyq_core::rules::outcome(&election, &tree, &c.counts, &options) {
                Err(ashyq_core::rules::OutcomeError::FailedChecks(failed)) => {
                    let mut s = format!("certification {} of election {id}: no outcome, {} protocol check(s) fail with severity error:\n", c.seq, failed.len());
                    for f in &failed {
                        s.push_str(&format!(
                            "  {}\n",
                            ashyq_report::failed_check_line(&election, &tree, f)
                        ));
                    }
                    print(&s)?;
                    return Ok(ExitCode::from(1));
                }
                r => r.context("cannot compute the outcome")?,
            };
            let mut s = format!(
                "certification {} of election {id} at {time}: {} log entries, inputs SHA-256 {}\n\n",
                c.seq, c.log_size, c.inputs_hash
            );
            s.push_str(&c.totals_csv);
            s.push('\n');
            s.push_str(&ashyq_report::outcome_text(&election, &tree, &o));
            print(&s)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
