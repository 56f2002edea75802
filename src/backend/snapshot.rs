//! What a backend hands out: a room as a page shows it, a stretch of history, a live
//! subscription to a room's events.

use std::sync::Arc;

use tokio::sync::broadcast;

#[cfg(doc)]
use super::Backend;
use crate::domain::{ChatMessage, MemberView, RoomEvent, RoomId, RoomMeta, Seq, UnixMillis, UserId};

/// A room as a page shows it.
#[derive(Clone, Debug)]
pub struct RoomSnapshot {
    /// The room.
    pub room: RoomId,
    /// Its name and topic.
    pub meta: RoomMeta,
    /// Its owner (the creator, then the longest-present member when the owner leaves); `None`
    /// once every member has left.
    pub owner: Option<UserId>,
    /// The name its creator had when they created it.
    pub creator: String,
    /// Whether the owner locked it (no one new may join).
    pub locked: bool,
    /// Members in join order, with presence: all of them in a room of up to [`MEMBER_PAGE`]
    /// members; in a bigger room the ones online now, at most [`MEMBER_PAGE`] (a snapshot's
    /// size must not grow with the room: every socket that joins gets one).
    pub members: Vec<MemberView>,
    /// How many members the room has.
    pub member_count: usize,
    /// How many of them are online now.
    pub online_count: usize,
    /// Member-list version: presence events with a version at or below it are already included.
    pub member_version: u64,
    /// When the room will be deleted if no one comes online, if no one is online now.
    pub idle_expires_at: Option<UnixMillis>,
}

/// Members a snapshot lists at most: a room up to this size shows everyone, a bigger one who is
/// online (docs/rooms.md, "Big rooms").
pub const MEMBER_PAGE: usize = 100;

impl RoomSnapshot {
    /// Whether `members` lists every member of the room.
    pub fn lists_everyone(&self) -> bool {
        self.members.len() >= self.member_count
    }

    /// How many members `members` leaves out ("and N more members").
    pub fn unlisted(&self) -> usize {
        self.member_count.saturating_sub(self.members.len())
    }
}

/// Messages after some sequence number.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The messages, oldest first.
    pub messages: Vec<ChatMessage>,
    /// Some messages the caller asked for are no longer kept (they fell out of the capped
    /// history): the view shows a "history truncated" marker.
    pub truncated: bool,
    /// For a page ([`Backend::history_page`]): earlier entries are kept before it (the view
    /// offers "Earlier messages").
    pub more: bool,
}

impl History {
    /// Sequence number of the newest message, or `after` if there is none.
    pub fn last_seq(&self, after: Seq) -> Seq {
        self.messages.last().map_or(after, |m| m.seq)
    }
}

/// A local subscription to a room's events. Dropping it unsubscribes.
pub struct Subscription {
    /// The events. `Lagged` means the receiver fell behind: resync from history.
    pub events: broadcast::Receiver<Arc<RoomEvent>>,
    /// Keeps the backend's subscription alive while held.
    pub guard: Box<dyn Send + Sync>,
}
