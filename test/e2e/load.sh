#!/usr/bin/env bash
# Sourced by test/e2e.sh: bounded load on the app through the load balancer stand-in, with vegeta
# (engine/build.sh). Every run has a rate or a worker count, and a time limit of its own. Each
# request opens its own connection (no keep-alive), so kube-proxy picks a pod for each one, as it
# would for many clients, and every pod is asked.
#   load_start NAME URL RATE SECONDS    RATE requests a second (open loop) until load_stop, or SECONDS
#   load_busy NAME URL WORKERS SECONDS  as fast as WORKERS connections go, for SECONDS
#   load_stop NAME                      stop it; sets LOAD_SENT, LOAD_FAILED (non-2xx responses and
#                                       connection errors), LOAD_SECONDS (from start to stop, to a
#                                       tenth) and
#                                       LOAD_SUMMARY (one line, for the log); $WORK/load-NAME.json
#                                       holds the report (load_report.py), per pod and failure
#   load_served NAME POD                how many 2xx responses POD gave in the load (0 if none);
#                                       load_served_before NAME POD TIME, those begun before TIME
#   load_status_count NAME CODE         how many responses had status CODE
#   load_failed_between NAME FROM TO    failed requests that began outside [FROM, TO] (Unix seconds)
declare -A LOAD_PIDS LOAD_STARTED

load_attack() { # load_attack NAME URL ARGS...
    local name=$1 url=$2
    shift 2
    echo "GET $url/" | vegeta attack -keepalive=false -timeout 10s "$@" >"$WORK/load-$name.bin" &
    LOAD_PIDS[$name]=$!
    LOAD_STARTED[$name]=$EPOCHREALTIME
    echo "$! $(started_at $!) vegeta-$name" >>"$WORK/started"
}

load_start() { load_attack "$1" "$2" -rate "$3/1s" -duration "$4s"; }
load_busy() { load_attack "$1" "$2" -rate 0 -max-workers "$3" -duration "$4s"; }

load_stop() {
    local name=$1
    kill -INT "${LOAD_PIDS[$name]}" 2>/dev/null || true
    wait "${LOAD_PIDS[$name]}" || true # interrupted, it still writes every result
    # shellcheck disable=SC2034 # read by the checks that call this
    LOAD_SECONDS=$(awk -v from="${LOAD_STARTED[$name]}" -v to="$EPOCHREALTIME" 'BEGIN {printf "%.1f", to - from}')
    vegeta encode --to json "$WORK/load-$name.bin" | python3 test/e2e/load_report.py >"$WORK/load-$name.json"
    # shellcheck disable=SC2034 # read by the checks that call this
    read -r LOAD_SENT LOAD_FAILED LOAD_SUMMARY < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["sent"], r["failed"], r["summary"])' "$WORK/load-$name.json")
}

load_served() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pods"].get(sys.argv[2], 0))' "$WORK/load-$1.json" "$2"; }

# load_served_before NAME POD TIME: how many 2xx responses POD gave to requests begun before TIME
load_served_before() {
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(sum(1 for t in r["answered_at"].get(sys.argv[2], []) if t < float(sys.argv[3])))' "$WORK/load-$1.json" "$2" "$3"
}

# load_status_count NAME CODE: how many responses of load NAME had status CODE
load_status_count() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["codes"].get(sys.argv[2], 0))' "$WORK/load-$1.json" "$2"; }

load_failed_between() {
    python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(sum(1 for t in r["failed_at"] if not float(sys.argv[2]) <= t <= float(sys.argv[3])))' "$WORK/load-$1.json" "$2" "$3"
}

# load_sent_enough RATE: the last load stopped sent at least 90% of RATE a second over the time it
# ran, from start to stop, to a tenth of a second (for a check; prints what it saw)
load_sent_enough() {
    local expected
    expected=$(awk -v rate="$1" -v seconds="$LOAD_SECONDS" 'BEGIN {print int(rate * seconds * 0.9)}')
    echo "sent $LOAD_SENT in $LOAD_SECONDS s (at least $expected expected), failed $LOAD_FAILED"
    [ "$expected" -gt 0 ] && [ "$LOAD_SENT" -ge "$expected" ]
}
# load_counts NAME RATE: that, and none failed
load_counts() { load_sent_enough "$2" && [ "$LOAD_FAILED" = 0 ]; }
