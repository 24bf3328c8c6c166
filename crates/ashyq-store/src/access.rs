//! Access control beside the record: bearer tokens with a role and a scope, and idempotency
//! keys of accepted submissions. Neither is a fact of any election: they are not logged, not
//! exported, not covered by `verify` (whoever controls the database controls who may write, but
//! cannot change what was written without `verify` noticing).
//!
//! Tokens are stored as SHA-256 hashes of their secret; the secret is shown once, at creation.

use sha2::{Digest, Sha256};

use crate::db::Value;
use crate::{Receipt, Store, StoreError};

/// Who may do what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The Central Election Commission: every write, every election.
    Cec,
    /// A territorial or precinct commission: protocols of the stations inside its unit only.
    Commission,
    /// An observer: observations (copies of protocols, turnout counts) only.
    Observer,
}

impl Role {
    /// `cec`, `commission`, `observer`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Cec => "cec",
            Role::Commission => "commission",
            Role::Observer => "observer",
        }
    }

    /// Parses a role name.
    pub fn from_name(s: &str) -> Option<Role> {
        Some(match s {
            "cec" => Role::Cec,
            "commission" => Role::Commission,
            "observer" => Role::Observer,
            _ => return None,
        })
    }
}

/// A token's grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// Public id (the first 12 hex digits of the secret's hash): names the token in logs.
    pub id: String,
    /// Role.
    pub role: Role,
    /// The unit it is scoped to (commissions and observers); `None`: everywhere.
    pub unit: Option<String>,
    /// The election it is scoped to; `None`: every election.
    pub election: Option<String>,
    /// Who holds it.
    pub label: String,
    /// For a commission: the Ed25519 public key (base64) its protocols must be signed with;
    /// `None`: signatures are optional (and checked when given).
    pub protocol_key: Option<String>,
}

/// An idempotency key: `scope` (the token's id) and the client's key, with the hash of the
/// request it was first used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key (keys of different tokens never collide).
    pub scope: String,
    /// The client's `Idempotency-Key`.
    pub key: String,
    /// SHA-256 of the request, so that a key reused for another request is refused.
    pub request_hash: String,
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Creates a token; returns its secret (shown once) and its grant.
    pub fn create_token(
        &mut self,
        role: Role,
        unit: Option<&str>,
        election: Option<&str>,
        label: &str,
    ) -> Result<(String, TokenInfo), StoreError> {
        self.create_token_with_key(role, unit, election, label, None)
    }

    /// Creates a token whose protocols must carry the commission's own Ed25519 signature made
    /// with `protocol_key` (base64 public key), when given; returns its secret and its grant.
    pub fn create_token_with_key(
        &mut self,
        role: Role,
        unit: Option<&str>,
        election: Option<&str>,
        label: &str,
        protocol_key: Option<&str>,
    ) -> Result<(String, TokenInfo), StoreError> {
        if let Some(k) = protocol_key {
            if role != Role::Commission {
                return Err(StoreError::Invalid(format!(
                    "a protocol key belongs to a commission token, not to a {} token",
                    role.name()
                )));
            }
            ashyq_record::statement::parse_public_key(k).map_err(StoreError::Invalid)?;
        }
        if role != Role::Cec && unit.is_none() {
            return Err(StoreError::Invalid(format!(
                "a {} token needs the unit it is scoped to",
                role.name()
            )));
        }
        if let Some(e) = election {
            let (_, tree) = self.definition(e)?;
            if let Some(u) = unit {
                if tree.index_of(u).is_none() {
                    return Err(StoreError::NotFound(format!(
                        "unit \"{}\" is not in election {e}",
                        ashyq_record::quote(u)
                    )));
                }
            }
        }
        let mut raw = [0u8; 32];
        getrandom::getrandom(&mut raw)
            .map_err(|e| StoreError::Io(format!("cannot draw randomness: {e}")))?;
        let secret = format!("ashyq_{}", hex::encode(raw));
        let hash = secret_hash(&secret);
        let info = TokenInfo {
            id: hash[..12].to_owned(),
            role,
            unit: unit.map(str::to_owned),
            election: election.map(str::to_owned),
            label: label.to_owned(),
            protocol_key: protocol_key.map(|k| k.trim().to_owned()),
        };
        let now = self.now();
        self.write_tx(|db| {
            db.exec(
                "INSERT INTO tokens (id, secret_hash, role, unit, election_id, label, created_at, protocol_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                &[
                    info.id.as_str().into(),
                    hash.as_str().into(),
                    role.name().into(),
                    info.unit.clone().into(),
                    info.election.clone().into(),
                    label.into(),
                    now.as_str().into(),
                    info.protocol_key.clone().into(),
                ],
            )?;
            Ok(())
        })?;
        Ok((secret, info))
    }

    /// The grant of a secret, if the token exists and is not revoked.
    pub fn token(&mut self, secret: &str) -> Result<Option<TokenInfo>, StoreError> {
        let rows = self.db.query(
            "SELECT id, role, unit, election_id, label, protocol_key FROM tokens WHERE secret_hash = ?1 AND revoked_at IS NULL",
            &[secret_hash(secret).into()],
        )?;
        let Some(r) = rows.first() else { return Ok(None) };
        let role = Role::from_name(r[1].text()?).ok_or_else(|| {
            StoreError::corrupt(format!("role {:?} is unknown", r[1]), "table tokens")
        })?;
        Ok(Some(TokenInfo {
            id: r[0].text()?.to_owned(),
            role,
            unit: r[2].opt_text()?.map(str::to_owned),
            election: r[3].opt_text()?.map(str::to_owned),
            label: r[4].text()?.to_owned(),
            protocol_key: r[5].opt_text()?.map(str::to_owned),
        }))
    }

    /// Revokes a token by its public id; `NotFound` when there is none.
    pub fn revoke_token(&mut self, id: &str) -> Result<(), StoreError> {
        let now = self.now();
        let n = self.write_tx(|db| {
            db.exec(
                "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                &[now.as_str().into(), id.into()],
            )
        })?;
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "no active token has id {}",
                ashyq_record::quote(id)
            )));
        }
        Ok(())
    }

    /// The receipt recorded under an idempotency key: (request hash, version, receipt).
    pub fn idempotent(
        &mut self,
        scope: &str,
        key: &str,
    ) -> Result<Option<(String, u64, Receipt)>, StoreError> {
        lookup(&mut self.db, scope, key)
    }
}

pub(crate) fn lookup(
    db: &mut crate::db::Db,
    scope: &str,
    key: &str,
) -> Result<Option<(String, u64, Receipt)>, StoreError> {
    let rows = db.query(
        "SELECT request_hash, version, log_index, leaf_hash, tree_size, checkpoint FROM idempotency WHERE scope = ?1 AND key = ?2",
        &[scope.into(), key.into()],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    let n = |v: &Value| v.int().map(|i| i.max(0) as u64);
    Ok(Some((
        r[0].text()?.to_owned(),
        n(&r[1])?,
        Receipt {
            log_index: n(&r[2])?,
            leaf_hash: r[3].text()?.to_owned(),
            tree_size: n(&r[4])?,
            checkpoint: r[5].opt_text()?.map(str::to_owned),
            replayed: true,
        },
    )))
}

/// Records the receipt of an accepted submission under its key (inside its transaction).
pub(crate) fn record(
    db: &mut crate::db::Db,
    key: &IdempotencyKey,
    election: &str,
    version: u64,
    receipt: &Receipt,
    at: &str,
) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO idempotency (scope, key, request_hash, election_id, version, log_index, leaf_hash, tree_size, checkpoint, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &[
            key.scope.as_str().into(),
            key.key.as_str().into(),
            key.request_hash.as_str().into(),
            election.into(),
            Value::Int(version as i64),
            Value::Int(receipt.log_index as i64),
            receipt.leaf_hash.as_str().into(),
            Value::Int(receipt.tree_size as i64),
            receipt.checkpoint.clone().into(),
            at.into(),
        ],
    )?;
    Ok(())
}
