//! Form posts: create, join, send (no JavaScript), leave. Each answers `303 See Other` on
//! success; a refusal the person can correct comes back as its form with the localized reason
//! and the input kept ([`PageCtx::keeping`]); anything else is an error page.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;

use super::actions::seq_of;
use super::client::ClientIp;
use super::csrf::CsrfToken;
use super::error::AppError;
use super::extract::{CheckedForm, Member, RoomPath, room_meta};
use super::locale::Lang;
use super::pages::{PageCtx, refused};
use crate::backend::BackendError;
use crate::domain::{ClientMsgId, ConnId, DisplayName, MessageText, RoomId, UserId};
use crate::limits::{self, Action};
use crate::metrics::metrics;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", post(create))
        .route("/r/{room}/join", post(join).get(back_to_room))
        .route("/r/{room}/messages", post(send).get(back_to_room))
        .route("/r/{room}/leave", post(leave).get(back_to_room))
        .route("/r/{room}/settings", post(settings).get(back_to_room))
        .route("/r/{room}/lock", post(lock).get(back_to_room))
        .route("/r/{room}/remove", post(remove).get(back_to_room))
        .route("/r/{room}/end", post(end).get(back_to_room))
}

#[derive(Deserialize)]
struct LockForm {
    /// `1` locks, anything else unlocks.
    #[serde(default)]
    locked: String,
}

#[derive(Deserialize)]
struct RemoveForm {
    #[serde(default)]
    user: String,
}

/// The owner locks or unlocks the room.
async fn lock(
    State(state): State<AppState>,
    Member { room, user, .. }: Member,
    CheckedForm { form, .. }: CheckedForm<LockForm>,
) -> Result<Response, AppError> {
    state.backend.set_locked(&room, &user, form.locked == "1").await?;
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

/// The owner removes a member; their browser stays out for `C2C_REMOVAL_BAN`.
async fn remove(
    State(state): State<AppState>,
    Member { room, user, .. }: Member,
    CheckedForm { form, .. }: CheckedForm<RemoveForm>,
) -> Result<Response, AppError> {
    let target = UserId::parse(&form.user).ok_or(AppError::NotAMember)?;
    let until = state.config.removal_until();
    state.backend.remove(&room, &user, &target, until).await?;
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

/// The owner ends the room for everyone.
async fn end(
    State(state): State<AppState>,
    Member { room, user, .. }: Member,
    CheckedForm { mut visitor, session, .. }: CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    state.backend.end(&room, &user).await?;
    tracing::info!(%room, "room ended by its owner");
    visitor.forget(&session, &room).await?;
    Ok(Redirect::to("/").into_response())
}

/// The owner renames the room or changes its topic.
async fn settings(
    State(state): State<AppState>,
    Member { room, user, .. }: Member,
    CheckedForm { form, .. }: CheckedForm<SettingsForm>,
) -> Result<Response, AppError> {
    let meta = room_meta(state.limits(), &form.room_name, &form.topic)?;
    state.backend.retitle(&room, &user, meta).await?;
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

/// A form's address opened as a page (typed, bookmarked, or a refused form's page reloaded
/// and then re-entered): the room it belongs to.
async fn back_to_room(RoomPath(room): RoomPath) -> Redirect {
    Redirect::to(&format!("/r/{room}"))
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}

/// The create form: the creator's name, and the room's optional name and topic.
#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    room_name: String,
    #[serde(default)]
    topic: String,
}

/// The owner's settings form.
#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    room_name: String,
    #[serde(default)]
    topic: String,
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    client_id: String,
    /// The message it answers (empty for none).
    #[serde(default)]
    reply_to: String,
}

/// A form with no fields of its own (only the CSRF token).
#[derive(Deserialize)]
struct NoFields {}

fn display_name(state: &AppState, raw: &str) -> Result<DisplayName, AppError> {
    DisplayName::parse(raw, state.limits()).map_err(|err| AppError::invalid(err, "name", state.limits()))
}

async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    lang: Lang,
    csrf: CsrfToken,
    CheckedForm { mut visitor, session, form }: CheckedForm<CreateForm>,
) -> Result<Response, AppError> {
    limits::spend(state.backend.as_ref(), state.limits(), Action::Create, ip).await?;
    let checked = display_name(&state, &form.name).map_err(|err| (err, false)).and_then(|name| {
        Ok((name, room_meta(state.limits(), &form.room_name, &form.topic).map_err(|err| (err, true))?))
    });
    let (name, meta) = match checked {
        Ok(both) => both,
        Err((err, room_field)) => {
            let page = PageCtx::new(&state, &lang, csrf).keeping(form.name, &err).create_page_keeping(
                form.room_name,
                form.topic,
                room_field,
            );
            return Ok(refused(&err, page));
        }
    };
    let (room, user) = state.backend.create_room(name, meta).await?;
    tracing::info!(%room, "room created");
    visitor.enter(&session, &room, &user).await?;
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

async fn join(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    RoomPath(room): RoomPath,
    lang: Lang,
    csrf: CsrfToken,
    CheckedForm { mut visitor, session, form }: CheckedForm<NameForm>,
) -> Result<Response, AppError> {
    if visitor.user_in(&room).is_none() {
        if visitor.kept_out_of(&room) {
            return Err(AppError::Removed);
        }
        limits::spend(state.backend.as_ref(), state.limits(), Action::Join, ip).await?;
        let joined = match display_name(&state, &form.name) {
            Ok(name) => state.backend.join(&room, name).await.map_err(AppError::from),
            Err(err) => Err(err),
        };
        match joined {
            Ok(user) => visitor.enter(&session, &room, &user).await?,
            Err(err) if err.is_correctable() => {
                let snapshot = state.backend.room(&room).await?;
                let page = PageCtx::new(&state, &lang, csrf).keeping(form.name, &err).join_page(&snapshot);
                return Ok(refused(&err, page));
            }
            Err(err) => return Err(err),
        }
    }
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

async fn send(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    csrf: CsrfToken,
    Member { room, user, .. }: Member,
    CheckedForm { form, .. }: CheckedForm<MessageForm>,
) -> Result<Response, AppError> {
    match post_message(&state, &room, &user, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/r/{room}#composer")).into_response()),
        // The page again with the text kept, under the same client message id: reloading it
        // sends the form again, and the id makes that message count once.
        Err(err) if err.is_correctable() => {
            let ctx = PageCtx::new(&state, &lang, csrf).keeping(form.text, &err);
            let mut page = ctx.chat_page(&headers, &room, &user).await?;
            if let Some(cid) = ClientMsgId::parse(&form.client_id) {
                page.client_id = cid.as_str().to_owned();
            }
            Ok(refused(&err, page))
        }
        Err(err) => Err(err),
    }
}

/// Stores a message sent without JavaScript; the post also counts as the member's presence.
async fn post_message(
    state: &AppState,
    room: &RoomId,
    user: &UserId,
    form: &MessageForm,
) -> Result<(), AppError> {
    let limits = state.limits();
    let text =
        MessageText::parse(&form.text, limits).map_err(|err| AppError::invalid(err, "text", limits))?;
    let mentions = state.backend.mentions(room, &text).await?;
    let reply_to = match form.reply_to.trim() {
        "" => None,
        seq => Some(seq_of(seq)?),
    };
    let client_id = ClientMsgId::parse(&form.client_id);
    let posted = state.backend.post(room, user, text, mentions, client_id, reply_to).await;
    if let Err(BackendError::RateLimited(_)) = posted {
        metrics().limited_messages.increment(1);
    }
    posted?;
    metrics().html_messages_in.increment(1);
    state.backend.touch(room, user, &ConnId::page()).await?;
    Ok(())
}

async fn leave(
    State(state): State<AppState>,
    RoomPath(room): RoomPath,
    CheckedForm { mut visitor, session, .. }: CheckedForm<NoFields>,
) -> Result<Response, AppError> {
    if let Some(user) = visitor.user_in(&room) {
        match state.backend.leave(&room, &user).await {
            Ok(()) | Err(BackendError::NotAMember | BackendError::RoomNotFound) => {}
            Err(err) => return Err(err.into()),
        }
        visitor.forget(&session, &room).await?;
    }
    Ok(Redirect::to("/").into_response())
}
