//! Exponential backoff after failed attempts, per address: after a few free tries, each failure
//! locks the address out twice as long as the one before, so guessing a secret slows to a crawl
//! while a translator who mistyped once is not bothered.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::retry_secs;
use crate::support::lock;

/// Failures allowed before the first lockout.
const FREE_FAILURES: u32 = 3;
/// The longest lockout.
const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);
/// An address with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
/// Addresses remembered before idle ones are forgotten early.
const MAX_ADDRESSES: usize = 10_000;

struct Entry {
    failures: u32,
    locked_until: Instant,
    last_failure: Instant,
}

/// Failed attempts by address.
#[derive(Default)]
pub struct Backoff {
    entries: Mutex<HashMap<IpAddr, Entry>>,
}

impl Backoff {
    /// `Ok` if `ip` may try now, else the whole seconds it must wait.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        match lock(&self.entries).get(&ip) {
            Some(entry) if entry.locked_until > now => Err(retry_secs(entry.locked_until - now)),
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt from `ip`.
    pub fn failed(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut entries = lock(&self.entries);
        if entries.len() >= MAX_ADDRESSES {
            entries.retain(|_, e| now.saturating_duration_since(e.last_failure) < FORGET_AFTER);
        }
        let entry = entries.entry(ip).or_insert(Entry { failures: 0, locked_until: now, last_failure: now });
        if now.saturating_duration_since(entry.last_failure) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last_failure = now;
        if let Some(over) = entry.failures.checked_sub(FREE_FAILURES).filter(|n| *n > 0) {
            let lockout = Duration::from_secs(1u64 << (over - 1).min(20)).min(MAX_LOCKOUT);
            entry.locked_until = now + lockout;
        }
    }

    /// A successful attempt from `ip`: its failures are forgotten.
    pub fn succeeded(&self, ip: IpAddr) {
        lock(&self.entries).remove(&ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn lockouts_double_after_the_free_failures() {
        let backoff = Backoff::default();
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..FREE_FAILURES {
            assert!(backoff.check(ip).is_ok());
            backoff.failed(ip);
        }
        assert!(backoff.check(ip).is_ok(), "three mistakes cost nothing");
        backoff.failed(ip);
        assert_eq!(backoff.check(ip), Err(1));
        tokio::time::advance(Duration::from_secs(1)).await;
        backoff.failed(ip);
        assert_eq!(backoff.check(ip), Err(2));
        assert!(backoff.check("203.0.113.10".parse().unwrap()).is_ok(), "per address");
        for _ in 0..30 {
            backoff.failed(ip);
        }
        assert_eq!(backoff.check(ip), Err(MAX_LOCKOUT.as_secs()));
        backoff.succeeded(ip);
        assert!(backoff.check(ip).is_ok());
    }
}
