//! `/assets/{file}`: the assets compiled into the binary ([`crate::views::assets`]), cached for
//! a year when asked for with the current version tag.

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::error::AppError;
use crate::state::AppState;
use crate::views::assets::{ASSETS, version};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset))
}

#[derive(Deserialize)]
struct Versioned {
    v: Option<String>,
}

async fn asset(Path(file): Path<String>, Query(q): Query<Versioned>) -> Result<Response, AppError> {
    let (_, content_type, bytes) =
        ASSETS.iter().find(|(name, _, _)| *name == file).ok_or(AppError::PageNotFound)?;
    let cache =
        if q.v.as_deref() == Some(version()) { "public, max-age=31536000, immutable" } else { "no-cache" };
    Ok(([(CONTENT_TYPE, *content_type), (CACHE_CONTROL, cache)], *bytes).into_response())
}
