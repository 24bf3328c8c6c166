//! Typed store errors, so that an HTTP layer maps them to statuses without parsing strings:
//! not found (404), conflict (409), invalid request (400/422), forbidden (403), rejected by the
//! checks (422, with the findings), corrupt record (500, what and where), backend (503).

use crate::CheckFinding;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An election, contest, unit or protocol named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request contradicts the record's state: the protocol already has a version, it
    /// changed meanwhile, the election is already imported, a snapshot already reported.
    #[error("{0}")]
    Conflict(String),
    /// The request itself is malformed: a missing line, a bad time, an empty author.
    #[error("{0}")]
    Invalid(String),
    /// The request is well-formed but this person may not make it (resolving one's own entry).
    #[error("{0}")]
    Forbidden(String),
    /// The protocol failed checks and was not accepted; nothing was stored.
    #[error("the protocol was rejected: {}", .0.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<CheckFinding>),
    /// Stored data cannot be read back: the record is damaged.
    #[error("the record is damaged: {location}: {what} (run `ashyq verify` for the full list)")]
    Corrupt {
        /// What is wrong.
        what: String,
        /// Where (election, table, entry).
        location: String,
    },
    /// The database is unreachable or failed.
    #[error("{0}")]
    Backend(BackendError),
    /// Key problems (unreadable key file, a key other than the record's).
    #[error("{0}")]
    Key(String),
    /// File problems (export).
    #[error("{0}")]
    Io(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl AsRef<str>, location: impl Into<String>) -> StoreError {
        StoreError::Corrupt { what: what.as_ref().to_owned(), location: location.into() }
    }

    pub(crate) fn backend(kind: BackendErrorKind, message: impl Into<String>) -> StoreError {
        StoreError::Backend(BackendError { kind, message: message.into() })
    }
}

/// What went wrong with the database itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendErrorKind {
    /// Nothing answers at the address (connection refused, host unreachable).
    Refused,
    /// The server refused the user or password.
    Authentication,
    /// The database (PostgreSQL) or file (SQLite) does not exist.
    UnknownDatabase,
    /// The database is not an Ashyq record, or one of another format.
    NotARecord,
    /// A concurrent writer won (serialization failure); retrying may succeed.
    Busy,
    /// Anything else the database reported.
    Other,
}

/// A database failure with its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendError {
    /// The kind.
    pub kind: BackendErrorKind,
    /// The sentence.
    pub message: String,
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
