//! Reading an election package folder.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use ashyq_core::counts::{ContestCounts, CountError};
use ashyq_core::election::{
    ContestInfo, DefinitionProblem, Election, ElectionInfo, NameInfo, OptionInfo, Place,
};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::quote::{quote, quote_bytes};
use ashyq_core::units::{UnitIdx, UnitInfo, UnitTree};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics};

/// The election definition file.
pub const ELECTION_FILE: &str = "election.toml";
/// The territorial tree file.
pub const UNITS_FILE: &str = "units.csv";
/// The counts file.
pub const COUNTS_FILE: &str = "counts.csv";
/// The optional file of translated names: `kind,id,lang,name`.
pub const NAMES_FILE: &str = "names.csv";

/// A validated package: definition, tree and counts, plus where each count came from.
#[derive(Clone, Debug)]
pub struct Package {
    /// The folder it was read from.
    pub dir: PathBuf,
    /// The election definition.
    pub election: Election,
    /// The territorial tree.
    pub tree: UnitTree,
    /// Counts per contest, in contest order.
    pub counts: Vec<ContestCounts>,
    locations: Vec<HashMap<UnitIdx, Vec<u64>>>,
}

impl Package {
    /// The counts.csv line that gave the value of (`contest`, `unit`, `line`), if any.
    pub fn location(&self, contest: usize, unit: UnitIdx, line: Line) -> Option<u64> {
        let l = *self.locations.get(contest)?.get(&unit)?.get(line.column())?;
        (l != 0).then_some(l)
    }

    /// The first counts.csv line of a unit's protocol in a contest, if any.
    pub fn first_location(&self, contest: usize, unit: UnitIdx) -> Option<u64> {
        self.locations.get(contest)?.get(&unit)?.iter().copied().filter(|&l| l != 0).min()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    election: Spanned<RawElection>,
    #[serde(default)]
    contest: Vec<Spanned<RawContest>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElection {
    id: String,
    #[serde(default)]
    name: String,
    date: String,
    rules: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPercent {
    Int(i64),
    Float(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContest {
    id: String,
    kind: String,
    name: Option<String>,
    body: Option<String>,
    territory: String,
    seats: Option<i64>,
    constitutional: Option<bool>,
    unit_test: Option<String>,
    round: Option<i64>,
    threshold_percent: Option<RawPercent>,
    reported_units_in_favour: Option<i64>,
    #[serde(default)]
    option: Vec<Spanned<RawOption>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    id: String,
    name: String,
    registered: Option<i64>,
    kind: Option<String>,
    list_length: Option<i64>,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// Finds the line where `field = …` is written inside `span`; falls back to the span's start.
fn field_line(text: &str, span: std::ops::Range<usize>, field: &str) -> u64 {
    let start = span.start.min(text.len());
    let end = span.end.min(text.len());
    let mut offset = start;
    for l in text[start..end].split_inclusive('\n') {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix(field) {
            if rest.trim_start().starts_with('=') {
                return line_of(text, offset);
            }
        }
        offset += l.len();
    }
    line_of(text, start)
}

fn read_text(dir: &Path, name: &str, diags: &mut Diagnostics) -> Option<String> {
    let path = dir.join(name);
    let mut s = String::new();
    match File::open(&path).and_then(|mut f| f.read_to_string(&mut s)) {
        Ok(_) => Some(s),
        Err(e) => {
            diags.push(Diagnostic::file(name, format!("cannot read {}: {e}", path.display())));
            None
        }
    }
}

/// Reads and validates a package folder. On any problem, returns every diagnostic found.
pub fn read_package(dir: &Path) -> Result<Package, Diagnostics> {
    let mut diags = Diagnostics::default();
    let shown = dir.display().to_string();
    const WHAT: &str = "a package is a folder holding election.toml, units.csv and counts.csv";
    if !dir.exists() {
        let hint = similar_packages(dir);
        diags.push(Diagnostic::file(&shown, format!("does not exist; {WHAT}{hint}")));
        return Err(diags);
    }
    if !dir.is_dir() {
        diags.push(Diagnostic::file(&shown, format!("is not a folder; {WHAT}")));
        return Err(diags);
    }
    let missing: Vec<&str> = [ELECTION_FILE, UNITS_FILE, COUNTS_FILE]
        .into_iter()
        .filter(|f| !dir.join(f).exists())
        .collect();
    if !missing.is_empty() {
        for f in &missing {
            diags.push(Diagnostic::file(f, format!("is missing from {shown}; {WHAT}")));
        }
        return Err(diags);
    }
    let toml_text = read_text(dir, ELECTION_FILE, &mut diags);
    let tree = read_units(dir, &mut diags);
    let (Some(toml_text), Some(tree)) = (toml_text, tree) else {
        return Err(diags);
    };
    let names = read_names(dir, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let Some(election) = read_election(&toml_text, &tree, names, &mut diags) else {
        return Err(diags);
    };
    let (counts, locations) = read_counts(dir, &election, &tree, &mut diags);
    if diags.is_empty() {
        check_totals(&election, &tree, &counts, &mut diags);
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Package { dir: dir.to_owned(), election, tree, counts, locations })
}

/// `; did you mean …?` naming up to five package folders next to `dir` whose names share its
/// first characters, or nothing.
fn similar_packages(dir: &Path) -> String {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name().and_then(|n| n.to_str()))
    else {
        return String::new();
    };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return String::new();
    };
    let prefix: String = name.chars().take(6).collect();
    let mut found: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join(ELECTION_FILE).is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| !prefix.is_empty() && n.starts_with(&prefix))
        .collect();
    found.sort();
    found.truncate(5);
    if found.is_empty() {
        return String::new();
    }
    let shown: Vec<String> =
        found.iter().map(|n| dir.with_file_name(n).display().to_string()).collect();
    format!("; did you mean {}?", shown.join(" or "))
}

/// Parses and validates `election.toml` text against a unit tree, with the same diagnostics as
/// [`read_package`] (for readers that build the tree themselves, like the fast tally).
pub fn parse_election_toml(text: &str, tree: &UnitTree) -> Result<Election, Diagnostics> {
    let mut diags = Diagnostics::default();
    match read_election(text, tree, Vec::new(), &mut diags) {
        Some(e) if diags.is_empty() => Ok(e),
        _ => Err(diags),
    }
}

/// Translated names with the names.csv line of each.
type Names = Vec<(u64, NameInfo)>;

/// Reads the optional names.csv (`kind,id,lang,name`): names of the election, contests
/// (`contest`, id), options (`option`, `CONTEST/OPTION`) and units in other languages.
fn read_names(dir: &Path, diags: &mut Diagnostics) -> Names {
    if !dir.join(NAMES_FILE).exists() {
        return Vec::new();
    }
    let Some(mut rdr) = csv_reader(dir, NAMES_FILE, diags) else { return Vec::new() };
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(Diagnostic::at(NAMES_FILE, 1, None, format!("cannot read the header: {e}")));
            return Vec::new();
        }
    };
    let Some([c_kind, c_id, c_lang, c_name]) =
        columns(NAMES_FILE, &header, ["kind", "id", "lang", "name"], diags)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if r.len() != header.len() {
                    diags.push(Diagnostic::at(
                        NAMES_FILE,
                        line,
                        None,
                        format!("row has {} fields, the header has {}", r.len(), header.len()),
                    ));
                    continue;
                }
                let f = |i: usize| r.get(i).unwrap_or("").trim().to_owned();
                out.push((
                    line,
                    NameInfo { kind: f(c_kind), id: f(c_id), lang: f(c_lang), name: f(c_name) },
                ));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                diags.push(Diagnostic::at(NAMES_FILE, line, None, format!("unreadable row: {e}")));
            }
        }
    }
    out
}

fn read_election(
    text: &str,
    tree: &UnitTree,
    names: Names,
    diags: &mut Diagnostics,
) -> Option<Election> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
            let msg = e.message().trim().to_owned();
            diags.push(Diagnostic::at(ELECTION_FILE, line, None, format!("invalid TOML: {msg}")));
            return None;
        }
    };
    let election_span = raw.election.span();
    let contest_spans: Vec<_> = raw.contest.iter().map(|c| c.span()).collect();
    let option_spans: Vec<Vec<_>> =
        raw.contest.iter().map(|c| c.get_ref().option.iter().map(|o| o.span()).collect()).collect();
    let e = raw.election.into_inner();
    let name_lines: Vec<u64> = names.iter().map(|(l, _)| *l).collect();
    let info = ElectionInfo {
        id: e.id,
        name: e.name,
        date: e.date,
        rules: e.rules,
        names: names.into_iter().map(|(_, n)| n).collect(),
        contests: raw
            .contest
            .into_iter()
            .map(|c| {
                let c = c.into_inner();
                let threshold_percent = match c.threshold_percent {
                    None => None,
                    Some(RawPercent::Int(i)) => Some(i.to_string()),
                    Some(RawPercent::Float(f)) => Some(format!("{f}")),
                    Some(RawPercent::Text(t)) => Some(t),
                };
                ContestInfo {
                    id: c.id,
                    kind: c.kind,
                    name: c.name,
                    body: c.body,
                    territory: c.territory,
                    seats: c.seats,
                    constitutional: c.constitutional,
                    unit_test: c.unit_test,
                    round: c.round,
                    threshold_percent,
                    reported_units_in_favour: c.reported_units_in_favour,
                    options: c
                        .option
                        .into_iter()
                        .map(|o| {
                            let o = o.into_inner();
                            OptionInfo {
                                id: o.id,
                                name: o.name,
                                registered: o.registered,
                                kind: o.kind,
                                list_length: o.list_length,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    match Election::try_from_info(info, tree) {
        Ok(e) => Some(e),
        Err(problems) => {
            for DefinitionProblem { place, field, message } in problems {
                let span = match place {
                    Place::Election => election_span.clone(),
                    Place::Contest(c) => contest_spans[c].clone(),
                    Place::Option { contest, option } => option_spans[contest][option].clone(),
                    Place::Name(i) => {
                        let line = name_lines.get(i).copied().unwrap_or(0);
                        diags.push(Diagnostic::at(NAMES_FILE, line, Some(field), message));
                        continue;
                    }
                };
                let line = field_line(text, span, field);
                diags.push(Diagnostic::at(ELECTION_FILE, line, Some(field), message));
            }
            None
        }
    }
}

/// Refuses counts whose totals up the tree would not fit a `u64` (naming the contest, unit and
/// line), so that no overflowing total reaches a decision or the record.
fn check_totals(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    diags: &mut Diagnostics,
) {
    for (contest, cc) in election.contests().iter().zip(counts) {
        let message = match cc.roll_up_checked(tree, contest.territory()) {
            Ok(_) => continue,
            Err(CountError::Overflow { unit, column, .. }) => {
                let line = match Line::from_column(column) {
                    Line::Protocol(p) => p.name().to_owned(),
                    Line::Option(i) => contest.options()[i].id.to_string(),
                };
                format!(
                    "contest {}: the total of line {} at unit {} exceeds 18446744073709551615, the largest count; counts this large cannot be right",
                    quote(contest.id().as_str()),
                    quote(&line),
                    quote(&unit)
                )
            }
            Err(e) => format!(
                "contest {}: {e}; counts this large cannot be right",
                quote(contest.id().as_str())
            ),
        };
        diags.push(Diagnostic::file(COUNTS_FILE, message));
    }
}

fn csv_reader(dir: &Path, name: &str, diags: &mut Diagnostics) -> Option<csv::Reader<File>> {
    let path = dir.join(name);
    match File::open(&path) {
        Ok(f) => Some(csv::ReaderBuilder::new().flexible(true).from_reader(f)),
        Err(e) => {
            diags.push(Diagnostic::file(name, format!("cannot read {}: {e}", path.display())));
            None
        }
    }
}

/// Finds the required columns in a header; reports the missing ones.
fn columns<const N: usize>(
    file: &str,
    header: &csv::StringRecord,
    required: [&str; N],
    diags: &mut Diagnostics,
) -> Option<[usize; N]> {
    let mut idx = [0usize; N];
    let mut missing = Vec::new();
    for (k, name) in required.iter().enumerate() {
        match header.iter().position(|h| h.trim() == *name) {
            Some(i) => idx[k] = i,
            None => missing.push(*name),
        }
    }
    if missing.is_empty() {
        Some(idx)
    } else {
        diags.push(Diagnostic::at(
            file,
            1,
            None,
            format!(
                "the header lacks the column{} {}; the header must be {}",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                required.join(",")
            ),
        ));
        None
    }
}

fn read_units(dir: &Path, diags: &mut Diagnostics) -> Option<UnitTree> {
    let mut rdr = csv_reader(dir, UNITS_FILE, diags)?;
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(Diagnostic::at(UNITS_FILE, 1, None, format!("cannot read the header: {e}")));
            return None;
        }
    };
    let [c_id, c_parent, c_kind, c_name] =
        columns(UNITS_FILE, &header, ["id", "parent", "kind", "name"], diags)?;
    let mut infos = Vec::new();
    let mut lines = Vec::new();
    let mut ok = true;
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                if r.len() != header.len() {
                    diags.push(Diagnostic::at(
                        UNITS_FILE,
                        line,
                        None,
                        format!("row has {} fields, the header has {}", r.len(), header.len()),
                    ));
                    ok = false;
                    continue;
                }
                let f = |i: usize| r.get(i).unwrap_or("").trim().to_owned();
                infos.push(UnitInfo {
                    id: f(c_id),
                    parent: f(c_parent),
                    kind: f(c_kind),
                    name: f(c_name),
                });
                lines.push(line);
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                diags.push(Diagnostic::at(UNITS_FILE, line, None, format!("malformed CSV: {e}")));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    match UnitTree::new(infos) {
        Ok(t) => Some(t),
        Err(errors) => {
            for e in errors {
                let field = match &e {
                    ashyq_core::units::UnitTreeError::UnknownParent { .. }
                    | ashyq_core::units::UnitTreeError::Cycle { .. } => Some("parent"),
                    _ => Some("id"),
                };
                match e.row() {
                    Some(row) => {
                        diags.push(Diagnostic::at(UNITS_FILE, lines[row], field, e.to_string()))
                    }
                    None => diags.push(Diagnostic::file(UNITS_FILE, e.to_string())),
                }
            }
            None
        }
    }
}

fn parse_count(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 20 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &b in bytes {
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

type Locations = Vec<HashMap<UnitIdx, Vec<u64>>>;

fn read_counts(
    dir: &Path,
    election: &Election,
    tree: &UnitTree,
    diags: &mut Diagnostics,
) -> (Vec<ContestCounts>, Locations) {
    let contests = election.contests();
    let mut counts: Vec<ContestCounts> = contests.iter().map(ContestCounts::new).collect();
    let mut locations: Locations = vec![HashMap::new(); contests.len()];
    let Some(mut rdr) = csv_reader(dir, COUNTS_FILE, diags) else {
        return (counts, locations);
    };
    let header = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                1,
                None,
                format!("cannot read the header: {e}"),
            ));
            return (counts, locations);
        }
    };
    let Some([c_contest, c_unit, c_line, c_value]) =
        columns(COUNTS_FILE, &header, ["contest", "unit", "line", "value"], diags)
    else {
        return (counts, locations);
    };
    let contest_by_id: HashMap<&str, usize> =
        contests.iter().enumerate().map(|(i, c)| (c.id().as_str(), i)).collect();
    let line_by_name: Vec<HashMap<&str, Line>> = contests
        .iter()
        .map(|c| {
            let mut m: HashMap<&str, Line> =
                ProtocolLine::ALL.iter().map(|&p| (p.name(), Line::Protocol(p))).collect();
            for (i, o) in c.options().iter().enumerate() {
                m.insert(o.id.as_str(), Line::Option(i));
            }
            m
        })
        .collect();
    let mut within: Vec<Option<Vec<bool>>> = vec![None; contests.len()];
    let mut record = csv::ByteRecord::new();
    let mut last_unit: Option<(String, UnitIdx)> = None;
    loop {
        if diags.full() {
            break;
        }
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                diags.push(Diagnostic::at(COUNTS_FILE, line, None, format!("malformed CSV: {e}")));
                break;
            }
        }
        let line_no = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                line_no,
                None,
                format!("row has {} fields, the header has {}", record.len(), header.len()),
            ));
            continue;
        }
        let field = |i: usize| std::str::from_utf8(record.get(i).unwrap_or(b"")).map(str::trim);
        let (Ok(contest_id), Ok(unit_id), Ok(line_name)) =
            (field(c_contest), field(c_unit), field(c_line))
        else {
            diags.push(Diagnostic::at(COUNTS_FILE, line_no, None, "row is not valid UTF-8"));
            continue;
        };
        let raw_value = record.get(c_value).unwrap_or(b"");
        let value = parse_count(trim_bytes(raw_value));
        let Some(&ci) = contest_by_id.get(contest_id) else {
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                line_no,
                Some("contest"),
                format!("contest {} is not defined in election.toml", quote(contest_id)),
            ));
            continue;
        };
        // The rows of one protocol are usually consecutive: reuse the last unit lookup.
        let cached = last_unit.as_ref().filter(|(id, _)| id == unit_id).map(|&(_, u)| u);
        let Some(unit) = cached.or_else(|| tree.index_of(unit_id)) else {
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                line_no,
                Some("unit"),
                format!("unit {} is not in units.csv", quote(unit_id)),
            ));
            continue;
        };
        if cached.is_none() {
            last_unit = Some((unit_id.to_owned(), unit));
        }
        let Some(&line) = line_by_name[ci].get(line_name) else {
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                line_no,
                Some("line"),
                format!(
                    "line {} is neither a protocol line nor an option of contest {}",
                    quote(line_name),
                    quote(contest_id)
                ),
            ));
            continue;
        };
        let Some(value) = value else {
            let digits = trim_bytes(raw_value);
            let what = if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                "is larger than 18446744073709551615, the largest count"
            } else {
                "is not a non-negative integer"
            };
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                line_no,
                Some("value"),
                format!("value {} {what}", quote_bytes(raw_value)),
            ));
            continue;
        };
        let territory = contests[ci].territory();
        let inside = within[ci].get_or_insert_with(|| {
            let mut v = vec![false; tree.len()];
            for u in tree.subtree(territory) {
                v[u] = true;
            }
            v
        });
        if !inside[unit] {
            diags.push(Diagnostic::at(
                COUNTS_FILE,
                line_no,
                Some("unit"),
                format!(
                    "unit {} is outside the territory {} of contest {}",
                    quote(unit_id),
                    quote(tree.unit(territory).id.as_str()),
                    quote(contest_id)
                ),
            ));
            continue;
        }
        match counts[ci].set(unit, line, value) {
            Ok(()) => {
                let n = counts[ci].n_columns();
                locations[ci].entry(unit).or_insert_with(|| vec![0; n])[line.column()] = line_no;
            }
            Err(CountError::Duplicate) => {
                let first = locations[ci].get(&unit).map_or(0, |l| l[line.column()]);
                diags.push(Diagnostic::at(COUNTS_FILE, line_no, Some("line"), format!("duplicate row: contest {}, unit {}, line {} was already given on line {first}", quote(contest_id), quote(unit_id), quote(line_name))));
            }
            Err(e) => diags.push(Diagnostic::at(COUNTS_FILE, line_no, None, e.to_string())),
        }
    }
    (counts, locations)
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}
