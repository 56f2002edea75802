//! The original JSON contract: the REST envelope and the JSON WebSocket, on a real listener,
//! with responses checked against the served OpenAPI description.

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{JsonClient, TestApp, spawn_app, spawn_app_with_backend};

/// Checks `value` against `schema` (OpenAPI 3.1 subset: $ref, type, required, properties,
/// items). Returns what does not match.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return conforms(doc, &doc["components"]["schemas"][name], value, at);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return if options.iter().any(|o| conforms(doc, o, value, at).is_ok()) {
            Ok(())
        } else {
            Err(format!("{at}: matches none of {options:?}"))
        };
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let fits = types.is_empty() || types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
    if !fits {
        return Err(format!("{at}: {kind} where the schema says {types:?}"));
    }
    if let (Some(required), Value::Object(map)) = (schema["required"].as_array(), value) {
        for field in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(field) {
                return Err(format!("{at}: missing required {field}"));
            }
        }
    }
    if let (Some(props), Value::Object(map)) = (schema["properties"].as_object(), value) {
        for (name, sub) in props {
            if let Some(v) = map.get(name) {
                conforms(doc, sub, v, &format!("{at}.{name}"))?;
            }
        }
        for name in map.keys() {
            if !props.contains_key(name) {
                return Err(format!("{at}: {name} is not in the schema"));
            }
        }
    }
    if let (Some(items), Value::Array(list)) = (schema.get("items"), value) {
        for (i, v) in list.iter().enumerate() {
            conforms(doc, items, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

/// Asserts a real response matches what the OpenAPI description promises for it.
async fn assert_documented(app: &TestApp, method: &str, path: &str, status: StatusCode, body: &Value) {
    let (_, doc) = app.api_get("/api/openapi.json", None).await;
    let operation = &doc["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is documented");
    let response = &operation["responses"][status.as_str()];
    assert!(response.is_object(), "{method} {path} documents {status}");
    let schema = &response["content"]["application/json"]["schema"];
    if let Err(problem) = conforms(&doc, schema, body, "body") {
        panic!("{method} {path} {status} does not match its schema: {problem}\n{body}");
    }
}

fn assert_envelope(body: &Value, success: bool) {
    assert_eq!(body["success"], success, "{body}");
    let ts = body["timestamp"].as_str().unwrap();
    assert!(ts.len() == 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "RFC 3339 UTC: {ts}");
    time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).unwrap();
}

#[tokio::test]
async fn rest_calls_and_their_envelopes() {
    let app = spawn_app().await;
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": "테스터"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_envelope(&body, true);
    assert_documented(&app, "post", "/api/rooms", status, &body).await;
    let room = body["data"]["roomId"].as_str().unwrap().to_owned();
    assert!(body["data"]["token"].as_str().unwrap().len() > 40);

    let (status, info) = app.api_get(&format!("/api/rooms/{room}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_documented(&app, "get", "/api/rooms/{roomId}", status, &info).await;
    assert_eq!(info["data"]["status"], "active");
    assert_eq!(info["data"]["memberCount"], 1);
    assert_eq!(info["data"]["members"][0]["name"], "테스터");

    let (status, joined) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Bot"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_documented(&app, "post", "/api/rooms/{roomId}/members", status, &joined).await;
    assert_ne!(joined["data"]["token"], body["data"]["token"]);

    let (status, taken) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "bot"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(taken["error"]["code"], "NAME_TAKEN");
    assert_eq!(taken["error"]["details"]["field"], "name");
    assert_documented(&app, "post", "/api/rooms/{roomId}/members", status, &taken).await;
}

#[tokio::test]
async fn rest_errors_are_localized_and_name_the_field() {
    let app = spawn_app().await;
    let (status, body) = app.api_get("/api/rooms/AAAAAAAAAAAAAAAA", Some("ko")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_envelope(&body, false);
    assert_eq!(body["error"]["code"], "ROOM_NOT_FOUND");
    assert_eq!(body["error"]["message"], "채팅방이 없거나 만료되었습니다.");
    assert!(body["data"].is_null());
    assert_documented(&app, "get", "/api/rooms/{roomId}", status, &body).await;
    let (status, _) = app.api_get("/api/rooms/not-an-id", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for (payload, code) in [
        (json!({"creatorName": ""}), "NAME_REQUIRED"),
        (json!({}), "NAME_REQUIRED"),
        (json!({"creatorName": "x".repeat(33)}), "NAME_TOO_LONG"),
        (json!({"creatorName": "a\u{1}b"}), "NAME_INVALID"),
    ] {
        let (status, body) = app.api_post("/api/rooms", payload).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["code"], code);
        assert_eq!(body["error"]["details"]["field"], "creatorName");
        assert_documented(&app, "post", "/api/rooms", status, &body).await;
    }
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": "x".repeat(33)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["message"].as_str().unwrap().contains("32"));

    let res = reqwest::Client::new()
        .post(format!("{}/api/rooms", app.base))
        .header("content-type", "application/json")
        .header("accept-language", "ko")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION_ERROR");
    assert!(body["error"]["message"].as_str().unwrap().contains("요청"));
    assert_documented(&app, "post", "/api/rooms", StatusCode::BAD_REQUEST, &body).await;
    let (status, body) = app.api_get("/api/nothing-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "PAGE_NOT_FOUND");
}

pub(crate) async fn room_with_token(app: &TestApp, name: &str) -> (String, String) {
    let (_, body) = app.api_post("/api/rooms", json!({"creatorName": name})).await;
    (body["data"]["roomId"].as_str().unwrap().to_owned(), body["data"]["token"].as_str().unwrap().to_owned())
}

/// A program's socket in a new room of its own, past its `joined` frame.
async fn joined_bot(app: &TestApp) -> (String, JsonClient) {
    let (room, token) = room_with_token(app, "Bot").await;
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    bot.until("joined").await;
    (room, bot)
}

#[tokio::test]
async fn the_json_socket_joins_chats_and_answers_pings() {
    let app = spawn_app().await;
    let (room, token) = room_with_token(&app, "Bot").await;
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    let joined = bot.until("joined").await;
    assert_eq!(joined["roomId"], room.as_str());
    assert_eq!(joined["me"]["name"], "Bot");
    assert_eq!(joined["members"][0]["online"], true);
    assert!(joined["messages"].as_array().unwrap().is_empty());

    bot.send(json!({"t": "ping"})).await;
    assert_eq!(bot.next().await, json!({"t": "pong"}));
    bot.send(json!({"t": "msg", "roomId": room, "text": "beep"})).await;
    let msg = bot.until("msg").await;
    assert_eq!(msg["text"], "beep");
    assert_eq!(msg["id"], 1);
    assert_eq!(msg["from"], joined["me"]["userId"]);
    assert!(msg["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn bad_frames_get_error_events_and_the_socket_stays_open() {
    let app = spawn_app().await;
    let (room, token) = room_with_token(&app, "Bot").await;
    let (other, _) = room_with_token(&app, "Other").await;
    let mut bot = app.json_client().await;
    let mut ko = app.json_client().await;

    bot.send(json!({"t": "msg", "roomId": room, "text": "too early"})).await;
    assert_eq!(bot.until("error").await["code"], "NOT_A_MEMBER");
    bot.send(json!({"t": "join", "roomId": room, "token": "forged.token"})).await;
    assert_eq!(bot.until("error").await["code"], "SESSION_EXPIRED");
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    bot.until("joined").await;
    for garbage in
        ["this is not json", "{\"t\":\"dance\"}", "{\"t\":\"msg\"}", "[]", "{\"t\":\"join\",\"roomId\":1}"]
    {
        bot.send_raw(Message::Text(garbage.into())).await;
        let error = bot.until("error").await;
        assert_eq!(error["code"], "VALIDATION_ERROR", "{garbage}");
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    bot.send_raw(Message::Binary(vec![1, 2, 3].into())).await;
    assert_eq!(bot.until("error").await["code"], "VALIDATION_ERROR");
    bot.send(json!({"t": "msg", "roomId": other, "text": "wrong room"})).await;
    assert_eq!(bot.until("error").await["code"], "NOT_A_MEMBER");
    bot.send(json!({"t": "msg", "roomId": room, "text": "x".repeat(2001)})).await;
    assert_eq!(bot.until("error").await["code"], "MESSAGE_TOO_LONG");
    bot.send(json!({"t": "msg", "roomId": room, "text": "  "})).await;
    assert_eq!(bot.until("error").await["code"], "MESSAGE_EMPTY");
    bot.send(json!({"t": "msg", "roomId": room, "text": "still here"})).await;
    assert_eq!(bot.until("msg").await["text"], "still here");

    // Errors come in the language the socket asked for.
    let url = format!("{}/ws?lang=ko", app.base.replacen("http", "ws", 1));
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    ko.ws = ws;
    ko.send(json!({"t": "msg", "roomId": room, "text": "x"})).await;
    let error = ko.until("error").await;
    assert!(error["message"].as_str().unwrap().contains("멤버가 아닙니다"), "{error}");
}

#[tokio::test]
async fn since_resumes_after_the_last_message_seen() {
    let app = spawn_app().await;
    let (room, token) = room_with_token(&app, "Bot").await;
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    bot.until("joined").await;
    for text in ["one", "two", "three"] {
        bot.send(json!({"t": "msg", "roomId": room, "text": text, "clientId": text})).await;
        bot.until("msg").await;
    }
    drop(bot);
    let mut again = app.json_client().await;
    again.send(json!({"t": "join", "roomId": room, "token": token, "since": 1})).await;
    let joined = again.until("joined").await;
    let texts: Vec<&str> =
        joined["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["two", "three"]);
    assert_eq!(joined["truncated"], false);
    // Resending with a used clientId stores nothing new.
    again.send(json!({"t": "msg", "roomId": room, "text": "three", "clientId": "three"})).await;
    again.send(json!({"t": "msg", "roomId": room, "text": "four"})).await;
    let next = again.until("msg").await;
    assert_eq!(next["text"], "four");
    assert_eq!(next["id"], 4);
}

#[tokio::test]
async fn programs_and_browsers_share_one_room() {
    let app = spawn_app().await;
    let (room, mut bot) = joined_bot(&app).await;

    let alice = app.browser();
    alice.join(&room, "Alice").await;
    let joined = bot.until("user_joined").await;
    assert_eq!(joined["name"], "Alice");
    assert_eq!(joined["change"], "joined");
    let mut live = alice.connect_live(&room).await;
    live.next_snapshot().await;

    bot.send(json!({"t": "msg", "roomId": room, "text": "<b>hello humans</b>"})).await;
    let frame = live.until("hello humans").await;
    assert!(frame.contains("&#60;b&#62;hello humans"), "escaped in HTML: {frame}");
    live.send_message("hello bot", "h1").await;
    let msg = bot.until("msg").await;
    let msg = if msg["text"] == "hello bot" { msg } else { bot.until("msg").await };
    assert_eq!(msg["text"], "hello bot");
    assert_eq!(msg["name"], "Alice");

    // A bot leaving is seen by the browser.
    bot.send(json!({"t": "leave", "roomId": room})).await;
    live.until("hx-swap-oob=\"delete\"").await;
    assert!(live.until("notice left").await.contains("<bdi>Bot</bdi> left the room"));
}

#[tokio::test]
async fn foreign_origins_cannot_open_the_json_socket() {
    let app = spawn_app().await;
    let url = format!("{}/ws", app.base.replacen("http", "ws", 1));
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url).unwrap();
    request.headers_mut().insert("origin", "http://evil.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status().as_u16(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn the_json_socket_is_rate_limited() {
    let app = spawn_app().await;
    let (room, mut bot) = joined_bot(&app).await;
    for i in 0..15 {
        bot.send(json!({"t": "msg", "roomId": room, "text": format!("spam {i}")})).await;
    }
    let error = bot.until("error").await;
    assert_eq!(error["code"], "RATE_LIMITED");
    assert!(error["message"].as_str().unwrap().contains("Try again in 1 s"));
}

/// A REST call with a member's API token.
async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().request(method, format!("{}{path}", app.base)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn messages_over_rest_match_their_documentation_and_the_socket() {
    use reqwest::Method;
    let app = spawn_app().await;
    let (_, created) = app.api_post("/api/rooms", json!({"creatorName": "Ann"})).await;
    let room = created["data"]["roomId"].as_str().unwrap().to_owned();
    let ann = created["data"]["token"].as_str().unwrap().to_owned();
    let (_, joined) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Bot"})).await;
    let bot = joined["data"]["token"].as_str().unwrap().to_owned();
    let messages = format!("/api/rooms/{room}/messages");

    let (status, none) = call(&app, Method::GET, &messages, "nope", None).await;
    assert_eq!((status, none["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("SESSION_EXPIRED")));
    assert_documented(&app, "get", "/api/rooms/{roomId}/messages", status, &none).await;

    let (status, hello) =
        call(&app, Method::POST, &messages, &ann, Some(json!({"text": "helo <b>bot</b>", "clientId": "c1"})))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_documented(&app, "post", "/api/rooms/{roomId}/messages", status, &hello).await;
    let id = hello["data"]["id"].as_u64().unwrap();
    let (_, again) =
        call(&app, Method::POST, &messages, &ann, Some(json!({"text": "helo <b>bot</b>", "clientId": "c1"})))
            .await;
    assert_eq!(again["data"]["id"].as_u64(), Some(id), "the same client id is stored once");

    let one = format!("{messages}/{id}");
    let (status, refused) = call(&app, Method::PATCH, &one, &bot, Some(json!({"text": "mine now"}))).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("NOT_YOUR_MESSAGE"))
    );
    let (status, edited) =
        call(&app, Method::PATCH, &one, &ann, Some(json!({"text": "hello <b>bot</b>"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_documented(&app, "patch", "/api/rooms/{roomId}/messages/{id}", status, &edited).await;
    assert_eq!(edited["data"]["text"], "hello <b>bot</b>");
    assert!(edited["data"]["editedAt"].is_string());

    let reactions = format!("{one}/reactions");
    let (status, bad) = call(&app, Method::POST, &reactions, &bot, Some(json!({"emoji": "<img>"}))).await;
    assert_eq!(
        (status, bad["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("INVALID_REACTION"))
    );
    let (status, reacted) = call(&app, Method::POST, &reactions, &bot, Some(json!({"emoji": "👍"}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_documented(&app, "post", "/api/rooms/{roomId}/messages/{id}/reactions", status, &reacted).await;
    assert_eq!(
        reacted["data"]["reactions"],
        json!([{"emoji": "👍", "userIds": [joined["data"]["userId"]], "names": ["Bot"]}])
    );

    let (status, reply) =
        call(&app, Method::POST, &messages, &bot, Some(json!({"text": "hi!", "replyTo": id}))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(reply["data"]["replyTo"], json!({"id": id, "name": "Ann", "quote": "hello <b>bot</b>"}));
    let reply_id = reply["data"]["id"].as_u64().unwrap();
    let (status, tombstone) = call(&app, Method::DELETE, &format!("{messages}/{reply_id}"), &ann, None).await;
    assert_eq!(status, StatusCode::OK, "the owner deletes any message");
    assert_documented(&app, "delete", "/api/rooms/{roomId}/messages/{id}", status, &tombstone).await;
    assert_eq!(
        (tombstone["data"]["deleted"].as_bool(), tombstone["data"]["text"].as_str()),
        (Some(true), Some(""))
    );
    let (status, gone) = call(&app, Method::DELETE, &format!("{messages}/{reply_id}"), &ann, None).await;
    assert_eq!((status, gone["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("MESSAGE_NOT_FOUND")));

    // The page says the final state; the socket's `msg` frames say the same.
    let (status, page) = call(&app, Method::GET, &messages, &bot, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_documented(&app, "get", "/api/rooms/{roomId}/messages", status, &page).await;
    let listed = page["data"]["messages"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    let mut ws = app.json_client().await;
    ws.send(json!({"t": "join", "roomId": room, "token": bot})).await;
    let frame = ws.until("joined").await;
    assert_eq!(frame["t"], "joined");
    for (rest, socket) in listed.iter().zip(frame["messages"].as_array().unwrap()) {
        let mut socket = socket.clone();
        let fields = socket.as_object_mut().unwrap();
        fields.remove("t");
        fields.remove("roomId");
        assert_eq!(rest, &socket, "REST and the socket agree");
    }
}

#[tokio::test]
async fn a_join_storm_reaches_programs_as_a_member_list() {
    let app = spawn_app().await;
    let (room, mut bot) = joined_bot(&app).await;

    // Thirty people join within a second: the first few are told one by one, the rest in one
    // member list once the second is over.
    for i in 0..30 {
        let (status, _) =
            app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": format!("p{i}")})).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (mut one_by_one, mut list) = (0, None);
    while list.is_none() {
        let frame = bot.try_next(std::time::Duration::from_secs(5)).await.expect("a member list within 5 s");
        match frame["t"].as_str() {
            Some("user_joined") => one_by_one += 1,
            Some("members") => list = Some(frame),
            _ => {}
        }
    }
    let list = list.unwrap();
    assert!((1..=10).contains(&one_by_one), "{one_by_one} joins told one by one");
    assert_eq!(list["memberCount"], 31);
    assert_eq!(list["onlineCount"], 31);
    assert_eq!(list["members"].as_array().unwrap().len(), 31);
    assert_eq!(list["members"][30]["name"], "p29");
}

/// A socket in a room has no timer of its own: the room's hub tells it when to beat. A program
/// that stays connected and sends nothing stays online through several presence TTLs, and goes
/// offline soon after it disconnects.
#[tokio::test]
async fn a_quiet_socket_stays_online_on_its_room_s_heartbeats() {
    let ttl = std::time::Duration::from_millis(600);
    let app = spawn_app_with_backend(
        |c| {
            c.presence_ttl = ttl;
            c.sweep_interval = std::time::Duration::from_millis(100);
        },
        |_| {},
    )
    .await;
    let (room, bot) = joined_bot(&app).await;
    for _ in 0..5 {
        tokio::time::sleep(ttl).await;
        assert!(online(&app, &room).await, "online while the socket is open");
    }
    drop(bot);
    let deadline = std::time::Instant::now() + ttl * 5;
    while online(&app, &room).await {
        assert!(std::time::Instant::now() < deadline, "offline once the socket closed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Heartbeats every 200 ms; a socket quiet for 500 ms is pinged, one silent for 700 ms closed.
async fn app_with_short_silence() -> TestApp {
    spawn_app_with_backend(
        |c| {
            c.presence_ttl = std::time::Duration::from_millis(600);
            c.sweep_interval = std::time::Duration::from_millis(100);
        },
        |c| c.limits.silence_limit = std::time::Duration::from_millis(700),
    )
    .await
}

/// A program that stops answering (its pongs stop coming) is closed at the first heartbeat past
/// the silence limit, and its member goes offline, though it never closed its end.
#[tokio::test]
async fn a_silent_socket_is_closed_and_its_member_goes_offline() {
    let app = app_with_short_silence().await;
    let (room, mut bot) = joined_bot(&app).await;
    // Not reading: the server's pings go unanswered.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while online(&app, &room).await {
        assert!(std::time::Instant::now() < deadline, "a silent socket is closed");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // What the server sent before giving up on it, then its close.
    let closed = async {
        loop {
            match bot.ws.next().await {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            }
        }
    };
    assert!(
        tokio::time::timeout(std::time::Duration::from_secs(5), closed).await.is_ok(),
        "the server ended the socket"
    );
}

/// A program that sends nothing but answers the server's pings (as every WebSocket client does
/// while it reads) stays connected and online well past the silence limit.
#[tokio::test]
async fn a_quiet_socket_that_answers_pings_stays_open() {
    let app = app_with_short_silence().await;
    let (room, mut bot) = joined_bot(&app).await;
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < until {
        // Reading answers pings; nothing else arrives in a quiet room.
        match tokio::time::timeout(std::time::Duration::from_millis(300), bot.ws.next()).await {
            Err(_) | Ok(Some(Ok(Message::Ping(_) | Message::Text(_)))) => {}
            Ok(other) => panic!("the socket stays open, got {other:?}"),
        }
        assert!(online(&app, &room).await, "online while answering pings");
    }
}

async fn online(app: &TestApp, room: &str) -> bool {
    let (_, info) = app.api_get(&format!("/api/rooms/{room}"), None).await;
    info["data"]["members"][0]["online"] == true
}
