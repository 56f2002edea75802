//! Rate limits on what people and programs do (docs/operations.md, "Abuse limits"):
//! per-address limits on creating and joining rooms (kept by the backend, so shared by every
//! instance) and a backoff after failed translator sign-ins. Each member's message allowance is
//! kept by the backend with the member; each JSON socket's join allowance by the socket. The
//! sizes and rates are [`crate::domain::Limits`]; the bucket is [`crate::support::TokenBucket`].

mod address;
mod backoff;

use std::time::Duration;

pub use address::{Action, spend};
pub use backoff::Backoff;

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
