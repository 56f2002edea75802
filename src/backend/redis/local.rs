//! This node's side of each room it has subscribers for: the local broadcast channel and the
//! room's stream position, which turns Redis's at-most-once Pub/Sub into a gapless stream.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::subscriber::SubCommand;
use super::{RedisBackend, WeakBackend, info_key, unavailable};
use crate::backend::{Backend, BackendError, BackendResult, EVENT_BUFFER, Subscription};
use crate::domain::{
    ChatMessage, ClientMsgId, DisplayName, MemberView, MessageText, PresenceChange, RoomEvent, RoomId, Seq,
    UserId,
};

/// The envelope every published event travels in. Its `node` member (the publishing instance)
/// is read only by the subscriber, as text, to drop this node's own echoes.
#[derive(Deserialize)]
pub struct Envelope {
    /// Envelope version; this node understands 1.
    pub v: u32,
    #[serde(flatten)]
    body: Body,
}

#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
enum Body {
    Msg {
        seq: Seq,
        user: String,
        name: String,
        text: String,
        at: i64,
        #[serde(default)]
        cid: String,
    },
    Presence {
        ver: u64,
        user: String,
        name: String,
        change: String,
        online: bool,
    },
}

impl Body {
    fn into_event(self) -> Option<RoomEvent> {
        match self {
            Body::Msg { seq, user, name, text, at, cid } => Some(RoomEvent::Message(ChatMessage {
                seq,
                user: UserId::parse(&user)?,
                name: DisplayName::from_stored(name),
                text: MessageText::from_stored(text),
                at,
                client_id: ClientMsgId::parse(&cid),
            })),
            Body::Presence { ver, user, name, change, online } => Some(RoomEvent::Presence {
                version: ver,
                member: MemberView {
                    user: UserId::parse(&user)?,
                    name: DisplayName::from_stored(name),
                    online,
                },
                change: match change.as_str() {
                    "joined" => PresenceChange::Joined,
                    "online" => PresenceChange::Online,
                    "offline" => PresenceChange::Offline,
                    "left" => PresenceChange::Left,
                    _ => return None,
                },
            }),
        }
    }
}

/// Parses an envelope this node can use.
pub fn parse_envelope(payload: &str) -> Option<RoomEvent> {
    let envelope: Envelope = serde_json::from_str(payload).ok()?;
    if envelope.v != 1 {
        return None;
    }
    envelope.body.into_event()
}

/// Parses a message payload (published, or read from history).
pub fn parse_message(payload: &str) -> Option<ChatMessage> {
    match parse_envelope(payload)? {
        RoomEvent::Message(m) => Some(m),
        _ => None,
    }
}

/// Where this node's stream of a room stands.
struct Cursor {
    last_seq: Seq,
    member_version: u64,
}

struct LocalRoom {
    tx: broadcast::Sender<Arc<RoomEvent>>,
    // A tokio Mutex: gap repair awaits Redis while holding it, so events stay in order.
    cursor: tokio::sync::Mutex<Cursor>,
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
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).get(room).cloned()
    }

    /// Rooms with local subscribers (resubscribed after a reconnect).
    pub fn list(&self) -> Vec<RoomId> {
        self.rooms.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    /// Subscribes to `room` locally, and on Redis if this is its first local subscriber.
    pub async fn subscribe(&self, backend: &RedisBackend, room: &RoomId) -> BackendResult<Subscription> {
        let guard = Box::new(SubGuard { backend: backend.downgrade(), room: room.clone() });
        let (local, fresh) = {
            let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
            match rooms.get(room) {
                Some(local) => (local.clone(), false),
                None => {
                    let (tx, _) = broadcast::channel(EVENT_BUFFER);
                    let local = Arc::new(LocalRoom {
                        tx,
                        cursor: tokio::sync::Mutex::new(Cursor { last_seq: 0, member_version: 0 }),
                    });
                    rooms.insert(room.clone(), local.clone());
                    (local, true)
                }
            }
        };
        let events = local.tx.subscribe();
        if !fresh {
            // Wait for a concurrent first subscription to finish initializing the cursor.
            drop(local.cursor.lock().await);
            return Ok(Subscription { events, guard });
        }
        let mut cursor = local.cursor.lock().await;
        let (ack, acked) = oneshot::channel();
        let sent =
            self.subscriber.get().is_some_and(|tx| tx.send(SubCommand::Subscribe(room.clone(), ack)).is_ok());
        let subscribed = if sent {
            acked.await.unwrap_or_else(|_| Err(unavailable("subscriber gone")))
        } else {
            Err(unavailable("no subscriber"))
        };
        if let Err(err) = subscribed {
            drop(cursor);
            drop(events);
            drop(guard);
            return Err(err);
        }
        // Read the position only now: anything published from here on arrives on the channel.
        let (seq, mver) = read_position(backend, room).await?;
        *cursor = Cursor { last_seq: seq, member_version: mver };
        drop(cursor);
        Ok(Subscription { events, guard })
    }

    /// Delivers one published event to this node's subscribers of `room`, in order
    /// ([`sequence`]); nothing is parsed for a room without local subscribers.
    pub async fn dispatch(&self, backend: &RedisBackend, room: &RoomId, payload: &str) {
        let Some(local) = self.get(room) else { return };
        match parse_envelope(payload) {
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
    /// node's position and tells sockets to resync their member lists.
    pub async fn repair(&self, backend: &RedisBackend, room: &RoomId) {
        let Some(local) = self.get(room) else { return };
        let mut cursor = local.cursor.lock().await;
        let from = cursor.last_seq;
        fill_gap(backend, room, &local, &mut cursor, from).await;
        if let Ok((_, mver)) = read_position(backend, room).await {
            cursor.member_version = mver;
        }
        let _ = local.tx.send(Arc::new(RoomEvent::Resync));
    }

    fn unsubscribe_if_unused(&self, room: &RoomId) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|p| p.into_inner());
        if rooms.get(room).is_some_and(|local| local.tx.receiver_count() == 0) {
            rooms.remove(room);
            if let Some(tx) = self.subscriber.get() {
                let _ = tx.send(SubCommand::Unsubscribe(room.clone()));
            }
        }
    }
}

/// Puts one event into the room's local stream in order: repeats are dropped, a message gap is
/// filled from history, a member-list gap makes sockets resync.
async fn sequence(backend: &RedisBackend, room: &RoomId, local: &LocalRoom, event: RoomEvent) {
    let mut cursor = local.cursor.lock().await;
    match &event {
        RoomEvent::Message(m) if m.seq <= cursor.last_seq => {}
        RoomEvent::Message(m) if m.seq == cursor.last_seq + 1 => {
            cursor.last_seq = m.seq;
            let _ = local.tx.send(Arc::new(event));
        }
        RoomEvent::Message(_) => {
            let from = cursor.last_seq;
            fill_gap(backend, room, local, &mut cursor, from).await;
        }
        RoomEvent::Presence { version, .. } if *version <= cursor.member_version => {}
        RoomEvent::Presence { version, .. } => {
            let gap = *version > cursor.member_version + 1;
            cursor.member_version = *version;
            let _ = local.tx.send(Arc::new(event));
            if gap {
                let _ = local.tx.send(Arc::new(RoomEvent::Resync));
            }
        }
        RoomEvent::Resync => {
            let _ = local.tx.send(Arc::new(event));
        }
    }
}

async fn fill_gap(backend: &RedisBackend, room: &RoomId, local: &LocalRoom, cursor: &mut Cursor, from: Seq) {
    match backend.history(room, from).await {
        Ok(history) => {
            if history.truncated {
                let _ = local.tx.send(Arc::new(RoomEvent::Resync));
            }
            for m in history.messages {
                if m.seq > cursor.last_seq {
                    cursor.last_seq = m.seq;
                    let _ = local.tx.send(Arc::new(RoomEvent::Message(m)));
                }
            }
        }
        Err(err) => {
            tracing::warn!(%room, error = %err, "cannot repair a gap from history; sockets resync");
            let _ = local.tx.send(Arc::new(RoomEvent::Resync));
        }
    }
}

async fn read_position(backend: &RedisBackend, room: &RoomId) -> BackendResult<(Seq, u64)> {
    let mut conn = backend.conn()?;
    let (seq, mver): (Option<u64>, Option<u64>) = redis::cmd("HMGET")
        .arg(info_key(room))
        .arg("seq")
        .arg("mver")
        .query_async(&mut conn)
        .await
        .map_err(unavailable)?;
    match (seq, mver) {
        (Some(seq), Some(mver)) => Ok((seq, mver)),
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
