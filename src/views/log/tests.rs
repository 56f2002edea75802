//! Grouping, days and zones of the log.

use super::*;
use crate::domain::{DisplayName, MessageText};
use crate::views::Ui;

fn msg(seq: u64, user: &UserId, at: UnixMillis) -> ChatMessage {
    ChatMessage {
        seq,
        kind: EntryKind::Text,
        user: user.clone(),
        name: DisplayName::from_stored("Ann".into()),
        text: MessageText::from_stored(format!("m{seq}")),
        at,
        client_id: None,
        mentions: Vec::new(),
        extra: Default::default(),
    }
}

#[test]
fn messages_group_and_days_separate() {
    let (ann, bob) = (UserId::generate(), UserId::generate());
    // 2026-11-30 23:58 UTC, then 2 minutes later (the next day in UTC), ...
    let t0: UnixMillis = 1_796_083_080_000;
    let history = History {
        messages: vec![
            msg(1, &ann, t0),
            msg(2, &ann, t0 + 60_000),
            msg(3, &ann, t0 + 120_000),
            msg(4, &bob, t0 + 130_000),
            msg(5, &bob, t0 + 130_000 + GROUP_GAP_MS + 1),
            ChatMessage::notice(
                6,
                EntryKind::Joined,
                ann.clone(),
                DisplayName::from_stored("Ann".into()),
                t0 + 400_000,
            ),
            msg(7, &ann, t0 + 410_000),
        ],
        truncated: false,
        more: false,
    };
    let ui = Ui::english();
    let reader = Reader { ui: &ui, me: Some(&bob), zone: Zone::from_cookie(Some("0")), room: None };
    let items = log_items(reader, &history);
    let kinds: Vec<&str> = items
        .iter()
        .map(|i| {
            if i.contains("class=\"day\"") {
                "day"
            } else if i.contains("msg cont") {
                "cont"
            } else if i.contains("class=\"msg") {
                "msg"
            } else {
                "notice"
            }
        })
        .collect();
    assert_eq!(kinds, ["notice", "day", "msg", "cont", "day", "msg", "msg", "msg", "notice", "msg"]);
    assert!(items[1].contains("Monday, 30 November 2026"), "{}", items[1]);
    assert!(items[6].contains(" mine"), "bob's own message is marked for bob");
    // Nine hours east, the three first messages share one day.
    let seoul = Reader { zone: Zone::from_cookie(Some("540")), ..reader };
    let items = log_items(seoul, &history);
    assert_eq!(items.iter().filter(|i| i.contains("class=\"day\"")).count(), 1);
    assert!(items[2].contains(">08:58<"), "{}", items[2]);
}

#[test]
fn zones_label_and_stamp() {
    let seoul = Zone::from_cookie(Some("540"));
    let ui = Ui::english();
    assert_eq!(seoul.label(&ui), "UTC+09:00");
    assert_eq!(Zone::from_cookie(Some("-90")).label(&ui), "UTC-01:30");
    assert_eq!(Zone::default().label(&ui), "UTC");
    assert_eq!(seoul.stamp(1_796_083_080_000), "2026-12-01 08:58");
}

#[test]
fn zones_come_from_the_cookie() {
    assert!(!Zone::from_cookie(None).known());
    assert!(!Zone::from_cookie(Some("abc")).known());
    assert!(!Zone::from_cookie(Some("100000")).known());
    assert!(Zone::from_cookie(Some("-300")).known());
}

#[test]
fn what_others_typed_into_replies_and_reactions_is_escaped() {
    use crate::domain::{Mention, Reaction, Reply};
    let (ann, bob) = (UserId::generate(), UserId::generate());
    let mut m = msg(2, &ann, 1_796_083_080_000);
    m.name = DisplayName::from_stored("<i>Ann</i>".into());
    m.extra.reply =
        Some(Reply { seq: 1, name: "<b>Bob</b>".into(), quote: "<script>alert(1)</script>".into() });
    m.extra.reactions = vec![Reaction {
        emoji: "\"><img src=x>".into(),
        by: vec![Mention { user: bob.clone(), name: "\"onmouseover=\"x".into() }],
    }];
    let room = RoomId::generate();
    let ui = Ui::english();
    let reader = Reader { ui: &ui, me: Some(&bob), zone: Zone::default(), room: Some(&room) };
    let history = History { messages: vec![m.clone()], truncated: false, more: false };
    let html = log_items(reader, &history).concat();
    for raw in ["<i>", "<b>", "<script>", "<img", "\"onmouseover"] {
        assert!(!html.contains(raw), "{raw} escaped in {html}");
    }
    assert!(html.contains("&#60;script&#62;alert(1)"), "{html}");
    assert!(html.contains("href=\"/r/") && html.contains("#msg-1\""), "the quote links to what it answers");
    // The live frames of an action are escaped the same way.
    let mut react = m.clone();
    react.kind = EntryKind::Reacted;
    react.extra.target = 2;
    let frame = action_frame(&ui, &room, &react);
    assert!(frame.contains("id=\"rx-2\"") && frame.contains("hx-swap-oob=\"outerHTML\""));
    assert!(!frame.contains("<img") && !frame.contains("\"onmouseover"), "{frame}");
    // A deleted message shows its tombstone and nothing of what it said.
    let mut gone = m;
    gone.text = MessageText::from_stored(String::new());
    gone.extra.deleted = true;
    gone.extra.reactions.clear();
    let html = log_items(reader, &History { messages: vec![gone], truncated: false, more: false }).concat();
    assert!(html.contains("This message was deleted.") && html.contains(" deleted\""));
    assert!(!html.contains("class=\"acts\""), "a tombstone has no actions");
}

#[test]
fn notices_are_formatted_with_the_name_isolated_and_the_title_as_text() {
    let ann = UserId::generate();
    let texts = |key: &str| match key {
        "joined_notice" => Some("'{'{name}'}' is here, isn''t it".to_owned()),
        "renamed_notice" => Some("{name} → {title}".to_owned()),
        _ => None,
    };
    let ui = Ui::with_texts(Ui::english().language.clone(), &Ui::english(), texts);
    let mut joined = msg(1, &ann, 0);
    joined.kind = EntryKind::Joined;
    assert_eq!(notice_text(&ui, &joined), "{Ann} is here, isn't it");
    assert!(
        notice(&ui, &joined).contains("{<bdi>Ann</bdi>} is here, isn&#39;t it"),
        "{}",
        notice(&ui, &joined)
    );
    let mut renamed = msg(2, &ann, 0);
    renamed.kind = EntryKind::Renamed;
    renamed.text = MessageText::from_stored("{name} \u{E000} '{'".into());
    assert_eq!(notice_text(&ui, &renamed), "Ann → {name} \u{FFFD} '{'");
}
