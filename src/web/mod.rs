//! The HTTP edge: pages, form posts, assets, health, and the middleware around them.
//! Each resource module owns its routes; [`router`] merges them (STYLE habit 3).
//! `session` and `guard` are shared with the live socket.

pub mod api;
pub mod assets;
pub mod client;
pub mod error;
mod form;
pub mod guard;
mod health;
pub mod locale;
mod pages;
mod rooms;
pub mod session;
mod translate;

use std::time::Duration;

use axum::http::HeaderValue;
use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::routing::get;
use axum::{Router, middleware};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};

use crate::live::{json_socket, live_socket};
use crate::state::AppState;
use error::AppError;

/// Scripts, styles and frames from this origin only; no inline scripts (SPEC §10).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// The whole application router over `state`, with sessions kept in `store`.
pub fn router<S: SessionStore + Clone>(state: AppState, store: S, session_ttl: Duration) -> Router {
    let ttl = time::Duration::try_from(session_ttl).unwrap_or(time::Duration::days(7));
    let sessions = SessionManagerLayer::new(store)
        .with_name("c2c_session")
        .with_http_only(true)
        // Lax, not Strict: a share link opened from another site must carry the session
        // (SPEC §10); forms are protected by the CSRF token instead.
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(ttl));
    Router::new()
        .merge(pages::router())
        .merge(rooms::router())
        .merge(assets::router())
        .merge(health::router())
        .merge(translate::router())
        .merge(api::router())
        .route("/r/{room}/live", get(live_socket))
        .route("/ws", get(json_socket))
        .fallback(|| async { AppError::PageNotFound })
        .layer(middleware::from_fn_with_state(state.clone(), error::localize))
        .layer(sessions)
        .layer(SetResponseHeaderLayer::if_not_present(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let id = request.extensions().get::<client::RequestId>().map_or("", |r| r.0.as_str());
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
        }))
        .layer(middleware::from_fn(client::request_id))
        .with_state(state)
}
