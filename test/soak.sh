#!/usr/bin/env bash
# npm run test:e2e:soak -- [N]: the end-to-end test N times in a row (default 5), stopping at the first
# failure. Prints each run's time and result; each run's whole output is kept in $SOAK_LOGS (default
# /tmp/flask-eks-soak), and a failed run's last lines are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
logs=${SOAK_LOGS:-/tmp/flask-eks-soak}
mkdir -p "$logs"
for run in $(seq 1 "$runs"); do
    started=$SECONDS
    if bash test/e2e.sh >"$logs/run-$run.log" 2>&1; then
        echo "soak: run $run/$runs passed in $((SECONDS - started)) s ($(tail -1 "$logs/run-$run.log"))"
    else
        echo "soak: run $run/$runs FAILED after $((SECONDS - started)) s; the end of $logs/run-$run.log:"
        tail -40 "$logs/run-$run.log"
        exit 1
    fi
done
echo "soak: $runs of $runs runs passed"
