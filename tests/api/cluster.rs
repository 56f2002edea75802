//! The Redis backend on a Redis Cluster (three masters with a replica each, started by the test
//! command; these tests fail, never skip, without one): the contract suite, two app instances
//! as one chat, per-address limits, and what the masters see (sharded Pub/Sub only, no
//! cross-slot script). docs/redis.md.

use std::net::IpAddr;
use std::sync::Arc;
// The contract suite's macro names these.
use std::time::Duration;

use c2c::backend::redis::RedisBackend;
use c2c::backend::{Backend, BackendConfig};
use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::backend_contract;
use crate::contract::contract_config;
use crate::helpers::{both_live, cluster_nodes, spawn_app_on_cluster};
use crate::scaleout::two_instances_are_one_chat;

async fn cluster_pair(config: BackendConfig) -> (Arc<dyn Backend>, Arc<dyn Backend>) {
    let nodes = cluster_nodes();
    let a: Arc<dyn Backend> = Arc::new(RedisBackend::start_cluster(&nodes, config.clone()).await.unwrap());
    let b: Arc<dyn Backend> = Arc::new(RedisBackend::start_cluster(&nodes, config).await.unwrap());
    a.ping().await.expect("the test command's Redis Cluster answers");
    (a, b)
}

backend_contract!(cluster_contract, paused = false, cluster_pair);

/// The cluster's masters as `host:port`, read from a seed node's `CLUSTER NODES`.
pub async fn cluster_masters(nodes: &[String]) -> Vec<String> {
    let nodes_text: String = node_command(&nodes[0], redis::cmd("CLUSTER").arg("NODES")).await;
    let mut masters: Vec<String> = nodes_text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let flags = fields.get(2)?;
            let serves_slots = fields.len() > 8;
            (flags.contains("master") && !flags.contains("fail") && serves_slots)
                .then(|| fields[1].split('@').next().unwrap_or_default().to_owned())
        })
        .collect();
    masters.sort();
    masters
}

/// Runs `cmd` on one node (`redis://host:port` or `host:port`), not through the cluster routing.
pub async fn node_command<T: redis::FromRedisValue>(node: &str, cmd: &mut redis::Cmd) -> T {
    let url = if node.contains("://") { node.to_owned() } else { format!("redis://{node}") };
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    cmd.query_async(&mut conn).await.unwrap()
}

/// Everything one node executes from now until the returned sender is dropped (`MONITOR`).
async fn monitor(node: &str) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<Vec<String>>) {
    let mut stream = TcpStream::connect(node).await.unwrap();
    stream.write_all(b"MONITOR\r\n").await.unwrap();
    let mut lines = BufReader::new(stream).lines();
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("+OK"), "MONITOR on {node}");
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let seen = tokio::spawn(async move {
        let mut seen = Vec::new();
        loop {
            tokio::select! {
                _ = &mut stopped => return seen,
                line = lines.next_line() => match line {
                    Ok(Some(line)) => seen.push(line),
                    _ => return seen,
                },
            }
        }
    });
    (stop, seen)
}

/// The command name of a `MONITOR` line: `+1700000000.123 [0 127.0.0.1:5000] "SPUBLISH" …`.
fn monitored_command(line: &str) -> Option<String> {
    let after = line.split_once("] \"")?.1;
    Some(after.split('"').next()?.to_ascii_uppercase())
}

#[tokio::test]
async fn two_instances_on_a_cluster_are_one_chat_on_sharded_pub_sub_only() {
    let nodes = cluster_nodes();
    let masters = cluster_masters(&nodes).await;
    assert_eq!(masters.len(), 3, "three masters: {masters:?}");
    let mut monitors = Vec::new();
    for master in &masters {
        monitors.push(monitor(master).await);
    }

    let a = spawn_app_on_cluster(BackendConfig::default(), |_| {}).await;
    let b = spawn_app_on_cluster(BackendConfig::default(), |_| {}).await;
    two_instances_are_one_chat(&a, &b).await;
    // Typing notices are published outside the scripts.
    let (alice, bob) = (a.browser(), b.browser());
    let (_room, mut on_a, mut on_b) = both_live(&alice, &bob).await;
    on_b.send_raw(tokio_tungstenite::tungstenite::Message::Text(r#"{"typing":true}"#.into())).await;
    on_a.until("typers").await;

    let mut commands = std::collections::BTreeMap::<String, usize>::new();
    for (stop, seen) in monitors {
        drop(stop);
        for line in seen.await.unwrap() {
            if let Some(command) = monitored_command(&line) {
                *commands.entry(command).or_default() += 1;
            }
        }
    }
    for sharded in ["SPUBLISH", "SSUBSCRIBE"] {
        assert!(commands.contains_key(sharded), "no {sharded} on the masters: {commands:?}");
    }
    for broadcast in ["PUBLISH", "SUBSCRIBE", "PSUBSCRIBE"] {
        assert!(!commands.contains_key(broadcast), "{broadcast} on a master: {commands:?}");
    }
    for master in &masters {
        let errors: String = node_command(master, redis::cmd("INFO").arg("errorstats")).await;
        assert!(!errors.contains("CROSSSLOT"), "{master}: {errors}");
    }
}

/// A client address no other test uses, so counters in the shared cluster are this test's own.
fn private_address() -> IpAddr {
    let seed = c2c::domain::RoomId::generate();
    let bytes = seed.as_str().as_bytes();
    IpAddr::from([10, bytes[0], bytes[1], bytes[2]])
}

#[tokio::test]
async fn per_address_limits_hold_across_instances_on_a_cluster() {
    let limited = |c: &mut c2c::Config| {
        c.limits.creates_per_min = 2;
        c.trusted_proxies = vec![IpAddr::from([127, 0, 0, 1])];
    };
    let a = spawn_app_on_cluster(BackendConfig::default(), limited).await;
    let b = spawn_app_on_cluster(BackendConfig::default(), limited).await;
    let address = private_address();
    let browser = a.browser_from(address);
    browser.create_room("One").await;
    browser.create_room("Two").await;
    let other = b.browser_from(address);
    let csrf = other.get("/").await.field("csrf");
    let page = other.post("/rooms", &[("name", "Three"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "the second instance counts the first's rooms");
    // Another address is counted apart.
    let elsewhere = b.browser_from(private_address());
    let csrf = elsewhere.get("/").await.field("csrf");
    let page = elsewhere.post("/rooms", &[("name", "Four"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}
