//! Consistent sampling from a public seed: R. L. Rivest's SHA-256 sampler
//! (`consistent_sampler`, github.com/ron-rivest/consistent_sampler, PyPI `consistent-sampler`
//! 1.0.10), as Arlo uses it (`server/audit_math/sampler.py`: `draw_sample`, digits = 18),
//! reproduced bit for bit: the same seed and ids give the same ticket numbers and the same
//! order (tested against Arlo's published sample for its test seed and Rivest's doctests).
//!
//! Every object gets a "ticket number", a decimal fraction in (0, 1) derived from
//! SHA-256(hex SHA-256(seed) ‖ id); objects are drawn in increasing ticket order. With
//! replacement, a drawn object's next ticket is a pseudorandom number above its last one
//! (`next_fraction`). The order depends only on the seed and each object's own id, so a
//! sub-collection is sampled in the same relative order as the whole ("consistent").
//!
//! Ids are hashed as the text Python's `str(id)` gives: for a plain string the string itself,
//! for Arlo's ballot ids `(batch, position)` the tuple's repr (see [`python_tuple_repr`]).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of the UTF-8 text (`consistent_sampler.sha256_hex`).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// SHA-256 of the text as a decimal fraction `0.ddd…`: the hash as a decimal integer, padded to
/// at least 64 digits, digits reversed (the low-order, unbiased digits first)
/// (`consistent_sampler.sha256_uniform`).
pub fn sha256_uniform(text: &str) -> String {
    let digits = decimal_256(&Sha256::digest(text.as_bytes()).into());
    let digits = format!("{digits:0>64}");
    let mut out = String::with_capacity(digits.len() + 2);
    out.push_str("0.");
    out.extend(digits.chars().rev());
    out
}

/// A 256-bit big-endian number in decimal (no leading zeros; "0" for zero), by repeated
/// division of its four 64-bit limbs by 10^19.
fn decimal_256(bytes: &[u8; 32]) -> String {
    const CHUNK: u128 = 10_000_000_000_000_000_000; // 10^19
    let mut limbs = [0u64; 4];
    for (i, l) in limbs.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[8 * i..8 * i + 8]);
        *l = u64::from_be_bytes(b);
    }
    let mut chunks: Vec<u64> = Vec::with_capacity(5);
    while limbs.iter().any(|&l| l != 0) {
        let mut rem: u128 = 0;
        for l in limbs.iter_mut() {
            let cur = (rem << 64) | u128::from(*l);
            *l = (cur / CHUNK) as u64;
            rem = cur % CHUNK;
        }
        chunks.push(rem as u64);
    }
    let Some((last, rest)) = chunks.split_last() else {
        return "0".to_owned();
    };
    let mut s = last.to_string();
    for c in rest.iter().rev() {
        s.push_str(&format!("{c:019}"));
    }
    s
}

/// The generation-1 ticket number of `id` under `seed` (`first_fraction`).
pub fn first_fraction(id: &str, seed: &str) -> String {
    first_fraction_with_hash(id, &sha256_hex(seed))
}

/// [`first_fraction`] with the seed's hex hash already computed.
pub fn first_fraction_with_hash(id: &str, seed_hash: &str) -> String {
    let mut input = String::with_capacity(seed_hash.len() + id.len());
    input.push_str(seed_hash);
    input.push_str(id);
    sha256_uniform(&input)
}

/// Position of the first digit after `0.` and the initial run of 9s (in `x + "0"`).
fn first_non_nine(x: &str) -> usize {
    let b = x.as_bytes();
    (2..b.len()).find(|&i| b[i] < b'9').unwrap_or(b.len())
}

/// A pseudorandom ticket number above `x` (`next_fraction`): the initial 9s of `x` followed by
/// the digits of `sha256_uniform(x + ":" + i)` for i = 1, 2, … until the result exceeds `x`
/// (string comparison, as in Python).
pub fn next_fraction(x: &str) -> String {
    let x0 = format!("{x}0");
    let keep = first_non_nine(&x0);
    let mut i = 0u64;
    loop {
        i += 1;
        let u = sha256_uniform(&format!("{x}:{i}"));
        let y = format!("{}{}", &x0[..keep], &u[2..]);
        if y.as_str() > x0.as_str() {
            return y;
        }
    }
}

/// The ticket number cut to `digits` significant digits after its initial run of 9s
/// (truncated, not rounded) (`trim`).
pub fn trim(x: &str, digits: usize) -> String {
    let x0 = format!("{x}0");
    let pos = first_non_nine(&x0);
    x.chars().take(pos + digits).collect()
}

/// Python's `repr` of a string, as `str(tuple)` writes it: single quotes unless the text has a
/// single quote and no double quote; backslash, the quote, `\t`, `\n`, `\r` and other ASCII
/// control characters escaped. (Non-ASCII printable characters are kept, as Python does; the
/// rare non-printable non-ASCII characters Python would escape are not supported.)
pub fn python_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// An element of a Python tuple id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PyValue {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
}

/// `str(tuple)` in Python: `('pct 1', 3)`; a 1-tuple gets its trailing comma.
pub fn python_tuple_repr(items: &[PyValue]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|v| match v {
            PyValue::Str(s) => python_str_repr(s),
            PyValue::Int(i) => i.to_string(),
        })
        .collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(", "))
    }
}

/// One drawn ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The ticket number, trimmed to the requested digits.
    pub number: String,
    /// Index of the object in the id list given to [`sample`].
    pub index: usize,
    /// How many times this object has been drawn, this draw included (1 without replacement).
    pub generation: u32,
}

/// Why a sample cannot be drawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SamplerError {
    /// Two objects have the same id: their tickets would coincide.
    #[error("the id \"{0}\" appears more than once; every object to sample needs a distinct id")]
    DuplicateId(String),
}

/// Draws from `ids` in increasing ticket order under `seed` (Rivest's `sampler`): skips the
/// first `drop` draws and returns the next `take` (fewer without replacement when the
/// collection runs out). Ticket numbers are trimmed to `digits` (Arlo uses 18; Rivest's
/// default is 9).
pub fn sample(
    ids: &[String],
    seed: &str,
    with_replacement: bool,
    drop: usize,
    take: usize,
    digits: usize,
) -> Result<Vec<Ticket>, SamplerError> {
    let mut seen = HashSet::with_capacity(ids.len());
    for id in ids {
        if !seen.insert(id.as_str()) {
            return Err(SamplerError::DuplicateId(id.clone()));
        }
    }
    let seed_hash = sha256_hex(seed);
    // Python's heap orders the tuples (ticket number, id, generation).
    let mut heap: BinaryHeap<Reverse<(String, &str, u32, usize)>> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Reverse((first_fraction_with_hash(id, &seed_hash), id.as_str(), 1, i)))
        .collect();
    let mut out = Vec::with_capacity(take.min(ids.len()));
    let mut count = 0usize;
    while let Some(Reverse((number, id, generation, index))) = heap.pop() {
        if with_replacement {
            heap.push(Reverse((next_fraction(&number), id, generation + 1, index)));
        }
        count += 1;
        if count > drop {
            out.push(Ticket { number: trim(&number, digits), index, generation });
            if out.len() >= take {
                break;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    // Rivest's doctests (consistent_sampler.py).
    #[test]
    fn rivest_doctests() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_uniform("abc"),
            "0.56998071861792858926477341561059638840106636224182943832566300809078486324348"
        );
        assert_eq!(
            first_fraction("AB-130", "01382438112797316654"),
            "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
        );
        assert_eq!(
            next_fraction("0.25471"),
            "0.642853261655004694691182528114375607701032283189922170593838029306715548381901"
        );
        assert_eq!(
            next_fraction(
                "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
            ),
            "0.8232357229934205790595761924514048157652891124687533667363938813600770093316"
        );
        assert_eq!(trim("0.9991234567890", 4), "0.9991234");
        let ids: Vec<String> = ["A#2", "B#7", "C#1", "D#4"].map(String::from).to_vec();
        let drawn = sample(&ids, "314159", true, 0, 8, 9).unwrap();
        let got: Vec<&str> = drawn.iter().map(|t| ids[t.index].as_str()).collect();
        assert_eq!(got, ["D#4", "C#1", "C#1", "B#7", "A#2", "C#1", "D#4", "B#7"]);
        let ids: Vec<String> = ["ab-1", "ab-2", "cd-1", "ef-3"].map(String::from).to_vec();
        let drawn = sample(&ids, "314159", false, 0, usize::MAX, 9).unwrap();
        let got: Vec<(String, &str, u32)> =
            drawn.iter().map(|t| (t.number.clone(), ids[t.index].as_str(), t.generation)).collect();
        assert_eq!(
            got,
            [
                ("0.317685817".to_owned(), "cd-1", 1),
                ("0.832984519".to_owned(), "ef-3", 1),
                ("0.9098039269".to_owned(), "ab-1", 1),
                ("0.9231549043".to_owned(), "ab-2", 1),
            ]
        );
    }

    #[test]
    fn decimal_conversion_matches_big_integers() {
        for text in ["", "abc", "a", "seed 1", "0.25471:1"] {
            let h: [u8; 32] = Sha256::digest(text.as_bytes()).into();
            assert_eq!(decimal_256(&h), BigUint::from_bytes_be(&h).to_str_radix(10));
        }
        assert_eq!(decimal_256(&[0; 32]), "0");
        assert_eq!(decimal_256(&[255; 32]), BigUint::from_bytes_be(&[255; 32]).to_str_radix(10));
    }

    #[test]
    fn python_reprs() {
        assert_eq!(
            python_tuple_repr(&[PyValue::Str("pct 2".into()), PyValue::Int(3)]),
            "('pct 2', 3)"
        );
        assert_eq!(python_str_repr("it's"), "\"it's\"");
        assert_eq!(python_str_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(python_tuple_repr(&[PyValue::Int(7)]), "(7,)");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let ids: Vec<String> = ["a", "b", "a"].map(String::from).to_vec();
        assert_eq!(sample(&ids, "1", false, 0, 2, 9), Err(SamplerError::DuplicateId("a".into())));
    }
}
