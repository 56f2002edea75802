//! Domain types: everything a user or the network hands us becomes one of these at the edge
//! ("parse, don't validate"). Nothing here knows about HTTP, Redis or SQL.

mod amend;
mod event;
mod ids;
mod limits;
mod mention;
mod name;
mod room_title;
mod text;

pub use amend::{
    ActRefusal, Action, Actor, Emoji, Extra, MAX_EMOJI_PER_MESSAGE, MAX_REACTIONS_PER_MESSAGE, PALETTE,
    Reaction, Reply, apply as apply_action, edit_deadline, quote_of,
};
pub use event::{
    ChatMessage, EntryKind, MemberView, Place, PresenceChange, RoomEvent, StreamPos, mentions_from_json,
    mentions_to_json,
};
pub use ids::{ClientMsgId, ConnId, RoomId, Seq, UserId, random_secret as ids_random_secret, same_secret};
pub use limits::Limits;
pub use mention::{MAX_MENTIONS, Mention, find_mentions, mention_at, name_char};
pub use name::DisplayName;
pub use room_title::{RoomMeta, RoomTitle};
pub use text::{MessageText, TextError};

/// Milliseconds since the Unix epoch, the wall-clock time stamped on messages.
pub type UnixMillis = i64;

/// The current wall-clock time in milliseconds since the Unix epoch.
pub fn now_millis() -> UnixMillis {
    let now = time::OffsetDateTime::now_utc();
    UnixMillis::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(UnixMillis::MAX)
}
