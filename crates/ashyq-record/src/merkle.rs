//! The Merkle tree of RFC 9162 §2.1 (the same hashing as RFC 6962): leaf = SHA-256(0x00 ‖ data),
//! node = SHA-256(0x01 ‖ left ‖ right), and the tree over n leaves splits at the largest power of
//! two smaller than n. Inclusion proofs (§2.1.3) and consistency proofs (§2.1.4), generation and
//! verification, and the [`Frontier`] that appends a leaf in O(log n).

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// Leaf hash of `data` (RFC 9162 §2.1.1: `HASH(0x00 || d)`).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// Interior node hash (`HASH(0x01 || left || right)`).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Merkle Tree Hash `MTH(D[n])` over leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// Inclusion proof `PATH(m, D[n])` (RFC 9162 §2.1.3.1) of leaf `index` in the tree of the
/// first `size` leaves, bottom up. `None` when `index >= size` or `size > leaves.len()`.
pub fn inclusion_proof(leaves: &[Hash], index: u64, size: u64) -> Option<Vec<Hash>> {
    let (m, n) = (usize::try_from(index).ok()?, usize::try_from(size).ok()?);
    if m >= n || n > leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    path_of(m, &leaves[..n], &mut path);
    Some(path)
}

fn path_of(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
    if d.len() <= 1 {
        return;
    }
    let k = split(d.len());
    if m < k {
        path_of(m, &d[..k], out);
        out.push(root(&d[k..]));
    } else {
        path_of(m - k, &d[k..], out);
        out.push(root(&d[..k]));
    }
}

/// Consistency proof `PROOF(m, D[n])` (RFC 9162 §2.1.4.1) between the trees of the first
/// `first` and the first `second` leaves. `None` when `first > second` or `second >
/// leaves.len()`. Empty when `first` is 0 or equals `second`.
pub fn consistency_proof(leaves: &[Hash], first: u64, second: u64) -> Option<Vec<Hash>> {
    let (m, n) = (usize::try_from(first).ok()?, usize::try_from(second).ok()?);
    if m > n || n > leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    if m > 0 && m < n {
        subproof(m, &leaves[..n], true, &mut proof);
    }
    Some(proof)
}

fn subproof(m: usize, d: &[Hash], b: bool, out: &mut Vec<Hash>) {
    let n = d.len();
    if m == n {
        if !b {
            out.push(root(d));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &d[..k], b, out);
        out.push(root(&d[k..]));
    } else {
        subproof(m - k, &d[k..], false, out);
        out.push(root(&d[..k]));
    }
}

/// Why a proof does not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not inside a tree of size {size}")]
    IndexOutOfRange {
        /// Leaf index.
        index: u64,
        /// Tree size.
        size: u64,
    },
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has the wrong length for these tree sizes")]
    WrongLength,
    /// The recomputed root differs from the expected one.
    #[error("the proof does not lead to the expected root hash")]
    RootMismatch,
    /// The first tree is larger than the second.
    #[error("the first tree ({first}) is larger than the second ({second})")]
    Shrinking {
        /// First size.
        first: u64,
        /// Second size.
        second: u64,
    },
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    path: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnum, mut snum) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if snum == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnum & 1 == 1 || fnum == snum {
            r = node_hash(p, &r);
            if fnum & 1 == 0 {
                while fnum & 1 == 0 && fnum != 0 {
                    fnum >>= 1;
                    snum >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnum >>= 1;
        snum >>= 1;
    }
    if snum != 0 {
        return Err(ProofError::WrongLength);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2) that the tree of size `first` with root
/// `first_root` is a prefix of the tree of size `second` with root `second_root`.
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::Shrinking { first, second });
    }
    if first == second {
        return if !proof.is_empty() {
            Err(ProofError::WrongLength)
        } else if first_root == second_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if first == 0 {
        // Every tree extends the empty tree.
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::WrongLength) };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let (mut fnum, mut snum) = (first - 1, second - 1);
    while fnum & 1 == 1 {
        fnum >>= 1;
        snum >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snum == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnum & 1 == 1 || fnum == snum {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnum & 1 == 0 {
                while fnum & 1 == 0 && fnum != 0 {
                    fnum >>= 1;
                    snum >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnum >>= 1;
        snum >>= 1;
    }
    if snum != 0 {
        return Err(ProofError::WrongLength);
    }
    if fr != *first_root || sr != *second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The right edge of a growing tree: the roots of the perfect subtrees that the binary
/// decomposition of its size gives, largest first. Appending a leaf costs O(log n) and the root
/// of the whole tree is computed from at most log₂ n hashes, so a log never has to reload its
/// leaves to sign a new tree head.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (height, root) of each perfect subtree, heights strictly decreasing.
    subtrees: Vec<(u32, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// The frontier of a tree with these leaves.
    pub fn from_leaves(leaves: &[Hash]) -> Frontier {
        let mut f = Frontier::new();
        for l in leaves {
            f.push(*l);
        }
        f
    }

    /// Rebuilds a frontier from its size and its subtree roots (as [`Frontier::hashes`] gave
    /// them). `None` when their number does not match the size.
    pub fn from_parts(size: u64, hashes: &[Hash]) -> Option<Frontier> {
        let heights: Vec<u32> = (0..64).rev().filter(|h| size >> h & 1 == 1).collect();
        if heights.len() != hashes.len() {
            return None;
        }
        Some(Frontier { size, subtrees: heights.into_iter().zip(hashes.iter().copied()).collect() })
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The subtree roots, largest first.
    pub fn hashes(&self) -> Vec<Hash> {
        self.subtrees.iter().map(|(_, h)| *h).collect()
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(h, left)) = self.subtrees.last() {
            if h != node.0 {
                break;
            }
            self.subtrees.pop();
            node = (h + 1, node_hash(&left, &node.1));
        }
        self.subtrees.push(node);
        self.size += 1;
    }

    /// The root hash of the tree.
    pub fn root(&self) -> Hash {
        let mut it = self.subtrees.iter().rev();
        let Some(&(_, mut r)) = it.next() else {
            return empty_root();
        };
        for (_, left) in it {
            r = node_hash(left, &r);
        }
        r
    }
}

/// Parses 64 hexadecimal digits.
pub fn parse_hash(s: &str) -> Option<Hash> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("leaf {i}").as_bytes())).collect()
    }

    #[test]
    fn root_has_the_rfc_shape() {
        let l = leaves(5);
        let want = node_hash(&node_hash(&node_hash(&l[0], &l[1]), &node_hash(&l[2], &l[3])), &l[4]);
        assert_eq!(root(&l), want);
        assert_eq!(root(&l[..1]), l[0]);
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn frontier_matches_the_recursive_root_at_every_size() {
        let l = leaves(300);
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for n in 1..=l.len() {
            f.push(l[n - 1]);
            assert_eq!(f.root(), root(&l[..n]), "size {n}");
            let g = Frontier::from_parts(n as u64, &f.hashes()).unwrap();
            assert_eq!(g, f);
        }
        assert!(Frontier::from_parts(3, &[l[0]]).is_none());
    }

    #[test]
    fn every_inclusion_and_consistency_proof_verifies_and_tampering_fails() {
        let l = leaves(70);
        for n in 1..=l.len() as u64 {
            let r = root(&l[..n as usize]);
            for m in 0..n {
                let p = inclusion_proof(&l, m, n).unwrap();
                verify_inclusion(m, n, &l[m as usize], &p, &r).unwrap();
                assert!(verify_inclusion(m, n, &l[(m as usize + 1) % 70], &p, &r).is_err());
                if let Some(first) = p.first() {
                    let mut bad = p.clone();
                    bad[0] = node_hash(first, first);
                    assert!(verify_inclusion(m, n, &l[m as usize], &bad, &r).is_err());
                }
            }
            for m in 0..=n {
                let p = consistency_proof(&l, m, n).unwrap();
                let rm = root(&l[..m as usize]);
                verify_consistency(m, n, &rm, &r, &p).unwrap();
                if m > 0 && m < n {
                    let other = root(&l[1..=m as usize]);
                    assert!(verify_consistency(m, n, &other, &r, &p).is_err());
                    assert!(verify_consistency(m, n, &rm, &other, &p).is_err());
                }
            }
        }
        assert!(inclusion_proof(&l, 5, 5).is_none());
        assert!(consistency_proof(&l, 6, 5).is_none());
    }
}
