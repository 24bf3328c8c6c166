//! `ashyq import`: an election package into the record (SQLite or PostgreSQL); station-level
//! counts become protocols, version 1, in one transaction, every one a leaf of the election's
//! Merkle log; with the commission's key, a signed C2SP checkpoint covers them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_store::{ImportOptions, OpenMode};

use super::record::{load_key, open_store, progress_bar};
use super::{load_package, print};

/// Arguments of `ashyq import`.
#[derive(clap::Args, Debug)]
pub(crate) struct ImportArgs {
    /// The election package folder (election.toml, units.csv, counts.csv).
    pub(crate) package: PathBuf,
    /// The record: `sqlite:PATH` (created if absent) or `postgres://user@host:port/db`.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The commission's Ed25519 key file; created (mode 0600) if absent. With a key, every
    /// write is covered by a signed checkpoint and the record accepts writes only with this key;
    /// the record keeps only the verifier key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Protocols submitted later need two independent entries (`ashyq protocol submit` by two
    /// different authors; differences are resolved with `ashyq protocol resolve`).
    #[arg(long)]
    pub(crate) double_entry: bool,
    /// The log's origin, the first line of every checkpoint and the name of the verifier key
    /// (default `ashyq/ELECTION`), e.g. `election.gov.kz/2023-mazhilis`.
    #[arg(long, value_name = "ORIGIN")]
    pub(crate) origin: Option<String>,
}

pub(crate) fn run(args: &ImportArgs) -> Result<ExitCode> {
    let package = load_package(&args.package)?;
    let signer = load_key(args.key.as_deref(), true)?;
    let mut store = open_store(&args.db, OpenMode::Create)?;
    store.set_signer(signer);
    let opts = ImportOptions { double_entry: args.double_entry, origin: args.origin.clone() };
    let total: u64 = package.counts.iter().map(|c| c.len() as u64).sum();
    let bar = progress_bar(total, "importing");
    let s = store
        .import(&package.election, &package.tree, &package.counts, &opts, &mut |done, _| {
            bar.set_position(done)
        })
        .with_context(|| format!("cannot import {}", args.package.display()))?;
    bar.finish_and_clear();
    let mut text = format!(
        "stored {} protocols of election {} in {} (log size {}, {})\n",
        s.protocols,
        s.election,
        args.db,
        s.log_size,
        if s.checkpoint.is_some() { "checkpoint signed" } else { "not signed: no --key" }
    );
    if s.protocols_with_findings > 0 {
        text.push_str(&format!(
            "{} imported protocols fail arithmetic checks; their codes are kept with each version (`ashyq check {}` lists them)\n",
            s.protocols_with_findings,
            args.package.display()
        ));
    }
    if let Some(note) = &s.checkpoint {
        text.push_str(&format!("\nsigned checkpoint (publish it; `ashyq verify --checkpoint FILE` checks the record still extends it):\n{note}"));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
