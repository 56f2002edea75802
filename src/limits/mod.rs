//! Rate limits on what people and programs send (docs/operations.md, "Abuse limits"): a token
//! bucket per socket and per member for messages, per-address limits on creating and joining
//! rooms, and a backoff after failed translator sign-ins. The sizes and rates themselves are [`crate::domain::Limits`].

mod address;
mod backoff;
mod bucket;

use std::time::Duration;

pub use address::{Action, AddressLimits, FORGET_INTERVAL};
pub use backoff::Backoff;
pub use bucket::{KeyedLimiter, TokenBucket};

/// Whole seconds to tell someone to wait: `wait` rounded up, never zero.
pub fn retry_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(retry_secs(Duration::from_millis(10)), 1);
        assert_eq!(retry_secs(Duration::from_millis(1000)), 1);
        assert_eq!(retry_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_secs(Duration::ZERO), 1);
    }
}
