//! Live frames: the HTML a socket pushes, built from the same fragments as the pages and
//! wrapped for htmx out-of-band swaps (`hx-swap-oob`, SPEC §7).

use super::{MemberFragment, MessageFragment, NoticeFragment, Ui, fill, render, render_log, render_members};
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

/// What a socket gets first on every (re)connect: the member list and the history, replacing
/// what the page shows, so a reconnecting tab misses nothing and shows nothing twice.
pub fn snapshot_frame(ui: &'static Ui, history: &History, members: &[MemberView], me: &UserId) -> String {
    format!(
        r#"<ol id="messages" hx-swap-oob="innerHTML">{}</ol><ul id="members" hx-swap-oob="innerHTML">{}</ul>{}"#,
        render_log(ui, history),
        render_members(ui, members, Some(me)),
        error_frame("")
    )
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
