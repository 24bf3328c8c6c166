//! Writing packages: the inverse of reading, used by converters and the generator.
//!
//! [`PackageWriter`] streams counts, so packages with millions of rows never sit in memory.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::Path;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{Election, OptionKind};
use ashyq_core::line::Line;
use ashyq_core::units::UnitTree;

use crate::package::{COUNTS_FILE, ELECTION_FILE, UNITS_FILE};

/// TOML basic string with escapes.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders an election definition as `election.toml` text, with optional leading comment lines
/// (provenance).
pub fn election_toml(election: &Election, tree: &UnitTree, comments: &[&str]) -> String {
    let mut s = String::new();
    for c in comments {
        for l in c.lines() {
            s.push_str("# ");
            s.push_str(l);
            s.push('\n');
        }
    }
    s.push_str("[election]\n");
    s.push_str(&format!("id = {}\n", toml_str(election.id().as_str())));
    s.push_str(&format!("name = {}\n", toml_str(election.name())));
    s.push_str(&format!("date = {}\n", toml_str(election.date())));
    s.push_str(&format!("rules = {}\n", toml_str(election.rules().name())));
    for c in election.contests() {
        s.push_str("\n[[contest]]\n");
        s.push_str(&format!("id = {}\n", toml_str(c.id().as_str())));
        s.push_str(&format!("kind = {}\n", toml_str(c.kind().name())));
        if c.name() != c.id().as_str() {
            s.push_str(&format!("name = {}\n", toml_str(c.name())));
        }
        if let Some(b) = c.body() {
            s.push_str(&format!("body = {}\n", toml_str(b.name())));
        }
        s.push_str(&format!("territory = {}\n", toml_str(tree.unit(c.territory()).id.as_str())));
        if let Some(seats) = c.seats() {
            s.push_str(&format!("seats = {seats}\n"));
        }
        if c.kind() == ashyq_core::election::ContestKind::Referendum {
            s.push_str(&format!("constitutional = {}\n", c.constitutional()));
            if let Some(t) = c.unit_test() {
                s.push_str(&format!("unit_test = {}\n", toml_str(t.name())));
            }
            if let Some(r) = c.reported_units_in_favour() {
                s.push_str(&format!("reported_units_in_favour = {r}\n"));
            }
        }
        if c.round() != 1 {
            s.push_str(&format!("round = {}\n", c.round()));
        }
        if let Some((n, d)) = c.threshold_percent() {
            s.push_str(&format!("threshold_percent = {}\n", toml_str(&decimal(n, d))));
        }
        for o in c.options() {
            s.push_str("\n[[contest.option]]\n");
            s.push_str(&format!("id = {}\n", toml_str(o.id.as_str())));
            s.push_str(&format!("name = {}\n", toml_str(&o.name)));
            if let Some(r) = o.registered {
                s.push_str(&format!("registered = {r}\n"));
            }
            if o.kind == OptionKind::AgainstAll {
                s.push_str("kind = \"against-all\"\n");
            }
            if let Some(n) = o.list_length {
                s.push_str(&format!("list_length = {n}\n"));
            }
        }
    }
    s
}

/// `n/d` (d a power of ten) as decimal text.
fn decimal(n: u64, d: u64) -> String {
    if d == 1 {
        return n.to_string();
    }
    let places = d.ilog10() as usize;
    format!("{}.{:0places$}", n / d, n % d)
}

/// Streams a package to a folder: definition and units first, then counts row by row.
pub struct PackageWriter {
    counts: csv::Writer<BufWriter<File>>,
}

impl PackageWriter {
    /// Creates the folder (if needed) and writes `election.toml` and `units.csv`.
    pub fn create(
        dir: &Path,
        election: &Election,
        tree: &UnitTree,
        comments: &[&str],
    ) -> io::Result<PackageWriter> {
        fs::create_dir_all(dir)?;
        fs::write(dir.join(ELECTION_FILE), election_toml(election, tree, comments))?;
        let mut units =
            csv::Writer::from_writer(BufWriter::new(File::create(dir.join(UNITS_FILE))?));
        units.write_record(["id", "parent", "kind", "name"])?;
        for u in tree.units() {
            let parent = u.parent.map(|p| tree.unit(p).id.as_str()).unwrap_or("");
            units.write_record([u.id.as_str(), parent, &u.kind, &u.name])?;
        }
        units.flush()?;
        let names = election.name_infos(tree);
        let names_path = dir.join(crate::package::NAMES_FILE);
        if names.is_empty() {
            if names_path.exists() {
                fs::remove_file(&names_path)?;
            }
        } else {
            let mut w = csv::Writer::from_writer(BufWriter::new(File::create(names_path)?));
            w.write_record(["kind", "id", "lang", "name"])?;
            for n in &names {
                w.write_record([n.kind.as_str(), n.id.as_str(), n.lang.as_str(), n.name.as_str()])?;
            }
            w.flush()?;
        }
        let mut counts = csv::Writer::from_writer(BufWriter::with_capacity(
            1 << 20,
            File::create(dir.join(COUNTS_FILE))?,
        ));
        counts.write_record(["contest", "unit", "line", "value"])?;
        Ok(PackageWriter { counts })
    }

    /// Writes one count row.
    pub fn count(&mut self, contest: &str, unit: &str, line: &str, value: u64) -> io::Result<()> {
        let value = value.to_string();
        self.counts.write_record([contest, unit, line, value.as_str()])?;
        Ok(())
    }

    /// Flushes and closes the counts file.
    pub fn finish(mut self) -> io::Result<()> {
        self.counts.flush()
    }
}

/// Writes a whole in-memory package.
pub fn write_package(
    dir: &Path,
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    comments: &[&str],
) -> io::Result<()> {
    let mut w = PackageWriter::create(dir, election, tree, comments)?;
    for (contest, cc) in election.contests().iter().zip(counts) {
        for (unit, row) in cc.rows() {
            for (col, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    let line = match Line::from_column(col) {
                        Line::Protocol(p) => p.name(),
                        Line::Option(i) => contest.options()[i].id.as_str(),
                    };
                    w.count(contest.id().as_str(), tree.unit(unit).id.as_str(), line, *v)?;
                }
            }
        }
    }
    w.finish()
}
