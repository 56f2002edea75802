//! One browser's live socket: snapshot on connect, then room events as fragments, composer
//! sends in, heartbeats and presence, until the tab closes or the server shuts down.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, MissedTickBehavior};
use tower_sessions::Session;

use super::{Outgoing, TokenBucket, retry_secs};
use crate::backend::{BackendError, HEARTBEAT_INTERVAL};
use crate::catalog::{ErrorCode, Locales};
use crate::domain::{ClientMsgId, ConnId, MessageText, RoomEvent, RoomId, Seq, UserId};
use crate::metrics::metrics;
use crate::state::AppState;
use crate::views::{UiLang, ended_frame, error_frame, snapshot_frames};
use crate::web::guard::origin_present_and_allowed;
use crate::web::locale::Lang;
use crate::web::session::Visitor;

/// Read and write buffer of each socket. tungstenite's default (128 KiB each) costs ≈133 KB of
/// memory per idle connection; chat frames are small (STYLE, real-time specifics), and a 1 KiB
/// read buffer still takes a whole composer frame in one or two reads.
pub const SOCKET_BUFFER: usize = 1024;
/// Most bytes queued for a client that does not read before it is disconnected.
pub(super) const MAX_WRITE_BUFFER: usize = 256 * 1024;
/// A socket that has sent nothing (not even a pong) for this long is dead.
pub(super) const SILENCE_LIMIT: Duration = Duration::from_secs(35);

/// Most frames written with one flush.
pub(super) const BATCH: usize = 64;
/// Close code telling htmx to reconnect later (server restarting).
pub(super) const CLOSE_RESTART: u16 = 1012;
/// Close code for "policy": the session or the room is gone; htmx does not retry.
const CLOSE_POLICY: u16 = 1008;

/// What the composer sends: the form's fields as JSON (`ws-send`), plus htmx's `HEADERS`.
#[derive(Deserialize)]
pub(crate) struct ComposerFrame {
    text: String,
    #[serde(default)]
    client_id: Option<String>,
}

/// Small buffers, a bounded write queue, and a frame cap well above the message limit: frames
/// over the limit get a localized error and the socket stays open; only frames far beyond it
/// are refused by the protocol layer.
pub(super) fn configure(ws: WebSocketUpgrade, limits: &crate::domain::Limits) -> WebSocketUpgrade {
    let hard_cap = (limits.max_frame_bytes * 4).max(64 * 1024);
    ws.read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .max_message_size(hard_cap)
        .max_frame_size(hard_cap)
}

/// Parses what the composer sends.
pub(crate) fn parse_composer(raw: &str) -> Result<ComposerFrame, serde_json::Error> {
    serde_json::from_str(raw)
}

/// `GET /r/{roomId}/live`. `Origin` and membership are checked before the upgrade; a browser
/// whose session vanished (expired, or the server restarted) is accepted and told so in a
/// fragment, since a refused handshake would make htmx retry forever.
pub async fn live_socket(
    State(state): State<AppState>,
    Path(room): Path<String>,
    Lang(locales, lang): Lang,
    headers: HeaderMap,
    session: Session,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_present_and_allowed(&headers, &state.config.allowed_origins) {
        return (StatusCode::FORBIDDEN, "foreign origin").into_response();
    }
    let Some(room) = RoomId::parse(&room) else {
        return (StatusCode::NOT_FOUND, "no such room").into_response();
    };
    // Read the session before the upgrade: changes after it would never be saved.
    let visitor = match Visitor::load(&session).await {
        Ok(visitor) => visitor,
        // The session store is unreachable (a Redis outage): "try again later", not "forbidden".
        Err(err) => {
            tracing::warn!(error = %err, "session store unreachable at socket upgrade");
            return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
        }
    };
    let had_session = session.id().is_some();
    let user = visitor.user_in(&room);
    if user.is_none() && had_session {
        return (StatusCode::FORBIDDEN, "not a member").into_response();
    }
    configure(ws, state.limits()).on_upgrade(move |socket| async move {
        let _open = state.sockets.enter(&metrics().html_sockets);
        let live = Live { state, room, locales, lang, socket };
        match user {
            Some(user) => live.run(user).await,
            None => live.end(ErrorCode::SessionExpired).await,
        }
    })
}

struct Live {
    state: AppState,
    room: RoomId,
    locales: Locales,
    lang: UiLang,
    socket: WebSocket,
}

/// Why the connection loop stopped.
enum Exit {
    /// The client went away or broke the connection.
    Gone,
    /// The server is shutting down.
    Shutdown,
    /// The room or the membership is gone; tell the user.
    Ended(ErrorCode),
}

/// Outcome of delivering one event.
enum Delivery {
    Sent,
    Gone,
    Resync,
}

/// Per-connection position in the room's streams, to skip what the snapshot already showed.
struct Cursor {
    last_seq: Seq,
    member_version: u64,
}

impl Live {
    async fn send(&mut self, html: impl Into<Utf8Bytes>) -> bool {
        self.socket.send(Message::Text(html.into())).await.is_ok()
    }

    fn message(&self, code: ErrorCode, args: &[(&str, &str)]) -> String {
        self.state.catalog.message(code, &self.locales, args)
    }

    /// Tells the user why the socket cannot go on and closes it so htmx does not retry.
    async fn end(mut self, code: ErrorCode) {
        let text = self.message(code, &[]);
        let frame = ended_frame(&text, &self.room, self.lang.ui().rejoin);
        self.send(frame).await;
        self.close(CLOSE_POLICY, code.as_str()).await;
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
        let _ = self.socket.send(Message::Close(Some(frame))).await;
    }

    async fn run(mut self, user: UserId) {
        let conn = ConnId::generate();
        let exit = self.serve(&user, &conn).await;
        let backend = self.state.backend.clone();
        if let Err(err) = backend.disconnect(&self.room, &user, &conn).await {
            tracing::debug!(room = %self.room, error = %err, "disconnect after socket close");
        }
        match exit {
            Exit::Gone => {}
            Exit::Shutdown => self.close(CLOSE_RESTART, "server restarting").await,
            Exit::Ended(code) => self.end(code).await,
        }
    }

    async fn serve(&mut self, user: &UserId, conn: &ConnId) -> Exit {
        let backend = self.state.backend.clone();
        if let Err(err) = backend.touch(&self.room, user, conn).await {
            return self.backend_exit(err).await;
        }
        let mut events = match self.state.hub.subscribe(&self.room).await {
            Ok(rx) => rx,
            Err(err) => return self.backend_exit(err).await,
        };
        let mut cursor = match self.snapshot(user).await {
            Ok(cursor) => cursor,
            Err(exit) => return exit,
        };
        let mut bucket = TokenBucket::new(self.state.limits());
        let mut heartbeat = heartbeat(backend.as_ref(), Some(&self.room));
        let mut last_heard = Instant::now();
        let shutdown = until_shutdown(self.state.shutdown.clone());
        tokio::pin!(shutdown);
        let mut error_shown = false;
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(out) => match self.deliver_batch(out, &mut events, &mut cursor).await {
                        Delivery::Sent => {}
                        Delivery::Gone => return Exit::Gone,
                        Delivery::Resync => match self.snapshot(user).await {
                            Ok(fresh) => cursor = fresh,
                            Err(exit) => return exit,
                        },
                    },
                    Err(RecvError::Lagged(_)) => match self.snapshot(user).await {
                        Ok(fresh) => cursor = fresh,
                        Err(exit) => return exit,
                    },
                    Err(RecvError::Closed) => return Exit::Ended(ErrorCode::RoomNotFound),
                },
                frame = self.socket.recv() => {
                    last_heard = Instant::now();
                    match frame {
                        Some(Ok(Message::Text(text))) => {
                            match self.composer(user, &text, &mut bucket).await {
                                Ok(()) if error_shown => {
                                    error_shown = false;
                                    if !self.send(error_frame("")).await { return Exit::Gone; }
                                }
                                Ok(()) => {}
                                Err(Some(html)) => {
                                    error_shown = true;
                                    if !self.send(html).await { return Exit::Gone; }
                                }
                                Err(None) => return Exit::Ended(ErrorCode::NotAMember),
                            }
                        }
                        Some(Ok(Message::Binary(_))) => {
                            error_shown = true;
                            let html = error_frame(&self.message(ErrorCode::ValidationError, &[]));
                            if !self.send(html).await { return Exit::Gone; }
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                        Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return Exit::Gone,
                    }
                }
                _ = heartbeat.tick() => {
                    if !still_there(&mut self.socket, last_heard, heartbeat.period()).await {
                        return Exit::Gone;
                    }
                    if let Err(err) = backend.heartbeat(&self.room, user, conn).await {
                        return self.backend_exit(err).await;
                    }
                }
                () = &mut shutdown => return Exit::Shutdown,
            }
        }
    }

    /// Sends the member list and history, replacing what the page shows.
    async fn snapshot(&mut self, me: &UserId) -> Result<Cursor, Exit> {
        let backend = self.state.backend.clone();
        let room = match backend.room(&self.room).await {
            Ok(room) => room,
            Err(err) => return Err(self.backend_exit(err).await),
        };
        let history = match backend.history(&self.room, 0).await {
            Ok(history) => history,
            Err(err) => return Err(self.backend_exit(err).await),
        };
        // One flush per frame: the write buffer never holds more than one chunk.
        for frame in snapshot_frames(self.lang.ui(), &history, &room.members, me) {
            if !self.send(frame).await {
                return Err(Exit::Gone);
            }
        }
        Ok(Cursor { last_seq: history.last_seq(0), member_version: room.member_version })
    }

    /// Sends one room event unless the snapshot already showed it.
    async fn deliver(&mut self, out: &Arc<Outgoing>, cursor: &mut Cursor) -> Delivery {
        let Some(event) = &out.event else {
            // The hub itself fell behind: resync like a lagging socket.
            return Delivery::Resync;
        };
        match event.as_ref() {
            RoomEvent::Message(m) if m.seq <= cursor.last_seq => return Delivery::Sent,
            RoomEvent::Message(m) => cursor.last_seq = m.seq,
            RoomEvent::Presence { version, .. } if *version <= cursor.member_version => {
                return Delivery::Sent;
            }
            RoomEvent::Presence { version, .. } => cursor.member_version = *version,
            RoomEvent::Resync => return Delivery::Resync,
        }
        let Some(html) = out.html(self.lang) else { return Delivery::Sent };
        // Queued, not flushed: `deliver_batch` flushes once for everything that was waiting.
        if self.socket.feed(Message::Text(html)).await.is_err() {
            return Delivery::Gone;
        }
        record_delivery(&metrics().html_frames_out, event);
        Delivery::Sent
    }

    /// Delivers `first` and whatever else is already waiting (up to [`BATCH`] events), then
    /// writes them with one flush: under load a socket gets several frames per write.
    async fn deliver_batch(
        &mut self,
        first: Arc<Outgoing>,
        events: &mut broadcast::Receiver<Arc<Outgoing>>,
        cursor: &mut Cursor,
    ) -> Delivery {
        let mut outcome = self.deliver(&first, cursor).await;
        let mut taken = 1;
        while matches!(outcome, Delivery::Sent) && taken < BATCH {
            match events.try_recv() {
                Ok(next) => outcome = self.deliver(&next, cursor).await,
                Err(broadcast::error::TryRecvError::Lagged(_)) => outcome = Delivery::Resync,
                Err(_) => break,
            }
            taken += 1;
        }
        if self.socket.flush().await.is_err() {
            return Delivery::Gone;
        }
        outcome
    }

    /// Handles one composer frame. `Err(Some(html))`: an error fragment for this user;
    /// `Err(None)`: the membership is gone.
    async fn composer(
        &mut self,
        user: &UserId,
        raw: &str,
        bucket: &mut TokenBucket,
    ) -> Result<(), Option<String>> {
        let limits = self.state.limits().clone();
        if raw.len() > limits.max_frame_bytes {
            let max = limits.max_message_chars.to_string();
            return Err(Some(error_frame(&self.message(ErrorCode::MessageTooLong, &[("max", &max)]))));
        }
        let Ok(frame) = parse_composer(raw) else {
            return Err(Some(error_frame(&self.message(ErrorCode::ValidationError, &[]))));
        };
        let text = match MessageText::parse(&frame.text, &limits) {
            Ok(text) => text,
            Err(err) => {
                return Err(Some(error_frame(&self.state.catalog.text_error(err, &self.locales, &limits))));
            }
        };
        if let Err(wait) = bucket.try_take() {
            metrics().limited_messages.increment(1);
            let secs = retry_secs(wait).to_string();
            return Err(Some(error_frame(&self.message(ErrorCode::RateLimited, &[("seconds", &secs)]))));
        }
        let client_id = frame.client_id.as_deref().and_then(ClientMsgId::parse);
        match self.state.backend.post(&self.room, user, text, client_id).await {
            Ok(_) => {
                metrics().html_messages_in.increment(1);
                Ok(())
            }
            Err(BackendError::NotAMember | BackendError::RoomNotFound) => Err(None),
            Err(err) => {
                tracing::warn!(room = %self.room, error = %err, "message not stored");
                Err(Some(error_frame(&self.message(code_of(&err), &[]))))
            }
        }
    }

    /// Maps a backend failure during the session to how the loop ends.
    async fn backend_exit(&mut self, err: BackendError) -> Exit {
        match err {
            BackendError::RoomNotFound => Exit::Ended(ErrorCode::RoomNotFound),
            BackendError::NotAMember => Exit::Ended(ErrorCode::NotAMember),
            other => {
                tracing::warn!(room = %self.room, error = %other, "live socket backend failure");
                let html = error_frame(&self.message(code_of(&other), &[]));
                self.send(html).await;
                // 1013 "try again later": htmx reconnects with backoff.
                self.close(1013, "backend unavailable").await;
                Exit::Gone
            }
        }
    }
}

/// Counts a delivered frame and, for messages, how long after storing it went out.
pub(super) fn record_delivery(frames: &metrics::Counter, event: &RoomEvent) {
    frames.increment(1);
    if let RoomEvent::Message(m) = event {
        let ms = (crate::domain::now_millis() - m.at).max(0);
        metrics().delivery_latency.record(ms as f64 / 1000.0);
    }
}

/// The server's heartbeat for a socket in `room`: the SPEC's 10 s for its 30 s presence TTL, a
/// third of whatever TTL is configured. The sockets of one room tick in the same instant (a
/// phase taken from the room id), so the backend refreshes them together; rooms spread evenly
/// over the period. The first tick comes within one period.
pub(super) fn heartbeat(
    backend: &dyn crate::backend::Backend,
    room: Option<&RoomId>,
) -> tokio::time::Interval {
    let every = (backend.presence_ttl() / 3).min(HEARTBEAT_INTERVAL);
    let period = (every.as_millis() as u64).max(1);
    let first = match room {
        Some(room) => {
            let now = crate::domain::now_millis().max(0) as u64;
            let wait = (room_phase(room) % period + period - now % period) % period;
            Duration::from_millis(if wait == 0 { period } else { wait })
        }
        None => every,
    };
    let mut tick = tokio::time::interval_at(Instant::now() + first, every);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick
}

/// A number from the room id, the same on every instance (FNV-1a).
fn room_phase(room: &RoomId) -> u64 {
    room.as_str().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Whether a socket is still there, checked at each heartbeat (`every` apart): silent past
/// [`SILENCE_LIMIT`] means gone. A socket heard from within the last period needs no ping; a
/// quieter one gets one, and its pong counts as hearing from it.
pub(super) async fn still_there(socket: &mut WebSocket, last_heard: Instant, every: Duration) -> bool {
    let quiet = last_heard.elapsed();
    if quiet > SILENCE_LIMIT {
        return false;
    }
    quiet < every || socket.send(Message::Ping(Default::default())).await.is_ok()
}

/// Completes once the server starts shutting down.
pub(super) async fn until_shutdown(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|down| *down).await;
}

pub(super) fn code_of(err: &BackendError) -> ErrorCode {
    match err {
        BackendError::RoomNotFound => ErrorCode::RoomNotFound,
        BackendError::NotAMember => ErrorCode::NotAMember,
        BackendError::NameTaken => ErrorCode::NameTaken,
        BackendError::Unavailable(_) => ErrorCode::ServiceUnavailable,
    }
}
