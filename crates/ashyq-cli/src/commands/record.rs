//! What every command on the record shares: opening it, the commission's key, the progress bar.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use ashyq_store::{OpenMode, Signer, Store};

/// Where the record is and which election.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct Target {
    /// The record: `sqlite:PATH` or `postgres://user@host:port/db`.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The election (needed only when the record holds several).
    #[arg(long, value_name = "ID")]
    pub(crate) election: Option<String>,
}

impl Target {
    /// Opens the existing record (creating nothing) and resolves the election.
    pub(crate) fn open(&self) -> Result<(Store, String)> {
        let mut store = open_store(&self.db, OpenMode::Existing)?;
        let e = store.election_id(self.election.as_deref())?;
        Ok((store, e))
    }
}

/// Opens a record with the system clock, naming the URL in errors. Only `import` and `demo`
/// may create one; every other command opens an existing record.
pub(crate) fn open_store(url: &str, mode: OpenMode) -> Result<Store> {
    Store::open(url, mode, ashyq_store::system_clock())
        .with_context(|| format!("cannot open the record {url}"))
}

/// Loads the commission's key file (`create`: make a new key when the file is absent).
pub(crate) fn load_key(path: Option<&Path>, create: bool) -> Result<Option<Arc<Signer>>> {
    let Some(p) = path else { return Ok(None) };
    let s = if create { Signer::load_or_create(p) } else { Signer::load(p) };
    Ok(Some(Arc::new(s.map_err(anyhow::Error::from)?)))
}

/// A progress bar on stderr for `total` protocols (hidden when stderr is not a terminal).
pub(crate) fn progress_bar(total: u64, what: &str) -> indicatif::ProgressBar {
    let b = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:40}] {pos}/{len} protocols ({per_sec}, {eta} left)",
    ) {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_message(what.to_owned());
    b
}
