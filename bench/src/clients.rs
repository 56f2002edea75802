//! One benchmark client: a WebSocket in one room that publishes when told and records what it
//! receives. Each message's text carries `~b{room}:{seq}:{sent_ns}~`.

use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::net::TcpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::setup::{Auth, Member};

/// The protocol spoken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// c2c's JSON socket.
    Json,
    /// c2c's browser socket (HTML fragments).
    Html,
    /// The bare baseline server.
    Baseline,
    /// Socket.IO 4 (engine.io v4 over WebSocket).
    SocketIo,
}

/// What the driver tells a client.
pub enum Command {
    Publish { room: usize, seq: u64, sent_ns: u64 },
    Window { from_ns: u64, to_ns: u64 },
    Collect(oneshot::Sender<PhaseStats>),
    Close,
}

/// What a client saw in one measured phase.
pub struct PhaseStats {
    /// Send→receive, microseconds.
    pub latency: Histogram<u64>,
    pub delivered: u64,
    /// Messages missing from a stream without the server saying so.
    pub gaps: u64,
    /// Messages missing right after the server resynchronized the socket (it said so).
    pub explained_gaps: u64,
    /// Snapshots the server sent because the socket fell behind.
    pub resyncs: u64,
    pub dups: u64,
    pub errors: u64,
}

impl Default for PhaseStats {
    fn default() -> Self {
        Self {
            latency: Histogram::new_with_bounds(1, 60_000_000, 3)
                .unwrap_or_else(|_| Histogram::new(3).unwrap_or_else(|_| unreachable_hist())),
            delivered: 0,
            gaps: 0,
            explained_gaps: 0,
            resyncs: 0,
            dups: 0,
            errors: 0,
        }
    }
}

fn unreachable_hist() -> Histogram<u64> {
    // Histogram::new(3) only fails for sigfig > 5.
    std::process::exit(3)
}

impl PhaseStats {
    pub fn merge(&mut self, other: &PhaseStats) {
        let _ = self.latency.add(&other.latency);
        self.delivered += other.delivered;
        self.gaps += other.gaps;
        self.explained_gaps += other.explained_gaps;
        self.resyncs += other.resyncs;
        self.dups += other.dups;
        self.errors += other.errors;
    }
}

fn ws_url(kind: Kind, member: &Member) -> String {
    let base = member.url.replacen("http", "ws", 1);
    match (&member.auth, kind) {
        (Auth::Cookie { room_id, .. }, _) => format!("{base}/r/{room_id}/live"),
        (_, Kind::Json) => format!("{base}/ws"),
        (_, Kind::SocketIo) => format!("{base}/socket.io/?EIO=4&transport=websocket"),
        _ => format!("{base}/"),
    }
}

fn publish_frame(kind: Kind, member: &Member, text: &str) -> String {
    match &member.auth {
        Auth::Token { room_id, .. } => {
            serde_json::json!({"t": "msg", "roomId": room_id, "text": text}).to_string()
        }
        Auth::Cookie { .. } => serde_json::json!({"text": text, "HEADERS": {}}).to_string(),
        Auth::Room { name } if kind == Kind::SocketIo => format!("42[\"msg\",\"{name}\",\"{text}\"]"),
        Auth::Room { name } => serde_json::json!({"t": "msg", "roomId": name, "text": text}).to_string(),
    }
}

/// Every `(room, seq, sent_ns)` a frame carries, in order (a snapshot carries many).
fn markers(frame: &str) -> impl Iterator<Item = (usize, u64, u64)> + '_ {
    frame.split("~b").skip(1).filter_map(|rest| {
        let end = rest.find('~')?;
        let mut parts = rest[..end].split(':');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    })
}

/// Whether a frame is a snapshot the server sent because the socket fell behind: JSON says
/// `"resync":true`; a browser socket gets its room's snapshot again (swapped in whole).
fn is_resync(kind: Kind, frame: &str) -> bool {
    match kind {
        Kind::Json => frame.starts_with("{\"t\":\"joined\"") && frame.contains("\"resync\":true"),
        Kind::Html => frame.contains("hx-swap-oob=\"innerHTML\""),
        _ => false,
    }
}

fn is_error(kind: Kind, frame: &str) -> bool {
    match kind {
        Kind::Json => frame.starts_with("{\"t\":\"error\"") || frame.contains("\"t\":\"error\""),
        Kind::Html => frame.contains("composer-error") && !frame.contains("hx-swap-oob=\"true\"></p>"),
        _ => false,
    }
}

/// Connects, joins, and starts the client's task.
pub async fn spawn_client(
    kind: Kind,
    member: Member,
    source: Ipv4Addr,
    epoch: Instant,
) -> Result<(mpsc::UnboundedSender<Command>, JoinHandle<()>), String> {
    let url = ws_url(kind, &member);
    let hostport = member.url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let addr: SocketAddr =
        hostport.to_socket_addrs().map_err(|e| e.to_string())?.next().ok_or("no address")?;
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket.bind(SocketAddr::from((source, 0))).map_err(|e| format!("bind {source}: {e}"))?;
    let stream = socket.connect(addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    if let Auth::Cookie { cookie, .. } = &member.auth {
        let headers = request.headers_mut();
        headers.insert("cookie", HeaderValue::from_str(cookie).map_err(|e| e.to_string())?);
        headers.insert("origin", HeaderValue::from_str(&member.url).map_err(|e| e.to_string())?);
    }
    // tungstenite zero-fills its whole read buffer before every read (128 KiB by default): a
    // third of the generator's CPU went there. 4 KiB, as the bare baseline server uses; a larger
    // frame still arrives whole (the buffer grows for it).
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config))
        .await
        .map_err(|e| e.to_string())?;

    // Join.
    match (&member.auth, kind) {
        (Auth::Token { room_id, token }, _) => {
            let join = serde_json::json!({"t": "join", "roomId": room_id, "token": token}).to_string();
            ws.send(Message::Text(join.into())).await.map_err(|e| e.to_string())?;
            wait_for(&mut ws, |t| t.contains("\"t\":\"joined\"")).await?;
        }
        (Auth::Cookie { .. }, _) => wait_for(&mut ws, |t| t.contains("hx-swap-oob=\"innerHTML\"")).await?,
        (Auth::Room { name }, Kind::SocketIo) => {
            wait_for(&mut ws, |t| t.starts_with('0')).await?;
            ws.send(Message::Text("40".into())).await.map_err(|e| e.to_string())?;
            wait_for(&mut ws, |t| t.starts_with("40")).await?;
            ws.send(Message::Text(format!("42[\"join\",\"{name}\"]").into()))
                .await
                .map_err(|e| e.to_string())?;
        }
        (Auth::Room { name }, _) => {
            let join = serde_json::json!({"t": "join", "roomId": name}).to_string();
            ws.send(Message::Text(join.into())).await.map_err(|e| e.to_string())?;
        }
    }

    let (tx, mut rx) = mpsc::unbounded_channel::<Command>();
    let handle = tokio::spawn(async move {
        let (mut sink, mut source) = ws.split();
        let mut stats = PhaseStats::default();
        let mut window = (u64::MAX, u64::MAX);
        let mut last_seq = 0u64;
        // Whether the server resynchronized this socket since its last message.
        let mut explained = false;
        loop {
            tokio::select! {
                command = rx.recv() => match command {
                    Some(Command::Publish { room, seq, sent_ns }) => {
                        let text = format!("~b{room}:{seq}:{sent_ns}~");
                        let frame = publish_frame(kind, &member, &text);
                        if sink.send(Message::Text(frame.into())).await.is_err() {
                            return;
                        }
                    }
                    Some(Command::Window { from_ns, to_ns }) => window = (from_ns, to_ns),
                    Some(Command::Collect(reply)) => {
                        let _ = reply.send(std::mem::take(&mut stats));
                    }
                    Some(Command::Close) | None => {
                        let _ = sink.send(Message::Close(None)).await;
                        return;
                    }
                },
                frame = source.next() => {
                    let Some(Ok(frame)) = frame else { return };
                    let Message::Text(text) = frame else { continue };
                    if kind == Kind::SocketIo && text.as_str() == "2" {
                        let _ = sink.send(Message::Text("3".into())).await;
                        continue;
                    }
                    let resync = is_resync(kind, &text);
                    if resync {
                        stats.resyncs += 1;
                        explained = true;
                    }
                    let mut any = false;
                    for (room, seq, sent_ns) in markers(&text) {
                        any = true;
                        if room != member.room {
                            continue;
                        }
                        if seq == last_seq + 1 || last_seq == 0 {
                            last_seq = seq;
                        } else if seq > last_seq {
                            // Missing messages count as explained when the server resynchronized
                            // the socket just before (it may no longer keep them).
                            let missing = seq - last_seq - 1;
                            if explained { stats.explained_gaps += missing } else { stats.gaps += missing }
                            last_seq = seq;
                        } else if resync {
                            // A browser snapshot repeats the page the socket already had.
                            continue;
                        } else {
                            stats.dups += 1;
                            continue;
                        }
                        explained = false;
                        if sent_ns >= window.0 && sent_ns < window.1 {
                            let now_ns = epoch.elapsed().as_nanos() as u64;
                            let _ = stats.latency.record((now_ns.saturating_sub(sent_ns) / 1000).max(1));
                            stats.delivered += 1;
                        }
                    }
                    if !any && is_error(kind, &text) {
                        stats.errors += 1;
                    }
                }
            }
        }
    });
    Ok((tx, handle))
}

async fn wait_for<S>(ws: &mut S, pred: impl Fn(&str) -> bool) -> Result<(), String>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    // Joining a big room is slow by nature (every join is news to every member): be patient.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| "timed out joining".to_owned())?
            .ok_or("closed while joining")?
            .map_err(|e| e.to_string())?;
        if let Message::Text(t) = frame
            && pred(t.as_str())
        {
            return Ok(());
        }
    }
}
