//! Static assets, compiled into the binary (htmx and its ws extension vendored from npm; see
//! `assets/README.md` for versions and licenses).

use std::sync::OnceLock;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::error::AppError;
use crate::state::AppState;

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("app.css", "text/css; charset=utf-8", include_bytes!("../../assets/app.css")),
    ("app.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/app.js")),
    ("htmx.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/htmx.min.js")),
    ("ws.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/ws.min.js")),
    ("icon.svg", "image/svg+xml", include_bytes!("../../assets/icon.svg")),
];

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{file}", get(asset))
}

/// A short hash of every asset: pages link `…?v=<hash>` so browsers may cache assets forever
/// and still fetch new ones after an upgrade.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        // FNV-1a: stable across builds and platforms, plenty for cache busting.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (_, _, bytes) in ASSETS {
            for b in *bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{:010x}", hash & 0xff_ffff_ffff)
    })
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
