//! Cross-site request forgery protection that stores nothing on the server: a random token in
//! an `HttpOnly`, `SameSite=Lax` cookie, repeated in a hidden field of every form (the "double
//! submit" pattern), checked together with the `Origin` header ([`super::extract::CheckedForm`],
//! docs/security.md). A page view therefore needs no session: a stranger's script fetching pages
//! makes the server store nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header::SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::cookie::{Cookie, SameSite};

use super::error::AppError;
use super::locale::cookie_value;
use crate::domain::{ids_random_secret, same_secret};
use crate::state::AppState;

/// The cookie holding the token.
pub const CSRF_COOKIE: &str = "c2c_csrf";
/// Characters in a token (192 random bits).
const TOKEN_LEN: usize = 32;
/// How long the cookie lasts: a form left open this long has to be sent again.
const COOKIE_DAYS: i64 = 30;

/// This request's token: the browser's, or a fresh one.
struct Issued {
    token: String,
    /// The browser sent none: the response sets it if a page used it.
    fresh: bool,
    used: AtomicBool,
}

fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Middleware: finds the browser's token (or makes one) for the handlers, and sets the cookie
/// when a page put a fresh token into a form.
pub async fn issue(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let sent = cookie_value(request.headers(), CSRF_COOKIE).filter(|t| well_formed(t));
    let issued = Arc::new(Issued {
        fresh: sent.is_none(),
        token: sent.unwrap_or_else(|| ids_random_secret(TOKEN_LEN)),
        used: AtomicBool::new(false),
    });
    request.extensions_mut().insert(issued.clone());
    let mut response = next.run(request).await;
    if issued.fresh && issued.used.load(Ordering::Relaxed) {
        let cookie = Cookie::build((CSRF_COOKIE, issued.token.clone()))
            .path("/")
            .max_age(time::Duration::days(COOKIE_DAYS))
            .same_site(SameSite::Lax)
            .http_only(true)
            .secure(state.config.secure_cookies)
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

fn issued(parts: &Parts) -> Result<Arc<Issued>, AppError> {
    parts
        .extensions
        .get::<Arc<Issued>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("csrf layer missing".into()))
}

/// The token a page puts into its forms.
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let issued = issued(parts)?;
        issued.used.store(true, Ordering::Relaxed);
        Ok(Self(issued.token.clone()))
    }
}

/// The token the browser's cookie held, if it sent one.
pub(super) fn sent_token(parts: &Parts) -> Result<Option<String>, AppError> {
    let issued = issued(parts)?;
    Ok((!issued.fresh).then(|| issued.token.clone()))
}

/// Whether a form's `field` repeats the cookie's token.
pub(super) fn matches(cookie: Option<&str>, field: &str) -> bool {
    cookie.is_some_and(|token| same_secret(token, field))
}
