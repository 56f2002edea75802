//! [`Backend`] on Redis: each call is one room script (atomic per room); changes deliver their
//! events to this node's sockets at once and schedule the room's presence sweep.

use std::time::Duration;

use async_trait::async_trait;

use super::conn::{Status, unavailable};
use super::{RedisBackend, envelope, info_key};
use crate::backend::{
    Backend, BackendError, BackendResult, History, RoomSnapshot, Subscription, TOKEN_SECRET_LEN, split_token,
};
use crate::domain::{
    Action, ChatMessage, ClientMsgId, ConnId, DisplayName, MemberView, Mention, MessageText, RoomEvent,
    RoomId, RoomMeta, Seq, UnixMillis, UserId, mentions_to_json, now_millis, same_secret,
};
use crate::support::Rate;

#[async_trait]
impl Backend for RedisBackend {
    async fn create_room(&self, creator: DisplayName, meta: RoomMeta) -> BackendResult<(RoomId, UserId)> {
        let room = RoomId::generate();
        let user = UserId::generate();
        let a = &self.inner.args;
        let args = [
            room.as_str(),
            user.as_str(),
            creator.as_str(),
            &creator.key(),
            &a.ttl_ms,
            &a.session_ttl_ms,
            meta.name_str(),
            meta.topic_str(),
        ];
        let mut reply = self.run(&self.inner.scripts.create, &room, &args).await?;
        if reply.status == Status::Exists {
            return Err(unavailable("room id collision"));
        }
        let deadline: i64 = reply.next()?;
        self.schedule_sweep(&room, deadline).await;
        Ok((room, user))
    }

    async fn room(&self, room: &RoomId) -> BackendResult<RoomSnapshot> {
        let page = &self.inner.args.member_page;
        let mut reply = self.run(&self.inner.scripts.snapshot, room, &[room.as_str(), page]).await?;
        let member_version: u64 = reply.next()?;
        let pttl: i64 = reply.next()?;
        let (name, topic): (String, String) = (reply.next()?, reply.next()?);
        let (owner, creator): (String, String) = (reply.next()?, reply.next()?);
        let locked: String = reply.next()?;
        let (member_count, online_count): (usize, usize) = (reply.next()?, reply.next()?);
        let mut members = Vec::new();
        while let (Ok(user), Ok(name), Ok(online)) =
            (reply.next::<String>(), reply.next::<String>(), reply.next::<String>())
        {
            let Some(user) = UserId::parse(&user) else {
                continue;
            };
            members.push(MemberView { user, name: DisplayName::from_stored(name), online: online == "1" });
        }
        Ok(RoomSnapshot {
            room: room.clone(),
            meta: RoomMeta::from_stored(name, topic),
            owner: UserId::parse(&owner),
            creator,
            locked: locked == "1",
            members,
            member_count,
            online_count,
            member_version,
            idle_expires_at: (pttl >= 0).then(|| now_millis() + pttl),
        })
    }

    async fn member(&self, room: &RoomId, user: &UserId) -> BackendResult<MemberView> {
        let mut reply = self.run(&self.inner.scripts.member, room, &[room.as_str(), user.as_str()]).await?;
        let name: String = reply.next()?;
        let online: String = reply.next()?;
        Ok(MemberView { user: user.clone(), name: DisplayName::from_stored(name), online: online == "1" })
    }

    async fn join(&self, room: &RoomId, name: DisplayName) -> BackendResult<UserId> {
        let user = UserId::generate();
        let a = &self.inner.args;
        let args = [
            room.as_str(),
            user.as_str(),
            name.as_str(),
            &name.key(),
            &self.inner.node,
            &a.ttl_ms,
            &a.session_ttl_ms,
            &a.history_len,
            &a.member_page,
        ];
        let mut reply = self.run(&self.inner.scripts.join, room, &args).await?;
        let deadline: i64 = reply.next()?;
        self.deliver_local(room, reply.strings()).await;
        self.schedule_sweep(room, deadline).await;
        Ok(user)
    }

    async fn leave(&self, room: &RoomId, user: &UserId) -> BackendResult<()> {
        let a = &self.inner.args;
        let args =
            [room.as_str(), user.as_str(), &self.inner.node, &a.idle_ms, &a.history_len, &a.member_page];
        let reply = self.run(&self.inner.scripts.leave, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn retitle(&self, room: &RoomId, by: &UserId, meta: RoomMeta) -> BackendResult<()> {
        let a = &self.inner.args;
        let args = [
            room.as_str(),
            by.as_str(),
            meta.name_str(),
            meta.topic_str(),
            &self.inner.node,
            &a.history_len,
            &a.message_rate[0],
            &a.message_rate[1],
        ];
        let reply = self.run(&self.inner.scripts.retitle, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn set_locked(&self, room: &RoomId, by: &UserId, locked: bool) -> BackendResult<()> {
        let a = &self.inner.args;
        let flag = if locked { "1" } else { "0" };
        let args = [
            room.as_str(),
            by.as_str(),
            flag,
            &self.inner.node,
            &a.history_len,
            &a.message_rate[0],
            &a.message_rate[1],
        ];
        let reply = self.run(&self.inner.scripts.lock, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn remove(
        &self,
        room: &RoomId,
        by: &UserId,
        target: &UserId,
        until: UnixMillis,
    ) -> BackendResult<()> {
        let a = &self.inner.args;
        let until = until.to_string();
        let args = [
            room.as_str(),
            by.as_str(),
            target.as_str(),
            &until,
            &self.inner.node,
            &a.history_len,
            &a.idle_ms,
            &a.message_rate[0],
            &a.message_rate[1],
        ];
        let reply = self.run(&self.inner.scripts.remove, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn removed_until(&self, room: &RoomId, user: &UserId) -> BackendResult<Option<UnixMillis>> {
        let key = super::room_key(room, "removed");
        let until: Option<UnixMillis> =
            self.inner.link.call(redis::cmd("HGET").arg(key).arg(user.as_str())).await?;
        Ok(until.filter(|until| *until > now_millis()))
    }

    async fn end(&self, room: &RoomId, by: &UserId) -> BackendResult<()> {
        let a = &self.inner.args;
        let args = [room.as_str(), by.as_str(), &self.inner.node, &a.message_rate[0], &a.message_rate[1]];
        let reply = self.run(&self.inner.scripts.end, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
    }

    async fn touch(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<MemberView> {
        let a = &self.inner.args;
        let args =
            [room.as_str(), user.as_str(), conn.as_str(), &self.inner.node, &a.ttl_ms, &a.session_ttl_ms];
        let mut reply = self.run(&self.inner.scripts.touch, room, &args).await?;
        let deadline: i64 = reply.next()?;
        let name: String = reply.next()?;
        self.deliver_local(room, reply.strings()).await;
        self.schedule_sweep(room, deadline).await;
        Ok(MemberView { user: user.clone(), name: DisplayName::from_stored(name), online: true })
    }

    async fn heartbeat(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()> {
        self.gathered_heartbeat(room, user, conn).await
    }

    async fn heartbeats(&self, room: &RoomId, conns: &[(UserId, ConnId)]) -> BackendResult<Vec<bool>> {
        self.refresh(room, conns).await
    }

    async fn disconnect(&self, room: &RoomId, user: &UserId, conn: &ConnId) -> BackendResult<()> {
        let args = [room.as_str(), user.as_str(), conn.as_str(), &self.inner.node, &self.inner.args.idle_ms];
        let reply = self.run(&self.inner.scripts.disconnect, room, &args).await?;
        self.deliver_local(room, reply.strings()).await;
        Ok(())
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
        let cid = client_id.as_ref().map_or("", ClientMsgId::as_str);
        let mentions = mentions_to_json(&mentions);
        let reply_to = reply_to.unwrap_or(0).to_string();
        let a = &self.inner.args;
        let args = [
            room.as_str(),
            user.as_str(),
            text.as_str(),
            cid,
            &self.inner.node,
            &a.history_len,
            &a.session_ttl_ms,
            &a.message_rate[0],
            &a.message_rate[1],
            &mentions,
            &reply_to,
        ];
        let mut reply = self.run(&self.inner.scripts.post, room, &args).await?;
        let payload: String = reply.next()?;
        let message =
            envelope::parse_message(&payload).ok_or_else(|| unavailable("malformed message payload"))?;
        if reply.status != Status::Duplicate {
            // Parsed once: the local delivery reuses it.
            self.inner.rooms.dispatch_event(self, room, RoomEvent::Message(message.clone())).await;
        }
        Ok(message)
    }

    async fn act(&self, room: &RoomId, user: &UserId, action: Action) -> BackendResult<ChatMessage> {
        self.act_on(room, user, action).await
    }

    async fn typing(&self, room: &RoomId, user: &UserId) -> BackendResult<()> {
        let payload = envelope::typing(&self.inner.node, room, user);
        self.inner
            .link
            .call::<i64>(
                redis::cmd(self.inner.link.publish_command())
                    .arg(super::subscriber::channel(room))
                    .arg(&payload),
            )
            .await?;
        self.inner.rooms.dispatch_event(self, room, RoomEvent::Typing { user: user.clone() }).await;
        Ok(())
    }

    async fn history(&self, room: &RoomId, after: Seq) -> BackendResult<History> {
        let after_arg = after.to_string();
        let args = [room.as_str(), &after_arg, &self.inner.args.history_len];
        let mut reply = self.run(&self.inner.scripts.history, room, &args).await?;
        let last: u64 = reply.next()?;
        let first_kept: u64 = reply.next()?;
        let messages: Vec<ChatMessage> =
            reply.strings().iter().filter_map(|p| envelope::parse_message(p)).collect();
        let first = if first_kept == 0 { last + 1 } else { first_kept };
        Ok(History { messages, truncated: after.saturating_add(1) < first, more: false })
    }

    async fn history_page(&self, room: &RoomId, before: Seq, limit: usize) -> BackendResult<History> {
        let (before, limit) = (before.min(i64::MAX as u64).to_string(), limit.to_string());
        let args = [room.as_str(), &before, &limit, &self.inner.args.history_len];
        let mut reply = self.run(&self.inner.scripts.page, room, &args).await?;
        let more: u64 = reply.next()?;
        let first_kept: u64 = reply.next()?;
        let mut messages: Vec<ChatMessage> =
            reply.strings().iter().filter_map(|p| envelope::parse_message(p)).collect();
        messages.reverse();
        Ok(History { truncated: more == 0 && first_kept > 1, more: more == 1, messages })
    }

    async fn subscribe(&self, room: &RoomId) -> BackendResult<Subscription> {
        // Existence first, so unknown rooms are refused like in the other backend.
        let exists: bool = self.inner.link.call(redis::cmd("EXISTS").arg(info_key(room))).await?;
        if !exists {
            return Err(BackendError::RoomNotFound);
        }
        self.inner.rooms.subscribe(self, room).await
    }

    async fn issue_token(&self, room: &RoomId, user: &UserId) -> BackendResult<String> {
        let secret = crate::domain::ids_random_secret(TOKEN_SECRET_LEN);
        let args = [room.as_str(), user.as_str(), &secret, &self.inner.args.session_ttl_ms];
        self.run(&self.inner.scripts.token, room, &args).await?;
        Ok(format!("{user}.{secret}"))
    }

    async fn token_user(&self, room: &RoomId, token: &str) -> BackendResult<Option<UserId>> {
        let Some((user, secret)) = split_token(token) else { return Ok(None) };
        let args = [room.as_str(), user.as_str(), &self.inner.args.session_ttl_ms];
        let mut reply = match self.run(&self.inner.scripts.check_token, room, &args).await {
            Ok(reply) => reply,
            Err(BackendError::NotAMember) => return Ok(None),
            Err(err) => return Err(err),
        };
        let stored: String = reply.next().unwrap_or_default();
        Ok(same_secret(&stored, secret).then_some(user))
    }

    async fn spend(&self, bucket: &str, rate: Rate) -> BackendResult<()> {
        let [per_ms, burst] = super::rate_args(rate);
        let key = format!("c2c:tokens:{bucket}");
        let wait_ms: u64 = self.inner.link.eval(&self.inner.scripts.allow, &key, &[&per_ms, &burst]).await?;
        if wait_ms == 0 { Ok(()) } else { Err(BackendError::RateLimited(Duration::from_millis(wait_ms))) }
    }

    async fn ping(&self) -> BackendResult<()> {
        let pong: String = self.inner.link.call(&redis::cmd("PING")).await?;
        if pong == "PONG" { Ok(()) } else { Err(unavailable(pong)) }
    }

    fn presence_ttl(&self) -> std::time::Duration {
        self.inner.config.presence_ttl
    }
}
