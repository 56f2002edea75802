"""Turns the load generator's JSON lines into docs/BENCHMARKS.md, or (--quick) one JSON summary."""
import json
import platform
import subprocess
import sys

P99_LIMIT = 50.0


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def best(rows_, label):
    """The highest delivery rate with p99 within the limit, for one scenario."""
    ok = [r for r in rows_ if r.get("label") == label and r.get("rate_msgs_per_s", 0) > 0
          and r["p99_ms"] <= P99_LIMIT and r["gaps"] == 0 and r["dups"] == 0]
    return max(ok, key=lambda r: r["deliveries_per_s"], default=None)


def first_label(rows_, prefix):
    for r in rows_:
        if r.get("label", "").startswith(prefix) and "rss_kb_per_conn" in r:
            return r["label"]
    return None


def summary(rows_):
    c2c = best(rows_, first_label(rows_, "c2c 2×instances+redis"))
    cluster = best(rows_, "c2c 2×instances+cluster json")
    base = best(rows_, first_label(rows_, "baseline"))
    peer = best(rows_, first_label(rows_, "socket.io"))
    embedded = best(rows_, "c2c embedded json")
    idle = next((r for r in rows_ if r.get("label") == "idle c2c embedded json"), None)
    idle_html = next((r for r in rows_ if r.get("label") == "idle c2c embedded html"), None)
    rss = idle["rss_kb_per_conn"] if idle else next(
        (r["rss_kb_per_conn"] for r in rows_ if r.get("label", "").startswith("c2c 2×instances+redis")), None)

    def ratio(a, b):
        return round(a["deliveries_per_s"] / b["deliveries_per_s"], 2) if a and b else None

    small = {k: best(rows_, f"2 000 sockets: {k}") for k in ("c2c 2×instances+redis json", "baseline", "socket.io")}
    return {
        "deliveries_per_s": c2c and c2c["deliveries_per_s"],
        "p99_ms": c2c and c2c["p99_ms"],
        "cpu_us_per_delivery": c2c and c2c["cpu_us_per_delivery"],
        "redis_cpu_us_per_delivery": c2c and c2c.get("redis_cpu_us_per_delivery"),
        "rss_kb_per_idle_conn": rss,
        "rss_kb_per_idle_html_conn": idle_html and idle_html["rss_kb_per_conn"],
        "baseline_deliveries_per_s": base and base["deliveries_per_s"],
        "baseline_cpu_us_per_delivery": base and base["cpu_us_per_delivery"],
        "peer_deliveries_per_s": peer and peer["deliveries_per_s"],
        "peer_cpu_us_per_delivery": peer and peer["cpu_us_per_delivery"],
        "ratio_to_baseline": ratio(c2c, base),
        "ratio_to_peer": ratio(c2c, peer),
        "cluster_deliveries_per_s": cluster and cluster["deliveries_per_s"],
        "cluster_p99_ms": cluster and cluster["p99_ms"],
        "cluster_cpu_us_per_delivery": cluster and cluster["cpu_us_per_delivery"],
        "cluster_redis_cpu_us_per_delivery": cluster and cluster.get("redis_cpu_us_per_delivery"),
        "cluster_redis_cpu_us_per_delivery_by_node": cluster and cluster.get("redis_cpu_us_per_delivery_by_node"),
        "embedded_deliveries_per_s": embedded and embedded["deliveries_per_s"],
        "embedded_p99_ms": embedded and embedded["p99_ms"],
        "embedded_cpu_us_per_delivery": embedded and embedded["cpu_us_per_delivery"],
        **({"at_2000_sockets": {
            "deliveries_per_s": small["c2c 2×instances+redis json"]["deliveries_per_s"],
            "baseline_deliveries_per_s": small["baseline"] and small["baseline"]["deliveries_per_s"],
            "peer_deliveries_per_s": small["socket.io"] and small["socket.io"]["deliveries_per_s"],
            "ratio_to_baseline": ratio(small["c2c 2×instances+redis json"], small["baseline"]),
            "ratio_to_peer": ratio(small["c2c 2×instances+redis json"], small["socket.io"]),
        }} if small["c2c 2×instances+redis json"] else {}),
    }


def targets(s):
    """The issue's targets for c2c (two instances on one Redis), each with the figure reached."""
    def row(name, figure, goal, ok):
        mark = "—" if ok is None else ("reached" if ok else "not reached")
        return f"| {name} | {figure} | {goal} | {mark} |"

    def ge(a, b):
        return None if a is None or b is None else a >= b

    def le(a, b):
        return None if a is None else a <= b

    rows = ["| target | c2c | goal | |", "|---|---|---|---|",
            row("10 000 sockets: deliveries/s at p99 ≤ 50 ms vs the bare baseline", f"{s['deliveries_per_s']} vs {s['baseline_deliveries_per_s']} "
                f"(×{s['ratio_to_baseline']})", "≥ ×1", ge(s["ratio_to_baseline"], 1.0)),
            row("10 000 sockets: deliveries/s at p99 ≤ 50 ms vs the Socket.IO peer", f"{s['deliveries_per_s']} vs {s['peer_deliveries_per_s']} "
                f"(×{s['ratio_to_peer']})", "≥ ×2.5", ge(s["ratio_to_peer"], 2.5)),
            row("server CPU µs per delivery (both instances, at that rate)", f"{s['cpu_us_per_delivery']} "
                f"(+ Redis {s['redis_cpu_us_per_delivery']}; baseline {s['baseline_cpu_us_per_delivery']}, "
                f"peer {s['peer_cpu_us_per_delivery']})", "≤ 16", le(s["cpu_us_per_delivery"], 16)),
            row("RSS per idle JSON socket, kB", s["rss_kb_per_idle_conn"], "≤ 8", le(s["rss_kb_per_idle_conn"], 8)),
            row("RSS per idle browser (HTML) socket, kB", s["rss_kb_per_idle_html_conn"], "≤ 8",
                le(s["rss_kb_per_idle_html_conn"], 8))]
    small = s.get("at_2000_sockets")
    if small:
        rows += [
            row("2 000 sockets: deliveries/s at p99 ≤ 50 ms vs the bare baseline", f"{small['deliveries_per_s']} vs "
                f"{small['baseline_deliveries_per_s']} (×{small['ratio_to_baseline']})", "≥ ×1",
                ge(small["ratio_to_baseline"], 1.0)),
            row("2 000 sockets: deliveries/s at p99 ≤ 50 ms vs the Socket.IO peer", f"{small['deliveries_per_s']} vs "
                f"{small['peer_deliveries_per_s']} (×{small['ratio_to_peer']})", "≥ ×2.5", ge(small["ratio_to_peer"], 2.5)),
        ]
    return rows


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def markdown(rows_, command):
    out = ["# Benchmarks", "",
           f"Produced by `{command}` (the load generator in `bench/`, Rust; servers and generator on the same machine, loopback).",
           "Every figure below comes from that run; rerun the command to reproduce. These are shared virtual machines: "
           "the same server's figures move by 10–30 % between runs, so compare servers within one run. "
           "What the figures mean, what was changed and what is left: [performance.md](performance.md).", "",
           "## Machine and versions", "",
           f"- {platform.machine()}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, "
           f"{platform.system()} {platform.release()}",
           f"- {version(['rustc', '--version'])}; {version(['redis-server', '--version'])}; node {version(['node', '--version'])}",
           "- c2c: release build; limits raised so the generator measures delivery, not abuse limits.",
           "- baseline: `bench/src/bin/baseline.rs`, tokio + tungstenite broadcast, one writer task per connection.",
           "- peer: `bench/peers/server.js`, Socket.IO 4 + `@socket.io/redis-adapter`.",
           "- c2c's two instances run on one thread each (`C2C_WORKER_THREADS=1`, one instance per core); "
           "a second run of the same pair with tokio's default threads is in the table.", "",
           "## Targets", "", *targets(summary(rows_)), "",
           "## Summary", "", "```json", json.dumps(summary(rows_), indent=2), "```", "",
           "## Every measured step", "",
           "Messages are published open-loop at the given rate into rooms of 10 (each delivered to every member, "
           "sender included); latency is send → receive in the generator. A scenario stops stepping up after the first "
           f"rate whose p99 exceeds {P99_LIMIT:.0f} ms. CPU is the server processes' user+system time per delivered "
           "message (Redis separately: on the cluster, its six nodes together, three masters and their replicas; "
           "per node below).", "",
           "| scenario | clients | msgs/s | deliveries/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | gaps | dups | errors | server CPU µs/delivery | Redis CPU µs/delivery | RSS kB/conn | connect p50 ms |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows_:
        if "rate_msgs_per_s" not in r:
            continue
        out.append("| {label} | {clients} | {rate_msgs_per_s} | {deliveries_per_s:.0f} | {p50_ms} | {p90_ms} | {p99_ms} | {p999_ms} | "
                   "{max_ms} | {gaps} | {dups} | {errors} | {cpu} | {rcpu} | {rss_kb_per_conn} | {connect_p50_ms} |".format(
                       cpu=r.get("cpu_us_per_delivery"), rcpu=r.get("redis_cpu_us_per_delivery"), **r))
    by_node = [r for r in rows_ if r.get("redis_cpu_us_per_delivery_by_node")]
    if by_node:
        out += ["", "Redis CPU µs per delivery on each cluster node (three masters with a replica each, in the order "
                "the nodes were started):", ""]
        out += [f"- {r['label']}, {r['rate_msgs_per_s']} msgs/s: " + ", ".join(map(str, r["redis_cpu_us_per_delivery_by_node"]))
                for r in by_node]
    failed = [r["label"] for r in rows_ if r.get("failed")]
    if failed:
        out += ["", "Scenarios that did not complete: " + ", ".join(failed) + "."]
    stats = [r for r in rows_ if "redis_commandstats" in r]
    if stats:
        out += ["", "## Redis commands (INFO commandstats, per scenario, by total time)", "",
                "Times are Redis's own wall-clock measure; `evalsha` includes the commands its script runs.", ""]
        for r in stats:
            top = sorted(r["redis_commandstats"].items(), key=lambda kv: -int(kv[1].get("usec", 0)))[:8]
            out.append(f"- {r['label']}: " + ", ".join(f"`{k}` {v['calls']} calls, {v['usec_per_call']} µs/call" for k, v in top))
    return "\n".join(out) + "\n"


def main():
    if sys.argv[1] == "--quick":
        print(json.dumps(summary(rows(sys.argv[2]))))
        return
    text = markdown(rows(sys.argv[1]), sys.argv[2])
    # Keep the soak section scripts/soak wrote.
    try:
        old = open("docs/BENCHMARKS.md").read()
        start, end = old.find("<!-- soak -->"), old.find("<!-- /soak -->")
        if start >= 0 and end > start:
            text += "\n" + old[start:end + len("<!-- /soak -->")] + "\n"
    except FileNotFoundError:
        pass
    sys.stdout.write(text)


main()
