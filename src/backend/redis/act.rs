//! Message actions on Redis ([`Backend::act`]): one run of `act.lua`, which applies the rules
//! of `src/domain/amend.rs` to the message's state and adds the action to the history.
//!
//! [`Backend::act`]: crate::backend::Backend::act

use super::RedisBackend;
use super::envelope;
use crate::backend::BackendResult;
use crate::domain::{Action, ChatMessage, RoomEvent, RoomId, UserId, mentions_to_json};

impl RedisBackend {
    pub(super) async fn act_on(
        &self,
        room: &RoomId,
        user: &UserId,
        action: Action,
    ) -> BackendResult<ChatMessage> {
        let a = &self.inner.args;
        let (arg, mentions) = match &action {
            Action::Edit { text, mentions, .. } => (text.as_str(), mentions_to_json(mentions)),
            Action::React { emoji, .. } => (emoji.as_str(), String::new()),
            Action::Delete { .. } => ("", String::new()),
        };
        let target = action.target().to_string();
        let args = [
            room.as_str(),
            user.as_str(),
            action.as_str(),
            &target,
            arg,
            &mentions,
            &self.inner.node,
            &a.history_len,
            &a.edit_window_ms,
            &a.message_rate[0],
            &a.message_rate[1],
            &a.reaction_limits[0],
            &a.reaction_limits[1],
            &a.session_ttl_ms,
        ];
        let mut reply = self.run(&self.inner.scripts.act, room, &args).await?;
        let payload: String = reply.next()?;
        let entry = envelope::parse_message(&payload)
            .ok_or_else(|| super::conn::unavailable("malformed action payload"))?;
        self.inner.rooms.dispatch_event(self, room, RoomEvent::Message(entry.clone())).await;
        Ok(entry)
    }
}
