//! Counts live sockets so shutdown can wait for them to close and clean up their presence
//! (`axum::serve` does not wait for upgraded connections).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use metrics::Gauge;
use tokio::sync::Notify;

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
