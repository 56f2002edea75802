//! The bare baseline: the simplest tokio + tungstenite broadcast chat server, measured beside
//! c2c in every benchmark run. No Redis, no rendering, no auth, no presence: a client sends
//! `{"t":"join","roomId":R}` then `{"t":"msg","roomId":R,"text":T}`; every member of R gets
//! `{"t":"msg","text":T}`. One writer task per connection, one write per frame (the naive shape).
//! Usage: c2c-baseline 127.0.0.1:4000

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

type Rooms = Arc<Mutex<HashMap<String, broadcast::Sender<Arc<str>>>>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:4000".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    let rooms: Rooms = Arc::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let rooms = rooms.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            // Small socket buffers (c2c uses 1 KiB), so memory compares servers, not library defaults.
            let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(4096);
            let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
                return;
            };
            let (mut sink, mut source) = ws.split();
            let mut rx: Option<broadcast::Receiver<Arc<str>>> = None;
            let mut tx: Option<broadcast::Sender<Arc<str>>> = None;
            loop {
                let next = async {
                    match &mut rx {
                        Some(rx) => rx.recv().await.ok(),
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    frame = source.next() => {
                        let Some(Ok(Message::Text(text))) = frame else { return };
                        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
                        let room = v["roomId"].as_str().unwrap_or("").to_owned();
                        match v["t"].as_str() {
                            Some("join") => {
                                let sender = {
                                    let mut map = rooms.lock().unwrap_or_else(|p| p.into_inner());
                                    map.entry(room).or_insert_with(|| broadcast::channel(1024).0).clone()
                                };
                                rx = Some(sender.subscribe());
                                tx = Some(sender);
                            }
                            Some("msg") => {
                                if let Some(tx) = &tx {
                                    let out = serde_json::json!({"t": "msg", "text": v["text"]}).to_string();
                                    let _ = tx.send(Arc::from(out.as_str()));
                                }
                            }
                            _ => {}
                        }
                    }
                    out = next => {
                        let Some(out) = out else { continue };
                        if sink.send(Message::Text(out.as_ref().into())).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
}
