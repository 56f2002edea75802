//! The translators' view of the catalogue: every text (interface strings by where they show,
//! then error messages) with its English source, each language's rows, what is missing or
//! outdated, and the check a new text must pass.

use std::collections::{BTreeSet, HashMap};

use crate::catalog::syntax::{Message, Mismatch, SyntaxError, check, number_rules};
use crate::catalog::ui::{KEYS, shipped_text};
use crate::catalog::{CatalogRow, ErrorCode, Kind};
use crate::views::Ui;

/// The section of the error messages (beside the interface's groups of `strings.rs`).
pub const ERRORS_GROUP: &str = "error_messages";

/// The longest text a translator may save.
pub const MAX_TEXT_CHARS: usize = 2000;

/// One text to translate.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Interface string or error message.
    pub kind: Kind,
    /// Its key (`send`) or code (`ROOM_NOT_FOUND`).
    pub code: String,
    /// The section it is listed in.
    pub group: &'static str,
    /// Where it shows, for translators.
    pub note: &'static str,
    /// The English this release ships: what the code fills in.
    pub shipped: String,
}

/// A text's state in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No row: readers see the fallback.
    Missing,
    /// Older than its English row.
    Outdated,
    /// Translated.
    Done,
}

impl State {
    /// The CSS class and filter name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Missing => "missing",
            State::Outdated => "outdated",
            State::Done => "ok",
        }
    }
}

/// A language's progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Texts with a row.
    pub done: usize,
    /// Texts without.
    pub missing: usize,
    /// Rows older than their English text.
    pub outdated: usize,
    /// Texts in all.
    pub total: usize,
}

/// Both tables, indexed for the page.
pub struct Catalogue {
    rows: HashMap<(Kind, String, String), CatalogRow>,
    /// Every text, in page order.
    pub entries: Vec<Entry>,
    /// Languages with rows (and one being added): `en` first.
    pub locales: Vec<String>,
}

impl Catalogue {
    /// Indexes the rows of both tables; `extra` adds a language being added.
    pub fn new(ui_rows: Vec<CatalogRow>, error_rows: Vec<CatalogRow>, extra: Option<String>) -> Self {
        let mut entries: Vec<Entry> = Vec::new();
        for key in KEYS {
            let entry = Entry {
                kind: Kind::Ui,
                code: key.key.to_owned(),
                group: key.group,
                note: key.note.trim(),
                shipped: shipped_text(key.key, "en").to_owned(),
            };
            entries.push(entry);
            // Error messages are listed after the error pages' own words.
            if key.key == KEYS.iter().rev().find(|k| k.group == "errors").map_or("", |k| k.key) {
                entries.extend(error_entries(&error_rows));
            }
        }
        let mut locales: BTreeSet<String> =
            ui_rows.iter().chain(&error_rows).map(|r| r.locale.clone()).collect();
        locales.extend(extra);
        locales.remove("en");
        let locales = std::iter::once("en".to_owned()).chain(locales).collect();
        let rows = ui_rows
            .into_iter()
            .map(|r| (Kind::Ui, r))
            .chain(error_rows.into_iter().map(|r| (Kind::Error, r)))
            .map(|(kind, r)| ((kind, r.code.clone(), r.locale.clone()), r))
            .collect();
        Self { rows, entries, locales }
    }

    /// The text `code` (a key or an error code).
    pub fn entry(&self, code: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// Its row in `locale`.
    pub fn get(&self, entry: &Entry, locale: &str) -> Option<&CatalogRow> {
        self.rows.get(&(entry.kind, entry.code.clone(), locale.to_owned()))
    }

    /// The English a translation follows: the English row, else the shipped text.
    pub fn source(&self, entry: &Entry) -> String {
        self.get(entry, "en").map_or_else(|| entry.shipped.clone(), |r| r.message.clone())
    }

    /// Its state in `locale`.
    pub fn state(&self, entry: &Entry, locale: &str) -> State {
        match (self.get(entry, locale), self.get(entry, "en")) {
            (None, _) => State::Missing,
            (Some(row), Some(en)) if locale != "en" && en.updated_at > row.updated_at => State::Outdated,
            _ => State::Done,
        }
    }

    /// The progress of `locale`.
    pub fn counts(&self, locale: &str) -> Counts {
        let mut counts = Counts { total: self.entries.len(), ..Counts::default() };
        for entry in &self.entries {
            match self.state(entry, locale) {
                State::Missing => counts.missing += 1,
                State::Outdated => {
                    counts.outdated += 1;
                    counts.done += 1;
                }
                State::Done => counts.done += 1,
            }
        }
        counts
    }

    /// Whether `text` may be saved as `entry` in `locale`: not empty, not too long,
    /// well-formed, the placeholders of the English it follows (for English itself, of what
    /// the code fills in), and the plural forms the language needs.
    pub fn problem(&self, entry: &Entry, locale: &str, text: &str) -> Option<Problem> {
        if text.trim().is_empty() {
            return Some(Problem::Empty);
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Some(Problem::TooLong);
        }
        let source = if locale == "en" { entry.shipped.clone() } else { self.source(entry) };
        let source = Message::parse(&source).unwrap_or_else(|_| Message::literal(&source));
        let rules = number_rules(locale);
        check(&source, text, rules.as_ref()).err().map(Problem::Mismatch)
    }
}

/// Entries for the known error codes, then any other code found in the table.
fn error_entries(rows: &[CatalogRow]) -> Vec<Entry> {
    let known = ErrorCode::ALL.iter().map(|code| Entry {
        kind: Kind::Error,
        code: code.as_str().to_owned(),
        group: ERRORS_GROUP,
        note: code.note(),
        shipped: code.builtin().to_owned(),
    });
    let others: BTreeSet<&str> = rows
        .iter()
        .map(|r| r.code.as_str())
        .filter(|code| !ErrorCode::ALL.iter().any(|c| c.as_str() == *code))
        .collect();
    let others = others.into_iter().map(|code| Entry {
        kind: Kind::Error,
        code: code.to_owned(),
        group: ERRORS_GROUP,
        note: "",
        shipped: String::new(),
    });
    known.chain(others).collect()
}

/// Why a text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Nothing written.
    Empty,
    /// Over [`MAX_TEXT_CHARS`].
    TooLong,
    /// Does not fit its source.
    Mismatch(Mismatch),
}

impl Problem {
    /// The refusal in the translator's language.
    pub fn text(&self, ui: &Ui) -> String {
        let braces = |names: &[String]| {
            if names.is_empty() {
                ui.problem_none.to_string()
            } else {
                names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(" ")
            }
        };
        match self {
            Problem::Empty => ui.problem_empty.to_string(),
            Problem::TooLong => ui.fmt(&ui.problem_too_long, &[("max", &MAX_TEXT_CHARS.to_string())]),
            Problem::Mismatch(Mismatch::Syntax(err)) => match err {
                SyntaxError::Unclosed(at) => ui.fmt(&ui.problem_unclosed, &[("at", &at.to_string())]),
                SyntaxError::Unopened(at) => ui.fmt(&ui.problem_unopened, &[("at", &at.to_string())]),
                SyntaxError::BadArgument(at) => ui.fmt(&ui.problem_bad_argument, &[("at", &at.to_string())]),
                SyntaxError::NoOther(name) => ui.fmt(&ui.problem_no_other, &[("name", name)]),
                SyntaxError::TooDeep => ui.problem_too_deep.to_string(),
            },
            Problem::Mismatch(Mismatch::Arguments { expected, found }) => ui
                .fmt(&ui.problem_placeholders, &[("expected", &braces(expected)), ("found", &braces(found))]),
            Problem::Mismatch(Mismatch::MissingForms { arg, missing }) => {
                ui.fmt(&ui.problem_forms, &[("name", arg), ("missing", &missing.join(", "))])
            }
        }
    }
}

/// Sample values for a preview: numbers for counts, a name for names, and so on.
fn sample(arg: &str, count: &str) -> String {
    match arg {
        "n" | "max" | "seconds" | "minutes" | "done" | "total" | "at" => count.to_owned(),
        "time" => "14:05".to_owned(),
        "ttl" => "24 h".to_owned(),
        "title" | "room" => "Lobby".to_owned(),
        "names" => "Ann, Bo".to_owned(),
        "offset" => "+09:00".to_owned(),
        "year" => "2026".to_owned(),
        "day" => "30".to_owned(),
        _ => "Ann".to_owned(),
    }
}

/// How `text` reads with sample values in `locale`: once, or with 1 and 3 for plural forms.
pub fn previews(text: &str, locale: &str) -> Vec<String> {
    let Ok(message) = Message::parse(text) else { return vec![text.to_owned()] };
    let rules = number_rules(locale);
    let args = message.arguments();
    let counts: &[&str] = if message.plurals().is_empty() { &["3"] } else { &["1", "3"] };
    counts
        .iter()
        .map(|count| {
            let values: Vec<(String, String)> = args.iter().map(|a| (a.clone(), sample(a, count))).collect();
            let values: Vec<(&str, &str)> = values.iter().map(|(a, v)| (a.as_str(), v.as_str())).collect();
            message.format(rules.as_ref(), &values)
        })
        .collect()
}
