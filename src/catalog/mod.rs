//! The error catalogue: `error_info(code, locale, message, updated_at)` in SQLite (default) or
//! PostgreSQL, cached in memory and reloaded in the background so translators' edits reach a
//! running server within seconds (docs/translating.md). Lookups never touch the database.

mod code;
mod db;
mod locale;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub use code::ErrorCode;

use crate::support::{read, write};
pub use db::{CatalogRow, Db, DbError};
pub use locale::{Locales, normalize_tag};

/// How often the catalogue is re-read. Small table, cheap query; edits show within this time.
pub const RELOAD_INTERVAL: Duration = Duration::from_secs(2);

/// locale → code → message.
type Table = HashMap<String, HashMap<String, String>>;

/// The cached catalogue. Cheap to clone.
#[derive(Clone)]
pub struct Catalog {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    table: RwLock<Arc<Table>>,
    db_reachable: AtomicBool,
    migrated: AtomicBool,
}

impl Catalog {
    /// Opens the database, applies migrations and loads the table. A database that cannot be
    /// reached now is not fatal: errors render from built-in text until a reload succeeds.
    pub async fn start(db: Db) -> Self {
        let catalog = Self {
            inner: Arc::new(Inner {
                db,
                table: RwLock::new(Arc::new(Table::new())),
                db_reachable: AtomicBool::new(false),
                migrated: AtomicBool::new(false),
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

    /// Re-reads the table (migrating first if that has not succeeded yet).
    pub async fn reload(&self) {
        let loaded = match self.migrate_once().await {
            Ok(()) => self.inner.db.load().await,
            Err(err) => Err(err),
        };
        match loaded {
            Ok(rows) => {
                let mut table = Table::new();
                for (code, locale, message) in rows {
                    table.entry(locale).or_default().insert(code, message);
                }
                let changed = {
                    let current = self.table();
                    *current != table
                };
                if changed {
                    crate::metrics::metrics().catalogue_reloads.increment(1);
                    tracing::info!(locales = table.len(), "error catalogue loaded");
                    *write(&self.inner.table) = Arc::new(table);
                }
                if !self.inner.db_reachable.swap(true, Ordering::Relaxed) {
                    tracing::info!("error catalogue database reachable");
                }
            }
            Err(err) => {
                crate::metrics::metrics().catalogue_failures.increment(1);
                if self.inner.db_reachable.swap(false, Ordering::Relaxed) {
                    tracing::warn!(error = %err, "error catalogue database unreachable; serving cached messages");
                }
            }
        }
    }

    async fn migrate_once(&self) -> Result<(), DbError> {
        if !self.inner.migrated.load(Ordering::Relaxed) {
            self.inner.db.migrate().await?;
            self.inner.migrated.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    fn table(&self) -> Arc<Table> {
        read(&self.inner.table).clone()
    }

    /// The database behind the catalogue (the translators' page reads and writes it).
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Whether the last reload reached the database (`/readyz`).
    pub fn db_reachable(&self) -> bool {
        self.inner.db_reachable.load(Ordering::Relaxed)
    }

    /// The message for `code` in the best locale of `locales`, with `{placeholders}` filled
    /// from `args`. Fallback: each preference exactly, its language, `en`, built-in text.
    pub fn message(&self, code: ErrorCode, locales: &Locales, args: &[(&str, &str)]) -> String {
        let table = self.table();
        let template = locales
            .fallback_chain()
            .into_iter()
            .find_map(|locale| table.get(locale)?.get(code.as_str()))
            .map_or(code.builtin(), String::as_str);
        fill(template, args)
    }
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
