//! Live frames: the HTML a socket pushes, built from the same fragments as the pages and
//! wrapped for htmx out-of-band swaps (`hx-swap-oob`, SPEC §7).

use super::{MemberFragment, MessageFragment, NoticeFragment, Ui, fill, log_items, member_items, render};
use crate::backend::History;
use crate::domain::{MemberView, PresenceChange, RoomEvent, RoomId, UserId};

/// Renders room events into frames. Stateless: the socket layer caches one frame per event
/// and interface language and shares it across connections.
pub struct Frames;

impl Frames {
    /// The frame for `event` in `ui`'s language.
    pub fn event(ui: &'static Ui, event: &RoomEvent) -> String {
        match event {
            RoomEvent::Message(m) => {
                format!(
                    r#"<ol id="messages" hx-swap-oob="beforeend">{}</ol>"#,
                    render(&MessageFragment::new(m))
                )
            }
            RoomEvent::Presence { member, change, .. } => presence(ui, member, *change),
            // Sockets answer a resync with a snapshot; it has no frame of its own.
            RoomEvent::Resync => String::new(),
        }
    }
}

fn presence(ui: &'static Ui, member: &MemberView, change: PresenceChange) -> String {
    let notice = |template: &str, kind: &'static str| {
        let text = fill(template, "name", member.name.as_str());
        format!(
            r#"<ol id="messages" hx-swap-oob="beforeend">{}</ol>"#,
            render(&NoticeFragment { kind, text: &text })
        )
    };
    match change {
        PresenceChange::Joined => format!(
            r#"<ul id="members" hx-swap-oob="beforeend">{}</ul>{}"#,
            render(&MemberFragment::new(ui, member, false, None)),
            notice(ui.joined_notice, "joined")
        ),
        PresenceChange::Online | PresenceChange::Offline => {
            render(&MemberFragment::new(ui, member, false, Some("outerHTML")))
        }
        PresenceChange::Left => format!(
            r#"<li id="m-{}" hx-swap-oob="delete"></li>{}"#,
            member.user,
            notice(ui.left_notice, "left")
        ),
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
    let mut frames = vec![format!(
        r#"<ol id="messages" hx-swap-oob="innerHTML">{}</ol><ul id="members" hx-swap-oob="innerHTML">{}</ul>"#,
        take_chunk(&mut log),
        take_chunk(&mut people),
    )];
    loop {
        let more = take_chunk(&mut people);
        if more.is_empty() {
            break;
        }
        frames.push(format!(r#"<ul id="members" hx-swap-oob="beforeend">{more}</ul>"#));
    }
    loop {
        let more = take_chunk(&mut log);
        if more.is_empty() {
            break;
        }
        frames.push(format!(r#"<ol id="messages" hx-swap-oob="beforeend">{more}</ol>"#));
    }
    if let Some(last) = frames.last_mut() {
        last.push_str(&error_frame(""));
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

/// A localized error under the composer (empty `message` clears it). The message is escaped.
pub fn error_frame(message: &str) -> String {
    format!(
        r#"<p id="composer-error" class="field-error" role="alert" hx-swap-oob="true">{}</p>"#,
        escape(message)
    )
}

/// Replaces the composer when the socket cannot go on (session gone, room gone): the message
/// and a link to rejoin.
pub fn ended_frame(message: &str, room: &RoomId, link_text: &str) -> String {
    format!(
        r#"<div id="composer" class="composer ended" hx-swap-oob="true"><p role="alert">{}</p><a class="button primary" href="/r/{room}">{}</a></div>"#,
        escape(message),
        escape(link_text)
    )
}

/// HTML-escapes text for the few fragments built without a template.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
