//! The Redis backend: many instances, one chat. Redis holds rooms, members, presence and
//! recent history; Pub/Sub carries events between instances. Key layout and TTLs:
//! `docs/redis.md`. Multi-key changes are Lua scripts (`scripts/*.lua`), atomic per room.
//!
//! Fan-out follows the multi-node pattern: every change is published by its script in a
//! versioned envelope carrying this node's id; the node delivers its own events locally at
//! once and drops their echoes. Each room's local stream is sequenced ([`local::LocalRooms`]):
//! a gap in message sequence numbers (a missed publish, a subscriber reconnect) is repaired
//! from the history stream, and a gap in member-list versions makes sockets resync.

mod beats;
mod local;
mod scripts;
mod subscriber;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Value};

use super::{
    Backend, BackendConfig, BackendError, BackendResult, History, RoomSnapshot, Subscription,
    TOKEN_SECRET_LEN, USER_SESSION_TTL, split_token,
};
use crate::domain::{
    ChatMessage, ClientMsgId, ConnId, DisplayName, MemberView, MessageText, RoomEvent, RoomId, Seq, UserId,
    now_millis, same_secret,
};
use local::LocalRooms;
use scripts::Scripts;

/// How long one Redis call may take before the request fails instead of hanging.
const CALL_TIMEOUT: Duration = Duration::from_secs(1);
/// After a failed call, calls fail at once for this long (a small circuit breaker), so a
/// Redis outage answers requests immediately instead of each waiting for a timeout.
const BREAKER_OPEN: Duration = Duration::from_millis(500);
/// Global sorted set of rooms with presence to sweep, scored by when to check them next.
pub const SWEEP_KEY: &str = "c2c:presence-sweep";

/// The Redis backend. Cheap to clone.
#[derive(Clone)]
pub struct RedisBackend {
    inner: Arc<Inner>,
}

struct Inner {
    conn: ConnectionManager,
    node: String,
    config: BackendConfig,
    scripts: Scripts,
    /// The configuration as script arguments, formatted once.
    args: ScriptArgs,
    rooms: LocalRooms,
    beats: beats::Beats,
    started: Instant,
    /// Milliseconds since `started` until which calls fail fast.
    breaker_until: AtomicU64,
}

/// A Redis error as the rest of the app sees it.
fn unavailable(err: impl std::fmt::Display) -> BackendError {
    BackendError::Unavailable(err.to_string())
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
        let node = crate::domain::ids_random_secret(12);
        let rooms = LocalRooms::default();
        let inner = Arc::new(Inner {
            conn,
            node,
            args: ScriptArgs::new(&config),
            config,
            scripts: Scripts::load(),
            rooms,
            beats: beats::Beats::default(),
            started: Instant::now(),
            breaker_until: AtomicU64::new(0),
        });
        let backend = Self { inner };
        backend.inner.rooms.attach(subscriber::spawn(client, backend.downgrade()));
        tokio::spawn(sweep_loop(backend.downgrade()));
        Ok(backend)
    }

    fn downgrade(&self) -> WeakBackend {
        WeakBackend(Arc::downgrade(&self.inner))
    }

    /// This instance's node id (in every envelope it publishes).
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    fn conn(&self) -> BackendResult<ConnectionManager> {
        let now = self.inner.started.elapsed().as_millis() as u64;
        if now < self.inner.breaker_until.load(Ordering::Relaxed) {
            return Err(BackendError::Unavailable("redis unreachable (circuit open)".into()));
        }
        Ok(self.inner.conn.clone())
    }

    fn trip(&self, err: &redis::RedisError) {
        crate::metrics::metrics().backend_errors.increment(1);
        if err.is_io_error() || err.is_timeout() || err.is_connection_dropped() || err.is_connection_refusal()
        {
            let until = self.inner.started.elapsed() + BREAKER_OPEN;
            self.inner.breaker_until.store(until.as_millis() as u64, Ordering::Relaxed);
        }
    }

    /// Runs a script for `room` with `args`; the reply is an array whose first element is a
    /// status (`ok`, `room`, `member`, `taken`, `dup`, `exists`).
    async fn run(&self, script: &redis::Script, room: &RoomId, args: &[&str]) -> BackendResult<Reply> {
        let mut conn = self.conn()?;
        let mut invocation = script.key(info_key(room));
        for arg in args {
            invocation.arg(*arg);
        }
        let result: redis::RedisResult<Vec<Value>> = invocation.invoke_async(&mut conn).await;
        let values = result.map_err(|err| {
            self.trip(&err);
            unavailable(err)
        })?;
        let reply = Reply::new(values);
        match reply.status.as_str() {
            "room" => Err(BackendError::RoomNotFound),
            "member" => Err(BackendError::NotAMember),
            "taken" => Err(BackendError::NameTaken),
            _ => Ok(reply),
        }
    }

    /// Delivers the events a script published to this node's local subscribers first.
    async fn deliver_local(&self, room: &RoomId, payloads: impl IntoIterator<Item = String>) {
        for payload in payloads {
            self.inner.rooms.dispatch(self, room, &payload).await;
        }
    }

    fn ttl_ms(&self) -> &str {
        &self.inner.args.ttl_ms
    }

    fn idle_ms(&self) -> &str {
        &self.inner.args.idle_ms
    }

    fn session_ttl_ms(&self) -> &str {
        &self.inner.args.session_ttl_ms
    }

    fn history_len(&self) -> &str {
        &self.inner.args.history_len
    }

    /// Puts the room on the sweep list no later than `deadline` (Redis time, ms).
    async fn schedule_sweep(&self, room: &RoomId, deadline: i64) {
        if let Ok(mut conn) = self.conn() {
            let result: redis::RedisResult<i64> = redis::cmd("ZADD")
                .arg(SWEEP_KEY)
                .arg("LT")
                .arg(deadline)
                .arg(room.as_str())
                .query_async(&mut conn)
                .await;
            if let Err(err) = result {
                tracing::warn!(%room, error = %err, "cannot schedule presence sweep");
            }
        }
    }

    /// Sweeps rooms whose presence check is due. Returns how many rooms were checked.
    async fn sweep_due(&self) -> BackendResult<usize> {
        let mut conn = self.conn()?;
        let due: Vec<String> =
            self.inner.scripts.due.key(SWEEP_KEY).arg(100).invoke_async(&mut conn).await.map_err(|e| {
                self.trip(&e);
                unavailable(e)
            })?;
        for raw in &due {
            let Some(room) = RoomId::parse(raw) else {
                let _: redis::RedisResult<i64> = conn.zrem(SWEEP_KEY, raw).await;
                continue;
            };
            let args = [room.as_str(), &self.inner.node, self.idle_ms(), self.ttl_ms()];
            let mut inv = self.inner.scripts.sweep.key(info_key(&room));
            for a in args {
                inv.arg(a);
            }
            let values: Vec<Value> = inv.invoke_async(&mut conn).await.map_err(unavailable)?;
            let mut values = values.into_iter();
            let next: i64 = values.next().and_then(|v| redis::from_redis_value(v).ok()).unwrap_or(-1);
            let events: Vec<String> = values.filter_map(|v| redis::from_redis_value(v).ok()).collect();
            self.deliver_local(&room, events).await;
            let result: redis::RedisResult<i64> = if next < 0 {
                conn.zrem(SWEEP_KEY, room.as_str()).await
            } else {
                redis::cmd("ZADD")
                    .arg(SWEEP_KEY)
                    .arg("XX")
                    .arg(next)
                    .arg(room.as_str())
                    .query_async(&mut conn)
                    .await
            };
            result.map_err(unavailable)?;
        }
        Ok(due.len())
    }
}

/// Timings and sizes as the scripts take them (decimal strings), formatted once at start-up
/// rather than on every call.
struct ScriptArgs {
    ttl_ms: String,
    idle_ms: String,
    session_ttl_ms: String,
    history_len: String,
}

impl ScriptArgs {
    fn new(config: &BackendConfig) -> Self {
        Self {
            ttl_ms: config.presence_ttl.as_millis().to_string(),
            idle_ms: config.room_idle_ttl.as_millis().to_string(),
            session_ttl_ms: USER_SESSION_TTL.as_millis().to_string(),
            history_len: config.history_len.to_string(),
        }
    }
}

/// A weak handle for background tasks, so they end with the backend.
#[derive(Clone)]
pub(crate) struct WeakBackend(std::sync::Weak<Inner>);

impl WeakBackend {
    pub(crate) fn upgrade(&self) -> Option<RedisBackend> {
        self.0.upgrade().map(|inner| RedisBackend { inner })
    }
}

async fn sweep_loop(weak: WeakBackend) {
    let period = match weak.upgrade() {
        Some(b) => b.inner.config.sweep_interval,
        None => return,
    };
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(backend) = weak.upgrade() else {
            return;
        };
        if let Err(err) = backend.sweep_due().await {
            tracing::debug!(error = %err, "presence sweep skipped");
        }
    }
}

/// The key a room's scripts are routed by.
fn info_key(room: &RoomId) -> String {
    format!("room:{{{room}}}:info")
}

/// A script's reply: the status and the remaining values.
struct Reply {
    status: String,
    rest: std::vec::IntoIter<Value>,
}

impl Reply {
    fn new(values: Vec<Value>) -> Self {
        let mut rest = values.into_iter();
        let status = rest.next().and_then(|v| redis::from_redis_value::<String>(v).ok()).unwrap_or_default();
        Self { status, rest }
    }

    fn next<T: redis::FromRedisValue>(&mut self) -> BackendResult<T> {
        let value = self.rest.next().ok_or_else(|| unavailable("short reply from script"))?;
        redis::from_redis_value(value).map_err(unavailable)
    }

    /// The remaining values as strings (published event payloads).
    fn strings(self) -> Vec<String> {
        self.rest.filter_map(|v| redis::from_redis_value(v).ok()).collect()
    }
}

#[async_trait]
impl Backend for RedisBackend {
    async fn create_room(&self, creator: DisplayName) -> BackendResult<(RoomId, UserId)> {
        let room = RoomId::generate();
        let user = UserId::generate();
        let args = [
            room.as_str(),
            user.as_str(),
            creator.as_str(),
            &creator.key(),
            self.ttl_ms(),
            self.session_ttl_ms(),
        ];
        let mut reply = self.run(&self.inner.scripts.create, &room, &args).await?;
        if reply.status != "ok" {
            return Err(unavailable("room id collision"));
        }
        let deadline: i64 = reply.next()?;
        self.schedule_sweep(&room, deadline).await;
        Ok((room, user))
    }

    async fn room(&self, room: &RoomId) -> BackendResult<RoomSnapshot> {
        let mut reply = self.run(&self.inner.scripts.snapshot, room, &[room.as_str()]).await?;
        let member_version: u64 = reply.next()?;
        let pttl: i64 = reply.next()?;
        let mut members = Vec::new();
        while let (Ok(user), Ok(name), Ok(online)) =
            (reply.next::<String>(), reply.next::<String>(), reply.next::<String>())
        {
            let Some(user) = UserId::parse(&user) else {
                continue;
            };
            members.push(MemberView { user, name: DisplayName::from_stored(name), online: online == "1" });
        }
        Ok(RoomSnapshot {
            room: room.clone(),
            members,
            member_version,
            idle_expires_at: (pttl >= 0).then(|| now_millis() + pttl),
        })
    }

    async fn member(&self, room: &RoomId, user: &UserId) -> BackendResult<MemberView> {
        let mut reply = self.run(&self.inner.scripts.member, room, &[room.as_str(), user.as_str()]).await?;
        let name: String = reply.next()?;
        let online: String = reply.next()?;
        Ok(MemberView { user: user.clone(), name: DisplayName::from_stored(name), online: online == "1" })
    }

    async fn join(&self, room: &RoomId, name: DisplayName) -> BackendResult<UserId> {
        let user = UserId::generate();
        let args = [
            room.as_str(),
            user.as_str(),
            name.as_str(),
            &name.key(),
            &self.inner.node,
            self.ttl_ms(),
            self.session_ttl_ms(),
        ];
        let mut reply = self.run(&self.inner.scripts.join, room, &args).await?;
        let deadline: i64 = reply.next()?;
        self.deliver_local(room, reply.strings()).await;
        self.schedule_sweep(room, deadline).await;
        Ok(user)
    }

    async fn leave(&self, room: &RoomId, user: &UserId) -> BackendResult<()> {
        let args = [room.as_str(), user.as_str(), &self.inner.node, self.idle_ms()];
        let reply = self.run(&self.inner.scripts.leave, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn touch(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<MemberView> {
        let args = [
            room.as_str(),
            user.as_str(),
            conn.as_str(),
            &self.inner.node,
            self.ttl_ms(),
            self.session_ttl_ms(),
        ];
        let mut reply = self.run(&self.inner.scripts.touch, room, &args).await?;
        let deadline: i64 = reply.next()?;
        let name: String = reply.next()?;
        self.deliver_local(room, reply.strings()).await;
        self.schedule_sweep(room, deadline).await;
        Ok(MemberView { user: user.clone(), name: DisplayName::from_stored(name), online: true })
    }

    async fn heartbeat(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()> {
        self.gathered_heartbeat(room, user, conn).await
    }

    async fn disconnect(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()> {
        let args = [room.as_str(), user.as_str(), conn.as_str(), &self.inner.node, self.idle_ms()];
        let reply = self.run(&self.inner.scripts.disconnect, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn post(
        &self,
        room: &RoomId,
        user: &UserId,
        text: MessageText,
        client_id: Option<ClientMsgId>,
    ) -> BackendResult<ChatMessage> {
        let cid = client_id.as_ref().map_or("", ClientMsgId::as_str);
        let args = [
            room.as_str(),
            user.as_str(),
            text.as_str(),
            cid,
            &self.inner.node,
            self.history_len(),
            self.session_ttl_ms(),
        ];
        let mut reply = self.run(&self.inner.scripts.post, room, &args).await?;
        let duplicate = reply.status == "dup";
        let payload: String = reply.next()?;
        let message =
            local::parse_message(&payload).ok_or_else(|| unavailable("malformed message payload"))?;
        if !duplicate {
            // Parsed once: the local delivery reuses it.
            self.inner.rooms.dispatch_event(self, room, RoomEvent::Message(message.clone())).await;
        }
        Ok(message)
    }

    async fn history(&self, room: &RoomId, after: Seq) -> BackendResult<History> {
        let after_arg = after.to_string();
        let mut reply = self
            .run(&self.inner.scripts.history, room, &[room.as_str(), &after_arg, self.history_len()])
            .await?;
        let last: u64 = reply.next()?;
        let first_kept: u64 = reply.next()?;
        let messages: Vec<ChatMessage> =
            reply.strings().iter().filter_map(|p| local::parse_message(p)).collect();
        let first = if first_kept == 0 { last + 1 } else { first_kept };
        Ok(History { messages, truncated: after + 1 < first })
    }

    async fn subscribe(&self, room: &RoomId) -> BackendResult<Subscription> {
        // Existence first, so unknown rooms are refused like in the other backend.
        let mut conn = self.conn()?;
        let exists: bool = conn.exists(info_key(room)).await.map_err(|e| {
            self.trip(&e);
            unavailable(e)
        })?;
        if !exists {
            return Err(BackendError::RoomNotFound);
        }
        self.inner.rooms.subscribe(self, room).await
    }

    async fn issue_token(&self, room: &RoomId, user: &UserId) -> BackendResult<String> {
        let secret = crate::domain::ids_random_secret(TOKEN_SECRET_LEN);
        self.run(
            &self.inner.scripts.token,
            room,
            &[room.as_str(), user.as_str(), &secret, self.session_ttl_ms()],
        )
        .await?;
        Ok(format!("{user}.{secret}"))
    }

    async fn token_user(&self, room: &RoomId, token: &str) -> BackendResult<Option<UserId>> {
        let Some((user, secret)) = split_token(token) else { return Ok(None) };
        let mut reply = match self
            .run(
                &self.inner.scripts.check_token,
                room,
                &[room.as_str(), user.as_str(), self.session_ttl_ms()],
            )
            .await
        {
            Ok(reply) => reply,
            Err(BackendError::NotAMember) => return Ok(None),
            Err(err) => return Err(err),
        };
        let stored: String = reply.next().unwrap_or_default();
        Ok(same_secret(&stored, secret).then_some(user))
    }

    async fn ping(&self) -> BackendResult<()> {
        let mut conn = self.inner.conn.clone();
        let pong: String = redis::cmd("PING").query_async(&mut conn).await.map_err(unavailable)?;
        if pong == "PONG" { Ok(()) } else { Err(unavailable(pong)) }
    }

    fn presence_ttl(&self) -> Duration {
        self.inner.config.presence_ttl
    }
}
