//! One backend subscription per room per instance, shared by every local socket of the room,
//! with frames rendered once per event and interface language (not once per socket).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::backend::{Backend, BackendResult, EVENT_BUFFER, Subscription};
use crate::domain::{RoomEvent, RoomId};
use crate::views::{Frames, UiLang};

/// An event on its way to the sockets of one room, with its frames rendered lazily and at
/// most once per interface language.
pub struct Outgoing {
    /// The room it happened in.
    pub room: RoomId,
    /// The event; `None` tells every socket to resync (the hub itself fell behind).
    pub event: Option<Arc<RoomEvent>>,
    html: [OnceLock<Utf8Bytes>; UiLang::ALL.len()],
    json: OnceLock<Option<Utf8Bytes>>,
}

impl Outgoing {
    fn new(room: RoomId, event: Option<Arc<RoomEvent>>) -> Self {
        Self { room, event, html: Default::default(), json: OnceLock::new() }
    }

    /// The JSON frame (SPEC §7), rendered by the first JSON socket that needs it. `None` for
    /// events without a JSON form (resync).
    pub fn json(&self) -> Option<Utf8Bytes> {
        let event = self.event.as_ref()?;
        self.json
            .get_or_init(|| crate::live::json::event_frame(&self.room, event).map(Utf8Bytes::from))
            .clone()
    }

    /// The HTML frame in `lang`, rendered by the first socket that needs it.
    pub fn html(&self, lang: UiLang) -> Option<Utf8Bytes> {
        let event = self.event.as_ref()?;
        Some(self.html[lang.index()].get_or_init(|| Frames::event(lang.ui(), event).into()).clone())
    }
}

/// The per-instance hub. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    backend: Arc<dyn Backend>,
    rooms: Arc<Mutex<HashMap<RoomId, broadcast::Sender<Arc<Outgoing>>>>>,
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
        let rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        rooms.get(room).map(broadcast::Sender::subscribe)
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
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).insert(room.clone(), tx.clone());
        tokio::spawn(forward(self.rooms.clone(), room.clone(), subscription, tx));
        Ok(rx)
    }

    /// Rooms with local subscribers (metrics, tests).
    pub fn room_count(&self) -> usize {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Forwards a room's backend events to its local sockets until the last socket leaves or the
/// room is deleted.
async fn forward(
    rooms: Arc<Mutex<HashMap<RoomId, broadcast::Sender<Arc<Outgoing>>>>>,
    room: RoomId,
    mut subscription: Subscription,
    tx: broadcast::Sender<Arc<Outgoing>>,
) {
    loop {
        tokio::select! {
            event = subscription.events.recv() => match event {
                Ok(event) => {
                    let _ = tx.send(Arc::new(Outgoing::new(room.clone(), Some(event))));
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(%room, missed, "room hub lagged; sockets resync from history");
                    let _ = tx.send(Arc::new(Outgoing::new(room.clone(), None)));
                }
                Err(RecvError::Closed) => break,
            },
            () = tx.closed() => {
                // Decide under the map lock: a socket may be subscribing right now.
                let mut map = rooms.lock().unwrap_or_else(|p| p.into_inner());
                if tx.receiver_count() == 0 {
                    map.remove(&room);
                    return;
                }
            }
        }
    }
    // The room is gone: drop the sender so sockets see `Closed`.
    let mut map = rooms.lock().unwrap_or_else(|p| p.into_inner());
    if map.get(&room).is_some_and(|t| t.same_channel(&tx)) {
        map.remove(&room);
    }
}
