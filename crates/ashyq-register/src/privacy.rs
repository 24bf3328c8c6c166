//! What of the register is exposed to whom (issue 12 item 4; BRIEF "Reliability and security":
//! "no personal data (voter register) is ever served publicly").
//!
//! The register is personal data: the IIN encodes date of birth and sex (law digest §8.6).
//! The server calls [`allowed`] before answering any register request; the table is the
//! policy, written once here:
//!
//! | request | commission | observer | public |
//! |---|---|---|---|
//! | per-station counts of registered voters | yes | yes | no |
//! | salted-hash membership check | yes | yes | no |
//! | voter rows (names, IINs, dates of birth) | yes | no | no |
//! | import / replace the register | yes | no | no |
//!
//! The membership check never takes or returns a name: the asker sends
//! [`membership_digest`]`(salt, IIN)` (computed on the asker's side with the salt the
//! commission gives to accredited observers) and learns only the station where that IIN is
//! registered, or that it is not. The salt is drawn at random for each import of the register,
//! so digests from one register cannot be matched against another, and without the salt a
//! digest cannot be tested against guessed IINs.

use ashyq_core::iin::Iin;
use sha2::{Digest, Sha256};

/// Who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An election commission (CEC, territorial, precinct) operating the register.
    Commission,
    /// An accredited observer (party agent, NGO, journalist accredited by the commission).
    Observer,
    /// Anyone else.
    Public,
}

/// What is asked of the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegisterRequest {
    /// How many voters are registered at each station.
    StationCounts,
    /// Whether a salted IIN digest is registered, and at which station.
    Membership,
    /// Voter rows with personal data.
    VoterRows,
    /// Import or replace the register.
    Import,
}

/// The access policy (the table in the module docs).
pub fn allowed(role: Role, request: RegisterRequest) -> bool {
    match role {
        Role::Commission => true,
        Role::Observer => {
            matches!(request, RegisterRequest::StationCounts | RegisterRequest::Membership)
        }
        Role::Public => false,
    }
}

/// Domain separation for [`membership_digest`], so the digest is never a plain hash of an IIN.
pub const MEMBERSHIP_DOMAIN: &[u8] = b"ashyq register membership v1\0";

/// SHA-256 over the domain tag, the salt and the 12 digits of the IIN, as 64 hex digits.
pub fn membership_digest(salt: &[u8], iin: Iin) -> String {
    let mut h = Sha256::new();
    h.update(MEMBERSHIP_DOMAIN);
    h.update(salt);
    h.update(iin.to_string().as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        use RegisterRequest::*;
        for r in [StationCounts, Membership, VoterRows, Import] {
            assert!(allowed(Role::Commission, r));
            assert!(!allowed(Role::Public, r), "the public gets nothing from the register");
        }
        assert!(allowed(Role::Observer, StationCounts));
        assert!(allowed(Role::Observer, Membership));
        assert!(!allowed(Role::Observer, VoterRows));
        assert!(!allowed(Role::Observer, Import));
    }

    #[test]
    fn digest_depends_on_salt_and_iin() {
        let a = Iin::parse("900101300007").unwrap();
        let b = Iin::parse("850515401239").unwrap();
        let d = membership_digest(b"salt-1", a);
        assert_eq!(d.len(), 64);
        assert_eq!(d, membership_digest(b"salt-1", a));
        assert_ne!(d, membership_digest(b"salt-2", a));
        assert_ne!(d, membership_digest(b"salt-1", b));
        // Independent recomputation with the documented layout.
        let mut h = Sha256::new();
        h.update(b"ashyq register membership v1\0salt-1900101300007");
        assert_eq!(d, hex::encode(h.finalize()));
    }
}
