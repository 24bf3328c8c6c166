//! `ashyq demo`: the whole chain on the bundled real elections — each official package goes into
//! the record (embedded SQLite by default, signed Merkle log), its legal outcome is computed from
//! the stored protocols, certified, and the record is verified at the end.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ashyq_core::rules::{outcome, OutcomeError, OutcomeOptions};
use ashyq_record::verify::Anchors;
use ashyq_record::VerifierKey;
use ashyq_store::{ImportOptions, OpenMode};

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
    store.set_signer(signer);
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
    // Verify each election against the key and checkpoint the demo itself just saw, as an
    // observer who kept them would.
    let mut findings = Vec::new();
    for id in store.elections()? {
        let key = VerifierKey::parse(&store.verifier_key(&id)?)?;
        let (_, note) = store.latest_checkpoint(&id)?;
        let anchors = Anchors { key: Some(key), checkpoints: vec![("demo".into(), note)] };
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
    Ok(if findings.is_empty() && refused == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
