//! The subscriber on a Redis Cluster: sharded Pub/Sub (`SSUBSCRIBE` per room with local
//! subscribers, on the shard that owns the room's slot; scripts `SPUBLISH`). The cluster
//! connection routes each subscription to its shard and subscribes again after a failover or
//! a slot move (the server's `sunsubscribe`, a lost node); each confirmation of such a renewed
//! subscription repairs the room from its history stream, so what was published while the
//! room was not subscribed is delivered once, as after a reconnect on one Redis. (The first
//! confirmation of a subscription this node asked for repairs nothing: nothing was missed.)
//! Repairs are coalesced per room and tick. After a lost node connection, or a subscription the
//! server ended because the room's slot moved, this node also subscribes again itself until
//! each is confirmed: the client's own resubscription may go to the master that is gone before
//! its replica has taken over, or to the slot's old owner. A subscription counts once its
//! confirmation comes, not when the `SSUBSCRIBE` call returns: during a slot move the client can
//! pair a reply with the wrong request (mod.rs), so a room unconfirmed after `CONFIRM_WITHIN`
//! is subscribed again, and repaired when its confirmation comes.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use redis::cluster_async::ClusterConnection;
use redis::{PushInfo, PushKind, Value};
use tokio::sync::mpsc;

use super::WeakBackend;
use super::conn::{CALL_TIMEOUT, unavailable};
use super::envelope::own_marker;
use super::subscriber::{SubCommand, channel, room_of};
use crate::backend::BackendResult;
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

/// How often renewed subscriptions are repaired (coalesced: a failover confirms the same
/// subscription many times while the client settles its topology) and lost ones renewed.
const TICK: std::time::Duration = std::time::Duration::from_millis(300);
/// How long after a lost node connection this node keeps renewing its rooms' subscriptions
/// itself, until each is confirmed (a failover takes a few seconds to promote a replica).
const RENEW_FOR: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a subscription this node asked for may go unconfirmed before it is asked again.
const CONFIRM_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

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
    // Rooms subscribed on request whose first confirmation has not come yet, and since when.
    let mut asked: HashMap<RoomId, Instant> = HashMap::new();
    // Rooms unsubscribed on request whose confirmation has not come yet.
    let mut dropped: HashSet<RoomId> = HashSet::new();
    // Rooms whose subscription was confirmed again, to repair at the next tick.
    let mut to_repair: HashSet<RoomId> = HashSet::new();
    // After a lost node connection: until when, and which rooms still need renewing.
    let mut renewing: Option<(Instant, HashSet<RoomId>)> = None;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            push = pushes.recv() => {
                let Some(push) = push else { return };
                let Some(backend) = weak.upgrade() else { return };
                let room = push.data.first().and_then(text).and_then(|c| room_of(&c));
                match (push.kind, room) {
                    (PushKind::SMessage, Some(room)) => {
                        let Some(Value::BulkString(payload)) = push.data.get(1) else { continue };
                        // Own events were delivered locally when they were made.
                        if !own.is_in(payload) {
                            backend.inner.rooms.dispatch(&backend, &room, payload).await;
                        }
                    }
                    // A renewed subscription (failover, slot move): repair what was missed.
                    (PushKind::SSubscribe, Some(room)) => {
                        if let Some((_, rooms)) = renewing.as_mut() {
                            rooms.remove(&room);
                        }
                        if asked.remove(&room).is_none() {
                            to_repair.insert(room);
                        }
                    }
                    // The server ends a subscription itself when the room's slot moves away.
                    (PushKind::SUnsubscribe, Some(room)) if !dropped.remove(&room) => {
                        renew_later(&mut renewing, room);
                    }
                    (PushKind::Disconnection, _) => {
                        crate::metrics::metrics().backend_reconnects.increment(1);
                        tracing::warn!("a redis cluster node connection was lost; subscribing again");
                        for room in backend.inner.rooms.list() {
                            renew_later(&mut renewing, room);
                        }
                    }
                    _ => {}
                }
            }
            _ = tick.tick() => {
                if to_repair.is_empty() && renewing.is_none() && asked.is_empty() {
                    continue;
                }
                // Unconfirmed for too long: renewed like a lost subscription, repaired once
                // confirmed (what was published meanwhile may not have reached this node).
                let late: Vec<RoomId> =
                    asked.iter().filter(|(_, at)| at.elapsed() > CONFIRM_WITHIN).map(|(r, _)| r.clone()).collect();
                for room in late {
                    asked.remove(&room);
                    renew_later(&mut renewing, room);
                }
                let Some(backend) = weak.upgrade() else { return };
                let live: HashSet<RoomId> = backend.inner.rooms.list().into_iter().collect();
                for room in std::mem::take(&mut to_repair) {
                    if live.contains(&room) {
                        backend.inner.rooms.repair(&backend, &room).await;
                    }
                }
                renewing = renew(&mut conn, renewing, &live).await;
            }
            command = commands.recv() => {
                let Some(command) = command else { return };
                match command {
                    SubCommand::Subscribe(room, ack) => {
                        dropped.remove(&room);
                        asked.insert(room.clone(), Instant::now());
                        let result = ssubscribe(&mut conn, &room).await;
                        if result.is_err() {
                            asked.remove(&room);
                        }
                        let _ = ack.send(result);
                    }
                    SubCommand::Unsubscribe(room) => {
                        dropped.insert(room.clone());
                        let _ = tokio::time::timeout(CALL_TIMEOUT, conn.sunsubscribe(channel(&room))).await;
                    }
                }
            }
        }
    }
}

/// Adds `room` to the rooms this node subscribes to again itself, for `RENEW_FOR` from now.
fn renew_later(renewing: &mut Option<(Instant, HashSet<RoomId>)>, room: RoomId) {
    let (until, rooms) = renewing.get_or_insert_with(|| (Instant::now(), HashSet::new()));
    *until = Instant::now() + RENEW_FOR;
    rooms.insert(room);
}

async fn ssubscribe(conn: &mut ClusterConnection, room: &RoomId) -> BackendResult<()> {
    match tokio::time::timeout(CALL_TIMEOUT, conn.ssubscribe(channel(room))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(unavailable(err)),
        Err(_) => Err(unavailable("ssubscribe timed out")),
    }
}

/// Subscribes again, itself, to the rooms not yet confirmed since a node connection was lost
/// (the client's own resubscription can go to a master that is gone before its replica takes
/// over); their confirmations repair them. Returns what is left to renew.
async fn renew(
    conn: &mut ClusterConnection,
    renewing: Option<(Instant, HashSet<RoomId>)>,
    live: &HashSet<RoomId>,
) -> Option<(Instant, HashSet<RoomId>)> {
    let (until, mut rooms) = renewing?;
    rooms.retain(|room| live.contains(room));
    if rooms.is_empty() {
        return None;
    }
    if Instant::now() > until {
        tracing::warn!(rooms = rooms.len(), "subscriptions not confirmed after a lost node connection");
        return None;
    }
    for room in &rooms {
        if let Err(err) = ssubscribe(conn, room).await {
            tracing::debug!(%err, "renewing a subscription failed; trying again");
            break;
        }
    }
    Some((until, rooms))
}
