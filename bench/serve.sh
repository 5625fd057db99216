#!/usr/bin/env bash
# The app as it ships against Flask's development server, in one run: both from the same image built
# from app/Dockerfile (scripts/image.sh), each in its container on host networking (no userland
# proxy) with Docker's default log driver taking the JSON logs, as production runs it.
#   closed loop  wrk, one thread, 64 connections; dev server, app, and the app while 1000 silent
#                connections are held open (reopened when the front closes them), in alternating
#                rounds; medians over the rounds, since this machine is shared and noisy
#   open loop    vegeta at a constant rate of 75% of the dev server's closed-loop median, both
#                servers; then the app at rising rates, to find the highest with p99 under 50 ms
# Prints every figure and the restated targets. Needs root (Docker).
# Usage: npm run bench:serve [-- SECONDS ROUNDS]   (defaults 10 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
rounds=${2:-3}
port=18090
IMAGE=flask-eks:bench
NAME=flask-eks-bench
# shellcheck source=scripts/image.sh
source scripts/image.sh

[ "$(id -u)" = 0 ] || { echo "bench: needs root (it starts dockerd)" >&2; exit 2; }
bash scripts/setup.sh
image_tools wrk:wrk
[ -x .tools/bin/vegeta ] || GOBIN="$PWD/.tools/bin" go install github.com/tsenart/vegeta/v12@v12.13.0
trap '$DOCKER rm -f "$NAME" >/dev/null 2>&1 || true; image_cleanup' EXIT
image_engine
image_build "$IMAGE" bench
url="http://127.0.0.1:$port/"

serve() { # serve dev|app: start that server in the container, as the pod runs it
    $DOCKER rm -f "$NAME" >/dev/null 2>&1 || true
    local command=()
    [ "$1" = dev ] && command=(python dev_server.py)
    $DOCKER run -d --name "$NAME" --network host --read-only --tmpfs /tmp --cap-drop ALL \
        -e PORT=$port -e DRAIN_SECONDS=0 -e WEB_CONCURRENCY=2 "$IMAGE" "${command[@]}" >/dev/null
    # "/", which both answer: the probes are the server's (server/wsgi.py), not the dev server's.
    for _ in $(seq 1 100); do curl -fs "$url" >/dev/null 2>&1 && return; sleep 0.1; done
    echo "bench: $1 did not start" >&2
    return 1
}

to_ms() { # wrk latency (850.00us, 12.34ms, 1.20s) in milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

closed=()
closed_loop() { # closed_loop label: one wrk run against what is serving, recorded as a result line
    local out rps p50 p99 errors
    out=$(wrk -t1 -c64 -d"${seconds}s" --latency "$url")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    errors=$(awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/ {s += $NF} END {print s + 0}' <<<"$out")
    closed+=("$1 $rps $p50 $p99 $errors")
}

for _ in $(seq 1 "$rounds"); do
    # A server that does not start stops the run (set -e): no figure without both.
    serve dev
    closed_loop dev-server
    serve app
    closed_loop app
    .venv/bin/python app/server/tests/slow_clients.py hold $port 1000 $((seconds + 2)) &
    holder=$!
    sleep 1
    closed_loop app+1000-idle
    wait "$holder"
done

median() { # median label column: the median of one column over a label's rounds
    printf '%s\n' "${closed[@]}" | awk -v s="$1" -v c="$2" '$1 == s { print $c }' | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
errors_of() { printf '%s\n' "${closed[@]}" | awk -v s="$1" '$1 == s { e += $5 } END { print e + 0 }'; }

open_loop() { # open_loop rate seconds: "p50_ms p99_ms errors" for a constant-rate run
    .tools/bin/vegeta attack -rate="$1/s" -duration="$2s" -timeout=10s <<<"GET $url" |
        .tools/bin/vegeta report -type=json |
        .venv/bin/python -c 'import json, sys; r = json.load(sys.stdin); l = r["latencies"]
print("%.2f %.2f %d" % (l["50th"] / 1e6, l["99th"] / 1e6, r["requests"] - r["status_codes"].get("200", 0)))'
}

rate=$(awk -v r="$(median dev-server 2)" 'BEGIN { printf "%d", r * 0.75 }')
serve dev
read -r dev_p50 dev_p99 dev_errors <<<"$(open_loop "$rate" "$seconds")"
serve app
read -r app_p50 app_p99 app_errors <<<"$(open_loop "$rate" "$seconds")"
# The app's highest rate with p99 under 50 ms: rising steps from the shared rate until one misses,
# then three halvings of the gap between the last pass and the first miss.
under_50ms() { # under_50ms rate: one 5 s run at that rate keeps p99 under 50 ms with no errors
    local p50 p99 errors
    read -r p50 p99 errors <<<"$(open_loop "$1" 5)"
    echo "open loop, app at $1 req/s: p50 $p50 ms, p99 $p99 ms, $errors errors" >&2
    awk -v p="$p99" -v e="$errors" 'BEGIN { exit !(p < 50 && e == 0) }'
}
best=0
missed=0
for factor in 1 2 3 4 5 6 8 10 12; do
    if under_50ms $((rate * factor)); then best=$((rate * factor)); else missed=$((rate * factor)); break; fi
done
if [ "$missed" -gt 0 ]; then
    for _ in 1 2 3; do
        middle=$(((best + missed) / 2))
        if under_50ms "$middle"; then best=$middle; else missed=$middle; fi
    done
fi

echo
echo "closed loop: wrk -t1 -c64, ${rounds} rounds of ${seconds}s"
printf '%-16s %10s %9s %9s %7s\n' server req/s p50_ms p99_ms errors
# Each round is one line of five fields, split into the columns on purpose.
# shellcheck disable=SC2086
for r in "${closed[@]}"; do printf '%-16s %10s %9s %9s %7s\n' $r; done
for label in dev-server app app+1000-idle; do
    printf '%-16s %10s %9s %9s %7s  (median; errors summed)\n' "$label" "$(median "$label" 2)" \
        "$(median "$label" 3)" "$(median "$label" 4)" "$(errors_of "$label")"
done
echo
echo "open loop: vegeta at $rate req/s (75% of the dev server's closed-loop median), ${seconds}s each"
printf '%-16s %9s %9s %7s\n' server p50_ms p99_ms errors
printf '%-16s %9s %9s %7s\n' dev-server "$dev_p50" "$dev_p99" "$dev_errors" app "$app_p50" "$app_p99" "$app_errors"
echo "app: highest constant rate with p99 < 50 ms and no errors: $best req/s (first miss at $missed; 5 s runs)"
echo
awk -v a="$(median app 2)" -v d="$(median dev-server 2)" -v h="$(median app+1000-idle 2)" \
    -v e="$(($(errors_of app) + $(errors_of app+1000-idle)))" -v ap="$app_p99" -v dp="$dev_p99" -v ae="$app_errors" 'BEGIN {
    ok1 = a / d >= 4 && e == 0; ok2 = ap <= dp / 3 && ae == 0; ok3 = h >= 0.9 * a
    printf "closed loop: app %.1fx the dev server'"'"'s req/s, %d errors (target >= 4x, 0): %s\n", a / d, e, ok1 ? "met" : "missed"
    printf "open loop: app p99 %.3fx the dev server'"'"'s at the same rate (target <= 0.33x): %s\n", ap / dp, ok2 ? "met" : "missed"
    printf "1000 idle connections held: app req/s %+.1f%% (target >= -10%%): %s\n", (h / a - 1) * 100, ok3 ? "met" : "missed"
    print ((ok1 && ok2 && ok3) ? "targets: met" : "targets: missed")
}'
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(lscpu | sed -nE 's/^Model name:\s+//p')"
