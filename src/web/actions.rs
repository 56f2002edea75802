//! Message actions without JavaScript (docs/messages.md): a message's own page
//! `GET /r/{room}/m/{seq}` with its reply, reaction, edit and delete forms, and the forms'
//! posts. The sockets and the REST API take the same actions; all of them act through
//! [`perform`] and read a message back through [`message`].

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::csrf::CsrfToken;
use super::error::AppError;
use super::extract::{CheckedForm, Member};
use super::locale::Lang;
use super::pages::PageCtx;
use crate::backend::Backend;
use crate::catalog::ErrorCode;
use crate::domain::{Action, ChatMessage, Emoji, Limits, MessageText, RoomId, Seq, UserId};
use crate::state::AppState;
use crate::views::Zone;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/r/{room}/m/{seq}", get(message_page))
        .route("/r/{room}/m/{seq}/edit", post(edit).get(back_to_message))
        .route("/r/{room}/m/{seq}/delete", post(delete).get(back_to_message))
        .route("/r/{room}/m/{seq}/react", post(react).get(back_to_message))
}

/// The kinds of action a client names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// Replace the text.
    Edit,
    /// Delete.
    Delete,
    /// Add or take back a reaction.
    React,
}

impl ActionKind {
    /// The kind named `s` (`edit`, `delete`, `react`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "edit" => Some(Self::Edit),
            "delete" => Some(Self::Delete),
            "react" => Some(Self::React),
            _ => None,
        }
    }
}

/// Member `user` acts on message `target` of `room` as a client asked: the new text checked
/// like a message (and its mentions found), the emoji checked as one, then the backend applies
/// the action by the rules of `src/domain/amend/`.
pub async fn perform(
    backend: &dyn Backend,
    limits: &Limits,
    room: &RoomId,
    user: &UserId,
    kind: ActionKind,
    target: Seq,
    text: &str,
) -> Result<(), AppError> {
    let action = match kind {
        ActionKind::Edit => {
            let text =
                MessageText::parse(text, limits).map_err(|err| AppError::invalid(err, "text", limits))?;
            let mentions = backend.mentions(room, &text).await?;
            Action::Edit { target, text, mentions }
        }
        ActionKind::Delete => Action::Delete { target },
        ActionKind::React => {
            let emoji = Emoji::parse(text).ok_or(AppError::Invalid {
                code: ErrorCode::InvalidReaction,
                field: "emoji",
                args: Vec::new(),
            })?;
            Action::React { target, emoji }
        }
    };
    backend.act(room, user, action).await?;
    Ok(())
}

/// Message `seq` of `room` as it is now (a tombstone once deleted); `MESSAGE_NOT_FOUND` if the
/// room keeps no message of that number.
pub async fn message(backend: &dyn Backend, room: &RoomId, seq: Seq) -> Result<ChatMessage, AppError> {
    let page = backend.history_page(room, seq.saturating_add(1), 1).await?;
    page.messages.into_iter().find(|m| m.seq == seq && m.is_text()).ok_or(AppError::MessageGone)
}

/// A message number as a client sends it; anything else is no message.
pub fn seq_of(raw: &str) -> Result<Seq, AppError> {
    raw.trim().parse::<Seq>().ok().filter(|s| *s > 0).ok_or(AppError::MessageGone)
}

/// The reply, reaction or edit form's text.
#[derive(Deserialize)]
struct TextForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    emoji: String,
}

async fn act(
    state: &AppState,
    room: &RoomId,
    user: &UserId,
    kind: ActionKind,
    seq: &str,
    text: &str,
) -> Result<Response, AppError> {
    let target = seq_of(seq)?;
    perform(state.backend.as_ref(), state.limits(), room, user, kind, target, text).await?;
    let anchor = if kind == ActionKind::Delete { "composer".to_owned() } else { format!("msg-{target}") };
    Ok(Redirect::to(&format!("/r/{room}#{anchor}")).into_response())
}

async fn edit(
    State(state): State<AppState>,
    Path((_, seq)): Path<(String, String)>,
    Member { room, user, .. }: Member,
    CheckedForm { form, .. }: CheckedForm<TextForm>,
) -> Result<Response, AppError> {
    act(&state, &room, &user, ActionKind::Edit, &seq, &form.text).await
}

async fn delete(
    State(state): State<AppState>,
    Path((_, seq)): Path<(String, String)>,
    Member { room, user, .. }: Member,
    CheckedForm { .. }: CheckedForm<TextForm>,
) -> Result<Response, AppError> {
    act(&state, &room, &user, ActionKind::Delete, &seq, "").await
}

async fn react(
    State(state): State<AppState>,
    Path((_, seq)): Path<(String, String)>,
    Member { room, user, .. }: Member,
    CheckedForm { form, .. }: CheckedForm<TextForm>,
) -> Result<Response, AppError> {
    act(&state, &room, &user, ActionKind::React, &seq, &form.emoji).await
}

/// A form's address opened as a page: the message's page.
async fn back_to_message(Path((room, seq)): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!("/r/{room}/m/{seq}"))
}

/// `GET /r/{room}/m/{seq}`: one message with everything a member can do to it, for browsers
/// without JavaScript (the page's script offers the same in place).
async fn message_page(
    State(state): State<AppState>,
    Path((_, seq)): Path<(String, String)>,
    lang: Lang,
    zone: Zone,
    csrf: CsrfToken,
    Member { room, user, .. }: Member,
) -> Result<Response, AppError> {
    let message = message(state.backend.as_ref(), &room, seq_of(&seq)?).await?;
    if message.extra.deleted {
        return Err(AppError::MessageGone);
    }
    let snapshot = state.backend.room(&room).await?;
    Ok(PageCtx::new(&state, &lang, csrf).message_page(&snapshot, &user, &message, zone).into_response())
}
