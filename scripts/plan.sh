#!/usr/bin/env bash
# The offline plan (npm run plan -- --stack dev): installs what it needs, then runs plan/main.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh plan >&2
exec node --require ./scripts/transpile.js plan/main.ts "$@"
