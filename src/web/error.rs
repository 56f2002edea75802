//! One error type for the edge, mapped to a status, a code and a localized message in one
//! place. Handlers return `Err(AppError)`; the `localize` middleware renders the page (or the
//! API's JSON envelope) in the viewer's language, so handlers never build error pages
//! themselves. The live sockets report the same errors as frames (`src/live/`).

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::request_id::RequestId;
use tower_sessions::cookie::{Cookie, SameSite};

use super::api::{ApiError, Envelope, NoData};
use super::locale::{Lang, query_lang};
use crate::backend::BackendError;
use crate::catalog::{Catalog, ErrorCode, Locales};
use crate::domain::{Limits, RoomId, TextError};
use crate::limits::retry_secs;
use crate::state::AppState;
use crate::views::{ErrorPage, Ui, asset_version};

/// An error a page request ends with.
#[derive(Debug)]
pub enum AppError {
    /// 404 `ROOM_NOT_FOUND`.
    RoomNotFound,
    /// 404 `PAGE_NOT_FOUND`.
    PageNotFound,
    /// 400 `VALIDATION_ERROR`: a request that could not be parsed at all.
    BadRequest(String),
    /// 422: a field was refused (`code` says why, `field` names it; `args` fill placeholders).
    Invalid {
        /// Why.
        code: ErrorCode,
        /// The field, as the client named it.
        field: &'static str,
        /// Placeholder values for the message.
        args: Vec<(&'static str, String)>,
    },
    /// 409 `NAME_TAKEN`: a present member uses the name.
    NameTaken(&'static str),
    /// 403 `NOT_A_MEMBER`; the page links to the join form of the room in its path.
    NotAMember,
    /// 403 `NOT_ROOM_OWNER`: something only the room's owner may do.
    NotOwner,
    /// 403 `ROOM_LOCKED`: the owner locked the room; no one new may join.
    RoomLocked,
    /// 403 `REMOVED_FROM_ROOM`: the owner removed this browser's member.
    Removed,
    /// 410 `ROOM_ENDED`: the owner ended the room.
    RoomEnded,
    /// 404 `MESSAGE_NOT_FOUND`: the message acted on or answered is gone.
    MessageGone,
    /// 403 `NOT_YOUR_MESSAGE`: someone else's message.
    NotAuthor,
    /// 403 `EDIT_WINDOW_PASSED`: the edit window (this many minutes) has passed.
    EditWindow(u64),
    /// 422 `TOO_MANY_REACTIONS`.
    TooManyReactions,
    /// 401 `SESSION_EXPIRED`: the member's session (an API token, a browser session) is gone.
    SessionExpired,
    /// 403 `FORM_EXPIRED`: missing or wrong CSRF token, or a foreign `Origin` on a form.
    FormExpired,
    /// 403 `FORBIDDEN`: a socket opened from a foreign `Origin`.
    Forbidden,
    /// 429 `RATE_LIMITED` with `Retry-After`.
    RateLimited(u64),
    /// 429 `TOO_MANY_CONNECTIONS`: a member has as many live sockets open as allowed.
    TooManyConnections,
    /// 503 `SERVICE_UNAVAILABLE`: the backend cannot be reached.
    Unavailable(String),
    /// 500 `INTERNAL_ERROR`: logged, never shown.
    Internal(String),
}

impl AppError {
    /// The status and catalogue code of this error.
    pub fn status_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            AppError::RoomNotFound => (StatusCode::NOT_FOUND, ErrorCode::RoomNotFound),
            AppError::PageNotFound => (StatusCode::NOT_FOUND, ErrorCode::PageNotFound),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::ValidationError),
            AppError::Invalid { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            AppError::NameTaken(_) => (StatusCode::CONFLICT, ErrorCode::NameTaken),
            AppError::NotAMember => (StatusCode::FORBIDDEN, ErrorCode::NotAMember),
            AppError::NotOwner => (StatusCode::FORBIDDEN, ErrorCode::NotRoomOwner),
            AppError::RoomLocked => (StatusCode::FORBIDDEN, ErrorCode::RoomLocked),
            AppError::Removed => (StatusCode::FORBIDDEN, ErrorCode::RemovedFromRoom),
            AppError::RoomEnded => (StatusCode::GONE, ErrorCode::RoomEnded),
            AppError::MessageGone => (StatusCode::NOT_FOUND, ErrorCode::MessageNotFound),
            AppError::NotAuthor => (StatusCode::FORBIDDEN, ErrorCode::NotYourMessage),
            AppError::EditWindow(_) => (StatusCode::FORBIDDEN, ErrorCode::EditWindowPassed),
            AppError::TooManyReactions => (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::TooManyReactions),
            AppError::SessionExpired => (StatusCode::UNAUTHORIZED, ErrorCode::SessionExpired),
            AppError::FormExpired => (StatusCode::FORBIDDEN, ErrorCode::FormExpired),
            AppError::Forbidden => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            AppError::TooManyConnections => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyConnections),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::ServiceUnavailable),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        }
    }

    /// The catalogue code of this error.
    pub fn code(&self) -> ErrorCode {
        self.status_code().1
    }

    /// The values of the message's placeholders.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::Invalid { args, .. } => args.clone(),
            AppError::RateLimited(secs) => vec![("seconds", secs.to_string())],
            AppError::EditWindow(minutes) => vec![("minutes", minutes.to_string())],
            _ => Vec::new(),
        }
    }

    /// Refused text in `field`, with the limit it broke.
    pub fn invalid(err: TextError, field: &'static str, limits: &Limits) -> Self {
        AppError::Invalid { code: err.into(), field, args: vec![("max", err.limit(limits).to_string())] }
    }

    /// The message people read for this error, in the best of `locales`.
    pub fn localized(&self, catalog: &Catalog, locales: &Locales) -> String {
        let args = self.args();
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        catalog.message(self.code(), locales, &args)
    }

    /// Whether the person can correct this in the form they sent (the form comes back with the
    /// message next to the field and their input kept), rather than seeing an error page.
    pub fn is_correctable(&self) -> bool {
        matches!(self, AppError::Invalid { .. } | AppError::NameTaken(_) | AppError::RateLimited(_))
    }
}

/// The one mapping from backend failures to what people see.
impl From<BackendError> for AppError {
    fn from(err: BackendError) -> Self {
        match err {
            BackendError::RoomNotFound => AppError::RoomNotFound,
            BackendError::NotAMember => AppError::NotAMember,
            BackendError::NameTaken => AppError::NameTaken("name"),
            BackendError::NotOwner => AppError::NotOwner,
            BackendError::Locked => AppError::RoomLocked,
            BackendError::RateLimited(wait) => AppError::RateLimited(retry_secs(wait)),
            BackendError::MessageGone => AppError::MessageGone,
            BackendError::NotAuthor => AppError::NotAuthor,
            BackendError::EditWindow(window) => AppError::EditWindow(window.as_secs().div_ceil(60)),
            BackendError::TooManyReactions => AppError::TooManyReactions,
            BackendError::Unavailable(msg) => AppError::Unavailable(msg),
        }
    }
}

/// Session storage fails when its store (Redis, when configured) is unreachable.
impl From<tower_sessions::session_store::Error> for AppError {
    fn from(err: tower_sessions::session_store::Error) -> Self {
        AppError::Unavailable(format!("session store: {err}"))
    }
}

/// What `localize` needs to render the page: carried in the response's extensions.
#[derive(Clone, Debug)]
struct ErrorReport {
    code: ErrorCode,
    args: Vec<(&'static str, String)>,
    details: serde_json::Map<String, serde_json::Value>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_code();
        let mut report = ErrorReport { code, args: self.args(), details: serde_json::Map::new() };
        let mut response = status.into_response();
        match self {
            AppError::Internal(detail) => tracing::error!(?detail, "internal error"),
            AppError::Unavailable(detail) => tracing::warn!(?detail, "backend unavailable"),
            AppError::BadRequest(detail) => {
                tracing::debug!(?detail, "unparseable request");
                report.details.insert("reason".into(), detail.into());
            }
            AppError::Invalid { field, .. } => {
                report.details.insert("field".into(), field.into());
            }
            AppError::NameTaken(field) => {
                report.details.insert("field".into(), field.into());
            }
            AppError::RateLimited(secs) => {
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            _ => {}
        }
        response.extensions_mut().insert(report);
        response
    }
}

fn error_page<'a>(
    ui: &'a Ui,
    report: &ErrorReport,
    room: Option<RoomId>,
    message: String,
    request_id: String,
) -> ErrorPage<'a> {
    let (heading, link_href, link_text) = match (report.code, room) {
        (ErrorCode::RoomNotFound, _) => (&*ui.not_found_heading, "/".to_owned(), &*ui.start_new),
        (ErrorCode::NotAMember | ErrorCode::SessionExpired, Some(room)) => {
            (&*ui.error_heading, format!("/r/{room}"), &*ui.rejoin)
        }
        _ => (&*ui.error_heading, "/".to_owned(), &*ui.try_again),
    };
    ErrorPage {
        ui,
        asset_v: asset_version(),
        heading: heading.to_owned(),
        message,
        link_href,
        link_text: link_text.to_owned(),
        request_id,
    }
}

/// The room a page under `/r/{roomId}/…` is about, for the error page's "join again" link.
fn room_in_path(path: &str) -> Option<RoomId> {
    RoomId::parse(path.strip_prefix("/r/")?.split('/').next()?)
}

/// Middleware: renders [`AppError`] responses as localized pages (or, under `/api/`, as the
/// JSON envelope), and remembers an explicit `?lang=` choice in the `lang` cookie.
pub async fn localize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Lang(locales, ui) = Lang::of(&parts, &state.catalog);
    let chosen = query_lang(parts.uri.query());
    let api = parts.uri.path().starts_with("/api/");
    let room = room_in_path(parts.uri.path());
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && !response.headers().contains_key(CONTENT_TYPE)
        && response.extensions().get::<ErrorReport>().is_none()
    {
        // A bare 500 comes from the session layer when the session store could not save: the
        // store (Redis) is down, and the visitor should read that, not an empty page.
        tracing::warn!("session store unreachable while saving a session");
        response = AppError::Unavailable("session store".into()).into_response();
    }
    if let Some(report) = response.extensions_mut().remove::<ErrorReport>() {
        let args: Vec<(&str, &str)> = report.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let message = state.catalog.message(report.code, &locales, &args);
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        response = if api {
            let error = ApiError { code: report.code.as_str().to_owned(), message, details: report.details };
            (status, axum::Json(Envelope::<NoData>::failure(error))).into_response()
        } else {
            (status, error_page(&ui, &report, room, message, request_id)).into_response()
        };
        for (name, value) in headers.iter() {
            if name != CONTENT_TYPE && name != CONTENT_LENGTH {
                response.headers_mut().append(name, value.clone());
            }
        }
    }
    if let Some(tag) = chosen {
        let cookie = Cookie::build(("lang", tag))
            .path("/")
            .max_age(time::Duration::days(365))
            .same_site(SameSite::Lax)
            .http_only(true)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_failures_map_to_their_codes() {
        let code = |e: BackendError| AppError::from(e).status_code();
        assert_eq!(code(BackendError::RoomNotFound), (StatusCode::NOT_FOUND, ErrorCode::RoomNotFound));
        assert_eq!(code(BackendError::NotAMember), (StatusCode::FORBIDDEN, ErrorCode::NotAMember));
        assert_eq!(code(BackendError::NameTaken), (StatusCode::CONFLICT, ErrorCode::NameTaken));
        assert_eq!(
            code(BackendError::Unavailable("down".into())),
            (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::ServiceUnavailable)
        );
    }

    #[test]
    fn error_pages_find_their_room_in_the_path() {
        let room = RoomId::generate();
        assert_eq!(room_in_path(&format!("/r/{room}/messages")), Some(room.clone()));
        assert_eq!(room_in_path(&format!("/r/{room}")), Some(room));
        assert_eq!(room_in_path("/r/short/log"), None);
        assert_eq!(room_in_path("/api/rooms"), None);
    }
}
