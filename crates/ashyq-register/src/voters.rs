//! One row of the voter register, classified. Pure: bytes in, a verdict out.
//!
//! The file (issue 12): header `iin,full_name,birth_date,station` (any order of these four
//! columns; nothing else), one voter per line, UTF-8, fields separated by commas. A field may be
//! quoted (`"Ахметов, Али"`, `""` for a quote inside); a quoted field may not contain a line
//! break, so that every line is one row and the file can be split at any line break.
//!
//! A row is rejected for the **first** failing reason, in this order (the contract of
//! `ashyq register check`):
//! 1. `invalid_iin` — not a valid IIN of a natural person ([`ashyq_core::iin`], law digest
//!    §8.6);
//! 2. `duplicate_iin` — the IIN appears on more than one row (every such row is rejected: the
//!    register is single and each citizen is on it once, law digest §8.5 \[S48\]);
//! 3. `birth_date_mismatch` — `birth_date` (YYYY-MM-DD) is not the date the IIN encodes;
//! 4. `under_18` — younger than 18 on election day (voters are citizens who have reached 18,
//!    law digest §8.5 \[S48\]); the age is reached on the 18th anniversary,
//!    for 29 February on 28 February of a common year ([`Date::age_on`]);
//! 5. `unknown_station` — the station is not in the stations file (the akimats compile station
//!    lists, §8.5).
//!
//! A row that cannot be read as a row (wrong number of fields, bytes that are not UTF-8, an
//! unterminated quote) is *malformed*: reported with its line number, counted apart, and never
//! taken into the duplicate test.

use ashyq_core::iin::{Date, Iin, IinError};

/// Why a row was rejected (the contract's reason names, in the contract's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// Not a valid IIN.
    InvalidIin,
    /// The IIN appears more than once.
    DuplicateIin,
    /// `birth_date` differs from the IIN's date.
    BirthDateMismatch,
    /// Under 18 on election day.
    Under18,
    /// The station is not in the stations file.
    UnknownStation,
}

impl Reason {
    /// Every reason, in the order rows are tested.
    pub const ALL: [Reason; 5] = [
        Reason::InvalidIin,
        Reason::DuplicateIin,
        Reason::BirthDateMismatch,
        Reason::Under18,
        Reason::UnknownStation,
    ];

    /// The reason's name in JSON and reports.
    pub fn name(self) -> &'static str {
        match self {
            Reason::InvalidIin => "invalid_iin",
            Reason::DuplicateIin => "duplicate_iin",
            Reason::BirthDateMismatch => "birth_date_mismatch",
            Reason::Under18 => "under_18",
            Reason::UnknownStation => "unknown_station",
        }
    }

    /// Index into [`Reason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The four columns and where they are in the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    /// Field index of `iin`.
    pub iin: usize,
    /// Field index of `full_name`.
    pub full_name: usize,
    /// Field index of `birth_date`.
    pub birth_date: usize,
    /// Field index of `station`.
    pub station: usize,
}

/// The required header names.
pub const HEADER: [&str; 4] = ["iin", "full_name", "birth_date", "station"];

impl Columns {
    /// Reads the header line (without its line break; a UTF-8 byte-order mark and a final `\r`
    /// are allowed).
    pub fn from_header(line: &[u8]) -> Result<Columns, String> {
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = std::str::from_utf8(line).map_err(|_| "the header is not UTF-8".to_owned())?;
        let names: Vec<&str> = text.split(',').map(|s| s.trim_matches('"')).collect();
        let expected = HEADER.join(",");
        let find = |want: &str| -> Result<usize, String> {
            let mut at = names.iter().enumerate().filter(|(_, n)| **n == want).map(|(i, _)| i);
            match (at.next(), at.next()) {
                (Some(i), None) => Ok(i),
                (None, _) => Err(format!("the header has no column {want} (expected {expected})")),
                (Some(_), Some(_)) => Err(format!("the header names column {want} twice")),
            }
        };
        if names.len() != 4 {
            return Err(format!(
                "the header has {} columns, expected the 4 columns {expected}",
                names.len()
            ));
        }
        Ok(Columns {
            iin: find("iin")?,
            full_name: find("full_name")?,
            birth_date: find("birth_date")?,
            station: find("station")?,
        })
    }
}

/// The four fields of a row (unquoted when they were quoted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields<'a> {
    /// `iin`.
    pub iin: std::borrow::Cow<'a, [u8]>,
    /// `full_name` (UTF-8).
    pub full_name: std::borrow::Cow<'a, [u8]>,
    /// `birth_date`.
    pub birth_date: std::borrow::Cow<'a, [u8]>,
    /// `station`.
    pub station: std::borrow::Cow<'a, [u8]>,
}

/// Splits one line (without `\n`; a final `\r` is dropped) into the four fields, or says why it
/// is malformed.
pub fn split_row<'a>(line: &'a [u8], cols: &Columns) -> Result<Fields<'a>, String> {
    use std::borrow::Cow;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err("empty line".to_owned());
    }
    if let Err(e) = std::str::from_utf8(line) {
        return Err(format!("not UTF-8 (invalid byte at column {})", e.valid_up_to() + 1));
    }
    let mut fields: [Cow<'a, [u8]>; 4] = Default::default();
    let mut n = 0usize;
    if memchr::memchr(b'"', line).is_none() {
        for part in line.split(|&b| b == b',') {
            if n < 4 {
                fields[n] = Cow::Borrowed(part);
            }
            n += 1;
        }
    } else {
        let mut i = 0usize;
        loop {
            let value: Cow<'a, [u8]>;
            if line.get(i) == Some(&b'"') {
                let mut out = Vec::new();
                let mut j = i + 1;
                loop {
                    match line.get(j) {
                        None => return Err("a quoted field is not closed".to_owned()),
                        Some(b'"') if line.get(j + 1) == Some(&b'"') => {
                            out.push(b'"');
                            j += 2;
                        }
                        Some(b'"') => {
                            j += 1;
                            break;
                        }
                        Some(&b) => {
                            out.push(b);
                            j += 1;
                        }
                    }
                }
                if j < line.len() && line[j] != b',' {
                    return Err(format!("text after a closing quote at column {}", j + 1));
                }
                value = Cow::Owned(out);
                i = j;
            } else {
                let end = memchr::memchr(b',', &line[i..]).map_or(line.len(), |k| i + k);
                if memchr::memchr(b'"', &line[i..end]).is_some() {
                    return Err(format!("a quote inside an unquoted field at column {}", i + 1));
                }
                value = Cow::Borrowed(&line[i..end]);
                i = end;
            }
            if n < 4 {
                fields[n] = value;
            }
            n += 1;
            if i >= line.len() {
                break;
            }
            i += 1; // the comma
            if i == line.len() {
                // A trailing comma: one more, empty field.
                n += 1;
                break;
            }
        }
    }
    if n != 4 {
        return Err(format!("{n} fields, expected 4 (iin,full_name,birth_date,station)"));
    }
    let [a, b, c, d] = fields;
    let by_col = [a, b, c, d];
    let take = |k: usize| by_col[k].clone();
    Ok(Fields {
        iin: take(cols.iin),
        full_name: take(cols.full_name),
        birth_date: take(cols.birth_date),
        station: take(cols.station),
    })
}

/// The verdict on a row before the duplicate test (which needs every row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreVerdict {
    /// The row cannot be read.
    Malformed(String),
    /// The IIN is not valid.
    InvalidIin(IinError),
    /// The IIN is valid; `later` is the first failing reason after the duplicate test (or
    /// `None`: accepted unless a duplicate); `station` its index when known.
    Valid {
        /// The IIN.
        iin: Iin,
        /// `BirthDateMismatch`, `Under18` or `UnknownStation`, or none.
        later: Option<Reason>,
        /// Index of the station in the stations file.
        station: Option<u32>,
    },
}

/// What the classification of a row needs: the last birth date of an adult and the station
/// index.
pub struct Context<'s> {
    /// A voter born on this day or earlier is 18 on election day.
    pub latest_adult_birth: Date,
    /// Station id → index.
    pub stations: &'s (dyn Fn(&[u8]) -> Option<u32> + Sync),
}

/// The last birth date of a person who is at least 18 on `election_day` (see
/// [`Date::age_on`]).
pub fn latest_adult_birth(election_day: Date) -> Date {
    let start = Date::new(
        election_day.year().saturating_sub(18).max(1),
        election_day.month(),
        election_day.day().min(ashyq_core::iin::days_in_month(
            election_day.year().saturating_sub(18).max(1),
            election_day.month(),
        )),
    )
    .unwrap_or(election_day);
    // `start` is adult; step forward while the next day still is (at most 1 step: 29 Feb).
    let mut best = start;
    while let Some(next) = best.add_days(1) {
        if next.age_on(election_day) >= 18 {
            best = next;
        } else {
            break;
        }
    }
    best
}

/// Writes a date as the 10 bytes `YYYY-MM-DD`.
pub fn iso_bytes(d: Date) -> [u8; 10] {
    let mut out = *b"0000-00-00";
    let y = d.year();
    out[0] = b'0' + (y / 1000) as u8;
    out[1] = b'0' + (y / 100 % 10) as u8;
    out[2] = b'0' + (y / 10 % 10) as u8;
    out[3] = b'0' + (y % 10) as u8;
    out[5] = b'0' + d.month() / 10;
    out[6] = b'0' + d.month() % 10;
    out[8] = b'0' + d.day() / 10;
    out[9] = b'0' + d.day() % 10;
    out
}

/// Classifies one line up to the duplicate test.
pub fn pre_classify(line: &[u8], cols: &Columns, ctx: &Context<'_>) -> PreVerdict {
    let fields = match split_row(line, cols) {
        Ok(f) => f,
        Err(e) => return PreVerdict::Malformed(e),
    };
    let iin = match Iin::parse_bytes(&fields.iin) {
        Ok(iin) => iin,
        Err(e) => return PreVerdict::InvalidIin(e),
    };
    let station = (ctx.stations)(&fields.station);
    let born = iin.birth_date();
    let later = if fields.birth_date.as_ref() != iso_bytes(born) {
        Some(Reason::BirthDateMismatch)
    } else if born > ctx.latest_adult_birth {
        Some(Reason::Under18)
    } else if station.is_none() {
        Some(Reason::UnknownStation)
    } else {
        None
    };
    PreVerdict::Valid { iin, later, station }
}

/// A sentence for a rejected row (the report's `detail`); re-reads the line.
pub fn explain(line: &[u8], cols: &Columns, reason: Reason, election_day: Date) -> String {
    let Ok(f) = split_row(line, cols) else { return String::new() };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match reason {
        Reason::InvalidIin => match Iin::parse_bytes(&f.iin) {
            Err(e) => format!("iin \"{}\": {e}", text(&f.iin)),
            Ok(_) => String::new(),
        },
        Reason::DuplicateIin => format!("iin {} appears on more than one row", text(&f.iin)),
        Reason::BirthDateMismatch => {
            let born = Iin::parse_bytes(&f.iin).map(|i| i.birth_date().to_string());
            let born = born.unwrap_or_default();
            match Date::parse_iso_bytes(&f.birth_date) {
                Some(d) => format!("birth_date {d} differs from {born}, the date in the IIN"),
                None => format!(
                    "birth_date \"{}\" is not a date (YYYY-MM-DD); the IIN gives {born}",
                    text(&f.birth_date)
                ),
            }
        }
        Reason::Under18 => match Iin::parse_bytes(&f.iin) {
            Ok(i) => format!(
                "born {}, {} years old on election day {election_day} (18 needed)",
                i.birth_date(),
                i.birth_date().age_on(election_day)
            ),
            Err(_) => String::new(),
        },
        Reason::UnknownStation => {
            format!("station \"{}\" is not in the stations file", text(&f.station))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: Columns = Columns { iin: 0, full_name: 1, birth_date: 2, station: 3 };

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn header() {
        assert_eq!(Columns::from_header(b"iin,full_name,birth_date,station"), Ok(COLS));
        assert_eq!(
            Columns::from_header(b"\xEF\xBB\xBFiin,full_name,birth_date,station\r"),
            Ok(COLS)
        );
        let c = Columns::from_header(b"station,iin,birth_date,full_name").unwrap();
        assert_eq!((c.station, c.iin, c.birth_date, c.full_name), (0, 1, 2, 3));
        assert!(Columns::from_header(b"iin,name,birth_date,station")
            .unwrap_err()
            .contains("full_name"));
        assert!(Columns::from_header(b"iin,full_name,birth_date")
            .unwrap_err()
            .contains("3 columns"));
    }

    #[test]
    fn splitting() {
        let f = split_row(b"900101300007,Ali,1990-01-01,S1\r", &COLS).unwrap();
        assert_eq!(f.station.as_ref(), b"S1");
        let f =
            split_row(b"\"900101300007\",\"Ahmetov, \"\"Ali\"\"\",1990-01-01,S1", &COLS).unwrap();
        assert_eq!(f.full_name.as_ref(), b"Ahmetov, \"Ali\"");
        assert_eq!(f.iin.as_ref(), b"900101300007");
        let f = split_row(b"900101300007,,1990-01-01,\"\"", &COLS).unwrap();
        assert_eq!(f.station.as_ref(), b"");
        assert!(split_row(b"900101300007,Ali,1990-01-01", &COLS).unwrap_err().contains("3 fields"));
        assert!(split_row(b"900101300007,Ali,1990-01-01,S1,x", &COLS)
            .unwrap_err()
            .contains("5 fields"));
        assert!(split_row(b"\"9001,Ali,1990-01-01,S1", &COLS).unwrap_err().contains("not closed"));
        assert!(split_row(b"9001,\"Ali\"x,1990-01-01,S1", &COLS)
            .unwrap_err()
            .contains("after a closing"));
        assert!(split_row(b"9001,A\xFFli,1990-01-01,S1", &COLS).unwrap_err().contains("UTF-8"));
        assert!(split_row(b"\"9001\",Ali,1990-01-01,", &COLS).is_ok());
        assert!(split_row(b"\"9001\",Ali,1990-01-01,S1,", &COLS).unwrap_err().contains("5 fields"));
        assert_eq!(split_row(b"", &COLS).unwrap_err(), "empty line");
    }

    #[test]
    fn latest_adult() {
        assert_eq!(latest_adult_birth(d("2023-03-19")), d("2005-03-19"));
        assert_eq!(latest_adult_birth(d("2026-02-28")), d("2008-02-29"));
        assert_eq!(latest_adult_birth(d("2024-02-29")), d("2006-02-28"));
        // Agrees with age_on around every day of four years.
        let mut e = d("2023-01-01");
        for _ in 0..1461 {
            let l = latest_adult_birth(e);
            assert!(l.age_on(e) >= 18);
            assert!(l.add_days(1).unwrap().age_on(e) < 18, "{e}");
            e = e.add_days(1).unwrap();
        }
    }

    #[test]
    fn classification_order() {
        let stations = |s: &[u8]| (s == b"S1").then_some(0u32);
        let ctx = Context { latest_adult_birth: d("2005-03-19"), stations: &stations };
        let c = |l: &str| pre_classify(l.as_bytes(), &COLS, &ctx);
        assert!(matches!(c("900101300008,A,1990-01-01,S1"), PreVerdict::InvalidIin(_)));
        assert!(matches!(c("900101300007,A,1990-01-01,S1"), PreVerdict::Valid { later: None, .. }));
        // A mismatch wins over an unknown station.
        assert!(matches!(
            c("900101300007,A,1990-01-02,S9"),
            PreVerdict::Valid { later: Some(Reason::BirthDateMismatch), station: None, .. }
        ));
        assert!(matches!(
            c("061211600012,A,2006-12-11,S9"),
            PreVerdict::Valid { later: Some(Reason::Under18), .. }
        ));
        assert!(matches!(
            c("900101300007,A,1990-01-01,S9"),
            PreVerdict::Valid { later: Some(Reason::UnknownStation), .. }
        ));
        assert!(matches!(c("900101300007,A,1990-01-01"), PreVerdict::Malformed(_)));
    }

    #[test]
    fn explanations() {
        let e = d("2023-03-19");
        assert_eq!(
            explain(b"900101300007,A,1990-01-02,S1", &COLS, Reason::BirthDateMismatch, e),
            "birth_date 1990-01-02 differs from 1990-01-01, the date in the IIN"
        );
        assert_eq!(
            explain(b"900101300007,A,01.01.1990,S1", &COLS, Reason::BirthDateMismatch, e),
            "birth_date \"01.01.1990\" is not a date (YYYY-MM-DD); the IIN gives 1990-01-01"
        );
        assert_eq!(
            explain(b"061211600012,A,2006-12-11,S1", &COLS, Reason::Under18, e),
            "born 2006-12-11, 16 years old on election day 2023-03-19 (18 needed)"
        );
        assert_eq!(
            explain(b"900101300008,A,1990-01-01,S1", &COLS, Reason::InvalidIin, e),
            "iin \"900101300008\": the check digit of the IIN is 8, but digits 1-11 give 7"
        );
    }
}
