//! The in-process backend's sweep: expires presence and idle rooms on tokio's clock, and keeps
//! the durable copy in step.

use std::sync::Weak;

use tokio::time::Instant;

use super::Shared;
use super::room::wall_clock_of;
use super::store::Change;
use crate::support::lock;

/// Sweeps every `sweep_interval` until the backend is dropped.
pub(super) async fn sweep_loop(shared: Weak<Shared>) {
    let period = match shared.upgrade() {
        Some(s) => s.config.sweep_interval,
        None => return,
    };
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let now = Instant::now();
        lock(&shared.rooms).retain(|id, room| {
            let idle_before = room.idle_deadline;
            let lives = room.sweep(now, &shared.config);
            if let Some(store) = &shared.store {
                if !lives {
                    store.record(Change::Deleted { room: id.clone() });
                } else if room.idle_deadline != idle_before {
                    store.record(Change::Idle {
                        room: id.clone(),
                        until: room.idle_deadline.map(wall_clock_of),
                    });
                }
            }
            lives
        });
    }
}
