//! Who is asking: the client's address (for per-address limits and logs) and the request's
//! id (in logs, on error pages, in `X-Request-Id`).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use tower_http::request_id::{MakeRequestId, RequestId};

use crate::state::AppState;

/// The header carrying a request's id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: 12 random URL-safe characters.
#[derive(Clone, Copy, Default)]
pub struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&crate::domain::ids_random_secret(12)).ok().map(RequestId::new)
    }
}

/// Whether an id a proxy put on the request is kept (it then ties our logs to the proxy's):
/// up to 64 letters, digits, `-`, `_` or `.`. Anything else is replaced by our own, so a
/// client cannot write arbitrary text into logs and error pages.
pub fn acceptable_request_id(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest address
/// in `X-Forwarded-For` that is not one of our proxies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
        Ok(Self(client_ip(peer, parts, &AppState::from_ref(state).config.trusted_proxies)))
    }
}

fn client_ip(peer: IpAddr, parts: &Parts, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(xff: Option<&str>) -> Parts {
        let mut req = axum::http::Request::builder();
        if let Some(v) = xff {
            req = req.header("x-forwarded-for", v);
        }
        req.body(()).unwrap().into_parts().0
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let spoofed = parts(Some("1.2.3.4, 203.0.113.7"));
        assert_eq!(client_ip(client, &spoofed, &[proxy]), client, "untrusted peer: its own address");
        assert_eq!(client_ip(proxy, &spoofed, &[proxy]), client, "rightmost untrusted hop");
        assert_eq!(client_ip(proxy, &parts(None), &[proxy]), proxy);
        assert_eq!(client_ip(proxy, &parts(Some("garbage")), &[proxy]), proxy);
    }

    #[test]
    fn only_plain_request_ids_are_kept() {
        assert!(acceptable_request_id(&HeaderValue::from_static("abc-123_x.y")));
        assert!(!acceptable_request_id(&HeaderValue::from_static("a b")));
        assert!(!acceptable_request_id(&HeaderValue::from_static("id=1 level=error")));
        assert!(!acceptable_request_id(&HeaderValue::from_static("")));
        assert!(!acceptable_request_id(&HeaderValue::from_str(&"x".repeat(65)).unwrap()));
    }
}
