//! Per-address limits on creating and joining rooms, so one client cannot fill the server with
//! rooms or memberships (docs/operations.md, "Abuse limits").

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::retry_secs;
use crate::metrics::metrics;

/// How often addresses whose allowance is full again are forgotten.
pub const FORGET_INTERVAL: Duration = Duration::from_secs(60);

/// Per-address limits on room creation and joins.
pub struct AddressLimits {
    creates: DefaultKeyedRateLimiter<IpAddr>,
    joins: DefaultKeyedRateLimiter<IpAddr>,
}

/// Which limit.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// Creating a room.
    Create,
    /// Joining a room.
    Join,
}

fn quota(per_min: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_min).unwrap_or(NonZeroU32::MIN))
}

impl AddressLimits {
    /// Limits at `creates` and `joins` per minute per address.
    pub fn new(creates: u32, joins: u32) -> Self {
        Self { creates: RateLimiter::hashmap(quota(creates)), joins: RateLimiter::hashmap(quota(joins)) }
    }

    /// Takes one `action` for `ip`, or says in how many seconds it is allowed again.
    pub fn check(&self, action: Action, ip: IpAddr) -> Result<(), u64> {
        let (limiter, refused) = match action {
            Action::Create => (&self.creates, &metrics().limited_creates),
            Action::Join => (&self.joins, &metrics().limited_joins),
        };
        limiter.check_key(&ip).map_err(|not_until| {
            refused.increment(1);
            retry_secs(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }

    /// Forgets addresses whose allowance is full again.
    pub fn forget_idle(&self) {
        self.creates.retain_recent();
        self.joins.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_say_when_to_retry() {
        let limits = AddressLimits::new(2, 60);
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(limits.check(Action::Create, ip).is_ok());
        assert!(limits.check(Action::Create, ip).is_ok());
        let wait = limits.check(Action::Create, ip).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(limits.check(Action::Create, "198.51.100.2".parse().unwrap()).is_ok(), "per address");
        assert!(limits.check(Action::Join, ip).is_ok(), "per action");
    }
}
