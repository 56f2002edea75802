//! Message actions without JavaScript (docs/messages.md): a message's own page
//! `GET /r/{room}/m/{seq}` with its reply, reaction, edit and delete forms, and the forms'
//! posts. The sockets take the same actions as frames; both turn what a client sent into an
//! [`Action`] here ([`action_of`]).

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
use crate::domain::{Action, Emoji, Limits, MessageText, RoomId, Seq};
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

/// The action a client asked for on message `target` of `room`: the new text checked like a
/// message (and its mentions found), the emoji checked as one.
pub async fn action_of(
    backend: &dyn Backend,
    limits: &Limits,
    room: &RoomId,
    kind: ActionKind,
    target: Seq,
    text: &str,
) -> Result<Action, AppError> {
    Ok(match kind {
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
    })
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
    user: &crate::domain::UserId,
    kind: ActionKind,
    seq: &str,
    text: &str,
) -> Result<Response, AppError> {
    let target = seq_of(seq)?;
    let action = action_of(state.backend.as_ref(), state.limits(), room, kind, target, text).await?;
    state.backend.act(room, user, action).await?;
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
    let target = seq_of(&seq)?;
    let page = state.backend.history_page(&room, target.saturating_add(1), 1).await?;
    let message = page
        .messages
        .into_iter()
        .find(|m| m.seq == target && m.is_text() && !m.extra.deleted)
        .ok_or(AppError::MessageGone)?;
    let snapshot = state.backend.room(&room).await?;
    Ok(PageCtx::new(&state, &lang, csrf).message_page(&snapshot, &user, &message, zone).into_response())
}
