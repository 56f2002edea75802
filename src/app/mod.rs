//! Wiring: [`App::build`] turns a [`Config`] into a bound listener, a router and the
//! background tasks; [`App::run_until`] serves until a shutdown signal. Tests call the same
//! functions on port 0.

mod accept;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_sessions_redis_store::RedisStore;

use crate::backend::memory::MemoryBackend;
use crate::backend::redis::RedisBackend;
use crate::backend::{Backend, BackendConfig};
use crate::catalog::{Catalog, Db, DbError};
use crate::config::{Config, RedisTarget};
use crate::live::{Hub, LiveState, SocketTracker};
use crate::state::AppState;
use crate::web;
use crate::web::session::MemoryStore;
use crate::web::sqlite_sessions::SqliteStore;

/// Shutdown waits at most this long for live sockets to close and clean up their presence.
pub const SHUTDOWN_LIMIT: Duration = Duration::from_secs(8);
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
    /// The Redis URL could not be used.
    #[error("REDIS_URL: {0}")]
    Redis(String),
    /// No seed node of the cluster answered, or its answer could not be used.
    #[error("REDIS_CLUSTER_NODES: {0}")]
    Cluster(String),
}

/// A built application, bound and ready to serve.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
    sockets: SocketTracker,
    sessions: Sessions,
    shutdown: watch::Sender<bool>,
}

impl App {
    /// Builds the app the configuration describes: the Redis backend with `REDIS_URL` or
    /// `REDIS_CLUSTER_NODES`, else the
    /// in-process backend, kept durably in the SQLite file when the catalogue is there (the
    /// embedded default); sessions beside the rooms; the catalogue at `DATABASE_URL`.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let backend_config = BackendConfig::for_config(&config);
        let db = Db::open(&config.database_url).await?;
        let backend: Arc<dyn Backend> = match (&config.redis, db.sqlite()) {
            (Some(RedisTarget::Single(url)), _) => Arc::new(
                RedisBackend::start(url, backend_config).map_err(|e| StartError::Redis(e.to_string()))?,
            ),
            (Some(RedisTarget::Cluster(nodes)), _) => Arc::new(
                RedisBackend::start_cluster(nodes, backend_config)
                    .await
                    .map_err(|e| StartError::Cluster(e.to_string()))?,
            ),
            (None, Some(pool)) => {
                // The state tables must exist before the rooms are read back.
                db.migrate().await?;
                let backend =
                    MemoryBackend::durable(backend_config, pool.clone()).await.map_err(DbError::from)?;
                Arc::new(backend)
            }
            (None, None) => Arc::new(MemoryBackend::start(backend_config)),
        };
        Self::build_on(config, backend, db).await
    }

    /// Builds the app over a given backend (tests choose the backend and its timings).
    pub async fn build_with(config: Config, backend: Arc<dyn Backend>) -> Result<Self, StartError> {
        let db = Db::open(&config.database_url).await?;
        Self::build_on(config, backend, db).await
    }

    async fn build_on(config: Config, backend: Arc<dyn Backend>, db: Db) -> Result<Self, StartError> {
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let catalog = Catalog::start(db).await;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let hub = Hub::new(backend.clone(), &config.limits);
        let state = AppState {
            backend,
            catalog,
            shutdown: shutdown_rx,
            sign_in_backoff: Arc::default(),
            config: Arc::new(config.clone()),
        };
        let sockets = SocketTracker::default();
        let live = crate::live::router(LiveState {
            app: state.clone(),
            hub,
            sockets: sockets.clone(),
            members: Default::default(),
        });
        let ttl = config.session_ttl;
        let (router, sessions) = match (&config.redis, state.catalog.db().sqlite()) {
            (Some(target), _) => {
                let store = RedisStore::new(session_pool(target).await?);
                (web::router(state.clone(), store, ttl, live), Sessions::Redis)
            }
            // The embedded default keeps sessions in its SQLite file: a restart keeps them.
            (None, Some(pool)) => {
                let store = SqliteStore::new(pool.clone());
                spawn_session_sweep(Sessions::Sqlite(store.clone()));
                (web::router(state.clone(), store.clone(), ttl, live), Sessions::Sqlite(store))
            }
            (None, None) => {
                let store = MemoryStore::default();
                spawn_session_sweep(Sessions::Memory(store.clone()));
                (web::router(state.clone(), store.clone(), ttl, live), Sessions::Memory(store))
            }
        };
        Ok(Self { listener, router, state, sockets, sessions, shutdown })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.state.config.addr)
    }

    /// The shared state (tests inspect the backend and catalogue through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Where browser sessions are kept (tests count them).
    pub fn sessions(&self) -> Sessions {
        self.sessions.clone()
    }

    /// Serves until `signal` completes, then stops accepting, closes live sockets with 1012
    /// (browsers reconnect, to another instance behind a load balancer), waits for them to
    /// clean up their presence (at most [`SHUTDOWN_LIMIT`]) and for requests in flight (at most
    /// the request timeout), and returns.
    pub async fn run_until(self, signal: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (shutdown, sockets) = (self.shutdown, self.sockets);
        let open = sockets.clone();
        tokio::spawn(async move {
            signal.await;
            tracing::info!(sockets = open.open(), "shutting down: closing live sockets");
            let _ = shutdown.send(true);
        });
        let config = &self.state.config;
        // Requests in flight when the signal came get the request timeout to finish (each is
        // bounded by it anyway); a stuck connection must not keep the process alive.
        accept::serve(
            self.listener,
            self.router,
            config.limits.clone(),
            config.trusted_proxies.clone(),
            self.state.shutdown.clone(),
            config.request_timeout,
        )
        .await;
        if !sockets.drained(SHUTDOWN_LIMIT).await {
            tracing::warn!(open = sockets.open(), "sockets still open at the shutdown limit");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// The connection pool of the session store (tower-sessions-redis-store speaks `fred`), on the
/// one Redis or the cluster the backend uses. Commands time out after a second and the pool
/// reconnects by itself (following the cluster's topology), so an outage or a failover fails
/// requests fast and heals without a restart.
async fn session_pool(target: &RedisTarget) -> Result<fred::prelude::Pool, StartError> {
    use fred::prelude::{Builder, ClientLike, Config as FredConfig, ReconnectPolicy};
    let mut fred_config = match target {
        RedisTarget::Single(url) => FredConfig::from_url(url).map_err(|e| StartError::Redis(e.to_string())),
        RedisTarget::Cluster(nodes) => {
            FredConfig::from_url(&fred_cluster_url(nodes)).map_err(|e| StartError::Cluster(e.to_string()))
        }
    }?;
    // Start even if Redis is down; the reconnect policy takes over.
    fred_config.fail_fast = false;
    let pool = Builder::from_config(fred_config)
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(1);
            c.internal_command_timeout = Duration::from_secs(1);
            c.max_command_attempts = 1;
        })
        .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(1))
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
        .build_pool(2)
        .map_err(|e| StartError::Redis(e.to_string()))?;
    let _connection_task = pool.connect();
    // Give a reachable Redis a moment so the first requests find the pool connected; an
    // unreachable one does not hold up start-up.
    if tokio::time::timeout(Duration::from_secs(2), pool.wait_for_connect()).await.is_err() {
        tracing::warn!("session store: Redis not reachable yet; reconnecting in the background");
    }
    Ok(pool)
}

/// fred's spelling of a cluster's seed nodes: the first node's URL with the `-cluster` scheme
/// and the others as `node=` parameters (credentials come from the first).
fn fred_cluster_url(nodes: &[String]) -> String {
    let mut url = String::new();
    for (i, node) in nodes.iter().enumerate() {
        if i == 0 {
            let (scheme, rest) = node.split_once("://").unwrap_or(("redis", node));
            url = format!("{scheme}-cluster://{rest}");
        } else {
            let address = node.rsplit(['@', '/']).next().unwrap_or(node);
            url.push_str(if i == 1 { "?node=" } else { "&node=" });
            url.push_str(address);
        }
    }
    url
}

/// Where browser sessions are kept.
#[derive(Clone, Debug)]
pub enum Sessions {
    /// In Redis (`REDIS_URL` or `REDIS_CLUSTER_NODES`).
    Redis,
    /// In the SQLite file of the embedded default.
    Sqlite(SqliteStore),
    /// In memory (the embedded backend with a PostgreSQL catalogue).
    Memory(MemoryStore),
}

impl Sessions {
    /// Sessions held, where the app can count them itself (not in Redis).
    pub async fn count(&self) -> Option<usize> {
        match self {
            Sessions::Redis => None,
            Sessions::Sqlite(store) => store.count().await.ok().and_then(|n| usize::try_from(n).ok()),
            Sessions::Memory(store) => Some(store.len()),
        }
    }
}

/// Drops expired sessions every minute (neither store forgets them by itself).
fn spawn_session_sweep(sessions: Sessions) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SESSION_SWEEP_INTERVAL);
        loop {
            tick.tick().await;
            match &sessions {
                Sessions::Sqlite(store) => {
                    if let Err(err) = store.sweep().await {
                        tracing::warn!(error = %err, "cannot sweep expired sessions");
                    }
                }
                Sessions::Memory(store) => store.sweep(),
                Sessions::Redis => return,
            }
        }
    });
}
