//! The forensics' view of a contest: one record per polling station with the lines the methods
//! need, built from the package's [`ContestCounts`].
//!
//! A *station* is a unit with its own protocol and no protocol below it (summary protocols of
//! higher units, check R7, are not stations). A station enters the forensics only when every
//! line the methods use is known (absent is unknown, never zero): registered voters, ballots
//! issued, invalid ballots and every option's votes. Stations whose protocol is empty (no line
//! at all, e.g. where no vote was held) have no row and are not counted here; the converters
//! report them.

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{Contest, Election};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::{UnitIdx, UnitTree};

/// Fewest stations the forensics examine: below this no distribution can be read.
pub const MIN_STATIONS: usize = 10;

/// One polling station with a complete protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Station {
    /// The unit.
    pub unit: UnitIdx,
    /// Index into [`Stations::regions`].
    pub region: usize,
    /// Voters on the lists.
    pub registered: u64,
    /// Ballots issued (voters who took part).
    pub issued: u64,
    /// Ballots counted: valid (the options' votes) + invalid (+ not counted, referendums).
    /// This is Kobak et al.'s denominator of the leader's share. When the package has no
    /// invalid-ballot line at all, the valid votes ([`Stations::share_base`] says so).
    pub ballots: u64,
    /// Votes per option, in package order.
    pub votes: Vec<u64>,
}

impl Station {
    /// Turnout as a fraction: issued / registered (0 when nobody is registered).
    pub fn turnout(&self) -> f64 {
        if self.registered == 0 {
            0.0
        } else {
            self.issued as f64 / self.registered as f64
        }
    }

    /// An option's share of the ballots counted (0 when none were counted).
    pub fn share(&self, option: usize) -> f64 {
        if self.ballots == 0 {
            0.0
        } else {
            self.votes[option] as f64 / self.ballots as f64
        }
    }
}

/// The stations of one contest.
#[derive(Clone, Debug)]
pub struct Stations {
    /// Stations with complete protocols, in unit order.
    pub stations: Vec<Station>,
    /// The top-level units below the contest's territory (the regions): unit indices.
    pub regions: Vec<UnitIdx>,
    /// Protocol rows in the contest.
    pub protocols: usize,
    /// Summary protocols of units that have station protocols below them (not stations).
    pub summary_rows: usize,
    /// Station protocols lacking a line the methods need.
    pub incomplete: usize,
    /// What the leader's share is a share of.
    pub share_base: &'static str,
    /// Every unit with a protocol row (sorted).
    pub units_with_protocol: Vec<UnitIdx>,
    /// The leader: the option with the most votes over the complete station protocols (or the
    /// one the caller chose).
    pub leader: usize,
}

/// Why stations cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StationsError {
    /// The contest has fewer than [`MIN_STATIONS`] stations with a complete protocol.
    TooFewStations(usize),
    /// The chosen leader is not an option of the contest.
    UnknownLeader(String),
}

impl std::fmt::Display for StationsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StationsError::TooFewStations(n) => write!(
                f,
                "the forensics need at least {MIN_STATIONS} polling-station protocols with registered voters, ballots issued, invalid ballots and every option's votes; the contest has {n}"
            ),
            StationsError::UnknownLeader(id) => write!(f, "\"{id}\" is not an option of the contest"),
        }
    }
}

impl std::error::Error for StationsError {}

impl Stations {
    /// Builds the stations of `contest` (index into the election's contests). `leader` names
    /// the option whose share is examined (default: the option with the most votes).
    pub fn from_counts(
        election: &Election,
        tree: &UnitTree,
        counts: &ContestCounts,
        contest: usize,
        leader: Option<&str>,
    ) -> Result<Stations, StationsError> {
        let c: &Contest = &election.contests()[contest];
        let territory = c.territory();
        let n_options = c.options().len();
        // Units with a protocol somewhere below them.
        let mut has_below = vec![false; tree.len()];
        for (u, _) in counts.rows() {
            let mut p = tree.unit(u).parent;
            while let Some(q) = p {
                if has_below[q] {
                    break;
                }
                has_below[q] = true;
                p = tree.unit(q).parent;
            }
        }
        let region_depth = tree.depth(territory) + 1;
        let mut regions: Vec<UnitIdx> = tree.children(territory).to_vec();
        let mut region_of_unit = std::collections::HashMap::new();
        for (i, &r) in regions.iter().enumerate() {
            region_of_unit.insert(r, i);
        }
        // Kobak et al.'s denominator of the leader's share is valid + invalid ballots. Where the
        // source has no invalid line at all (the Georgian scrape), the share is of valid votes,
        // and the report says so.
        let invalid_known = counts.rows().any(|(u, r)| {
            !has_below[u] && r[Line::Protocol(ProtocolLine::Invalid).column()].is_some()
        });
        let mut stations = Vec::new();
        let (mut protocols, mut summary_rows, mut incomplete) = (0, 0, 0);
        for (u, row) in counts.rows() {
            protocols += 1;
            if has_below[u] {
                summary_rows += 1;
                continue;
            }
            let get = |l: ProtocolLine| row[Line::Protocol(l).column()];
            let invalid = if invalid_known { get(ProtocolLine::Invalid) } else { Some(0) };
            let (Some(registered), Some(issued), Some(invalid)) =
                (get(ProtocolLine::Registered), get(ProtocolLine::BallotsIssued), invalid)
            else {
                incomplete += 1;
                continue;
            };
            let votes: Option<Vec<u64>> =
                (0..n_options).map(|i| row[Line::Option(i).column()]).collect();
            let Some(votes) = votes else {
                incomplete += 1;
                continue;
            };
            let not_counted = get(ProtocolLine::NotCounted).unwrap_or(0);
            let ballots =
                votes.iter().fold(invalid.saturating_add(not_counted), |a, &v| a.saturating_add(v));
            // The region: the ancestor one level below the territory (or the territory itself
            // for a country-level protocol).
            let region_unit = tree
                .path(u)
                .into_iter()
                .find(|&a| tree.depth(a) == region_depth)
                .unwrap_or(territory);
            let region = *region_of_unit.entry(region_unit).or_insert_with(|| {
                regions.push(region_unit);
                regions.len() - 1
            });
            stations.push(Station { unit: u, region, registered, issued, ballots, votes });
        }
        if stations.len() < MIN_STATIONS {
            return Err(StationsError::TooFewStations(stations.len()));
        }
        let leader = match leader {
            Some(id) => {
                c.option_index(id).ok_or_else(|| StationsError::UnknownLeader(id.to_owned()))?
            }
            None => {
                let mut totals = vec![0u128; n_options];
                for s in &stations {
                    for (t, &v) in totals.iter_mut().zip(&s.votes) {
                        *t += u128::from(v);
                    }
                }
                (0..n_options)
                    .max_by(|&a, &b| totals[a].cmp(&totals[b]).then(b.cmp(&a)))
                    .unwrap_or(0)
            }
        };
        let units_with_protocol: Vec<UnitIdx> = counts.rows().map(|(u, _)| u).collect();
        let share_base = if invalid_known {
            "valid and invalid ballots"
        } else {
            "valid votes (the package has no invalid-ballot line)"
        };
        Ok(Stations {
            stations,
            regions,
            protocols,
            summary_rows,
            incomplete,
            units_with_protocol,
            leader,
            share_base,
        })
    }
}
