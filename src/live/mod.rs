//! The live socket `GET /r/{roomId}/live` (SPEC §7, HTML): the hub that subscribes once per
//! room per instance and renders each event once per interface language, and the
//! per-connection loop.

mod hub;
pub mod json;
mod limiter;
mod socket;
mod tracker;

pub use hub::{Hub, Outgoing};
pub use json::json_socket;
pub use limiter::{KeyedLimiter, TokenBucket, retry_secs};
#[cfg(test)]
pub(crate) use socket::parse_composer;
pub use socket::{SOCKET_BUFFER, live_socket};
pub use tracker::{SocketGuard, SocketTracker};
