//! Configuration from the environment (the README's table; limits in docs/operations.md).
//! Every error names its variable.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::domain::Limits;

mod redis_target;
pub use redis_target::RedisTarget;

/// Messages kept per room by default: what a (re)connecting browser's snapshot shows. The
/// contract's larger default waits for loading earlier history on scroll (docs/decisions.md).
pub const DEFAULT_HISTORY_LIMIT: usize = 1000;
/// How long after posting its author may edit a message, unless `C2C_EDIT_WINDOW` says
/// otherwise (docs/messages.md).
pub const DEFAULT_EDIT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Shortest translator token accepted: anyone who guesses it edits every word users read.
const MIN_TOKEN_CHARS: usize = 16;

/// A configuration value that could not be used, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    /// The environment variable.
    pub var: &'static str,
    /// What is wrong with its value.
    pub problem: String,
}

/// Everything the server needs to start.
#[derive(Clone)]
pub struct Config {
    /// `C2C_ADDR`: listen address.
    pub addr: SocketAddr,
    /// `REDIS_URL` or `REDIS_CLUSTER_NODES`: shared state; unset means the in-process backend.
    pub redis: Option<RedisTarget>,
    /// `DATABASE_URL`: the error catalogue's database.
    pub database_url: String,
    /// `C2C_TRANSLATOR_TOKEN`: enables `/translate`.
    pub translator_token: Option<String>,
    /// `C2C_ROOM_IDLE_TTL`: how long a room with no one online survives.
    pub room_idle_ttl: Duration,
    /// `C2C_SESSION_TTL`: a browser session's sliding expiry.
    pub session_ttl: Duration,
    /// `C2C_REMOVAL_BAN`: how long a browser the owner removed from a room cannot join it again.
    pub removal_ban: Duration,
    /// `C2C_HISTORY_LIMIT`: messages kept per room.
    pub history_limit: usize,
    /// `C2C_EDIT_WINDOW`: how long after posting its author may edit a message.
    pub edit_window: Duration,
    /// `C2C_REQUEST_TIMEOUT`: longest a page, form or API request may take before it answers
    /// "temporarily unavailable"; also how long shutdown waits for requests in flight.
    pub request_timeout: Duration,
    /// `C2C_ALLOWED_ORIGINS`: origins besides the request's own host allowed to open sockets.
    pub allowed_origins: Vec<String>,
    /// `C2C_TRUSTED_PROXIES`: addresses of reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `C2C_SECURE_COOKIES`: mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// `C2C_WORKER_THREADS`: threads running the server (default: one per core). `1` runs it
    /// all on one thread, for hosts that run one instance per core.
    pub worker_threads: Option<usize>,
    /// Input and rate limits (`C2C_MAX_NAME_CHARS`, `C2C_MAX_MESSAGE_CHARS`,
    /// `C2C_MAX_FRAME_BYTES`, `C2C_RATE_PER_SEC`, `C2C_RATE_BURST`).
    pub limits: Limits,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("redis", &self.redis)
            .field("database_url", &redact_url(&self.database_url))
            .field("translator_token", &self.translator_token.as_ref().map(|_| "<set>"))
            .field("room_idle_ttl", &self.room_idle_ttl)
            .field("removal_ban", &self.removal_ban)
            .field("session_ttl", &self.session_ttl)
            .field("history_limit", &self.history_limit)
            .field("edit_window", &self.edit_window)
            .field("request_timeout", &self.request_timeout)
            .field("allowed_origins", &self.allowed_origins)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("secure_cookies", &self.secure_cookies)
            .field("worker_threads", &self.worker_threads)
            .field("limits", &self.limits)
            .finish()
    }
}

/// `scheme://user:secret@host/…` → `scheme://user:***@host/…`.
pub(crate) fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            redis: None,
            database_url: "sqlite://c2c.sqlite3".to_owned(),
            translator_token: None,
            room_idle_ttl: Duration::from_secs(24 * 3600),
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            removal_ban: Duration::from_secs(3600),
            request_timeout: Duration::from_secs(15),
            history_limit: DEFAULT_HISTORY_LIMIT,
            edit_window: DEFAULT_EDIT_WINDOW,
            allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            secure_cookies: false,
            worker_threads: None,
            limits: Limits::default(),
        }
    }
}

impl Config {
    /// Until when a member the room's owner removes now stays out (`C2C_REMOVAL_BAN` from now).
    pub fn removal_until(&self) -> crate::domain::UnixMillis {
        crate::domain::now_millis().saturating_add(crate::support::millis_i64(self.removal_ban))
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |var: &str| lookup(var).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut config = Config::default();
        if let Some(v) = get("C2C_ADDR") {
            config.addr = v
                .parse()
                .map_err(|_| err("C2C_ADDR", format!("{v:?} is not an address like 127.0.0.1:3000")))?;
        }
        config.redis = RedisTarget::from_settings(get("REDIS_URL"), get("REDIS_CLUSTER_NODES"))?;
        if let Some(v) = get("DATABASE_URL") {
            if !(v.starts_with("sqlite:") || v.starts_with("postgres:") || v.starts_with("postgresql:")) {
                return Err(err("DATABASE_URL", "expected sqlite://… or postgres://…".into()));
            }
            config.database_url = v;
        }
        config.translator_token = get("C2C_TRANSLATOR_TOKEN");
        if config.translator_token.as_ref().is_some_and(|t| t.chars().count() < MIN_TOKEN_CHARS) {
            return Err(err(
                "C2C_TRANSLATOR_TOKEN",
                format!("must be at least {MIN_TOKEN_CHARS} characters (a long random string)"),
            ));
        }
        config.room_idle_ttl = duration(&get, "C2C_ROOM_IDLE_TTL", config.room_idle_ttl)?;
        config.removal_ban = duration(&get, "C2C_REMOVAL_BAN", config.removal_ban)?;
        config.edit_window = duration(&get, "C2C_EDIT_WINDOW", config.edit_window)?;
        config.session_ttl = duration(&get, "C2C_SESSION_TTL", config.session_ttl)?;
        config.request_timeout = duration(&get, "C2C_REQUEST_TIMEOUT", config.request_timeout)?;
        config.limits.header_timeout = duration(&get, "C2C_HEADER_TIMEOUT", config.limits.header_timeout)?;
        config.limits.unjoined_grace = duration(&get, "C2C_UNJOINED_GRACE", config.limits.unjoined_grace)?;
        config.limits.silence_limit = duration(&get, "C2C_SILENCE_LIMIT", config.limits.silence_limit)?;
        if let Some(v) = get("C2C_ALLOWED_ORIGINS") {
            config.allowed_origins = v
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect();
            if let Some(bad) = config.allowed_origins.iter().find(|o| !o.contains("://")) {
                return Err(err(
                    "C2C_ALLOWED_ORIGINS",
                    format!("{bad:?} is not an origin like https://chat.example.com"),
                ));
            }
        }
        if let Some(v) = get("C2C_TRUSTED_PROXIES") {
            config.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| {
                    p.parse().map_err(|_| err("C2C_TRUSTED_PROXIES", format!("{p:?} is not an IP address")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("C2C_SECURE_COOKIES") {
            config.secure_cookies = match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return Err(err("C2C_SECURE_COOKIES", format!("{v:?} is not true or false"))),
            };
        }
        config.history_limit = number(&get, "C2C_HISTORY_LIMIT", config.history_limit)?;
        let limits = &mut config.limits;
        if get("C2C_WORKER_THREADS").is_some() {
            config.worker_threads = Some(number(&get, "C2C_WORKER_THREADS", 0)?);
        }
        limits.creates_per_min = number(&get, "C2C_CREATES_PER_MIN", limits.creates_per_min)?;
        limits.joins_per_min = number(&get, "C2C_JOINS_PER_MIN", limits.joins_per_min)?;
        limits.max_name_chars = number(&get, "C2C_MAX_NAME_CHARS", limits.max_name_chars)?;
        limits.max_message_chars = number(&get, "C2C_MAX_MESSAGE_CHARS", limits.max_message_chars)?;
        limits.max_room_name_chars = number(&get, "C2C_MAX_ROOM_NAME_CHARS", limits.max_room_name_chars)?;
        limits.max_topic_chars = number(&get, "C2C_MAX_TOPIC_CHARS", limits.max_topic_chars)?;
        limits.max_frame_bytes = number(&get, "C2C_MAX_FRAME_BYTES", limits.max_frame_bytes)?;
        limits.max_connections = number(&get, "C2C_MAX_CONNECTIONS", limits.max_connections)?;
        limits.max_connections_per_address =
            number(&get, "C2C_MAX_CONNECTIONS_PER_ADDR", limits.max_connections_per_address)?;
        limits.max_sockets_per_member =
            number(&get, "C2C_MAX_SOCKETS_PER_MEMBER", limits.max_sockets_per_member)?;
        limits.rate_burst = number(&get, "C2C_RATE_BURST", limits.rate_burst)?;
        limits.rate_per_sec = number(&get, "C2C_RATE_PER_SEC", limits.rate_per_sec)?;
        if !(limits.rate_per_sec > 0.0 && limits.rate_per_sec.is_finite()) {
            return Err(err("C2C_RATE_PER_SEC", "must be a positive number".into()));
        }
        Ok(config)
    }
}

pub(crate) fn err(var: &'static str, problem: String) -> ConfigError {
    ConfigError { var, problem }
}

fn duration_hint(v: &str) -> String {
    format!("{v:?} is not a duration like 90s, 30m, 24h or 7d")
}

fn number<T: std::str::FromStr + PartialOrd + Default>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(v) => match v.parse::<T>() {
            Ok(n) if n > T::default() => Ok(n),
            _ => Err(err(var, format!("{v:?} is not a positive number"))),
        },
    }
}

/// The duration `var` names (`90s`, `30m`, …), or `default` when it is unset.
fn duration(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(v) => parse_duration(&v).ok_or_else(|| err(var, duration_hint(&v))),
    }
}

/// Parses `90s`, `30m`, `24h`, `7d` (or a bare number of seconds).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    (secs > 0).then(|| Duration::from_secs(secs))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use super::*;

    pub(super) fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_need_no_environment() {
        let c = from(&[]).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://c2c.sqlite3");
        assert_eq!(c.room_idle_ttl, Duration::from_secs(86_400));
        assert!(c.redis.is_none());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("C2C_ADDR", "nowhere"),
            ("C2C_ROOM_IDLE_TTL", "soon"),
            ("C2C_REQUEST_TIMEOUT", "0s"),
            ("C2C_TRANSLATOR_TOKEN", "short"),
            ("C2C_HEADER_TIMEOUT", "never"),
            ("C2C_MAX_CONNECTIONS_PER_ADDR", "0"),
            ("DATABASE_URL", "mysql://x"),
            ("REDIS_URL", "localhost"),
            ("C2C_MAX_MESSAGE_CHARS", "-3"),
            ("C2C_RATE_PER_SEC", "0"),
            ("C2C_ALLOWED_ORIGINS", "example.com"),
            ("C2C_TRUSTED_PROXIES", "10.0.0.1,proxy"),
            ("C2C_SECURE_COOKIES", "maybe"),
            ("C2C_JOINS_PER_MIN", "0"),
            ("C2C_WORKER_THREADS", "0"),
            ("C2C_WORKER_THREADS", "two"),
        ] {
            let e = from(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var);
            assert!(e.to_string().starts_with(var));
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("15"), Some(Duration::from_secs(15)));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("h"), None);
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let c = from(&[
            ("DATABASE_URL", "postgres://c2c:hunter2@db/c2c"),
            ("C2C_TRANSLATOR_TOKEN", "tok3n-tok3n-tok3n"),
        ])
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("tok3n"), "{shown}");
    }
}
