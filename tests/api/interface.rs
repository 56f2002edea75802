//! Interface strings in the catalogue (`ui_text`) on real PostgreSQL: shipped rows and
//! releases, a language added as rows, right-to-left, plurals, the pseudo-locale.

use std::time::Duration;

use c2c::views::UI_KEYS;

use crate::helpers::{TestApp, fresh_postgres, spawn_app_with, within};

async fn on_db(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |c| c.database_url = url).await
}

async fn row(pool: &sqlx::PgPool, name: &str, locale: &str) -> Option<(String, Option<String>)> {
    sqlx::query_as("SELECT message, updated_by FROM ui_text WHERE name = $1 AND locale = $2")
        .bind(name)
        .bind(locale)
        .fetch_optional(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn shipped_strings_follow_releases_until_a_translator_edits_them() {
    let url = fresh_postgres().await;
    let _first = on_db(&url).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM ui_text WHERE locale IN ('en', 'ko')")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 2 * UI_KEYS.len() as i64, "every string ships in English and Korean");
    // An older release's text, and a translator's edit.
    sqlx::query("UPDATE ui_text SET message = 'Send it' WHERE name = 'send' AND locale = 'en'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE ui_text SET message = '전송', updated_by = 'Mina' WHERE name = 'send' AND locale = 'ko'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let _next = on_db(&url).await;
    assert_eq!(row(&pool, "send", "en").await, Some(("Send".to_owned(), None)), "the release's text");
    assert_eq!(row(&pool, "send", "ko").await, Some(("전송".to_owned(), Some("Mina".to_owned()))), "kept");
}

#[tokio::test]
async fn a_language_added_as_rows_serves_every_page_with_fallback_and_direction() {
    let url = fresh_postgres().await;
    let app = on_db(&url).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for (name, locale, text) in [
        ("tagline", "ja", "リンクを共有して、すぐチャット。"),
        ("language_name", "ja", "日本語"),
        ("tagline", "ar", "شارك رابطًا وابدأ الدردشة."),
        ("language_name", "ar", "العربية"),
    ] {
        sqlx::query("INSERT INTO ui_text (name, locale, message) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(locale)
            .bind(text)
            .execute(&pool)
            .await
            .unwrap();
    }
    let mut ja = app.browser();
    ja.lang = Some("ja-JP,ja;q=0.9,en;q=0.5");
    assert!(
        within(Duration::from_secs(5), async || ja
            .get("/")
            .await
            .body
            .contains("リンクを共有して、すぐチャット。"))
        .await,
        "the new language within seconds: {}",
        ja.get("/").await.body
    );
    let home = ja.get("/").await.body;
    assert!(home.contains(r#"<html lang="ja" dir="ltr">"#), "{home}");
    assert!(home.contains("Create room"), "strings without a row fall back to English");
    for (tag, name) in [("en", "English"), ("ko", "한국어"), ("ja", "日本語"), ("ar", "العربية")]
    {
        assert!(
            home.contains(&format!(r#"hreflang="{tag}" lang="{tag}""#)) && home.contains(name),
            "{tag} offered"
        );
    }
    assert!(!home.contains("en-xa"), "the pseudo-locale is not offered");
    let mut ar = app.browser();
    ar.lang = Some("ar-EG");
    let home = ar.get("/").await.body;
    assert!(
        home.contains(r#"<html lang="ar" dir="rtl">"#) && home.contains("شارك رابطًا وابدأ الدردشة."),
        "{home}"
    );
    // A language without rows gets English.
    let mut fr = app.browser();
    fr.lang = Some("fr");
    assert!(fr.get("/").await.body.contains(r#"<html lang="en" dir="ltr">"#));
}

#[tokio::test]
async fn counts_take_their_plural_form_from_the_catalogue() {
    let url = fresh_postgres().await;
    let app = on_db(&url).await;
    let owner = app.browser();
    let room = owner.create_room("Ann").await;
    let visitor = app.browser();
    assert!(visitor.get(&format!("/r/{room}")).await.body.contains("1 member"));
    let second = app.browser();
    second.join(&room, "Bo").await;
    assert!(visitor.get(&format!("/r/{room}")).await.body.contains("2 members"));
    let mut korean = app.browser();
    korean.lang = Some("ko");
    assert!(korean.get(&format!("/r/{room}")).await.body.contains("멤버 2명"));
    // The forms are the catalogue's: a translator's English wording shows at once.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(
        "UPDATE ui_text SET message = '{n, plural, one {# person} other {# people}}', updated_by = 'Ed' \
         WHERE name = 'members_count' AND locale = 'en'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert!(
        within(Duration::from_secs(5), async || visitor
            .get(&format!("/r/{room}"))
            .await
            .body
            .contains("2 people"))
        .await
    );
}

#[tokio::test]
async fn the_pseudo_locale_rewrites_every_string_and_error() {
    let url = fresh_postgres().await;
    let app = on_db(&url).await;
    let mut pseudo = app.browser();
    pseudo.lang = Some("en-XA");
    let home = pseudo.get("/").await.body;
    assert!(home.contains(r#"<html lang="en-xa" dir="ltr">"#), "{home}");
    assert!(home.contains("⟦Ƈřḗȧŧḗ řǿǿḿ"), "{home}");
    assert!(!home.contains("Create room"));
    let missing = pseudo.get("/r/AAAAAAAAAAAAAAAA").await.body;
    assert!(missing.contains("⟦Ŧħīş řǿǿḿ ḓǿḗş ƞǿŧ ḗẋīşŧ"), "errors too: {missing}");
}
