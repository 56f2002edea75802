//! c2c-load: opens N WebSocket clients in rooms of k, publishes at a fixed open-loop rate, and
//! measures send→receive latency (HDR histogram), gaps and duplicates, delivered messages per
//! second, connect time, and the server's memory per connection and CPU per delivery (from
//! `/proc/<pid>`). Speaks c2c's JSON socket (`/ws`), c2c's browser socket (`/r/{id}/live`), the
//! bare baseline's protocol and Socket.IO 4 (engine.io v4 over WebSocket).
//!
//! Prints one JSON object per measured rate on stdout.

mod clients;
mod proc;
mod setup;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use tokio::sync::{mpsc, oneshot};

use clients::{Command, Kind, PhaseStats, spawn_client};

/// Command-line options.
#[derive(Clone, Debug)]
pub struct Args {
    pub kind: Kind,
    pub urls: Vec<String>,
    pub clients: usize,
    pub room_size: usize,
    pub rates: Vec<u64>,
    pub warmup: Duration,
    pub duration: Duration,
    pub pids: Vec<u32>,
    /// Redis processes: one server, or every node of a cluster (CPU reported per node too).
    pub redis_pids: Vec<u32>,
    pub sources: u8,
    pub label: String,
    pub p99_limit_ms: f64,
    /// Clients joining and connecting at once (1: one after another).
    pub concurrency: usize,
    /// With `--rates 0`: how long to weigh the servers' CPU while every socket idles.
    pub idle_seconds: f64,
    /// After the step-up, one more phase at this multiple of the best rate (past the knee).
    pub overload: f64,
}

fn usage() -> ! {
    eprintln!(
        "usage: c2c-load --kind json|html|baseline|socketio --urls URL[,URL] --clients N --room-size K \\\n  \
         [--rates R1,R2,…] [--warmup S] [--duration S] [--pids P[,P]] [--redis-pid P[,P…]] [--sources N] \\\n  \
         [--label TEXT] [--p99-limit-ms MS] [--concurrency N] [--idle-seconds S] [--overload F]\n\
         --rates 0 only connects (idle hold: memory per connection; CPU while idle with\n\
         --idle-seconds). Several rates step up and stop after the first whose p99 exceeds the\n\
         limit; --overload 1.5 then runs one more phase at 1.5 × the best rate."
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        kind: Kind::Json,
        urls: vec!["http://127.0.0.1:3000".into()],
        clients: 100,
        room_size: 10,
        rates: vec![100],
        warmup: Duration::from_secs(2),
        duration: Duration::from_secs(5),
        pids: vec![],
        redis_pids: vec![],
        sources: 8,
        label: String::new(),
        p99_limit_ms: 50.0,
        concurrency: 1,
        idle_seconds: 0.0,
        overload: 0.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let Some(value) = it.next() else { usage() };
        let list = |v: &str| v.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        let num = |v: &str| v.parse::<f64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--kind" => {
                args.kind = match value.as_str() {
                    "json" => Kind::Json,
                    "html" => Kind::Html,
                    "baseline" => Kind::Baseline,
                    "socketio" => Kind::SocketIo,
                    _ => usage(),
                }
            }
            "--urls" => args.urls = list(&value),
            "--clients" => args.clients = num(&value) as usize,
            "--room-size" => args.room_size = (num(&value) as usize).max(1),
            "--rates" => args.rates = list(&value).iter().map(|r| num(r) as u64).collect(),
            "--warmup" => args.warmup = Duration::from_secs_f64(num(&value)),
            "--duration" => args.duration = Duration::from_secs_f64(num(&value)),
            "--pids" => args.pids = list(&value).iter().map(|p| num(p) as u32).collect(),
            "--redis-pid" => args.redis_pids = list(&value).iter().map(|p| num(p) as u32).collect(),
            "--sources" => args.sources = (num(&value) as u8).max(1),
            "--label" => args.label = value,
            "--p99-limit-ms" => args.p99_limit_ms = num(&value),
            "--concurrency" => args.concurrency = (num(&value) as usize).max(1),
            "--idle-seconds" => args.idle_seconds = num(&value),
            "--overload" => args.overload = num(&value),
            _ => usage(),
        }
    }
    if args.urls.is_empty() {
        usage()
    }
    args
}

fn main() {
    let args = parse_args();
    // Two workers: the generator shares the machine with the servers it measures.
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("runtime: {err}");
            std::process::exit(1)
        }
    };
    if let Err(err) = runtime.block_on(run(args)) {
        eprintln!("c2c-load: {err}");
        std::process::exit(1);
    }
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

async fn run(args: Args) -> Result<(), String> {
    let epoch = Instant::now();
    let rooms = args.clients.div_ceil(args.room_size);
    let rss_before = proc::rss_kb(&args.pids);
    let setup_started = Instant::now();
    let members = setup::members(&args, rooms).await?;
    eprintln!("{}: {} clients in {rooms} rooms of {} set up", args.label, members.len(), args.room_size);

    // Connect and join, `concurrency` at a time, keeping the members' order (a room's
    // publisher is its first member).
    let mut connect = Histogram::<u64>::new(3).map_err(|e| e.to_string())?;
    let opened: Vec<_> = futures_util::stream::iter(members.into_iter().enumerate())
        .map(|(i, member)| {
            let source = std::net::Ipv4Addr::new(127, 0, 0, 1 + (i % args.sources as usize) as u8);
            async move {
                let started = Instant::now();
                spawn_client(args.kind, member, source, epoch).await.map(|client| (client, started.elapsed()))
            }
        })
        .buffered(args.concurrency)
        .collect()
        .await;
    let mut handles = Vec::with_capacity(opened.len());
    let mut senders = Vec::with_capacity(opened.len());
    for result in opened {
        let ((tx, handle), took) = result?;
        let _ = connect.record(took.as_micros() as u64);
        senders.push(tx);
        handles.push(handle);
    }
    let setup_s = setup_started.elapsed().as_secs_f64();
    // Let the server settle, then weigh it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let rss_after = proc::rss_kb(&args.pids);
    let per_conn_kb = if args.clients > 0 {
        (rss_after.saturating_sub(rss_before)) as f64 / args.clients as f64
    } else {
        0.0
    };
    eprintln!(
        "{}: connected in {setup_s:.1} s; server RSS {rss_before} → {rss_after} kB ({per_conn_kb:.2} kB per connection)",
        args.label
    );
    let line = Line { args: &args, connect: &connect, rss_kb_per_conn: per_conn_kb, setup_s };

    let mut seq = vec![0u64; rooms];
    let mut best: Option<u64> = None;
    let mut last = None;
    for &rate in &args.rates {
        if rate == 0 {
            let idle = if args.idle_seconds > 0.0 { Some(idle(&args).await) } else { None };
            line.print(0, &PhaseStats::default(), 0.0, None, None, idle, false);
            continue;
        }
        last = Some(rate);
        let within = measure(&args, &line, &mut seq, rate, &senders, epoch, false).await?;
        if !within {
            eprintln!("{}: p99 above {} ms at {rate}/s; stopping the step-up", args.label, args.p99_limit_ms);
            break;
        }
        best = Some(rate);
    }
    // Past the knee: latency may grow, but nothing may go missing unannounced.
    if args.overload > 0.0
        && let Some(knee) = best.or(last)
    {
        let rate = (knee as f64 * args.overload).round() as u64;
        eprintln!("{}: overload at {rate}/s ({}× {knee}/s)", args.label, args.overload);
        measure(&args, &line, &mut seq, rate, &senders, epoch, true).await?;
    }
    for tx in &senders {
        let _ = tx.send(Command::Close);
    }
    for handle in handles {
        let _ = handle.await;
    }
    Ok(())
}

/// Publishes at `rate`, prints what arrived; whether p99 stayed within the limit.
async fn measure(
    args: &Args,
    line: &Line<'_>,
    seq: &mut [u64],
    rate: u64,
    senders: &[mpsc::UnboundedSender<Command>],
    epoch: Instant,
    overload: bool,
) -> Result<bool, String> {
    let (window, cpu, redis_cpu, stats) = phase(args, seq, rate, senders, epoch).await?;
    let deliveries_per_s = stats.delivered as f64 / window.as_secs_f64();
    let per_delivery = |c: u64| (stats.delivered > 0).then(|| c as f64 / stats.delivered as f64);
    let redis_per: Option<Vec<f64>> =
        redis_cpu.map(|nodes| nodes.into_iter().filter_map(per_delivery).collect());
    line.print(rate, &stats, deliveries_per_s, per_delivery(cpu), redis_per, None, overload);
    Ok(ms(&stats.latency, 0.99) <= args.p99_limit_ms)
}

/// What idle sockets cost: the servers' CPU per socket per second, and Redis's share of a core.
struct Idle {
    cpu_us_per_socket_s: f64,
    redis_cpu_pct: Option<f64>,
    seconds: f64,
}

async fn idle(args: &Args) -> Idle {
    let (cpu0, redis0) = (proc::cpu_us(&args.pids), proc::cpu_us(&args.redis_pids));
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(args.idle_seconds)).await;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = proc::cpu_us(&args.pids).saturating_sub(cpu0) as f64;
    let redis = proc::cpu_us(&args.redis_pids).saturating_sub(redis0) as f64;
    Idle {
        cpu_us_per_socket_s: cpu / args.clients.max(1) as f64 / seconds,
        redis_cpu_pct: (!args.redis_pids.is_empty()).then(|| redis / (seconds * 1e6) * 100.0),
        seconds,
    }
}

/// CPU time of each Redis process, if any were named.
fn redis_cpu(args: &Args) -> Option<Vec<u64>> {
    (!args.redis_pids.is_empty()).then(|| args.redis_pids.iter().map(|&p| proc::cpu_us(&[p])).collect())
}

/// One measured rate: warm up, then publish for `duration` and collect what arrived.
async fn phase(
    args: &Args,
    seq: &mut [u64],
    rate: u64,
    senders: &[mpsc::UnboundedSender<Command>],
    epoch: Instant,
) -> Result<(Duration, u64, Option<Vec<u64>>, PhaseStats), String> {
    let total = args.warmup + args.duration;
    let start = Instant::now();
    let window_start = start + args.warmup;
    let window_end = window_start + args.duration;
    let to_ns = |t: Instant| t.duration_since(epoch).as_nanos() as u64;
    for tx in senders {
        let _ = tx.send(Command::Window { from_ns: to_ns(window_start), to_ns: to_ns(window_end) });
    }
    let mut cpu_start = None;
    let rooms = seq.len();
    let mut sent: u64 = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    loop {
        tick.tick().await;
        let now = Instant::now();
        if cpu_start.is_none() && now >= window_start {
            cpu_start = Some((proc::cpu_us(&args.pids), redis_cpu(args)));
        }
        if now >= start + total {
            break;
        }
        // Open loop: send whatever is due by now, whatever the server's pace.
        let due = (now.duration_since(start).as_secs_f64() * rate as f64) as u64;
        while sent < due {
            let room = (sent as usize) % rooms;
            seq[room] += 1;
            let publisher = room * args.room_size;
            if let Some(tx) = senders.get(publisher) {
                let _ = tx.send(Command::Publish { room, seq: seq[room], sent_ns: to_ns(Instant::now()) });
            }
            sent += 1;
        }
    }
    let (cpu0, redis0) = cpu_start.unwrap_or((0, None));
    let cpu = proc::cpu_us(&args.pids).saturating_sub(cpu0);
    let redis_cpu = redis_cpu(args).map(|now| {
        let before = redis0.unwrap_or_default();
        now.iter().enumerate().map(|(i, t)| t.saturating_sub(before.get(i).copied().unwrap_or(0))).collect()
    });
    // Stragglers: give late deliveries a moment to arrive and count (they count as slow).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut stats = PhaseStats::default();
    for tx in senders {
        let (reply, answer) = oneshot::channel();
        if tx.send(Command::Collect(reply)).is_ok()
            && let Ok(s) = answer.await
        {
            stats.merge(&s);
        }
    }
    Ok((args.duration, cpu, redis_cpu, stats))
}

/// What every line of one run shares.
struct Line<'a> {
    args: &'a Args,
    connect: &'a Histogram<u64>,
    rss_kb_per_conn: f64,
    /// From the first member's setup to the last socket joined (a join storm in a big room).
    setup_s: f64,
}

impl Line<'_> {
    /// Prints one JSON line for a measured rate (0: the idle hold).
    #[allow(clippy::too_many_arguments)]
    fn print(
        &self,
        rate: u64,
        stats: &PhaseStats,
        deliveries_per_s: f64,
        cpu_us_per_delivery: Option<f64>,
        redis_cpu_us_per_delivery: Option<Vec<f64>>,
        idle: Option<Idle>,
        overload: bool,
    ) {
        let (args, latency) = (self.args, &stats.latency);
        let round = |v: f64| (v * 100.0).round() / 100.0;
        let redis_total =
            redis_cpu_us_per_delivery.as_ref().filter(|n| !n.is_empty()).map(|n| round(n.iter().sum()));
        let redis_by_node = redis_cpu_us_per_delivery
            .filter(|n| n.len() > 1)
            .map(|n| n.into_iter().map(round).collect::<Vec<_>>());
        let line = serde_json::json!({
            "label": args.label,
            "kind": format!("{:?}", args.kind).to_lowercase(),
            "clients": args.clients,
            "room_size": args.room_size,
            "rate_msgs_per_s": rate,
            "overload": overload,
            "deliveries_per_s": deliveries_per_s.round(),
            "expected_deliveries_per_s": rate * args.room_size as u64,
            "p50_ms": ms(latency, 0.5),
            "p90_ms": ms(latency, 0.9),
            "p99_ms": ms(latency, 0.99),
            "p999_ms": ms(latency, 0.999),
            "max_ms": latency.max() as f64 / 1000.0,
            "gaps": stats.gaps,
            "explained_gaps": stats.explained_gaps,
            "resyncs": stats.resyncs,
            "dups": stats.dups,
            "errors": stats.errors,
            "setup_s": round(self.setup_s),
            "connect_p50_ms": ms(self.connect, 0.5),
            "connect_max_ms": self.connect.max() as f64 / 1000.0,
            "rss_kb_per_conn": round(self.rss_kb_per_conn),
            "cpu_us_per_delivery": cpu_us_per_delivery.map(round),
            "redis_cpu_us_per_delivery": redis_total,
            "redis_cpu_us_per_delivery_by_node": redis_by_node,
            "idle_seconds": idle.as_ref().map(|i| round(i.seconds)),
            "idle_cpu_us_per_socket_s": idle.as_ref().map(|i| (i.cpu_us_per_socket_s * 1000.0).round() / 1000.0),
            "idle_redis_cpu_pct": idle.and_then(|i| i.redis_cpu_pct).map(round),
        });
        println!("{line}");
    }
}
