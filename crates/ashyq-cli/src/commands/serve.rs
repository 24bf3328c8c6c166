//! `ashyq serve`: the record behind the HTTP API (crates/ashyq-server).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use ashyq_server::limit::Rate;

use super::record::load_key;

/// Arguments of `ashyq serve`.
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// The record: `sqlite:PATH` or `postgres://user@host:port/db` (it must exist: `ashyq import`
    /// creates it). Several servers may share one PostgreSQL record.
    #[arg(long, value_name = "URL", default_value = ashyq_store::DEFAULT_URL, env = "ASHYQ_DB")]
    pub(crate) db: String,
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0: any free port, printed).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub(crate) addr: SocketAddr,
    /// The commission's key file: writes are signed with it (a signed record accepts no others).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Reader connections to the database.
    #[arg(long, default_value_t = 4)]
    pub(crate) readers: usize,
    /// Most submissions per group commit.
    #[arg(long, default_value_t = 500)]
    pub(crate) batch: usize,
    /// Requests per second per client address (0: unlimited).
    #[arg(long, default_value_t = 2000.0)]
    pub(crate) rate_per_address: f64,
    /// Writes per second per token (0: unlimited).
    #[arg(long, default_value_t = 100.0)]
    pub(crate) rate_per_token: f64,
    /// How often, in milliseconds, the live view follows the log (other servers' writes).
    #[arg(long, default_value_t = 250)]
    pub(crate) refresh_ms: u64,
    /// The voter register's own database (`sqlite:PATH` or `postgres://…`, filled by `ashyq
    /// register import`; never the record's): serves /api/v1/register/stations and membership
    /// to cec, commission and observer tokens. Without it those answer 404.
    #[arg(long, value_name = "URL")]
    pub(crate) register_db: Option<String>,
}

pub(crate) fn run(args: &ServeArgs) -> Result<ExitCode> {
    let mut config = ashyq_server::Config::new(&args.db);
    config.signer = load_key(args.key.as_deref(), false)?;
    config.readers = args.readers.max(1);
    config.batch = args.batch.max(1);
    config.per_address =
        Rate { per_second: args.rate_per_address, burst: args.rate_per_address * 2.0 };
    config.per_token = Rate { per_second: args.rate_per_token, burst: args.rate_per_token * 10.0 };
    config.refresh = Duration::from_millis(args.refresh_ms.max(10));
    config.register_db = args.register_db.clone();
    serve_blocking(config, args.addr, None)
}

/// Runs a server until Ctrl-C, printing its address first; `banner` adds lines after it.
pub(crate) fn serve_blocking(
    config: ashyq_server::Config,
    addr: SocketAddr,
    banner: Option<String>,
) -> Result<ExitCode> {
    init_logging();
    // Opened before the runtime starts: the synchronous PostgreSQL client runs its own.
    let state = ashyq_server::AppState::open(&config)
        .with_context(|| format!("cannot open the record {}", config.db))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let served = state.clone();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        println!("Ashyq is serving {} at http://{local}/ (API: http://{local}/api/v1/elections; Ctrl-C stops)", config.db);
        if let Some(b) = banner {
            println!("{b}");
        }
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        ashyq_server::serve(served, &config, listener).await.context("the server stopped")
    })?;
    drop(rt);
    drop(state);
    Ok(ExitCode::SUCCESS)
}

/// Structured logs (JSON lines) on stderr; `RUST_LOG` filters them (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .json()
        .with_writer(std::io::stderr)
        .try_init();
}
