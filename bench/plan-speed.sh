#!/usr/bin/env bash
# How long the plan takes to evaluate the dev stack (load the TypeScript, read the config, run
# index.ts under the mocks) against a bare import of the four Pulumi SDK packages, in alternating
# runs within one invocation. Prints the median of each and the ratio; the target is at most 1.3x.
# Usage: npm run bench:plan [-- RUNS]   (default 9; one warm-up of each first)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2

runs=${1:-9}
imports=(node -e "require('@pulumi/pulumi'); require('@pulumi/aws'); require('@pulumi/kubernetes'); require('@pulumi/docker')")
evaluate=(node --require ./scripts/transpile.js -e "require('./offline/index.ts').runStack('dev').then((r) => { if (r.error) { console.error(r.error.message); process.exit(1); } })")

ms() { # ms command...: wall milliseconds of one run
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ms "${imports[@]}" >/dev/null
ms "${evaluate[@]}" >/dev/null
import_times=()
eval_times=()
for _ in $(seq 1 "$runs"); do
    import_times+=("$(ms "${imports[@]}")")
    eval_times+=("$(ms "${evaluate[@]}")")
done
import_median=$(printf '%s\n' "${import_times[@]}" | median)
eval_median=$(printf '%s\n' "${eval_times[@]}" | median)
echo "import of the four SDK packages: ${import_times[*]} ms (median $import_median)"
echo "plan evaluation of dev:          ${eval_times[*]} ms (median $eval_median)"
awk -v e="$eval_median" -v i="$import_median" 'BEGIN { r = e / i; printf "ratio: %.2fx (target <= 1.3x): %s\n", r, (r <= 1.3 ? "met" : "missed") }'
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(lscpu | sed -nE 's/^Model name:\s+//p'), node $(node --version), $runs runs each"
