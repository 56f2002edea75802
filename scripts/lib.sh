# Helpers shared by scripts/test, scripts/bench and scripts/soak (sourced, not run).

# A loopback port for a private server: outside the kernel's ephemeral range (where any outgoing
# connection may hold a port at any moment, unseen by a connect probe), and with no socket of any
# state on it now.
free_port() {
  local lo=32768 hi=60999 port from to
  [ -r /proc/sys/net/ipv4/ip_local_port_range ] && read -r lo hi < /proc/sys/net/ipv4/ip_local_port_range
  if [ "$lo" -gt 12000 ]; then from=10000; to=$((lo - 1)); else from=$((hi + 1)); to=65000; fi
  for _ in $(seq 1 200); do
    port=$(( from + (RANDOM * 32768 + RANDOM) % (to - from + 1) ))
    if command -v ss >/dev/null 2>&1; then
      [ -z "$(ss -Htan "( sport = :$port or dport = :$port )" 2>/dev/null)" ] && { echo "$port"; return 0; }
    else
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
    fi
  done
  echo "no free port found" >&2
  return 1
}

# Waits until something listens on 127.0.0.1:$1 (10 s at most).
wait_port() {
  for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "nothing listening on $1" >&2
  return 1
}

# Starts a private redis-server in directory $1 (extra arguments follow) on a free port, trying
# again on another port if it exits at once (a port taken between the check and the bind).
# Sets REDIS_PORT and REDIS_PID.
start_redis() {
  local dir=$1; shift
  mkdir -p "$dir"
  for _ in 1 2 3 4 5; do
    REDIS_PORT=$(free_port) || return 1
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --logfile "$dir/redis.log" "$@" &
    REDIS_PID=$!
    for _ in $(seq 1 100); do
      [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ] && return 0
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$REDIS_PID" 2>/dev/null || true
    echo "redis-server did not start on port $REDIS_PORT; trying another" >&2
    tail -n 5 "$dir/redis.log" >&2 2>/dev/null || true
  done
  return 1
}

# Starts a private Redis Cluster in directory $1: six nodes on free loopback ports (bus ports
# chosen free too), three masters with one replica each, a short node timeout so failovers take
# a couple of seconds, append-only files so a restarted node keeps what it acknowledged. Waits
# until every node reports the cluster healthy. Sets REDIS_CLUSTER_NODES (host:port,…); the
# nodes run in the background until stop_redis_cluster.
start_redis_cluster() {
  local dir=$1 i port bus conf nodes=()
  mkdir -p "$dir"
  for i in 1 2 3 4 5 6; do
    mkdir -p "$dir/n$i"
    port=$(free_port) || return 1
    bus=$(free_port) || return 1
    # A configuration file per node, so a test that kills a node can start it again as it was
    # (INFO server names the file and the executable).
    conf="$dir/n$i/redis.conf"
    cat >"$conf" <<CONF
port $port
cluster-port $bus
bind 127.0.0.1
dir $dir/n$i
logfile $dir/n$i/redis.log
pidfile $dir/n$i/redis.pid
daemonize yes
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 1500
appendonly yes
appendfsync everysec
save ""
CONF
    redis-server "$conf" >/dev/null 2>&1 || return 1
    nodes+=("127.0.0.1:$port")
  done
  for node in "${nodes[@]}"; do
    for _ in $(seq 1 100); do
      [ "$(redis-cli -p "${node##*:}" ping 2>/dev/null)" = "PONG" ] && break
      sleep 0.1
    done
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 \
    || { cat "$dir/create.log" >&2; return 1; }
  for node in "${nodes[@]}"; do
    for _ in $(seq 1 200); do
      redis-cli -p "${node##*:}" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && break
      sleep 0.1
    done
    redis-cli -p "${node##*:}" cluster info | grep -q '^cluster_state:ok' \
      || { echo "cluster node $node is not healthy" >&2; return 1; }
  done
  REDIS_CLUSTER_NODES=$(IFS=,; echo "${nodes[*]}")
  echo "$REDIS_CLUSTER_NODES" >"$dir/nodes"
}

# Stops every node of the cluster in dir, including nodes a test restarted (by their pidfiles).
stop_redis_cluster() {
  local pidfile
  for pidfile in "$1"/n*/redis.pid; do
    if [ -f "$pidfile" ]; then
      kill -9 "$(cat "$pidfile")" >/dev/null 2>&1 || true
      rm -f "$pidfile"
    fi
  done
}
