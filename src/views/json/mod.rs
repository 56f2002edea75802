//! The frames of the JSON WebSocket `/ws` for programs (docs/api.md, docs/protocol.md):
//! room events, the `joined` snapshot and errors, serialized straight from the domain types
//! without a value tree.

use serde::Serialize;

mod message;
pub use message::{MessageJson, ReplyJson};
pub(crate) use message::{ReactionJson, reactions_json};

use super::clock;
use crate::backend::{History, RoomSnapshot};
use crate::domain::{ChatMessage, EntryKind, MemberView, PresenceChange, RoomEvent, RoomId, Seq, UserId};

/// A `msg` frame (also each message of `joined`): the message, and the room it is in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MsgFrame<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    #[serde(flatten)]
    message: MessageJson<'a>,
}

impl<'a> MsgFrame<'a> {
    fn new(room: &'a RoomId, m: &'a ChatMessage) -> Self {
        Self { t: "msg", room_id: room, message: MessageJson::new(m) }
    }
}

/// An `edit`, `delete` or `react` frame: member `from` acted on message `target`. Each says
/// what the message is now (its new text; deleted; all its reactions), so applying one twice
/// changes nothing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActionJson<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    id: Seq,
    target: Seq,
    from: &'a UserId,
    name: &'a str,
    timestamp: String,
    /// `edit`: the new text.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    /// `edit`: the members the new text mentions.
    #[serde(skip_serializing_if = "Option::is_none")]
    mentions: Option<Vec<&'a UserId>>,
    /// `react`: the emoji, whether `from` now reacts with it, and all the message's reactions.
    #[serde(skip_serializing_if = "Option::is_none")]
    emoji: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reactions: Option<Vec<ReactionJson<'a>>>,
}

fn action_json<'a>(room: &'a RoomId, m: &'a ChatMessage) -> ActionJson<'a> {
    let edit = m.kind == EntryKind::Edited;
    let react = m.kind == EntryKind::Reacted;
    let emoji = m.text.as_str();
    ActionJson {
        t: match m.kind {
            EntryKind::Edited => "edit",
            EntryKind::Deleted => "delete",
            _ => "react",
        },
        room_id: room,
        id: m.seq,
        target: m.extra.target,
        from: &m.user,
        name: m.name.as_str(),
        timestamp: clock(m.at).0,
        text: edit.then_some(emoji),
        mentions: edit.then(|| m.mentions.iter().map(|x| &x.user).collect()),
        emoji: react.then_some(emoji),
        on: react.then(|| {
            m.extra.reactions.iter().any(|r| r.emoji == emoji && r.by.iter().any(|b| b.user == m.user))
        }),
        reactions: react.then(|| reactions_json(&m.extra.reactions)),
    }
}

/// A `user_joined` / `user_left` frame.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PresenceFrame<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    user_id: &'a UserId,
    name: &'a str,
    change: &'static str,
}

/// A member in `joined`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberJson<'a> {
    user_id: &'a UserId,
    name: &'a str,
    online: bool,
}

impl<'a> From<&'a MemberView> for MemberJson<'a> {
    fn from(m: &'a MemberView) -> Self {
        Self { user_id: &m.user, name: m.name.as_str(), online: m.online }
    }
}

/// The socket's own member in `joined`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Me<'a> {
    user_id: &'a UserId,
    name: &'a str,
}

/// `joined`: who is here, the first messages after the socket's position (as many as fit in
/// [`JOINED_MESSAGE_BYTES`]; `following` more come right after it as `msg` frames), and
/// whether this answers a join (`resync: false`) or repairs a socket that fell behind
/// (`resync: true`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JoinedFrame<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    me: Me<'a>,
    /// The room's name and topic (absent for none) and its owner.
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    topic: &'a str,
    owner: Option<&'a UserId>,
    locked: bool,
    /// All members in a room of up to 100, else the ones online (at most 100).
    members: Vec<MemberJson<'a>>,
    member_count: usize,
    online_count: usize,
    messages: Vec<MsgFrame<'a>>,
    following: usize,
    truncated: bool,
    resync: bool,
}

/// Bytes of messages the `joined` frame carries at most (at least one message); the rest of
/// the history follows as `msg` frames. A frame holding a whole history of long messages (over
/// a megabyte) would exceed what a socket may queue, and a socket's write buffer keeps the size
/// of the largest frame it ever sent.
pub const JOINED_MESSAGE_BYTES: usize = 16 * 1024;

/// An `error` frame: a stable code and the message in the socket's language.
#[derive(Serialize)]
struct ErrorFrame<'a> {
    t: &'static str,
    code: &'a str,
    message: &'a str,
}

fn to_string(frame: &impl Serialize) -> String {
    serde_json::to_string(frame).unwrap_or_else(|err| {
        tracing::error!(error = %err, "frame failed to serialize");
        String::new()
    })
}

/// The frame of a room event, shared by every JSON socket of the room. `None` for events
/// without a JSON form: resyncs, and join/leave notices (programs get `user_joined` and
/// `user_left`; the notices' sequence numbers are why `id`s may skip). Renames, topics and new
/// owners are `notice` frames (and `joined` carries the room's current name, topic and owner).
pub fn event_frame(room: &RoomId, event: &RoomEvent) -> Option<String> {
    match event {
        RoomEvent::Message(m) if m.is_text() => Some(to_string(&MsgFrame::new(room, m))),
        RoomEvent::Message(m) if m.is_action() => Some(to_string(&action_json(room, m))),
        RoomEvent::Message(m) if matches!(m.kind, EntryKind::Joined | EntryKind::Left) => None,
        RoomEvent::Message(m) => Some(to_string(&NoticeJson {
            t: "notice",
            room_id: room,
            id: m.seq,
            kind: m.kind.as_str(),
            user_id: &m.user,
            name: m.name.as_str(),
            text: m.text.as_str(),
            timestamp: clock(m.at).0,
        })),
        RoomEvent::Presence { member, change, .. } => {
            let (t, change) = match change {
                PresenceChange::Joined => ("user_joined", "joined"),
                PresenceChange::Online => ("user_joined", "online"),
                PresenceChange::Offline => ("user_left", "offline"),
                PresenceChange::Left => ("user_left", "left"),
            };
            let frame =
                PresenceFrame { t, room_id: room, user_id: &member.user, name: member.name.as_str(), change };
            Some(to_string(&frame))
        }
        RoomEvent::Typing { user } => {
            Some(to_string(&TypingJson { t: "typing", room_id: room, user_id: user }))
        }
        RoomEvent::Members { members, member_count, online_count, .. } => Some(to_string(&MembersJson {
            t: "members",
            room_id: room,
            members: members.iter().map(MemberJson::from).collect(),
            member_count: *member_count,
            online_count: *online_count,
        })),
        RoomEvent::Resync | RoomEvent::Ended | RoomEvent::Beat => None,
    }
}

/// `members`: the room's member list as `joined` lists it, replacing the one a program keeps;
/// sent instead of `user_joined`/`user_left` when many come at once (docs/rooms.md, "Big rooms").
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MembersJson<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    members: Vec<MemberJson<'a>>,
    member_count: usize,
    online_count: usize,
}

/// A `notice` frame: the room was renamed, got a topic, or a new owner.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NoticeJson<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    id: Seq,
    kind: &'static str,
    user_id: &'a UserId,
    name: &'a str,
    text: &'a str,
    timestamp: String,
}

/// A `typing` frame, for programs that asked for them (`"typing": true` in `join`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TypingJson<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    user_id: &'a UserId,
}

/// What a socket entering `snapshot`'s room as `me` gets first: the `joined` frame, then the
/// history that did not fit in it as `msg` frames, oldest first. Messages come in their final
/// state; an action follows only when the message it acts on came before this history (a
/// client resuming with `since` has it, in an earlier state).
pub fn joined_frames(snapshot: &RoomSnapshot, me: &UserId, history: &History, resync: bool) -> Vec<String> {
    let room = &snapshot.room;
    let first = history.messages.first().map_or(0, |m| m.seq);
    let entries: Vec<&ChatMessage> = history
        .messages
        .iter()
        .filter(|m| m.is_text() || (m.is_action() && m.extra.target < first))
        .collect();
    let mut following: Vec<String> =
        entries
            .iter()
            .map(|m| {
                if m.is_text() {
                    to_string(&MsgFrame::new(room, m))
                } else {
                    to_string(&action_json(room, m))
                }
            })
            .collect();
    // `joined` carries the first messages, up to the first action, as many as fit.
    let leading = entries.iter().take_while(|m| m.is_text()).count();
    let mut bytes = 0;
    let fit = following[..leading]
        .iter()
        .take_while(|frame| {
            bytes += frame.len();
            bytes <= JOINED_MESSAGE_BYTES
        })
        .count()
        .max(1)
        .min(leading);
    let messages = &entries[..fit];
    let name = snapshot.members.iter().find(|m| &m.user == me).map_or("", |m| m.name.as_str());
    let joined = to_string(&JoinedFrame {
        t: "joined",
        room_id: room,
        me: Me { user_id: me, name },
        name: snapshot.meta.name_str(),
        topic: snapshot.meta.topic_str(),
        owner: snapshot.owner.as_ref(),
        locked: snapshot.locked,
        members: snapshot.members.iter().map(MemberJson::from).collect(),
        member_count: snapshot.member_count,
        online_count: snapshot.online_count,
        messages: messages.iter().map(|m| MsgFrame::new(room, m)).collect(),
        following: following.len() - fit,
        truncated: history.truncated,
        resync,
    });
    following.drain(..fit);
    following.insert(0, joined);
    following
}

/// The `error` frame for `code` with its localized `message`.
pub fn error_frame(code: &str, message: &str) -> String {
    to_string(&ErrorFrame { t: "error", code, message })
}
