//! `ashyq demo`: the outcomes of the bundled real elections.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use ashyq_core::rules::outcome;

use super::{load_package, print};

/// Arguments of `ashyq demo`.
#[derive(clap::Args, Debug)]
pub(crate) struct DemoArgs {
    /// Folder of example packages (default: ./examples if present, else the examples/ folder
    /// of the source tree this binary was built from).
    #[arg(long, value_name = "DIR")]
    pub(crate) examples: Option<PathBuf>,
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
        .filter(|p| p.join(ashyq_ingest::ELECTION_FILE).is_file())
        .collect();
    packages.sort();
    if packages.is_empty() {
        bail!("{} holds no election packages", dir.display());
    }
    let mut out = String::new();
    out.push_str(&format!(
        "Ashyq demo: the legal outcome of {} real elections, computed from the official totals in {}\n",
        packages.len(),
        dir.display()
    ));
    for p in &packages {
        let package = load_package(p)?;
        let result = outcome(&package.election, &package.tree, &package.counts)?;
        out.push_str(&"=".repeat(100));
        out.push('\n');
        out.push_str(&format!("Package: {}\n", p.display()));
        out.push_str(&ashyq_report::outcome_text(&package.election, &package.tree, &result));
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}
