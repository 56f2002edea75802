//! The in-process backend: one node, no services. A real backend, not a test double: it keeps
//! the same TTL semantics as Redis (presence expiry, idle-room expiry, capped history), driven
//! by a sweep task on tokio's clock so tests can pause time.

mod room;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use async_trait::async_trait;
use tokio::time::Instant;

use super::{
    Backend, BackendConfig, BackendError, BackendResult, History, RoomSnapshot, Subscription,
    TOKEN_SECRET_LEN, USER_SESSION_TTL, split_token,
};
use crate::domain::{
    ChatMessage, ClientMsgId, ConnId, DisplayName, MemberView, MessageText, PresenceChange, RoomEvent,
    RoomId, Seq, UserId, now_millis, same_secret,
};
use crate::support::{Rate, TokenBucket, lock};
use room::{Member, Room, wall_clock_of};

/// The in-process backend. Cheap to clone; all clones share one state.
#[derive(Clone)]
pub struct MemoryBackend {
    shared: Arc<Shared>,
}

struct Shared {
    config: BackendConfig,
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
        let shared = Arc::new(Shared { config, rooms: Mutex::default(), allowances: Mutex::default() });
        tokio::spawn(sweep_loop(Arc::downgrade(&shared)));
        Self { shared }
    }

    fn rooms(&self) -> MutexGuard<'_, HashMap<RoomId, Room>> {
        lock(&self.shared.rooms)
    }

    fn with_room<T>(
        &self,
        room: &RoomId,
        f: impl FnOnce(&mut Room, &BackendConfig) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let mut rooms = self.rooms();
        let state = rooms.get_mut(room).ok_or(BackendError::RoomNotFound)?;
        f(state, &self.shared.config)
    }
}

async fn sweep_loop(shared: Weak<Shared>) {
    let period = match shared.upgrade() {
        Some(s) => s.config.sweep_interval,
        None => return,
    };
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        let now = Instant::now();
        lock(&shared.rooms).retain(|_, room| room.sweep(now, &shared.config));
    }
}

#[async_trait]
impl Backend for MemoryBackend {
    async fn create_room(&self, creator: DisplayName) -> BackendResult<(RoomId, UserId)> {
        let id = RoomId::generate();
        let user = UserId::generate();
        let room = Room::created_by(Member::arriving(user.clone(), creator, &self.shared.config));
        self.rooms().insert(id.clone(), room);
        Ok((id, user))
    }

    async fn room(&self, room: &RoomId) -> BackendResult<RoomSnapshot> {
        self.with_room(room, |state, _| {
            Ok(RoomSnapshot {
                room: room.clone(),
                members: state.members.iter().map(Member::view).collect(),
                member_version: state.member_version,
                idle_expires_at: state.idle_deadline.map(wall_clock_of),
            })
        })
    }

    async fn member(&self, room: &RoomId, user: &UserId) -> BackendResult<MemberView> {
        self.with_room(room, |state, _| state.member_mut(user).map(|m| m.view()))
    }

    async fn join(&self, room: &RoomId, name: DisplayName) -> BackendResult<UserId> {
        self.with_room(room, |state, config| {
            if state.name_taken(&name.key(), None) {
                return Err(BackendError::NameTaken);
            }
            let user = UserId::generate();
            let member = Member::arriving(user.clone(), name, config);
            let view = member.view();
            state.members.push(member);
            state.presence_changed(view, PresenceChange::Joined, config);
            Ok(user)
        })
    }

    async fn leave(&self, room: &RoomId, user: &UserId) -> BackendResult<()> {
        self.with_room(room, |state, config| {
            let idx = state.members.iter().position(|m| &m.user == user).ok_or(BackendError::NotAMember)?;
            let mut view = state.members.remove(idx).view();
            view.online = false;
            state.presence_changed(view, PresenceChange::Left, config);
            Ok(())
        })
    }

    async fn touch(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<MemberView> {
        self.with_room(room, |state, config| {
            let was_online = state.member_mut(user)?.online();
            if !was_online {
                // Coming back: if a present member took the name meanwhile, number ours.
                let base = state.member_mut(user)?.name.clone();
                let mut name = base.clone();
                let mut n = 2;
                while state.name_taken(&name.key(), Some(user)) {
                    name = base.with_suffix(n);
                    n += 1;
                }
                state.member_mut(user)?.name = name;
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
        client_id: Option<ClientMsgId>,
    ) -> BackendResult<ChatMessage> {
        self.with_room(room, |state, config| {
            let member = state.member_mut(user)?;
            member.extend_session();
            let name = member.name.clone();
            if let Some(cid) = &client_id
                && let Some(earlier) =
                    state.history.iter().find(|m| &m.user == user && m.client_id.as_ref() == Some(cid))
            {
                return Ok(earlier.clone());
            }
            state.member_mut(user)?.allowance.try_take().map_err(BackendError::RateLimited)?;
            let msg = ChatMessage {
                seq: state.next_seq,
                user: user.clone(),
                name,
                text,
                at: now_millis(),
                client_id,
            };
            state.next_seq += 1;
            state.history.push_back(msg.clone());
            while state.history.len() > config.history_len {
                state.history.pop_front();
            }
            let _ = state.events.send(Arc::new(RoomEvent::Message(msg.clone())));
            Ok(msg)
        })
    }

    async fn history(&self, room: &RoomId, after: Seq) -> BackendResult<History> {
        self.with_room(room, |state, _| {
            let messages: Vec<ChatMessage> =
                state.history.iter().filter(|m| m.seq > after).cloned().collect();
            let first_kept = state.history.front().map_or(state.next_seq, |m| m.seq);
            Ok(History { messages, truncated: after.saturating_add(1) < first_kept })
        })
    }

    async fn subscribe(&self, room: &RoomId) -> BackendResult<Subscription> {
        self.with_room(room, |state, _| {
            Ok(Subscription { events: state.events.subscribe(), guard: Box::new(()) })
        })
    }

    async fn issue_token(&self, room: &RoomId, user: &UserId) -> BackendResult<String> {
        self.with_room(room, |state, _| {
            let member = state.member_mut(user)?;
            let secret = crate::domain::ids_random_secret(TOKEN_SECRET_LEN);
            member.token = Some((secret.clone(), Instant::now() + USER_SESSION_TTL));
            Ok(format!("{user}.{secret}"))
        })
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
