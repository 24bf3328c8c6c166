//! The commission's Ed25519 signing key (RFC 8032), kept in a key file the commission holds:
//! the record stores only the verifier key and the signed checkpoints.
//!
//! A key file holds either 64 hexadecimal digits (the 32-byte secret seed) or a signed-note
//! private key `PRIVATE+KEY+NAME+KEYID+BASE64(0x01 ‖ seed)` as Go's `note.GenerateKey` writes it.

use std::fs;
use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::SigningKey;

use crate::note::{Checkpoint, NoteError, VerifierKey};

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

/// A loaded signing key.
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", hex::encode(self.key.verifying_key().as_bytes()))
    }
}

impl Signer {
    /// A signer from a 32-byte secret seed.
    pub fn from_seed(seed: [u8; 32]) -> Signer {
        Signer { key: SigningKey::from_bytes(&seed) }
    }

    /// Loads the key file; creates it with fresh randomness from the operating system (mode
    /// 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Signer, KeyError> {
        if path.exists() {
            return Signer::load(path);
        }
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed)
            .map_err(|e| KeyError(format!("cannot draw randomness for a new key: {e}")))?;
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(path)
            .map_err(|e| KeyError(format!("cannot create the key file {}: {e}", path.display())))?;
        writeln!(f, "{}", hex::encode(seed))
            .and_then(|()| f.sync_all())
            .map_err(|e| KeyError(format!("cannot write the key file {}: {e}", path.display())))?;
        Ok(Signer::from_seed(seed))
    }

    /// Loads an existing key file.
    pub fn load(path: &Path) -> Result<Signer, KeyError> {
        let text = fs::read_to_string(path)
            .map_err(|e| KeyError(format!("cannot read the key file {}: {e}", path.display())))?;
        Signer::parse(text.trim()).map_err(|why| KeyError(format!("{}: {why}", path.display())))
    }

    /// Parses the text of a key file.
    pub fn parse(text: &str) -> Result<Signer, String> {
        if let Some(rest) = text.strip_prefix("PRIVATE+KEY+") {
            // NAME+KEYID+BASE64: names hold no '+', but base64 may.
            let b64 = rest.splitn(3, '+').nth(2).unwrap_or_default();
            let raw = B64.decode(b64).map_err(|_| "the private key is not base64".to_owned())?;
            return match raw.split_first() {
                Some((1, seed)) => Ok(Signer::from_seed(
                    seed.try_into().map_err(|_| "the private key is not 32 bytes".to_owned())?,
                )),
                _ => Err("the private key is not an Ed25519 key (type 0x01)".to_owned()),
            };
        }
        let seed = hex::decode(text).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| {
            "a key file holds 64 hexadecimal digits (an Ed25519 secret key) or a PRIVATE+KEY+… note key"
                .to_owned()
        })?;
        Ok(Signer::from_seed(seed))
    }

    /// The verifier key under `name` (for Ashyq, the log's origin).
    pub fn verifier_key(&self, name: &str) -> Result<VerifierKey, NoteError> {
        VerifierKey::new(name, self.key.verifying_key())
    }

    /// The public key, standard base64 of its 32 bytes (the form a protocol signature and
    /// `ashyq token create --protocol-key` carry).
    pub fn public_key_base64(&self) -> String {
        B64.encode(self.key.verifying_key().as_bytes())
    }

    /// Creates a new key file (mode 0600) and refuses to overwrite an existing one.
    pub fn create(path: &Path) -> Result<Signer, KeyError> {
        if path.exists() {
            return Err(KeyError(format!(
                "{} exists; a key file is never overwritten (a lost key cannot be recovered)",
                path.display()
            )));
        }
        Signer::load_or_create(path)
    }

    /// Signs a protocol statement ([`crate::statement::protocol_statement`]) as a commission
    /// signs its own protocol: the public key and the signature, base64.
    pub fn sign_protocol(&self, statement: &[u8]) -> crate::statement::ProtocolSignature {
        crate::statement::sign_statement(self.key.as_bytes(), statement)
    }

    /// Signs a checkpoint as a C2SP signed note, with the checkpoint's origin as key name.
    pub fn sign_checkpoint(&self, c: &Checkpoint) -> Result<String, NoteError> {
        c.sign(&c.origin, &self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_load_in_both_forms() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k.key");
        let a = Signer::load_or_create(&p).unwrap();
        let b = Signer::load(&p).unwrap();
        assert_eq!(a.verifier_key("n").unwrap(), b.verifier_key("n").unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // The signed-note specification's example private key.
        let go = Signer::parse(
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        )
        .unwrap();
        assert_eq!(
            go.verifier_key("PeterNeumann").unwrap().to_string(),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        );
        assert!(Signer::parse("00").is_err());
    }
}
