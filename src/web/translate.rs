//! `/translate`: translators edit the catalogue — interface strings (`ui_text`) and error
//! messages (`error_info`) — in place, one language beside English (docs/translating.md).
//! Mounted only with `C2C_TRANSLATOR_TOKEN`; signing in (throttled per address) stores the
//! translator's name in the session, never the token in a URL. Every form is CSRF-checked;
//! edits go to the database and reach every instance through the catalogue's reload.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

use super::client::ClientIp;
use super::csrf::CsrfToken;
use super::error::AppError;
use super::extract::{CheckedForm, FormInput};
use super::locale::Lang;
use super::pages::refused;
use super::session::TRANSLATOR_KEY;
use crate::catalog::{Kind, Locales, normalize_tag};
use crate::domain::same_secret;
use crate::state::AppState;
use crate::views::translate::{
    Catalogue, Filter, PreviewFragment, TranslateLoginPage, TranslatePage, previews,
};
use crate::views::{Ui, asset_version, render};

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/translate", get(page))
        .route("/translate/login", post(login))
        .route("/translate/logout", post(logout))
        .route("/translate/cell", get(cell))
        .route("/translate/save", post(save))
        .route("/translate/preview", post(preview_fragment))
}

fn token(state: &AppState) -> Result<&str, AppError> {
    state.config.translator_token.as_deref().ok_or(AppError::PageNotFound)
}

async fn editor(session: &Session) -> Result<Option<String>, AppError> {
    session.get::<String>(TRANSLATOR_KEY).await.map_err(|e| AppError::Unavailable(format!("session: {e}")))
}

async fn signed_in(state: &AppState, session: &Session) -> Result<String, AppError> {
    token(state)?;
    editor(session).await?.ok_or(AppError::FormExpired)
}

async fn load_catalogue(state: &AppState, extra: Option<String>) -> Result<Catalogue, AppError> {
    let db = state.catalog.db();
    let unavailable = |e: crate::catalog::DbError| AppError::Unavailable(format!("catalogue: {e}"));
    let ui_rows = db.rows(Kind::Ui).await.map_err(unavailable)?;
    let error_rows = db.rows(Kind::Error).await.map_err(unavailable)?;
    Ok(Catalogue::new(ui_rows, error_rows, extra))
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

#[derive(Deserialize)]
struct PageQuery {
    edit: Option<String>,
    locale: Option<String>,
    add: Option<String>,
    saved: Option<String>,
    show: Option<String>,
    q: Option<String>,
}

/// The language a translator sees first: their own browser's, if the catalogue has it and it
/// is not English, else the first translated language, else English.
fn default_locale(catalogue: &Catalogue, locales: &Locales) -> String {
    let has = |tag: &str| tag != "en" && catalogue.locales.iter().any(|l| l == tag);
    locales
        .fallback_chain()
        .into_iter()
        .find(|tag| has(tag))
        .or_else(|| catalogue.locales.iter().map(String::as_str).find(|tag| *tag != "en"))
        .unwrap_or("en")
        .to_owned()
}

async fn page(
    State(state): State<AppState>,
    Lang(locales, ui): Lang,
    session: Session,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let Some(editor) = editor(&session).await? else {
        return Ok(login_page(&ui, csrf, String::new(), None).into_response());
    };
    let chosen = q.add.as_deref().or(q.locale.as_deref()).and_then(normalize_tag);
    let catalogue = load_catalogue(&state, chosen.clone()).await?;
    let locale = chosen.unwrap_or_else(|| default_locale(&catalogue, &locales));
    let view = View {
        locale,
        filter: Filter::new(q.show.as_deref(), q.q.as_deref()),
        editing: q.edit,
        notice: q.saved.map(|_| ui.translate_saved.to_string()),
    };
    Ok(full_page(&ui, &catalogue, csrf, &editor, view).into_response())
}

fn login_page(ui: &Ui, csrf: String, editor: String, error: Option<String>) -> TranslateLoginPage<'_> {
    TranslateLoginPage { ui, asset_v: asset_version(), csrf, editor, error }
}

/// What the page shows: which language, which texts, the cell being edited, a status line.
struct View {
    locale: String,
    filter: Filter,
    editing: Option<String>,
    notice: Option<String>,
}

fn full_page<'a>(
    ui: &'a Ui,
    catalogue: &Catalogue,
    csrf: String,
    editor: &str,
    view: View,
) -> TranslatePage<'a> {
    let locale = view.locale;
    let editing = view.editing.as_deref().map(|code| (code, locale.as_str()));
    let sections = catalogue.sections(ui, &locale, &view.filter, &csrf, editing);
    TranslatePage {
        ui,
        asset_v: asset_version(),
        signed_in: ui.fmt(&ui.translate_signed_in, &[("name", editor)]),
        languages: catalogue.tabs(ui, &locale),
        columns: if locale == "en" { vec![locale.clone()] } else { vec!["en".to_owned(), locale.clone()] },
        csrf,
        locale,
        filter: view.filter,
        sections,
        notice: view.notice,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    editor: String,
    #[serde(default)]
    token: String,
}

async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Lang(locales, ui): Lang,
    CsrfToken(csrf): CsrfToken,
    CheckedForm { session, form, .. }: CheckedForm<LoginForm>,
) -> Result<Response, AppError> {
    let expected = token(&state)?.to_owned();
    // A locked-out address waits even with the right token: guessing faster gains nothing.
    if let Err(secs) = state.sign_in_backoff.check(ip) {
        let err = AppError::RateLimited(secs);
        let page = login_page(&ui, csrf, form.editor.clone(), Some(err.localized(&state.catalog, &locales)));
        return Ok(refused(&err, page));
    }
    let name = form.editor.trim();
    let refused = |message: &str| {
        (StatusCode::UNAUTHORIZED, login_page(&ui, csrf, form.editor.clone(), Some(message.to_owned())))
    };
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Ok(refused(&ui.sign_in_bad_name).into_response());
    }
    if !same_secret(&form.token, &expected) {
        state.sign_in_backoff.failed(ip);
        tracing::warn!(%ip, "translator sign-in refused");
        return Ok(refused(&ui.sign_in_bad_token).into_response());
    }
    state.sign_in_backoff.succeeded(ip);
    // A new session id on sign-in, so an id known before it is worth nothing after.
    session.cycle_id().await.map_err(|e| AppError::Unavailable(format!("session: {e}")))?;
    session.insert(TRANSLATOR_KEY, name).await.map_err(|e| AppError::Unavailable(format!("session: {e}")))?;
    tracing::info!(editor = ?name, "translator signed in");
    Ok(Redirect::to("/translate").into_response())
}

/// A form with no fields of its own (only the CSRF token).
#[derive(Deserialize)]
struct NoFields {}

async fn logout(CheckedForm { session, .. }: CheckedForm<NoFields>) -> Result<Response, AppError> {
    let _ = session.remove::<String>(TRANSLATOR_KEY).await;
    Ok(Redirect::to("/translate").into_response())
}

#[derive(Deserialize)]
struct CellQuery {
    code: String,
    locale: String,
    edit: Option<String>,
}

async fn cell(
    State(state): State<AppState>,
    Lang(_, ui): Lang,
    session: Session,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<CellQuery>,
) -> Result<Response, AppError> {
    signed_in(&state, &session).await?;
    let locale = normalize_tag(&q.locale).ok_or(AppError::BadRequest("locale".into()))?;
    let catalogue = load_catalogue(&state, Some(locale.clone())).await?;
    let entry = catalogue.entry(&q.code).ok_or(AppError::BadRequest("code".into()))?;
    let cell = catalogue.cell(&ui, entry, &locale, &csrf);
    let cell = if q.edit.is_some() { cell.editing(None, None) } else { cell };
    Ok(Html(render(&cell)).into_response())
}

#[derive(Deserialize)]
struct SaveForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    message: String,
}

async fn save(
    State(state): State<AppState>,
    Lang(_, ui): Lang,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CheckedForm { session, form, .. }: CheckedForm<SaveForm>,
) -> Result<Response, AppError> {
    let editor = signed_in(&state, &session).await?;
    let locale = normalize_tag(&form.locale).ok_or(AppError::BadRequest("locale".into()))?;
    let catalogue = load_catalogue(&state, Some(locale.clone())).await?;
    let entry = catalogue.entry(&form.code).ok_or(AppError::BadRequest("code".into()))?.clone();
    let message = form.message.trim().replace("\r\n", "\n");
    if let Some(problem) = catalogue.problem(&entry, &locale, &message) {
        let cell = catalogue
            .cell(&ui, &entry, &locale, &csrf)
            .editing(Some(form.message.clone()), Some(problem.text(&ui)));
        if is_htmx(&headers) {
            // htmx swaps only 2xx answers: the refused form comes back as 200.
            return Ok(Html(render(&cell)).into_response());
        }
        let view = View { locale: locale.clone(), filter: Filter::default(), editing: None, notice: None };
        let mut page = full_page(&ui, &catalogue, csrf, &editor, view);
        replace_cell(&mut page, &form.code, &locale, render(&cell));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .catalog
        .db()
        .save(entry.kind, &entry.code, &locale, &message, &editor)
        .await
        .map_err(|e| AppError::Unavailable(format!("catalogue: {e}")))?;
    tracing::info!(code = %entry.code, %locale, editor = ?editor, "catalogue text saved");
    state.catalog.reload().await;
    if is_htmx(&headers) {
        let fresh = load_catalogue(&state, Some(locale.clone())).await?;
        let mut html = render(&fresh.cell(&ui, &entry, &locale, &csrf).saved());
        // Every language's counts: an English edit can make translations outdated.
        for tag in &fresh.locales {
            html.push_str(&render(&fresh.counts_fragment(&ui, tag, true)));
        }
        return Ok(Html(html).into_response());
    }
    Ok(Redirect::to(&format!("/translate?locale={locale}&saved=1#cell-{}-{locale}", entry.code))
        .into_response())
}

fn replace_cell(page: &mut TranslatePage, code: &str, locale: &str, html: String) {
    let Some(col) = page.columns.iter().position(|l| l == locale) else { return };
    let row = page.sections.iter_mut().flat_map(|s| s.rows.iter_mut()).find(|r| r.code == code);
    if let Some(cell) = row.and_then(|r| r.cells.get_mut(col)) {
        *cell = html;
    }
}

#[derive(Deserialize)]
struct PreviewForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    message: String,
}

async fn preview_fragment(
    State(state): State<AppState>,
    Lang(_, ui): Lang,
    session: Session,
    FormInput(form): FormInput<PreviewForm>,
) -> Result<Response, AppError> {
    signed_in(&state, &session).await?;
    let locale = normalize_tag(&form.locale).unwrap_or_else(|| "en".to_owned());
    let catalogue = load_catalogue(&state, None).await?;
    let entry = catalogue.entry(&form.code).ok_or(AppError::BadRequest("code".into()))?;
    let error = catalogue.problem(entry, &locale, form.message.trim()).map(|p| p.text(&ui));
    let fragment = PreviewFragment { ui: &ui, error, previews: previews(&form.message, &locale) };
    Ok(Html(render(&fragment)).into_response())
}
