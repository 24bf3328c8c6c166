//! `ashyq protocol`: enter, correct, double-enter and resolve protocols in the record; show a
//! protocol's history, reporting progress, intraday turnout; certify the totals. Every change is
//! a new version (author, time, reason); nothing is overwritten (law reference §8; peers.md,
//! Abacus double entry).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_store::{StoreError, Submission, Submitted};

use super::print;
use super::record::load_key;
pub(crate) use super::record::Target;

/// Arguments of `ashyq protocol`.
#[derive(clap::Args, Debug)]
pub(crate) struct ProtocolArgs {
    #[command(subcommand)]
    pub(crate) action: Action,
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
    /// When it was entered: RFC 3339 with an offset, e.g. 2023-03-19T21:40:00+05:00 (default:
    /// now). Times in the future are refused; the record stores them in UTC.
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
    /// The commission's key file: every write to a signed record is covered by a new signed
    /// checkpoint, and a signed record accepts writes only with its key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// The counting commission's own protocol key file (`ashyq protocol keygen`): sign the
    /// version this entry creates (for a correction, the corrected protocol as a whole); the
    /// record checks the signature and keeps it in the version's leaf, where `verify` and
    /// anyone holding the leaf can check it. Not with double entry.
    #[arg(long, value_name = "FILE")]
    pub(crate) sign_with: Option<PathBuf>,
}

/// Arguments of `ashyq protocol sign`.
#[derive(clap::Args, Debug)]
pub(crate) struct SignArgs {
    /// The commission's protocol key file (64 hex digits or a PRIVATE+KEY+… note key).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Election id.
    #[arg(long)]
    pub(crate) election: String,
    /// Contest id.
    #[arg(long)]
    pub(crate) contest: String,
    /// Unit id.
    #[arg(long)]
    pub(crate) unit: String,
    /// Every line of the protocol as it will be stored, e.g. `--set registered=1200`.
    #[arg(long = "set", value_name = "LINE=VALUE", value_parser = parse_set, required = true)]
    pub(crate) set: Vec<(String, u64)>,
    /// Print the signed statement (the exact bytes) instead of the JSON.
    #[arg(long)]
    pub(crate) statement: bool,
}

/// Arguments of `ashyq protocol keygen`.
#[derive(clap::Args, Debug)]
pub(crate) struct KeygenArgs {
    /// Where to write the new key (mode 0600; never overwritten).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
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
    /// Enter a protocol that has no version yet, with every line its contest requires. It is
    /// checked (errors block unless --override, warnings need --acknowledge); with double entry
    /// it waits for a second, independent entry. Exit 1 when rejected or when the two entries
    /// differ; a protocol that already has a version is refused (use `correct`).
    Submit(Entry),
    /// Correct a protocol: a new version with the given lines changed, with --reason. Under
    /// double entry a second person must key the same correction. Exit 1 when rejected.
    Correct(Entry),
    /// Resolve two differing entries (a coordinator who keyed neither): give --set for every
    /// differing line.
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
    /// Sign a protocol with a commission's own key, offline: prints
    /// `{"key","signature"}` (base64 Ed25519) for the `signature` of an API submission, over the
    /// statement `ashyq protocol statement v1` + election, contest, unit and every line sorted
    /// by name (see --statement). The record keeps the signature; `verify` checks it.
    Sign(SignArgs),
    /// Create a commission's protocol key file and print its public key (base64), the value of
    /// `ashyq token create --protocol-key`.
    Keygen(KeygenArgs),
    /// Certify the current totals: append them to the log with the SHA-256 of their inputs (the
    /// definition and every counted protocol version), print the hash, the totals and the
    /// outcome.
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
    /// When (RFC 3339; default: now).
    #[arg(long, requires = "unit")]
    pub(crate) time: Option<String>,
    /// The commission's key file (a signed record accepts writes only with its key).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
}

/// Arguments of `ashyq protocol certify`.
#[derive(clap::Args, Debug)]
pub(crate) struct CertifyArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The commission's key file (a signed record accepts writes only with its key).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
}

fn parse_set(s: &str) -> Result<(String, u64), String> {
    let (l, v) = s.split_once('=').ok_or_else(|| format!("\"{s}\" is not LINE=VALUE"))?;
    let v = v
        .trim()
        .parse::<u64>()
        .map_err(|_| format!("value \"{v}\" of {l} is not a non-negative integer"))?;
    Ok((l.trim().to_owned(), v))
}

fn submission(e: &Entry, now: &str) -> Submission {
    Submission {
        signature: None,
        contest: e.which.contest.clone(),
        unit: e.which.unit.clone(),
        values: e.set.clone(),
        author: e.author.clone(),
        time: e.time.clone().unwrap_or_else(|| now.to_owned()),
        reason: e.reason.clone(),
        override_errors: e.override_errors,
        acknowledge_warnings: e.acknowledge,
        idempotency: None,
    }
}

fn report(res: Result<Submitted, StoreError>, what: &str) -> Result<ExitCode> {
    match res {
        Ok(Submitted::Accepted { version, findings, receipt }) => {
            let mut t = format!(
                "{what}: accepted as version {version} (log entry {}, leaf hash {}, log size {})\n",
                receipt.log_index + 1,
                receipt.leaf_hash,
                receipt.tree_size
            );
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
            let signer = load_key(e.key.as_deref(), false)?;
            let (mut store, id) = e.which.target.open()?;
            store.set_signer(signer);
            let mut s = submission(e, store.now().as_str());
            if let Some(path) = &e.sign_with {
                let commission = ashyq_record::Signer::load(path)?;
                // The version this entry creates: for a correction, the current version with
                // the given lines changed.
                let mut lines = match &args.action {
                    Action::Correct(_) => store
                        .history(&id, &e.which.contest, &e.which.unit)?
                        .pop()
                        .map(|v| v.values)
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                for (line, value) in &e.set {
                    match lines.iter_mut().find(|(l, _)| l == line) {
                        Some(slot) => slot.1 = *value,
                        None => lines.push((line.clone(), *value)),
                    }
                }
                let statement = ashyq_record::statement::protocol_statement(
                    &id,
                    &e.which.contest,
                    &e.which.unit,
                    &lines,
                );
                s.signature = Some(commission.sign_protocol(&statement));
            }
            let what = format!("protocol (contest {}, unit {})", e.which.contest, e.which.unit);
            let res = match &args.action {
                Action::Submit(_) => store.submit(&id, &s),
                Action::Correct(_) => store.correct(&id, &s),
                _ => store.resolve(&id, &s),
            };
            report(res, &what)
        }
        Action::Sign(a) => {
            let commission = ashyq_record::Signer::load(&a.key)?;
            let statement = ashyq_record::statement::protocol_statement(
                &a.election,
                &a.contest,
                &a.unit,
                &a.set,
            );
            if a.statement {
                print(&String::from_utf8_lossy(&statement))?;
            } else {
                let sig = commission.sign_protocol(&statement);
                print(&format!(
                    "{}\n",
                    serde_json::json!({"key": sig.key, "signature": sig.signature})
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Keygen(a) => {
            let commission = ashyq_record::Signer::create(&a.out)?;
            print(&format!("{}\n", commission.public_key_base64()))?;
            eprintln!(
                "protocol key written to {} (mode 0600); the line above is its public key: register it with `ashyq token create --role commission --protocol-key KEY …`",
                a.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Action::Diff(w) => {
            let (mut store, id) = w.target.open()?;
            let d = store.differences(&id, &w.contest, &w.unit)?;
            if d.is_empty() {
                print("no differing entries awaiting resolution\n")?;
                return Ok(ExitCode::SUCCESS);
            }
            print(&differences_text(&d))?;
            Ok(ExitCode::from(1))
        }
        Action::History(w) => {
            let (mut store, id) = w.target.open()?;
            let h = store.history(&id, &w.contest, &w.unit)?;
            let mut t = String::new();
            if h.is_empty() {
                t.push_str("no accepted version yet\n");
            }
            for v in h {
                t.push_str(&format!(
                    "version {} by {} at {} (log entry {}): {}\n",
                    v.version,
                    v.author,
                    v.time,
                    v.log_index + 1,
                    v.reason
                ));
                if !v.findings.is_empty() {
                    t.push_str(&format!("  accepted with findings {}\n", v.findings.join(",")));
                }
                let vals: Vec<String> = v.values.iter().map(|(l, x)| format!("{l}={x}")).collect();
                t.push_str(&format!("  {}\n", vals.join(" ")));
                if let Some(sig) = &v.signature {
                    t.push_str(&format!(
                        "  signed by the commission's own key {} (checked on entry and by verify)\n",
                        sig.key
                    ));
                }
            }
            print(&t)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Progress(t) => {
            let (mut store, id) = t.open()?;
            let mut s = String::new();
            for p in store.progress(&id)? {
                s.push_str(&format!(
                    "{}: {} of {} protocols reported, {} registered voters covered\n",
                    p.contest, p.reported, p.expected, p.registered_reported
                ));
            }
            print(&s)?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Turnout(a) => {
            let signer = load_key(a.key.as_deref(), false)?;
            let (mut store, id) = a.target.open()?;
            store.set_signer(signer);
            if let (Some(unit), Some(hour), Some(voters), Some(author)) =
                (&a.unit, &a.hour, a.voters, &a.author)
            {
                let time = a.time.clone().unwrap_or_else(|| store.now().to_string());
                let findings = store.record_turnout(&id, unit, hour, voters, author, &time)?;
                let mut t = format!("recorded turnout of {unit} at {hour}: {voters}\n");
                for f in &findings {
                    t.push_str(&match f.as_str() {
                        "T1" => "  flagged T1: fewer voters than an earlier snapshot reported (turnout cannot decrease over the day)\n".to_owned(),
                        "T2" => "  flagged T2: more voters than the station's protocol has registered\n".to_owned(),
                        other => format!("  flagged {other}\n"),
                    });
                }
                print(&t)?;
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
            let signer = load_key(a.key.as_deref(), false)?;
            let (mut store, id) = a.target.open()?;
            store.set_signer(signer);
            let c = match store.certify(&id) {
                Err(StoreError::Rejected(failed)) => {
                    let mut s = format!("election {id} is not certified: {} protocol check(s) fail with severity error, and the law's own arithmetic rejects these counts:\n", failed.len());
                    for f in &failed {
                        s.push_str(&format!("  {f}\n"));
                    }
                    print(&s)?;
                    return Ok(ExitCode::from(1));
                }
                r => r.context("cannot certify")?,
            };
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
                "certification {} of election {id} at {}: covers {} log entries, inputs SHA-256 {}; it is log entry {}\n\n",
                c.seq,
                c.at,
                c.log_size,
                c.inputs_hash,
                c.receipt.log_index + 1
            );
            s.push_str(&c.totals_csv);
            s.push('\n');
            s.push_str(&ashyq_report::outcome_text(&election, &tree, &o));
            print(&s)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
