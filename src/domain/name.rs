//! Display names people can trust (docs/security.md): trimmed, inner whitespace collapsed,
//! canonically composed; no control characters, nothing that hides or reorders text, something
//! visible; compared by a key that folds case, compatibility forms and look-alikes, so
//! `Alice`, `ALICE`, `Ａｌｉｃｅ` and `Аlice` (Cyrillic А) are one name in a room.

use std::fmt;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::skeleton;

use super::{Limits, TextError};

/// Joiners and emoji variation selectors: invisible, but part of how some scripts and emoji
/// are written. Allowed in names; the key drops them, so they cannot make a copy of a name.
pub(super) const WRITING_JOINERS: [char; 4] = ['\u{200C}', '\u{200D}', '\u{FE0E}', '\u{FE0F}'];

/// Blank characters that are neither white space nor default-ignorable.
const BLANK: [char; 1] = ['\u{2800}'];

/// Whether `c` is a default-ignorable code point (Unicode's invisible characters: bidi
/// controls, zero-width characters, fillers, tags): the UTS #39 skeleton drops exactly those.
pub(super) fn ignorable(c: char) -> bool {
    let mut buf = [0; 4];
    skeleton(c.encode_utf8(&mut buf)).next().is_none()
}

pub(super) fn visible(c: char) -> bool {
    !c.is_whitespace() && !is_combining_mark(c) && !ignorable(c) && !BLANK.contains(&c)
}

/// A display name, as checked by [`DisplayName::parse`].
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    /// Checks `raw` against the rules and `limits`: white space trimmed and runs of it made one
    /// space, composed (NFC); refused with control characters, with invisible characters other
    /// than the joiners scripts need, without a visible character, or over the length limit.
    pub fn parse(raw: &str, limits: &Limits) -> Result<Self, TextError> {
        if raw.chars().any(char::is_control) {
            return Err(TextError::NameInvalid);
        }
        let name: String = raw.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
        if name.is_empty() {
            return Err(TextError::NameRequired);
        }
        if name.chars().any(|c| ignorable(c) && !WRITING_JOINERS.contains(&c)) || !name.chars().any(visible) {
            return Err(TextError::NameInvisible);
        }
        if name.chars().count() > limits.max_name_chars {
            return Err(TextError::NameTooLong);
        }
        Ok(Self(name))
    }

    /// Rebuilds a name the backend stored; it was parsed when it came in.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    /// The comparison key for "is this name taken": the UTS #39 skeleton of the compatibility-
    /// normalized, lower-cased name. Names that differ only in case, width, composition,
    /// joiners or look-alike letters of other scripts get one key.
    pub fn key(&self) -> String {
        let folded: String = self.0.nfkc().collect::<String>().to_lowercase();
        skeleton(&folded).collect()
    }

    /// The name as typed (trimmed, spaces collapsed, composed).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<String, TextError> {
        DisplayName::parse(raw, &Limits::default()).map(|n| n.0)
    }

    fn key(raw: &str) -> String {
        DisplayName::parse(raw, &Limits::default()).unwrap().key()
    }

    #[test]
    fn names_are_trimmed_collapsed_and_bounded() {
        assert_eq!(parse("  홍길동 "), Ok("홍길동".into()));
        assert_eq!(parse("Bob \u{3000}  Smith"), Ok("Bob Smith".into()));
        assert_eq!(parse("   "), Err(TextError::NameRequired));
        assert_eq!(parse(&"가".repeat(32)).map(|n| n.chars().count()), Ok(32));
        assert_eq!(parse(&"가".repeat(33)), Err(TextError::NameTooLong));
        assert_eq!(parse("a\u{0}b"), Err(TextError::NameInvalid));
        assert_eq!(parse("a\nb"), Err(TextError::NameInvalid));
        assert_eq!(parse("Jose\u{301}"), Ok("Jos\u{e9}".into()), "stored composed");
    }

    #[test]
    fn invisible_and_reordering_characters_are_refused() {
        for raw in [
            "Alice\u{200B}",
            "\u{202E}ecilA",
            "a\u{2066}b",
            "\u{200B}\u{2060}",
            "\u{3164}",
            "\u{2800}",
            "\u{301}",
        ] {
            assert_eq!(parse(raw), Err(TextError::NameInvisible), "{raw:?}");
        }
        // Joiners that scripts and emoji need are fine.
        assert!(parse("\u{1F469}\u{200D}\u{1F4BB} Kim").is_ok());
        assert!(parse("\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}").is_ok());
        assert!(parse("Ann \u{2764}\u{FE0F}").is_ok());
    }

    #[test]
    fn keys_fold_case_width_composition_and_look_alikes() {
        let alice = key("Alice");
        for same in ["alice", "ALICE", "Ａｌｉｃｅ", "\u{410}lice", "Alic\u{435}", "Alice\u{200D}"] {
            assert_eq!(key(same), alice, "{same:?}");
        }
        assert_eq!(key("Jos\u{e9}"), key("Jose\u{301}"));
        assert_ne!(key("Alice"), key("Alicia"));
        assert_eq!(key("Alice").len(), "alice".len());
        assert_eq!(
            DisplayName::parse("Alice", &Limits::default()).unwrap().with_suffix(2).as_str(),
            "Alice 2"
        );
    }
}
