#!/usr/bin/env bash
# npm run test:mutation [-- --mutate FILES] [-- --force]: StrykerJS over the program's code
# (stryker.config.json), each mutant against the TypeScript suite without the plan.json snapshot.
# Slow, so not in .ci/run. Results accumulate in test/mutation/results.json: a run reuses every
# result its change did not touch (--force measures everything again; --mutate measures some files
# and keeps the others' results), then renders docs/mutation.md from that file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >&2
# Stryker's sandboxes copy the checkout without .venv: the schema validator and the Python that
# imports the app's module (plan/appmodule.ts) are this one's.
export KUBERNETES_VALIDATE=$PWD/.venv/bin/kubernetes-validate
export APP_PYTHON=$PWD/.venv/bin/python
npx stryker run "$@"
node --require ./scripts/transpile.js scripts/mutation-report.ts
