//! The JSON WebSocket `GET /ws` for programs (SPEC §7, the original design's protocol):
//! `join` with a room id and an API token (optionally `since` to resume), `msg`, `ping`,
//! `leave`; the server answers `joined`, `msg`, `pong`, `user_joined`, `user_left`, `error`.
//! Room events are the same stream the browser sees; each is serialized once per instance.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::socket::{BATCH, code_of, configure, heartbeat, record_delivery, still_there, until_shutdown};
use super::{Outgoing, TokenBucket, retry_secs};
use crate::backend::BackendError;
use crate::catalog::{ErrorCode, Locales};
use crate::domain::{
    ChatMessage, ClientMsgId, ConnId, MemberView, MessageText, PresenceChange, RoomEvent, RoomId, Seq, UserId,
};
use crate::metrics::metrics;
use crate::state::AppState;
use crate::views::clock;
use crate::web::guard::origin_allowed;
use crate::web::locale::Lang;

/// A frame from the client.
#[derive(Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum ClientFrame {
    Join {
        #[serde(rename = "roomId")]
        room_id: String,
        token: String,
        #[serde(default)]
        since: Option<Seq>,
    },
    Msg {
        #[serde(rename = "roomId")]
        room_id: String,
        text: String,
        #[serde(default, rename = "clientId")]
        client_id: Option<String>,
    },
    Ping,
    Leave {
        #[serde(rename = "roomId")]
        room_id: String,
    },
}

/// Parses one client frame.
pub(crate) fn parse_frame(raw: &str) -> Result<ClientFrame, serde_json::Error> {
    serde_json::from_str(raw)
}

/// `msg` as programs see it.
fn message_json<'a>(room: &'a RoomId, m: &'a ChatMessage) -> MsgFrame<'a> {
    MsgFrame {
        t: "msg",
        room_id: room,
        id: m.seq,
        from: &m.user,
        name: m.name.as_str(),
        text: m.text.as_str(),
        timestamp: clock(m.at).0,
    }
}

fn member_json(m: &MemberView) -> Value {
    json!({ "userId": m.user, "name": m.name, "online": m.online })
}

/// A `msg` frame (also each message of `joined`), serialized straight from the message.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MsgFrame<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    id: Seq,
    from: &'a UserId,
    name: &'a str,
    text: &'a str,
    timestamp: String,
}

/// A `user_joined` / `user_left` frame.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PresenceFrame<'a> {
    t: &'static str,
    room_id: &'a RoomId,
    user_id: &'a UserId,
    name: &'a str,
    change: &'static str,
}

/// The JSON frame of a room event, shared by every JSON socket of the room.
pub fn event_frame(room: &RoomId, event: &RoomEvent) -> Option<String> {
    let frame = match event {
        RoomEvent::Message(m) => serde_json::to_string(&message_json(room, m)),
        RoomEvent::Presence { member, change, .. } => {
            let (t, change) = match change {
                PresenceChange::Joined => ("user_joined", "joined"),
                PresenceChange::Online => ("user_joined", "online"),
                PresenceChange::Offline => ("user_left", "offline"),
                PresenceChange::Left => ("user_left", "left"),
            };
            serde_json::to_string(&PresenceFrame {
                t,
                room_id: room,
                user_id: &member.user,
                name: member.name.as_str(),
                change,
            })
        }
        RoomEvent::Resync => return None,
    };
    frame.ok()
}

/// `GET /ws`. A foreign `Origin` is refused before the upgrade; no `Origin` at all is a
/// program and is allowed (SPEC §10).
pub async fn json_socket(
    State(state): State<AppState>,
    Lang(locales, _): Lang,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.config.allowed_origins) {
        return (StatusCode::FORBIDDEN, "foreign origin").into_response();
    }
    configure(ws, state.limits()).on_upgrade(move |socket| async move {
        let _open = state.sockets.enter(&metrics().json_sockets);
        let bucket = TokenBucket::new(state.limits());
        let heartbeat = heartbeat(state.backend.as_ref(), None);
        let mut session =
            JsonSession { state, locales, socket, joined: None, bucket, conn: ConnId::generate(), heartbeat };
        session.run().await;
        session.part().await;
    })
}

/// The room a JSON socket is in.
struct Joined {
    room: RoomId,
    user: UserId,
    events: broadcast::Receiver<Arc<Outgoing>>,
    last_seq: Seq,
    member_version: u64,
}

struct JsonSession {
    state: AppState,
    locales: Locales,
    socket: WebSocket,
    joined: Option<Joined>,
    bucket: TokenBucket,
    conn: ConnId,
    /// Presence heartbeats; in step with the joined room's other sockets once joined.
    heartbeat: tokio::time::Interval,
}

/// What the loop should do after handling something.
enum Flow {
    Go,
    Stop,
}

impl JsonSession {
    async fn send(&mut self, frame: impl Into<Utf8Bytes>) -> Flow {
        match self.socket.send(Message::Text(frame.into())).await {
            Ok(()) => Flow::Go,
            Err(_) => Flow::Stop,
        }
    }

    async fn error(&mut self, code: ErrorCode, args: &[(&str, &str)]) -> Flow {
        let message = self.state.catalog.message(code, &self.locales, args);
        self.send(json!({ "t": "error", "code": code.as_str(), "message": message }).to_string()).await
    }

    async fn next_event(joined: &mut Option<Joined>) -> Result<Arc<Outgoing>, RecvError> {
        match joined {
            Some(j) => j.events.recv().await,
            None => std::future::pending().await,
        }
    }

    async fn run(&mut self) {
        let mut last_heard = Instant::now();
        let shutdown = until_shutdown(self.state.shutdown.clone());
        tokio::pin!(shutdown);
        loop {
            let flow = tokio::select! {
                event = Self::next_event(&mut self.joined) => match event {
                    Ok(out) => self.deliver_batch(out).await,
                    Err(RecvError::Lagged(_)) => self.resync().await,
                    Err(RecvError::Closed) => {
                        self.joined = None;
                        self.error(ErrorCode::RoomNotFound, &[]).await
                    }
                },
                frame = self.socket.recv() => {
                    last_heard = Instant::now();
                    match frame {
                        Some(Ok(Message::Text(text))) => self.handle(&text).await,
                        Some(Ok(Message::Binary(_))) => self.error(ErrorCode::ValidationError, &[]).await,
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Go,
                        Some(Ok(Message::Close(_)) | Err(_)) | None => Flow::Stop,
                    }
                }
                _ = self.heartbeat.tick() => {
                    if still_there(&mut self.socket, last_heard, self.heartbeat.period()).await {
                        self.beat().await
                    } else {
                        Flow::Stop
                    }
                }
                () = &mut shutdown => {
                    let frame = axum::extract::ws::CloseFrame {
                        code: super::socket::CLOSE_RESTART,
                        reason: Utf8Bytes::from_static("server restarting"),
                    };
                    let _ = self.socket.send(Message::Close(Some(frame))).await;
                    Flow::Stop
                }
            };
            if let Flow::Stop = flow {
                return;
            }
        }
    }

    /// The presence heartbeat for the joined room, if any.
    async fn beat(&mut self) -> Flow {
        let Some(j) = &self.joined else { return Flow::Go };
        let (room, user) = (j.room.clone(), j.user.clone());
        match self.state.backend.heartbeat(&room, &user, &self.conn).await {
            Ok(_) => Flow::Go,
            Err(err @ (BackendError::RoomNotFound | BackendError::NotAMember)) => {
                self.joined = None;
                self.error(code_of(&err), &[]).await
            }
            Err(err) => self.error(code_of(&err), &[]).await,
        }
    }

    /// Goes offline in the joined room (socket closed, or joining another room).
    async fn part(&mut self) {
        if let Some(j) = self.joined.take()
            && let Err(err) = self.state.backend.disconnect(&j.room, &j.user, &self.conn).await
        {
            tracing::debug!(room = %j.room, error = %err, "json socket disconnect");
        }
    }

    async fn handle(&mut self, raw: &str) -> Flow {
        let limits = self.state.limits().clone();
        if raw.len() > limits.max_frame_bytes {
            let max = limits.max_message_chars.to_string();
            return self.error(ErrorCode::MessageTooLong, &[("max", &max)]).await;
        }
        let frame = match parse_frame(raw) {
            Ok(frame) => frame,
            Err(_) => return self.error(ErrorCode::ValidationError, &[]).await,
        };
        match frame {
            // Presence is kept by the server's own heartbeat; a client's ping is only answered.
            ClientFrame::Ping => self.send(r#"{"t":"pong"}"#).await,
            ClientFrame::Join { room_id, token, since } => self.join(&room_id, &token, since).await,
            ClientFrame::Msg { room_id, text, client_id } => {
                self.message(&room_id, &text, client_id.as_deref()).await
            }
            ClientFrame::Leave { room_id } => self.leave(&room_id).await,
        }
    }

    fn joined_room(&self, room_id: &str) -> Option<(RoomId, UserId)> {
        self.joined.as_ref().filter(|j| j.room.as_str() == room_id).map(|j| (j.room.clone(), j.user.clone()))
    }

    async fn join(&mut self, room_id: &str, token: &str, since: Option<Seq>) -> Flow {
        let Some(room) = RoomId::parse(room_id) else {
            return self.error(ErrorCode::RoomNotFound, &[]).await;
        };
        let backend = self.state.backend.clone();
        let user = match backend.token_user(&room, token).await {
            Ok(Some(user)) => user,
            Ok(None) => return self.error(ErrorCode::SessionExpired, &[]).await,
            Err(err) => return self.error(code_of(&err), &[]).await,
        };
        self.part().await;
        if let Err(err) = backend.touch(&room, &user, &self.conn).await {
            return self.error(code_of(&err), &[]).await;
        }
        let events = match self.state.hub.subscribe(&room).await {
            Ok(events) => events,
            Err(err) => return self.error(code_of(&err), &[]).await,
        };
        self.heartbeat = heartbeat(backend.as_ref(), Some(&room));
        self.joined = Some(Joined { room, user, events, last_seq: since.unwrap_or(0), member_version: 0 });
        self.snapshot(true).await
    }

    /// Sends `joined`: who is here and the messages after the socket's position.
    async fn snapshot(&mut self, first: bool) -> Flow {
        let Some(j) = &self.joined else { return Flow::Go };
        let (room, user, after) = (j.room.clone(), j.user.clone(), j.last_seq);
        let backend = self.state.backend.clone();
        let (snapshot, history) = match (backend.room(&room).await, backend.history(&room, after).await) {
            (Ok(s), Ok(h)) => (s, h),
            (Err(err), _) | (_, Err(err)) => return self.error(code_of(&err), &[]).await,
        };
        let me = snapshot.members.iter().find(|m| m.user == user);
        let frame = json!({
            "t": "joined",
            "roomId": room,
            "me": { "userId": user, "name": me.map(|m| m.name.as_str()).unwrap_or("") },
            "members": snapshot.members.iter().map(member_json).collect::<Vec<_>>(),
            "messages": history.messages.iter().map(|m| message_json(&room, m)).collect::<Vec<_>>(),
            "truncated": history.truncated,
            "resync": !first,
        });
        if let Some(j) = &mut self.joined {
            j.last_seq = history.last_seq(after);
            j.member_version = snapshot.member_version;
        }
        self.send(frame.to_string()).await
    }

    async fn resync(&mut self) -> Flow {
        self.snapshot(false).await
    }

    async fn deliver(&mut self, out: &Arc<Outgoing>) -> Flow {
        let Some(j) = &mut self.joined else { return Flow::Go };
        let Some(event) = &out.event else { return self.resync().await };
        match event.as_ref() {
            RoomEvent::Message(m) if m.seq <= j.last_seq => return Flow::Go,
            RoomEvent::Message(m) => j.last_seq = m.seq,
            RoomEvent::Presence { version, .. } if *version <= j.member_version => return Flow::Go,
            RoomEvent::Presence { version, .. } => j.member_version = *version,
            RoomEvent::Resync => return self.resync().await,
        }
        let Some(frame) = out.json() else { return Flow::Go };
        // Queued, not flushed: `deliver_batch` flushes once for everything that was waiting.
        if self.socket.feed(Message::Text(frame)).await.is_err() {
            return Flow::Stop;
        }
        record_delivery(&metrics().json_frames_out, event);
        Flow::Go
    }

    /// Delivers `first` and whatever else is already waiting, then flushes once.
    async fn deliver_batch(&mut self, first: Arc<Outgoing>) -> Flow {
        let mut flow = self.deliver(&first).await;
        let mut taken = 1;
        while matches!(flow, Flow::Go) && taken < BATCH {
            let next = match &mut self.joined {
                Some(j) => j.events.try_recv(),
                None => break,
            };
            flow = match next {
                Ok(out) => self.deliver(&out).await,
                Err(broadcast::error::TryRecvError::Lagged(_)) => self.resync().await,
                Err(_) => break,
            };
            taken += 1;
        }
        if self.socket.flush().await.is_err() {
            return Flow::Stop;
        }
        flow
    }

    async fn message(&mut self, room_id: &str, text: &str, client_id: Option<&str>) -> Flow {
        let Some((room, user)) = self.joined_room(room_id) else {
            return self.error(ErrorCode::NotAMember, &[]).await;
        };
        let limits = self.state.limits().clone();
        let text = match MessageText::parse(text, &limits) {
            Ok(text) => text,
            Err(err) => return self.error(err.into(), &[("max", &err.limit(&limits).to_string())]).await,
        };
        if let Err(wait) = self.bucket.try_take() {
            metrics().limited_messages.increment(1);
            let secs = retry_secs(wait).to_string();
            return self.error(ErrorCode::RateLimited, &[("seconds", &secs)]).await;
        }
        let client_id = client_id.and_then(ClientMsgId::parse);
        match self.state.backend.post(&room, &user, text, client_id).await {
            Ok(_) => {
                metrics().json_messages_in.increment(1);
                Flow::Go
            }
            Err(err) => self.error(code_of(&err), &[]).await,
        }
    }

    async fn leave(&mut self, room_id: &str) -> Flow {
        let Some((room, user)) = self.joined_room(room_id) else {
            return self.error(ErrorCode::NotAMember, &[]).await;
        };
        self.joined = None;
        match self.state.backend.leave(&room, &user).await {
            Ok(()) | Err(BackendError::NotAMember | BackendError::RoomNotFound) => Flow::Go,
            Err(err) => self.error(code_of(&err), &[]).await,
        }
    }
}
