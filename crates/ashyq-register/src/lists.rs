//! Party lists and the distribution of a party's mandates (law digest §3.1 and §7).
//!
//! - **L1** only party members: "a political party had no right to include persons who were not
//!   party members in the party lists" (CEC deputy chair Petrov, 9 Feb 2023 \[S35\]) (H);
//! - **L2** at most the seats plus 30%: "should not exceed the established number of deputy
//!   mandates … by 30 percent. This is a maximum of 90 people" for 69 seats \[S35\] (H). 69 × 1.3 =
//!   89.7 and the CEC's maximum is 90, so the 30% is rounded up: `seats + ⌈30% × seats⌉`. (The
//!   digest's 2026 note "≤ 188 names" for 145 seats rounds down; it is a low-confidence
//!   third-party figure \[S56\] (L), so the CEC's own 2023 reading is used.);
//! - **L3** women, young people under 29 and persons with disabilities **together at least 30%**
//!   of the list (CL 7 Feb 2022 No. 105-VII \[S33\]) (H). A person in two groups counts once: the
//!   rule is about people ("combined"), and the CEC's 2023 figure counted people (107 of 281
//!   candidates, 38.1% [S34 / BAQ.KZ]);
//! - **M1–M4** after the results the party's governing body chooses, **within 10 days**, which
//!   list candidates take its mandates \[S34\] (H), as many as it won, from its list, with the same
//!   ≥30% among them \[S33\] (H).
//!
//! Youth is "under 29"; the digest does not give the day on which the age is taken, so the
//! caller names it (`on`).

use std::collections::BTreeSet;

use ashyq_core::iin::Date;
use serde::Deserialize;

use crate::finding::{ceil_mul_div, Finding};

const S33: &str = "CL 7 Feb 2022 No. 105-VII; law digest §7 [S33] (H)";
const S34: &str = "law digest §0.5 and §3.1: mandates chosen within 10 days [S34] (H)";
const S35: &str = "law digest §3.1: members only, at most seats + 30% (CEC, 9 Feb 2023) [S35] (H)";

/// One candidate on a party list (JSON: the list file's columns, flags as booleans).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListCandidate {
    /// Full name (unique on the list).
    pub name: String,
    /// A member of the party.
    pub member: bool,
    /// A woman.
    pub woman: bool,
    /// Date of birth (youth: under 29 on the reference day).
    #[serde(with = "crate::serde_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub birth_date: Date,
    /// A person with a disability (with a disability certificate filed).
    pub disability: bool,
}

/// Under 29 years old on `on`.
pub fn is_youth(c: &ListCandidate, on: Date) -> bool {
    c.birth_date.age_on(on) < 29
}

/// In the combined quota group (woman, under 29, or with a disability).
pub fn in_quota_group(c: &ListCandidate, on: Date) -> bool {
    c.woman || c.disability || is_youth(c, on)
}

/// The largest list for `seats` mandates: `seats + ⌈30% × seats⌉` (69 → 90).
pub fn max_list_length(seats: u64) -> u64 {
    seats + ceil_mul_div(seats, 3, 10)
}

/// The fewest quota-group members among `n` people: `⌈30% × n⌉`.
pub fn quota_minimum(n: u64) -> u64 {
    ceil_mul_div(n, 3, 10)
}

/// Checks a party list for a contest of `seats` mandates, ages taken on `on`.
pub fn check_list(list: &[ListCandidate], seats: u64, on: Date) -> Vec<Finding> {
    let mut out = Vec::new();
    if list.is_empty() {
        out.push(Finding::fails("L2", S35, "the list is empty".to_owned()));
        return out;
    }
    let mut seen = BTreeSet::new();
    for c in list {
        if !seen.insert(c.name.as_str()) {
            out.push(Finding::fails(
                "L0",
                "a list names each candidate once",
                format!("{} is on the list twice", c.name),
            ));
        }
    }
    let non_members: Vec<&str> =
        list.iter().filter(|c| !c.member).map(|c| c.name.as_str()).collect();
    if !non_members.is_empty() {
        out.push(Finding::fails(
            "L1",
            S35,
            format!(
                "{} candidate(s) are not party members: {}",
                non_members.len(),
                non_members.join(", ")
            ),
        ));
    }
    let n = list.len() as u64;
    let max = max_list_length(seats);
    if n > max {
        out.push(Finding::fails(
            "L2",
            S35,
            format!("the list has {n} candidates; {seats} seats allow at most {max} ({seats} + 30%, rounded up)"),
        ));
    }
    let q = list.iter().filter(|c| in_quota_group(c, on)).count() as u64;
    let need = quota_minimum(n);
    if q < need {
        out.push(Finding::fails(
            "L3",
            S33,
            format!(
                "{q} of {n} candidates are women, under 29 or persons with disabilities; at least {need} (30%) are required"
            ),
        ));
    }
    out
}

/// The party's choice of deputies after the results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateChoice {
    /// Mandates the party won.
    pub won: u64,
    /// Names of the candidates chosen.
    pub chosen: Vec<String>,
    /// The day the CEC established the results.
    pub results: Date,
    /// The day the party's governing body decided.
    pub decided: Date,
}

/// Checks the choice of deputies against the list (ages on `on`).
pub fn check_mandates(list: &[ListCandidate], choice: &MandateChoice, on: Date) -> Vec<Finding> {
    let mut out = Vec::new();
    let n = choice.chosen.len() as u64;
    if n != choice.won {
        out.push(Finding::fails(
            "M1",
            S34,
            format!("{n} deputies were chosen for {} mandates won", choice.won),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut members = Vec::new();
    for name in &choice.chosen {
        if !seen.insert(name.as_str()) {
            out.push(Finding::fails("M2", S34, format!("{name} is chosen twice")));
            continue;
        }
        match list.iter().find(|c| &c.name == name) {
            Some(c) => members.push(c),
            None => {
                out.push(Finding::fails("M2", S34, format!("{name} is not on the party's list")))
            }
        }
    }
    let q = members.iter().filter(|c| in_quota_group(c, on)).count() as u64;
    let need = quota_minimum(choice.won);
    if q < need {
        out.push(Finding::fails(
            "M3",
            S33,
            format!(
                "{q} of the {} deputies chosen are women, under 29 or persons with disabilities; at least {need} (30%) are required",
                choice.won
            ),
        ));
    }
    if let Some(deadline) = choice.results.add_days(10) {
        if choice.decided > deadline {
            out.push(Finding::fails(
                "M4",
                S34,
                format!(
                    "the deputies were chosen on {}, after {deadline}, 10 days from the results ({})",
                    choice.decided, choice.results
                ),
            ));
        }
    }
    if choice.decided < choice.results {
        out.push(Finding::fails(
            "M4",
            S34,
            format!(
                "the deputies were chosen on {}, before the results ({})",
                choice.decided, choice.results
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(max_list_length(69), 90, "the CEC's maximum in 2023");
        assert_eq!(max_list_length(10), 13);
        assert_eq!(max_list_length(145), 189);
        assert_eq!(quota_minimum(90), 27);
        assert_eq!(quota_minimum(5), 2);
        assert_eq!(quota_minimum(40), 12);
        assert_eq!(quota_minimum(0), 0);
    }
}
