//! Heartbeats, gathered per room and per instant. A live socket refreshes its presence every
//! 10 s; one Redis script call per heartbeat made heartbeats the largest fixed cost of an
//! instance holding many sockets. The sockets of one room beat in the same instant, and rooms in
//! one of ten instants of the period (`live::socket::heartbeat`), so this module gathers what
//! arrives within a few milliseconds, refreshes each room's connections with one `beat.lua`
//! call, and sends the calls of all gathered rooms together (one write to Redis, one wake-up).
//! A room's hub refreshes the sockets it beats for itself (`Backend::heartbeats`, one call per
//! room); what is gathered here are the heartbeats of sockets with their own instant (big rooms).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::oneshot;

use super::RedisBackend;
use super::conn::unavailable;
use crate::backend::{BackendError, BackendResult};
use crate::domain::{ConnId, RoomId, Seq, UserId};
use crate::support::lock;

/// How long the first heartbeat of a room waits for the others of the same instant.
const GATHER: Duration = Duration::from_millis(10);
/// Most connections refreshed by one script call, so a big room's heartbeats never hold Redis
/// for long (each call is atomic).
const CHUNK: usize = 100;

/// Heartbeats waiting to be sent, by room.
#[derive(Default)]
pub(super) struct Beats {
    waiting: Mutex<HashMap<RoomId, Vec<Pending>>>,
}

struct Pending {
    user: UserId,
    conn: ConnId,
    done: oneshot::Sender<BackendResult<()>>,
}

impl RedisBackend {
    /// One connection's heartbeat, sent with the others of its room that arrive meanwhile.
    pub(super) async fn gathered_heartbeat(
        &self,
        room: &RoomId,
        user: &UserId,
        conn: &ConnId,
    ) -> BackendResult<()> {
        let (done, result) = oneshot::channel();
        let first = {
            let mut waiting = lock(&self.inner.beats.waiting);
            let first = waiting.is_empty();
            waiting.entry(room.clone()).or_default().push(Pending {
                user: user.clone(),
                conn: conn.clone(),
                done,
            });
            first
        };
        if first {
            let backend = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(GATHER).await;
                backend.send_beats().await;
            });
        }
        result.await.unwrap_or_else(|_| Err(unavailable("heartbeat dropped")))
    }

    /// Sends every waiting heartbeat: per room in chunks of [`CHUNK`], all calls at once (the
    /// connection pipelines them).
    async fn send_beats(&self) {
        let waiting = std::mem::take(&mut *lock(&self.inner.beats.waiting));
        let calls = waiting.into_iter().map(|(room, pending)| async move {
            let conns: Vec<(UserId, ConnId)> =
                pending.iter().map(|p| (p.user.clone(), p.conn.clone())).collect();
            match self.refresh(&room, &conns).await {
                Ok(flags) => {
                    for (p, refreshed) in pending.into_iter().zip(flags) {
                        let _ = p.done.send(if refreshed { Ok(()) } else { Err(BackendError::NotAMember) });
                    }
                }
                Err(err) => {
                    for p in pending {
                        let _ = p.done.send(Err(err.clone()));
                    }
                }
            }
        });
        futures_util::future::join_all(calls).await;
    }

    /// Refreshes connections of `room` (`Backend::heartbeats`): one `beat.lua` call per
    /// [`CHUNK`], all at once; for each connection, whether it is still its member's.
    pub(super) async fn refresh(
        &self,
        room: &RoomId,
        conns: &[(UserId, ConnId)],
    ) -> BackendResult<Vec<bool>> {
        let calls = conns.chunks(CHUNK).map(|chunk| self.refresh_chunk(room, chunk));
        let mut flags = Vec::with_capacity(conns.len());
        for chunk in futures_util::future::join_all(calls).await {
            flags.extend(chunk?);
        }
        Ok(flags)
    }

    async fn refresh_chunk(&self, room: &RoomId, chunk: &[(UserId, ConnId)]) -> BackendResult<Vec<bool>> {
        let mut args = Vec::with_capacity(4 + 2 * chunk.len());
        let a = &self.inner.args;
        args.extend([room.as_str(), &self.inner.node, &a.ttl_ms, &a.session_ttl_ms]);
        for (user, conn) in chunk {
            args.push(user.as_str());
            args.push(conn.as_str());
        }
        let mut reply = self.run(&self.inner.scripts.beat, room, &args).await?;
        let deadline: BackendResult<i64> = reply.next();
        let stored: BackendResult<Seq> = reply.next();
        let flags: BackendResult<Vec<bool>> =
            chunk.iter().map(|_| reply.next::<i64>().map(|f| f == 1)).collect();
        self.deliver_local(room, reply.strings()).await;
        if let Ok(deadline) = deadline {
            self.schedule_sweep(room, deadline).await;
        }
        if let Ok(stored) = stored {
            self.inner.rooms.check_behind(self, room, stored);
        }
        flags
    }
}
