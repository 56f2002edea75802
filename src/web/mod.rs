//! The HTTP edge: pages, form posts, the JSON API, the translators' page, assets and health,
//! the extractors and errors every handler uses, and the middleware around them. Each resource
//! module owns its routes; [`router`] merges them with the routes it is given (the live
//! sockets, `src/live/`) and wraps them all in one stack of layers.

pub mod actions;
pub mod api;
pub mod api_messages;
pub mod assets;
pub mod client;
pub mod csrf;
pub mod error;
pub mod extract;
mod health;
pub mod locale;
mod pages;
mod rooms;
pub mod session;
pub mod sqlite_sessions;
mod transcript;
mod translate;

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::{HeaderValue, Request};
use axum::{BoxError, Router, middleware};
use tower::ServiceBuilder;
use tower_http::request_id::{PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};

use crate::state::AppState;
use client::{MakeId, REQUEST_ID, acceptable_request_id};
use error::AppError;

/// Scripts, styles and frames from this origin only; no inline scripts (docs/security.md).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// The whole application: this module's routes and `sockets`, over `state`, with sessions kept
/// in `store`.
pub fn router<S: SessionStore + Clone>(
    state: AppState,
    store: S,
    session_ttl: Duration,
    sockets: Router<AppState>,
) -> Router {
    let ttl = time::Duration::try_from(session_ttl).unwrap_or(time::Duration::days(7));
    let sessions = SessionManagerLayer::new(store)
        .with_name(session::SESSION_COOKIE)
        .with_http_only(true)
        // Lax, not Strict: a share link opened from another site must carry the session;
        // forms are protected by the CSRF token instead (docs/security.md).
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(ttl));
    // A handler that takes too long answers "temporarily unavailable" instead of holding the
    // connection; live sockets are not affected (their upgrade answers at once).
    let timeout = ServiceBuilder::new()
        .layer(HandleErrorLayer::new(|_: BoxError| async {
            AppError::Unavailable("request timed out".into())
        }))
        .timeout(state.config.request_timeout);
    let mut routes = Router::new()
        .merge(pages::router())
        .merge(rooms::router())
        .merge(actions::router())
        .merge(transcript::router())
        .merge(assets::router())
        .merge(health::router())
        .merge(api::router())
        .merge(sockets);
    // Without a translator token, `/translate` does not exist at all.
    if state.config.translator_token.is_some() {
        routes = routes.merge(translate::router());
    }
    routes
        .fallback(|| async { AppError::PageNotFound })
        .layer(timeout)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::issue))
        .layer(sessions)
        // Outside the sessions: a session store that fails to save is an outage page too.
        .layer(middleware::from_fn_with_state(state.clone(), error::localize))
        .layer(SetResponseHeaderLayer::if_not_present(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN")))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.extensions().get::<RequestId>().and_then(|r| r.header_value().to_str().ok());
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = id.unwrap_or(""))
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeId))
        .layer(middleware::map_request(|mut request: Request<axum::body::Body>| async move {
            if request.headers().get(REQUEST_ID).is_some_and(|id| !acceptable_request_id(id)) {
                request.headers_mut().remove(REQUEST_ID);
            }
            request
        }))
        .with_state(state)
}
