//! The live socket on a real listener with a real WebSocket client, as htmx uses it.

use std::time::Duration;

use reqwest::StatusCode;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{both_live, count, spawn_app, spawn_app_with};

#[tokio::test]
async fn two_members_chat_live_and_see_each_other_join() {
    let app = spawn_app().await;
    let alice = app.browser();
    let bob = app.browser();
    let room = alice.create_room("Alice").await;
    let mut a = alice.connect_live(&room).await;
    let snapshot = a.next_snapshot().await;
    assert!(snapshot.contains(r#"id="messages" hx-swap-oob="innerHTML""#));
    assert!(snapshot.contains(r#"id="members" hx-swap-oob="innerHTML""#));
    assert!(snapshot.contains("Alice"));

    bob.join(&room, "Bob").await;
    let member = a.until(r#"id="members" hx-swap-oob="beforeend""#).await;
    assert!(member.contains("Bob"), "{member}");
    let joined = a.until("notice joined").await;
    assert!(joined.contains("<bdi>Bob</bdi> joined"), "the name isolated: {joined}");

    let mut b = bob.connect_live(&room).await;
    let snap_b = b.next_snapshot().await;
    assert!(snap_b.contains("Alice") && snap_b.contains("Bob"));

    a.send_message("hi bob", "c1").await;
    for live in [&mut a, &mut b] {
        let frame = live.until("hi bob").await;
        assert!(frame.contains(r#"<ol id="messages" hx-swap-oob="beforeend">"#), "{frame}");
        assert!(frame.contains(r#"class="msg""#));
    }
    b.send_message("hi alice", "c2").await;
    a.until("hi alice").await;
    // The no-JavaScript page sees the socket's messages too.
    let page = bob.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("hi bob") && page.body.contains("hi alice"));
}

#[tokio::test]
async fn a_reconnecting_socket_gets_exactly_what_it_missed() {
    let app = spawn_app().await;
    let alice = app.browser();
    let bob = app.browser();
    let room = alice.create_room("Alice").await;
    bob.join(&room, "Bob").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    a.send_message("said first", "c0").await;
    a.until("said first").await;
    drop(a);

    for text in ["missed one", "missed two", "missed three"] {
        assert_eq!(bob.send_form(&room, text).await.status, StatusCode::SEE_OTHER);
    }
    let mut a = alice.connect_live(&room).await;
    let snapshot = a.next_snapshot().await;
    for text in ["said first", "missed one", "missed two", "missed three"] {
        assert_eq!(count(&snapshot, text), 1, "{text} once in {snapshot}");
    }
    // Nothing is delivered twice after the snapshot; new messages still arrive.
    bob.send_form(&room, "after").await;
    let next = a.until("msg-").await;
    assert!(next.contains("after"), "{next}");
    assert!(!next.contains("missed"));
}

#[tokio::test]
async fn frames_escape_user_text() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let mallory = app.browser();
    mallory.join(&room, "<img src=x onerror=alert(1)>").await;
    let mut a = alice.connect_live(&room).await;
    let snapshot = a.next_snapshot().await;
    assert!(!snapshot.contains("<img src=x"), "{snapshot}");
    assert!(snapshot.contains("&#60;img src=x onerror=alert(1)&#62;"));
    a.send_message("<script>alert(1)</script><b>bold</b>", "x1").await;
    let frame = a.until("alert").await;
    assert!(!frame.contains("<script>") && !frame.contains("<b>"), "{frame}");
    assert!(frame.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#60;b&#62;bold&#60;/b&#62;"));
}

#[tokio::test]
async fn foreign_origins_and_non_members_are_refused_before_the_upgrade() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let refused = |r: Result<crate::helpers::Live, WsError>| match r {
        Err(WsError::Http(res)) => res.status().as_u16(),
        Err(other) => panic!("unexpected {other}"),
        Ok(_) => panic!("upgrade accepted"),
    };
    assert_eq!(refused(alice.try_connect_live(&room, Some("http://evil.example")).await), 403);
    assert_eq!(refused(alice.try_connect_live(&room, None).await), 403);
    // A browser with a session that never joined this room.
    let stranger = app.browser();
    stranger.get(&format!("/r/{room}")).await;
    assert_eq!(refused(stranger.try_connect_live(&room, Some(&app.base)).await), 403);
}

#[tokio::test]
async fn a_vanished_session_is_told_to_rejoin_and_not_retried() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let stale = app.browser();
    stale.jar.add_cookie_str("c2c_session=AAAAAAAAAAAAAAAAAAAAAA", &app.base.parse().unwrap());
    let mut live = stale.connect_live(&room).await;
    let frame = live.next_text().await;
    assert!(frame.contains("Your session has expired"), "{frame}");
    assert!(frame.contains(&format!("href=\"/r/{room}\"")));
    assert_eq!(live.closed_with().await, Some(1008));
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_socket_stays_usable() {
    let app = spawn_app().await;
    let (_, _, mut a) = app.room_with_live("Alice").await;

    a.send_raw(Message::Text("{not json".into())).await;
    assert!(a.until("composer-error").await.contains("could not be understood"));
    a.send_raw(Message::Binary(vec![0, 159, 146, 150].into())).await;
    assert!(a.until("composer-error").await.contains("could not be understood"));
    a.send_message(&"y".repeat(17 * 1024), "big").await;
    assert!(a.until("composer-error").await.contains("at most 2000 characters"));
    a.send_message(&"z".repeat(2001), "long").await;
    assert!(a.until("composer-error").await.contains("at most 2000 characters"));
    a.send_message("   ", "blank").await;
    assert!(a.until("composer-error").await.contains("Type a message first"));
    a.send_raw(Message::Text(r#"{"HEADERS":{}}"#.into())).await;
    assert!(a.until("composer-error").await.contains("could not be understood"));

    a.send_message("still works", "ok1").await;
    // The error is cleared after a good send, and the message arrives.
    let cleared = a.until("composer-error").await;
    assert!(cleared.contains(r#"hx-swap-oob="true"></p>"#), "{cleared}");
    let frame = a.until("still works").await;
    assert!(frame.contains("msg-"));
}

#[tokio::test]
async fn errors_on_the_socket_are_localized() {
    let app = spawn_app().await;
    let mut alice = app.browser();
    alice.lang = Some("ko");
    let room = alice.create_room("앨리스").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    a.send_message("", "e1").await;
    assert!(a.until("composer-error").await.contains("메시지를 입력하세요."));
}

#[tokio::test]
async fn a_burst_is_rate_limited_and_others_still_get_through() {
    let app = spawn_app().await;
    let alice = app.browser();
    let bob = app.browser();
    let (room, mut a, mut b) = both_live(&alice, &bob).await;

    for i in 0..15 {
        a.send_message(&format!("burst {i}"), &format!("b{i}")).await;
    }
    let notice = a.until("You are sending too fast").await;
    assert!(notice.contains("Try again in 1 s"), "{notice}");
    b.send_message("bob is fine", "bob1").await;
    b.until("bob is fine").await;
    a.until("bob is fine").await;
    let history = app.state.backend.history(&c2c::domain::RoomId::parse(&room).unwrap(), 0).await.unwrap();
    let bursts = history.messages.iter().filter(|m| m.text.as_str().starts_with("burst")).count();
    assert_eq!(bursts, 10, "the burst allowance, no more");
}

#[tokio::test]
async fn resent_messages_with_the_same_client_id_are_stored_once() {
    let app = spawn_app().await;
    let (alice, room, mut a) = app.room_with_live("Alice").await;
    a.send_message("queued while offline", "same-id").await;
    a.until("queued while offline").await;
    drop(a);
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    a.send_message("queued while offline", "same-id").await;
    assert!(a.try_next_text(Duration::from_millis(500)).await.is_none());
    let chat = alice.get(&format!("/r/{room}")).await;
    assert_eq!(count(&chat.body, "queued while offline"), 1);
}

#[tokio::test]
async fn members_go_offline_when_their_socket_closes() {
    let app = spawn_app().await;
    let alice = app.browser();
    let bob = app.browser();
    let room = alice.create_room("Alice").await;
    bob.join(&room, "Bob").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    let b = bob.connect_live(&room).await;
    drop(b);
    // Leaving removes him from every list at once and says so in the history.
    let csrf = bob.get(&format!("/r/{room}")).await.field("csrf");
    bob.post(&format!("/r/{room}/leave"), &[("csrf", &csrf)]).await;
    a.until("hx-swap-oob=\"delete\"").await;
    let left = a.until("notice left").await;
    assert!(left.contains("<bdi>Bob</bdi> left the room"));
}

#[tokio::test]
async fn oversized_limits_follow_configuration() {
    let app = spawn_app_with(|c| c.limits.max_message_chars = 10).await;
    let (_, _, mut a) = app.room_with_live("Alice").await;
    a.send_message("12345678901", "l1").await;
    assert!(a.until("composer-error").await.contains("at most 10 characters"));
}

#[tokio::test]
async fn shutdown_closes_sockets_with_1012_so_browsers_reconnect() {
    let mut app = spawn_app().await;
    let (_, _, mut a) = app.room_with_live("Alice").await;
    app.shut_down();
    assert_eq!(a.closed_with().await, Some(1012));
}

#[tokio::test]
async fn a_long_history_arrives_in_small_frames_in_order() {
    let app = spawn_app_with(|c| {
        c.limits.rate_burst = 100;
        c.limits.rate_per_sec = 100.0;
    })
    .await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let texts: Vec<String> = (0..40).map(|i| format!("line {i:02} {}", "x".repeat(80))).collect();
    for text in &texts {
        assert_eq!(alice.send_form(&room, text).await.status, StatusCode::SEE_OTHER);
    }
    let mut a = alice.connect_live(&room).await;
    let mut frames = Vec::new();
    loop {
        let frame = a.next_text().await;
        let last = frame.contains(r#"id="composer-error""#);
        frames.push(frame);
        if last {
            break;
        }
    }
    assert!(frames.len() > 3, "a 40-message history is split: {} frames", frames.len());
    assert!(frames[0].contains(r#"id="messages" hx-swap-oob="innerHTML""#));
    for frame in &frames[1..] {
        assert!(frame.contains(r#"hx-swap-oob="beforeend""#), "{frame}");
        // About one chunk, plus at most one message and the wrapping.
        assert!(frame.len() < c2c::views::SNAPSHOT_CHUNK + 1024, "{} bytes", frame.len());
    }
    let snapshot = frames.concat();
    let mut at = 0;
    for text in &texts {
        let found = snapshot[at..].find(text.as_str()).unwrap_or_else(|| panic!("{text} after byte {at}"));
        at += found + text.len();
        assert_eq!(count(&snapshot, text), 1);
    }
}

#[tokio::test]
async fn a_join_storm_reaches_browsers_as_a_member_list_in_small_frames() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    for i in 0..30 {
        let body = serde_json::json!({"name": format!("person {i:02}")});
        let (status, _) = app.api_post(&format!("/api/rooms/{room}/members"), body).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // The held joins come as the whole list: a frame replacing it, then frames appending to it.
    let first = a.until(r#"<ul id="members" hx-swap-oob="innerHTML">"#).await;
    assert!(!first.contains(r#"id="messages""#), "the list alone: {first}");
    let mut list = vec![first];
    while !list.concat().contains("person 29") {
        let frame = a.next_text().await;
        assert!(frame.starts_with(r#"<ul id="members" hx-swap-oob="beforeend">"#), "{frame}");
        list.push(frame);
    }
    for frame in &list {
        assert!(frame.len() < c2c::views::SNAPSHOT_CHUNK + 1024, "{} bytes", frame.len());
    }
    let list = list.concat();
    for i in 0..30 {
        assert_eq!(count(&list, &format!("person {i:02}")), 1);
    }
    assert!(list.contains("Alice"));
}
