//! The record's proofs and checkpoints checked by independent implementations:
//! - `tlog_tiles` (Cloudflare's Rust port of Go's golang.org/x/mod/sumdb/tlog, which is
//!   compatible with RFC 6962/9162 proofs) verifies our inclusion and consistency proofs;
//! - `signed_note` (Cloudflare's port of Go's sumdb/note, the C2SP signed-note reference)
//!   verifies our checkpoint notes with our verifier key, and `tlog_tiles` parses the
//!   checkpoint body.

#![allow(clippy::unwrap_used)]

use ashyq_record::merkle::{self, Hash};
use ashyq_record::note::{Checkpoint, VerifierKey};
use ashyq_record::Signer;
use rand::{Rng, SeedableRng};

fn leaves(n: usize, seed: u64) -> Vec<Hash> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mut data = vec![0u8; rng.gen_range(0..80)];
            rng.fill(&mut data[..]);
            merkle::leaf_hash(&data)
        })
        .collect()
}

fn t(h: &Hash) -> tlog_tiles::Hash {
    tlog_tiles::Hash(*h)
}

#[test]
fn inclusion_proofs_verify_with_tlog_tiles() {
    let l = leaves(1100, 1);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(2);
    // Every index of small trees, random indices of large ones.
    let sizes: Vec<u64> = (1..=70u64).chain((0..60).map(|_| rng.gen_range(71..=1100u64))).collect();
    for size in sizes {
        let root = merkle::root(&l[..size as usize]);
        assert_eq!(tlog_tiles::record_hash(b"x"), tlog_tiles::Hash(merkle::leaf_hash(b"x")));
        let indices: Vec<u64> = if size <= 70 {
            (0..size).collect()
        } else {
            (0..20).map(|_| rng.gen_range(0..size)).collect()
        };
        for i in indices {
            let ours = merkle::inclusion_proof(&l, i, size).unwrap();
            let theirs: Vec<tlog_tiles::Hash> = ours.iter().map(t).collect();
            tlog_tiles::check_record(&theirs, size, t(&root), i, t(&l[i as usize]))
                .unwrap_or_else(|e| panic!("size {size}, index {i}: {e:?}"));
            // A wrong leaf is refused by both.
            let other = l[(i as usize + 1) % l.len()];
            assert!(tlog_tiles::check_record(&theirs, size, t(&root), i, t(&other)).is_err());
        }
    }
}

#[test]
fn consistency_proofs_verify_with_tlog_tiles() {
    let l = leaves(600, 3);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(4);
    let mut pairs: Vec<(u64, u64)> = Vec::new();
    for n in 1..=40u64 {
        for m in 1..n {
            pairs.push((m, n));
        }
    }
    for _ in 0..300 {
        let n = rng.gen_range(2..=600u64);
        pairs.push((rng.gen_range(1..n), n));
    }
    for (m, n) in pairs {
        let (rm, rn) = (merkle::root(&l[..m as usize]), merkle::root(&l[..n as usize]));
        let ours = merkle::consistency_proof(&l, m, n).unwrap();
        let theirs: Vec<tlog_tiles::Hash> = ours.iter().map(t).collect();
        tlog_tiles::check_tree(&theirs, n, t(&rn), m, t(&rm))
            .unwrap_or_else(|e| panic!("{m} → {n}: {e:?}"));
        let wrong = merkle::root(&l[1..=m as usize]);
        assert!(tlog_tiles::check_tree(&theirs, n, t(&rn), m, t(&wrong)).is_err());
    }
}

#[test]
fn checkpoints_verify_with_signed_note_and_parse_with_tlog_tiles() {
    use signed_note::Verifiers as _;
    for seed in 0..20u8 {
        let signer = Signer::from_seed([seed; 32]);
        let origin = format!("ashyq/kz-2023-03-19-test-{seed}");
        let vk: VerifierKey = signer.verifier_key(&origin).unwrap();
        let c = Checkpoint {
            origin: origin.clone(),
            size: u64::from(seed) * 1000 + 7,
            root: merkle::leaf_hash(&[seed]),
        };
        let note = signer.sign_checkpoint(&c).unwrap();

        let verifier = signed_note::StandardVerifier::new(&vk.to_string()).unwrap();
        let list = signed_note::VerifierList::new(vec![Box::new(verifier)]);
        let parsed = signed_note::Note::from_bytes(note.as_bytes()).unwrap();
        let (verified, unverified) = parsed.verify(&list).unwrap();
        assert_eq!(verified.len(), 1);
        assert!(unverified.is_empty());
        assert!(list
            .verifier(
                &origin,
                u32::from_be_bytes(hex::decode(vk.id_hex()).unwrap().try_into().unwrap())
            )
            .is_ok());

        let body = tlog_tiles::Checkpoint::from_bytes(parsed.text()).unwrap();
        assert_eq!(body.origin(), origin);
        assert_eq!(body.size(), c.size);
        assert_eq!(body.hash().0, c.root);

        // An altered note is refused by the independent verifier as well.
        let altered = note.replacen(&c.size.to_string(), &(c.size + 1).to_string(), 1);
        let altered = signed_note::Note::from_bytes(altered.as_bytes()).unwrap();
        assert!(altered.verify(&list).is_err());
    }
}
