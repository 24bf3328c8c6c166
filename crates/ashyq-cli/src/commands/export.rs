//! `ashyq export`: write one election's complete record as a self-contained folder that
//! `ashyq verify --record DIR` checks offline.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::print;
use super::record::open_store;

/// Arguments of `ashyq export`.
#[derive(clap::Args, Debug)]
pub(crate) struct ExportArgs {
    /// The record database: `sqlite:PATH` or `postgres://user@host:port/db`.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The folder to write (created if needed): definition, counts, every protocol version,
    /// the log, signed tree heads, the public key, certifications and a README.txt.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// The election to export (needed only when the record holds several).
    #[arg(long, value_name = "ID")]
    pub(crate) election: Option<String>,
}

pub(crate) fn run(args: &ExportArgs) -> Result<ExitCode> {
    let mut store = open_store(&args.db, ashyq_store::OpenMode::Existing)?;
    let e = store.election_id(args.election.as_deref())?;
    store.export(&e, &args.out).with_context(|| format!("cannot export election {e}"))?;
    print(&format!(
        "exported election {e} to {}; check it with: ashyq verify --record {}\n",
        args.out.display(),
        args.out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
