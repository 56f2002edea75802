//! Wiring: [`App::build`] turns a [`Config`] into a bound listener, a router and the
//! background tasks; [`App::run_until`] serves until a shutdown signal. Tests call the same
//! functions on port 0.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::backend::memory::MemoryBackend;
use crate::backend::{Backend, BackendConfig};
use crate::catalog::{Catalog, Db, DbError};
use crate::config::Config;
use crate::live::{Hub, KeyedLimiter};
use crate::state::AppState;
use crate::web;
use crate::web::session::MemoryStore;

/// How often expired browser sessions are dropped from memory.
const SESSION_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Why the app could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("C2C_ADDR: cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The catalogue database could not be opened.
    #[error("DATABASE_URL: {0}")]
    Database(#[from] DbError),
    /// A configured feature is not available.
    #[error("{0}")]
    Unsupported(String),
}

/// A built application, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    shutdown: watch::Sender<bool>,
}

impl App {
    /// Builds the app the configuration describes: the in-process backend unless `REDIS_URL`
    /// is set, in-memory sessions, the catalogue at `DATABASE_URL`.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        if config.redis_url.is_some() {
            return Err(StartError::Unsupported(
                "REDIS_URL: the Redis backend is not part of this build yet; unset REDIS_URL to run the embedded default".into(),
            ));
        }
        let backend = MemoryBackend::start(BackendConfig {
            room_idle_ttl: config.room_idle_ttl,
            ..BackendConfig::default()
        });
        Self::build_with(config, Arc::new(backend)).await
    }

    /// Builds the app over a given backend (tests choose the backend and its timings).
    pub async fn build_with(config: Config, backend: Arc<dyn Backend>) -> Result<Self, StartError> {
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        let db = Db::open(&config.database_url).await?;
        let catalog = Catalog::start(db).await;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let store = MemoryStore::default();
        spawn_session_sweep(store.clone());
        let state = AppState {
            hub: Hub::new(backend.clone()),
            backend,
            catalog,
            post_limiter: Arc::new(KeyedLimiter::new(config.limits.clone())),
            shutdown: shutdown_rx,
            config: Arc::new(config.clone()),
        };
        let router = web::router(state.clone(), store, config.session_ttl);
        Ok(Self {
            listener,
            router,
            state,
            shutdown,
        })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.addr)
    }

    /// The shared state (tests inspect the backend and catalogue through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `signal` completes, then closes live sockets with 1012 (browsers reconnect)
    /// and stops.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let shutdown = self.shutdown;
        let graceful = async move {
            signal.await;
            tracing::info!("shutting down: closing live sockets");
            let _ = shutdown.send(true);
        };
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(graceful)
            .await
    }
}

fn spawn_session_sweep(store: MemoryStore) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SESSION_SWEEP_INTERVAL);
        loop {
            tick.tick().await;
            store.sweep();
        }
    });
}
