//! Room events: the one stream every view (HTML fragments, JSON) is rendered from (SPEC §7).

use super::{ClientMsgId, DisplayName, MessageText, Seq, UnixMillis, UserId};

/// A stored chat message.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatMessage {
    /// Per-room sequence number.
    pub seq: Seq,
    /// Who sent it.
    pub user: UserId,
    /// The sender's display name when it was sent.
    pub name: DisplayName,
    /// The text.
    pub text: MessageText,
    /// When the backend stored it.
    pub at: UnixMillis,
    /// The sender's id for it, if the client gave one (de-duplication).
    pub client_id: Option<ClientMsgId>,
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
    /// The stream had a gap history cannot fill (member changes, or messages that fell out of
    /// history): take a fresh snapshot.
    Resync,
}
