//! `GET /r/{roomId}/transcript.txt` and `.json`: a member downloads the conversation the room
//! keeps (docs/rooms.md, "Transcript").

use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::error::AppError;
use super::extract::Member;
use super::locale::Lang;
use crate::domain::now_millis;
use crate::state::AppState;
use crate::views::{Zone, transcript};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/r/{room}/transcript.txt", get(as_text))
        .route("/r/{room}/transcript.json", get(as_json))
}

fn download(body: String, content_type: &'static str, file: String) -> Response {
    let disposition = format!("attachment; filename=\"{file}\"");
    ([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, disposition)], body).into_response()
}

async fn as_text(
    State(state): State<AppState>,
    Member { room, .. }: Member,
    Lang(_, lang): Lang,
    zone: Zone,
) -> Result<Response, AppError> {
    let snapshot = state.backend.room(&room).await?;
    let history = state.backend.history(&room, 0).await?;
    let body = transcript::text(&lang, zone, &room, &snapshot.meta, &history, now_millis());
    Ok(download(body, "text/plain; charset=utf-8", format!("c2c-{room}.txt")))
}

async fn as_json(State(state): State<AppState>, Member { room, .. }: Member) -> Result<Response, AppError> {
    let snapshot = state.backend.room(&room).await?;
    let history = state.backend.history(&room, 0).await?;
    let body = transcript::json(&room, &snapshot.meta, &history, now_millis());
    Ok(download(body, "application/json", format!("c2c-{room}.json")))
}
