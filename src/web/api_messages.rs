//! Messages over REST (docs/api.md, "Messages"): a member's program reads a room's history in
//! pages, posts, answers, edits, deletes and reacts without holding a socket open. Each call
//! names the member by their API token (`Authorization: Bearer …`); the socket's frames carry
//! the same message ([`MessageJson`], the `msg` frame without `t` and `roomId`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Json, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::actions::{ActionKind, message, perform, seq_of};
use super::api::{ApiJson, Envelope, NoData};
use super::error::AppError;
use super::extract::RoomPath;
use crate::domain::{ClientMsgId, MessageText, RoomId, Seq, UserId};
use crate::state::AppState;
use crate::views::PAGE;
use crate::views::json::MessageJson;

/// The member a request's API token names in the room of its path. Rejection:
/// `SESSION_EXPIRED` (401) for a missing, unknown or expired token.
pub struct TokenMember {
    room: RoomId,
    user: UserId,
}

impl axum::extract::FromRequestParts<AppState> for TokenMember {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let RoomPath(room) = RoomPath::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::SessionExpired)?;
        let user = state.backend.token_user(&room, token.trim()).await?.ok_or(AppError::SessionExpired)?;
        Ok(Self { room, user })
    }
}

/// A page of messages, oldest first.
#[derive(Serialize, ToSchema)]
pub struct MessagePage<'a> {
    /// The messages (notices and actions are left out; each message is in its final state).
    pub messages: Vec<MessageJson<'a>>,
    /// Whether earlier ones are kept: ask again with `before` = the first one's id.
    pub more: bool,
}

/// `GET /api/rooms/{roomId}/messages` query.
#[derive(Deserialize)]
pub struct PageQuery {
    /// Only messages numbered below this.
    #[serde(default)]
    before: Option<Seq>,
}

/// `POST /api/rooms/{roomId}/messages` body.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewMessage {
    /// The text, 1–2000 characters.
    #[serde(default)]
    pub text: String,
    /// The message it answers.
    #[serde(default)]
    pub reply_to: Option<Seq>,
    /// The sender's id for it: sending it again with the same id stores it once.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// `PATCH /api/rooms/{roomId}/messages/{id}` body.
#[derive(Deserialize, ToSchema)]
pub struct EditMessage {
    /// The new text.
    #[serde(default)]
    pub text: String,
}

/// `POST /api/rooms/{roomId}/messages/{id}/reactions` body.
#[derive(Deserialize, ToSchema)]
pub struct NewReaction {
    /// One emoji.
    #[serde(default)]
    pub emoji: String,
}

/// A page of a room's history.
#[utoipa::path(get, path = "/api/rooms/{roomId}/messages", tag = "messages",
    params(
        ("roomId" = String, Path, description = "Room id"),
        ("before" = Option<u64>, Query, description = "Only messages numbered below this (default: the newest)"),
    ),
    security(("token" = [])),
    responses(
        (status = 200, description = "The page, oldest first", body = Envelope<MessagePage>),
        (status = 401, description = "Missing or expired token (`SESSION_EXPIRED`)", body = Envelope<NoData>),
        (status = 404, description = "No such room (`ROOM_NOT_FOUND`)", body = Envelope<NoData>),
    ))]
pub async fn list_messages(
    State(state): State<AppState>,
    TokenMember { room, .. }: TokenMember,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let page = state.backend.history_page(&room, query.before.unwrap_or(Seq::MAX), PAGE).await?;
    let messages = page.messages.iter().filter(|m| m.is_text()).map(MessageJson::new).collect();
    Ok(Json(Envelope::ok(MessagePage { messages, more: page.more })).into_response())
}

/// Sends a message (or a reply).
#[utoipa::path(post, path = "/api/rooms/{roomId}/messages", request_body = NewMessage, tag = "messages",
    params(("roomId" = String, Path, description = "Room id")),
    security(("token" = [])),
    responses(
        (status = 201, description = "Stored (or stored before, under the same `clientId`)", body = Envelope<MessageJson>),
        (status = 401, description = "Missing or expired token (`SESSION_EXPIRED`)", body = Envelope<NoData>),
        (status = 404, description = "The answered message is gone (`MESSAGE_NOT_FOUND`)", body = Envelope<NoData>),
        (status = 422, description = "Empty or too long (`details.field`)", body = Envelope<NoData>),
        (status = 429, description = "Sending too fast (`RATE_LIMITED`, `Retry-After`)", body = Envelope<NoData>),
    ))]
pub async fn send_message(
    State(state): State<AppState>,
    TokenMember { room, user }: TokenMember,
    ApiJson(body): ApiJson<NewMessage>,
) -> Result<Response, AppError> {
    let limits = state.limits();
    let text =
        MessageText::parse(&body.text, limits).map_err(|err| AppError::invalid(err, "text", limits))?;
    let mentions = state.backend.mentions(&room, &text).await?;
    let client_id = body.client_id.as_deref().and_then(ClientMsgId::parse);
    let stored = state.backend.post(&room, &user, text, mentions, client_id, body.reply_to).await?;
    Ok((StatusCode::CREATED, Json(Envelope::ok(MessageJson::new(&stored)))).into_response())
}

/// Edits one's own message (within the edit window).
#[utoipa::path(patch, path = "/api/rooms/{roomId}/messages/{id}", request_body = EditMessage, tag = "messages",
    params(("roomId" = String, Path, description = "Room id"), ("id" = u64, Path, description = "Message id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The message now", body = Envelope<MessageJson>),
        (status = 403, description = "Not yours (`NOT_YOUR_MESSAGE`) or too late (`EDIT_WINDOW_PASSED`)", body = Envelope<NoData>),
        (status = 404, description = "Deleted or no longer kept (`MESSAGE_NOT_FOUND`)", body = Envelope<NoData>),
        (status = 422, description = "Empty or too long", body = Envelope<NoData>),
    ))]
pub async fn edit_message(
    State(state): State<AppState>,
    member: TokenMember,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<EditMessage>,
) -> Result<Response, AppError> {
    act(&state, member, ActionKind::Edit, &id, &body.text).await
}

/// Deletes a message (one's own; the owner may delete any).
#[utoipa::path(delete, path = "/api/rooms/{roomId}/messages/{id}", tag = "messages",
    params(("roomId" = String, Path, description = "Room id"), ("id" = u64, Path, description = "Message id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The tombstone", body = Envelope<MessageJson>),
        (status = 403, description = "Not yours (`NOT_YOUR_MESSAGE`)", body = Envelope<NoData>),
        (status = 404, description = "Deleted or no longer kept (`MESSAGE_NOT_FOUND`)", body = Envelope<NoData>),
    ))]
pub async fn delete_message(
    State(state): State<AppState>,
    member: TokenMember,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    act(&state, member, ActionKind::Delete, &id, "").await
}

/// Adds one's reaction with an emoji, or takes it back.
#[utoipa::path(post, path = "/api/rooms/{roomId}/messages/{id}/reactions", request_body = NewReaction, tag = "messages",
    params(("roomId" = String, Path, description = "Room id"), ("id" = u64, Path, description = "Message id")),
    security(("token" = [])),
    responses(
        (status = 200, description = "The message now", body = Envelope<MessageJson>),
        (status = 404, description = "Deleted or no longer kept (`MESSAGE_NOT_FOUND`)", body = Envelope<NoData>),
        (status = 422, description = "Not one emoji (`INVALID_REACTION`) or no room for more (`TOO_MANY_REACTIONS`)", body = Envelope<NoData>),
    ))]
pub async fn react_to_message(
    State(state): State<AppState>,
    member: TokenMember,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewReaction>,
) -> Result<Response, AppError> {
    act(&state, member, ActionKind::React, &id, &body.emoji).await
}

/// Acts on message `id` and answers with the message as it is now.
async fn act(
    state: &AppState,
    member: TokenMember,
    kind: ActionKind,
    id: &str,
    text: &str,
) -> Result<Response, AppError> {
    let TokenMember { room, user } = member;
    let target = seq_of(id)?;
    perform(state.backend.as_ref(), state.limits(), &room, &user, kind, target, text).await?;
    let now = message(state.backend.as_ref(), &room, target).await?;
    Ok(Json(Envelope::ok(MessageJson::new(&now))).into_response())
}
