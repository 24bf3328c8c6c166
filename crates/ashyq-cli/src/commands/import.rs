//! `ashyq import`: an election package into the record (SQLite or PostgreSQL); station-level
//! counts become protocols, version 1, in one transaction.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_store::{ImportOptions, Signer, Store};

use super::{load_package, print};

/// Arguments of `ashyq import`.
#[derive(clap::Args, Debug)]
pub(crate) struct ImportArgs {
    /// The election package folder (election.toml, units.csv, counts.csv).
    pub(crate) package: PathBuf,
    /// The record: `sqlite:PATH` (created if absent) or `postgres://user@host:port/db`.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The commission's Ed25519 key file; created (mode 0600) if absent. With a key, the log's
    /// tree head is signed; the record keeps only the public key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Protocols submitted later need two independent entries (`ashyq protocol submit` by two
    /// different authors; differences are resolved with `ashyq protocol resolve`).
    #[arg(long)]
    pub(crate) double_entry: bool,
}

/// Opens a store, naming the URL in errors.
pub(crate) fn open_store(url: &str) -> Result<Store> {
    Store::open(url).with_context(|| format!("cannot open the record {url}"))
}

/// Loads the key file if one is given.
pub(crate) fn load_key(path: Option<&Path>) -> Result<Option<Signer>> {
    path.map(|p| Signer::load_or_create(p).map_err(anyhow::Error::from)).transpose()
}

pub(crate) fn run(args: &ImportArgs) -> Result<ExitCode> {
    let package = load_package(&args.package)?;
    let signer = load_key(args.key.as_deref())?;
    let mut store = open_store(&args.db)?;
    let opts = ImportOptions { double_entry: args.double_entry, progress: true };
    let s = store
        .import(&package.election, &package.tree, &package.counts, &opts, signer.as_ref())
        .with_context(|| format!("cannot import {}", args.package.display()))?;
    let mut text = format!(
        "stored {} protocols of election {} in {} (log size {}, tree head {})\n",
        s.protocols,
        s.election,
        args.db,
        s.log_size,
        if s.signed { "signed" } else { "not signed: no --key" }
    );
    if s.protocols_with_findings > 0 {
        text.push_str(&format!(
            "{} imported protocols fail arithmetic checks; their codes are kept with each version (`ashyq check {}` lists them)\n",
            s.protocols_with_findings,
            args.package.display()
        ));
    }
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
