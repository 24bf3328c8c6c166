//! A commission's own signature of its protocol (issue 8: "optional Ed25519 signature of the
//! protocol by the commission's key, verified and kept").
//!
//! The record's checkpoints are signed by the key of whoever runs the record; a protocol
//! signature is made by the precinct or territorial commission that counted, with its own key,
//! before the protocol leaves it. The record keeps the signature in the protocol's leaf, so anyone
//! can check — from the leaf alone, offline — that the lines stored are the lines the commission
//! signed, even if the record's operator and its key are not trusted.
//!
//! The signed bytes are a small text, so that a commission's own tool (or `ashyq protocol sign`)
//! can produce them without Ashyq's canonical JSON:
//!
//! ```text
//! ashyq protocol statement v1
//! election kz-2023-03-19
//! contest mazhilis-list
//! unit ALM-001
//! against-all 12
//! amanat 431
//! …                      (every line of the protocol, sorted by name, "NAME VALUE")
//! ```
//!
//! The signature is Ed25519 (RFC 8032) over those bytes; key and signature travel as standard
//! base64 (32 and 64 bytes).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

/// The first line of every statement.
pub const STATEMENT_HEADER: &str = "ashyq protocol statement v1";

/// A commission's signature of a protocol: its public key and the signature, base64.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolSignature {
    /// The commission's Ed25519 public key, standard base64 of 32 bytes.
    pub key: String,
    /// The Ed25519 signature of the statement, standard base64 of 64 bytes.
    pub signature: String,
}

/// The bytes a commission signs for a protocol: the header, election, contest and unit ids, and
/// every line sorted by name. Ids and line names are plain (ASCII letters, digits, `-_.:`), so
/// the text needs no escaping.
pub fn protocol_statement(
    election: &str,
    contest: &str,
    unit: &str,
    lines: &[(String, u64)],
) -> Vec<u8> {
    let mut sorted: Vec<&(String, u64)> = lines.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut s =
        format!("{STATEMENT_HEADER}\nelection {election}\ncontest {contest}\nunit {unit}\n");
    for (line, value) in sorted {
        s.push_str(&format!("{line} {value}\n"));
    }
    s.into_bytes()
}

/// Parses a base64 Ed25519 public key (32 bytes).
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let raw = B64
        .decode(text.trim())
        .map_err(|_| "the protocol key is not standard base64".to_owned())?;
    let bytes: [u8; 32] = raw
        .try_into()
        .map_err(|_| "the protocol key is not 32 bytes (an Ed25519 public key)".to_owned())?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| "the protocol key is not a valid Ed25519 point".to_owned())
}

/// Checks `sig` over `statement`; the error says what is wrong in a sentence.
pub fn verify_statement(statement: &[u8], sig: &ProtocolSignature) -> Result<(), String> {
    let key = parse_public_key(&sig.key)?;
    let raw = B64
        .decode(sig.signature.trim())
        .map_err(|_| "the protocol signature is not standard base64".to_owned())?;
    let bytes: [u8; 64] = raw
        .try_into()
        .map_err(|_| "the protocol signature is not 64 bytes (an Ed25519 signature)".to_owned())?;
    key.verify_strict(statement, &Signature::from_bytes(&bytes)).map_err(|_| {
        "the protocol signature does not verify: the lines, ids or key are not the ones signed"
            .to_owned()
    })
}

/// Signs a statement with a commission's secret seed (for `ashyq protocol sign` and tests).
pub fn sign_statement(seed: &[u8; 32], statement: &[u8]) -> ProtocolSignature {
    let key = SigningKey::from_bytes(seed);
    ProtocolSignature {
        key: B64.encode(key.verifying_key().as_bytes()),
        signature: B64.encode(key.sign(statement).to_bytes()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lines() -> Vec<(String, u64)> {
        vec![("registered".into(), 1000), ("amanat".into(), 431), ("against-all".into(), 12)]
    }

    #[test]
    fn the_statement_is_plain_sorted_text() {
        let s = protocol_statement("kz-2023-03-19", "mazhilis-list", "ALM-001", &lines());
        assert_eq!(
            String::from_utf8(s).unwrap(),
            "ashyq protocol statement v1\nelection kz-2023-03-19\ncontest mazhilis-list\nunit ALM-001\nagainst-all 12\namanat 431\nregistered 1000\n"
        );
    }

    #[test]
    fn signatures_verify_and_any_change_breaks_them() {
        let seed = [7u8; 32];
        let s = protocol_statement("e", "c", "u", &lines());
        let sig = sign_statement(&seed, &s);
        verify_statement(&s, &sig).unwrap();
        let mut changed = lines();
        changed[1].1 += 1;
        let err = verify_statement(&protocol_statement("e", "c", "u", &changed), &sig).unwrap_err();
        assert!(err.contains("does not verify"), "{err}");
        assert!(verify_statement(&protocol_statement("e", "c", "u2", &lines()), &sig).is_err());
        let other = sign_statement(&[8u8; 32], &s);
        let mixed = ProtocolSignature { key: other.key, signature: sig.signature.clone() };
        assert!(verify_statement(&s, &mixed).is_err());
        for bad in ["", "%%%", "AAAA"] {
            let broken = ProtocolSignature { key: bad.into(), signature: sig.signature.clone() };
            assert!(verify_statement(&s, &broken).is_err(), "{bad}");
            let broken = ProtocolSignature { key: sig.key.clone(), signature: bad.into() };
            assert!(verify_statement(&s, &broken).is_err(), "{bad}");
        }
    }

    /// RFC 8032 §7.1, TEST 1: the secret key 9d61…7f60 signs the empty message as e556…100b.
    #[test]
    fn ed25519_as_rfc_8032_says() {
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap();
        let sig = sign_statement(&seed, b"");
        assert_eq!(
            hex::encode(B64.decode(&sig.key).unwrap()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(B64.decode(&sig.signature).unwrap()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }
}
