//! A stranger with a script (docs/security.md): one test per way a public c2c was found to give
//! in, each tried the way the attacker tried it, on a real listener.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use c2c::backend::BackendConfig;
use c2c::domain::{Limits, MessageText, RoomId, UserId};
use futures_util::StreamExt;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{redis_url, spawn_app, spawn_app_on_redis, spawn_app_with};
use crate::scaleout::OwnRedis;

/// Sends `n` page views without cookies (as a script does), `batch` at a time, half to `/` and
/// half to the room's join page.
async fn cookieless_views(base: &str, room: &str, n: usize) {
    let client = reqwest::Client::new();
    let batch = 50;
    for start in (0..n).step_by(batch) {
        let views = (start..n.min(start + batch)).map(|i| {
            let path = if i % 2 == 0 { "/".to_owned() } else { format!("/r/{room}") };
            client.get(format!("{base}{path}")).send()
        });
        for res in join_all(views).await {
            assert_eq!(res.unwrap().status(), StatusCode::OK);
        }
    }
}

#[tokio::test]
async fn cookieless_page_views_store_no_sessions_in_the_embedded_store() {
    let app = spawn_app().await;
    let room = app.browser().create_room("Alice").await;
    let before = app.sessions.count().await.expect("sessions counted by the app");
    cookieless_views(&app.base, &room, 20_000).await;
    assert_eq!(app.sessions.count().await, Some(before), "20 000 page views stored sessions");
}

#[tokio::test]
async fn cookieless_page_views_store_nothing_in_redis() {
    let url = redis_url(5);
    let app = spawn_app_on_redis(&url, BackendConfig::default()).await;
    let room = app.browser().create_room("Alice").await;
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys = |mut conn: redis::aio::MultiplexedConnection| async move {
        let n: i64 = redis::cmd("DBSIZE").query_async(&mut conn).await.unwrap();
        n
    };
    let before = keys(conn.clone()).await;
    cookieless_views(&app.base, &room, 20_000).await;
    let after = keys(conn.clone()).await;
    assert!(after <= before, "page views stored {} Redis keys", after - before);
    let _: () = redis::cmd("FLUSHDB").query_async(&mut conn).await.unwrap();
}

/// A planter with a session of their own, and a victim's browser carrying the planter's session
/// cookie (set by a sibling site, say).
async fn planted(app: &crate::helpers::TestApp) -> (crate::helpers::Browser, crate::helpers::Browser) {
    let planter = app.browser();
    planter.create_room("Mallory").await;
    let cookies = planter.cookie_header().expect("the planter has a session cookie");
    let url: reqwest::Url = app.base.parse().unwrap();
    let victim = app.browser();
    for cookie in cookies.split("; ") {
        victim.jar.add_cookie_str(cookie, &url);
    }
    (planter, victim)
}

#[tokio::test]
async fn a_planted_session_id_is_worth_nothing_after_create_or_join() {
    let app = spawn_app().await;
    let (planter, victim) = planted(&app).await;
    let created = victim.create_room("Victim").await;
    let page = planter.get(&format!("/r/{created}")).await;
    assert!(page.body.contains("/join\""), "the planter sees the victim's new room as a stranger");

    let (planter, victim) = planted(&app).await;
    let room = app.browser().create_room("Host").await;
    assert_eq!(victim.join(&room, "Victim").await.status, StatusCode::SEE_OTHER);
    let page = planter.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("/join\""), "the planter is not in the room the victim joined");
}

#[tokio::test]
async fn a_redis_outage_is_the_unavailable_page_not_a_500_or_a_form_error() {
    let mut redis = OwnRedis::start();
    let app = spawn_app_on_redis(&redis.url(), BackendConfig::default()).await;
    let mut stranger = app.browser();
    stranger.lang = Some("ko");
    let form = stranger.get("/").await;
    let csrf = form.field("csrf");
    redis.down();
    let page = stranger.get("/").await;
    assert_eq!(page.status, StatusCode::OK, "the create form needs no Redis: {}", page.body);
    let res = reqwest::get(format!("{}/", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "nor for a browser without cookies");
    let page = stranger.post("/rooms", &[("name", "Alice"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    assert!(page.body.contains("서비스를 일시적으로 사용할 수 없습니다"), "{}", page.body);
    let page = stranger.get("/r/AAAAAAAAAAAAAAAA").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{}", page.body);
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": "Bot"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
}

#[tokio::test]
async fn translator_sign_in_is_throttled_per_address() {
    let token = "a-translators-secret";
    let app = spawn_app_with(|c| c.translator_token = Some(token.to_owned())).await;
    let t = app.browser();
    let csrf = t.get("/translate").await.field("csrf");
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let res = t.post("/translate/login", &[("editor", "Eve"), ("token", "guess"), ("csrf", &csrf)]).await;
        statuses.push(res.status);
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    // While locked out, even the right token waits: guessing gains nothing.
    let res = t.post("/translate/login", &[("editor", "Eve"), ("token", token), ("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers.contains_key("retry-after"));
}

/// Collects what the app logs on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn user_text_in_log_lines_is_quoted() {
    let token = "a-translators-secret";
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = spawn_app_with(|c| c.translator_token = Some(token.to_owned())).await;
    let t = app.browser();
    let csrf = t.get("/translate").await.field("csrf");
    let forged = "Eve level=ERROR admin=true\u{2028}injected";
    let res = t.post("/translate/login", &[("editor", forged), ("token", token), ("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let csrf = t.get("/translate").await.field("csrf");
    let edit = [("code", "ROOM_NOT_FOUND"), ("locale", "ko"), ("message", "방이 없어요"), ("csrf", &csrf)];
    assert_eq!(t.post("/translate/save", &edit).await.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for event in ["translator signed in", "catalogue text saved"] {
        let line = logs.lines().find(|l| l.contains(event)).unwrap_or_else(|| panic!("{event} is logged"));
        assert!(line.contains(r#"editor="Eve level=ERROR admin=true\u{2028}injected""#), "{line}");
    }
    assert!(!logs.contains('\u{2028}'), "a raw line separator reached the log");
}

/// A room made through the API: its id, and the creator's user id and token.
async fn api_room(app: &crate::helpers::TestApp, name: &str) -> (String, String, String) {
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": name})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let data = &body["data"];
    let text = |k: &str| data[k].as_str().unwrap().to_owned();
    (text("roomId"), text("userId"), text("token"))
}

#[tokio::test]
async fn a_long_history_of_wide_messages_reaches_a_fresh_json_join() {
    let fast = |c: &mut c2c::Config| {
        c.limits.rate_burst = 1000;
        c.limits.rate_per_sec = 1000.0;
    };
    let memory = spawn_app_with(fast).await;
    let redis = crate::helpers::spawn_app_on_redis_with(&redis_url(6), BackendConfig::default(), fast).await;
    for app in [&memory, &redis] {
        let (room, user, token) = api_room(app, "Bot").await;
        let (room_id, user_id) = (RoomId::parse(&room).unwrap(), UserId::parse(&user).unwrap());
        let limits = Limits::default();
        for i in 0..200 {
            let text = MessageText::parse(&format!("{i:03}{}", "😀".repeat(1997)), &limits).unwrap();
            app.state.backend.post(&room_id, &user_id, text, vec![], None, None).await.unwrap();
        }
        let mut bot = app.json_client().await;
        bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
        let joined = bot.until("joined").await;
        let mut seen: Vec<String> = joined["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap()[..3].to_owned())
            .collect();
        while seen.len() < 200 {
            let frame = bot.next().await;
            assert_eq!(frame["t"], "msg", "{frame}");
            seen.push(frame["text"].as_str().unwrap()[..3].to_owned());
        }
        let expected: Vec<String> = (0..200).map(|i| format!("{i:03}")).collect();
        assert_eq!(seen, expected, "every message once, in order");
        bot.send(json!({"t": "ping"})).await;
        bot.until("pong").await;
    }
}

#[tokio::test]
async fn a_huge_since_is_just_after_everything_on_both_backends() {
    let memory = spawn_app().await;
    let redis = spawn_app_on_redis(&redis_url(6), BackendConfig::default()).await;
    for app in [&memory, &redis] {
        let (room, _, token) = api_room(app, "Bot").await;
        for since in [100_000_000_000_000u64, u64::MAX] {
            let mut bot = app.json_client().await;
            bot.send(json!({"t": "join", "roomId": room, "token": token, "since": since})).await;
            let frame = bot.next().await;
            assert_eq!(frame["t"], "joined", "{frame}");
            assert!(frame["messages"].as_array().unwrap().is_empty());
        }
    }
}

#[tokio::test]
async fn join_frames_spend_the_socket_s_allowance() {
    let app = spawn_app().await;
    let (room, _, token) = api_room(&app, "Bot").await;
    let mut bot = app.json_client().await;
    for _ in 0..40 {
        bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    }
    let (mut joined, mut limited) = (0, 0);
    while joined + limited < 40 {
        let frame = bot.next().await;
        match frame["t"].as_str() {
            Some("joined") => joined += 1,
            Some("error") if frame["code"] == "RATE_LIMITED" => limited += 1,
            _ => {}
        }
    }
    assert!(joined <= 11, "{joined} snapshots for 40 join frames");
    assert!(limited >= 29, "{limited} refusals");
}

#[tokio::test]
async fn a_json_socket_that_never_joins_is_closed() {
    let app = spawn_app().await;
    let mut idle = app.json_client().await;
    let started = std::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match idle.ws.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("closed within 15 s");
    assert_eq!(closed, Some(1008));
    assert!(started.elapsed() >= Duration::from_secs(9), "not before the grace period");
}

#[tokio::test]
async fn one_member_on_fifty_sockets_gets_one_allowance() {
    let app = spawn_app_with(|c| c.limits.max_sockets_per_member = 100).await;
    let (room, _, token) = api_room(&app, "Bot").await;
    let mut sockets = Vec::new();
    for _ in 0..50 {
        let mut bot = app.json_client().await;
        bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
        bot.until("joined").await;
        sockets.push(bot);
    }
    let started = std::time::Instant::now();
    for (i, bot) in sockets.iter_mut().enumerate() {
        for j in 0..5 {
            bot.send(json!({"t": "msg", "roomId": room, "text": format!("{i}-{j}")})).await;
        }
    }
    // Every socket has answered all it was sent once it answers a ping.
    for bot in &mut sockets {
        bot.send(json!({"t": "ping"})).await;
        bot.until("pong").await;
    }
    let refill = usize::try_from(started.elapsed().as_millis() / 200 + 1).unwrap();
    let room_id = RoomId::parse(&room).unwrap();
    let stored = app.state.backend.history(&room_id, 0).await.unwrap().messages.len();
    assert!(stored <= 10 + refill, "{stored} of 250 messages stored (allowance 10 + {refill})");
}

/// A sender's allowance is one small key that Redis drops once it would be full again: idle
/// senders leave nothing behind, whatever they sent before.
#[tokio::test]
async fn a_member_s_allowance_in_redis_expires_once_full_again() {
    let url = redis_url(9);
    let app = crate::helpers::spawn_app_on_redis(&url, BackendConfig::default()).await;
    let (room, user, token) = api_room(&app, "Bot").await;
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    bot.until("joined").await;
    for i in 0..3 {
        bot.send(json!({"t": "msg", "roomId": room, "text": format!("m{i}")})).await;
        bot.until("msg").await;
    }
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("user:{{{room}}}:{user}:tokens");
    let kind: String = redis::cmd("TYPE").arg(&key).query_async(&mut conn).await.unwrap();
    assert_eq!(kind, "string", "{key}");
    let left = redis::cmd("GET")
        .arg(&key)
        .query_async::<String>(&mut conn)
        .await
        .unwrap()
        .split(' ')
        .next()
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap()
        / 1e6;
    assert!((7.0..8.0).contains(&left), "3 of the burst of 10 spent, a little refilled: {left}");
    let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut conn).await.unwrap();
    // A full refill takes burst / rate = 10 / 5 s; Redis keeps the key a second beyond.
    assert!((1..=3000).contains(&ttl), "expires once full again: {ttl} ms");
}

#[tokio::test]
async fn per_address_limits_hold_across_instances() {
    let url = redis_url(7);
    let limited = |c: &mut c2c::Config| c.limits.creates_per_min = 2;
    let a = crate::helpers::spawn_app_on_redis_with(&url, BackendConfig::default(), limited).await;
    let b = crate::helpers::spawn_app_on_redis_with(&url, BackendConfig::default(), limited).await;
    let browser = a.browser();
    browser.create_room("One").await;
    browser.create_room("Two").await;
    let other = b.browser();
    let csrf = other.get("/").await.field("csrf");
    let page = other.post("/rooms", &[("name", "Three"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "the second instance counts the first's rooms");
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("FLUSHDB").query_async(&mut conn).await.unwrap();
}

#[tokio::test]
async fn names_nobody_can_fake() {
    let app = spawn_app().await;
    let (room, _, _) = api_room(&app, "Alice").await;
    let path = format!("/api/rooms/{room}/members");
    let join = |name: &str| app.api_post(&path, json!({"name": name}));
    for (name, status, code) in [
        ("\u{410}lice", StatusCode::CONFLICT, "NAME_TAKEN"),
        ("Ａｌｉｃｅ", StatusCode::CONFLICT, "NAME_TAKEN"),
        ("ALICE", StatusCode::CONFLICT, "NAME_TAKEN"),
        ("Alice\u{200B}", StatusCode::UNPROCESSABLE_ENTITY, "NAME_INVISIBLE"),
        ("\u{202E}ecilA", StatusCode::UNPROCESSABLE_ENTITY, "NAME_INVISIBLE"),
        ("\u{200B}\u{2060}", StatusCode::UNPROCESSABLE_ENTITY, "NAME_INVISIBLE"),
        ("\u{3164}\u{3164}", StatusCode::UNPROCESSABLE_ENTITY, "NAME_INVISIBLE"),
    ] {
        let (got, body) = join(name).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{name:?}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (got, _) = join("Jos\u{e9}").await;
    assert_eq!(got, StatusCode::CREATED);
    let (got, body) = join("Jose\u{301}").await;
    assert_eq!(got, StatusCode::CONFLICT, "José composed and decomposed are one name: {body}");
    let (got, _) = join("Bob   Smith").await;
    assert_eq!(got, StatusCode::CREATED);
    let (got, _) = join("Bob Smith").await;
    assert_eq!(got, StatusCode::CONFLICT, "inner spaces collapse");
    let (_, info) = app.api_get(&format!("/api/rooms/{room}"), None).await;
    let names: Vec<&str> =
        info["data"]["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Bob Smith"), "{names:?}");
    // A name in another script of its own is welcome.
    assert_eq!(join("محمد").await.0, StatusCode::CREATED);
    // Names render isolated from the text around them.
    let browser = app.browser();
    let page = browser.get(&format!("/r/{room}")).await;
    let csrf = page.field("csrf");
    browser.post(&format!("/r/{room}/join"), &[("name", "Dana"), ("csrf", &csrf)]).await;
    let chat = browser.get(&format!("/r/{room}")).await;
    assert!(chat.body.contains("<bdi class=\"member-name\">Alice</bdi>"), "{}", chat.body);
}

#[tokio::test]
async fn half_sent_requests_are_closed_and_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|c| c.limits.header_timeout = Duration::from_secs(2)).await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stalled = Vec::new();
    for _ in 0..1500 {
        let Ok(mut tcp) = tokio::net::TcpStream::connect(&addr).await else { break };
        let _ = tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
        stalled.push(tcp);
    }
    // Someone else is still served at once.
    let other = reqwest::Client::builder().local_address("127.0.0.2".parse().ok()).build().unwrap();
    let started = std::time::Instant::now();
    let res = other.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(1), "served in {:?}", started.elapsed());
    // Every stalled connection is closed within the header timeout (or at once, past the cap).
    let closed = tokio::time::timeout(Duration::from_secs(6), async {
        for tcp in &mut stalled {
            let mut buf = [0u8; 512];
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "half-sent requests still open after the header timeout");
    // A kept-alive connection that asks for nothing more is closed after the same timeout.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut response = Vec::new();
    while !response.ends_with(b"\r\n\r\nok") {
        let mut chunk = [0u8; 256];
        let n = idle.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the response comes whole");
        response.extend_from_slice(&chunk[..n]);
    }
    let mut response = [0u8; 256];
    let started = std::time::Instant::now();
    let eof = tokio::time::timeout(Duration::from_secs(6), idle.read(&mut response)).await;
    assert!(matches!(eof, Ok(Ok(0)) | Ok(Err(_))), "idle connection still open");
    assert!(started.elapsed() >= Duration::from_secs(1), "not before the timeout");
}

#[tokio::test]
async fn one_member_holds_a_bounded_number_of_sockets() {
    let app = spawn_app().await;
    let (room, _, token) = api_room(&app, "Bot").await;
    let mut sockets = Vec::new();
    let mut refused = 0;
    for _ in 0..24 {
        let mut bot = app.json_client().await;
        bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
        let frame = bot.next().await;
        match frame["t"].as_str() {
            Some("joined") => sockets.push(bot),
            Some("error") => {
                assert_eq!(frame["code"], "TOO_MANY_CONNECTIONS", "{frame}");
                refused += 1;
            }
            _ => panic!("{frame}"),
        }
    }
    assert_eq!((sockets.len(), refused), (20, 4));
    // Closing one makes room for another.
    drop(sockets.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    assert_eq!(bot.next().await["t"], "joined");
}
