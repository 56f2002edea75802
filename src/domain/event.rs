//! Room events: the one stream every view (HTML fragments, JSON frames) is rendered from
//! (docs/protocol.md), and [`StreamPos`], where a reader of that stream stands.

use super::{ClientMsgId, DisplayName, Extra, Mention, MessageText, Seq, UnixMillis, UserId};

/// What an entry of a room's history is: something a member said, or a notice the room
/// stored about a member (joins and leaves are part of the history, in order, like messages).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EntryKind {
    /// A message; `text` holds it.
    #[default]
    Text,
    /// `user` joined the room (`text` is empty).
    Joined,
    /// `user` left the room (`text` is empty).
    Left,
    /// `user` (the owner) named the room `text` (empty: took the name away).
    Renamed,
    /// `user` (the owner) set the room's topic to `text` (empty: took it away).
    Topic,
    /// `user` became the room's owner (the owner before them left).
    Owner,
    /// `user` (the owner) locked the room: no one new can join.
    Locked,
    /// `user` (the owner) unlocked the room.
    Unlocked,
    /// `user` was removed from the room by the owner, whose name is `text`.
    Removed,
    /// `user` edited message `extra.target`; `text` is its new text (docs/messages.md).
    Edited,
    /// `user` deleted message `extra.target`.
    Deleted,
    /// `user` reacted to message `extra.target` with the emoji `text`, or took it back;
    /// `extra.reactions` holds the message's reactions after it.
    Reacted,
}

impl EntryKind {
    /// The kind's name in storage and envelopes.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Text => "text",
            EntryKind::Joined => "joined",
            EntryKind::Left => "left",
            EntryKind::Renamed => "renamed",
            EntryKind::Topic => "topic",
            EntryKind::Owner => "owner",
            EntryKind::Locked => "locked",
            EntryKind::Unlocked => "unlocked",
            EntryKind::Removed => "removed",
            EntryKind::Edited => "edited",
            EntryKind::Deleted => "deleted",
            EntryKind::Reacted => "reacted",
        }
    }

    /// The kind named `s`; an unknown or missing name is a message.
    pub fn parse(s: &str) -> Self {
        match s {
            "joined" => EntryKind::Joined,
            "left" => EntryKind::Left,
            "renamed" => EntryKind::Renamed,
            "topic" => EntryKind::Topic,
            "owner" => EntryKind::Owner,
            "locked" => EntryKind::Locked,
            "unlocked" => EntryKind::Unlocked,
            "removed" => EntryKind::Removed,
            "edited" => EntryKind::Edited,
            "deleted" => EntryKind::Deleted,
            "reacted" => EntryKind::Reacted,
            _ => EntryKind::Text,
        }
    }
}

/// An entry of a room's history: a chat message, or a join/leave notice ([`EntryKind`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ChatMessage {
    /// Per-room sequence number.
    pub seq: Seq,
    /// Message or notice.
    pub kind: EntryKind,
    /// Who sent it (or whom the notice is about).
    pub user: UserId,
    /// The sender's display name when it was sent.
    pub name: DisplayName,
    /// The text.
    pub text: MessageText,
    /// When the backend stored it.
    pub at: UnixMillis,
    /// The sender's id for it, if the client gave one (de-duplication).
    pub client_id: Option<ClientMsgId>,
    /// The members it mentions (found when it was posted).
    pub mentions: Vec<Mention>,
    /// The message it answers and what happened to it since (or, for an action, what it
    /// acts on).
    pub extra: Extra,
}

impl ChatMessage {
    /// A notice of `kind` about `user`, numbered `seq`.
    pub fn notice(seq: Seq, kind: EntryKind, user: UserId, name: DisplayName, at: UnixMillis) -> Self {
        Self::notice_with(seq, kind, user, name, at, String::new())
    }

    /// A notice of `kind` about `user` carrying `text` (a new room name or topic).
    pub fn notice_with(
        seq: Seq,
        kind: EntryKind,
        user: UserId,
        name: DisplayName,
        at: UnixMillis,
        text: String,
    ) -> Self {
        Self {
            seq,
            kind,
            user,
            name,
            text: MessageText::from_stored(text),
            at,
            client_id: None,
            mentions: Vec::new(),
            extra: Extra::default(),
        }
    }

    /// Whether this is an action on an earlier message (edit, deletion, reaction).
    pub fn is_action(&self) -> bool {
        matches!(self.kind, EntryKind::Edited | EntryKind::Deleted | EntryKind::Reacted)
    }

    /// Whether this is a message someone wrote (not a notice).
    pub fn is_text(&self) -> bool {
        self.kind == EntryKind::Text
    }

    /// The mentions as stored ([`mentions_to_json`]).
    pub fn mentions_json(&self) -> String {
        mentions_to_json(&self.mentions)
    }
}

/// Mentions as stored: JSON, or empty for none.
pub fn mentions_to_json(mentions: &[Mention]) -> String {
    if mentions.is_empty() { String::new() } else { serde_json::to_string(mentions).unwrap_or_default() }
}

/// Mentions read back from storage ([`ChatMessage::mentions_json`]); anything unreadable is none.
pub fn mentions_from_json(s: &str) -> Vec<Mention> {
    if s.is_empty() { Vec::new() } else { serde_json::from_str(s).unwrap_or_default() }
}

/// What happened to a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresenceChange {
    /// A new member joined the room (and is online).
    Joined,
    /// A member came online again (a tab opened, a browser returned).
    Online,
    /// A member's last connection closed or its presence expired.
    Offline,
    /// A member left the room for good.
    Left,
}

/// A member as lists show them.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberView {
    /// The member.
    pub user: UserId,
    /// Current display name.
    pub name: DisplayName,
    /// Whether any connection of theirs is live.
    pub online: bool,
}

/// One event of a room's stream.
#[derive(Clone, Debug, PartialEq)]
pub enum RoomEvent {
    /// A message was stored.
    Message(ChatMessage),
    /// Membership or presence changed. `version` is the room's member-list version after the
    /// change: a client that took a member snapshot at version `v` skips events `<= v`.
    Presence {
        /// Member-list version after this change.
        version: u64,
        /// The member, as it is after the change.
        member: MemberView,
        /// What changed.
        change: PresenceChange,
    },
    /// The room's member list as it was at member-list version `version`: what an instance's
    /// hub sends a room's sockets instead of single presence changes when many come at once
    /// (docs/rooms.md, "Big rooms"). Never published by a backend.
    Members {
        /// Member-list version the list was read at.
        version: u64,
        /// The members a snapshot lists (`RoomSnapshot::members`).
        members: Vec<MemberView>,
        /// How many members the room has.
        member_count: usize,
        /// How many of them are online.
        online_count: usize,
    },
    /// The owner ended the room: it is gone for everyone. Not sequenced: nothing follows it.
    Ended,
    /// A member is typing: ephemeral, never stored, not sequenced.
    Typing {
        /// Who.
        user: UserId,
    },
    /// The stream had a gap history cannot fill (member changes, or messages that fell out of
    /// history): take a fresh snapshot.
    Resync,
    /// The room's heartbeat instant on this instance: its sockets refresh their presence now.
    /// Made by an instance's hub for its own sockets; never stored or published.
    Beat,
}

/// Where a reader of a room's stream stands: the newest message and member-list version it has
/// shown. Every reader keeps one (each socket, and in the Redis backend each instance's copy of
/// a room), so "already seen", "next" and "something is missing" mean the same everywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamPos {
    /// Sequence number of the newest message shown.
    pub last_seq: Seq,
    /// Member-list version shown.
    pub member_version: u64,
}

/// Where an event falls relative to a [`StreamPos`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// At or below the position: already shown.
    Seen,
    /// Exactly the next one.
    Next,
    /// Beyond the next one: something in between is missing.
    Ahead,
    /// Not sequenced: the reader must take a fresh snapshot.
    Resync,
    /// Not sequenced and not stored (typing): passed on as it comes, the position unmoved.
    Aside,
}

impl StreamPos {
    /// Where `event` falls relative to this position.
    pub fn place(&self, event: &RoomEvent) -> Place {
        let (number, shown) = match event {
            RoomEvent::Message(m) => (m.seq, self.last_seq),
            RoomEvent::Presence { version, .. } | RoomEvent::Members { version, .. } => {
                (*version, self.member_version)
            }
            RoomEvent::Resync => return Place::Resync,
            RoomEvent::Typing { .. } | RoomEvent::Ended | RoomEvent::Beat => return Place::Aside,
        };
        if number <= shown {
            Place::Seen
        } else if number == shown + 1 {
            Place::Next
        } else {
            Place::Ahead
        }
    }

    /// Moves the position past `event` (never backwards).
    pub fn advance(&mut self, event: &RoomEvent) {
        match event {
            RoomEvent::Message(m) => self.last_seq = self.last_seq.max(m.seq),
            RoomEvent::Presence { version, .. } | RoomEvent::Members { version, .. } => {
                self.member_version = self.member_version.max(*version);
            }
            RoomEvent::Resync | RoomEvent::Typing { .. } | RoomEvent::Ended | RoomEvent::Beat => {}
        }
    }

    /// For a socket: whether to send `event`, moving past it if so. `None` asks for a resync.
    pub fn admit(&mut self, event: &RoomEvent) -> Option<bool> {
        match self.place(event) {
            Place::Seen => Some(false),
            Place::Aside => Some(true),
            Place::Next | Place::Ahead => {
                self.advance(event);
                Some(true)
            }
            Place::Resync => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(seq: Seq) -> RoomEvent {
        RoomEvent::Message(ChatMessage {
            seq,
            kind: EntryKind::Text,
            user: UserId::generate(),
            name: DisplayName::from_stored("A".into()),
            text: MessageText::from_stored("hi".into()),
            at: 0,
            client_id: None,
            mentions: Vec::new(),
            extra: Extra::default(),
        })
    }

    fn presence(version: u64) -> RoomEvent {
        let member =
            MemberView { user: UserId::generate(), name: DisplayName::from_stored("A".into()), online: true };
        RoomEvent::Presence { version, member, change: PresenceChange::Online }
    }

    #[test]
    fn positions_place_and_admit_events() {
        let mut pos = StreamPos { last_seq: 3, member_version: 7 };
        assert_eq!(pos.place(&message(2)), Place::Seen);
        assert_eq!(pos.place(&message(3)), Place::Seen);
        assert_eq!(pos.place(&message(4)), Place::Next);
        assert_eq!(pos.place(&message(6)), Place::Ahead);
        assert_eq!(pos.place(&presence(8)), Place::Next);
        assert_eq!(pos.place(&RoomEvent::Resync), Place::Resync);
        assert_eq!(pos.admit(&message(6)), Some(true));
        assert_eq!(pos, StreamPos { last_seq: 6, member_version: 7 });
        assert_eq!(pos.admit(&message(5)), Some(false), "older than the position");
        assert_eq!(pos.admit(&presence(9)), Some(true));
        assert_eq!(pos.member_version, 9);
        assert_eq!(pos.admit(&RoomEvent::Resync), None);
        assert_eq!(pos.admit(&RoomEvent::Typing { user: UserId::generate() }), Some(true));
        assert_eq!(pos, StreamPos { last_seq: 6, member_version: 9 }, "typing moves nothing");
    }
}
