//! Who may stand for which office (law digest §2, §3.1, §4, §5, §6, A2), and the signatures a
//! presidential nomination needs (§2).
//!
//! Each requirement the digest lists for an office is a rule; a requirement the candidate's
//! file does not answer is *undetermined* (never assumed met). Ages and years of residence are
//! taken on the day the caller names (`on`); the digest does not give the law's reference day.

use std::collections::BTreeMap;

use ashyq_core::iin::Date;
use serde::Deserialize;

use crate::finding::{ceil_mul_div, Finding};

/// An office (JSON: its [`Office::name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(rename_all = "kebab-case"))]
pub enum Office {
    /// President (§2).
    President,
    /// Deputy of the Mazhilis (§3.1).
    Mazhilis,
    /// Deputy of a maslikhat (§4).
    Maslikhat,
    /// Senator (§6, until 1 July 2026).
    Senate,
    /// Akim of a village, settlement, rural district or city of district significance (§5).
    RuralAkim,
    /// Deputy of the Kurultai (A2, from 1 July 2026).
    Kurultai,
}

impl Office {
    /// Every office.
    pub const ALL: [Office; 6] = [
        Office::President,
        Office::Mazhilis,
        Office::Maslikhat,
        Office::Senate,
        Office::RuralAkim,
        Office::Kurultai,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Office::President => "president",
            Office::Mazhilis => "mazhilis",
            Office::Maslikhat => "maslikhat",
            Office::Senate => "senate",
            Office::RuralAkim => "rural-akim",
            Office::Kurultai => "kurultai",
        }
    }

    /// By name.
    pub fn from_name(name: &str) -> Option<Office> {
        Office::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// What a candidate's file says. `None` (JSON `null` or the key left out) means the file does
/// not say.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateFile {
    /// Full name.
    pub name: String,
    /// Date of birth.
    #[serde(default, with = "crate::serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub birth_date: Option<Date>,
    /// A citizen of Kazakhstan.
    pub citizen: Option<bool>,
    /// A citizen by birth.
    pub citizen_by_birth: Option<bool>,
    /// Permanently resident in Kazakhstan since.
    #[serde(default, with = "crate::serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub resident_since: Option<Date>,
    /// Resident in the region of the election since.
    #[serde(default, with = "crate::serde_date::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub region_resident_since: Option<Date>,
    /// Holds a higher-education degree.
    pub higher_education: Option<bool>,
    /// Years in the civil service or in elected office.
    pub service_years: Option<u32>,
    /// Years of work experience.
    pub work_years: Option<u32>,
    /// Fluent in Kazakh (passed the language examination).
    pub kazakh: Option<bool>,
    /// Has an unexpunged conviction.
    pub conviction: Option<bool>,
}

enum Req {
    Citizen,
    CitizenByBirth,
    Age(u32),
    ResidentYears(u32),
    RegionResidentYears(u32),
    RegionResident,
    HigherEducation,
    ServiceYears(u32),
    WorkYears(u32),
    Kazakh,
    NoConviction,
}

fn requirements(office: Office) -> (&'static str, Vec<Req>) {
    use Req::*;
    match office {
        Office::President => (
            "law digest §2 [S18] (H)",
            vec![
                CitizenByBirth,
                Age(40),
                Kazakh,
                ResidentYears(15),
                HigherEducation,
                ServiceYears(5),
            ],
        ),
        Office::Mazhilis => {
            ("law digest §3.1 [S37] (H)", vec![Citizen, Age(25), ResidentYears(10), NoConviction])
        }
        Office::Maslikhat => ("law digest §4 [S37] (H)", vec![Citizen, Age(20), RegionResident]),
        Office::Senate => (
            "law digest §6 [S38] (H)",
            vec![
                Citizen,
                Age(30),
                HigherEducation,
                WorkYears(5),
                RegionResidentYears(3),
                ResidentYears(10),
            ],
        ),
        Office::RuralAkim => {
            ("law digest §5 [S40] (H; the digest lists the age only)", vec![Citizen, Age(25)])
        }
        Office::Kurultai => ("law digest A2 [K1] (M)", vec![Citizen, Age(25), ResidentYears(10)]),
    }
}

/// Years between `since` and `on` (completed years; 0 when `since` is later).
fn years(since: Date, on: Date) -> u32 {
    since.age_on(on)
}

/// Checks a candidate's file for an office, ages and years taken on `on`.
pub fn check_candidate(c: &CandidateFile, office: Office, on: Date) -> Vec<Finding> {
    let (source, reqs) = requirements(office);
    let code = match office {
        Office::President => "C-president",
        Office::Mazhilis => "C-mazhilis",
        Office::Maslikhat => "C-maslikhat",
        Office::Senate => "C-senate",
        Office::RuralAkim => "C-rural-akim",
        Office::Kurultai => "C-kurultai",
    };
    let who = &c.name;
    let office_name = office.name();
    let mut out = Vec::new();
    let missing = |what: &str| {
        Finding::undetermined(
            code,
            source,
            format!("{who}: the file does not say {what}, required for {office_name}"),
        )
    };
    for req in reqs {
        let f = match req {
            Req::Citizen => match c.citizen.or(c.citizen_by_birth.filter(|&b| b)) {
                None => Some(missing("whether the candidate is a citizen")),
                Some(false) => Some(Finding::fails(code, source, format!("{who} is not a citizen of Kazakhstan"))),
                Some(true) => None,
            },
            Req::CitizenByBirth => match c.citizen_by_birth {
                None => Some(missing("whether the candidate is a citizen by birth")),
                Some(false) => Some(Finding::fails(code, source, format!("{who} is not a citizen by birth"))),
                Some(true) => None,
            },
            Req::Age(min) => match c.birth_date {
                None => Some(missing("the date of birth")),
                Some(b) if b.age_on(on) < min => Some(Finding::fails(
                    code,
                    source,
                    format!("{who} is {} on {on}; {office_name} requires at least {min}", b.age_on(on)),
                )),
                Some(_) => None,
            },
            Req::ResidentYears(min) => match c.resident_since {
                None => Some(missing("since when the candidate has lived in Kazakhstan")),
                Some(s) if years(s, on) < min => Some(Finding::fails(
                    code,
                    source,
                    format!("{who} has lived in Kazakhstan since {s}, {} years on {on}; {office_name} requires the last {min}", years(s, on)),
                )),
                Some(_) => None,
            },
            Req::RegionResidentYears(min) => match c.region_resident_since {
                None => Some(missing("since when the candidate has lived in the region")),
                Some(s) if years(s, on) < min => Some(Finding::fails(
                    code,
                    source,
                    format!("{who} has lived in the region since {s}, {} years on {on}; {office_name} requires {min}", years(s, on)),
                )),
                Some(_) => None,
            },
            Req::RegionResident => match c.region_resident_since {
                None => Some(missing("since when the candidate has lived in the region")),
                Some(s) if s > on => Some(Finding::fails(code, source, format!("{who} does not live in the region on {on}"))),
                Some(_) => None,
            },
            Req::HigherEducation => match c.higher_education {
                None => Some(missing("whether the candidate has higher education")),
                Some(false) => Some(Finding::fails(code, source, format!("{who} has no higher education; {office_name} requires it"))),
                Some(true) => None,
            },
            Req::ServiceYears(min) => match c.service_years {
                None => Some(missing("the years in the civil service or elected office")),
                Some(y) if y < min => Some(Finding::fails(
                    code,
                    source,
                    format!("{who} has {y} years in the civil service or elected office; {office_name} requires {min}"),
                )),
                Some(_) => None,
            },
            Req::WorkYears(min) => match c.work_years {
                None => Some(missing("the years of work experience")),
                Some(y) if y < min => Some(Finding::fails(
                    code,
                    source,
                    format!("{who} has {y} years of work experience; {office_name} requires {min}"),
                )),
                Some(_) => None,
            },
            Req::Kazakh => match c.kazakh {
                None => Some(missing("whether the candidate passed the Kazakh language examination")),
                Some(false) => Some(Finding::fails(code, source, format!("{who} is not fluent in Kazakh; {office_name} requires it"))),
                Some(true) => None,
            },
            Req::NoConviction => match c.conviction {
                None => Some(missing("whether the candidate has an unexpunged conviction")),
                Some(true) => Some(Finding::fails(code, source, format!("{who} has an unexpunged conviction"))),
                Some(false) => None,
            },
        };
        out.extend(f);
    }
    out
}

const S18: &str = "law digest §2: 1% of voters, evenly over at least 2/3 of the regions [S18] (H)";

/// The signatures a presidential candidate needs: `⌈1% × voters⌉` (2022: 118,273 for
/// 11,827,277 voters on the register on 1 July 2022).
pub fn signatures_required(voters: u64) -> u64 {
    ceil_mul_div(voters, 1, 100)
}

/// Regions that must be represented: `⌈2n/3⌉` (12 of 17 in 2019, 14 of 20 since June 2022).
pub fn regions_required(n: u64) -> u64 {
    ceil_mul_div(n, 2, 3)
}

/// Checks the valid signatures per region for a presidential nomination, with `voters` the
/// voters on the register at its reference date and `regions` every region. The law asks for
/// the regions to be represented *evenly* but gives no number for it: that part is always
/// reported as undetermined, with the spread, never decided.
pub fn check_signatures(
    per_region: &BTreeMap<String, u64>,
    voters: u64,
    regions: &[String],
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in per_region.keys() {
        if !regions.contains(r) {
            out.push(Finding::fails(
                "N0",
                S18,
                format!("{r} is not a region (the regions are {})", regions.join(", ")),
            ));
        }
    }
    let total: u64 = per_region.values().sum();
    let need = signatures_required(voters);
    if total < need {
        out.push(Finding::fails(
            "N1",
            S18,
            format!("{total} valid signatures; 1% of {voters} voters is {need}"),
        ));
    }
    let represented: Vec<(&String, u64)> = regions
        .iter()
        .map(|r| (r, per_region.get(r).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let need_regions = regions_required(regions.len() as u64);
    if (represented.len() as u64) < need_regions {
        out.push(Finding::fails(
            "N2",
            S18,
            format!(
                "signatures come from {} of {} regions; at least {need_regions} are required",
                represented.len(),
                regions.len()
            ),
        ));
    }
    if let (Some(min), Some(max)) =
        (represented.iter().map(|(_, n)| *n).min(), represented.iter().map(|(_, n)| *n).max())
    {
        out.push(Finding::undetermined(
            "N3",
            S18,
            format!(
                "the law asks for the regions to be represented evenly but sets no measure; the represented regions have {min} to {max} signatures"
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_figures() {
        assert_eq!(signatures_required(11_827_277), 118_273, "CEC, 22 Sep 2022 [S18]");
        assert_eq!(signatures_required(100), 1);
        assert_eq!(signatures_required(101), 2);
        assert_eq!(regions_required(17), 12, "2019: at least 12 regions");
        assert_eq!(regions_required(20), 14);
    }
}
