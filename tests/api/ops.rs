//! Operations and hardening on a real listener: metrics, headers, request ids, per-address
//! limits, bursts, cookies, graceful shutdown.

use std::time::{Duration, Instant};

use c2c::backend::BackendConfig;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{both_live, redis_url, spawn_app, spawn_app_on_redis, spawn_app_with};

#[tokio::test]
async fn metrics_are_prometheus_text_with_the_documented_series() {
    let app = spawn_app().await;
    let (_, _, mut live) = app.room_with_live("Alice").await;
    live.send_message("counted", "m1").await;
    live.until("counted").await;
    let body = app.browser().get("/metrics").await.body;
    let lines = body.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text");
    let names: std::collections::BTreeSet<&str> = scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    for wanted in [
        "c2c_sockets_open",
        "c2c_messages_in_total",
        "c2c_frames_out_total",
        "c2c_delivery_latency_seconds",
        "c2c_rooms_live",
    ] {
        assert!(names.contains(wanted), "{wanted} in {names:?}");
    }
    let open_html = scrape
        .samples
        .iter()
        .find(|s| s.metric == "c2c_sockets_open" && s.labels.get("kind") == Some("html"))
        .expect("html sockets gauge");
    assert!(matches!(open_html.value, prometheus_parse::Value::Gauge(v) if v >= 1.0));
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    let b = app.browser();
    let room = b.create_room("Alice").await;
    for path in [
        "/",
        &format!("/r/{room}"),
        "/r/AAAAAAAAAAAAAAAA",
        "/nope",
        "/assets/app.css",
        "/api/rooms/x",
        "/healthz",
    ] {
        let page = b.get(path).await;
        let header =
            |name: &str| page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(header("x-request-id").len(), 12, "{path}");
    }
    let page = b.get("/r/AAAAAAAAAAAAAAAA").await;
    let id = page.headers.get("x-request-id").unwrap().to_str().unwrap().to_owned();
    assert!(page.body.contains(&format!("<code>{id}</code>")), "the error page shows its request id");
}

#[tokio::test]
async fn room_creation_and_joins_are_limited_per_address() {
    let app = spawn_app_with(|c| {
        c.limits.creates_per_min = 2;
        c.limits.joins_per_min = 2;
    })
    .await;
    let mut b = app.browser();
    b.lang = Some("ko");
    let room = b.create_room("one").await;
    b.create_room("two").await;
    let csrf = b.get("/").await.field("csrf");
    let page = b.post("/rooms", &[("name", "three"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = page.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert!(page.body.contains("너무 빠르게 보내고 있습니다"), "{}", page.body);
    // The API shares the address's budget.
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": "four"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    // A forged X-Forwarded-For from an untrusted peer changes nothing.
    let res = reqwest::Client::new()
        .post(format!("{}/api/rooms", app.base))
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"creatorName": "five"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // Joins have their own budget.
    for name in ["j1", "j2"] {
        let (status, _) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": name})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, _) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "j3"})).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_budget() {
    let app = spawn_app_with(|c| {
        c.limits.creates_per_min = 1;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let create = async |xff: &str| {
        reqwest::Client::new()
            .post(format!("{}/api/rooms", app.base))
            .header("x-forwarded-for", xff)
            .json(&json!({"creatorName": "x"}))
            .send()
            .await
            .unwrap()
            .status()
    };
    assert_eq!(create("203.0.113.1").await, StatusCode::CREATED);
    assert_eq!(create("203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(create("203.0.113.2").await, StatusCode::CREATED, "another client behind the proxy");
}

#[tokio::test]
async fn sixty_messages_in_a_burst_are_limited_and_others_are_unaffected() {
    let app = spawn_app().await;
    let mut alice = app.browser();
    alice.lang = Some("ko");
    let bob = app.browser();
    let (room, mut a, mut b) = both_live(&alice, &bob).await;
    for i in 0..60 {
        a.send_message(&format!("burst {i}"), &format!("c{i}")).await;
    }
    let notice = a.until("composer-error").await;
    assert!(notice.contains("초 후에 다시 시도하세요"), "{notice}");
    b.send_message("bob gets through", "b1").await;
    a.until("bob gets through").await;
    let history = app.state.backend.history(&c2c::domain::RoomId::parse(&room).unwrap(), 0).await.unwrap();
    let stored = history.messages.iter().filter(|m| m.text.as_str().starts_with("burst")).count();
    assert!((10..=12).contains(&stored), "the burst allowance and little more: {stored}");
}

#[tokio::test]
async fn secure_cookies_when_configured() {
    let app = spawn_app_with(|c| c.secure_cookies = true).await;
    let page = app.browser().get("/").await;
    let cookie = page.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn shutdown_closes_sockets_cleans_presence_and_returns_promptly() {
    let url = redis_url(4);
    let mut a = spawn_app_on_redis(&url, BackendConfig::default()).await;
    let b = spawn_app_on_redis(&url, BackendConfig::default()).await;
    let (_, created) = a.api_post("/api/rooms", json!({"creatorName": "Bot"})).await;
    let room = created["data"]["roomId"].as_str().unwrap().to_owned();
    let user = created["data"]["userId"].as_str().unwrap().to_owned();
    let token = created["data"]["token"].as_str().unwrap().to_owned();
    let mut bot = a.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    bot.until("joined").await;
    let conns_key = format!("user:{{{room}}}:{user}:conns");
    let mut redis =
        redis::Client::open(url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let before: i64 = redis::cmd("ZCARD").arg(&conns_key).query_async(&mut redis).await.unwrap();
    assert_eq!(before, 1, "the socket (the page view handed its presence to it)");

    let started = Instant::now();
    a.shut_down();
    let close =
        tokio::time::timeout(Duration::from_secs(10), bot.ws.next_close()).await.expect("closed in time");
    assert_eq!(close, Some(1012));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let after: i64 = redis::cmd("ZCARD").arg(&conns_key).query_async(&mut redis).await.unwrap();
        if after == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the socket's presence is cleaned up on shutdown");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    // The other instance serves the room on.
    let (status, _) = b.api_get(&format!("/api/rooms/{room}"), None).await;
    assert_eq!(status, StatusCode::OK);
}

trait NextClose {
    async fn next_close(&mut self) -> Option<u16>;
}

impl NextClose
    for tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>
{
    async fn next_close(&mut self) -> Option<u16> {
        use futures_util::StreamExt;
        while let Some(frame) = self.next().await {
            if let Ok(tokio_tungstenite::tungstenite::Message::Close(frame)) = frame {
                return frame.map(|f| f.code.into());
            }
        }
        None
    }
}
