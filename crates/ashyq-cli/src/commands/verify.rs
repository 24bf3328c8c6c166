//! `ashyq verify`: recompute every hash, signature and certified total of the record (in a
//! database, or an exported folder offline) and name whatever was altered, deleted or reordered.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::import::open_store;
use super::print;

/// Arguments of `ashyq verify`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").args(["db", "record"])))]
pub(crate) struct VerifyArgs {
    /// The record database: `sqlite:PATH` or `postgres://user@host:port/db` (default
    /// sqlite:./ashyq.db).
    #[arg(long, value_name = "URL", env = "ASHYQ_DB")]
    pub(crate) db: Option<String>,
    /// An exported record folder (`ashyq export`), checked offline without any database.
    #[arg(long, value_name = "DIR")]
    pub(crate) record: Option<PathBuf>,
}

pub(crate) fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let (what, findings) = match &args.record {
        Some(dir) => (
            dir.display().to_string(),
            ashyq_store::verify_record(dir)
                .with_context(|| format!("cannot verify {}", dir.display()))?,
        ),
        None => {
            let url = args.db.clone().unwrap_or_else(|| ashyq_store::DEFAULT_URL.to_owned());
            if let Some(path) = url.strip_prefix("sqlite:") {
                if !std::path::Path::new(path).exists() {
                    anyhow::bail!("the record {url} does not exist");
                }
            }
            let mut store = open_store(&url)?;
            (url, store.verify()?)
        }
    };
    if findings.is_empty() {
        print(&format!(
            "{what}: the record is intact: every hash, signature and certified total recomputes\n"
        ))?;
        Ok(ExitCode::SUCCESS)
    } else {
        let mut text = String::new();
        for f in &findings {
            text.push_str(f);
            text.push('\n');
        }
        print(&text)?;
        Ok(ExitCode::from(1))
    }
}
