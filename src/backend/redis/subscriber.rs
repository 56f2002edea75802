//! The one Pub/Sub connection of this node, drained by its own task. `SUBSCRIBE` per room
//! with local subscribers (never `PSUBSCRIBE`: every pattern slows every `PUBLISH`), batched;
//! reconnects with backoff, resubscribes, and repairs each room from history.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

use super::WeakBackend;
use super::conn::{CALL_TIMEOUT, unavailable};
use super::envelope::own_marker;
use crate::backend::BackendResult;
use crate::domain::RoomId;

/// A request to the subscriber task.
pub enum SubCommand {
    /// Subscribe to a room's channel; answered once Redis confirmed.
    Subscribe(RoomId, oneshot::Sender<BackendResult<()>>),
    /// Unsubscribe from a room's channel.
    Unsubscribe(RoomId),
}

/// A room's Pub/Sub channel.
pub(super) fn channel(room: &RoomId) -> String {
    format!("chan:{{{room}}}")
}

pub(super) fn room_of(channel: &str) -> Option<RoomId> {
    RoomId::parse(channel.strip_prefix("chan:{")?.strip_suffix('}')?)
}

/// Starts the subscriber task; returns its command channel.
pub fn spawn(client: redis::Client, backend: WeakBackend) -> mpsc::UnboundedSender<SubCommand> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(client, backend, rx));
    tx
}

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

async fn run(client: redis::Client, weak: WeakBackend, mut commands: mpsc::UnboundedReceiver<SubCommand>) {
    let mut backoff = MIN_BACKOFF;
    let mut reconnecting = false;
    loop {
        let Some(backend) = weak.upgrade() else {
            return;
        };
        let pubsub = match tokio::time::timeout(CALL_TIMEOUT, client.get_async_pubsub()).await {
            Ok(Ok(pubsub)) => pubsub,
            failure => {
                if !reconnecting {
                    let error = match failure {
                        Ok(Err(e)) => e.to_string(),
                        _ => "timeout".to_owned(),
                    };
                    tracing::warn!(%error, "redis subscriber disconnected; retrying");
                }
                reconnecting = true;
                drop(backend);
                if !wait_refusing(&mut commands, backoff).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        let (mut sink, mut stream) = pubsub.split();
        let rooms = backend.inner.rooms.list();
        if !rooms.is_empty() {
            let channels: Vec<String> = rooms.iter().map(channel).collect();
            if let Err(err) = tokio::time::timeout(CALL_TIMEOUT, sink.subscribe(channels))
                .await
                .map_err(unavailable)
                .and_then(|r| r.map_err(unavailable))
            {
                tracing::warn!(error = %err, "resubscribe failed; retrying");
                continue;
            }
        }
        if reconnecting {
            crate::metrics::metrics().backend_reconnects.increment(1);
            tracing::info!(rooms = rooms.len(), "redis subscriber reconnected; repairing rooms from history");
            for room in &rooms {
                backend.inner.rooms.repair(&backend, room).await;
            }
        }
        backoff = MIN_BACKOFF;
        let own = own_marker(backend.node());
        drop(backend);
        loop {
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else { break };
                    let Some(backend) = weak.upgrade() else { return };
                    let Some(room) = room_of(message.get_channel_name()) else { continue };
                    let payload = message.get_payload_bytes();
                    // Own events were delivered locally when they were made.
                    if own.is_in(payload) {
                        continue;
                    }
                    backend.inner.rooms.dispatch(&backend, &room, payload).await;
                }
                command = commands.recv() => {
                    let Some(first) = command else { return };
                    let mut subscribe = Vec::new();
                    let mut unsubscribe = Vec::new();
                    let mut pending = vec![first];
                    while let Ok(more) = commands.try_recv() {
                        pending.push(more);
                    }
                    for command in pending {
                        match command {
                            SubCommand::Subscribe(room, ack) => subscribe.push((room, ack)),
                            SubCommand::Unsubscribe(room) => unsubscribe.push(room),
                        }
                    }
                    if !unsubscribe.is_empty() {
                        let channels: Vec<String> = unsubscribe.iter().map(channel).collect();
                        let _ = tokio::time::timeout(CALL_TIMEOUT, sink.unsubscribe(channels)).await;
                    }
                    if !subscribe.is_empty() {
                        let channels: Vec<String> = subscribe.iter().map(|(r, _)| channel(r)).collect();
                        let result = tokio::time::timeout(CALL_TIMEOUT, sink.subscribe(channels)).await;
                        let ok = matches!(result, Ok(Ok(())));
                        for (_, ack) in subscribe {
                            let _ = ack.send(if ok { Ok(()) } else { Err(unavailable("subscribe failed")) });
                        }
                        if !ok {
                            break;
                        }
                    }
                }
            }
        }
        tracing::warn!("redis subscriber connection lost; reconnecting");
        reconnecting = true;
    }
}

/// Waits `pause` before the next connection attempt; subscriptions asked for meanwhile fail at
/// once instead of waiting. `false` when the backend is gone.
async fn wait_refusing(commands: &mut mpsc::UnboundedReceiver<SubCommand>, pause: Duration) -> bool {
    let sleep = tokio::time::sleep(pause);
    tokio::pin!(sleep);
    loop {
        tokio::select! {
            () = &mut sleep => return true,
            command = commands.recv() => match command {
                None => return false,
                Some(SubCommand::Subscribe(_, ack)) => {
                    let _ = ack.send(Err(unavailable("redis unreachable")));
                }
                Some(SubCommand::Unsubscribe(_)) => {}
            },
        }
    }
}
