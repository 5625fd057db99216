#!/usr/bin/env bash
# scripts/setup.sh [plan]: installs what the tests need (or, with "plan", what the offline plan
# needs: Node's packages and a Python schema validator), once: a fresh clone gets it (the installs run
# side by side), a warm one nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
# npm, pip, pyenv and go all keep state under HOME; a bare CI environment may not set it.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"

node_deps() {
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "setup: npm ci" >&2
        npm ci --no-audit --no-fund --loglevel=error
    fi
}

# Python packages into .venv, on the Python closest to the image's 3.13 that the machine has:
# python_deps REQUIREMENTS MARKER installs REQUIREMENTS once, and again when it changes.
python_deps() {
    local requirements=$1 marker=$2 python="" candidate
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 python3.13 python3; do
        # pyenv shims exist for versions that are not active; only a candidate that runs counts.
        if "$candidate" --version >/dev/null 2>&1; then python=$(command -v "$candidate"); break; fi
    done
    [ -n "$python" ] || { echo "setup: no python3 found (the plan's schema validator is a Python package)" >&2; return 1; }
    if [ ! -x .venv/bin/python ]; then
        echo "setup: virtualenv .venv from $python" >&2
        "$python" -m venv .venv
    fi
    # Stale when a requirements file it includes (-r) changed since.
    local stale=0 file
    for file in "$requirements" app/requirements.txt app/server/requirements.txt app/requirements-dev.txt plan/requirements.txt; do
        [ "$file" -nt "$marker" ] && stale=1
    done
    if [ "$stale" = 1 ]; then
        echo "setup: pip install -r $requirements" >&2
        .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
        touch "$marker"
    fi
}

# actionlint for the workflows, built from the Go module (its PyPI wrapper downloads a binary at
# install time, which registries-only machines cannot do).
actionlint() {
    if [ ! -x .tools/bin/actionlint ]; then
        command -v go >/dev/null || { echo "setup: Go is needed to build actionlint" >&2; return 1; }
        echo "setup: go install actionlint" >&2
        GOBIN="$PWD/.tools/bin" go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
    fi
}

# nginx, the app's front (the app tests start it as the image does), and shellcheck, which actionlint
# runs over every workflow step when it is installed.
system_deps() {
    local missing=()
    command -v nginx >/dev/null || missing+=(nginx)
    command -v shellcheck >/dev/null || missing+=(shellcheck)
    [ ${#missing[@]} -eq 0 ] && return
    [ "$(id -u)" = 0 ] || { echo "setup: the tests need ${missing[*]} (apt-get install ${missing[*]})" >&2; return 1; }
    echo "setup: apt-get install ${missing[*]}" >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}

if [ "${1:-}" = plan ]; then
    # The offline plan: Node's packages and the schema validator, nothing the tests alone use.
    node_deps &
    node_pid=$!
    python_deps plan/requirements.txt .venv/.installed-plan &
    python_pid=$!
    status=0
    for pid in $node_pid $python_pid; do wait "$pid" || status=1; done
    exit $status
fi

system_deps &
system_pid=$!
node_deps &
node_pid=$!
python_deps scripts/requirements-tools.txt .venv/.installed &
python_pid=$!
actionlint &
actionlint_pid=$!
status=0
for pid in $system_pid $node_pid $python_pid $actionlint_pid; do wait "$pid" || status=1; done
exit $status
