//! Kazakhstan's 20 top-level units (17 regions and 3 cities of republican significance since
//! 2022), with ISO 3166-2 ids and names as in `examples/kz-2023-03-19-mazhilis/units.csv`
//! (geokz by A. Rodionov, CC BY 4.0), an approximate electorate weight and a turnout level.
//!
//! Sources and confidence: the weights are approximate adult populations in thousands (2023,
//! Bureau of National Statistics, rounded; Almaty city from the 2022 referendum register
//! 1,129,117) — only their ratios matter (L: shape, not data). The turnout levels are the
//! 18:05 turnouts of the 2022 presidential election by region
//! (`shared/data/kazakhstan/kz_2022_presidential_turnout_by_region_interim.csv`, S-PRES22-TREND);
//! the generator shifts them in logit space so that the national turnout matches the contest's
//! target, keeping the regional pattern (Almaty lowest, the rural south highest).

/// One top-level unit.
#[derive(Clone, Copy, Debug)]
pub struct Region {
    /// ISO 3166-2 id.
    pub id: &'static str,
    /// Short code used in polling-station ids (`ALA-358`).
    pub code: &'static str,
    /// English name.
    pub name: &'static str,
    /// `region` or `city` (city of republican significance).
    pub kind: &'static str,
    /// Relative electorate (thousands of adults, approximate).
    pub weight: f64,
    /// Turnout level (percent) of the 2022 presidential election at 18:05.
    pub turnout_2022: f64,
}

const fn r(
    id: &'static str,
    code: &'static str,
    name: &'static str,
    kind: &'static str,
    weight: f64,
    turnout_2022: f64,
) -> Region {
    Region { id, code, name, kind, weight, turnout_2022 }
}

/// The 20 top-level units in the order of the 2023 example package.
pub const REGIONS: [Region; 20] = [
    r("KZ-ABY", "ABY", "Abay Region", "region", 430.0, 78.88),
    r("KZ-AKM", "AKM", "Akmola Region", "region", 560.0, 75.82),
    r("KZ-AKT", "AKT", "Aktobe Region", "region", 600.0, 71.23),
    r("KZ-ALM", "ALM", "Almaty Region", "region", 960.0, 70.92),
    r("KZ-ATY", "ATY", "Atyrau Region", "region", 420.0, 67.88),
    r("KZ-ZAP", "ZAP", "West Kazakhstan Region", "region", 460.0, 64.77),
    r("KZ-ZHA", "ZHA", "Zhambyl Region", "region", 760.0, 77.27),
    r("KZ-ZHT", "ZHT", "Zhetysu Region", "region", 470.0, 77.08),
    r("KZ-KAR", "KAR", "Karagandy Region", "region", 800.0, 77.80),
    r("KZ-KUS", "KUS", "Kostanay Region", "region", 600.0, 77.56),
    r("KZ-KZY", "KZY", "Kyzylorda Region", "region", 490.0, 77.20),
    r("KZ-MAN", "MAN", "Mangystau Region", "region", 430.0, 64.57),
    r("KZ-PAV", "PAV", "Pavlodar Region", "region", 540.0, 77.12),
    r("KZ-SEV", "SEV", "North Kazakhstan Region", "region", 410.0, 77.46),
    r("KZ-YUZ", "YUZ", "Turkestan Region", "region", 1220.0, 80.25),
    r("KZ-ULT", "ULT", "Ulytau Region", "region", 150.0, 74.45),
    r("KZ-VOS", "VOS", "East Kazakhstan Region", "region", 530.0, 76.81),
    r("KZ-AST", "AST", "Astana", "city", 900.0, 48.01),
    r("KZ-ALA", "ALA", "Almaty", "city", 1130.0, 27.93),
    r("KZ-SHY", "SHY", "Shymkent", "city", 700.0, 59.56),
];

/// Index of Astana in [`REGIONS`]: polling stations abroad are attached to it (assumption, L:
/// stations abroad are formed by the Ministry of Foreign Affairs and tabulated in the capital).
pub const ASTANA: usize = 17;
