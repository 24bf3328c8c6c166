//! RFC 6962 (Certificate Transparency) Merkle tree hashing, §2.1: leaf = SHA-256(0x00 ‖ data),
//! node = SHA-256(0x01 ‖ left ‖ right), and the tree over n leaves splits at the largest power
//! of two smaller than n.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// RFC 6962 leaf hash of `data`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// RFC 6962 interior node hash.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Merkle tree hash (root) of a list of leaf hashes; SHA-256 of nothing for an empty list.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// Parses a hex digest.
pub fn parse_hash(s: &str) -> Option<Hash> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_6962_shape() {
        let l: Vec<Hash> = (0u8..5).map(|i| leaf_hash(&[i])).collect();
        // 5 leaves: split 4 | 1; 4 splits 2 | 2.
        let want = node_hash(&node_hash(&node_hash(&l[0], &l[1]), &node_hash(&l[2], &l[3])), &l[4]);
        assert_eq!(root(&l), want);
        assert_eq!(root(&l[..1]), l[0]);
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(leaf_hash(b"a"), Sha256::digest(b"a").as_slice());
    }
}
