//! The catalogue of every word users read (docs/translating.md): error messages
//! (`error_info(code, locale, message, updated_at)`) and interface strings
//! (`ui_text(name, locale, …)`, the keys of `ui/strings.rs`), in SQLite (default) or PostgreSQL,
//! cached in memory and reloaded in the background so translators' edits reach a running server
//! within seconds. Lookups never touch the database. Messages use the syntax of `syntax.rs`
//! (placeholders, CLDR plural and select forms).

mod code;
mod db;
mod locale;
pub mod syntax;
pub mod ui;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use code::ErrorCode;

use crate::support::{read, write};
pub use db::{CatalogRow, Db, DbError, Kind};
pub use locale::{Locales, normalize_tag};
use syntax::Message;
use ui::{Choice, KEYS, Language, PSEUDO_TAG, Ui, pseudo_text, shipped_text};

/// How often the catalogue is re-read. Small tables, cheap queries; edits show within this time.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// locale → code (or name) → message.
type Table = HashMap<String, HashMap<String, String>>;

/// What the catalogue serves from: both tables as read, and one interface per language.
struct Texts {
    /// `error_info` as read.
    errors: Table,
    /// `ui_text` as read.
    ui: Table,
    /// The pseudo-locale's error messages, made from the English ones.
    pseudo_errors: HashMap<String, String>,
    /// Each language with rows (and the pseudo-locale), its strings complete by fallback.
    interfaces: HashMap<String, Arc<Ui>>,
}

impl Texts {
    /// Before the database is read (or while it cannot be): the compiled-in languages.
    fn compiled() -> Self {
        let mut interfaces = HashMap::new();
        let en = Ui::english();
        interfaces.insert(PSEUDO_TAG.to_owned(), Arc::new(pseudo_ui(&en)));
        interfaces.insert("ko".to_owned(), Ui::korean());
        interfaces.insert("en".to_owned(), en);
        Self {
            errors: Table::new(),
            ui: Table::new(),
            pseudo_errors: pseudo_errors(&Table::new()),
            interfaces,
        }
    }

    /// From the tables as read.
    fn new(errors: Table, ui: Table) -> Self {
        let mut tags: Vec<&String> = ui.keys().collect();
        tags.sort_by_key(|tag| (tag.as_str() != "en", tag.as_str()));
        let choices: Arc<[Choice]> = tags
            .iter()
            .map(|tag| Choice {
                tag: (*tag).clone(),
                name: ui
                    .get(*tag)
                    .and_then(|t| t.get("language_name"))
                    .cloned()
                    .unwrap_or_else(|| (*tag).clone()),
            })
            .collect();
        let compiled_en = Ui::english();
        let row = |tag: &str, key: &str| ui.get(tag).and_then(|t| t.get(key)).cloned();
        let en = Arc::new(Ui::with_texts(Language::new("en", choices.clone()), &compiled_en, |key| {
            row("en", key)
        }));
        let mut interfaces = HashMap::new();
        for tag in tags.iter().filter(|t| t.as_str() != "en") {
            let base = tag.split('-').next().unwrap_or(tag);
            let texts = Ui::with_texts(Language::new(tag, choices.clone()), &en, |key| {
                row(tag, key).or_else(|| if base == tag.as_str() { None } else { row(base, key) })
            });
            interfaces.insert((*tag).clone(), Arc::new(texts));
        }
        interfaces.insert(PSEUDO_TAG.to_owned(), Arc::new(pseudo_ui(&en)));
        interfaces.insert("en".to_owned(), en);
        let pseudo_errors = pseudo_errors(&errors);
        Self { errors, ui, pseudo_errors, interfaces }
    }
}

/// The pseudo-locale's interface, made from `en`.
fn pseudo_ui(en: &Ui) -> Ui {
    let language = Language::new(PSEUDO_TAG, en.language.choices.clone());
    Ui::with_texts(language, en, |key| en.text(key).map(pseudo_text))
}

/// The pseudo-locale's error messages, made from the English rows (or built-in texts).
fn pseudo_errors(errors: &Table) -> HashMap<String, String> {
    let english = errors.get("en");
    ErrorCode::ALL
        .iter()
        .map(|code| {
            let text = english.and_then(|t| t.get(code.as_str())).map_or(code.builtin(), String::as_str);
            (code.as_str().to_owned(), pseudo_text(text))
        })
        .collect()
}

/// The cached catalogue. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    texts: RwLock<Arc<Texts>>,
    db_reachable: AtomicBool,
    migrated: AtomicBool,
    shipped: AtomicBool,
}

impl Catalog {
    /// Opens the database, applies migrations and loads the tables. A database that cannot be
    /// reached now is not fatal: pages render from the compiled-in texts until a reload succeeds.
    pub async fn start(db: Db) -> Self {
        let catalog = Self {
            inner: Arc::new(Inner {
                db,
                texts: RwLock::new(Arc::new(Texts::compiled())),
                db_reachable: AtomicBool::new(false),
                migrated: AtomicBool::new(false),
                shipped: AtomicBool::new(false),
            }),
        };
        catalog.reload().await;
        let weak = Arc::downgrade(&catalog.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RELOAD_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                Catalog { inner }.reload().await;
            }
        });
        catalog
    }

    /// Re-reads both tables (migrating and writing the shipped strings first if that has not
    /// succeeded yet).
    pub async fn reload(&self) {
        match self.read_tables().await {
            Ok((errors, ui)) => {
                let changed = {
                    let current = self.texts();
                    current.errors != errors || current.ui != ui
                };
                if changed {
                    crate::metrics::metrics().catalogue_reloads.increment(1);
                    tracing::info!(error_locales = errors.len(), ui_locales = ui.len(), "catalogue loaded");
                    *write(&self.inner.texts) = Arc::new(Texts::new(errors, ui));
                }
                if !self.inner.db_reachable.swap(true, Ordering::Relaxed) {
                    tracing::info!("catalogue database reachable");
                }
            }
            Err(err) => {
                crate::metrics::metrics().catalogue_failures.increment(1);
                if self.inner.db_reachable.swap(false, Ordering::Relaxed) {
                    tracing::warn!(error = %err, "catalogue database unreachable; serving cached texts");
                }
            }
        }
    }

    async fn read_tables(&self) -> Result<(Table, Table), DbError> {
        let db = &self.inner.db;
        if !self.inner.migrated.load(Ordering::Relaxed) {
            db.migrate().await?;
            self.inner.migrated.store(true, Ordering::Relaxed);
        }
        if !self.inner.shipped.load(Ordering::Relaxed) {
            self.ship().await?;
            self.inner.shipped.store(true, Ordering::Relaxed);
        }
        let errors = table(db.load(Kind::Error).await?);
        let ui = table(db.load(Kind::Ui).await?);
        Ok((errors, ui))
    }

    /// Writes the interface strings this release ships in English and Korean where they are
    /// missing or differ and no translator has edited them.
    async fn ship(&self) -> Result<(), DbError> {
        let rows = self.inner.db.rows(Kind::Ui).await?;
        let current: HashMap<(&str, &str), &CatalogRow> =
            rows.iter().map(|r| ((r.code.as_str(), r.locale.as_str()), r)).collect();
        let mut due = Vec::new();
        for key in KEYS {
            for tag in ["en", "ko"] {
                let text = shipped_text(key.key, tag);
                let stale = match current.get(&(key.key, tag)) {
                    None => true,
                    Some(row) => row.updated_by.is_none() && row.message != text,
                };
                if stale {
                    due.push((key.key, tag, text));
                }
            }
        }
        if !due.is_empty() {
            tracing::info!(strings = due.len(), "writing the interface strings this release ships");
            self.inner.db.ship(&due).await?;
        }
        Ok(())
    }

    fn texts(&self) -> Arc<Texts> {
        read(&self.inner.texts).clone()
    }

    /// The database behind the catalogue (the translators' page reads and writes it).
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Whether the last reload reached the database (`/readyz`).
    pub fn db_reachable(&self) -> bool {
        self.inner.db_reachable.load(Ordering::Relaxed)
    }

    /// The interface for `locales`: the first preference (exactly, then its language) that
    /// has rows, else English.
    pub fn ui(&self, locales: &Locales) -> Arc<Ui> {
        let texts = self.texts();
        locales
            .fallback_chain()
            .into_iter()
            .find_map(|tag| texts.interfaces.get(tag))
            .cloned()
            .unwrap_or_else(Ui::english)
    }

    /// The message for `code` in the best locale of `locales`, with its placeholders and
    /// plural forms filled from `args`. Fallback: each preference exactly, its language, `en`,
    /// built-in text.
    pub fn message(&self, code: ErrorCode, locales: &Locales, args: &[(&str, &str)]) -> String {
        let texts = self.texts();
        let (tag, template) = locales
            .fallback_chain()
            .into_iter()
            .find_map(|tag| {
                let found = if tag == PSEUDO_TAG {
                    texts.pseudo_errors.get(code.as_str())
                } else {
                    texts.errors.get(tag)?.get(code.as_str())
                };
                found.map(|m| (tag, m.as_str()))
            })
            .unwrap_or(("en", code.builtin()));
        let own;
        let rules = match texts.interfaces.get(tag) {
            Some(ui) => ui.language.plurals(),
            None => {
                own = syntax::number_rules(tag);
                own.as_ref()
            }
        };
        match Message::parse(template) {
            Ok(message) => message.format(rules, args),
            Err(_) => fill(template, args),
        }
    }
}

/// Rows as locale → key → message.
fn table(rows: Vec<(String, String, String)>) -> Table {
    let mut table = Table::new();
    for (code, locale, message) in rows {
        table.entry(locale).or_default().insert(code, message);
    }
    table
}

/// The `{placeholders}` a message uses, sorted and without repeats.
pub fn placeholders_in(message: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = message;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('}') else { break };
        let name = &rest[..end];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            found.push(name.to_owned());
            rest = &rest[end + 1..];
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Replaces each `{name}` in `template` with its value from `args`.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders_in("Try again in {seconds} s, {seconds}!"), ["seconds"]);
        assert_eq!(placeholders_in("{max} and {b_2} but not { x } or {}"), ["b_2", "max"]);
        assert!(placeholders_in("no braces").is_empty());
        assert_eq!(fill("at most {max}", &[("max", "32")]), "at most 32");
    }
}
