//! One backend subscription per room per instance, shared by every local socket of the room,
//! with frames rendered once per event and format (not once per socket), and presence changes
//! that come faster than sockets need them replaced by the room's member list.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::seats::{Link, SeatGuard, Seats};
use super::socket::{Quiet, heartbeat, until};
use crate::backend::{Backend, BackendResult, EVENT_BUFFER, Subscription};
use crate::domain::{Limits, RoomEvent, RoomId, UserId};
use crate::metrics::metrics;
use crate::support::lock;
use crate::views::{CACHE_SLOTS, Ui, frames, json};

/// How a socket speaks: HTML fragments in an interface language, or JSON frames.
#[derive(Clone, Debug)]
pub enum Format {
    /// The browser's socket.
    Html(Arc<Ui>),
    /// The programs' socket.
    Json,
}

/// An event's frames in one format: one for most events; a member list goes in several
/// (`frames::member_list_frames`).
#[derive(Clone)]
pub enum Frames {
    /// The usual case.
    One(Utf8Bytes),
    /// Several, sent in order.
    Many(Arc<[Utf8Bytes]>),
}

impl Frames {
    fn of(frames: Vec<String>) -> Self {
        match <[String; 1]>::try_from(frames) {
            Ok([one]) => Self::One(Utf8Bytes::from(one)),
            Err(frames) => Self::Many(frames.into_iter().map(Utf8Bytes::from).collect()),
        }
    }
}

impl IntoIterator for Frames {
    type Item = Utf8Bytes;
    type IntoIter = FramesIter;

    fn into_iter(self) -> FramesIter {
        match self {
            Self::One(frame) => FramesIter::One(Some(frame)),
            Self::Many(frames) => FramesIter::Many(frames, 0),
        }
    }
}

/// The frames of [`Frames`], in order.
pub enum FramesIter {
    /// The one frame, until taken.
    One(Option<Utf8Bytes>),
    /// The frames and the next one's index.
    Many(Arc<[Utf8Bytes]>, usize),
}

impl Iterator for FramesIter {
    type Item = Utf8Bytes;

    fn next(&mut self) -> Option<Utf8Bytes> {
        match self {
            Self::One(frame) => frame.take(),
            Self::Many(frames, next) => {
                let frame = frames.get(*next).cloned();
                *next += 1;
                frame
            }
        }
    }
}

/// An event on its way to the sockets of one room, with its frames rendered lazily and at
/// most once per format.
pub struct Outgoing {
    /// The room it happened in.
    pub room: RoomId,
    /// The event; [`RoomEvent::Resync`] when the hub itself fell behind.
    pub event: Arc<RoomEvent>,
    /// Per language slot: the interface's generation and its frames.
    html: [OnceLock<(u64, Frames)>; CACHE_SLOTS],
    json: OnceLock<Option<Utf8Bytes>>,
}

impl Outgoing {
    fn new(room: RoomId, event: Arc<RoomEvent>) -> Self {
        Self { room, event, html: Default::default(), json: OnceLock::new() }
    }

    /// The event's frames in `format`, rendered by the first socket that needs them. `None`
    /// for events without a frame in that format.
    pub fn frames(&self, format: &Format) -> Option<Frames> {
        match format {
            Format::Html(ui) => {
                let render = || match &*self.event {
                    RoomEvent::Members { members, member_count, .. } => Frames::of(
                        frames::member_list_frames(ui, members, member_count.saturating_sub(members.len())),
                    ),
                    event => Frames::One(Utf8Bytes::from(frames::event_frame(ui, &self.room, event))),
                };
                let language = &ui.language;
                // A slot holds the frames of one interface; a socket whose interface was read
                // before or after it (a translator saved in between) renders its own.
                match language.slot.and_then(|slot| self.html.get(slot)) {
                    Some(cell) => match cell.get_or_init(|| (language.generation, render())) {
                        (generation, frames) if *generation == language.generation => Some(frames.clone()),
                        _ => Some(render()),
                    },
                    None => Some(render()),
                }
            }
            Format::Json => self
                .json
                .get_or_init(|| json::event_frame(&self.room, &self.event).map(Utf8Bytes::from))
                .clone()
                .map(Frames::One),
        }
    }
}

/// A room's channel to its sockets on this instance, and the seats the hub beats for.
struct Room {
    tx: broadcast::Sender<Arc<Outgoing>>,
    seats: Arc<Seats>,
}

type Rooms = Arc<Mutex<HashMap<RoomId, Room>>>;

/// A socket's subscription to its room: the room's events, and its seat in the room's beats.
pub(super) struct Subscribed {
    pub(super) events: broadcast::Receiver<Arc<Outgoing>>,
    pub(super) seat: SeatGuard,
}

/// Who a socket is, for its seat in its room's beats.
pub(super) struct Sitter {
    pub(super) user: UserId,
    pub(super) link: Arc<Link>,
}

/// The per-instance hub. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    backend: Arc<dyn Backend>,
    quiet: Quiet,
    rooms: Rooms,
    // Serializes first subscriptions so two sockets opening one room at once cannot start two
    // backend subscriptions (which would deliver every event twice).
    first: Arc<tokio::sync::Mutex<()>>,
}

impl Hub {
    /// A hub over `backend`, for sockets under `limits`.
    pub fn new(backend: Arc<dyn Backend>, limits: &Limits) -> Self {
        let quiet = Quiet::new(backend.as_ref(), limits);
        Self { backend, quiet, rooms: Arc::default(), first: Arc::default() }
    }

    /// When this instance's sockets are pinged and when a silent one is closed.
    pub(super) fn quiet(&self) -> Quiet {
        self.quiet
    }

    fn existing(&self, room: &RoomId) -> Option<(broadcast::Receiver<Arc<Outgoing>>, Arc<Seats>)> {
        lock(&self.rooms).get(room).map(|r| (r.tx.subscribe(), r.seats.clone()))
    }

    /// Subscribes a socket to `room` and seats it in the room's beats. When this returns, the
    /// backend subscription is live: anything stored afterwards arrives on the receiver, so a
    /// snapshot taken now misses nothing.
    pub(super) async fn subscribe(&self, room: &RoomId, sitter: Sitter) -> BackendResult<Subscribed> {
        let seated =
            |events, seats: Arc<Seats>| Subscribed { events, seat: seats.take(sitter.user, sitter.link) };
        if let Some((events, seats)) = self.existing(room) {
            return Ok(seated(events, seats));
        }
        let _first = self.first.lock().await;
        if let Some((events, seats)) = self.existing(room) {
            return Ok(seated(events, seats));
        }
        let subscription = self.backend.subscribe(room).await?;
        let (tx, events) = broadcast::channel(EVENT_BUFFER);
        let seats = Arc::new(Seats::default());
        lock(&self.rooms).insert(room.clone(), Room { tx: tx.clone(), seats: seats.clone() });
        metrics().rooms_live.increment(1.0);
        let room_seats = (seats.clone(), self.quiet);
        tokio::spawn(forward(
            self.backend.clone(),
            self.rooms.clone(),
            room.clone(),
            subscription,
            tx,
            room_seats,
        ));
        Ok(seated(events, seats))
    }
}

/// Presence changes a room's sockets get one by one within [`CHURN_WINDOW`]; past that the hub
/// holds the rest and sends the room's member list once the window ends (docs/rooms.md, "Big
/// rooms"): a join storm of n members costs each socket about one list a second instead of n
/// frames.
const CHURN_BURST: u32 = 10;
/// See [`CHURN_BURST`].
const CHURN_WINDOW: Duration = Duration::from_secs(1);

/// Counts a room's presence changes per window and says which to pass on.
struct Churn {
    window_start: Instant,
    passed: u32,
    /// When the held changes' member list is due, while some are held.
    due: Option<Instant>,
}

impl Churn {
    fn new() -> Self {
        Self { window_start: Instant::now(), passed: 0, due: None }
    }

    /// Whether to pass a presence change on now; if not, it is held and a list becomes due.
    fn admit(&mut self, now: Instant) -> bool {
        if self.due.is_some() {
            return false;
        }
        if now >= self.window_start + CHURN_WINDOW {
            self.window_start = now;
            self.passed = 0;
        }
        if self.passed < CHURN_BURST {
            self.passed += 1;
            return true;
        }
        self.due = Some(self.window_start + CHURN_WINDOW);
        false
    }

    /// The list was sent at `now`: a new window starts.
    fn sent(&mut self, now: Instant) {
        *self = Self { window_start: now, passed: 0, due: None };
    }
}

/// The member list to send in place of held presence changes.
async fn member_list(backend: &dyn Backend, room: &RoomId) -> BackendResult<RoomEvent> {
    let snapshot = backend.room(room).await?;
    Ok(RoomEvent::Members {
        version: snapshot.member_version,
        members: snapshot.members,
        member_count: snapshot.member_count,
        online_count: snapshot.online_count,
    })
}

/// Forwards a room's backend events to its local sockets until the last socket leaves or the
/// room is deleted, and beats for them: one timer per room and instance at the room's instant
/// (`socket::heartbeat`) instead of one per socket; at each tick the seats' presence is
/// refreshed with one backend call, and the sockets get a [`RoomEvent::Beat`] only when one of
/// them has something to do (`seats.rs`).
async fn forward(
    backend: Arc<dyn Backend>,
    rooms: Rooms,
    room: RoomId,
    mut subscription: Subscription,
    tx: broadcast::Sender<Arc<Outgoing>>,
    (seats, quiet): (Arc<Seats>, Quiet),
) {
    let mut churn = Churn::new();
    let mut beat = heartbeat(&*backend, Some(&room), None);
    let send = |event: Arc<RoomEvent>| {
        let _ = tx.send(Arc::new(Outgoing::new(room.clone(), event)));
    };
    loop {
        tokio::select! {
            event = subscription.events.recv() => match event {
                Ok(event) if matches!(*event, RoomEvent::Presence { .. }) => {
                    if churn.admit(Instant::now()) {
                        send(event);
                    }
                }
                Ok(event) => send(event),
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(%room, missed, "room hub lagged; sockets resync from history");
                    send(Arc::new(RoomEvent::Resync));
                }
                Err(RecvError::Closed) => break,
            },
            // Held presence changes are due.
            () = until(churn.due) => {
                match member_list(&*backend, &room).await {
                    Ok(list) => {
                        send(Arc::new(list));
                        churn.sent(Instant::now());
                    }
                    Err(err) => {
                        // Held changes wait for the next try; the sockets keep what they show.
                        tracing::warn!(%room, error = %err, "member list for held presence changes failed");
                        churn.due = Some(Instant::now() + CHURN_WINDOW);
                    }
                }
            }
            _ = beat.tick() => {
                // Off the forwarding path: events keep flowing while Redis answers.
                let (backend, room, seats, tx) = (backend.clone(), room.clone(), seats.clone(), tx.clone());
                tokio::spawn(async move {
                    if seats.beat(&*backend, &room, quiet).await {
                        let _ = tx.send(Arc::new(Outgoing::new(room, Arc::new(RoomEvent::Beat))));
                    }
                });
            }
            () = tx.closed() => {
                // Decide under the map lock: a socket may be subscribing right now.
                let mut map = lock(&rooms);
                if tx.receiver_count() == 0 {
                    map.remove(&room);
                    metrics().rooms_live.decrement(1.0);
                    return;
                }
            }
        }
    }
    // The room is gone: drop the sender so sockets see `Closed`.
    let mut map = lock(&rooms);
    if map.get(&room).is_some_and(|r| r.tx.same_channel(&tx)) {
        map.remove(&room);
        metrics().rooms_live.decrement(1.0);
    }
}
