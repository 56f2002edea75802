//! Small helpers every layer may use: lock recovery, a stable hash, duration arithmetic without
//! lossy casts, and the token bucket every rate limit is made of. This module depends on
//! nothing else in the crate.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use tokio::time::Instant;

/// Locks `m`, recovering from poisoning. Every critical section in c2c leaves its data
/// consistent before anything that could panic, so a poisoned lock still holds valid data, and
/// one panicking task must not take every later request down with it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// [`lock`] for reading an `RwLock`.
pub fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

/// [`lock`] for writing an `RwLock`.
pub fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

/// 64-bit FNV-1a over `chunks`: the same on every platform, build and instance (std's hasher
/// promises none of that), for numbers instances must agree on (a room's heartbeat phase) and
/// tags that must not change while the bytes do not (the asset version).
pub fn stable_hash<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for chunk in chunks {
        for b in chunk {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Whole milliseconds of `d`, saturating (a duration too long for `u64` milliseconds is
/// 584 million years).
pub fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whole milliseconds of `d` as a signed count, saturating: wall-clock arithmetic is in `i64`.
pub fn millis_i64(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A sustained rate with a burst allowance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rate {
    /// Tokens added per second.
    pub per_sec: f64,
    /// Most tokens held (and so sent at once).
    pub burst: u32,
}

impl Rate {
    /// `n` a minute, all of them at once if wanted.
    pub fn per_minute(n: u32) -> Self {
        Self { per_sec: f64::from(n.max(1)) / 60.0, burst: n.max(1) }
    }
}

/// One sender's bucket, on tokio's clock so tests can pause time.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    tokens: f64,
    rate: Rate,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: Rate) -> Self {
        Self { tokens: f64::from(rate.burst.max(1)), rate, updated: Instant::now() }
    }

    /// Takes one token, or says how long until one is available.
    pub fn try_take(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        let burst = f64::from(self.rate.burst.max(1));
        self.tokens = (self.tokens + elapsed * self.rate.per_sec).min(burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate.per_sec.max(f64::MIN_POSITIVE)))
        }
    }

    /// Whether the bucket has filled up again by `now` (an idle sender, safe to forget).
    pub fn is_full(&self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens + elapsed * self.rate.per_sec >= f64::from(self.rate.burst.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_fnv1a() {
        // Published FNV-1a test vectors.
        assert_eq!(stable_hash([&b""[..]]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash([&b"a"[..]]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash([&b"foo"[..]]), stable_hash([&b"f"[..], &b"oo"[..]]));
    }

    #[tokio::test(start_paused = true)]
    async fn buckets_allow_a_burst_then_the_rate() {
        let mut bucket = TokenBucket::new(Rate { per_sec: 5.0, burst: 10 });
        for _ in 0..10 {
            assert!(bucket.try_take().is_ok());
        }
        let wait = bucket.try_take().unwrap_err();
        assert!(wait <= Duration::from_millis(200) && wait > Duration::ZERO, "{wait:?}");
        tokio::time::advance(Duration::from_millis(200)).await;
        assert!(bucket.try_take().is_ok());
        assert!(bucket.try_take().is_err());
        assert!(!bucket.is_full(Instant::now()));
        assert!(bucket.is_full(Instant::now() + Duration::from_secs(2)));
    }

    #[test]
    fn durations_convert_without_wrapping() {
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), u64::MAX);
        assert_eq!(millis_i64(Duration::MAX), i64::MAX);
    }
}
