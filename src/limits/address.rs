//! Per-address limits on creating and joining rooms, so one client cannot fill the server with
//! rooms or memberships (docs/operations.md, "Abuse limits"). The counts live in the backend,
//! so every instance sees the same ones (in Redis with `REDIS_URL`).

use std::net::IpAddr;

use crate::backend::{Backend, BackendError, BackendResult};
use crate::domain::Limits;
use crate::metrics::metrics;
use crate::support::Rate;

/// Which limit.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// Creating a room.
    Create,
    /// Joining a room.
    Join,
}

/// Takes one `action` from `ip`'s allowance; `RateLimited` with the wait when it is used up.
pub async fn spend(backend: &dyn Backend, limits: &Limits, action: Action, ip: IpAddr) -> BackendResult<()> {
    let (name, per_min, refused) = match action {
        Action::Create => ("create", limits.creates_per_min, &metrics().limited_creates),
        Action::Join => ("join", limits.joins_per_min, &metrics().limited_joins),
    };
    let result = backend.spend(&format!("{name}:{ip}"), Rate::per_minute(per_min)).await;
    if let Err(BackendError::RateLimited(_)) = result {
        refused.increment(1);
    }
    result
}
