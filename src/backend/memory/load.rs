//! Reading the durable copy back after a restart (`store.rs` writes it).

use std::collections::HashMap;

use sqlx::SqlitePool;
use tokio::time::Instant;

use super::room::{Member, Room};
use super::store::{Change, Store};
use crate::backend::{BackendConfig, USER_SESSION_TTL};
use crate::domain::{
    ChatMessage, ClientMsgId, DisplayName, EntryKind, Extra, MessageText, RoomId, RoomMeta, Seq, UserId,
    mentions_from_json, now_millis,
};

type RoomRow = (String, Option<i64>, String, String, Option<String>, String, bool);
type MemberRow = (String, String, String, Option<String>);
type MessageRow = (String, i64, String, String, String, i64, Option<String>, String, String, String);

/// Reads every room back after a restart. No one is online yet: a room whose idle deadline
/// passed while the server was down is deleted; every other room waits for its people with the
/// deadline it had, or a fresh idle period if someone was online when the server stopped.
pub(super) async fn load(
    pool: &SqlitePool,
    store: &Store,
    config: &BackendConfig,
) -> Result<HashMap<RoomId, Room>, sqlx::Error> {
    let rooms: Vec<RoomRow> =
        sqlx::query_as("SELECT id, idle_until, name, topic, owner, creator, locked FROM rooms")
            .fetch_all(pool)
            .await?;
    let members: Vec<MemberRow> =
        sqlx::query_as("SELECT room, user, name, token FROM members ORDER BY rowid").fetch_all(pool).await?;
    let messages: Vec<MessageRow> = sqlx::query_as(
        "SELECT room, seq, user, name, text, at, cid, kind, mentions, extra FROM messages ORDER BY room, seq",
    )
    .fetch_all(pool)
    .await?;
    let (now, now_ms) = (Instant::now(), now_millis());
    let mut loaded: HashMap<RoomId, Room> = HashMap::new();
    for (id, idle_until, name, topic, owner, creator, locked) in rooms {
        let Some(room) = RoomId::parse(&id) else { continue };
        let deadline = match idle_until {
            Some(until) if until <= now_ms => {
                store.record(Change::Deleted { room });
                continue;
            }
            Some(until) => now + std::time::Duration::from_millis(u64::try_from(until - now_ms).unwrap_or(0)),
            None => {
                store.record(Change::Idle {
                    room: room.clone(),
                    until: Some(now_ms.saturating_add(crate::support::millis_i64(config.room_idle_ttl))),
                });
                now + config.room_idle_ttl
            }
        };
        // Numbering resumes after the newest kept message, read below.
        let meta = RoomMeta::from_stored(name, topic);
        let owner = owner.as_deref().and_then(UserId::parse);
        let mut state = Room::restored(meta, owner, DisplayName::from_stored(creator), deadline);
        state.locked = locked;
        loaded.insert(room, state);
    }
    for (room, user, name, token) in members {
        let (Some(room), Some(user)) = (RoomId::parse(&room), UserId::parse(&user)) else { continue };
        let Some(state) = loaded.get_mut(&room) else { continue };
        let mut member = Member::arriving(user, DisplayName::from_stored(name), config);
        // Offline until a socket or a page view says otherwise; a program's token lasts another
        // session from the restart.
        member.conns.clear();
        member.token = token.map(|secret| (secret, now + USER_SESSION_TTL));
        state.members.push(member);
    }
    for (room, seq, user, name, text, at, cid, kind, mentions, extra) in messages {
        let (Some(room), Some(user)) = (RoomId::parse(&room), UserId::parse(&user)) else { continue };
        let Some(state) = loaded.get_mut(&room) else { continue };
        let message = ChatMessage {
            seq: Seq::try_from(seq).unwrap_or(0),
            kind: EntryKind::parse(&kind),
            user,
            name: DisplayName::from_stored(name),
            text: MessageText::from_stored(text),
            at,
            client_id: cid.as_deref().and_then(ClientMsgId::parse),
            mentions: mentions_from_json(&mentions),
            extra: Extra::from_json(&extra),
        };
        state.next_seq = state.next_seq.max(message.seq + 1);
        state.keep(message, config.history_len);
    }
    let removed: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT room, user, until FROM removed WHERE until > ?")
            .bind(now_ms)
            .fetch_all(pool)
            .await?;
    for (room, user, until) in removed {
        let (Some(room), Some(user)) = (RoomId::parse(&room), UserId::parse(&user)) else { continue };
        if let Some(state) = loaded.get_mut(&room) {
            state.removed.insert(user, until);
        }
    }
    Ok(loaded)
}
