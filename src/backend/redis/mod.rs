//! The Redis backend: many instances, one chat. Redis holds rooms, members, presence and
//! recent history; Pub/Sub carries events between instances. Key layout and TTLs:
//! `docs/redis.md`. Multi-key changes are Lua scripts (`scripts/*.lua`), atomic per room.
//!
//! Fan-out follows the multi-node pattern: every change is published by its script in a
//! versioned envelope carrying this node's id; the node delivers its own events locally at
//! once and drops their echoes. Each room's local stream is sequenced ([`local::LocalRooms`]):
//! a gap in message sequence numbers (a missed publish, a subscriber reconnect) is repaired
//! from the history stream, and a gap in member-list versions makes sockets resync.
//!
//! Files: `conn.rs` (the connection every request goes through, with its breaker and typed
//! script replies), `backend.rs` (the [`crate::backend::Backend`] implementation),
//! `envelope.rs` (events as published), `local.rs` (this node's side of each room),
//! `subscriber.rs` (the Pub/Sub connection), `beats.rs` (heartbeats gathered per room),
//! `sweep.rs` (presence expiry), `scripts.rs` (the Lua scripts).

mod act;
mod backend;
mod beats;
mod conn;
mod envelope;
mod local;
mod scripts;
mod sharded;
mod subscriber;
mod sweep;

use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;

use super::{BackendConfig, BackendResult, USER_SESSION_TTL};
use crate::domain::RoomId;
use crate::support::Rate;
use conn::{CALL_TIMEOUT, CLUSTER_CALL_LIMIT, Link, Reply};
use local::LocalRooms;
use scripts::{RoomScript, Scripts};
pub use sweep::{SWEEP_BUCKETS, sweep_key, sweep_key_of};

/// The Redis backend. Cheap to clone.
#[derive(Clone)]
pub struct RedisBackend {
    inner: Arc<Inner>,
}

struct Inner {
    link: Link,
    node: String,
    config: BackendConfig,
    scripts: Scripts,
    /// The configuration as script arguments, formatted once.
    args: ScriptArgs,
    rooms: LocalRooms,
    beats: beats::Beats,
}

impl RedisBackend {
    /// Connects to `url` (lazily: an unreachable Redis fails calls, not start-up) and starts
    /// the subscriber and the presence sweeper.
    pub fn start(url: &str, config: BackendConfig) -> Result<Self, redis::RedisError> {
        // TCP_NODELAY: requests and Pub/Sub messages are small and latency-bound; Nagle's
        // algorithm would hold a write until the previous one is acknowledged.
        let info = redis::IntoConnectionInfo::into_connection_info(url)?
            .set_tcp_settings(redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let client = redis::Client::open(info)?;
        let manager_config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), manager_config)?;
        let backend = Self::assemble(conn::Conn::Single(conn), config);
        backend.inner.rooms.attach(subscriber::spawn(client, backend.downgrade()));
        tokio::spawn(sweep::run(backend.downgrade()));
        Ok(backend)
    }

    /// Connects to a Redis Cluster through its seed nodes (`redis://host:port` URLs) and starts
    /// the sharded subscriber and the presence sweeper. Fails when no seed node answers.
    ///
    /// Commands and sharded Pub/Sub use two cluster connections: when a room's slot moves, its
    /// old master ends the subscription with an unsolicited `sunsubscribe` push, which the
    /// client takes for the reply to the oldest request in flight on that node connection;
    /// on a shared connection every later reply would go to the wrong caller (a script's
    /// result to another post). The subscriber's connection carries only subscriptions, and
    /// the subscriber trusts confirmations, not replies (sharded.rs).
    pub async fn start_cluster(nodes: &[String], config: BackendConfig) -> Result<Self, redis::RedisError> {
        let (push_tx, push_rx) = tokio::sync::mpsc::unbounded_channel();
        let conn = cluster_client(nodes).build()?.get_async_connection().await?;
        let subscriptions =
            cluster_client(nodes).push_sender(push_tx).build()?.get_async_connection().await?;
        let backend = Self::assemble(conn::Conn::Cluster(conn), config);
        backend.inner.rooms.attach(sharded::spawn(subscriptions, push_rx, backend.downgrade()));
        tokio::spawn(sweep::run(backend.downgrade()));
        Ok(backend)
    }

    /// The backend over a request connection, its scripts publishing as that connection needs;
    /// the caller attaches the subscriber and starts the sweeper.
    fn assemble(conn: conn::Conn, config: BackendConfig) -> Self {
        let link = Link::new(conn);
        let scripts = Scripts::load(link.publish_command());
        let inner = Inner {
            link,
            node: crate::domain::ids_random_secret(12),
            args: ScriptArgs::new(&config),
            config,
            scripts,
            rooms: LocalRooms::default(),
            beats: beats::Beats::default(),
        };
        Self { inner: Arc::new(inner) }
    }

    fn downgrade(&self) -> WeakBackend {
        WeakBackend(Arc::downgrade(&self.inner))
    }

    /// This instance's node id (in every envelope it publishes).
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// Runs a room script for `room` with `args`: on one Redis routed by the room's info key
    /// alone, on a cluster declaring every key it touches and, for a write a person is told
    /// about, returning once a replica has it ([`conn::Link::replicated`]).
    async fn run(&self, script: &RoomScript, room: &RoomId, args: &[&str]) -> BackendResult<Reply> {
        let link = &self.inner.link;
        if !link.is_cluster() {
            return link.run(&script.script, &[info_key(room)], args).await;
        }
        let keys = script.keys(room, args);
        let reply = link.run(&script.script, &keys, args).await?;
        // The first declared key is the room's info key: the slot the script wrote.
        if let (true, Some(info)) = (script.kept, keys.first()) {
            link.replicated(info).await;
        }
        Ok(reply)
    }

    /// Delivers the events a script published to this node's local subscribers first.
    async fn deliver_local(&self, room: &RoomId, payloads: impl IntoIterator<Item = String>) {
        for payload in payloads {
            self.inner.rooms.dispatch(self, room, payload.as_bytes()).await;
        }
    }
}

/// Timings and sizes as the scripts take them (decimal strings), formatted once at start-up
/// rather than on every call.
struct ScriptArgs {
    ttl_ms: String,
    idle_ms: String,
    session_ttl_ms: String,
    history_len: String,
    /// Members a snapshot lists at most; joins and leaves beyond it write no notice.
    member_page: String,
    message_rate: [String; 2],
    edit_window_ms: String,
    /// Most emoji and most reactions one message carries.
    reaction_limits: [String; 2],
}

impl ScriptArgs {
    fn new(config: &BackendConfig) -> Self {
        Self {
            ttl_ms: config.presence_ttl.as_millis().to_string(),
            idle_ms: config.room_idle_ttl.as_millis().to_string(),
            session_ttl_ms: USER_SESSION_TTL.as_millis().to_string(),
            history_len: config.history_len.to_string(),
            member_page: crate::backend::MEMBER_PAGE.to_string(),
            message_rate: rate_args(config.message_rate),
            edit_window_ms: config.edit_window.as_millis().to_string(),
            reaction_limits: [
                crate::domain::MAX_EMOJI_PER_MESSAGE.to_string(),
                crate::domain::MAX_REACTIONS_PER_MESSAGE.to_string(),
            ],
        }
    }
}

/// A rate as the scripts' `take_token` takes it: tokens per millisecond, burst.
fn rate_args(rate: Rate) -> [String; 2] {
    [(rate.per_sec / 1000.0).to_string(), rate.burst.max(1).to_string()]
}

/// A weak handle for background tasks, so they end with the backend.
#[derive(Clone)]
struct WeakBackend(std::sync::Weak<Inner>);

impl WeakBackend {
    fn upgrade(&self) -> Option<RedisBackend> {
        self.0.upgrade().map(|inner| RedisBackend { inner })
    }
}

/// The key a room's scripts are routed by; they derive the room's other keys, all in one
/// Cluster slot (the `{R}` hash tag).
fn info_key(room: &RoomId) -> String {
    room_key(room, "info")
}

/// A key of `room` as the scripts name it (`rk` in `lib.lua`, docs/redis.md).
fn room_key(room: &RoomId, suffix: &str) -> String {
    format!("room:{{{room}}}:{suffix}")
}

/// A cluster client with RESP3 (pushes) and the call bounds of conn.rs.
fn cluster_client(nodes: &[String]) -> redis::cluster::ClusterClientBuilder {
    redis::cluster::ClusterClientBuilder::new(nodes.to_vec())
        .use_protocol(redis::ProtocolVersion::RESP3)
        .connection_timeout(CALL_TIMEOUT)
        .response_timeout(CLUSTER_CALL_LIMIT)
        // Retries (a failover, a slot in migration answering TRYAGAIN) every 20–200 ms, so a
        // call finishes soon after the cluster does, within the call limit of conn.rs.
        .retries(40)
        .min_retry_wait(20)
        .max_retry_wait(200)
        .retry_wait_formula(20, 2)
}
