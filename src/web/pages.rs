//! The pages: create (`/`), join or chat (`/r/{roomId}`), and the no-JavaScript log. Forms
//! that come back refused (`rooms.rs`) render through the same [`PageCtx`].

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_TYPE, HOST, RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_sessions::Session;

use super::csrf::CsrfToken;
use super::error::AppError;
use super::extract::{Member, RoomPath};
use super::locale::{Lang, zone_of};
use super::session::Visitor;
use crate::backend::{BackendError, History, RoomSnapshot};
use crate::domain::{ChatMessage, ClientMsgId, ConnId, PALETTE, RoomId, Seq, UserId, edit_deadline};
use crate::state::AppState;
use crate::views::frames::{RoomHeading, RoomTopic};
use crate::views::qr::qr_svg;
use crate::views::{
    ChatPage, CreatePage, JoinPage, LogPage, MessagePage, PAGE, Reader, Zone, asset_version, date_time,
    log_items, message_item, render, render_log, render_members,
};
use serde::Deserialize;

/// Seconds between refreshes of the no-JavaScript log.
const NOJS_REFRESH_SECS: u32 = 5;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(create_form))
        .route("/r/{room}", get(room_page))
        .route("/r/{room}/log", get(log_page))
        .route("/r/{room}/earlier", get(earlier))
}

/// Who a page is for: the app, the viewer's language, the token for its forms, and what they
/// typed into the page's form with why it was refused (kept when a form comes back).
pub struct PageCtx<'a> {
    state: &'a AppState,
    lang: &'a Lang,
    csrf: String,
    typed: String,
    error: Option<String>,
}

impl<'a> PageCtx<'a> {
    /// A fresh page: nothing typed, nothing refused.
    pub fn new(state: &'a AppState, lang: &'a Lang, CsrfToken(csrf): CsrfToken) -> Self {
        Self { state, lang, csrf, typed: String::new(), error: None }
    }

    /// The page again after `err`, with what was `typed` kept and the reason next to the field.
    pub fn keeping(mut self, typed: String, err: &AppError) -> Self {
        self.typed = typed;
        self.error = Some(err.localized(&self.state.catalog, &self.lang.0));
        self
    }

    fn name_hint(&self) -> String {
        let ui = &self.lang.1;
        ui.fmt(&ui.name_hint, &[("max", &self.state.limits().max_name_chars.to_string())])
    }

    /// The create form.
    pub fn create_page(self) -> CreatePage<'a> {
        self.create_page_keeping(String::new(), String::new(), false)
    }

    /// The create form again with the room's name and topic kept; `room_field` puts the
    /// error next to them instead of next to the display name.
    pub fn create_page_keeping(self, room_name: String, topic: String, room_field: bool) -> CreatePage<'a> {
        let limits = self.state.limits();
        let (error, room_error) =
            if room_field { (None, self.error.clone()) } else { (self.error.clone(), None) };
        CreatePage {
            ui: &self.lang.1,
            asset_v: asset_version(),
            name_hint: self.name_hint(),
            max_name: limits.max_name_chars,
            max_room_name: limits.max_room_name_chars,
            max_topic: limits.max_topic_chars,
            csrf: self.csrf,
            name: self.typed,
            room_name,
            topic,
            error,
            room_error,
        }
    }

    /// The join form for `snapshot`'s room.
    pub fn join_page(self, snapshot: &RoomSnapshot) -> JoinPage<'a> {
        let ui = &self.lang.1;
        let zone = Zone::default();
        JoinPage {
            ui,
            asset_v: asset_version(),
            room: snapshot.room.clone(),
            name_hint: self.name_hint(),
            csrf: self.csrf,
            max_name: self.state.limits().max_name_chars,
            name: self.typed,
            error: self.error,
            members_text: ui.fmt(&ui.members_count, &[("n", &snapshot.member_count.to_string())]),
            online_text: ui.fmt(&ui.online_count, &[("n", &snapshot.online_count.to_string())]),
            expires_text: snapshot
                .idle_expires_at
                .map(|at| ui.fmt(&ui.idle_expires, &[("time", &date_time(ui, zone, at))])),
            room_name: snapshot.meta.name_str().to_owned(),
            topic: snapshot.meta.topic_str().to_owned(),
            started_by: ui.fmt(&ui.started_by, &[("name", &snapshot.creator)]),
            locked: snapshot.locked,
            online_now: online_names(snapshot).map(|names| ui.fmt(&ui.online_now, &[("names", &names)])),
        }
    }

    /// The chat page of member `user` of `room`, its share link as the visitor reached this
    /// server (`headers`).
    pub async fn chat_page(
        self,
        headers: &HeaderMap,
        room: &RoomId,
        user: &UserId,
    ) -> Result<ChatPage<'a>, AppError> {
        let (state, ui) = (self.state, &*self.lang.1);
        let zone = zone_of(headers);
        let snapshot = state.backend.room(room).await?;
        let history = state.backend.history_page(room, Seq::MAX, PAGE).await?;
        let expiry_note = match snapshot.idle_expires_at {
            Some(at) => ui.fmt(&ui.idle_expires, &[("time", &date_time(ui, zone, at))]),
            None => ui.fmt(&ui.expiry_note, &[("ttl", &ui.duration(state.config.room_idle_ttl))]),
        };
        let meta = snapshot.meta.clone();
        let is_owner = snapshot.owner.as_ref() == Some(user);
        let link = share_url(headers, room);
        let qr = qr_svg(&link, &ui.qr_label).unwrap_or_default();
        let heading = render(&RoomHeading { ui, room, name: meta.name_str(), oob: false });
        let topic = render(&RoomTopic { topic: meta.topic_str(), oob: false });
        Ok(ChatPage {
            ui,
            asset_v: asset_version(),
            room: room.clone(),
            is_owner,
            // Whom the owner may remove; no one for anyone else.
            others: snapshot
                .members
                .iter()
                .filter(|m| is_owner && &m.user != user)
                .map(|m| (m.user.to_string(), m.name.as_str().to_owned()))
                .collect(),
            locked: snapshot.locked,
            meta,
            heading,
            topic,
            max_room_name: state.limits().max_room_name_chars,
            max_topic: state.limits().max_topic_chars,
            me: user.clone(),
            csrf: self.csrf,
            share_url: link,
            qr,
            log: render_log(Reader { ui, me: Some(user), zone, room: Some(room) }, &history),
            members: render_members(ui, &snapshot.members, Some(user), snapshot.unlisted()),
            client_id: ClientMsgId::generate().as_str().to_owned(),
            text: self.typed,
            max_message: state.limits().max_message_chars,
            error: self.error,
            error_code: "",
            retry: 0,
            expiry_note,
            palette: PALETTE.join(" "),
            edit_window_ms: state.config.edit_window.as_millis(),
        })
    }
}

impl<'a> PageCtx<'a> {
    /// The page of message `m` for member `user` of `snapshot`'s room.
    pub fn message_page(
        self,
        snapshot: &RoomSnapshot,
        user: &UserId,
        m: &ChatMessage,
        zone: Zone,
    ) -> MessagePage<'a> {
        let ui = &self.lang.1;
        let room = &snapshot.room;
        let message = message_item(Reader { ui, me: Some(user), zone, room: Some(room) }, m, false);
        let mine = &m.user == user;
        let until = edit_deadline(m.at, crate::support::millis_i64(self.state.config.edit_window));
        let editable = mine && !m.extra.deleted && crate::domain::now_millis() <= until;
        MessagePage {
            ui,
            asset_v: asset_version(),
            room: room.clone(),
            seq: m.seq,
            message,
            text: m.text.as_str().to_owned(),
            palette: &PALETTE,
            csrf: self.csrf,
            client_id: ClientMsgId::generate().as_str().to_owned(),
            max_message: self.state.limits().max_message_chars,
            edit_until: editable.then(|| ui.fmt(&ui.edit_until, &[("time", &date_time(ui, zone, until))])),
            can_delete: !m.extra.deleted && (mine || snapshot.owner.as_ref() == Some(user)),
        }
    }
}

/// The names of the members online now (the first ten), for the invite page.
fn online_names(snapshot: &RoomSnapshot) -> Option<String> {
    let names: Vec<&str> =
        snapshot.members.iter().filter(|m| m.online).take(10).map(|m| m.name.as_str()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// A refused form sent back: the page (with the reason next to the field) under the error's
/// status, and `Retry-After` when the refusal was a rate limit.
pub fn refused(err: &AppError, page: impl IntoResponse) -> Response {
    let mut response = (err.status_code().0, page).into_response();
    if let AppError::RateLimited(secs) = err {
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(*secs));
    }
    response
}

async fn create_form(State(state): State<AppState>, lang: Lang, csrf: CsrfToken) -> Response {
    PageCtx::new(&state, &lang, csrf).create_page().into_response()
}

async fn room_page(
    State(state): State<AppState>,
    RoomPath(room): RoomPath,
    lang: Lang,
    headers: HeaderMap,
    session: Session,
    csrf: CsrfToken,
) -> Result<Response, AppError> {
    let mut visitor = Visitor::load(&session).await?;
    if let Some(user) = visitor.user_in(&room) {
        match state.backend.touch(&room, &user, &ConnId::page()).await {
            Ok(_) => {
                let page = PageCtx::new(&state, &lang, csrf).chat_page(&headers, &room, &user).await?;
                return Ok(page.into_response());
            }
            // This browser's membership is gone: the owner removed it (it stays out a while),
            // or it left elsewhere.
            Err(BackendError::NotAMember) => match state.backend.removed_until(&room, &user).await? {
                Some(until) => visitor.removed_from(&session, &room, until).await?,
                None => visitor.forget(&session, &room).await?,
            },
            Err(err) => return Err(err.into()),
        }
    }
    let snapshot = state.backend.room(&room).await?;
    let ctx = PageCtx::new(&state, &lang, csrf);
    let ctx = if visitor.kept_out_of(&room) { ctx.keeping(String::new(), &AppError::Removed) } else { ctx };
    Ok(ctx.join_page(&snapshot).into_response())
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

/// `?before=` of the log and of earlier pages: the page of history before this entry.
#[derive(Deserialize)]
struct Before {
    #[serde(default)]
    before: Option<Seq>,
}

/// The page of the member's room's history before `before` (the newest without it).
async fn page_before(state: &AppState, member: &Member, before: Option<Seq>) -> Result<History, AppError> {
    Ok(state.backend.history_page(&member.room, before.unwrap_or(Seq::MAX), PAGE).await?)
}

async fn log_page(
    State(state): State<AppState>,
    member: Member,
    Lang(_, lang): Lang,
    zone: Zone,
    Query(Before { before }): Query<Before>,
) -> Result<Response, AppError> {
    // Each refresh of the log is this member's heartbeat.
    state.backend.touch(&member.room, &member.user, &ConnId::page()).await?;
    let history = page_before(&state, &member, before).await?;
    let ui = &lang;
    Ok(LogPage {
        ui,
        asset_v: asset_version(),
        log: render_log(Reader { ui, me: Some(&member.user), zone, room: Some(&member.room) }, &history),
        // An earlier page stays put while it is read; the newest follows the room.
        refresh_secs: if before.is_some() { 0 } else { NOJS_REFRESH_SECS },
    }
    .into_response())
}

/// `GET /r/{roomId}/earlier?before=N`: the page of history before entry N as list items, for
/// the chat page's script to put above what it shows (docs/rooms.md "Scrollback").
async fn earlier(
    State(state): State<AppState>,
    member: Member,
    Lang(_, lang): Lang,
    zone: Zone,
    Query(Before { before }): Query<Before>,
) -> Result<Response, AppError> {
    let history = page_before(&state, &member, before).await?;
    let reader = Reader { ui: &lang, me: Some(&member.user), zone, room: Some(&member.room) };
    // The "no messages yet" item stays with the first page.
    let items: String = log_items(reader, &history).into_iter().skip(1).collect();
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], items).into_response())
}
