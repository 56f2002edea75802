//! The connection layer every Redis request goes through: one reconnecting connection, a
//! timeout per call, a small circuit breaker, and script replies read into typed statuses.
//! Only the Pub/Sub subscriber (`subscriber.rs`) has a connection of its own.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::Slot;
use redis::{Cmd, FromRedisValue, Pipeline, RedisFuture, Script, Value};

use crate::backend::{BackendError, BackendResult};
use crate::support::millis;

/// How long one Redis call may take before the request fails instead of hanging.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest a call to a cluster may take, retries through a failover or a slot move included:
/// while the client reads the new topology every call waits, the rooms of healthy shards too
/// (measured by tests/api/faults.rs), and those must not be refused.
pub(super) const CLUSTER_CALL_LIMIT: Duration = Duration::from_secs(3);
/// Longest a write on a cluster waits for a replica to acknowledge it.
const REPLICA_WAIT: Duration = Duration::from_millis(100);
/// How long writes to a slot whose master had no replica answer stop waiting for one.
const UNREPLICATED_PAUSE: Duration = Duration::from_secs(1);
/// After a failed call, calls fail at once for this long (a small circuit breaker), so a
/// Redis outage answers requests immediately instead of each waiting for a timeout.
const BREAKER_OPEN: Duration = Duration::from_millis(500);

/// A Redis failure as the rest of the app sees it.
pub(super) fn unavailable(err: impl std::fmt::Display) -> BackendError {
    BackendError::Unavailable(err.to_string())
}

/// A connection to one Redis (reconnecting by itself) or to a Redis Cluster (routing each
/// command to the master of its key's slot, following `MOVED`/`ASK` and failovers).
#[derive(Clone)]
pub(super) enum Conn {
    /// One Redis (`REDIS_URL`).
    Single(ConnectionManager),
    /// A cluster (`REDIS_CLUSTER_NODES`).
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// The request connection and its breaker.
pub(super) struct Link {
    conn: Conn,
    started: Instant,
    /// Milliseconds since `started` until which calls fail fast.
    breaker_until: AtomicU64,
    /// On a cluster: slots whose master had no replica answer lately, with the milliseconds
    /// since `started` until which their writes do not wait for one.
    unreplicated: std::sync::Mutex<std::collections::HashMap<Slot, u64>>,
}

impl Link {
    /// Wraps a connection (which reconnects by itself).
    pub(super) fn new(conn: Conn) -> Self {
        Self {
            conn,
            started: Instant::now(),
            breaker_until: AtomicU64::new(0),
            unreplicated: Default::default(),
        }
    }

    /// Whether this is a Redis Cluster (else one Redis).
    pub(super) fn is_cluster(&self) -> bool {
        matches!(self.conn, Conn::Cluster(_))
    }

    /// The publish command for room channels: `SPUBLISH` on a cluster (the channel stays on
    /// the shard that owns the room's slot), `PUBLISH` on one Redis.
    pub(super) fn publish_command(&self) -> &'static str {
        if self.is_cluster() { "SPUBLISH" } else { "PUBLISH" }
    }

    /// The connection, unless the breaker is open.
    fn open(&self) -> BackendResult<Conn> {
        if millis(self.started.elapsed()) < self.breaker_until.load(Ordering::Relaxed) {
            return Err(BackendError::Unavailable("redis unreachable (circuit open)".into()));
        }
        Ok(self.conn.clone())
    }

    /// Counts a failed call; a connection failure to the one Redis opens the breaker. On a
    /// cluster it does not: one shard's master failing over must not fail the rooms of the
    /// others.
    fn failed(&self, err: &redis::RedisError) -> BackendError {
        crate::metrics::metrics().backend_errors.increment(1);
        if !self.is_cluster()
            && (err.is_io_error()
                || err.is_timeout()
                || err.is_connection_dropped()
                || err.is_connection_refusal())
        {
            let until = millis(self.started.elapsed() + BREAKER_OPEN);
            self.breaker_until.store(until, Ordering::Relaxed);
        }
        unavailable(err)
    }

    /// Bounds a call as a whole: a cluster client retries through a failover or a slot move by
    /// itself, and a request must answer "unavailable" before its caller gives up.
    async fn bounded<T>(&self, call: impl Future<Output = redis::RedisResult<T>>) -> BackendResult<T> {
        // One Redis: the connection's own timeout bounds the call. A cluster: a backstop (the
        // client's own timeout answers first).
        if !self.is_cluster() {
            return call.await.map_err(|err| self.failed(&err));
        }
        match tokio::time::timeout(CLUSTER_CALL_LIMIT + CALL_TIMEOUT, call).await {
            Ok(result) => result.map_err(|err| self.failed(&err)),
            Err(_) => {
                crate::metrics::metrics().backend_errors.increment(1);
                Err(unavailable("redis call timed out"))
            }
        }
    }

    /// Runs one command.
    pub(super) async fn call<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> BackendResult<T> {
        let mut conn = self.open()?;
        self.bounded(cmd.query_async(&mut conn)).await
    }

    /// Runs a script with one key (EVALSHA; loaded again on a `NOSCRIPT` miss after a Redis
    /// restart) and returns its raw reply.
    pub(super) async fn eval<T: FromRedisValue>(
        &self,
        script: &Script,
        key: &str,
        args: &[&str],
    ) -> BackendResult<T> {
        self.eval_keys(script, std::slice::from_ref(&key), args).await
    }

    /// Runs a script with the keys it declares (the first routes it).
    pub(super) async fn eval_keys<T: FromRedisValue, K: redis::ToRedisArgs>(
        &self,
        script: &Script,
        keys: &[K],
        args: &[&str],
    ) -> BackendResult<T> {
        let mut conn = self.open()?;
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        for arg in args {
            invocation.arg(*arg);
        }
        self.bounded(invocation.invoke_async(&mut conn)).await
    }

    /// Runs one of the room scripts, whose replies start with a status (`lib.lua`).
    pub(super) async fn run<K: redis::ToRedisArgs>(
        &self,
        script: &Script,
        keys: &[K],
        args: &[&str],
    ) -> BackendResult<Reply> {
        Reply::read(self.eval_keys(script, keys, args).await?)
    }

    /// On a cluster, after a write a person is told about: waits (at most
    /// [`REPLICA_WAIT`]) until a replica of the master of `key`'s slot has it, so a failover
    /// that follows cannot lose it (`WAIT 1`, sent on the connection that wrote). When no
    /// replica answers in time the master is alone (a failover would have nothing to promote),
    /// so writes to that slot stop waiting for [`UNREPLICATED_PAUSE`]. On one Redis: nothing.
    pub(super) async fn replicated(&self, key: &str) {
        let Conn::Cluster(conn) = &self.conn else { return };
        use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
        let slot = Slot::for_key(key);
        let now = millis(self.started.elapsed());
        if self.unreplicated.lock().is_ok_and(|paused| paused.get(&slot).is_some_and(|&until| until > now)) {
            return;
        }
        let route = Route::with_slot(slot, SlotAddr::Master);
        let mut wait = redis::cmd("WAIT");
        wait.arg(1).arg(millis(REPLICA_WAIT));
        let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
        let mut conn = conn.clone();
        let acked = match tokio::time::timeout(REPLICA_WAIT * 5, conn.route_command(wait, routing)).await {
            Ok(Ok(value)) => redis::from_redis_value::<i64>(value).ok(),
            _ => None,
        };
        if !matches!(acked, Some(n) if n >= 1) {
            crate::metrics::metrics().unreplicated_writes.increment(1);
            tracing::warn!(?slot, ?acked, "no replica acknowledged a write in time");
            if let Ok(mut paused) = self.unreplicated.lock() {
                paused.retain(|_, until| *until > now);
                paused.insert(slot, now + millis(UNREPLICATED_PAUSE));
            }
        }
    }
}

/// How a room script ended, when it did what was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Status {
    /// Done.
    Ok,
    /// A message with that client id was stored before; the reply holds the stored one.
    Duplicate,
    /// A room with the generated id exists already.
    Exists,
}

/// A room script's reply: its status, then the values that follow.
pub(super) struct Reply {
    pub(super) status: Status,
    rest: std::vec::IntoIter<Value>,
}

impl Reply {
    /// Reads the status; the refusals a script can answer with become their errors.
    fn read(values: Vec<Value>) -> BackendResult<Self> {
        let mut rest = values.into_iter();
        let status: String = match rest.next() {
            Some(value) => redis::from_redis_value(value).map_err(unavailable)?,
            None => return Err(unavailable("empty reply from script")),
        };
        let status = match status.as_str() {
            "ok" => Status::Ok,
            "dup" => Status::Duplicate,
            "exists" => Status::Exists,
            "room" => return Err(BackendError::RoomNotFound),
            "member" => return Err(BackendError::NotAMember),
            "taken" => return Err(BackendError::NameTaken),
            "owner" => return Err(BackendError::NotOwner),
            "locked" => return Err(BackendError::Locked),
            "gone" => return Err(BackendError::MessageGone),
            "author" => return Err(BackendError::NotAuthor),
            "reactions" => return Err(BackendError::TooManyReactions),
            // Refusals that say how long: the wait for the next token, or the edit window.
            "limited" | "window" => {
                let ms: u64 = match rest.next() {
                    Some(value) => redis::from_redis_value(value).map_err(unavailable)?,
                    None => return Err(unavailable("short reply from script")),
                };
                let ms = Duration::from_millis(ms);
                return Err(if status == "limited" {
                    BackendError::RateLimited(ms)
                } else {
                    BackendError::EditWindow(ms)
                });
            }
            other => return Err(unavailable(format!("unknown script status {other:?}"))),
        };
        Ok(Self { status, rest })
    }

    /// The next value.
    pub(super) fn next<T: FromRedisValue>(&mut self) -> BackendResult<T> {
        let value = self.rest.next().ok_or_else(|| unavailable("short reply from script"))?;
        redis::from_redis_value(value).map_err(unavailable)
    }

    /// The remaining values as strings (published event payloads).
    pub(super) fn strings(self) -> Vec<String> {
        self.rest.filter_map(|v| redis::from_redis_value(v).ok()).collect()
    }
}
