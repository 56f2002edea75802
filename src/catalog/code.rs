//! Error codes and their built-in English text, compiled into the binary so errors render even
//! when the database is down (docs/translating.md).

macro_rules! error_codes {
    ($(#[doc = $note:literal] $variant:ident = $code:literal => $text:literal,)+) => {
        /// A user-visible error. The text shown comes from `error_info` in the viewer's locale.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $note] $variant,)+
        }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as stored in `error_info.code` and sent to programs.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The built-in English text, the last step of the fallback chain.
            pub fn builtin(self) -> &'static str {
                match self { $(ErrorCode::$variant => $text,)+ }
            }

            /// When it is shown (its HTTP status first), for translators.
            pub fn note(self) -> &'static str {
                match self { $(ErrorCode::$variant => $note.trim_start(),)+ }
            }
        }
    };
}

error_codes! {
    /// 404: the room does not exist or expired.
    RoomNotFound = "ROOM_NOT_FOUND" => "This room does not exist or has expired.",
    /// 404: no such page.
    PageNotFound = "PAGE_NOT_FOUND" => "This page does not exist.",
    /// 400: input that could not be understood at all.
    ValidationError = "VALIDATION_ERROR" => "The request could not be understood. Please check it and try again.",
    /// 422: empty display name.
    NameRequired = "NAME_REQUIRED" => "Please enter a name.",
    /// 422: display name over the limit (`{max}`).
    NameTooLong = "NAME_TOO_LONG" => "A name can be at most {max} characters.",
    /// 422: display name with control characters.
    NameInvalid = "NAME_INVALID" => "A name cannot contain control characters.",
    /// 422: display name with invisible or direction-changing characters, or nothing visible.
    NameInvisible = "NAME_INVISIBLE" => "A name needs visible letters, and cannot contain invisible or direction-changing characters.",
    /// 422: empty message.
    MessageEmpty = "MESSAGE_EMPTY" => "Type a message first.",
    /// 422: message over the limit (`{max}`).
    MessageTooLong = "MESSAGE_TOO_LONG" => "A message can be at most {max} characters.",
    /// 403: acting in a room one has not joined.
    NotAMember = "NOT_A_MEMBER" => "You are not a member of this room. Join it first.",
    /// 401: the browser's session is gone (expired, or the server restarted).
    SessionExpired = "SESSION_EXPIRED" => "Your session has expired. Join the room again.",
    /// 429: sending too fast (`{seconds}` until the next message is accepted).
    RateLimited = "RATE_LIMITED" => "You are sending too fast. Try again in {seconds} s.",
    /// 503: the shared state cannot be reached.
    ServiceUnavailable = "SERVICE_UNAVAILABLE" => "The service is temporarily unavailable. Please try again shortly.",
    /// 500: a fault on the server's side.
    InternalError = "INTERNAL_ERROR" => "Something went wrong on our side. Please try again.",
    /// 409: a present member already uses the name, or one that looks the same.
    NameTaken = "NAME_TAKEN" => "Someone in this room is already using that name, or one that looks just like it. Pick another.",
    /// 403: a form without a valid CSRF token (usually an old tab).
    FormExpired = "FORM_EXPIRED" => "This form has expired. Please submit it again.",
    /// 403: a request from a foreign origin.
    Forbidden = "FORBIDDEN" => "This request is not allowed.",
    /// 429: a member has as many live sockets open as allowed.
    TooManyConnections = "TOO_MANY_CONNECTIONS" => "Too many connections are open for you. Close some tabs or windows and try again.",
    /// 422: room name over the limit (`{max}`).
    RoomNameTooLong = "ROOM_NAME_TOO_LONG" => "A room name can be at most {max} characters.",
    /// 422: room topic over the limit (`{max}`).
    TopicTooLong = "TOPIC_TOO_LONG" => "A topic can be at most {max} characters.",
    /// 403: something only the room's owner may do.
    NotRoomOwner = "NOT_ROOM_OWNER" => "Only the room's owner can do that.",
    /// 403: the room is locked; no one new can join.
    RoomLocked = "ROOM_LOCKED" => "This room is locked: no one new can join it right now.",
    /// 403: the owner removed this browser from the room.
    RemovedFromRoom = "REMOVED_FROM_ROOM" => "The room's owner removed you from this room.",
    /// 410: the owner ended the room.
    RoomEnded = "ROOM_ENDED" => "The owner ended this room.",
    /// 404: the message acted on or answered is gone (deleted, or out of history).
    MessageNotFound = "MESSAGE_NOT_FOUND" => "That message is no longer here: it was deleted or has scrolled out of the room's history.",
    /// 403: changing someone else's message.
    NotYourMessage = "NOT_YOUR_MESSAGE" => "Only its author can change that message (the room's owner can delete any message).",
    /// 403: editing after the edit window (`{minutes}`).
    EditWindowPassed = "EDIT_WINDOW_PASSED" => "This message can no longer be edited: messages can be edited for {minutes} minutes after sending.",
    /// 422: a reaction that is not one emoji.
    InvalidReaction = "INVALID_REACTION" => "A reaction is a single emoji.",
    /// 422: a message with as many reactions as it may carry.
    TooManyReactions = "TOO_MANY_REACTIONS" => "This message has as many reactions as it can hold.",
}

impl From<crate::domain::TextError> for ErrorCode {
    fn from(err: crate::domain::TextError) -> Self {
        use crate::domain::TextError;
        match err {
            TextError::NameRequired => ErrorCode::NameRequired,
            TextError::NameTooLong => ErrorCode::NameTooLong,
            TextError::NameInvalid => ErrorCode::NameInvalid,
            TextError::NameInvisible => ErrorCode::NameInvisible,
            TextError::MessageEmpty => ErrorCode::MessageEmpty,
            TextError::MessageTooLong => ErrorCode::MessageTooLong,
            TextError::RoomNameTooLong => ErrorCode::RoomNameTooLong,
            TextError::TopicTooLong => ErrorCode::TopicTooLong,
        }
    }
}

impl ErrorCode {
    /// The `{placeholders}` the message of this code must keep in every locale.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            ErrorCode::NameTooLong
            | ErrorCode::MessageTooLong
            | ErrorCode::RoomNameTooLong
            | ErrorCode::TopicTooLong => &["max"],
            ErrorCode::RateLimited => &["seconds"],
            _ => &[],
        }
    }
}
