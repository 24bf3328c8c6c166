//! Builds elections of stations in memory for the audit tests.

#![allow(dead_code)]

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::{UnitInfo, UnitTree};

pub(crate) struct Built {
    pub(crate) election: Election,
    pub(crate) tree: UnitTree,
    pub(crate) counts: Vec<ContestCounts>,
}

/// One station: id, votes per option (package order), ballots issued.
pub(crate) struct Station {
    pub(crate) id: String,
    pub(crate) votes: Vec<u64>,
    pub(crate) issued: u64,
}

/// A country `C` whose children are the stations; one contest `c` of `kind` over them.
pub(crate) fn build(
    kind: &str,
    rules: &str,
    seats: Option<i64>,
    options: &[(&str, bool)],
    stations: &[Station],
) -> Built {
    let mut units = vec![UnitInfo {
        id: "C".into(),
        parent: String::new(),
        kind: "country".into(),
        name: "C".into(),
    }];
    for s in stations {
        units.push(UnitInfo {
            id: s.id.clone(),
            parent: "C".into(),
            kind: "station".into(),
            name: s.id.clone(),
        });
    }
    let tree = UnitTree::new(units).expect("tree");
    let info = ElectionInfo {
        names: Vec::new(),
        id: "e".into(),
        name: "e".into(),
        date: "2023-03-19".into(),
        rules: rules.into(),
        contests: vec![ContestInfo {
            id: "c".into(),
            kind: kind.into(),
            territory: "C".into(),
            seats,
            options: options
                .iter()
                .map(|&(id, against)| OptionInfo {
                    id: id.into(),
                    name: id.into(),
                    kind: against.then(|| "against-all".into()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
    };
    let election = Election::try_from_info(info, &tree).expect("election");
    let mut counts = ContestCounts::new(&election.contests()[0]);
    for s in stations {
        let u = tree.index_of(&s.id).expect("unit");
        for (j, &v) in s.votes.iter().enumerate() {
            counts.set(u, Line::Option(j), v).expect("set");
        }
        counts.set(u, Line::Protocol(ProtocolLine::BallotsIssued), s.issued).expect("set");
    }
    Built { election, tree, counts: vec![counts] }
}

/// A hand-count row for a station: the given votes and ballots issued, in the contest's columns.
pub(crate) fn row(n_options: usize, votes: &[u64], issued: u64) -> Vec<Option<u64>> {
    let mut r = vec![None; ProtocolLine::COUNT + n_options];
    for (j, &v) in votes.iter().enumerate() {
        r[Line::Option(j).column()] = Some(v);
    }
    r[ProtocolLine::BallotsIssued.column()] = Some(issued);
    r
}
