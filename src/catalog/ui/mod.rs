//! The interface's own words (docs/translating.md): one table of keys in `strings.rs` with the
//! English and Korean texts compiled in, and [`Ui`], one language's whole interface, built by
//! the catalogue from the `ui_text` rows translators edit (each missing string falling back to
//! the language's base, then English rows, then the compiled-in English). Error messages are
//! the `error_info` rows; these are the words around them.

mod pseudo;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use super::syntax::NumberRules;

use super::syntax::{Message, number_rules};
use crate::support::lock;
pub use pseudo::{PSEUDO_TAG, pseudo_text};
pub use strings::{KEYS, Ui};

/// An interface string: compiled in, or read from a translation.
pub type Text = std::borrow::Cow<'static, str>;

/// Where an interface string shows and what translators should know about it.
#[derive(Clone, Copy, Debug)]
pub struct UiKey {
    /// The key (a field of [`Ui`]).
    pub key: &'static str,
    /// Where it shows: `page`, `home`, `invite`, `chat`, `composer`, `messages`, `notices`,
    /// `status`, `errors`, `dates`, `notify`, `owner`, `translate`.
    pub group: &'static str,
    /// A line of context for translators.
    pub note: &'static str,
}

/// A language offered in the language menu: its tag and its own name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// BCP 47 tag, lowercase (`pt-br`).
    pub tag: String,
    /// The language's name in itself (`Português`).
    pub name: String,
}

/// The language an interface is written in: its tag, direction, plural rules, and the other
/// languages offered.
#[derive(Clone, Debug)]
pub struct Language {
    /// BCP 47 tag (`<html lang>`).
    pub tag: String,
    /// `ltr` or `rtl` (`<html dir>`).
    pub dir: &'static str,
    /// Every language with rows, for the language menu.
    pub choices: Arc<[Choice]>,
    /// Live fragments are rendered once per language and cached in this slot
    /// (`None`: rendered per socket).
    pub slot: Option<usize>,
    /// Distinguishes interfaces built at different times (a cache slot holds one of them).
    pub generation: u64,
    plurals: Option<Arc<NumberRules>>,
}

/// How many languages get a render-cache slot per live event; more are rendered per socket.
pub const CACHE_SLOTS: usize = 8;

/// Languages that are written right to left (CLDR's character order), by language subtag.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku-arab", "lrc", "mzn", "nqo", "pnb", "ps", "sd",
    "syr", "ug", "ur", "yi",
];

/// Whether `tag` is written right to left: its language is, or it names an RTL script.
pub fn is_rtl(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("");
    let rtl_script = parts.any(|p| matches!(p, "arab" | "hebr" | "thaa" | "syrc" | "nkoo" | "adlm" | "rohg"));
    rtl_script || RTL_LANGUAGES.contains(&language)
}

impl Language {
    /// The language `tag`, offering `choices`.
    pub fn new(tag: &str, choices: Arc<[Choice]>) -> Self {
        static GENERATION: AtomicU64 = AtomicU64::new(0);
        Self {
            tag: tag.to_owned(),
            dir: if is_rtl(tag) { "rtl" } else { "ltr" },
            choices,
            slot: cache_slot(tag),
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
            plurals: number_rules(tag).map(Arc::new),
        }
    }

    /// Its CLDR plural rules.
    pub fn plurals(&self) -> Option<&NumberRules> {
        self.plurals.as_deref()
    }
}

/// The render-cache slot of `tag`: the first [`CACHE_SLOTS`] languages seen get one, for the
/// life of the process.
fn cache_slot(tag: &str) -> Option<usize> {
    static SLOTS: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut slots = lock(&SLOTS);
    if let Some(i) = slots.iter().position(|t| t == tag) {
        return Some(i);
    }
    (slots.len() < CACHE_SLOTS).then(|| {
        slots.push(tag.to_owned());
        slots.len() - 1
    })
}

/// Defines [`Ui`] (one field per string), [`KEYS`], and the English and Korean texts, from
/// the one table in `strings.rs`.
macro_rules! ui_strings {
    ($( $group:ident { $( #[doc = $note:literal] $key:ident: $en:literal / $ko:literal, )+ } )+) => {
        /// One language's interface strings. Placeholders and plural forms are filled by
        /// [`Ui::fmt`].
        #[derive(Clone, Debug)]
        pub struct Ui {
            /// The language it is written in.
            pub language: Language,
            $( $( #[doc = $note] pub $key: Text, )+ )+
        }

        /// Every interface string, grouped by where it shows, in the order translators see them.
        pub const KEYS: &[UiKey] = &[
            $( $( UiKey { key: stringify!($key), group: stringify!($group), note: $note }, )+ )+
        ];

        /// The compiled-in text of `key` in English and Korean.
        pub(super) fn shipped(key: &str) -> Option<(&'static str, &'static str)> {
            match key {
                $( $( stringify!($key) => Some(($en, $ko)), )+ )+
                _ => None,
            }
        }

        impl Ui {
            /// The compiled-in interface: Korean if `korean`, else English.
            pub(super) fn compiled(language: Language, korean: bool) -> Ui {
                Ui {
                    language,
                    $( $( $key: super::settle(Text::Borrowed(if korean { $ko } else { $en })), )+ )+
                }
            }

            /// The string named `key`.
            pub fn text(&self, key: &str) -> Option<&str> {
                match key {
                    $( $( stringify!($key) => Some(&self.$key), )+ )+
                    _ => None,
                }
            }

            /// The interface in `language`, each string from `found`, else from `fallback`.
            pub fn with_texts(language: Language, fallback: &Ui, found: impl Fn(&str) -> Option<String>) -> Ui {
                Ui {
                    language,
                    $( $( $key: found(stringify!($key)).map_or_else(|| fallback.$key.clone(), |t| super::settle(Text::Owned(t))), )+ )+
                }
            }
        }
    };
}

#[macro_use]
mod translator_strings;
mod strings;

/// A text without placeholders as readers see it (quoting resolved: `'{'` is `{`, `''` is `'`),
/// so templates can print it as it is; texts with placeholders go through [`Ui::fmt`].
pub(super) fn settle(text: Text) -> Text {
    match Message::parse(&text) {
        Ok(message) if message.arguments().is_empty() => {
            let shown = message.format(None, &[]);
            if shown == *text { text } else { Text::Owned(shown) }
        }
        _ => text,
    }
}

static EN: LazyLock<Arc<Ui>> = LazyLock::new(|| Arc::new(compiled("en")));
static KO: LazyLock<Arc<Ui>> = LazyLock::new(|| Arc::new(compiled("ko")));

/// An interface from the compiled-in texts (`ko`, else English).
fn compiled(tag: &str) -> Ui {
    Ui::compiled(Language::new(tag, Arc::from(shipped_choices())), tag == "ko")
}

/// The languages compiled in, as the menu offers them before the catalogue is read.
pub fn shipped_choices() -> Vec<Choice> {
    ["en", "ko"]
        .into_iter()
        .map(|tag| Choice { tag: tag.to_owned(), name: shipped_text("language_name", tag).to_owned() })
        .collect()
}

/// The compiled-in text of `key` for `tag` (`en` or `ko`; English for any other tag).
pub fn shipped_text(key: &str, tag: &str) -> &'static str {
    strings::shipped(key).map_or("", |(en, ko)| if tag == "ko" { ko } else { en })
}

impl Ui {
    /// The compiled-in English interface: the last fallback, served while the catalogue
    /// cannot be read.
    pub fn english() -> Arc<Ui> {
        EN.clone()
    }

    /// The compiled-in Korean interface.
    pub fn korean() -> Arc<Ui> {
        KO.clone()
    }

    /// `text` with `args` filled in and plural forms chosen for this language. A text that
    /// does not parse (a catalogue row written outside `/translate`) shows as written.
    pub fn fmt(&self, text: &str, args: &[(&str, &str)]) -> String {
        match Message::parse(text) {
            Ok(message) => message.format(self.language.plurals(), args),
            Err(_) => text.to_owned(),
        }
    }

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

    /// A duration for people: `24 hours`, `30 minutes`, `7 days` (or `24시간` …).
    pub fn duration(&self, d: std::time::Duration) -> String {
        let secs = d.as_secs();
        let (n, unit) = if secs.is_multiple_of(86_400) && secs >= 86_400 * 2 {
            (secs / 86_400, &self.duration_days)
        } else if secs.is_multiple_of(3600) && secs >= 3600 {
            (secs / 3600, &self.duration_hours)
        } else if secs.is_multiple_of(60) && secs >= 60 {
            (secs / 60, &self.duration_minutes)
        } else {
            (secs, &self.duration_seconds)
        };
        self.fmt(unit, &[("n", &n.to_string())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::syntax::{Message, check};

    #[test]
    fn every_string_has_a_group_a_note_and_both_languages_fit_each_other() {
        let mut seen = std::collections::HashSet::new();
        let ko = number_rules("ko");
        for key in KEYS {
            assert!(seen.insert(key.key), "{} twice", key.key);
            assert!(!key.note.is_empty() && !key.group.is_empty(), "{}", key.key);
            let (en, ko_text) = strings::shipped(key.key).unwrap();
            assert!(!en.is_empty() && !ko_text.is_empty(), "{}", key.key);
            let source = Message::parse(en).unwrap_or_else(|e| panic!("{}: {e}", key.key));
            check(&source, ko_text, ko.as_ref()).unwrap_or_else(|e| panic!("{}: {e:?}", key.key));
        }
        assert!(KEYS.len() > 100);
        let (en, ko) = (Ui::english(), Ui::korean());
        assert_eq!(en.text("nothing"), None);
        assert_eq!((en.weekday(0), ko.month(11)), ("Monday", "12월"));
        assert_eq!((en.language.tag.as_str(), ko.language.dir), ("en", "ltr"));
        // A translation that lacks strings falls back, string by string.
        let partial = Ui::with_texts(Language::new("ja", Arc::from(Vec::new())), &en, |key| {
            (key == "send").then(|| "送信".to_owned())
        });
        assert_eq!((&*partial.send, &*partial.leave), ("送信", "Leave room"));
    }

    #[test]
    fn durations_and_counts_follow_each_language() {
        let (en, ko) = (Ui::english(), Ui::korean());
        let hours = std::time::Duration::from_secs(3600);
        assert_eq!(
            (en.duration(hours), en.duration(hours * 24), ko.duration(hours * 24)),
            ("1 hour".to_owned(), "24 hours".to_owned(), "24시간".to_owned())
        );
        assert_eq!(en.duration(std::time::Duration::from_secs(86_400 * 7)), "7 days");
        assert_eq!(en.fmt(&en.members_count, &[("n", "1")]), "1 member");
        assert_eq!(en.fmt(&en.members_count, &[("n", "2")]), "2 members");
        assert_eq!(ko.fmt(&ko.members_count, &[("n", "2")]), "멤버 2명");
    }

    #[test]
    fn right_to_left_languages_are_known_by_language_or_script() {
        for tag in ["ar", "he", "fa-ir", "ur", "az-arab", "yi"] {
            assert!(is_rtl(tag), "{tag}");
        }
        for tag in ["en", "ko", "ja", "az", "arn", "her"] {
            assert!(!is_rtl(tag), "{tag}");
        }
    }
}
