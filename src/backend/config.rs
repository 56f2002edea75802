//! A backend's timings and sizes: the defaults production runs with, shortened by tests.

use std::time::Duration;

use crate::support::Rate;

/// A member's presence lives this long without a heartbeat (docs/redis.md, "Presence and
/// crashed instances").
pub const PRESENCE_TTL: Duration = Duration::from_secs(30);
/// How often a live connection refreshes its presence: a third of the TTL, so one lost
/// heartbeat never flips a member offline.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(10);
/// Recent messages kept per room (docs/redis.md).
pub const HISTORY_LEN: usize = crate::config::DEFAULT_HISTORY_LIMIT;
/// A member's live session (and so an API token) lasts this long without activity
/// (docs/api.md).
pub const USER_SESSION_TTL: Duration = Duration::from_secs(600);
/// Room events buffered per local subscriber before it counts as lagging and resyncs. Every
/// room holds two such rings per instance (backend and hub); 64 slots cover any burst a chat
/// room sees between two wake-ups of a socket, and a socket that does fall further behind
/// resyncs from history instead of losing anything.
pub const EVENT_BUFFER: usize = 64;

/// Timings and sizes of a backend. Tests shorten them; production uses [`Default`].
#[derive(Clone, Debug)]
pub struct BackendConfig {
    /// Presence TTL.
    pub presence_ttl: Duration,
    /// How long a room with no one online survives (`C2C_ROOM_IDLE_TTL`).
    pub room_idle_ttl: Duration,
    /// Messages kept per room.
    pub history_len: usize,
    /// How often expired presence and idle rooms are swept.
    pub sweep_interval: Duration,
    /// Each member's allowance of messages, over all their sockets, forms and instances.
    pub message_rate: Rate,
    /// How long after posting its author may edit a message (`C2C_EDIT_WINDOW`).
    pub edit_window: Duration,
}

impl BackendConfig {
    /// The backend configuration `config` asks for; the rest as [`Default`].
    pub fn for_config(config: &crate::config::Config) -> Self {
        Self {
            room_idle_ttl: config.room_idle_ttl,
            history_len: config.history_limit,
            message_rate: config.limits.send_rate(),
            edit_window: config.edit_window,
            ..Self::default()
        }
    }
}

impl Default for BackendConfig {
    fn default() -> Self {
        Self {
            presence_ttl: PRESENCE_TTL,
            room_idle_ttl: Duration::from_secs(24 * 3600),
            history_len: HISTORY_LEN,
            sweep_interval: Duration::from_secs(1),
            message_rate: crate::domain::Limits::default().send_rate(),
            edit_window: crate::config::DEFAULT_EDIT_WINDOW,
        }
    }
}
