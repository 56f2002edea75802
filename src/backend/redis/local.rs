//! This node's side of each room it has subscribers for: the local broadcast channel and the
//! room's stream position, which turns Redis's at-most-once Pub/Sub into a gapless stream.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{broadcast, mpsc, oneshot};

use super::conn::unavailable;
use super::subscriber::SubCommand;
use super::{RedisBackend, WeakBackend, envelope, info_key};
use crate::backend::{Backend, BackendError, BackendResult, EVENT_BUFFER, Subscription};
use crate::domain::{Place, RoomEvent, RoomId, Seq, StreamPos};
use crate::support::lock;

struct LocalRoom {
    tx: broadcast::Sender<Arc<RoomEvent>>,
    // A tokio Mutex: gap repair awaits Redis while holding it, so events stay in order.
    pos: tokio::sync::Mutex<StreamPos>,
    /// A heartbeat's check for missed messages is waiting ([`LocalRooms::check_behind`]): a big
    /// room's gathered heartbeats come every few milliseconds, one check at a time is enough.
    checking: AtomicBool,
}

/// The rooms this node has local subscribers for.
#[derive(Default)]
pub struct LocalRooms {
    rooms: Mutex<HashMap<RoomId, Arc<LocalRoom>>>,
    subscriber: OnceLock<mpsc::UnboundedSender<SubCommand>>,
}

impl LocalRooms {
    /// Connects the subscriber task's command channel.
    pub fn attach(&self, tx: mpsc::UnboundedSender<SubCommand>) {
        let _ = self.subscriber.set(tx);
    }

    fn get(&self, room: &RoomId) -> Option<Arc<LocalRoom>> {
        lock(&self.rooms).get(room).cloned()
    }

    /// Rooms with local subscribers (resubscribed after a reconnect).
    pub fn list(&self) -> Vec<RoomId> {
        lock(&self.rooms).keys().cloned().collect()
    }

    /// Subscribes to `room` locally, and on Redis if this is its first local subscriber.
    pub async fn subscribe(&self, backend: &RedisBackend, room: &RoomId) -> BackendResult<Subscription> {
        let guard = Box::new(SubGuard { backend: backend.downgrade(), room: room.clone() });
        let (local, fresh) = {
            let mut rooms = lock(&self.rooms);
            match rooms.get(room) {
                Some(local) => (local.clone(), false),
                None => {
                    let (tx, _) = broadcast::channel(EVENT_BUFFER);
                    let local = Arc::new(LocalRoom {
                        tx,
                        pos: tokio::sync::Mutex::default(),
                        checking: AtomicBool::new(false),
                    });
                    rooms.insert(room.clone(), local.clone());
                    (local, true)
                }
            }
        };
        let events = local.tx.subscribe();
        if !fresh {
            // Wait for a concurrent first subscription to finish initializing the position.
            drop(local.pos.lock().await);
            return Ok(Subscription { events, guard });
        }
        let mut pos = local.pos.lock().await;
        let (ack, acked) = oneshot::channel();
        let sent =
            self.subscriber.get().is_some_and(|tx| tx.send(SubCommand::Subscribe(room.clone(), ack)).is_ok());
        let subscribed = if sent {
            acked.await.unwrap_or_else(|_| Err(unavailable("subscriber gone")))
        } else {
            Err(unavailable("no subscriber"))
        };
        if let Err(err) = subscribed {
            drop(pos);
            drop(events);
            drop(guard);
            return Err(err);
        }
        // Read the position only now: anything published from here on arrives on the channel.
        *pos = read_position(backend, room).await?;
        drop(pos);
        Ok(Subscription { events, guard })
    }

    /// Delivers one published event to this node's subscribers of `room`, in order
    /// ([`sequence`]); nothing is parsed for a room without local subscribers.
    pub async fn dispatch(&self, backend: &RedisBackend, room: &RoomId, payload: &[u8]) {
        let Some(local) = self.get(room) else { return };
        match envelope::parse_event(payload) {
            Some(event) => sequence(backend, room, &local, event).await,
            None => tracing::warn!(%room, "unreadable event envelope dropped"),
        }
    }

    /// [`Self::dispatch`] for an event already parsed (this node's own, from a script's reply).
    pub async fn dispatch_event(&self, backend: &RedisBackend, room: &RoomId, event: RoomEvent) {
        if let Some(local) = self.get(room) {
            sequence(backend, room, &local, event).await;
        }
    }

    /// After the subscription was lost for a while: delivers what history holds beyond this
    /// node's position, live, and tells sockets to resync their member lists only when the
    /// list changed meanwhile (a renewed subscription usually missed nothing, and a resync
    /// makes every socket of the room take a fresh snapshot).
    pub async fn repair(&self, backend: &RedisBackend, room: &RoomId) {
        let Some(local) = self.get(room) else { return };
        let mut pos = local.pos.lock().await;
        fill_gap(backend, room, &local, &mut pos).await;
        let members_changed = match read_position(backend, room).await {
            Ok(now) if now.member_version <= pos.member_version => false,
            Ok(now) => {
                pos.member_version = now.member_version;
                true
            }
            Err(_) => true,
        };
        if members_changed {
            let _ = local.tx.send(Arc::new(RoomEvent::Resync));
        }
    }

    /// A heartbeat read that `room` holds messages up to `stored`. Pub/Sub delivers at most
    /// once, and a message whose copy never came (a slot moved, a connection dropped) is
    /// otherwise only noticed when the next one arrives, which in a quiet room may be never.
    /// If this node's position is still behind `stored` a moment later (copies in flight have
    /// arrived by then), what history holds beyond it is delivered.
    pub fn check_behind(&self, backend: &RedisBackend, room: &RoomId, stored: Seq) {
        let Some(local) = self.get(room) else { return };
        if local.pos.try_lock().is_ok_and(|pos| pos.last_seq >= stored)
            || local.checking.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let (backend, room) = (backend.clone(), room.clone());
        tokio::spawn(async move {
            tokio::time::sleep(IN_FLIGHT).await;
            let mut pos = local.pos.lock().await;
            if pos.last_seq < stored {
                tracing::info!(%room, behind = stored - pos.last_seq, "messages missed by Pub/Sub; delivering from history");
                fill_gap(&backend, &room, &local, &mut pos).await;
            }
            local.checking.store(false, Ordering::Release);
        });
    }

    fn unsubscribe_if_unused(&self, room: &RoomId) {
        let mut rooms = lock(&self.rooms);
        if rooms.get(room).is_some_and(|local| local.tx.receiver_count() == 0) {
            rooms.remove(room);
            if let Some(tx) = self.subscriber.get() {
                let _ = tx.send(SubCommand::Unsubscribe(room.clone()));
            }
        }
    }
}

/// How long a published message may take to arrive before a heartbeat that saw it stored
/// fetches it from history ([`LocalRooms::check_behind`]).
const IN_FLIGHT: std::time::Duration = std::time::Duration::from_secs(1);

/// Puts one event into the room's local stream in order: repeats are dropped, a message gap is
/// filled from history, a member-list gap makes sockets resync.
async fn sequence(backend: &RedisBackend, room: &RoomId, local: &LocalRoom, event: RoomEvent) {
    let mut pos = local.pos.lock().await;
    match (pos.place(&event), &event) {
        (Place::Seen, _) => {}
        (Place::Ahead, RoomEvent::Message(_)) => fill_gap(backend, room, local, &mut pos).await,
        (Place::Next, _) => {
            pos.advance(&event);
            let _ = local.tx.send(Arc::new(event));
        }
        (Place::Ahead, _) => {
            pos.advance(&event);
            let _ = local.tx.send(Arc::new(event));
            let _ = local.tx.send(Arc::new(RoomEvent::Resync));
        }
        (Place::Resync | Place::Aside, _) => {
            let _ = local.tx.send(Arc::new(event));
        }
    }
}

/// Delivers what history holds beyond `pos`; what it no longer holds makes sockets resync.
async fn fill_gap(backend: &RedisBackend, room: &RoomId, local: &LocalRoom, pos: &mut StreamPos) {
    match backend.history(room, pos.last_seq).await {
        Ok(history) => {
            if history.truncated {
                let _ = local.tx.send(Arc::new(RoomEvent::Resync));
            }
            for m in history.messages {
                let event = RoomEvent::Message(m);
                if pos.place(&event) != Place::Seen {
                    pos.advance(&event);
                    let _ = local.tx.send(Arc::new(event));
                }
            }
        }
        Err(err) => {
            tracing::warn!(%room, error = %err, "cannot repair a gap from history; sockets resync");
            let _ = local.tx.send(Arc::new(RoomEvent::Resync));
        }
    }
}

/// The room's position in Redis now: its last message number and member-list version.
async fn read_position(backend: &RedisBackend, room: &RoomId) -> BackendResult<StreamPos> {
    let mut cmd = redis::cmd("HMGET");
    cmd.arg(info_key(room)).arg("seq").arg("mver");
    let (seq, mver): (Option<Seq>, Option<u64>) = backend.inner.link.call(&cmd).await?;
    match (seq, mver) {
        (Some(last_seq), Some(member_version)) => Ok(StreamPos { last_seq, member_version }),
        _ => Err(BackendError::RoomNotFound),
    }
}

/// Unsubscribes when the last local receiver of a room is gone.
struct SubGuard {
    backend: WeakBackend,
    room: RoomId,
}

impl Drop for SubGuard {
    fn drop(&mut self) {
        if let Some(backend) = self.backend.upgrade() {
            backend.inner.rooms.unsubscribe_if_unused(&self.room);
        }
    }
}
