//! Every word a reader sees comes from the catalogue: each page and live fragment is read in
//! the pseudo-locale `en-xa` (every catalogue text accented and bracketed, docs/translating.md),
//! and any visible text left with plain ASCII letters — a word written into a template or the
//! code instead of the catalogue — fails the test, named with where it was found.

use std::time::Duration;

use c2c::catalog::syntax::Message;

use crate::helpers::{Browser, Live, TestApp, spawn_app_with};

const TOKEN: &str = "pseudo-locale-translator-token";

/// Attributes whose values are data for scripts, not words (ids, numbers, emoji, selectors).
const DATA_ATTRIBUTES: &[&str] = &[
    "data-user",
    "data-at",
    "data-client",
    "data-mentions",
    "data-copy",
    "data-seq",
    "data-before",
    "data-me",
    "data-owner",
    "data-retry",
    "data-code",
    "data-state",
    "data-emoji",
    "data-palette",
    "data-max",
    "data-edit-window",
    "data-by",
];

/// Attributes read by people (or their screen readers).
const TEXT_ATTRIBUTES: &[&str] = &["placeholder", "title", "aria-label", "alt"];

fn decode(text: &str) -> String {
    let mut out =
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    while let Some(start) = out.find("&#") {
        let Some(end) = out[start..].find(';').map(|e| e + start) else { break };
        let code = &out[start + 2..end];
        let c = code
            .strip_prefix('x')
            .map_or_else(|| code.parse().ok(), |hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32)
            .unwrap_or('?');
        out.replace_range(start..=end, &c.to_string());
    }
    out
}

/// The texts of an HTML page or fragment a person reads: text between tags (not scripts or
/// styles) and the values of reading attributes.
fn visible_texts(html: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        texts.push(decode(&rest[..open]));
        let Some(close) = rest[open..].find('>').map(|c| c + open) else { break };
        let tag = &rest[open + 1..close];
        for (name, value) in attributes(tag) {
            let spoken = TEXT_ATTRIBUTES.contains(&name.as_str())
                || (name.starts_with("data-") && !DATA_ATTRIBUTES.contains(&name.as_str()));
            if spoken {
                texts.push(shown(&decode(&value)));
            }
        }
        rest = &rest[close + 1..];
        // Scripts and styles are not read; `<code>` holds ids, keys and tags.
        for hidden in ["script", "style", "code"] {
            if tag.starts_with(hidden)
                && let Some(end) = rest.find(&format!("</{hidden}>"))
            {
                rest = &rest[end..];
            }
        }
    }
    texts.push(decode(rest));
    texts.into_iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()
}

/// A catalogue text handed to the page's script (`data-…`) as its reader sees it: the
/// placeholders filled and one plural form chosen.
fn shown(template: &str) -> String {
    match Message::parse(template) {
        Ok(message) => {
            let args: Vec<String> = message.arguments();
            let values: Vec<(&str, &str)> = args.iter().map(|a| (a.as_str(), "1")).collect();
            message.format(None, &values)
        }
        Err(_) => template.to_owned(),
    }
}

fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].rsplit([' ', '\n']).next().unwrap_or("").to_owned();
        let value_start = eq + 2;
        let Some(end) = rest[value_start..].find('"') else { break };
        found.push((name, rest[value_start..value_start + end].to_owned()));
        rest = &rest[value_start + end + 1..];
    }
    found
}

/// What the test itself typed or the server made up (names, messages, ids, links): allowed.
struct Allowed(Vec<String>);

impl Allowed {
    /// The texts of `html` that still hold ASCII letters once allowed words are removed.
    fn leaks(&self, html: &str) -> Vec<String> {
        visible_texts(html)
            .into_iter()
            .filter(|text| {
                let mut left = text.clone();
                for word in &self.0 {
                    left = left.replace(word.as_str(), " ");
                }
                left.chars().any(|c| c.is_ascii_alphabetic())
            })
            .collect()
    }
}

struct Sweep {
    allowed: Allowed,
    leaks: Vec<String>,
    pages: usize,
}

impl Sweep {
    fn read(&mut self, place: &str, html: &str) {
        self.pages += 1;
        if html.contains("<html") {
            assert!(html.contains('⟦'), "{place} shows no catalogue text at all: {html}");
        }
        for leak in self.allowed.leaks(html) {
            self.leaks.push(format!("{place}: {leak:?}"));
        }
    }
}

async fn frames_until(live: &mut Live, needle: &str) -> String {
    tokio::time::timeout(Duration::from_secs(5), live.until(needle))
        .await
        .unwrap_or_else(|_| panic!("no live frame with {needle:?}"))
}

#[tokio::test]
async fn no_visible_text_of_any_page_or_fragment_escapes_the_catalogue() {
    let app: TestApp = spawn_app_with(|c| c.translator_token = Some(TOKEN.to_owned())).await;
    let pseudo = |b: Browser| Browser { lang: Some("en-XA"), ..b };
    let (ann, bo) = (pseudo(app.browser()), pseudo(app.browser()));
    let room = ann.create_room("Ann").await;
    let bo_id = {
        let csrf = bo.get(&format!("/r/{room}")).await.field("csrf");
        bo.post(&format!("/r/{room}/join"), &[("name", "Bo"), ("csrf", &csrf)]).await;
        bo.cookie_header().unwrap_or_default()
    };
    let _ = bo_id;
    let mut sweep = Sweep {
        allowed: Allowed(vec![
            "Ann".into(),
            "Bo".into(),
            "hello there".into(),
            "fixed text".into(),
            "answer".into(),
            "Lobby".into(),
            "Plans".into(),
            room.clone(),
            "c2c".into(),
            // The language menu names each language in itself.
            "English".into(),
        ]),
        leaks: Vec::new(),
        pages: 0,
    };

    // Live fragments: snapshot, a message, a reply, reactions, an edit, a deletion, typing,
    // a join and a rename notice, a refusal, the end of the room.
    let mut live = ann.connect_live(&room).await;
    sweep.read("live snapshot", &live.next_snapshot().await);
    live.send_message("hello there", "c1").await;
    sweep.read("live message", &frames_until(&mut live, "hello there").await);
    let chat = ann.get(&format!("/r/{room}")).await.body;
    let seq = chat.split("id=\"msg-").nth(1).and_then(|s| s.split('"').next()).unwrap_or("1").to_owned();
    let send =
        |body: serde_json::Value| tokio_tungstenite::tungstenite::Message::Text(body.to_string().into());
    live.send_raw(send(
        serde_json::json!({"act": "react", "target": seq.parse::<u64>().unwrap_or(1), "emoji": "👍"}),
    ))
    .await;
    sweep.read("live reaction", &frames_until(&mut live, "👍").await);
    live.send_raw(send(
        serde_json::json!({"act": "edit", "target": seq.parse::<u64>().unwrap_or(1), "text": "fixed text"}),
    ))
    .await;
    sweep.read("live edit", &frames_until(&mut live, "fixed text").await);
    live.send_raw(send(
        serde_json::json!({"text": "answer", "client_id": "c2", "reply_to": seq.parse::<u64>().unwrap_or(1)}),
    ))
    .await;
    sweep.read("live reply", &frames_until(&mut live, "answer").await);
    let mut bo_live = bo.connect_live(&room).await;
    sweep.read("live snapshot (second member)", &bo_live.next_snapshot().await);
    bo_live.send_raw(send(serde_json::json!({"typing": true}))).await;
    sweep.read("live typing", &frames_until(&mut live, "typers").await);
    live.send_message("", "c3").await;
    sweep.read("live refusal", &frames_until(&mut live, "composer-error").await);
    let csrf = ann.get(&format!("/r/{room}")).await.field("csrf");
    ann.post(&format!("/r/{room}/settings"), &[("room_name", "Lobby"), ("topic", "Plans"), ("csrf", &csrf)])
        .await;
    sweep.read("live rename", &frames_until(&mut live, "Lobby").await);
    live.send_raw(send(serde_json::json!({"act": "delete", "target": seq.parse::<u64>().unwrap_or(1)})))
        .await;
    sweep.read("live deletion", &frames_until(&mut live, "tombstone").await);

    // Pages.
    let chat = ann.get(&format!("/r/{room}")).await.body;
    sweep.read("chat page", &chat);
    let answer_seq =
        chat.split("id=\"msg-").nth(2).and_then(|s| s.split('"').next()).unwrap_or("2").to_owned();
    for (place, path) in [
        ("start page", "/".to_owned()),
        ("log", format!("/r/{room}/log")),
        ("earlier page", format!("/r/{room}/earlier?before=3")),
        ("message page", format!("/r/{room}/m/{answer_seq}")),
        ("transcript", format!("/r/{room}/transcript.txt")),
        ("room not found", "/r/AAAAAAAAAAAAAAAA".to_owned()),
        ("page not found", "/nowhere".to_owned()),
        ("translators' sign-in", "/translate".to_owned()),
    ] {
        let page = ann.get(&path).await;
        sweep.read(place, &page.body);
    }
    let stranger = pseudo(app.browser());
    sweep.read("invite page", &stranger.get(&format!("/r/{room}")).await.body);
    let csrf = stranger.get("/").await.field("csrf");
    sweep.read("refused form", &stranger.post("/rooms", &[("name", ""), ("csrf", &csrf)]).await.body);
    let csrf = stranger.get("/translate").await.field("csrf");
    stranger.post("/translate/login", &[("editor", "Ann"), ("token", TOKEN), ("csrf", &csrf)]).await;
    let translate = stranger.get("/translate?locale=ko&q=zzzz").await;
    sweep.read("translators' page", &translate.body);
    // The end of the room, as the other member's socket sees it.
    let csrf = ann.get(&format!("/r/{room}")).await.field("csrf");
    ann.post(&format!("/r/{room}/end"), &[("csrf", &csrf)]).await;
    sweep.read("live end", &frames_until(&mut bo_live, "ended").await);

    assert!(sweep.pages >= 23, "{} pages and fragments read", sweep.pages);
    assert!(sweep.leaks.is_empty(), "texts outside the catalogue:\n{}", sweep.leaks.join("\n"));
}

#[test]
fn the_sweep_catches_a_hard_coded_word() {
    let allowed = Allowed(vec!["Ann".into()]);
    let html = r#"<p title="⟦Ŧīŧŀḗ⟧">⟦Ħḗŀŀǿ⟧ <bdi>Ann</bdi></p><button aria-label="Close">×</button>
        <div data-user="u_abcdefgh" data-save="Save"><script>var x = "code";</script></div>"#;
    assert_eq!(allowed.leaks(html), ["Close", "Save"]);
}
