//! What a backend call can fail with.

use std::time::Duration;

use crate::domain::ActRefusal;

/// What a backend call can fail with. Each maps to one localized error code.
#[derive(Clone, Debug, thiserror::Error)]
pub enum BackendError {
    /// The room does not exist (never did, or expired).
    #[error("room not found")]
    RoomNotFound,
    /// The user is not (or no longer) a member of the room.
    #[error("not a member of the room")]
    NotAMember,
    /// A present member already uses that display name.
    #[error("name taken")]
    NameTaken,
    /// Only the room's owner may do that.
    #[error("not the room's owner")]
    NotOwner,
    /// The room is locked: no one new may join.
    #[error("room locked")]
    Locked,
    /// The message acted on or answered is not there (any more).
    #[error("message not found")]
    MessageGone,
    /// Only the message's author (for a deletion: or the room's owner) may do that.
    #[error("not the message's author")]
    NotAuthor,
    /// The message's edit window (this long after posting) has passed.
    #[error("edit window of {0:?} passed")]
    EditWindow(Duration),
    /// The message carries as many reactions as it may.
    #[error("too many reactions")]
    TooManyReactions,
    /// The allowance is used up; the next send is allowed after this long.
    #[error("rate limited for {0:?}")]
    RateLimited(Duration),
    /// The shared state cannot be reached; the caller should say so and retry later.
    #[error("backend unavailable: {0}")]
    Unavailable(String),
}

/// Result of a backend call.
pub type BackendResult<T> = Result<T, BackendError>;

impl BackendError {
    /// The error of an action refused for `refusal` in a backend whose edit window is `window`.
    pub fn refused(refusal: ActRefusal, window: Duration) -> Self {
        match refusal {
            ActRefusal::Gone => BackendError::MessageGone,
            ActRefusal::NotAuthor => BackendError::NotAuthor,
            ActRefusal::WindowPassed => BackendError::EditWindow(window),
            ActRefusal::TooManyReactions => BackendError::TooManyReactions,
        }
    }
}
