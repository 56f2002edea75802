//! The browser's socket `GET /r/{roomId}/live` (docs/protocol.md): htmx's ws extension sends
//! the composer's fields as JSON; the socket answers with HTML fragments swapped in out of
//! band. Authenticated by the session cookie before the upgrade.

use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use serde::Deserialize;

use super::LiveState;
use super::conn::Conn;
use super::core::{Lost, Protocol, Span, Step};
use super::hub::Format;
use super::socket::{CLOSE_POLICY, CLOSE_TRY_LATER, configure};
use crate::backend::{History, RoomSnapshot};
use crate::domain::{RoomId, Seq, StreamPos, UserId};
use crate::views::frames::{Refusal, ended_frame, error_frame, snapshot_frames};
use crate::views::{PAGE, Reader, Ui, Zone};
use crate::web::actions::ActionKind;
use crate::web::error::AppError;
use crate::web::extract::{BrowserOrigin, Member, RoomPath};
use crate::web::locale::Lang;
use std::sync::Arc;

/// What the composer sends: the form's fields as JSON (`ws-send`), plus htmx's `HEADERS`.
#[derive(Deserialize)]
pub(crate) struct ComposerFrame {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    client_id: Option<String>,
    /// The page's script says its member is typing (no text).
    #[serde(default)]
    typing: bool,
    /// The message this one answers.
    #[serde(default)]
    reply_to: Option<Seq>,
    /// An action on message `target` (`edit` with `text`, `delete`, `react` with `emoji`)
    /// instead of a message (docs/messages.md).
    #[serde(default)]
    act: Option<String>,
    #[serde(default)]
    target: Seq,
    #[serde(default)]
    emoji: String,
}

/// Parses what the composer sends.
pub(crate) fn parse_composer(raw: &str) -> Result<ComposerFrame, serde_json::Error> {
    serde_json::from_str(raw)
}

/// `GET /r/{roomId}/live`. `Origin` and membership are checked before the upgrade; a browser
/// whose session vanished (expired, or the server restarted) is accepted and told so in a
/// fragment, since a refused handshake would make htmx retry forever.
pub async fn live_socket(
    State(live): State<LiveState>,
    _: BrowserOrigin,
    RoomPath(room): RoomPath,
    Lang(locales, ui): Lang,
    zone: Zone,
    member: Result<Member, AppError>,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let user = match member {
        Ok(member) => Some(member.user),
        Err(AppError::SessionExpired) => None,
        Err(err) => return Err(err),
    };
    // The loop's future itself (as for the JSON socket), entering the room as its first step.
    Ok(configure(ws, &live.app.config.limits).on_upgrade(move |socket| {
        let first = match user {
            Some(user) => Step::Enter(room.clone(), user),
            None => Step::Lost(AppError::SessionExpired),
        };
        let proto = HtmlSocket { room, ui: ui.clone(), zone, error_shown: false };
        Conn::new(live, socket, Format::Html(ui), locales).run(proto, first)
    }))
}

/// What a refused message or action does to the socket: a lost membership or room ends it,
/// anything else is told under the composer.
fn failed(err: AppError) -> Step {
    match err {
        AppError::NotAMember | AppError::RoomNotFound => Step::Lost(err),
        err => Step::Refuse(err),
    }
}

/// The browser protocol's own state.
struct HtmlSocket {
    room: RoomId,
    /// The interface as it was when the socket opened.
    ui: Arc<Ui>,
    /// The reader's time zone, for the snapshot's times and day separators.
    zone: Zone,
    /// An error is showing under the composer; the next accepted message clears it.
    error_shown: bool,
}

impl Protocol for HtmlSocket {
    /// The browser's snapshot replaces everything the page shows: its newest page of history
    /// (earlier pages load on request, docs/rooms.md "Scrollback").
    fn snapshot_span(&self, _: StreamPos) -> Span {
        Span::LastPage(PAGE)
    }

    fn snapshot(&self, room: &RoomSnapshot, me: &UserId, history: &History, _: bool) -> Vec<String> {
        snapshot_frames(
            Reader { ui: &self.ui, me: Some(me), zone: self.zone, room: Some(&self.room) },
            history,
            &room.members,
            room.unlisted(),
        )
    }

    async fn receive(&mut self, conn: &mut Conn, text: &str) -> Step {
        let Ok(frame) = parse_composer(text) else {
            return Step::Refuse(AppError::BadRequest("unreadable composer frame".into()));
        };
        if let Some(act) = &frame.act {
            let Some(kind) = ActionKind::parse(act) else {
                return Step::Refuse(AppError::BadRequest("unknown action".into()));
            };
            let arg =
                if kind == ActionKind::React { &frame.emoji } else { frame.text.as_deref().unwrap_or("") };
            return conn.act(kind, frame.target, arg).await.map_or_else(failed, |()| Step::Go);
        }
        let text = match frame.text {
            Some(text) => text,
            None if frame.typing => {
                conn.typing().await;
                return Step::Go;
            }
            None => return Step::Refuse(AppError::BadRequest("composer frame without text".into())),
        };
        match conn.post(&text, frame.client_id.as_deref(), frame.reply_to).await {
            Ok(()) if self.error_shown => {
                self.error_shown = false;
                conn.send(error_frame(None)).await
            }
            Ok(()) => Step::Go,
            Err(err) => failed(err),
        }
    }

    fn refusal(&mut self, err: &AppError, message: &str) -> String {
        self.error_shown = true;
        let retry_secs = if let AppError::RateLimited(secs) = err { *secs } else { 0 };
        error_frame(Some(Refusal { message, code: err.code().as_str(), retry_secs }))
    }

    fn lost(&mut self, err: &AppError, message: &str) -> Lost {
        match err {
            // "Try again later": htmx reconnects with backoff.
            AppError::Unavailable(_) => {
                let refusal = Refusal { message, code: err.code().as_str(), retry_secs: 0 };
                Lost::Close(error_frame(Some(refusal)), CLOSE_TRY_LATER, "backend unavailable")
            }
            // The room is gone for good: say so, offer a new one, no retries.
            AppError::RoomEnded | AppError::Removed => {
                Lost::Close(ended_frame(message, "/", &self.ui.start_new), CLOSE_POLICY, err.code().as_str())
            }
            // The session or membership is gone: say so, offer to rejoin, no retries.
            _ => {
                let rejoin = format!("/r/{}", self.room);
                Lost::Close(ended_frame(message, &rejoin, &self.ui.rejoin), CLOSE_POLICY, err.code().as_str())
            }
        }
    }
}
