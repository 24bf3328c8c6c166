//! The record kernel: what an election record is and how anyone verifies it, with no SQL and no
//! database driver. An observer's verifier links this crate alone.
//!
//! - [`leaf`]: the canonical form of every fact (definition, protocol versions, double entries,
//!   turnout snapshots, certifications; observers' copies and turnout counts, audit events, kept
//!   beside the official facts and never mixed into them) as leaves of one Merkle log per
//!   election;
//! - [`merkle`]: RFC 9162 hashing, inclusion and consistency proofs, the O(log n) [`merkle::Frontier`];
//! - [`note`]: C2SP signed notes and tlog checkpoints (Ed25519), verifier keys;
//! - [`keys`]: the commission's key file;
//! - [`certify`]: the counts a log holds, certification inputs and totals;
//! - [`verify`]: the verification procedure over a raw record, trusting only the reader's anchors
//!   (a pinned verifier key, checkpoints published earlier);
//! - [`folder`]: the record folder that anyone can verify offline;
//! - [`audit`]: what an audit kept in the record commits to and how its events replay (the
//!   maths is `ashyq_audit`).
//!
//! `ashyq-store` is the SQL behind it: it stores the facts as rows, rebuilds the leaves from
//! them, and runs [`verify::verify`].
#![deny(missing_docs)]

pub mod audit;
pub mod certify;
pub mod definition;
pub mod folder;
pub mod keys;
pub mod leaf;
pub mod merkle;
pub mod note;
pub mod statement;
pub mod timestamp;
pub mod verify;

pub use keys::Signer;
pub use leaf::Leaf;
pub use note::{Checkpoint, VerifierKey};
pub use timestamp::Timestamp;

/// At most this many bytes of untrusted input are quoted in a message.
pub const QUOTE_LIMIT: usize = 200;

/// `s`, cut to about [`QUOTE_LIMIT`] bytes (at a character boundary) with `…` when cut.
pub fn quote(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= QUOTE_LIMIT {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut end = QUOTE_LIMIT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}…", &s[..end]))
}
