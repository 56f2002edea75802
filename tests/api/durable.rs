//! What survives a restart of the embedded default: rooms, members, names, history and browser
//! sessions in the SQLite file; and the contract suite against the durable in-process backend.

use std::collections::HashMap;
use std::sync::Arc;

use c2c::backend::memory::MemoryBackend;
use c2c::backend::{Backend, BackendConfig};
use c2c::catalog::Db;
use c2c::domain::EntryKind;
use c2c::web::sqlite_sessions::SqliteStore;
use std::time::Duration;

use time::OffsetDateTime;
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

use crate::backend_contract;
use crate::contract::{meta, name, text};

/// A migrated SQLite file of its own, removed afterwards.
struct TempDb(std::path::PathBuf);

impl TempDb {
    fn new() -> Self {
        Self(std::env::temp_dir().join(format!("c2c-durable-{}.sqlite3", c2c::domain::RoomId::generate())))
    }

    async fn open(&self) -> Db {
        let db = Db::open(&format!("sqlite://{}", self.0.display())).await.unwrap();
        db.migrate().await.unwrap();
        db
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

fn record(expires_in: time::Duration) -> Record {
    let data = HashMap::from([("visitor".to_owned(), serde_json::json!({"rooms": {"r": "u"}}))]);
    Record { id: Id::default(), data, expiry_date: OffsetDateTime::now_utc() + expires_in }
}

#[tokio::test]
async fn sessions_outlive_the_process_and_expire_on_schedule() {
    let file = TempDb::new();
    let (mut live, mut stale) = (record(time::Duration::days(7)), record(time::Duration::seconds(-5)));
    {
        let store = SqliteStore::new(file.open().await.sqlite().unwrap().clone());
        store.create(&mut live).await.unwrap();
        store.create(&mut stale).await.unwrap();
        live.data.insert("translator".into(), serde_json::json!("Minji"));
        store.save(&live).await.unwrap();
    }
    // A new process: a new pool on the same file.
    let store = SqliteStore::new(file.open().await.sqlite().unwrap().clone());
    let loaded = store.load(&live.id).await.unwrap().expect("the session is still there");
    assert_eq!(loaded.data, live.data);
    assert_eq!(loaded.expiry_date.unix_timestamp(), live.expiry_date.unix_timestamp());
    assert!(store.load(&stale.id).await.unwrap().is_none(), "an expired session is not loaded");
    assert_eq!(store.sweep().await.unwrap(), 1);
    assert_eq!(store.count().await.unwrap(), 1);
    store.delete(&live.id).await.unwrap();
    assert!(store.load(&live.id).await.unwrap().is_none());
}

/// Two handles on one durable in-process backend, its SQLite file in memory (shared cache).
pub async fn durable_pair(config: BackendConfig) -> (Arc<dyn Backend>, Arc<dyn Backend>) {
    let url = format!("sqlite:file:c2c-{}?mode=memory&cache=shared", c2c::domain::RoomId::generate());
    let db = Db::open(&url).await.unwrap();
    db.migrate().await.unwrap();
    let backend = MemoryBackend::durable(config, db.sqlite().unwrap().clone()).await.unwrap();
    let backend: Arc<dyn Backend> = Arc::new(backend);
    (backend.clone(), backend)
}

backend_contract!(durable_contract, paused = false, durable_pair);

/// A durable backend on `file`, as a fresh process would start it.
async fn restart(file: &TempDb, config: BackendConfig) -> MemoryBackend {
    MemoryBackend::durable(config, file.open().await.sqlite().unwrap().clone()).await.unwrap()
}

#[tokio::test]
async fn rooms_members_names_and_history_survive_a_restart() {
    let file = TempDb::new();
    let config = BackendConfig { history_len: 5, ..BackendConfig::default() };
    let (room, alice, bob, token) = {
        let b = restart(&file, config.clone()).await;
        let (room, alice) =
            b.create_room(name("Alice"), meta(Some("Team lunch"), Some("Fridays"))).await.unwrap();
        let bob = b.join(&room, name("Bob")).await.unwrap();
        let token = b.issue_token(&room, &bob).await.unwrap();
        for i in 1..=7 {
            let cid = c2c::domain::ClientMsgId::parse(&format!("c{i}"));
            b.post(&room, if i % 2 == 0 { &bob } else { &alice }, text(&format!("m{i}")), vec![], cid, None)
                .await
                .unwrap();
        }
        (room, alice, bob, token)
    };
    let b = restart(&file, config).await;
    let snap = b.room(&room).await.unwrap();
    let names: Vec<(&str, bool)> = snap.members.iter().map(|m| (m.name.as_str(), m.online)).collect();
    assert_eq!(names, [("Alice", false), ("Bob", false)], "members in join order, all offline");
    assert!(snap.idle_expires_at.is_some(), "no one online: the room waits for its people");
    assert_eq!(snap.meta, meta(Some("Team lunch"), Some("Fridays")), "name and topic kept");
    assert_eq!(
        (snap.owner.as_ref(), snap.creator.as_str()),
        (Some(&alice), "Alice"),
        "owner and creator kept"
    );
    let history = b.history(&room, 0).await.unwrap();
    let texts: Vec<&str> = history.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["m3", "m4", "m5", "m6", "m7"]);
    assert!(history.truncated);
    // Bob's join notice took number 1.
    assert_eq!(history.messages.last().unwrap().seq, 8);
    // Numbering goes on; a re-sent message is still recognised; the token still works.
    let again =
        b.post(&room, &bob, text("m6"), vec![], c2c::domain::ClientMsgId::parse("c6"), None).await.unwrap();
    assert_eq!(again.seq, 7, "stored once");
    assert_eq!(b.post(&room, &alice, text("m8"), vec![], None, None).await.unwrap().seq, 9);
    assert_eq!(b.token_user(&room, &token).await.unwrap(), Some(bob.clone()));
    b.leave(&room, &bob).await.unwrap();
    drop(b);
    let b = restart(&file, BackendConfig::default()).await;
    assert_eq!(b.room(&room).await.unwrap().members.len(), 1, "the leave was stored");
    let after: Vec<_> = b.history(&room, 8).await.unwrap().messages.iter().map(|m| (m.seq, m.kind)).collect();
    assert_eq!(after, [(9, EntryKind::Text), (10, EntryKind::Left)], "m8 and Bob's leave notice were stored");
}

#[tokio::test]
async fn idle_rooms_expire_across_a_restart() {
    let file = TempDb::new();
    let config = BackendConfig {
        presence_ttl: Duration::from_millis(300),
        room_idle_ttl: Duration::from_secs(1),
        sweep_interval: Duration::from_millis(100),
        ..BackendConfig::default()
    };
    let (room, kept) = {
        let b = restart(&file, config.clone()).await;
        let (room, _) = b.create_room(name("Alice"), Default::default()).await.unwrap();
        let (kept, _) = b.create_room(name("Bob"), Default::default()).await.unwrap();
        (room, kept)
    };
    // Restarted at once: both rooms are back, waiting for their people.
    let b = restart(&file, config.clone()).await;
    assert!(b.room(&room).await.is_ok() && b.room(&kept).await.is_ok());
    drop(b);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Restarted after the idle period: gone, and gone for good.
    let b = restart(&file, config).await;
    assert!(matches!(b.room(&room).await, Err(c2c::backend::BackendError::RoomNotFound)));
    assert!(matches!(b.room(&kept).await, Err(c2c::backend::BackendError::RoomNotFound)));
}

/// The real binary on `port` with the SQLite file `file`, limits raised for a burst of messages.
fn server(file: &TempDb, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_c2c"))
        .env_remove("REDIS_URL")
        .env("C2C_ADDR", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", format!("sqlite://{}", file.0.display()))
        .env("C2C_RATE_PER_SEC", "100000")
        .env("C2C_RATE_BURST", "100000")
        .env("C2C_HISTORY_LIMIT", "1000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the c2c binary runs")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn healthy(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not come up");
}

async fn json_socket(base: &str) -> crate::helpers::JsonClient {
    let (ws, _) =
        tokio_tungstenite::connect_async(format!("{}/ws", base.replacen("http", "ws", 1))).await.unwrap();
    crate::helpers::JsonClient { ws }
}

#[tokio::test]
async fn acknowledged_messages_survive_kill_9() {
    let file = TempDb::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = server(&file, port);
    healthy(&base).await;
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/rooms"))
        .json(&serde_json::json!({"creatorName": "Bot"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (room, token) = (created["data"]["roomId"].clone(), created["data"]["token"].clone());
    let mut bot = json_socket(&base).await;
    bot.send(serde_json::json!({"t": "join", "roomId": room, "token": token})).await;
    bot.until("joined").await;
    // Kill at a moment nobody chose: somewhere between the 100th and the 400th echo.
    let kill_after = 100 + usize::from(c2c::domain::RoomId::generate().as_str().as_bytes()[0]) % 300;
    for i in 0..500 {
        bot.send(serde_json::json!({"t": "msg", "roomId": room, "text": format!("m{i}"), "clientId": format!("c{i}")}))
            .await;
    }
    let mut acknowledged = Vec::new();
    while acknowledged.len() < kill_after {
        let frame = bot.until("msg").await;
        acknowledged.push(frame["text"].as_str().unwrap().to_owned());
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = server(&file, port);
    healthy(&base).await;
    let mut bot = json_socket(&base).await;
    bot.send(serde_json::json!({"t": "join", "roomId": room, "token": token})).await;
    let joined = bot.until("joined").await;
    let mut stored: Vec<String> = joined["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    for _ in 0..joined["following"].as_u64().unwrap() {
        stored.push(bot.until("msg").await["text"].as_str().unwrap().to_owned());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for text in &acknowledged {
        assert_eq!(stored.iter().filter(|s| *s == text).count(), 1, "{text} acknowledged, stored once");
    }
    let numbers: Vec<usize> = stored.iter().map(|s| s[1..].parse().unwrap()).collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "stored in order");
    assert!(stored.len() >= acknowledged.len() && stored.len() <= 500);
}

#[tokio::test]
async fn message_actions_survive_a_restart() {
    use c2c::domain::{Action, Emoji};
    let file = TempDb::new();
    let config = BackendConfig::default();
    let (room, hello, gone) = {
        let b = restart(&file, config.clone()).await;
        let (room, alice) = b.create_room(name("Alice"), Default::default()).await.unwrap();
        let bob = b.join(&room, name("Bob")).await.unwrap();
        let hello = b.post(&room, &alice, text("helo"), vec![], None, None).await.unwrap().seq;
        let edit = Action::Edit { target: hello, text: text("hello"), mentions: vec![] };
        b.act(&room, &alice, edit).await.unwrap();
        let react = Action::React { target: hello, emoji: Emoji::parse("🎉").unwrap() };
        b.act(&room, &bob, react).await.unwrap();
        let gone = b.post(&room, &bob, text("oops"), vec![], None, Some(hello)).await.unwrap().seq;
        b.act(&room, &bob, Action::Delete { target: gone }).await.unwrap();
        (room, hello, gone)
    };
    let b = restart(&file, config).await;
    let history = b.history(&room, 0).await.unwrap();
    let find = |seq| history.messages.iter().find(|m| m.seq == seq).unwrap();
    let first = find(hello);
    assert_eq!(first.text.as_str(), "hello");
    assert!(first.extra.edited.is_some());
    assert_eq!(first.extra.reactions[0].emoji, "🎉");
    let tombstone = find(gone);
    assert!(
        tombstone.extra.deleted && tombstone.text.as_str().is_empty(),
        "the deleted text is gone from the file too"
    );
    assert_eq!(tombstone.extra.reply.as_ref().map(|r| r.seq), Some(hello));
    assert_eq!(history.messages.iter().filter(|m| m.is_action()).count(), 3);
}
