//! `/translate`: translators edit the `error_info` catalogue in place (docs/translating.md).
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
use crate::catalog::{ErrorCode, normalize_tag};
use crate::domain::same_secret;
use crate::state::AppState;
use crate::views::translate::{
    Catalogue, PreviewFragment, TranslateLoginPage, TranslatePage, placeholder_problem, preview,
};
use crate::views::{UiLang, asset_version, render};

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
    let rows =
        state.catalog.db().rows().await.map_err(|e| AppError::Unavailable(format!("catalogue: {e}")))?;
    Ok(Catalogue::new(rows, extra))
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
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let Some(editor) = editor(&session).await? else {
        return Ok(login_page(csrf, String::new(), None).into_response());
    };
    let extra = q.add.as_deref().and_then(normalize_tag);
    let catalogue = load_catalogue(&state, extra).await?;
    let editing = q.edit.as_deref().zip(q.locale.as_deref());
    Ok(full_page(&catalogue, csrf, editor, editing, q.saved.map(|_| "Saved.".to_owned())).into_response())
}

fn login_page(csrf: String, editor: String, error: Option<String>) -> TranslateLoginPage<'static> {
    TranslateLoginPage { ui: UiLang::En.ui(), asset_v: asset_version(), csrf, editor, error }
}

fn full_page(
    catalogue: &Catalogue,
    csrf: String,
    editor: String,
    editing: Option<(&str, &str)>,
    notice: Option<String>,
) -> TranslatePage<'static> {
    let (locales, rows) = catalogue.grid(&csrf, editing);
    TranslatePage {
        ui: UiLang::En.ui(),
        asset_v: asset_version(),
        csrf,
        editor,
        locales,
        rows,
        total: catalogue.codes.len(),
        notice,
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
    Lang(locales, _): Lang,
    CsrfToken(csrf): CsrfToken,
    CheckedForm { session, form, .. }: CheckedForm<LoginForm>,
) -> Result<Response, AppError> {
    let expected = token(&state)?.to_owned();
    // A locked-out address waits even with the right token: guessing faster gains nothing.
    if let Err(secs) = state.sign_in_backoff.check(ip) {
        let err = AppError::RateLimited(secs);
        let page = login_page(csrf, form.editor.clone(), Some(err.localized(&state.catalog, &locales)));
        return Ok(refused(&err, page));
    }
    let name = form.editor.trim();
    let refused = |message: &str| {
        (StatusCode::UNAUTHORIZED, login_page(csrf, form.editor.clone(), Some(message.to_owned())))
    };
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Ok(refused("Enter your name (up to 64 characters).").into_response());
    }
    if !same_secret(&form.token, &expected) {
        state.sign_in_backoff.failed(ip);
        tracing::warn!(%ip, "translator sign-in refused");
        return Ok(refused("That token is not right.").into_response());
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
    session: Session,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<CellQuery>,
) -> Result<Response, AppError> {
    signed_in(&state, &session).await?;
    let locale = normalize_tag(&q.locale).ok_or(AppError::BadRequest("locale".into()))?;
    let catalogue = load_catalogue(&state, Some(locale.clone())).await?;
    let cell = catalogue.cell(&q.code, &locale, &csrf);
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

/// Error codes are upper-case words joined by `_`.
fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The placeholders a message of `code` in `locale` must keep.
fn required(catalogue: &Catalogue, code: &str, locale: &str) -> Vec<String> {
    if locale == "en" {
        // English may be reworded, but never lose what the server fills in.
        return ErrorCode::ALL
            .iter()
            .find(|c| c.as_str() == code)
            .map(|c| c.placeholders().iter().map(|p| (*p).to_owned()).collect())
            .unwrap_or_else(|| catalogue.required_placeholders(code));
    }
    catalogue.required_placeholders(code)
}

async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfToken(csrf): CsrfToken,
    CheckedForm { session, form, .. }: CheckedForm<SaveForm>,
) -> Result<Response, AppError> {
    let editor = signed_in(&state, &session).await?;
    let locale = normalize_tag(&form.locale).ok_or(AppError::BadRequest("locale".into()))?;
    if !valid_code(&form.code) {
        return Err(AppError::BadRequest("code".into()));
    }
    let message = form.message.trim().replace("\r\n", "\n");
    let catalogue = load_catalogue(&state, Some(locale.clone())).await?;
    let problem = if message.is_empty() {
        Some("Write a message, or leave the row missing to fall back to English.".to_owned())
    } else if message.chars().count() > 2000 {
        Some("A message can be at most 2000 characters.".to_owned())
    } else {
        placeholder_problem(&message, &required(&catalogue, &form.code, &locale))
    };
    if let Some(problem) = problem {
        let cell =
            catalogue.cell(&form.code, &locale, &csrf).editing(Some(form.message.clone()), Some(problem));
        if is_htmx(&headers) {
            // htmx swaps only 2xx answers: the refused form comes back as 200.
            return Ok(Html(render(&cell)).into_response());
        }
        let mut page = full_page(&catalogue, csrf, editor, None, None);
        replace_cell(&mut page, &form.code, &locale, render(&cell));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .catalog
        .db()
        .save(&form.code, &locale, &message, &editor)
        .await
        .map_err(|e| AppError::Unavailable(format!("catalogue: {e}")))?;
    tracing::info!(code = %form.code, %locale, editor = ?editor, "catalogue message saved");
    state.catalog.reload().await;
    if is_htmx(&headers) {
        let fresh = load_catalogue(&state, Some(locale.clone())).await?;
        return Ok(Html(render(&fresh.cell(&form.code, &locale, &csrf).saved())).into_response());
    }
    Ok(Redirect::to(&format!("/translate?saved=1#cell-{}-{locale}", form.code)).into_response())
}

fn replace_cell(page: &mut TranslatePage, code: &str, locale: &str, html: String) {
    let Some(col) = page.locales.iter().position(|l| l.tag == locale) else { return };
    if let Some(row) = page.rows.iter_mut().find(|r| r.code == code)
        && let Some(cell) = row.cells.get_mut(col)
    {
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
    session: Session,
    FormInput(form): FormInput<PreviewForm>,
) -> Result<Response, AppError> {
    signed_in(&state, &session).await?;
    let locale = normalize_tag(&form.locale).unwrap_or_else(|| "en".to_owned());
    let catalogue = load_catalogue(&state, None).await?;
    let error = placeholder_problem(&form.message, &required(&catalogue, &form.code, &locale));
    Ok(Html(render(&PreviewFragment { error, preview: preview(&form.message) })).into_response())
}
