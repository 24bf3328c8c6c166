//! Russian CEC (izbirkom.ru) polling-station protocols in the layout of Kobak and Shpilkin's
//! files (github.com/dkobak/elections, `data/YYYY.csv`; Kobak, Shpilkin & Pshenichnikov 2016,
//! AoAS 10(1):54–73): columns `region`, `level`, `oik`, `tik`, `uik`, `name`, then the
//! protocol lines in Russian exactly as izbirkom prints them, one column per candidate or party,
//! and `url`. Every federal election 2004–2021 has its own header wording; columns are
//! recognised by their words, not their position (`docs/converters.md` lists the mapping).
//!
//! Protocol lines of the Russian protocol that Ashyq's protocol lacks (valid ballots, lost and
//! unaccounted ballots, absentee-certificate accounting) are not dropped silently: each is named,
//! with its national sum, in the provenance comment at the top of `election.toml`.

use std::collections::HashMap;
use std::path::Path;

use ashyq_core::election::{ContestInfo, OptionInfo};
use ashyq_core::ids::check_id_syntax;
use ashyq_core::line::ProtocolLine;

use super::{display_name, grouped, open_input, parse_count, slug, ConvertError, Draft, Progress};

/// What a numeric column of the source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// Voters on the list at the end of voting → `registered`.
    Registered,
    /// Ballots received by the station commission → `ballots_received`.
    Received,
    /// Ballots issued to early voters (part of `ballots_issued`).
    IssuedEarly,
    /// Ballots issued in the station on polling day (part of `ballots_issued`).
    IssuedInStation,
    /// Ballots issued outside the station (part of `ballots_issued`; also `mobile`).
    IssuedOutside,
    /// All ballots issued (2020 vote: one line) → `ballots_issued`.
    IssuedTotal,
    /// Cancelled (unused) ballots → `ballots_cancelled`.
    Cancelled,
    /// Ballots in mobile boxes (part of `ballots_found`).
    FoundMobile,
    /// Ballots in stationary boxes (part of `ballots_found`).
    FoundStationary,
    /// Ballots in all boxes (2020 vote: one line) → `ballots_found`.
    FoundTotal,
    /// Invalid ballots → `invalid`.
    Invalid,
    /// Voters who voted with an absentee certificate → `absentee`.
    Absentee,
    /// A protocol line with no Ashyq counterpart (valid, lost, unaccounted, certificates):
    /// summed into the provenance comment.
    Unmapped,
    /// Votes for an option (candidate, party, "against all", yes, no).
    Option,
}

/// Classifies a numeric column by the words of its izbirkom header.
pub fn classify(header: &str) -> Column {
    let h = header.to_lowercase();
    let h = h.as_str();
    let has = |w: &str| h.contains(w);
    if !h.starts_with("число") {
        return Column::Option;
    }
    let ballots = has("бюллетен");
    if has("проголосовавших по открепительным") {
        Column::Absentee
    } else if has("открепительн") {
        Column::Unmapped
    } else if (has("избирателей, внесенных") || has("избирателей, включенных"))
        || has("участников голосования, включенных")
    {
        Column::Registered
    } else if ballots && (has("утраченных") || has("не учтенных")) {
        Column::Unmapped
    } else if ballots && has("погашенных") {
        Column::Cancelled
    } else if ballots && has("полученных") {
        Column::Received
    } else if ballots && has("выданных") && has("досрочно") {
        Column::IssuedEarly
    } else if ballots && has("выданных") && has("вне помещени") {
        Column::IssuedOutside
    } else if ballots && has("выданных") && (has("в помещени") || has("в день голосования"))
    {
        Column::IssuedInStation
    } else if ballots && has("выданных") {
        Column::IssuedTotal
    } else if ballots && has("переносных") {
        Column::FoundMobile
    } else if ballots && has("стационарных") {
        Column::FoundStationary
    } else if ballots && has("ящиках") {
        Column::FoundTotal
    } else if has("недействительных") {
        Column::Invalid
    } else {
        Column::Unmapped
    }
}

/// Election day, contest kind and list-tier seats of a federal election, by year.
fn election_of(year: u32) -> Option<(&'static str, &'static str, &'static str, Option<i64>)> {
    Some(match year {
        2000 => ("2000-03-26", "presidential", "Выборы Президента Российской Федерации", None),
        2003 => ("2003-12-07", "party-list", "Выборы депутатов Государственной Думы", Some(225)),
        2004 => ("2004-03-14", "presidential", "Выборы Президента Российской Федерации", None),
        2007 => ("2007-12-02", "party-list", "Выборы депутатов Государственной Думы", Some(450)),
        2008 => ("2008-03-02", "presidential", "Выборы Президента Российской Федерации", None),
        2011 => ("2011-12-04", "party-list", "Выборы депутатов Государственной Думы", Some(450)),
        2012 => ("2012-03-04", "presidential", "Выборы Президента Российской Федерации", None),
        2016 => ("2016-09-18", "party-list", "Выборы депутатов Государственной Думы", Some(225)),
        2018 => ("2018-03-18", "presidential", "Выборы Президента Российской Федерации", None),
        2020 => (
            "2020-07-01",
            "referendum",
            "Общероссийское голосование по вопросу одобрения изменений в Конституцию Российской Федерации",
            None,
        ),
        2021 => ("2021-09-19", "party-list", "Выборы депутатов Государственной Думы", Some(225)),
        2024 => ("2024-03-17", "presidential", "Выборы Президента Российской Федерации", None),
        _ => return None,
    })
}

/// The election year from a file name like `russia_2018.csv.gz` or `2018.csv`.
fn year_of(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let b = name.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let w = &b[i..i + 4];
        let digits = w.iter().all(u8::is_ascii_digit);
        let bounded = (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 4 == b.len() || !b[i + 4].is_ascii_digit());
        if digits && bounded {
            let y: u32 = std::str::from_utf8(w).ok()?.parse().ok()?;
            (2000..=2030).contains(&y).then_some(y)
        } else {
            None
        }
    })
}

/// Assigns short ordinal ids to names in first-appearance order, per parent.
#[derive(Default)]
struct Ordinals {
    ids: HashMap<(usize, String), String>,
    next: HashMap<usize, u32>,
}

impl Ordinals {
    fn get(&mut self, parent: usize, name: &str, prefix: &str, width: usize) -> String {
        if let Some(id) = self.ids.get(&(parent, name.to_owned())) {
            return id.clone();
        }
        let n = self.next.entry(parent).or_insert(0);
        *n += 1;
        let id = format!("{prefix}{:0width$}", *n);
        self.ids.insert((parent, name.to_owned()), id.clone());
        id
    }
}

/// Digits after `№` (`ОИК №39`, `УИК №1234`) or the whole field when it is all digits.
fn number_in(s: &str) -> Option<&str> {
    let t = s.trim();
    let t = t.rsplit_once('№').map_or(t, |(_, n)| n.trim());
    (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then_some(t)
}

pub(crate) fn read(path: &Path, progress: Progress<'_>) -> Result<Draft, ConvertError> {
    let file = display_name(path);
    let year = year_of(path).ok_or_else(|| {
        ConvertError::file(
            &file,
            "cannot tell the election from the file name: izbirkom files must carry the election year in their name (e.g. russia_2018.csv.gz)",
        )
    })?;
    let (date, kind, title, seats) = election_of(year).ok_or_else(|| {
        ConvertError::file(
            &file,
            format!("no Russian federal election is known for the year {year} in the file name"),
        )
    })?;
    let input = open_input(path)?;
    let size = input.size;
    let read_counter = input.read.clone();
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input.reader);
    let headers = rdr
        .headers()
        .map_err(|e| ConvertError::at(&file, 1, None, format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(c_region), Some(c_tik), Some(c_uik)) = (col("region"), col("tik"), col("uik")) else {
        return Err(ConvertError::at(
            &file,
            1,
            None,
            "the header lacks one of the columns region, tik, uik: not an izbirkom file in the Kobak/Shpilkin layout",
        ));
    };
    let c_oik = col("oik");
    let text_cols = ["region", "tik", "uik", "oik", "level", "name", "url"];
    // Numeric columns and their meaning.
    let mut numeric: Vec<(usize, Column)> = Vec::new();
    let mut options: Vec<OptionInfo> = Vec::new();
    let mut option_col: Vec<usize> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if text_cols.contains(&h.trim()) {
            continue;
        }
        let c = classify(h);
        numeric.push((i, c));
        if c == Column::Option {
            option_col.push(i);
            options.push(OptionInfo {
                id: String::new(),
                name: h.trim().to_owned(),
                ..Default::default()
            });
        }
    }
    if options.is_empty() {
        return Err(ConvertError::at(
            &file,
            1,
            None,
            "the header has no candidate, party or yes/no column",
        ));
    }
    // Option ids.
    let mut used = std::collections::HashSet::new();
    for o in options.iter_mut() {
        let lower = o.name.to_lowercase();
        let base = if kind == "referendum" && lower == "да" {
            "yes".to_owned()
        } else if kind == "referendum" && lower == "нет" {
            "no".to_owned()
        } else if lower == "против всех" {
            o.kind = Some("against-all".to_owned());
            "against-all".to_owned()
        } else if let Some(n) = leading_number(&o.name) {
            format!("party-{n:02}")
        } else {
            let s = slug(&o.name, 48);
            if s.is_empty() {
                "option".to_owned()
            } else {
                s
            }
        };
        let mut id = base.clone();
        let mut k = 2;
        while !used.insert(id.clone()) || check_id_syntax(&id).is_err() {
            id = format!("{base}-{k}");
            k += 1;
        }
        o.id = id;
    }

    let mut draft = Draft::new(&file);
    draft.unit("RU", "", "country", "Российская Федерация");
    let mut ord = Ordinals::default();
    let mut rows: Vec<(usize, Vec<Option<u64>>)> = Vec::with_capacity(100_000);
    let mut unmapped_sums: Vec<u64> = vec![0; headers.len()];
    let n_cols = ProtocolLine::COUNT + options.len();
    let mut record = csv::ByteRecord::new();
    let mut valid_mismatch = 0u64;
    let valid_col = headers.iter().position(|h| {
        let l = h.to_lowercase();
        l.starts_with("число действительных") || l.contains("число действительных бюллетеней")
    });
    let mut n_rows = 0u64;
    let mut empty_protocols = 0u64;
    let mut partial_protocols = 0u64;
    let mut prev_key: Vec<Vec<u8>> = Vec::new();
    let mut prev_commission: (usize, String, String) = (0, String::new(), String::new());
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(ConvertError::at(&file, line, None, format!("malformed CSV: {e}")));
            }
        }
        n_rows += 1;
        if n_rows & 4095 == 0 {
            progress(read_counter.load(std::sync::atomic::Ordering::Relaxed), size);
        }
        let line = record.position().map_or(0, |p| p.line());
        let text =
            |i: usize| String::from_utf8_lossy(record.get(i).unwrap_or_default()).trim().to_owned();
        // Rows come grouped by commission: reuse the previous row's commission when its
        // region/oik/tik fields are byte-identical (saves the id lookups on ~97 % of rows).
        let same_commission = prev_key.len() == 3
            && record.get(c_region) == Some(prev_key[0].as_slice())
            && c_oik.map(|c| record.get(c)) == c_oik.map(|_| Some(prev_key[1].as_slice()))
            && record.get(c_tik) == Some(prev_key[2].as_slice());
        if !same_commission {
            let region = text(c_region);
            if region.is_empty() {
                return Err(ConvertError::at(&file, line, Some("region"), "field region is empty"));
            }
            let r_id = ord.get(0, &region, "RU-R", 2);
            let r = draft.unit(&r_id, "RU", "region", &region);
            let mut parent = (r, r_id);
            if let Some(c) = c_oik {
                let oik = text(c);
                if !oik.is_empty() {
                    let suffix = match number_in(&oik) {
                        Some(n) => format!("-O{n}"),
                        None => ord.get(parent.0, &format!("oik:{oik}"), "-G", 2),
                    };
                    let id = format!("{}{suffix}", parent.1);
                    let o = draft.unit(&id, &parent.1, "district-commission", &oik);
                    parent = (o, id);
                }
            }
            let tik = text(c_tik);
            let t_suffix = ord.get(parent.0, &tik, "-T", 3);
            let t_id = format!("{}{t_suffix}", parent.1);
            let t = draft.unit(&t_id, &parent.1, "territorial-commission", &tik);
            prev_key = vec![
                record.get(c_region).unwrap_or_default().to_vec(),
                c_oik.and_then(|c| record.get(c)).unwrap_or_default().to_vec(),
                record.get(c_tik).unwrap_or_default().to_vec(),
            ];
            prev_commission = (t, t_id, tik);
        }
        let (t, t_id, tik) =
            (prev_commission.0, prev_commission.1.as_str(), prev_commission.2.as_str());
        let uik = text(c_uik);
        let (mut s_id, s_kind, s_name) = match number_in(&uik) {
            Some(n) if uik.starts_with("УИК") => {
                (format!("{t_id}-U{n}"), "station", uik.clone())
            }
            Some(n) => (format!("{t_id}-U{n}"), "station", format!("УИК №{n}")),
            None if uik.is_empty() => (format!("{t_id}-EV"), "e-voting", tik.to_owned()),
            None => (format!("{t_id}-{}", ord.get(t, &uik, "S", 3)), "station", uik.clone()),
        };
        if draft.unit_index(&s_id).is_some() {
            let base = s_id.clone();
            let mut k = 2;
            while draft.unit_index(&s_id).is_some() {
                s_id = format!("{base}-{k}");
                k += 1;
            }
        }
        let s = draft.unit(&s_id, t_id, s_kind, &s_name);
        // Values. A blank field is unknown (absent), not an error: newer files have stations
        // whose protocol is entirely blank (no vote held, or no data released). A line summed
        // from several columns is unknown when any of them is blank.
        let mut row: Vec<Option<u64>> = vec![None; n_cols];
        let mut blank_line = [false; ProtocolLine::COUNT];
        fn add(row: &mut [Option<u64>], line: ProtocolLine, v: u64) {
            let cell = &mut row[line.column()];
            *cell = Some(cell.unwrap_or(0).saturating_add(v));
        }
        let mut opt_sum = 0u64;
        let mut oi = 0usize;
        let mut blanks = 0usize;
        for &(i, c) in &numeric {
            let raw = record.get(i).unwrap_or_default();
            let v = if super::trim(raw).is_empty() {
                blanks += 1;
                None
            } else {
                Some(parse_count(raw).ok_or_else(|| {
                    ConvertError::at(
                        &file,
                        line,
                        Some(&headers[i]),
                        format!(
                            "field \"{}\": \"{}\" is not a non-negative integer",
                            headers[i].trim(),
                            String::from_utf8_lossy(raw)
                        ),
                    )
                })?)
            };
            let lines: &[ProtocolLine] = match c {
                Column::Registered => &[ProtocolLine::Registered],
                Column::Received => &[ProtocolLine::BallotsReceived],
                Column::IssuedEarly | Column::IssuedInStation | Column::IssuedTotal => {
                    &[ProtocolLine::BallotsIssued]
                }
                Column::IssuedOutside => &[ProtocolLine::BallotsIssued, ProtocolLine::Mobile],
                Column::Cancelled => &[ProtocolLine::BallotsCancelled],
                Column::FoundMobile | Column::FoundStationary | Column::FoundTotal => {
                    &[ProtocolLine::BallotsFound]
                }
                Column::Invalid => &[ProtocolLine::Invalid],
                Column::Absentee => &[ProtocolLine::Absentee],
                Column::Unmapped => {
                    unmapped_sums[i] = unmapped_sums[i].saturating_add(v.unwrap_or(0));
                    &[]
                }
                Column::Option => {
                    row[ProtocolLine::COUNT + oi] = v;
                    opt_sum = opt_sum.saturating_add(v.unwrap_or(0));
                    oi += 1;
                    &[]
                }
            };
            for &l in lines {
                match v {
                    Some(v) => add(&mut row, l, v),
                    None => blank_line[l.column()] = true,
                }
            }
        }
        for (col, blank) in blank_line.iter().enumerate() {
            if *blank {
                row[col] = None;
            }
        }
        if blanks == numeric.len() {
            empty_protocols += 1;
        } else if blanks > 0 {
            partial_protocols += 1;
        }
        if let Some(vc) = valid_col {
            if blanks > 0 || parse_count(record.get(vc).unwrap_or_default()) != Some(opt_sum) {
                valid_mismatch += 1;
            }
        }
        rows.push((s, row));
    }
    progress(size, size);
    if rows.is_empty() {
        return Err(ConvertError::file(&file, "the file has a header but no polling-station rows"));
    }

    // Provenance.
    let mut c = vec![
        format!("Converted by `ashyq convert --from izbirkom` from {file}: {n_rows} polling-station protocols"),
        "of the Russian CEC (izbirkom.ru) as scraped by S. Shpilkin and published by D. Kobak,".to_owned(),
        "https://github.com/dkobak/elections (no licence stated: research use, cite Kobak/Shpilkin).".to_owned(),
        "Rules \"none\": foreign data, no Kazakh outcome applies; `ashyq check` still runs the arithmetic.".to_owned(),
        "Mapping: registered = voters on the list; ballots_issued = issued early + in station + outside".to_owned(),
        "(2020: issued); mobile = issued outside; ballots_found = mobile + stationary boxes (2020: in boxes);".to_owned(),
        "ballots_cancelled = cancelled; invalid = invalid; absentee = voted with absentee certificates.".to_owned(),
        "Units: RU -> region (RU-Rnn, numbered in order of first appearance) -> [district commission (oik)]".to_owned(),
        "-> territorial commission (-Tnnn, likewise) -> station (-U<number>; -EV = remote e-voting).".to_owned(),
    ];
    let unmapped: Vec<(usize, Column)> =
        numeric.iter().copied().filter(|&(_, k)| k == Column::Unmapped).collect();
    if empty_protocols > 0 || partial_protocols > 0 {
        c.push(format!(
            "Blank fields are unknown (absent in counts.csv): {} stations have an empty protocol (every figure blank: no vote held or no data released), {} have some figures blank.",
            grouped(empty_protocols),
            grouped(partial_protocols)
        ));
    }
    if !unmapped.is_empty() {
        c.push("Russian protocol lines with no Ashyq line (not in counts.csv), with their national sums:".to_owned());
        for (i, _) in unmapped {
            let note = if Some(i) == valid_col {
                format!(
                    " (derivable: = sum of option votes at {} of {} stations)",
                    grouped(n_rows - valid_mismatch),
                    grouped(n_rows)
                )
            } else {
                String::new()
            };
            c.push(format!("  - {}: {}{note}", headers[i].trim(), grouped(unmapped_sums[i])));
        }
    }
    draft.comments = c;
    draft.info.id = format!("ru-{date}");
    draft.info.name = format!("{title}, {date}");
    draft.info.date = date.to_owned();
    draft.info.rules = "none".to_owned();
    draft.info.contests = vec![ContestInfo {
        id: match kind {
            "presidential" => "president".to_owned(),
            "referendum" => "constitution-2020".to_owned(),
            _ => "duma-federal-list".to_owned(),
        },
        kind: kind.to_owned(),
        name: Some(title.to_owned()),
        territory: "RU".to_owned(),
        seats,
        constitutional: (kind == "referendum").then_some(true),
        options,
        ..Default::default()
    }];
    draft.rows = vec![rows];
    Ok(draft)
}

/// `1.Политическая…` or `10. Всероссийская…` → 1, 10.
fn leading_number(s: &str) -> Option<u32> {
    let t = s.trim_start();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || !t[digits.len()..].starts_with('.') {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_every_year_are_classified() {
        use Column::*;
        let cases = [
            ("Число избирателей, внесенных в список", Registered),
            ("Число избирателей, включенных в списки избирателей", Registered),
            ("Число участников голосования, включенных в список участников голосования на момент окончания голосования", Registered),
            ("Число полученных избирательных бюллетеней", Received),
            ("Число избирательных бюллетеней, полученных участковыми избирательными комиссиями", Received),
            ("Число избирательных бюллетеней, выданных  досрочно", IssuedEarly),
            ("Число избирательных бюллетеней, выданных в день голосования", IssuedInStation),
            ("Число избирательных бюллетеней, выданных вне помещений для голосования в день голосования", IssuedOutside),
            ("Число избирательных бюллетеней, выданных избирателям в помещении для голосования", IssuedInStation),
            ("Число бюллетеней, выданных участникам голосования", IssuedTotal),
            ("Число погашенных избирательных бюллетеней", Cancelled),
            ("Число избирательных бюллетеней в переносных ящиках", FoundMobile),
            ("Число бюллетеней в стационарных ящиках для голосования", FoundStationary),
            ("Число бюллетеней, содержащихся в ящиках для голосования", FoundTotal),
            ("Число недействительных избирательных бюллетеней", Invalid),
            ("Число действительных избирательных бюллетеней", Unmapped),
            ("Число утраченных избирательных бюллетеней", Unmapped),
            ("Число избирательных бюллетеней, не учтенных при получении", Unmapped),
            ("Число избирателей, проголосовавших по открепительным удостоверениям", Absentee),
            ("Число погашенных неиспользованных открепительных удостоверений", Unmapped),
            ("Путин Владимир Владимирович", Option),
            ("ДА", Option),
        ];
        for (h, want) in cases {
            assert_eq!(classify(h), want, "{h}");
        }
    }

    #[test]
    fn years_and_numbers_are_found() {
        assert_eq!(year_of(Path::new("/x/russia_2018.csv.gz")), Some(2018));
        assert_eq!(year_of(Path::new("2021.csv")), Some(2021));
        assert_eq!(year_of(Path::new("results.csv")), None);
        assert_eq!(number_in("УИК №1234"), Some("1234"));
        assert_eq!(number_in("17"), Some("17"));
        assert_eq!(number_in(""), None);
        assert_eq!(leading_number("10.Всероссийская"), Some(10));
        assert_eq!(leading_number("Против всех"), None);
    }
}
