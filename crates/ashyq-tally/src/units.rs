//! A compact territorial tree read straight from `units.csv` (package format v1) for the fast
//! path: every field in one byte buffer, parents and children as index arrays. It checks what
//! `ashyq_core::units::UnitTree::new` checks (id syntax, unique ids, known parents, no cycles)
//! and declines on anything unusual, so that the exact path reports it.

use std::hash::Hasher;
use std::path::Path;

use ashyq_core::ids::check_id_syntax;

pub(crate) const NONE: u32 = u32::MAX;

/// Fx-style hash with a folded multiply (both halves of the 128-bit product), so that every
/// input bit reaches the low bits the table indexes with. Not DoS-resistant, which is fine for
/// ids read from the package being tallied.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        let m = u128::from(self.0 ^ w) * 0x9E37_79B9_7F4A_7C15u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64 ^ 0xA076_1D64_78BD_642F);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher(0x243F_6A88_85A3_08D3);
    h.write(bytes);
    h.add(bytes.len() as u64);
    h.0
}

/// Unit ids → indices: the 64-bit hash of every id with its unit, sorted by hash. Building it
/// reads memory sequentially (hash, then sort) instead of scattering a million inserts over a
/// hash table, and equal hashes end up adjacent, which finds duplicate ids. A directory on the
/// top bits of the hash gives each lookup its range directly (about one entry), so a lookup
/// costs two or three cache misses instead of a binary search's twenty.
pub(crate) struct IdIndex {
    entries: Vec<(u64, u32)>,
    /// `starts[b]..starts[b + 1]`: the entries whose hash has top bits `b`.
    starts: Vec<u32>,
    shift: u32,
}

impl IdIndex {
    /// Indexes every id of `text`; `Err(unit)` names a unit whose id was already used.
    fn build(text: &UnitText) -> Result<IdIndex, usize> {
        let mut entries: Vec<(u64, u32)> =
            (0..text.len()).map(|u| (hash(text.id(u)), u as u32)).collect();
        entries.sort_unstable();
        for w in entries.windows(2) {
            if w[0].0 == w[1].0 && text.id(w[0].1 as usize) == text.id(w[1].1 as usize) {
                return Err(w[1].1 as usize);
            }
        }
        let bits = (entries.len().max(1).next_power_of_two().trailing_zeros()).clamp(1, 30);
        let shift = 64 - bits;
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for e in &entries {
            starts[(e.0 >> shift) as usize + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        Ok(IdIndex { entries, starts, shift })
    }

    /// The unit with this id.
    #[inline]
    pub(crate) fn get(&self, text: &UnitText, id: &[u8]) -> Option<u32> {
        let h = hash(id);
        let b = (h >> self.shift) as usize;
        self.entries[self.starts[b] as usize..self.starts[b + 1] as usize]
            .iter()
            .filter(|e| e.0 == h)
            .find(|e| text.id(e.1 as usize) == id)
            .map(|e| e.1)
    }
}

/// The text of every unit: id, kind and name as ranges of one buffer.
pub(crate) struct UnitText {
    buf: Vec<u8>,
    /// Per unit: start of id, kind, name, parent and end, as offsets into `buf`.
    bounds: Vec<[u32; 5]>,
}

impl UnitText {
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }
    fn field(&self, u: usize, k: usize) -> &[u8] {
        let b = &self.bounds[u];
        &self.buf[b[k] as usize..b[k + 1] as usize]
    }
    pub(crate) fn id(&self, u: usize) -> &[u8] {
        self.field(u, 0)
    }
    pub(crate) fn kind(&self, u: usize) -> &[u8] {
        self.field(u, 1)
    }
    pub(crate) fn name(&self, u: usize) -> &[u8] {
        self.field(u, 2)
    }
    fn parent(&self, u: usize) -> &[u8] {
        self.field(u, 3)
    }
    pub(crate) fn id_str(&self, u: usize) -> String {
        String::from_utf8_lossy(self.id(u)).into_owned()
    }
}

/// The shape of the tree.
pub(crate) struct Structure {
    parent: Vec<u32>,
    child_start: Vec<u32>,
    children: Vec<u32>,
}

impl Structure {
    pub(crate) fn children(&self, u: usize) -> &[u32] {
        &self.children[self.child_start[u] as usize..self.child_start[u + 1] as usize]
    }

    /// The parent of `u`, or `NONE`.
    #[inline]
    pub(crate) fn parent(&self, u: usize) -> u32 {
        self.parent[u]
    }

    pub(crate) fn is_root(&self, u: usize) -> bool {
        self.parent[u] == NONE
    }

    /// True when `u` is the root of the whole tree: a root, and the only one (a package may
    /// list several trees; rows under another root are then outside a root's territory).
    pub(crate) fn is_sole_root(&self, u: usize) -> bool {
        self.is_root(u) && self.parent.iter().filter(|&&p| p == NONE).count() == 1
    }

    /// The subtree of `root`, parents before children (depth-first, children in input order).
    pub(crate) fn subtree(&self, root: usize) -> Vec<u32> {
        let mut res = Vec::new();
        let mut stack = vec![root as u32];
        while let Some(u) = stack.pop() {
            res.push(u);
            stack.extend(self.children(u as usize).iter().rev());
        }
        res
    }
}

/// Parses one CSV field at `data[*pos..]` into `out`, in the subset of RFC 4180 that the
/// `csv` crate reads the same way (plain fields; quoted fields with `""` escapes). Returns the
/// byte after the field: `,`, `\n` or `None` at the end of the data. Declines otherwise.
#[inline]
fn field(data: &[u8], pos: &mut usize, out: &mut Vec<u8>) -> Result<Option<u8>, String> {
    let mut i = *pos;
    if data.get(i) == Some(&b'"') {
        i += 1;
        loop {
            match data.get(i) {
                None => return Err("an unclosed quote".into()),
                Some(b'"') if data.get(i + 1) == Some(&b'"') => {
                    out.push(b'"');
                    i += 2;
                }
                Some(b'"') => {
                    i += 1;
                    break;
                }
                Some(&c) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
    } else {
        let start = i;
        while i < data.len() && !matches!(data[i], b',' | b'\n' | b'\r' | b'"') {
            i += 1;
        }
        out.extend_from_slice(&data[start..i]);
    }
    let end = match data.get(i) {
        None => None,
        Some(b',') => Some(b','),
        Some(b'\n') => Some(b'\n'),
        Some(b'\r') if data.get(i + 1) == Some(&b'\n') => {
            i += 1;
            Some(b'\n')
        }
        Some(_) => return Err("an unusual CSV field".into()),
    };
    *pos = i + 1;
    Ok(end)
}

/// A field as ingest reads it (trimmed) equals its bytes.
fn untrimmed(f: &[u8]) -> bool {
    match (f.first(), f.last()) {
        (Some(a), Some(b)) if a.is_ascii() && b.is_ascii() => {
            !a.is_ascii_whitespace() && !b.is_ascii_whitespace()
        }
        (None, _) | (_, None) => true,
        _ => std::str::from_utf8(f).map(|s| s.trim().len() == s.len()).unwrap_or(false),
    }
}

/// Reads units.csv; declines (Err with a reason) on anything `read_package` might report, or
/// read differently.
pub(crate) fn read_text(path: &Path) -> Result<UnitText, String> {
    let data = std::fs::read(path).map_err(|e| e.to_string())?;
    // Valid UTF-8 as a whole means every field is (separators are ASCII).
    std::str::from_utf8(&data).map_err(|e| e.to_string())?;
    if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err("a byte-order mark".into());
    }
    let mut pos = 0usize;
    let mut header: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut f = Vec::new();
        let end = field(&data, &mut pos, &mut f)?;
        header.push(f);
        if end != Some(b',') {
            break;
        }
    }
    let col = |name: &str| {
        header.iter().position(|h| h == name.as_bytes()).ok_or(format!("no {name} column"))
    };
    let cols = [col("id")?, col("kind")?, col("name")?, col("parent")?];
    let n_fields = header.len();
    let mut buf = Vec::with_capacity(data.len());
    let mut bounds = Vec::with_capacity(data.len() / 32);
    let mut record: Vec<Vec<u8>> = vec![Vec::new(); n_fields];
    while pos < data.len() {
        let mut k = 0;
        loop {
            if k >= n_fields {
                return Err("a row with more fields than the header".into());
            }
            record[k].clear();
            let end = field(&data, &mut pos, &mut record[k])?;
            k += 1;
            if end != Some(b',') {
                break;
            }
        }
        if k != n_fields {
            return Err("a row with fewer fields than the header (or an empty line)".into());
        }
        let mut b = [0u32; 5];
        for (j, &c) in cols.iter().enumerate() {
            if !untrimmed(&record[c]) {
                return Err("a field with surrounding white space".into());
            }
            b[j] = buf.len() as u32;
            buf.extend_from_slice(&record[c]);
        }
        b[4] = buf.len() as u32;
        if buf.len() > u32::MAX as usize / 2 {
            return Err("units.csv is too large for the fast path".into());
        }
        bounds.push(b);
    }
    if bounds.is_empty() {
        return Err("no units".into());
    }
    Ok(UnitText { buf, bounds })
}

/// Index of every id, and the tree's shape; declines on bad ids, duplicates, unknown parents
/// and cycles.
pub(crate) fn structure(text: &UnitText) -> Result<(IdIndex, Structure), String> {
    let n = text.len();
    if n >= NONE as usize {
        return Err("too many units for the fast path".into());
    }
    for u in 0..n {
        // Ids are ASCII by syntax; check_id_syntax gives the exact rule.
        let s = std::str::from_utf8(text.id(u)).map_err(|e| e.to_string())?;
        check_id_syntax(s)?;
    }
    let index = IdIndex::build(text).map_err(|_| "a duplicate unit id".to_owned())?;
    let mut parent = vec![NONE; n];
    let mut n_children = vec![0u32; n + 1];
    // Siblings are usually listed together: try the previous unit's parent first.
    let mut last: Option<(&[u8], u32)> = None;
    for (u, p) in parent.iter_mut().enumerate() {
        let pid = text.parent(u);
        if !pid.is_empty() {
            let pi = match last {
                Some((l, i)) if l == pid => i,
                _ => index.get(text, pid).ok_or("an unknown parent")?,
            };
            last = Some((pid, pi));
            *p = pi;
            n_children[pi as usize] += 1;
        }
    }
    // Cycles: walk up from every unit, colouring as the core does.
    let mut state = vec![0u8; n];
    let mut path = Vec::new();
    for start in 0..n {
        path.clear();
        let mut cur = start as u32;
        while cur != NONE {
            match state[cur as usize] {
                2 => break,
                1 => return Err("a cycle of parents".into()),
                _ => {
                    state[cur as usize] = 1;
                    path.push(cur);
                    cur = parent[cur as usize];
                }
            }
        }
        for &p in &path {
            state[p as usize] = 2;
        }
    }
    let mut child_start = vec![0u32; n + 1];
    let mut acc = 0u32;
    for u in 0..n {
        child_start[u] = acc;
        acc += n_children[u];
    }
    child_start[n] = acc;
    let mut fill = child_start.clone();
    let mut children = vec![0u32; acc as usize];
    for (u, &p) in parent.iter().enumerate() {
        if p != NONE {
            children[fill[p as usize] as usize] = u as u32;
            fill[p as usize] += 1;
        }
    }
    Ok((index, Structure { parent, child_start, children }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<UnitText, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let p = dir.path().join("units.csv");
        std::fs::write(&p, text).map_err(|e| e.to_string())?;
        read_text(&p)
    }

    #[test]
    fn quoted_fields_and_crlf_read_as_the_csv_crate_reads_them() {
        let t = parse("name,id,kind,parent\r\n\"Kazakhstan, \"\"KZ\"\"\",KZ,country,\r\nAstana,KZ-AST,city,KZ")
            .expect("valid");
        assert_eq!(t.len(), 2);
        assert_eq!(t.name(0), b"Kazakhstan, \"KZ\"");
        assert_eq!((t.id(1), t.kind(1), t.parent(1)), (&b"KZ-AST"[..], &b"city"[..], &b"KZ"[..]));
        let (index, shape) = structure(&t).expect("a tree");
        assert_eq!(index.get(&t, b"KZ-AST"), Some(1));
        assert_eq!(index.get(&t, b"KZ-ALA"), None);
        assert_eq!(shape.children(0), &[1]);
    }

    #[test]
    fn declines_what_the_package_reader_might_read_differently_or_reject() {
        for bad in [
            "id,parent,kind,name\nKZ,,country,\"open\n",
            "id,parent,kind,name\nKZ,,country,a\"b\n",
            "id,parent,kind,name\nKZ,,country, padded\n",
            "id,parent,kind,name\nKZ,,country\n",
            "id,parent,kind,name\nKZ,,country,K,extra\n",
            "id,parent,kind,name\nKZ,,country,K\n\n",
            "id,parent,kind\nKZ,,country\n",
            "\u{feff}id,parent,kind,name\nKZ,,country,K\n",
            "id,parent,kind,name\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        for bad_tree in [
            "id,parent,kind,name\nKZ,,c,K\nKZ,,c,K\n",
            "id,parent,kind,name\nA,B,c,K\nB,A,c,K\n",
            "id,parent,kind,name\nA,Z,c,K\n",
            "id,parent,kind,name\nA A,,c,K\n",
        ] {
            let t = parse(bad_tree).expect("parses");
            assert!(structure(&t).is_err(), "{bad_tree:?}");
        }
    }
}
