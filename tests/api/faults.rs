//! A Redis Cluster failing under a chat (the test command's second cluster,
//! `REDIS_CLUSTER_FAULT_NODES`, so no other test sees it): a master killed with `kill -9` and a
//! room's slot moved to another master, each three times in a row, while two app instances
//! post to the room. Every acknowledged message is in the history once and reaches the other
//! instance's socket once; a room on another shard never notices. docs/redis.md.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use c2c::backend::BackendConfig;
use c2c::config::RedisTarget;
use c2c::domain::RoomId;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::cluster::node_command;
use crate::helpers::{TestApp, cluster_nodes_in, spawn_app_on_target, within};

/// One failure test at a time: they share the cluster they break.
static FAULTS: Mutex<()> = Mutex::const_new(());

/// How long a room on a failing shard may answer 503 (the node timeout is 1.5 s).
const OUTAGE_LIMIT: Duration = Duration::from_secs(10);

/// Starts every node of the fault cluster that is down (a test that failed halfway may have
/// left one killed) and waits until each shard has its master and an in-sync replica.
async fn heal() {
    let dir = std::env::var("REDIS_CLUSTER_FAULT_DIR")
        .expect("REDIS_CLUSTER_FAULT_DIR must name the fault cluster's directory; scripts/test sets it");
    let mut ports = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let config = entry.unwrap().path().join("redis.conf");
        let Ok(text) = std::fs::read_to_string(&config) else { continue };
        let port = text.lines().find_map(|l| l.strip_prefix("port ")).unwrap().trim().to_owned();
        let node = format!("127.0.0.1:{port}");
        if !answers(&node).await {
            let started = std::process::Command::new("redis-server").arg(&config).status().unwrap();
            assert!(started.success(), "{node} starts again");
        }
        ports.push(node);
    }
    until("every shard has a master and an in-sync replica", Duration::from_secs(30), async || {
        let mut replicas = 0;
        for node in &ports {
            replicas += usize::from(replica_in_sync(node).await);
        }
        replicas == 3
    })
    .await;
}

async fn answers(node: &str) -> bool {
    let Ok(client) = redis::Client::open(format!("redis://{node}").as_str()) else { return false };
    matches!(
        tokio::time::timeout(Duration::from_millis(500), client.get_multiplexed_async_connection()).await,
        Ok(Ok(_))
    )
}

/// One node's view of the cluster (`CLUSTER NODES`), from the first seed node that answers.
async fn cluster_view(nodes: &[String]) -> Vec<Vec<String>> {
    for node in nodes {
        let Ok(client) = redis::Client::open(node.as_str()) else { continue };
        let Ok(Ok(mut conn)) =
            tokio::time::timeout(Duration::from_millis(500), client.get_multiplexed_async_connection()).await
        else {
            continue;
        };
        if let Ok(text) = redis::cmd("CLUSTER").arg("NODES").query_async::<String>(&mut conn).await {
            return text.lines().map(|l| l.split(' ').map(str::to_owned).collect()).collect();
        }
    }
    panic!("no node of the fault cluster answers");
}

/// The master serving `slot` (`host:port`) and its node id, as the cluster sees it now.
async fn master_of(nodes: &[String], slot: u16) -> Option<(String, String)> {
    cluster_view(nodes).await.into_iter().find_map(|fields| {
        let healthy = fields.get(2)?.contains("master") && !fields[2].contains("fail");
        let serves = fields.iter().skip(8).any(|range| {
            let (low, high) = range.split_once('-').unwrap_or((range, range));
            matches!((low.parse::<u16>(), high.parse::<u16>()), (Ok(l), Ok(h)) if (l..=h).contains(&slot))
        });
        (healthy && serves)
            .then(|| (fields[1].split('@').next().unwrap_or_default().to_owned(), fields[0].clone()))
    })
}

async fn slot_of(nodes: &[String], room: &str) -> u16 {
    node_command(&nodes[0], redis::cmd("CLUSTER").arg("KEYSLOT").arg(format!("room:{{{room}}}:info"))).await
}

async fn until(what: &str, limit: Duration, check: impl AsyncFnMut() -> bool) {
    assert!(within(limit, check).await, "{what}: not within {limit:?}");
}

/// Kills a node as a crash would and returns its configuration file, to start it again.
async fn kill_node(node: &str) -> String {
    let info: String = node_command(node, redis::cmd("INFO").arg("server")).await;
    let field = |name: &str| {
        info.lines().find_map(|l| l.strip_prefix(&format!("{name}:"))).unwrap_or_default().trim().to_owned()
    };
    let (pid, config) = (field("process_id"), field("config_file"));
    assert!(!config.is_empty(), "the node runs from a config file (scripts/lib.sh)");
    let killed = std::process::Command::new("kill").args(["-9", &pid]).status().unwrap();
    assert!(killed.success());
    config
}

/// Two instances on the fault cluster, a room with a member on each (API tokens), and the
/// second member's socket on the second instance collecting what it is sent.
struct Chat {
    apps: Arc<[TestApp; 2]>,
    room: String,
    tokens: [String; 2],
    seen: Arc<std::sync::Mutex<Vec<Value>>>,
}

async fn chat(apps: Arc<[TestApp; 2]>) -> Chat {
    let (status, created) = apps[0].api_post("/api/rooms", json!({"creatorName": "Ann"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let room = created["data"]["roomId"].as_str().unwrap().to_owned();
    let (status, joined) =
        apps[1].api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Bob"})).await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    let token = |v: &Value| v["data"]["token"].as_str().unwrap().to_owned();
    let tokens = [token(&created), token(&joined)];
    let mut socket = apps[1].json_client().await;
    socket.send(json!({"t": "join", "roomId": room, "token": tokens[1]})).await;
    socket.until("joined").await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    tokio::spawn(async move {
        while let Some(frame) = socket.try_next(Duration::from_secs(60)).await {
            sink.lock().unwrap().push(frame);
        }
    });
    Chat { apps, room, tokens, seen }
}

/// Posts `text` through instance `i`; whether it was acknowledged.
async fn post(chat: &Chat, i: usize, text: &str) -> Result<(), StatusCode> {
    let url = format!("{}/api/rooms/{}/messages", chat.apps[i].base, chat.room);
    let sent = reqwest::Client::new()
        .post(url)
        .bearer_auth(&chat.tokens[i])
        .json(&json!({"text": text, "clientId": text}))
        .timeout(Duration::from_secs(20))
        .send()
        .await;
    match sent {
        Ok(res) if res.status() == StatusCode::CREATED => {
            // The reply is this post's own message: a client that paired replies with the
            // wrong requests would answer with another post's.
            let body: Value = res.json().await.unwrap_or_default();
            assert_eq!(body["data"]["text"], text, "the reply to a post is its own message");
            Ok(())
        }
        Ok(res) => Err(res.status()),
        Err(_) => Err(StatusCode::GATEWAY_TIMEOUT),
    }
}

/// What a posting loop saw: the texts acknowledged, and when the refusals came.
#[derive(Default)]
struct Posted {
    acked: Vec<String>,
    slowest: Duration,
    refusals: Vec<(Instant, StatusCode)>,
}

/// Posts from both instances in turn until `stop` is set and at least `after` more were
/// acknowledged after it.
async fn keep_posting(chat: Arc<Chat>, tag: String, stop: Arc<tokio::sync::Notify>) -> Posted {
    let mut posted = Posted::default();
    let stopped = stop.notified();
    tokio::pin!(stopped);
    let mut stop_seen_at: Option<usize> = None;
    for n in 0.. {
        if stop_seen_at.is_none() && futures_util::FutureExt::now_or_never(stopped.as_mut()).is_some() {
            stop_seen_at = Some(posted.acked.len());
        }
        if stop_seen_at.is_some_and(|at| posted.acked.len() >= at + 10) {
            break;
        }
        let text = format!("{tag}-{n}");
        let start = Instant::now();
        let result = post(&chat, n % 2, &text).await;
        posted.slowest = posted.slowest.max(start.elapsed());
        match result {
            Ok(()) => posted.acked.push(text),
            Err(status) => posted.refusals.push((Instant::now(), status)),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    posted
}

/// Every text acknowledged to the posting loops is in the room's history once and reached the
/// socket once; each loop's last one reached it live.
async fn assert_kept_once(chat: &Chat, loops: &[Posted]) {
    let acked: Vec<&String> = loops.iter().flat_map(|p| &p.acked).collect();
    let room = RoomId::parse(&chat.room).unwrap();
    let history = chat.apps[0].state.backend.history(&room, 0).await.unwrap();
    let mut stored: HashMap<&str, usize> = HashMap::new();
    for m in &history.messages {
        *stored.entry(m.text.as_str()).or_default() += 1;
    }
    for text in &acked {
        assert_eq!(stored.get(text.as_str()), Some(&1), "{text} in history");
    }
    for last in loops.iter().filter_map(|p| p.acked.last()) {
        until(
            &format!("{last}, the last message, reaches the socket"),
            Duration::from_secs(10),
            async || chat.seen.lock().unwrap().iter().any(|f| f["t"] == "msg" && f["text"] == last.as_str()),
        )
        .await;
    }
    // Messages come as `msg` frames, and inside `joined` when the socket is resynchronized.
    let mut by_id: BTreeMap<u64, String> = BTreeMap::new();
    for frame in chat.seen.lock().unwrap().iter() {
        let inside = frame["messages"].as_array().cloned().unwrap_or_default();
        let messages = if frame["t"] == "msg" { vec![frame.clone()] } else { inside };
        for m in messages {
            let (id, text) = (m["id"].as_u64().unwrap(), m["text"].as_str().unwrap().to_owned());
            assert_eq!(by_id.insert(id, text.clone()).unwrap_or(text.clone()), text, "message {id} changed");
        }
    }
    let delivered: Vec<&String> = by_id.values().collect();
    for text in acked {
        assert_eq!(delivered.iter().filter(|t| **t == text).count(), 1, "{text} delivered once");
    }
}

async fn two_apps(nodes: &[String]) -> [TestApp; 2] {
    let target = || RedisTarget::Cluster(nodes.to_vec());
    [
        spawn_app_on_target(target(), BackendConfig::default(), fast_posting).await,
        spawn_app_on_target(target(), BackendConfig::default(), fast_posting).await,
    ]
}

fn fast_posting(config: &mut c2c::Config) {
    config.limits.rate_per_sec = 1000.0;
    config.limits.rate_burst = 1000;
    config.limits.creates_per_min = 1000;
    config.limits.joins_per_min = 1000;
}

/// The fault cluster to oneself, whole again, and two instances on it.
async fn on_the_fault_cluster() -> (tokio::sync::MutexGuard<'static, ()>, Vec<String>, Arc<[TestApp; 2]>) {
    let only = FAULTS.lock().await;
    heal().await;
    let nodes = cluster_nodes_in("REDIS_CLUSTER_FAULT_NODES");
    let apps = Arc::new(two_apps(&nodes).await);
    (only, nodes, apps)
}

/// Another room on the same instances, whose master (`host:port`) passes `wanted`.
async fn chat_where(apps: &Arc<[TestApp; 2]>, nodes: &[String], wanted: impl Fn(&str) -> bool) -> Chat {
    loop {
        let other = chat(apps.clone()).await;
        let slot = slot_of(nodes, &other.room).await;
        if master_of(nodes, slot).await.is_some_and(|(m, _)| wanted(&m)) {
            return other;
        }
    }
}

#[tokio::test]
async fn a_killed_master_s_rooms_come_back_with_every_acknowledged_message_three_times() {
    let (_only, nodes, apps) = on_the_fault_cluster().await;
    for round in 0..3 {
        let chat = Arc::new(chat(apps.clone()).await);
        let slot = slot_of(&nodes, &chat.room).await;
        let (master, _) = master_of(&nodes, slot).await.expect("a master serves the room");
        let calm = Arc::new(chat_where(&apps, &nodes, |m| m != master).await);

        let stop = Arc::new(tokio::sync::Notify::new());
        let posting = tokio::spawn(keep_posting(chat.clone(), format!("k{round}"), stop.clone()));
        let calm_posting = tokio::spawn(keep_posting(calm.clone(), format!("c{round}"), stop.clone()));
        tokio::time::sleep(Duration::from_millis(500)).await;

        let restart = kill_node(&master).await;
        until("a replica takes over the slot", OUTAGE_LIMIT, async || {
            master_of(&nodes, slot).await.is_some_and(|(m, _)| m != master)
        })
        .await;
        stop.notify_waiters();
        let posted = posting.await.unwrap();
        let calm_posted = calm_posting.await.unwrap();

        eprintln!(
            "round {round}: {} acknowledged, {} refused, slowest {:?}; elsewhere {} acknowledged, slowest {:?}",
            posted.acked.len(),
            posted.refusals.len(),
            posted.slowest,
            calm_posted.acked.len(),
            calm_posted.slowest
        );
        assert!(
            calm_posted.refusals.is_empty(),
            "a room on another shard was refused: {:?}",
            calm_posted.refusals
        );
        if let (Some(first), Some(last)) = (posted.refusals.first(), posted.refusals.last()) {
            assert!(last.0 - first.0 < OUTAGE_LIMIT, "refusals for {:?}", last.0 - first.0);
        }
        assert_kept_once(&chat, &[posted]).await;
        assert_kept_once(&calm, &[calm_posted]).await;

        // The old master comes back as a replica, so the next round has one to promote.
        let started = std::process::Command::new("redis-server").arg(&restart).status().unwrap();
        assert!(started.success());
        until("the old master rejoins as a replica", Duration::from_secs(20), async || {
            replica_in_sync(&master).await
        })
        .await;
    }
}

async fn replica_in_sync(node: &str) -> bool {
    let url = format!("redis://{node}");
    let Ok(client) = redis::Client::open(url.as_str()) else { return false };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else { return false };
    let info: String = redis::cmd("INFO").arg("replication").query_async(&mut conn).await.unwrap_or_default();
    info.contains("role:slave") && info.contains("master_link_status:up")
}

/// Moves `slot` from master `from` to master `to` as `redis-cli --cluster reshard` does: the
/// slot marked importing and migrating, its keys moved a few at a time (slowly, so the chat
/// meets the slot half moved), then given to `to` on every master.
async fn move_slot(nodes: &[String], slot: u16, from: &(String, String), to: &(String, String)) {
    let _: () =
        node_command(&to.0, redis::cmd("CLUSTER").arg("SETSLOT").arg(slot).arg("IMPORTING").arg(&from.1))
            .await;
    let _: () =
        node_command(&from.0, redis::cmd("CLUSTER").arg("SETSLOT").arg(slot).arg("MIGRATING").arg(&to.1))
            .await;
    let (host, port) = to.0.split_once(':').unwrap();
    loop {
        let keys: Vec<String> =
            node_command(&from.0, redis::cmd("CLUSTER").arg("GETKEYSINSLOT").arg(slot).arg(3)).await;
        if keys.is_empty() {
            break;
        }
        let mut migrate = redis::cmd("MIGRATE");
        migrate.arg(host).arg(port).arg("").arg(0).arg(5000).arg("KEYS").arg(&keys);
        let _: String = node_command(&from.0, &mut migrate).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    for fields in cluster_view(nodes).await {
        if fields.get(2).is_some_and(|flags| flags.contains("master") && !flags.contains("fail")) {
            let node = fields[1].split('@').next().unwrap_or_default();
            let _: () =
                node_command(node, redis::cmd("CLUSTER").arg("SETSLOT").arg(slot).arg("NODE").arg(&to.1))
                    .await;
        }
    }
}

#[tokio::test]
async fn a_room_s_slot_moves_to_another_master_mid_chat_without_loss_three_times() {
    let (_only, nodes, apps) = on_the_fault_cluster().await;
    for round in 0..3 {
        let chat = Arc::new(chat(apps.clone()).await);
        let slot = slot_of(&nodes, &chat.room).await;
        let from = master_of(&nodes, slot).await.expect("a master serves the room");
        let to = cluster_view(&nodes)
            .await
            .into_iter()
            .find(|f| f[2].contains("master") && !f[2].contains("fail") && f[0] != from.1 && f.len() > 8)
            .map(|f| (f[1].split('@').next().unwrap_or_default().to_owned(), f[0].clone()))
            .expect("another master");
        // Another room on the same master keeps requests in flight on its node connections
        // when the old master ends the moved room's subscriptions.
        let busy = Arc::new(chat_where(&apps, &nodes, |m| m == from.0).await);
        let stop = Arc::new(tokio::sync::Notify::new());
        let posting = tokio::spawn(keep_posting(chat.clone(), format!("m{round}"), stop.clone()));
        let busy_posting: Vec<_> = (0..3)
            .map(|i| tokio::spawn(keep_posting(busy.clone(), format!("b{round}.{i}"), stop.clone())))
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        move_slot(&nodes, slot, &from, &to).await;
        // The view comes from the first node that answers, perhaps a replica (earlier tests
        // fail masters over), which learns the new owner by gossip a moment later.
        until("the slot moved", Duration::from_secs(10), async || {
            master_of(&nodes, slot).await.is_some_and(|m| m.1 == to.1)
        })
        .await;
        stop.notify_waiters();
        let posted = posting.await.unwrap();
        eprintln!(
            "move {round}: {} acknowledged, {} refused, slowest {:?}",
            posted.acked.len(),
            posted.refusals.len(),
            posted.slowest
        );
        assert!(posted.refusals.is_empty(), "a slot move refused messages: {:?}", posted.refusals);
        assert_kept_once(&chat, &[posted]).await;
        let mut busy_posted = Vec::new();
        for poster in busy_posting {
            let posted = poster.await.unwrap();
            assert!(posted.refusals.is_empty(), "a room staying put was refused: {:?}", posted.refusals);
            busy_posted.push(posted);
        }
        assert_kept_once(&busy, &busy_posted).await;
    }
}
