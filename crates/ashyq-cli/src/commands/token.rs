//! `ashyq token`: bearer tokens for the HTTP API, with a role and a scope.

use std::process::ExitCode;

use anyhow::{bail, Result};
use ashyq_store::{OpenMode, Role};

use super::print;
use super::record::open_store;

/// Arguments of `ashyq token`.
#[derive(clap::Args, Debug)]
pub(crate) struct TokenArgs {
    #[command(subcommand)]
    pub(crate) action: TokenAction,
}

/// `ashyq token` actions.
#[derive(clap::Subcommand, Debug)]
pub(crate) enum TokenAction {
    /// Create a token and print its secret (shown once; the record keeps only its SHA-256).
    /// Roles: `cec` (every write), `commission` (protocols of the stations inside --unit),
    /// `observer` (observations inside --unit).
    Create(CreateArgs),
    /// Revoke a token by its id (the first 12 hex digits printed at creation).
    Revoke(RevokeArgs),
}

/// Arguments of `ashyq token create`.
#[derive(clap::Args, Debug)]
pub(crate) struct CreateArgs {
    /// The record.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// `cec`, `commission` or `observer`.
    #[arg(long)]
    pub(crate) role: String,
    /// The unit the token is scoped to (required for commissions and observers).
    #[arg(long)]
    pub(crate) unit: Option<String>,
    /// The election it is scoped to (default: every election).
    #[arg(long)]
    pub(crate) election: Option<String>,
    /// Who holds it (appears as the author of what it writes).
    #[arg(long, default_value = "")]
    pub(crate) label: String,
    /// A commission's protocol public key (base64 Ed25519, as `ashyq protocol keygen`
    /// prints it): the token then writes only protocols signed with that key (403 otherwise).
    #[arg(long, value_name = "BASE64")]
    pub(crate) protocol_key: Option<String>,
}

/// Arguments of `ashyq token revoke`.
#[derive(clap::Args, Debug)]
pub(crate) struct RevokeArgs {
    /// The record.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// The token's id.
    pub(crate) id: String,
}

pub(crate) fn run(args: &TokenArgs) -> Result<ExitCode> {
    match &args.action {
        TokenAction::Create(a) => {
            let Some(role) = Role::from_name(&a.role) else {
                bail!(
                    "role \"{}\" is not one of cec, commission, observer",
                    ashyq_record::quote(&a.role)
                );
            };
            let mut store = open_store(&a.db, OpenMode::Existing)?;
            let label = if a.label.is_empty() {
                format!("{} {}", role.name(), a.unit.as_deref().unwrap_or("(everywhere)"))
            } else {
                a.label.clone()
            };
            let (secret, info) = store.create_token_with_key(
                role,
                a.unit.as_deref(),
                a.election.as_deref(),
                &label,
                a.protocol_key.as_deref(),
            )?;
            print(&format!("{secret}\n"))?;
            eprintln!(
                "token {} created: role {}, unit {}, election {}, label \"{}\" (the secret above is not stored; keep it)",
                info.id,
                role.name(),
                info.unit.as_deref().unwrap_or("any"),
                info.election.as_deref().unwrap_or("any"),
                info.label
            );
            if let Some(k) = &info.protocol_key {
                eprintln!("its protocols must carry the commission's signature with key {k}");
            }
        }
        TokenAction::Revoke(a) => {
            let mut store = open_store(&a.db, OpenMode::Existing)?;
            store.revoke_token(&a.id)?;
            print(&format!("token {} revoked\n", a.id))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
