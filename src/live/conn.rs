//! One socket's connection, the core's side of it: its room and position in the room's stream,
//! sending, entering and leaving a room, snapshots, typing. What flows through it once open is
//! in `flow.rs`, posting in `send.rs`.

use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use tokio::sync::broadcast::Receiver;
use tokio::time::{Instant, Interval};

use super::LiveState;
use super::core::{Exit, Protocol, Span, Step};
use super::hub::{Format, Outgoing, Sitter};
use super::seats::{Link, SeatGuard};
use super::socket::heartbeat;
use super::tracker::{MemberSeat, SocketGuard};
use crate::backend::Backend;
use crate::catalog::Locales;
use crate::domain::{ConnId, Limits, RoomId, Seq, StreamPos, UserId};
use crate::limits::retry_secs;
use crate::metrics::metrics;
use crate::support::TokenBucket;
use crate::web::error::AppError;

/// The room a socket is in.
pub(super) struct Attached {
    pub(super) room: RoomId,
    pub(super) events: Receiver<Arc<Outgoing>>,
    pub(super) pos: StreamPos,
    _member_seat: MemberSeat,
    /// The socket's seat in the room's beats (`seats.rs`), which holds its member.
    pub(super) beat_seat: SeatGuard,
}

impl Attached {
    /// The socket's member.
    pub(super) fn user(&self) -> &UserId {
        self.beat_seat.user()
    }
}

/// One socket's connection: the core's side of it.
pub(super) struct Conn {
    pub(super) live: LiveState,
    locales: Locales,
    pub(super) format: Format,
    pub(super) ws: WebSocket,
    bucket: TokenBucket,
    /// The socket's own heartbeat: while it is in no room, and in a big room (each socket its
    /// own instant). In a room of ordinary size the room's hub beats for all of its sockets
    /// ([`RoomEvent::Beat`]), so an idle socket has no timer of its own.
    pub(super) heartbeat: Option<Interval>,
    /// The connection's id, and when the client last sent anything (its room's hub reads it).
    pub(super) link: Arc<Link>,
    pub(super) attached: Option<Attached>,
    /// Since when the socket has been in no room.
    pub(super) alone_since: Instant,
    /// Whether the client gets typing notices (browsers do; programs ask in `join`).
    pub(super) wants_typing: bool,
    /// When this socket last told its room its member is typing.
    pub(super) typed_at: Option<Instant>,
    _open: SocketGuard,
}

/// A socket tells its room that its member is typing at most this often; more is dropped.
const TYPING_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

impl Conn {
    /// A connection over an upgraded socket, counted as open until dropped.
    pub(super) fn new(live: LiveState, ws: WebSocket, format: Format, locales: Locales) -> Self {
        let gauge = match format {
            Format::Html(_) => &metrics().html_sockets,
            Format::Json => &metrics().json_sockets,
        };
        let _open = live.sockets.enter(gauge);
        let bucket = TokenBucket::new(live.app.config.limits.send_rate());
        let heartbeat = Some(heartbeat(live.app.backend.as_ref(), None, None));
        let (link, attached) = (Link::new(), None);
        let wants_typing = matches!(format, Format::Html(_));
        Self {
            live,
            locales,
            format,
            ws,
            bucket,
            heartbeat,
            link,
            attached,
            alone_since: Instant::now(),
            wants_typing,
            typed_at: None,
            _open,
        }
    }

    pub(super) fn backend(&self) -> &dyn Backend {
        self.live.app.backend.as_ref()
    }

    pub(super) fn limits(&self) -> &Limits {
        &self.live.app.config.limits
    }

    /// The localized text of `err`.
    pub(super) fn message(&self, err: &AppError) -> String {
        err.localized(&self.live.app.catalog, &self.locales)
    }

    /// Sends one frame (flushed).
    pub(super) async fn send(&mut self, frame: impl Into<Utf8Bytes>) -> Step {
        match self.ws.send(Message::Text(frame.into())).await {
            Ok(()) => Step::Go,
            Err(_) => Step::Stop(Exit::Gone),
        }
    }

    pub(super) async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
        let _ = self.ws.send(Message::Close(Some(frame))).await;
    }

    /// The room and member of the socket, if it is in `room_id`.
    pub(super) fn attached_to(&self, room_id: &str) -> Option<(RoomId, UserId)> {
        self.attached
            .as_ref()
            .filter(|a| a.room.as_str() == room_id)
            .map(|a| (a.room.clone(), a.user().clone()))
    }

    /// Enters `room` as `user` (leaving any room the socket was in) and sends the snapshot of
    /// what follows `since`.
    pub(super) async fn open<P: Protocol>(
        &mut self,
        proto: &mut P,
        room: RoomId,
        user: UserId,
        since: Seq,
    ) -> Step {
        self.detach().await;
        let Some(member_seat) = self.live.members.take(&user, self.limits().max_sockets_per_member) else {
            return Step::Lost(AppError::TooManyConnections);
        };
        if let Err(err) = self.backend().touch(&room, &user, &self.link.id).await {
            return Step::Lost(err.into());
        }
        // The socket now says whether the member is here: the page view that opened it stops
        // counting, so closing the tab takes the member offline at once, not a presence TTL
        // later.
        if let Err(err) = self.backend().disconnect(&room, &user, &ConnId::page()).await {
            tracing::debug!(%room, error = %err, "page presence not handed to the socket");
        }
        let sitter = Sitter { user, link: self.link.clone() };
        let subscribed = match self.live.hub.subscribe(&room, sitter).await {
            Ok(subscribed) => subscribed,
            Err(err) => return Step::Lost(err.into()),
        };
        // The room's hub beats for it from now on.
        self.heartbeat = None;
        let pos = StreamPos { last_seq: since, member_version: 0 };
        let (events, beat_seat) = (subscribed.events, subscribed.seat);
        self.attached = Some(Attached { room, events, pos, _member_seat: member_seat, beat_seat });
        self.snapshot(proto, false).await
    }

    /// Leaves the room without telling the backend (the room or membership is gone already).
    pub(super) fn forget_room(&mut self) {
        if self.attached.take().is_some() {
            self.alone();
        }
    }

    /// In no room now: the socket beats by itself again.
    fn alone(&mut self) {
        self.alone_since = Instant::now();
        self.heartbeat = Some(heartbeat(self.backend(), None, None));
    }

    /// Leaves the room: this connection goes offline there.
    pub(super) async fn detach(&mut self) {
        let Some(a) = self.attached.take() else { return };
        self.alone();
        if let Err(err) = self.backend().disconnect(&a.room, a.user(), &self.link.id).await {
            tracing::debug!(room = %a.room, error = %err, "disconnect after the socket left");
        }
    }

    /// Sends the room's state as the protocol renders it and moves the position to it.
    pub(super) async fn snapshot<P: Protocol>(&mut self, proto: &mut P, resync: bool) -> Step {
        let Some(a) = &self.attached else { return Step::Go };
        let (room, user, span) = (a.room.clone(), a.user().clone(), proto.snapshot_span(a.pos));
        let (history, after) = match span {
            Span::After(after) => (self.backend().history(&room, after).await, after),
            Span::LastPage(limit) => (self.backend().history_page(&room, Seq::MAX, limit).await, 0),
        };
        let (mut state, history) = match (self.backend().room(&room).await, history) {
            (Ok(state), Ok(history)) => (state, history),
            (Err(err), _) | (_, Err(err)) => return Step::Lost(err.into()),
        };
        // A big room's sockets beat spread over the period, not all in the room's instant.
        if !resync && !state.lists_everyone() {
            self.heartbeat = Some(heartbeat(self.backend(), Some(&room), Some(&user)));
            if let Some(a) = &self.attached {
                a.beat_seat.beats_by_itself();
            }
        }
        // A big room's snapshot lists up to a page of members: the socket's own is always in it.
        if !state.members.iter().any(|m| m.user == user) {
            match self.backend().member(&room, &user).await {
                Ok(me) => state.members.push(me),
                Err(err) => return Step::Lost(err.into()),
            }
        }
        // One flush per frame: the write buffer never holds more than one of them.
        for frame in proto.snapshot(&state, &user, &history, resync) {
            if let Step::Stop(exit) = self.send(frame).await {
                return Step::Stop(exit);
            }
        }
        if let Some(a) = &mut self.attached {
            a.pos = StreamPos { last_seq: history.last_seq(after), member_version: state.member_version };
        }
        Step::Go
    }

    /// Spends one of the socket's joins: refused once the allowance is used up, saying when
    /// the next one is allowed. (Messages spend the member's allowance, kept by the backend.)
    pub(super) fn spend(&mut self) -> Result<(), AppError> {
        self.bucket.try_take().map_err(|wait| {
            metrics().limited_messages.increment(1);
            AppError::RateLimited(retry_secs(wait))
        })
    }

    /// Tells the room the socket's member is typing (at most every [`TYPING_EVERY`]; more
    /// often is dropped, and so is a failure: typing notices are best effort).
    pub(super) async fn typing(&mut self) {
        let Some(a) = &self.attached else { return };
        if self.typed_at.is_some_and(|at| at.elapsed() < TYPING_EVERY) {
            return;
        }
        self.typed_at = Some(Instant::now());
        if let Err(err) = self.live.app.backend.typing(&a.room, a.user()).await {
            tracing::debug!(room = %a.room, error = %err, "typing notice not sent");
        }
    }
}
