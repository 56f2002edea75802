//! Pages and form posts on a real listener: the no-JavaScript path end to end, errors in
//! both locales, CSRF, cookies, the catalogue in SQLite.

use c2c::catalog::ErrorCode;
use reqwest::StatusCode;

use crate::helpers::{count, spawn_app};

#[tokio::test]
async fn create_join_and_chat_without_javascript() {
    let app = spawn_app().await;
    let alice = app.browser();
    let bob = app.browser();
    let room = alice.create_room("Alice").await;
    assert!(room.len() >= 10);

    // Bob opens the link: a join form with the member count, not the chat.
    let join = bob.get(&format!("/r/{room}")).await;
    assert_eq!(join.status, StatusCode::OK);
    assert!(join.body.contains("action=\"/r/"), "{}", join.body);
    assert!(join.body.contains("1 member"));
    assert!(!join.body.contains("id=\"composer\""));

    let joined = bob.join(&room, "Bob").await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    assert_eq!(joined.location(), format!("/r/{room}"));

    let sent = bob.send_form(&room, "hello from bob").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let chat = alice.get(&format!("/r/{room}")).await;
    assert!(chat.body.contains("hello from bob"));
    assert!(chat.body.contains("role=\"log\""));
    assert!(chat.body.contains(&format!("/r/{room}\"")), "share link shown");
    // The no-JavaScript log shows it too and refreshes itself.
    let log = alice.get(&format!("/r/{room}/log")).await;
    assert!(log.body.contains("hello from bob"));
    assert!(log.body.contains("http-equiv=\"refresh\""));
}

#[tokio::test]
async fn a_resubmitted_form_is_posted_once() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let page = alice.get(&format!("/r/{room}")).await;
    let form =
        [("text", "only once"), ("client_id", &page.field("client_id")), ("csrf", &page.field("csrf"))];
    for _ in 0..3 {
        assert_eq!(alice.post(&format!("/r/{room}/messages"), &form).await.status, StatusCode::SEE_OTHER);
    }
    let chat = alice.get(&format!("/r/{room}")).await;
    assert_eq!(count(&chat.body, "only once"), 1);
}

#[tokio::test]
async fn unknown_rooms_are_404_in_the_viewers_language() {
    let app = spawn_app().await;
    let mut ko = app.browser();
    ko.lang = Some("ko-KR,ko;q=0.9,en;q=0.5");
    let page = ko.get("/r/AAAAAAAAAAAAAAAA").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("채팅방이 없거나 만료되었습니다."), "{}", page.body);
    assert!(page.body.contains("lang=\"ko\""));

    let mut en = app.browser();
    en.lang = Some("en-US");
    let page = en.get("/r/AAAAAAAAAAAAAAAA").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("This room does not exist or has expired."));

    // Malformed ids are refused before any lookup, the same way.
    for bad in ["short", "AAAAAAAAAAAAAAAA%2F", "..%2F..%2Fetc"] {
        assert_eq!(en.get(&format!("/r/{bad}")).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // ?lang= wins over Accept-Language and is remembered in a cookie.
    let page = en.get("/r/AAAAAAAAAAAAAAAA?lang=ko").await;
    assert!(page.body.contains("채팅방이 없거나"));
    let page = en.get("/r/AAAAAAAAAAAAAAAA").await;
    assert!(page.body.contains("채팅방이 없거나"), "lang cookie remembered");
}

#[tokio::test]
async fn the_message_comes_from_error_info() {
    let app = spawn_app().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    // Every code ships in en and ko.
    for code in ErrorCode::ALL {
        for locale in ["en", "ko"] {
            let n: (i64,) = sqlx::query_as("SELECT count(*) FROM error_info WHERE code = ? AND locale = ?")
                .bind(code.as_str())
                .bind(locale)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(n.0, 1, "{} {locale}", code.as_str());
        }
    }
    sqlx::query(
        "UPDATE error_info SET message = '방이 사라졌어요' WHERE code = 'ROOM_NOT_FOUND' AND locale = 'ko'",
    )
    .execute(&pool)
    .await
    .unwrap();
    app.state.catalog.reload().await;
    let mut ko = app.browser();
    ko.lang = Some("ko");
    assert!(ko.get("/r/AAAAAAAAAAAAAAAA").await.body.contains("방이 사라졌어요"));
    // A language with no rows falls back to English.
    ko.lang = Some("ja");
    assert!(ko.get("/r/AAAAAAAAAAAAAAAA").await.body.contains("This room does not exist"));
}

#[tokio::test]
async fn bad_names_are_refused_next_to_the_field_with_input_kept() {
    let app = spawn_app().await;
    let alice = app.browser();
    let csrf = alice.get("/").await.field("csrf");
    let long = "가".repeat(33);
    for (name, message) in [
        ("   ", "Please enter a name."),
        (long.as_str(), "A name can be at most 32 characters."),
        ("a\u{7}b", "control characters"),
    ] {
        let page = alice.post("/rooms", &[("name", name), ("csrf", &csrf)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(page.body.contains("aria-invalid=\"true\""));
    }
    let page = alice.post("/rooms", &[("name", &long), ("csrf", &csrf)]).await;
    assert!(page.body.contains(&long), "input kept");

    // A name a present member uses is taken.
    let room = alice.create_room("Alice").await;
    let mut bob = app.browser();
    bob.lang = Some("ko");
    let page = bob.join(&room, "alice").await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("이미 쓰고 있는 이름"), "{}", page.body);
}

#[tokio::test]
async fn forms_resist_csrf() {
    let app = spawn_app().await;
    let alice = app.browser();
    let csrf = alice.get("/").await.field("csrf");
    let page = alice.post("/rooms", &[("name", "Alice")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("This form has expired"));
    let page = alice.post("/rooms", &[("name", "Alice"), ("csrf", "wrong")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // A right token from a foreign page is still refused.
    let res = alice
        .client
        .post(format!("{}/rooms", app.base))
        .header("origin", "http://evil.example")
        .form(&[("name", "Alice"), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Another browser's token does not work either.
    let mallory = app.browser();
    let page = mallory.post("/rooms", &[("name", "M"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn session_cookies_are_httponly_and_lax() {
    let app = spawn_app().await;
    let page = app.browser().get("/").await;
    let cookie = page.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    let csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
}

#[tokio::test]
async fn user_text_is_escaped_in_pages() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("<img src=x onerror=alert(1)>").await;
    alice.send_form(&room, "<script>alert('x')</script>").await;
    let chat = alice.get(&format!("/r/{room}")).await;
    assert!(!chat.body.contains("<script>alert"));
    assert!(!chat.body.contains("<img src=x"));
    assert!(chat.body.contains("&#60;script&#62;"));
    assert!(chat.body.contains("&#60;img src=x onerror=alert(1)&#62;"));
}

#[tokio::test]
async fn korean_round_trips() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("홍길동").await;
    alice.send_form(&room, "안녕하세요 👋").await;
    let bob = app.browser();
    bob.join(&room, "김철수").await;
    let chat = bob.get(&format!("/r/{room}")).await;
    assert!(
        chat.body.contains("홍길동") && chat.body.contains("김철수") && chat.body.contains("안녕하세요 👋")
    );
}

#[tokio::test]
async fn message_errors_keep_the_text_and_rate_limits_answer_429() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let long = "x".repeat(2001);
    let page = alice.send_form(&room, &long).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("at most 2000 characters"));
    assert!(page.body.contains(&long));
    assert_eq!(alice.send_form(&room, "  ").await.status, StatusCode::UNPROCESSABLE_ENTITY);

    let page = alice.get(&format!("/r/{room}")).await;
    let csrf = page.field("csrf");
    let mut limited = None;
    for i in 0..20 {
        let text = format!("burst {i}");
        let cid = format!("cid{i}");
        let res = alice
            .post(&format!("/r/{room}/messages"), &[("text", &text), ("client_id", &cid), ("csrf", &csrf)])
            .await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(res);
            break;
        }
    }
    let limited = limited.expect("the burst is limited");
    let retry: u64 = limited.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert!(limited.body.contains("You are sending too fast. Try again in"));
}

#[tokio::test]
async fn leaving_returns_to_the_start_and_the_link_shows_the_join_form() {
    let app = spawn_app().await;
    let alice = app.browser();
    let room = alice.create_room("Alice").await;
    let csrf = alice.get(&format!("/r/{room}")).await.field("csrf");
    let page = alice.post(&format!("/r/{room}/leave"), &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/");
    let page = alice.get(&format!("/r/{room}")).await;
    assert!(page.body.contains("/join\""), "join form again");
    // Posting as a non-member is refused with a link to join.
    let page = alice.post(&format!("/r/{room}/messages"), &[("text", "x"), ("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("not a member"));
}

#[tokio::test]
async fn unknown_pages_and_assets() {
    let app = spawn_app().await;
    let b = app.browser();
    assert_eq!(b.get("/nope").await.status, StatusCode::NOT_FOUND);
    let css = b.get("/assets/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/css"));
    assert_eq!(b.get("/assets/nope.js").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(b.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn unparseable_forms_get_a_localized_error() {
    let app = spawn_app().await;
    let mut ko = app.browser();
    ko.lang = Some("ko");
    ko.get("/").await;
    let res = ko
        .client
        .post(format!("{}/rooms", app.base))
        .header("accept-language", "ko")
        .header("content-type", "application/json")
        .body("{\"name\":\"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("요청을 이해할 수 없습니다"));
    let res = ko
        .client
        .post(format!("{}/rooms", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=%FF%FE&csrf=%")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
}
