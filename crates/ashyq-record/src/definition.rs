//! A validated election turned back into the raw definition the record stores and hashes.

use ashyq_core::election::{Election, ElectionInfo};
use ashyq_core::units::{UnitInfo, UnitTree};

use crate::leaf::DefinitionLeaf;

/// The raw form of a validated election, as the record stores and hashes it (core's
/// `Election::to_info`: defaults left out, every field named).
pub fn election_info(election: &Election, tree: &UnitTree) -> ElectionInfo {
    election.to_info(tree)
}

/// The units in tree order, parents by id.
pub fn unit_infos(tree: &UnitTree) -> Vec<UnitInfo> {
    tree.units()
        .iter()
        .map(|u| UnitInfo {
            id: u.id.to_string(),
            parent: u.parent.map(|p| tree.unit(p).id.to_string()).unwrap_or_default(),
            kind: u.kind.clone(),
            name: u.name.clone(),
        })
        .collect()
}

/// The definition leaf of a new record.
pub fn definition_leaf(
    election: &Election,
    tree: &UnitTree,
    origin: &str,
    double_entry: bool,
    imported_at: &str,
) -> DefinitionLeaf {
    DefinitionLeaf {
        election: election_info(election, tree),
        units: unit_infos(tree),
        origin: origin.to_owned(),
        double_entry,
        imported_at: imported_at.to_owned(),
    }
}

/// The default origin of an election's log: `ashyq/ELECTION`.
pub fn default_origin(election_id: &str) -> String {
    format!("ashyq/{election_id}")
}
