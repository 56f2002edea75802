//! The translators' page (docs/translating.md): one language at a time beside English,
//! texts grouped by where they show with a note each, filters and search, counts that follow
//! each save, and the page itself in the translator's language.

mod catalogue;

use askama::Template;
use askama_web::WebTemplate;

pub use catalogue::{Catalogue, Counts, ERRORS_GROUP, Entry, MAX_TEXT_CHARS, Problem, State, previews};

use super::{Ui, render};

/// `/translate` before signing in.
#[derive(Template, WebTemplate)]
#[template(path = "pages/translate_login.html")]
pub struct TranslateLoginPage<'a> {
    /// Interface strings.
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

/// Which texts the page lists.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `all`, `missing` or `outdated`.
    pub show: String,
    /// Search words (key, note, English, translation), lowercase.
    pub q: String,
}

impl Filter {
    /// From the query, anything unknown meaning "all".
    pub fn new(show: Option<&str>, q: Option<&str>) -> Self {
        let show = match show {
            Some(s @ ("missing" | "outdated")) => s.to_owned(),
            _ => "all".to_owned(),
        };
        let q: String = q.unwrap_or("").trim().chars().take(100).collect();
        Self { show, q }
    }

    /// Whether `entry` in `locale` is listed.
    fn keeps(&self, catalogue: &Catalogue, entry: &Entry, locale: &str) -> bool {
        let state = catalogue.state(entry, locale);
        let shown = match self.show.as_str() {
            "missing" => state == State::Missing,
            "outdated" => state == State::Outdated,
            _ => true,
        };
        if !shown {
            return false;
        }
        if self.q.is_empty() {
            return true;
        }
        let q = self.q.to_lowercase();
        let translated = catalogue.get(entry, locale).map(|r| r.message.to_lowercase());
        entry.code.to_lowercase().contains(&q)
            || entry.note.to_lowercase().contains(&q)
            || catalogue.source(entry).to_lowercase().contains(&q)
            || translated.is_some_and(|t| t.contains(&q))
    }
}

/// `/translate`: one language beside English.
#[derive(Template, WebTemplate)]
#[template(path = "pages/translate.html")]
pub struct TranslatePage<'a> {
    /// Interface strings (the translator's language).
    pub ui: &'a Ui,
    /// Asset version.
    pub asset_v: &'static str,
    /// CSRF token.
    pub csrf: String,
    /// "Signed in as …".
    pub signed_in: String,
    /// Every language with its progress, rendered (`_counts.html`).
    pub languages: Vec<LanguageTab>,
    /// The language being translated.
    pub locale: String,
    /// The filters.
    pub filter: Filter,
    /// Sections of rows.
    pub sections: Vec<Section>,
    /// Columns: `en`, and the language unless it is English.
    pub columns: Vec<String>,
    /// A status line (after a save without JavaScript).
    pub notice: Option<String>,
}

/// A language in the page's language list.
pub struct LanguageTab {
    /// Its tag.
    pub tag: String,
    /// Whether it is the one shown.
    pub current: bool,
    /// Its counts, rendered.
    pub counts: String,
}

/// The texts of one place.
pub struct Section {
    /// Its group (`home`, `error_messages` …), the anchor.
    pub group: &'static str,
    /// Its heading.
    pub title: String,
    /// The picture of where its texts show (`assets/translate/`), if there is one.
    pub picture: Option<&'static str>,
    /// Its rows.
    pub rows: Vec<GridRow>,
}

/// One text's row.
pub struct GridRow {
    /// Key or code.
    pub code: String,
    /// Where it shows.
    pub note: &'static str,
    /// Its placeholders, as `{max}` text.
    pub placeholders: String,
    /// Rendered cells, one per column.
    pub cells: Vec<String>,
}

/// A language's progress, swapped in after each save.
#[derive(Template)]
#[template(path = "fragments/_counts.html")]
pub struct CountsFragment {
    /// The language.
    pub tag: String,
    /// "170 of 172 translated".
    pub done: String,
    /// "2 missing", if any are.
    pub missing: Option<String>,
    /// "1 outdated", if any are.
    pub outdated: Option<String>,
    /// Out of band (after a save).
    pub oob: bool,
}

/// One cell, shown or being edited.
#[derive(Template)]
#[template(path = "fragments/_cell.html")]
pub struct CellFragment<'a> {
    ui: &'a Ui,
    code: String,
    locale: String,
    label: String,
    message: Option<String>,
    state: &'static str,
    stamp: Option<String>,
    editing: bool,
    draft: String,
    preview: PreviewFragment<'a>,
    csrf: String,
    saved: bool,
}

/// A text's preview with sample values, and why it would be refused, under the text being
/// edited.
#[derive(Template)]
#[template(path = "fragments/_preview.html")]
pub struct PreviewFragment<'a> {
    /// Interface strings.
    pub ui: &'a Ui,
    /// Why the text would be refused, if it would.
    pub error: Option<String>,
    /// The text with sample values (1 and 3 for plural forms).
    pub previews: Vec<String>,
}

impl Catalogue {
    /// The heading of `group`.
    fn title(ui: &Ui, group: &str) -> String {
        ui.text(&format!("group_{group}")).unwrap_or(group).to_owned()
    }

    /// The counts fragment of `tag`.
    pub fn counts_fragment(&self, ui: &Ui, tag: &str, oob: bool) -> CountsFragment {
        let Counts { done, missing, outdated, total } = self.counts(tag);
        let count = |template: &str, n: usize| (n > 0).then(|| ui.fmt(template, &[("n", &n.to_string())]));
        CountsFragment {
            tag: tag.to_owned(),
            done: ui.fmt(&ui.translate_done, &[("done", &done.to_string()), ("total", &total.to_string())]),
            missing: count(&ui.translate_missing_count, missing),
            outdated: count(&ui.translate_outdated_count, outdated),
            oob,
        }
    }

    /// The cell of `entry` × `locale`.
    pub fn cell<'a>(&self, ui: &'a Ui, entry: &Entry, locale: &str, csrf: &str) -> CellFragment<'a> {
        let row = self.get(entry, locale);
        let message = row.map(|r| r.message.clone());
        let draft = message.clone().unwrap_or_default();
        CellFragment {
            ui,
            code: entry.code.clone(),
            locale: locale.to_owned(),
            label: ui.fmt(&ui.translate_edit_label, &[("key", &entry.code), ("language", locale)]),
            preview: PreviewFragment { ui, error: None, previews: previews(&draft, locale) },
            message,
            state: self.state(entry, locale).as_str(),
            stamp: row.map(|r| match &r.updated_by {
                Some(by) => format!("{} · {by}", r.updated_at),
                None => r.updated_at.clone(),
            }),
            editing: false,
            draft,
            csrf: csrf.to_owned(),
            saved: false,
        }
    }

    /// The whole page's sections for `locale` under `filter`.
    pub fn sections(
        &self,
        ui: &Ui,
        locale: &str,
        filter: &Filter,
        csrf: &str,
        editing: Option<(&str, &str)>,
    ) -> Vec<Section> {
        let columns: Vec<&str> = if locale == "en" { vec!["en"] } else { vec!["en", locale] };
        let mut sections: Vec<Section> = Vec::new();
        for entry in self.entries.iter().filter(|e| filter.keeps(self, e, locale)) {
            if sections.last().is_none_or(|s| s.group != entry.group) {
                sections.push(Section {
                    group: entry.group,
                    title: Self::title(ui, entry.group),
                    picture: picture(entry.group),
                    rows: Vec::new(),
                });
            }
            let source = self.source(entry);
            let placeholders = crate::catalog::syntax::Message::parse(&source)
                .map(|m| m.arguments().iter().map(|p| format!("{{{p}}}")).collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            let cells = columns
                .iter()
                .map(|column| {
                    let cell = self.cell(ui, entry, column, csrf);
                    let cell = if editing == Some((entry.code.as_str(), column)) {
                        cell.editing(None, None)
                    } else {
                        cell
                    };
                    render(&cell)
                })
                .collect();
            if let Some(section) = sections.last_mut() {
                section.rows.push(GridRow {
                    code: entry.code.clone(),
                    note: entry.note,
                    placeholders,
                    cells,
                });
            }
        }
        sections
    }

    /// The language list with each one's progress.
    pub fn tabs(&self, ui: &Ui, current: &str) -> Vec<LanguageTab> {
        self.locales
            .iter()
            .map(|tag| LanguageTab {
                tag: tag.clone(),
                current: tag == current,
                counts: render(&self.counts_fragment(ui, tag, false)),
            })
            .collect()
    }
}

/// The picture that shows where the texts of `group` appear.
fn picture(group: &str) -> Option<&'static str> {
    Some(match group {
        "home" => "home",
        "invite" => "invite",
        "page" | "chat" | "status" => "chat",
        "messages" | "notices" | "dates" => "messages",
        "composer" => "composer",
        "owner" | "notify" => "owner",
        "errors" | ERRORS_GROUP => "errors",
        _ => return None,
    })
}

impl<'a> CellFragment<'a> {
    /// This cell as an edit form, with a draft and an error kept after a refused save.
    pub fn editing(mut self, draft: Option<String>, error: Option<String>) -> Self {
        if let Some(draft) = draft {
            self.preview.previews = previews(&draft, &self.locale);
            self.draft = draft;
        }
        self.editing = true;
        self.preview.error = error;
        self
    }

    /// Marks the cell as just saved.
    pub fn saved(mut self) -> Self {
        self.saved = true;
        self
    }
}
