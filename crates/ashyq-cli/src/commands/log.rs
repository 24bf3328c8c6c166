//! `ashyq log`: the record's log for outsiders — the commission's verifier key, the latest
//! signed checkpoint (C2SP tlog-checkpoint), inclusion proofs of protocol versions and
//! consistency proofs between tree sizes (RFC 9162 §2.1.3–2.1.4). JSON keys are a contract.

use std::process::ExitCode;

use anyhow::Result;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::json;

use super::print;
use super::record::Target;
use super::Format;

/// Arguments of `ashyq log`.
#[derive(clap::Args, Debug)]
pub(crate) struct LogArgs {
    #[command(subcommand)]
    pub(crate) action: LogAction,
}

/// `ashyq log` actions.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum LogAction {
    /// Print the commission's verifier key in signed-note form (`name+keyid+base64key`): pin it
    /// with `ashyq verify --verifier-key`.
    Key(Target),
    /// Print the latest signed checkpoint (a C2SP signed note: origin, tree size, root hash,
    /// signature). Keep it: `ashyq verify --checkpoint FILE` checks the record still extends it.
    Checkpoint(Target),
    /// Print the inclusion proof of a protocol version against the latest signed checkpoint:
    /// `{"leaf_index","tree_size","leaf","leaf_hash","path","root_hash"}` (`leaf` is the base64 of
    /// the canonical leaf bytes, hashes are hex, `path` bottom up), plus `checkpoint`.
    Prove(ProveArgs),
    /// Print the consistency proof between two tree sizes: `{"from","to","path","from_root",
    /// "to_root"}` (hex).
    Consistency(ConsistencyArgs),
}

/// Arguments of `ashyq log prove`.
#[derive(clap::Args, Debug)]
pub(crate) struct ProveArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// Contest id.
    #[arg(long)]
    pub(crate) contest: String,
    /// Unit id.
    #[arg(long)]
    pub(crate) unit: String,
    /// Protocol version (default: the latest).
    #[arg(long)]
    pub(crate) version: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

/// Arguments of `ashyq log consistency`.
#[derive(clap::Args, Debug)]
pub(crate) struct ConsistencyArgs {
    #[command(flatten)]
    pub(crate) target: Target,
    /// The earlier tree size.
    #[arg(long)]
    pub(crate) from: u64,
    /// The later tree size (default: the latest signed checkpoint's).
    #[arg(long)]
    pub(crate) to: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
}

fn hexes(h: &[[u8; 32]]) -> Vec<String> {
    h.iter().map(hex::encode).collect()
}

pub(crate) fn run(args: &LogArgs) -> Result<ExitCode> {
    match &args.action {
        LogAction::Key(t) => {
            let (mut store, e) = t.open()?;
            print(&format!("{}\n", store.verifier_key(&e)?))?;
        }
        LogAction::Checkpoint(t) => {
            let (mut store, e) = t.open()?;
            print(&store.latest_checkpoint(&e)?.1)?;
        }
        LogAction::Prove(a) => {
            let (mut store, e) = a.target.open()?;
            let p = store.prove(&e, &a.contest, &a.unit, a.version)?;
            let text = match a.format {
                Format::Json => {
                    let v = json!({
                        "leaf_index": p.leaf_index,
                        "tree_size": p.tree_size,
                        "leaf": B64.encode(&p.leaf),
                        "leaf_hash": hex::encode(p.leaf_hash),
                        "path": hexes(&p.path),
                        "root_hash": hex::encode(p.root_hash),
                        "checkpoint": p.checkpoint,
                    });
                    format!("{}\n", serde_json::to_string_pretty(&v)?)
                }
                Format::Text => format!(
                    "leaf {} of a tree of {} (root {}):\n{}\nleaf hash {}\npath (bottom up):\n{}\n",
                    p.leaf_index,
                    p.tree_size,
                    hex::encode(p.root_hash),
                    String::from_utf8_lossy(&p.leaf),
                    hex::encode(p.leaf_hash),
                    hexes(&p.path).join("\n")
                ),
            };
            print(&text)?;
        }
        LogAction::Consistency(a) => {
            let (mut store, e) = a.target.open()?;
            let c = store.consistency(&e, a.from, a.to)?;
            let text = match a.format {
                Format::Json => {
                    let v = json!({
                        "from": c.from,
                        "to": c.to,
                        "path": hexes(&c.path),
                        "from_root": hex::encode(c.from_root),
                        "to_root": hex::encode(c.to_root),
                    });
                    format!("{}\n", serde_json::to_string_pretty(&v)?)
                }
                Format::Text => format!(
                    "the tree of {} (root {}) is a prefix of the tree of {} (root {}):\n{}\n",
                    c.from,
                    hex::encode(c.from_root),
                    c.to,
                    hex::encode(c.to_root),
                    hexes(&c.path).join("\n")
                ),
            };
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
