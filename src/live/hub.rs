//! One backend subscription per room per instance, shared by every local socket of the room,
//! with frames rendered once per event and format (not once per socket).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::backend::{Backend, BackendResult, EVENT_BUFFER, Subscription};
use crate::domain::{RoomEvent, RoomId};
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

/// An event on its way to the sockets of one room, with its frames rendered lazily and at
/// most once per format.
pub struct Outgoing {
    /// The room it happened in.
    pub room: RoomId,
    /// The event; [`RoomEvent::Resync`] when the hub itself fell behind.
    pub event: Arc<RoomEvent>,
    /// Per language slot: the interface's generation and its frame.
    html: [OnceLock<(u64, Utf8Bytes)>; CACHE_SLOTS],
    json: OnceLock<Option<Utf8Bytes>>,
}

impl Outgoing {
    fn new(room: RoomId, event: Arc<RoomEvent>) -> Self {
        Self { room, event, html: Default::default(), json: OnceLock::new() }
    }

    /// The event's frame in `format`, rendered by the first socket that needs it. `None` for
    /// events without a frame in that format.
    pub fn frame(&self, format: &Format) -> Option<Utf8Bytes> {
        match format {
            Format::Html(ui) => {
                let render = || Utf8Bytes::from(frames::event_frame(ui, &self.room, &self.event));
                let language = &ui.language;
                // A slot holds the frame of one interface; a socket whose interface was read
                // before or after it (a translator saved in between) renders its own.
                match language.slot.and_then(|slot| self.html.get(slot)) {
                    Some(cell) => match cell.get_or_init(|| (language.generation, render())) {
                        (generation, frame) if *generation == language.generation => Some(frame.clone()),
                        _ => Some(render()),
                    },
                    None => Some(render()),
                }
            }
            Format::Json => self
                .json
                .get_or_init(|| json::event_frame(&self.room, &self.event).map(Utf8Bytes::from))
                .clone(),
        }
    }
}

type Rooms = Arc<Mutex<HashMap<RoomId, broadcast::Sender<Arc<Outgoing>>>>>;

/// The per-instance hub. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    backend: Arc<dyn Backend>,
    rooms: Rooms,
    // Serializes first subscriptions so two sockets opening one room at once cannot start two
    // backend subscriptions (which would deliver every event twice).
    first: Arc<tokio::sync::Mutex<()>>,
}

impl Hub {
    /// A hub over `backend`.
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Self { backend, rooms: Arc::default(), first: Arc::default() }
    }

    fn existing(&self, room: &RoomId) -> Option<broadcast::Receiver<Arc<Outgoing>>> {
        lock(&self.rooms).get(room).map(broadcast::Sender::subscribe)
    }

    /// Subscribes to `room`. When this returns, the backend subscription is live: anything
    /// stored afterwards arrives on the receiver, so a snapshot taken now misses nothing.
    pub async fn subscribe(&self, room: &RoomId) -> BackendResult<broadcast::Receiver<Arc<Outgoing>>> {
        if let Some(rx) = self.existing(room) {
            return Ok(rx);
        }
        let _first = self.first.lock().await;
        if let Some(rx) = self.existing(room) {
            return Ok(rx);
        }
        let subscription = self.backend.subscribe(room).await?;
        let (tx, rx) = broadcast::channel(EVENT_BUFFER);
        lock(&self.rooms).insert(room.clone(), tx.clone());
        metrics().rooms_live.increment(1.0);
        tokio::spawn(forward(self.rooms.clone(), room.clone(), subscription, tx));
        Ok(rx)
    }
}

/// Forwards a room's backend events to its local sockets until the last socket leaves or the
/// room is deleted.
async fn forward(
    rooms: Rooms,
    room: RoomId,
    mut subscription: Subscription,
    tx: broadcast::Sender<Arc<Outgoing>>,
) {
    loop {
        tokio::select! {
            event = subscription.events.recv() => match event {
                Ok(event) => {
                    let _ = tx.send(Arc::new(Outgoing::new(room.clone(), event)));
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(%room, missed, "room hub lagged; sockets resync from history");
                    let _ = tx.send(Arc::new(Outgoing::new(room.clone(), Arc::new(RoomEvent::Resync))));
                }
                Err(RecvError::Closed) => break,
            },
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
    if map.get(&room).is_some_and(|t| t.same_channel(&tx)) {
        map.remove(&room);
        metrics().rooms_live.decrement(1.0);
    }
}
