//! How the in-process backend changes its state: under the rooms' lock, with each change also
//! sent to the durable copy when there is one (`store.rs`), and history entries published once
//! they are stored.

use std::collections::HashMap;
use std::sync::{Arc, MutexGuard};

use tokio::sync::oneshot;

use super::MemoryBackend;
use super::room::{Room, wall_clock_of};
use super::store::{self, Change};
use crate::backend::{BackendConfig, BackendError, BackendResult};
use crate::domain::{
    Action, Actor, ChatMessage, EntryKind, PresenceChange, RoomEvent, RoomId, UserId, apply_action,
    now_millis,
};
use crate::support::{lock, millis_i64};

impl MemoryBackend {
    /// Stores `change` in the durable copy, if there is one; nobody waits.
    pub(super) fn record(&self, change: Change) {
        if let Some(store) = &self.shared.store {
            store.record(change);
        }
    }

    /// Stores `change`; the receipt answers once it is committed.
    pub(super) fn commit(&self, change: Change) -> Option<oneshot::Receiver<BackendResult<()>>> {
        self.shared.store.as_ref().map(|store| store.commit(change))
    }

    /// Adds `entry` to `state`'s history and publishes it: with a durable copy once it is
    /// stored (so what anyone saw is stored), without one at once. The receipt answers once it
    /// is stored.
    pub(super) fn add_entry(
        &self,
        room: &RoomId,
        state: &mut Room,
        entry: ChatMessage,
        config: &BackendConfig,
    ) -> (ChatMessage, Option<oneshot::Receiver<BackendResult<()>>>) {
        let entry = state.push_entry(entry, config);
        let change = Change::Message {
            room: room.clone(),
            message: entry.clone(),
            keep: config.history_len,
            to: state.events.clone(),
        };
        let receipt = self.commit(change);
        if receipt.is_none() {
            // No receivers is fine: no one is watching this room on this node.
            let _ = state.events.send(Arc::new(RoomEvent::Message(entry.clone())));
        }
        (entry, receipt)
    }

    /// `user` leaves `state` (by themselves, or removed): the member list and the history say
    /// so (an entry of `kind` carrying `text`; none for a quiet leave of a big room), and when
    /// the owner leaves, the longest-present member takes over.
    pub(super) fn depart(
        &self,
        room: &RoomId,
        state: &mut Room,
        user: &UserId,
        kind: Option<EntryKind>,
        text: String,
        config: &BackendConfig,
    ) -> BackendResult<Option<oneshot::Receiver<BackendResult<()>>>> {
        let idx = state.members.iter().position(|m| &m.user == user).ok_or(BackendError::NotAMember)?;
        let mut view = state.members.remove(idx).view();
        view.online = false;
        let notice = kind.map(|kind| {
            ChatMessage::notice_with(0, kind, user.clone(), view.name.clone(), now_millis(), text)
        });
        state.presence_changed(view, PresenceChange::Left, config);
        let left = Change::Left { room: room.clone(), user: user.clone() };
        let mut receipt = match notice {
            Some(notice) => {
                self.record(left);
                self.add_entry(room, state, notice, config).1
            }
            None => self.commit(left),
        };
        if state.owner.as_ref() == Some(user) {
            // The longest-present member (the first in join order) takes over.
            let heir = state.members.first().map(|m| (m.user.clone(), m.name.clone()));
            state.owner = heir.as_ref().map(|(u, _)| u.clone());
            self.record(Change::Owner { room: room.clone(), owner: state.owner.clone() });
            if let Some((heir, name)) = heir {
                let notice = ChatMessage::notice(0, EntryKind::Owner, heir, name, now_millis());
                receipt = self.add_entry(room, state, notice, config).1;
            }
        }
        Ok(receipt)
    }

    /// `user` acts on a message of `room` ([`Backend::act`]): the message changes in place
    /// (and in the durable copy), and the action is added to the history.
    ///
    /// [`Backend::act`]: crate::backend::Backend::act
    pub(super) async fn act_on(
        &self,
        room: &RoomId,
        user: &UserId,
        action: Action,
    ) -> BackendResult<ChatMessage> {
        let (entry, receipt) = self.with_room(room, |state, config| {
            let owner = state.owner.as_ref() == Some(user);
            let member = state.member_mut(user)?;
            member.extend_session();
            let name = member.name.clone();
            let i = state.entry_index(action.target()).ok_or(BackendError::MessageGone)?;
            let mut changed = state.history[i].clone();
            let actor = Actor {
                user,
                name: &name,
                owner,
                now: now_millis(),
                edit_window_ms: millis_i64(config.edit_window),
            };
            let entry = apply_action(&action, actor, &mut changed)
                .map_err(|refusal| BackendError::refused(refusal, config.edit_window))?;
            state.member_mut(user)?.allowance.try_take().map_err(BackendError::RateLimited)?;
            self.record(Change::Amended { room: room.clone(), message: changed.clone() });
            state.history[i] = changed;
            Ok(self.add_entry(room, state, entry, config))
        })?;
        stored(receipt).await?;
        Ok(entry)
    }

    pub(super) fn rooms(&self) -> MutexGuard<'_, HashMap<RoomId, Room>> {
        lock(&self.shared.rooms)
    }

    pub(super) fn with_room<T>(
        &self,
        room: &RoomId,
        f: impl FnOnce(&mut Room, &BackendConfig) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let mut rooms = self.rooms();
        let state = rooms.get_mut(room).ok_or(BackendError::RoomNotFound)?;
        let idle_before = state.idle_deadline;
        let result = f(state, &self.shared.config);
        if state.idle_deadline != idle_before {
            self.record(Change::Idle { room: room.clone(), until: state.idle_deadline.map(wall_clock_of) });
        }
        result
    }
}

/// Waits until a change is stored (at once without a durable copy).
pub(super) async fn stored(receipt: Option<oneshot::Receiver<BackendResult<()>>>) -> BackendResult<()> {
    match receipt {
        Some(receipt) => store::committed(receipt).await,
        None => Ok(()),
    }
}
