//! A room's conversation to keep (docs/rooms.md, "Transcript"): plain text for people, JSON for
//! programs. Times in the reader's zone; notices in their language; only what history keeps.

use serde::Serialize;

use super::json::{ReactionJson, reactions_json};
use super::{Ui, Zone, clock, date_time, notice_text};
use crate::backend::History;
use crate::domain::{ChatMessage, RoomId, RoomMeta, Seq, UnixMillis, UserId};

/// The transcript as text: a heading (name or id, topic, when and in which zone it was made),
/// then one entry per line, a message's further lines indented.
pub fn text(
    ui: &Ui,
    zone: Zone,
    room: &RoomId,
    meta: &RoomMeta,
    history: &History,
    now: UnixMillis,
) -> String {
    let mut out = String::new();
    match &meta.name {
        Some(name) => out.push_str(&format!("{} ({} {room})\n", name.as_str(), ui.room)),
        None => out.push_str(&format!("{} {room}\n", ui.room)),
    }
    if let Some(topic) = &meta.topic {
        out.push_str(&format!("{}: {}\n", ui.topic_label, topic.as_str()));
    }
    out.push_str(&ui.fmt(&ui.transcript_made, &[("time", &date_time(ui, zone, now))]));
    out.push_str("\n\n");
    if history.truncated {
        out.push_str(&ui.history_truncated);
        out.push_str("\n\n");
    }
    for m in kept(history) {
        let stamp = zone.stamp(m.at);
        if m.is_text() {
            if let Some(re) = &m.extra.reply {
                let quote = re.quote.lines().next().unwrap_or("");
                out.push_str(&format!("[{stamp}] {}: ↪ {}: {quote}\n", m.name.as_str(), re.name));
            }
            let mut lines = m.text.as_str().lines();
            let edited = if m.extra.edited.is_some() { format!(" {}", ui.edited) } else { String::new() };
            let first = lines.next().unwrap_or("");
            out.push_str(&format!("[{stamp}] {}: {first}{edited}\n", m.name.as_str()));
            for line in lines {
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
        } else {
            out.push_str(&format!("[{stamp}] — {}\n", notice_text(ui, m)));
        }
    }
    out
}

/// What a transcript keeps: messages in their final state and notices; no deleted messages,
/// no actions (they show on their messages).
fn kept(history: &History) -> impl Iterator<Item = &ChatMessage> {
    history.messages.iter().filter(|m| !m.is_action() && !m.extra.deleted)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Transcript<'a> {
    room_id: &'a RoomId,
    name: Option<&'a str>,
    topic: Option<&'a str>,
    exported_at: String,
    truncated: bool,
    entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    id: Seq,
    kind: &'static str,
    from: &'a UserId,
    name: &'a str,
    text: &'a str,
    timestamp: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mentions: Vec<&'a UserId>,
    /// The message it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<Seq>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    edited: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    reactions: Vec<ReactionJson<'a>>,
}

/// The transcript as JSON: the room, and every kept entry with its kind (`text`, `joined`,
/// `left`, `renamed`, `topic`, `owner`), raw text and UTC time stamp.
pub fn json(room: &RoomId, meta: &RoomMeta, history: &History, now: UnixMillis) -> String {
    let transcript = Transcript {
        room_id: room,
        name: meta.name.as_ref().map(|t| t.as_str()),
        topic: meta.topic.as_ref().map(|t| t.as_str()),
        exported_at: clock(now).0,
        truncated: history.truncated,
        entries: kept(history)
            .map(|m| Entry {
                id: m.seq,
                kind: m.kind.as_str(),
                from: &m.user,
                name: m.name.as_str(),
                text: m.text.as_str(),
                timestamp: clock(m.at).0,
                mentions: m.mentions.iter().map(|x| &x.user).collect(),
                reply_to: m.extra.reply.as_ref().map(|r| r.seq),
                edited: m.extra.edited.is_some(),
                reactions: reactions_json(&m.extra.reactions),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&transcript).unwrap_or_default()
}
