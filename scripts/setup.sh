#!/usr/bin/env bash
# Installs what the tests and the plan need, once: a fresh clone gets everything, a warm one nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi
