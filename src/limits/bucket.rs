//! Token-bucket limiting of sends: a sustained rate with a burst allowance, on tokio's clock so
//! tests can pause time.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::domain::Limits;
use crate::support::lock;

/// One sender's bucket.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    tokens: f64,
    burst: f64,
    per_sec: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket for `limits`.
    pub fn new(limits: &Limits) -> Self {
        let burst = f64::from(limits.rate_burst.max(1));
        Self { tokens: burst, burst, per_sec: limits.rate_per_sec, updated: Instant::now() }
    }

    /// Takes one token, or says how long until one is available.
    pub fn try_take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.per_sec))
        }
    }

    fn is_full(&self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens + elapsed * self.per_sec >= self.burst
    }
}

/// Buckets by key (the form path limits each member). Full buckets are forgotten, so the map
/// only holds senders who were active in the last few seconds.
pub struct KeyedLimiter<K> {
    limits: Limits,
    buckets: Mutex<HashMap<K, TokenBucket>>,
}

impl<K: Eq + Hash + Clone> KeyedLimiter<K> {
    /// An empty limiter.
    pub fn new(limits: Limits) -> Self {
        Self { limits, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token of `key`'s bucket, or says how long until one is available.
    pub fn try_take(&self, key: &K) -> Result<(), Duration> {
        let mut buckets = lock(&self.buckets);
        if buckets.len() > 10_000 {
            let now = Instant::now();
            buckets.retain(|_, b| !b.is_full(now));
        }
        buckets.entry(key.clone()).or_insert_with(|| TokenBucket::new(&self.limits)).try_take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_rate() {
        let limits = Limits::default();
        let mut bucket = TokenBucket::new(&limits);
        for _ in 0..10 {
            assert!(bucket.try_take().is_ok());
        }
        let wait = bucket.try_take().unwrap_err();
        assert!(wait <= Duration::from_millis(200) && wait > Duration::ZERO, "{wait:?}");
        tokio::time::advance(Duration::from_millis(200)).await;
        assert!(bucket.try_take().is_ok());
        assert!(bucket.try_take().is_err());
    }
}
