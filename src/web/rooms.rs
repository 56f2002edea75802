//! Form posts: create, join, send (no JavaScript), leave. Each answers `303 See Other` on
//! success and re-renders its form with the localized error and the input kept otherwise.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header::RETRY_AFTER};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use serde::Deserialize;
use tower_sessions::Session;

use super::client::{Action, ClientIp};
use super::error::AppError;
use super::form::FormInput;
use super::locale::Lang;
use super::pages::{chat_page, create_page, join_page, room_id};
use super::session::checked_visitor;
use crate::backend::BackendError;
use crate::catalog::ErrorCode;
use crate::domain::{ClientMsgId, ConnId, DisplayName, MessageText};
use crate::live::retry_secs;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", post(create))
        .route("/r/{room}/join", post(join))
        .route("/r/{room}/messages", post(send))
        .route("/r/{room}/leave", post(leave))
}

#[derive(Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Lang(locales, lang): Lang,
    headers: HeaderMap,
    session: Session,
    FormInput(form): FormInput<NameForm>,
) -> Result<Response, AppError> {
    let mut visitor = checked_visitor(&state, &headers, &session, &form.csrf).await?;
    state.address_limits.check(Action::Create, ip).map_err(AppError::RateLimited)?;
    let name = match DisplayName::parse(&form.name, state.limits()) {
        Ok(name) => name,
        Err(err) => {
            let page = create_page(
                &state,
                lang,
                &visitor,
                form.name,
                Some(state.catalog.text_error(err, &locales, state.limits())),
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (room, user) = state.backend.create_room(name).await?;
    tracing::info!(%room, "room created");
    visitor.rooms.insert(room.to_string(), user.to_string());
    visitor.save(&session).await?;
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

async fn join(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(room): Path<String>,
    Lang(locales, lang): Lang,
    headers: HeaderMap,
    session: Session,
    FormInput(form): FormInput<NameForm>,
) -> Result<Response, AppError> {
    let room = room_id(&room)?;
    let visitor = checked_visitor(&state, &headers, &session, &form.csrf).await?;
    if visitor.user_in(&room).is_some() {
        return Ok(Redirect::to(&format!("/r/{room}")).into_response());
    }
    state.address_limits.check(Action::Join, ip).map_err(AppError::RateLimited)?;
    let (st, rm, vis, typed) = (&state, &room, &visitor, &form.name);
    let rejected = |status: StatusCode, message: String| async move {
        let snapshot = st.backend.room(rm).await?;
        let page = join_page(st, lang, &snapshot, vis, typed.clone(), Some(message));
        Ok::<_, AppError>((status, page).into_response())
    };
    let name = match DisplayName::parse(&form.name, state.limits()) {
        Ok(name) => name,
        Err(err) => {
            return rejected(
                StatusCode::UNPROCESSABLE_ENTITY,
                state.catalog.text_error(err, &locales, state.limits()),
            )
            .await;
        }
    };
    let user = match state.backend.join(&room, name).await {
        Ok(user) => user,
        Err(BackendError::NameTaken) => {
            let message = state.catalog.message(ErrorCode::NameTaken, &locales, &[]);
            return rejected(StatusCode::CONFLICT, message).await;
        }
        Err(err) => return Err(err.into()),
    };
    let mut visitor = visitor;
    visitor.rooms.insert(room.to_string(), user.to_string());
    visitor.save(&session).await?;
    Ok(Redirect::to(&format!("/r/{room}")).into_response())
}

async fn send(
    State(state): State<AppState>,
    Path(room): Path<String>,
    Lang(locales, lang): Lang,
    headers: HeaderMap,
    session: Session,
    FormInput(form): FormInput<MessageForm>,
) -> Result<Response, AppError> {
    let room = room_id(&room)?;
    let visitor = checked_visitor(&state, &headers, &session, &form.csrf).await?;
    let user = visitor.user_in(&room).ok_or_else(|| AppError::NotAMember(room.clone()))?;
    let (st, hd, rm, us, vis, typed) = (&state, &headers, &room, &user, &visitor, &form.text);
    let rejected = |status: StatusCode, message: String| async move {
        let page = chat_page(st, lang, hd, rm, us, vis, typed.clone(), Some(message)).await?;
        Ok::<_, AppError>((status, page).into_response())
    };
    let text = match MessageText::parse(&form.text, state.limits()) {
        Ok(text) => text,
        Err(err) => {
            return rejected(
                StatusCode::UNPROCESSABLE_ENTITY,
                state.catalog.text_error(err, &locales, state.limits()),
            )
            .await;
        }
    };
    let client_id = ClientMsgId::parse(&form.client_id);
    if let Err(wait) = state.post_limiter.try_take(&user) {
        crate::metrics::metrics().limited_messages.increment(1);
        let secs = retry_secs(wait);
        let message =
            state.catalog.message(ErrorCode::RateLimited, &locales, &[("seconds", &secs.to_string())]);
        let mut response = rejected(StatusCode::TOO_MANY_REQUESTS, message).await?;
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        return Ok(response);
    }
    let not_member = |e: BackendError| match e {
        BackendError::NotAMember => AppError::NotAMember(room.clone()),
        other => other.into(),
    };
    state.backend.post(&room, &user, text, client_id).await.map_err(not_member)?;
    crate::metrics::metrics().html_messages_in.increment(1);
    state.backend.touch(&room, &user, &ConnId::page()).await.map_err(not_member)?;
    Ok(Redirect::to(&format!("/r/{room}#composer")).into_response())
}

async fn leave(
    State(state): State<AppState>,
    Path(room): Path<String>,
    headers: HeaderMap,
    session: Session,
    FormInput(form): FormInput<CsrfForm>,
) -> Result<Response, AppError> {
    let room = room_id(&room)?;
    let mut visitor = checked_visitor(&state, &headers, &session, &form.csrf).await?;
    if let Some(user) = visitor.user_in(&room) {
        match state.backend.leave(&room, &user).await {
            Ok(()) | Err(BackendError::NotAMember | BackendError::RoomNotFound) => {}
            Err(err) => return Err(err.into()),
        }
        visitor.rooms.remove(room.as_str());
        visitor.save(&session).await?;
    }
    Ok(Redirect::to("/").into_response())
}
