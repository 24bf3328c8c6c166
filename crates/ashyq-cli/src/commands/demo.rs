//! `ashyq demo`: the whole chain on the bundled real elections, then the dashboard.
//!
//! Each official package goes into the record (embedded SQLite by default, signed Merkle log),
//! its legal outcome is computed from the stored protocols, certified, and the record is
//! verified at the end. A generated station-level Kazakhstan-shaped election (`ashyq generate`,
//! labelled synthetic, with a little injected ballot stuffing and rounding so the integrity
//! page has something to find) joins them as an election night in progress: a few stations
//! have not reported yet, and the printed command submits one of them through the API. Then
//! the server starts (a free local port unless `--addr`) and the address is printed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use ashyq_core::counts::ContestCounts;
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::rules::{outcome, OutcomeError, OutcomeOptions};
use ashyq_record::verify::Anchors;
use ashyq_record::VerifierKey;
use ashyq_store::{ImportOptions, OpenMode, Role, Signer, Store};

use super::record::{load_key, open_store};
use super::{load_package, print};

/// Arguments of `ashyq demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// Folder of example packages (default: ./examples if present, else the examples/ folder
    /// of the source tree this binary was built from).
    #[arg(long, value_name = "DIR")]
    pub(crate) examples: Option<PathBuf>,
    /// The record to fill: `sqlite:PATH` (created if absent) or `postgres://…`. Elections
    /// already in it are reused, so the demo can run again.
    #[arg(long, value_name = "URL", default_value = "sqlite:./ashyq-demo.db")]
    pub(crate) db: String,
    /// The commission's Ed25519 key file that signs the record's tree heads (created if absent).
    #[arg(long, value_name = "FILE", default_value = "ashyq-demo.key")]
    pub(crate) key: PathBuf,
    /// Where the dashboard listens (default: a free port on 127.0.0.1, printed).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    pub(crate) addr: SocketAddr,
    /// Polling stations of the generated station-level election (Kazakhstan has ~10,000).
    #[arg(long, default_value_t = 10_000)]
    pub(crate) stations: u64,
    /// Seed of the generated election.
    #[arg(long, default_value_t = 2023)]
    pub(crate) seed: u64,
    /// Stations of the generated election that have not reported yet (the night in progress).
    #[arg(long, default_value_t = 20)]
    pub(crate) pending: u64,
    /// Record, certify and verify, print, and exit without starting the dashboard.
    #[arg(long)]
    pub(crate) no_serve: bool,
}

fn examples_dir(arg: &Option<PathBuf>) -> PathBuf {
    if let Some(p) = arg {
        return p.clone();
    }
    let here = PathBuf::from("examples");
    if here.is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

pub(crate) fn run(args: &DemoArgs) -> Result<ExitCode> {
    let dir = examples_dir(&args.examples);
    let mut packages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list the examples folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(ashyq_package::ELECTION_FILE).is_file())
        .collect();
    packages.sort();
    if packages.is_empty() {
        bail!("{} holds no election packages", dir.display());
    }
    let signer = load_key(Some(&args.key), true)?;
    let mut store = open_store(&args.db, OpenMode::Create)?;
    store.set_signer(signer.clone());
    let known = store.elections()?;
    let mut out = format!(
        "Ashyq demo: {} real elections from the official totals in {}, recorded in {}\n",
        packages.len(),
        dir.display(),
        args.db
    );
    let mut refused = 0usize;
    for p in &packages {
        let package = load_package(p)?;
        let id = package.election.id().to_string();
        let imported = if known.contains(&id) {
            "already in the record".to_owned()
        } else {
            let opts = ImportOptions::default();
            let s = store
                .import(&package.election, &package.tree, &package.counts, &opts, &mut |_, _| {})
                .with_context(|| format!("cannot import {}", p.display()))?;
            format!(
                "{} protocols recorded, log size {}, checkpoint signed",
                s.protocols, s.log_size
            )
        };
        // The outcome is computed from what the record holds, not from the files.
        let (election, tree, counts) = store.totals(&id)?;
        out.push_str(&"=".repeat(100));
        out.push('\n');
        out.push_str(&format!("Package: {} ({imported})\n", p.display()));
        // No winner is declared from counts that fail an error check.
        let result = match outcome(&election, &tree, &counts, &OutcomeOptions::default()) {
            Ok(r) => r,
            Err(OutcomeError::FailedChecks(failed)) => {
                refused += 1;
                out.push_str(&format!(
                    "No outcome: {} protocol check(s) fail with severity error, so the law's own arithmetic rejects these counts (not certified):\n",
                    failed.len()
                ));
                for f in &failed {
                    out.push_str(&format!(
                        "  {}\n",
                        ashyq_report::failed_check_line(&election, &tree, f)
                    ));
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let certification = store.certify(&id)?;
        out.push_str(&ashyq_report::outcome_text(&election, &tree, &result));
        out.push_str(&format!("Certified: SHA-256 of the inputs {}\n", certification.inputs_hash));
        out.push_str(&format!(
            "  certification {} covers log entries 1–{} and is itself log entry {}\n",
            certification.seq,
            certification.log_size,
            certification.receipt.log_index + 1
        ));
    }
    let synthetic = synthetic_election(&mut store, args, &known)?;
    out.push_str(&"=".repeat(100));
    out.push('\n');
    out.push_str(&synthetic.summary);
    // Verify each election against the key and checkpoint the demo itself just saw, as an
    // observer who kept them would.
    let mut findings = Vec::new();
    for id in store.elections()? {
        let key = VerifierKey::parse(&store.verifier_key(&id)?)?;
        let (_, note) = store.latest_checkpoint(&id)?;
        let anchors = Anchors {
            key: Some(key),
            checkpoints: vec![("demo".into(), note)],
            ..Default::default()
        };
        for (_, v) in store.verify(Some(&id), &anchors)? {
            findings.extend(v.problems);
        }
    }
    out.push_str(&"=".repeat(100));
    out.push('\n');
    if findings.is_empty() {
        out.push_str(&format!(
            "Record verified: every leaf, Merkle root, checkpoint signature and certified total in {} recomputes exactly against the commission's key (`ashyq verify --db {} --verifier-key KEY --checkpoint FILE`).\n",
            args.db, args.db
        ));
    } else {
        for f in &findings {
            out.push_str(&format!("verify: {f}\n"));
        }
    }
    print(&out)?;
    let code =
        if findings.is_empty() && refused == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) };
    if args.no_serve {
        return Ok(code);
    }
    let token = store
        .create_token(Role::Cec, None, Some(&synthetic.id), "ashyq demo")
        .context("cannot create the demo's API token")?
        .0;
    drop(store);
    serve(args, signer, &synthetic, &token)
}

/// The generated election as recorded.
struct Synthetic {
    /// Its id.
    id: String,
    /// What the demo prints about it.
    summary: String,
    /// A pending station and its protocol as the API takes it (JSON), if any is pending.
    pending_example: Option<(String, String)>,
}

/// Collects the generator's rows in memory.
struct CountsSink<'a> {
    election: &'a ashyq_core::election::Election,
    tree: &'a ashyq_core::units::UnitTree,
    counts: Vec<ContestCounts>,
    stuffed: u64,
    rounded: u64,
}

impl ashyq_generate::Sink for CountsSink<'_> {
    type Error = anyhow::Error;
    fn count(&mut self, contest: &str, unit: &str, line: &str, value: u64) -> Result<()> {
        let c = self.election.contest_index(contest).context("generated contest")?;
        let u = self.tree.index_of(unit).context("generated unit")?;
        let l = match ProtocolLine::from_name(line) {
            Some(p) => Line::Protocol(p),
            None => Line::Option(
                self.election.contests()[c].option_index(line).context("generated option")?,
            ),
        };
        self.counts[c].set(u, l, value)?;
        Ok(())
    }
    fn truth(&mut self, _station: &str, stuffed: bool, rounded: bool) -> Result<()> {
        self.stuffed += u64::from(stuffed);
        self.rounded += u64::from(rounded);
        Ok(())
    }
}

/// Enters the generated protocols as an election night would: every station's protocols
/// (all contests) submitted together, stations in a fixed pseudo-random order, their entry
/// times spread from 20:00 to 04:00 (UTC+05:00) after the election day, most around midnight,
/// in batches (the
/// group commit of `Store::submit_many`), so the record holds a realistic reporting curve. The
/// generator does not model absentee or mobile voting: those lines are entered as 0, which a
/// submission needs (law digest §8.1). Warnings are acknowledged (the injected stuffing trips
/// the plausibility heuristics); a protocol that fails an error check is not entered and is
/// counted in the summary.
fn election_night(
    store: &mut Store,
    id: &str,
    election: &ashyq_core::election::Election,
    tree: &ashyq_core::units::UnitTree,
    recorded: &[ContestCounts],
) -> Result<String> {
    let mut stations: Vec<usize> =
        (0..tree.len()).filter(|&u| recorded.iter().any(|cc| cc.row(u).is_some())).collect();
    stations.sort_by_key(|&u| ((u as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17), u));
    let start = ashyq_record::Timestamp::parse(&format!("{}T20:00:00+05:00", election.date()))
        .map_err(anyhow::Error::msg)?
        .unix();
    // Never in the future (a record refuses entry times ahead of its clock).
    let night = 8 * 3600;
    let start = start.min(store.now().unix() - night - 60);
    let n = stations.len().max(1) as i64;
    // The precinct commissions of one region (Almaty city when the map has it) sign their
    // protocols with their own keys, so the station pages have signatures to check. Demo keys
    // are derived from the station id: anyone can recompute them, which is fine for a demo and
    // never for a real commission (`ashyq protocol keygen` draws a key from the system).
    let signing_region = tree
        .index_of("KZ-ALA")
        .or_else(|| (0..tree.len()).find(|&u| tree.unit(u).parent.is_some()));
    let demo_key = |unit: &str| {
        use sha2::Digest as _;
        let seed: [u8; 32] =
            sha2::Sha256::digest(format!("ashyq demo commission key\0{unit}").as_bytes()).into();
        Signer::from_seed(seed)
    };
    let mut signed = 0u64;
    let mut batch: Vec<ashyq_store::Submission> = Vec::new();
    let (mut accepted, mut refused, mut warned) = (0u64, 0u64, 0u64);
    let mut flush = |store: &mut Store, batch: &mut Vec<ashyq_store::Submission>| -> Result<()> {
        for r in store.submit_many(id, batch)? {
            match r {
                Ok(ashyq_store::Submitted::Accepted { findings, .. }) => {
                    accepted += 1;
                    warned += u64::from(!findings.is_empty());
                }
                _ => refused += 1,
            }
        }
        batch.clear();
        Ok(())
    };
    for (k, &u) in stations.iter().enumerate() {
        // Few protocols early and late, most around midnight: the k-th arrives at g(k/n) of the
        // night, g(x) = x + 0.6 sin(2πx)/2π (increasing; steepest at the ends).
        let x = k as f64 / n as f64;
        let g = x + 0.6 * (2.0 * std::f64::consts::PI * x).sin() / (2.0 * std::f64::consts::PI);
        let at = ashyq_record::Timestamp::from_unix(start + (night as f64 * g) as i64)
            .map_err(anyhow::Error::msg)?;
        for (contest, cc) in election.contests().iter().zip(recorded) {
            let Some(row) = cc.row(u) else { continue };
            let values = submission_lines(contest, row);
            let unit = tree.unit(u).id.to_string();
            let signature = signing_region.filter(|&r| tree.is_within(u, r)).map(|_| {
                signed += 1;
                demo_key(&unit).sign_protocol(&ashyq_record::statement::protocol_statement(
                    id,
                    contest.id().as_str(),
                    &unit,
                    &values,
                ))
            });
            batch.push(ashyq_store::Submission {
                contest: contest.id().to_string(),
                author: format!("PEC {unit}"),
                unit,
                values,
                time: at.to_string(),
                acknowledge_warnings: true,
                signature,
                ..Default::default()
            });
        }
        if batch.len() >= 1000 {
            flush(store, &mut batch)?;
        }
    }
    flush(store, &mut batch)?;
    let state = store.log_state(id)?;
    Ok(format!(
        "{accepted} protocols entered as an election night (20:00–04:00, UTC+05:00), {signed} of them signed by their precinct commissions' own keys (demo keys derived from the station ids){}{}, log size {}, checkpoints signed",
        if warned > 0 { format!(", {warned} with acknowledged warnings") } else { String::new() },
        if refused > 0 { format!(", {refused} refused by the checks") } else { String::new() },
        state.size
    ))
}

/// A generated protocol as a submission carries it: every present line, and absentee and
/// mobile voting as 0 (a submission carries every line the law requires, law digest §8.1; the
/// generator does not model either).
fn submission_lines(
    contest: &ashyq_core::election::Contest,
    row: &[Option<u64>],
) -> Vec<(String, u64)> {
    let mut values = ashyq_record::certify::row_lines(contest, row);
    for line in [ProtocolLine::Absentee, ProtocolLine::Mobile] {
        if !values.iter().any(|(l, _)| l == line.name()) {
            values.push((line.name().to_owned(), 0));
        }
    }
    values
}

/// Records the generated station-level election, leaving `--pending` stations unreported.
fn synthetic_election(store: &mut Store, args: &DemoArgs, known: &[String]) -> Result<Synthetic> {
    let params = ashyq_generate::Params {
        stations: args.stations,
        seed: args.seed,
        stuffing: 0.03,
        rounding: 0.01,
        contests: vec![ashyq_generate::Preset::President, ashyq_generate::Preset::Mazhilis],
        ..Default::default()
    };
    let generator = ashyq_generate::Generator::new(&params)?;
    let (election, tree) = (generator.election(), generator.tree());
    let id = election.id().to_string();
    let mut sink = CountsSink {
        election,
        tree,
        counts: election.contests().iter().map(ContestCounts::new).collect(),
        stuffed: 0,
        rounded: 0,
    };
    generator.run(&mut sink, |_| {})?;
    // Every k-th station has not reported yet, spread over the country.
    let stations: Vec<usize> = (0..tree.len()).filter(|&u| tree.children(u).is_empty()).collect();
    let pending: Vec<usize> = if args.pending == 0 || stations.is_empty() {
        Vec::new()
    } else {
        let step =
            (stations.len() as u64 / args.pending.min(stations.len() as u64)).max(1) as usize;
        stations.iter().copied().step_by(step).take(args.pending as usize).collect()
    };
    let mut recorded: Vec<ContestCounts> = Vec::new();
    for (contest, cc) in election.contests().iter().zip(&sink.counts) {
        let mut keep = ContestCounts::new(contest);
        for (u, row) in cc.rows() {
            if pending.binary_search(&u).is_ok() {
                continue;
            }
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    keep.set(u, Line::from_column(col), *v)?;
                }
            }
        }
        recorded.push(keep);
    }
    let imported = if known.contains(&id) {
        "recorded by an earlier run".to_owned()
    } else {
        let empty: Vec<ContestCounts> =
            election.contests().iter().map(ContestCounts::new).collect();
        store
            .import(election, tree, &empty, &ImportOptions::default(), &mut |_, _| {})
            .with_context(|| format!("cannot record the generated election {id}"))?;
        let night = election_night(store, &id, election, tree, &recorded)?;
        let copies = record_observer_copies(store, &id, election, tree, &recorded[0])?;
        format!("{night}; {copies}")
    };
    // A pending station's protocol (first contest) as the API takes it, for the printed example.
    let pending_example = pending.first().and_then(|&u| {
        let contest = &election.contests()[0];
        let row = sink.counts[0].row(u)?;
        let lines: serde_json::Map<String, serde_json::Value> =
            submission_lines(contest, row).into_iter().map(|(l, v)| (l, v.into())).collect();
        let unit = tree.unit(u).id.to_string();
        let body =
            serde_json::json!({"contest": contest.id().as_str(), "unit": unit, "lines": lines});
        Some((unit, body.to_string()))
    });
    let summary = format!(
        "Synthetic election {id} ({imported}): NOT real data, generated with `ashyq generate --stations {} --seed {} --stuffing 0.03 --rounding 0.01`; ballot stuffing injected at {} stations and integer-percentage rounding at {} (the integrity pages look for them); {} of {} polling stations reported, {} still to come.\n",
        args.stations,
        args.seed,
        sink.stuffed,
        sink.rounded,
        stations.len() - pending.len(),
        stations.len(),
        pending.len(),
    );
    Ok(Synthetic { id, summary, pending_example })
}

/// Records a synthetic observer group's copies of the first contest's protocols at 40 stations,
/// most matching the official protocol and every tenth with 50 votes moved from the leader to the
/// runner-up (as a falsified official protocol would look against an honest copy), so that the
/// station pages and `ashyq compare --db` have mismatches to show. Returns what it did, for the
/// summary.
fn record_observer_copies(
    store: &mut Store,
    id: &str,
    election: &ashyq_core::election::Election,
    tree: &ashyq_core::units::UnitTree,
    counts: &ContestCounts,
) -> Result<String> {
    let contest = &election.contests()[0];
    let n_options = contest.options().len();
    let mut copies = Vec::new();
    for (k, (u, row)) in counts.rows().take(40).enumerate() {
        let mut values = ashyq_record::certify::row_lines(contest, row);
        if k % 10 == 9 && n_options >= 2 {
            let (lead, second) =
                (contest.options()[0].id.as_str(), contest.options()[1].id.as_str());
            let moved = values.iter().find(|(l, _)| l == lead).map_or(0, |(_, v)| (*v).min(50));
            for (l, v) in values.iter_mut() {
                if l == lead {
                    *v -= moved;
                } else if l == second {
                    *v += moved;
                }
            }
        }
        copies.push(ashyq_store::ObservationInput {
            contest: contest.id().to_string(),
            unit: tree.unit(u).id.to_string(),
            observer: "demo-observers".into(),
            values,
            photo_sha256: None,
            author: "demo observer group (synthetic)".into(),
            time: store.now().to_string(),
            reason: String::new(),
            idempotency: None,
        });
    }
    match store.observe_all(id, &copies)? {
        Ok(stored) => Ok(format!(
            "{} observer copies recorded (synthetic: every tenth differs from the official protocol)",
            stored.len()
        )),
        Err(refused) => anyhow::bail!(
            "the demo's observer copies were refused: {}",
            refused.iter().map(|(i, e)| format!("copy {}: {e}", i + 1)).collect::<Vec<_>>().join("; ")
        ),
    }
}

/// Starts the dashboard and the API on `--addr` and prints where.
fn serve(
    args: &DemoArgs,
    signer: Option<Arc<Signer>>,
    synthetic: &Synthetic,
    token: &str,
) -> Result<ExitCode> {
    let mut config = ashyq_server::Config::new(&args.db);
    config.signer = signer;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    // Opened before the runtime starts: the synchronous PostgreSQL client runs its own.
    let state = ashyq_server::AppState::open(&config)
        .with_context(|| format!("cannot open the record {}", config.db))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let served = state.clone();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let local = listener.local_addr()?;
        let mut banner = format!(
            "\nThe dashboard is at http://{local}/  (Kazakh by default; ?lang=ru, ?lang=en)\nThe election night in progress: http://{local}/e/{}\n",
            synthetic.id
        );
        if let Some((unit, body)) = &synthetic.pending_example {
            banner.push_str(&format!(
                "Submit the protocol of station {unit} and watch the pages update:\n  curl -X POST http://{local}/api/v1/elections/{}/protocols -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' -d '{body}'\n",
                synthetic.id
            ));
        }
        banner.push_str(&format!("API token (cec, this election only): {token}\nCtrl-C stops.\n"));
        // A reader that stops listening must not stop the server.
        use std::io::Write as _;
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{banner}");
        let _ = stdout.flush();
        ashyq_server::serve(served, &config, listener).await.context("the server stopped")
    })?;
    drop(rt);
    drop(state);
    Ok(ExitCode::SUCCESS)
}
