//! The connection loop both socket protocols run on (docs/protocol.md): room events out,
//! client frames in, heartbeats, shutdown. A protocol (`html.rs`, `json.rs`) implements
//! [`Protocol`]: how it renders snapshots and refusals, what it does with a client's frame and
//! when its room is lost; everything else is shared (`conn.rs`, `socket.rs`).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::broadcast::error::RecvError;

use super::conn::{Attached, Conn};
use super::hub::Outgoing;
use super::socket::{CLOSE_POLICY, CLOSE_RESTART, until};
use crate::backend::{History, RoomSnapshot};
use crate::domain::{RoomId, Seq, StreamPos, UserId};
use crate::web::error::AppError;

/// What the connection loop does next.
pub(super) enum Step {
    /// Carry on.
    Go,
    /// Send a fresh snapshot of the room.
    Resync,
    /// Tell the user why something was refused; the socket goes on.
    Refuse(AppError),
    /// The room, the membership or the backend failed; the protocol decides what follows.
    Lost(AppError),
    /// The socket is done.
    Stop(Exit),
    /// Enter this room as this member (how a browser's socket starts).
    Enter(RoomId, UserId),
}

/// Why the connection loop ended.
pub(super) enum Exit {
    /// The client went away, or the socket was closed on purpose.
    Gone,
    /// The server is shutting down.
    Shutdown,
    /// The socket stayed in no room past the grace period.
    Unjoined,
}

/// What becomes of a socket whose room failed.
pub(super) enum Lost {
    /// Report the error and keep the room (the failure may pass).
    Report,
    /// Report the error and go on without the room.
    Detach,
    /// Send this frame and close with this code and reason.
    Close(String, u16, &'static str),
}

/// The history a snapshot holds.
#[derive(Clone, Copy, Debug)]
pub(super) enum Span {
    /// Everything after this sequence number (a program resuming).
    After(Seq),
    /// The newest page of this many entries (a browser; earlier pages load on request).
    LastPage(usize),
}

/// One socket protocol: how it renders snapshots and refusals and what it does with a frame
/// from the client. Room events render through `Outgoing::frame` in the socket's format.
pub(super) trait Protocol: Send {
    /// The history a snapshot holds, given the socket's position.
    fn snapshot_span(&self, pos: StreamPos) -> Span;
    /// The frames of a snapshot of `room` for member `me`.
    fn snapshot(&self, room: &RoomSnapshot, me: &UserId, history: &History, resync: bool) -> Vec<String>;
    /// Handles one text frame from the client.
    fn receive(&mut self, conn: &mut Conn, text: &str) -> impl Future<Output = Step> + Send;
    /// The frame telling the user about `err`, whose localized text is `message`.
    fn refusal(&mut self, err: &AppError, message: &str) -> String;
    /// What happens when the room failed with `err`.
    fn lost(&mut self, err: &AppError, message: &str) -> Lost;
}

impl Conn {
    /// Does what `step` says until the loop may wait again; `Some` when the socket is done.
    async fn settle<P: Protocol>(&mut self, proto: &mut P, mut step: Step) -> Option<Exit> {
        loop {
            step = match step {
                Step::Go => return None,
                Step::Stop(exit) => return Some(exit),
                Step::Resync => self.snapshot(proto, true).await,
                Step::Enter(room, user) => self.open(proto, room, user, 0).await,
                Step::Refuse(err) => {
                    let frame = proto.refusal(&err, &self.message(&err));
                    self.send(frame).await
                }
                Step::Lost(err) => {
                    if let AppError::Unavailable(detail) = &err {
                        tracing::warn!(%detail, "live socket backend failure");
                    }
                    let message = self.message(&err);
                    match proto.lost(&err, &message) {
                        Lost::Report => Step::Refuse(err),
                        Lost::Detach => {
                            self.forget_room();
                            Step::Refuse(err)
                        }
                        Lost::Close(frame, code, reason) => {
                            let _ = self.send(frame).await;
                            self.close(code, reason).await;
                            Step::Stop(Exit::Gone)
                        }
                    }
                }
            };
        }
    }

    /// The connection loop: room events out, client frames in, heartbeats, until the client
    /// goes, the protocol stops, or the server shuts down. `step` is what to do first.
    ///
    /// An idle socket's task holds this loop's state for as long as it is open, so it is kept
    /// small (docs/performance.md, "A socket's resting size"): not an `async fn`, whose
    /// arguments the compiler keeps twice (as passed, and moved into the body), but a block
    /// that uses what it captured; what runs seldom (a client's frame, the socket's own
    /// heartbeat, a step other than `Go`, the goodbye) runs boxed, so its state takes memory
    /// only while it runs.
    #[expect(clippy::manual_async_fn, reason = "an async fn would hold its arguments twice")]
    pub(super) fn run<P: Protocol>(
        mut self,
        mut proto: P,
        mut step: Step,
    ) -> impl Future<Output = ()> + Send {
        async move {
            let mut shutdown = self.live.app.shutdown.clone();
            let shutdown = async move {
                let _ = shutdown.wait_for(|down| *down).await;
            };
            tokio::pin!(shutdown);
            let grace = self.limits().unjoined_grace;
            let exit = loop {
                if !matches!(step, Step::Go)
                    && let Some(exit) = Box::pin(self.settle(&mut proto, step)).await
                {
                    break exit;
                }
                // The end of an unjoined socket's grace period.
                let unjoined = self.attached.is_none().then_some(self.alone_since + grace);
                step = tokio::select! {
                    event = next_event(&mut self.attached) => match event {
                        Ok(first) => self.deliver(first).await,
                        Err(RecvError::Lagged(_)) => Step::Resync,
                        Err(RecvError::Closed) => Step::Lost(AppError::RoomNotFound),
                    },
                    frame = self.ws.recv() => Box::pin(self.received(frame, &mut proto)).await,
                    () = own_tick(&mut self.heartbeat) => Box::pin(self.beat()).await,
                    () = until(unjoined) => {
                        Step::Stop(Exit::Unjoined)
                    }
                    () = &mut shutdown => Step::Stop(Exit::Shutdown),
                };
            };
            Box::pin(self.goodbye(exit)).await;
        }
    }

    /// Leaves the room and closes the socket as `exit` says.
    async fn goodbye(mut self, exit: Exit) {
        self.detach().await;
        match exit {
            Exit::Gone => {}
            Exit::Shutdown => self.close(CLOSE_RESTART, "server restarting").await,
            Exit::Unjoined => self.close(CLOSE_POLICY, "no room joined").await,
        }
    }
}

/// The socket's own heartbeat tick; never, while its room's hub beats for it.
async fn own_tick(heartbeat: &mut Option<tokio::time::Interval>) {
    match heartbeat {
        Some(tick) => {
            tick.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// The next event of the socket's room; never, while it is in none.
async fn next_event(attached: &mut Option<Attached>) -> Result<Arc<Outgoing>, RecvError> {
    match attached {
        Some(a) => a.events.recv().await,
        None => std::future::pending().await,
    }
}
