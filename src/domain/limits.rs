//! Input and rate limits. Each is configurable by environment so operators and benchmarks can
//! raise them; docs/operations.md lists them with their variables and defaults.

use std::time::Duration;

/// The limits every edge (form, socket, API) applies to user input.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Longest display name, in characters after trimming.
    pub max_name_chars: usize,
    /// Longest message, in characters.
    pub max_message_chars: usize,
    /// Longest room name, in characters.
    pub max_room_name_chars: usize,
    /// Longest room topic, in characters.
    pub max_topic_chars: usize,
    /// Largest WebSocket frame accepted from a client, in bytes.
    pub max_frame_bytes: usize,
    /// Messages a member (all their sockets and forms together) may send per second,
    /// sustained; also the joins one JSON socket may make.
    pub rate_per_sec: f64,
    /// Messages a member may send in a burst before the rate applies.
    pub rate_burst: u32,
    /// Rooms one client address may create per minute.
    pub creates_per_min: u32,
    /// Joins one client address may make per minute.
    pub joins_per_min: u32,
    /// How long a JSON socket may stay open without joining a room.
    pub unjoined_grace: Duration,
    /// A socket that has sent nothing (not even a pong) for this long is closed as dead; a
    /// quieter one is pinged one heartbeat before it (docs/protocol.md).
    pub silence_limit: Duration,
    /// How long a client may take to send a request's headers, and a kept-alive connection
    /// may wait for its next request.
    pub header_timeout: Duration,
    /// Open connections (sockets included) the server holds at most.
    pub max_connections: usize,
    /// Open connections one client address may hold (addresses of trusted proxies excepted).
    pub max_connections_per_address: usize,
    /// Live sockets one member may have in their room at once (tabs, devices, programs).
    pub max_sockets_per_member: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_name_chars: 32,
            max_message_chars: 2000,
            max_room_name_chars: 80,
            max_topic_chars: 200,
            max_frame_bytes: 16 * 1024,
            rate_per_sec: 5.0,
            rate_burst: 10,
            creates_per_min: 20,
            joins_per_min: 60,
            unjoined_grace: Duration::from_secs(10),
            silence_limit: Duration::from_secs(35),
            header_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            max_connections_per_address: 256,
            max_sockets_per_member: 20,
        }
    }
}

impl Limits {
    /// The allowance of messages (a member's, over all their sockets and forms) and of joins
    /// (a socket's).
    pub fn send_rate(&self) -> crate::support::Rate {
        crate::support::Rate { per_sec: self.rate_per_sec, burst: self.rate_burst }
    }
}
