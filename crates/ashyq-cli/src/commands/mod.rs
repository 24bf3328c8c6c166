//! One module per subcommand.

pub(crate) mod allocate;
pub(crate) mod audit;
pub(crate) mod candidate;
pub(crate) mod check;
pub(crate) mod compare;
pub(crate) mod convert;
pub(crate) mod demo;
pub(crate) mod export;
pub(crate) mod forensics;
pub(crate) mod generate;
pub(crate) mod import;
pub(crate) mod log;
pub(crate) mod observe;
pub(crate) mod outcome;
pub(crate) mod party;
pub(crate) mod protocol;
pub(crate) mod publish;
pub(crate) mod pvt;
pub(crate) mod record;
pub(crate) mod register;
pub(crate) mod rules;
pub(crate) mod serve;
pub(crate) mod survey;
pub(crate) mod tally;
pub(crate) mod token;
pub(crate) mod verify;

use std::path::Path;

use anyhow::{anyhow, Result};
use ashyq_package::{read_package, Package};

/// Output format of commands that print results.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Format {
    /// Readable text.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// Reads a package; on problems, the error lists every diagnostic.
pub(crate) fn load_package(dir: &Path) -> Result<Package> {
    read_package(dir).map_err(|d| {
        anyhow!("the package {} has problems:\n{}", dir.display(), d.to_string().trim_end())
    })
}

/// Writes to stdout, turning a closed pipe into an error main() treats as success.
pub(crate) fn print(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
