"""Turns the load generator's JSON lines into docs/BENCHMARKS.md, or (--quick) one JSON summary."""
import json
import platform
import subprocess
import sys

P99_LIMIT = 50.0


def rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def measured(rows_, label):
    """The stepped phases of one scenario (not its overload phase)."""
    return [r for r in rows_ if r.get("label") == label and r.get("rate_msgs_per_s", 0) > 0 and not r.get("overload")]


def best(rows_, label):
    """The highest delivery rate with p99 within the limit, for one scenario."""
    ok = [r for r in measured(rows_, label) if r["p99_ms"] <= P99_LIMIT and r["gaps"] == 0 and r["dups"] == 0]
    return max(ok, key=lambda r: r["deliveries_per_s"], default=None)


def overload(rows_, label):
    return next((r for r in rows_ if r.get("label") == label and r.get("overload")), None)


def first_label(rows_, prefix):
    for r in rows_:
        if r.get("label", "").startswith(prefix) and "rss_kb_per_conn" in r:
            return r["label"]
    return None


def total_cpu(r):
    """c2c's (or the peer's) CPU per delivery with Redis's added."""
    if not r or r.get("cpu_us_per_delivery") is None:
        return None
    return round(r["cpu_us_per_delivery"] + (r.get("redis_cpu_us_per_delivery") or 0), 2)


def ratio(a, b):
    return round(a["deliveries_per_s"] / b["deliveries_per_s"], 2) if a and b else None


def shape(rows_, prefix=""):
    """c2c, baseline and peer at one number of sockets: best rates, ratios, CPU, overload."""
    c2c_label = first_label(rows_, prefix + "c2c 2×instances+redis")
    c2c = best(rows_, c2c_label)
    base = best(rows_, first_label(rows_, prefix + "baseline"))
    peer = best(rows_, first_label(rows_, prefix + "socket.io"))
    over = overload(rows_, c2c_label)
    cpu, base_cpu = total_cpu(c2c), base and base["cpu_us_per_delivery"]
    return {
        "deliveries_per_s": c2c and c2c["deliveries_per_s"],
        "p99_ms": c2c and c2c["p99_ms"],
        "cpu_us_per_delivery": c2c and c2c["cpu_us_per_delivery"],
        "redis_cpu_us_per_delivery": c2c and c2c.get("redis_cpu_us_per_delivery"),
        "total_cpu_us_per_delivery": cpu,
        "baseline_deliveries_per_s": base and base["deliveries_per_s"],
        "baseline_cpu_us_per_delivery": base_cpu,
        "peer_deliveries_per_s": peer and peer["deliveries_per_s"],
        "peer_cpu_us_per_delivery": total_cpu(peer),
        "ratio_to_baseline": ratio(c2c, base),
        "ratio_to_peer": ratio(c2c, peer),
        "cpu_ratio_to_baseline": round(cpu / base_cpu, 2) if cpu and base_cpu else None,
        "overload_msgs_per_s": over and over["rate_msgs_per_s"],
        "overload_p99_ms": over and over["p99_ms"],
        "overload_gaps": over and over["gaps"],
        "overload_explained_gaps": over and over.get("explained_gaps"),
        "overload_resyncs": over and over.get("resyncs"),
        "overload_dups": over and over["dups"],
    }


def big_room(rows_):
    label = "big room c2c 2×instances+redis"
    steps = measured(rows_, label)
    at5 = next((r for r in steps if r["rate_msgs_per_s"] == 5), None)
    any_ = steps[0] if steps else None
    return any_ and {
        "members": any_["clients"],
        "join_storm_s": any_.get("setup_s"),
        "rss_kb_per_socket": any_["rss_kb_per_conn"],
        "p99_ms_at_5_per_s": at5 and at5["p99_ms"],
        "errors": sum(r["errors"] for r in steps),
        "gaps": sum(r["gaps"] for r in steps),
    }


def many_sockets(rows_):
    r = next((r for r in rows_ if r.get("label") == "many sockets c2c 1×instance+redis" and "idle_seconds" in r), None)
    return r and {
        "sockets": r["clients"],
        "rss_kb_per_socket": r["rss_kb_per_conn"],
        "idle_cpu_us_per_socket_s": r.get("idle_cpu_us_per_socket_s"),
        "idle_redis_cpu_pct": r.get("idle_redis_cpu_pct"),
        "connect_s": r.get("setup_s"),
    }


def summary(rows_):
    # A scenario that did not complete left only its label: nothing to read from it.
    rows_ = [r for r in rows_ if not r.get("failed")]
    c2c = best(rows_, first_label(rows_, "c2c 2×instances+redis"))
    cluster = best(rows_, "c2c 2×instances+cluster json")
    embedded = best(rows_, "c2c embedded json")
    idle = next((r for r in rows_ if r.get("label") == "idle c2c embedded json"), None)
    idle_html = next((r for r in rows_ if r.get("label") == "idle c2c embedded html"), None)
    rss = idle["rss_kb_per_conn"] if idle else next(
        (r["rss_kb_per_conn"] for r in rows_ if r.get("label", "").startswith("c2c 2×instances+redis")), None)
    small = shape(rows_, "2 000 sockets: ")
    return {
        **shape(rows_),
        "rss_kb_per_idle_conn": rss,
        "rss_kb_per_idle_html_conn": idle_html and idle_html["rss_kb_per_conn"],
        "cluster_deliveries_per_s": cluster and cluster["deliveries_per_s"],
        "cluster_p99_ms": cluster and cluster["p99_ms"],
        "cluster_cpu_us_per_delivery": cluster and cluster["cpu_us_per_delivery"],
        "cluster_redis_cpu_us_per_delivery": cluster and cluster.get("redis_cpu_us_per_delivery"),
        "cluster_redis_cpu_us_per_delivery_by_node": cluster and cluster.get("redis_cpu_us_per_delivery_by_node"),
        "embedded_deliveries_per_s": embedded and embedded["deliveries_per_s"],
        "embedded_p99_ms": embedded and embedded["p99_ms"],
        "embedded_cpu_us_per_delivery": embedded and embedded["cpu_us_per_delivery"],
        **({"at_2000_sockets": small} if small["deliveries_per_s"] else {}),
        **({"big_room": big_room(rows_)} if big_room(rows_) else {}),
        **({"many_sockets": many_sockets(rows_)} if many_sockets(rows_) else {}),
    }


def targets(s):
    """The targets for c2c (two instances on one Redis unless said), each with the figure reached."""
    def row(name, figure, goal, ok):
        mark = "—" if ok is None else ("reached" if ok else "not reached")
        return f"| {name} | {figure} | {goal} | {mark} |"

    def ge(a, b):
        return None if a is None or b is None else a >= b

    def le(a, b):
        return None if a is None else a <= b

    rows = ["| target | c2c | goal | |", "|---|---|---|---|"]
    for name, sh in (("10 000 sockets", s), ("2 000 sockets", s.get("at_2000_sockets"))):
        if not sh:
            continue
        rows += [
            row(f"{name}: deliveries/s at p99 ≤ 50 ms vs the bare baseline",
                f"{sh['deliveries_per_s']} vs {sh['baseline_deliveries_per_s']} (×{sh['ratio_to_baseline']})",
                "≥ ×0.8", ge(sh["ratio_to_baseline"], 0.8)),
            row(f"{name}: deliveries/s at p99 ≤ 50 ms vs the Socket.IO peer",
                f"{sh['deliveries_per_s']} vs {sh['peer_deliveries_per_s']} (×{sh['ratio_to_peer']})",
                "≥ ×2.5", ge(sh["ratio_to_peer"], 2.5)),
            row(f"{name}: CPU µs per delivery, c2c + Redis vs the baseline (at each one's best rate)",
                f"{sh['total_cpu_us_per_delivery']} ({sh['cpu_us_per_delivery']} + Redis {sh['redis_cpu_us_per_delivery']}) "
                f"vs {sh['baseline_cpu_us_per_delivery']} (×{sh['cpu_ratio_to_baseline']}; peer {sh['peer_cpu_us_per_delivery']})",
                "≤ ×1.5", le(sh["cpu_ratio_to_baseline"], 1.5)),
            row(f"{name}: unexplained gaps at 1.5 × the knee ({sh['overload_msgs_per_s']} msgs/s)",
                f"{sh['overload_gaps']} (p99 {sh['overload_p99_ms']} ms; {sh['overload_resyncs']} resyncs, "
                f"{sh['overload_explained_gaps']} messages missing after them; {sh['overload_dups']} repeats)",
                "0", None if sh["overload_gaps"] is None else sh["overload_gaps"] == 0 and sh["overload_dups"] == 0),
        ]
    big = s.get("big_room")
    if big:
        rows += [
            row(f"big room ({big['members']} members): p99 at 5 msgs/s, ms", big["p99_ms_at_5_per_s"], "≤ 100",
                le(big["p99_ms_at_5_per_s"], 100)),
            row("big room: join storm (every member joins and connects, 64 at a time), s",
                f"{big['join_storm_s']} ({big['errors']} errors)", "≤ 30, no errors",
                None if big["join_storm_s"] is None else big["join_storm_s"] <= 30 and big["errors"] == 0),
            row("big room: RSS per socket after the storm, kB", big["rss_kb_per_socket"], "≤ 16",
                le(big["rss_kb_per_socket"], 16)),
        ]
    many = s.get("many_sockets")
    if many:
        rows += [
            row(f"many idle sockets on one instance ({many['sockets']}): RSS per socket, kB",
                many["rss_kb_per_socket"], "≤ 8", le(many["rss_kb_per_socket"], 8)),
            row("many idle sockets: CPU µs per socket per second (heartbeats included)",
                many["idle_cpu_us_per_socket_s"], "≤ 1", le(many["idle_cpu_us_per_socket_s"], 1)),
            row("many idle sockets: Redis CPU for their presence, % of a core", many["idle_redis_cpu_pct"], "≤ 5",
                le(many["idle_redis_cpu_pct"], 5)),
        ]
    rows += [row("RSS per idle JSON socket (embedded, 10 000), kB", s["rss_kb_per_idle_conn"], "≤ 8",
                 le(s["rss_kb_per_idle_conn"], 8)),
             row("RSS per idle browser (HTML) socket (embedded, 10 000), kB", s["rss_kb_per_idle_html_conn"], "≤ 8",
                 le(s["rss_kb_per_idle_html_conn"], 8))]
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
           "An overload row (msgs/s marked ×1.5) is one more phase at 1.5 × the scenario's best rate. Gaps are messages "
           "missing from a socket's stream without notice; after a resync (the server's snapshot to a socket that fell "
           "behind) they are counted apart. Setup is from the first member's join to the last socket joined.", "",
           "| scenario | clients | msgs/s | deliveries/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | gaps | resyncs (gaps after) | dups | errors | server CPU µs/delivery | Redis CPU µs/delivery | RSS kB/conn | setup s | connect p50 ms |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows_:
        if "rate_msgs_per_s" not in r:
            continue
        rate = f"{r['rate_msgs_per_s']} (×1.5)" if r.get("overload") else r["rate_msgs_per_s"]
        if r["rate_msgs_per_s"] == 0 and r.get("idle_seconds"):
            rate = (f"idle {r['idle_seconds']:.0f} s: {r['idle_cpu_us_per_socket_s']} µs/socket/s"
                    + (f", Redis {r['idle_redis_cpu_pct']} % of a core" if r.get("idle_redis_cpu_pct") is not None else ""))
        out.append("| {label} | {clients} | {rate} | {deliveries_per_s:.0f} | {p50_ms} | {p90_ms} | {p99_ms} | {p999_ms} | "
                   "{max_ms} | {gaps} | {resyncs} ({egaps}) | {dups} | {errors} | {cpu} | {rcpu} | {rss_kb_per_conn} | {setup} | {connect_p50_ms} |".format(
                       **{**r, "rate": rate, "cpu": r.get("cpu_us_per_delivery"),
                          "rcpu": r.get("redis_cpu_us_per_delivery"), "resyncs": r.get("resyncs", 0),
                          "egaps": r.get("explained_gaps", 0), "setup": r.get("setup_s")}))
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
