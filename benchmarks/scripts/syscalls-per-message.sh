#!/usr/bin/env bash
# Counts a server's system calls and context switches per message with `perf stat` (Debian's
# linux-perf; tracepoints need root): the server (ServerMain) and the load client (LoadClient) each
# in a JVM of their own, as in ./weft bench; perf watches the server for the middle of the run.
#
#   benchmarks/scripts/syscalls-per-message.sh SERVER [CONNECTIONS] [SECONDS] [echo|http]
#   benchmarks/scripts/syscalls-per-message.sh weft 1000 8 echo
#
# Run ./weft help once first (it builds the jars). Bounded: the client stops after SECONDS + its
# warm-up, the server when its input closes.
set -euo pipefail
cd "$(dirname "$0")/../.."
server=${1:?server label, e.g. weft or netty}
connections=${2:-1000}
seconds=${3:-8}
protocol=${4:-echo}
command -v perf >/dev/null || { echo "needs perf (apt-get install linux-perf)" >&2; exit 1; }
java=$(ls -d /usr/lib/jvm/*/bin/java | while read -r j; do
    v=$("$j" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'); [[ ${v:-0} -ge 21 ]] && echo "$j" && break; done)
[[ -n $java ]] || { echo "no JDK 21 or newer under /usr/lib/jvm" >&2; exit 1; }
cp="benchmarks/target/weft-benchmarks.jar:benchmarks/target/lib/*"
flags=(-XX:+UseSerialGC -Xms256m -Xmx2g)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/in"
sleep $((seconds + 60)) > "$work/in" &
keep=$!
"$java" "${flags[@]}" -cp "$cp" dev.weft.bench.servers.ServerMain --server "$server" < "$work/in" > "$work/out" &
pid=$!
trap 'kill $keep 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q LISTENING "$work/out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/LISTENING port=//p' "$work/out")
(sleep 3; echo GO; sleep $((seconds + 30))) | "$java" "${flags[@]}" -cp "$cp" dev.weft.bench.load.LoadClient \
    --port "$port" --connections "$connections" --protocol "$protocol" --warmup 2 --duration "$seconds" > "$work/client" &
client=$!
sleep 6   # connected, warmed up, measuring
perf stat -x, -e raw_syscalls:sys_enter,context-switches,task-clock,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_futex \
    -p "$pid" -o "$work/perf" -- sleep $((seconds - 2))
wait $client
rate=$(sed -n 's/.*"msgsPerSec":\([0-9.]*\).*/\1/p' "$work/client")
window=$((seconds - 2))
echo "$server, $connections connections, $protocol: $(printf '%.0f' "$rate") msgs/s; per message over ${window} s:"
awk -F, -v rate="$rate" -v window="$window" '/^[0-9]/ {
    if ($2 == "msec") { printf "  %-32s %8.2f us\n", "CPU (" $3 ")", $1 * 1000 / (rate * window) }
    else { printf "  %-32s %8.3f\n", $3, $1 / (rate * window) } }' "$work/perf"
