//! `ashyq publish`: static snapshots of every public document for any web server or CDN
//! (crates/ashyq-server/src/publish.rs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use ashyq_server::publish::{publish, PublishOptions};
use ashyq_store::OpenMode;

use super::record::{open_store, progress_bar};
use super::Format as OutputFormat;

/// Arguments of `ashyq publish`.
#[derive(clap::Args, Debug)]
pub(crate) struct PublishArgs {
    /// The record: `sqlite:PATH` or `postgres://user@host:port/db`.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The folder to publish into (created if absent): versions go under OUT/v/, the pointer
    /// to the newest is OUT/current.json.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Publish only this election (repeatable; default: every election in the record).
    #[arg(long, value_name = "ID")]
    pub(crate) election: Vec<String>,
    /// Per-unit result files only down to this depth below each contest's territory (0: the
    /// territory only, 1: and its regions …; default: every unit down to the polling stations).
    #[arg(long, value_name = "N")]
    pub(crate) depth: Option<usize>,
    /// Also write each polling station's protocol with its version history and inclusion proof.
    #[arg(long)]
    pub(crate) protocols: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) format: OutputFormat,
}

pub(crate) fn run(args: &PublishArgs) -> Result<ExitCode> {
    let mut store = open_store(&args.db, OpenMode::Existing)?;
    let options = PublishOptions {
        elections: args.election.clone(),
        depth: args.depth,
        protocols: args.protocols,
        now: store.now().to_string(),
    };
    let bar = progress_bar(0, "publishing");
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} unit documents ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let p = publish(&mut store, &args.out, &options, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .with_context(|| format!("cannot publish into {}", args.out.display()))?;
    bar.finish_and_clear();
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&p)?),
        OutputFormat::Text => {
            let dir = args.out.join(&p.current.path);
            if p.new_version {
                println!(
                    "published version {} at {}: {} files, {} bytes ({} unchanged files linked to the previous version)",
                    p.current.version,
                    dir.display(),
                    p.files,
                    p.bytes,
                    p.linked
                );
            } else {
                println!(
                    "version {} at {} is already published: the record has not changed",
                    p.current.version,
                    dir.display()
                );
            }
            for e in &p.current.elections {
                println!("  {}: log size {}, root {}", e.id, e.tree_size, e.root_hash);
            }
            println!("pointer: {}", args.out.join("current.json").display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
