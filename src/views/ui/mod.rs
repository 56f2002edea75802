//! The interface's own words in each supported language (one table: `strings.rs`). Error
//! messages come from the catalogue (`error_info`); these are the labels around them.

use crate::catalog::Locales;

/// A language the interface is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiLang {
    /// English (default).
    En,
    /// Korean.
    Ko,
}

impl UiLang {
    /// Every interface language; the index is used for per-language render caches.
    pub const ALL: [UiLang; 2] = [UiLang::En, UiLang::Ko];

    /// The first preference the interface is written in, else English.
    pub fn pick(locales: &Locales) -> Self {
        locales
            .tags()
            .iter()
            .find_map(|tag| match tag.split('-').next() {
                Some("en") => Some(UiLang::En),
                Some("ko") => Some(UiLang::Ko),
                _ => None,
            })
            .unwrap_or(UiLang::En)
    }

    /// Position in [`UiLang::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The interface strings.
    pub fn ui(self) -> &'static Ui {
        match self {
            UiLang::En => &EN,
            UiLang::Ko => &KO,
        }
    }
}

/// An interface string: compiled in, or read from a translation.
pub type Text = std::borrow::Cow<'static, str>;

/// Where an interface string shows and what translators should know about it.
#[derive(Clone, Copy, Debug)]
pub struct UiKey {
    /// The key (a field of [`Ui`]).
    pub key: &'static str,
    /// Where it shows: `page`, `home`, `invite`, `chat`, `composer`, `messages`, `notices`,
    /// `status`, `errors`, `dates`, `notify`, `owner`.
    pub group: &'static str,
    /// A line of context for translators.
    pub note: &'static str,
}

/// Defines [`Ui`] (one field per string), [`KEYS`], and the English and Korean texts, from
/// the one table in `strings.rs`.
macro_rules! ui_strings {
    ($( $group:ident { $( #[doc = $note:literal] $key:ident: $en:literal / $ko:literal, )+ } )+) => {
        /// Interface strings. `{name}`-style placeholders are filled by the caller.
        #[derive(Clone, Debug)]
        pub struct Ui {
            $( $( #[doc = $note] pub $key: Text, )+ )+
        }

        /// Every interface string, grouped by where it shows, in the order translators see them.
        pub const KEYS: &[UiKey] = &[
            $( $( UiKey { key: stringify!($key), group: stringify!($group), note: $note }, )+ )+
        ];

        /// English, the interface's own language and the last fallback.
        pub(super) static EN: Ui = Ui { $( $( $key: Text::Borrowed($en), )+ )+ };

        /// Korean.
        pub(super) static KO: Ui = Ui { $( $( $key: Text::Borrowed($ko), )+ )+ };

        impl Ui {
            /// The string named `key`.
            pub fn text(&self, key: &str) -> Option<&str> {
                match key {
                    $( $( stringify!($key) => Some(&self.$key), )+ )+
                    _ => None,
                }
            }

            /// The interface in texts from `found` (a translation), each string it lacks taken
            /// from `fallback`.
            pub fn with_texts(fallback: &Ui, found: impl Fn(&str) -> Option<String>) -> Ui {
                Ui {
                    $( $( $key: found(stringify!($key)).map_or_else(|| fallback.$key.clone(), Text::Owned), )+ )+
                }
            }
        }
    };
}

mod strings;

use strings::{EN, KO};
pub use strings::{KEYS, Ui};

impl Ui {
    /// The name of the `i`th day of the week, Monday first.
    pub fn weekday(&self, i: usize) -> &str {
        let days = [
            &self.weekday_mon,
            &self.weekday_tue,
            &self.weekday_wed,
            &self.weekday_thu,
            &self.weekday_fri,
            &self.weekday_sat,
            &self.weekday_sun,
        ];
        days[i % 7]
    }

    /// The name of the `i`th month, January first.
    pub fn month(&self, i: usize) -> &str {
        let months = [
            &self.month_jan,
            &self.month_feb,
            &self.month_mar,
            &self.month_apr,
            &self.month_may,
            &self.month_jun,
            &self.month_jul,
            &self.month_aug,
            &self.month_sep,
            &self.month_oct,
            &self.month_nov,
            &self.month_dec,
        ];
        months[i % 12]
    }
}

/// Replaces `{key}` in `template` with `value`.
pub fn fill(template: &str, key: &str, value: &str) -> String {
    template.replace(&format!("{{{key}}}"), value)
}

/// A duration for people: `24 hours`, `30 minutes`, `7 days` (or `24시간` …).
pub fn human_duration(d: std::time::Duration, lang: UiLang) -> String {
    let secs = d.as_secs();
    let (n, en_unit, ko_unit) = if secs.is_multiple_of(86_400) && secs >= 86_400 * 2 {
        (secs / 86_400, "days", "일")
    } else if secs.is_multiple_of(3600) && secs >= 3600 {
        (secs / 3600, if secs == 3600 { "hour" } else { "hours" }, "시간")
    } else if secs.is_multiple_of(60) && secs >= 60 {
        (secs / 60, if secs == 60 { "minute" } else { "minutes" }, "분")
    } else {
        (secs, if secs == 1 { "second" } else { "seconds" }, "초")
    };
    match lang {
        UiLang::En => format!("{n} {en_unit}"),
        UiLang::Ko => format!("{n}{ko_unit}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{placeholders}` of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> =
            text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_string_has_a_group_a_note_and_both_languages_with_the_same_placeholders() {
        let mut seen = std::collections::HashSet::new();
        for key in KEYS {
            assert!(seen.insert(key.key), "{} twice", key.key);
            assert!(!key.note.is_empty() && !key.group.is_empty(), "{}", key.key);
            let (en, ko) = (EN.text(key.key).unwrap(), KO.text(key.key).unwrap());
            assert!(!en.is_empty() && !ko.is_empty(), "{}", key.key);
            assert_eq!(placeholders(en), placeholders(ko), "{}: {en} / {ko}", key.key);
        }
        assert!(KEYS.len() > 100);
        assert_eq!(EN.text("nothing"), None);
        assert_eq!((EN.weekday(0), KO.month(11)), ("Monday", "12월"));
        // A translation that lacks strings falls back, string by string.
        let partial = Ui::with_texts(&EN, |key| (key == "send").then(|| "送信".to_owned()));
        assert_eq!((&*partial.send, &*partial.leave), ("送信", "Leave room"));
    }
}
