//! Assertions on Kazakhstan's legal base: the linear inequalities over vote totals that together
//! imply a contest's reported legal outcome, in the form SHANGRLA audits (P. B. Stark, "Sets of
//! Half-Average Nulls Generate Risk-Limiting Audits: SHANGRLA", Voting'20, 2020).
//!
//! Every assertion here is linear: `G = β·(ballots cast) + Σ_j c_j·v_j > 0` with integer
//! coefficients, where `v_j` are the option lines of the protocol and β applies to every ballot
//! (every voter who took part). Each ballot contributes `g(b) = β + c_j` (a vote for option j)
//! or `β` (invalid, not counted, or not found), so `g ∈ [g_min, g_max]` and the SHANGRLA assorter
//! is the affine map `h = (g − g_min)/(−2 g_min)`, whose mean exceeds ½ exactly when `G > 0`
//! (M. Blom et al., "Assertion-based Approaches to Auditing Complex Elections, with Application
//! to Party-List Proportional Elections", E-Vote-ID 2021, §3). Integer coefficients keep the
//! legal comparison exact: shares are never rounded.
//!
//! The assertions per contest kind (law digest §1–§3, rules in `ashyq_core::rules`):
//! - presidential, elected in round 1: winner > ½ of (candidate votes + against all);
//!   a run-off: no candidate > ½, and each run-off candidate beats every other candidate;
//! - single-member: the winner beats every other candidate ("against all" has no effect);
//! - party list: every passing list ≥ t of (list votes + against all), every failing list < t;
//!   then, given the passing set, the Hare largest-remainder allocation `s`, which holds exactly
//!   when for every passing list A with `s_A ≥ 1` and every other passing list B the value of
//!   A's last seat exceeds that of B's next seat: `v_A/Q − (s_A − 1) > v_B/Q − s_B` with
//!   `Q = V/S`, i.e. `S(v_A − v_B) + (s_B − s_A + 1)·V > 0` (V = votes of the passing lists,
//!   S = seats; the pairwise form of M. Blom, P. B. Stark, P. J. Stuckey, V. Teague,
//!   D. Vukcevic, "Auditing Hamiltonian Elections", FC 2021 Workshops, with Kazakhstan's
//!   threshold on the base of list votes + against all);
//! - referendum: yes > ½ of the participants (ballots issued: invalid and not-counted ballots,
//!   and ballots not found, count against), nationally and in the ⌈2n/3⌉ units in favour with
//!   the largest margins (enough to confirm the territorial test); a rejection is confirmed by
//!   the national no-majority, or by enough units without a yes-majority.
//!
//! Ties (a zero margin) give an assertion that cannot be confirmed: the audit escalates to a full
//! hand count, which is the only way to settle a tie.

use ashyq_core::counts::{ContestCounts, Row, Totals};
use ashyq_core::election::{Contest, Election, OptionKind, UnitTest};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::rules::{self, ContestResult, OutcomeError};
use ashyq_core::units::{UnitIdx, UnitTree};

/// What an assertion claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssertionKind {
    /// The presidential winner has more than half of the candidate votes + against all.
    Majority {
        /// Option index of the winner.
        winner: usize,
    },
    /// Nobody has more than half: the leading candidate has less than half.
    NoMajority {
        /// Option index of the leading candidate.
        leader: usize,
    },
    /// One candidate has more votes than another (single-member winner; run-off places).
    Beats {
        /// The candidate reported ahead.
        winner: usize,
        /// The candidate reported behind.
        loser: usize,
    },
    /// A list reaches the threshold.
    Passes {
        /// Option index of the list.
        list: usize,
    },
    /// A list stays below the threshold.
    Fails {
        /// Option index of the list.
        list: usize,
    },
    /// The last seat of `list` beats the next seat of `rival` under the Hare largest-remainder
    /// rule.
    HareSeat {
        /// The list whose last seat is asserted.
        list: usize,
        /// Its reported seats (≥ 1).
        seats: u32,
        /// The other passing list.
        rival: usize,
        /// The rival's reported seats.
        rival_seats: u32,
    },
    /// "Yes" has more than half of the participants in a unit (the country or a region).
    YesMajority {
        /// The unit.
        unit: UnitIdx,
    },
    /// "Yes" has no more than half of the participants in a unit.
    NoYesMajority {
        /// The unit.
        unit: UnitIdx,
    },
}

/// One linear assertion `β·ballots + Σ c_j v_j > 0` over the ballots of `unit`'s subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assertion {
    /// Index of the contest in the election.
    pub contest: usize,
    /// What it claims.
    pub kind: AssertionKind,
    /// The unit whose ballots it is about (the contest's territory, or a referendum region).
    pub unit: UnitIdx,
    /// The claim as a sentence with ids.
    pub text: String,
    /// Legal rule and paper.
    pub source: &'static str,
    /// β: added for every ballot cast (non-zero only where the base is the participants).
    pub per_ballot: i128,
    /// c_j per option of the contest.
    pub coefficients: Vec<i128>,
}

/// The number of ballots in a protocol: the largest of ballots issued, ballots found and the
/// marked ballots (options + invalid + not counted). `None` when an option line is unknown.
pub fn ballots_in(row: &[Option<u64>], n_options: usize) -> Option<u64> {
    let mut marked: u64 = 0;
    for j in 0..n_options {
        marked = marked.checked_add(row.get(Line::Option(j).column()).copied().flatten()?)?;
    }
    for p in [ProtocolLine::Invalid, ProtocolLine::NotCounted] {
        if let Some(v) = row.get(p.column()).copied().flatten() {
            marked = marked.checked_add(v)?;
        }
    }
    let issued = row.get(ProtocolLine::BallotsIssued.column()).copied().flatten().unwrap_or(0);
    let found = row.get(ProtocolLine::BallotsFound.column()).copied().flatten().unwrap_or(0);
    Some(marked.max(issued).max(found))
}

impl Assertion {
    /// `G` for one protocol row (or a rolled-up total); `None` when a line it needs is unknown.
    pub fn value(&self, row: &[Option<u64>]) -> Option<i128> {
        let mut g: i128 = 0;
        for (j, &c) in self.coefficients.iter().enumerate() {
            if c != 0 {
                let v = row.get(Line::Option(j).column()).copied().flatten()?;
                g += c * i128::from(v);
            }
        }
        if self.per_ballot != 0 {
            let issued = row.get(ProtocolLine::BallotsIssued.column()).copied().flatten()?;
            g += self.per_ballot * i128::from(issued);
        }
        Some(g)
    }

    /// Smallest contribution of one ballot.
    pub fn g_min(&self) -> i128 {
        self.per_ballot + self.coefficients.iter().copied().min().unwrap_or(0).min(0)
    }

    /// Largest contribution of one ballot.
    pub fn g_max(&self) -> i128 {
        self.per_ballot + self.coefficients.iter().copied().max().unwrap_or(0).max(0)
    }

    /// SHANGRLA's upper bound `u` of the assorter `h = (g − g_min)/(−2 g_min)`.
    pub fn assorter_upper_bound(&self) -> f64 {
        let a = self.g_min();
        if a >= 0 {
            return f64::INFINITY;
        }
        (self.g_max() - a) as f64 / (-2 * a) as f64
    }
}

/// An assertion with its reported margin.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertionMargin {
    /// The assertion.
    pub assertion: Assertion,
    /// `G` of the reported totals (> 0 when the reported outcome satisfies it).
    pub total: i128,
    /// Ballots in its unit (sum over the protocols of [`ballots_in`]).
    pub ballots: u64,
    /// The fewest ballots whose change could make it false: ⌈G / (g_max − g_min)⌉.
    pub ballots_to_flip: u64,
    /// SHANGRLA assorter margin `2·mean(h) − 1 = G / (N·(−g_min))`; for a plurality pair this is
    /// the usual diluted margin (W − L)/N.
    pub assorter_margin: f64,
    /// Upper bound of the assorter.
    pub upper_bound: f64,
}

/// Why the assertions cannot be formed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    /// No contest with this id.
    #[error("the election has no contest \"{0}\"")]
    NoContest(String),
    /// The rule set is `none`: there is no legal outcome to audit.
    #[error("contest \"{0}\" has no legal outcome (rules \"none\"): there is nothing to audit")]
    NoRules(String),
    /// The outcome is undetermined.
    #[error("contest \"{contest}\" has no determined outcome to audit: {why}")]
    Undetermined {
        /// Contest id.
        contest: String,
        /// Why.
        why: String,
    },
    /// A line the assertions need is unknown.
    #[error("contest \"{contest}\": {what} is unknown, so its assertions cannot be formed")]
    Unknown {
        /// Contest id.
        contest: String,
        /// What is missing.
        what: String,
    },
    /// The referendum's territorial test is the turnout test, which ballots cannot audit.
    #[error("contest \"{0}\": the territorial test counts turnout, which is not on the ballots; only the yes-majority test can be audited")]
    TurnoutTest(String),
    /// Summing failed.
    #[error("{0}")]
    Count(#[from] OutcomeError),
    /// An indirect election (the Senate: a region's maslikhat deputies vote) has no ballots of
    /// the public to sample.
    #[error("contest \"{0}\" is an indirect election by the region's maslikhat deputies: its few hundred ballots are counted in full, so there is nothing to audit by sampling")]
    Indirect(String),
}

const SRC_PRES: &str = "presidential.majority (Const. Law on Elections Art. 9, law digest §2); assorter: Stark 2020 (SHANGRLA) supermajority on the valid-vote base";
const SRC_RUNOFF: &str = "presidential.runoff (law digest §2); assorters: Stark 2020 (SHANGRLA)";
const SRC_SMD: &str = "single-member.plurality (Art. 9(2), law digest §3.1); assorter: Stark 2020 (SHANGRLA) plurality pair";
const SRC_THRESHOLD: &str = "party-list threshold on list votes + against all (law digest §3.1); linear assorter: Blom et al., E-Vote-ID 2021, §3";
const SRC_HARE: &str = "list.hare-largest-remainder (Art. 97, law digest §3.4); pairwise seat assertions: Blom, Stark, Stuckey, Teague, Vukcevic, Auditing Hamiltonian Elections, FC 2021";
const SRC_REF: &str = "referendum.adoption / referendum.territory (Const. Law No. 2592 Art. 31, law digest §1); assorter: Stark 2020 (SHANGRLA) majority of participants";

fn contest_id(c: &Contest) -> String {
    c.id().as_str().to_owned()
}

/// The assertions that together confirm contest `contest`'s reported legal outcome, each with
/// its margin in the reported counts.
pub fn contest_assertions(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    contest: usize,
) -> Result<Vec<AssertionMargin>, AssertionError> {
    let c = &election.contests()[contest];
    let cid = contest_id(c);
    // Only an outcome the law declares is audited: counts that fail error checks are refused.
    let outcome = rules::outcome(election, tree, counts, &Default::default())?;
    let co = &outcome.contests[contest];
    if let Some(why) = &co.undetermined {
        return Err(AssertionError::Undetermined { contest: cid, why: why.to_string() });
    }
    let n = c.options().len();
    let oid = |j: usize| c.options()[j].id.as_str().to_owned();
    let territory = c.territory();
    let mut out: Vec<Assertion> = Vec::new();
    let mk = |kind, unit, text: String, source, per_ballot, coefficients| Assertion {
        contest,
        kind,
        unit,
        text,
        source,
        per_ballot,
        coefficients,
    };
    match &co.result {
        ContestResult::NoRules => return Err(AssertionError::NoRules(cid)),
        ContestResult::Senate(_) => return Err(AssertionError::Indirect(cid)),
        ContestResult::Presidential(p) => {
            let candidates: Vec<usize> = p.candidates.iter().map(|r| r.option).collect();
            if let Some(w) = p.winner {
                if p.round == 2 {
                    for &l in candidates.iter().filter(|&&l| l != w) {
                        out.push(mk(
                            AssertionKind::Beats { winner: w, loser: l },
                            territory,
                            format!("{} has more votes than {}", oid(w), oid(l)),
                            SRC_RUNOFF,
                            0,
                            pair(n, w, l),
                        ));
                    }
                } else {
                    // 2W − (candidates + against all) > 0.
                    let coefficients = (0..n).map(|j| if j == w { 1 } else { -1 }).collect();
                    out.push(mk(
                        AssertionKind::Majority { winner: w },
                        territory,
                        format!(
                            "{} has more than 50% of the candidate votes + against all",
                            oid(w)
                        ),
                        SRC_PRES,
                        0,
                        coefficients,
                    ));
                }
            } else if let Some([a, b]) = p.runoff {
                let leader = a;
                let coefficients = (0..n).map(|j| if j == leader { -1 } else { 1 }).collect();
                out.push(mk(
                    AssertionKind::NoMajority { leader },
                    territory,
                    format!(
                        "{} has less than 50% of the candidate votes + against all (a run-off)",
                        oid(leader)
                    ),
                    SRC_RUNOFF,
                    0,
                    coefficients,
                ));
                for w in [a, b] {
                    for &l in candidates.iter().filter(|&&l| l != a && l != b) {
                        out.push(mk(
                            AssertionKind::Beats { winner: w, loser: l },
                            territory,
                            format!("{} has more votes than {} (a run-off place)", oid(w), oid(l)),
                            SRC_RUNOFF,
                            0,
                            pair(n, w, l),
                        ));
                    }
                }
            }
        }
        ContestResult::SingleMember(s) => {
            let Some(w) = s.winner else {
                return Err(AssertionError::Undetermined { contest: cid, why: "no winner".into() });
            };
            for l in (0..n).filter(|&l| l != w && c.options()[l].kind == OptionKind::Choice) {
                out.push(mk(
                    AssertionKind::Beats { winner: w, loser: l },
                    territory,
                    format!("{} has more votes than {}", oid(w), oid(l)),
                    SRC_SMD,
                    0,
                    pair(n, w, l),
                ));
            }
        }
        ContestResult::PartyList(pl) => {
            let (tn, td) = pl.threshold_percent;
            let (tn, td) = (i128::from(tn), i128::from(td));
            let pct = format_percent(pl.threshold_percent);
            for r in &pl.rows {
                let a = r.option;
                // Passes: 100d·v_A − n·(lists + against all) ≥ 0, asserted > 0.
                let sign = if r.passed { 1 } else { -1 };
                let coefficients = (0..n)
                    .map(|j| {
                        let base = sign * -tn;
                        if j == a {
                            base + sign * 100 * td
                        } else {
                            base
                        }
                    })
                    .collect();
                let (kind, text) = if r.passed {
                    (
                        AssertionKind::Passes { list: a },
                        format!("{} has at least {pct}% of the list votes + against all", oid(a)),
                    )
                } else {
                    (
                        AssertionKind::Fails { list: a },
                        format!("{} has less than {pct}% of the list votes + against all", oid(a)),
                    )
                };
                out.push(mk(kind, territory, text, SRC_THRESHOLD, 0, coefficients));
            }
            let s = i128::from(pl.seats_total);
            let passing: Vec<(usize, u32)> =
                pl.rows.iter().filter(|r| r.passed).map(|r| (r.option, r.seats)).collect();
            for &(a, sa) in passing.iter().filter(|(_, sa)| *sa >= 1) {
                for &(b, sb) in passing.iter().filter(|(b, _)| *b != a) {
                    let k = i128::from(sb) - i128::from(sa) + 1;
                    let coefficients = (0..n)
                        .map(|j| {
                            if j == a {
                                s + k
                            } else if j == b {
                                -s + k
                            } else if passing.iter().any(|&(p, _)| p == j) {
                                k
                            } else {
                                0
                            }
                        })
                        .collect();
                    out.push(mk(
                        AssertionKind::HareSeat { list: a, seats: sa, rival: b, rival_seats: sb },
                        territory,
                        format!(
                            "seat {sa} of {} beats seat {} of {} (Hare largest remainder)",
                            oid(a),
                            sb + 1,
                            oid(b)
                        ),
                        SRC_HARE,
                        0,
                        coefficients,
                    ));
                }
            }
        }
        ContestResult::Referendum(r) => {
            let yes = c.option_index("yes").ok_or_else(|| AssertionError::Unknown {
                contest: cid.clone(),
                what: "the option \"yes\"".into(),
            })?;
            let yes_coef = |for_yes: bool| -> Vec<i128> {
                (0..n)
                    .map(|j| {
                        if j == yes {
                            if for_yes {
                                2
                            } else {
                                -2
                            }
                        } else {
                            0
                        }
                    })
                    .collect()
            };
            let yes_assertion = |unit: UnitIdx, for_yes: bool| {
                let name = tree.unit(unit).id.as_str().to_owned();
                if for_yes {
                    mk(
                        AssertionKind::YesMajority { unit },
                        unit,
                        format!("\"yes\" has more than half of the participants in {name}"),
                        SRC_REF,
                        -1,
                        yes_coef(true),
                    )
                } else {
                    mk(
                        AssertionKind::NoYesMajority { unit },
                        unit,
                        format!("\"yes\" has at most half of the participants in {name}"),
                        SRC_REF,
                        1,
                        yes_coef(false),
                    )
                }
            };
            let national = r.national_majority.ok_or_else(|| AssertionError::Unknown {
                contest: cid.clone(),
                what: "the national yes-majority".into(),
            })?;
            out.push(yes_assertion(territory, national));
            if national && r.constitutional {
                if r.unit_test != UnitTest::YesMajority {
                    return Err(AssertionError::TurnoutTest(cid));
                }
                // Units by their yes-margin, largest first.
                let mut units: Vec<(i128, UnitIdx, bool)> = Vec::new();
                for u in &r.units {
                    let (Some(y), Some(t)) = (u.yes, u.took_part) else {
                        return Err(AssertionError::Unknown {
                            contest: cid,
                            what: format!(
                                "yes or participants in {}",
                                tree.unit(u.unit).id.as_str()
                            ),
                        });
                    };
                    let m = 2 * i128::from(y) - i128::from(t);
                    units.push((m, u.unit, m > 0));
                }
                let adopted_units = units.iter().filter(|u| u.2).count() as u32;
                let required = r.units_required;
                if adopted_units >= required {
                    units.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                    for &(_, u, _) in units.iter().take(required as usize) {
                        out.push(yes_assertion(u, true));
                    }
                } else {
                    // Rejected on the territory: enough units without a yes-majority.
                    let need = units.len() as u32 - required + 1;
                    units.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
                    for &(_, u, _) in units.iter().take(need as usize) {
                        out.push(yes_assertion(u, false));
                    }
                }
            }
        }
    }
    // Margins from the reported totals.
    let roll = counts[contest].roll_up(tree, territory).map_err(OutcomeError::Count)?;
    let mut res = Vec::with_capacity(out.len());
    for a in out {
        let Some(t) = roll.at(a.unit) else {
            return Err(AssertionError::Unknown {
                contest: cid,
                what: format!("the count of {}", tree.unit(a.unit).id.as_str()),
            });
        };
        let total = a.value(&t.values).ok_or_else(|| AssertionError::Unknown {
            contest: cid.clone(),
            what: "a line of the totals".into(),
        })?;
        let ballots = unit_ballots(tree, &counts[contest], a.unit, n, t).ok_or_else(|| {
            AssertionError::Unknown { contest: cid.clone(), what: "a ballot count".into() }
        })?;
        res.push(margin_of(a, total, ballots));
    }
    Ok(res)
}

/// Σ over the protocols under `unit` of their ballots (or the unit's total when it is the
/// only protocol).
fn unit_ballots(
    tree: &UnitTree,
    counts: &ContestCounts,
    unit: UnitIdx,
    n_options: usize,
    total: &Totals,
) -> Option<u64> {
    let leaves = protocol_rows(tree, counts, unit);
    if leaves.is_empty() {
        return ballots_in(&total.values, n_options);
    }
    leaves.iter().try_fold(0u64, |acc, (_, r)| acc.checked_add(ballots_in(r, n_options)?))
}

/// The protocols counted for `unit`: the rows in its subtree that have no protocol below them
/// (summary protocols of higher units are checked against their children, not counted).
pub fn protocol_rows<'a>(
    tree: &UnitTree,
    counts: &'a ContestCounts,
    unit: UnitIdx,
) -> Vec<(UnitIdx, &'a Row)> {
    let sub = tree.subtree(unit);
    let mut has_below = vec![false; tree.len()];
    for &u in sub.iter().rev() {
        let below = tree.children(u).iter().any(|&c| has_below[c] || counts.row(c).is_some());
        has_below[u] = below;
    }
    sub.iter().filter(|&&u| !has_below[u]).filter_map(|&u| counts.row(u).map(|r| (u, r))).collect()
}

fn margin_of(assertion: Assertion, total: i128, ballots: u64) -> AssertionMargin {
    let spread = assertion.g_max() - assertion.g_min();
    let ballots_to_flip = if total <= 0 || spread <= 0 {
        0
    } else {
        u64::try_from((total + spread - 1) / spread).unwrap_or(u64::MAX)
    };
    let a = assertion.g_min();
    let assorter_margin =
        if a < 0 && ballots > 0 { total as f64 / (ballots as f64 * (-a) as f64) } else { f64::NAN };
    let upper_bound = assertion.assorter_upper_bound();
    AssertionMargin { assertion, total, ballots, ballots_to_flip, assorter_margin, upper_bound }
}

fn pair(n: usize, w: usize, l: usize) -> Vec<i128> {
    (0..n)
        .map(|j| {
            if j == w {
                1
            } else if j == l {
                -1
            } else {
                0
            }
        })
        .collect()
}

/// `(n, d)` percent as text: `5`, `5.5`, `7/3`.
pub fn format_percent((n, d): (u64, u64)) -> String {
    if d == 1 {
        n.to_string()
    } else if 10u64.pow(6).checked_rem(d) == Some(0) {
        let scaled = n * (10u64.pow(6) / d);
        let s = format!("{}.{:06}", scaled / 10u64.pow(6), scaled % 10u64.pow(6));
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        format!("{n}/{d}")
    }
}

/// All contests' assertions (contests with no legal outcome or an undetermined one give an
/// error each, collected with the contest index).
pub fn all_assertions(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
) -> Vec<(usize, Result<Vec<AssertionMargin>, AssertionError>)> {
    (0..election.contests().len())
        .map(|i| (i, contest_assertions(election, tree, counts, i)))
        .collect()
}
