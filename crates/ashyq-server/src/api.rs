//! The `/api/v1` handlers.

use std::collections::BTreeMap;
use std::sync::Arc;

use ashyq_store::{IdempotencyKey, Role, Submission, Submitted, TokenInfo};
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::intake::{Job, QueueError};
use crate::json::{self, ElectionSummary, ProgressJson, ProtocolJson, Results};
use crate::live::{LiveEvent, Snapshot};
use crate::AppState;

/// A snapshot's rendered document, with its ETag, `If-None-Match` → 304, gzip when accepted.
fn cached(
    headers: &HeaderMap,
    snap: &Snapshot,
    key: &str,
    render: impl FnOnce() -> Result<(Vec<u8>, &'static str), ApiError>,
) -> Result<Response, ApiError> {
    let etag = snap.etag();
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let r = snap.rendered(key, render)?;
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut resp = if gzip {
        let mut r2 = Response::new(Body::from(r.gzip.clone()));
        r2.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r2
    } else {
        Response::new(Body::from(r.body.clone()))
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(r.content_type));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=1, stale-while-revalidate=10"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}

fn to_json(v: &impl Serialize) -> Result<(Vec<u8>, &'static str), ApiError> {
    serde_json::to_vec(v)
        .map(|b| (b, "application/json"))
        .map_err(|e| ApiError::internal("json", e))
}

/// A log size given in a query (the record stores sizes as 64-bit signed integers).
fn log_size(n: i64) -> Result<u64, ApiError> {
    u64::try_from(n).map_err(|_| ApiError::bad_request(format!("a log size is 0 or more; got {n}")))
}

pub(crate) fn snapshot(state: &AppState, election: &str) -> Result<Arc<Snapshot>, ApiError> {
    state.views.get(election).ok_or_else(|| {
        ApiError::not_found(format!(
            "election \"{}\" is not in the record",
            ashyq_record::quote(election)
        ))
    })
}

fn contest_index(s: &Snapshot, contest: &str) -> Result<usize, ApiError> {
    s.election.contest_index(contest).ok_or_else(|| {
        ApiError::not_found(format!(
            "contest \"{}\" is not in election {} (contests: {})",
            ashyq_record::quote(contest),
            s.election.id(),
            s.election.contests().iter().map(|c| c.id().as_str()).collect::<Vec<_>>().join(", ")
        ))
    })
}

fn unit_index(s: &Snapshot, unit: &str) -> Result<usize, ApiError> {
    s.tree.index_of(unit).ok_or_else(|| {
        ApiError::not_found(format!(
            "unit \"{}\" is not in election {}",
            ashyq_record::quote(unit),
            s.election.id()
        ))
    })
}

/// `GET /healthz`.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The server is up", body = String)))]
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /api/v1/elections`: every election in the record.
#[utoipa::path(get, path = "/api/v1/elections", responses((status = 200, body = Vec<ElectionSummary>)))]
pub async fn elections(
    State(state): State<AppState>,
) -> Result<Json<Vec<ElectionSummary>>, ApiError> {
    let out = state
        .views
        .elections()
        .into_iter()
        .filter_map(|e| state.views.get(&e).map(|s| json::election_summary(&s, &e)))
        .collect();
    Ok(Json(out))
}

/// Parameters of `GET …/results`.
#[derive(Deserialize, IntoParams)]
pub struct ResultsQuery {
    /// Contest id (default: every contest).
    pub contest: Option<String>,
    /// Unit id (default: each contest's territory).
    pub unit: Option<String>,
    /// Only the units whose totals changed after this log size (AP-style deltas).
    #[param(minimum = 0)]
    pub since: Option<i64>,
}

/// `GET /api/v1/elections/{election}/results`: every line, shares on the legal base,
/// reporting progress; with `since`, only the units that changed.
#[utoipa::path(get, path = "/api/v1/elections/{election}/results", params(("election" = String, Path), ResultsQuery),
    responses((status = 200, body = Results), (status = 304, description = "Not modified"), (status = 404, body = ErrorBody)))]
pub async fn results(
    State(state): State<AppState>,
    Path(election): Path<String>,
    Query(q): Query<ResultsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = snapshot(&state, &election)?;
    let contests: Vec<usize> = match &q.contest {
        Some(c) => vec![contest_index(&s, c)?],
        None => (0..s.election.contests().len()).collect(),
    };
    let unit = q.unit.as_deref().map(|u| unit_index(&s, u)).transpose()?;
    let since = q.since.map(log_size).transpose()?;
    let key = format!("results:{:?}:{:?}:{:?}", q.contest, q.unit, since);
    cached(&headers, &s, &key, || to_json(&json::results(&s, &election, &contests, unit, since)))
}

/// Parameters of `GET …/results.csv`.
#[derive(Deserialize, IntoParams)]
pub struct CsvQuery {
    /// Every unit of this kind (e.g. `region`) instead of each contest's territory.
    pub by: Option<String>,
}

/// `GET /api/v1/elections/{election}/results.csv`: `contest,unit,line,value` as `ashyq tally`
/// prints it.
#[utoipa::path(get, path = "/api/v1/elections/{election}/results.csv", params(("election" = String, Path), CsvQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = ErrorBody)))]
pub async fn results_csv(
    State(state): State<AppState>,
    Path(election): Path<String>,
    Query(q): Query<CsvQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = snapshot(&state, &election)?;
    let csv = json::results_csv(&s, q.by.as_deref()).map_err(ApiError::bad_request)?;
    cached(&headers, &s, &format!("csv:{:?}", q.by), || {
        Ok((csv.into_bytes(), "text/csv; charset=utf-8"))
    })
}

/// `GET /api/v1/elections/{election}/outcome`: the legal outcome of every contest from the
/// latest accepted protocols — the same JSON as `ashyq outcome --format json`.
#[utoipa::path(get, path = "/api/v1/elections/{election}/outcome", params(("election" = String, Path)),
    responses((status = 200, description = "The outcome JSON of `ashyq outcome`", body = Object), (status = 404, body = ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = snapshot(&state, &election)?;
    // No winner is declared from counts that the law's own arithmetic rejects (law reference
    // §8.2): the failed checks are returned instead, with 409.
    match json::outcome(&s).map_err(|e| ApiError::internal("outcome", e))? {
        json::OutcomeDoc::FailedChecks(body) => {
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
        json::OutcomeDoc::Decided(v) => cached(&headers, &s, "outcome", || to_json(&v)),
    }
}

/// `GET /api/v1/elections/{election}/progress`.
#[utoipa::path(get, path = "/api/v1/elections/{election}/progress", params(("election" = String, Path)),
    responses((status = 200, body = Vec<ProgressJson>), (status = 404, body = ErrorBody)))]
pub async fn progress(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = snapshot(&state, &election)?;
    cached(&headers, &s, "progress", || to_json(&json::progress(&s)))
}

/// `GET /api/v1/elections/{election}/protocols/{contest}/{unit}`: a protocol's version history
/// and the inclusion proof of its latest version.
#[utoipa::path(get, path = "/api/v1/elections/{election}/protocols/{contest}/{unit}",
    params(("election" = String, Path), ("contest" = String, Path), ("unit" = String, Path)),
    responses((status = 200, body = ProtocolJson), (status = 404, body = ErrorBody)))]
pub async fn protocol(
    State(state): State<AppState>,
    Path((election, contest, unit)): Path<(String, String, String)>,
) -> Result<Json<ProtocolJson>, ApiError> {
    let s = snapshot(&state, &election)?;
    let c = contest_index(&s, &contest)?;
    let u = unit_index(&s, &unit)?;
    let doc = state.pool.run(move |store| Ok(json::protocol(store, &s, &election, c, u)?)).await?;
    Ok(Json(doc))
}

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// `GET /api/v1/elections/{election}/checkpoint`: the latest signed checkpoint (C2SP
/// tlog-checkpoint as a signed note).
#[utoipa::path(get, path = "/api/v1/elections/{election}/checkpoint", params(("election" = String, Path)),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = ErrorBody)))]
pub async fn checkpoint(
    State(state): State<AppState>,
    Path(election): Path<String>,
) -> Result<Response, ApiError> {
    snapshot(&state, &election)?;
    let note = state.pool.run(move |store| Ok(store.latest_checkpoint(&election)?.1)).await?;
    Ok(text(note))
}

/// `GET /api/v1/elections/{election}/key`: the commission's verifier key.
#[utoipa::path(get, path = "/api/v1/elections/{election}/key", params(("election" = String, Path)),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = ErrorBody)))]
pub async fn verifier_key(
    State(state): State<AppState>,
    Path(election): Path<String>,
) -> Result<Response, ApiError> {
    snapshot(&state, &election)?;
    let key = state.pool.run(move |store| Ok(store.verifier_key(&election)?)).await?;
    Ok(text(format!("{key}\n")))
}

/// Parameters of `GET …/consistency`.
#[derive(Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The earlier tree size.
    #[param(minimum = 0)]
    pub from: i64,
    /// The later one (default: the latest signed checkpoint's).
    #[param(minimum = 0)]
    pub to: Option<i64>,
}

/// A consistency proof (as `ashyq log consistency --format json`).
#[derive(Serialize, ToSchema)]
pub struct ConsistencyJson {
    /// Earlier size.
    pub from: u64,
    /// Later size.
    pub to: u64,
    /// Proof (RFC 9162 §2.1.4), hex.
    pub path: Vec<String>,
    /// Root of the first `from` entries, hex.
    pub from_root: String,
    /// Root of the first `to` entries, hex.
    pub to_root: String,
}

/// `GET /api/v1/elections/{election}/consistency?from=N[&to=M]`.
#[utoipa::path(get, path = "/api/v1/elections/{election}/consistency", params(("election" = String, Path), ConsistencyQuery),
    responses((status = 200, body = ConsistencyJson), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn consistency(
    State(state): State<AppState>,
    Path(election): Path<String>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyJson>, ApiError> {
    snapshot(&state, &election)?;
    let (from, to) = (log_size(q.from)?, q.to.map(log_size).transpose()?);
    let c = state.pool.run(move |store| Ok(store.consistency(&election, from, to)?)).await?;
    Ok(Json(ConsistencyJson {
        from: c.from,
        to: c.to,
        path: c.path.iter().map(hex::encode).collect(),
        from_root: hex::encode(c.from_root),
        to_root: hex::encode(c.to_root),
    }))
}

/// One event of the stream, as OpenAPI describes Server-Sent Events: `event` is `hello` (first,
/// the state now) or `update`; `data` is a [`LiveEvent`] as JSON.
#[derive(Serialize, ToSchema)]
pub struct SseEvent {
    /// `hello` or `update`.
    pub event: String,
    /// A `LiveEvent`, JSON.
    pub data: String,
}

/// `GET /api/v1/elections/{election}/events`: a Server-Sent Events stream of result changes
/// (event `update`, data a `LiveEvent`).
#[utoipa::path(get, path = "/api/v1/elections/{election}/events", params(("election" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", body = SseEvent), (status = 404, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    Path(election): Path<String>,
) -> Result<Response, ApiError> {
    let s = snapshot(&state, &election)?;
    let rx = state.views.subscribe();
    let hello = LiveEvent {
        election: election.clone(),
        tree_size: s.size,
        root_hash: hex::encode(s.root),
        since: s.size,
        protocols: 0,
        units: Vec::new(),
        truncated: false,
    };
    let first = futures_util::stream::once(async move {
        Ok::<Event, std::convert::Infallible>(
            Event::default().event("hello").json_data(hello).unwrap_or_default(),
        )
    });
    let rest = futures_util::stream::unfold((rx, election), |(mut rx, election)| async move {
        loop {
            match rx.recv().await {
                Ok(ev) if ev.election == election => {
                    let e = Event::default().event("update").json_data(&*ev).unwrap_or_default();
                    return Some((Ok::<Event, std::convert::Infallible>(e), (rx, election)));
                }
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let e = Event::default()
                        .event("lagged")
                        .data("missed updates: fetch the results again");
                    return Some((Ok(e), (rx, election)));
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    use futures_util::StreamExt as _;
    Ok(Sse::new(first.chain(rest)).keep_alive(KeepAlive::default()).into_response())
}

// ---- Writes -------------------------------------------------------------------------------

/// A protocol submitted over the API.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtocolSubmission {
    /// Contest id.
    pub contest: String,
    /// Unit id (a polling station, or a territorial commission for a summary protocol).
    pub unit: String,
    /// Every line of the protocol: `{"registered": 1200, "ballots_issued": 850, …}`.
    pub lines: BTreeMap<String, u64>,
    /// Who entered it (default: the token's holder).
    pub author: Option<String>,
    /// When (RFC 3339; default: now).
    pub time: Option<String>,
    /// Acknowledge warnings.
    #[serde(default)]
    pub acknowledge_warnings: bool,
    /// Accept despite errors (cec tokens only).
    #[serde(default)]
    pub override_errors: bool,
    /// The commission's own Ed25519 signature of every line of this protocol (required when the
    /// token was created with a protocol key; optional, and checked when given, otherwise).
    pub signature: Option<json::SignatureJson>,
}

/// A correction submitted over the API.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionSubmission {
    /// Contest id.
    pub contest: String,
    /// Unit id.
    pub unit: String,
    /// The lines that change.
    pub lines: BTreeMap<String, u64>,
    /// Why (required).
    pub reason: String,
    /// Who (default: the token's holder).
    pub author: Option<String>,
    /// When (RFC 3339; default: now).
    pub time: Option<String>,
    /// Acknowledge warnings.
    #[serde(default)]
    pub acknowledge_warnings: bool,
    /// Accept despite errors (cec tokens only).
    #[serde(default)]
    pub override_errors: bool,
    /// The commission's own Ed25519 signature of the corrected protocol as a whole (every line
    /// of the new version, not only the changed ones); required when the token was created
    /// with a protocol key.
    pub signature: Option<json::SignatureJson>,
}

/// An intraday turnout snapshot submitted over the API.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TurnoutSubmission {
    /// The polling station.
    pub unit: String,
    /// Snapshot hour (10:00, 12:00, 14:00, 16:00, 18:00, 20:00).
    pub hour: String,
    /// Voters who had voted by then.
    pub voters: u64,
    /// Who (default: the token's holder).
    pub author: Option<String>,
    /// When (RFC 3339; default: now).
    pub time: Option<String>,
}

/// What an accepted write returns.
#[derive(Serialize, ToSchema)]
pub struct ReceiptJson {
    /// The protocol's version now.
    pub version: u64,
    /// 0-based index of its leaf in the log.
    pub log_index: u64,
    /// The leaf hash, hex.
    pub leaf_hash: String,
    /// The log size after the write.
    pub tree_size: u64,
    /// The signed checkpoint covering it.
    pub checkpoint: Option<String>,
    /// True when this answers a retry of an earlier request with the same Idempotency-Key.
    pub replayed: bool,
    /// Warnings acknowledged or errors overridden with it.
    pub findings: Vec<crate::error::FindingJson>,
}

/// Resolves the bearer token (401 without a valid one).
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<TokenInfo, ApiError> {
    let Some(auth) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "this request needs a bearer token (Authorization: Bearer …)",
        ));
    };
    let secret = auth
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() < 200)
        .ok_or_else(|| ApiError::unauthorized("the Authorization header is not `Bearer TOKEN`"))?
        .to_owned();
    if let Some(t) = state.tokens.get(&secret) {
        return Ok(t);
    }
    let s2 = secret.clone();
    let found = state.pool.run(move |store| Ok(store.token(&s2)?)).await?;
    match found {
        Some(t) => {
            state.tokens.put(&secret, t.clone());
            Ok(t)
        }
        None => Err(ApiError::unauthorized("the bearer token is unknown or revoked")),
    }
}

/// Checks role and scope for a write to `unit` of `election`.
pub(crate) fn authorize(
    token: &TokenInfo,
    s: &Snapshot,
    unit: &str,
    what: &str,
    allowed: &[Role],
) -> Result<(), ApiError> {
    if !allowed.contains(&token.role) {
        return Err(ApiError::forbidden(format!("a {} token may not {what}", token.role.name())));
    }
    if token.election.as_deref().is_some_and(|e| e != s.election.id().as_str()) {
        return Err(ApiError::forbidden(format!(
            "this token is for election {}, not {}",
            token.election.as_deref().unwrap_or_default(),
            s.election.id()
        )));
    }
    if let Some(scope) = &token.unit {
        let u = unit_index(s, unit)?;
        let inside = s.tree.index_of(scope).is_some_and(|sc| s.tree.is_within(u, sc));
        if !inside {
            return Err(ApiError::forbidden(format!(
                "this token may write only inside unit {scope}; {unit} is outside it"
            )));
        }
    }
    Ok(())
}

/// The signature a write carries, held to the token's registered protocol key: a commission
/// token created with `--protocol-key` writes only protocols signed with that key (403
/// otherwise); the signature itself is checked against the lines by the store (422).
fn commission_signature(
    token: &TokenInfo,
    given: Option<json::SignatureJson>,
) -> Result<Option<ashyq_store::ProtocolSignature>, ApiError> {
    match (&token.protocol_key, given) {
        (Some(k), None) => Err(ApiError::forbidden(format!(
            "this commission's token writes only protocols signed with its registered key {k}: add \"signature\": {{\"key\", \"signature\"}} (ashyq protocol sign)"
        ))),
        (Some(k), Some(s)) if s.key.trim() != k => Err(ApiError::forbidden(format!(
            "the protocol is signed with key {}, not with this commission's registered key {k}",
            ashyq_record::quote(&s.key)
        ))),
        (_, s) => Ok(s.map(Into::into)),
    }
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request(format!("the request body is not the expected JSON: {e}"))
    })
}

pub(crate) fn idempotency(
    headers: &HeaderMap,
    token: &TokenInfo,
    election: &str,
    path: &str,
    body: &Bytes,
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(k) = headers.get("idempotency-key") else { return Ok(None) };
    let k = k.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 200).ok_or_else(|| {
        ApiError::bad_request("the Idempotency-Key must be 1 to 200 visible characters")
    })?;
    let mut h = sha2::Sha256::new();
    h.update(election.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    Ok(Some(IdempotencyKey {
        scope: token.id.clone(),
        key: k.to_owned(),
        request_hash: hex::encode(h.finalize()),
    }))
}

pub(crate) fn author(token: &TokenInfo, given: Option<String>) -> String {
    let who = given.filter(|a| !a.trim().is_empty()).unwrap_or_else(|| token.label.clone());
    format!("{} [token {}]", who.trim(), token.id)
}

pub(crate) async fn queue<T>(
    state: &AppState,
    job: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> Job,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    state.intake.send(job(tx)).map_err(|e| match e {
        QueueError::Full => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the intake queue is full; retry shortly with the same Idempotency-Key",
        ),
        QueueError::Stopped => ApiError::internal("intake", "the writer stopped"),
    })?;
    rx.await.map_err(|_| ApiError::internal("intake", "the writer dropped the request"))
}

/// The answer to a write, once it is durable. The protocol endpoint reads the record itself, so
/// it shows the new version at once; aggregated results show it when the live view has followed
/// the log (the follower is woken by the commit; `tree_size` in results says how far it is).
fn receipt_response(r: Submitted) -> Result<Response, ApiError> {
    match r {
        Submitted::Accepted { version, findings, receipt } => {
            let replayed = receipt.replayed;
            let body = ReceiptJson {
                version,
                log_index: receipt.log_index,
                leaf_hash: receipt.leaf_hash,
                tree_size: receipt.tree_size,
                checkpoint: receipt.checkpoint,
                replayed,
                findings: findings.iter().map(crate::error::FindingJson::from).collect(),
            };
            let mut resp = (StatusCode::CREATED, Json(body)).into_response();
            if replayed {
                resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            Ok(resp)
        }
        Submitted::AwaitingSecondEntry => {
            Ok((StatusCode::ACCEPTED, Json(serde_json::json!({"status": "awaiting_second_entry"})))
                .into_response())
        }
        Submitted::Differences(d) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!(
                "the two entries differ on {}; a coordinator resolves them",
                d.iter().map(|x| x.line.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// `POST /api/v1/elections/{election}/protocols`: enter a protocol. 401 without a valid token,
/// 403 outside its scope, 409 when the protocol already has a version (corrections go to
/// `…/corrections`), 422 with the failed checks, 201 with a receipt once durable. An
/// `Idempotency-Key` makes retries safe.
#[utoipa::path(post, path = "/api/v1/elections/{election}/protocols", params(("election" = String, Path)), request_body = ProtocolSubmission,
    responses((status = 201, body = ReceiptJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_protocol(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authenticate(&state, &headers).await?;
    state.write_allowed(&token)?;
    let s = snapshot(&state, &election)?;
    let p: ProtocolSubmission = parse(&body)?;
    authorize(&token, &s, &p.unit, "enter protocols", &[Role::Cec, Role::Commission])?;
    if p.override_errors && token.role != Role::Cec {
        return Err(ApiError::forbidden("only a cec token may override failed checks"));
    }
    let submission = Submission {
        contest: p.contest,
        unit: p.unit,
        values: p.lines.into_iter().collect(),
        author: author(&token, p.author),
        time: p.time.unwrap_or_else(|| state.now()),
        reason: String::new(),
        override_errors: p.override_errors,
        acknowledge_warnings: p.acknowledge_warnings,
        idempotency: idempotency(&headers, &token, &election, "protocols", &body)?,
        signature: commission_signature(&token, p.signature)?,
    };
    let r = queue(&state, |reply| Job::Submit { election, submission, reply }).await?;
    receipt_response(r?)
}

/// `POST /api/v1/elections/{election}/corrections`: a new version of a protocol, with a reason.
#[utoipa::path(post, path = "/api/v1/elections/{election}/corrections", params(("election" = String, Path)), request_body = CorrectionSubmission,
    responses((status = 201, body = ReceiptJson), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_correction(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authenticate(&state, &headers).await?;
    state.write_allowed(&token)?;
    let s = snapshot(&state, &election)?;
    let p: CorrectionSubmission = parse(&body)?;
    authorize(&token, &s, &p.unit, "correct protocols", &[Role::Cec, Role::Commission])?;
    if p.override_errors && token.role != Role::Cec {
        return Err(ApiError::forbidden("only a cec token may override failed checks"));
    }
    let submission = Submission {
        contest: p.contest,
        unit: p.unit,
        values: p.lines.into_iter().collect(),
        author: author(&token, p.author),
        time: p.time.unwrap_or_else(|| state.now()),
        reason: p.reason,
        override_errors: p.override_errors,
        acknowledge_warnings: p.acknowledge_warnings,
        idempotency: None,
        signature: commission_signature(&token, p.signature)?,
    };
    let r = queue(&state, |reply| Job::Correct { election, submission, reply }).await?;
    receipt_response(r?)
}

/// `POST /api/v1/elections/{election}/turnout`: a station's intraday turnout snapshot.
#[utoipa::path(post, path = "/api/v1/elections/{election}/turnout", params(("election" = String, Path)), request_body = TurnoutSubmission,
    responses((status = 201, description = "Recorded; the body lists the turnout checks it raised"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_turnout(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authenticate(&state, &headers).await?;
    state.write_allowed(&token)?;
    let s = snapshot(&state, &election)?;
    let p: TurnoutSubmission = parse(&body)?;
    authorize(&token, &s, &p.unit, "report turnout", &[Role::Cec, Role::Commission])?;
    let snapshot =
        (p.unit, p.hour, p.voters, author(&token, p.author), p.time.unwrap_or_else(|| state.now()));
    let r = queue(&state, |reply| Job::Turnout { election, snapshot, reply }).await??;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"findings": r}))).into_response())
}

/// `GET /api/v1/elections/{election}/export/{format}`: the current results as NIST SP 1500-100
/// v2 election results — `cdf.json` (valid against the NIST JSON schema), `cdf.xml` (NIST XSD),
/// `cdf-civics.xml` (Google's civics profile, for civics_cdf_validator) — with every name in
/// every language the package gives.
#[utoipa::path(get, path = "/api/v1/elections/{election}/export/{format}",
    params(("election" = String, Path), ("format" = String, Path, description = "cdf.json, cdf.xml or cdf-civics.xml")),
    responses((status = 200, description = "The report: JSON for cdf.json, XML for the others",
        content((Object = "application/json"), (String = "application/xml"))), (status = 404, body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    Path((election, format)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = snapshot(&state, &election)?;
    let now = state.now();
    let media = json::CDF_FORMATS.iter().find(|(f, _)| *f == format).map(|(_, m)| *m);
    let Some(media) = media else {
        return Err(ApiError::not_found(format!(
            "export {} is not one of cdf.json, cdf.xml, cdf-civics.xml",
            ashyq_record::quote(&format)
        )));
    };
    cached(&headers, &s, &format!("export:{format}"), || {
        let body = json::cdf(&s, &format, &now)
            .unwrap_or_else(|| Err(format!("unknown format {format}")))
            .map_err(|e| ApiError::internal("cdf export", e))?;
        Ok((body, media))
    })
}
