//! What flows through an open socket: room events out (batched, one flush per batch), the
//! client's frames in, and the heartbeats that keep it alive (docs/protocol.md).

use std::sync::Arc;

use axum::extract::ws::Message;
use futures_util::SinkExt;
use tokio::sync::broadcast::error::TryRecvError;
use tokio::time::Instant;

use super::conn::Conn;
use super::core::{Exit, Protocol, Step};
use super::hub::Outgoing;
use super::socket::{BATCH, Tally, ends_member};
use crate::domain::RoomEvent;
use crate::web::error::AppError;

impl Conn {
    /// Delivers `first` and whatever else is already waiting (up to [`BATCH`] events), then
    /// writes them with one flush: under load a socket gets several frames per write.
    pub(super) async fn deliver(&mut self, first: Arc<Outgoing>) -> Step {
        let Some(a) = &mut self.attached else { return Step::Go };
        let mut next = Ok(first);
        let mut step = Step::Go;
        let mut beat = false;
        let mut tally = Tally::default();
        for _ in 0..BATCH {
            let out = match next {
                Ok(out) => out,
                Err(TryRecvError::Lagged(_)) => {
                    step = Step::Resync;
                    break;
                }
                Err(_) => break,
            };
            match a.pos.admit(&out.event) {
                None => {
                    step = Step::Resync;
                    break;
                }
                Some(false) => {}
                // The room's end, or this member's: the socket cannot go on.
                Some(true) if let Some(err) = ends_member(&out.event, a.user()) => {
                    step = Step::Lost(err);
                    break;
                }
                // The room's heartbeat, for sockets without their own.
                Some(true) if matches!(*out.event, RoomEvent::Beat) => beat = self.heartbeat.is_none(),
                Some(true) if !self.wants_typing && matches!(*out.event, RoomEvent::Typing { .. }) => {}
                Some(true) if matches!(&*out.event, RoomEvent::Typing { user } if user == a.user()) => {}
                Some(true) => {
                    if let Some(frames) = out.frames(&self.format) {
                        // Queued, not flushed: one flush below for everything that was waiting.
                        for frame in frames {
                            if self.ws.feed(Message::Text(frame)).await.is_err() {
                                return Step::Stop(Exit::Gone);
                            }
                        }
                        tally.add(&out.event);
                    }
                }
            }
            next = a.events.try_recv();
        }
        if self.ws.flush().await.is_err() {
            return Step::Stop(Exit::Gone);
        }
        tally.written(&self.format);
        if beat && matches!(step, Step::Go) {
            return self.room_beat().await;
        }
        step
    }

    /// Handles what arrived from the client.
    pub(super) async fn received<P: Protocol>(
        &mut self,
        frame: Option<Result<Message, axum::Error>>,
        proto: &mut P,
    ) -> Step {
        self.link.heard();
        match frame {
            Some(Ok(Message::Text(text))) if text.len() > self.limits().max_frame_bytes => {
                let max = self.limits().max_message_chars.to_string();
                Step::Refuse(AppError::Invalid {
                    code: crate::catalog::ErrorCode::MessageTooLong,
                    field: "text",
                    args: vec![("max", max)],
                })
            }
            Some(Ok(Message::Text(text))) => proto.receive(self, &text).await,
            Some(Ok(Message::Binary(_))) => Step::Refuse(AppError::BadRequest("binary frame".into())),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Step::Go,
            Some(Ok(Message::Close(_)) | Err(_)) | None => Step::Stop(Exit::Gone),
        }
    }

    /// The socket's own heartbeat: gone if silent too long, else presence refreshed in the room.
    pub(super) async fn beat(&mut self) -> Step {
        if let Step::Stop(exit) = self.alive().await {
            return Step::Stop(exit);
        }
        let Some(a) = &self.attached else { return Step::Go };
        match self.live.app.backend.heartbeat(&a.room, a.user(), &self.link.id).await {
            Ok(()) => Step::Go,
            Err(err) => Step::Lost(err.into()),
        }
    }

    /// The room's heartbeat (its hub refreshed the presence): gone if silent too long, and
    /// whatever the refresh found for this socket.
    async fn room_beat(&mut self) -> Step {
        if let Step::Stop(exit) = self.alive().await {
            return Step::Stop(exit);
        }
        match self.attached.as_ref().and_then(|a| a.beat_seat.news()) {
            Some(err) => Step::Lost(err.into()),
            None => Step::Go,
        }
    }

    /// Closes a socket silent too long, pings a quiet one.
    async fn alive(&mut self) -> Step {
        let timing = self.live.hub.quiet();
        let quiet = self.link.quiet(Instant::now());
        if quiet > timing.limit {
            return Step::Stop(Exit::Gone);
        }
        // Heard from lately: evidently alive. Quieter: ping it; its pong counts as hearing from
        // it. (An idle socket is pinged every third heartbeat; one that stopped answering is
        // closed at the same beat as if pinged at every one.)
        if quiet >= timing.ping_after && self.ws.send(Message::Ping(Default::default())).await.is_err() {
            return Step::Stop(Exit::Gone);
        }
        Step::Go
    }
}
