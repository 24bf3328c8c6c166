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

/// Turns every plain-text or empty error response (the framework's rejections of a
/// body over the limit, a malformed path or query, a wrong method, a timeout) into the JSON
/// error body, so that clients meet one error format everywhere. Server errors keep no text.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    // Ours are JSON and the dashboard's are HTML; the framework's rejections are plain text or
    // empty.
    let plain = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return resp;
    }
    let kind = match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_server_error() => "internal",
        _ => "invalid",
    };
    let text = if status.is_client_error() {
        axum::body::to_bytes(resp.into_body(), 4096)
            .await
            .ok()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .map(|t| t.trim().chars().take(300).collect::<String>())
            .filter(|t| !t.is_empty())
    } else {
        None
    };
    let message = match (status, text) {
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            "the request body is larger than this endpoint accepts".to_owned()
        }
        (StatusCode::SERVICE_UNAVAILABLE, _) => {
            "the server could not answer in time; retry later".to_owned()
        }
        (_, Some(t)) => t.to_lowercase(),
        (s, None) => format!("the request failed ({s})"),
    };
    ApiError::new(status, kind, message).into_response()
}
