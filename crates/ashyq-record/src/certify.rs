//! The counts a record holds and their certification: the latest version of every protocol
//! among the first n log entries, the canonical hash of those inputs, and the root totals.

use std::collections::BTreeMap;

use ashyq_core::counts::{ContestCounts, Row};
use ashyq_core::election::{Contest, Election};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::{UnitIdx, UnitTree};
use sha2::{Digest, Sha256};

use crate::leaf::{DefinitionLeaf, ProtocolLeaf};
use crate::merkle::Hash;

/// A validated definition leaf.
#[derive(Clone, Debug)]
pub struct Definition {
    /// The leaf as recorded.
    pub leaf: DefinitionLeaf,
    /// The validated election.
    pub election: Election,
    /// The validated unit tree.
    pub tree: UnitTree,
    /// The leaf's hash (it identifies the definition in certification inputs).
    pub hash: Hash,
}

impl Definition {
    /// Validates a definition leaf; `Err` lists every problem.
    pub fn new(leaf: DefinitionLeaf) -> Result<Definition, Vec<String>> {
        let tree = ashyq_core::units::UnitTree::new(leaf.units.clone()).map_err(|e| {
            e.iter().map(|x| format!("the units do not form a tree: {x}")).collect::<Vec<_>>()
        })?;
        let election = Election::try_from_info(leaf.election.clone(), &tree).map_err(|p| {
            p.iter()
                .map(|x| format!("the definition is invalid: {}: {}", x.field, x.message))
                .collect::<Vec<_>>()
        })?;
        let hash = crate::leaf::Leaf::Definition(leaf.clone()).hash();
        Ok(Definition { leaf, election, tree, hash })
    }
}

/// The name of a column of a contest's protocol.
pub fn line_name(contest: &Contest, col: usize) -> String {
    match Line::from_column(col) {
        Line::Protocol(p) => p.name().to_owned(),
        Line::Option(i) => contest.options()[i].id.to_string(),
    }
}

/// The line a name denotes in a contest.
pub fn line_of(contest: &Contest, name: &str) -> Option<Line> {
    ProtocolLine::from_name(name)
        .map(Line::Protocol)
        .or_else(|| contest.option_index(name).map(Line::Option))
}

/// A row as (line, value) pairs of its present lines, in column order (the canonical order).
pub fn row_lines(contest: &Contest, row: &[Option<u64>]) -> Vec<(String, u64)> {
    row.iter().enumerate().filter_map(|(c, v)| v.map(|v| (line_name(contest, c), v))).collect()
}

/// The row of (line, value) pairs; `Err` names an unknown or repeated line.
pub fn lines_row(contest: &Contest, lines: &[(String, u64)]) -> Result<Row, String> {
    let mut row: Row = vec![None; ProtocolLine::COUNT + contest.options().len()];
    for (name, v) in lines {
        let line = line_of(contest, name).ok_or_else(|| {
            format!("line \"{}\" is not a line of contest {}", crate::quote(name), contest.id())
        })?;
        if row[line.column()].replace(*v).is_some() {
            return Err(format!("line \"{}\" appears twice", crate::quote(name)));
        }
    }
    Ok(row)
}

/// Resolves a protocol leaf's contest and unit in the definition.
pub fn resolve(def: &Definition, contest: &str, unit: &str) -> Result<(usize, UnitIdx), String> {
    let c = def
        .election
        .contest_index(contest)
        .ok_or_else(|| format!("contest \"{}\" is not in the definition", crate::quote(contest)))?;
    let u = def
        .tree
        .index_of(unit)
        .ok_or_else(|| format!("unit \"{}\" is not in the definition", crate::quote(unit)))?;
    if !def.tree.is_within(u, def.election.contests()[c].territory()) {
        return Err(format!("unit {unit} is outside the territory of contest {contest}"));
    }
    Ok((c, u))
}

/// The latest version of each protocol: (contest, unit) → (version, leaf hash, row).
pub type Latest = BTreeMap<(usize, UnitIdx), (u64, Hash, Row)>;

/// The latest version of every protocol among `protocols` (in log order, with their hashes).
/// `Err` on a leaf that does not fit the definition.
pub fn latest<'a>(
    def: &Definition,
    protocols: impl IntoIterator<Item = (&'a ProtocolLeaf, Hash)>,
) -> Result<Latest, String> {
    let mut latest = Latest::new();
    for (p, h) in protocols {
        let (c, u) = resolve(def, &p.contest, &p.unit)?;
        let row = lines_row(&def.election.contests()[c], &p.lines)?;
        match latest.get(&(c, u)) {
            Some((v, _, _)) if *v >= p.version => {}
            _ => {
                latest.insert((c, u), (p.version, h, row));
            }
        }
    }
    Ok(latest)
}

/// The latest rows as counts per contest.
pub fn counts(def: &Definition, latest: &Latest) -> Result<Vec<ContestCounts>, String> {
    let mut counts: Vec<ContestCounts> =
        def.election.contests().iter().map(ContestCounts::new).collect();
    for (&(c, u), (_, _, row)) in latest {
        for (col, v) in row.iter().enumerate() {
            if let Some(v) = v {
                counts[c].set(u, Line::from_column(col), *v).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(counts)
}

/// SHA-256 (hex) of the certification inputs: the JSON array `["ashyq-certification-inputs/2",
/// election, definition leaf hash, [[contest, unit, version, leaf hash], …]]` with the protocols
/// in contest order, then unit order. The same protocols give the same hash, whatever else the
/// log holds (the certification leaf records the log size it covered).
pub fn inputs_hash(def: &Definition, latest: &Latest) -> String {
    let inputs: Vec<serde_json::Value> = latest
        .iter()
        .map(|(&(c, u), (v, h, _))| {
            serde_json::json!([
                def.election.contests()[c].id().as_str(),
                def.tree.unit(u).id.as_str(),
                v,
                hex::encode(h)
            ])
        })
        .collect();
    let doc = serde_json::json!([
        "ashyq-certification-inputs/2",
        def.election.id().as_str(),
        hex::encode(def.hash),
        inputs
    ]);
    hex::encode(Sha256::digest(serde_json::to_vec(&doc).unwrap_or_default()))
}

/// Root totals of every contest as CSV `contest,unit,line,value`.
pub fn totals_csv(def: &Definition, counts: &[ContestCounts]) -> Result<String, String> {
    let mut csv = String::from("contest,unit,line,value\n");
    for (contest, cc) in def.election.contests().iter().zip(counts) {
        let roll = cc.roll_up(&def.tree, contest.territory()).map_err(|e| e.to_string())?;
        if let Some(t) = roll.at(contest.territory()) {
            for (col, v) in t.values.iter().enumerate() {
                if let Some(v) = v {
                    csv.push_str(&format!(
                        "{},{},{},{v}\n",
                        contest.id(),
                        def.tree.unit(contest.territory()).id,
                        line_name(contest, col)
                    ));
                }
            }
        }
    }
    Ok(csv)
}
