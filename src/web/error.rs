//! One error type for the web edge, mapped to a status and a localized message in one place
//! (STYLE habit 4). Handlers return `Err(AppError)`; the `localize` middleware renders the
//! page in the viewer's language, so handlers never build error pages themselves.

use axum::extract::{Request, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api::{ApiError, Envelope, NoData};
use super::client::RequestId;
use super::locale::{Lang, query_lang};
use crate::backend::BackendError;
use crate::catalog::ErrorCode;
use crate::domain::RoomId;
use crate::state::AppState;
use crate::views::{ErrorPage, asset_version};

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
    /// 403 `NOT_A_MEMBER`, with a link to the room's join form.
    NotAMember(RoomId),
    /// 403 `FORM_EXPIRED`: missing or wrong CSRF token, or a foreign `Origin`.
    FormExpired,
    /// 429 `RATE_LIMITED` with `Retry-After`.
    RateLimited(u64),
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
            AppError::NotAMember(_) => (StatusCode::FORBIDDEN, ErrorCode::NotAMember),
            AppError::FormExpired => (StatusCode::FORBIDDEN, ErrorCode::FormExpired),
            AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::ServiceUnavailable),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        }
    }
}

/// Maps backend failures that end a page request.
impl From<BackendError> for AppError {
    fn from(err: BackendError) -> Self {
        match err {
            BackendError::RoomNotFound => AppError::RoomNotFound,
            // Callers that can name the room map NotAMember themselves.
            BackendError::NotAMember | BackendError::NameTaken => AppError::Internal(err.to_string()),
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
    room: Option<RoomId>,
    details: serde_json::Map<String, serde_json::Value>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_code();
        let mut report = ErrorReport { code, args: Vec::new(), room: None, details: serde_json::Map::new() };
        let mut response = status.into_response();
        match self {
            AppError::Internal(detail) => tracing::error!(%detail, "internal error"),
            AppError::Unavailable(detail) => tracing::warn!(%detail, "backend unavailable"),
            AppError::BadRequest(detail) => {
                tracing::debug!(%detail, "unparseable request");
                report.details.insert("reason".into(), detail.into());
            }
            AppError::Invalid { field, args, .. } => {
                report.details.insert("field".into(), field.into());
                report.args = args;
            }
            AppError::NameTaken(field) => {
                report.details.insert("field".into(), field.into());
            }
            AppError::RateLimited(secs) => {
                report.args.push(("seconds", secs.to_string()));
                response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            AppError::NotAMember(room) => report.room = Some(room),
            _ => {}
        }
        response.extensions_mut().insert(report);
        response
    }
}

fn error_page(
    lang: crate::views::UiLang,
    report: &ErrorReport,
    message: String,
    request_id: String,
) -> ErrorPage {
    let ui = lang.ui();
    let (heading, link_href, link_text) = match (report.code, &report.room) {
        (ErrorCode::RoomNotFound, _) => (ui.not_found_heading, "/".to_owned(), ui.start_new),
        (_, Some(room)) => (ui.error_heading, format!("/r/{room}"), ui.rejoin),
        _ => (ui.error_heading, "/".to_owned(), ui.try_again),
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

/// Middleware: renders [`AppError`] responses as localized pages (or, under `/api/`, as the JSON
/// envelope), and remembers an explicit
/// `?lang=` choice in the `lang` cookie.
pub async fn localize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Lang(locales, lang) = Lang::of(&parts);
    let chosen = query_lang(parts.uri.query());
    let api = parts.uri.path().starts_with("/api/");
    let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(report) = response.extensions_mut().remove::<ErrorReport>() {
        let args: Vec<(&str, &str)> = report.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let message = state.catalog.message(report.code, &locales, &args);
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        response = if api {
            let error = ApiError { code: report.code.as_str().to_owned(), message, details: report.details };
            (status, axum::Json(Envelope::<NoData>::failure(error))).into_response()
        } else {
            (status, error_page(lang, &report, message, request_id)).into_response()
        };
        for (name, value) in headers.iter() {
            if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
                response.headers_mut().append(name, value.clone());
            }
        }
    }
    if let Some(tag) = chosen
        && let Ok(cookie) =
            HeaderValue::from_str(&format!("lang={tag}; Path=/; Max-Age=31536000; SameSite=Lax"))
    {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}
