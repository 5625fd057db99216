#!/usr/bin/env bash
# Serves the same app both ways, in alternating rounds within one run, and drives each with wrk at
# 64 connections (one wrk thread, so the load generator takes less of the two cores from the server): Flask's development server (`python app.py`, the seed article's CMD) and the
# production gunicorn config, both with their shipped defaults. Prints req/s, p50, p99 and errors
# per round, the median of each per server (this machine is shared and noisy: one slow round
# should not decide), and the ratios of the medians.
# Usage: npm run bench:serve [-- SECONDS ROUNDS]   (defaults 10 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 2; }; }

seconds=${1:-10}
rounds=${2:-5}
port=18090
results=()

to_ms() { # wrk latency (850.00us, 12.34ms, 1.20s) in milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'
}

measure() { # measure label command...: serve with the command, load it, record one result line
    local label=$1
    shift
    # No drain on the way out: it only delays the next round.
    (cd app && exec env PORT=$port DRAIN_SECONDS=0 "$@" >/dev/null 2>&1) &
    local pid=$!
    for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
    local out
    out=$(wrk -t1 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port/")
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    sleep 1
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    errors=$(awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/ {s += $NF} END {print s + 0}' <<<"$out")
    results+=("$label $rps $p50 $p99 $errors")
}

for round in $(seq 1 "$rounds"); do
    measure dev-server ../.venv/bin/python app.py
    measure gunicorn ../.venv/bin/gunicorn --config gunicorn.conf.py
done

printf '%-12s %10s %9s %9s %7s\n' server req/s p50_ms p99_ms errors
for r in "${results[@]}"; do printf '%-12s %10s %9s %9s %7s\n' $r; done
median() { # median server column: the median of one column over a server's rounds
    printf '%s\n' "${results[@]}" | awk -v s="$1" -v c="$2" '$1 == s { print $c }' | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
errors_of() { printf '%s\n' "${results[@]}" | awk -v s="$1" '$1 == s { e += $5 } END { print e + 0 }'; }
for server in dev-server gunicorn; do
    printf '%-12s %10s %9s %9s %7s  (median of %s rounds; errors summed)\n' "$server" "$(median "$server" 2)" \
        "$(median "$server" 3)" "$(median "$server" 4)" "$(errors_of "$server")" "$rounds"
done
awk -v a="$(median gunicorn 2)" -v b="$(median dev-server 2)" -v c="$(median gunicorn 4)" -v d="$(median dev-server 4)" \
    -v e="$(errors_of gunicorn)" 'BEGIN {
    printf "gunicorn / dev server: %.1fx req/s (target >= 4x), p99 %.2fx (target <= 0.33x), %d gunicorn errors (target 0)\n", a / b, c / d, e
    print ((a / b >= 4 && c / d <= 1 / 3 && e == 0) ? "target: met" : "target: missed")
}'
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m), $(lscpu | sed -nE 's/^Model name:\s+//p'), ${rounds} rounds of ${seconds}s per server"
