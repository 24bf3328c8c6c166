//! `ashyq tally`: totals of every contest at the root of its territory or at every unit of a
//! kind, from a package (fast path of `ashyq_tally`, same semantics as the core's roll-up) or
//! from the record in a database (latest accepted protocol versions, `Store::totals`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use ashyq_tally::{render, tally_counts, tally_package, Scope, TallyError};

use super::print;

/// Output format of `ashyq tally`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum TallyFormat {
    /// Readable text.
    #[default]
    Text,
    /// Long CSV: contest,unit,line,value (an empty value = unknown: some protocol lacks the line).
    Csv,
    /// One JSON document.
    Json,
}

/// Arguments of `ashyq tally`.
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["package", "db"])))]
pub(crate) struct TallyArgs {
    /// The election package folder.
    pub(crate) package: Option<PathBuf>,
    /// Tally the record in a database instead (sqlite:PATH or postgres://…): the latest
    /// accepted version of every protocol.
    #[arg(long, value_name = "URL", conflicts_with = "package")]
    pub(crate) db: Option<String>,
    /// With --db: the election to tally, when the record holds several.
    #[arg(long, value_name = "ID", requires = "db", conflicts_with = "package")]
    pub(crate) election: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TallyFormat::Text)]
    pub(crate) format: TallyFormat,
    /// Report every unit of this kind (a `kind` of units.csv, e.g. region), sorted by unit id,
    /// instead of the root of each contest's territory.
    #[arg(long, value_name = "KIND")]
    pub(crate) by: Option<String>,
}

pub(crate) fn run(args: &TallyArgs) -> Result<ExitCode> {
    let scope = match &args.by {
        Some(kind) => Scope::Kind(kind.clone()),
        None => Scope::Territory,
    };
    let tally = match (&args.package, &args.db) {
        (Some(dir), _) => tally_package(dir, &scope).map_err(|e| match e {
            TallyError::Package(d) => {
                anyhow!("the package {} has problems:\n{}", dir.display(), d.to_string().trim_end())
            }
            other => anyhow!(other),
        })?,
        (None, Some(url)) => {
            let mut store = super::record::open_store(url, ashyq_store::OpenMode::Existing)?;
            let id = store.election_id(args.election.as_deref())?;
            let (election, tree, counts) = store.totals(&id)?;
            tally_counts(&election, &tree, &counts, &scope)?
        }
        (None, None) => bail!("give a package folder or --db URL"),
    };
    let text = match args.format {
        TallyFormat::Csv => render::csv(&tally),
        TallyFormat::Text => render::text(&tally),
        TallyFormat::Json => {
            let v = render::json(&tally, &scope);
            let mut s = serde_json::to_string_pretty(&v)?;
            s.push('\n');
            s
        }
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
