//! The in-process backend: one node, no services. A real backend, not a test double: it keeps
//! the same TTL semantics as Redis (presence expiry, idle-room expiry, capped history), driven
//! by a sweep task on tokio's clock so tests can pause time. Started with a SQLite pool
//! ([`MemoryBackend::durable`], the embedded default) it keeps a durable copy there (`store.rs`)
//! and reads it back after a restart.

mod load;
mod room;
mod store;
mod sweep;
mod write;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    Backend, BackendConfig, BackendError, BackendResult, History, MEMBER_PAGE, RoomSnapshot, Subscription,
    TOKEN_SECRET_LEN, USER_SESSION_TTL, split_token,
};
use crate::domain::{
    Action, ChatMessage, ClientMsgId, ConnId, DisplayName, EntryKind, MemberView, Mention, MessageText,
    PresenceChange, RoomEvent, RoomId, RoomMeta, Seq, UnixMillis, UserId, now_millis, same_secret,
};
use crate::support::{Rate, TokenBucket, lock};
use room::{Member, Room};
use sqlx::SqlitePool;
use store::{Change, Store};
use write::stored;

/// The in-process backend. Cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct MemoryBackend {
    shared: Arc<Shared>,
}

struct Shared {
    config: BackendConfig,
    /// The durable copy, if any.
    store: Option<Store>,
    // A std Mutex: nothing awaits while holding it, and every operation is short.
    rooms: Mutex<HashMap<RoomId, Room>>,
    /// Named allowances ([`Backend::spend`]).
    allowances: Mutex<HashMap<String, TokenBucket>>,
}

/// Allowances remembered before the full (idle) ones are forgotten.
const MAX_ALLOWANCES: usize = 10_000;

impl MemoryBackend {
    /// Creates the backend and starts its sweep task (expired presence, idle rooms). The task
    /// ends when the last clone of the backend is dropped.
    pub fn start(config: BackendConfig) -> Self {
        Self::with_state(config, None, HashMap::new())
    }

    /// [`MemoryBackend::start`] with a durable copy in `pool` (migrated): the rooms it holds are
    /// read back first, and every change is stored there.
    pub async fn durable(config: BackendConfig, pool: SqlitePool) -> Result<Self, sqlx::Error> {
        let store = Store::start(pool.clone());
        let rooms = load::load(&pool, &store, &config).await?;
        tracing::info!(rooms = rooms.len(), "rooms read back from the SQLite file");
        Ok(Self::with_state(config, Some(store), rooms))
    }

    fn with_state(config: BackendConfig, store: Option<Store>, rooms: HashMap<RoomId, Room>) -> Self {
        let shared =
            Arc::new(Shared { config, store, rooms: Mutex::new(rooms), allowances: Mutex::default() });
        tokio::spawn(sweep::sweep_loop(Arc::downgrade(&shared)));
        Self { shared }
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    async fn create_room(&self, creator: DisplayName, meta: RoomMeta) -> BackendResult<(RoomId, UserId)> {
        let id = RoomId::generate();
        let user = UserId::generate();
        let member = Member::arriving(user.clone(), creator.clone(), &self.shared.config);
        let room = Room::created_by(member, meta.clone());
        let receipt = {
            let mut rooms = self.rooms();
            rooms.insert(id.clone(), room);
            self.commit(Change::Created { room: id.clone(), user: user.clone(), name: creator, meta })
        };
        stored(receipt).await?;
        Ok((id, user))
    }

    async fn room(&self, room: &RoomId) -> BackendResult<RoomSnapshot> {
        self.with_room(room, |state, _| Ok(state.snapshot(room)))
    }

    async fn member(&self, room: &RoomId, user: &UserId) -> BackendResult<MemberView> {
        self.with_room(room, |state, _| state.member_mut(user).map(|m| m.view()))
    }

    async fn join(&self, room: &RoomId, name: DisplayName) -> BackendResult<UserId> {
        let (user, receipt) = self.with_room(room, |state, config| {
            if state.locked {
                return Err(BackendError::Locked);
            }
            if state.name_taken(&name.key(), None) {
                return Err(BackendError::NameTaken);
            }
            let user = UserId::generate();
            let member = Member::arriving(user.clone(), name.clone(), config);
            let view = member.view();
            state.members.push(member);
            state.presence_changed(view, PresenceChange::Joined, config);
            let joined = Change::Joined { room: room.clone(), user: user.clone(), name: name.clone() };
            // A big room's joins write no notice (docs/rooms.md, "Big rooms").
            if state.members.len() > MEMBER_PAGE {
                return Ok((user, self.commit(joined)));
            }
            self.record(joined);
            let notice = ChatMessage::notice(0, EntryKind::Joined, user.clone(), name, now_millis());
            let (_, receipt) = self.add_entry(room, state, notice, config);
            Ok((user, receipt))
        })?;
        stored(receipt).await?;
        Ok(user)
    }

    async fn leave(&self, room: &RoomId, user: &UserId) -> BackendResult<()> {
        let receipt = self.with_room(room, |state, config| {
            let kind = (state.members.len() <= MEMBER_PAGE).then_some(EntryKind::Left);
            self.depart(room, state, user, kind, String::new(), config)
        })?;
        stored(receipt).await
    }

    async fn set_locked(&self, room: &RoomId, by: &UserId, locked: bool) -> BackendResult<()> {
        let receipt = self.with_room(room, |state, config| {
            let name = state.owner_acts(by)?;
            state.locked = locked;
            self.record(Change::Locked { room: room.clone(), locked });
            let kind = if locked { EntryKind::Locked } else { EntryKind::Unlocked };
            let notice = ChatMessage::notice(0, kind, by.clone(), name, now_millis());
            Ok(self.add_entry(room, state, notice, config).1)
        })?;
        stored(receipt).await
    }

    async fn remove(
        &self,
        room: &RoomId,
        by: &UserId,
        target: &UserId,
        until: UnixMillis,
    ) -> BackendResult<()> {
        let receipt = self.with_room(room, |state, config| {
            let owner = state.owner_acts(by)?;
            if target == by {
                return Err(BackendError::NotAMember);
            }
            let receipt = self.depart(
                room,
                state,
                target,
                Some(EntryKind::Removed),
                owner.as_str().to_owned(),
                config,
            )?;
            state.removed.insert(target.clone(), until);
            self.record(Change::Removed { room: room.clone(), user: target.clone(), until });
            Ok(receipt)
        })?;
        stored(receipt).await
    }

    async fn removed_until(&self, room: &RoomId, user: &UserId) -> BackendResult<Option<UnixMillis>> {
        self.with_room(room, |state, _| {
            Ok(state.removed.get(user).copied().filter(|until| *until > now_millis()))
        })
    }

    async fn end(&self, room: &RoomId, by: &UserId) -> BackendResult<()> {
        let receipt = {
            let mut rooms = self.rooms();
            let state = rooms.get_mut(room).ok_or(BackendError::RoomNotFound)?;
            state.owner_acts(by)?;
            let _ = state.events.send(Arc::new(RoomEvent::Ended));
            rooms.remove(room);
            self.commit(Change::Deleted { room: room.clone() })
        };
        stored(receipt).await
    }

    async fn retitle(&self, room: &RoomId, by: &UserId, meta: RoomMeta) -> BackendResult<()> {
        let receipt = self.with_room(room, |state, config| {
            let name = state.owner_acts(by)?;
            let mut receipt = None;
            let changes = [
                (EntryKind::Renamed, state.meta.name != meta.name, meta.name_str().to_owned()),
                (EntryKind::Topic, state.meta.topic != meta.topic, meta.topic_str().to_owned()),
            ];
            state.meta = meta.clone();
            self.record(Change::Retitled { room: room.clone(), meta });
            for (kind, changed, text) in changes {
                if changed {
                    let notice =
                        ChatMessage::notice_with(0, kind, by.clone(), name.clone(), now_millis(), text);
                    receipt = self.add_entry(room, state, notice, config).1;
                }
            }
            Ok(receipt)
        })?;
        stored(receipt).await
    }

    async fn touch(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<MemberView> {
        self.with_room(room, |state, config| {
            let was_online = state.member_mut(user)?.online();
            if !was_online && let Some(name) = state.come_back(user)? {
                self.record(Change::Renamed { room: room.clone(), user: user.clone(), name });
            }
            let member = state.member_mut(user)?;
            member.conns.insert(conn.clone(), Instant::now() + config.presence_ttl);
            member.extend_session();
            let view = member.view();
            if !was_online {
                state.presence_changed(view.clone(), PresenceChange::Online, config);
            }
            Ok(view)
        })
    }

    async fn disconnect(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()> {
        self.with_room(room, |state, config| {
            let member = state.member_mut(user)?;
            if member.conns.remove(conn).is_some() && !member.online() {
                let view = member.view();
                state.presence_changed(view, PresenceChange::Offline, config);
            }
            Ok(())
        })
    }

    async fn post(
        &self,
        room: &RoomId,
        user: &UserId,
        text: MessageText,
        mentions: Vec<Mention>,
        client_id: Option<ClientMsgId>,
        reply_to: Option<Seq>,
    ) -> BackendResult<ChatMessage> {
        let (msg, receipt) = self.with_room(room, |state, config| {
            let member = state.member_mut(user)?;
            member.extend_session();
            let name = member.name.clone();
            if let Some(cid) = &client_id
                && let Some(earlier) = state.sent_before(user, cid)
            {
                return Ok((earlier.clone(), None));
            }
            let reply = reply_to.map(|seq| state.reply_to(seq)).transpose()?;
            state.member_mut(user)?.allowance.try_take().map_err(BackendError::RateLimited)?;
            let mut msg = ChatMessage::notice(0, EntryKind::Text, user.clone(), name, now_millis());
            (msg.text, msg.client_id, msg.mentions, msg.extra.reply) = (text, client_id, mentions, reply);
            Ok(self.add_entry(room, state, msg, config))
        })?;
        stored(receipt).await?;
        Ok(msg)
    }

    async fn act(&self, room: &RoomId, user: &UserId, action: Action) -> BackendResult<ChatMessage> {
        self.act_on(room, user, action).await
    }

    async fn typing(&self, room: &RoomId, user: &UserId) -> BackendResult<()> {
        self.with_room(room, |state, _| {
            state.member_mut(user)?;
            let _ = state.events.send(Arc::new(RoomEvent::Typing { user: user.clone() }));
            Ok(())
        })
    }

    async fn history(&self, room: &RoomId, after: Seq) -> BackendResult<History> {
        self.with_room(room, |state, _| {
            let messages: Vec<ChatMessage> =
                state.history.iter().filter(|m| m.seq > after).cloned().collect();
            let first_kept = state.history.front().map_or(state.next_seq, |m| m.seq);
            Ok(History { messages, truncated: after.saturating_add(1) < first_kept, more: false })
        })
    }

    async fn history_page(&self, room: &RoomId, before: Seq, limit: usize) -> BackendResult<History> {
        self.with_room(room, |state, _| Ok(state.page(before, limit)))
    }

    async fn subscribe(&self, room: &RoomId) -> BackendResult<Subscription> {
        self.with_room(room, |state, _| {
            Ok(Subscription { events: state.events.subscribe(), guard: Box::new(()) })
        })
    }

    async fn issue_token(&self, room: &RoomId, user: &UserId) -> BackendResult<String> {
        let (token, receipt) = self.with_room(room, |state, _| {
            let member = state.member_mut(user)?;
            let secret = crate::domain::ids_random_secret(TOKEN_SECRET_LEN);
            member.token = Some((secret.clone(), Instant::now() + USER_SESSION_TTL));
            let token = format!("{user}.{secret}");
            Ok((token, self.commit(Change::Token { room: room.clone(), user: user.clone(), secret })))
        })?;
        stored(receipt).await?;
        Ok(token)
    }

    async fn token_user(&self, room: &RoomId, token: &str) -> BackendResult<Option<UserId>> {
        let Some((user, secret)) = split_token(token) else { return Ok(None) };
        self.with_room(room, |state, _| {
            let Ok(member) = state.member_mut(&user) else { return Ok(None) };
            let now = Instant::now();
            match &mut member.token {
                Some((stored, expires)) if *expires > now && same_secret(stored, secret) => {
                    *expires = now + USER_SESSION_TTL;
                    Ok(Some(user.clone()))
                }
                _ => Ok(None),
            }
        })
    }

    async fn spend(&self, bucket: &str, rate: Rate) -> BackendResult<()> {
        let mut allowances = lock(&self.shared.allowances);
        if allowances.len() >= MAX_ALLOWANCES {
            let now = Instant::now();
            allowances.retain(|_, b| !b.is_full(now));
        }
        let allowance = allowances.entry(bucket.to_owned()).or_insert_with(|| TokenBucket::new(rate));
        allowance.try_take().map_err(BackendError::RateLimited)
    }

    async fn ping(&self) -> BackendResult<()> {
        Ok(())
    }

    fn presence_ttl(&self) -> std::time::Duration {
        self.shared.config.presence_ttl
    }
}
