//! Presence expiry across instances: rooms with presence sit in sorted sets scored by when to
//! check them next, spread over [`SWEEP_BUCKETS`] lists by room (each list its own hash tag,
//! so a cluster spreads them over its slots and no single key is polled by every instance);
//! every instance checks the due rooms of every list every second with `sweep.lua`, which is
//! idempotent, so instances need not coordinate (docs/redis.md, "Presence and crashed
//! instances").

use redis::Value;

use super::{RedisBackend, WeakBackend, info_key};
use crate::backend::BackendResult;
use crate::domain::RoomId;
use crate::support::stable_hash;

/// How many sweep lists the rooms are spread over.
pub const SWEEP_BUCKETS: u64 = 16;
/// The single list of earlier versions, drained into the buckets at start.
const LEGACY_SWEEP_KEY: &str = "c2c:presence-sweep";
/// Most rooms one instance checks per list per tick.
const DUE_PER_TICK: &str = "100";

/// The sweep list of bucket `bucket`: `c2c:presence-sweep:{s7}`.
pub fn sweep_key(bucket: u64) -> String {
    format!("{LEGACY_SWEEP_KEY}:{{s{bucket}}}")
}

/// The sweep list `room` is on.
pub fn sweep_key_of(room: &RoomId) -> String {
    sweep_key(stable_hash([room.as_str().as_bytes()]) % SWEEP_BUCKETS)
}

impl RedisBackend {
    /// Puts the room on its sweep list no later than `deadline` (Redis time, ms).
    pub(super) async fn schedule_sweep(&self, room: &RoomId, deadline: i64) {
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(sweep_key_of(room)).arg("LT").arg(deadline).arg(room.as_str());
        if let Err(err) = self.inner.link.call::<i64>(&cmd).await {
            tracing::warn!(%room, error = %err, "cannot schedule presence sweep");
        }
    }

    /// Moves the rooms of the single sweep list of earlier versions onto their buckets (due at
    /// once: a sweep of a room with everyone present changes nothing), then deletes it.
    async fn drain_legacy_list(&self) -> BackendResult<()> {
        let link = &self.inner.link;
        let rooms: Vec<String> = link.call(redis::cmd("ZRANGE").arg(LEGACY_SWEEP_KEY).arg(0).arg(-1)).await?;
        for room in rooms.iter().filter_map(|raw| RoomId::parse(raw)) {
            link.call::<i64>(redis::cmd("ZADD").arg(sweep_key_of(&room)).arg(0).arg(room.as_str())).await?;
        }
        if !rooms.is_empty() {
            link.call::<i64>(redis::cmd("DEL").arg(LEGACY_SWEEP_KEY)).await?;
        }
        Ok(())
    }

    /// Sweeps the rooms of every list whose presence check is due. Returns how many rooms
    /// were checked.
    async fn sweep_due(&self) -> BackendResult<usize> {
        let mut checked = 0;
        for bucket in 0..SWEEP_BUCKETS {
            checked += self.sweep_list(&sweep_key(bucket)).await?;
        }
        Ok(checked)
    }

    /// Sweeps the due rooms of one list.
    async fn sweep_list(&self, list: &str) -> BackendResult<usize> {
        let link = &self.inner.link;
        let due: Vec<String> = link.eval(&self.inner.scripts.due, list, &[DUE_PER_TICK]).await?;
        for raw in &due {
            let Some(room) = RoomId::parse(raw) else {
                link.call::<i64>(redis::cmd("ZREM").arg(list).arg(raw)).await?;
                continue;
            };
            let args = [room.as_str(), &self.inner.node, &self.inner.args.idle_ms, &self.inner.args.ttl_ms];
            let values: Vec<Value> =
                link.eval(&self.inner.scripts.sweep.script, &info_key(&room), &args).await?;
            let mut values = values.into_iter();
            let next: i64 = values.next().and_then(|v| redis::from_redis_value(v).ok()).unwrap_or(-1);
            let events: Vec<String> = values.filter_map(|v| redis::from_redis_value(v).ok()).collect();
            self.deliver_local(&room, events).await;
            // Done with the room when no one has presence left; else check again at `next`.
            let mut cmd = redis::cmd(if next < 0 { "ZREM" } else { "ZADD" });
            cmd.arg(list);
            if next >= 0 {
                cmd.arg("XX").arg(next);
            }
            cmd.arg(room.as_str());
            link.call::<i64>(&cmd).await?;
        }
        Ok(due.len())
    }
}

/// Sweeps every `sweep_interval` until the backend is dropped.
pub(super) async fn run(weak: WeakBackend) {
    let period = match weak.upgrade() {
        Some(b) => b.inner.config.sweep_interval,
        None => return,
    };
    let mut drained = false;
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(backend) = weak.upgrade() else {
            return;
        };
        if !drained {
            drained = backend.drain_legacy_list().await.is_ok();
        }
        if let Err(err) = backend.sweep_due().await {
            tracing::debug!(error = %err, "presence sweep skipped");
        }
    }
}
