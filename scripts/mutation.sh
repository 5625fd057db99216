#!/usr/bin/env bash
# npm run test:mutation [-- --mutate FILES]: StrykerJS over the program's code (stryker.config.json),
# each mutant against the TypeScript suite without the plan.json snapshot. Slow (not in .ci/run);
# writes out/mutation/mutation.json and prints the score and every surviving mutant.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
# Stryker's sandboxes copy the checkout without .venv; the schema validator is this one.
export KUBERNETES_VALIDATE=$PWD/.venv/bin/kubernetes-validate
exec npx stryker run "$@"
