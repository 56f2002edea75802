//! The shared handles every request and socket uses. Cheap to clone.

use std::sync::Arc;

use tokio::sync::watch;

use crate::backend::Backend;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::domain::Limits;
use crate::limits::Backoff;

/// Application state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// Rooms, presence, history, fan-out.
    pub backend: Arc<dyn Backend>,
    /// Localized error messages.
    pub catalog: Catalog,
    /// The configuration the app was built with.
    pub config: Arc<Config>,
    /// Lockouts after failed translator sign-ins, per address.
    pub sign_in_backoff: Arc<Backoff>,
    /// Becomes `true` when the server shuts down: sockets close with 1012.
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// The input limits.
    pub fn limits(&self) -> &Limits {
        &self.config.limits
    }
}
