//! Heartbeats, gathered per room and per instant. A live socket refreshes its presence every
//! 10 s; one Redis script call per heartbeat made heartbeats the largest fixed cost of an
//! instance holding many sockets. The sockets of one room beat in the same instant, and rooms in
//! one of ten instants of the period (`live::socket::heartbeat`), so this module gathers what
//! arrives within a few milliseconds, refreshes each room's connections with one `beat.lua`
//! call, and sends the calls of all gathered rooms together (one write to Redis, one wake-up).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::oneshot;

use super::RedisBackend;
use super::conn::unavailable;
use crate::backend::{BackendError, BackendResult};
use crate::domain::{ConnId, RoomId, UserId};
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
        let mut calls = Vec::new();
        for (room, pending) in waiting {
            let mut rest = pending.into_iter();
            loop {
                let chunk: Vec<Pending> = rest.by_ref().take(CHUNK).collect();
                if chunk.is_empty() {
                    break;
                }
                calls.push(self.send_chunk(room.clone(), chunk));
            }
        }
        futures_util::future::join_all(calls).await;
    }

    async fn send_chunk(&self, room: RoomId, chunk: Vec<Pending>) {
        let room = &room;
        let mut args = Vec::with_capacity(4 + 2 * chunk.len());
        let a = &self.inner.args;
        args.extend([room.as_str(), &self.inner.node, &a.ttl_ms, &a.session_ttl_ms]);
        for p in &chunk {
            args.push(p.user.as_str());
            args.push(p.conn.as_str());
        }
        let mut reply = match self.run(&self.inner.scripts.beat, room, &args).await {
            Ok(reply) => reply,
            Err(err) => {
                for p in chunk {
                    let _ = p.done.send(Err(err.clone()));
                }
                return;
            }
        };
        let deadline: BackendResult<i64> = reply.next();
        let mut flags = Vec::with_capacity(chunk.len());
        for _ in &chunk {
            flags.push(reply.next::<i64>());
        }
        self.deliver_local(room, reply.strings()).await;
        if let Ok(deadline) = deadline {
            self.schedule_sweep(room, deadline).await;
        }
        for (p, flag) in chunk.into_iter().zip(flags) {
            let result = match flag {
                Ok(1) => Ok(()),
                Ok(_) => Err(BackendError::NotAMember),
                Err(err) => Err(err),
            };
            let _ = p.done.send(result);
        }
    }
}
