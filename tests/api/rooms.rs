//! Rooms with a name, a topic and an owner (docs/rooms.md): created with them, shown on the
//! chat and invite pages, renamed by the owner only (live, and as history), over the API too.

use serde_json::json;

use crate::helpers::{both_live, count, spawn_app};

#[tokio::test]
async fn a_named_room_shows_its_name_everywhere() {
    let app = spawn_app().await;
    let alice = app.browser();
    let page = alice.get("/").await;
    let csrf = page.field("csrf");
    let created = alice
        .post(
            "/rooms",
            &[
                ("name", "Alice"),
                ("room_name", "Team  lunch"),
                ("topic", "Fridays <b>at</b> 7"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let room = created.location().trim_start_matches("/r/").to_owned();
    let chat = alice.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("<title>Team lunch — c2c</title>"), "the tab title");
    assert!(chat.contains("<bdi>Team lunch</bdi></h1>"), "the heading");
    assert!(chat.contains("Fridays &#60;b&#62;at&#60;/b&#62; 7"), "the topic, escaped");
    assert!(
        chat.contains(r#"action="/r/"#) && chat.contains("/settings\""),
        "the owner gets the settings form"
    );
    // The invite page: name, topic, who started it, who is online, a preview title.
    let bob = app.browser();
    let invite = bob.get(&format!("/r/{room}")).await.body;
    assert!(invite.contains("<title>Team lunch — c2c</title>"));
    assert!(invite.contains(r#"<meta property="og:title" content="Team lunch">"#));
    assert!(invite.contains("Started by Alice"));
    assert!(invite.contains("Online now: Alice"));
    assert!(invite.contains("Fridays &#60;b&#62;at&#60;/b&#62; 7"), "the topic, escaped");
    // A member who is not the owner gets no settings form.
    bob.join(&room, "Bob").await;
    let chat = bob.get(&format!("/r/{room}")).await.body;
    assert!(!chat.contains("/settings\""));
}

#[tokio::test]
async fn a_too_long_room_name_comes_back_with_the_form_kept() {
    let app = spawn_app().await;
    let alice = app.browser();
    let csrf = alice.get("/").await.field("csrf");
    let long = "x".repeat(81);
    let refused = alice
        .post("/rooms", &[("name", "Alice"), ("room_name", &long), ("topic", "t"), ("csrf", &csrf)])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("A room name can be at most 80 characters."));
    assert!(refused.body.contains(&format!(r#"value="{long}""#)), "the room name is kept");
    assert!(refused.body.contains(r#"value="Alice""#), "the display name is kept");
}

#[tokio::test]
async fn the_owner_renames_the_room_live_and_no_one_else_can() {
    let app = spawn_app().await;
    let (alice, bob) = (app.browser(), app.browser());
    let (room, _a, mut b) = both_live(&alice, &bob).await;
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    let saved = alice
        .post(&format!("/r/{room}/settings"), &[("room_name", "Book club"), ("topic", ""), ("csrf", &csrf)])
        .await;
    assert_eq!(saved.status, 303);
    let frame = b.until("room-title").await;
    assert!(
        frame.contains(
            r#"<h1 id="room-title" class="room-title" hx-swap-oob="true"><bdi>Book club</bdi></h1>"#
        ),
        "{frame}"
    );
    assert!(frame.contains("<bdi>Alice</bdi> named the room “Book club”"), "{frame}");
    // Bob is no owner.
    let csrf = bob.get(&format!("/r/{room}")).await.field("csrf");
    let refused = bob
        .post(&format!("/r/{room}/settings"), &[("room_name", "Mine now"), ("topic", ""), ("csrf", &csrf)])
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Only the room&#39;s owner can do that."));
    let chat = bob.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("<title>Book club — c2c</title>"));
    assert_eq!(count(&chat, "named the room"), 1, "the rename is history, once");
    // When the owner leaves, the longest-present member takes over.
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    alice.post(&format!("/r/{room}/leave"), &[("csrf", &csrf)]).await;
    let chat = bob.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("<bdi>Bob</bdi> is now the room&#39;s owner"));
    assert!(chat.contains("/settings\""), "Bob now gets the settings form");
}

#[tokio::test]
async fn programs_create_and_read_named_rooms() {
    let app = spawn_app().await;
    let (status, body) = app
        .api_post("/api/rooms", json!({"creatorName": "Bot", "roomName": "Builds", "topic": "CI news"}))
        .await;
    assert_eq!(status, 201);
    let room = body["data"]["roomId"].as_str().unwrap();
    let (_, info) = app.api_get(&format!("/api/rooms/{room}"), None).await;
    assert_eq!(info["data"]["name"], "Builds");
    assert_eq!(info["data"]["topic"], "CI news");
    assert_eq!(info["data"]["owner"], body["data"]["userId"]);
    let (status, body) =
        app.api_post("/api/rooms", json!({"creatorName": "Bot", "roomName": "y".repeat(81)})).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "ROOM_NAME_TOO_LONG");
}

#[tokio::test]
async fn programs_see_the_room_and_its_renames() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let (status, body) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Bot"})).await;
    assert_eq!(status, 201);
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    let joined = bot.until("joined").await;
    assert!(joined.get("name").is_none(), "no name yet");
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    alice
        .post(&format!("/r/{room}/settings"), &[("room_name", "Ops"), ("topic", "pager"), ("csrf", &csrf)])
        .await;
    let renamed = bot.until("notice").await;
    assert_eq!(
        (renamed["kind"].as_str(), renamed["text"].as_str(), renamed["name"].as_str()),
        (Some("renamed"), Some("Ops"), Some("Alice"))
    );
    let topic = bot.until("notice").await;
    assert_eq!((topic["kind"].as_str(), topic["text"].as_str()), (Some("topic"), Some("pager")));
    // A program joining later finds the final state in `joined`.
    let mut late = app.json_client().await;
    late.send(json!({"t": "join", "roomId": room, "token": token})).await;
    let joined = late.until("joined").await;
    assert_eq!((joined["name"].as_str(), joined["topic"].as_str()), (Some("Ops"), Some("pager")));
    assert_eq!(joined["owner"], joined["members"][0]["userId"]);
}

/// The share link the chat page shows.
fn share_link(body: &str) -> String {
    let marker = r#"id="share-link" type="text" dir="ltr" readonly value=""#;
    let start = body.find(marker).unwrap() + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

/// Decodes the chat page's QR code, drawn as unit squares (`M{x} {y}h1v1h-1z`) in a
/// `viewBox` of `size` modules, with a real decoder.
fn decode_qr(svg: &str) -> String {
    let size: usize = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut dark = vec![false; size * size];
    for square in path.split('M').filter(|s| !s.is_empty()) {
        let corner = square.trim_end_matches("h1v1h-1z");
        let (x, y) = corner.split_once(' ').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        dark[y * size + x] = true;
    }
    let scale = 6;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(size * scale, size * scale, |x, y| {
        if dark[(y / scale) * size + x / scale] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one code");
    grids[0].decode().unwrap().1
}

#[tokio::test]
async fn the_chat_page_has_a_qr_code_of_its_link() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let body = alice.get(&format!("/r/{room}")).await.body;
    let link = share_link(&body);
    assert!(link.ends_with(&format!("/r/{room}")), "{link}");
    let svg = &body[body.find("<svg class=\"qr\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(!svg.contains("<script"));
    assert_eq!(decode_qr(svg), link);
}

#[tokio::test]
async fn members_download_the_conversation() {
    let app = spawn_app().await;
    let alice = app.browser();
    let csrf = alice.get("/").await.field("csrf");
    let created = alice
        .post("/rooms", &[("name", "Alice"), ("room_name", "Trip"), ("topic", "Seoul"), ("csrf", &csrf)])
        .await;
    let room = created.location().trim_start_matches("/r/").to_owned();
    let bob = app.browser();
    bob.join(&room, "Bob").await;
    bob.send_form(&room, "hello\nsecond line").await;
    let text = alice.get(&format!("/r/{room}/transcript.txt")).await;
    assert_eq!(text.status, 200);
    assert!(text.headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    let body = text.body;
    assert!(body.starts_with(&format!("Trip (Room {room})\nTopic: Seoul\nSaved ")), "{body}");
    assert!(body.contains(" UTC\n"), "the zone is named: {body}");
    assert!(body.contains("] — Bob joined\n"), "{body}");
    assert!(body.contains("] Bob: hello\n    second line\n"), "{body}");
    let json = alice.get(&format!("/r/{room}/transcript.json")).await;
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["name"], "Trip");
    let entries = value["entries"].as_array().unwrap();
    assert_eq!(
        (entries[0]["kind"].as_str(), entries[1]["text"].as_str()),
        (Some("joined"), Some("hello\nsecond line"))
    );
    // Not for strangers.
    let stranger = app.browser();
    assert_ne!(stranger.get(&format!("/r/{room}/transcript.txt")).await.status, 200);
}

#[tokio::test]
async fn the_owner_removes_a_member_who_then_stays_out() {
    let app = spawn_app().await;
    let (alice, bob) = (app.browser(), app.browser());
    let (room, _a, mut b) = both_live(&alice, &bob).await;
    let page = alice.get(&format!("/r/{room}")).await;
    let csrf = page.field("csrf");
    let select = page.body.split("id=\"remove-user\"").nth(1).unwrap();
    let bob_id = select.split("<option value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    // Bob cannot remove anyone: he is no owner.
    let bob_csrf = bob.get(&format!("/r/{room}")).await.field("csrf");
    let refused = bob.post(&format!("/r/{room}/remove"), &[("user", &bob_id), ("csrf", &bob_csrf)]).await;
    assert_eq!(refused.status, 403);
    let removed = alice.post(&format!("/r/{room}/remove"), &[("user", &bob_id), ("csrf", &csrf)]).await;
    assert_eq!(removed.status, 303);
    // Bob's open tab loses the room at once.
    let frame = b.until("composer").await;
    assert!(frame.contains("removed you from this room"), "{frame}");
    assert_eq!(b.closed_with().await, Some(1008));
    // His browser cannot come back in for a while, and a post of his is refused.
    let page = bob.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("removed you from this room"), "the join page says why");
    let csrf = page.field("csrf");
    let again = bob.post(&format!("/r/{room}/join"), &[("name", "Bob again"), ("csrf", &csrf)]).await;
    assert_eq!(again.status, 403);
    let sent = bob
        .post(&format!("/r/{room}/messages"), &[("text", "hi"), ("client_id", "x"), ("csrf", &csrf)])
        .await;
    assert_ne!(sent.status, 303);
    let chat = alice.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("Alice removed <bdi>Bob</bdi> from the room"));
}

#[tokio::test]
async fn a_locked_room_refuses_newcomers_in_their_language() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    assert_eq!(alice.post(&format!("/r/{room}/lock"), &[("locked", "1"), ("csrf", &csrf)]).await.status, 303);
    for (lang, words) in [("en", "This room is locked"), ("ko", "잠긴 채팅방입니다")] {
        let mut newcomer = app.browser();
        newcomer.lang = Some(lang);
        let invite = newcomer.get(&format!("/r/{room}")).await;
        assert!(invite.body.contains(words), "{lang}: the invite says so");
        assert!(!invite.body.contains("/join\""), "{lang}: no join form");
        // A script posts the form anyway (its token from the start page).
        let csrf = newcomer.get("/").await.field("csrf");
        let refused =
            newcomer.post(&format!("/r/{room}/join"), &[("name", "Mallory"), ("csrf", &csrf)]).await;
        assert_eq!(refused.status, 403);
        assert!(refused.body.contains(words), "{lang}");
    }
    assert_eq!(alice.post(&format!("/r/{room}/lock"), &[("locked", "0"), ("csrf", &csrf)]).await.status, 303);
    let dan = app.browser();
    assert_eq!(dan.join(&room, "Dan").await.status, 303);
    let chat = alice.get(&format!("/r/{room}")).await.body;
    assert!(
        chat.contains("<bdi>Alice</bdi> locked the room")
            && chat.contains("<bdi>Alice</bdi> unlocked the room")
    );
}

#[tokio::test]
async fn the_owner_ends_the_room_for_everyone() {
    let app = spawn_app().await;
    let (alice, bob) = (app.browser(), app.browser());
    let (room, mut a, mut b) = both_live(&alice, &bob).await;
    let csrf = bob.get(&format!("/r/{room}")).await.field("csrf");
    assert_eq!(bob.post(&format!("/r/{room}/end"), &[("csrf", &csrf)]).await.status, 403, "only the owner");
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    assert_eq!(alice.post(&format!("/r/{room}/end"), &[("csrf", &csrf)]).await.status, 303);
    for live in [&mut a, &mut b] {
        let frame = live.until("composer").await;
        assert!(frame.contains("The owner ended this room."), "{frame}");
        assert_eq!(live.closed_with().await, Some(1008));
    }
    assert_eq!(bob.get(&format!("/r/{room}")).await.status, 404);
}

#[tokio::test]
async fn programs_use_the_owner_s_tools() {
    let app = spawn_app().await;
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": "Bot"})).await;
    assert_eq!(status, 201);
    let room = body["data"]["roomId"].as_str().unwrap().to_owned();
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    let alice = app.browser();
    alice.join(&room, "Alice").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    let (_, joined) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Helper"})).await;
    let helper_token = joined["data"]["token"].as_str().unwrap().to_owned();
    let mut bot = app.json_client().await;
    bot.send(json!({"t": "join", "roomId": room, "token": token})).await;
    let state = bot.until("joined").await;
    let alice_id =
        state["members"].as_array().unwrap().iter().find(|m| m["name"] == "Alice").unwrap()["userId"]
            .as_str()
            .unwrap()
            .to_owned();
    // Not the owner: refused.
    let mut helper = app.json_client().await;
    helper.send(json!({"t": "join", "roomId": room, "token": helper_token})).await;
    helper.until("joined").await;
    helper.send(json!({"t": "lock", "roomId": room, "locked": true})).await;
    assert_eq!(helper.until("error").await["code"], "NOT_ROOM_OWNER");
    // The owner renames, locks and removes; everyone sees it.
    bot.send(json!({"t": "room", "roomId": room, "name": "Builds", "topic": "CI"})).await;
    assert_eq!(bot.until("notice").await["kind"], "renamed");
    assert!(a.until("room-title").await.contains("Builds"));
    bot.send(json!({"t": "lock", "roomId": room, "locked": true})).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(helper.until("notice").await["kind"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen, ["renamed", "topic", "locked"]);
    let (status, _) = app.api_post(&format!("/api/rooms/{room}/members"), json!({"name": "Late"})).await;
    assert_eq!(status, 403, "locked");
    bot.send(json!({"t": "remove", "roomId": room, "userId": alice_id})).await;
    let frame = a.until("composer").await;
    assert!(frame.contains("removed you"), "{frame}");
    bot.send(json!({"t": "room", "roomId": room, "name": "x".repeat(81)})).await;
    assert_eq!(bot.until("error").await["code"], "ROOM_NAME_TOO_LONG");
    bot.send(json!({"t": "end", "roomId": room})).await;
    let ended = helper.until("error").await;
    assert_eq!(ended["code"], "ROOM_ENDED");
}

#[tokio::test]
async fn long_histories_come_a_page_at_a_time() {
    let app = crate::helpers::spawn_app_with(|c| {
        c.limits.rate_burst = 1000;
        c.limits.rate_per_sec = 1000.0;
    })
    .await;
    let (status, body) = app.api_post("/api/rooms", json!({"creatorName": "Bot"})).await;
    assert_eq!(status, 201);
    let room = body["data"]["roomId"].as_str().unwrap().to_owned();
    let room_id = c2c::domain::RoomId::parse(&room).unwrap();
    let user_id = c2c::domain::UserId::parse(body["data"]["userId"].as_str().unwrap()).unwrap();
    for i in 1..=120 {
        let text = c2c::domain::MessageText::parse(&format!("line {i:03}"), &c2c::domain::Limits::default())
            .unwrap();
        app.state.backend.post(&room_id, &user_id, text, vec![], None, None).await.unwrap();
    }
    let alice = app.browser();
    alice.join(&room, "Alice").await;
    // The page and the snapshot: the newest 50 entries (Alice's join among them).
    let chat = alice.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("<p>line 120</p>") && chat.contains("<p>line 072</p>"));
    assert!(!chat.contains("<p>line 071</p>"));
    let before = chat.split("data-before=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let mut live = alice.connect_live(&room).await;
    let snapshot = live.next_snapshot().await;
    assert!(
        snapshot.contains("line 120")
            && !snapshot.contains("line 071")
            && snapshot.contains("Earlier messages")
    );
    // Earlier pages, for the script and without it.
    let earlier = alice.get(&format!("/r/{room}/earlier?before={before}")).await.body;
    assert!(
        earlier.contains("<p>line 071</p>")
            && earlier.contains("<p>line 022</p>")
            && !earlier.contains("line 072")
    );
    let next = earlier.split("data-before=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let log = alice.get(&format!("/r/{room}/log?before={next}")).await.body;
    assert!(log.contains("<p>line 001</p>") && log.contains("<p>line 021</p>"));
    assert!(
        !log.contains("Earlier messages") && !log.contains("http-equiv=\"refresh\""),
        "the first page, standing still"
    );
    // The newest log page refreshes itself.
    assert!(alice.get(&format!("/r/{room}/log")).await.body.contains("http-equiv=\"refresh\""));
}

/// The message number of the first message with `text` on a page.
fn message_seq(body: &str, text: &str) -> String {
    let at = body.find(text).unwrap_or_else(|| panic!("{text} on the page"));
    let before = &body[..at];
    let li = before.rfind("id=\"msg-").unwrap();
    before[li + 8..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn message_forms_check_csrf_membership_and_authorship() {
    let app = spawn_app().await;
    let (alice, bob, mallory) = (app.browser(), app.browser(), app.browser());
    let room = alice.create_room("Alice").await;
    bob.join(&room, "Bob").await;
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    let sent = alice
        .post(
            &format!("/r/{room}/messages"),
            &[("text", "<b>hi</b> bob"), ("client_id", "c1"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(sent.status, 303);
    let seq = message_seq(&alice.get(&format!("/r/{room}")).await.body, " bob</p>");
    let m = format!("/r/{room}/m/{seq}");

    // The message's page: every action as a form, the edit form holding the text as typed.
    let page = alice.get(&m).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("&#60;b&#62;hi&#60;/b&#62; bob</textarea>"), "escaped, as typed");
    for action in ["react", "edit", "delete"] {
        assert!(page.body.contains(&format!("action=\"{m}/{action}\"")), "{action} form");
    }
    // Bob sees no edit or delete form for Alice's message, and his posts of them are refused.
    let bob_page = bob.get(&m).await;
    assert!(!bob_page.body.contains("/edit\"") && !bob_page.body.contains("/delete\""));
    let bob_csrf = bob_page.field("csrf");
    let refused = bob.post(&format!("{m}/edit"), &[("text", "mine"), ("csrf", &bob_csrf)]).await;
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("Only its author can change that message"), "{}", refused.body);
    // No CSRF token: refused before anything is looked at.
    let forged = bob.post(&format!("{m}/react"), &[("emoji", "👍")]).await;
    assert_eq!(forged.status, 403);
    assert!(forged.body.contains("This form has expired"));
    // Not an emoji: a clear refusal, localized.
    let bad = bob.post(&format!("{m}/react"), &[("emoji", "<script>"), ("csrf", &bob_csrf)]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("A reaction is a single emoji."));
    // A stranger is no member.
    let stranger_csrf = mallory.get("/").await.field("csrf");
    let outside = mallory.post(&format!("{m}/react"), &[("emoji", "👍"), ("csrf", &stranger_csrf)]).await;
    assert_eq!(outside.status, 403);

    let reacted = bob.post(&format!("{m}/react"), &[("emoji", "🎉"), ("csrf", &bob_csrf)]).await;
    assert_eq!((reacted.status.as_u16(), reacted.location()), (303, format!("/r/{room}#msg-{seq}").as_str()));
    let edited = alice.post(&format!("{m}/edit"), &[("text", "hi **all**"), ("csrf", &csrf)]).await;
    assert_eq!(edited.status, 303);
    let reply = bob
        .post(
            &format!("/r/{room}/messages"),
            &[("text", "hey"), ("client_id", "c2"), ("reply_to", &seq), ("csrf", &bob_csrf)],
        )
        .await;
    assert_eq!(reply.status, 303);
    let chat = alice.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("<strong>all</strong>") && chat.contains("(edited)"), "{chat}");
    assert!(chat.contains("data-emoji=\"🎉\""), "the reaction shows");
    assert!(
        chat.contains("<span class=\"q\" dir=\"auto\">hi **all**</span>"),
        "the reply quotes the text as typed"
    );
    // The owner deletes Bob's reply; then neither can act on it.
    let reply_seq = message_seq(&chat, ">hey</p>");
    let deleted = alice.post(&format!("/r/{room}/m/{reply_seq}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(bob.get(&format!("/r/{room}/m/{reply_seq}")).await.status, 404);
    let chat = bob.get(&format!("/r/{room}")).await.body;
    assert!(chat.contains("This message was deleted.") && !chat.contains(">hey</p>"));
    // A removed member's forms are refused.
    let bob_id = alice
        .get(&format!("/r/{room}"))
        .await
        .body
        .split("id=\"remove-user\"")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    alice.post(&format!("/r/{room}/remove"), &[("user", &bob_id), ("csrf", &csrf)]).await;
    let after = bob.post(&format!("{m}/react"), &[("emoji", "👍"), ("csrf", &bob_csrf)]).await;
    assert_eq!(after.status, 403);
}
