//! The fast path: `counts.csv` (package format v1, BRIEF.md "Interchange") read in parallel
//! chunks split at line boundaries, parsed byte by byte, with contests, units and lines
//! interned to indices. Prediction does most of the work: a package usually lists a
//! protocol's lines together, in the same order for every unit, units in units.csv order, so
//! the common row is recognised by comparing prefixes; other rows are looked up (unit ids
//! through [`crate::units`]'s hash index). It validates every row as
//! `ashyq_package::read_package` does and declines ([`FastError::Declined`]) on anything it does
//! not accept, so that the exact path reports it.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use ashyq_core::counts::Totals;
use ashyq_core::election::Election;
use ashyq_core::units::{UnitInfo, UnitTree};
use ashyq_package::{parse_election_toml, COUNTS_FILE, ELECTION_FILE, UNITS_FILE};

use crate::units::{self, IdIndex, Structure, UnitText, NONE};
use crate::{line_names, unknown_kind, ContestTotals, Scope, Tally, TallyError, UnitTotals};

/// Why the fast path gave no tally.
#[derive(Debug)]
pub enum FastError {
    /// The input needs the exact path (unusual dialect or a problem to report); the reason is
    /// for developers.
    Declined(String),
    /// A final error that the exact path would give too (for example an unknown `--by` kind).
    Final(TallyError),
}

const HEADER: &[u8] = b"contest,unit,line,value";
const BLOCK: usize = 1 << 20;

/// Read-only dictionaries shared by the workers.
struct Shared<'a> {
    contests: Vec<ContestDict>,
    unit_ids: Vec<&'a [u8]>,
    text: &'a UnitText,
    units: IdIndex,
}

struct ContestDict {
    id: Vec<u8>,
    /// Line names by column.
    names: Vec<Vec<u8>>,
    words: usize,
    /// Units inside the territory; `None` when the territory is the whole unit tree (its only
    /// root), so every unit is inside.
    inside: Option<Vec<bool>>,
}

impl<'a> Shared<'a> {
    fn new(
        election: &Election,
        text: &'a UnitText,
        units: IdIndex,
        shape: &Structure,
        territories: &[usize],
    ) -> Shared<'a> {
        let unit_ids: Vec<&[u8]> = (0..text.len()).map(|u| text.id(u)).collect();
        let contests = election
            .contests()
            .iter()
            .zip(territories)
            .map(|(c, &t)| {
                let names = line_names(c).into_iter().map(String::into_bytes).collect::<Vec<_>>();
                let inside = (!shape.is_sole_root(t)).then(|| {
                    let mut v = vec![false; text.len()];
                    for u in shape.subtree(t) {
                        v[u as usize] = true;
                    }
                    v
                });
                ContestDict {
                    id: c.id().as_str().as_bytes().to_vec(),
                    words: names.len().div_ceil(64),
                    names,
                    inside,
                }
            })
            .collect();
        Shared { contests, unit_ids, text, units }
    }
}

/// One worker's protocols of one contest: a dense row per unit that has a protocol.
struct ContestAcc {
    n_cols: usize,
    words: usize,
    /// Unit → slot, or NONE.
    slot: Vec<u32>,
    /// Slot → unit.
    units: Vec<u32>,
    values: Vec<u64>,
    present: Vec<u64>,
    /// Learned successor of each column (prediction of the next row's line).
    next_col: Vec<u32>,
    /// Column of the previous row of this contest.
    last_col: usize,
}

impl ContestAcc {
    fn new(n_units: usize, n_cols: usize, words: usize) -> ContestAcc {
        ContestAcc {
            n_cols,
            words,
            slot: vec![NONE; n_units],
            units: Vec::new(),
            values: Vec::new(),
            present: Vec::new(),
            next_col: (0..n_cols as u32).map(|c| (c + 1) % n_cols as u32).collect(),
            last_col: 0,
        }
    }

    #[inline]
    fn is_present(&self, slot: u32, col: usize) -> bool {
        self.present[slot as usize * self.words + col / 64] & (1u64 << (col % 64)) != 0
    }

    #[inline]
    fn value(&self, slot: u32, col: usize) -> u64 {
        self.values[slot as usize * self.n_cols + col]
    }
}

struct Worker<'s, 'a> {
    shared: &'s Shared<'a>,
    accs: Vec<ContestAcc>,
    contest: usize,
    unit: u32,
    slot: u32,
}

#[inline]
fn parse_value(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// Byte equality without a library call (ids and line names are short).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// `rest` starts with `field` followed by a comma.
#[inline]
fn starts_field(rest: &[u8], field: &[u8]) -> bool {
    rest.len() > field.len() && rest[field.len()] == b',' && same(&rest[..field.len()], field)
}

impl<'s, 'a> Worker<'s, 'a> {
    /// A worker for `bytes` bytes of counts.csv: row storage is reserved for the protocols
    /// such a chunk holds when rows are complete (it grows if needed).
    fn new(shared: &'s Shared<'a>, bytes: u64) -> Self {
        let n_units = shared.unit_ids.len();
        let n_contests = shared.contests.len() as u64;
        let accs = shared
            .contests
            .iter()
            .map(|c| {
                let mut acc = ContestAcc::new(n_units, c.names.len(), c.words);
                let slots = (bytes / (24 * c.names.len() as u64) / n_contests) as usize;
                let slots = slots.min(n_units);
                acc.units.reserve(slots);
                acc.values.reserve(slots * acc.n_cols);
                acc.present.reserve(slots * acc.words);
                acc
            })
            .collect();
        Worker { shared, accs, contest: 0, unit: NONE, slot: NONE }
    }

    /// Reads every row of `data` (whole lines; the last one may lack its newline only at the
    /// end of the file). The common row — same contest, same or next unit, predicted line —
    /// is matched by prefix comparisons and its value parsed up to the newline, without
    /// searching for separators; any other row goes through [`Worker::row`].
    fn rows(&mut self, data: &[u8]) -> Result<(), String> {
        let sh = self.shared;
        let mut pos = 0usize;
        'rows: while pos < data.len() {
            let rest = &data[pos..];
            'fast: {
                let acc = &self.accs[self.contest];
                let cid = &sh.contests[self.contest].id;
                if self.slot == NONE || !starts_field(rest, cid) {
                    break 'fast;
                }
                let mut i = cid.len() + 1;
                let uid = sh.unit_ids[self.unit as usize];
                let mut slot = self.slot;
                let mut unit = self.unit;
                if starts_field(&rest[i..], uid) {
                    i += uid.len() + 1;
                } else {
                    let next = self.unit as usize + 1;
                    if next >= sh.unit_ids.len() || !starts_field(&rest[i..], sh.unit_ids[next]) {
                        break 'fast;
                    }
                    let s = acc.slot[next];
                    if s == NONE {
                        break 'fast; // a new protocol: allocated by the general path
                    }
                    i += sh.unit_ids[next].len() + 1;
                    slot = s;
                    unit = next as u32;
                }
                let names = &sh.contests[self.contest].names;
                let col = acc.next_col[acc.last_col] as usize;
                if !starts_field(&rest[i..], &names[col]) {
                    break 'fast;
                }
                i += names[col].len() + 1;
                let start = i;
                let mut value: u64 = 0;
                while i < rest.len() {
                    let d = rest[i].wrapping_sub(b'0');
                    if d > 9 {
                        break;
                    }
                    match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(d))) {
                        Some(v) => value = v,
                        None => break 'fast,
                    }
                    i += 1;
                }
                if i == start || i - start > 20 {
                    break 'fast;
                }
                if i < rest.len() {
                    match rest[i] {
                        b'\n' => i += 1,
                        b'\r' if rest.get(i + 1) == Some(&b'\n') => i += 2,
                        _ => break 'fast,
                    }
                }
                let acc = &mut self.accs[self.contest];
                let bit = 1u64 << (col % 64);
                let word = &mut acc.present[slot as usize * acc.words + col / 64];
                if *word & bit != 0 {
                    return Err("a duplicate row".into());
                }
                *word |= bit;
                acc.values[slot as usize * acc.n_cols + col] = value;
                acc.last_col = col;
                self.unit = unit;
                self.slot = slot;
                pos += i;
                continue 'rows;
            }
            let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            let mut line = &rest[..end];
            if let [head @ .., b'\r'] = line {
                line = head;
            }
            if line.is_empty() {
                return Err("an empty line".into());
            }
            self.row(line)?;
            pos += (end + 1).min(rest.len());
        }
        Ok(())
    }

    /// Reads one row (a line without its terminator) in the general way.
    fn row(&mut self, line: &[u8]) -> Result<(), String> {
        let sh = self.shared;
        // Contest.
        let mut rest = {
            let id = &sh.contests[self.contest].id;
            if starts_field(line, id) {
                &line[id.len() + 1..]
            } else {
                let comma = memchr::memchr(b',', line).ok_or("a row with fewer than 4 fields")?;
                let field = &line[..comma];
                let ci = sh
                    .contests
                    .iter()
                    .position(|c| c.id == field)
                    .ok_or("a contest that is not defined")?;
                self.contest = ci;
                self.slot = NONE;
                &line[comma + 1..]
            }
        };
        let ci = self.contest;
        let acc = &mut self.accs[ci];
        // Unit.
        if self.slot != NONE && starts_field(rest, sh.unit_ids[self.unit as usize]) {
            rest = &rest[sh.unit_ids[self.unit as usize].len() + 1..];
        } else {
            let comma = memchr::memchr(b',', rest).ok_or("a row with fewer than 4 fields")?;
            let field = &rest[..comma];
            let next = self.unit.wrapping_add(1);
            let u =
                if (next as usize) < sh.unit_ids.len() && same(sh.unit_ids[next as usize], field) {
                    next
                } else {
                    sh.units.get(sh.text, field).ok_or("a unit that is not in units.csv")?
                };
            let mut s = acc.slot[u as usize];
            if s == NONE {
                if let Some(inside) = &sh.contests[ci].inside {
                    if !inside[u as usize] {
                        return Err("a unit outside the contest's territory".into());
                    }
                }
                s = acc.units.len() as u32;
                acc.slot[u as usize] = s;
                acc.units.push(u);
                acc.values.resize(acc.values.len() + acc.n_cols, 0);
                acc.present.resize(acc.present.len() + acc.words, 0);
            }
            self.unit = u;
            self.slot = s;
            rest = &rest[comma + 1..];
        }
        // Line.
        let names = &sh.contests[ci].names;
        let guess = acc.next_col[acc.last_col] as usize;
        let col = if starts_field(rest, &names[guess]) {
            guess
        } else {
            let comma = memchr::memchr(b',', rest).ok_or("a row with fewer than 4 fields")?;
            let field = &rest[..comma];
            let col = names.iter().position(|n| n == field).ok_or("an unknown line")?;
            acc.next_col[acc.last_col] = col as u32;
            col
        };
        rest = &rest[names[col].len() + 1..];
        acc.last_col = col;
        // Value.
        let value = parse_value(rest).ok_or("a value that is not a plain non-negative integer")?;
        let bit = 1u64 << (col % 64);
        let word = &mut acc.present[self.slot as usize * acc.words + col / 64];
        if *word & bit != 0 {
            return Err("a duplicate row".into());
        }
        *word |= bit;
        acc.values[self.slot as usize * acc.n_cols + col] = value;
        Ok(())
    }
}

/// Reads bytes `start..end` of the file (whole lines) and feeds every line to the worker.
fn run_range(path: &Path, start: u64, end: u64, worker: &mut Worker<'_, '_>) -> Result<(), String> {
    let mut f = File::open(path).map_err(|e| e.to_string())?;
    f.seek(SeekFrom::Start(start)).map_err(|e| e.to_string())?;
    let mut header_pending = start == 0;
    let mut remaining = end - start;
    let mut buf = vec![0u8; BLOCK];
    let mut carry = 0usize;
    loop {
        if buf.len() < carry + BLOCK {
            buf.resize(carry + BLOCK, 0);
        }
        let want = (BLOCK as u64).min(remaining) as usize;
        f.read_exact(&mut buf[carry..carry + want]).map_err(|e| e.to_string())?;
        remaining -= want as u64;
        let len = carry + want;
        let data = &buf[..len];
        let mut pos = 0usize;
        if header_pending {
            let Some(nl) = memchr::memchr(b'\n', data) else {
                if remaining == 0 {
                    return Err("a file with only a header or nothing".into());
                }
                return Err("a header longer than a block".into());
            };
            let mut header = &data[..nl];
            if let [head @ .., b'\r'] = header {
                header = head;
            }
            if header != HEADER {
                return Err("a header other than contest,unit,line,value".into());
            }
            header_pending = false;
            pos = nl + 1;
        }
        // Whole lines only, except at the end of the range. A row of the package format is a
        // few dozen bytes; a block without any line end means a line longer than a block,
        // which the exact path reads (linearly) and reports, so the fast path declines rather
        // than carry an ever longer line from block to block.
        let complete = if remaining == 0 {
            len
        } else {
            match memchr::memrchr(b'\n', &data[pos..]) {
                Some(i) => pos + i + 1,
                None if len - pos >= BLOCK => return Err("a line longer than 1 MiB".into()),
                None => pos,
            }
        };
        worker.rows(&data[pos..complete])?;
        pos = complete;
        if remaining == 0 {
            return Ok(());
        }
        buf.copy_within(pos..len, 0);
        carry = len - pos;
    }
}

/// Offsets where chunks start: just after a newline near each `len * k / n`.
fn split_points(path: &Path, len: u64, n: usize) -> Result<Vec<u64>, String> {
    let mut points = vec![0u64];
    let mut f = File::open(path).map_err(|e| e.to_string())?;
    let mut window = vec![0u8; 1 << 16];
    for k in 1..n {
        let mut pos = (len * k as u64 / n as u64).max(*points.last().unwrap_or(&0));
        let found = loop {
            if pos >= len {
                break len;
            }
            f.seek(SeekFrom::Start(pos)).map_err(|e| e.to_string())?;
            let got = f.read(&mut window).map_err(|e| e.to_string())?;
            if got == 0 {
                break len;
            }
            if let Some(i) = memchr::memchr(b'\n', &window[..got]) {
                break pos + i as u64 + 1;
            }
            pos += got as u64;
        };
        points.push(found);
    }
    points.push(len);
    Ok(points)
}

/// The contests' territories named in election.toml (declines on anything unexpected; the
/// package reader then reports it).
fn territories(toml_text: &str) -> Result<Vec<String>, String> {
    let table: toml::Table = toml::from_str(toml_text).map_err(|e| e.to_string())?;
    let mut res = Vec::new();
    if let Some(contests) = table.get("contest").and_then(|c| c.as_array()) {
        for c in contests {
            let t =
                c.get("territory").and_then(|t| t.as_str()).ok_or("a contest without territory")?;
            if !res.iter().any(|r| r == t) {
                res.push(t.to_owned());
            }
        }
    }
    Ok(res)
}

/// Validates election.toml with the package reader's own parser against a small tree holding
/// only the contests' territories (the definition refers to units only through its
/// territories), so the definition is checked exactly as `read_package` checks it without
/// building the full `UnitTree`. Returns the election and each contest's territory.
fn load_election(
    dir: &Path,
    text: &UnitText,
    index: &IdIndex,
) -> Result<(Election, Vec<usize>), String> {
    let toml_text = fs::read_to_string(dir.join(ELECTION_FILE)).map_err(|e| e.to_string())?;
    let wanted = territories(&toml_text)?;
    let mut mini = Vec::with_capacity(wanted.len());
    for t in &wanted {
        if index.get(text, t.as_bytes()).is_none() {
            return Err("a territory that is not a unit".into());
        }
        mini.push(UnitInfo {
            id: t.clone(),
            parent: String::new(),
            kind: "territory".into(),
            name: t.clone(),
        });
    }
    let tree = UnitTree::new(mini).map_err(|_| "territories that do not form a tree".to_owned())?;
    let election = parse_election_toml(&toml_text, &tree).map_err(|d| d.to_string())?;
    let mut terr = Vec::with_capacity(election.contests().len());
    for c in election.contests() {
        let id = tree.unit(c.territory()).id.as_str();
        terr.push(index.get(text, id.as_bytes()).ok_or("a territory that is not a unit")? as usize);
    }
    Ok((election, terr))
}

/// A sum of protocols below a unit, as `Totals` holds it.
struct SumRow {
    values: Vec<u64>,
    known: Vec<bool>,
    units_with_line: Vec<u32>,
    protocols: u32,
}

impl SumRow {
    fn new(n_cols: usize) -> SumRow {
        SumRow {
            values: vec![0; n_cols],
            known: vec![true; n_cols],
            units_with_line: vec![0; n_cols],
            protocols: 0,
        }
    }

    /// Adds one protocol (its row in `a` at `slot`).
    #[inline]
    fn add_protocol(&mut self, a: &ContestAcc, slot: u32) -> Result<(), String> {
        for col in 0..a.n_cols {
            let present = a.is_present(slot, col);
            self.units_with_line[col] += u32::from(present);
            if self.known[col] {
                if present {
                    self.values[col] = self.values[col]
                        .checked_add(a.value(slot, col))
                        .ok_or("a sum that overflows")?;
                } else {
                    self.known[col] = false;
                }
            }
        }
        self.protocols += 1;
        Ok(())
    }

    /// Adds a child's sum.
    fn add_sum(&mut self, child: &SumRow) -> Result<(), String> {
        for col in 0..self.values.len() {
            self.units_with_line[col] += child.units_with_line[col];
            if self.known[col] {
                if child.known[col] {
                    self.values[col] = self.values[col]
                        .checked_add(child.values[col])
                        .ok_or("a sum that overflows")?;
                } else {
                    self.known[col] = false;
                }
            }
        }
        self.protocols += child.protocols;
        Ok(())
    }
}

/// Rolls one contest up, as `ContestCounts::roll_up` does, and returns the totals at `wanted`.
///
/// A unit's total is the sum of its children's totals when any protocol lies below it, else
/// its own protocol. Rather than walk the tree and gather each unit's children (which visits
/// the protocols in tree order, scattered over memory when the file lists stations in another
/// order), every protocol that counts for itself is added, in storage order, to its parent's
/// sum; the few sums then flow up the tree, deepest first.
fn roll_up(
    text: &UnitText,
    shape: &Structure,
    territory: usize,
    accs: &[&ContestAcc],
    wanted: &[u32],
) -> Result<Vec<UnitTotals>, String> {
    let n_cols = accs[0].n_cols;
    let n = text.len();
    // Units with a protocol strictly below them (within the territory), and their sums.
    let mut sum_of = vec![NONE; n];
    let mut summed: Vec<u32> = Vec::new();
    for a in accs {
        for (s, &u) in a.units.iter().enumerate() {
            if a.slot[u as usize] != s as u32 || u as usize == territory {
                continue;
            }
            let mut p = shape.parent(u as usize);
            while p != NONE && sum_of[p as usize] == NONE {
                sum_of[p as usize] = summed.len() as u32;
                summed.push(p);
                if p as usize == territory {
                    break;
                }
                p = shape.parent(p as usize);
            }
        }
    }
    let mut sums: Vec<SumRow> = (0..summed.len()).map(|_| SumRow::new(n_cols)).collect();
    // Every protocol that counts for itself (nothing below it), in storage order, into its
    // parent's sum.
    for a in accs {
        for (s, &u) in a.units.iter().enumerate() {
            let u = u as usize;
            if a.slot[u] != s as u32 || sum_of[u] != NONE || u == territory {
                continue;
            }
            let p = shape.parent(u);
            sums[sum_of[p as usize] as usize].add_protocol(a, s as u32)?;
        }
    }
    // Sums up the tree, deepest first.
    let depth = |mut u: u32| {
        let mut d = 0u32;
        while u as usize != territory && u != NONE {
            u = shape.parent(u as usize);
            d += 1;
        }
        d
    };
    let mut order: Vec<(u32, u32)> = summed.iter().map(|&u| (depth(u), u)).collect();
    order.sort_unstable_by(|x, y| y.cmp(x));
    for &(_, u) in &order {
        if u as usize == territory {
            continue;
        }
        let p = shape.parent(u as usize);
        let (child, parent) = (sum_of[u as usize] as usize, sum_of[p as usize] as usize);
        let taken = std::mem::replace(&mut sums[child], SumRow::new(0));
        sums[parent].add_sum(&taken)?;
        sums[child] = taken;
    }
    let own = |u: usize| accs.iter().find_map(|a| (a.slot[u] != NONE).then_some((*a, a.slot[u])));
    let mut res = Vec::with_capacity(wanted.len());
    for &u in wanted {
        let u = u as usize;
        let totals = if sum_of[u] != NONE {
            let r = &sums[sum_of[u] as usize];
            Totals {
                values: (0..n_cols).map(|c| r.known[c].then_some(r.values[c])).collect(),
                protocols: r.protocols,
                units_with_line: r.units_with_line.clone(),
            }
        } else if let Some((a, s)) = own(u) {
            Totals {
                values: (0..n_cols).map(|c| a.is_present(s, c).then(|| a.value(s, c))).collect(),
                protocols: 1,
                units_with_line: (0..n_cols).map(|c| u32::from(a.is_present(s, c))).collect(),
            }
        } else {
            continue;
        };
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        res.push(UnitTotals {
            id: text.id_str(u),
            kind: lossy(text.kind(u)),
            name: lossy(text.name(u)),
            totals,
        });
    }
    Ok(res)
}

/// Moves rows of a unit found by several workers into the first worker that has it; declines
/// on a line given twice.
fn merge(accs: &mut [ContestAcc]) -> Result<(), String> {
    for later in 1..accs.len() {
        let (head, tail) = accs.split_at_mut(later);
        let b = &mut tail[0];
        for sb in 0..b.units.len() as u32 {
            let u = b.units[sb as usize] as usize;
            if b.slot[u] == NONE {
                continue;
            }
            let Some(a) = head.iter_mut().find(|a| a.slot[u] != NONE) else { continue };
            let sa = a.slot[u];
            for col in 0..a.n_cols {
                if b.is_present(sb, col) {
                    if a.is_present(sa, col) {
                        return Err("a duplicate row (in two chunks)".into());
                    }
                    a.present[sa as usize * a.words + col / 64] |= 1u64 << (col % 64);
                    a.values[sa as usize * a.n_cols + col] = b.value(sb, col);
                }
            }
            b.slot[u] = NONE;
        }
    }
    Ok(())
}

/// The fast path: see the crate documentation. Never reports bad input itself: it declines.
/// Uses every core for files of 8 MiB or more.
pub fn tally_fast(dir: &Path, scope: &Scope) -> Result<Tally, FastError> {
    tally_fast_with(dir, scope, None)
}

/// [`tally_fast`] with a given number of chunks read in parallel (`None`: automatic).
pub fn tally_fast_with(
    dir: &Path,
    scope: &Scope,
    threads: Option<usize>,
) -> Result<Tally, FastError> {
    let declined = FastError::Declined;
    let text = units::read_text(&dir.join(UNITS_FILE)).map_err(declined)?;
    let (map, shape) = units::structure(&text).map_err(declined)?;
    let (election, territories) = load_election(dir, &text, &map).map_err(declined)?;
    let mut wanted = Vec::with_capacity(territories.len());
    for &t in &territories {
        wanted.push(match scope {
            Scope::Territory => vec![t as u32],
            Scope::Kind(kind) => {
                if !(0..text.len()).any(|u| text.kind(u) == kind.as_bytes()) {
                    let kinds =
                        (0..text.len()).filter_map(|u| std::str::from_utf8(text.kind(u)).ok());
                    return Err(FastError::Final(unknown_kind(kind, kinds)));
                }
                let mut v: Vec<u32> = shape
                    .subtree(t)
                    .into_iter()
                    .filter(|&u| text.kind(u as usize) == kind.as_bytes())
                    .collect();
                v.sort_by(|&a, &b| text.id(a as usize).cmp(text.id(b as usize)));
                v
            }
        });
    }
    let path = dir.join(COUNTS_FILE);
    let len = fs::metadata(&path).map_err(|e| FastError::Declined(e.to_string()))?.len();
    let threads = if let Some(n) = threads {
        n.clamp(1, 64)
    } else if len < (8 << 20) {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8)
    };
    let points = split_points(&path, len, threads).map_err(FastError::Declined)?;
    let shared = Shared::new(&election, &text, map, &shape, &territories);
    let results: Vec<Result<Vec<ContestAcc>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = points
            .windows(2)
            .map(|w| {
                let (start, end) = (w[0], w[1]);
                let (shared, path) = (&shared, &path);
                s.spawn(move || {
                    let mut worker = Worker::new(shared, end - start);
                    run_range(path, start, end, &mut worker).map(|()| worker.accs)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("a worker panicked".into())))
            .collect()
    });
    let mut per_worker = Vec::with_capacity(results.len());
    for r in results {
        per_worker.push(r.map_err(FastError::Declined)?);
    }
    drop(shared);
    let mut contests = Vec::with_capacity(election.contests().len());
    for (ci, c) in election.contests().iter().enumerate() {
        let mut accs: Vec<ContestAcc> = per_worker
            .iter_mut()
            .map(|w| std::mem::replace(&mut w[ci], ContestAcc::new(0, 0, 0)))
            .collect();
        merge(&mut accs).map_err(FastError::Declined)?;
        let refs: Vec<&ContestAcc> = accs.iter().collect();
        let units = roll_up(&text, &shape, territories[ci], &refs, &wanted[ci])
            .map_err(FastError::Declined)?;
        contests.push(ContestTotals {
            id: c.id().to_string(),
            name: c.name().to_owned(),
            lines: line_names(c),
            units,
        });
    }
    Ok(Tally { election: election.id().to_string(), contests })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_like_the_package_reader() {
        assert_eq!(parse_value(b"0"), Some(0));
        assert_eq!(parse_value(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_value(b"18446744073709551616"), None);
        assert_eq!(
            parse_value(b"000000000000000000012"),
            None,
            "21 digits: the reader refuses too"
        );
        for bad in [&b""[..], b"-1", b"1.0", b" 1", b"1e3", b"\"1\""] {
            assert_eq!(parse_value(bad), None);
        }
    }

    #[test]
    fn fx_hash_differs_on_length_and_content() {
        let h = |b: &[u8]| {
            use std::hash::BuildHasher;
            std::hash::BuildHasherDefault::<crate::units::FxHasher>::default().hash_one(b)
        };
        assert_ne!(h(b"AB"), h(b"AB\0"));
        assert_ne!(h(b"ALA-1"), h(b"ALA-2"));
    }
}
