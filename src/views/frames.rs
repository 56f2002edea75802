//! Live frames: the HTML the browser's socket pushes (docs/protocol.md), built from the same
//! fragments as the pages and wrapped by templates for htmx out-of-band swaps (`hx-swap-oob`).

use askama::Template;

use super::{MemberFragment, Reader, Ui, action_frame, live_entry, log_items, member_items, render};
use crate::backend::History;
use crate::domain::{EntryKind, MemberView, PresenceChange, RoomEvent, RoomId, UserId};

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

/// Someone is typing: added to the page's hidden `#typers`, which the page's script reads
/// (names from the member list, each for a few seconds) and empties.
#[derive(Template)]
#[template(path = "frames/typing.html")]
struct TypingFrame<'a> {
    user: &'a UserId,
}

/// The room's heading: its name, or "Room {id}" while it has none (the chat page renders the
/// same fragment in place).
#[derive(Template)]
#[template(path = "fragments/_room_heading.html")]
pub struct RoomHeading<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// The room.
    pub room: &'a RoomId,
    /// Its name, or empty.
    pub name: &'a str,
    /// An out-of-band swap (live) rather than in place (the page).
    pub oob: bool,
}

/// The room's topic line (hidden while there is none).
#[derive(Template)]
#[template(path = "fragments/_room_topic.html")]
pub struct RoomTopic<'a> {
    /// Its topic, or empty.
    pub topic: &'a str,
    /// An out-of-band swap (live) rather than in place (the page).
    pub oob: bool,
}

/// Removes a member's entry from `#members`.
#[derive(Template)]
#[template(path = "frames/member_removed.html")]
struct MemberRemovedFrame<'a> {
    user: &'a UserId,
}

/// The localized error under the composer; `error: None` clears it. The chat page renders
/// the same fragment in place (`oob: false`). The page's script reads the error's code and,
/// for a refusal on rate, the seconds to wait before it sends the message again.
#[derive(Template)]
#[template(path = "fragments/_composer_error.html")]
struct ComposerErrorFrame<'a> {
    error: Option<&'a str>,
    error_code: &'a str,
    retry: u64,
    oob: bool,
}

/// Why the socket refused what the composer sent: the localized message, its error code and,
/// for a refusal on rate, when to send again.
#[derive(Clone, Copy, Debug)]
pub struct Refusal<'a> {
    /// The localized message.
    pub message: &'a str,
    /// The error code (`RATE_LIMITED`, `MESSAGE_TOO_LONG`, …).
    pub code: &'a str,
    /// Seconds to wait before sending again (0: not a refusal on rate).
    pub retry_secs: u64,
}

/// Replaces the composer when the socket cannot go on (session gone, room gone).
#[derive(Template)]
#[template(path = "frames/ended.html")]
struct EndedFrame<'a> {
    message: &'a str,
    href: &'a str,
    link_text: &'a str,
}

fn append_messages(items: &str) -> String {
    render(&ListFrame { messages: true, swap: "beforeend", items })
}

fn append_members(items: &str) -> String {
    render(&ListFrame { messages: false, swap: "beforeend", items })
}

/// The frame for `event` of `room` in `ui`'s language. Sockets answer a resync with a snapshot;
/// it has no frame of its own. Join and leave notices are history entries (messages of their
/// own kind); the presence changes only update the member list. A rename or a new topic also
/// replaces the heading (the page's script follows with the tab title).
pub fn event_frame(ui: &Ui, room: &RoomId, event: &RoomEvent) -> String {
    match event {
        RoomEvent::Message(m) if matches!(m.kind, EntryKind::Renamed | EntryKind::Topic) => {
            let mut frame = append_messages(&live_entry(ui, room, m));
            let text = m.text.as_str();
            frame.push_str(&match m.kind {
                EntryKind::Renamed => render(&RoomHeading { ui, room, name: text, oob: true }),
                _ => render(&RoomTopic { topic: text, oob: true }),
            });
            frame
        }
        RoomEvent::Message(m) if m.is_action() => action_frame(ui, room, m),
        RoomEvent::Message(m) => append_messages(&live_entry(ui, room, m)),
        RoomEvent::Presence { member, change, .. } => presence_frame(ui, member, *change),
        RoomEvent::Typing { user } => render(&TypingFrame { user }),
        // Each socket ends itself (`ended_frame`), in its reader's words; a member list goes in
        // chunks (`member_list_frames`).
        RoomEvent::Resync | RoomEvent::Ended | RoomEvent::Beat | RoomEvent::Members { .. } => String::new(),
    }
}

/// A big room's member list replacing the one the page shows (`RoomEvent::Members`), in frames
/// of about [`SNAPSHOT_CHUNK`] bytes like a snapshot's: the first replaces the list, the others
/// append the rest. The viewer is not marked: the page's script marks its own entry.
pub fn member_list_frames(ui: &Ui, members: &[MemberView], more: usize) -> Vec<String> {
    let mut people = member_items(ui, members, None, more);
    let mut frames =
        vec![render(&ListFrame { messages: false, swap: "innerHTML", items: &take_chunk(&mut people) })];
    loop {
        let more = take_chunk(&mut people);
        if more.is_empty() {
            return frames;
        }
        frames.push(append_members(&more));
    }
}

fn presence_frame(ui: &Ui, member: &MemberView, change: PresenceChange) -> String {
    match change {
        PresenceChange::Joined => append_members(&render(&MemberFragment::new(ui, member, false, None))),
        PresenceChange::Online | PresenceChange::Offline => {
            render(&MemberFragment::new(ui, member, false, Some("outerHTML")))
        }
        PresenceChange::Left => render(&MemberRemovedFrame { user: &member.user }),
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
    reader: Reader<'_>,
    history: &History,
    members: &[MemberView],
    more: usize,
) -> Vec<String> {
    let mut log = log_items(reader, history).into_iter();
    let mut people = member_items(reader.ui, members, reader.me, more);
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
pub fn error_frame(refusal: Option<Refusal<'_>>) -> String {
    render(&ComposerErrorFrame {
        error: refusal.map(|r| r.message),
        error_code: refusal.map_or("", |r| r.code),
        retry: refusal.map_or(0, |r| r.retry_secs),
        oob: true,
    })
}

/// Replaces the composer when the socket cannot go on: the message and a link onwards (to
/// join again, or to start a new room).
pub fn ended_frame(message: &str, href: &str, link_text: &str) -> String {
    render(&EndedFrame { message, href, link_text })
}
