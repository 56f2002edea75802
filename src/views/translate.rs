//! The translators' page: a grid of error codes × locales built from `error_info` rows.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use askama_web::WebTemplate;

use super::{Ui, render};
use crate::catalog::{CatalogRow, ErrorCode, fill, placeholders_in};

/// Sample values for placeholders in previews.
const SAMPLES: &[(&str, &str)] = &[("max", "32"), ("seconds", "3")];

/// `/translate` before signing in.
#[derive(Template, WebTemplate)]
#[template(path = "pages/translate_login.html")]
pub struct TranslateLoginPage<'a> {
    /// Interface strings (English chrome).
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// CSRF token.
    pub csrf: String,
    /// The name typed so far.
    pub editor: String,
    /// Why the sign-in was refused.
    pub error: Option<String>,
}

/// `/translate`: the grid.
#[derive(Template, WebTemplate)]
#[template(path = "pages/translate.html")]
pub struct TranslatePage<'a> {
    /// Interface strings (English chrome).
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// CSRF token.
    pub csrf: String,
    /// The signed-in translator.
    pub editor: String,
    /// Columns.
    pub locales: Vec<LocaleColumn>,
    /// Rows, with rendered cells.
    pub rows: Vec<GridRow>,
    /// Codes per locale.
    pub total: usize,
    /// A status line (after a save without JavaScript).
    pub notice: Option<String>,
}

/// One language column and its counts.
pub struct LocaleColumn {
    /// Locale tag.
    pub tag: String,
    /// Codes with a message.
    pub translated: usize,
    /// Codes without one.
    pub missing: usize,
    /// Messages older than their English text.
    pub outdated: usize,
}

/// One code's row.
pub struct GridRow {
    /// The code.
    pub code: String,
    /// Its placeholders, as `{max}` text.
    pub placeholders: String,
    /// Rendered cells, one per column.
    pub cells: Vec<String>,
}

/// One cell, shown or being edited.
#[derive(Template)]
#[template(path = "fragments/_cell.html")]
pub struct CellFragment {
    code: String,
    locale: String,
    message: Option<String>,
    state: &'static str,
    stamp: Option<String>,
    editing: bool,
    draft: String,
    preview: String,
    error: Option<String>,
    csrf: String,
    saved: bool,
}

/// A translation's preview with sample values, and what is wrong with it (the placeholder
/// check), shown under the text being edited.
#[derive(Template)]
#[template(path = "fragments/_preview.html")]
pub struct PreviewFragment {
    /// Why the text would be refused, if it would.
    pub error: Option<String>,
    /// The text with sample values.
    pub preview: String,
}

/// The catalogue rows, indexed for the grid.
pub struct Catalogue {
    rows: HashMap<(String, String), CatalogRow>,
    /// Codes, known ones first in catalogue order, then any others found in the table.
    pub codes: Vec<String>,
    /// Locales: `en`, then the others in order.
    pub locales: Vec<String>,
}

impl Catalogue {
    /// Indexes `rows`; `extra` adds an empty column for a language being added.
    pub fn new(rows: Vec<CatalogRow>, extra: Option<String>) -> Self {
        let mut codes: Vec<String> = ErrorCode::ALL.iter().map(|c| c.as_str().to_owned()).collect();
        let mut others: BTreeSet<String> = BTreeSet::new();
        let mut locales: BTreeSet<String> = BTreeSet::new();
        for row in &rows {
            if !codes.contains(&row.code) {
                others.insert(row.code.clone());
            }
            locales.insert(row.locale.clone());
        }
        codes.extend(others);
        locales.extend(extra);
        locales.remove("en");
        let locales = std::iter::once("en".to_owned()).chain(locales).collect();
        let rows = rows.into_iter().map(|r| ((r.code.clone(), r.locale.clone()), r)).collect();
        Self { rows, codes, locales }
    }

    /// The row for `code` in `locale`.
    pub fn get(&self, code: &str, locale: &str) -> Option<&CatalogRow> {
        self.rows.get(&(code.to_owned(), locale.to_owned()))
    }

    /// The placeholders every translation of `code` must keep: the English row's, or the
    /// built-in text's when there is no English row.
    pub fn required_placeholders(&self, code: &str) -> Vec<String> {
        match self.get(code, "en") {
            Some(en) => placeholders_in(&en.message),
            None => ErrorCode::ALL
                .iter()
                .find(|c| c.as_str() == code)
                .map(|c| placeholders_in(c.builtin()))
                .unwrap_or_default(),
        }
    }

    /// `missing`, `outdated` or `ok`.
    pub fn state(&self, code: &str, locale: &str) -> &'static str {
        match (self.get(code, locale), self.get(code, "en")) {
            (None, _) => "missing",
            (Some(row), Some(en)) if locale != "en" && en.updated_at > row.updated_at => "outdated",
            _ => "ok",
        }
    }

    /// The cell for `code` × `locale`.
    pub fn cell(&self, code: &str, locale: &str, csrf: &str) -> CellFragment {
        let row = self.get(code, locale);
        let message = row.map(|r| r.message.clone());
        let draft = message.clone().unwrap_or_default();
        CellFragment {
            code: code.to_owned(),
            locale: locale.to_owned(),
            preview: preview(&draft),
            message,
            state: self.state(code, locale),
            stamp: row.map(|r| match &r.updated_by {
                Some(by) => format!("{} · {by}", r.updated_at),
                None => r.updated_at.clone(),
            }),
            editing: false,
            draft,
            error: None,
            csrf: csrf.to_owned(),
            saved: false,
        }
    }

    /// The whole grid.
    pub fn grid(&self, csrf: &str, editing: Option<(&str, &str)>) -> (Vec<LocaleColumn>, Vec<GridRow>) {
        let columns = self
            .locales
            .iter()
            .map(|tag| {
                let states: Vec<&str> = self.codes.iter().map(|c| self.state(c, tag)).collect();
                LocaleColumn {
                    tag: tag.clone(),
                    translated: states.iter().filter(|s| **s != "missing").count(),
                    missing: states.iter().filter(|s| **s == "missing").count(),
                    outdated: states.iter().filter(|s| **s == "outdated").count(),
                }
            })
            .collect();
        let rows = self
            .codes
            .iter()
            .map(|code| GridRow {
                code: code.clone(),
                placeholders: self
                    .required_placeholders(code)
                    .iter()
                    .map(|p| format!("{{{p}}}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                cells: self
                    .locales
                    .iter()
                    .map(|locale| {
                        let cell = self.cell(code, locale, csrf);
                        let cell = if editing == Some((code.as_str(), locale.as_str())) {
                            cell.editing(None, None)
                        } else {
                            cell
                        };
                        render(&cell)
                    })
                    .collect(),
            })
            .collect();
        (columns, rows)
    }
}

impl CellFragment {
    /// This cell as an edit form, with a draft and an error kept after a refused save.
    pub fn editing(mut self, draft: Option<String>, error: Option<String>) -> Self {
        if let Some(draft) = draft {
            self.preview = preview(&draft);
            self.draft = draft;
        }
        self.editing = true;
        self.error = error;
        self
    }

    /// Marks the cell as just saved.
    pub fn saved(mut self) -> Self {
        self.saved = true;
        self
    }
}

/// How a message reads with sample values in its placeholders.
pub fn preview(message: &str) -> String {
    fill(message, SAMPLES)
}

/// `None` if `message` keeps exactly the `required` placeholders, else why not.
pub fn placeholder_problem(message: &str, required: &[String]) -> Option<String> {
    let found = placeholders_in(message);
    if found == required {
        return None;
    }
    let show = |names: &[String]| {
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.iter().map(|n| format!("{{{n}}}")).collect::<Vec<_>>().join(" ")
        }
    };
    Some(format!(
        "Keep exactly the placeholders of the English text: {}. This text has: {}.",
        show(required),
        show(&found)
    ))
}
