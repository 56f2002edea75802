//! Extractors: what handlers (pages, forms, the API and both sockets) take instead of raw
//! strings and headers. Each parses or checks once, and its rejection is the right
//! [`AppError`], rendered in the viewer's language like every other error.

use axum::extract::{FromRef, FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use super::csrf;
use super::error::AppError;
use super::session::{Visitor, sent_session_cookie};
use crate::domain::{Limits, RoomId, RoomMeta, RoomTitle, TextError, UserId};
use crate::state::AppState;

/// The room id in the path (`/r/{room}`, `/api/rooms/{room}`), validated before any lookup: a
/// malformed id is "not found" without reaching the backend.
pub struct RoomPath(pub RoomId);

impl<S: Send + Sync> FromRequestParts<S> for RoomPath {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // By name: some routes have more in their path (a message's number).
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::RoomNotFound)?;
        params.get("room").and_then(|raw| RoomId::parse(raw)).map(Self).ok_or(AppError::RoomNotFound)
    }
}

/// The visitor's membership of the room in the path. Rejection: `NOT_A_MEMBER` (403);
/// `SESSION_EXPIRED` (401) when the browser's session cookie names a session that is gone (it
/// expired, or an embedded server forgot it); `SERVICE_UNAVAILABLE` when the session store
/// cannot be reached.
pub struct Member {
    /// The room.
    pub room: RoomId,
    /// The visitor's user in it.
    pub user: UserId,
    /// The visitor.
    pub visitor: Visitor,
}

impl<S: Send + Sync> FromRequestParts<S> for Member {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RoomPath(room) = RoomPath::from_request_parts(parts, state).await?;
        let session = session_of(parts, state).await?;
        // Read before a socket upgrade: changes to the session after it are never saved.
        let visitor = Visitor::load(&session).await?;
        let user = visitor.user_in(&room).ok_or_else(|| {
            if session.id().is_none() && sent_session_cookie(&parts.headers) {
                AppError::SessionExpired
            } else {
                AppError::NotAMember
            }
        })?;
        Ok(Self { room, user, visitor })
    }
}

async fn session_of<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Session, AppError> {
    Session::from_request_parts(parts, state).await.map_err(|(_, why)| AppError::Internal(why.to_owned()))
}

/// A browser request from this site (or a configured origin): `Origin` present and allowed.
/// Browsers always send it on WebSocket upgrades. Rejection: `FORBIDDEN`.
pub struct BrowserOrigin;

/// A request whose `Origin`, if it has one, is allowed: no `Origin` at all is a program (the
/// JSON socket's clients). Rejection: `FORBIDDEN`.
pub struct ProgramOrigin;

/// `Ok` if the request's `Origin` is allowed (and present, when `required`).
fn check_origin<S>(parts: &Parts, state: &S, required: bool) -> Result<(), AppError>
where
    AppState: FromRef<S>,
{
    let present = parts.headers.contains_key(ORIGIN);
    let allowed = origin_allowed(&parts.headers, &AppState::from_ref(state).config.allowed_origins);
    if allowed && (present || !required) { Ok(()) } else { Err(AppError::Forbidden) }
}

impl<S: Send + Sync> FromRequestParts<S> for BrowserOrigin
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        check_origin(parts, state, true).map(|()| Self)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ProgramOrigin
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        check_origin(parts, state, false).map(|()| Self)
    }
}

/// Whether a request's `Origin` may act on this site: absent (a non-browser client, or a
/// browser that sends none on same-origin navigations), the request's own host, or one of
/// the configured extra origins.
pub fn origin_allowed(headers: &HeaderMap, extra: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    same_host(origin, headers) || extra.iter().any(|o| o.eq_ignore_ascii_case(origin))
}

fn same_host(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    rest.eq_ignore_ascii_case(host)
}

/// A URL-encoded form body parsed into `T`; an unreadable body (wrong content type, bad
/// encoding) is a localized `VALIDATION_ERROR` page instead of plain text.
pub struct FormInput<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for FormInput<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// A form posted from one of this site's pages: parsed like [`FormInput`], then checked
/// against cross-site request forgery (docs/security.md): its `csrf` field must repeat the
/// browser's token cookie (`csrf.rs`) and its `Origin`, if any, be this site's. Rejection:
/// `FORM_EXPIRED` (403).
pub struct CheckedForm<T> {
    /// The visitor who sent it.
    pub visitor: Visitor,
    /// Their session (to save the visitor after a change).
    pub session: Session,
    /// The fields.
    pub form: T,
}

/// A form's fields with the CSRF token every form of ours carries.
#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: T,
}

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequest<S> for CheckedForm<T>
where
    AppState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = session_of(&mut parts, state).await?;
        let same_site = origin_allowed(&parts.headers, &AppState::from_ref(state).config.allowed_origins);
        let cookie = csrf::sent_token(&parts)?;
        let FormInput(WithCsrf { csrf, form }) =
            FormInput::from_request(Request::from_parts(parts, body), state).await?;
        if !same_site || !csrf::matches(cookie.as_deref(), &csrf) {
            return Err(AppError::FormExpired);
        }
        // Only now: a forged form must not cost a session-store lookup.
        let visitor = Visitor::load(&session).await?;
        Ok(Self { visitor, session, form })
    }
}

/// A room's name and topic as typed (forms, the API, the JSON socket), checked against the
/// limits; a refusal names its field (`room_name` or `topic`).
pub fn room_meta(limits: &Limits, name: &str, topic: &str) -> Result<RoomMeta, AppError> {
    Ok(RoomMeta {
        name: RoomTitle::parse(name, limits.max_room_name_chars, TextError::RoomNameTooLong)
            .map_err(|err| AppError::invalid(err, "room_name", limits))?,
        topic: RoomTitle::parse(topic, limits.max_topic_chars, TextError::TopicTooLong)
            .map_err(|err| AppError::invalid(err, "topic", limits))?,
    })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static(host));
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_static(o));
        }
        h
    }

    #[test]
    fn same_origin_and_configured_origins_pass() {
        assert!(origin_allowed(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"), &[]));
        assert!(origin_allowed(&headers(None, "127.0.0.1:3000"), &[]));
        let extra = vec!["https://chat.example.com".to_owned()];
        assert!(origin_allowed(&headers(Some("https://chat.example.com"), "10.0.0.1:3000"), &extra));
    }

    #[test]
    fn foreign_origins_fail() {
        assert!(!origin_allowed(&headers(Some("http://evil.example"), "127.0.0.1:3000"), &[]));
        assert!(!origin_allowed(&headers(Some("http://127.0.0.1:3000.evil"), "127.0.0.1:3000"), &[]));
        assert!(!origin_allowed(&headers(Some("null"), "127.0.0.1:3000"), &[]));
    }
}
