//! Socket settings both protocols share: buffers, limits, close codes, the heartbeat's timing,
//! and the delivery metrics (docs/protocol.md, "What both sockets do").

use std::time::Duration;

use axum::extract::ws::WebSocketUpgrade;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::hub::Format;
use crate::backend::{Backend, HEARTBEAT_INTERVAL};
use crate::domain::{EntryKind, Limits, RoomEvent, RoomId, UnixMillis, UserId, now_millis};
use crate::metrics::metrics;
use crate::support::{millis, stable_hash};
use crate::web::error::AppError;

/// Read and write buffer of each socket. tungstenite's default (128 KiB each) costs ≈133 KB of
/// memory per idle connection; chat frames are small, and a 1 KiB read buffer still takes a
/// whole composer frame in one or two reads (docs/performance.md).
pub const SOCKET_BUFFER: usize = 1024;
/// Most bytes queued for a client that does not read before it is disconnected.
const MAX_WRITE_BUFFER: usize = 256 * 1024;
/// When a quiet socket is pinged and when a silent one is closed.
#[derive(Clone, Copy, Debug)]
pub(super) struct Quiet {
    /// Not heard from for this long: pinged at the next heartbeat. With the default 35 s limit
    /// and 10 s beats that is 25 s, so an idle socket is pinged every third beat (each ping and
    /// pong costs the instance more than a beat), and still has one beat's time to answer.
    pub(super) ping_after: Duration,
    /// Not heard from for this long (not even a pong): dead, closed at the next heartbeat
    /// (`Limits::silence_limit`, `C2C_SILENCE_LIMIT`).
    pub(super) limit: Duration,
}

impl Quiet {
    /// The timings for sockets beating with `backend`'s heartbeat under `limits`.
    pub(super) fn new(backend: &dyn Backend, limits: &Limits) -> Self {
        let limit = limits.silence_limit;
        Self { ping_after: limit.saturating_sub(beat_period(backend)), limit }
    }
}

/// How often sockets beat: a third of the presence TTL, at most [`HEARTBEAT_INTERVAL`].
fn beat_period(backend: &dyn Backend) -> Duration {
    (backend.presence_ttl() / 3).min(HEARTBEAT_INTERVAL)
}
/// Most events written with one flush.
pub(super) const BATCH: usize = 64;

/// Close code telling clients to reconnect later (the server is restarting); htmx reconnects.
pub(super) const CLOSE_RESTART: u16 = 1012;
/// Close code for "policy": the session or the room is gone; htmx does not retry.
pub(super) const CLOSE_POLICY: u16 = 1008;
/// Close code for "try again later" (the backend is unreachable); htmx retries with backoff.
pub(super) const CLOSE_TRY_LATER: u16 = 1013;

/// Small buffers, a bounded write queue, and a frame cap well above the message limit: frames
/// over the limit get a localized error and the socket stays open; only frames far beyond it
/// are refused by the protocol layer.
pub(super) fn configure(ws: WebSocketUpgrade, limits: &Limits) -> WebSocketUpgrade {
    let hard_cap = (limits.max_frame_bytes * 4).max(64 * 1024);
    ws.read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(hard_cap)
        .max_frame_size(hard_cap)
}

/// A batch of deliveries to one socket, for the metrics: frames counted once per batch, and
/// for messages how long after storing them they went out.
#[derive(Default)]
pub(super) struct Tally {
    frames: u64,
    now: Option<UnixMillis>,
}

impl Tally {
    /// `event` was queued for the socket: counted, and a message's latency recorded (against
    /// one clock reading per batch: the batch leaves in one write).
    pub(super) fn add(&mut self, event: &RoomEvent) {
        self.frames += 1;
        if let RoomEvent::Message(m) = event {
            let now = *self.now.get_or_insert_with(now_millis);
            metrics().delivery_latency.record(now.saturating_sub(m.at).max(0) as f64 / 1000.0);
        }
    }

    /// The batch was written: its frames are counted once.
    pub(super) fn written(self, format: &Format) {
        if self.frames == 0 {
            return;
        }
        match format {
            Format::Html(_) => metrics().html_frames_out.increment(self.frames),
            Format::Json => metrics().json_frames_out.increment(self.frames),
        }
    }
}

/// Ends at `due`; never without one. For `select!` branches that are usually off: `select!`
/// builds every branch's future on each turn, and this one makes its timer only when polled.
pub(super) async fn until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// The instants of a heartbeat period rooms beat in: with a 10 s period, one a second.
const BEAT_SLOTS: u64 = 10;

/// The heartbeat of a socket in `room`: 10 s for the 30 s presence TTL, a third of whatever
/// TTL is configured. The sockets of one room tick in the same instant, and rooms in one of
/// [`BEAT_SLOTS`] instants of the period (taken from the room id), so the backend refreshes a
/// room's sockets with one call and the rooms of an instant in one batch (docs/redis.md,
/// "Presence and crashed instances"). In a big room (`spread`: the socket's member) each socket takes its own instant,
/// so the room's thousands of sockets do not beat at once (docs/rooms.md, "Big rooms"). The
/// first tick comes within one period.
pub(super) fn heartbeat(backend: &dyn Backend, room: Option<&RoomId>, spread: Option<&UserId>) -> Interval {
    let every = beat_period(backend);
    let period = millis(every).max(1);
    let first = match room {
        Some(room) => {
            let now = u64::try_from(crate::domain::now_millis()).unwrap_or(0);
            let slot = (period / BEAT_SLOTS).max(1);
            let member = spread.map_or(&b""[..], |user| user.as_str().as_bytes());
            let phase = stable_hash([room.as_str().as_bytes(), member]) % BEAT_SLOTS * slot;
            let wait = (phase % period + period - now % period) % period;
            Duration::from_millis(if wait == 0 { period } else { wait })
        }
        None => every,
    };
    let mut tick = tokio::time::interval_at(Instant::now() + first, every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick
}

/// Whether `event` ends `me`'s membership (they left elsewhere, or the owner removed them) or
/// the room (the owner ended it), and with what.
pub(super) fn ends_member(event: &RoomEvent, me: &UserId) -> Option<AppError> {
    match event {
        RoomEvent::Ended => Some(AppError::RoomEnded),
        // The kind first: every message a socket delivers comes through here.
        RoomEvent::Message(m) => match m.kind {
            EntryKind::Removed if &m.user == me => Some(AppError::Removed),
            EntryKind::Left if &m.user == me => Some(AppError::NotAMember),
            _ => None,
        },
        _ => None,
    }
}
