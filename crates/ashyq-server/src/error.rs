//! Errors as HTTP responses: typed store errors map to statuses, and no internal error text
//! ever reaches a client (a damaged record or a database failure is logged with a request id;
//! the client gets the id and a sentence).

use ashyq_store::{BackendErrorKind, CheckFinding, StoreError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// A failed check, as the API reports it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FindingJson {
    /// Catalogue code (R2 … T2).
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The line concerned, when there is one.
    pub line: Option<String>,
    /// The sentence with the numbers.
    pub message: String,
}

impl From<&CheckFinding> for FindingJson {
    fn from(f: &CheckFinding) -> Self {
        FindingJson {
            code: f.code.clone(),
            severity: if f.error { "error" } else { "warning" }.into(),
            line: f.line.clone(),
            message: f.message.clone(),
        }
    }
}

/// The body of every error response.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// A machine-readable kind: `not_found`, `conflict`, `invalid`, `forbidden`, `unauthorized`,
    /// `rejected`, `too_large`, `rate_limited`, `unavailable`, `internal`.
    pub error: String,
    /// A sentence for people.
    pub message: String,
    /// For `rejected`: every failed check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingJson>,
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    message: String,
    findings: Vec<FindingJson>,
}

impl ApiError {
    /// An error with a status, a kind and a sentence.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, kind, message: message.into(), findings: Vec::new() }
    }
    /// 400.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid", message)
    }
    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    /// 403.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// 500 without details (they are logged).
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> ApiError {
        let id = request_id();
        tracing::error!(error_id = %id, context, detail = %detail, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the server could not complete the request (error {id}); the operators have the details"),
        )
    }
}

fn request_id() -> String {
    let mut b = [0u8; 6];
    let _ = getrandom_like(&mut b);
    hex::encode(b)
}

/// A few bytes that differ per call (not cryptographic; names a log line).
fn getrandom_like(b: &mut [u8]) -> Result<(), ()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let h = sha2::Sha256::digest(format!("{n}:{t}").as_bytes());
    b.copy_from_slice(&h[..b.len()]);
    Ok(())
}

use sha2::Digest as _;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ApiError::not_found(m),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Invalid(m) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", m),
            StoreError::Forbidden(m) => ApiError::forbidden(m),
            StoreError::Rejected(f) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: "rejected",
                message: format!(
                    "the protocol failed {} check(s); nothing was stored (errors need override, warnings acknowledge)",
                    f.len()
                ),
                findings: f.iter().map(FindingJson::from).collect(),
            },
            StoreError::Backend(b) if matches!(b.kind, BackendErrorKind::Busy) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the record is busy; retry with the same Idempotency-Key")
            }
            StoreError::Key(m) => ApiError::internal("signing key", m),
            other => ApiError::internal("store", other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            status: self.status.as_u16(),
            error: self.kind.to_owned(),
            message: self.message,
            findings: self.findings,
        };
        (self.status, Json(body)).into_response()
    }
}
