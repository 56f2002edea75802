//! What live readers get for an action on a message (docs/messages.md): the message's new
//! text or reactions, rendered from the same fragments as the log and swapped in place.

use askama::Template;

use super::super::markup::message_html;
use super::super::{Ui, render};
use crate::domain::{ChatMessage, EntryKind, Reaction, RoomId};

/// A message's text after an edit or deletion, swapped in place of the old (`#tx-{seq}`).
#[derive(Template)]
#[template(path = "fragments/_message_text.html")]
struct MessageTextFragment<'a> {
    ui: &'a Ui,
    seq: u64,
    body: String,
    edited: bool,
    deleted: bool,
    oob: bool,
}

/// A message's reactions after one changed, swapped in place of the old (`#rx-{seq}`).
#[derive(Template)]
#[template(path = "fragments/_reactions.html")]
struct ReactionsFragment<'a> {
    room: &'a str,
    seq: u64,
    reactions: &'a [Reaction],
    oob: bool,
}

/// What a live reader gets for an action on message `extra.target` (edit, deletion,
/// reaction): its new text or reactions, swapped in place. Nothing is appended: the action's
/// own entry shows nowhere in the log.
pub fn action_frame(ui: &Ui, room: &RoomId, m: &ChatMessage) -> String {
    let seq = m.extra.target;
    let text = |deleted: bool| {
        render(&MessageTextFragment {
            ui,
            seq,
            body: if deleted { String::new() } else { message_html(m.text.as_str(), &m.mentions) },
            edited: !deleted,
            deleted,
            oob: true,
        })
    };
    let reactions = |list: &[Reaction]| {
        render(&ReactionsFragment { room: room.as_str(), seq, reactions: list, oob: true })
    };
    match m.kind {
        EntryKind::Edited => text(false),
        EntryKind::Deleted => text(true) + &reactions(&[]),
        EntryKind::Reacted => reactions(&m.extra.reactions),
        _ => String::new(),
    }
}
