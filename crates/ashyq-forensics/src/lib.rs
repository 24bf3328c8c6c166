//! Election forensics and survey checks: the established statistical methods, on any
//! package's polling-station protocols, each with a plain statement of what it measures and
//! what it does not prove.
//!
//! - [`integer`]: integer percentages with a binomial Monte-Carlo null (Kobak, Shpilkin &
//!   Pshenichnikov, Ann. Appl. Stat. 2016);
//! - [`klimek`]: the turnout × leader's-share fingerprint and the fraud model `f_i`, `f_e`, α of
//!   Klimek, Yegorov, Hanel & Thurner (PNAS 2012);
//! - [`shpilkin`]: Shpilkin's anomalous-vote estimate (clean-peak method);
//! - [`digits`]: second-digit, last-digit and 0/5 tests (Mebane) against fixed references and
//!   against resampled nulls, with size limits;
//! - a per-region breakdown and a ranking of stations by a combined anomaly score;
//! - [`survey`]: margins of error (simple random and clustered samples), a survey against the
//!   official result, aggregation of polls;
//! - [`svg`]: figures (fingerprint heat-map, turnout histogram, regions) as SVG text.
//!
//! Purity: no I/O, no clock; randomness only from the caller's seed, in independent ChaCha8
//! streams per block of replicates, so results do not depend on the number of threads.
//! Floating point is used throughout: these are statistics, and nothing here feeds a legal
//! decision.
#![deny(missing_docs)]

pub mod digits;
pub mod integer;
pub mod klimek;
pub mod math;
pub mod shpilkin;
pub mod stations;
pub mod survey;
pub mod svg;

use ashyq_core::counts::ContestCounts;
use ashyq_core::election::Election;
use ashyq_core::units::UnitTree;
use serde::Serialize;

pub use stations::{Station, Stations, StationsError};

/// What each method measures and what it does not prove (shown with every result).
pub mod statements {
    /// Integer percentages.
    pub const INTEGER: &str = "Counts the polling stations whose turnout or leader's share is a whole percentage (within ±0.05 points), and compares that count with how many such stations pure chance would give if each station's numbers were binomial draws around its own reported values (Kobak, Shpilkin & Pshenichnikov 2016). A large excess means someone chose round numbers: results written to order rather than counted. It does not say who did it, where exactly, or how many votes were changed; a small station is often integer by chance (the null accounts for that), and an excess in a few regions says nothing about the others.";
    /// Fingerprint.
    pub const FINGERPRINT: &str = "The number of polling stations at each combination of turnout and leader's share, in one-point bins (Klimek et al. 2012). In a clean election it is one roughly round cloud; ballot stuffing smears it towards the top right (high turnout with a high leader's share), and a separate cluster near 100% / 100% marks stations reporting almost everyone voting for the leader. A smear can also come from real differences between places (cities and villages, regions that vote alike), so the picture is a prompt to look closer, not proof.";
    /// Klimek model.
    pub const KLIMEK: &str = "Fits Klimek et al.'s (2012) model of ballot stuffing to the fingerprint: f_i is the share of stations where some non-voters' ballots were added for the leader and some opponents' votes moved to the leader (incremental fraud), f_e the share where nearly everything went to the leader (extreme fraud), and alpha how vote-moving grows with stuffing. It measures how much of the fingerprint's shape the model attributes to stuffing, assuming an honest election would be one normal cloud around the main peak. Non-zero values also arise when honest turnout and support are correlated (mobilised regions, rural areas), so they are estimates under a model, not counts of fraudulent stations.";
    /// Shpilkin.
    pub const SHPILKIN: &str = "Estimates the leader's votes beyond what a flat relation between turnout and the leader's share would give (Shpilkin's method): the leader's share at stations up to the most common turnout is taken as honest, and at stations with higher turnout the other candidates' votes are taken as honest. The difference is 'anomalous' votes. It does not prove fraud: it rests on that assumption, and where higher-turnout places honestly favour the leader, the estimate counts honest votes as anomalous; where fraud also happens at low turnout, it misses them.";
    /// Digits.
    pub const DIGITS: &str = "Tests the second digits, last digits and the share of counts ending in 0 or 5 of every option's votes (Mebane). The classic references (Benford's second-digit law, uniform last digits, 20% ending in 0/5) often fail for honest elections because real counts are not distributed that way, so each test is also made against a resampled null: the digits the same stations would show if each count were redrawn as a binomial around itself. Only counts of at least 10 at stations with at least 60 ballots are used (for last digits, only counts large enough that honest ones would have uniform last digits); the second-digit comparison is shown but raises no flag, because its resampled null is itself biased. A significant result shows the digits were not produced like honest counts; it does not show fraud on its own, and a clean result does not exclude fraud that keeps digits natural.";
    /// Regions.
    pub const REGIONS: &str = "The same measures for each top-level unit: turnout, the leader's share, the integer-percentage excess over its exact binomial expectation (with its z-score) and Shpilkin's anomalous votes. It shows where anomalies concentrate; a region with few stations cannot show a significant excess even if its numbers were written to order.";
    /// Station ranking.
    pub const RANKING: &str = "Stations ranked by a combined anomaly score: the surprise (minus log10 probability) of an integer turnout and an integer leader's share under the binomial null, plus the surprise of the station's turnout and leader's share under the fair peak of Klimek's model. A high score marks a station worth checking against observers' protocol copies; it is not evidence that this station's result is false, and in an election of 100,000 stations some honest ones will score high.";
}

/// Significance level of the flags.
pub const ALPHA: f64 = 0.001;

/// Options of [`analyse`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed of every random stream.
    pub seed: u64,
    /// Monte-Carlo replicates of the integer-percentage null (at least 1,000 recommended).
    pub replicates: usize,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// The option examined (default: the option with the most votes).
    pub leader: Option<String>,
    /// Stations listed in the ranking.
    pub top_stations: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 1, replicates: 1000, threads: 1, leader: None, top_stations: 100 }
    }
}

/// Per-method results with their statements.
#[derive(Clone, Debug, Serialize)]
pub struct WithStatement<T: Serialize> {
    /// What it measures and what it does not prove.
    pub statement: &'static str,
    /// The result.
    #[serde(flatten)]
    pub result: T,
}

fn with<T: Serialize>(statement: &'static str, result: T) -> WithStatement<T> {
    WithStatement { statement, result }
}

/// Stations of the contest and why some are not used.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StationCounts {
    /// Protocol rows of the contest.
    pub protocols: u64,
    /// Summary protocols of higher units (not stations).
    pub summary_rows: u64,
    /// Station protocols lacking a needed line (absent is unknown).
    pub incomplete: u64,
    /// Stations examined.
    pub stations: u64,
    /// Units at the bottom of the territory with no protocol at all (e.g. an empty protocol
    /// in the source): not examined.
    pub without_protocol: u64,
}

/// One top-level unit.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Region {
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// Stations examined.
    pub stations: u64,
    /// Registered voters.
    pub registered: u64,
    /// Turnout, percent.
    pub turnout: f64,
    /// Leader's share of ballots, percent.
    pub leader_share: f64,
    /// Stations integer in turnout or share (inclusion rules applied).
    pub integer_observed: u64,
    /// Their exact binomial expectation.
    pub integer_expected: f64,
    /// observed − expected.
    pub integer_excess: f64,
    /// excess / exact sd.
    pub integer_z: f64,
    /// Shpilkin's anomalous votes.
    pub anomalous_votes: u64,
    /// Stations with turnout of 95% or more.
    pub turnout_95: u64,
}

/// One ranked station.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RankedStation {
    /// Rank (1 = most anomalous).
    pub rank: usize,
    /// Unit id.
    pub id: String,
    /// Unit name.
    pub name: String,
    /// Region id.
    pub region: String,
    /// Registered voters.
    pub registered: u64,
    /// Turnout, percent.
    pub turnout: f64,
    /// Leader's share, percent.
    pub leader_share: f64,
    /// Combined anomaly score.
    pub score: f64,
    /// What contributed.
    pub reasons: Vec<String>,
}

/// Flags at [`ALPHA`]: the tests with a calibrated p-value. The model estimates (Klimek,
/// Shpilkin) carry no flag: they are non-zero for honest elections whose turnout and support
/// are correlated. Nor does the second-digit test: its resampled null is biased where counts
/// have Benford-like second digits (docs/forensics.md, digit tests).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Flags {
    /// The significance level.
    pub alpha: f64,
    /// Integer percentages (turnout or share) p < alpha.
    pub integer_percentages: bool,
    /// Resampled last-digit test p < alpha.
    pub last_digit: bool,
    /// Resampled 0/5 test p < alpha.
    pub zero_five: bool,
    /// Any of the above.
    pub any: bool,
}

/// The whole analysis.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Election id.
    pub election: String,
    /// Contest id.
    pub contest: String,
    /// The option examined: (id, name).
    pub leader: LeaderInfo,
    /// What the leader's share is a share of.
    pub share_base: &'static str,
    /// Seed used.
    pub seed: u64,
    /// Stations.
    pub stations: StationCounts,
    /// Integer percentages.
    pub integer_percentages: WithStatement<integer::IntegerPercentages>,
    /// The fingerprint.
    pub fingerprint: WithStatement<klimek::Fingerprint>,
    /// The Klimek model fit (`null` with fewer than 100 stations of 100+ voters).
    pub klimek: WithStatement<Option<klimek::KlimekFit>>,
    /// Shpilkin's estimate.
    pub shpilkin: WithStatement<Option<shpilkin::Shpilkin>>,
    /// Digit tests.
    pub digits: WithStatement<digits::Digits>,
    /// Per region.
    pub regions: WithStatement<RegionList>,
    /// Ranked stations.
    pub stations_ranked: WithStatement<RankedList>,
    /// Flags.
    pub flags: Flags,
    /// Turnout histogram of stations in 0.1 pp bins (1,001 bins, 0.0 … 100.0), for the figure.
    #[serde(skip)]
    pub turnout_hist: Vec<u64>,
}

/// The examined option.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LeaderInfo {
    /// Option id.
    pub id: String,
    /// Option name.
    pub name: String,
}

/// Regions (a wrapper so that the list carries its statement).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RegionList {
    /// The regions, in unit order.
    pub list: Vec<Region>,
}

/// Ranked stations.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RankedList {
    /// The most anomalous stations, best first.
    pub list: Vec<RankedStation>,
}

fn st_rows_has(st: &Stations, u: ashyq_core::units::UnitIdx) -> bool {
    st.units_with_protocol.binary_search(&u).is_ok()
}

use std::ops::Not;

/// Why the analysis cannot run.
pub type Error = StationsError;

/// Runs every method on contest `contest` (index) of a package.
pub fn analyse(
    election: &Election,
    tree: &UnitTree,
    counts: &ContestCounts,
    contest: usize,
    options: &Options,
) -> Result<Report, Error> {
    let st = Stations::from_counts(election, tree, counts, contest, options.leader.as_deref())?;
    Ok(analyse_stations(election, tree, contest, &st, options))
}

/// Runs every method on prepared stations.
pub fn analyse_stations(
    election: &Election,
    tree: &UnitTree,
    contest: usize,
    st: &Stations,
    options: &Options,
) -> Report {
    let threads = options.threads.max(1);
    let c = &election.contests()[contest];
    let (ints, flags) =
        integer::integer_percentages(st, options.replicates.max(1), options.seed, threads);
    let fp = klimek::fingerprint(st);
    let fit = klimek::fit(st, options.seed, threads);
    let sh = shpilkin::shpilkin(st);
    let dg = digits::digits(st, threads);

    // Fair peak for the station scores.
    let (t, v): (Vec<f64>, Vec<f64>) = st
        .stations
        .iter()
        .filter(|s| s.registered >= klimek::MIN_REGISTERED && s.ballots > 0)
        .map(|s| (s.turnout().min(1.0), s.share(st.leader)))
        .unzip();
    let fair =
        fit.as_ref().map(|f| f.fair).or_else(|| (t.len() >= 2).then(|| klimek::fair_peak(&t, &v)));

    // Regions.
    let mut regions: Vec<Region> = st
        .regions
        .iter()
        .map(|&u| Region {
            id: tree.unit(u).id.to_string(),
            name: tree.unit(u).name.clone(),
            stations: 0,
            registered: 0,
            turnout: 0.0,
            leader_share: 0.0,
            integer_observed: 0,
            integer_expected: 0.0,
            integer_excess: 0.0,
            integer_z: 0.0,
            anomalous_votes: 0,
            turnout_95: 0,
        })
        .collect();
    let mut sums = vec![(0u128, 0u128, 0u128); regions.len()];
    for (i, s) in st.stations.iter().enumerate() {
        let r = &mut regions[s.region];
        r.stations += 1;
        r.registered += s.registered;
        if s.issued * 100 >= 95 * s.registered && s.registered > 0 {
            r.turnout_95 += 1;
        }
        if let Some(sh) = &sh {
            r.anomalous_votes += sh.per_station[i];
        }
        let e = &mut sums[s.region];
        e.0 += u128::from(s.issued);
        e.1 += u128::from(s.votes[st.leader]);
        e.2 += u128::from(s.ballots);
    }
    for (ri, r) in regions.iter_mut().enumerate() {
        let (issued, leader, ballots) = sums[ri];
        r.turnout =
            if r.registered > 0 { 100.0 * issued as f64 / r.registered as f64 } else { 0.0 };
        r.leader_share = if ballots > 0 { 100.0 * leader as f64 / ballots as f64 } else { 0.0 };
        let (o, m, sd) = integer::subset_counts(
            st.stations.iter().zip(&flags).filter(|(s, _)| s.region == ri).map(|(_, f)| f),
        );
        r.integer_observed = o;
        r.integer_expected = m;
        r.integer_excess = o as f64 - m;
        r.integer_z = if sd > 0.0 { (o as f64 - m) / sd } else { 0.0 };
    }
    regions.retain(|r| r.stations > 0);

    // Station scores.
    let surprise = |p: f64| -p.max(1e-300).log10();
    let mut scored: Vec<(f64, usize, Vec<String>)> = st
        .stations
        .iter()
        .zip(&flags)
        .enumerate()
        .map(|(i, (s, f))| {
            let mut score = 0.0;
            let mut reasons = Vec::new();
            if f.turnout {
                score += surprise(f.q_turnout);
                reasons.push(format!("turnout is a whole percentage (chance {:.3})", f.q_turnout));
            }
            if f.share {
                score += surprise(f.q_share);
                reasons.push(format!(
                    "leader's share is a whole percentage (chance {:.3})",
                    f.q_share
                ));
            }
            if let Some(fp) = &fair {
                if s.ballots > 0 && s.registered > 0 {
                    let zt = (s.turnout().min(1.0) - fp.tau) / fp.sigma_tau;
                    let zv = (s.share(st.leader) - fp.nu) / fp.sigma_nu;
                    if zt > 2.0 {
                        score += surprise(math::normal_sf(zt));
                        reasons.push(format!("turnout {:.1} sd above the fair peak", zt));
                    }
                    if zv > 2.0 {
                        score += surprise(math::normal_sf(zv));
                        reasons.push(format!("leader's share {:.1} sd above the fair peak", zv));
                    }
                }
            }
            (score, i, reasons)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let ranked: Vec<RankedStation> = scored
        .into_iter()
        .filter(|x| x.0 > 0.0)
        .take(options.top_stations)
        .enumerate()
        .map(|(k, (score, i, reasons))| {
            let s = &st.stations[i];
            RankedStation {
                rank: k + 1,
                id: tree.unit(s.unit).id.to_string(),
                name: tree.unit(s.unit).name.clone(),
                region: tree.unit(st.regions[s.region]).id.to_string(),
                registered: s.registered,
                turnout: 100.0 * s.turnout(),
                leader_share: 100.0 * s.share(st.leader),
                score: (score * 1000.0).round() / 1000.0,
                reasons,
            }
        })
        .collect();

    let mut turnout_hist = vec![0u64; 1001];
    for s in st.stations.iter().filter(|s| s.registered > 0) {
        let b = ((s.turnout() * 1000.0).round() as usize).min(1000);
        turnout_hist[b] += 1;
    }

    let mut flags = Flags {
        alpha: ALPHA,
        integer_percentages: ints.either.p_value < ALPHA,
        last_digit: dg.all_options.last_digit.resampled.p_value < ALPHA,
        zero_five: dg.all_options.zero_five.resampled_p_value < ALPHA,
        any: false,
    };
    flags.any = flags.integer_percentages || flags.last_digit || flags.zero_five;
    // Stations of the territory without any protocol (empty in the source).
    let territory = c.territory();
    let without_protocol = tree
        .subtree(territory)
        .into_iter()
        .filter(|&u| tree.children(u).is_empty() && st_rows_has(st, u).not())
        .count() as u64;
    let leader = &c.options()[st.leader];
    Report {
        election: election.id().to_string(),
        contest: c.id().to_string(),
        leader: LeaderInfo { id: leader.id.to_string(), name: leader.name.clone() },
        share_base: st.share_base,
        seed: options.seed,
        stations: StationCounts {
            protocols: st.protocols as u64,
            summary_rows: st.summary_rows as u64,
            incomplete: st.incomplete as u64,
            stations: st.stations.len() as u64,
            without_protocol,
        },
        integer_percentages: with(statements::INTEGER, ints),
        fingerprint: with(statements::FINGERPRINT, fp),
        klimek: with(statements::KLIMEK, fit),
        shpilkin: with(statements::SHPILKIN, sh),
        digits: with(statements::DIGITS, dg),
        regions: with(statements::REGIONS, RegionList { list: regions }),
        stations_ranked: with(statements::RANKING, RankedList { list: ranked }),
        flags,
        turnout_hist,
    }
}
