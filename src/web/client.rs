//! Who is asking: the client's address (for per-address limits and logs) and a request id
//! (in logs, on error pages, in `X-Request-Id`).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::HeaderValue;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::state::AppState;

/// The request's id.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Middleware: gives every request an id, in its extensions and the response's `X-Request-Id`.
pub async fn request_id(mut request: Request, next: Next) -> Response {
    let id = crate::domain::ids_random_secret(12);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The client's address: the peer, or, when the peer is a trusted proxy, the nearest address
/// in `X-Forwarded-For` that is not one of our proxies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
        Ok(Self(client_ip(peer, parts, &state.config.trusted_proxies)))
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

/// Per-address limits on room creation and joins (SPEC §10, abuse limits).
pub struct AddressLimits {
    creates: DefaultKeyedRateLimiter<IpAddr>,
    joins: DefaultKeyedRateLimiter<IpAddr>,
}

/// Which limit.
#[derive(Clone, Copy, Debug)]
pub enum Action {
    /// Creating a room.
    Create,
    /// Joining a room.
    Join,
}

fn quota(per_min: u32) -> Quota {
    Quota::per_minute(std::num::NonZeroU32::new(per_min.max(1)).unwrap_or(std::num::NonZeroU32::MIN))
}

impl AddressLimits {
    /// Limits at `creates` and `joins` per minute per address.
    pub fn new(creates: u32, joins: u32) -> Self {
        Self { creates: RateLimiter::hashmap(quota(creates)), joins: RateLimiter::hashmap(quota(joins)) }
    }

    /// Takes one `action` for `ip`, or says in how many seconds it is allowed again.
    pub fn check(&self, action: Action, ip: IpAddr) -> Result<(), u64> {
        let limiter = match action {
            Action::Create => &self.creates,
            Action::Join => &self.joins,
        };
        limiter.check_key(&ip).map_err(|not_until| {
            let metric = match action {
                Action::Create => &crate::metrics::metrics().limited_creates,
                Action::Join => &crate::metrics::metrics().limited_joins,
            };
            metric.increment(1);
            crate::live::retry_secs(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }

    /// Forgets addresses whose buckets are full again.
    pub fn forget_idle(&self) {
        self.creates.retain_recent();
        self.joins.retain_recent();
    }
}

/// How often idle addresses are forgotten.
pub const FORGET_INTERVAL: Duration = Duration::from_secs(60);

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
    fn limits_say_when_to_retry() {
        let limits = AddressLimits::new(2, 60);
        let ip: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(limits.check(Action::Create, ip).is_ok());
        assert!(limits.check(Action::Create, ip).is_ok());
        let wait = limits.check(Action::Create, ip).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(limits.check(Action::Create, "198.51.100.2".parse().unwrap()).is_ok(), "per address");
        assert!(limits.check(Action::Join, ip).is_ok(), "per action");
    }
}
