//! The message log as a reader sees it (docs/formatting.md): messages and notices, consecutive
//! messages of one author grouped, a separator where the day changes, times in the reader's
//! time zone, the reader's own messages and mentions of them marked.
//!
//! Pages and snapshots render the whole list for one reader. A live event is rendered once for
//! every reader ([`MessageFragment::live`]); the page's script then groups it, adds a day
//! separator and marks it for its reader, by the same rules ([`continues`]).

use askama::Template;
use time::{OffsetDateTime, UtcOffset};

use super::markup::message_html;
use super::{Ui, render};
use crate::backend::History;
use crate::domain::{ChatMessage, EntryKind, Reaction, Reply, RoomId, UnixMillis, UserId};

/// Consecutive messages of one author at most this far apart share one heading.
pub const GROUP_GAP_MS: UnixMillis = 5 * 60 * 1000;

/// A reader's time zone as their browser reported it (the `tz` cookie: minutes east of UTC),
/// or UTC, named as such, before it has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Zone {
    offset: Option<UtcOffset>,
}

impl Zone {
    /// The zone of a `tz` cookie's value; UTC (unknown) for anything else.
    pub fn from_cookie(value: Option<&str>) -> Self {
        let offset = value
            .and_then(|v| v.parse::<i32>().ok())
            .filter(|m| m.abs() <= 14 * 60)
            .and_then(|m| UtcOffset::from_whole_seconds(m * 60).ok());
        Self { offset }
    }

    /// Whether the reader's zone is known (else times are UTC and the page says so).
    pub fn known(self) -> bool {
        self.offset.is_some()
    }

    /// "UTC" or "UTC+09:00", as the reader's language writes it.
    pub fn label(self, ui: &Ui) -> String {
        let offset = match self.offset {
            Some(o) if !o.is_utc() => {
                let (h, m, _) = o.as_hms();
                let sign = if o.is_negative() { '-' } else { '+' };
                format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
            }
            _ => String::new(),
        };
        ui.fmt(&ui.zone_format, &[("offset", &offset)])
    }

    /// "2026-11-30 14:13" in this zone.
    pub fn stamp(self, at: UnixMillis) -> String {
        let t = self.at(at);
        format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute())
    }

    fn at(self, at: UnixMillis) -> OffsetDateTime {
        let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        utc.to_offset(self.offset.unwrap_or(UtcOffset::UTC))
    }
}

/// Who reads a log, in which language and time zone.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// The reader, if a member.
    pub me: Option<&'a UserId>,
    /// Their time zone.
    pub zone: Zone,
    /// The room, for the "Earlier messages" link of a page of history.
    pub room: Option<&'a RoomId>,
}

/// Entries a page of the log shows: a chat page, a snapshot, each "Earlier messages".
pub const PAGE: usize = 50;

/// "Earlier messages": a link to the log page before `before` (without JavaScript), which the
/// page's script loads in place instead.
#[derive(Template)]
#[template(path = "fragments/_earlier.html")]
struct EarlierFragment<'a> {
    label: &'a str,
    room: &'a RoomId,
    before: u64,
}

/// One message.
#[derive(Template)]
#[template(path = "fragments/_message.html")]
pub struct MessageFragment<'a> {
    ui: &'a Ui,
    room: &'a str,
    seq: u64,
    user: &'a str,
    name: &'a str,
    body: String,
    at: UnixMillis,
    iso: String,
    /// Date, time and zone, as the reader's language writes them (the time's tooltip).
    stamp: String,
    hhmm: String,
    client_id: &'a str,
    mentions: String,
    /// Continues the group of the message before it (same author, close in time).
    cont: bool,
    mine: bool,
    mentions_me: bool,
    /// The message it answers.
    reply: Option<&'a Reply>,
    edited: bool,
    deleted: bool,
    reactions: &'a [Reaction],
    /// Rendered in place (the text and reactions parts are swapped out of band on their own).
    oob: bool,
}

impl<'a> MessageFragment<'a> {
    fn build(ui: &'a Ui, room: &'a str, m: &'a ChatMessage, zone: Zone) -> Self {
        let t = zone.at(m.at);
        let iso = t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        let mut mentions = String::new();
        for (i, x) in m.mentions.iter().enumerate() {
            if i > 0 {
                mentions.push(' ');
            }
            mentions.push_str(x.user.as_str());
        }
        Self {
            seq: m.seq,
            user: m.user.as_str(),
            name: m.name.as_str(),
            body: message_html(m.text.as_str(), &m.mentions),
            at: m.at,
            iso,
            stamp: super::date_time(ui, zone, m.at),
            hhmm: format!("{:02}:{:02}", t.hour(), t.minute()),
            client_id: m.client_id.as_ref().map_or("", |c| c.as_str()),
            mentions,
            cont: false,
            mine: false,
            mentions_me: false,
            reply: m.extra.reply.as_ref(),
            edited: m.extra.edited.is_some(),
            deleted: m.extra.deleted,
            reactions: &m.extra.reactions,
            oob: false,
            ui,
            room,
        }
    }

    /// The fragment every live reader gets (UTC times, nothing marked: the page's script
    /// localizes, groups and marks it).
    pub fn live(ui: &'a Ui, room: &'a RoomId, m: &'a ChatMessage) -> Self {
        Self::build(ui, room.as_str(), m, Zone::default())
    }
}

/// A line in the log that is not a message (joins, leaves, markers), with the name it is about
/// isolated (`<bdi>`) from the words around it.
#[derive(Template)]
#[template(path = "fragments/_notice.html")]
pub struct NoticeFragment<'a> {
    /// CSS class: `joined`, `left`, `truncated`, `empty`.
    pub kind: &'static str,
    /// The text before the name (all of it, without one).
    pub before: &'a str,
    /// The name, if the notice is about someone.
    pub name: Option<&'a str>,
    /// The text after the name.
    pub after: &'a str,
    /// When it happened, for notices that are part of the history.
    pub at: Option<UnixMillis>,
}

impl<'a> NoticeFragment<'a> {
    /// A notice without a name.
    pub fn plain(kind: &'static str, text: &'a str) -> Self {
        Self { kind, before: text, name: None, after: "", at: None }
    }
}

/// A day's heading in the log.
#[derive(Template)]
#[template(path = "fragments/_day.html")]
struct DayFragment {
    date: String,
    label: String,
}

/// An entry of the history as every live reader gets it (actions have their own frame,
/// [`action_frame`]).
pub fn live_entry(ui: &Ui, room: &RoomId, m: &ChatMessage) -> String {
    match m.kind {
        EntryKind::Text => render(&MessageFragment::live(ui, room, m)),
        EntryKind::Edited | EntryKind::Deleted | EntryKind::Reacted => String::new(),
        _ => notice(ui, m),
    }
}

/// A notice's class and its words before and after the name it is about.
fn notice_parts(ui: &Ui, m: &ChatMessage) -> (&'static str, String, String) {
    let empty = m.text.as_str().is_empty();
    let (kind, template) = match m.kind {
        EntryKind::Left => ("left", &*ui.left_notice),
        EntryKind::Renamed if empty => ("renamed", &*ui.unnamed_notice),
        EntryKind::Renamed => ("renamed", &*ui.renamed_notice),
        EntryKind::Topic if empty => ("topic", &*ui.topic_cleared_notice),
        EntryKind::Topic => ("topic", &*ui.topic_notice),
        EntryKind::Owner => ("owner", &*ui.owner_notice),
        EntryKind::Locked => ("locked", &*ui.locked_notice),
        EntryKind::Unlocked => ("unlocked", &*ui.unlocked_notice),
        EntryKind::Removed => ("removed", &*ui.removed_notice),
        EntryKind::Joined | EntryKind::Text => ("joined", &*ui.joined_notice),
        // Actions show on the message they act on, never as lines of their own.
        EntryKind::Edited | EntryKind::Deleted | EntryKind::Reacted => ("action", ""),
    };
    // The notice is formatted with a marker for the name (the name goes into its own `<bdi>`),
    // then cut at the marker; a marker inside the title is replaced first.
    const NAME: char = '\u{E000}';
    let title = m.text.as_str().replace(NAME, "\u{FFFD}");
    let text = ui.fmt(template, &[("name", &NAME.to_string()), ("title", &title)]);
    let (before, after) = text.split_once(NAME).unwrap_or((&text, ""));
    (kind, before.to_owned(), after.to_owned())
}

fn notice(ui: &Ui, m: &ChatMessage) -> String {
    let (kind, before, after) = notice_parts(ui, m);
    render(&NoticeFragment {
        kind,
        before: &before,
        name: Some(m.name.as_str()),
        after: &after,
        at: Some(m.at),
    })
}

/// A notice as plain text ("Bob joined"), for the transcript.
pub fn notice_text(ui: &Ui, m: &ChatMessage) -> String {
    let (_, before, after) = notice_parts(ui, m);
    format!("{before}{}{after}", m.name.as_str())
}

/// Whether `m` continues the group of `prev` (the entry before it): both messages, one
/// author, at most [`GROUP_GAP_MS`] apart, on one day.
pub fn continues(prev: &ChatMessage, m: &ChatMessage, zone: Zone) -> bool {
    prev.is_text()
        && m.is_text()
        && prev.user == m.user
        && (0..=GROUP_GAP_MS).contains(&(m.at - prev.at))
        && zone.at(prev.at).date() == zone.at(m.at).date()
}

/// The log's items for `reader`, oldest first. The "no messages yet" notice comes first: CSS
/// shows it only while it is the list's only item, and so it is in place before a live
/// snapshot's appended chunks arrive.
pub fn log_items(reader: Reader<'_>, history: &History) -> Vec<String> {
    let ui = reader.ui;
    let mut items = Vec::with_capacity(history.messages.len() + 4);
    items.push(render(&NoticeFragment::plain("empty", &ui.empty_room)));
    if !reader.zone.known() && !history.messages.is_empty() {
        items.push(render(&NoticeFragment::plain("zone", &ui.times_in_utc)));
    }
    if history.truncated {
        items.push(render(&NoticeFragment::plain("truncated", &ui.history_truncated)));
    }
    if let (true, Some(room), Some(first)) = (history.more, reader.room, history.messages.first()) {
        items.push(render(&EarlierFragment { label: &ui.earlier_messages, room, before: first.seq }));
    }
    let mut prev: Option<&ChatMessage> = None;
    // The page's messages are in their final state: the actions among its entries show on them.
    for m in history.messages.iter().filter(|m| !m.is_action()) {
        let day = reader.zone.at(m.at).date();
        if prev.is_none_or(|p| reader.zone.at(p.at).date() != day) {
            items.push(render(&DayFragment { date: day.to_string(), label: day_label(ui, day) }));
        }
        items.push(match m.kind {
            EntryKind::Text => message_item(reader, m, prev.is_some_and(|p| continues(p, m, reader.zone))),
            _ => notice(ui, m),
        });
        prev = Some(m);
    }
    items
}

/// Message `m` as `reader` sees it in the log: times in their zone, their own message and
/// mentions of them marked; `cont` when it continues the group of the message before it.
pub fn message_item(reader: Reader<'_>, m: &ChatMessage, cont: bool) -> String {
    let room = reader.room.map_or("", RoomId::as_str);
    let mut f = MessageFragment::build(reader.ui, room, m, reader.zone);
    f.cont = cont;
    f.mine = reader.me == Some(&m.user);
    f.mentions_me = reader.me.is_some_and(|me| m.mentions.iter().any(|x| &x.user == me));
    render(&f)
}

/// The message log for `reader`.
pub fn render_log(reader: Reader<'_>, history: &History) -> String {
    log_items(reader, history).concat()
}

/// "Monday, 30 November 2026" in the interface's language.
fn day_label(ui: &Ui, day: time::Date) -> String {
    let weekday = ui.weekday(usize::from(day.weekday().number_days_from_monday()));
    let month = ui.month(usize::from(u8::from(day.month()) - 1));
    let (day_of_month, year) = (day.day().to_string(), day.year().to_string());
    ui.fmt(
        &ui.date_format,
        &[("weekday", weekday), ("day", &day_of_month), ("month", month), ("year", &year)],
    )
}

mod actions;
pub use actions::action_frame;

#[cfg(test)]
mod tests;
