//! The commission's Ed25519 signing key (RFC 8032): generated from the operating system's
//! randomness, kept in a key file the commission holds; the record stores only the public key
//! and the signatures of tree heads.

use std::fs;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};

use crate::merkle::Hash;
use crate::StoreError;

/// A loaded signing key.
pub struct Signer {
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.public_key_hex())
    }
}

impl Signer {
    /// Loads the key file (64 hex digits of the secret key); creates it with fresh randomness
    /// (mode 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Signer, StoreError> {
        if path.exists() {
            return Signer::load(path);
        }
        let mut secret = [0u8; 32];
        getrandom::getrandom(&mut secret)
            .map_err(|e| StoreError::Key(format!("cannot draw randomness for a new key: {e}")))?;
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| {
            StoreError::Key(format!("cannot create the key file {}: {e}", path.display()))
        })?;
        writeln!(f, "{}", hex::encode(secret)).map_err(|e| {
            StoreError::Key(format!("cannot write the key file {}: {e}", path.display()))
        })?;
        Ok(Signer { key: SigningKey::from_bytes(&secret) })
    }

    /// Loads an existing key file.
    pub fn load(path: &Path) -> Result<Signer, StoreError> {
        let text = fs::read_to_string(path).map_err(|e| {
            StoreError::Key(format!("cannot read the key file {}: {e}", path.display()))
        })?;
        let bytes = hex::decode(text.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok());
        let Some(secret) = bytes else {
            return Err(StoreError::Key(format!(
                "{}: a key file holds 64 hexadecimal digits (an Ed25519 secret key)",
                path.display()
            )));
        };
        Ok(Signer { key: SigningKey::from_bytes(&secret) })
    }

    /// The public key, hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub(crate) fn sign_head(&self, election: &str, size: u64, root: &Hash) -> String {
        hex::encode(self.key.sign(&head_message(election, size, root)).to_bytes())
    }
}

/// The bytes a tree head signature covers.
pub(crate) fn head_message(election: &str, size: u64, root: &Hash) -> Vec<u8> {
    let mut m = b"ashyq tree head v1\n".to_vec();
    m.extend_from_slice(election.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(&size.to_be_bytes());
    m.extend_from_slice(root);
    m
}

/// Checks a tree head signature. `Err` says why not.
pub(crate) fn verify_head(
    public_key: &str,
    election: &str,
    size: u64,
    root: &Hash,
    signature: &str,
) -> Result<(), String> {
    let pk = hex::decode(public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| format!("the public key \"{public_key}\" is not an Ed25519 key"))?;
    let sig = hex::decode(signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or_else(|| "the signature is not 64 bytes of hex".to_owned())?;
    pk.verify(&head_message(election, size, root), &sig)
        .map_err(|_| "the signature does not verify with the record's public key".to_owned())
}
