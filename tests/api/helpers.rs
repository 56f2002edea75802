//! `spawn_app()` and typed helpers: a browser with its own cookie jar, a live socket client.

use std::sync::Arc;
use std::time::{Duration, Instant};

use c2c::backend::memory::MemoryBackend;
use c2c::backend::redis::RedisBackend;
use c2c::backend::{Backend, BackendConfig};
use c2c::config::RedisTarget;
use c2c::state::AppState;
use c2c::{App, Config};
use futures_util::{SinkExt, StreamExt};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{StatusCode, Url};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something that should happen at once.
pub const WAIT: Duration = Duration::from_secs(5);

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// Where the app keeps browser sessions.
    pub sessions: c2c::app::Sessions,
    pub db_path: std::path::PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db_path.display()));
        }
    }
}

pub fn test_config() -> (Config, std::path::PathBuf) {
    let db_path = std::env::temp_dir().join(format!("c2c-test-{}.sqlite3", c2c::domain::RoomId::generate()));
    let config = Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", db_path.display()),
        ..Config::default()
    };
    (config, db_path)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (mut config, db_path) = test_config();
    adjust(&mut config);
    let backend: Arc<dyn Backend> = Arc::new(MemoryBackend::start(BackendConfig::for_config(&config)));
    serve(config, backend, db_path).await
}

/// An app on the in-process backend with `adjust`ed backend settings (its timings).
pub async fn spawn_app_with_backend(
    adjust: impl FnOnce(&mut BackendConfig),
    adjust_config: impl FnOnce(&mut Config),
) -> TestApp {
    let (mut config, db_path) = test_config();
    adjust_config(&mut config);
    let mut backend_config = BackendConfig::for_config(&config);
    adjust(&mut backend_config);
    serve(config, Arc::new(MemoryBackend::start(backend_config)), db_path).await
}

/// The Redis URL of the test command's private server, with database `db`. Tests that need
/// different timings use different databases, since every instance on one database sweeps
/// every room there with its own configuration.
pub fn redis_url(db: u8) -> String {
    let base = std::env::var("REDIS_URL").expect(
        "REDIS_URL must point at a Redis server for the Redis tests; scripts/test starts a private one",
    );
    let trimmed = base.trim_end_matches('/');
    let without_db = match trimmed.rsplit_once('/') {
        Some((head, tail))
            if tail.chars().all(|c| c.is_ascii_digit())
                && head.contains("://")
                && head.len() > "redis://".len() =>
        {
            head
        }
        _ => trimmed,
    };
    format!("{without_db}/{db}")
}

/// The seed nodes of the test command's private Redis Cluster, as URLs.
pub fn cluster_nodes() -> Vec<String> {
    cluster_nodes_in("REDIS_CLUSTER_NODES")
}

/// The seed nodes listed in the environment variable `var` (`host:port,…`), as URLs.
pub fn cluster_nodes_in(var: &str) -> Vec<String> {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} must list the nodes of a Redis Cluster; scripts/test starts one"))
        .split(',')
        .map(|node| format!("redis://{}", node.trim()))
        .collect()
}

/// A fresh, empty PostgreSQL database on the test command's private server (each test gets its
/// own, so edits in one never show in another).
pub async fn fresh_postgres() -> String {
    let admin = std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must point at PostgreSQL for the PostgreSQL tests; scripts/test starts a private one",
    );
    assert!(admin.starts_with("postgres"), "DATABASE_URL is not a PostgreSQL URL: {admin}");
    let name = format!("c2c_{}", c2c::domain::RoomId::generate().as_str().to_lowercase().replace('-', "_"));
    let pool = sqlx::PgPool::connect(&admin).await.expect("the test PostgreSQL answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&pool).await.unwrap();
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// An app instance on the Redis at `url`, with backend timings `backend_config`.
pub async fn spawn_app_on_redis(url: &str, backend_config: BackendConfig) -> TestApp {
    spawn_app_on_redis_with(url, backend_config, |_| {}).await
}

/// [`spawn_app_on_redis`] with the configuration adjusted.
pub async fn spawn_app_on_redis_with(
    url: &str,
    backend_config: BackendConfig,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    spawn_app_on_target(RedisTarget::Single(url.to_owned()), backend_config, adjust).await
}

/// An app instance on the test command's Redis Cluster (`REDIS_CLUSTER_NODES`).
pub async fn spawn_app_on_cluster(
    backend_config: BackendConfig,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    spawn_app_on_target(RedisTarget::Cluster(cluster_nodes()), backend_config, adjust).await
}

/// An app instance on one Redis or a cluster, as `REDIS_URL` or `REDIS_CLUSTER_NODES` choose.
pub async fn spawn_app_on_target(
    target: RedisTarget,
    backend_config: BackendConfig,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let (mut config, db_path) = test_config();
    adjust(&mut config);
    config.room_idle_ttl = backend_config.room_idle_ttl;
    let backend_config = BackendConfig { message_rate: config.limits.send_rate(), ..backend_config };
    let backend = match &target {
        RedisTarget::Single(url) => RedisBackend::start(url, backend_config).expect("redis backend"),
        RedisTarget::Cluster(nodes) => {
            RedisBackend::start_cluster(nodes, backend_config).await.expect("the test cluster answers")
        }
    };
    config.redis = Some(target);
    serve(config, Arc::new(backend), db_path).await
}

async fn serve(config: Config, backend: Arc<dyn Backend>, db_path: std::path::PathBuf) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TEST_LOG").unwrap_or_else(|_| "off".into()),
        )
        .with_test_writer()
        .try_init();
    let app = App::build_with(config, backend).await.expect("app builds");
    let base = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let sessions = app.sessions();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    TestApp { base, state, sessions, db_path, shutdown: Some(tx) }
}

impl TestApp {
    /// Sends the shutdown signal, as SIGTERM does.
    pub fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// The same browser (cookies and all) talking to another instance.
    pub fn browser_on(&self, other: &Browser) -> Browser {
        Browser {
            client: other.client.clone(),
            jar: other.jar.clone(),
            base: self.base.clone(),
            lang: other.lang,
        }
    }

    /// A browser that created a room as `name`, its live socket open and past the snapshot.
    pub async fn room_with_live(&self, name: &str) -> (Browser, String, Live) {
        let browser = self.browser();
        let room = browser.create_room(name).await;
        let mut live = browser.connect_live(&room).await;
        live.next_snapshot().await;
        (browser, room, live)
    }

    pub fn browser(&self) -> Browser {
        self.browser_with(reqwest::header::HeaderMap::new())
    }

    /// A browser behind a trusted proxy that names `address` as the client (the app must
    /// trust 127.0.0.1 as a proxy): per-address limits count it apart from other tests.
    pub fn browser_from(&self, address: std::net::IpAddr) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(&address.to_string()).unwrap());
        self.browser_with(headers)
    }

    fn browser_with(&self, headers: reqwest::header::HeaderMap) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser { client, jar, base: self.base.clone(), lang: None }
    }
}

/// A browser: its own cookies, optionally a preferred language.
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
    pub lang: Option<&'static str>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The value of the first hidden field `name`.
    pub fn field(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).unwrap_or_else(|| panic!("no field {name} in {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

impl Browser {
    fn with_lang(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.lang {
            Some(lang) => req.header("accept-language", lang),
            None => req,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self.with_lang(self.client.get(format!("{}{path}", self.base))).send().await.unwrap();
        page(res).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let origin = self.base.clone();
        let req = self.client.post(format!("{}{path}", self.base)).header("origin", origin).form(form);
        page(self.with_lang(req).send().await.unwrap()).await
    }

    /// Creates a room as `name`; returns its id.
    pub async fn create_room(&self, name: &str) -> String {
        let csrf = self.get("/").await.field("csrf");
        let res = self.post("/rooms", &[("name", name), ("csrf", &csrf)]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        res.location().trim_start_matches("/r/").to_owned()
    }

    /// Joins `room` as `name`.
    pub async fn join(&self, room: &str, name: &str) -> Page {
        let csrf = self.get(&format!("/r/{room}")).await.field("csrf");
        self.post(&format!("/r/{room}/join"), &[("name", name), ("csrf", &csrf)]).await
    }

    /// Sends a message through the no-JavaScript form.
    pub async fn send_form(&self, room: &str, text: &str) -> Page {
        let page = self.get(&format!("/r/{room}")).await;
        let (csrf, client_id) = (page.field("csrf"), page.field("client_id"));
        self.post(
            &format!("/r/{room}/messages"),
            &[("text", text), ("client_id", &client_id), ("csrf", &csrf)],
        )
        .await
    }

    pub fn cookie_header(&self) -> Option<String> {
        let url: Url = self.base.parse().unwrap();
        self.jar.cookies(&url).map(|v| v.to_str().unwrap().to_owned())
    }

    /// Opens the live socket of `room` with this browser's cookies and own origin.
    pub async fn connect_live(&self, room: &str) -> Live {
        self.try_connect_live(room, Some(&self.base.clone())).await.expect("live socket opens")
    }

    pub async fn try_connect_live(
        &self,
        room: &str,
        origin: Option<&str>,
    ) -> Result<Live, tokio_tungstenite::tungstenite::Error> {
        let url = format!("{}/r/{room}/live", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().unwrap();
        if let Some(cookie) = self.cookie_header() {
            request.headers_mut().insert("cookie", HeaderValue::from_str(&cookie).unwrap());
        }
        if let Some(origin) = origin {
            request.headers_mut().insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        if let Some(lang) = self.lang {
            request.headers_mut().insert("accept-language", HeaderValue::from_static(lang));
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Live { ws })
    }
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap();
    Page { status, headers, body }
}

/// A live socket as htmx's ws extension uses it.
pub struct Live {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Alice creates a room and Bob joins it; both live sockets open and past their snapshots.
pub async fn both_live(alice: &Browser, bob: &Browser) -> (String, Live, Live) {
    let room = alice.create_room("Alice").await;
    bob.join(&room, "Bob").await;
    let mut a = alice.connect_live(&room).await;
    a.next_snapshot().await;
    let mut b = bob.connect_live(&room).await;
    b.next_snapshot().await;
    (room, a, b)
}

impl Live {
    /// The next text frame (pings are answered by the library).
    pub async fn next_text(&mut self) -> String {
        self.try_next_text(WAIT).await.expect("a frame within the wait")
    }

    /// The snapshot a socket sends first: one or more frames, the last of which clears the
    /// composer's error. Returned joined.
    pub async fn next_snapshot(&mut self) -> String {
        let mut snapshot = String::new();
        loop {
            let frame = self.next_text().await;
            snapshot.push_str(&frame);
            if frame.contains(r#"id="composer-error""#) {
                return snapshot;
            }
        }
    }

    pub async fn try_next_text(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()??.ok()?;
            match frame {
                Message::Text(t) => return Some(t.to_string()),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// Frames until one contains `needle`; returns it.
    pub async fn until(&mut self, needle: &str) -> String {
        loop {
            let frame = self.try_next_text(WAIT).await.unwrap_or_else(|| panic!("no frame with {needle:?}"));
            if frame.contains(needle) {
                return frame;
            }
        }
    }

    /// Sends what the composer sends: `{"text", "client_id", "HEADERS"}`.
    pub async fn send_message(&mut self, text: &str, client_id: &str) {
        let body = serde_json::json!({
            "text": text,
            "client_id": client_id,
            "csrf": "x",
            "HEADERS": {"HX-Request": "true", "HX-Trigger": "composer"}
        });
        self.ws.send(Message::Text(body.to_string().into())).await.unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.unwrap();
    }

    /// Waits for the close frame; returns its code.
    pub async fn closed_with(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await.ok()?? {
                Ok(Message::Close(frame)) => return frame.map(|f| f.code.into()),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}

/// How many times `needle` occurs in `haystack`.
pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// A program on the JSON WebSocket `/ws`.
pub struct JsonClient {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl TestApp {
    /// POSTs JSON to the API; returns (status, body as JSON).
    pub async fn api_post(&self, path: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
        let res =
            reqwest::Client::new().post(format!("{}{path}", self.base)).json(&body).send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    pub async fn api_get(&self, path: &str, lang: Option<&str>) -> (StatusCode, serde_json::Value) {
        let mut req = reqwest::Client::new().get(format!("{}{path}", self.base));
        if let Some(lang) = lang {
            req = req.header("accept-language", lang);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    /// Opens `/ws` as a program does: no cookies, no Origin.
    pub async fn json_client(&self) -> JsonClient {
        let url = format!("{}/ws", self.base.replacen("http", "ws", 1));
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("json socket opens");
        JsonClient { ws }
    }
}

impl JsonClient {
    pub async fn send(&mut self, value: serde_json::Value) {
        self.ws.send(Message::Text(value.to_string().into())).await.unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.unwrap();
    }

    /// The next JSON frame.
    pub async fn next(&mut self) -> serde_json::Value {
        loop {
            let frame =
                tokio::time::timeout(WAIT, self.ws.next()).await.expect("a frame in time").unwrap().unwrap();
            if let Message::Text(t) = frame {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }

    /// The next JSON frame within `wait`, if the socket is still open.
    pub async fn try_next(&mut self, wait: Duration) -> Option<serde_json::Value> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(&t).ok(),
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }

    /// Frames until one has `"t": t`.
    pub async fn until(&mut self, t: &str) -> serde_json::Value {
        loop {
            let frame = self.next().await;
            if frame["t"] == t {
                return frame;
            }
        }
    }
}

/// Polls `check` for up to `limit`; true once it holds.
pub async fn within(limit: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
