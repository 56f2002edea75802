//! The state and the bus: rooms, members, presence, history and fan-out of room events.
//!
//! [`Backend`] is a trait because it has two real implementations that must behave the same
//! (docs/architecture.md): [`memory::MemoryBackend`] for one process with no services, and
//! (with `REDIS_URL`) [`redis::RedisBackend`], shared by many instances. Both pass the contract suite in
//! `tests/api/contract.rs`.

mod config;
mod error;
pub mod memory;
pub mod redis;
mod snapshot;
mod token;

use std::time::Duration;

use async_trait::async_trait;

#[cfg(doc)]
use crate::domain::EntryKind;
#[cfg(doc)]
use crate::domain::apply_action;
use crate::domain::{
    Action, ChatMessage, ClientMsgId, ConnId, DisplayName, MemberView, Mention, MessageText, RoomId,
    RoomMeta, Seq, UnixMillis, UserId, find_mentions,
};
use crate::support::Rate;
pub use config::{
    BackendConfig, EVENT_BUFFER, HEARTBEAT_INTERVAL, HISTORY_LEN, PRESENCE_TTL, USER_SESSION_TTL,
};
pub use error::{BackendError, BackendResult};
pub use snapshot::{History, MEMBER_PAGE, RoomSnapshot, Subscription};
pub use token::{TOKEN_SECRET_LEN, split_token};

/// Rooms, members, presence, history and fan-out. See the module docs.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Creates a room named and described by `meta` with `creator` as its first member and
    /// owner (online, as if they had just joined).
    async fn create_room(&self, creator: DisplayName, meta: RoomMeta) -> BackendResult<(RoomId, UserId)>;

    /// The owner `by` renames the room or changes its topic: each change is a notice in the
    /// history ([`EntryKind::Renamed`], [`EntryKind::Topic`]), and spends one of the owner's
    /// message allowance. `NotOwner` for anyone else.
    async fn retitle(&self, room: &RoomId, by: &UserId, meta: RoomMeta) -> BackendResult<()>;

    /// The room's members and expiry. `RoomNotFound` if it does not exist.
    async fn room(&self, room: &RoomId) -> BackendResult<RoomSnapshot>;

    /// One member. `NotAMember` if `user` is not a member of `room`.
    async fn member(&self, room: &RoomId, user: &UserId) -> BackendResult<MemberView>;

    /// Adds a member named `name`, online through its page-view presence. `NameTaken` if a
    /// present member uses that name (case-insensitively), `Locked` if the owner locked the
    /// room.
    async fn join(&self, room: &RoomId, name: DisplayName) -> BackendResult<UserId>;

    /// The owner `by` locks or unlocks the room ([`EntryKind::Locked`], [`EntryKind::Unlocked`]):
    /// while it is locked, `join` is refused with `Locked`; members stay. Spends one of the
    /// owner's allowance.
    async fn set_locked(&self, room: &RoomId, by: &UserId, locked: bool) -> BackendResult<()>;

    /// The owner `by` removes member `target` ([`EntryKind::Removed`]): the membership ends at
    /// once, everywhere, and the room remembers the removal until `until` ([`Backend::removed_until`]).
    /// `NotAMember` when `target` is no member (or is the owner: they leave instead).
    async fn remove(
        &self,
        room: &RoomId,
        by: &UserId,
        target: &UserId,
        until: UnixMillis,
    ) -> BackendResult<()>;

    /// Until when `user` stays removed from `room`, if the owner removed them.
    async fn removed_until(&self, room: &RoomId, user: &UserId) -> BackendResult<Option<UnixMillis>>;

    /// The owner `by` ends the room for everyone: it is deleted and its subscribers get
    /// [`RoomEvent::Ended`].
    async fn end(&self, room: &RoomId, by: &UserId) -> BackendResult<()>;

    /// Removes a member for good. Their messages stay in the history. When the owner leaves,
    /// the longest-present member becomes the owner ([`EntryKind::Owner`]).
    async fn leave(&self, room: &RoomId, user: &UserId) -> BackendResult<()>;

    /// Marks connection `conn` of `user` live for one presence TTL (connect and heartbeat).
    /// A member coming back online whose name a present member took gets a numbered name.
    async fn touch(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<MemberView>;

    /// A live connection's periodic heartbeat: [`Backend::touch`] without the answer. Backends
    /// may gather the heartbeats of one room that arrive together into one call.
    async fn heartbeat(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()> {
        self.touch(room, user, conn).await.map(drop)
    }

    /// The heartbeats of live connections of one room, sent together by the room's hub: for
    /// each connection, whether it is still its member's (`false` where [`Backend::heartbeat`]
    /// would say [`BackendError::NotAMember`]); any other failure fails them all.
    async fn heartbeats(&self, room: &RoomId, conns: &[(UserId, ConnId)]) -> BackendResult<Vec<bool>> {
        let mut refreshed = Vec::with_capacity(conns.len());
        for (user, conn) in conns {
            match self.heartbeat(room, user, conn).await {
                Ok(()) => refreshed.push(true),
                Err(BackendError::NotAMember) => refreshed.push(false),
                Err(err) => return Err(err),
            }
        }
        Ok(refreshed)
    }

    /// Connection `conn` closed; the member goes offline when it was their last.
    async fn disconnect(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()>;

    /// Stores and publishes a message with the members it mentions ([`Backend::mentions`]). A
    /// message with a `client_id` this member already used is not stored again; the stored one
    /// is returned. Each new message spends one of the member's allowance
    /// ([`BackendConfig::message_rate`]); `RateLimited` when it is used up. A reply names the
    /// message it answers (`reply_to`), which must still be there (`MessageGone`).
    async fn post(
        &self,
        room: &RoomId,
        user: &UserId,
        text: MessageText,
        mentions: Vec<Mention>,
        client_id: Option<ClientMsgId>,
        reply_to: Option<Seq>,
    ) -> BackendResult<ChatMessage>;

    /// `user` edits, deletes or reacts to a message by the rules of [`apply_action`]: the
    /// message changes, the action is stored and published as an entry of its own, which is
    /// returned. Spends one of the member's allowance.
    async fn act(&self, room: &RoomId, user: &UserId, action: Action) -> BackendResult<ChatMessage>;

    /// The members of `room` that `text` mentions (`@name`). Reads the member list only when
    /// the text holds an `@`.
    async fn mentions(&self, room: &RoomId, text: &MessageText) -> BackendResult<Vec<Mention>> {
        if !text.as_str().contains('@') {
            return Ok(Vec::new());
        }
        Ok(find_mentions(text.as_str(), &self.room(room).await?.members))
    }

    /// Tells the room that `user` is typing ([`RoomEvent::Typing`]): published, never stored.
    async fn typing(&self, room: &RoomId, user: &UserId) -> BackendResult<()>;

    /// Messages with a sequence number above `after` (all kept messages for 0).
    async fn history(&self, room: &RoomId, after: Seq) -> BackendResult<History>;

    /// A page of history: the last `limit` messages and notices numbered below `before`
    /// (`Seq::MAX` for the newest), actions on messages left out (the messages show their final
    /// state); `more` if kept ones come before them, `truncated` if not but earlier ones are gone.
    async fn history_page(&self, room: &RoomId, before: Seq, limit: usize) -> BackendResult<History>;

    /// Subscribes to the room's events on this instance.
    async fn subscribe(&self, room: &RoomId) -> BackendResult<Subscription>;

    /// Issues an API token for member `user` of `room`: opaque, random, valid while the member's
    /// live session lasts (10 minutes, extended by activity).
    async fn issue_token(&self, room: &RoomId, user: &UserId) -> BackendResult<String>;

    /// The member `token` belongs to in `room`, if it is valid; extends its session.
    async fn token_user(&self, room: &RoomId, token: &str) -> BackendResult<Option<UserId>>;

    /// Spends one token of the allowance named `bucket` (say `create:203.0.113.7`), shared by
    /// every instance; `RateLimited` with the wait when there is none.
    async fn spend(&self, bucket: &str, rate: Rate) -> BackendResult<()>;

    /// Whether the shared state is reachable (`/readyz`).
    async fn ping(&self) -> BackendResult<()>;

    /// How long presence lasts without a heartbeat; live connections refresh it three times
    /// per TTL.
    fn presence_ttl(&self) -> Duration;
}
