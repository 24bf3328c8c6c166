//! A synthetic voter register with planted defects, deterministic from a seed, and the exact
//! counts a correct check must find ([`Truth`]). The counts come from what was planted, not
//! from running the check: each planted row's verdict is known by construction (fresh IINs are
//! unique by a per-date serial counter; a duplicate copies an earlier row's IIN and turns that
//! row's verdict into `duplicate_iin` too).
//!
//! Rows are Kazakh-shaped: Cyrillic names (some quoted with a comma), adults born over 90
//! years, stations `PS-00001`…; defects of every kind: wrong check digit, a century digit of
//! no person, impossible dates, short or lettered IINs, never-issued numbers, duplicates
//! (pairs and triples), birth-date mismatches (another date or another format), voters who
//! turn 18 the day after the election (and adults who turn 18 on election day itself), unknown
//! stations, and malformed lines (missing or extra field, invalid UTF-8, unclosed quote).

use std::collections::HashMap;
use std::io::{self, Write};

use ashyq_core::iin::{check_digit, Date};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::voters::{self, Reason};

/// Planted defects, each in rows per million.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Defects {
    /// Invalid IINs.
    pub invalid_iin: u32,
    /// Copies of an earlier row's IIN.
    pub duplicate_iin: u32,
    /// Birth dates that differ from the IIN.
    pub birth_date_mismatch: u32,
    /// Voters under 18 on election day.
    pub under_18: u32,
    /// Stations not in the stations file.
    pub unknown_station: u32,
    /// Lines that are not rows.
    pub malformed: u32,
}

impl Default for Defects {
    /// About 1.2% of rows defective in all.
    fn default() -> Defects {
        Defects {
            invalid_iin: 3000,
            duplicate_iin: 2000,
            birth_date_mismatch: 2000,
            under_18: 2000,
            unknown_station: 1000,
            malformed: 2000,
        }
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateOptions {
    /// Data rows.
    pub rows: u64,
    /// Polling stations.
    pub stations: u32,
    /// Seed of the ChaCha8 generator.
    pub seed: u64,
    /// Election day (ages are planted relative to it).
    pub election_day: Date,
    /// Planted defects.
    pub defects: Defects,
    /// Plant invalid UTF-8 and unclosed quotes among the malformed lines (else only wrong field
    /// counts). Off for peers whose CSV readers cannot reject those lines one by one: DuckDB
    /// 2.0 lets an unclosed quote swallow the rest of the file and reads most invalid UTF-8,
    /// even with `ignore_errors`.
    pub encoding_errors: bool,
}

/// The counts a correct check finds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Truth {
    /// Data rows.
    pub rows: u64,
    /// Accepted rows.
    pub accepted: u64,
    /// Rejected rows by [`Reason::index`].
    pub rejected: [u64; 5],
    /// Malformed rows.
    pub malformed: u64,
    /// Accepted rows per station.
    pub per_station: Vec<u64>,
}

const SURNAMES: [&str; 16] = [
    "Ахметов",
    "Сейткали",
    "Нурланов",
    "Жумабаев",
    "Омаров",
    "Касымов",
    "Иванов",
    "Ким",
    "Абдрахманов",
    "Тулегенов",
    "Бекмуханбетов",
    "Смагулов",
    "Есенов",
    "Петров",
    "Мухамедиев",
    "Серикбаев",
];
const MALE: [&str; 12] = [
    "Али",
    "Нурлан",
    "Ерлан",
    "Даурен",
    "Асхат",
    "Тимур",
    "Бауыржан",
    "Сергей",
    "Арман",
    "Ержан",
    "Максат",
    "Рустем",
];
const FEMALE: [&str; 12] = [
    "Айгерим",
    "Динара",
    "Гульнара",
    "Жанар",
    "Асель",
    "Мадина",
    "Ольга",
    "Сауле",
    "Камила",
    "Айжан",
    "Салтанат",
    "Алия",
];

/// What a planted valid row will be, before any later copy.
#[derive(Clone, Copy)]
struct Planted {
    iin: u64,
    born: Date,
    /// None = accepted; otherwise its later reason.
    later: Option<Reason>,
    station: u32,
    duplicated: bool,
}

struct Gen {
    rng: ChaCha8Rng,
    serials: HashMap<(i64, u8), u16>,
    oldest: i64,
    latest_adult: i64,
    election: i64,
    line: Vec<u8>,
}

impl Gen {
    /// A fresh IIN (unique in this register) of someone born on a day in `[from, to]`.
    fn fresh(&mut self, from: i64, to: i64) -> (u64, Date, bool) {
        loop {
            let day = self.rng.gen_range(from..=to);
            let Some(date) = Date::from_days_since_epoch(day) else { continue };
            let female = self.rng.gen_bool(0.5);
            let c = match date.year() / 100 {
                18 => 1,
                19 => 3,
                _ => 5,
            } + u8::from(female);
            let serial = self.serials.entry((day, c)).or_insert(0);
            loop {
                *serial += 1;
                if *serial > 9999 {
                    break;
                }
                let d = iin_prefix(date, c, *serial);
                if let Some(k) = check_digit(&d) {
                    let mut v = 0u64;
                    for x in d {
                        v = v * 10 + u64::from(x);
                    }
                    return (v * 10 + u64::from(k), date, female);
                }
            }
        }
    }

    fn name(&mut self, female: bool, quoted: bool) -> String {
        let s = SURNAMES[self.rng.gen_range(0..SURNAMES.len())];
        let g = if female {
            FEMALE[self.rng.gen_range(0..12)]
        } else {
            MALE[self.rng.gen_range(0..12)]
        };
        let s = if female && !matches!(s, "Ким" | "Сейткали") {
            format!("{s}а")
        } else {
            s.to_owned()
        };
        if quoted {
            format!("\"{s}, {g}\"")
        } else {
            format!("{s} {g}")
        }
    }
}

fn iin_prefix(date: Date, c: u8, serial: u16) -> [u8; 11] {
    let yy = (date.year() % 100) as u8;
    [
        yy / 10,
        yy % 10,
        date.month() / 10,
        date.month() % 10,
        date.day() / 10,
        date.day() % 10,
        c,
        (serial / 1000) as u8,
        (serial / 100 % 10) as u8,
        (serial / 10 % 10) as u8,
        (serial % 10) as u8,
    ]
}

fn station_id(i: u32) -> String {
    format!("PS-{:05}", i + 1)
}

/// Writes `stations.csv` and `voters.csv` and returns the counts a correct check finds.
pub fn generate(
    opts: &GenerateOptions,
    voters_out: &mut impl Write,
    stations_out: &mut impl Write,
) -> io::Result<Truth> {
    generate_with_progress(opts, voters_out, stations_out, &mut |_| {})
}

/// [`generate`], calling `progress` with the rows written so far every 65,536 rows and at the
/// end.
pub fn generate_with_progress(
    opts: &GenerateOptions,
    voters_out: &mut impl Write,
    stations_out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<Truth> {
    let n_st = opts.stations.max(1);
    writeln!(stations_out, "station,name")?;
    for i in 0..n_st {
        writeln!(stations_out, "{},Polling station {}", station_id(i), i + 1)?;
    }
    let e = opts.election_day;
    let latest = voters::latest_adult_birth(e);
    let oldest = e.add_years(0).and_then(|d| Date::new(d.year().saturating_sub(90), 1, 1));
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(opts.seed),
        serials: HashMap::new(),
        oldest: oldest.map_or(latest.days_since_epoch() - 26_000, Date::days_since_epoch),
        latest_adult: latest.days_since_epoch(),
        election: e.days_since_epoch(),
        line: Vec::with_capacity(256),
    };
    let mut truth = Truth { per_station: vec![0; n_st as usize], ..Default::default() };
    let mut recent: Vec<Planted> = Vec::with_capacity(1024);
    let mut recent_at = 0usize;
    let d = opts.defects;
    let bounds = [
        d.invalid_iin,
        d.duplicate_iin,
        d.birth_date_mismatch,
        d.under_18,
        d.unknown_station,
        d.malformed,
    ];
    writeln!(voters_out, "iin,full_name,birth_date,station")?;
    for _ in 0..opts.rows {
        truth.rows += 1;
        let mut u = g.rng.gen_range(0..1_000_000u32);
        let mut kind = 6usize; // normal
        for (k, &b) in bounds.iter().enumerate() {
            if u < b {
                kind = k;
                break;
            }
            u -= b;
        }
        if kind == 1 && recent.is_empty() {
            kind = 6;
        }
        let station = g.rng.gen_range(0..n_st);
        g.line.clear();
        let mut later: Option<Option<Reason>> = None; // Some(verdict) for a fresh valid row
        let (oldest_d, latest_d, election_d) = (g.oldest, g.latest_adult, g.election);
        match kind {
            0 => {
                // invalid IIN
                let (iin, date, female) = g.fresh(oldest_d, latest_d);
                let mut digits = format!("{iin:012}").into_bytes();
                match g.rng.gen_range(0..6) {
                    0 => {
                        let k = digits[11] - b'0';
                        digits[11] = b'0' + (k + g.rng.gen_range(1..10)) % 10;
                    }
                    1 => digits[6] = [b'0', b'7', b'8', b'9'][g.rng.gen_range(0..4)],
                    2 => {
                        digits[2] = b'1';
                        digits[3] = b'3';
                    }
                    3 => {
                        digits.remove(g.rng.gen_range(0..12));
                    }
                    4 => digits[g.rng.gen_range(0..12)] = b'O',
                    _ => {
                        // A prefix with no check digit: never issued.
                        let c = digits[6] - b'0';
                        let mut s = 0u16;
                        let prefix = loop {
                            s += 1;
                            let p = iin_prefix(date, c, s);
                            if check_digit(&p).is_none() || s == 9999 {
                                break p;
                            }
                        };
                        if check_digit(&prefix).is_some() {
                            // No never-issued serial on this date (does not happen in practice):
                            // fall back to a wrong check digit.
                            let k = digits[11] - b'0';
                            digits[11] = b'0' + (k + 1) % 10;
                        } else {
                            digits = prefix.iter().map(|x| b'0' + x).collect();
                            digits.push(b'0' + g.rng.gen_range(0..10));
                        }
                    }
                }
                let name = g.name(female, false);
                g.line.extend_from_slice(&digits);
                write!(g.line, ",{name},{date},{}", station_id(station))?;
                truth.rejected[Reason::InvalidIin.index()] += 1;
            }
            1 => {
                // duplicate of an earlier valid row
                let at = g.rng.gen_range(0..recent.len());
                let orig = &mut recent[at];
                if orig.duplicated {
                    truth.rejected[Reason::DuplicateIin.index()] += 1;
                } else {
                    match orig.later {
                        None => {
                            truth.accepted -= 1;
                            truth.per_station[orig.station as usize] -= 1;
                        }
                        Some(r) => truth.rejected[r.index()] -= 1,
                    }
                    orig.duplicated = true;
                    truth.rejected[Reason::DuplicateIin.index()] += 2;
                }
                let (iin, date) = (orig.iin, orig.born);
                let female = g.rng.gen_bool(0.5);
                let name = g.name(female, false);
                write!(g.line, "{iin:012},{name},{date},{}", station_id(station))?;
            }
            2 => {
                let (iin, date, female) = g.fresh(oldest_d, latest_d);
                let name = g.name(female, false);
                let shown = if g.rng.gen_bool(0.5) {
                    date.add_days(1).map_or_else(|| "x".to_owned(), |d| d.to_string())
                } else {
                    format!("{:02}.{:02}.{}", date.day(), date.month(), date.year())
                };
                write!(g.line, "{iin:012},{name},{shown},{}", station_id(station))?;
                later = Some(Some(Reason::BirthDateMismatch));
                recent_push(
                    &mut recent,
                    &mut recent_at,
                    Planted {
                        iin,
                        born: date,
                        later: Some(Reason::BirthDateMismatch),
                        station,
                        duplicated: false,
                    },
                );
            }
            3 => {
                // under 18: from the day after the last adult birthday up to election day; a
                // tenth are born exactly the day after (they turn 18 tomorrow).
                let from = latest_d + 1;
                let (iin, date, female) = if g.rng.gen_bool(0.1) {
                    g.fresh(from, from)
                } else {
                    g.fresh(from, election_d.max(from))
                };
                let name = g.name(female, false);
                write!(g.line, "{iin:012},{name},{date},{}", station_id(station))?;
                later = Some(Some(Reason::Under18));
                recent_push(
                    &mut recent,
                    &mut recent_at,
                    Planted {
                        iin,
                        born: date,
                        later: Some(Reason::Under18),
                        station,
                        duplicated: false,
                    },
                );
            }
            4 => {
                let (iin, date, female) = g.fresh(oldest_d, latest_d);
                let name = g.name(female, false);
                write!(g.line, "{iin:012},{name},{date},PS-X{}", g.rng.gen_range(0..1000))?;
                later = Some(Some(Reason::UnknownStation));
                recent_push(
                    &mut recent,
                    &mut recent_at,
                    Planted {
                        iin,
                        born: date,
                        later: Some(Reason::UnknownStation),
                        station,
                        duplicated: false,
                    },
                );
            }
            5 => {
                let (iin, date, female) = g.fresh(oldest_d, latest_d);
                let name = g.name(female, false);
                let st = station_id(station);
                let kinds = if opts.encoding_errors { 4 } else { 2 };
                match g.rng.gen_range(0..kinds) {
                    0 => write!(g.line, "{iin:012},{name},{date}")?,
                    1 => write!(g.line, "{iin:012},{name},{date},{st},extra")?,
                    2 => {
                        write!(g.line, "{iin:012},{name}")?;
                        g.line.push(0xFF);
                        write!(g.line, ",{date},{st}")?;
                    }
                    _ => write!(g.line, "{iin:012},\"{name},{date},{st}")?,
                }
                truth.malformed += 1;
            }
            _ => {
                // A normal voter; one in ten thousand turns 18 on election day itself.
                let (iin, date, female) = if g.rng.gen_bool(0.0001) {
                    g.fresh(latest_d, latest_d)
                } else {
                    g.fresh(oldest_d, latest_d)
                };
                let quoted = g.rng.gen_bool(0.02);
                let name = g.name(female, quoted);
                write!(g.line, "{iin:012},{name},{date},{}", station_id(station))?;
                later = Some(None);
                recent_push(
                    &mut recent,
                    &mut recent_at,
                    Planted { iin, born: date, later: None, station, duplicated: false },
                );
            }
        }
        match later {
            Some(None) => {
                truth.accepted += 1;
                truth.per_station[station as usize] += 1;
            }
            Some(Some(r)) => truth.rejected[r.index()] += 1,
            None => {}
        }
        g.line.push(b'\n');
        voters_out.write_all(&g.line)?;
        if truth.rows.is_multiple_of(65_536) {
            progress(truth.rows);
        }
    }
    progress(truth.rows);
    Ok(truth)
}

fn recent_push(recent: &mut Vec<Planted>, at: &mut usize, p: Planted) {
    if recent.len() < 1024 {
        recent.push(p);
    } else {
        recent[*at] = p;
        *at = (*at + 1) % 1024;
    }
}
