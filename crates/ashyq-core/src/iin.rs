//! The IIN (individual identification number, ЖСН/ИИН): 12 digits that every citizen of
//! Kazakhstan carries and that the voter register is keyed by (law digest §8.6 \[S54\], **\[H\]**).
//!
//! ```text
//! pos 1-6   YYMMDD  date of birth
//! pos 7     C       century and sex: 1/2 = 1800s male/female, 3/4 = 1900s, 5/6 = 2000s;
//!                   0, 7, 8, 9 mark no natural person
//! pos 8-11  NNNN    serial
//! pos 12    K       check digit: Σ d_i × i (i = 1..11) mod 11; if that is 10, the second pass
//!                   Σ d_i × w_i mod 11 with w = 3,4,5,6,7,8,9,10,11,1,2; if that is 10 again,
//!                   the number is never issued
//! ```
//!
//! The check digit does not catch every single-digit error. A change of one of the first ten
//! digits changes the first-pass sum, and slips through only when the new sum is 10 and the
//! second pass happens to give the old check digit; a change of the 11th digit (first-pass
//! weight 11 = 0 mod 11) slips through whenever the first pass is not 10. A mistyped serial can
//! therefore give a valid IIN of someone else, which the register check then sees as a
//! duplicate or not at all.
//!
//! Legal basis cited by the implementations the digest read: Government Resolution No. 565 of
//! 11 June 2003, checksum in P070000406. The IIN encodes date of birth and sex: it is personal
//! data (issue 12, "Privacy").
//!
//! Also here: [`Date`], a proleptic Gregorian calendar date with the little arithmetic that the
//! register and the nomination rules need (age on a day, terms in days, months and years).
//! Pure: no clock is read; "today" is always a parameter.

use std::fmt;

/// A validated IIN of a natural person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Iin(u64);

/// Sex as encoded by the IIN's seventh digit (odd = male, even = female).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sex {
    /// Digit 1, 3 or 5.
    Male,
    /// Digit 2, 4 or 6.
    Female,
}

/// Why a string is not a valid IIN. Each variant's message is a sentence for the person who
/// typed the number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    /// Not 12 characters.
    #[error("an IIN has 12 digits, this one has {found} characters")]
    Length {
        /// Characters found (bytes for non-ASCII input).
        found: usize,
    },
    /// A character that is not an ASCII digit.
    #[error("character {position} of the IIN is not a digit")]
    NotDigit {
        /// 1-based position.
        position: usize,
    },
    /// Digit 7 is 0, 7, 8 or 9.
    #[error(
        "digit 7 of the IIN is {digit}, which marks no natural person (1-6 give century and sex)"
    )]
    NotAPerson {
        /// The digit.
        digit: u8,
    },
    /// Digits 1–6 with the century of digit 7 are not a calendar date.
    #[error("digits 1-6 of the IIN ({yymmdd}, century {century}00s) are not a date")]
    Date {
        /// The six digits.
        yymmdd: String,
        /// The century (18, 19, 20).
        century: u16,
    },
    /// The check digit does not match.
    #[error("the check digit of the IIN is {found}, but digits 1-11 give {expected}")]
    CheckDigit {
        /// Digit 12 as given.
        found: u8,
        /// What digits 1–11 give.
        expected: u8,
    },
    /// Both checksum passes give 10: no such number is ever issued.
    #[error("digits 1-11 of the IIN give no check digit (both passes give 10): such a number is never issued")]
    NeverIssued,
}

const W1: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const W2: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The check digit of the first 11 digits (each 0–9), or `None` when both passes give 10
/// ("never issued"). Law digest §8.6.
pub fn check_digit(first11: &[u8; 11]) -> Option<u8> {
    let sum = |w: &[u32; 11]| -> u32 {
        first11.iter().zip(w).map(|(&d, &w)| u32::from(d) * w).sum::<u32>() % 11
    };
    let k = sum(&W1);
    if k != 10 {
        return Some(k as u8);
    }
    let k = sum(&W2);
    (k != 10).then_some(k as u8)
}

impl Iin {
    /// Parses and validates an IIN of a natural person: 12 ASCII digits, a century/sex digit of
    /// 1–6, a real date of birth, the right check digit.
    pub fn parse(text: &str) -> Result<Iin, IinError> {
        Iin::parse_bytes(text.as_bytes())
    }

    /// [`Iin::parse`] on bytes (the register reader's hot path: no allocation unless invalid).
    pub fn parse_bytes(bytes: &[u8]) -> Result<Iin, IinError> {
        if bytes.len() != 12 {
            let found = std::str::from_utf8(bytes).map_or(bytes.len(), |s| s.chars().count());
            return Err(IinError::Length { found });
        }
        let mut d = [0u8; 12];
        for (i, &b) in bytes.iter().enumerate() {
            if !b.is_ascii_digit() {
                return Err(IinError::NotDigit { position: i + 1 });
            }
            d[i] = b - b'0';
        }
        let century = match d[6] {
            1 | 2 => 18u16,
            3 | 4 => 19,
            5 | 6 => 20,
            digit => return Err(IinError::NotAPerson { digit }),
        };
        let year = century * 100 + u16::from(d[0]) * 10 + u16::from(d[1]);
        let month = d[2] * 10 + d[3];
        let day = d[4] * 10 + d[5];
        if Date::new(year, month, day).is_none() {
            let yymmdd = bytes[..6].iter().map(|&b| b as char).collect();
            return Err(IinError::Date { yymmdd, century });
        }
        let mut first11 = [0u8; 11];
        first11.copy_from_slice(&d[..11]);
        match check_digit(&first11) {
            None => Err(IinError::NeverIssued),
            Some(k) if k != d[11] => Err(IinError::CheckDigit { found: d[11], expected: k }),
            Some(_) => Ok(Iin(d.iter().fold(0u64, |acc, &x| acc * 10 + u64::from(x)))),
        }
    }

    /// The IIN as a number (at most 12 decimal digits, so below 2^40).
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// Re-validates a number made by [`Iin::as_u64`].
    pub fn from_u64(value: u64) -> Result<Iin, IinError> {
        if value >= 1_000_000_000_000 {
            return Err(IinError::Length { found: value.to_string().len() });
        }
        Iin::parse(&format!("{value:012}"))
    }

    /// The 12 digits (0–9 each).
    pub fn digits(self) -> [u8; 12] {
        let mut d = [0u8; 12];
        let mut v = self.0;
        for slot in d.iter_mut().rev() {
            *slot = (v % 10) as u8;
            v /= 10;
        }
        d
    }

    /// The date of birth encoded in digits 1–7.
    pub fn birth_date(self) -> Date {
        let d = self.digits();
        let century = match d[6] {
            1 | 2 => 18u16,
            3 | 4 => 19,
            _ => 20,
        };
        Date {
            year: century * 100 + u16::from(d[0]) * 10 + u16::from(d[1]),
            month: d[2] * 10 + d[3],
            day: d[4] * 10 + d[5],
        }
    }

    /// The sex encoded in digit 7.
    pub fn sex(self) -> Sex {
        if self.digits()[6] % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The serial, digits 8–11.
    pub fn serial(self) -> u16 {
        ((self.0 / 10) % 10_000) as u16
    }
}

impl fmt::Display for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

impl std::str::FromStr for Iin {
    type Err = IinError;
    fn from_str(s: &str) -> Result<Iin, IinError> {
        Iin::parse(s)
    }
}

/// A calendar date (proleptic Gregorian), ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// True for Gregorian leap years.
pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in a month (1–12) of a year.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, if it exists (years 1–9999).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (ISO 8601 calendar date, exactly 10 characters).
    pub fn parse_iso(text: &str) -> Option<Date> {
        Date::parse_iso_bytes(text.as_bytes())
    }

    /// [`Date::parse_iso`] on bytes.
    pub fn parse_iso_bytes(b: &[u8]) -> Option<Date> {
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |s: &[u8]| -> Option<u16> {
            s.iter().try_fold(0u16, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
            })
        };
        let year = num(&b[..4])?;
        let month = u8::try_from(num(&b[5..7])?).ok()?;
        let day = u8::try_from(num(&b[8..10])?).ok()?;
        Date::new(year, month, day)
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }
    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// The day of the month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it); Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (Hinnant's `civil_from_days`), if within years 1–9999.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(u16::try_from(y).ok()?, m as u8, d as u8)
    }

    /// The date `days` later (earlier when negative).
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// The same day `months` months later; when that month is shorter, its last day. This is
    /// how the civil law counts a term in months or years (a term falling in a month without
    /// the corresponding day ends on that month's last day).
    pub fn add_months(self, months: u32) -> Option<Date> {
        let total = u32::from(self.year) * 12 + u32::from(self.month) - 1 + months;
        let year = u16::try_from(total / 12).ok()?;
        let month = (total % 12) as u8 + 1;
        Date::new(year, month, self.day.min(days_in_month(year, month)))
    }

    /// [`Date::add_months`] by `years × 12`.
    pub fn add_years(self, years: u32) -> Option<Date> {
        self.add_months(years.checked_mul(12)?)
    }

    /// Completed years of age on `on` for a person born on `self` (0 when `on` is before the
    /// birthday). The age `n` is reached on `self.add_years(n)`: a person born on 29 February
    /// reaches it on 28 February in common years (the civil-law count of terms in years).
    pub fn age_on(self, on: Date) -> u32 {
        if on < self {
            return 0;
        }
        let mut years = u32::from(on.year - self.year);
        while years > 0 && self.add_years(years).is_none_or(|d| d > on) {
            years -= 1;
        }
        years
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        Date::parse_iso(s).ok_or_else(|| format!("\"{s}\" is not a date (YYYY-MM-DD)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    /// The digest's test vectors (§8.6, computed there by hand).
    #[test]
    fn digest_vectors() {
        for valid in
            ["061211600012", "900101300007", "850515401239", "000229500018", "900101300811"]
        {
            assert!(Iin::parse(valid).is_ok(), "{valid} should be valid");
        }
        // 900101300811 needs the second pass: the first gives 10.
        let first11: [u8; 11] = [9, 0, 0, 1, 0, 1, 3, 0, 0, 8, 1];
        let first: u32 = first11.iter().zip(W1).map(|(&d, w)| u32::from(d) * w).sum();
        assert_eq!(first % 11, 10);
        assert_eq!(check_digit(&first11), Some(1));
        // Prefix 90010130080 has no valid check digit at all.
        assert_eq!(check_digit(&[9, 0, 0, 1, 0, 1, 3, 0, 0, 8, 0]), None);
        for k in 0..10 {
            assert_eq!(Iin::parse(&format!("90010130080{k}")), Err(IinError::NeverIssued));
        }
    }

    #[test]
    fn fields() {
        let iin = Iin::parse("000229500018").unwrap();
        assert_eq!(iin.birth_date(), d("2000-02-29"));
        assert_eq!(iin.sex(), Sex::Male);
        assert_eq!(iin.serial(), 1);
        assert_eq!(iin.to_string(), "000229500018");
        let iin = Iin::parse("850515401239").unwrap();
        assert_eq!(iin.birth_date(), d("1985-05-15"));
        assert_eq!(iin.sex(), Sex::Female);
        assert_eq!(iin.serial(), 123);
        assert_eq!(Iin::from_u64(iin.as_u64()), Ok(iin));
        assert_eq!(Iin::parse("061211600012").unwrap().birth_date(), d("2006-12-11"));
    }

    #[test]
    fn every_error() {
        assert_eq!(Iin::parse("90010130000"), Err(IinError::Length { found: 11 }));
        assert_eq!(Iin::parse("9001013000071"), Err(IinError::Length { found: 13 }));
        assert_eq!(Iin::parse("90010130000x"), Err(IinError::NotDigit { position: 12 }));
        assert_eq!(Iin::parse(" 90010130000"), Err(IinError::NotDigit { position: 1 }));
        assert_eq!(Iin::parse("900101700007"), Err(IinError::NotAPerson { digit: 7 }));
        assert_eq!(Iin::parse("900101000007"), Err(IinError::NotAPerson { digit: 0 }));
        // 29 February 1900 does not exist (1900 is not a leap year); 2000 is.
        assert!(matches!(Iin::parse("000229300000"), Err(IinError::Date { century: 19, .. })));
        assert!(matches!(Iin::parse("901301300000"), Err(IinError::Date { .. })));
        assert!(matches!(Iin::parse("900100300000"), Err(IinError::Date { .. })));
        assert_eq!(Iin::parse("900101300008"), Err(IinError::CheckDigit { found: 8, expected: 7 }));
        assert_eq!(
            IinError::CheckDigit { found: 8, expected: 7 }.to_string(),
            "the check digit of the IIN is 8, but digits 1-11 give 7"
        );
        // Non-ASCII input counts characters, not bytes.
        assert_eq!(Iin::parse("ИИН"), Err(IinError::Length { found: 3 }));
    }

    #[test]
    fn single_digit_changes() {
        // Weights 1..10 are invertible mod 11, so a changed digit among the first ten changes
        // the first-pass sum (for this number it never becomes 10, so every such change is
        // caught); a changed check digit is caught directly. The 11th digit's first-pass weight
        // is 11 = 0 mod 11: when the first pass is not 10, a changed 11th digit (the serial's
        // last) gives another valid IIN. A property of the algorithm, not of this code
        // (kz-iin-validator agrees, crates/ashyq-register/tests/iin_differential.rs).
        let base = *b"850515401239";
        for pos in 0..12 {
            for digit in b'0'..=b'9' {
                if digit == base[pos] {
                    continue;
                }
                let mut v = base;
                v[pos] = digit;
                let r = Iin::parse_bytes(&v);
                if pos == 10 {
                    assert!(r.is_ok(), "{}", String::from_utf8_lossy(&v));
                } else {
                    assert!(r.is_err(), "{}", String::from_utf8_lossy(&v));
                }
            }
        }
    }

    #[test]
    fn dates() {
        assert_eq!(Date::new(2023, 2, 29), None);
        assert!(Date::new(2024, 2, 29).is_some());
        assert_eq!(Date::parse_iso("2023-3-19"), None);
        assert_eq!(Date::parse_iso("2023-03-32"), None);
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2023-03-19").days_since_epoch(), 19_435);
        for s in ["1800-01-01", "1900-02-28", "2000-02-29", "2023-12-31", "9999-12-31"] {
            assert_eq!(Date::from_days_since_epoch(d(s).days_since_epoch()), Some(d(s)));
        }
        assert_eq!(d("2023-03-19").add_days(10), Some(d("2023-03-29")));
        assert_eq!(d("2023-11-30").add_months(3), Some(d("2024-02-29")));
        assert_eq!(d("2022-11-30").add_months(3), Some(d("2023-02-28")));
        assert_eq!(d("2024-02-29").add_years(1), Some(d("2025-02-28")));
    }

    #[test]
    fn ages() {
        let born = d("2005-03-19");
        assert_eq!(born.age_on(d("2023-03-18")), 17);
        assert_eq!(born.age_on(d("2023-03-19")), 18, "18 on the birthday itself");
        assert_eq!(born.age_on(d("2004-01-01")), 0);
        let leap = d("2008-02-29");
        assert_eq!(leap.age_on(d("2026-02-27")), 17);
        assert_eq!(leap.age_on(d("2026-02-28")), 18, "common year: the last day of February");
        assert_eq!(leap.age_on(d("2028-02-28")), 19);
        assert_eq!(leap.age_on(d("2028-02-29")), 20);
    }
}
