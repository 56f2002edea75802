//! The conversation as people read it (docs/formatting.md): formatted text, mentions, notices
//! in the history, typing notices, presence that follows the socket, and forms that are safe to
//! reload.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{both_live, count, spawn_app};
use crate::json::room_with_token;

#[tokio::test]
async fn text_is_formatted_on_the_server_and_links_are_safe() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    a.send_message("**bold** see https://example.com/x\n```\n<b>code</b>\n```\n<javascript:alert(1)>", "f1")
        .await;
    let frame = a.until("msg-").await;
    assert!(frame.contains("<strong>bold</strong>"), "{frame}");
    assert!(
        frame.contains(
            r#"<a href="https://example.com/x" rel="noopener noreferrer nofollow ugc" target="_blank">"#
        ),
        "{frame}"
    );
    assert!(frame.contains("<pre><code>&#60;b&#62;code&#60;/b&#62;</code></pre>"), "{frame}");
    assert!(!frame.contains("href=\"javascript"), "{frame}");
    // The page renders the same, and the reader's own message is marked without JavaScript.
    let page = alice.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("<strong>bold</strong>"));
    assert!(page.body.contains(r#"class="msg mine""#), "own message marked on the page");
}

#[tokio::test]
async fn mentions_are_stored_marked_and_given_to_programs() {
    let app = spawn_app().await;
    let (room, token) = room_with_token(&app, "Bot").await;
    let alice = app.browser();
    alice.join(&room, "Alice Lee").await;
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    let joined = bot.until("joined").await;
    let alice_id = joined["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Alice Lee")
        .map(|m| m["userId"].as_str().unwrap().to_owned())
        .unwrap();
    bot.send(json!({"t": "msg", "roomId": room, "text": "hi @alice lee and @nobody, mail@alice"})).await;
    let msg = bot.until("msg").await;
    assert_eq!(msg["text"], "hi @alice lee and @nobody, mail@alice", "programs get the raw text");
    assert_eq!(msg["mentions"], json!([alice_id]));
    // Alice's page marks the message as mentioning her; the span names her.
    let page = alice.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("mentions-me"), "marked for the mentioned reader");
    assert!(
        page.body.contains(&format!(r#"<span class="mention" data-user="{alice_id}">@alice lee</span>"#))
    );
    assert!(page.body.contains(&format!(r#"data-mentions="{alice_id}""#)));
    // Someone else's page shows the mention but does not mark the message for them.
    let carol = app.browser();
    carol.join(&room, "Carol").await;
    let page = carol.get(&format!("/r/{room}")).await;
    assert!(!page.body.contains("mentions-me"));
    assert!(page.body.contains(r#"class="mention""#));
}

#[tokio::test]
async fn join_and_leave_notices_are_history() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let bob = app.browser();
    bob.join(&room, "Bob").await;
    bob.send_form(&room, "hello").await;
    let csrf = bob.get(&format!("/r/{room}")).await.field("csrf");
    bob.post(&format!("/r/{room}/leave"), &[("csrf", &csrf)]).await;
    // A reload shows them, in order, once.
    for _ in 0..2 {
        let body = alice.get(&format!("/r/{room}")).await.body;
        let joined = body.find("<bdi>Bob</bdi> joined").expect("join notice");
        let said = body.find("<p>hello</p>").expect("message");
        let left = body.find("<bdi>Bob</bdi> left the room").expect("leave notice");
        assert!(joined < said && said < left);
        assert_eq!(count(&body, "<bdi>Bob</bdi> joined"), 1);
    }
    // A reconnecting socket's snapshot has them too.
    let mut a = alice.connect_live(&room).await;
    let snapshot = a.next_snapshot().await;
    assert_eq!(count(&snapshot, "notice joined"), 1, "{snapshot}");
}

#[tokio::test]
async fn typing_reaches_the_others_and_is_never_stored() {
    let app = spawn_app().await;
    let (alice, bob) = (app.browser(), app.browser());
    let (room, mut a, mut b) = both_live(&alice, &bob).await;
    b.send_raw(tokio_tungstenite::tungstenite::Message::Text(r#"{"typing":true}"#.into())).await;
    b.send_raw(tokio_tungstenite::tungstenite::Message::Text(r#"{"typing":true}"#.into())).await;
    let frame = a.until("typers").await;
    assert!(frame.contains(r#"<ul id="typers" hx-swap-oob="beforeend"><li data-user=""#), "{frame}");
    // Throttled: the second notice within two seconds is dropped; the typer hears none.
    assert!(a.try_next_text(Duration::from_millis(300)).await.is_none());
    assert!(b.try_next_text(Duration::from_millis(100)).await.is_none(), "no echo to the typer");
    let page = alice.get(&format!("/r/{room}")).await;
    assert_eq!(count(&page.body, "class=\"msg"), 0, "nothing stored");
}

#[tokio::test]
async fn programs_get_typing_only_when_they_ask() {
    let app = spawn_app().await;
    let (room, token) = room_with_token(&app, "Bot").await;
    let alice = app.browser();
    alice.join(&room, "Alice").await;
    let mut quiet = app.json_client().await;
    quiet.send(json!({"t": "join", "roomId": room, "token": token})).await;
    quiet.until("joined").await;
    let (_, token2) = {
        let (status, body) =
            app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Listener"})).await;
        assert_eq!(status, 201);
        (body["data"]["userId"].clone(), body["data"]["token"].as_str().unwrap().to_owned())
    };
    let mut listener = app.json_client().await;
    listener.send(json!({"t": "join", "roomId": room, "token": token2, "typing": true})).await;
    listener.until("joined").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    a.send_raw(tokio_tungstenite::tungstenite::Message::Text(r#"{"typing":true}"#.into())).await;
    let typing = listener.until("typing").await;
    assert_eq!(typing["roomId"], room);
    // The quiet one gets the next message without a typing frame before it.
    a.send_message("after typing", "t1").await;
    let next = quiet.next().await;
    let next = if next["t"] == "user_joined" { quiet.next().await } else { next };
    assert_eq!(next["t"], "msg", "{next}");
}

#[tokio::test]
async fn a_closed_socket_takes_its_member_offline_at_once() {
    let app = spawn_app().await;
    let (alice, bob) = (app.browser(), app.browser());
    let (_, mut a, b) = both_live(&alice, &bob).await;
    drop(b);
    // Bob's page view handed his presence to the socket: when it closes, he is away, well
    // before the 30-second presence TTL.
    let frame = tokio::time::timeout(Duration::from_secs(5), a.until("member offline"))
        .await
        .expect("offline within seconds");
    assert!(frame.contains("Bob"), "{frame}");
}

#[tokio::test]
async fn form_addresses_are_safe_to_reload() {
    let app = spawn_app_with_burst_one().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    alice.send_form(&room, "first").await;
    // Refused on rate: the page keeps the text and the same client message id.
    let page = alice.get(&format!("/r/{room}")).await;
    let (csrf, client_id) = (page.field("csrf"), page.field("client_id"));
    let form = [("text", "second"), ("client_id", client_id.as_str()), ("csrf", csrf.as_str())];
    let refused = alice.post(&format!("/r/{room}/messages"), &form).await;
    assert_eq!(refused.status, 429);
    assert!(refused.body.contains(">second</textarea>"), "the text is kept");
    assert_eq!(refused.field("client_id"), client_id);
    // Reloading sends the form again: once allowed, it is stored once, however often.
    let mut sent = false;
    for _ in 0..50 {
        if alice.post(&format!("/r/{room}/messages"), &form).await.status == 303 {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(sent, "allowed again after a second");
    assert_eq!(alice.post(&format!("/r/{room}/messages"), &form).await.status, 303, "a repeat is accepted");
    let body = alice.get(&format!("/r/{room}")).await.body;
    assert_eq!(count(&body, "<p>second</p>"), 1);
    // The form's address opened as a page goes back to the room.
    let opened = alice.get(&format!("/r/{room}/messages")).await;
    assert!(opened.location().ends_with(&format!("/r/{room}")), "{}", opened.location());
}

async fn spawn_app_with_burst_one() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(|c| {
        c.limits.rate_burst = 1;
        c.limits.rate_per_sec = 1.0;
    })
    .await
}
