//! The registration documents as files (this crate's I/O edge for parties and candidates):
//! a party's registration file (TOML), a party list and a candidates file (CSV), signatures per
//! region (CSV), and the regions (the top-level units of a package's `units.csv`). Every error
//! names the file, the line (CSV) or the key (TOML), and the field. Formats: `docs/registers.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ashyq_core::iin::Date;

use crate::candidates::CandidateFile;
use crate::check::RegisterError;
use crate::lists::ListCandidate;
use crate::parties::{Branch, PartyApplication};

fn invalid(path: &Path, line: u64, message: String) -> RegisterError {
    RegisterError::Invalid { path: path.to_owned(), line, message }
}

fn io(path: &Path, e: impl std::fmt::Display) -> RegisterError {
    RegisterError::Io { path: path.to_owned(), message: e.to_string() }
}

/// A CSV file read by header names: each record as (line, field → value).
struct Csv {
    path: PathBuf,
    header: Vec<String>,
    records: Vec<(u64, csv::StringRecord)>,
}

impl Csv {
    fn read(path: &Path, required: &[&str], known: &[&str]) -> Result<Csv, RegisterError> {
        let mut rdr = csv::ReaderBuilder::new().from_path(path).map_err(|e| io(path, e))?;
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| invalid(path, 1, e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        for r in required {
            if !header.iter().any(|h| h == r) {
                return Err(invalid(
                    path,
                    1,
                    format!("the header has no column {r} (columns: {})", required.join(",")),
                ));
            }
        }
        for h in &header {
            if !known.contains(&h.as_str()) {
                return Err(invalid(
                    path,
                    1,
                    format!("unknown column {h} (known: {})", known.join(",")),
                ));
            }
        }
        let mut records = Vec::new();
        for rec in rdr.records() {
            let rec = rec
                .map_err(|e| invalid(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line());
            records.push((line, rec));
        }
        Ok(Csv { path: path.to_owned(), header, records })
    }

    fn get<'r>(&self, rec: &'r csv::StringRecord, col: &str) -> &'r str {
        self.header.iter().position(|h| h == col).and_then(|i| rec.get(i)).map_or("", str::trim)
    }

    fn err(&self, line: u64, col: &str, message: String) -> RegisterError {
        invalid(&self.path, line, format!("{col}: {message}"))
    }

    fn date(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
    ) -> Result<Option<Date>, RegisterError> {
        let v = self.get(rec, col);
        if v.is_empty() {
            return Ok(None);
        }
        Date::parse_iso(v)
            .map(Some)
            .ok_or_else(|| self.err(line, col, format!("\"{v}\" is not a date (YYYY-MM-DD)")))
    }

    fn flag(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
    ) -> Result<Option<bool>, RegisterError> {
        match self.get(rec, col).to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "yes" | "true" | "1" => Ok(Some(true)),
            "no" | "false" | "0" => Ok(Some(false)),
            v => Err(self.err(line, col, format!("\"{v}\" is not yes or no"))),
        }
    }

    fn number(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
    ) -> Result<Option<u64>, RegisterError> {
        let v = self.get(rec, col);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse()
            .map(Some)
            .map_err(|_| self.err(line, col, format!("\"{v}\" is not a whole number")))
    }
}

/// The regions: the units whose parent is the root of a package's `units.csv` (header
/// `id,parent,kind,name`).
pub fn read_regions(path: &Path) -> Result<Vec<String>, RegisterError> {
    let f = Csv::read(path, &["id", "parent"], &["id", "parent", "kind", "name"])?;
    let roots: Vec<&str> = f
        .records
        .iter()
        .filter(|(_, r)| f.get(r, "parent").is_empty())
        .map(|(_, r)| f.get(r, "id"))
        .collect();
    let [root] = roots.as_slice() else {
        return Err(invalid(
            path,
            1,
            format!("expected one root unit (empty parent), found {}", roots.len()),
        ));
    };
    let regions: Vec<String> = f
        .records
        .iter()
        .filter(|(_, r)| f.get(r, "parent") == *root)
        .map(|(_, r)| f.get(r, "id").to_owned())
        .collect();
    if regions.is_empty() {
        return Err(invalid(path, 1, format!("the root {root} has no regions")));
    }
    Ok(regions)
}

/// A party list (header `name,member,woman,birth_date,disability`; yes/no flags).
pub fn read_list(path: &Path) -> Result<Vec<ListCandidate>, RegisterError> {
    let cols = ["name", "member", "woman", "birth_date", "disability"];
    let f = Csv::read(path, &cols, &cols)?;
    let mut out = Vec::new();
    for (line, r) in &f.records {
        let need = |col: &str, v: Option<bool>| {
            v.ok_or_else(|| f.err(*line, col, "missing (yes or no)".into()))
        };
        let name = f.get(r, "name");
        if name.is_empty() {
            return Err(f.err(*line, "name", "missing".into()));
        }
        out.push(ListCandidate {
            name: name.to_owned(),
            member: need("member", f.flag(*line, r, "member")?)?,
            woman: need("woman", f.flag(*line, r, "woman")?)?,
            birth_date: f
                .date(*line, r, "birth_date")?
                .ok_or_else(|| f.err(*line, "birth_date", "missing".into()))?,
            disability: need("disability", f.flag(*line, r, "disability")?)?,
        });
    }
    Ok(out)
}

/// Names, one per line (the deputies a party chose); blank lines are skipped.
pub fn read_names(path: &Path) -> Result<Vec<String>, RegisterError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    Ok(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
}

/// Candidates' files (header: `name` and any of `birth_date,citizen,citizen_by_birth,
/// resident_since,region_resident_since,higher_education,service_years,work_years,kazakh,
/// conviction`; an empty cell or a missing column means the file does not say).
pub fn read_candidates(path: &Path) -> Result<Vec<CandidateFile>, RegisterError> {
    let known = [
        "name",
        "birth_date",
        "citizen",
        "citizen_by_birth",
        "resident_since",
        "region_resident_since",
        "higher_education",
        "service_years",
        "work_years",
        "kazakh",
        "conviction",
    ];
    let f = Csv::read(path, &["name"], &known)?;
    let mut out = Vec::new();
    for (line, r) in &f.records {
        let line = *line;
        let years = |col: &str| -> Result<Option<u32>, RegisterError> {
            f.number(line, r, col)?
                .map(|n| {
                    u32::try_from(n).map_err(|_| f.err(line, col, format!("{n} is too large")))
                })
                .transpose()
        };
        out.push(CandidateFile {
            name: f.get(r, "name").to_owned(),
            birth_date: f.date(line, r, "birth_date")?,
            citizen: f.flag(line, r, "citizen")?,
            citizen_by_birth: f.flag(line, r, "citizen_by_birth")?,
            resident_since: f.date(line, r, "resident_since")?,
            region_resident_since: f.date(line, r, "region_resident_since")?,
            higher_education: f.flag(line, r, "higher_education")?,
            service_years: years("service_years")?,
            work_years: years("work_years")?,
            kazakh: f.flag(line, r, "kazakh")?,
            conviction: f.flag(line, r, "conviction")?,
        });
    }
    Ok(out)
}

/// Valid signatures per region (header `region,signatures`; a region listed once).
pub fn read_signatures(path: &Path) -> Result<BTreeMap<String, u64>, RegisterError> {
    let cols = ["region", "signatures"];
    let f = Csv::read(path, &cols, &cols)?;
    let mut out = BTreeMap::new();
    for (line, r) in &f.records {
        let n = f
            .number(*line, r, "signatures")?
            .ok_or_else(|| f.err(*line, "signatures", "missing".into()))?;
        let region = f.get(r, "region").to_owned();
        if out.insert(region.clone(), n).is_some() {
            return Err(f.err(*line, "region", format!("{region} is listed twice")));
        }
    }
    Ok(out)
}

/// A party's registration file (TOML; see `docs/registers.md`).
pub fn read_party(path: &Path) -> Result<PartyApplication, RegisterError> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line =
            e.span().map_or(0, |s| text[..s.start.min(text.len())].lines().count().max(1) as u64);
        invalid(path, line, e.message().to_owned())
    })?;
    let key_err = |key: &str, message: String| invalid(path, 0, format!("{key}: {message}"));
    let party = table
        .get("party")
        .and_then(toml::Value::as_table)
        .ok_or_else(|| key_err("[party]", "missing".into()))?;
    let int = |t: &toml::Table, key: &str, at: &str| -> Result<u64, RegisterError> {
        let v = t.get(key).ok_or_else(|| key_err(&format!("{at}{key}"), "missing".into()))?;
        v.as_integer()
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| key_err(&format!("{at}{key}"), format!("{v:?} is not a whole number")))
    };
    let date = |t: &toml::Table, key: &str, at: &str| -> Result<Option<Date>, RegisterError> {
        let Some(v) = t.get(key) else { return Ok(None) };
        let s = match v {
            toml::Value::Datetime(dt) => dt.to_string(),
            toml::Value::String(s) => s.clone(),
            other => format!("{other:?}"),
        };
        Date::parse_iso(&s).map(Some).ok_or_else(|| {
            key_err(&format!("{at}{key}"), format!("{s} is not a date (YYYY-MM-DD)"))
        })
    };
    let need = |d: Option<Date>, key: &str| {
        d.ok_or_else(|| key_err(&format!("party.{key}"), "missing".into()))
    };
    let mut branches = Vec::new();
    if let Some(list) = table.get("branch") {
        let list =
            list.as_array().ok_or_else(|| key_err("branch", "must be [[branch]] tables".into()))?;
        for (i, b) in list.iter().enumerate() {
            let at = format!("branch[{}].", i + 1);
            let b = b.as_table().ok_or_else(|| key_err(&at, "not a table".into()))?;
            let region = b
                .get("region")
                .and_then(toml::Value::as_str)
                .ok_or_else(|| key_err(&format!("{at}region"), "missing".into()))?;
            branches.push(Branch {
                region: region.to_owned(),
                members: int(b, "members", &at)?,
                registered: date(b, "registered", &at)?,
            });
        }
    }
    Ok(PartyApplication {
        name: party.get("name").and_then(toml::Value::as_str).unwrap_or("").to_owned(),
        members: int(party, "members", "party.")?,
        initiative_group: int(party, "initiative_group", "party.")?,
        initiative_group_formed: need(
            date(party, "initiative_group_formed", "party.")?,
            "initiative_group_formed",
        )?,
        founding_congress: need(date(party, "founding_congress", "party.")?, "founding_congress")?,
        state_registration: date(party, "state_registration", "party.")?,
        branches,
    })
}
