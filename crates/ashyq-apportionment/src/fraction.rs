//! Exact non-negative rational numbers for audit output.

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, Zero};

/// An exact non-negative fraction `numer/denom`, always stored in lowest terms.
///
/// The fields are public so that callers can read them; build values with
/// [`Fraction::new`], which reduces and rejects a zero denominator. Equality is
/// structural, which is exact equality for reduced fractions; ordering compares
/// by cross-multiplication.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fraction {
    /// The numerator.
    pub numer: BigUint,
    /// The denominator, never zero for values built by this crate.
    pub denom: BigUint,
}

impl Fraction {
    /// The fraction `numer/denom` in lowest terms, or `None` when `denom` is zero.
    pub fn new(numer: impl Into<BigUint>, denom: impl Into<BigUint>) -> Option<Fraction> {
        let denom = denom.into();
        if denom.is_zero() {
            return None;
        }
        Some(Fraction::reduced(numer.into(), denom))
    }

    /// Reduces `numer/denom`; callers guarantee `denom != 0` (a zero
    /// denominator is kept as is instead of panicking).
    pub(crate) fn reduced(numer: BigUint, denom: BigUint) -> Fraction {
        let g = numer.gcd(&denom);
        if g.is_zero() || g.is_one() {
            return Fraction { numer, denom };
        }
        Fraction { numer: numer / &g, denom: denom / &g }
    }

    /// The whole number `n` as a fraction `n/1`.
    pub fn integer(n: impl Into<BigUint>) -> Fraction {
        Fraction { numer: n.into(), denom: BigUint::one() }
    }

    /// Zero, `0/1`.
    pub fn zero() -> Fraction {
        Fraction::integer(0u32)
    }

    /// The largest whole number not above the fraction (zero if the
    /// denominator is zero).
    pub fn floor(&self) -> BigUint {
        if self.denom.is_zero() {
            return BigUint::zero();
        }
        &self.numer / &self.denom
    }

    /// The value as a decimal with exactly `places` digits after the point,
    /// rounded half up (e.g. `1/8` with 2 places is `"0.13"`, `2/3` is `"0.67"`).
    /// With `places == 0` there is no decimal point. A fraction with a zero
    /// denominator (only constructible by writing the fields directly) prints
    /// as `"undefined"`.
    pub fn to_decimal_string(&self, places: u32) -> String {
        if self.denom.is_zero() {
            return "undefined".to_string();
        }
        let scale = BigUint::from(10u32).pow(places);
        let scaled = &self.numer * scale;
        let (mut q, r) = scaled.div_rem(&self.denom);
        if r * 2u32 >= self.denom {
            q += 1u32;
        }
        let digits = q.to_string();
        if places == 0 {
            return digits;
        }
        let places = places as usize;
        let padded = if digits.len() <= places {
            format!("{digits:0>width$}", width = places + 1)
        } else {
            digits
        };
        let (int_part, frac_part) = padded.split_at(padded.len() - places);
        format!("{int_part}.{frac_part}")
    }
}

impl fmt::Display for Fraction {
    /// Formats as `numer/denom`, e.g. `5971719/69`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numer, self.denom)
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fraction {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.numer * &other.denom).cmp(&(&other.numer * &self.denom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: u64, d: u64) -> Fraction {
        Fraction::new(n, d).expect("nonzero denominator")
    }

    #[test]
    fn reduces_and_displays() {
        assert_eq!(f(6, 4).to_string(), "3/2");
        assert_eq!(f(0, 7).to_string(), "0/1");
        assert_eq!(f(5, 1).to_string(), "5/1");
        assert!(Fraction::new(1u32, 0u32).is_none());
    }

    #[test]
    fn orders_by_value() {
        assert!(f(1, 3) < f(1, 2));
        assert!(f(2, 4) == f(1, 2));
        assert_eq!(f(7, 5).cmp(&f(14, 10)), Ordering::Equal);
        assert!(f(u64::MAX, 3) > f(u64::MAX - 1, 3));
    }

    #[test]
    fn decimal_rounds_half_up() {
        assert_eq!(f(1, 8).to_decimal_string(2), "0.13");
        assert_eq!(f(1, 8).to_decimal_string(3), "0.125");
        assert_eq!(f(2, 3).to_decimal_string(2), "0.67");
        assert_eq!(f(1, 3).to_decimal_string(2), "0.33");
        assert_eq!(f(5, 2).to_decimal_string(0), "3");
        assert_eq!(f(1, 200).to_decimal_string(2), "0.01");
        assert_eq!(f(1, 201).to_decimal_string(2), "0.00");
        assert_eq!(f(5971719, 69).to_decimal_string(4), "86546.6522");
        assert_eq!(f(199, 2).to_decimal_string(0), "100");
        assert_eq!(f(7, 1).to_decimal_string(1), "7.0");
        assert_eq!(f(1, 3).floor(), BigUint::zero());
        assert_eq!(f(7, 2).floor(), BigUint::from(3u32));
    }
}
