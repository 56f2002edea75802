//! Small helpers every layer may use: lock recovery, a stable hash, duration arithmetic without
//! lossy casts. This module depends on nothing else in the crate.

use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

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

    #[test]
    fn durations_convert_without_wrapping() {
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::MAX), u64::MAX);
        assert_eq!(millis_i64(Duration::MAX), i64::MAX);
    }
}
