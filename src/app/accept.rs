//! The accept loop (docs/security.md, "Limits on what one client can make the server do"):
//! every connection gets a header-read timeout that also bounds how long a kept-alive
//! connection waits for its next request; open connections are capped overall and per client
//! address, WebSockets included (the count is held by the connection's I/O, which an upgraded
//! socket keeps until it closes); on shutdown connections drain gracefully.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::domain::Limits;
use crate::metrics::metrics;
use crate::support::lock;

/// Open connections, overall and by client address.
#[derive(Default)]
struct Open {
    by_address: Mutex<HashMap<IpAddr, usize>>,
    total: Mutex<usize>,
}

/// One admitted connection's place in the count; released when dropped.
struct Slot {
    open: Arc<Open>,
    ip: IpAddr,
}

impl Open {
    /// A slot for a connection from `ip`, unless that would pass a cap. Addresses of trusted
    /// proxies carry many clients and count only against the overall cap.
    fn admit(self: &Arc<Self>, ip: IpAddr, limits: &Limits, trusted: &[IpAddr]) -> Option<Slot> {
        let mut total = lock(&self.total);
        if *total >= limits.max_connections {
            return None;
        }
        let mut by_address = lock(&self.by_address);
        let mine = by_address.entry(ip).or_default();
        if *mine >= limits.max_connections_per_address && !trusted.contains(&ip) {
            return None;
        }
        *mine += 1;
        *total += 1;
        Some(Slot { open: self.clone(), ip })
    }

    fn count(&self) -> usize {
        *lock(&self.total)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *lock(&self.open.total) -= 1;
        let mut by_address = lock(&self.open.by_address);
        if let Some(n) = by_address.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                by_address.remove(&self.ip);
            }
        }
    }
}

/// A connection's I/O, holding its slot: the count lasts as long as the connection, through a
/// WebSocket upgrade.
struct Counted {
    tcp: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tcp).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tcp).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }
}

/// Serves `router` on `listener` until `stopping` turns true, then lets open requests finish
/// (at most `drain`). Upgraded sockets are closed by the live layer itself.
pub(super) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    trusted: Vec<IpAddr>,
    mut stopping: watch::Receiver<bool>,
    drain: Duration,
) {
    let open = Arc::new(Open::default());
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, say: wait a moment instead of spinning.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = stopped(&mut stopping) => break,
        };
        let Some(slot) = open.admit(peer.ip(), &limits, &trusted) else {
            metrics().refused_connections.increment(1);
            continue;
        };
        // TCP_NODELAY: live frames are small and must leave at once, not wait for the previous
        // one's acknowledgement (Nagle's algorithm).
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "cannot set TCP_NODELAY");
        }
        tokio::spawn(connection(
            Counted { tcp, _slot: slot },
            peer,
            router.clone(),
            limits.header_timeout,
            stopping.clone(),
        ));
    }
    let deadline = tokio::time::Instant::now() + drain;
    while open.count() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Serves one connection; on shutdown it finishes the request in progress and closes.
async fn connection(
    io: Counted,
    peer: SocketAddr,
    router: Router,
    header_timeout: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    let service = router.map_request(move |request: axum::http::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout).keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service)).with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(error = %err, "connection ended");
            }
        }
        () = stopped(&mut stopping) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Completes once shutdown has begun.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|down| *down).await;
}
