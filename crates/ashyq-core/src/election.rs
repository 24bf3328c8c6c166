//! The election definition: contests, their options and the rule set that governs them.
//!
//! Raw input (`*Info`, public fields, nothing checked) is validated into [`Election`] (checked,
//! read through getters). See `docs/package-format.md` for the file format.

use std::collections::HashSet;
use std::fmt;

use crate::ids::{check_id_syntax, ContestId, ElectionId, OptionId, UnitId};
use crate::line::ProtocolLine;
use crate::quote::quote;
use crate::rules::{territorial_units, RuleSetId};
use crate::units::{UnitIdx, UnitTree};

/// What is being decided. Closed set: every kind has its own outcome rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContestKind {
    /// Republican referendum: one question, options `yes` and `no`.
    Referendum,
    /// Presidential election (round 1 or run-off).
    Presidential,
    /// Party-list proportional contest (Mazhilis list tier, oblast maslikhat list half, Kurultai).
    PartyList,
    /// Single-member district by plurality (Mazhilis SMD, maslikhat SMD, akim).
    SingleMember,
    /// Senate seat (until 1 Jul 2026): an indirect election in which the electors are the
    /// maslikhat deputies of the region; quorum, absolute majority of the electors who took
    /// part, run-off between the top two (law reference §6). `registered` = electors,
    /// `ballots_issued` = electors who took part.
    Senate,
}

impl ContestKind {
    /// The package-format spelling.
    pub fn name(self) -> &'static str {
        match self {
            ContestKind::Referendum => "referendum",
            ContestKind::Presidential => "presidential",
            ContestKind::PartyList => "party-list",
            ContestKind::SingleMember => "single-member",
            ContestKind::Senate => "senate",
        }
    }

    /// Parses the package-format spelling.
    pub fn from_name(s: &str) -> Option<ContestKind> {
        Some(match s {
            "referendum" => ContestKind::Referendum,
            "presidential" => ContestKind::Presidential,
            "party-list" => ContestKind::PartyList,
            "single-member" => ContestKind::SingleMember,
            "senate" => ContestKind::Senate,
            _ => return None,
        })
    }

    /// All kinds, for help texts.
    pub const ALL: [ContestKind; 5] = [
        ContestKind::Referendum,
        ContestKind::Presidential,
        ContestKind::PartyList,
        ContestKind::SingleMember,
        ContestKind::Senate,
    ];
}

impl fmt::Display for ContestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The body or office a party-list or single-member contest elects, when it is not the national
/// parliament. The law's rules, and how sure the sources are of them, differ by body (law reference
/// §3, §4, §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Body {
    /// A maslikhat (local assembly): the list half of an oblast or republican-city maslikhat, or
    /// a maslikhat single-member district (law reference §4).
    Maslikhat,
    /// An akim (executive head) elected directly: rural akims since 2021, district and city
    /// akims since 2023 (law reference §5). Single-member contests only.
    Akim,
}

impl Body {
    /// Package spelling: `maslikhat` or `akim`.
    pub fn name(self) -> &'static str {
        match self {
            Body::Maslikhat => "maslikhat",
            Body::Akim => "akim",
        }
    }
    /// Parses the package spelling.
    pub fn from_name(s: &str) -> Option<Body> {
        match s {
            "maslikhat" => Some(Body::Maslikhat),
            "akim" => Some(Body::Akim),
            _ => None,
        }
    }
}

/// Which per-unit quantity the referendum's territorial test looks at. The sources disagree
/// (law reference §1 and §11 item 1): the 2022 CEC described a yes-majority of participants in ≥ 2/3 of
/// units \[S22\]; the CEC chair in 2026 described turnout > 50% in ≥ 2/3 of units \[S26, K18\].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitTest {
    /// `yes > took_part / 2` in the unit.
    YesMajority,
    /// `took_part > registered / 2` in the unit.
    Turnout,
}

impl UnitTest {
    /// Package spelling: `yes-majority` or `turnout`.
    pub fn name(self) -> &'static str {
        match self {
            UnitTest::YesMajority => "yes-majority",
            UnitTest::Turnout => "turnout",
        }
    }
    /// Parses the package spelling.
    pub fn from_name(s: &str) -> Option<UnitTest> {
        match s {
            "yes-majority" => Some(UnitTest::YesMajority),
            "turnout" => Some(UnitTest::Turnout),
            _ => None,
        }
    }
}

/// Whether an option is a real choice or the "against all" line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionKind {
    /// A party, a candidate, or `yes`/`no`.
    Choice,
    /// "Against all" (қарсымын / против всех): in the base of percentages, never elected.
    AgainstAll,
}

/// One option of a contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContestOption {
    /// Id; also the counts.csv line name for its votes.
    pub id: OptionId,
    /// Display name.
    pub name: String,
    /// Registration order (party lists): the earlier-registered list wins remainder ties.
    /// Optional: when a tie needs it and it is missing, the outcome is undetermined.
    pub registered: Option<u32>,
    /// Choice or against-all.
    pub kind: OptionKind,
    /// Party lists only: the number of candidates on the list, when known. The law caps a list
    /// at seats + 30% (law reference §3.1, §7); a seat allocated beyond the list's length cannot
    /// be filled, and what happens to it is not known (§12), so the outcome says so.
    pub list_length: Option<u32>,
}

/// A validated contest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contest {
    id: ContestId,
    kind: ContestKind,
    name: String,
    body: Option<Body>,
    territory: UnitIdx,
    seats: Option<u32>,
    constitutional: bool,
    unit_test: Option<UnitTest>,
    round: u32,
    threshold_percent: Option<(u64, u64)>,
    reported_units_in_favour: Option<u32>,
    options: Vec<ContestOption>,
}

impl Contest {
    /// Contest id.
    pub fn id(&self) -> &ContestId {
        &self.id
    }
    /// Contest kind.
    pub fn kind(&self) -> ContestKind {
        self.kind
    }
    /// Display name (defaults to the id).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The body elected (party-list and single-member only); `None` = the national parliament
    /// (the Mazhilis, or the Kurultai under the 2026 Constitution).
    pub fn body(&self) -> Option<Body> {
        self.body
    }
    /// The unit whose subtree holds this contest's counts.
    pub fn territory(&self) -> UnitIdx {
        self.territory
    }
    /// Seats to fill (party-list only).
    pub fn seats(&self) -> Option<u32> {
        self.seats
    }
    /// Referendum only: is this a constitutional question (two-thirds-of-units test applies)?
    pub fn constitutional(&self) -> bool {
        self.constitutional
    }
    /// Referendum only: per-unit test chosen by the package; `None` = the rule set's default.
    pub fn unit_test(&self) -> Option<UnitTest> {
        self.unit_test
    }
    /// Presidential and Senate: 1 for the first round, 2 for a run-off.
    pub fn round(&self) -> u32 {
        self.round
    }
    /// Party-list only: threshold override as a fraction of a percent `(numer, denom)`, for
    /// "what if" studies; `None` = the rule set's threshold.
    pub fn threshold_percent(&self) -> Option<(u64, u64)> {
        self.threshold_percent
    }
    /// Referendum only: the number of units in favour as officially reported, used only when
    /// the package has no counts below the territory (documented in the package provenance).
    pub fn reported_units_in_favour(&self) -> Option<u32> {
        self.reported_units_in_favour
    }
    /// Options in package order.
    pub fn options(&self) -> &[ContestOption] {
        &self.options
    }
    /// Finds an option by id.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id.as_str() == id)
    }
    /// The against-all option, if the ballot has one.
    pub fn against_all(&self) -> Option<usize> {
        self.options.iter().position(|o| o.kind == OptionKind::AgainstAll)
    }
}

/// A validated election: identity, rule set and contests over a unit tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Election {
    id: ElectionId,
    name: String,
    date: String,
    rules: RuleSetId,
    contests: Vec<Contest>,
    /// Translated names by (target, language).
    names: std::collections::BTreeMap<(NameTarget, String), String>,
}

impl Election {
    /// Election id.
    pub fn id(&self) -> &ElectionId {
        &self.id
    }
    /// Display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Election day, ISO 8601 `YYYY-MM-DD`.
    pub fn date(&self) -> &str {
        &self.date
    }
    /// Rule set.
    pub fn rules(&self) -> RuleSetId {
        self.rules
    }
    /// Contests in package order (at least one).
    pub fn contests(&self) -> &[Contest] {
        &self.contests
    }
    /// Finds a contest by id.
    pub fn contest_index(&self, id: &str) -> Option<usize> {
        self.contests.iter().position(|c| c.id.as_str() == id)
    }
    /// A copy with another rule set, for "what if" comparisons.
    pub fn with_rules(&self, rules: RuleSetId) -> Election {
        Election { rules, ..self.clone() }
    }
}

/// Unvalidated election header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElectionInfo {
    /// See [`Election::id`].
    pub id: String,
    /// See [`Election::name`].
    pub name: String,
    /// See [`Election::date`].
    pub date: String,
    /// Rule-set id as text (`kz-2007`, `kz-2022`, `kz-2026`, `none`).
    pub rules: String,
    /// Contests.
    pub contests: Vec<ContestInfo>,
    /// Names in other languages (package `names.csv`), in file order.
    pub names: Vec<NameInfo>,
}

/// An unvalidated translated name: of the election, a contest, an option or a unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameInfo {
    /// `election`, `contest`, `option` or `unit`.
    pub kind: String,
    /// The contest id, `CONTEST/OPTION`, or the unit id (empty for the election).
    pub id: String,
    /// Language: a lowercase ISO 639 code (`kk`, `ru`, `en` …).
    pub lang: String,
    /// The name in that language.
    pub name: String,
}

/// What a translated name names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameTarget {
    /// The election.
    Election,
    /// A contest (index).
    Contest(usize),
    /// An option (contest index, option index).
    Option(usize, usize),
    /// A unit (index in the tree).
    Unit(UnitIdx),
}

/// Unvalidated contest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContestInfo {
    /// Contest id.
    pub id: String,
    /// Kind as text.
    pub kind: String,
    /// Optional display name.
    pub name: Option<String>,
    /// The body elected: `maslikhat` or `akim` (absent = the national parliament).
    pub body: Option<String>,
    /// Territory unit id.
    pub territory: String,
    /// Seats (party-list).
    pub seats: Option<i64>,
    /// Constitutional referendum flag (default true).
    pub constitutional: Option<bool>,
    /// Referendum per-unit test override.
    pub unit_test: Option<String>,
    /// Presidential or Senate round (default 1).
    pub round: Option<i64>,
    /// Party-list threshold override in percent, as decimal text (e.g. "7", "3.5").
    pub threshold_percent: Option<String>,
    /// Officially reported number of units in favour (referendum, national-only packages).
    pub reported_units_in_favour: Option<i64>,
    /// Options.
    pub options: Vec<OptionInfo>,
}

/// Unvalidated option.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionInfo {
    /// Option id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Registration order.
    pub registered: Option<i64>,
    /// `against-all` or absent.
    pub kind: Option<String>,
    /// Party lists only: number of candidates on the list.
    pub list_length: Option<i64>,
}

/// Where in the election definition a problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The `[election]` table.
    Election,
    /// The n-th `[[contest]]` (0-based).
    Contest(usize),
    /// Option `option` (0-based) of contest `contest` (0-based).
    Option {
        /// Contest index.
        contest: usize,
        /// Option index.
        option: usize,
    },
    /// The n-th translated name (0-based, in the order of `ElectionInfo::names`).
    Name(usize),
}

/// One problem found while validating an [`ElectionInfo`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionProblem {
    /// Where.
    pub place: Place,
    /// The field name as in the file (`rules`, `seats`, …).
    pub field: &'static str,
    /// A sentence saying what is wrong.
    pub message: String,
}

/// Parses a decimal percentage like `5`, `7.0` or `3.25` into an exact fraction `(n, d)`.
pub fn parse_percent(s: &str) -> Option<(u64, u64)> {
    let s = s.trim();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 {
        return None;
    }
    let denom = 10u64.pow(frac.len() as u32);
    let int_v: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_v: u64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let numer = int_v.checked_mul(denom)?.checked_add(frac_v)?;
    if numer > 100 * denom {
        return None;
    }
    Some((numer, denom))
}

impl Election {
    /// Validates the definition against the unit tree. Returns every problem found.
    pub fn try_from_info(
        info: ElectionInfo,
        tree: &UnitTree,
    ) -> Result<Election, Vec<DefinitionProblem>> {
        let mut problems = Vec::new();
        let mut p = |place: Place, field: &'static str, message: String| {
            problems.push(DefinitionProblem { place, field, message })
        };
        if let Err(m) = check_id_syntax(&info.id) {
            p(Place::Election, "id", format!("election {m}"));
        }
        if !is_iso_date(&info.date) {
            p(
                Place::Election,
                "date",
                format!("date {} is not a calendar date in the form YYYY-MM-DD", quote(&info.date)),
            );
        }
        let rules = match RuleSetId::from_name(&info.rules) {
            Some(r) => r,
            None => {
                p(
                    Place::Election,
                    "rules",
                    format!(
                        "unknown rule set {}; known rule sets: {}",
                        quote(&info.rules),
                        RuleSetId::ALL.map(|r| r.name()).join(", ")
                    ),
                );
                RuleSetId::None
            }
        };
        if info.contests.is_empty() {
            p(Place::Election, "contest", "the election has no [[contest]]".to_owned());
        }
        let mut contest_ids = HashSet::new();
        let mut contests = Vec::new();
        for (ci, c) in info.contests.into_iter().enumerate() {
            let here = Place::Contest(ci);
            if let Err(m) = check_id_syntax(&c.id) {
                p(here.clone(), "id", format!("contest {m}"));
            } else if !contest_ids.insert(c.id.clone()) {
                p(here.clone(), "id", format!("contest id {} is used twice", quote(&c.id)));
            }
            let kind = ContestKind::from_name(&c.kind);
            if kind.is_none() {
                p(
                    here.clone(),
                    "kind",
                    format!(
                        "unknown contest kind {}; known kinds: {}",
                        quote(&c.kind),
                        ContestKind::ALL.map(|k| k.name()).join(", ")
                    ),
                );
            }
            let territory = tree.index_of(&c.territory);
            if territory.is_none() {
                p(
                    here.clone(),
                    "territory",
                    format!("territory {} is not a unit in units.csv", quote(&c.territory)),
                );
            }
            let is = |k: ContestKind| kind == Some(k);
            let body = match &c.body {
                None => None,
                Some(b) => match Body::from_name(b) {
                    None => {
                        p(here.clone(), "body", format!("body {} is neither \"maslikhat\" nor \"akim\" (leave it out for the national parliament)", quote(b)));
                        None
                    }
                    Some(Body::Akim) if !is(ContestKind::SingleMember) => {
                        p(
                            here.clone(),
                            "body",
                            "body = \"akim\" is allowed only in single-member contests".to_owned(),
                        );
                        None
                    }
                    Some(Body::Maslikhat)
                        if !is(ContestKind::SingleMember) && !is(ContestKind::PartyList) =>
                    {
                        p(here.clone(), "body", "body = \"maslikhat\" is allowed only in party-list and single-member contests".to_owned());
                        None
                    }
                    Some(b) => Some(b),
                },
            };
            let seats = match c.seats {
                Some(s) if !is(ContestKind::PartyList) => {
                    p(
                        here.clone(),
                        "seats",
                        format!("seats = {s} is allowed only in party-list contests"),
                    );
                    None
                }
                Some(s) if !(1..=100_000).contains(&s) => {
                    p(here.clone(), "seats", format!("seats = {s} is not between 1 and 100000"));
                    None
                }
                Some(s) => Some(s as u32),
                None if is(ContestKind::PartyList) => {
                    p(here.clone(), "seats", "a party-list contest needs seats = N".to_owned());
                    None
                }
                None => None,
            };
            if c.constitutional.is_some() && !is(ContestKind::Referendum) {
                p(
                    here.clone(),
                    "constitutional",
                    "constitutional is allowed only in referendum contests".to_owned(),
                );
            }
            if c.reported_units_in_favour.is_some() && !is(ContestKind::Referendum) {
                p(
                    here.clone(),
                    "reported_units_in_favour",
                    "reported_units_in_favour is allowed only in referendum contests".to_owned(),
                );
            }
            let reported_units_in_favour = match c.reported_units_in_favour {
                Some(n) if n < 0 || n > u32::MAX as i64 => {
                    p(
                        here.clone(),
                        "reported_units_in_favour",
                        format!("reported_units_in_favour = {n} is not a non-negative count"),
                    );
                    None
                }
                Some(n) => {
                    // The units of the two-thirds test: regions and cities of republican
                    // significance directly under the territory (law reference §1).
                    let units = territory.map_or(0, |t| territorial_units(tree, t).counted.len());
                    if is(ContestKind::Referendum) && n as usize > units {
                        p(
                            here.clone(),
                            "reported_units_in_favour",
                            format!("reported_units_in_favour = {n} is more than the {units} regions and cities of republican significance under the territory in units.csv"),
                        );
                        None
                    } else {
                        Some(n as u32)
                    }
                }
                None => None,
            };
            let unit_test = match &c.unit_test {
                Some(_) if !is(ContestKind::Referendum) => {
                    p(
                        here.clone(),
                        "unit_test",
                        "unit_test is allowed only in referendum contests".to_owned(),
                    );
                    None
                }
                Some(t) => match UnitTest::from_name(t) {
                    Some(t) => Some(t),
                    None => {
                        p(
                            here.clone(),
                            "unit_test",
                            format!(
                                "unit_test {} is neither \"yes-majority\" nor \"turnout\"",
                                quote(t)
                            ),
                        );
                        None
                    }
                },
                None => None,
            };
            let round = match c.round {
                Some(_) if !is(ContestKind::Presidential) && !is(ContestKind::Senate) => {
                    p(
                        here.clone(),
                        "round",
                        "round is allowed only in presidential and senate contests".to_owned(),
                    );
                    1
                }
                Some(r) if r == 1 || r == 2 => r as u32,
                Some(r) => {
                    p(
                        here.clone(),
                        "round",
                        format!("round = {r} is neither 1 nor 2 (2 = run-off)"),
                    );
                    1
                }
                None => 1,
            };
            let threshold_percent = match &c.threshold_percent {
                Some(_) if !is(ContestKind::PartyList) => {
                    p(
                        here.clone(),
                        "threshold_percent",
                        "threshold_percent is allowed only in party-list contests".to_owned(),
                    );
                    None
                }
                Some(t) => match parse_percent(t) {
                    Some(f) => Some(f),
                    None => {
                        p(
                            here.clone(),
                            "threshold_percent",
                            format!(
                                "threshold_percent {} is not a percentage between 0 and 100",
                                quote(t)
                            ),
                        );
                        None
                    }
                },
                None => None,
            };
            let mut options = Vec::new();
            let mut option_ids = HashSet::new();
            let mut registered_seen = HashSet::new();
            for (oi, o) in c.options.into_iter().enumerate() {
                let here = Place::Option { contest: ci, option: oi };
                if let Err(m) = check_id_syntax(&o.id) {
                    p(here.clone(), "id", format!("option {m}"));
                } else if ProtocolLine::from_name(&o.id).is_some() {
                    p(here.clone(), "id", format!("option id {} collides with the protocol line of that name; choose another id", quote(&o.id)));
                } else if !option_ids.insert(o.id.clone()) {
                    p(
                        here.clone(),
                        "id",
                        format!(
                            "option id {} is used twice in contest {}",
                            quote(&o.id),
                            quote(&c.id)
                        ),
                    );
                }
                let okind = match o.kind.as_deref() {
                    None => OptionKind::Choice,
                    Some("against-all") => OptionKind::AgainstAll,
                    Some(other) => {
                        p(here.clone(), "kind", format!("option kind {} is unknown; the only option kind is \"against-all\"", quote(other)));
                        OptionKind::Choice
                    }
                };
                let registered = match o.registered {
                    Some(_) if !is(ContestKind::PartyList) => {
                        p(
                            here.clone(),
                            "registered",
                            "registered is allowed only in party-list contests".to_owned(),
                        );
                        None
                    }
                    Some(_) if okind == OptionKind::AgainstAll => {
                        p(
                            here.clone(),
                            "registered",
                            "\"against all\" is not a registered list".to_owned(),
                        );
                        None
                    }
                    Some(r) if r < 1 || r > u32::MAX as i64 => {
                        p(
                            here.clone(),
                            "registered",
                            format!("registered = {r} is not a positive number"),
                        );
                        None
                    }
                    Some(r) => {
                        if !registered_seen.insert(r) {
                            p(here.clone(), "registered", format!("registered = {r} is given to two lists; registration order must be unambiguous"));
                        }
                        Some(r as u32)
                    }
                    None => None,
                };
                let list_length = match o.list_length {
                    Some(_) if !is(ContestKind::PartyList) => {
                        p(
                            here.clone(),
                            "list_length",
                            "list_length is allowed only in party-list contests".to_owned(),
                        );
                        None
                    }
                    Some(_) if okind == OptionKind::AgainstAll => {
                        p(
                            here.clone(),
                            "list_length",
                            "\"against all\" has no list of candidates".to_owned(),
                        );
                        None
                    }
                    Some(n) if !(0..=1_000_000).contains(&n) => {
                        p(
                            here.clone(),
                            "list_length",
                            format!("list_length = {n} is not between 0 and 1000000"),
                        );
                        None
                    }
                    Some(n) => Some(n as u32),
                    None => None,
                };
                options.push(ContestOption {
                    id: OptionId::new(o.id),
                    name: o.name,
                    registered,
                    kind: okind,
                    list_length,
                });
            }
            if options.iter().filter(|o| o.kind == OptionKind::AgainstAll).count() > 1 {
                p(
                    here.clone(),
                    "option",
                    "a contest can have only one \"against all\" option".to_owned(),
                );
            }
            if is(ContestKind::Referendum) {
                let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                if ids.len() != 2 || !ids.contains(&"yes") || !ids.contains(&"no") {
                    p(here.clone(), "option", format!("a referendum has exactly two options with ids \"yes\" and \"no\", found [{}]", ids.iter().take(10).map(|i| quote(i)).collect::<Vec<_>>().join(", ")));
                }
            } else if kind.is_some() && options.iter().all(|o| o.kind != OptionKind::Choice) {
                p(
                    here.clone(),
                    "option",
                    "the contest has no candidate or party option".to_owned(),
                );
            }
            if let (Some(kind), Some(territory)) = (kind, territory) {
                contests.push(Contest {
                    name: c.name.unwrap_or_else(|| c.id.clone()),
                    id: ContestId::new(c.id),
                    kind,
                    body,
                    territory,
                    seats,
                    constitutional: c.constitutional.unwrap_or(true),
                    unit_test,
                    round,
                    threshold_percent,
                    reported_units_in_favour,
                    options,
                });
            }
        }
        let mut names = std::collections::BTreeMap::new();
        for (i, n) in info.names.into_iter().enumerate() {
            let here = Place::Name(i);
            if !is_language(&n.lang) {
                p(
                    here.clone(),
                    "lang",
                    format!(
                        "language {} is not a lowercase ISO 639 code such as kk, ru or en",
                        quote(&n.lang)
                    ),
                );
                continue;
            }
            if n.name.trim().is_empty() {
                p(here.clone(), "name", "the name is empty".to_owned());
                continue;
            }
            let contest_of = |id: &str| contests.iter().position(|c| c.id.as_str() == id);
            let target = match n.kind.as_str() {
                "election" if n.id.is_empty() || n.id == info.id => Some(NameTarget::Election),
                "contest" => contest_of(&n.id).map(NameTarget::Contest),
                "option" => n.id.split_once('/').and_then(|(c, o)| {
                    let ci = contest_of(c)?;
                    let oi = contests[ci].options.iter().position(|x| x.id.as_str() == o)?;
                    Some(NameTarget::Option(ci, oi))
                }),
                "unit" => tree.index_of(&n.id).map(NameTarget::Unit),
                "election" => None,
                other => {
                    p(
                        here.clone(),
                        "kind",
                        format!(
                            "kind {} is not one of election, contest, option, unit",
                            quote(other)
                        ),
                    );
                    continue;
                }
            };
            let Some(target) = target else {
                p(
                    here.clone(),
                    "id",
                    format!("{} {} is not in the definition", n.kind, quote(&n.id)),
                );
                continue;
            };
            if names.insert((target, n.lang.clone()), n.name).is_some() {
                p(
                    here,
                    "lang",
                    format!("{} {} already has a name in {}", n.kind, quote(&n.id), quote(&n.lang)),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Election {
            id: ElectionId::new(info.id),
            name: info.name,
            date: info.date,
            rules,
            contests,
            names,
        })
    }
}

/// A lowercase ISO 639 language code (two or three letters).
fn is_language(s: &str) -> bool {
    (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase())
}

impl Election {
    /// The raw definition this election was validated from, with every field: the inverse of
    /// [`Election::try_from_info`] (`try_from_info(e.to_info(tree), tree) == e`). Fields that
    /// hold their default are written as absent (a contest name equal to its id, round 1, a
    /// non-referendum's `constitutional`), exactly as a package would leave them out.
    pub fn to_info(&self, tree: &UnitTree) -> ElectionInfo {
        ElectionInfo {
            id: self.id.to_string(),
            name: self.name.clone(),
            date: self.date.clone(),
            rules: self.rules.name().to_owned(),
            contests: self.contests.iter().map(|c| c.to_info(tree)).collect(),
            names: self.name_infos(tree),
        }
    }

    /// The translated names in their raw form, in a canonical order (by target, then language).
    pub fn name_infos(&self, tree: &UnitTree) -> Vec<NameInfo> {
        self.names
            .iter()
            .map(|((target, lang), name)| {
                let (kind, id) = match *target {
                    NameTarget::Election => ("election", String::new()),
                    NameTarget::Contest(c) => ("contest", self.contests[c].id.to_string()),
                    NameTarget::Option(c, o) => (
                        "option",
                        format!("{}/{}", self.contests[c].id, self.contests[c].options[o].id),
                    ),
                    NameTarget::Unit(u) => ("unit", tree.unit(u).id.to_string()),
                };
                NameInfo { kind: kind.to_owned(), id, lang: lang.clone(), name: name.clone() }
            })
            .collect()
    }

    /// Every translation of one name: (language, name), by language.
    pub fn translations_of(&self, target: NameTarget) -> Vec<(&str, &str)> {
        self.names
            .range((target, String::new())..)
            .take_while(|((t, _), _)| *t == target)
            .map(|((_, lang), name)| (lang.as_str(), name.as_str()))
            .collect()
    }

    /// The translation of a name into `lang`, if the package gives one.
    pub fn translation(&self, target: NameTarget, lang: &str) -> Option<&str> {
        self.names.get(&(target, lang.to_owned())).map(String::as_str)
    }

    /// The name to show in `lang`: the package's translation when it has one, else the
    /// package's own name (of the election, contest, option or unit).
    pub fn display_name(&self, tree: &UnitTree, target: NameTarget, lang: &str) -> String {
        if let Some(t) = self.translation(target, lang) {
            return t.to_owned();
        }
        match target {
            NameTarget::Election => self.name.clone(),
            NameTarget::Contest(c) => self.contests[c].name.clone(),
            NameTarget::Option(c, o) => self.contests[c].options[o].name.clone(),
            NameTarget::Unit(u) => tree.unit(u).name.clone(),
        }
    }
}

impl Contest {
    /// The raw definition of this contest (see [`Election::to_info`]).
    pub fn to_info(&self, tree: &UnitTree) -> ContestInfo {
        let referendum = self.kind == ContestKind::Referendum;
        ContestInfo {
            id: self.id.to_string(),
            kind: self.kind.name().to_owned(),
            name: (self.name != self.id.as_str()).then(|| self.name.clone()),
            body: self.body.map(|b| b.name().to_owned()),
            territory: tree.unit(self.territory).id.to_string(),
            seats: self.seats.map(i64::from),
            constitutional: referendum.then_some(self.constitutional),
            unit_test: self.unit_test.map(|t| t.name().to_owned()),
            round: (self.round != 1).then_some(i64::from(self.round)),
            threshold_percent: self.threshold_percent.map(|(n, d)| decimal(n, d)),
            reported_units_in_favour: self.reported_units_in_favour.map(i64::from),
            options: self
                .options
                .iter()
                .map(|o| OptionInfo {
                    id: o.id.to_string(),
                    name: o.name.clone(),
                    registered: o.registered.map(i64::from),
                    kind: (o.kind == OptionKind::AgainstAll).then(|| "against-all".to_owned()),
                    list_length: o.list_length.map(i64::from),
                })
                .collect(),
        }
    }
}

/// `n/d` (d a power of ten, as [`parse_percent`] makes it) as decimal text: `(325, 100)` →
/// `3.25`.
pub fn decimal(n: u64, d: u64) -> String {
    if d <= 1 {
        return n.to_string();
    }
    let places = d.ilog10() as usize;
    format!("{}.{:0places$}", n / d, n % d)
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Convenience for tests and generators: a unit id list is enough to reference territories.
pub fn unit_id(tree: &UnitTree, idx: UnitIdx) -> &UnitId {
    &tree.unit(idx).id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_parsing_is_exact() {
        assert_eq!(parse_percent("5"), Some((5, 1)));
        assert_eq!(parse_percent("3.25"), Some((325, 100)));
        assert_eq!(parse_percent(".5"), Some((5, 10)));
        assert_eq!(parse_percent("101"), None);
        assert_eq!(parse_percent("5%"), None);
        assert_eq!(parse_percent("-1"), None);
    }

    fn tree() -> UnitTree {
        let u = |id: &str, parent: &str, kind: &str| crate::units::UnitInfo {
            id: id.into(),
            parent: parent.into(),
            kind: kind.into(),
            name: id.into(),
        };
        UnitTree::new(vec![
            u("KZ", "", "country"),
            u("R1", "KZ", "region"),
            u("R2", "KZ", "city"),
            u("ABROAD", "KZ", "abroad"),
            u("D1", "R1", "district"),
        ])
        .unwrap()
    }

    fn opt(id: &str) -> OptionInfo {
        OptionInfo { id: id.into(), name: id.to_uppercase(), ..Default::default() }
    }

    /// A definition that uses every field of `ElectionInfo`, `ContestInfo` and `OptionInfo`.
    fn full_info() -> ElectionInfo {
        ElectionInfo {
            names: Vec::new(),
            id: "kz-test".into(),
            name: "Every field".into(),
            date: "2023-03-19".into(),
            rules: "kz-2022".into(),
            contests: vec![
                ContestInfo {
                    id: "ref".into(),
                    kind: "referendum".into(),
                    name: Some("A question".into()),
                    territory: "KZ".into(),
                    constitutional: Some(false),
                    unit_test: Some("turnout".into()),
                    reported_units_in_favour: Some(2),
                    options: vec![opt("yes"), opt("no")],
                    ..Default::default()
                },
                ContestInfo {
                    id: "list".into(),
                    kind: "party-list".into(),
                    body: Some("maslikhat".into()),
                    territory: "R1".into(),
                    seats: Some(16),
                    threshold_percent: Some("3.50".into()),
                    options: vec![
                        OptionInfo { registered: Some(2), list_length: Some(21), ..opt("p1") },
                        OptionInfo { registered: Some(1), ..opt("p2") },
                        OptionInfo { kind: Some("against-all".into()), ..opt("against-all") },
                    ],
                    ..Default::default()
                },
                ContestInfo {
                    id: "akim".into(),
                    kind: "single-member".into(),
                    body: Some("akim".into()),
                    territory: "D1".into(),
                    options: vec![opt("a"), opt("b")],
                    ..Default::default()
                },
                ContestInfo {
                    id: "pres".into(),
                    kind: "presidential".into(),
                    territory: "KZ".into(),
                    round: Some(2),
                    options: vec![opt("a"), opt("b")],
                    ..Default::default()
                },
                ContestInfo {
                    id: "senate".into(),
                    kind: "senate".into(),
                    territory: "R1".into(),
                    round: Some(2),
                    options: vec![opt("x"), opt("y")],
                    ..Default::default()
                },
            ],
        }
    }

    #[test]
    fn to_info_round_trips_every_field() {
        let tree = tree();
        let info = full_info();
        let e = Election::try_from_info(info.clone(), &tree).unwrap();
        // Written back exactly as given (every field here differs from its default).
        assert_eq!(e.to_info(&tree), info);
        assert_eq!(Election::try_from_info(e.to_info(&tree), &tree).unwrap(), e);
        assert_eq!(e.contests()[1].body(), Some(Body::Maslikhat));
        assert_eq!(e.contests()[1].options()[0].list_length, Some(21));
        // Defaults are written as absent: a contest name equal to its id, round 1, and a
        // referendum's constitutional flag (always written, as it defaults to true).
        let mut plain = full_info();
        plain.contests[3].round = Some(1);
        plain.contests[3].name = Some("pres".into());
        let e = Election::try_from_info(plain, &tree).unwrap();
        let back = e.to_info(&tree);
        assert_eq!((back.contests[3].round, back.contests[3].name.as_deref()), (None, None));
        assert_eq!(Election::try_from_info(back, &tree).unwrap(), e);
    }

    #[test]
    fn reported_units_cannot_exceed_the_units_of_the_test() {
        // Under KZ: R1 (region) and R2 (city) are units of the test; ABROAD is not.
        let tree = tree();
        let mut info = full_info();
        info.contests[0].reported_units_in_favour = Some(3);
        let problems = Election::try_from_info(info, &tree).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "reported_units_in_favour");
        assert!(problems[0].message.contains("more than the 2 regions and cities"), "{problems:?}");
    }

    #[test]
    fn fields_belong_to_their_kinds() {
        let tree = tree();
        let mut info = full_info();
        info.contests[3].body = Some("akim".into()); // presidential
        info.contests[2].body = Some("senate".into()); // unknown body
        info.contests[2].options[0].list_length = Some(3); // single-member
        let fields: Vec<&str> =
            Election::try_from_info(info, &tree).unwrap_err().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["body", "list_length", "body"]);
    }

    #[test]
    fn messages_quote_at_most_200_bytes_of_input() {
        let tree = tree();
        let mut info = full_info();
        info.rules = "x".repeat(100_000);
        info.contests[0].territory = "y".repeat(100_000);
        for p in Election::try_from_info(info, &tree).unwrap_err() {
            assert!(p.message.len() < 400, "{} bytes: {}", p.message.len(), p.field);
        }
    }

    #[test]
    fn dates_are_checked() {
        assert!(is_iso_date("2024-02-29"));
        assert!(!is_iso_date("2023-02-29"));
        assert!(!is_iso_date("2023-13-01"));
        assert!(!is_iso_date("19-03-2023"));
    }
}
