//! `/healthz` (the process is up), `/readyz` (backend and catalogue database reachable) and
//! `/metrics` (Prometheus text).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Prometheus text exposition.
async fn metrics() -> Response {
    let body = crate::metrics::render();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let backend = state.backend.ping().await.is_ok();
    let database = state.catalog.db_reachable();
    let body = format!("backend: {}\ndatabase: {}\n", up(backend), up(database));
    let status = if backend && database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, body).into_response()
}

fn up(ok: bool) -> &'static str {
    if ok { "up" } else { "down" }
}
