//! The state and the bus: rooms, members, presence, history and fan-out of room events.
//!
//! [`Backend`] is a trait because it has two real implementations that must behave the same
//! (docs/architecture.md): [`memory::MemoryBackend`] for one process with no services, and
//! (with `REDIS_URL`) [`redis::RedisBackend`], shared by many instances. Both pass the contract suite in
//! `tests/api/contract.rs`.

pub mod memory;
pub mod redis;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::broadcast;

#[cfg(doc)]
use crate::domain::EntryKind;
#[cfg(doc)]
use crate::domain::apply_action;
use crate::domain::{
    ActRefusal, Action, ChatMessage, ClientMsgId, ConnId, DisplayName, MemberView, Mention, MessageText,
    RoomEvent, RoomId, RoomMeta, Seq, UnixMillis, UserId, find_mentions,
};

impl BackendError {
    /// The error of an action refused for `refusal` in a backend whose edit window is `window`.
    pub fn refused(refusal: ActRefusal, window: Duration) -> Self {
        match refusal {
            ActRefusal::Gone => BackendError::MessageGone,
            ActRefusal::NotAuthor => BackendError::NotAuthor,
            ActRefusal::WindowPassed => BackendError::EditWindow(window),
            ActRefusal::TooManyReactions => BackendError::TooManyReactions,
        }
    }
}
use crate::support::Rate;

/// A member's presence lives this long without a heartbeat (docs/redis.md, "Presence").
pub const PRESENCE_TTL: Duration = Duration::from_secs(30);
/// How often a live connection refreshes its presence: a third of the TTL, so one lost
/// heartbeat never flips a member offline.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(10);
/// Recent messages kept per room (docs/redis.md).
pub const HISTORY_LEN: usize = crate::config::DEFAULT_HISTORY_LIMIT;
/// A member's live session (and so an API token) lasts this long without activity
/// (docs/api.md).
pub const USER_SESSION_TTL: Duration = Duration::from_secs(600);
/// Room events buffered per local subscriber before it counts as lagging and resyncs. Every
/// room holds two such rings per instance (backend and hub); 64 slots cover any burst a chat
/// room sees between two wake-ups of a socket, and a socket that does fall further behind
/// resyncs from history instead of losing anything.
pub const EVENT_BUFFER: usize = 64;

/// Timings and sizes of a backend. Tests shorten them; production uses [`Default`].
#[derive(Clone, Debug)]
pub struct BackendConfig {
    /// Presence TTL.
    pub presence_ttl: Duration,
    /// How long a room with no one online survives (`C2C_ROOM_IDLE_TTL`).
    pub room_idle_ttl: Duration,
    /// Messages kept per room.
    pub history_len: usize,
    /// How often expired presence and idle rooms are swept.
    pub sweep_interval: Duration,
    /// Each member's allowance of messages, over all their sockets, forms and instances.
    pub message_rate: Rate,
    /// How long after posting its author may edit a message (`C2C_EDIT_WINDOW`).
    pub edit_window: Duration,
}

impl BackendConfig {
    /// The backend configuration `config` asks for; the rest as [`Default`].
    pub fn for_config(config: &crate::config::Config) -> Self {
        Self {
            room_idle_ttl: config.room_idle_ttl,
            history_len: config.history_limit,
            message_rate: config.limits.send_rate(),
            edit_window: config.edit_window,
            ..Self::default()
        }
    }
}

impl Default for BackendConfig {
    fn default() -> Self {
        Self {
            presence_ttl: PRESENCE_TTL,
            room_idle_ttl: Duration::from_secs(24 * 3600),
            history_len: HISTORY_LEN,
            sweep_interval: Duration::from_secs(1),
            message_rate: crate::domain::Limits::default().send_rate(),
            edit_window: crate::config::DEFAULT_EDIT_WINDOW,
        }
    }
}

/// What a backend call can fail with. Each maps to one localized error code.
#[derive(Clone, Debug, thiserror::Error)]
pub enum BackendError {
    /// The room does not exist (never did, or expired).
    #[error("room not found")]
    RoomNotFound,
    /// The user is not (or no longer) a member of the room.
    #[error("not a member of the room")]
    NotAMember,
    /// A present member already uses that display name.
    #[error("name taken")]
    NameTaken,
    /// Only the room's owner may do that.
    #[error("not the room's owner")]
    NotOwner,
    /// The room is locked: no one new may join.
    #[error("room locked")]
    Locked,
    /// The message acted on or answered is not there (any more).
    #[error("message not found")]
    MessageGone,
    /// Only the message's author (for a deletion: or the room's owner) may do that.
    #[error("not the message's author")]
    NotAuthor,
    /// The message's edit window (this long after posting) has passed.
    #[error("edit window of {0:?} passed")]
    EditWindow(Duration),
    /// The message carries as many reactions as it may.
    #[error("too many reactions")]
    TooManyReactions,
    /// The allowance is used up; the next send is allowed after this long.
    #[error("rate limited for {0:?}")]
    RateLimited(Duration),
    /// The shared state cannot be reached; the caller should say so and retry later.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
}

/// Result of a backend call.
pub type BackendResult<T> = Result<T, BackendError>;

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

/// Splits a token into its user id and secret (`{userId}.{secret}`).
pub fn split_token(token: &str) -> Option<(UserId, &str)> {
    let (user, secret) = token.split_once('.')?;
    let ok = secret.len() == TOKEN_SECRET_LEN
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    Some((UserId::parse(user)?, secret)).filter(|_| ok)
}

/// Random characters in a token's secret part.
pub const TOKEN_SECRET_LEN: usize = 32;

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
