#!/usr/bin/env bash
# Builds the real app/Dockerfile with a real Docker engine, runs it hardened as the pod would run,
# and probes it like a user: health, non-root UID, JSON 4xx, and SIGTERM in the middle of a load run.
# Needs root. Public registries are unreachable here, so the base image is built locally (a
# debootstrapped Debian with the machine's CPython 3.13) and passed through the BASE_IMAGE build arg.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=flask-eks-base:py3.13
IMAGE=flask-eks:container-test
NAME=flask-eks-container-test
PORT=${CONTAINER_TEST_PORT:-18080}
CACHE=${FLASK_EKS_CACHE:-/var/cache/flask-eks}
passed=0
failed=0
started=$(date +%s)

log() { echo "container-test: $*" >&2; }
trap 'log "stopped by a failing command at line $LINENO"' ERR
check() { # check "what" command...: one assertion
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); log "ok   - $what"; else failed=$((failed + 1)); log "FAIL - $what"; fi
}

[ "$(id -u)" = 0 ] || { log "needs root (it installs packages and starts dockerd)"; exit 2; }

# ---- tools ----
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v wrk >/dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi
# Debian's client matches Debian's daemon; the newer one on PATH needs buildx for BuildKit.
DOCKER=/usr/bin/docker

# ---- engine ----
dockerd_pid=""
cleanup() {
    $DOCKER rm -f "$NAME" >/dev/null 2>&1 || true
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null || true
        wait "$dockerd_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
if $DOCKER info >/dev/null 2>&1; then
    log "using the Docker engine already running"
else
    /usr/sbin/dockerd >/tmp/flask-eks-dockerd.log 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.5; done
    $DOCKER info >/dev/null 2>&1 || { log "dockerd did not start; see /tmp/flask-eks-dockerd.log"; exit 1; }
fi

# ---- base image: Debian minbase + this machine's CPython 3.13, like python:3.13-slim ----
if ! $DOCKER image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    mkdir -p "$CACHE"
    if [ ! -f "$CACHE/base-rootfs.tar" ]; then
        python_home=$(ls -d "${PYENV_ROOT:-/root/.pyenv}"/versions/3.13* | sort -V | tail -1)
        # The Debian mirror apt already uses (whatever this machine is configured with).
        mirror=$(apt-cache policy | awk '/ bookworm\/main / && !m {m = $2} END {print m}')
        rootfs=$(mktemp -d)
        log "debootstrap bookworm (cached afterwards in $CACHE)"
        debootstrap --variant=minbase \
            --include=ca-certificates,libssl3,libffi8,zlib1g,libbz2-1.0,liblzma5,libsqlite3-0,libreadline8,libncursesw6,libexpat1,libuuid1 \
            bookworm "$rootfs" "$mirror" >/dev/null
        # The interpreter goes where the official image keeps it; its libpython is found through
        # /usr/local/lib, which Debian's loader already searches.
        cp -a "$python_home"/{bin,lib} "$rootfs/usr/local/"
        rm -rf "$rootfs"/usr/local/lib/python3.13/test "$rootfs"/usr/local/lib/python3.13/config-3.13-*
        ln -sf python3.13 "$rootfs/usr/local/bin/python"
        ln -sf python3.13 "$rootfs/usr/local/bin/python3"
        chroot "$rootfs" /sbin/ldconfig
        # The machine's CA bundle, so pip inside builds trusts the same registries the host does.
        cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -cf "$CACHE/base-rootfs.tar" .
        rm -rf "$rootfs"
    fi
    log "importing $BASE_IMAGE"
    $DOCKER import "$CACHE/base-rootfs.tar" "$BASE_IMAGE" >/dev/null
fi

# ---- build the real Dockerfile, with the host's package-index settings ----
build_args=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "APP_VERSION=container-test")
pip_config=$(python3 -m pip config list 2>/dev/null || true)
for setting in index-url extra-index-url trusted-host cert; do
    var="PIP_$(echo "$setting" | tr 'a-z-' 'A-Z_')"
    value=${!var:-$(sed -nE "s/^[^.]+\.$setting='(.*)'$/\1/p" <<<"$pip_config" | head -1)}
    [ -n "$value" ] && build_args+=(--build-arg "$var=$value")
done
log "building app/Dockerfile"
build_started=$(date +%s)
DOCKER_BUILDKIT=0 $DOCKER build -q "${build_args[@]}" -t "$IMAGE" app/ >/dev/null
log "built in $(($(date +%s) - build_started)) s"

# ---- run it as the pod does: non-root, read-only root, no capabilities ----
$DOCKER rm -f "$NAME" >/dev/null 2>&1 || true
$DOCKER run -d --name "$NAME" -p "127.0.0.1:$PORT:8080" \
    --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
    -e DRAIN_SECONDS=10 -e GRACEFUL_TIMEOUT=10 -e WEB_CONCURRENCY=2 \
    "$IMAGE" >/dev/null
url="http://127.0.0.1:$PORT"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
for _ in $(seq 1 50); do [ "$(status "$url/healthz")" = 200 ] && break; sleep 0.2; done

check "/healthz answers 200" test "$(status "$url/healthz")" = 200
check "/ answers JSON with the version" bash -c "curl -s '$url/' | grep -q '\"version\":\"container-test\"'"
uid=$($DOCKER exec "$NAME" awk '/^Uid:/ {print $2}' /proc/1/status)
check "gunicorn runs as the non-root UID 10001 (got $uid)" test "$uid" = 10001
json_4xx() { # json_4xx expected-status curl-args...: a JSON error body with that status
    local want=$1
    shift
    local out
    out=$(curl -s -w '\n%{http_code} %{content_type}' "$@")
    [ "$(tail -1 <<<"$out")" = "$want application/json" ] && head -1 <<<"$out" | grep -q "\"status\":$want"
}
check "unknown path gets a JSON 404" json_4xx 404 "$url/nope"
check "wrong method gets a JSON 405" json_4xx 405 -X DELETE "$url/"
malformed() { # a request line gunicorn cannot parse gets its JSON 400, not HTML
    local out
    out=$(exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'NOT A REQUEST\r\n\r\n' >&3 && timeout 5 cat <&3)
    grep -q '^HTTP/1.1 400' <<<"$out" && grep -q 'Content-Type: application/json' <<<"$out" && grep -q '"status":400' <<<"$out"
}
check "a malformed request line gets a JSON 400" malformed
check "oversized body gets a JSON 413" json_4xx 413 -X POST -H "Content-Type: application/octet-stream" --data-binary @<(head -c 2000000 /dev/zero) "$url/"

# ---- SIGTERM in the middle of a load run ----
wrk_out=$(mktemp)
wrk -t2 -c16 -d8s "$url/" >"$wrk_out" 2>&1 &
wrk_pid=$!
sleep 2
term_sent=$(date +%s)
$DOCKER kill --signal TERM "$NAME" >/dev/null
sleep 1
check "/readyz turns to 503 once SIGTERM starts the drain" test "$(status "$url/readyz")" = 503
wait "$wrk_pid"
exit_code=$($DOCKER wait "$NAME")
stopped_in=$(($(date +%s) - term_sent))
requests=$(awk '/requests in/ {print $1}' "$wrk_out")
check "the load run completed requests ($requests)" test "${requests:-0}" -gt 0
check "no socket errors during the drain" bash -c "! grep -q 'Socket errors' '$wrk_out'"
check "no non-2xx responses during the drain" bash -c "! grep -q 'Non-2xx' '$wrk_out'"
check "the container exited 0 after SIGTERM (got $exit_code)" test "$exit_code" = 0
check "it stopped within drain + grace, 20 s (took $stopped_in s)" test "$stopped_in" -le 20
sed 's/^/  wrk: /' "$wrk_out" >&2

log "took $(($(date +%s) - started)) s"
echo "container-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
