//! What a socket's member sends into their room: messages and actions on messages, checked
//! like the forms check them (`src/web/actions.rs`) and stored through the backend.

use super::conn::Conn;
use super::hub::Format;
use crate::backend::BackendError;
use crate::domain::{ClientMsgId, MessageText, Seq};
use crate::metrics::metrics;
use crate::web::actions::{ActionKind, perform};
use crate::web::error::AppError;

impl Conn {
    /// Stores a message from the client in the socket's room (a reply when `reply_to` names
    /// the message it answers).
    pub(super) async fn post(
        &mut self,
        text: &str,
        client_id: Option<&str>,
        reply_to: Option<Seq>,
    ) -> Result<(), AppError> {
        let limits = &self.live.app.config.limits;
        let text = MessageText::parse(text, limits).map_err(|err| AppError::invalid(err, "text", limits))?;
        let Some(a) = &self.attached else { return Err(AppError::NotAMember) };
        let client_id = client_id.and_then(ClientMsgId::parse);
        // A message ends a bout of typing (readers drop the notice when it arrives): the next
        // one goes out at once.
        self.typed_at = None;
        let backend = &self.live.app.backend;
        let posted = match backend.mentions(&a.room, &text).await {
            Ok(mentions) => backend.post(&a.room, a.user(), text, mentions, client_id, reply_to).await,
            Err(err) => Err(err),
        };
        match posted {
            Ok(_) => {
                let counter = match self.format {
                    Format::Html(_) => &metrics().html_messages_in,
                    Format::Json => &metrics().json_messages_in,
                };
                counter.increment(1);
                Ok(())
            }
            Err(err) => {
                match err {
                    BackendError::Unavailable(_) => {
                        tracing::warn!(room = %a.room, error = %err, "message not stored")
                    }
                    BackendError::RateLimited(_) => metrics().limited_messages.increment(1),
                    _ => {}
                }
                Err(err.into())
            }
        }
    }

    /// Edits, deletes or reacts to message `target` for the socket's member (docs/messages.md);
    /// `text` is the new text or the emoji.
    pub(super) async fn act(&mut self, kind: ActionKind, target: Seq, text: &str) -> Result<(), AppError> {
        let Some(a) = &self.attached else { return Err(AppError::NotAMember) };
        let (backend, limits) = (self.live.app.backend.as_ref(), &self.live.app.config.limits);
        let done = perform(backend, limits, &a.room, a.user(), kind, target, text).await;
        if let Err(AppError::RateLimited(_)) = done {
            metrics().limited_messages.increment(1);
        }
        done
    }
}
