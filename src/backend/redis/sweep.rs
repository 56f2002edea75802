//! Presence expiry across instances: rooms with presence sit in a sorted set scored by when to
//! check them next; every instance checks the due ones every second with `sweep.lua`, which is
//! idempotent, so instances need not coordinate (docs/redis.md, "Presence and crashed
//! instances").

use redis::Value;

use super::{RedisBackend, WeakBackend, info_key};
use crate::backend::BackendResult;
use crate::domain::RoomId;

/// Global sorted set of rooms with presence to sweep, scored by when to check them next.
pub const SWEEP_KEY: &str = "c2c:presence-sweep";
/// Most rooms one instance checks per tick.
const DUE_PER_TICK: &str = "100";

impl RedisBackend {
    /// Puts the room on the sweep list no later than `deadline` (Redis time, ms).
    pub(super) async fn schedule_sweep(&self, room: &RoomId, deadline: i64) {
        let mut cmd = redis::cmd("ZADD");
        cmd.arg(SWEEP_KEY).arg("LT").arg(deadline).arg(room.as_str());
        if let Err(err) = self.inner.link.call::<i64>(&cmd).await {
            tracing::warn!(%room, error = %err, "cannot schedule presence sweep");
        }
    }

    /// Sweeps rooms whose presence check is due. Returns how many rooms were checked.
    async fn sweep_due(&self) -> BackendResult<usize> {
        let link = &self.inner.link;
        let due: Vec<String> = link.eval(&self.inner.scripts.due, SWEEP_KEY, &[DUE_PER_TICK]).await?;
        for raw in &due {
            let Some(room) = RoomId::parse(raw) else {
                link.call::<i64>(redis::cmd("ZREM").arg(SWEEP_KEY).arg(raw)).await?;
                continue;
            };
            let args = [room.as_str(), &self.inner.node, &self.inner.args.idle_ms, &self.inner.args.ttl_ms];
            let values: Vec<Value> = link.eval(&self.inner.scripts.sweep, &info_key(&room), &args).await?;
            let mut values = values.into_iter();
            let next: i64 = values.next().and_then(|v| redis::from_redis_value(v).ok()).unwrap_or(-1);
            let events: Vec<String> = values.filter_map(|v| redis::from_redis_value(v).ok()).collect();
            self.deliver_local(&room, events).await;
            // Done with the room when no one has presence left; else check again at `next`.
            let mut cmd = redis::cmd(if next < 0 { "ZREM" } else { "ZADD" });
            cmd.arg(SWEEP_KEY);
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
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(backend) = weak.upgrade() else {
            return;
        };
        if let Err(err) = backend.sweep_due().await {
            tracing::debug!(error = %err, "presence sweep skipped");
        }
    }
}
