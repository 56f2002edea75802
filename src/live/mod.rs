//! The live sockets (docs/protocol.md): the browser's `GET /r/{roomId}/live` (HTML fragments)
//! and the programs' `GET /ws` (JSON). Both are thin protocols over one core (connection loop,
//! heartbeats, batched delivery, stream positions), fed by the per-instance
//! hub that subscribes once per room and renders each event once per format. `core.rs` is the
//! loop, `conn.rs` a socket's side of it, `flow.rs` what passes through it once open, `seats.rs`
//! the hub's heartbeats for a room's sockets, `socket.rs` the settings both share.

mod conn;
mod core;
mod flow;
mod html;
mod hub;
pub mod json;
mod seats;
mod send;
mod socket;
mod tracker;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;

#[cfg(test)]
pub(crate) use html::parse_composer;
pub use hub::{Format, Hub, Outgoing};
pub use socket::SOCKET_BUFFER;
pub use tracker::{MemberSeat, MemberSockets, SocketGuard, SocketTracker};

use crate::state::AppState;

/// What the sockets need besides the app's state: this instance's hub and the count of open
/// sockets (shutdown waits for them).
#[derive(Clone)]
pub struct LiveState {
    /// The app's shared state.
    pub app: AppState,
    /// Room subscriptions and rendered frames.
    pub hub: Hub,
    /// Open sockets.
    pub sockets: SocketTracker,
    /// Open sockets per member.
    pub members: MemberSockets,
}

impl FromRef<LiveState> for AppState {
    fn from_ref(live: &LiveState) -> Self {
        live.app.clone()
    }
}

/// The sockets' routes.
pub fn router(live: LiveState) -> Router<AppState> {
    Router::new()
        .route("/r/{room}/live", get(html::live_socket))
        .route("/ws", get(json::json_socket))
        .with_state(live)
}
