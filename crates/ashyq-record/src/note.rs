//! Signed notes and checkpoints, as the transparency-log ecosystem exchanges them, so that
//! standard tooling and witnesses can hold the commission to its record:
//!
//! - C2SP `signed-note` (<https://c2sp.org/signed-note>): a UTF-8 text ending in a newline, a blank
//!   line, then signature lines `— NAME BASE64(key id ‖ signature)`; Ed25519 keys (type 0x01);
//!   key id = the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key); verifier keys are
//!   written `NAME+HEX(key id)+BASE64(0x01 ‖ public key)`.
//! - C2SP `tlog-checkpoint` (<https://c2sp.org/tlog-checkpoint>): the note text is the origin
//!   line, the tree size in decimal, and the base64 root hash, each on its own line.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// The signature line prefix: U+2014 EM DASH and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// At most this many signature lines are read (as Go's `note.Open`).
const MAX_SIGNATURES: usize = 100;

/// Why a note, key or checkpoint is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key name is empty or holds a space or a plus sign.
    #[error("\"{0}\" is not a valid key name (non-empty, no spaces, no '+')")]
    BadName(String),
    /// A verifier key string is malformed.
    #[error("the verifier key is malformed: {0}")]
    BadVerifierKey(String),
    /// A note is malformed.
    #[error("the note is malformed: {0}")]
    Malformed(String),
    /// No signature by the expected key is on the note.
    #[error("the note carries no signature by key {0}")]
    NotSigned(String),
    /// A signature by the expected key does not verify.
    #[error(
        "the signature by key {0} does not verify: the note was altered or signed by another key"
    )]
    BadSignature(String),
    /// A checkpoint body is malformed.
    #[error("the checkpoint is malformed: {0}")]
    BadCheckpoint(String),
}

/// True when `name` may name a key: non-empty, no Unicode white space, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key id of an Ed25519 key under a name.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(public_key);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// A named Ed25519 public key that checks notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl VerifierKey {
    /// The verifier key of `key` under `name`.
    pub fn new(name: &str, key: VerifyingKey) -> Result<VerifierKey, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::BadName(name.to_owned()));
        }
        Ok(VerifierKey { name: name.to_owned(), id: key_id(name, key.as_bytes()), key })
    }

    /// Parses `NAME+HEXID+BASE64KEY`.
    pub fn parse(s: &str) -> Result<VerifierKey, NoteError> {
        let s = s.trim();
        let bad = |why: &str| NoteError::BadVerifierKey(format!("{why} (expected NAME+KEYID+KEY)"));
        // Names hold no '+'; base64 may.
        let mut parts = s.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("it does not have three parts separated by '+'"));
        };
        if !is_valid_key_name(name) {
            return Err(NoteError::BadName(name.to_owned()));
        }
        let id: [u8; 4] = hex::decode(id_hex)
            .ok()
            .and_then(|v| v.try_into().ok())
            .filter(|_| id_hex.len() == 8)
            .ok_or_else(|| bad("the key id is not 8 hexadecimal digits"))?;
        let raw = B64.decode(key_b64).map_err(|_| bad("the key is not base64"))?;
        let (Some(&ED25519), Ok(bytes)) =
            (raw.first(), <[u8; 32]>::try_from(&raw[1.min(raw.len())..]))
        else {
            return Err(bad("the key is not an Ed25519 key (type 0x01 and 32 bytes)"));
        };
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| bad("the key is not a valid Ed25519 point"))?;
        if key_id(name, &bytes) != id {
            return Err(bad("the key id does not match the name and key"));
        }
        Ok(VerifierKey { name: name.to_owned(), id, key })
    }

    /// The key name (for Ashyq, the log's origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 32-byte public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The key id, hex.
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// Checks the note: returns its text when a signature line by this key verifies. Signatures
    /// by other keys are ignored (C2SP signed-note: unknown keys are skipped).
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let (text, sigs) = split_note(note)?;
        for (name, blob) in sigs {
            if name != self.name || blob[..4] != self.id {
                continue;
            }
            let sig = Signature::from_slice(&blob[4..])
                .map_err(|_| NoteError::BadSignature(self.name.clone()))?;
            return self
                .key
                .verify(text.as_bytes(), &sig)
                .map(|()| text)
                .map_err(|_| NoteError::BadSignature(self.to_string()));
        }
        Err(NoteError::NotSigned(self.to_string()))
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{}+{}", self.name, hex::encode(self.id), B64.encode(raw))
    }
}

/// Splits a note into its text (with its final newline) and its signature lines, each (key
/// name, 4-byte id followed by the signature). Checks the C2SP syntax.
/// A signature line: the key name and the 4-byte key id followed by the signature.
type SignatureLine<'a> = (&'a str, Vec<u8>);

fn split_note(note: &str) -> Result<(&str, Vec<SignatureLine<'_>>), NoteError> {
    let bad = |why: &str| NoteError::Malformed(why.to_owned());
    if note.len() > 1 << 20 {
        return Err(bad("it is larger than 1 MiB"));
    }
    if !note.ends_with('\n') {
        return Err(bad("it does not end with a newline"));
    }
    let Some(split) = note.rfind("\n\n") else {
        return Err(bad("it has no blank line before its signatures"));
    };
    let text = &note[..split + 1];
    let mut sigs = Vec::new();
    for line in note[split + 2..].lines() {
        let Some(rest) = line.strip_prefix(SIG_PREFIX) else {
            return Err(bad("a signature line does not start with \"— \""));
        };
        let Some((name, b64)) = rest.split_once(' ') else {
            return Err(bad("a signature line has no signature"));
        };
        if !is_valid_key_name(name) {
            return Err(NoteError::BadName(name.to_owned()));
        }
        let blob = B64.decode(b64).map_err(|_| bad("a signature is not base64"))?;
        if blob.len() < 5 {
            return Err(bad("a signature is too short"));
        }
        sigs.push((name, blob));
        if sigs.len() > MAX_SIGNATURES {
            return Err(bad("it has more than 100 signatures"));
        }
    }
    if sigs.is_empty() {
        return Err(bad("it has no signature"));
    }
    Ok((text, sigs))
}

/// Signs `text` (which must end in a newline and contain no blank line or control characters
/// other than newlines) as a signed note with `key` under `name`.
pub fn sign_note(text: &str, name: &str, key: &SigningKey) -> Result<String, NoteError> {
    if !is_valid_key_name(name) {
        return Err(NoteError::BadName(name.to_owned()));
    }
    if !text.ends_with('\n') || text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed(
            "the text must end with a newline and hold no blank line".into(),
        ));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("the text holds control characters".into()));
    }
    let public = key.verifying_key();
    let mut blob = key_id(name, public.as_bytes()).to_vec();
    blob.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
    Ok(format!("{text}\n{SIG_PREFIX}{name} {}\n", B64.encode(blob)))
}

/// A tree head in the C2SP `tlog-checkpoint` form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin (for Ashyq: `ashyq/ELECTION`).
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// Root hash of the first `size` leaves.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: origin, size, base64 root, one per line.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root))
    }

    /// Parses a checkpoint body (extension lines after the root are allowed and ignored).
    pub fn parse_body(text: &str) -> Result<Checkpoint, NoteError> {
        let bad = |why: &str| NoteError::BadCheckpoint(why.to_owned());
        let mut lines = text.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or_else(|| bad("no origin line"))?;
        let size = lines.next().ok_or_else(|| bad("no tree size line"))?;
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad("the tree size is not a decimal number without leading zeros"));
        }
        let size: u64 = size.parse().map_err(|_| bad("the tree size is too large"))?;
        let root = lines.next().ok_or_else(|| bad("no root hash line"))?;
        let root: Hash = B64
            .decode(root)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| bad("the root hash is not 32 bytes of base64"))?;
        Ok(Checkpoint { origin: origin.to_owned(), size, root })
    }

    /// Signs the checkpoint as a note under `name`.
    pub fn sign(&self, name: &str, key: &SigningKey) -> Result<String, NoteError> {
        sign_note(&self.body(), name, key)
    }

    /// Opens a signed checkpoint with `key`: checks the signature, then parses the body.
    pub fn open(note: &str, key: &VerifierKey) -> Result<Checkpoint, NoteError> {
        Checkpoint::parse_body(key.open(note)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example key and note of the C2SP signed-note specification and Go's
    /// golang.org/x/mod/sumdb/note (PeterNeumann).
    const SPEC_SKEY_SEED_B64: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const SPEC_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const SPEC_TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const SPEC_NOTE: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn spec_key() -> SigningKey {
        let raw = B64.decode(SPEC_SKEY_SEED_B64).unwrap();
        assert_eq!(raw[0], ED25519);
        SigningKey::from_bytes(&raw[1..].try_into().unwrap())
    }

    #[test]
    fn reproduces_the_specification_example() {
        let sk = spec_key();
        let vk = VerifierKey::new("PeterNeumann", sk.verifying_key()).unwrap();
        assert_eq!(vk.to_string(), SPEC_VKEY);
        assert_eq!(VerifierKey::parse(SPEC_VKEY).unwrap(), vk);
        assert_eq!(sign_note(SPEC_TEXT, "PeterNeumann", &sk).unwrap(), SPEC_NOTE);
        assert_eq!(vk.open(SPEC_NOTE).unwrap(), SPEC_TEXT);
    }

    #[test]
    fn altered_notes_and_foreign_keys_fail() {
        let vk = VerifierKey::parse(SPEC_VKEY).unwrap();
        let altered = SPEC_NOTE.replace("answer", "ANSWER");
        assert!(matches!(vk.open(&altered), Err(NoteError::BadSignature(_))));
        let other = SigningKey::from_bytes(&[7u8; 32]);
        let forged = sign_note(SPEC_TEXT, "PeterNeumann", &other).unwrap();
        assert!(matches!(vk.open(&forged), Err(NoteError::NotSigned(_))));
        assert!(vk.open("no signature\n").is_err());
        assert!(VerifierKey::parse(
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        )
        .is_err());
        assert!(VerifierKey::parse("a b+c74f20a3+AR").is_err());
        assert!(sign_note("no newline", "n", &other).is_err());
    }

    #[test]
    fn checkpoints_round_trip_and_parse_strictly() {
        let c = Checkpoint { origin: "ashyq/kz-2023".into(), size: 12, root: [9u8; 32] };
        let sk = SigningKey::from_bytes(&[3u8; 32]);
        let vk = VerifierKey::new("ashyq/kz-2023", sk.verifying_key()).unwrap();
        let note = c.sign("ashyq/kz-2023", &sk).unwrap();
        assert_eq!(Checkpoint::open(&note, &vk).unwrap(), c);
        assert!(Checkpoint::parse_body("o\n012\nAAAA\n").is_err());
        assert!(Checkpoint::parse_body("o\n12\n").is_err());
        assert!(Checkpoint::parse_body("\n12\nAAAA\n").is_err());
        let with_ext = format!("{}extension line\n", c.body());
        assert_eq!(Checkpoint::parse_body(&with_ext).unwrap(), c);
    }
}
