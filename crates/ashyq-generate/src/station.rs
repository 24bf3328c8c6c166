//! One polling station's protocol and the two manipulations (Klimek et al. 2012 stuffing;
//! Kobak, Shpilkin & Pshenichnikov 2016 integer-percentage rounding), keeping the protocol
//! arithmetic of the law reference §8.2 intact.

use rand::Rng;

/// A standard normal draw (Box–Muller; one draw per call, for a simple fixed stream).
pub(crate) fn normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = rng.gen::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Makes `votes` add up to `target` (their current sum is `sum`) by changing the largest
/// entries: a stochastic rounding leaves a difference of at most the number of options.
pub(crate) fn fix_sum(votes: &mut [u64], target: u64, sum: u64) {
    if sum < target {
        if let Some(k) = largest(votes) {
            votes[k] += target - sum;
        }
    } else {
        take(votes, sum - target, None);
    }
}

fn largest(votes: &[u64]) -> Option<usize> {
    (0..votes.len()).max_by(|&a, &b| votes[a].cmp(&votes[b]).then(b.cmp(&a)))
}

/// Takes `amount` away from the largest entries (never below zero), skipping `keep`.
fn take(votes: &mut [u64], mut amount: u64, keep: Option<usize>) {
    while amount > 0 {
        let Some(k) = (0..votes.len())
            .filter(|&k| Some(k) != keep)
            .max_by(|&a, &b| votes[a].cmp(&votes[b]).then(b.cmp(&a)))
        else {
            return;
        };
        let d = amount.min(votes[k]);
        if d == 0 {
            return;
        }
        votes[k] -= d;
        amount -= d;
    }
}

/// `round(a * 100 / b)` in integers (half up); 0 when `b` is 0.
fn percent(a: u64, b: u64) -> u64 {
    if b == 0 {
        return 0;
    }
    (a as u128 * 200 / b as u128).div_ceil(2) as u64
}

/// `round(total * pct / 100)` in integers (half up).
fn of_percent(total: u64, pct: u64) -> u64 {
    ((total as u128 * pct as u128 * 2 / 100).div_ceil(2)) as u64
}

/// Ballots issued after pushing turnout to the nearest whole percent.
pub(crate) fn round_turnout(registered: u64, issued: u64) -> u64 {
    of_percent(registered, percent(issued, registered)).min(registered)
}

/// The numbers of one protocol. Cancelled = received − issued, found = issued.
#[derive(Clone, Debug)]
pub(crate) struct Protocol {
    pub(crate) registered: u64,
    pub(crate) received: u64,
    pub(crate) issued: u64,
    pub(crate) invalid: u64,
    /// Votes per option, the leader first.
    pub(crate) votes: Vec<u64>,
}

impl Protocol {
    pub(crate) fn new(n_options: usize) -> Protocol {
        Protocol { registered: 0, received: 0, issued: 0, invalid: 0, votes: vec![0; n_options] }
    }

    /// Klimek et al.: `extra` unused ballots are cast for the leader. They are issued (taken
    /// from the cancelled ballots) and found in the box, so R2–R5 still hold.
    pub(crate) fn stuff(&mut self, extra: u64) {
        let extra = extra.min(self.registered - self.issued);
        self.issued += extra;
        if let Some(v) = self.votes.first_mut() {
            *v += extra;
        }
    }

    /// Kobak et al.: issued set to `new_issued` (a whole-percent turnout) and the leader's
    /// share of issued pushed to the nearest whole percent; invalid ballots and the other
    /// options absorb the difference, largest first.
    pub(crate) fn round_to_integer_percent(&mut self, new_issued: u64) {
        if self.votes.is_empty() {
            return;
        }
        let share = percent(self.votes[0], self.issued);
        let leader = of_percent(new_issued, share).min(new_issued);
        let others_now = self.issued - self.votes[0];
        let others_new = new_issued - leader;
        // Others = invalid followed by the non-leader options.
        let mut others: Vec<u64> =
            std::iter::once(self.invalid).chain(self.votes[1..].iter().copied()).collect();
        if others_new >= others_now {
            // Add to the largest other line (a falsifier rarely touches invalid ballots, but
            // any choice keeps the arithmetic).
            let k = largest(&others[1..]).map_or(0, |k| k + 1);
            others[k] += others_new - others_now;
        } else {
            take(&mut others, others_now - others_new, None);
        }
        self.invalid = others[0];
        self.votes[1..].copy_from_slice(&others[1..]);
        self.votes[0] = leader;
        self.issued = new_issued;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consistent(p: &Protocol) -> bool {
        p.votes.iter().sum::<u64>() + p.invalid == p.issued
            && p.issued <= p.registered
            && p.registered <= p.received
    }

    #[test]
    fn stuffing_keeps_the_arithmetic_and_raises_turnout_and_leader() {
        let mut p = Protocol {
            registered: 1000,
            received: 1010,
            issued: 500,
            invalid: 10,
            votes: vec![300, 150, 40],
        };
        p.stuff(400);
        assert!(consistent(&p));
        assert_eq!((p.issued, p.votes[0]), (900, 700));
        p.stuff(5000);
        assert_eq!(p.issued, 1000, "a stuffer cannot exceed the register");
        assert!(consistent(&p));
    }

    #[test]
    fn rounding_gives_whole_percentages() {
        for (reg, iss, lead) in
            [(1234u64, 617u64, 401u64), (997, 3, 1), (3000, 2999, 2000), (50, 49, 0)]
        {
            let inv = (iss - lead) / 10;
            let rest = iss - lead - inv;
            let mut p = Protocol {
                registered: reg,
                received: reg,
                issued: iss,
                invalid: inv,
                votes: vec![lead, rest / 2, rest - rest / 2],
            };
            let new_issued = round_turnout(reg, iss);
            p.round_to_integer_percent(new_issued);
            assert!(consistent(&p), "{p:?}");
            let t = p.issued as f64 * 100.0 / reg as f64;
            assert!((t - t.round()).abs() * reg as f64 / 100.0 <= 0.5 + 1e-9, "turnout {t}");
            if p.issued > 0 {
                let s = p.votes[0] as f64 * 100.0 / p.issued as f64;
                assert!((s - s.round()).abs() * p.issued as f64 / 100.0 <= 0.5 + 1e-9, "share {s}");
            }
        }
    }

    #[test]
    fn fix_sum_never_goes_negative() {
        let mut v = vec![5, 0, 1];
        fix_sum(&mut v, 2, 6);
        assert_eq!(v.iter().sum::<u64>(), 2);
        let mut v = vec![5, 0, 1];
        fix_sum(&mut v, 9, 6);
        assert_eq!(v, vec![8, 0, 1]);
    }
}
