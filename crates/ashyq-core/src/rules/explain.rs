//! Why the law leaves an outcome undetermined, and what a reader must know of an outcome, kept
//! as facts (what happened, with its numbers, options and units) rather than as sentences, so
//! that every reader's language can say them. `Display` gives the English sentence, which the
//! JSON `undetermined` and `warnings` strings carry; [`Undetermined::code`] and
//! [`Warning::code`] name each case for programs.
//!
//! A statement of a rule set (why it has no rules for a contest, what it does not say about one
//! passing list) is a `&'static str` of the rule set's data, listed by [`RuleSet::statements`]
//! so that a translation can be checked to cover all of them.

use std::fmt;

use ashyq_apportionment::{ApportionmentError, Fraction};

use crate::election::UnitTest;
use crate::rules::{OneListPasses, RuleSet, RuleSetId};
use crate::units::UnitIdx;

/// An option named in an explanation: its index in the contest (for a reader's own name of it)
/// and its id in the package (for the English sentence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionRef {
    /// Index of the option in the contest.
    pub index: usize,
    /// The option's id.
    pub id: String,
}

/// A unit named in an explanation: its index in the tree, its id and its kind in the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRef {
    /// Index in the unit tree.
    pub unit: UnitIdx,
    /// The unit's id.
    pub id: String,
    /// The unit's kind (`region`, `city`, `abroad`, …).
    pub kind: String,
}

/// A list given more seats than it has candidates (law reference §12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BeyondList {
    /// The list.
    pub list: OptionRef,
    /// Seats allocated to it.
    pub seats: u32,
    /// Candidates on it (`list_length`).
    pub candidates: u32,
    /// Seats beyond its length.
    pub beyond: u32,
}

/// Why a contest's outcome is undetermined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undetermined {
    /// The rule set says nothing for this case; the statement is its own (see
    /// [`RuleSet::statements`]).
    ByLaw(&'static str),
    /// No counts at all for the contest.
    NoCounts,
    /// Some protocols lack these options' votes.
    VotesUnknown {
        /// The options whose votes are unknown.
        options: Vec<OptionRef>,
    },
    /// The sum of the votes does not fit in 64 bits.
    VotesOverflow,
    /// The presidential base (candidates + against all) is zero.
    NoValidVotes,
    /// The contest lists no candidate.
    NoCandidates,
    /// A single-member contest where the leader has no vote.
    NoVotes,
    /// A run-off contest without exactly two candidates.
    RunoffNotTwo {
        /// Candidates the contest has.
        candidates: usize,
    },
    /// Equal remainders compete for seats and some tied lists lack their registration order,
    /// which breaks the tie (law reference §3.1).
    RemainderTieUnordered {
        /// Seats at stake.
        seats: u32,
        /// Lists tied.
        lists: usize,
        /// The tied lists without `registered`.
        unregistered: Vec<OptionRef>,
    },
    /// The allocation itself failed (e.g. more seats than supported).
    SeatAllocation(ApportionmentError),
    /// 2009 rule: one list passed and no other list exists (law reference §3.3).
    RunnerUpMissing,
    /// 2009 rule: one list passed and no other list has a vote (law reference §3.3).
    RunnerUpWithoutVotes,
    /// 2009 rule: a tie for second place (law reference §3.3, [?]).
    RunnerUpTie {
        /// The tied lists.
        tied: Vec<OptionRef>,
        /// Their votes each.
        votes: u64,
    },
    /// 2009 rule: the readings of its unknown parts give the runner-up different seats (law
    /// reference §3.3, [?]).
    RunnerUpReadings {
        /// The runner-up.
        runner_up: OptionRef,
        /// Its corrected quotient (×0.7), exact.
        corrected: Fraction,
        /// Seats by the corrected quotient's integer part.
        integer_seats: u32,
        /// Seats left after both lists' integer parts.
        remaining: u32,
        /// The distinct seat numbers the readings give, ascending.
        seats: Vec<u32>,
    },
    /// Seats allocated beyond lists' lengths (law reference §12, [?]); the rest stand.
    BeyondLists {
        /// Seats undetermined in all.
        seats: u32,
        /// The lists.
        lists: Vec<BeyondList>,
    },
    /// Presidential: the only candidate lacks an absolute majority (law reference §2, §12).
    PresidentialSoleCandidate,
    /// Presidential: a tie for the second run-off place (law reference §2, §12).
    PresidentialRunoffPlaceTie {
        /// The tied candidates.
        tied: Vec<OptionRef>,
        /// Their votes each.
        votes: u64,
    },
    /// Senate: electors or participants unknown.
    SenateElectorsUnknown,
    /// Senate: not more than half of the electors took part (law reference §6, [?]).
    SenateNoQuorum {
        /// Electors who took part.
        took_part: u64,
        /// Electors.
        electors: u64,
    },
    /// Senate: a tied run-off (law reference §6, [?]).
    SenateRunoffTie {
        /// Votes each.
        votes: u64,
    },
    /// Senate: the only candidate lacks a majority (law reference §6, [?]).
    SenateSoleCandidate,
    /// Senate: a tie for the second run-off place (law reference §6, [?]).
    SenateRunoffPlaceTie {
        /// The tied candidates.
        tied: Vec<OptionRef>,
        /// Their votes each.
        votes: u64,
    },
    /// Single-member district: a tie for first place (law reference §3.1, §12, [?]).
    DistrictTie {
        /// The tied candidates.
        tied: Vec<OptionRef>,
        /// Their votes each.
        votes: u64,
    },
    /// Akim: the leader is known, the invalid ballots are not (law reference §5, [?]).
    AkimInvalidUnknown {
        /// The leader.
        leader: OptionRef,
    },
    /// Akim: the leader has not more than half of all ballots (law reference §5, [?]).
    AkimWithoutMajority {
        /// The leader.
        leader: OptionRef,
        /// The leader's votes.
        votes: u64,
        /// All ballots: valid votes + invalid.
        ballots: u64,
    },
    /// Referendum: what is missing to decide (one or more).
    Referendum(Vec<ReferendumGap>),
}

/// What a referendum's outcome lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReferendumGap {
    /// Units with unknown counts could still tip the two-thirds test.
    UnitsUndecided {
        /// Units passing the test.
        passing: u32,
        /// Units of the test.
        units: u32,
        /// The per-unit test.
        test: UnitTest,
        /// Units required (two thirds, rounded up).
        required: u32,
        /// Units without the counts.
        unknown: u32,
    },
    /// The map has no region or city under the territory.
    NoUnits,
    /// No counts below the territory and no reported number of units in favour.
    NoUnitCounts,
    /// Registered voters or ballots issued unknown at the territory.
    ValidityUnknown,
    /// Yes votes or ballots issued unknown at the territory.
    MajorityUnknown,
}

/// The referendum's other count of those who took part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherTurnoutCount {
    /// The `ballots_found` line.
    BallotsFound,
    /// yes + no + invalid + not_counted.
    BallotLinesSum,
}

impl OtherTurnoutCount {
    /// How the English sentence names it.
    pub fn name(self) -> &'static str {
        match self {
            OtherTurnoutCount::BallotsFound => "ballots_found",
            OtherTurnoutCount::BallotLinesSum => "yes + no + invalid + not_counted",
        }
    }
}

/// Something a reader must know that does not change the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    /// Referendum: validity or the national majority flips with the other count of
    /// participants (law reference §1, §8.1).
    TurnoutCountMatters {
        /// Ballots issued (the count used).
        ballots_issued: Option<u64>,
        /// Validity by ballots issued.
        valid: Option<bool>,
        /// Yes-majority by ballots issued.
        majority: Option<bool>,
        /// The other count.
        other: OtherTurnoutCount,
        /// Its value.
        other_count: Option<u64>,
        /// Validity by the other count.
        valid_other: Option<bool>,
        /// Yes-majority by the other count.
        majority_other: Option<bool>,
    },
    /// Referendum: the package's map has another number of regions and cities than the map in
    /// force on the day (law reference §1, §9).
    MapDiffers {
        /// Units on the package's map.
        units: u32,
        /// The election day.
        date: String,
        /// Units on the map in force.
        expected: u32,
        /// Units required on the package's map.
        required: u32,
        /// Units required on the map in force.
        required_expected: u32,
    },
    /// Referendum: children of the territory that are not units of the two-thirds test.
    UnitsExcluded {
        /// The units.
        units: Vec<UnitRef>,
    },
    /// The rule set applied was not the law on the election day.
    RuleSetNotInForce {
        /// Applied.
        applied: RuleSetId,
        /// The election day.
        date: String,
        /// The law in force on that day.
        in_force: RuleSetId,
    },
    /// No Kazakh rule set is known for the election day.
    NoRuleSetOnDate {
        /// Applied.
        applied: RuleSetId,
        /// The election day.
        date: String,
    },
}

/// `a, b, c` from the options' ids.
fn ids(options: &[OptionRef]) -> String {
    options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", ")
}

impl Undetermined {
    /// A stable name of the case, for programs (kebab-case).
    pub fn code(&self) -> &'static str {
        match self {
            Undetermined::ByLaw(_) => "by-law",
            Undetermined::NoCounts => "no-counts",
            Undetermined::VotesUnknown { .. } => "votes-unknown",
            Undetermined::VotesOverflow => "votes-overflow",
            Undetermined::NoValidVotes => "no-valid-votes",
            Undetermined::NoCandidates => "no-candidates",
            Undetermined::NoVotes => "no-votes",
            Undetermined::RunoffNotTwo { .. } => "runoff-not-two",
            Undetermined::RemainderTieUnordered { .. } => "remainder-tie-unordered",
            Undetermined::SeatAllocation(_) => "seat-allocation",
            Undetermined::RunnerUpMissing => "runner-up-missing",
            Undetermined::RunnerUpWithoutVotes => "runner-up-without-votes",
            Undetermined::RunnerUpTie { .. } => "runner-up-tie",
            Undetermined::RunnerUpReadings { .. } => "runner-up-readings",
            Undetermined::BeyondLists { .. } => "beyond-lists",
            Undetermined::PresidentialSoleCandidate => "presidential-sole-candidate",
            Undetermined::PresidentialRunoffPlaceTie { .. } => "presidential-runoff-place-tie",
            Undetermined::SenateElectorsUnknown => "senate-electors-unknown",
            Undetermined::SenateNoQuorum { .. } => "senate-no-quorum",
            Undetermined::SenateRunoffTie { .. } => "senate-runoff-tie",
            Undetermined::SenateSoleCandidate => "senate-sole-candidate",
            Undetermined::SenateRunoffPlaceTie { .. } => "senate-runoff-place-tie",
            Undetermined::DistrictTie { .. } => "district-tie",
            Undetermined::AkimInvalidUnknown { .. } => "akim-invalid-unknown",
            Undetermined::AkimWithoutMajority { .. } => "akim-without-majority",
            Undetermined::Referendum(_) => "referendum",
        }
    }

    /// True when the law itself leaves the case open (the sentence starts "undetermined by
    /// law"), false when the package lacks data.
    pub fn by_law(&self) -> bool {
        use Undetermined as U;
        match self {
            U::ByLaw(_)
            | U::RunnerUpMissing
            | U::RunnerUpWithoutVotes
            | U::RunnerUpTie { .. }
            | U::RunnerUpReadings { .. }
            | U::BeyondLists { .. }
            | U::PresidentialSoleCandidate
            | U::PresidentialRunoffPlaceTie { .. }
            | U::SenateNoQuorum { .. }
            | U::SenateRunoffTie { .. }
            | U::SenateSoleCandidate
            | U::SenateRunoffPlaceTie { .. }
            | U::DistrictTie { .. }
            | U::AkimWithoutMajority { .. } => true,
            U::NoCounts
            | U::VotesUnknown { .. }
            | U::VotesOverflow
            | U::NoValidVotes
            | U::NoCandidates
            | U::NoVotes
            | U::RunoffNotTwo { .. }
            | U::RemainderTieUnordered { .. }
            | U::SeatAllocation(_)
            | U::SenateElectorsUnknown
            | U::AkimInvalidUnknown { .. }
            | U::Referendum(_) => false,
        }
    }
}

impl fmt::Display for Undetermined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undetermined::ByLaw(why) => write!(f, "undetermined by law: {why}"),
            Undetermined::NoCounts => {
                f.write_str("undetermined: the package has no counts for this contest")
            }
            Undetermined::VotesUnknown { options } => write!(
                f,
                "undetermined: votes for {} are unknown in some protocols",
                ids(options)
            ),
            Undetermined::VotesOverflow => {
                f.write_str("undetermined: the votes add up to more than 2^64")
            }
            Undetermined::NoValidVotes => f.write_str("undetermined: no valid votes were cast"),
            Undetermined::NoCandidates => f.write_str("undetermined: the contest has no candidates"),
            Undetermined::NoVotes => f.write_str("undetermined: no candidate received a vote"),
            Undetermined::RunoffNotTwo { candidates } => write!(
                f,
                "undetermined: a run-off is between exactly two candidates, this contest has {candidates}"
            ),
            Undetermined::RemainderTieUnordered { seats, lists, unregistered } => write!(
                f,
                "undetermined: equal remainders decide {seats} seat(s) among {lists} lists, and the package does not give the registration order (registered = N) of {}, which the law uses to break the tie",
                ids(unregistered)
            ),
            Undetermined::SeatAllocation(e) => write!(f, "undetermined: {e}"),
            Undetermined::RunnerUpMissing => f.write_str("undetermined by law: only one list passed the threshold and there is no runner-up to admit under the 2009 rule (law reference §3.3)"),
            Undetermined::RunnerUpWithoutVotes => f.write_str("undetermined by law: only one list passed the threshold and no other list has a vote, so the 2009 runner-up rule has no runner-up (law reference §3.3)"),
            Undetermined::RunnerUpTie { tied, votes } => write!(
                f,
                "undetermined by law: {} tie for second place at {votes} votes, and the 2009 runner-up rule does not say which is admitted (law reference §3.3, [?])",
                ids(tied)
            ),
            Undetermined::RunnerUpReadings { runner_up, corrected, integer_seats, remaining, seats } => write!(
                f,
                "undetermined by law: only one list passed the threshold, so the 2009 rule admits the runner-up {}; its corrected quotient {} gives {integer_seats} seat(s) by the integer part, and {remaining} seat(s) remain; depending on whether it takes part in the remainder round and how remainder seats are shared, it gets {} seats, and the law's text on this was not found (law reference §3.3, [?])",
                runner_up.id,
                corrected.to_decimal_string(4),
                seats.iter().map(u32::to_string).collect::<Vec<_>>().join(" or ")
            ),
            Undetermined::BeyondLists { seats, lists } => {
                let notes: Vec<String> = lists
                    .iter()
                    .map(|l| {
                        format!(
                            "{} is allocated {} seat(s) but its list has {} candidate(s), so {} seat(s) are beyond its list",
                            l.list.id, l.seats, l.candidates, l.beyond
                        )
                    })
                    .collect();
                write!(
                    f,
                    "undetermined by law for {seats} seat(s): {}; what happens to a seat no candidate of its list can take is not known (law reference §12, [?]); every other seat stands",
                    notes.join("; ")
                )
            }
            Undetermined::PresidentialSoleCandidate => f.write_str("undetermined by law: the only candidate lacks an absolute majority and a run-off needs two candidates; the law reference has no rule for this case (law reference §2, §12)"),
            Undetermined::PresidentialRunoffPlaceTie { tied, votes } => write!(
                f,
                "undetermined by law: {} tie at {votes} votes for a run-off place; the law's tie rule was not found (law reference §2, §12)",
                ids(tied)
            ),
            Undetermined::SenateElectorsUnknown => f.write_str("undetermined: the number of electors (registered) or of electors who took part (ballots_issued) is unknown, so neither the quorum nor the majority can be decided"),
            Undetermined::SenateNoQuorum { took_part, electors } => write!(
                f,
                "undetermined by law: only {took_part} of {electors} electors took part, not more than half, so the vote lacks its quorum; what follows a vote without quorum is not in the law reference (§6, [?])"
            ),
            Undetermined::SenateRunoffTie { votes } => write!(
                f,
                "undetermined by law: the run-off is tied at {votes} votes each; the law reference has no rule for a tied Senate run-off (§6, [?])"
            ),
            Undetermined::SenateSoleCandidate => f.write_str("undetermined by law: the only candidate lacks more than half of the votes of the electors who took part, and a run-off needs two candidates; the law reference has no rule for this (§6, [?])"),
            Undetermined::SenateRunoffPlaceTie { tied, votes } => write!(
                f,
                "undetermined by law: {} tie at {votes} votes for a run-off place; the law reference has no tie rule (§6, [?])",
                ids(tied)
            ),
            Undetermined::DistrictTie { tied, votes } => write!(
                f,
                "undetermined by law: {} are tied at {votes} votes; the law's rule for a tie was not found (law reference §3.1, §12, [?])",
                ids(tied)
            ),
            Undetermined::AkimInvalidUnknown { leader } => write!(
                f,
                "undetermined: {} leads, but the invalid ballots are unknown, and an akim's winner is determined only with more than half of all ballots (valid + invalid), since a run-off rule is not excluded (law reference §5, [?])",
                leader.id
            ),
            Undetermined::AkimWithoutMajority { leader, votes, ballots } => write!(
                f,
                "undetermined by law: {} leads with {votes} of {ballots} ballots, not more than half; plurality is only assumed for akims [L], and whether a run-off follows, or what \"against all\" does, is not known (law reference §5, [?])",
                leader.id
            ),
            Undetermined::Referendum(gaps) => {
                f.write_str("undetermined: ")?;
                for (i, g) in gaps.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{g}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for ReferendumGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferendumGap::UnitsUndecided { passing, units, test, required, unknown } => write!(
                f,
                "{passing} of {units} units pass the {} test, {required} are required, and {unknown} units lack the counts to decide",
                test.name()
            ),
            ReferendumGap::NoUnits => f.write_str("units.csv lists no regions or cities of republican significance (kind \"region\" or \"city\") under the territory, so the two-thirds test cannot be applied"),
            ReferendumGap::NoUnitCounts => f.write_str("the package has no counts below the territory and no reported_units_in_favour, so the two-thirds test cannot be evaluated"),
            ReferendumGap::ValidityUnknown => f.write_str("registered voters or ballots issued (took part) are unknown at the territory, so validity cannot be decided"),
            ReferendumGap::MajorityUnknown => f.write_str("yes votes or ballots issued are unknown at the territory"),
        }
    }
}

impl Warning {
    /// A stable name of the case, for programs (kebab-case).
    pub fn code(&self) -> &'static str {
        match self {
            Warning::TurnoutCountMatters { .. } => "turnout-count-matters",
            Warning::MapDiffers { .. } => "map-differs",
            Warning::UnitsExcluded { .. } => "units-excluded",
            Warning::RuleSetNotInForce { .. } => "rule-set-not-in-force",
            Warning::NoRuleSetOnDate { .. } => "no-rule-set-on-date",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |v: &Option<u64>| v.map_or("unknown".to_owned(), |v| v.to_string());
        let valid = |v: &Option<bool>| if *v == Some(true) { "valid" } else { "not valid" };
        let has = |v: &Option<bool>| if *v == Some(true) { "has" } else { "does not have" };
        match self {
            Warning::TurnoutCountMatters {
                ballots_issued,
                valid: v,
                majority,
                other,
                other_count,
                valid_other,
                majority_other,
            } => write!(
                f,
                "the result depends on which count of those who took part is used: with ballots_issued = {} the referendum is {} and yes {} more than half; with {} = {} it is {} and yes {} more than half. This outcome uses ballots_issued, the voters who received a ballot (law reference §1, §8.1); check R2 compares the ballots with ballots_found",
                count(ballots_issued),
                valid(v),
                has(majority),
                other.name(),
                count(other_count),
                valid(valid_other),
                has(majority_other),
            ),
            Warning::MapDiffers { units, date, expected, required, required_expected } => write!(
                f,
                "the package's map has {units} regions and cities of republican significance under the territory, but the map in force on {date} had {expected} (17 until 7 Jun 2022, 20 from 8 Jun 2022; law reference §1, §9): the two-thirds test here needs {required} units, on the map in force {required_expected}"
            ),
            Warning::UnitsExcluded { units } => {
                let names: Vec<String> =
                    units.iter().map(|u| format!("{} (kind \"{}\")", u.id, u.kind)).collect();
                write!(
                    f,
                    "not units of the two-thirds test, though their votes count nationally: {}; only units of kind \"region\" or \"city\" are oblasts and cities of republican significance",
                    names.join(", ")
                )
            }
            Warning::RuleSetNotInForce { applied, date, in_force } => write!(
                f,
                "the rule set applied is {applied} ({}), but on the election day {date} the law in force was {in_force} ({})",
                applied.rule_set().in_force_dates(),
                in_force.rule_set().in_force_dates()
            ),
            Warning::NoRuleSetOnDate { applied, date } => write!(
                f,
                "no Kazakh rule set is known for the election day {date}; {applied} applies from {}",
                applied.rule_set().from.unwrap_or("-")
            ),
        }
    }
}

impl RuleSet {
    /// Every statement of this rule set that an outcome can quote as
    /// [`Undetermined::ByLaw`]: why a part of the law is missing, and what it does not say
    /// when no list or only one list passes.
    pub fn statements(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut part = |p: Result<(), &'static str>| {
            if let Err(why) = p {
                out.push(why);
            }
        };
        part(self.referendum.as_ref().map(|_| ()).map_err(|e| *e));
        part(self.presidential.map(|_| ()));
        part(self.parliament_list.as_ref().map(|_| ()).map_err(|e| *e));
        part(self.maslikhat_list.as_ref().map(|_| ()).map_err(|e| *e));
        part(self.parliament_district.as_ref().map(|_| ()).map_err(|e| *e));
        part(self.maslikhat_district.as_ref().map(|_| ()).map_err(|e| *e));
        part(self.akim.as_ref().map(|_| ()).map_err(|e| *e));
        part(self.senate.map(|_| ()));
        for lists in [&self.parliament_list, &self.maslikhat_list].into_iter().flatten() {
            out.push(lists.no_list);
            if let OneListPasses::Unknown(why) = lists.one_list {
                out.push(why);
            }
        }
        out.sort();
        out.dedup();
        out
    }
}
