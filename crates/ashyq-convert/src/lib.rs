//! Converters from real station-level sources into election packages v1 (BRIEF "Interchange";
//! `docs/converters.md` documents every column mapping and what is dropped and why).
//!
//! - [`izbirkom`]: Russian CEC polling-station protocols as scraped by S. Shpilkin and published
//!   by D. Kobak (github.com/dkobak/elections), one CSV per federal election, gzip or plain;
//! - [`georgia`]: Georgian CEC 2024 parliamentary precinct results as scraped by foige
//!   (github.com/foige/georgian-elections-data);
//! - [`bulgaria`]: Bulgarian CIK section protocols as published by D. Ivanov
//!   (github.com/dimitarivanov/bulgarian-elections-opendata);
//! - [`cdf`]: NIST SP 1500-100 Election Results Common Data Format v2: JSON both ways, and
//!   packages (or the record's totals) out as NIST JSON, NIST XML and Google's civics profile.
//!
//! Every converter reads the whole source, builds the core types (a [`UnitTree`] with stable
//! ASCII ids, an [`Election`] with `rules = "none"` since the data is foreign) and then streams
//! the counts through [`PackageWriter`]. Bad input is reported as `file:line: field …`
//! [`Diagnostic`]s; nothing is written before the whole input has been read and validated.

pub mod bulgaria;
pub mod cdf;
pub mod georgia;
pub mod izbirkom;

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ashyq_core::election::{Election, ElectionInfo, OptionInfo};
use ashyq_core::line::Line;
use ashyq_core::units::{UnitInfo, UnitTree};

use ashyq_package::PackageWriter;
use ashyq_package::{Diagnostic, Diagnostics};

/// A source format that can be converted into a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// Russian CEC CSV (Kobak/Shpilkin layout), gzip or plain.
    Izbirkom,
    /// Georgian CEC precinct scrape (foige layout), gzip or plain.
    GeorgiaCec,
    /// A Bulgarian CIK election folder (`YYYYMMDD/` with `41_protocols`, `50_votes_*` …).
    BulgariaCik,
    /// The same folder, machine votes only, as written on the protocols (`50_votes_machine`).
    BulgariaCikMachineProtocol,
    /// The same folder, machine votes only, from the machines' own records
    /// (`50_votes_machine_from_machine_data`).
    BulgariaCikMachineData,
    /// NIST SP 1500-100 v2 JSON `ElectionReport`.
    Cdf,
}

impl SourceFormat {
    /// Every format, in help order.
    pub const ALL: [SourceFormat; 6] = [
        SourceFormat::Izbirkom,
        SourceFormat::GeorgiaCec,
        SourceFormat::BulgariaCik,
        SourceFormat::BulgariaCikMachineProtocol,
        SourceFormat::BulgariaCikMachineData,
        SourceFormat::Cdf,
    ];

    /// Command-line spelling.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Izbirkom => "izbirkom",
            SourceFormat::GeorgiaCec => "georgia-cec",
            SourceFormat::BulgariaCik => "bulgaria-cik",
            SourceFormat::BulgariaCikMachineProtocol => "bulgaria-cik-machine-protocol",
            SourceFormat::BulgariaCikMachineData => "bulgaria-cik-machine-data",
            SourceFormat::Cdf => "cdf",
        }
    }

    /// Parses the command-line spelling.
    pub fn from_name(s: &str) -> Option<SourceFormat> {
        SourceFormat::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Why a conversion failed.
#[derive(Debug)]
pub enum ConvertError {
    /// The input is malformed: every problem found, with file, line and field.
    Input(Diagnostics),
    /// Reading or writing failed.
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The error.
        error: io::Error,
    },
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::Input(d) => write!(f, "{}", d.to_string().trim_end()),
            ConvertError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ConvertError {}

impl ConvertError {
    /// A single input problem.
    pub(crate) fn at(
        file: &str,
        line: u64,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::at(file, line, field, message));
        ConvertError::Input(d)
    }

    /// A single problem with a whole file.
    pub(crate) fn file(file: &str, message: impl Into<String>) -> Self {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::file(file, message));
        ConvertError::Input(d)
    }

    pub(crate) fn io(path: &Path, error: io::Error) -> Self {
        ConvertError::Io { path: path.to_owned(), error }
    }
}

/// What a conversion produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Units in units.csv.
    pub units: usize,
    /// Protocols (unit rows with at least one count), over all contests.
    pub protocols: usize,
    /// Rows written to counts.csv.
    pub counts: u64,
    /// Units whose protocol in the source is empty (every figure blank): they are in
    /// units.csv, with no counts (absent is unknown).
    pub empty_protocols: usize,
}

/// Progress callback: `(done, total)` in bytes of input read (`total` = 0 when unknown).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Converts `input` in `format` into a package written to the folder `out` (created if
/// needed; existing files of the same names are overwritten — callers that must not
/// overwrite, like the CLI, write to a fresh folder and rename).
pub fn convert(
    format: SourceFormat,
    input: &Path,
    out: &Path,
    progress: Progress<'_>,
) -> Result<Summary, ConvertError> {
    let draft = match format {
        SourceFormat::Izbirkom => izbirkom::read(input, progress)?,
        SourceFormat::GeorgiaCec => georgia::read(input, progress)?,
        SourceFormat::BulgariaCik => bulgaria::read(input, progress)?,
        SourceFormat::BulgariaCikMachineProtocol => {
            bulgaria::read_machine(input, bulgaria::MachineVotes::Protocol, progress)?
        }
        SourceFormat::BulgariaCikMachineData => {
            bulgaria::read_machine(input, bulgaria::MachineVotes::MachineData, progress)?
        }
        SourceFormat::Cdf => cdf::read(input, progress)?,
    };
    draft.write(out)
}

/// File name used in diagnostics: the last path component.
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Counts bytes read through it, for progress bars.
pub(crate) struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input: the decompressed stream, the size of the file on disk and a counter of
/// the (compressed) bytes read so far.
pub(crate) struct Input {
    pub(crate) reader: Box<dyn Read>,
    pub(crate) size: u64,
    pub(crate) read: Arc<AtomicU64>,
}

/// Opens a file, transparently decompressing gzip (detected by its magic bytes, not its name).
pub(crate) fn open_input(path: &Path) -> Result<Input, ConvertError> {
    let file = File::open(path).map_err(|e| ConvertError::io(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read = Arc::new(AtomicU64::new(0));
    let mut buffered =
        BufReader::with_capacity(1 << 16, CountingReader { inner: file, count: read.clone() });
    let is_gzip = {
        use std::io::BufRead;
        let head = buffered.fill_buf().map_err(|e| ConvertError::io(path, e))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    let reader: Box<dyn Read> = if is_gzip {
        Box::new(BufReader::with_capacity(1 << 16, flate2::read::MultiGzDecoder::new(buffered)))
    } else {
        Box::new(buffered)
    };
    Ok(Input { reader, size, read })
}

/// Parses a non-negative integer count; also accepts `123.0` (pandas float export) but never a
/// fraction.
pub(crate) fn parse_count(bytes: &[u8]) -> Option<u64> {
    let b = trim(bytes);
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(p) => (&b[..p], &b[p + 1..]),
        None => (b, &b[..0]),
    };
    if int.is_empty() || int.len() > 19 || !frac.iter().all(|&c| c == b'0') {
        return None;
    }
    let mut v: u64 = 0;
    for &c in int {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(v)
}

pub(crate) fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

/// Latin transliteration of Cyrillic (Russian/Bulgarian, simplified BGN/PCGN) into an id
/// slug: lowercase ASCII words joined by `-`, at most `max` characters, cut at a word end.
pub(crate) fn slug(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in s.chars() {
        let lower: String = c.to_lowercase().collect();
        let piece: &str = match lower.as_str() {
            "а" => "a",
            "б" => "b",
            "в" => "v",
            "г" => "g",
            "д" => "d",
            "е" | "ё" | "э" => "e",
            "ж" => "zh",
            "з" => "z",
            "и" => "i",
            "й" => "y",
            "к" => "k",
            "л" => "l",
            "м" => "m",
            "н" => "n",
            "о" => "o",
            "п" => "p",
            "р" => "r",
            "с" => "s",
            "т" => "t",
            "у" => "u",
            "ф" => "f",
            "х" => "kh",
            "ц" => "ts",
            "ч" => "ch",
            "ш" => "sh",
            "щ" => "shch",
            "ъ" => "a",
            "ы" => "y",
            "ь" => "",
            "ю" => "yu",
            "я" => "ya",
            l if l.len() == 1 && l.as_bytes()[0].is_ascii_alphanumeric() => l,
            _ => {
                pending_dash = !out.is_empty();
                continue;
            }
        };
        if piece.is_empty() {
            continue;
        }
        if pending_dash {
            out.push('-');
            pending_dash = false;
        }
        out.push_str(piece);
    }
    if out.len() > max {
        let cut = out[..max].rfind('-').unwrap_or(max);
        out.truncate(cut);
    }
    out
}

/// A package being assembled: units, contests and their protocol rows, in source order.
pub(crate) struct Draft {
    /// Source file name for diagnostics about the result as a whole.
    pub(crate) file: String,
    pub(crate) units: Vec<UnitInfo>,
    index: HashMap<String, usize>,
    pub(crate) info: ElectionInfo,
    /// Per contest: (unit index, row of `ProtocolLine::COUNT + options` columns).
    pub(crate) rows: Vec<Vec<(usize, Vec<Option<u64>>)>>,
    /// Provenance comment lines for election.toml.
    pub(crate) comments: Vec<String>,
}

impl Draft {
    pub(crate) fn new(file: &str) -> Draft {
        Draft {
            file: file.to_owned(),
            units: Vec::new(),
            index: HashMap::new(),
            info: ElectionInfo::default(),
            rows: Vec::new(),
            comments: Vec::new(),
        }
    }

    /// Adds a unit unless its id exists; returns its index either way.
    pub(crate) fn unit(&mut self, id: &str, parent: &str, kind: &str, name: &str) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.units.len();
        self.units.push(UnitInfo {
            id: id.to_owned(),
            parent: parent.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
        });
        self.index.insert(id.to_owned(), i);
        i
    }

    /// Index of an existing unit.
    pub(crate) fn unit_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Validates the result and writes the package.
    pub(crate) fn write(self, out: &Path) -> Result<Summary, ConvertError> {
        let tree = UnitTree::new(self.units).map_err(|errs| {
            let mut d = Diagnostics::default();
            for e in errs {
                d.push(Diagnostic::file(&self.file, format!("converted unit tree: {e}")));
            }
            ConvertError::Input(d)
        })?;
        let option_ids: Vec<Vec<String>> = self
            .info
            .contests
            .iter()
            .map(|c| c.options.iter().map(|o: &OptionInfo| o.id.clone()).collect())
            .collect();
        let election = Election::try_from_info(self.info, &tree).map_err(|probs| {
            let mut d = Diagnostics::default();
            for p in probs {
                d.push(Diagnostic::file(
                    &self.file,
                    format!("converted election definition: {}: {}", p.field, p.message),
                ));
            }
            ConvertError::Input(d)
        })?;
        let comments: Vec<&str> = self.comments.iter().map(String::as_str).collect();
        let mut w = PackageWriter::create(out, &election, &tree, &comments)
            .map_err(|e| ConvertError::io(out, e))?;
        let mut counts = 0u64;
        let mut protocols = 0usize;
        let mut empty_protocols = 0usize;
        let counts_path = out.join(ashyq_package::COUNTS_FILE);
        for (ci, contest) in election.contests().iter().enumerate() {
            let cid = contest.id().as_str();
            for (unit, row) in self.rows.get(ci).map(Vec::as_slice).unwrap_or(&[]) {
                let uid = tree.unit(*unit).id.as_str();
                let mut any = false;
                for (col, v) in row.iter().enumerate() {
                    let Some(v) = v else { continue };
                    let line = match Line::from_column(col) {
                        Line::Protocol(p) => p.name(),
                        Line::Option(i) => option_ids[ci][i].as_str(),
                    };
                    w.count(cid, uid, line, *v).map_err(|e| ConvertError::io(&counts_path, e))?;
                    counts += 1;
                    any = true;
                }
                protocols += usize::from(any);
                empty_protocols += usize::from(!any);
            }
        }
        w.finish().map_err(|e| ConvertError::io(&counts_path, e))?;
        Ok(Summary { units: tree.len(), protocols, counts, empty_protocols })
    }
}

/// Formats a count with thin grouping for provenance comments: `1,234,567`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let lead = digits.len() - (digits.len() - 1) / 3 * 3;
    let mut out = digits[..lead].to_owned();
    for chunk in digits.as_bytes()[lead..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_strictly() {
        assert_eq!(parse_count(b"123"), Some(123));
        assert_eq!(parse_count(b" 7 "), Some(7));
        assert_eq!(parse_count(b"456.0"), Some(456));
        assert_eq!(parse_count(b"4.5"), None);
        assert_eq!(parse_count(b""), None);
        assert_eq!(parse_count(b"-1"), None);
        assert_eq!(parse_count(b"99999999999999999999"), None);
    }

    #[test]
    fn slugs_are_ascii_ids() {
        assert_eq!(slug("Путин Владимир Владимирович", 64), "putin-vladimir-vladimirovich");
        assert_eq!(slug("Жириновский Владимир Вольфович", 20), "zhirinovskiy");
        assert_eq!(slug("Хакамада Ирина Муцуовна", 64), "khakamada-irina-mutsuovna");
        assert_eq!(grouped(109008428), "109,008,428");
    }
}
