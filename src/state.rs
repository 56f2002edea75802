//! The shared handles every request and socket uses. Cheap to clone.

use std::sync::Arc;

use tokio::sync::watch;

use crate::backend::Backend;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::domain::{Limits, UserId};
use crate::live::{Hub, KeyedLimiter, SocketTracker};

/// Application state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// Rooms, presence, history, fan-out.
    pub backend: Arc<dyn Backend>,
    /// Localized error messages.
    pub catalog: Catalog,
    /// Per-instance room subscriptions and shared rendering of events.
    pub hub: Hub,
    /// The configuration the app was built with.
    pub config: Arc<Config>,
    /// Send-rate limits of the no-JavaScript form path, per member.
    pub post_limiter: Arc<KeyedLimiter<UserId>>,
    /// Becomes `true` when the server shuts down: sockets close with 1012.
    pub shutdown: watch::Receiver<bool>,
    /// Live sockets, so shutdown can wait for them.
    pub sockets: SocketTracker,
    /// Per-address limits on creating and joining rooms.
    pub address_limits: Arc<crate::web::client::AddressLimits>,
}

impl AppState {
    /// The input limits.
    pub fn limits(&self) -> &Limits {
        &self.config.limits
    }
}
