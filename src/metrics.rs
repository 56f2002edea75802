//! Prometheus metrics (`/metrics`, docs/operations.md). Handles are created once, after the recorder is
//! installed, and kept in [`metrics()`], so the hot paths (one increment per delivered frame)
//! do no registry lookups.

use std::sync::{LazyLock, OnceLock};

use metrics::{Counter, Gauge, Histogram, counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Delivery latency buckets, seconds: the interesting range for live chat is 1 ms – 1 s.
const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

/// How often buffered histogram samples are folded into buckets.
const UPKEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// The process's Prometheus recorder (installed on first use; one per process).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("c2c_delivery_latency_seconds".into()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let handle = match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (not in c2c itself): keep a private one so
            // `/metrics` still renders something consistent.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        };
        // Histograms buffer raw samples until upkeep folds them into buckets: without it they
        // grow with every delivery when nobody scrapes /metrics (found by the soak test).
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                upkeep.run_upkeep();
            }
        });
        if let Err(err) = spawned {
            tracing::warn!(error = %err, "metrics upkeep thread not started; histograms drain on scrape only");
        }
        handle
    })
}

/// Every metric c2c reports.
pub struct Metrics {
    /// Open browser sockets.
    pub html_sockets: Gauge,
    /// Open JSON sockets.
    pub json_sockets: Gauge,
    /// Rooms with local sockets (a subscription in the hub).
    pub rooms_live: Gauge,
    /// Messages accepted from browsers (socket or form).
    pub html_messages_in: Counter,
    /// Messages accepted from programs.
    pub json_messages_in: Counter,
    /// Frames pushed to browser sockets.
    pub html_frames_out: Counter,
    /// Frames pushed to JSON sockets.
    pub json_frames_out: Counter,
    /// Time from a message being stored to its frame being written to a socket.
    pub delivery_latency: Histogram,
    /// Backend calls that failed because the backend was unreachable.
    pub backend_errors: Counter,
    /// Times the Redis subscriber had to reconnect.
    pub backend_reconnects: Counter,
    /// Writes on a Redis Cluster acknowledged without a replica's confirmation (docs/redis.md).
    pub unreplicated_writes: Counter,
    /// Catalogue reloads that found changes.
    pub catalogue_reloads: Counter,
    /// Catalogue reloads that failed (database unreachable).
    pub catalogue_failures: Counter,
    /// Sends refused by a socket's rate limit.
    pub limited_messages: Counter,
    /// Room creations refused by the per-address limit.
    pub limited_creates: Counter,
    /// Joins refused by the per-address limit.
    pub limited_joins: Counter,
    /// Connections refused by the overall or per-address cap.
    pub refused_connections: Counter,
}

/// The metric handles.
pub fn metrics() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
        handle();
        Metrics {
            html_sockets: gauge!("c2c_sockets_open", "kind" => "html"),
            json_sockets: gauge!("c2c_sockets_open", "kind" => "json"),
            rooms_live: gauge!("c2c_rooms_live"),
            html_messages_in: counter!("c2c_messages_in_total", "kind" => "html"),
            json_messages_in: counter!("c2c_messages_in_total", "kind" => "json"),
            html_frames_out: counter!("c2c_frames_out_total", "kind" => "html"),
            json_frames_out: counter!("c2c_frames_out_total", "kind" => "json"),
            delivery_latency: histogram!("c2c_delivery_latency_seconds"),
            backend_errors: counter!("c2c_backend_errors_total"),
            backend_reconnects: counter!("c2c_backend_reconnects_total"),
            unreplicated_writes: counter!("c2c_backend_unreplicated_writes_total"),
            catalogue_reloads: counter!("c2c_catalogue_reloads_total", "result" => "changed"),
            catalogue_failures: counter!("c2c_catalogue_reloads_total", "result" => "failed"),
            limited_messages: counter!("c2c_rate_limited_total", "what" => "message"),
            limited_creates: counter!("c2c_rate_limited_total", "what" => "create"),
            limited_joins: counter!("c2c_rate_limited_total", "what" => "join"),
            refused_connections: counter!("c2c_rate_limited_total", "what" => "connection"),
        }
    });
    &METRICS
}

/// Renders the Prometheus text.
pub fn render() -> String {
    metrics();
    let handle = handle();
    handle.run_upkeep();
    handle.render()
}
