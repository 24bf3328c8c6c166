//! A validated election turned back into the raw definition the record stores and hashes.

use ashyq_core::election::{
    ContestInfo, ContestKind, Election, ElectionInfo, OptionInfo, OptionKind,
};
use ashyq_core::units::{UnitInfo, UnitTree};

use crate::leaf::DefinitionLeaf;

/// The raw form of a validated election: what a package with this election would say, with
/// defaults left out (a contest's name when it is its id, round 1, …).
pub fn election_info(election: &Election, tree: &UnitTree) -> ElectionInfo {
    ElectionInfo {
        id: election.id().to_string(),
        name: election.name().to_owned(),
        date: election.date().to_owned(),
        rules: election.rules().name().to_owned(),
        contests: election
            .contests()
            .iter()
            .map(|c| {
                let referendum = c.kind() == ContestKind::Referendum;
                ContestInfo {
                    id: c.id().to_string(),
                    kind: c.kind().name().to_owned(),
                    name: (c.name() != c.id().as_str()).then(|| c.name().to_owned()),
                    territory: tree.unit(c.territory()).id.to_string(),
                    seats: c.seats().map(i64::from),
                    constitutional: referendum.then(|| c.constitutional()),
                    unit_test: if referendum {
                        c.unit_test().map(|t| t.name().to_owned())
                    } else {
                        None
                    },
                    round: (c.round() != 1).then(|| i64::from(c.round())),
                    threshold_percent: c.threshold_percent().map(|(n, d)| decimal(n, d)),
                    reported_units_in_favour: if referendum {
                        c.reported_units_in_favour().map(i64::from)
                    } else {
                        None
                    },
                    options: c
                        .options()
                        .iter()
                        .map(|o| OptionInfo {
                            id: o.id.to_string(),
                            name: o.name.clone(),
                            registered: o.registered.map(i64::from),
                            kind: (o.kind == OptionKind::AgainstAll)
                                .then(|| "against-all".to_owned()),
                        })
                        .collect(),
                }
            })
            .collect(),
    }
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

fn decimal(n: u64, d: u64) -> String {
    if d <= 1 {
        return n.to_string();
    }
    let places = d.ilog10() as usize;
    format!("{}.{:0places$}", n / d, n % d)
}
