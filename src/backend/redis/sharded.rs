//! The subscriber on a Redis Cluster: sharded Pub/Sub (`SSUBSCRIBE` per room with local
//! subscribers, on the shard that owns the room's slot; scripts `SPUBLISH`). The cluster
//! connection routes each subscription to its shard and subscribes again after a failover or
//! a slot move (the server's `sunsubscribe`, a lost node); each confirmation of such a renewed
//! subscription repairs the room from its history stream, so what was published while the
//! room was not subscribed is delivered once, as after a reconnect on one Redis. (The first
//! confirmation of a subscription this node asked for repairs nothing: nothing was missed.)

use std::collections::HashSet;

use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use super::WeakBackend;
use super::conn::{CALL_TIMEOUT, unavailable};
use super::envelope::own_marker;
use super::subscriber::{SubCommand, channel, room_of};
use crate::domain::RoomId;

/// Starts the sharded subscriber; returns its command channel. `pushes` are the cluster
/// connection's pushes (messages, subscription confirmations, disconnections).
pub fn spawn(
    conn: ClusterConnection,
    pushes: mpsc::UnboundedReceiver<PushInfo>,
    backend: WeakBackend,
) -> mpsc::UnboundedSender<SubCommand> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(conn, pushes, backend, rx));
    tx
}

fn text(value: &Value) -> Option<String> {
    redis::from_redis_value_ref::<String>(value).ok()
}

async fn run(
    mut conn: ClusterConnection,
    mut pushes: mpsc::UnboundedReceiver<PushInfo>,
    weak: WeakBackend,
    mut commands: mpsc::UnboundedReceiver<SubCommand>,
) {
    let own = match weak.upgrade() {
        Some(backend) => own_marker(backend.node()),
        None => return,
    };
    // Rooms subscribed on request whose first confirmation has not come yet.
    let mut asked: HashSet<RoomId> = HashSet::new();
    loop {
        tokio::select! {
            push = pushes.recv() => {
                let Some(push) = push else { return };
                let Some(backend) = weak.upgrade() else { return };
                let room = push.data.first().and_then(text).and_then(|c| room_of(&c));
                match (push.kind, room) {
                    (PushKind::SMessage, Some(room)) => {
                        let Some(payload) = push.data.get(1).and_then(text) else { continue };
                        // Own events were delivered locally when they were made.
                        if !payload.contains(&own) {
                            backend.inner.rooms.dispatch(&backend, &room, &payload).await;
                        }
                    }
                    // A renewed subscription (failover, slot move): repair what was missed.
                    (PushKind::SSubscribe, Some(room))
                        if !asked.remove(&room) && backend.inner.rooms.list().contains(&room) =>
                    {
                        backend.inner.rooms.repair(&backend, &room).await;
                    }
                    (PushKind::Disconnection, _) => {
                        crate::metrics::metrics().backend_reconnects.increment(1);
                        tracing::warn!("a redis cluster node connection was lost; the cluster connection subscribes again");
                    }
                    _ => {}
                }
            }
            command = commands.recv() => {
                let Some(command) = command else { return };
                match command {
                    SubCommand::Subscribe(room, ack) => {
                        asked.insert(room.clone());
                        let result = tokio::time::timeout(CALL_TIMEOUT, conn.ssubscribe(channel(&room))).await;
                        let result = match result {
                            Ok(Ok(())) => Ok(()),
                            Ok(Err(err)) => Err(unavailable(err)),
                            Err(_) => Err(unavailable("ssubscribe timed out")),
                        };
                        if result.is_err() {
                            asked.remove(&room);
                        }
                        let _ = ack.send(result);
                    }
                    SubCommand::Unsubscribe(room) => {
                        let _ = tokio::time::timeout(CALL_TIMEOUT, conn.sunsubscribe(channel(&room))).await;
                    }
                }
            }
        }
    }
}
