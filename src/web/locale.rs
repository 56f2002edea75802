//! The viewer's locale, from `?lang=`, the `lang` cookie, then `Accept-Language`
//! (docs/translating.md).

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};
use axum::http::request::Parts;
use tower_sessions::cookie::Cookie;

use crate::catalog::{Catalog, Locales, normalize_tag};
use crate::state::AppState;
use crate::views::{Ui, Zone};

/// Extracts the viewer's locale preferences and the interface chosen from them: the first
/// preferred language the catalogue has rows for, else English.
#[derive(Clone, Debug)]
pub struct Lang(pub Locales, pub Arc<Ui>);

impl<S: Send + Sync> FromRequestParts<S> for Lang
where
    AppState: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, &AppState::from_ref(state).catalog))
    }
}

impl Lang {
    /// Negotiates from request parts.
    pub fn of(parts: &Parts, catalog: &Catalog) -> Self {
        let query = query_lang(parts.uri.query());
        let cookie = cookie_value(&parts.headers, "lang");
        let accept = parts.headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let locales = Locales::negotiate(query.as_deref(), cookie.as_deref(), accept);
        let ui = catalog.ui(&locales);
        Lang(locales, ui)
    }
}

/// The reader's time zone, from the `tz` cookie the chat page's script sets (minutes east of
/// UTC); UTC, named as such on the page, before it has.
pub fn zone_of(headers: &HeaderMap) -> Zone {
    Zone::from_cookie(cookie_value(headers, "tz").as_deref())
}

impl<S: Send + Sync> FromRequestParts<S> for Zone {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(zone_of(&parts.headers))
    }
}

/// The `lang` query parameter, if it is a well-formed tag.
pub fn query_lang(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|pair| pair.strip_prefix("lang=")).and_then(normalize_tag)
}

/// One cookie's value from the request.
pub(super) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}
