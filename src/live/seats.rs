//! The sockets a room's hub beats for on this instance (docs/protocol.md, "Heartbeats"): at
//! each of the room's beats the hub refreshes their presence with one backend call and wakes
//! them only when one has something to do — a ping after a quiet spell, a silence past the
//! limit, a membership that ended, a refresh that failed. An idle socket in a room of ordinary
//! size is woken once per ping round instead of twice per beat.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::socket::Quiet;
use crate::backend::{Backend, BackendError};
use crate::domain::{ConnId, RoomId, UserId};
use crate::support::lock;

/// A socket's connection as its room's hub sees it: its id, and when its client was last heard
/// from (the socket sets it, the hub reads it at each beat).
pub(super) struct Link {
    pub(super) id: ConnId,
    heard: Mutex<Instant>,
}

impl Link {
    /// A new connection, heard from just now.
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self { id: ConnId::generate(), heard: Mutex::new(Instant::now()) })
    }

    /// The client sent something.
    pub(super) fn heard(&self) {
        *lock(&self.heard) = Instant::now();
    }

    /// How long the client has been quiet at `now`.
    pub(super) fn quiet(&self, now: Instant) -> Duration {
        now.saturating_duration_since(*lock(&self.heard))
    }
}

/// One socket's seat: its member and connection.
struct Seat {
    user: UserId,
    link: Arc<Link>,
    /// A refresh found the connection no longer its member's.
    gone: AtomicBool,
}

/// The seats of one room on this instance, and what its last beat could not do. A plain list:
/// rooms the hub beats for are of ordinary size (a big room's sockets leave it once they know).
#[derive(Default)]
pub(super) struct Seats {
    seats: Mutex<Vec<Arc<Seat>>>,
    failure: Mutex<Option<BackendError>>,
}

/// A socket's seat in its room's beats; given up when dropped.
pub(super) struct SeatGuard {
    seats: Arc<Seats>,
    seat: Arc<Seat>,
}

impl Seats {
    /// Seats `user` on connection `link`.
    pub(super) fn take(self: &Arc<Self>, user: UserId, link: Arc<Link>) -> SeatGuard {
        let seat = Arc::new(Seat { user, link, gone: AtomicBool::new(false) });
        lock(&self.seats).push(seat.clone());
        SeatGuard { seats: self.clone(), seat }
    }

    /// One beat of the room: refreshes the presence of every seat whose socket is alive, with
    /// one backend call, and says whether the sockets must be woken (some socket is to be
    /// pinged or closed, lost its membership, or the refresh failed).
    pub(super) async fn beat(&self, backend: &dyn Backend, room: &RoomId, quiet: Quiet) -> bool {
        let now = Instant::now();
        let mut wake = false;
        let mut live = Vec::new();
        for seat in lock(&self.seats).iter() {
            let silent = seat.link.quiet(now);
            // A socket silent past the limit is closed at its wake-up, not kept present.
            if silent <= quiet.limit {
                live.push(seat.clone());
            }
            wake |= silent >= quiet.ping_after;
        }
        if live.is_empty() {
            return wake;
        }
        let conns: Vec<(UserId, ConnId)> = live.iter().map(|s| (s.user.clone(), s.link.id.clone())).collect();
        let failure = match backend.heartbeats(room, &conns).await {
            Ok(refreshed) => {
                for (seat, refreshed) in live.iter().zip(refreshed) {
                    if !refreshed {
                        seat.gone.store(true, Ordering::Relaxed);
                        wake = true;
                    }
                }
                None
            }
            Err(err) => {
                tracing::debug!(%room, error = %err, "room heartbeat failed");
                wake = true;
                Some(err)
            }
        };
        *lock(&self.failure) = failure;
        wake
    }

    fn leave(&self, seat: &Arc<Seat>) {
        let mut seats = lock(&self.seats);
        if let Some(at) = seats.iter().position(|s| Arc::ptr_eq(s, seat)) {
            seats.swap_remove(at);
        }
    }
}

impl SeatGuard {
    /// The seated member.
    pub(super) fn user(&self) -> &UserId {
        &self.seat.user
    }

    /// From now on the socket beats by itself and the hub leaves it out.
    pub(super) fn beats_by_itself(&self) {
        self.seats.leave(&self.seat);
    }

    /// What the room's last beat found for this socket: its membership ended, or the refresh
    /// failed.
    pub(super) fn news(&self) -> Option<BackendError> {
        if self.seat.gone.load(Ordering::Relaxed) {
            return Some(BackendError::NotAMember);
        }
        lock(&self.seats.failure).clone()
    }
}

impl Drop for SeatGuard {
    fn drop(&mut self) {
        self.seats.leave(&self.seat);
    }
}
