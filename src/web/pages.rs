//! The pages: create (`/`), join or chat (`/r/{roomId}`), and the no-JavaScript log.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::HOST;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_sessions::Session;

use super::error::AppError;
use super::locale::Lang;
use super::session::Visitor;
use crate::backend::{BackendError, RoomSnapshot};
use crate::domain::{ClientMsgId, ConnId, RoomId, UserId};
use crate::state::AppState;
use crate::views::{
    ChatPage, CreatePage, JoinPage, LogPage, UiLang, asset_version, date_time, fill, human_duration,
    render_log, render_members,
};

/// Seconds between refreshes of the no-JavaScript log.
const NOJS_REFRESH_SECS: u32 = 5;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(create_form))
        .route("/r/{room}", get(room_page))
        .route("/r/{room}/log", get(log_page))
}

/// Parses a room id from the path; malformed ids are "not found" before any lookup.
pub fn room_id(raw: &str) -> Result<RoomId, AppError> {
    RoomId::parse(raw).ok_or(AppError::RoomNotFound)
}

async fn create_form(
    State(state): State<AppState>,
    Lang(_, lang): Lang,
    session: Session,
) -> Result<Response, AppError> {
    let visitor = Visitor::load_with_csrf(&session).await?;
    Ok(create_page(&state, lang, &visitor, String::new(), None).into_response())
}

/// The create form, with the typed name and an error kept when it was rejected.
pub fn create_page(
    state: &AppState,
    lang: UiLang,
    visitor: &Visitor,
    name: String,
    error: Option<String>,
) -> CreatePage {
    let ui = lang.ui();
    CreatePage {
        ui,
        asset_v: asset_version(),
        csrf: visitor.csrf.clone(),
        name,
        max_name: state.limits().max_name_chars,
        name_hint: name_hint(state, lang),
        error,
    }
}

fn name_hint(state: &AppState, lang: UiLang) -> String {
    lang.ui().name_hint.replace("32", &state.limits().max_name_chars.to_string())
}

async fn room_page(
    State(state): State<AppState>,
    Path(room): Path<String>,
    Lang(_, lang): Lang,
    headers: HeaderMap,
    session: Session,
) -> Result<Response, AppError> {
    let room = room_id(&room)?;
    let mut visitor = Visitor::load_with_csrf(&session).await?;
    if let Some(user) = visitor.user_in(&room) {
        match state.backend.touch(&room, &user, &ConnId::page()).await {
            Ok(_) => {
                return Ok(chat_page(&state, lang, &headers, &room, &user, &visitor, String::new(), None)
                    .await?
                    .into_response());
            }
            // This browser's membership is gone (it left elsewhere, or the room was recreated).
            Err(BackendError::NotAMember) => {
                visitor.rooms.remove(room.as_str());
                visitor.save(&session).await?;
            }
            Err(err) => return Err(err.into()),
        }
    }
    let snapshot = state.backend.room(&room).await?;
    Ok(join_page(&state, lang, &snapshot, &visitor, String::new(), None).into_response())
}

/// The join form for `snapshot`'s room.
pub fn join_page(
    state: &AppState,
    lang: UiLang,
    snapshot: &RoomSnapshot,
    visitor: &Visitor,
    name: String,
    error: Option<String>,
) -> JoinPage {
    let ui = lang.ui();
    JoinPage {
        ui,
        asset_v: asset_version(),
        room: snapshot.room.clone(),
        csrf: visitor.csrf.clone(),
        name,
        max_name: state.limits().max_name_chars,
        name_hint: name_hint(state, lang),
        error,
        members_text: match snapshot.members.len() {
            1 => ui.members_one.to_owned(),
            n => fill(ui.members_count, "n", &n.to_string()),
        },
        online_text: fill(ui.online_count, "n", &snapshot.online_count().to_string()),
        expires_text: snapshot.idle_expires_at.map(|at| fill(ui.idle_expires, "time", &date_time(at))),
    }
}

/// The chat page for member `user`, with the composer's text and error kept when a send was
/// rejected.
#[allow(clippy::too_many_arguments)]
pub async fn chat_page(
    state: &AppState,
    lang: UiLang,
    headers: &HeaderMap,
    room: &RoomId,
    user: &UserId,
    visitor: &Visitor,
    text: String,
    error: Option<String>,
) -> Result<ChatPage, AppError> {
    let ui = lang.ui();
    let snapshot = state.backend.room(room).await?;
    let history = state.backend.history(room, 0).await?;
    let expiry_note = match snapshot.idle_expires_at {
        Some(at) => fill(ui.idle_expires, "time", &date_time(at)),
        None => fill(ui.expiry_note, "ttl", &human_duration(state.config.room_idle_ttl, lang)),
    };
    Ok(ChatPage {
        ui,
        asset_v: asset_version(),
        room: room.clone(),
        me: user.clone(),
        csrf: visitor.csrf.clone(),
        share_url: share_url(headers, room),
        log: render_log(ui, &history),
        members: render_members(ui, &snapshot.members, Some(user)),
        client_id: ClientMsgId::generate().as_str().to_owned(),
        text,
        max_message: state.limits().max_message_chars,
        error,
        expiry_note,
    })
}

/// The absolute link to a room as the visitor reached this server (behind a proxy, its
/// `X-Forwarded-Proto`/`Host`).
fn share_url(headers: &HeaderMap, room: &RoomId) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header("x-forwarded-host").or_else(|| headers.get(HOST).and_then(|v| v.to_str().ok()));
    let scheme = match header("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    match host {
        Some(host) if host.bytes().all(|b| b.is_ascii_graphic()) => {
            format!("{scheme}://{host}/r/{room}")
        }
        _ => format!("/r/{room}"),
    }
}

async fn log_page(
    State(state): State<AppState>,
    Path(room): Path<String>,
    Lang(_, lang): Lang,
    session: Session,
) -> Result<Response, AppError> {
    let room = room_id(&room)?;
    let visitor = Visitor::load(&session).await?;
    let user = visitor.user_in(&room).ok_or_else(|| AppError::NotAMember(room.clone()))?;
    // Each refresh of the log is this member's heartbeat.
    state.backend.touch(&room, &user, &ConnId::page()).await.map_err(|e| match e {
        BackendError::NotAMember => AppError::NotAMember(room.clone()),
        other => other.into(),
    })?;
    let history = state.backend.history(&room, 0).await?;
    let ui = lang.ui();
    Ok(LogPage {
        ui,
        asset_v: asset_version(),
        log: render_log(ui, &history),
        refresh_secs: NOJS_REFRESH_SECS,
    }
    .into_response())
}
