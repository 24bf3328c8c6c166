//! Shpilkin's anomalous-vote estimate (the "clean peak" method; S. Shpilkin, 2009–2011, as
//! described by Kobak, Shpilkin & Pshenichnikov, Significance 13(4):20–23, 2016).
//!
//! The assumption: in an honest election the leader's share does not depend on turnout, and the
//! most common turnout (the peak of the registered-voter-weighted turnout distribution) is
//! honest. The leader's share among stations at or below the peak is the *clean share* s₀.
//! Above the peak, the other options' votes are taken as honest and the leader's honest votes
//! as others·s₀/(1 − s₀); whatever the leader has beyond that is *anomalous*.

use serde::Serialize;

use crate::stations::Stations;

/// Turnout bins of the peak search (0.5 pp).
const BINS: usize = 200;

/// The estimate.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Shpilkin {
    /// The turnout peak, percent (centre of the 0.5 pp bin with most registered voters after a
    /// ±1 pp running mean).
    pub turnout_peak: f64,
    /// Leader's share of ballots at stations with turnout at or below the peak, percent.
    pub clean_share: f64,
    /// Leader's official share of ballots over the stations examined, percent.
    pub official_share: f64,
    /// Leader's votes beyond the clean-share expectation above the peak.
    pub anomalous_votes: u64,
    /// Anomalous votes as a share of the leader's votes, percent.
    pub anomalous_share_of_leader: f64,
    /// The leader's share with the anomalous votes removed from the leader and the ballots,
    /// percent.
    pub corrected_share: f64,
    /// Stations above the peak.
    pub stations_above_peak: u64,
    /// Per station (same order as the stations): anomalous votes.
    #[serde(skip)]
    pub per_station: Vec<u64>,
}

/// Computes the estimate; `None` when no station has registered voters and ballots.
pub fn shpilkin(st: &Stations) -> Option<Shpilkin> {
    let mut hist = vec![0f64; BINS + 1];
    let usable = |s: &crate::stations::Station| s.registered > 0 && s.ballots > 0;
    for s in st.stations.iter().filter(|s| usable(s)) {
        let b = ((s.turnout().min(1.0) * BINS as f64).round() as usize).min(BINS);
        hist[b] += s.registered as f64;
    }
    if hist.iter().all(|h| *h == 0.0) {
        return None;
    }
    let smooth: Vec<f64> = (0..=BINS)
        .map(|i| (i.saturating_sub(2)..=(i + 2).min(BINS)).map(|j| hist[j]).sum())
        .collect();
    let peak_bin =
        (0..=BINS).max_by(|&a, &b| smooth[a].total_cmp(&smooth[b]).then(b.cmp(&a))).unwrap_or(0);
    let peak = peak_bin as f64 / BINS as f64;
    let leader = st.leader;
    let (mut clean_leader, mut clean_ballots) = (0u128, 0u128);
    let (mut all_leader, mut all_ballots) = (0u128, 0u128);
    for s in st.stations.iter().filter(|s| usable(s)) {
        all_leader += u128::from(s.votes[leader]);
        all_ballots += u128::from(s.ballots);
        if s.turnout() <= peak + 0.5 / BINS as f64 {
            clean_leader += u128::from(s.votes[leader]);
            clean_ballots += u128::from(s.ballots);
        }
    }
    let s0 = if clean_ballots > 0 { clean_leader as f64 / clean_ballots as f64 } else { 0.0 };
    let mut anomalous = 0u64;
    let mut above = 0u64;
    let per_station: Vec<u64> = st
        .stations
        .iter()
        .map(|s| {
            if !usable(s) || s.turnout() <= peak + 0.5 / BINS as f64 || s0 >= 1.0 {
                return 0;
            }
            above += 1;
            let others = s.ballots - s.votes[leader];
            let honest = others as f64 * s0 / (1.0 - s0);
            let a = (s.votes[leader] as f64 - honest).max(0.0).round() as u64;
            anomalous += a;
            a
        })
        .collect();
    let pct = |a: u128, b: u128| if b > 0 { 100.0 * a as f64 / b as f64 } else { 0.0 };
    let a = u128::from(anomalous);
    Some(Shpilkin {
        turnout_peak: 100.0 * peak,
        clean_share: 100.0 * s0,
        official_share: pct(all_leader, all_ballots),
        anomalous_votes: anomalous,
        anomalous_share_of_leader: pct(a, all_leader),
        corrected_share: pct(all_leader - a.min(all_leader), all_ballots - a.min(all_ballots)),
        stations_above_peak: above,
        per_station,
    })
}
