//! Live frames: the HTML the browser's socket pushes (docs/protocol.md), built from the same
//! fragments as the pages and wrapped by templates for htmx out-of-band swaps (`hx-swap-oob`).

use askama::Template;

use super::{MemberFragment, MessageFragment, NoticeFragment, Ui, log_items, member_items, render};
use crate::backend::History;
use crate::domain::{MemberView, PresenceChange, RoomEvent, RoomId, UserId};

/// Items swapped into one of the chat page's two lists: `#messages` or `#members`.
#[derive(Template)]
#[template(path = "frames/list.html")]
struct ListFrame<'a> {
    /// `#messages` if true, else `#members`.
    messages: bool,
    /// `beforeend` (append) or `innerHTML` (replace).
    swap: &'static str,
    /// Rendered fragments.
    items: &'a str,
}

/// Removes a member's entry from `#members`.
#[derive(Template)]
#[template(path = "frames/member_removed.html")]
struct MemberRemovedFrame<'a> {
    user: &'a UserId,
}

/// The localized error under the composer; `error: None` clears it. The chat page renders
/// the same fragment in place (`oob: false`).
#[derive(Template)]
#[template(path = "fragments/_composer_error.html")]
struct ComposerErrorFrame<'a> {
    error: Option<&'a str>,
    oob: bool,
}

/// Replaces the composer when the socket cannot go on (session gone, room gone).
#[derive(Template)]
#[template(path = "frames/ended.html")]
struct EndedFrame<'a> {
    message: &'a str,
    room: &'a RoomId,
    link_text: &'a str,
}

fn append_messages(items: &str) -> String {
    render(&ListFrame { messages: true, swap: "beforeend", items })
}

fn append_members(items: &str) -> String {
    render(&ListFrame { messages: false, swap: "beforeend", items })
}

/// The frame for `event` in `ui`'s language. Sockets answer a resync with a snapshot; it has no
/// frame of its own.
pub fn event_frame(ui: &'static Ui, event: &RoomEvent) -> String {
    match event {
        RoomEvent::Message(m) => append_messages(&render(&MessageFragment::new(m))),
        RoomEvent::Presence { member, change, .. } => presence_frame(ui, member, *change),
        RoomEvent::Resync => String::new(),
    }
}

fn presence_frame(ui: &'static Ui, member: &MemberView, change: PresenceChange) -> String {
    let notice = |template: &str, kind: &'static str| {
        append_messages(&render(&NoticeFragment::about(kind, template, member.name.as_str())))
    };
    match change {
        PresenceChange::Joined => {
            let mut frame = append_members(&render(&MemberFragment::new(ui, member, false, None)));
            frame.push_str(&notice(ui.joined_notice, "joined"));
            frame
        }
        PresenceChange::Online | PresenceChange::Offline => {
            render(&MemberFragment::new(ui, member, false, Some("outerHTML")))
        }
        PresenceChange::Left => {
            let mut frame = render(&MemberRemovedFrame { user: &member.user });
            frame.push_str(&notice(ui.left_notice, "left"));
            frame
        }
    }
}

/// A frame stays near this size where its items allow. A socket's write buffer keeps, for the
/// socket's life, the capacity of the largest frame it ever sent; one frame holding a whole
/// snapshot (a full history is tens of kilobytes) would cost every browser socket that much.
pub const SNAPSHOT_CHUNK: usize = 1024;

/// What a socket gets first on every (re)connect: the member list and the history, replacing
/// what the page shows, so a reconnecting tab misses nothing and shows nothing twice. Sent as
/// several frames of about [`SNAPSHOT_CHUNK`] bytes: the first replaces both lists with their
/// first items, the others append the rest in order; the last also clears the composer's error.
pub fn snapshot_frames(
    ui: &'static Ui,
    history: &History,
    members: &[MemberView],
    me: &UserId,
) -> Vec<String> {
    let mut log = log_items(ui, history).into_iter();
    let mut people = member_items(ui, members, Some(me));
    let mut first = render(&ListFrame { messages: true, swap: "innerHTML", items: &take_chunk(&mut log) });
    first.push_str(&render(&ListFrame {
        messages: false,
        swap: "innerHTML",
        items: &take_chunk(&mut people),
    }));
    let mut frames = vec![first];
    loop {
        let more = take_chunk(&mut people);
        if more.is_empty() {
            break;
        }
        frames.push(append_members(&more));
    }
    loop {
        let more = take_chunk(&mut log);
        if more.is_empty() {
            break;
        }
        frames.push(append_messages(&more));
    }
    if let Some(last) = frames.last_mut() {
        last.push_str(&error_frame(None));
    }
    frames
}

/// The next items, at least one, until they reach about half a chunk (the frame's wrapping and
/// the other list share it).
fn take_chunk(items: &mut impl Iterator<Item = String>) -> String {
    let mut out = String::new();
    for item in items.by_ref() {
        out.push_str(&item);
        if out.len() >= SNAPSHOT_CHUNK / 2 {
            break;
        }
    }
    out
}

/// A localized error under the composer; `None` clears it.
pub fn error_frame(message: Option<&str>) -> String {
    render(&ComposerErrorFrame { error: message, oob: true })
}

/// Replaces the composer when the socket cannot go on: the message and a link to rejoin.
pub fn ended_frame(message: &str, room: &RoomId, link_text: &str) -> String {
    render(&EndedFrame { message, room, link_text })
}
