//! Views: everything a person or program reads. Askama templates for pages and fragments, the
//! live frames built from the same fragments (one fragment, one template: the page and the
//! socket render messages and members from the same partials), the JSON frames of `/ws`, the
//! interface strings and the static assets. Depends on the domain, backend and catalogue types
//! only; no HTTP here.

pub mod assets;
pub mod frames;
pub mod json;
mod log;
pub mod markup;
pub mod qr;
pub mod transcript;
pub mod translate;

use askama::Template;
use askama_web::WebTemplate;

pub use crate::catalog::ui::{CACHE_SLOTS, Choice, KEYS as UI_KEYS, Language, Ui, UiKey};
pub use frames::SNAPSHOT_CHUNK;
pub use log::{
    GROUP_GAP_MS, MessageFragment, NoticeFragment, PAGE, Reader, Zone, action_frame, live_entry, log_items,
    message_item, notice_text, render_log,
};

use crate::domain::{MemberView, RoomId, RoomMeta, UnixMillis, UserId};

/// Version tag appended to asset URLs so browsers fetch new assets after an upgrade.
pub fn asset_version() -> &'static str {
    assets::version()
}

/// `/` — the create-room form.
#[derive(Template, WebTemplate)]
#[template(path = "pages/create.html")]
pub struct CreatePage<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// CSRF token.
    pub csrf: String,
    /// The name typed so far (kept when the form is rejected).
    pub name: String,
    /// Name limit.
    pub max_name: usize,
    /// The hint under the field.
    pub name_hint: String,
    /// The room name typed so far.
    pub room_name: String,
    /// The topic typed so far.
    pub topic: String,
    /// Room name limit.
    pub max_room_name: usize,
    /// Topic limit.
    pub max_topic: usize,
    /// Localized error about the room's name or topic.
    pub room_error: Option<String>,
    /// Localized error next to the field.
    pub error: Option<String>,
}

/// `/r/{id}` for a visitor who is not a member — the join form.
#[derive(Template, WebTemplate)]
#[template(path = "pages/join.html")]
pub struct JoinPage<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// The room.
    pub room: RoomId,
    /// CSRF token.
    pub csrf: String,
    /// The name typed so far.
    pub name: String,
    /// Name limit.
    pub max_name: usize,
    /// The hint under the field.
    pub name_hint: String,
    /// Localized error next to the field.
    pub error: Option<String>,
    /// "3 members".
    pub members_text: String,
    /// "2 online".
    pub online_text: String,
    /// The room's name, or empty.
    pub room_name: String,
    /// Its topic, or empty.
    pub topic: String,
    /// "Started by Alice".
    pub started_by: String,
    /// "Online now: Alice, Bob", if anyone is.
    pub online_now: Option<String>,
    /// The owner locked the room: the form is not offered.
    pub locked: bool,
    /// When an idle room will be deleted, if no one is online.
    pub expires_text: Option<String>,
}

/// `/r/{id}` for a member — the chat.
#[derive(Template, WebTemplate)]
#[template(path = "pages/chat.html")]
pub struct ChatPage<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// The room.
    pub room: RoomId,
    /// Its name and topic.
    pub meta: RoomMeta,
    /// The rendered heading (`_room_heading.html`).
    pub heading: String,
    /// The rendered topic line (`_room_topic.html`).
    pub topic: String,
    /// Whether the viewer owns the room (and gets its settings form).
    pub is_owner: bool,
    /// Room name limit.
    pub max_room_name: usize,
    /// Topic limit.
    pub max_topic: usize,
    /// The share link's QR code (SVG), or empty.
    pub qr: String,
    /// The owner locked the room.
    pub locked: bool,
    /// For the owner: the other members (id, name), whom they may remove.
    pub others: Vec<(String, String)>,
    /// The viewer.
    pub me: UserId,
    /// CSRF token.
    pub csrf: String,
    /// The absolute share link.
    pub share_url: String,
    /// Rendered message log (history).
    pub log: String,
    /// Rendered member list.
    pub members: String,
    /// Fresh client message id for the no-JavaScript composer.
    pub client_id: String,
    /// The message typed so far (kept when the form is rejected).
    pub text: String,
    /// Message limit.
    pub max_message: usize,
    /// Localized error under the composer.
    pub error: Option<String>,
    /// The error's code for the page's script (empty on a page: its script reads socket
    /// refusals only).
    pub error_code: &'static str,
    /// Seconds before a refused-on-rate message may be sent again (0: none).
    pub retry: u64,
    /// The idle-expiry note.
    pub expiry_note: String,
    /// The reactions offered first, space-separated, for the page's script.
    pub palette: String,
    /// How long after posting its author may edit a message, for the page's script.
    pub edit_window_ms: u128,
}

/// `/r/{id}/log` — the message log alone, refreshed by itself, for browsers without JavaScript.
#[derive(Template, WebTemplate)]
#[template(path = "pages/log.html")]
pub struct LogPage<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// Rendered message log.
    pub log: String,
    /// Seconds between refreshes.
    pub refresh_secs: u32,
}

/// `/r/{id}/m/{seq}` — one message and everything its reader can do to it, for browsers
/// without JavaScript (docs/messages.md).
#[derive(Template, WebTemplate)]
#[template(path = "pages/message.html")]
pub struct MessagePage<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// The room.
    pub room: RoomId,
    /// The message's number.
    pub seq: u64,
    /// The message, rendered as in the log.
    pub message: String,
    /// Its text, for the edit form.
    pub text: String,
    /// The reactions offered first.
    pub palette: &'static [&'static str],
    /// CSRF token.
    pub csrf: String,
    /// Fresh client message id for the reply form.
    pub client_id: String,
    /// Message limit.
    pub max_message: usize,
    /// For its author within the edit window: until when they may edit it.
    pub edit_until: Option<String>,
    /// Whether the reader may delete it (its author, or the room's owner).
    pub can_delete: bool,
}

/// Error pages: not found, expired form, unavailable, internal.
#[derive(Template, WebTemplate)]
#[template(path = "pages/error.html")]
pub struct ErrorPage<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// Heading.
    pub heading: String,
    /// The localized message from the catalogue.
    pub message: String,
    /// Where the button goes.
    pub link_href: String,
    /// The button's label.
    pub link_text: String,
    /// The request's id, for reports to the operator.
    pub request_id: String,
}

/// One member of the member list.
#[derive(Template)]
#[template(path = "fragments/_member.html")]
pub struct MemberFragment<'a> {
    ui: &'a Ui,
    user: &'a str,
    name: &'a str,
    online: bool,
    me: bool,
    oob: Option<&'static str>,
}

impl<'a> MemberFragment<'a> {
    /// The fragment for `m`; `me` marks the viewer, `oob` makes it an out-of-band swap.
    pub fn new(ui: &'a Ui, m: &'a MemberView, me: bool, oob: Option<&'static str>) -> Self {
        Self { ui, user: m.user.as_str(), name: m.name.as_str(), online: m.online, me, oob }
    }
}

/// Renders a template; a failure (a bug in a template) is logged and yields an empty string so
/// one bad fragment never takes a page or socket down.
pub fn render(t: &impl Template) -> String {
    t.render().unwrap_or_else(|err| {
        tracing::error!(error = %err, "template failed to render");
        String::new()
    })
}

/// The member list, the viewer marked; `more` members not listed are counted at its end.
pub fn render_members(ui: &Ui, members: &[MemberView], me: Option<&UserId>, more: usize) -> String {
    member_items(ui, members, me, more).collect()
}

/// The member list's items, in join order, the viewer marked, then the count of the `more`
/// members a big room's list leaves out (docs/rooms.md, "Big rooms").
pub fn member_items<'a>(
    ui: &'a Ui,
    members: &'a [MemberView],
    me: Option<&'a UserId>,
    more: usize,
) -> impl Iterator<Item = String> + 'a {
    let counted = (more > 0)
        .then(|| render(&MembersMore { text: ui.fmt(&ui.members_more, &[("n", &more.to_string())]) }));
    members.iter().map(move |m| render(&MemberFragment::new(ui, m, Some(&m.user) == me, None))).chain(counted)
}

/// The last item of a big room's member list: how many members it leaves out.
#[derive(Template)]
#[template(path = "fragments/_members_more.html")]
struct MembersMore {
    text: String,
}

/// (RFC 3339 time stamp, `HH:MM` in UTC) for a time.
pub fn clock(at: UnixMillis) -> (String, String) {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let iso = t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let hhmm = format!("{:02}:{:02}", t.hour(), t.minute());
    (iso, hhmm)
}

/// "2026-01-01 13:05 UTC" for expiry notices.
pub fn date_time(ui: &Ui, zone: Zone, at: UnixMillis) -> String {
    format!("{} {}", zone.stamp(at), zone.label(ui))
}
