//! The rules of message actions.

use super::*;

fn message(user: &UserId) -> ChatMessage {
    let mut m =
        ChatMessage::notice(7, EntryKind::Text, user.clone(), DisplayName::from_stored("Ann".into()), 1000);
    m.text = MessageText::from_stored("hello".into());
    m
}

fn actor<'a>(user: &'a UserId, name: &'a DisplayName, owner: bool) -> Actor<'a> {
    Actor { user, name, owner, now: 2000, edit_window_ms: 5000 }
}

#[test]
fn emoji_are_told_from_words() {
    for ok in ["👍", "❤️", "🇰🇷", "👍🏽", "👨‍👩‍👧", "1️⃣", "✅", "©️"] {
        assert!(Emoji::parse(ok).is_some(), "{ok}");
    }
    for bad in
        ["", "a", "lol", "👍 x", "<b>", "\u{202E}👍", "1", "\u{200D}", " ", "👍👍👍👍👍👍👍👍👍👍👍👍👍"]
    {
        assert!(Emoji::parse(bad).is_none(), "{bad:?}");
    }
}

#[test]
fn quotes_cut_between_characters() {
    let long = "가".repeat(100);
    let q = quote_of(&long);
    assert!(q.len() <= QUOTE_BYTES && long.starts_with(&q) && q.chars().all(|c| c == '가'));
    assert_eq!(quote_of("short"), "short");
}

#[test]
fn only_the_author_edits_and_only_in_the_window() {
    let (ann, bob) = (UserId::generate(), UserId::generate());
    let name = DisplayName::from_stored("Bob".into());
    let mut m = message(&ann);
    let edit = Action::Edit { target: 7, text: MessageText::from_stored("fixed".into()), mentions: vec![] };
    assert_eq!(apply(&edit, actor(&bob, &name, true), &mut m), Err(ActRefusal::NotAuthor));
    let late = Actor { now: 10_000, ..actor(&ann, &name, false) };
    assert_eq!(apply(&edit, late, &mut m), Err(ActRefusal::WindowPassed));
    let entry = apply(&edit, actor(&ann, &name, false), &mut m).unwrap();
    assert_eq!(
        (entry.kind, entry.extra.target, m.text.as_str(), m.extra.edited),
        (EntryKind::Edited, 7, "fixed", Some(2000))
    );
}

#[test]
fn deletion_leaves_a_tombstone_and_ends_all_actions() {
    let (ann, bob) = (UserId::generate(), UserId::generate());
    let name = DisplayName::from_stored("Bob".into());
    let mut m = message(&ann);
    let delete = Action::Delete { target: 7 };
    assert_eq!(apply(&delete, actor(&bob, &name, false), &mut m), Err(ActRefusal::NotAuthor));
    apply(&delete, actor(&bob, &name, true), &mut m).unwrap();
    assert!(m.extra.deleted && m.text.as_str().is_empty());
    let react = Action::React { target: 7, emoji: Emoji::parse("👍").unwrap() };
    assert_eq!(apply(&react, actor(&bob, &name, false), &mut m), Err(ActRefusal::Gone));
}

#[test]
fn reactions_toggle_and_stay_bounded() {
    let ann = UserId::generate();
    let name = DisplayName::from_stored("Ann".into());
    let mut m = message(&ann);
    let thumbs = Action::React { target: 7, emoji: Emoji::parse("👍").unwrap() };
    let entry = apply(&thumbs, actor(&ann, &name, false), &mut m).unwrap();
    assert_eq!(entry.extra.reactions, m.extra.reactions);
    assert_eq!(m.extra.reactions[0].by[0].user, ann);
    apply(&thumbs, actor(&ann, &name, false), &mut m).unwrap();
    assert!(m.extra.reactions.is_empty(), "the second toggle takes it back");
    let users: Vec<UserId> = (0..MAX_REACTIONS_PER_MESSAGE + 1).map(|_| UserId::generate()).collect();
    for u in &users[..MAX_REACTIONS_PER_MESSAGE] {
        apply(&thumbs, actor(u, &name, false), &mut m).unwrap();
    }
    let last = actor(&users[MAX_REACTIONS_PER_MESSAGE], &name, false);
    assert_eq!(apply(&thumbs, last, &mut m), Err(ActRefusal::TooManyReactions));
    // Taking one back is always possible.
    apply(&thumbs, actor(&users[0], &name, false), &mut m).unwrap();
    assert_eq!(Extra::from_json(&m.extra.to_json()), m.extra);
}
