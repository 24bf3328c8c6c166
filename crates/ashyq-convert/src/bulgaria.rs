//! Bulgarian National Assembly elections per polling section, from the CIK open data as
//! standardised by D. Ivanov (github.com/dimitarivanov/bulgarian-elections-opendata, data
//! CC BY-SA 4.0). One election = one folder `YYYYMMDD/` of `;`-separated files (plain or gzip):
//! `20_parties` (ballot numbers, 99 = "I support no one"), `31_sections`, `41_protocols` (the
//! section protocol's lines), `50_votes_paper`, `50_votes_machine` (machine votes as written on
//! the protocol) and `50_votes_machine_from_machine_data` (read from the machines' own records).
//! RIK (regional commission) names come from `riks.csv` beside or above the folder, else from
//! `31_sections`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ashyq_core::election::{ContestInfo, OptionInfo};
use ashyq_core::line::ProtocolLine;

use super::{display_name, grouped, open_input, parse_count, ConvertError, Draft, Progress};

/// Finds `stem.csv.gz` or `stem.csv` in `dir`.
fn find(dir: &Path, stem: &str) -> Option<PathBuf> {
    ["csv.gz", "csv"].iter().map(|ext| dir.join(format!("{stem}.{ext}"))).find(|p| p.is_file())
}

/// A `;`-separated table read whole: header and rows with their 1-based line numbers.
struct Table {
    file: String,
    headers: Vec<String>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    fn read(path: &Path) -> Result<Table, ConvertError> {
        let file = display_name(path);
        let input = open_input(path)?;
        let mut rdr = csv::ReaderBuilder::new().delimiter(b';').from_reader(input.reader);
        let headers = rdr
            .headers()
            .map_err(|e| ConvertError::at(&file, 1, None, format!("cannot read the header: {e}")))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let mut rows = Vec::new();
        for r in rdr.records() {
            let r = r.map_err(|e| {
                ConvertError::at(
                    &file,
                    e.position().map_or(0, |p| p.line()),
                    None,
                    format!("malformed CSV: {e}"),
                )
            })?;
            rows.push((r.position().map_or(0, |p| p.line()), r));
        }
        Ok(Table { file, headers, rows })
    }

    fn col(&self, name: &str) -> Result<usize, ConvertError> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            ConvertError::at(
                &self.file,
                1,
                Some(name),
                format!("the header lacks the column {name}"),
            )
        })
    }

    fn num(&self, line: u64, r: &csv::StringRecord, c: usize) -> Result<u64, ConvertError> {
        let v = r.get(c).unwrap_or("").trim();
        parse_count(v.as_bytes()).ok_or_else(|| {
            ConvertError::at(
                &self.file,
                line,
                Some(&self.headers[c]),
                format!("field {}: \"{v}\" is not a non-negative integer", self.headers[c]),
            )
        })
    }
}

fn required(dir: &Path, stem: &str) -> Result<PathBuf, ConvertError> {
    find(dir, stem).ok_or_else(|| {
        ConvertError::file(
            &dir.display().to_string(),
            format!("{stem}.csv(.gz) is missing: not a CIK open-data election folder"),
        )
    })
}

/// Votes per (section, ballot number) from a `50_votes_*` file; codes ≥ 100 are the source
/// converter's protocol summary lines and are ignored (the protocol lines come from 41_protocols).
fn votes(
    path: &Path,
    sections: &HashMap<String, (usize, u32)>,
    codes: &HashMap<(u32, u32), usize>,
) -> Result<HashMap<String, Vec<u64>>, ConvertError> {
    let t = Table::read(path)?;
    let (cs, cp, cv) = (t.col("section_id")?, t.col("party")?, t.col("votes")?);
    let mut out: HashMap<String, Vec<u64>> = HashMap::new();
    for (line, r) in &t.rows {
        let code = t.num(*line, r, cp)?;
        if code >= 100 {
            continue;
        }
        let section = r.get(cs).unwrap_or("").trim();
        let Some(&(_, rik)) = sections.get(section) else {
            return Err(ConvertError::at(
                &t.file,
                *line,
                Some("section_id"),
                format!("field section_id: section \"{section}\" is not in 31_sections"),
            ));
        };
        let code = u32::try_from(code).unwrap_or(u32::MAX);
        let Some(&oi) = codes.get(&(code, 0)).or_else(|| codes.get(&(code, rik))) else {
            return Err(ConvertError::at(&t.file, *line, Some("party"), format!("field party: ballot number {code} is neither a list nor an independent candidate of RIK {rik:02} in 21_participants/20_parties")));
        };
        let v = t.num(*line, r, cv)?;
        let row = out.entry(section.to_owned()).or_insert_with(|| vec![0; codes.len()]);
        row[oi] = row[oi].checked_add(v).ok_or_else(|| {
            ConvertError::at(&t.file, *line, Some("votes"), "field votes: sum overflows")
        })?;
    }
    Ok(out)
}

/// What every Bulgarian conversion shares: the election day, the options (lists, independent
/// candidates, "I support no one") and the tree of RIKs and sections.
struct Frame {
    folder: String,
    date: String,
    options: Vec<OptionInfo>,
    /// (ballot number, RIK number or 0 for a national list) → option index.
    codes: HashMap<(u32, u32), usize>,
    against_all: Option<usize>,
    draft: Draft,
    /// section id → (unit index, RIK number).
    section_unit: HashMap<String, (usize, u32)>,
    sections_t: Table,
    ss: usize,
}

fn frame(dir: &Path) -> Result<Frame, ConvertError> {
    let folder = display_name(dir);
    if !dir.is_dir() {
        return Err(ConvertError::file(&folder, "is not a folder: --from bulgaria-cik takes an election folder (YYYYMMDD) of CIK open-data files"));
    }
    let date = {
        let b = folder.as_bytes();
        if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
            format!("{}-{}-{}", &folder[0..4], &folder[4..6], &folder[6..8])
        } else {
            return Err(ConvertError::file(
                &folder,
                "the folder name must be the election day as YYYYMMDD (e.g. 20210711)",
            ));
        }
    };
    // Parties, independent candidates (21_participants: registration_sub_code = their RIK) and
    // "I support no one" (ballot number 99).
    let (participants, with_sub) = match find(dir, "21_participants") {
        Some(p) => (Table::read(&p)?, true),
        None => (Table::read(&required(dir, "20_parties")?)?, false),
    };
    let (cc, cn) = (participants.col("registration_code")?, participants.col("registration_name")?);
    let csub = if with_sub { Some(participants.col("registration_sub_code")?) } else { None };
    let mut listed: Vec<(u32, u32, String, u64)> = Vec::new();
    for (line, r) in &participants.rows {
        let code = participants.num(*line, r, cc)?;
        let sub = match csub {
            Some(c) => participants.num(*line, r, c)?,
            None => 0,
        };
        let (Ok(code), Ok(sub)) = (u32::try_from(code), u32::try_from(sub)) else {
            return Err(ConvertError::at(
                &participants.file,
                *line,
                Some("registration_code"),
                "field registration_code: too large",
            ));
        };
        if listed.iter().any(|l| l.0 == code && l.1 == sub) {
            return Err(ConvertError::at(
                &participants.file,
                *line,
                Some("registration_code"),
                format!(
                    "field registration_code: ballot number {code} (sub-code {sub}) appears twice"
                ),
            ));
        }
        listed.push((code, sub, r.get(cn).unwrap_or("").trim().to_owned(), *line));
    }
    listed.sort_by_key(|l| (l.0, l.1));
    let mut options = Vec::new();
    // (ballot number, RIK number or 0 for a national list) → option index.
    let mut codes: HashMap<(u32, u32), usize> = HashMap::new();
    let mut against_all = None;
    for (code, sub, name, _) in listed {
        codes.insert((code, sub), options.len());
        if code == 99 {
            against_all = Some(options.len());
            options.push(OptionInfo {
                id: "against-all".into(),
                name,
                registered: None,
                kind: Some("against-all".into()),
                list_length: None,
            });
        } else if sub == 0 {
            options.push(OptionInfo {
                id: format!("party-{code}"),
                name,
                registered: None,
                kind: None,
                list_length: None,
            });
        } else {
            options.push(OptionInfo {
                id: format!("independent-{code}-rik{sub:02}"),
                name,
                registered: None,
                kind: None,
                list_length: None,
            });
        }
    }
    // Sections and RIKs.
    let sections_t = Table::read(&required(dir, "31_sections")?)?;
    let (ss, sr, srn, scity, saddr) = (
        sections_t.col("section_id")?,
        sections_t.col("rik_code")?,
        sections_t.col("rik_name")?,
        sections_t.col("city")?,
        sections_t.col("address")?,
    );
    let mut rik_names: HashMap<String, String> = HashMap::new();
    let riks_path = [dir.join("riks.csv"), dir.join("../riks.csv"), dir.join("../common/riks.csv")]
        .into_iter()
        .find(|p| p.is_file());
    if let Some(p) = &riks_path {
        let t = Table::read(p)?;
        let (rc, rn) = (t.col("rik_code")?, t.col("rik_name")?);
        for (_, r) in &t.rows {
            rik_names.insert(
                r.get(rc).unwrap_or("").trim().to_owned(),
                r.get(rn).unwrap_or("").trim().to_owned(),
            );
        }
    }
    let mut draft = Draft::new(&folder);
    draft.unit("BG", "", "country", "България");
    let mut section_unit: HashMap<String, (usize, u32)> = HashMap::new();
    for (line, r) in &sections_t.rows {
        let id = r.get(ss).unwrap_or("").trim();
        let rik = r.get(sr).unwrap_or("").trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConvertError::at(
                &sections_t.file,
                *line,
                Some("section_id"),
                format!("field section_id: \"{id}\" is not a section number"),
            ));
        }
        if rik.is_empty() || !rik.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConvertError::at(
                &sections_t.file,
                *line,
                Some("rik_code"),
                format!("field rik_code: \"{rik}\" is not a RIK number"),
            ));
        }
        let rik_name = rik_names
            .get(rik)
            .cloned()
            .unwrap_or_else(|| r.get(srn).unwrap_or("").trim().to_owned());
        let rik_id = format!("BG-{rik}");
        draft.unit(&rik_id, "BG", "rik", &rik_name);
        let s_id = format!("BG-{id}");
        if draft.unit_index(&s_id).is_some() {
            return Err(ConvertError::at(
                &sections_t.file,
                *line,
                Some("section_id"),
                format!("field section_id: section {id} appears twice"),
            ));
        }
        let name = format!(
            "{id} {}, {}",
            r.get(scity).unwrap_or("").trim(),
            r.get(saddr).unwrap_or("").trim()
        );
        let u = draft.unit(&s_id, &rik_id, "section", name.trim_end_matches([',', ' ']));
        section_unit.insert(id.to_owned(), (u, rik.parse().unwrap_or(0)));
    }
    Ok(Frame { folder, date, options, codes, against_all, draft, section_unit, sections_t, ss })
}

pub(crate) fn read(dir: &Path, progress: Progress<'_>) -> Result<Draft, ConvertError> {
    let Frame {
        folder,
        date,
        options,
        codes,
        against_all,
        mut draft,
        section_unit,
        sections_t,
        ss,
    } = frame(dir)?;
    // Votes.
    let paper = votes(&required(dir, "50_votes_paper")?, &section_unit, &codes)?;
    let (machine_file, machine_is_protocol) = match find(dir, "50_votes_machine") {
        Some(p) => (p, true),
        None => (required(dir, "50_votes_machine_from_machine_data")?, false),
    };
    let machine = votes(&machine_file, &section_unit, &codes)?;
    // Protocols.
    let prot = Table::read(&required(dir, "41_protocols")?)?;
    let pc = |n: &str| prot.col(n);
    let (
        p_sec,
        p_pre,
        p_onsite,
        p_voted,
        p_urn_p,
        p_urn_m,
        p_inv,
        p_no_p,
        p_no_m,
        p_valid_p,
        p_valid_m,
    ) = (
        pc("section_id")?,
        pc("pre_registered_voters")?,
        pc("onsite_listed_voters")?,
        pc("voted_voters")?,
        pc("urn_paper_ballots")?,
        pc("urn_machine_ballots")?,
        pc("invalid_paper_ballots")?,
        pc("support_noone_paper_ballots")?,
        pc("support_noone_machine_ballots")?,
        pc("valid_paper_votes_for_parties")?,
        pc("valid_machine_votes_for_parties")?,
    );
    let n_cols = ProtocolLine::COUNT + options.len();
    let mut rows = Vec::with_capacity(prot.rows.len());
    let mut seen = std::collections::HashSet::new();
    let mut unknown_votes: Vec<String> = Vec::new();
    let mut unmapped = [0u64; 4];
    let (c_dist, c_unused, c_destroyed, c_reg) = (
        prot.col("distributed_ballots").ok(),
        prot.col("unused_paper_ballots").ok(),
        prot.col("destroyed_paper_ballots").ok(),
        prot.col("registered_voters").ok(),
    );
    for (line, r) in &prot.rows {
        let sid = r.get(p_sec).unwrap_or("").trim();
        let Some(&(unit, _)) = section_unit.get(sid) else {
            return Err(ConvertError::at(
                &prot.file,
                *line,
                Some("section_id"),
                format!("field section_id: section \"{sid}\" is not in 31_sections"),
            ));
        };
        if !seen.insert(sid.to_owned()) {
            return Err(ConvertError::at(
                &prot.file,
                *line,
                Some("section_id"),
                format!("field section_id: a second protocol for section {sid}"),
            ));
        }
        let n = |c: usize| prot.num(*line, r, c);
        for (k, c) in [c_dist, c_unused, c_destroyed, c_reg].into_iter().enumerate() {
            if let Some(c) = c {
                unmapped[k] += n(c)?;
            }
        }
        let mut row = vec![None; n_cols];
        row[ProtocolLine::Registered.column()] = Some(n(p_pre)? + n(p_onsite)?);
        row[ProtocolLine::BallotsIssued.column()] = Some(n(p_voted)?);
        row[ProtocolLine::BallotsFound.column()] = Some(n(p_urn_p)? + n(p_urn_m)?);
        row[ProtocolLine::Invalid.column()] = Some(n(p_inv)?);
        if let Some(a) = against_all {
            row[ProtocolLine::COUNT + a] = Some(n(p_no_p)? + n(p_no_m)?);
        }
        let paper_known = paper.contains_key(sid) || n(p_valid_p)? == 0;
        let machine_known = machine.contains_key(sid) || n(p_valid_m)? == 0;
        if paper_known && machine_known {
            let zero = vec![0; options.len()];
            let pv = paper.get(sid).unwrap_or(&zero);
            let mv = machine.get(sid).unwrap_or(&zero);
            for (oi, _) in options.iter().enumerate() {
                if Some(oi) != against_all {
                    row[ProtocolLine::COUNT + oi] = Some(pv[oi] + mv[oi]);
                }
            }
        } else {
            unknown_votes.push(sid.to_owned());
        }
        rows.push((unit, row));
    }
    if let Some((_, r)) =
        sections_t.rows.iter().find(|(_, r)| !seen.contains(r.get(ss).unwrap_or("").trim()))
    {
        let sid = r.get(ss).unwrap_or("").trim();
        return Err(ConvertError::file(
            &prot.file,
            format!("section {sid} of 31_sections has no protocol"),
        ));
    }
    progress(1, 1);
    let machine_name = display_name(&machine_file);
    let mut c = vec![
        format!("Converted by `ashyq convert --from bulgaria-cik` from the CIK open-data folder {folder}:"),
        format!("{} section protocols of the National Assembly election of {date}, as standardised by", rows.len()),
        "D. Ivanov, https://github.com/dimitarivanov/bulgarian-elections-opendata. Data licence CC BY-SA 4.0:".to_owned(),
        "this derived package is shared under the same licence.".to_owned(),
        "Rules \"none\": foreign data. seats = 240.".to_owned(),
        "Mapping (41_protocols): registered = pre_registered_voters + onsite_listed_voters (protocol lines 1 + 2);".to_owned(),
        "ballots_issued = voted_voters; ballots_found = urn_paper_ballots + urn_machine_ballots;".to_owned(),
        "invalid = invalid_paper_ballots; against-all (ballot no. 99, \"I support no one\") =".to_owned(),
        "support_noone_paper_ballots + support_noone_machine_ballots.".to_owned(),
        format!("party-N (ballot number N) = 50_votes_paper + {machine_name} (codes 100-106 are summary lines: ignored);"),
        if machine_is_protocol {
            "machine votes are those written on the protocol.".to_owned()
        } else {
            "the protocol's per-party machine votes are absent from this folder, so machine votes come from the raw machine data.".to_owned()
        },
        "Not mapped (paper-ballot accounting, while ballots_issued counts paper and machine voters):".to_owned(),
        format!(
            "distributed_ballots {}, unused_paper_ballots {}, destroyed_paper_ballots {}; registered_voters {} (CIK's later list, not a protocol line).",
            grouped(unmapped[0]),
            grouped(unmapped[1]),
            grouped(unmapped[2]),
            grouped(unmapped[3])
        ),
        "Units: BG -> RIK (BG-<rik_code>) -> section (BG-<section_id>).".to_owned(),
    ];
    if !unknown_votes.is_empty() {
        c.push(format!(
            "Absent (unknown, not zero): party votes of {} sections that report valid votes but have no rows in the vote files: {}.",
            unknown_votes.len(),
            unknown_votes.join(" ")
        ));
    }
    draft.comments = c;
    draft.info.id = format!("bg-{date}");
    draft.info.name = format!("Избори за Народно събрание, {date}");
    draft.info.date = date;
    draft.info.rules = "none".to_owned();
    draft.info.contests = vec![ContestInfo {
        id: "national-assembly".to_owned(),
        kind: "party-list".to_owned(),
        name: Some("Народно събрание".to_owned()),
        territory: "BG".to_owned(),
        seats: Some(240),
        options,
        ..Default::default()
    }];
    draft.rows = vec![rows];
    Ok(draft)
}

/// Which record of the machine votes to convert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineVotes {
    /// `50_votes_machine`: the machine votes as the section commission wrote them on the
    /// protocol (the official record).
    Protocol,
    /// `50_votes_machine_from_machine_data`: the votes read from the machines' own records (an
    /// independent record of the same ballots).
    MachineData,
}

/// The machine votes of every section that has them, from one of the two records, as a package
/// of option lines only (lists, independent candidates, "I support no one" = ballot no. 99 from
/// the same file): `ashyq compare` of the two packages checks the protocols against the
/// machines. Sections without rows in the file have no protocol in the package; within a
/// section with rows, a list without a row has 0 votes.
pub(crate) fn read_machine(
    dir: &Path,
    which: MachineVotes,
    progress: Progress<'_>,
) -> Result<Draft, ConvertError> {
    let Frame { folder, date, options, codes, against_all, mut draft, section_unit, .. } =
        frame(dir)?;
    let stem = match which {
        MachineVotes::Protocol => "50_votes_machine",
        MachineVotes::MachineData => "50_votes_machine_from_machine_data",
    };
    let path = required(dir, stem)?;
    let machine = votes(&path, &section_unit, &codes)?;
    let n_cols = ProtocolLine::COUNT + options.len();
    let mut rows: Vec<(usize, Vec<Option<u64>>)> = machine
        .iter()
        .map(|(sid, v)| {
            let mut row = vec![None; n_cols];
            for (oi, &x) in v.iter().enumerate() {
                row[ProtocolLine::COUNT + oi] = Some(x);
            }
            (section_unit[sid].0, row)
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    let total: u64 = machine.values().flat_map(|v| v.iter()).sum();
    progress(1, 1);
    draft.comments = vec![
        format!("Converted by `ashyq convert --from bulgaria-cik-machine-{}` from the CIK open-data folder {folder}:", match which { MachineVotes::Protocol => "protocol", MachineVotes::MachineData => "data" }),
        format!("the machine votes of {} sections of the National Assembly election of {date} from {},", rows.len(), display_name(&path)),
        match which {
            MachineVotes::Protocol => "as the section commissions wrote them on the protocols (the official record).".to_owned(),
            MachineVotes::MachineData => "as read from the voting machines' own records (an independent record of the same ballots).".to_owned(),
        },
        "Standardised by D. Ivanov, https://github.com/dimitarivanov/bulgarian-elections-opendata. Data licence".to_owned(),
        "CC BY-SA 4.0: this derived package is shared under the same licence. Rules \"none\": foreign data.".to_owned(),
        format!("Option lines only (machine votes, {} in all): party-N = ballot number N, against-all = no. 99", grouped(total)),
        "(\"I support no one\"); codes 100-106 are summary lines: ignored. Paper votes and protocol lines are not included.".to_owned(),
        "A section without rows in the file has no protocol here; within a section, a list without a row has 0 votes.".to_owned(),
    ];
    let _ = against_all;
    draft.info.id = format!(
        "bg-{date}-machine-{}",
        match which {
            MachineVotes::Protocol => "protocol",
            MachineVotes::MachineData => "data",
        }
    );
    draft.info.name = format!(
        "Избори за Народно събрание, {date}: machine votes ({})",
        match which {
            MachineVotes::Protocol => "protocols",
            MachineVotes::MachineData => "machine data",
        }
    );
    draft.info.date = date;
    draft.info.rules = "none".to_owned();
    draft.info.contests = vec![ContestInfo {
        id: "national-assembly".to_owned(),
        kind: "party-list".to_owned(),
        name: Some("Народно събрание".to_owned()),
        territory: "BG".to_owned(),
        seats: Some(240),
        options,
        ..Default::default()
    }];
    draft.rows = vec![rows];
    Ok(draft)
}
