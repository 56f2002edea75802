//! The Redis backend against a real `redis-server` (started by the test command; these tests
//! fail, never skip, without one): the contract suite, several app instances on one Redis,
//! an instance that dies without cleanup, and a Redis outage.

use std::sync::Arc;
use std::time::Duration;

use c2c::backend::redis::RedisBackend;
use c2c::backend::{Backend, BackendConfig};
use reqwest::StatusCode;

use crate::backend_contract;
use crate::contract::contract_config;
use crate::helpers::{TestApp, redis_url, spawn_app_on_redis};

async fn redis_pair(config: BackendConfig) -> (Arc<dyn Backend>, Arc<dyn Backend>) {
    let url = redis_url(1);
    let a: Arc<dyn Backend> = Arc::new(RedisBackend::start(&url, config.clone()).unwrap());
    let b: Arc<dyn Backend> = Arc::new(RedisBackend::start(&url, config).unwrap());
    a.ping().await.expect("the test command's Redis answers");
    (a, b)
}

backend_contract!(redis_contract, paused = false, redis_pair);

#[tokio::test]
async fn two_instances_on_one_redis_are_one_chat() {
    let url = redis_url(2);
    let a = spawn_app_on_redis(&url, BackendConfig::default()).await;
    let b = spawn_app_on_redis(&url, BackendConfig::default()).await;
    two_instances_are_one_chat(&a, &b).await;
}

/// A session, members, presence, messages and notices made on either instance show on both,
/// each message once.
pub async fn two_instances_are_one_chat(a: &TestApp, b: &TestApp) {
    let alice = a.browser();
    let room = alice.create_room("Alice").await;

    // A session made on A is valid on B.
    let alice_on_b = b.browser_on(&alice);
    let page = alice_on_b.get(&format!("/r/{room}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"composer\""), "alice is a member on B too");

    let bob = b.browser();
    bob.join(&room, "Bob").await;
    let mut a_live = alice.connect_live(&room).await;
    let snapshot = a_live.next_snapshot().await;
    assert!(snapshot.contains("Bob"), "B's join is visible on A");
    let mut b_live = bob.connect_live(&room).await;
    let snapshot = b_live.next_snapshot().await;
    assert!(snapshot.contains("Alice") && snapshot.contains("member online"), "{snapshot}");

    a_live.send_message("from A", "a1").await;
    b_live.until("from A").await;
    b_live.send_message("from B", "b1").await;
    a_live.until("from B").await;
    b_live.until("from B").await;
    // Each message once on each side: the next message frame is the next message.
    a_live.send_message("again from A", "a2").await;
    let frame = b_live.until("msg-").await;
    assert!(frame.contains("again from A"), "{frame}");
    let frame = a_live.until("msg-").await;
    assert!(frame.contains("again from A"), "{frame}");

    // Carol joins on A; Bob's socket on B hears about it.
    let carol = a.browser();
    carol.join(&room, "Carol").await;
    assert!(b_live.until("notice joined").await.contains("<bdi>Carol</bdi> joined"));
}

#[tokio::test]
async fn a_dead_instance_s_users_go_offline_within_the_ttl() {
    let url = redis_url(3);
    let config = BackendConfig {
        presence_ttl: Duration::from_secs(2),
        sweep_interval: Duration::from_millis(200),
        ..BackendConfig::default()
    };
    let a = spawn_app_on_redis(&url, config.clone()).await;
    let alice = a.browser();
    let room = alice.create_room("Alice").await;
    let mut a_live = alice.connect_live(&room).await;
    a_live.next_snapshot().await;

    // Instance C runs on its own runtime so it can die without running any cleanup.
    let (base_tx, base_rx) = std::sync::mpsc::channel();
    let (kill_tx, kill_rx) = std::sync::mpsc::channel::<()>();
    let c_url = url.clone();
    let c_thread = std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let app = runtime.block_on(spawn_app_on_redis(&c_url, config));
        base_tx.send(app.base.clone()).unwrap();
        let _ = kill_rx.recv();
        // A crash: no shutdown signal, no socket close, no presence cleanup.
        std::mem::forget(app);
        runtime.shutdown_background();
    });
    let c_base = base_rx.recv().unwrap();
    let carol = crate::helpers::Browser { base: c_base, ..a.browser() };
    carol.join(&room, "Carol").await;
    let mut c_live = carol.connect_live(&room).await;
    c_live.next_snapshot().await;
    assert!(a_live.until("Carol").await.contains("member online"));

    kill_tx.send(()).unwrap();
    c_thread.join().unwrap();
    let started = std::time::Instant::now();
    let offline = a_live.until("member offline").await;
    assert!(offline.contains("Carol"), "{offline}");
    assert!(started.elapsed() < Duration::from_secs(5), "offline within the TTL plus a sweep");
}

/// Pub/Sub delivers at most once: a message stored whose copy never reached an instance (a
/// dropped connection, a moved slot) reaches that instance's sockets by the room's next
/// heartbeat, even when no later message comes to reveal the gap.
#[tokio::test]
async fn a_message_whose_published_copy_was_lost_arrives_by_the_next_heartbeat() {
    let url = redis_url(10);
    let config = BackendConfig { presence_ttl: Duration::from_secs(2), ..BackendConfig::default() };
    let a = spawn_app_on_redis(&url, config).await;
    let alice = a.browser();
    let room = alice.create_room("Alice").await;
    let mut a_live = alice.connect_live(&room).await;
    a_live.next_snapshot().await;

    // A post as post.lua stores it, without its PUBLISH.
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let users: Vec<String> =
        redis::cmd("HKEYS").arg(format!("room:{{{room}}}:names")).query_async(&mut conn).await.unwrap();
    let seq: u64 = redis::cmd("HINCRBY")
        .arg(format!("room:{{{room}}}:info"))
        .arg("seq")
        .arg(1)
        .query_async(&mut conn)
        .await
        .unwrap();
    let at = c2c::domain::now_millis();
    let _: String = redis::cmd("XADD")
        .arg(format!("room:{{{room}}}:messages"))
        .arg(format!("{seq}-0"))
        .arg(&["user", users[0].as_str(), "name", "Alice", "text", "never published", "cid", ""])
        .arg("at")
        .arg(at)
        .query_async(&mut conn)
        .await
        .unwrap();

    let frame = a_live.until("never published").await;
    assert!(frame.contains("msg-"), "{frame}");
}

/// A private `redis-server` this test can stop and start, with an append-only file so data
/// survives the restart like a production Redis with persistence.
pub struct OwnRedis {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<std::process::Child>,
}

impl OwnRedis {
    pub fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("c2c-redis-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Self { port, dir, child: None };
        redis.up();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    pub fn up(&mut self) {
        let child = std::process::Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/test installs it)");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start");
    }

    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn a_redis_outage_fails_fast_and_heals_by_itself() {
    let mut redis = OwnRedis::start();
    let a = spawn_app_on_redis(&redis.url(), BackendConfig::default()).await;
    let b = spawn_app_on_redis(&redis.url(), BackendConfig::default()).await;
    let mut alice = a.browser();
    alice.lang = Some("ko");
    let room = alice.create_room("Alice").await;
    let bob = b.browser();
    bob.join(&room, "Bob").await;
    let mut a_live = alice.connect_live(&room).await;
    a_live.next_snapshot().await;
    a_live.send_message("before the outage", "b1").await;
    a_live.until("before the outage").await;

    redis.down();
    let started = std::time::Instant::now();
    let page = alice.get(&format!("/r/{room}")).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.body.contains("서비스를 일시적으로 사용할 수 없습니다"), "{}", page.body);
    assert!(started.elapsed() < Duration::from_secs(3), "fails fast: {:?}", started.elapsed());
    assert_eq!(alice.get("/readyz").await.status, StatusCode::SERVICE_UNAVAILABLE);
    a_live.send_message("during the outage", "o1").await;
    let frame = a_live.until("composer-error").await;
    assert!(frame.contains("서비스를 일시적으로"), "{frame}");

    redis.up();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    for instance in [&alice, &bob] {
        while instance.get("/readyz").await.status != StatusCode::OK {
            assert!(std::time::Instant::now() < deadline, "ready again after Redis returns");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    assert_eq!(alice.get(&format!("/r/{room}")).await.status, StatusCode::OK);
    // Redis kept its data (an append-only file): the conversation is intact.
    let page = alice.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("before the outage"), "history survives a Redis restart");
    // A socket opened now hears messages posted on the other instance.
    let mut a_live = alice.connect_live(&room).await;
    a_live.next_snapshot().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        assert_eq!(bob.send_form(&room, "after the outage").await.status, StatusCode::SEE_OTHER);
        if let Some(frame) = a_live.try_next_text(Duration::from_secs(2)).await
            && frame.contains("after the outage")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "B's messages reach A again");
    }
    let history = a.state.backend.history(&c2c::domain::RoomId::parse(&room).unwrap(), 0).await.unwrap();
    assert!(
        !history.messages.iter().any(|m| m.text.as_str() == "during the outage"),
        "not acknowledged, not stored"
    );
}

#[tokio::test]
async fn the_redis_tests_really_use_redis() {
    // Guard against a silently skipped suite: the contract's Redis pair must reach Redis.
    let (a, _) = redis_pair(contract_config()).await;
    a.ping().await.unwrap();
}

#[tokio::test]
async fn a_dropped_subscription_is_repaired_from_history() {
    let redis = OwnRedis::start();
    let config = contract_config();
    let a = RedisBackend::start(&redis.url(), config.clone()).unwrap();
    let b = RedisBackend::start(&redis.url(), config).unwrap();
    let (room, alice) = b.create_room(crate::contract::name("Alice"), Default::default()).await.unwrap();
    let mut sub = a.subscribe(&room).await.unwrap();
    b.post(&room, &alice, crate::contract::text("m1"), vec![], None, None).await.unwrap();

    // Redis drops every Pub/Sub client (as it does to one that falls too far behind).
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let killed: i64 =
        redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("pubsub").query_async(&mut conn).await.unwrap();
    assert!(killed >= 1, "a's subscriber was connected and is now gone");
    for text in ["m2", "m3", "m4"] {
        b.post(&room, &alice, crate::contract::text(text), vec![], None, None).await.unwrap();
    }
    let mut seen = Vec::new();
    let mut resyncs = 0;
    while seen.len() < 4 {
        let event =
            tokio::time::timeout(Duration::from_secs(10), sub.events.recv()).await.expect("in time").unwrap();
        match event.as_ref() {
            c2c::domain::RoomEvent::Message(m) => seen.push(m.text.as_str().to_owned()),
            c2c::domain::RoomEvent::Resync => resyncs += 1,
            _ => {}
        }
    }
    assert_eq!(seen, ["m1", "m2", "m3", "m4"], "every message once, in order");
    // And the subscription is live again.
    b.post(&room, &alice, crate::contract::text("m5"), vec![], None, None).await.unwrap();
    loop {
        let event =
            tokio::time::timeout(Duration::from_secs(5), sub.events.recv()).await.expect("in time").unwrap();
        match event.as_ref() {
            c2c::domain::RoomEvent::Message(m) => {
                assert_eq!(m.text.as_str(), "m5");
                break;
            }
            c2c::domain::RoomEvent::Resync => resyncs += 1,
            _ => {}
        }
    }
    // The member list did not change meanwhile: the missed messages came live, and sockets
    // were not sent to take a fresh snapshot.
    assert_eq!(resyncs, 0, "no resync when only messages were missed");

    // Dropped again while someone joins: the change reaches the subscriber, live if the
    // subscription was back in time, else as a resync (sockets take a fresh member list).
    let killed: i64 =
        redis::cmd("CLIENT").arg("KILL").arg("TYPE").arg("pubsub").query_async(&mut conn).await.unwrap();
    assert!(killed >= 1);
    b.join(&room, crate::contract::name("Bob")).await.unwrap();
    loop {
        let event =
            tokio::time::timeout(Duration::from_secs(10), sub.events.recv()).await.expect("in time").unwrap();
        match event.as_ref() {
            c2c::domain::RoomEvent::Resync => break,
            c2c::domain::RoomEvent::Presence { member, .. } if member.name.as_str() == "Bob" => break,
            _ => {}
        }
    }
}

/// Presence sweep lists are spread over hash tags (so a cluster spreads them over its slots),
/// and the single list of earlier versions is moved onto them when an instance starts.
#[tokio::test]
async fn presence_sweep_lists_are_spread_and_the_old_single_list_is_drained() {
    use c2c::backend::redis::{SWEEP_BUCKETS, sweep_key, sweep_key_of};
    use c2c::domain::RoomId;
    let url = redis_url(8);
    let mut redis =
        redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("FLUSHDB").query_async(&mut redis).await.unwrap();
    // A room an older instance listed, whose members all crashed.
    let orphan = RoomId::generate();
    let _: i64 = redis::cmd("ZADD")
        .arg("c2c:presence-sweep")
        .arg(1)
        .arg(orphan.as_str())
        .query_async(&mut redis)
        .await
        .unwrap();
    let config = BackendConfig { sweep_interval: Duration::from_millis(100), ..BackendConfig::default() };
    let app = spawn_app_on_redis(&url, config).await;
    for name in ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"] {
        app.browser().create_room(name).await;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let legacy: i64 =
            redis::cmd("EXISTS").arg("c2c:presence-sweep").query_async(&mut redis).await.unwrap();
        if legacy == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the old list is drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut used = 0;
    for bucket in 0..SWEEP_BUCKETS {
        let n: i64 = redis::cmd("ZCARD").arg(sweep_key(bucket)).query_async(&mut redis).await.unwrap();
        used += i64::from(n > 0);
    }
    assert!(used >= 3, "six rooms land on several lists ({used})");
    // The orphan was swept (no one present): gone from its list.
    let score: Option<f64> = redis::cmd("ZSCORE")
        .arg(sweep_key_of(&orphan))
        .arg(orphan.as_str())
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(score, None);
    // Each list has its own hash tag.
    let slots: std::collections::HashSet<String> = (0..SWEEP_BUCKETS)
        .map(|b| sweep_key(b).split_once('{').and_then(|(_, t)| t.split_once('}')).unwrap().0.to_owned())
        .collect();
    assert_eq!(slots.len() as u64, SWEEP_BUCKETS);
}
