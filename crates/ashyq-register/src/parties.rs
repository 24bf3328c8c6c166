//! Registration of a political party (law digest §7, \[S32\]\[S31\]).
//!
//! Since the 2022 reform a party needs **5,000 members** (was 20,000), an **initiative group of
//! 700** citizens (was 1,000), a **founding congress within 3 months** (was 2), and **regional
//! branches of at least 200 members** (was 600) **in every region** (the oblasts, the cities of
//! republican significance and the capital: 20 units since 8 June 2022, §9), registered
//! **within 1 year** (was 6 months). Confidence **H** for the 2022 figures, **M** for the older
//! ones (the digest's "history" row).
//!
//! What the digest does not say, and this module therefore takes as an explicit reading: the
//! 3-month term runs from the initiative group's formation (its notification), the 1-year term
//! from the party's state registration. Terms in months are counted by the civil-law rule of
//! [`Date::add_months`].

use std::collections::BTreeMap;

use ashyq_core::iin::Date;
use serde::Deserialize;

use crate::finding::Finding;

const SOURCE_2022: &str = "law digest §7, Law on Political Parties as amended 2022 [S32][S31] (H)";
const SOURCE_HISTORY: &str = "law digest §7, thresholds before 2022 [S3][S32] (M)";
const SOURCE_TERMS: &str =
    "law digest §7 [S32][S31] (H for the length of the term; its starting event is this module's reading)";

/// The thresholds of one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartyRules {
    /// Name of the rule set.
    pub name: &'static str,
    /// Members at least.
    pub members: u64,
    /// Members of each regional branch at least.
    pub branch_members: u64,
    /// Citizens in the initiative group at least.
    pub initiative_group: u64,
    /// Months from the initiative group to the founding congress at most.
    pub congress_months: u32,
    /// Months from state registration to the branches' registration at most.
    pub branch_months: u32,
    /// Source of the thresholds.
    pub source: &'static str,
}

impl PartyRules {
    /// From the 2022 reform on.
    pub const KZ_2022: PartyRules = PartyRules {
        name: "kz-2022",
        members: 5_000,
        branch_members: 200,
        initiative_group: 700,
        congress_months: 3,
        branch_months: 12,
        source: SOURCE_2022,
    };
    /// Before the 2022 reform (20,000 members since the 2009–2021 rules; 600 per branch).
    pub const BEFORE_2022: PartyRules = PartyRules {
        name: "kz-2007",
        members: 20_000,
        branch_members: 600,
        initiative_group: 1_000,
        congress_months: 2,
        branch_months: 6,
        source: SOURCE_HISTORY,
    };

    /// By name (`kz-2022`, `kz-2007`).
    pub fn from_name(name: &str) -> Option<PartyRules> {
        [PartyRules::KZ_2022, PartyRules::BEFORE_2022].into_iter().find(|r| r.name == name)
    }
}

/// A regional branch.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branch {
    /// Region (unit id, e.g. `KZ-AST`).
    pub region: String,
    /// Members of the branch.
    pub members: u64,
    /// When the branch was registered, if it has been.
    #[serde(default, with = "crate::serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub registered: Option<Date>,
}

/// A party's registration file (JSON: these keys, dates `YYYY-MM-DD`; `name`,
/// `state_registration` and `branches` may be left out).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyApplication {
    /// Party name.
    #[serde(default)]
    pub name: String,
    /// Members.
    pub members: u64,
    /// Citizens in the initiative group.
    pub initiative_group: u64,
    /// When the initiative group was formed (notified).
    #[serde(with = "crate::serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub initiative_group_formed: Date,
    /// When the founding congress was held.
    #[serde(with = "crate::serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub founding_congress: Date,
    /// When the party was registered by the state, if it has been.
    #[serde(default, with = "crate::serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub state_registration: Option<Date>,
    /// Regional branches.
    #[serde(default)]
    pub branches: Vec<Branch>,
}

/// Checks a party's registration file against `rules`, with `regions` the units that must
/// each have a branch and `as_of` the day of the check (a branch not yet registered is a
/// failure only once its term has run out).
pub fn check_party(
    app: &PartyApplication,
    regions: &[String],
    rules: &PartyRules,
    as_of: Date,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let src = rules.source;
    if app.members < rules.members {
        out.push(Finding::fails(
            "P1",
            src,
            format!(
                "the party has {} members; at least {} are required",
                app.members, rules.members
            ),
        ));
    }
    if app.initiative_group < rules.initiative_group {
        out.push(Finding::fails(
            "P2",
            src,
            format!(
                "the initiative group has {} citizens; at least {} are required",
                app.initiative_group, rules.initiative_group
            ),
        ));
    }
    match app.initiative_group_formed.add_months(rules.congress_months) {
        Some(deadline) if app.founding_congress > deadline => out.push(Finding::fails(
            "P3",
            SOURCE_TERMS,
            format!(
                "the founding congress was held on {}, after {deadline}, {} months from the initiative group ({})",
                app.founding_congress, rules.congress_months, app.initiative_group_formed
            ),
        )),
        _ => {}
    }
    if app.founding_congress < app.initiative_group_formed {
        out.push(Finding::fails(
            "P3",
            SOURCE_TERMS,
            format!(
                "the founding congress ({}) is dated before the initiative group ({})",
                app.founding_congress, app.initiative_group_formed
            ),
        ));
    }
    let mut by_region: BTreeMap<&str, Vec<&Branch>> = BTreeMap::new();
    for b in &app.branches {
        by_region.entry(b.region.as_str()).or_default().push(b);
    }
    for (region, bs) in &by_region {
        if !regions.iter().any(|r| r == region) {
            out.push(Finding::fails(
                "P4",
                src,
                format!(
                    "the branch in {region} is not in a region (the regions are {})",
                    regions.join(", ")
                ),
            ));
        }
        if bs.len() > 1 {
            out.push(Finding::fails(
                "P4",
                src,
                format!("{} branches are listed for {region}; a region has one", bs.len()),
            ));
        }
    }
    let deadline = app.state_registration.and_then(|d| d.add_months(rules.branch_months));
    for region in regions {
        let Some(b) = by_region.get(region.as_str()).and_then(|v| v.first()) else {
            let due = deadline.is_none_or(|d| as_of > d);
            if due {
                out.push(Finding::fails(
                    "P4",
                    src,
                    format!("there is no branch in {region}; every region needs one"),
                ));
            }
            continue;
        };
        if b.members < rules.branch_members {
            out.push(Finding::fails(
                "P4",
                src,
                format!(
                    "the branch in {region} has {} members; at least {} are required",
                    b.members, rules.branch_members
                ),
            ));
        }
        match (b.registered, deadline) {
            (Some(reg), Some(d)) if reg > d => out.push(Finding::fails(
                "P5",
                SOURCE_TERMS,
                format!(
                    "the branch in {region} was registered on {reg}, after {d}, {} months from the party's registration",
                    rules.branch_months
                ),
            )),
            (None, Some(d)) if as_of > d => out.push(Finding::fails(
                "P5",
                SOURCE_TERMS,
                format!("the branch in {region} is not registered, and the term ended on {d}"),
            )),
            _ => {}
        }
    }
    let in_branches: u64 = app.branches.iter().map(|b| b.members).sum();
    if in_branches > app.members {
        out.push(Finding::fails(
            "P6",
            "arithmetic: branch members are party members",
            format!(
                "the branches have {in_branches} members in all, more than the party's {}",
                app.members
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn regions() -> Vec<String> {
        (1..=20).map(|i| format!("R{i:02}")).collect()
    }

    fn app() -> PartyApplication {
        PartyApplication {
            name: "Test".into(),
            members: 5_000,
            initiative_group: 700,
            initiative_group_formed: d("2022-07-01"),
            founding_congress: d("2022-10-01"),
            state_registration: Some(d("2022-12-01")),
            branches: regions()
                .into_iter()
                .map(|region| Branch { region, members: 200, registered: Some(d("2023-12-01")) })
                .collect(),
        }
    }

    #[test]
    fn exactly_the_thresholds_pass() {
        assert_eq!(check_party(&app(), &regions(), &PartyRules::KZ_2022, d("2024-01-01")), vec![]);
    }

    #[test]
    fn one_below_each_threshold_fails() {
        let mut a = app();
        a.members = 4_999;
        a.initiative_group = 699;
        a.founding_congress = d("2022-10-02");
        a.branches[3].members = 199;
        a.branches[4].registered = Some(d("2023-12-02"));
        a.branches.pop();
        let f = check_party(&a, &regions(), &PartyRules::KZ_2022, d("2024-01-01"));
        let codes: Vec<&str> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["P1", "P2", "P3", "P4", "P5", "P4"], "{f:#?}");
        assert_eq!(f[3].message, "the branch in R04 has 199 members; at least 200 are required");
        assert_eq!(f[5].message, "there is no branch in R20; every region needs one");
    }

    #[test]
    fn missing_branches_wait_for_their_term() {
        let mut a = app();
        a.branches.truncate(5);
        for b in &mut a.branches {
            b.registered = None;
        }
        assert_eq!(check_party(&a, &regions(), &PartyRules::KZ_2022, d("2023-12-01")), vec![]);
        let f = check_party(&a, &regions(), &PartyRules::KZ_2022, d("2023-12-02"));
        assert_eq!(f.len(), 20, "{f:#?}");
    }

    #[test]
    fn the_old_rules_are_stricter() {
        let f = check_party(&app(), &regions(), &PartyRules::BEFORE_2022, d("2024-01-01"));
        assert!(f.iter().any(|f| f.code == "P1" && f.message.contains("20000")));
        assert!(f.iter().any(|f| f.code == "P3"));
    }
}
