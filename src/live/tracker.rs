//! Counts live sockets: all of them, so shutdown can wait for them to close and clean up their
//! presence, and each member's, so one member cannot hold any number open.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use metrics::Gauge;
use tokio::sync::Notify;

use crate::domain::UserId;
use crate::support::lock;

/// The live sockets of this instance.
#[derive(Clone, Default)]
pub struct SocketTracker {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    open: AtomicUsize,
    closed: Notify,
}

/// Held by a socket task while it runs.
pub struct SocketGuard {
    inner: Arc<Inner>,
    gauge: Gauge,
}

impl SocketTracker {
    /// Registers a socket; `gauge` is its kind's open-sockets metric.
    pub fn enter(&self, gauge: &Gauge) -> SocketGuard {
        self.inner.open.fetch_add(1, Ordering::SeqCst);
        gauge.increment(1.0);
        SocketGuard { inner: self.inner.clone(), gauge: gauge.clone() }
    }

    /// Sockets open now.
    pub fn open(&self) -> usize {
        self.inner.open.load(Ordering::SeqCst)
    }

    /// Waits until every socket has finished, at most `limit`. True if they all did.
    pub async fn drained(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.inner.closed.notified();
                if self.open() == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.gauge.decrement(1.0);
        if self.inner.open.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.inner.closed.notify_waiters();
        }
    }
}

/// Live sockets per member on this instance, so one member cannot hold open any number of
/// them (docs/security.md).
#[derive(Clone, Default)]
pub struct MemberSockets {
    open: Arc<std::sync::Mutex<std::collections::HashMap<UserId, usize>>>,
}

/// One socket's place among its member's; released when dropped.
pub struct MemberSeat {
    open: Arc<std::sync::Mutex<std::collections::HashMap<UserId, usize>>>,
    user: UserId,
}

impl MemberSockets {
    /// A seat for another socket of `user`, unless they hold `max` already.
    pub fn take(&self, user: &UserId, max: usize) -> Option<MemberSeat> {
        let mut open = lock(&self.open);
        let held = open.entry(user.clone()).or_default();
        if *held >= max {
            return None;
        }
        *held += 1;
        Some(MemberSeat { open: self.open.clone(), user: user.clone() })
    }
}

impl Drop for MemberSeat {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        if let Some(held) = open.get_mut(&self.user) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.user);
            }
        }
    }
}
