//! Grouping, days and zones of the log.

use super::*;
use crate::domain::{DisplayName, MessageText};
use crate::views::UiLang;

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
    let reader =
        Reader { ui: UiLang::En.ui(), me: Some(&bob), zone: Zone::from_cookie(Some("0")), room: None };
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
    assert_eq!(seoul.label(), "UTC+09:00");
    assert_eq!(Zone::from_cookie(Some("-90")).label(), "UTC-01:30");
    assert_eq!(Zone::default().label(), "UTC");
    assert_eq!(seoul.stamp(1_796_083_080_000), "2026-12-01 08:58");
}

#[test]
fn zones_come_from_the_cookie() {
    assert!(!Zone::from_cookie(None).known());
    assert!(!Zone::from_cookie(Some("abc")).known());
    assert!(!Zone::from_cookie(Some("100000")).known());
    assert!(Zone::from_cookie(Some("-300")).known());
}
