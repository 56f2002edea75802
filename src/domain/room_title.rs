//! A room's name and topic (docs/rooms.md): one line each, written by its owner, shown in the
//! heading, the tab title and the invite page.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use super::TextError;
use super::name::{WRITING_JOINERS, ignorable, visible};

/// A room's name or topic: trimmed, white space (line breaks included) collapsed to single
/// spaces, composed (NFC), without control or invisible characters (other than the joiners
/// scripts need). Nothing visible left means none.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct RoomTitle(String);

impl RoomTitle {
    /// Cleans `raw`; `None` when nothing visible is left, `too_long` past `max` characters.
    pub fn parse(raw: &str, max: usize, too_long: TextError) -> Result<Option<Self>, TextError> {
        let kept: String = raw
            .chars()
            .filter(|c| !c.is_control() || c.is_whitespace())
            .filter(|c| !ignorable(*c) || WRITING_JOINERS.contains(c))
            .collect();
        let title: String = kept.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
        if !title.chars().any(visible) {
            return Ok(None);
        }
        if title.chars().count() > max {
            return Err(too_long);
        }
        Ok(Some(Self(title)))
    }

    /// Rebuilds a title the backend stored; it was parsed when it came in.
    pub fn from_stored(title: String) -> Self {
        Self(title)
    }

    /// The title.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a room is called and what it is about, both optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoomMeta {
    /// Its name, shown in the heading, the tab title and the invite page.
    pub name: Option<RoomTitle>,
    /// Its topic, shown under the name.
    pub topic: Option<RoomTitle>,
}

impl RoomMeta {
    /// The name, or empty for none.
    pub fn name_str(&self) -> &str {
        self.name.as_ref().map_or("", RoomTitle::as_str)
    }

    /// The topic, or empty for none.
    pub fn topic_str(&self) -> &str {
        self.topic.as_ref().map_or("", RoomTitle::as_str)
    }

    /// Both from storage, where empty means none.
    pub fn from_stored(name: String, topic: String) -> Self {
        let keep = |s: String| (!s.is_empty()).then(|| RoomTitle::from_stored(s));
        Self { name: keep(name), topic: keep(topic) }
    }
}

impl fmt::Debug for RoomTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Option<String>, TextError> {
        RoomTitle::parse(raw, 10, TextError::RoomNameTooLong).map(|t| t.map(|t| t.0))
    }

    #[test]
    fn titles_are_one_clean_line() {
        assert_eq!(parse("  Team\n lunch\t"), Ok(Some("Team lunch".into())));
        assert_eq!(parse("a\u{202E}b\u{200B}c\u{7}"), Ok(Some("abc".into())), "hidden characters dropped");
        assert_eq!(parse(" \u{200B} "), Ok(None), "nothing visible: no title");
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("12345678901"), Err(TextError::RoomNameTooLong));
        assert_eq!(parse("점심 모임"), Ok(Some("점심 모임".into())));
    }
}
