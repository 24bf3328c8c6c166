//! Observers over the API (issue 9): observer groups file their copies of protocols and their
//! own turnout counts with `observer` tokens (scoped to a unit, like commissions'), through the
//! same group-committed intake as protocols, each answered with a receipt once durable; anyone
//! reads the copies and the comparison of the official protocols with them. Copies sit beside
//! the official record and never change its totals.
//!
//! The observer a copy is filed under is the token's holder (its label), so one organisation's
//! token cannot file copies in another's name. Public reads carry organisation ids, lines,
//! versions, reasons and photo hashes; never the names of the people who entered them, never
//! photos.

use std::collections::BTreeMap;

use ashyq_report::compare::{comparison_json, DisputedCopies, RecordContext};
use ashyq_store::{ObservationInput, ObservedTurnoutInput, Role};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::api::{authenticate, author, authorize, idempotency, parse, queue, snapshot};
use crate::error::{ApiError, ErrorBody, FindingJson};
use crate::intake::Job;
use crate::AppState;

/// The observers' routes (merged into the application by `app`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/elections/{election}/observations",
            get(observations).post(submit_observation),
        )
        .route("/api/v1/elections/{election}/observed-turnout", post(submit_observed_turnout))
        .route("/api/v1/elections/{election}/compare", get(compare))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

/// The OpenAPI paths of the observers' routes (to merge into the server's document).
#[derive(OpenApi)]
#[openapi(
    paths(submit_observation, submit_observed_turnout, observations, compare),
    components(schemas(
        ObservationSubmission,
        ObservedTurnoutSubmission,
        ObservationReceipt,
        CopyJson
    ))
)]
pub struct ObserveDoc;

/// An observer's copy of a protocol submitted over the API.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationSubmission {
    /// Contest id.
    pub contest: String,
    /// Unit id: the polling station (or the commission of a summary protocol).
    pub unit: String,
    /// The lines as the copy shows them (at least one): `{"aigerim": 299, "bolat": 221, …}`.
    pub lines: BTreeMap<String, u64>,
    /// SHA-256 of the photo of the signed copy (64 hexadecimal digits).
    pub photo_sha256: Option<String>,
    /// Why this copy supersedes the observer's earlier copy of the protocol (required then).
    pub reason: Option<String>,
    /// Who entered it (default: the token's holder).
    pub author: Option<String>,
    /// When (RFC 3339; default: now).
    pub time: Option<String>,
}

/// An observer's own count of voters submitted over the API.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservedTurnoutSubmission {
    /// The polling station.
    pub unit: String,
    /// Time of day `HH:MM`.
    pub hour: String,
    /// Voters counted by then.
    pub voters: u64,
    /// Who counted (default: the token's holder).
    pub author: Option<String>,
    /// When it was entered (RFC 3339; default: now).
    pub time: Option<String>,
}

/// What an accepted copy returns.
#[derive(Serialize, ToSchema)]
pub struct ObservationReceipt {
    /// The observer it is filed under (the token's holder).
    pub observer: String,
    /// Its version for this observer and protocol.
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
    /// The protocol checks the copy fails (recorded with it: a copy is evidence as held).
    pub findings: Vec<FindingJson>,
}

/// A copy as the public reads it.
#[derive(Serialize, ToSchema)]
pub struct CopyJson {
    /// Contest id.
    pub contest: String,
    /// Unit id.
    pub unit: String,
    /// The observer (organisation).
    pub observer: String,
    /// Version for this observer and protocol.
    pub version: u64,
    /// When it was entered (RFC 3339, UTC).
    pub time: String,
    /// Why it superseded the earlier copy.
    pub reason: String,
    /// SHA-256 of the photo of the signed copy.
    pub photo_sha256: Option<String>,
    /// Codes of the protocol checks it fails.
    pub findings: Vec<String>,
    /// Its lines.
    pub lines: Vec<crate::json::LineValue>,
    /// 0-based index of its leaf in the log (for an inclusion proof).
    pub log_index: u64,
}

/// The observer a token files under: its holder.
fn observer_of(token: &ashyq_store::TokenInfo) -> String {
    token.label.trim().to_owned()
}

/// `POST /api/v1/elections/{election}/observations`: an observer's copy of a protocol, with an
/// `observer` token scoped to a unit that contains it. 401 without a valid token, 403 for any
/// other role or outside the scope, 404 for an unknown contest or unit, 422 for a bad line or
/// value, 409 when the observer already holds this copy (or a copy, and no reason is given), 201
/// with a receipt once durable. An `Idempotency-Key` makes retries safe.
#[utoipa::path(post, path = "/api/v1/elections/{election}/observations", params(("election" = String, Path)), request_body = ObservationSubmission,
    responses((status = 201, body = ObservationReceipt), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_observation(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authenticate(&state, &headers).await?;
    state.write_allowed(&token)?;
    let s = snapshot(&state, &election)?;
    let p: ObservationSubmission = parse(&body)?;
    authorize(&token, &s, &p.unit, "file observer copies", &[Role::Observer])?;
    let observer = observer_of(&token);
    let observation = ObservationInput {
        contest: p.contest,
        unit: p.unit,
        observer: observer.clone(),
        values: p.lines.into_iter().collect(),
        photo_sha256: p.photo_sha256,
        author: author(&token, p.author),
        time: p.time.unwrap_or_else(|| state.now()),
        reason: p.reason.unwrap_or_default(),
        idempotency: idempotency(&headers, &token, &election, "observations", &body)?,
    };
    let o = queue(&state, |reply| Job::Observe { election, observation, reply }).await??;
    let replayed = o.receipt.replayed;
    let body = ObservationReceipt {
        observer,
        version: o.version,
        log_index: o.receipt.log_index,
        leaf_hash: o.receipt.leaf_hash,
        tree_size: o.receipt.tree_size,
        checkpoint: o.receipt.checkpoint,
        replayed,
        findings: o.findings.iter().map(FindingJson::from).collect(),
    };
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    if replayed {
        resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

/// `POST /api/v1/elections/{election}/observed-turnout`: an observer's own count of the voters at
/// a station by a time of day (`observer` tokens). 409 when the observer's count at that station
/// and time is already recorded.
#[utoipa::path(post, path = "/api/v1/elections/{election}/observed-turnout", params(("election" = String, Path)), request_body = ObservedTurnoutSubmission,
    responses((status = 201, description = "Recorded: the log index, leaf hash, tree size and checkpoint"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_observed_turnout(
    State(state): State<AppState>,
    Path(election): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = authenticate(&state, &headers).await?;
    state.write_allowed(&token)?;
    let s = snapshot(&state, &election)?;
    let p: ObservedTurnoutSubmission = parse(&body)?;
    authorize(&token, &s, &p.unit, "file observers' turnout counts", &[Role::Observer])?;
    let count = ObservedTurnoutInput {
        unit: p.unit,
        hour: p.hour,
        voters: p.voters,
        observer: observer_of(&token),
        author: author(&token, p.author),
        time: p.time.unwrap_or_else(|| state.now()),
    };
    let r = queue(&state, |reply| Job::ObserveTurnout { election, count, reply }).await??;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "observer": observer_of(&token),
            "log_index": r.log_index,
            "leaf_hash": r.leaf_hash,
            "tree_size": r.tree_size,
            "checkpoint": r.checkpoint,
        })),
    )
        .into_response())
}

/// Parameters of `GET …/observations` and `GET …/compare`.
#[derive(Deserialize, IntoParams)]
pub struct ObserveQuery {
    /// Only this contest (compare: default, every contest the copies cover).
    pub contest: Option<String>,
    /// Only this unit (observations).
    pub unit: Option<String>,
    /// Only this observer's copies.
    pub observer: Option<String>,
}

fn fresh(v: impl Serialize) -> Response {
    let mut resp = Json(v).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=1"));
    resp
}

/// `GET /api/v1/elections/{election}/observations`: every observer copy (every version) with its
/// photo hash and findings, for anyone (no names of the people who entered them).
#[utoipa::path(get, path = "/api/v1/elections/{election}/observations", params(("election" = String, Path), ObserveQuery),
    responses((status = 200, body = Vec<CopyJson>), (status = 404, body = ErrorBody)))]
pub async fn observations(
    State(state): State<AppState>,
    Path(election): Path<String>,
    Query(q): Query<ObserveQuery>,
) -> Result<Response, ApiError> {
    snapshot(&state, &election)?;
    let list = state
        .pool
        .run(move |store| {
            let mut rows =
                store.observations(&election, q.contest.as_deref(), q.unit.as_deref())?;
            if let Some(o) = &q.observer {
                rows.retain(|r| &r.observer == o);
            }
            Ok(rows)
        })
        .await?;
    let v: Vec<CopyJson> = list
        .into_iter()
        .map(|o| CopyJson {
            contest: o.contest,
            unit: o.unit,
            observer: o.observer,
            version: o.version,
            time: o.time,
            reason: o.reason,
            photo_sha256: o.photo_sha256,
            findings: o.findings,
            lines: o
                .values
                .into_iter()
                .map(|(line, value)| crate::json::LineValue { line, value: Some(value) })
                .collect(),
            log_index: o.log_index,
        })
        .collect();
    Ok(fresh(v))
}

/// `GET /api/v1/elections/{election}/compare?contest=C`: the official protocols against the
/// observers' copies in the record — the JSON of `ashyq compare --db --format json`:
/// `stations_compared`, `stations_missing`, `stations_differing`, `abs_diff`, the per-station
/// list, per contest the decisions and the mismatches by commission and region (`by_unit`),
/// the outcome under the official counts, the copies, and "the observer copies are right".
/// 404 when the record holds no copy (of that contest or observer).
#[utoipa::path(get, path = "/api/v1/elections/{election}/compare", params(("election" = String, Path), ObserveQuery),
    responses((status = 200, description = "The comparison JSON of `ashyq compare --db`", body = Object), (status = 404, body = ErrorBody)))]
pub async fn compare(
    State(state): State<AppState>,
    Path(election): Path<String>,
    Query(q): Query<ObserveQuery>,
) -> Result<Response, ApiError> {
    snapshot(&state, &election)?;
    let v = state
        .pool
        .run(move |store| {
            let r = store.compare(&election, q.contest.as_deref(), q.observer.as_deref())?;
            let observed = match &q.observer {
                Some(o) => format!("observer {o}'s copies in the record"),
                None => format!("the observers' copies in the record ({})", r.observers.join(", ")),
            };
            let record = RecordContext {
                election: &election,
                tree_size: r.log_size,
                observers: &r.observers,
                disputed: r
                    .disputed
                    .iter()
                    .map(|d| DisputedCopies {
                        contest: &d.contest,
                        unit: &d.unit,
                        copies: &d.copies,
                    })
                    .collect(),
                by_unit: &r.by_unit,
            };
            Ok(comparison_json(
                (&format!("the official protocols in the record, election {election}"), &observed),
                &r.comparison,
                (&r.election, &r.tree),
                (&r.election, &r.tree),
                Some(&record),
            ))
        })
        .await?;
    Ok(fresh(v))
}
