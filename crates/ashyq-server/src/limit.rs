//! Rate limits: a token bucket per key (a client address, a bearer token), refilled
//! continuously. Buckets idle for a minute are forgotten, so the table stays small.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per second and burst of one class of requests; 0 per second = unlimited.
#[derive(Clone, Copy, Debug)]
pub struct Rate {
    /// Sustained requests per second.
    pub per_second: f64,
    /// Requests allowed at once.
    pub burst: f64,
}

/// Tokens and last refill per key, and when idle buckets were last swept.
type Buckets = (HashMap<String, (f64, Instant)>, Instant);

/// Buckets by key.
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<Buckets>,
}

impl Limiter {
    /// A limiter at `rate`.
    pub fn new(rate: Rate) -> Limiter {
        Limiter { rate, buckets: Mutex::new((HashMap::new(), Instant::now())) }
    }

    /// Takes one token from `key`'s bucket; false when it is empty.
    pub fn allow(&self, key: &str) -> bool {
        if self.rate.per_second <= 0.0 {
            return true;
        }
        let now = Instant::now();
        let Ok(mut g) = self.buckets.lock() else { return true };
        let (map, swept) = &mut *g;
        if now.duration_since(*swept).as_secs() >= 60 {
            let (rate, burst) = (self.rate.per_second, self.rate.burst);
            map.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
            *swept = now;
        }
        let (tokens, at) = map.entry(key.to_owned()).or_insert((self.rate.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate.per_second)
            .min(self.rate.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_and_keys_are_separate() {
        let l = Limiter::new(Rate { per_second: 0.001, burst: 3.0 });
        assert!((0..3).all(|_| l.allow("a")));
        assert!(!l.allow("a"));
        assert!(l.allow("b"));
        let free = Limiter::new(Rate { per_second: 0.0, burst: 0.0 });
        assert!((0..1000).all(|_| free.allow("a")));
    }
}
