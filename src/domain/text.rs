//! User-typed text: display names and messages, parsed once at the edge.

use std::fmt;

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
    /// The message was empty after trimming.
    #[error("message is empty")]
    MessageEmpty,
    /// The message is longer than the limit.
    #[error("message is too long")]
    MessageTooLong,
}

impl TextError {
    /// The limit the refused text broke, for the `{max}` of its message.
    pub fn limit(self, limits: &Limits) -> usize {
        match self {
            TextError::NameRequired | TextError::NameTooLong | TextError::NameInvalid => {
                limits.max_name_chars
            }
            TextError::MessageEmpty | TextError::MessageTooLong => limits.max_message_chars,
        }
    }
}

/// A display name: 1–`max_name_chars` characters after trimming, no control characters.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims `raw` and checks it against `limits`.
    pub fn parse(raw: &str, limits: &Limits) -> Result<Self, TextError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(TextError::NameRequired);
        }
        if name.chars().any(char::is_control) {
            return Err(TextError::NameInvalid);
        }
        if name.chars().count() > limits.max_name_chars {
            return Err(TextError::NameTooLong);
        }
        Ok(Self(name.to_owned()))
    }

    /// Rebuilds a name the backend stored; it was parsed when it came in.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    /// The comparison key for "is this name taken": case-insensitive, so `Alice` and `alice`
    /// cannot both be online in one room.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The name as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `name 2`, `name 3`, …: the name a returning member gets when someone present took theirs.
    pub fn with_suffix(&self, n: u32) -> Self {
        Self(format!("{} {n}", self.0))
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
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
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  홍길동 ", &limits()).map(|n| n.0), Ok("홍길동".into()));
        assert_eq!(DisplayName::parse("   ", &limits()), Err(TextError::NameRequired));
        assert_eq!(DisplayName::parse(&"가".repeat(32), &limits()).map(|n| n.0.chars().count()), Ok(32));
        assert_eq!(DisplayName::parse(&"가".repeat(33), &limits()), Err(TextError::NameTooLong));
        assert_eq!(DisplayName::parse("a\u{0}b", &limits()), Err(TextError::NameInvalid));
        assert_eq!(DisplayName::parse("a\nb", &limits()), Err(TextError::NameInvalid));
    }

    #[test]
    fn name_keys_ignore_case() {
        let a = DisplayName::parse("Alice", &limits()).unwrap();
        let b = DisplayName::parse("alice", &limits()).unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.with_suffix(2).as_str(), "Alice 2");
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
