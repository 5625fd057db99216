#!/usr/bin/env bash
# Sourced by test/e2e.sh: bounded load on the app through the load balancer stand-in, with vegeta
# (engine/build.sh). Every run has a rate or a worker count, and a time limit of its own.
#   load_start NAME URL RATE SECONDS    RATE requests a second (open loop) until load_stop, or SECONDS
#   load_busy NAME URL WORKERS SECONDS  as fast as WORKERS connections go, for SECONDS
#   load_stop NAME                      stop it; sets LOAD_SENT, LOAD_FAILED (non-2xx responses and
#                                       connection errors) and LOAD_SUMMARY (one line, for the log)
declare -A LOAD_PIDS

load_attack() { # load_attack NAME URL ARGS...
    local name=$1 url=$2
    shift 2
    echo "GET $url/" | vegeta attack -timeout 10s "$@" >"$WORK/load-$name.bin" &
    LOAD_PIDS[$name]=$!
}

load_start() { load_attack "$1" "$2" -rate "$3/1s" -duration "$4s"; }
load_busy() { load_attack "$1" "$2" -rate 0 -max-workers "$3" -duration "$4s"; }

load_stop() {
    local name=$1 report
    kill -INT "${LOAD_PIDS[$name]}" 2>/dev/null || true
    wait "${LOAD_PIDS[$name]}" || true # interrupted, it still writes every result
    report=$(vegeta report -type json "$WORK/load-$name.bin")
    # shellcheck disable=SC2034 # read by the checks that call this
    read -r LOAD_SENT LOAD_FAILED LOAD_SUMMARY < <(python3 test/e2e/load_report.py <<<"$report")
}
