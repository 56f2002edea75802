//! User-typed text: messages (display names are `name.rs`), parsed once at the edge, and why
//! either was refused.

use super::Limits;

/// Why a piece of user text was refused. Each maps to one localized error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// The name was empty after trimming.
    #[error("name is required")]
    NameRequired,
    /// The name is longer than the limit.
    #[error("name is too long")]
    NameTooLong,
    /// The name holds control characters.
    #[error("name holds control characters")]
    NameInvalid,
    /// The name holds characters that hide or reorder text, or nothing visible at all.
    #[error("name holds invisible or direction-changing characters")]
    NameInvisible,
    /// The message was empty after trimming.
    #[error("message is empty")]
    MessageEmpty,
    /// The message is longer than the limit.
    #[error("message is too long")]
    MessageTooLong,
    /// The room's name is longer than the limit.
    #[error("room name is too long")]
    RoomNameTooLong,
    /// The room's topic is longer than the limit.
    #[error("topic is too long")]
    TopicTooLong,
}

impl TextError {
    /// The limit the refused text broke, for the `{max}` of its message.
    pub fn limit(self, limits: &Limits) -> usize {
        match self {
            TextError::NameRequired
            | TextError::NameTooLong
            | TextError::NameInvalid
            | TextError::NameInvisible => limits.max_name_chars,
            TextError::MessageEmpty | TextError::MessageTooLong => limits.max_message_chars,
            TextError::RoomNameTooLong => limits.max_room_name_chars,
            TextError::TopicTooLong => limits.max_topic_chars,
        }
    }
}

/// A chat message: line breaks normalized to `\n`, other control characters dropped, trimmed,
/// 1–`max_message_chars` characters.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(transparent)]
pub struct MessageText(String);

impl MessageText {
    /// Normalizes `raw` and checks it against `limits`.
    pub fn parse(raw: &str, limits: &Limits) -> Result<Self, TextError> {
        let cleaned: String = raw
            .replace("\r\n", "\n")
            .chars()
            .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
            .collect();
        let text = cleaned.trim();
        if text.is_empty() {
            return Err(TextError::MessageEmpty);
        }
        if text.chars().count() > limits.max_message_chars {
            return Err(TextError::MessageTooLong);
        }
        Ok(Self(text.to_owned()))
    }

    /// Rebuilds a message the backend stored; it was parsed when it came in.
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    #[test]
    fn messages_are_normalized_and_bounded() {
        let m = MessageText::parse(" hi\r\nthere\u{7}\t! ", &limits()).unwrap();
        assert_eq!(m.as_str(), "hi\nthere\t!");
        assert_eq!(MessageText::parse(" \n\t", &limits()), Err(TextError::MessageEmpty));
        assert!(MessageText::parse(&"x".repeat(2000), &limits()).is_ok());
        assert_eq!(MessageText::parse(&"x".repeat(2001), &limits()), Err(TextError::MessageTooLong));
        assert_eq!(MessageText::parse("<script>", &limits()).unwrap().as_str(), "<script>");
    }
}
