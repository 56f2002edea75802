//! One room of the in-process backend: its members, their connections, its history, and the
//! sweep that expires presence and idle rooms.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::backend::{
    BackendConfig, BackendError, BackendResult, EVENT_BUFFER, History, MEMBER_PAGE, RoomSnapshot,
    USER_SESSION_TTL,
};
use crate::domain::{
    ChatMessage, ClientMsgId, ConnId, DisplayName, MemberView, PresenceChange, Reply, RoomEvent, RoomId,
    RoomMeta, Seq, UnixMillis, UserId, now_millis, quote_of,
};
use crate::support::{TokenBucket, millis_i64};

pub(super) struct Member {
    pub(super) user: UserId,
    pub(super) name: DisplayName,
    /// API token secret and when it expires without activity.
    pub(super) token: Option<(String, Instant)>,
    /// Live connections and when each expires without a heartbeat.
    pub(super) conns: HashMap<ConnId, Instant>,
    /// The member's allowance of messages.
    pub(super) allowance: TokenBucket,
}

impl Member {
    /// A new member, present through its page view for one presence TTL.
    pub(super) fn arriving(user: UserId, name: DisplayName, config: &BackendConfig) -> Self {
        let deadline = Instant::now() + config.presence_ttl;
        let allowance = TokenBucket::new(config.message_rate);
        Self { user, name, conns: HashMap::from([(ConnId::page(), deadline)]), token: None, allowance }
    }

    pub(super) fn online(&self) -> bool {
        !self.conns.is_empty()
    }

    /// Activity keeps the member's live session, and so its API token, alive.
    pub(super) fn extend_session(&mut self) {
        if let Some((_, expires)) = &mut self.token {
            *expires = Instant::now() + USER_SESSION_TTL;
        }
    }

    pub(super) fn view(&self) -> MemberView {
        MemberView { user: self.user.clone(), name: self.name.clone(), online: self.online() }
    }
}

pub(super) struct Room {
    /// Its name and topic.
    pub(super) meta: RoomMeta,
    /// Its owner; `None` once every member has left.
    pub(super) owner: Option<UserId>,
    /// The creator's name when they created it.
    pub(super) creator: DisplayName,
    /// Whether the owner locked it.
    pub(super) locked: bool,
    /// Members the owner removed, until when.
    pub(super) removed: HashMap<UserId, UnixMillis>,
    /// Members in join order.
    pub(super) members: Vec<Member>,
    pub(super) history: VecDeque<ChatMessage>,
    /// The client ids of the kept messages, by member, and their numbers: a message sent
    /// again is found without reading the history.
    cids: HashMap<UserId, HashMap<ClientMsgId, Seq>>,
    pub(super) next_seq: Seq,
    pub(super) member_version: u64,
    /// Set while no one is online: the room is deleted at this instant.
    pub(super) idle_deadline: Option<Instant>,
    pub(super) events: broadcast::Sender<Arc<RoomEvent>>,
}

impl Room {
    /// The room as a snapshot shows it: a page of its members (everyone up to [`MEMBER_PAGE`],
    /// else the ones online, at most [`MEMBER_PAGE`], in join order) with the counts.
    pub(super) fn snapshot(&self, id: &RoomId) -> RoomSnapshot {
        let (mut members, mut rest_online, mut member_count, mut online_count) =
            (Vec::new(), Vec::new(), 0, 0);
        for m in self.members.iter().map(Member::view) {
            member_count += 1;
            online_count += usize::from(m.online);
            if member_count <= MEMBER_PAGE {
                members.push(m);
            } else if m.online && rest_online.len() < MEMBER_PAGE {
                rest_online.push(m);
            }
        }
        if member_count > MEMBER_PAGE {
            members.retain(|m| m.online);
            members.extend(rest_online);
            members.truncate(MEMBER_PAGE);
        }
        RoomSnapshot {
            room: id.clone(),
            meta: self.meta.clone(),
            owner: self.owner.clone(),
            creator: self.creator.as_str().to_owned(),
            locked: self.locked,
            members,
            member_count,
            online_count,
            member_version: self.member_version,
            idle_expires_at: self.idle_deadline.map(wall_clock_of),
        }
    }

    /// A room whose only member is its creator, its owner.
    pub(super) fn created_by(creator: Member, meta: RoomMeta) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Self {
            meta,
            owner: Some(creator.user.clone()),
            creator: creator.name.clone(),
            locked: false,
            removed: HashMap::new(),
            members: vec![creator],
            history: VecDeque::new(),
            cids: HashMap::new(),
            next_seq: 1,
            member_version: 1,
            idle_deadline: None,
            events,
        }
    }

    /// A room read back from the durable copy, its members and history still to be added; no
    /// one is online, so it waits for them until `idle_deadline`.
    pub(super) fn restored(
        meta: RoomMeta,
        owner: Option<UserId>,
        creator: DisplayName,
        idle_deadline: Instant,
    ) -> Self {
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        Self {
            meta,
            owner,
            creator,
            locked: false,
            removed: HashMap::new(),
            members: Vec::new(),
            history: VecDeque::new(),
            cids: HashMap::new(),
            next_seq: 1,
            member_version: 1,
            idle_deadline: Some(idle_deadline),
            events,
        }
    }

    /// Checks that `user` owns the room and spends one of their allowance (every owner action
    /// is stored); their name.
    pub(super) fn owner_acts(&mut self, user: &UserId) -> BackendResult<DisplayName> {
        let member = self.members.iter_mut().find(|m| &m.user == user).ok_or(BackendError::NotAMember)?;
        if self.owner.as_ref() != Some(user) {
            return Err(BackendError::NotOwner);
        }
        member.allowance.try_take().map_err(BackendError::RateLimited)?;
        Ok(member.name.clone())
    }

    /// A member coming back online: if a present member took their name meanwhile, theirs gets
    /// a number. The new name, if it changed.
    pub(super) fn come_back(&mut self, user: &UserId) -> BackendResult<Option<DisplayName>> {
        let base = self.member_mut(user)?.name.clone();
        let mut name = base.clone();
        let mut n = 2;
        while self.name_taken(&name.key(), Some(user)) {
            name = base.with_suffix(n);
            n += 1;
        }
        if name == base {
            return Ok(None);
        }
        self.member_mut(user)?.name = name.clone();
        Ok(Some(name))
    }

    pub(super) fn member_mut(&mut self, user: &UserId) -> BackendResult<&mut Member> {
        self.members.iter_mut().find(|m| &m.user == user).ok_or(BackendError::NotAMember)
    }

    pub(super) fn name_taken(&self, key: &str, except: Option<&UserId>) -> bool {
        self.members.iter().any(|m| m.online() && Some(&m.user) != except && m.name.key() == key)
    }

    /// Adds an entry to the history (numbered next, the oldest dropped past the limit) and
    /// returns it.
    pub(super) fn push_entry(&mut self, mut entry: ChatMessage, config: &BackendConfig) -> ChatMessage {
        entry.seq = self.next_seq;
        self.next_seq += 1;
        self.keep(entry.clone(), config.history_len);
        entry
    }

    /// Appends a numbered entry to the history, the oldest dropped past `limit`.
    pub(super) fn keep(&mut self, entry: ChatMessage, limit: usize) {
        if let Some(cid) = &entry.client_id {
            self.cids.entry(entry.user.clone()).or_default().insert(cid.clone(), entry.seq);
        }
        self.history.push_back(entry);
        while self.history.len() > limit {
            if let Some(old) = self.history.pop_front()
                && let Some(cid) = &old.client_id
                && let Some(theirs) = self.cids.get_mut(&old.user)
            {
                theirs.remove(cid);
                if theirs.is_empty() {
                    self.cids.remove(&old.user);
                }
            }
        }
    }

    /// The kept message `user` sent under `cid`, if any.
    pub(super) fn sent_before(&self, user: &UserId, cid: &ClientMsgId) -> Option<&ChatMessage> {
        let seq = self.cids.get(user)?.get(cid)?;
        self.entry_index(*seq).map(|i| &self.history[i])
    }

    /// Where the kept entry numbered `seq` is in the history.
    pub(super) fn entry_index(&self, seq: Seq) -> Option<usize> {
        self.history.binary_search_by_key(&seq, |m| m.seq).ok()
    }

    /// What a reply to message `seq` quotes; `MessageGone` unless it is a kept, undeleted
    /// message.
    pub(super) fn reply_to(&self, seq: Seq) -> BackendResult<Reply> {
        let m = self.entry_index(seq).map(|i| &self.history[i]);
        match m {
            Some(m) if m.is_text() && !m.extra.deleted => {
                Ok(Reply { seq, name: m.name.as_str().to_owned(), quote: quote_of(m.text.as_str()) })
            }
            _ => Err(BackendError::MessageGone),
        }
    }

    /// The last `limit` messages and notices numbered below `before`, actions left out (the
    /// messages show their final state) ([`Backend::history_page`]).
    ///
    /// [`Backend::history_page`]: crate::backend::Backend::history_page
    pub(super) fn page(&self, before: Seq, limit: usize) -> History {
        let shown = || self.history.iter().filter(move |m| m.seq < before && !m.is_action());
        let older = shown().count();
        let skip = older.saturating_sub(limit);
        let messages = shown().skip(skip).cloned().collect();
        let first_kept = self.history.front().map_or(self.next_seq, |m| m.seq);
        History { messages, truncated: skip == 0 && first_kept > 1, more: skip > 0 }
    }

    /// Publishes a presence change and keeps the idle deadline in step.
    pub(super) fn presence_changed(
        &mut self,
        view: MemberView,
        change: PresenceChange,
        config: &BackendConfig,
    ) {
        self.member_version += 1;
        self.refresh_idle(config);
        // No receivers is fine: no one is watching this room on this node.
        let _ = self.events.send(Arc::new(RoomEvent::Presence {
            version: self.member_version,
            member: view,
            change,
        }));
    }

    fn refresh_idle(&mut self, config: &BackendConfig) {
        let anyone_online = self.members.iter().any(Member::online);
        if anyone_online {
            self.idle_deadline = None;
        } else if self.idle_deadline.is_none() {
            self.idle_deadline = Some(Instant::now() + config.room_idle_ttl);
        }
    }

    /// Expires connections past their deadline (members with none left go offline and the
    /// room is told). Returns whether the room lives on: false once it has been idle past its
    /// deadline.
    pub(super) fn sweep(&mut self, now: Instant, config: &BackendConfig) -> bool {
        let mut went_offline = Vec::new();
        for member in &mut self.members {
            let was_online = member.online();
            member.conns.retain(|_, deadline| *deadline > now);
            if was_online && !member.online() {
                went_offline.push(member.view());
            }
        }
        for view in went_offline {
            self.presence_changed(view, PresenceChange::Offline, config);
        }
        self.idle_deadline.is_none_or(|deadline| deadline > now)
    }
}

/// The wall-clock time of a deadline on tokio's clock.
pub(super) fn wall_clock_of(deadline: Instant) -> UnixMillis {
    let left = deadline.saturating_duration_since(Instant::now());
    now_millis().saturating_add(millis_i64(left))
}
