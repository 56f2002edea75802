//! The error catalogue on real SQLite and PostgreSQL: migrations, fallback, live reload across
//! instances, the translators' page (auth, edit, placeholders, new locales), database outages.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use c2c::catalog::ErrorCode;
use c2c::views::UI_KEYS;
use reqwest::StatusCode;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{Browser, TestApp, fresh_postgres, spawn_app, spawn_app_with, within};

const UNKNOWN: &str = "/r/AAAAAAAAAAAAAAAA";
const TOKEN: &str = "let-me-translate";

async fn on_db(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |c| {
        c.database_url = url;
        c.translator_token = Some(TOKEN.to_owned());
    })
    .await
}

fn korean(app: &TestApp) -> Browser {
    let mut b = app.browser();
    b.lang = Some("ko");
    b
}

#[tokio::test]
async fn postgres_is_migrated_and_seeded_on_start() {
    let url = fresh_postgres().await;
    let app = on_db(&url).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for code in ErrorCode::ALL {
        let (n,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM error_info WHERE code = $1 AND locale IN ('en', 'ko')")
                .bind(code.as_str())
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(n, 2, "{}", code.as_str());
    }
    assert!(korean(&app).get(UNKNOWN).await.body.contains("채팅방이 없거나 만료되었습니다."));
    // A second instance on the same database finds it migrated and starts too.
    let again = on_db(&url).await;
    assert_eq!(again.browser().get(UNKNOWN).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_psql_edit_reaches_two_instances_within_seconds() {
    let url = fresh_postgres().await;
    let a = on_db(&url).await;
    let b = on_db(&url).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE error_info SET message = '방을 찾지 못했어요 (수정됨)' WHERE code = 'ROOM_NOT_FOUND' AND locale = 'ko'")
        .execute(&pool)
        .await
        .unwrap();
    let started = Instant::now();
    for app in [&a, &b] {
        let browser = korean(app);
        assert!(
            within(Duration::from_secs(5), async || browser.get(UNKNOWN).await.body.contains("(수정됨)"))
                .await,
            "edit visible within 5 s"
        );
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    // The trigger stamped the direct edit.
    let (fresh,): (bool,) = sqlx::query_as(
        "SELECT updated_at > (SELECT updated_at FROM error_info WHERE code = 'ROOM_NOT_FOUND' AND locale = 'en') \
         FROM error_info WHERE code = 'ROOM_NOT_FOUND' AND locale = 'ko'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(fresh, "updated_at follows direct edits");
}

#[tokio::test]
async fn a_sqlite_edit_is_picked_up_by_polling() {
    let app = spawn_app().await;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.db_path.display())).await.unwrap();
    sqlx::query(
        "UPDATE error_info SET message = 'Gone, sorry.' WHERE code = 'ROOM_NOT_FOUND' AND locale = 'en'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let browser = app.browser();
    assert!(
        within(Duration::from_secs(5), async || browser.get(UNKNOWN).await.body.contains("Gone, sorry."))
            .await
    );
}

#[tokio::test]
async fn a_new_locale_needs_only_rows() {
    let url = fresh_postgres().await;
    let app = on_db(&url).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO error_info (code, locale, message) VALUES ('ROOM_NOT_FOUND', 'ja', 'このルームはありません。')")
        .execute(&pool)
        .await
        .unwrap();
    let mut ja = app.browser();
    ja.lang = Some("ja-JP,ja;q=0.9");
    assert!(
        within(Duration::from_secs(5), async || ja
            .get(UNKNOWN)
            .await
            .body
            .contains("このルームはありません。"))
        .await
    );
    // Codes without a Japanese row fall back to English.
    let page = ja.get("/nope").await;
    assert!(page.body.contains("This page does not exist."));
}

async fn signed_in_translator(app: &TestApp) -> Browser {
    let t = app.browser();
    let csrf = t.get("/translate").await.field("csrf");
    let res = t.post("/translate/login", &[("editor", "Minji"), ("token", TOKEN), ("csrf", &csrf)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    t
}

#[tokio::test]
async fn the_translator_page_needs_the_token() {
    let off = spawn_app().await;
    assert_eq!(off.browser().get("/translate").await.status, StatusCode::NOT_FOUND, "off without a token");

    let app = on_db(&fresh_postgres().await).await;
    let t = app.browser();
    let login = t.get("/translate").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(!login.body.contains("ROOM_NOT_FOUND"), "no catalogue before signing in");
    assert!(login.body.contains("type=\"password\""));
    let csrf = login.field("csrf");
    let refused = t.post("/translate/login", &[("editor", "Eve"), ("token", "guess"), ("csrf", &csrf)]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(!refused.body.contains("ROOM_NOT_FOUND"));
    let no_csrf = t.post("/translate/login", &[("editor", "Eve"), ("token", TOKEN)]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    // Editing without signing in is refused.
    let res = t
        .post(
            "/translate/save",
            &[("code", "ROOM_NOT_FOUND"), ("locale", "ko"), ("message", "x"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let t = signed_in_translator(&app).await;
    let grid = t.get("/translate").await;
    assert!(grid.body.contains("ROOM_NOT_FOUND") && grid.body.contains("채팅방이 없거나"));
    assert!(!grid.body.contains(TOKEN), "the token never appears in a page");
}

#[tokio::test]
async fn an_edit_in_the_page_reaches_the_other_instance() {
    let url = fresh_postgres().await;
    let a = on_db(&url).await;
    let b = on_db(&url).await;
    let t = signed_in_translator(&a).await;
    let csrf = t.get("/translate").await.field("csrf");
    let res = t
        .post(
            "/translate/save",
            &[
                ("code", "ROOM_NOT_FOUND"),
                ("locale", "ko"),
                ("message", "번역가가 고친 문장"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let on_b = korean(&b);
    assert!(
        within(Duration::from_secs(5), async || on_b.get(UNKNOWN).await.body.contains("번역가가 고친 문장"))
            .await
    );
    // Who and when are recorded.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (by,): (Option<String>,) =
        sqlx::query_as("SELECT updated_by FROM error_info WHERE code = 'ROOM_NOT_FOUND' AND locale = 'ko'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(by.as_deref(), Some("Minji"));

    // The htmx path answers with the cell alone.
    let res = t
        .client
        .post(format!("{}/translate/save", a.base))
        .header("origin", a.base.clone())
        .header("hx-request", "true")
        .form(&[("code", "PAGE_NOT_FOUND"), ("locale", "ko"), ("message", "없는 페이지"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.starts_with("<td id=\"cell-PAGE_NOT_FOUND-ko\""), "{html}");
    assert!(html.contains("없는 페이지") && html.contains("Saved"));
}

#[tokio::test]
async fn placeholders_must_be_kept_and_outdated_rows_are_marked() {
    let app = spawn_app_with(|c| c.translator_token = Some(TOKEN.to_owned())).await;
    let t = signed_in_translator(&app).await;
    let csrf = t.get("/translate").await.field("csrf");
    let res = t
        .post(
            "/translate/save",
            &[("code", "NAME_TOO_LONG"), ("locale", "ko"), ("message", "최대 {maks}자"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Keep exactly the placeholders of the English text: {max}"), "{}", res.body);
    assert!(res.body.contains("최대 {maks}자"), "the draft is kept");
    let ko = korean(&app);
    let csrf_user = ko.get("/").await.field("csrf");
    let long = "가".repeat(40);
    let page = ko.post("/rooms", &[("name", &long), ("csrf", &csrf_user)]).await;
    assert!(page.body.contains("이름은 최대 32자까지"), "the refused edit changed nothing");
    // English cannot drop what the server fills in either.
    let res = t
        .post(
            "/translate/save",
            &[("code", "RATE_LIMITED"), ("locale", "en"), ("message", "Slow down."), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Rewording English marks the translations outdated.
    tokio::time::sleep(Duration::from_millis(1100)).await; // SQLite stamps have one-second resolution
    let res = t
        .post(
            "/translate/save",
            &[
                ("code", "MESSAGE_EMPTY"),
                ("locale", "en"),
                ("message", "Write something first."),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let grid = t.get("/translate").await;
    let cell_start = grid.body.find("id=\"cell-MESSAGE_EMPTY-ko\"").unwrap();
    let cell = &grid.body[cell_start..cell_start + 300];
    assert!(cell.contains("outdated"), "{cell}");
    assert!(grid.body.contains("1 outdated"));
}

#[tokio::test]
async fn a_column_for_a_new_language_starts_missing() {
    let app = spawn_app_with(|c| c.translator_token = Some(TOKEN.to_owned())).await;
    let t = signed_in_translator(&app).await;
    let grid = t.get("/translate?add=ja").await;
    assert!(grid.body.contains("id=\"cell-ROOM_NOT_FOUND-ja\" class=\"cell missing\""));
    assert!(grid.body.contains(&format!("{} missing", ErrorCode::ALL.len() + UI_KEYS.len())), "every text");
    let csrf = grid.field("csrf");
    t.post(
        "/translate/save",
        &[("code", "ROOM_NOT_FOUND"), ("locale", "ja"), ("message", "ありません"), ("csrf", &csrf)],
    )
    .await;
    let mut ja = app.browser();
    ja.lang = Some("ja");
    assert!(ja.get(UNKNOWN).await.body.contains("ありません"));
}

/// A TCP relay to PostgreSQL that the test can cut, like a database host going away.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (flag, list) = (up.clone(), tasks.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: connection refused-ish
                }
                let target = target.clone();
                list.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        Self { port, up, tasks }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn chat_goes_on_while_the_database_is_down() {
    let url = fresh_postgres().await;
    let (head, tail) = url.split_once('@').unwrap();
    let (hostport, db) = tail.split_once('/').unwrap();
    let relay = Relay::start(hostport.to_owned()).await;
    let via_relay = format!("{head}@127.0.0.1:{}/{db}", relay.port);
    let app = on_db(&via_relay).await;
    let ko = korean(&app);
    assert!(ko.get(UNKNOWN).await.body.contains("채팅방이 없거나"));
    assert_eq!(ko.get("/readyz").await.status, StatusCode::OK);

    relay.cut();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE error_info SET message = '다시 연결된 뒤의 문장' WHERE code = 'ROOM_NOT_FOUND' AND locale = 'ko'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(
        within(Duration::from_secs(6), async || ko.get("/readyz").await.status
            == StatusCode::SERVICE_UNAVAILABLE)
        .await,
        "readyz reports the database"
    );
    // Chat goes on; error pages render from the cached catalogue.
    let room = ko.create_room("앨리스").await;
    assert_eq!(ko.send_form(&room, "데이터베이스 없이도").await.status, StatusCode::SEE_OTHER);
    assert!(ko.get(&format!("/r/{room}")).await.body.contains("데이터베이스 없이도"));
    let page = ko.get(UNKNOWN).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("채팅방이 없거나"), "cached text while the database is away");

    relay.restore();
    assert!(
        within(Duration::from_secs(10), async || ko
            .get(UNKNOWN)
            .await
            .body
            .contains("다시 연결된 뒤의 문장"))
        .await,
        "reload resumes when the database is back"
    );
    assert_eq!(ko.get("/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn interface_strings_are_translated_in_the_page_with_their_plural_forms() {
    let app = spawn_app_with(|c| c.translator_token = Some(TOKEN.to_owned())).await;
    let t = signed_in_translator(&app).await;
    let page = t.get("/translate?locale=ja").await;
    for section in ["group-home", "group-chat", "group-error_messages", "group-translate"] {
        assert!(page.body.contains(&format!("id=\"{section}\"")), "{section}");
    }
    assert!(page.body.contains("id=\"cell-send-ja\" class=\"cell missing\""));
    assert!(page.body.contains("Button that sends a message."), "each text has its note");
    // Sections show where their texts appear.
    let picture = page.body.split("src=\"").find(|s| s.starts_with("/assets/translate-home.png")).unwrap();
    let picture = t.get(picture.split('"').next().unwrap()).await;
    assert_eq!(picture.status, StatusCode::OK);
    assert_eq!(picture.headers["content-type"], "image/png");
    let csrf = page.field("csrf");
    let save = |code: &'static str, locale: &'static str, message: &'static str| {
        let (t, csrf) = (&t, csrf.clone());
        async move {
            t.post(
                "/translate/save",
                &[("code", code), ("locale", locale), ("message", message), ("csrf", &csrf)],
            )
            .await
        }
    };
    assert_eq!(save("send", "ja", "送信").await.status, StatusCode::SEE_OTHER);
    // A language with more plural forms than English must write them all.
    let refused = save("members_count", "ru", "{n, plural, one {# участник} other {# участника}}").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("This language needs more plural forms for {n}: add few, many."),
        "{}",
        refused.body
    );
    let ok = save(
        "members_count",
        "ru",
        "{n, plural, one {# участник} few {# участника} many {# участников} other {# участника}}",
    );
    assert_eq!(ok.await.status, StatusCode::SEE_OTHER);
    // Korean has one form: a plain number is enough.
    assert_eq!(save("members_count", "ko", "멤버 {n}명").await.status, StatusCode::SEE_OTHER);
    let broken = save("started_by", "ja", "{name さんが作成").await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.body.contains("The brace opened at character 1 is never closed."), "{}", broken.body);
    let mut ja = app.browser();
    ja.lang = Some("ja");
    let room = app.browser().create_room("Ann").await;
    let chat_in_ja = ja.get(&format!("/r/{room}")).await;
    assert!(chat_in_ja.body.contains("<html lang=\"ja\""), "a language with one row is served");
    let mut ru = app.browser();
    ru.lang = Some("ru");
    assert!(ru.get(&format!("/r/{room}")).await.body.contains("1 участник"));
    // The page itself speaks the translator's language.
    let mut korean_t = signed_in_translator(&app).await;
    korean_t.lang = Some("ko");
    let page = korean_t.get("/translate?locale=ja&show=missing&q=send").await;
    assert!(page.body.contains("번역") && page.body.contains("로그아웃"), "{}", page.body);
    assert!(!page.body.contains("id=\"cell-send-ja\""), "translated rows are filtered out");
    let page = korean_t.get("/translate?locale=ja&q=started").await;
    assert!(
        page.body.contains("id=\"cell-started_by-ja\"") && !page.body.contains("id=\"cell-send-ja\""),
        "search"
    );
}
