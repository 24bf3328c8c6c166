//! Intraday turnout: observers' own counts of the voters who had voted by a given hour against the
//! commission's official snapshot for the same station and hour (the snapshots `ashyq protocol
//! turnout` records). A station is flagged when the official figure exceeds the observed one by
//! more than the stated tolerance: `official > observed × (1 + p/100) + v`, compared exactly in
//! integers. (Observers reported turnout under 37% where commissions reported 57% in 2022–2023:
//! BRIEF, "Why it exists".)

use std::collections::BTreeMap;

/// One snapshot: voters who had voted at `unit` by `hour`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Station id.
    pub unit: String,
    /// Hour, e.g. `12:00`.
    pub hour: String,
    /// Voters.
    pub voters: u64,
}

/// How far the official figure may exceed the observed one before it is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    /// Relative part, percent as an exact fraction `(n, d)`.
    pub percent: (u64, u64),
    /// Absolute part, voters.
    pub voters: u64,
}

/// A flagged station and hour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Station id.
    pub unit: String,
    /// Hour.
    pub hour: String,
    /// Official figure.
    pub official: u64,
    /// Observed figure (the largest when several observers reported).
    pub observed: u64,
    /// Official − observed.
    pub excess: u64,
    /// Observer reports for this station and hour.
    pub reports: usize,
}

/// The comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TurnoutComparison {
    /// (station, hour) pairs with both an official and an observed figure.
    pub compared: usize,
    /// Observed (station, hour) pairs without an official figure.
    pub without_official: Vec<(String, String)>,
    /// Official figures beyond the tolerance, in station and hour order.
    pub flagged: Vec<Flag>,
}

/// Whether `official` exceeds `observed` beyond `tol`:
/// `official·100d > observed·(100d + n) + v·100d`.
pub fn beyond(official: u64, observed: u64, tol: Tolerance) -> bool {
    let (n, d) = (u128::from(tol.percent.0), u128::from(tol.percent.1.max(1)));
    u128::from(official) * 100 * d
        > u128::from(observed) * (100 * d + n) + u128::from(tol.voters) * 100 * d
}

/// Compares observed snapshots with official ones.
pub fn compare_turnout(
    official: &[Snapshot],
    observed: &[Snapshot],
    tol: Tolerance,
) -> TurnoutComparison {
    let off: BTreeMap<(&str, &str), u64> =
        official.iter().map(|s| ((s.unit.as_str(), s.hour.as_str()), s.voters)).collect();
    let mut obs: BTreeMap<(&str, &str), (u64, usize)> = BTreeMap::new();
    for s in observed {
        let e = obs.entry((s.unit.as_str(), s.hour.as_str())).or_insert((0, 0));
        e.0 = e.0.max(s.voters);
        e.1 += 1;
    }
    let mut res =
        TurnoutComparison { compared: 0, without_official: Vec::new(), flagged: Vec::new() };
    for (&(unit, hour), &(observed, reports)) in &obs {
        match off.get(&(unit, hour)) {
            None => res.without_official.push((unit.to_owned(), hour.to_owned())),
            Some(&official) => {
                res.compared += 1;
                if beyond(official, observed, tol) {
                    res.flagged.push(Flag {
                        unit: unit.to_owned(),
                        hour: hour.to_owned(),
                        official,
                        observed,
                        excess: official - observed,
                        reports,
                    });
                }
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(unit: &str, hour: &str, voters: u64) -> Snapshot {
        Snapshot { unit: unit.into(), hour: hour.into(), voters }
    }

    #[test]
    fn flags_only_beyond_the_tolerance() {
        let tol = Tolerance { percent: (10, 1), voters: 5 };
        // 100 observed: allowed up to 100·1.1 + 5 = 115.
        assert!(!beyond(115, 100, tol));
        assert!(beyond(116, 100, tol));
        assert!(
            !beyond(50, 100, tol),
            "an official figure below the observed one is not this check's concern"
        );
        let official = [s("S1", "12:00", 570), s("S2", "12:00", 300), s("S1", "18:00", 800)];
        let observed = [
            s("S1", "12:00", 370),
            s("S1", "12:00", 365),
            s("S2", "12:00", 298),
            s("S3", "12:00", 10),
        ];
        let c = compare_turnout(&official, &observed, tol);
        assert_eq!(c.compared, 2);
        assert_eq!(c.without_official, vec![("S3".to_owned(), "12:00".to_owned())]);
        assert_eq!(c.flagged.len(), 1);
        assert_eq!(
            (c.flagged[0].observed, c.flagged[0].excess, c.flagged[0].reports),
            (370, 200, 2)
        );
    }
}
