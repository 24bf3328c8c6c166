//! The contests a synthetic election can hold, with national targets taken from the official
//! results bundled in `examples/`: the 2023 Mazhilis party list
//! (`examples/kz-2023-03-19-mazhilis/counts.csv`) and the 2022 presidential election
//! (`examples/kz-2022-11-20-presidential/counts.csv`).

/// A contest the generator knows how to synthesise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Preset {
    /// Mazhilis 2023, nationwide party list (kz-2022: 69 seats, 5% threshold).
    Mazhilis,
    /// Presidential election 2022.
    President,
}

/// National target of a contest: turnout, invalid share and votes per option.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// Contest id in the package.
    pub id: &'static str,
    /// `party-list` or `presidential`.
    pub kind: &'static str,
    /// Contest name.
    pub name: &'static str,
    /// Seats (party list only).
    pub seats: Option<i64>,
    /// Registered voters nationally.
    pub registered: u64,
    /// Ballots issued nationally (voters who took part).
    pub issued: u64,
    /// Invalid ballots nationally.
    pub invalid: u64,
    /// (id, name, votes, is against all), in package order; the first is the leader.
    pub options: &'static [(&'static str, &'static str, u64, bool)],
}

impl Preset {
    /// All presets.
    pub const ALL: [Preset; 2] = [Preset::Mazhilis, Preset::President];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Mazhilis => "mazhilis",
            Preset::President => "president",
        }
    }

    /// Parses [`Preset::name`].
    pub fn from_name(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The national target.
    pub fn target(self) -> Target {
        match self {
            Preset::Mazhilis => Target {
                id: "mazhilis-list",
                kind: "party-list",
                name: "Mazhilis, nationwide party-list district",
                seats: Some(69),
                registered: 12_035_578,
                issued: 6_521_860,
                invalid: 155_419,
                options: &[
                    ("amanat", "Amanat", 3_431_510, false),
                    ("auyl", "Auyl", 693_938, false),
                    ("respublica", "Respublica", 547_154, false),
                    ("ak-zhol", "Ak Zhol", 535_139, false),
                    ("qhp", "People's Party of Kazakhstan (QHP)", 432_920, false),
                    ("jsdp", "Nationwide Social Democratic Party (JSDP)", 331_058, false),
                    ("baitaq", "Baitaq", 146_431, false),
                    ("against-all", "Against all", 248_291, true),
                ],
            },
            Preset::President => Target {
                id: "president",
                kind: "presidential",
                name: "President of the Republic of Kazakhstan",
                seats: None,
                registered: 11_953_465,
                issued: 8_300_046,
                invalid: 359_568,
                options: &[
                    ("tokayev", "Kassym-Jomart Tokayev", 6_456_393, false),
                    ("dairabayev", "Zhiguli Dairabayev", 271_641, false),
                    ("abden", "Karakat Abden", 206_206, false),
                    ("kazhyken", "Meiram Kazhyken", 200_907, false),
                    ("auesbayev", "Nurlan Auesbayev", 176_116, false),
                    ("tursynbekova", "Saltanat Tursynbekova", 168_731, false),
                    ("against-all", "Against all", 460_484, true),
                ],
            },
        }
    }
}
