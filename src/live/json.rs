//! The JSON WebSocket `GET /ws` for programs (docs/api.md, docs/protocol.md): `join` with a
//! room id and an API token (optionally `since` to resume), `msg`, `ping`, `leave`; the server
//! answers `joined`, `msg`, `pong`, `user_joined`, `user_left`, `error`. Room events are the
//! same stream the browser sees; each is serialized once per instance.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use serde::Deserialize;

use super::LiveState;
use super::conn::Conn;
use super::core::{Lost, Protocol, Span, Step};
use super::hub::Format;
use super::socket::configure;
use crate::backend::{BackendError, History, RoomSnapshot};
use crate::domain::{RoomId, Seq, StreamPos, UserId};
use crate::views::json::{error_frame, joined_frames};
use crate::web::actions::ActionKind;
use crate::web::error::AppError;
use crate::web::extract::{ProgramOrigin, room_meta};
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
        /// Whether to get `typing` frames.
        #[serde(default)]
        typing: bool,
    },
    Msg {
        #[serde(rename = "roomId")]
        room_id: String,
        text: String,
        #[serde(default, rename = "clientId")]
        client_id: Option<String>,
        /// The message it answers.
        #[serde(default, rename = "replyTo")]
        reply_to: Option<Seq>,
    },
    /// Its author replaces a message's text.
    Edit {
        #[serde(rename = "roomId")]
        room_id: String,
        id: Seq,
        text: String,
    },
    /// Its author (or the room's owner) deletes a message.
    Delete {
        #[serde(rename = "roomId")]
        room_id: String,
        id: Seq,
    },
    /// A member adds a reaction to a message, or takes theirs back.
    React {
        #[serde(rename = "roomId")]
        room_id: String,
        id: Seq,
        emoji: String,
    },
    Typing {
        #[serde(rename = "roomId")]
        room_id: String,
    },
    Ping,
    Leave {
        #[serde(rename = "roomId")]
        room_id: String,
    },
    /// The owner renames the room and sets its topic (absent: none).
    Room {
        #[serde(rename = "roomId")]
        room_id: String,
        #[serde(default)]
        name: String,
        #[serde(default)]
        topic: String,
    },
    /// The owner locks or unlocks the room.
    Lock {
        #[serde(rename = "roomId")]
        room_id: String,
        locked: bool,
    },
    /// The owner removes a member.
    Remove {
        #[serde(rename = "roomId")]
        room_id: String,
        #[serde(rename = "userId")]
        user_id: String,
    },
    /// The owner ends the room for everyone.
    End {
        #[serde(rename = "roomId")]
        room_id: String,
    },
}

/// Parses one client frame.
pub(crate) fn parse_frame(raw: &str) -> Result<ClientFrame, serde_json::Error> {
    serde_json::from_str(raw)
}

/// `GET /ws`. A foreign `Origin` is refused before the upgrade; no `Origin` at all is a
/// program and is allowed (docs/security.md).
pub async fn json_socket(
    State(live): State<LiveState>,
    _: ProgramOrigin,
    Lang(locales, _): Lang,
    ws: WebSocketUpgrade,
) -> Response {
    // The loop's future itself, not one wrapping it (which would keep copies of what it
    // captured for as long as the socket is open).
    configure(ws, &live.app.config.limits)
        .on_upgrade(move |socket| Conn::new(live, socket, Format::Json, locales).run(JsonSocket, Step::Go))
}

/// Runs one of the owner's tools for the socket's member in `room_id` (the backend checks they
/// own it); a refusal is an `error` frame, success shows as the room's `notice`.
async fn owner_action<F, Fut>(conn: &mut Conn, room_id: &str, action: F) -> Step
where
    F: FnOnce(LiveState, RoomId, UserId) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let Some((room, me)) = conn.attached_to(room_id) else {
        return Step::Refuse(AppError::NotAMember);
    };
    match action(conn.live.clone(), room, me).await {
        Ok(()) => Step::Go,
        Err(err) => Step::Refuse(err),
    }
}

/// Edits, deletes or reacts to a message of `room_id` for the socket's member; a refusal is an
/// `error` frame, success shows as the action's own frame.
async fn act(conn: &mut Conn, room_id: &str, kind: ActionKind, id: Seq, text: &str) -> Step {
    if conn.attached_to(room_id).is_none() {
        return Step::Refuse(AppError::NotAMember);
    }
    match conn.act(kind, id, text).await {
        Ok(()) => Step::Go,
        Err(err) => Step::Refuse(err),
    }
}

/// The JSON protocol: the room a socket is in lives in the core.
struct JsonSocket;

impl JsonSocket {
    async fn join(&mut self, conn: &mut Conn, room_id: &str, token: &str, since: Option<Seq>) -> Step {
        // Each join costs a snapshot: it spends the socket's allowance like a message.
        if let Err(err) = conn.spend() {
            return Step::Refuse(err);
        }
        let Some(room) = RoomId::parse(room_id) else {
            return Step::Refuse(AppError::RoomNotFound);
        };
        let user = match conn.backend().token_user(&room, token).await {
            Ok(Some(user)) => user,
            Ok(None) => return Step::Refuse(AppError::SessionExpired),
            Err(err) => return Step::Refuse(err.into()),
        };
        conn.open(self, room, user, since.unwrap_or(0)).await
    }

    async fn leave(conn: &mut Conn, room_id: &str) -> Step {
        let Some((room, user)) = conn.attached_to(room_id) else {
            return Step::Refuse(AppError::NotAMember);
        };
        conn.forget_room();
        match conn.backend().leave(&room, &user).await {
            Ok(()) | Err(BackendError::NotAMember | BackendError::RoomNotFound) => Step::Go,
            Err(err) => Step::Refuse(err.into()),
        }
    }
}

impl Protocol for JsonSocket {
    /// A program gets what it has not seen: everything after `since`, or after its position.
    fn snapshot_span(&self, pos: StreamPos) -> Span {
        Span::After(pos.last_seq)
    }

    fn snapshot(&self, room: &RoomSnapshot, me: &UserId, history: &History, resync: bool) -> Vec<String> {
        joined_frames(room, me, history, resync)
    }

    async fn receive(&mut self, conn: &mut Conn, text: &str) -> Step {
        let Ok(frame) = parse_frame(text) else {
            return Step::Refuse(AppError::BadRequest("unreadable frame".into()));
        };
        match frame {
            // Presence is kept by the server's own heartbeat; a client's ping is only answered.
            ClientFrame::Ping => conn.send(r#"{"t":"pong"}"#).await,
            ClientFrame::Join { room_id, token, since, typing } => {
                conn.wants_typing = typing;
                self.join(conn, &room_id, &token, since).await
            }
            ClientFrame::Typing { room_id } => {
                if conn.attached_to(&room_id).is_none() {
                    return Step::Refuse(AppError::NotAMember);
                }
                conn.typing().await;
                Step::Go
            }
            ClientFrame::Msg { room_id, text, client_id, reply_to } => {
                if conn.attached_to(&room_id).is_none() {
                    return Step::Refuse(AppError::NotAMember);
                }
                match conn.post(&text, client_id.as_deref(), reply_to).await {
                    Ok(()) => Step::Go,
                    Err(err) => Step::Refuse(err),
                }
            }
            ClientFrame::Edit { room_id, id, text } => act(conn, &room_id, ActionKind::Edit, id, &text).await,
            ClientFrame::Delete { room_id, id } => act(conn, &room_id, ActionKind::Delete, id, "").await,
            ClientFrame::React { room_id, id, emoji } => {
                act(conn, &room_id, ActionKind::React, id, &emoji).await
            }
            ClientFrame::Leave { room_id } => Self::leave(conn, &room_id).await,
            ClientFrame::Room { room_id, name, topic } => {
                owner_action(conn, &room_id, |live, room, me| async move {
                    let meta = room_meta(&live.app.config.limits, &name, &topic)?;
                    Ok(live.app.backend.retitle(&room, &me, meta).await?)
                })
                .await
            }
            ClientFrame::Lock { room_id, locked } => {
                owner_action(conn, &room_id, |live, room, me| async move {
                    Ok(live.app.backend.set_locked(&room, &me, locked).await?)
                })
                .await
            }
            ClientFrame::Remove { room_id, user_id } => {
                owner_action(conn, &room_id, |live, room, me| async move {
                    let target = UserId::parse(&user_id).ok_or(AppError::NotAMember)?;
                    let until = live.app.config.removal_until();
                    Ok(live.app.backend.remove(&room, &me, &target, until).await?)
                })
                .await
            }
            ClientFrame::End { room_id } => {
                owner_action(conn, &room_id, |live, room, me| async move {
                    Ok(live.app.backend.end(&room, &me).await?)
                })
                .await
            }
        }
    }

    fn refusal(&mut self, err: &AppError, message: &str) -> String {
        error_frame(err.code().as_str(), message)
    }

    fn lost(&mut self, err: &AppError, _: &str) -> Lost {
        match err {
            AppError::Unavailable(_) => Lost::Report,
            _ => Lost::Detach,
        }
    }
}
