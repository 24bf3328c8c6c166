//! The HTTP server: the record behind a versioned JSON API (`/api/v1`), and the only crate of
//! Ashyq that knows HTTP.
//!
//! - Reads are served from live snapshots ([`live`]) — the latest accepted protocols with their
//!   roll-ups, identified by log size and root (the ETag) — so a request never re-reads the
//!   protocols: `If-None-Match` answers 304, bodies are rendered once per snapshot and kept
//!   gzip-compressed.
//! - Writes (protocols, corrections, turnout) need a bearer token with a role and scope
//!   (`cec`, `commission` inside its unit) and go through one writer thread that commits
//!   everything queued in one transaction with one signed checkpoint ([`intake`]); each is
//!   answered only after its commit. `Idempotency-Key` makes retries safe.
//! - Database work runs on blocking threads with a pool of stores ([`pool`]).
//! - Limits: request bodies (64 KiB for writes), rate per client address and per token,
//!   timeouts; internal errors never reach clients ([`error`]).
#![deny(missing_docs)]

pub mod api;
pub mod error;
pub mod intake;
pub mod json;
pub mod limit;
pub mod live;
pub mod observe;
pub mod pages;
pub mod pool;
pub mod publish;
pub mod register;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ashyq_store::{Clock, Signer, StoreError, TokenInfo};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::intake::Intake;
use crate::limit::{Limiter, Rate};
use crate::live::LiveViews;
use crate::pool::Pool;
use crate::register::RegisterPaths;

/// Adds the observers' paths and schemas to the API's OpenAPI document.
struct ObservePaths;

impl utoipa::Modify for ObservePaths {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.merge(observe::ObserveDoc::openapi());
    }
}

/// How a server runs.
#[derive(Clone)]
pub struct Config {
    /// The record: `sqlite:PATH` or `postgres://…`.
    pub db: String,
    /// The commission's key: writes are signed with it (a signed record accepts no others).
    pub signer: Option<Arc<Signer>>,
    /// Reader connections.
    pub readers: usize,
    /// Submissions queued at most (beyond: 503).
    pub queue: usize,
    /// Submissions per group commit at most.
    pub batch: usize,
    /// How often the live view follows the log (writes of other servers on the same database).
    pub refresh: Duration,
    /// Requests per client address.
    pub per_address: Rate,
    /// Writes per token.
    pub per_token: Rate,
    /// Request timeout (not for event streams).
    pub timeout: Duration,
    /// The clock.
    pub clock: Clock,
    /// The voter register's own database (`sqlite:PATH` or `postgres://…`), if served.
    pub register_db: Option<String>,
}

impl Config {
    /// Defaults for a record at `db`.
    pub fn new(db: &str) -> Config {
        Config {
            db: db.to_owned(),
            signer: None,
            readers: 4,
            queue: 10_000,
            batch: 500,
            refresh: Duration::from_millis(250),
            per_address: Rate { per_second: 2_000.0, burst: 4_000.0 },
            per_token: Rate { per_second: 100.0, burst: 1_000.0 },
            timeout: Duration::from_secs(15),
            clock: ashyq_store::system_clock(),
            register_db: None,
        }
    }
}

/// Token lookups, remembered for a short while (revocation takes effect within that time).
#[derive(Default)]
pub struct TokenCache(Mutex<HashMap<String, (TokenInfo, Instant)>>);

impl TokenCache {
    const TTL: Duration = Duration::from_secs(30);
    fn get(&self, secret: &str) -> Option<TokenInfo> {
        let g = self.0.lock().ok()?;
        g.get(secret).filter(|(_, at)| at.elapsed() < Self::TTL).map(|(t, _)| t.clone())
    }
    fn put(&self, secret: &str, t: TokenInfo) {
        if let Ok(mut g) = self.0.lock() {
            if g.len() > 100_000 {
                g.clear();
            }
            g.insert(secret.to_owned(), (t, Instant::now()));
        }
    }
}

/// Everything a handler reaches.
#[derive(Clone)]
pub struct AppState {
    /// Live snapshots of every election.
    pub views: Arc<LiveViews>,
    /// Reader stores.
    pub pool: Pool,
    /// The writer.
    pub intake: Intake,
    /// Token lookups.
    pub tokens: Arc<TokenCache>,
    /// Per-address limiter.
    pub per_address: Arc<Limiter>,
    /// Per-token limiter.
    pub per_token: Arc<Limiter>,
    /// The clock.
    pub clock: Clock,
    /// The voter register, when the server has one (`Config::register_db`).
    pub register: Option<register::Register>,
}

impl AppState {
    /// Opens the record, starts the writer and loads every election's live view.
    pub fn open(config: &Config) -> Result<AppState, StoreError> {
        let views = Arc::new(LiveViews::default());
        let pool = Pool::open(&config.db, config.readers, config.clock.clone())?;
        let intake = Intake::start(
            &config.db,
            config.clock.clone(),
            config.signer.clone(),
            Arc::clone(&views),
            config.queue,
            config.batch,
            config.refresh,
        )?;
        let mut store = ashyq_store::Store::open(
            &config.db,
            ashyq_store::OpenMode::Existing,
            config.clock.clone(),
        )?;
        views.refresh(&mut store)?;
        Ok(AppState {
            views,
            pool,
            intake,
            tokens: Arc::new(TokenCache::default()),
            per_address: Arc::new(Limiter::new(config.per_address)),
            per_token: Arc::new(Limiter::new(config.per_token)),
            clock: config.clock.clone(),
            register: config
                .register_db
                .as_deref()
                .map(|url| register::Register::open(url, config.readers))
                .transpose()?,
        })
    }

    /// Now, RFC 3339.
    pub fn now(&self) -> String {
        (self.clock)().to_string()
    }

    fn write_allowed(&self, token: &TokenInfo) -> Result<(), ApiError> {
        if self.per_token.allow(&token.id) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "this token sends too many requests; slow down",
            ))
        }
    }
}

/// The OpenAPI 3 document, generated from the handlers' types.
#[derive(OpenApi)]
#[openapi(
    info(title = "Ashyq", description = "Open election results for Kazakhstan: the record, live results, proofs.", version = "1"),
    paths(
        api::healthz, api::elections, api::results, api::results_csv, api::outcome, api::progress, api::protocol,
        api::checkpoint, api::verifier_key, api::consistency, api::events, api::submit_protocol, api::submit_correction,
        api::submit_turnout, api::export
    ),
    components(schemas(error::ErrorBody, error::FindingJson, live::LiveEvent)),
    modifiers(&RegisterPaths, &ObservePaths, &Security)
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // What any operation may answer whatever its handler does: a malformed path or query
        // (400), a body over the limit (413), a rate limit (429), a timeout (503).
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let common = [
            ("400", "The path, query or body is malformed"),
            ("413", "The request body is larger than the endpoint accepts"),
            ("429", "Too many requests from this address or token"),
            ("503", "The server could not answer in time, or its write queue is full"),
        ];
        for item in openapi.paths.paths.values_mut() {
            for op in [&mut item.get, &mut item.post].into_iter().flatten() {
                for (code, description) in common {
                    op.responses.responses.entry(code.to_owned()).or_insert_with(|| {
                        ResponseBuilder::new()
                            .description(description)
                            .content(
                                "application/json",
                                ContentBuilder::new()
                                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                                    .build(),
                            )
                            .build()
                            .into()
                    });
                }
            }
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Limits requests per client address (the peer address; a server behind a proxy sees the
/// proxy's, so such deployments raise the limit and let the proxy limit instead).
async fn per_address(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    if !state.per_address.allow(&addr) {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; slow down",
        )
        .into_response();
    }
    next.run(req).await
}

/// The application: every route with its limits.
pub fn app(state: AppState, timeout: Duration) -> Router {
    let writes = Router::new()
        .route("/api/v1/elections/{election}/protocols", post(api::submit_protocol))
        .route("/api/v1/elections/{election}/corrections", post(api::submit_correction))
        .route("/api/v1/elections/{election}/turnout", post(api::submit_turnout))
        .layer(DefaultBodyLimit::max(64 * 1024));
    let reads = Router::new()
        .route("/healthz", get(api::healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/elections", get(api::elections))
        .route("/api/v1/elections/{election}/results", get(api::results))
        .route("/api/v1/elections/{election}/results.csv", get(api::results_csv))
        .route("/api/v1/elections/{election}/outcome", get(api::outcome))
        .route("/api/v1/elections/{election}/progress", get(api::progress))
        .route("/api/v1/elections/{election}/protocols/{contest}/{unit}", get(api::protocol))
        .route("/api/v1/elections/{election}/checkpoint", get(api::checkpoint))
        .route("/api/v1/elections/{election}/key", get(api::verifier_key))
        .route("/api/v1/elections/{election}/consistency", get(api::consistency))
        .route("/api/v1/elections/{election}/export/{format}", get(api::export))
        .layer(DefaultBodyLimit::max(4 * 1024));
    let reads = reads.merge(register::routes());
    let timed = writes.merge(reads).merge(pages::routes()).merge(observe::routes()).layer(
        tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ),
    );
    let streams = Router::new().route("/api/v1/elections/{election}/events", get(api::events));
    timed
        .merge(streams)
        .fallback(|| async { ApiError::not_found("no such page") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), per_address))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `state` until Ctrl-C (the state's follower keeps its view current). Open the state with
/// [`AppState::open`] outside the async runtime (the synchronous PostgreSQL client runs its own)
/// and keep a clone of it until the runtime has stopped, so that its connections close there.
pub async fn serve(
    state: AppState,
    config: &Config,
    listener: tokio::net::TcpListener,
) -> Result<(), std::io::Error> {
    let app = app(state, config.timeout);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
