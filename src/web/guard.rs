//! Request checks shared by forms and sockets: same-origin (SPEC §10).

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

/// Whether a request's `Origin` may act on this site: absent (a non-browser client, or a
/// browser that sends none on same-origin navigations), the request's own host, or one of
/// the configured extra origins.
pub fn origin_allowed(headers: &HeaderMap, extra: &[String]) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    same_host(origin, headers) || extra.iter().any(|o| o.eq_ignore_ascii_case(origin))
}

/// Whether `Origin` is present and allowed; browsers always send it on WebSocket upgrades.
pub fn origin_present_and_allowed(headers: &HeaderMap, extra: &[String]) -> bool {
    headers.contains_key(ORIGIN) && origin_allowed(headers, extra)
}

fn same_host(origin: &str, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    rest.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static(host));
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_static(o));
        }
        h
    }

    #[test]
    fn same_origin_and_configured_origins_pass() {
        assert!(origin_allowed(&headers(Some("http://127.0.0.1:3000"), "127.0.0.1:3000"), &[]));
        assert!(origin_allowed(&headers(None, "127.0.0.1:3000"), &[]));
        let extra = vec!["https://chat.example.com".to_owned()];
        assert!(origin_allowed(&headers(Some("https://chat.example.com"), "10.0.0.1:3000"), &extra));
    }

    #[test]
    fn foreign_origins_fail() {
        assert!(!origin_allowed(&headers(Some("http://evil.example"), "127.0.0.1:3000"), &[]));
        assert!(!origin_allowed(&headers(Some("http://127.0.0.1:3000.evil"), "127.0.0.1:3000"), &[]));
        assert!(!origin_allowed(&headers(Some("null"), "127.0.0.1:3000"), &[]));
        assert!(!origin_present_and_allowed(&headers(None, "127.0.0.1:3000"), &[]));
    }
}
