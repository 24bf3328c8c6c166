//! The one model behind every CDF export: ids, names, types and numbers are decided here, and the
//! writers (`json.rs`, `xml.rs`, `civics.rs`) only spell them in their vocabulary.
//!
//! Mapping (also in `docs/converters.md`):
//! - units → `ReportingUnit`s in package order, `ComposingGpUnitIds` = children; `Type` = the
//!   kind when CDF has it, polling stations → `polling-place`, else `other` + `OtherType`;
//!   identifiers: `ocd-id` (when vouched for), `local-level` = the package id;
//!   `VotersRegistered`/`VotersParticipated` (= registered / ballots issued, law digest §8.1) when
//!   every protocol at the unit gives the same number;
//! - referendum → `BallotMeasureContest` (`Type = referendum`) with `BallotMeasureSelection`s;
//!   presidential → `CandidateContest` (`VoteVariation = majority`, `NumberRunoff = 2` in round 1:
//!   a run-off between the top two, law digest §2 \[S5\]\[S16\]\[S19\]); single-member →
//!   `CandidateContest` (`plurality`, law digest §3.1 \[S1\]\[S8\]); party list → `PartyContest`
//!   (`proportional`) with one `Party` per list; candidates get a `Person` with their full name;
//!   "against all" is a text selection (`BallotMeasureSelection` in NIST, `NoneOfTheAboveBallotSelection`
//!   in Google's profile) in every kind, since it is neither a party nor a candidate;
//! - votes → `VoteCounts` (`Type = total`) at the protocol's unit; ballots cast (= ballots found
//!   in the boxes) and rejected (= invalid) → `BallotCounts` of the election where every protocol at
//!   the unit agrees (NIST has no per-contest ballot counts), `SummaryCounts` per contest in
//!   Google's profile; every protocol line of every contest also → an Ashyq extension count.

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::{Contest as CoreContest, ContestKind, Election, OptionKind};
use ashyq_core::line::{Line, ProtocolLine};
use ashyq_core::units::UnitTree;

use super::{
    check_generated_date, check_language_tag, ocd_step, ExportError, ExportOptions, LanguageText,
    Named, STATION_KINDS,
};

/// Prefix of every Ashyq extension `OtherType`.
pub(crate) const EXT_PREFIX: &str = "ashyq-";

/// CDF `ReportingUnitType`s (NIST v2 and Google's profile have the same list): a unit kind with
/// one of these names is its `Type`.
pub(crate) const UNIT_TYPES: &[&str] = &[
    "ballot-batch",
    "ballot-style-area",
    "borough",
    "city",
    "city-council",
    "combined-precinct",
    "congressional",
    "country",
    "county",
    "county-council",
    "drop-box",
    "judicial",
    "municipality",
    "polling-place",
    "precinct",
    "school",
    "special",
    "split-precinct",
    "state",
    "state-house",
    "state-senate",
    "town",
    "township",
    "utility",
    "village",
    "vote-center",
    "ward",
    "water",
];

/// An `InternationalizedText`: one text per language, at least one.
pub(crate) type Intl = Vec<LanguageText>;

/// `IdentifierType` of an `ExternalIdentifier`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IdType {
    Ocd,
    LocalLevel,
    /// `other` with this `OtherType`.
    Other(String),
}

impl IdType {
    pub(crate) fn name(&self) -> &str {
        match self {
            IdType::Ocd => "ocd-id",
            IdType::LocalLevel => "local-level",
            IdType::Other(_) => "other",
        }
    }

    pub(crate) fn other_type(&self) -> Option<&str> {
        match self {
            IdType::Other(o) => Some(o),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ExtId {
    pub(crate) ty: IdType,
    pub(crate) value: String,
}

fn ashyq(name: &str, value: impl ToString) -> ExtId {
    ExtId { ty: IdType::Other(format!("{EXT_PREFIX}{name}")), value: value.to_string() }
}

pub(crate) struct Unit {
    pub(crate) object_id: String,
    pub(crate) name: Intl,
    pub(crate) ty: String,
    pub(crate) other_type: Option<String>,
    pub(crate) composing: Vec<String>,
    pub(crate) ext: Vec<ExtId>,
    pub(crate) voters_registered: Option<u64>,
    pub(crate) voters_participated: Option<u64>,
}

pub(crate) struct Party {
    pub(crate) object_id: String,
    pub(crate) stable_id: String,
    pub(crate) name: Intl,
    pub(crate) ext: Vec<ExtId>,
    /// The territory of its contest (`PartyScopeGpUnitIds`).
    pub(crate) scope: String,
}

pub(crate) struct Person {
    pub(crate) object_id: String,
    pub(crate) stable_id: String,
    pub(crate) full_name: Intl,
}

pub(crate) struct Candidate {
    pub(crate) object_id: String,
    pub(crate) stable_id: String,
    pub(crate) ballot_name: Intl,
    pub(crate) person: String,
    pub(crate) ext: Vec<ExtId>,
}

pub(crate) enum ContestType {
    BallotMeasure,
    Candidate { number_runoff: Option<u32>, vote_variation: &'static str },
    Party { seats: Option<u32> },
}

pub(crate) enum Choice {
    Candidate(String),
    Party(String),
    /// A choice that is only a text: `yes`/`no`, "against all".
    Text {
        selection: Intl,
        against_all: bool,
    },
}

pub(crate) struct Selection {
    pub(crate) object_id: String,
    pub(crate) stable_id: String,
    pub(crate) sequence: usize,
    pub(crate) choice: Choice,
    /// Identifiers of a text choice (parties and candidates carry theirs).
    pub(crate) ext: Vec<ExtId>,
    /// (unit index, votes), in unit order.
    pub(crate) votes: Vec<(usize, u64)>,
}

/// Ballots cast (found in the boxes) and rejected (invalid) at a unit.
pub(crate) struct BallotTotals {
    /// Unit index (its object id is `Report::units[unit].object_id`).
    pub(crate) unit: usize,
    pub(crate) cast: Option<u64>,
    pub(crate) rejected: Option<u64>,
}

pub(crate) struct Contest {
    pub(crate) object_id: String,
    pub(crate) stable_id: String,
    pub(crate) ty: ContestType,
    pub(crate) name: String,
    pub(crate) title: Intl,
    pub(crate) district: String,
    pub(crate) sequence: usize,
    pub(crate) ext: Vec<ExtId>,
    pub(crate) selections: Vec<Selection>,
    /// Per protocol of this contest.
    pub(crate) summary: Vec<BallotTotals>,
    /// Every protocol line: (unit index, line, value).
    pub(crate) lines: Vec<(usize, ProtocolLine, u64)>,
    /// The contest's Ashyq id (extension counts name it).
    pub(crate) ashyq_id: String,
}

pub(crate) struct Report {
    pub(crate) generated: String,
    pub(crate) status: &'static str,
    pub(crate) issuer: String,
    pub(crate) issuer_abbreviation: String,
    pub(crate) vendor: String,
    pub(crate) election_stable_id: String,
    pub(crate) election_name: Intl,
    pub(crate) date: String,
    pub(crate) election_type: &'static str,
    pub(crate) election_other_type: Option<&'static str>,
    pub(crate) scope: String,
    pub(crate) election_ext: Vec<ExtId>,
    pub(crate) units: Vec<Unit>,
    pub(crate) parties: Vec<Party>,
    pub(crate) persons: Vec<Person>,
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) contests: Vec<Contest>,
    /// Election-wide ballot counts where unambiguous.
    pub(crate) ballot_counts: Vec<BallotTotals>,
}

/// Encodes an Ashyq id for use inside an XML `ID` and a Google stable id (`[A-Za-z0-9_-]`):
/// letters, digits and `-` stay, every other byte becomes `_` and two hex digits (`.` → `_2E`).
/// The result never contains `__`, so `a__b` joins two encoded ids unambiguously.
pub(crate) fn enc(id: &str) -> String {
    let mut s = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            s.push(b as char);
        } else {
            s.push_str(&format!("_{b:02X}"));
        }
    }
    s
}

fn texts(opts: &ExportOptions<'_>, of: Named<'_>) -> Result<Intl, ExportError> {
    let t = opts.names.texts(of);
    let err = |message: String| ExportError::Name { what: of.describe(), message };
    if t.is_empty() {
        return Err(err("no text in any language".to_owned()));
    }
    for (i, x) in t.iter().enumerate() {
        check_language_tag(&x.language).map_err(err)?;
        if x.text.trim().is_empty() {
            return Err(err(format!("the \"{}\" text is empty", x.language)));
        }
        if t[..i].iter().any(|y| y.language.eq_ignore_ascii_case(&x.language)) {
            return Err(err(format!("two texts in \"{}\"", x.language)));
        }
    }
    Ok(t)
}

/// The value of `line` shared by every protocol at a unit, or `None` when one lacks it or two
/// differ.
fn agreed(rows: &[&[Option<u64>]], line: ProtocolLine) -> Option<u64> {
    let mut it = rows.iter().map(|r| r[line.column()]);
    let first = it.next()??;
    it.all(|v| v == Some(first)).then_some(first)
}

pub(crate) fn build(
    election: &Election,
    tree: &UnitTree,
    counts: &[ContestCounts],
    opts: &ExportOptions<'_>,
) -> Result<Report, ExportError> {
    check_generated_date(opts.generated)?;
    if opts.issuer.trim().is_empty() || opts.issuer_abbreviation.trim().is_empty() {
        return Err(ExportError::Option("the issuer and its abbreviation may not be empty".into()));
    }
    let contests = election.contests();
    if counts.len() != contests.len() {
        return Err(ExportError::Counts(format!(
            "{} contests but counts for {}",
            contests.len(),
            counts.len()
        )));
    }
    for (c, cc) in contests.iter().zip(counts) {
        let want = ProtocolLine::COUNT + c.options().len();
        if cc.n_columns() != want {
            return Err(ExportError::Counts(format!(
                "contest {} has {want} columns but its counts have {}",
                c.id(),
                cc.n_columns()
            )));
        }
        if let Some((u, _)) = cc.rows().find(|&(u, _)| u >= tree.len()) {
            return Err(ExportError::Counts(format!(
                "contest {} has a protocol at unit index {u}, beyond the {} units",
                c.id(),
                tree.len()
            )));
        }
    }
    let eid = enc(election.id().as_str());
    let stable = |oid: &str| format!("{eid}__{oid}");
    let unit_oid: Vec<String> =
        tree.units().iter().map(|u| format!("ru-{}", enc(u.id.as_str()))).collect();

    // Protocol rows at each unit, over all contests.
    let mut rows_at: Vec<Vec<&[Option<u64>]>> = vec![Vec::new(); tree.len()];
    for cc in counts {
        for (u, row) in cc.rows() {
            rows_at[u].push(row.as_slice());
        }
    }

    // OCD-IDs, parents before children.
    let mut ocd: Vec<Option<String>> = vec![None; tree.len()];
    for &u in tree.topological_order() {
        let parent = tree.unit(u).parent;
        let parent_ocd = parent.and_then(|p| ocd[p].clone());
        ocd[u] = ocd_step(tree, u, parent_ocd.as_deref(), parent.is_none());
    }

    let mut units = Vec::with_capacity(tree.len());
    for (i, u) in tree.units().iter().enumerate() {
        let station = STATION_KINDS.contains(&u.kind.as_str());
        let (ty, other_type, kind_ext) = if station {
            ("polling-place".to_owned(), None, u.kind != "polling-place")
        } else if UNIT_TYPES.contains(&u.kind.as_str()) {
            (u.kind.clone(), None, false)
        } else {
            let other = if u.kind.trim().is_empty() { "unit" } else { u.kind.as_str() };
            ("other".to_owned(), Some(other.to_owned()), other != u.kind)
        };
        let mut ext = Vec::new();
        if let Some(o) = ocd[i].as_deref().filter(|o| opts.ocd_ids.contains(o)) {
            ext.push(ExtId { ty: IdType::Ocd, value: o.to_owned() });
        }
        ext.push(ExtId { ty: IdType::LocalLevel, value: u.id.as_str().to_owned() });
        if kind_ext {
            ext.push(ashyq("kind", &u.kind));
        }
        let rows = &rows_at[i];
        units.push(Unit {
            object_id: unit_oid[i].clone(),
            name: texts(opts, Named::Unit(u))?,
            ty,
            other_type,
            composing: tree.children(i).iter().map(|&c| unit_oid[c].clone()).collect(),
            ext,
            voters_registered: agreed(rows, ProtocolLine::Registered),
            voters_participated: agreed(rows, ProtocolLine::BallotsIssued),
        });
    }
    let ballot_counts = (0..tree.len())
        .filter(|&i| !rows_at[i].is_empty())
        .map(|i| BallotTotals {
            unit: i,
            cast: agreed(&rows_at[i], ProtocolLine::BallotsFound),
            rejected: agreed(&rows_at[i], ProtocolLine::Invalid),
        })
        .filter(|b| b.cast.is_some() || b.rejected.is_some())
        .collect();

    let mut parties = Vec::new();
    let mut persons = Vec::new();
    let mut candidates = Vec::new();
    let mut out_contests = Vec::new();
    for (ci, (c, cc)) in contests.iter().zip(counts).enumerate() {
        let cid = enc(c.id().as_str());
        let object_id = format!("c-{cid}");
        let territory = unit_oid[c.territory()].clone();
        let ty = match c.kind() {
            ContestKind::Referendum => ContestType::BallotMeasure,
            // The Senate is an indirect election by majority with a run-off (law reference §6).
            ContestKind::Presidential | ContestKind::Senate => ContestType::Candidate {
                number_runoff: (c.round() == 1).then_some(2),
                vote_variation: "majority",
            },
            ContestKind::SingleMember => {
                ContestType::Candidate { number_runoff: None, vote_variation: "plurality" }
            }
            ContestKind::PartyList => ContestType::Party { seats: c.seats() },
        };
        let mut selections = Vec::new();
        for (oi, o) in c.options().iter().enumerate() {
            let oid = format!("{cid}__{}", enc(o.id.as_str()));
            let mut oext = vec![ashyq("id", o.id.as_str())];
            if let Some(r) = o.registered {
                oext.push(ashyq("registered", r));
            }
            if let Some(l) = o.list_length {
                oext.push(ashyq("list-length", l));
            }
            let name = texts(opts, Named::Option(c, o))?;
            let against_all = o.kind == OptionKind::AgainstAll;
            if against_all {
                oext.push(ashyq("option-kind", "against-all"));
            }
            let (choice, sel_ext) = match c.kind() {
                _ if against_all => (Choice::Text { selection: name, against_all }, oext),
                ContestKind::Referendum => (Choice::Text { selection: name, against_all }, oext),
                ContestKind::PartyList => {
                    let pid = format!("p-{oid}");
                    parties.push(Party {
                        stable_id: stable(&pid),
                        object_id: pid.clone(),
                        name,
                        ext: oext,
                        scope: territory.clone(),
                    });
                    (Choice::Party(pid), Vec::new())
                }
                ContestKind::Presidential | ContestKind::SingleMember | ContestKind::Senate => {
                    let kid = format!("k-{oid}");
                    let person = format!("pe-{oid}");
                    persons.push(Person {
                        stable_id: stable(&person),
                        object_id: person.clone(),
                        full_name: name.clone(),
                    });
                    candidates.push(Candidate {
                        stable_id: stable(&kid),
                        object_id: kid.clone(),
                        ballot_name: name,
                        person,
                        ext: oext,
                    });
                    (Choice::Candidate(kid), Vec::new())
                }
            };
            let votes = cc
                .rows()
                .filter_map(|(u, row)| row[Line::Option(oi).column()].map(|v| (u, v)))
                .collect();
            let sid = format!("s-{oid}");
            selections.push(Selection {
                stable_id: stable(&sid),
                object_id: sid,
                sequence: oi + 1,
                choice,
                ext: sel_ext,
                votes,
            });
        }
        let summary = cc
            .rows()
            .map(|(u, row)| BallotTotals {
                unit: u,
                cast: row[ProtocolLine::BallotsFound.column()],
                rejected: row[ProtocolLine::Invalid.column()],
            })
            .filter(|b| b.cast.is_some() || b.rejected.is_some())
            .collect();
        let lines = cc
            .rows()
            .flat_map(|(u, row)| {
                ProtocolLine::ALL
                    .into_iter()
                    .filter_map(move |l| row[l.column()].map(|v| (u, l, v)))
            })
            .collect();
        out_contests.push(Contest {
            stable_id: stable(&object_id),
            object_id,
            ty,
            name: texts(opts, Named::Contest(c))?[0].text.clone(),
            title: texts(opts, Named::Contest(c))?,
            district: territory,
            sequence: ci + 1,
            ext: contest_ext(c),
            selections,
            summary,
            lines,
            ashyq_id: c.id().as_str().to_owned(),
        });
    }

    let all_runoff = !contests.is_empty() && contests.iter().all(|c| c.round() > 1);
    let all_referendum =
        !contests.is_empty() && contests.iter().all(|c| c.kind() == ContestKind::Referendum);
    let (election_type, election_other_type) = if all_runoff {
        ("runoff", None)
    } else if all_referendum {
        // Not `referendum`: Google's profile refuses an `OtherType` that is the value of any
        // CDF enumeration (`BallotMeasureType` has `referendum`); the law's own name it is.
        ("other", Some("republican-referendum"))
    } else {
        ("general", None)
    };
    Ok(Report {
        generated: opts.generated.to_owned(),
        status: opts.status.name(),
        issuer: opts.issuer.to_owned(),
        issuer_abbreviation: opts.issuer_abbreviation.to_owned(),
        vendor: format!("ashyq {}", env!("CARGO_PKG_VERSION")),
        election_stable_id: format!("el-{eid}"),
        election_name: texts(opts, Named::Election(election))?,
        date: election.date().to_owned(),
        election_type,
        election_other_type,
        scope: unit_oid[scope(election, tree)].clone(),
        election_ext: vec![ashyq("id", election.id()), ashyq("rules", election.rules().name())],
        units,
        parties,
        persons,
        candidates,
        contests: out_contests,
        ballot_counts,
    })
}

/// The contest's parameters that CDF has no field for.
fn contest_ext(c: &CoreContest) -> Vec<ExtId> {
    let mut ext = vec![ashyq("id", c.id()), ashyq("kind", c.kind().name())];
    if let Some(s) = c.seats() {
        ext.push(ashyq("seats", s));
    }
    if c.kind() == ContestKind::Referendum {
        ext.push(ashyq("constitutional", c.constitutional()));
        if let Some(t) = c.unit_test() {
            ext.push(ashyq("unit-test", t.name()));
        }
        if let Some(r) = c.reported_units_in_favour() {
            ext.push(ashyq("reported-units-in-favour", r));
        }
    }
    if c.round() != 1 {
        ext.push(ashyq("round", c.round()));
    }
    if let Some(b) = c.body() {
        ext.push(ashyq("body", b.name()));
    }
    if let Some((n, d)) = c.threshold_percent() {
        let places = d.ilog10() as usize;
        let t = if d == 1 { n.to_string() } else { format!("{}.{:0places$}", n / d, n % d) };
        ext.push(ashyq("threshold-percent", t));
    }
    ext
}

/// `ElectionScopeId`: the smallest unit containing every contest's territory (the first
/// contest's root when they lie in different trees).
fn scope(election: &Election, tree: &UnitTree) -> usize {
    let mut paths = election.contests().iter().map(|c| tree.path(c.territory()));
    let Some(mut common) = paths.next() else { return 0 };
    let first_root = common[0];
    for p in paths {
        let n = common.iter().zip(&p).take_while(|(a, b)| a == b).count();
        common.truncate(n);
    }
    common.last().copied().unwrap_or(first_root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_ids_are_xml_names_and_stable_ids_and_join_unambiguously() {
        assert_eq!(enc("KZ-AKM"), "KZ-AKM");
        assert_eq!(enc("a.b:c_d"), "a_2Eb_3Ac_5Fd");
        for id in ["a_", "_a", "a__b", "x.y", "1:2"] {
            let e = enc(id);
            assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{e}");
            assert!(!e.contains("__"), "{id} → {e}");
        }
        // ("a_", "b") and ("a", "_b") stay apart.
        assert_ne!(format!("{}__{}", enc("a_"), enc("b")), format!("{}__{}", enc("a"), enc("_b")));
    }

    #[test]
    fn agreement_needs_every_protocol() {
        let a = vec![Some(5); ProtocolLine::COUNT];
        let mut b = a.clone();
        assert_eq!(agreed(&[&a, &b], ProtocolLine::Registered), Some(5));
        b[ProtocolLine::Registered.column()] = Some(6);
        assert_eq!(agreed(&[&a, &b], ProtocolLine::Registered), None);
        b[ProtocolLine::Registered.column()] = None;
        assert_eq!(agreed(&[&a, &b], ProtocolLine::Registered), None);
        assert_eq!(agreed(&[], ProtocolLine::Registered), None);
    }
}
