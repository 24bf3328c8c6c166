//! Synthetic Kazakhstan-shaped elections for tests, benchmarks and the forensics'
//! detection-power studies.
//!
//! The shape: the country, its 20 top-level units ([`geography::REGIONS`], ISO 3166-2 ids),
//! districts inside each (their number proportional to the unit's electorate, the first one of a
//! region being its urban regional centre), and polling stations whose registered voters are
//! log-normal around ~1,200 and bounded to 50–3,000 (the 2023 Mazhilis election had ~10,000
//! stations for 12.0 M voters). Turnout is lower in cities (Almaty ≈ 30%) and higher in the
//! countryside; votes are split around regional shares whose national totals follow the
//! official results of the chosen [`contests::Preset`]s. Every protocol satisfies the
//! arithmetic of the law reference §8.2 (R2–R6, V1, V3): valid + invalid = found = issued ≤
//! registered ≤ received = issued + cancelled.
//!
//! Two kinds of manipulation can be injected, each into a given share of the stations:
//! - **ballot stuffing** as in the fraud model of Klimek, Yegorov, Hanel & Thurner, "Statistical
//!   detection of systematic election irregularities", PNAS 109 (2012): a share of the station's
//!   non-voters is turned into ballots for the leader, added to issued, found and the leader's
//!   votes (taken from the cancelled ballots), so the protocol still adds up and turnout and the
//!   leader's share rise together;
//! - **integer-percentage rounding** as documented by Kobak, Shpilkin & Pshenichnikov,
//!   "Integer percentages as electoral falsification fingerprints", Ann. Appl. Stat. 10 (2016):
//!   the station's turnout (issued / registered) and the leader's share (leader / issued) are
//!   pushed to the nearest whole percent, the other lines adjusted so the protocol adds up.
//!
//! The underlying honest election does not depend on the shares: every random draw is made for
//! every station whether or not it is manipulated, so `--stuffing 0.1` and `--stuffing 0` with
//! the same seed differ only at the stuffed stations. Which stations were manipulated is
//! reported to the [`Sink`] ([`Sink::truth`]).
//!
//! Purity: this crate does no I/O. [`Generator::new`] builds the tree and the election
//! definition; [`Generator::run`] yields every count row and every station's truth to a sink.
//! All randomness comes from `ChaCha20Rng::seed_from_u64(seed)`, so the same parameters give the
//! same rows (floating-point `exp`/`ln` come from the platform's maths library, so bit-identity
//! is guaranteed on one platform, not across them).
#![deny(missing_docs)]

pub mod contests;
pub mod geography;
mod names;
mod station;

use ashyq_core::election::{ContestInfo, Election, ElectionInfo, OptionInfo};
use ashyq_core::units::{UnitIdx, UnitInfo, UnitTree};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

pub use contests::{Preset, Target};
use geography::{ASTANA, REGIONS};
use station::{normal, Protocol};

/// The fixed protocol lines written for every station, in this order, before the options.
pub const LINES: [&str; 6] = [
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_found",
    "invalid",
];

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Polling stations inside Kazakhstan.
    pub stations: u64,
    /// Additional polling stations abroad (attached to Astana).
    pub abroad: u64,
    /// Seed of the only random stream.
    pub seed: u64,
    /// Share of stations with injected ballot stuffing, in [0, 1].
    pub stuffing: f64,
    /// Share of stations with integer-percentage rounding, in [0, 1].
    pub rounding: f64,
    /// Contests, in package order.
    pub contests: Vec<Preset>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            stations: 10_000,
            abroad: 0,
            seed: 1,
            stuffing: 0.0,
            rounding: 0.0,
            contests: vec![Preset::Mazhilis],
        }
    }
}

/// Why parameters cannot be generated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GenerateError {
    /// Zero stations.
    #[error("--stations must be at least 1")]
    NoStations,
    /// More stations than the generator supports.
    #[error("--stations {0} is more than the supported 100000000")]
    TooManyStations(u64),
    /// A share outside [0, 1].
    #[error("{what} = {value} is not a share between 0 and 1")]
    BadShare {
        /// Which parameter.
        what: &'static str,
        /// Its value.
        value: f64,
    },
    /// No contest.
    #[error("at least one contest is needed")]
    NoContests,
    /// The same contest twice.
    #[error("contest \"{0}\" is given twice")]
    DuplicateContest(&'static str),
    /// The built definition did not validate (a bug in the generator).
    #[error("the generated definition is invalid: {0}")]
    Definition(String),
}

/// Receives the generated rows. Implemented by package writers and by in-memory collectors.
pub trait Sink {
    /// Error of the sink (for example an I/O error).
    type Error;
    /// One counts.csv row.
    fn count(
        &mut self,
        contest: &str,
        unit: &str,
        line: &str,
        value: u64,
    ) -> Result<(), Self::Error>;
    /// Whether a polling station was manipulated (called once per station, after its counts).
    fn truth(&mut self, station: &str, stuffed: bool, rounded: bool) -> Result<(), Self::Error>;
}

/// The generative model of one top-level unit.
#[derive(Clone, Debug)]
struct RegionModel {
    /// Mean turnout in logit space.
    turnout_logit: f64,
    /// Per contest, per option: log of the regional share (unnormalised).
    log_share: Vec<Vec<f64>>,
}

#[derive(Clone, Copy, Debug)]
struct StationPlan {
    unit: UnitIdx,
    region: usize,
    urban: bool,
    abroad: bool,
}

/// A planned election: tree and definition built, ready to yield its counts.
#[derive(Clone, Debug)]
pub struct Generator {
    params: Params,
    tree: UnitTree,
    election: Election,
    targets: Vec<Target>,
    regions: Vec<RegionModel>,
    stations: Vec<StationPlan>,
    rng: ChaCha20Rng,
}

fn check_share(what: &'static str, value: f64) -> Result<(), GenerateError> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(GenerateError::BadShare { what, value })
    }
}

/// Splits `total` into parts proportional to `weights` by largest remainders (ties to the
/// earlier part), with at least `min` in every part when `total` allows it.
fn apportion(total: u64, weights: &[f64], min: u64) -> Vec<u64> {
    let n = weights.len() as u64;
    let floor_all = if total >= min * n { min } else { 0 };
    let rest = total - floor_all * n;
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights.iter().map(|w| rest as f64 * w / sum).collect();
    let mut parts: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = quotas[a] - quotas[a].floor();
        let fb = quotas[b] - quotas[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(rest.saturating_sub(given) as usize) {
        parts[i] += 1;
    }
    parts.iter().map(|p| p + floor_all).collect()
}

/// Highest honest turnout of a station: below the plausibility limit W1 (95%) of
/// `ashyq_core::checks`, so that a clean package raises no warning; only manipulation goes above.
const MAX_TURNOUT: f64 = 0.93;
/// Highest honest invalid share of a station: below the plausibility limit W2 (10%).
const MAX_INVALID: f64 = 0.08;

/// Folds a share above `max` back below it (a mirror, so no spike forms at the bound).
fn reflect(x: f64, max: f64) -> f64 {
    if x > max {
        (2.0 * max - x).max(0.0)
    } else {
        x
    }
}

/// Factor applied to the spread of the regional turnout pattern in logit space.
const SPREAD: f64 = 0.5;

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Generator {
    /// Builds the territorial tree, the election definition and the regional models.
    pub fn new(params: &Params) -> Result<Generator, GenerateError> {
        if params.stations == 0 {
            return Err(GenerateError::NoStations);
        }
        if params.stations.saturating_add(params.abroad) > 100_000_000 {
            return Err(GenerateError::TooManyStations(params.stations + params.abroad));
        }
        check_share("--stuffing", params.stuffing)?;
        check_share("--rounding", params.rounding)?;
        if params.contests.is_empty() {
            return Err(GenerateError::NoContests);
        }
        for (i, c) in params.contests.iter().enumerate() {
            if params.contests[..i].contains(c) {
                return Err(GenerateError::DuplicateContest(c.name()));
            }
        }
        let targets: Vec<Target> = params.contests.iter().map(|p| p.target()).collect();
        let mut rng = ChaCha20Rng::seed_from_u64(params.seed);

        // Regional models. Turnout: the 2022 pattern (in logit space, its spread halved: the
        // 2023 election was less polarised between Almaty and the south) shifted so that the
        // national mean matches the first contest's national turnout.
        let national = targets[0].issued as f64 / targets[0].registered as f64;
        let weight_sum: f64 = REGIONS.iter().map(|r| r.weight).sum();
        let mean_at = |shift: f64| {
            REGIONS
                .iter()
                .map(|r| r.weight * sigmoid(SPREAD * logit(r.turnout_2022 / 100.0) + shift))
                .sum::<f64>()
                / weight_sum
        };
        let (mut lo, mut hi) = (-5.0, 5.0);
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if mean_at(mid) < national {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let shift = (lo + hi) / 2.0;
        let regions: Vec<RegionModel> = REGIONS
            .iter()
            .map(|r| {
                let turnout_logit =
                    SPREAD * logit(r.turnout_2022 / 100.0) + shift + 0.1 * normal(&mut rng);
                let log_share = targets
                    .iter()
                    .map(|t| {
                        t.options
                            .iter()
                            .enumerate()
                            .map(|(k, &(_, _, votes, _))| {
                                let sd = if k == 0 { 0.12 } else { 0.25 };
                                (votes.max(1) as f64).ln() + sd * normal(&mut rng)
                            })
                            .collect()
                    })
                    .collect();
                RegionModel { turnout_logit, log_share }
            })
            .collect();

        // The tree.
        let weights: Vec<f64> = REGIONS.iter().map(|r| r.weight).collect();
        let per_region = apportion(params.stations, &weights, 1);
        let n_districts_total = (params.stations / 45).clamp(20, 220);
        let mut infos = Vec::with_capacity((params.stations + params.abroad) as usize + 300);
        let unit = |id: String, parent: &str, kind: &str, name: String| UnitInfo {
            id,
            parent: parent.to_owned(),
            kind: kind.to_owned(),
            name,
        };
        infos.push(unit("KZ".into(), "", "country", "Kazakhstan".into()));
        for r in &REGIONS {
            infos.push(unit(r.id.into(), "KZ", r.kind, r.name.into()));
        }
        let mut stations = Vec::with_capacity((params.stations + params.abroad) as usize);
        for (ri, r) in REGIONS.iter().enumerate() {
            let n_st = per_region[ri];
            if n_st == 0 {
                continue;
            }
            let share = r.weight / weight_sum;
            let n_d = ((n_districts_total as f64 * share).round() as u64).clamp(1, n_st);
            let is_city = r.kind == "city";
            let dweights: Vec<f64> = (0..n_d)
                .map(|d| {
                    let u: f64 = rng.gen();
                    if d == 0 && !is_city {
                        3.0
                    } else {
                        0.5 + u
                    }
                })
                .collect();
            let per_district = apportion(n_st, &dweights, 1);
            let mut number = 0u64;
            for (d, &n) in per_district.iter().enumerate() {
                let did = format!("{}-{:02}", r.id, d + 1);
                let dname = if d == 0 && !is_city {
                    format!("{}, regional centre", r.name)
                } else {
                    format!("{}, district {}", r.name, d + 1)
                };
                infos.push(unit(did.clone(), r.id, "district", dname));
                for _ in 0..n {
                    number += 1;
                    stations.push(StationPlan {
                        unit: infos.len(),
                        region: ri,
                        urban: is_city || d == 0,
                        abroad: false,
                    });
                    // "№" reads the same in Kazakh, Russian and English: the name needs no
                    // translation.
                    infos.push(unit(
                        format!("{}-{number}", r.code),
                        &did,
                        "station",
                        format!("№ {number}"),
                    ));
                }
            }
        }
        if params.abroad > 0 {
            let did = format!("{}-ABROAD", REGIONS[ASTANA].id);
            infos.push(unit(
                did.clone(),
                REGIONS[ASTANA].id,
                "district",
                "Polling stations abroad".into(),
            ));
            for n in 1..=params.abroad {
                stations.push(StationPlan {
                    unit: infos.len(),
                    region: ASTANA,
                    urban: true,
                    abroad: true,
                });
                infos.push(unit(format!("ABR-{n}"), &did, "station", format!("№ {n}")));
            }
        }
        let tree = UnitTree::new(infos)
            .map_err(|e| GenerateError::Definition(format!("{:?}", e.first())))?;

        let info = ElectionInfo {
            id: format!("synthetic-kz-{}", params.seed),
            name: format!(
                "Synthetic Kazakhstan-shaped election (seed {}, {} stations)",
                params.seed,
                params.stations + params.abroad
            ),
            date: "2023-03-19".into(),
            rules: "kz-2022".into(),
            contests: targets
                .iter()
                .map(|t| ContestInfo {
                    id: t.id.into(),
                    kind: t.kind.into(),
                    name: Some(t.name.into()),
                    territory: "KZ".into(),
                    seats: t.seats,
                    options: t
                        .options
                        .iter()
                        .map(|&(id, name, _, against)| OptionInfo {
                            id: id.into(),
                            name: name.into(),
                            registered: None,
                            kind: against.then(|| "against-all".to_owned()),
                            list_length: None,
                        })
                        .collect(),
                    ..Default::default()
                })
                .collect(),
            names: names::translations(&tree, &targets, params),
        };
        let election = Election::try_from_info(info, &tree).map_err(|p| {
            GenerateError::Definition(
                p.into_iter().map(|p| p.message).collect::<Vec<_>>().join("; "),
            )
        })?;
        Ok(Generator { params: params.clone(), tree, election, targets, regions, stations, rng })
    }

    /// The territorial tree (country, regions, districts, stations).
    pub fn tree(&self) -> &UnitTree {
        &self.tree
    }

    /// The election definition.
    pub fn election(&self) -> &Election {
        &self.election
    }

    /// Number of polling stations (including abroad).
    pub fn n_stations(&self) -> u64 {
        self.stations.len() as u64
    }

    /// Number of count rows [`Generator::run`] yields.
    pub fn n_rows(&self) -> u64 {
        let per_station: usize = self.targets.iter().map(|t| LINES.len() + t.options.len()).sum();
        self.n_stations() * per_station as u64
    }

    /// Yields every station's protocol for every contest (station by station in tree order,
    /// lines in [`LINES`] order then options in package order), then its truth. `progress` is
    /// called with the number of stations done, every 4096 stations and at the end.
    pub fn run<S: Sink>(
        &self,
        sink: &mut S,
        mut progress: impl FnMut(u64),
    ) -> Result<(), S::Error> {
        let mut rng = self.rng.clone();
        let mut protocols: Vec<Protocol> =
            self.targets.iter().map(|t| Protocol::new(t.options.len())).collect();
        for (done, st) in self.stations.iter().enumerate() {
            let region = &self.regions[st.region];
            // Size: log-normal, median 1,050, σ = 0.5 (mean ≈ 1,200), bounded to 50–3,000.
            // Abroad: small lists (median 250).
            let (median, sigma): (f64, f64) = if st.abroad { (250.0, 0.8) } else { (1050.0, 0.5) };
            let registered =
                (median.ln() + sigma * normal(&mut rng)).exp().round().clamp(50.0, 3000.0) as u64;
            let reserve: f64 = rng.gen();
            let received = registered + (registered as f64 * 0.02 * reserve).floor() as u64;
            let z_turnout = normal(&mut rng);
            let place_shift = match (st.abroad, st.urban, REGIONS[st.region].kind == "city") {
                (true, _, _) => 0.3,
                (false, _, true) => 0.0,
                (false, true, false) => -0.35,
                (false, false, false) => 0.2,
            };
            let turnout = reflect(
                sigmoid(region.turnout_logit + place_shift + 0.35 * z_turnout),
                MAX_TURNOUT,
            );
            let issued = ((registered as f64 * turnout).round() as u64).min(registered);
            for (ci, t) in self.targets.iter().enumerate() {
                let p = &mut protocols[ci];
                let invalid_share = reflect(
                    t.invalid as f64 / t.issued as f64 * (0.4 * normal(&mut rng) - 0.08).exp(),
                    MAX_INVALID,
                );
                let invalid = ((issued as f64 * invalid_share).round() as u64).min(issued);
                let valid = issued - invalid;
                // Shares: regional shares with station noise; the leader does better in the
                // countryside and where turnout is high (the usual positive correlation).
                let leader_shift = 0.25 * z_turnout + if st.urban { -0.15 } else { 0.1 };
                let logs: Vec<f64> = region.log_share[ci]
                    .iter()
                    .enumerate()
                    .map(|(k, &l)| {
                        l + 0.15 * normal(&mut rng) + if k == 0 { leader_shift } else { 0.0 }
                    })
                    .collect();
                let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let weights: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
                let wsum: f64 = weights.iter().sum();
                let mut sum = 0u64;
                for (k, w) in weights.iter().enumerate() {
                    let u: f64 = rng.gen();
                    let v = (valid as f64 * w / wsum + u).floor() as u64;
                    p.votes[k] = v;
                    sum += v;
                }
                station::fix_sum(&mut p.votes, valid, sum);
                p.registered = registered;
                p.received = received;
                p.issued = issued;
                p.invalid = invalid;
            }
            // Manipulation draws are made for every station (see the crate docs).
            let u_stuff: f64 = rng.gen();
            let stuff_fraction = 0.2 + 0.75 * rng.gen::<f64>();
            let u_round: f64 = rng.gen();
            let stuffed = u_stuff < self.params.stuffing;
            let rounded = u_round < self.params.rounding;
            if stuffed {
                let extra = ((registered - issued) as f64 * stuff_fraction).floor() as u64;
                for p in &mut protocols {
                    p.stuff(extra);
                }
            }
            if rounded {
                let base = protocols[0].issued;
                let new_issued = station::round_turnout(registered, base);
                for p in &mut protocols {
                    p.round_to_integer_percent(new_issued);
                }
            }
            let unit = self.tree.unit(st.unit).id.as_str();
            for (ci, t) in self.targets.iter().enumerate() {
                let p = &protocols[ci];
                let fixed = [
                    p.registered,
                    p.received,
                    p.issued,
                    p.received - p.issued,
                    p.issued,
                    p.invalid,
                ];
                for (line, v) in LINES.iter().zip(fixed) {
                    sink.count(t.id, unit, line, v)?;
                }
                for (k, &(id, _, _, _)) in t.options.iter().enumerate() {
                    sink.count(t.id, unit, id, p.votes[k])?;
                }
            }
            sink.truth(unit, stuffed, rounded)?;
            if (done + 1) % 4096 == 0 {
                progress(done as u64 + 1);
            }
        }
        progress(self.n_stations());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
