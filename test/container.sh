#!/usr/bin/env bash
# Builds the real app/Dockerfile with a real Docker engine (scripts/image.sh), runs it hardened as
# the pod would run, and probes it like a user: health, non-root processes, JSON 4xx, idle and slow
# clients, and SIGTERM in the middle of a load run. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=flask-eks:container-test
NAME=flask-eks-container-test
PORT=${CONTAINER_TEST_PORT:-18080}
METRICS_PORT=${CONTAINER_TEST_METRICS_PORT:-19090}
ARM64_IMAGE=flask-eks:container-test-arm64
ARM64_NAME=flask-eks-container-test-arm64
ARM64_PORT=${CONTAINER_TEST_ARM64_PORT:-18081}
# What appEnv and appSecrets would give the pod: a setting the app shows, and a secret it must not.
GREETING="Hi from appEnv"
SECRET_VALUE="s3cr3t-$RANDOM$RANDOM-never-shown"
passed=0
failed=0
not_run=0
started=$(date +%s)
# shellcheck source=scripts/image.sh
source scripts/image.sh
# shellcheck source=engine/host.sh
source engine/host.sh

log() { echo "container-test: $*" >&2; }
trap 'log "stopped by a failing command at line $LINENO"' ERR
check() { # check "what" command...: one assertion
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); log "ok   - $what"; else failed=$((failed + 1)); log "FAIL - $what"; fi
}

[ "$(id -u)" = 0 ] || { log "needs root (it installs packages and starts dockerd)"; exit 2; }
host_exclusive container-test
bash scripts/setup.sh # the slow-client driver runs on the project's Python
image_tools wrk:wrk
cleanup() {
    $DOCKER rm -f "$NAME" "$ARM64_NAME" >/dev/null 2>&1 || true
    image_cleanup
}
trap cleanup EXIT
image_engine
image_build "$IMAGE" container-test
amd64_built_in=$image_built_in

# ---- run it as the pod does: non-root, read-only root, no capabilities ----
# Host networking, as the benchmark: no userland proxy between the clients and the server.
$DOCKER rm -f "$NAME" >/dev/null 2>&1 || true
$DOCKER run -d --name "$NAME" --network host \
    --read-only --tmpfs /tmp:size=64m --cap-drop ALL --security-opt no-new-privileges \
    -e PORT="$PORT" -e METRICS_PORT="$METRICS_PORT" -e DRAIN_SECONDS=10 -e GRACEFUL_TIMEOUT=10 \
    -e WEB_CONCURRENCY=2 -e GREETING="$GREETING" -e DB_PASSWORD="$SECRET_VALUE" \
    "$IMAGE" >/dev/null
url="http://127.0.0.1:$PORT"
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
for _ in $(seq 1 50); do [ "$(status "$url/healthz")" = 200 ] && break; sleep 0.2; done

check "/healthz answers 200" test "$(status "$url/healthz")" = 200
check "/ answers JSON with the version" bash -c "curl -s '$url/' | grep -q '\"version\":\"container-test\"'"
uids=$($DOCKER exec "$NAME" sh -c 'cat /proc/[0-9]*/status' | awk '/^Uid:/ {print $2}' | sort -u | tr '\n' ' ')
check "every process (serve.py, nginx, gunicorn) runs as the non-root UID 10001 (got $uids)" test "$uids" = "10001 "
# The image holds app/ less what .dockerignore lists, the same files the tag's hash counts.
in_image() { # the files under /srv, as paths relative to it, sorted
    $DOCKER exec "$NAME" find /srv -type f -not -path '*/__pycache__/*' -printf '%P\n' | sort
}
in_context() { # what the tag's hash counts, less the Dockerfile and .dockerignore that it adds
    node --require ./scripts/transpile.js -e 'require("./components/app/build").contextFiles("app").forEach((f) => console.log(f))' |
        grep -vxE 'Dockerfile|\.dockerignore' | sort
}
image_matches_context() { diff <(in_image) <(in_context); }
check "the image holds exactly the files the tag's hash counts ($(in_image | wc -l) files)" image_matches_context

json_4xx() { # json_4xx expected-status curl-args...: a JSON error body with that status
    local want=$1
    shift
    local out
    out=$(curl -s -w '\n%{http_code} %{content_type}' "$@")
    [ "$(tail -1 <<<"$out")" = "$want application/json" ] && head -1 <<<"$out" | grep -q "\"status\":$want"
}
check "unknown path gets a JSON 404" json_4xx 404 "$url/nope"
check "wrong method gets a JSON 405" json_4xx 405 -X DELETE "$url/"
malformed() { # a request line the server cannot parse gets its JSON 400, not HTML
    local out
    out=$(exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'NOT A REQUEST\r\n\r\n' >&3 && timeout 5 cat <&3)
    grep -q '^HTTP/1.1 400' <<<"$out" && grep -q 'Content-Type: application/json' <<<"$out" && grep -q '"status":400' <<<"$out"
}
check "a malformed request line gets a JSON 400" malformed
check "oversized body gets a JSON 413" json_4xx 413 -X POST -H "Content-Type: application/octet-stream" --data-binary @<(head -c 2000000 /dev/zero) "$url/"
check "a probe answers a method other than GET and HEAD with a JSON 405" json_4xx 405 -X PUT "$url/healthz"

# ---- the app's settings and secrets, as appEnv and appSecrets deliver them ----
check "an appEnv value reaches the app (GREETING: / says \"$GREETING\")" \
    bash -c "curl -s '$url/' | grep -q '\"message\":\"$GREETING\"'"
check "the container holds the secret (DB_PASSWORD in its environment)" \
    test "$($DOCKER exec "$NAME" printenv DB_PASSWORD)" = "$SECRET_VALUE"
responses=$(mktemp)
for path in / /nope /hello/Ada "/hello/%3Cx%3E" "/?DB_PASSWORD=1"; do curl -s "$url$path" >>"$responses"; done
curl -s -X DELETE "$url/" >>"$responses"
check "no response, errors included, holds the secret ($(wc -c <"$responses") bytes read)" \
    bash -c "[ -s '$responses' ] && ! grep -qF '$SECRET_VALUE' '$responses'"

# ---- metrics: every worker's requests, on their own port, never through the public one ----
metric() { # metric ROUTE STATUS: http_requests_total for GET ROUTE with STATUS, 0 when absent
    curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
        awk -v want="http_requests_total{method=\"GET\",route=\"$1\",status=\"$2\"}" '$1 == want {n = $2} END {print n + 0}'
}
before=$(metric "/hello/<name>" 200)
for _ in $(seq 1 200); do curl -s -o /dev/null "$url/hello/Ada"; done
curl -s -o /dev/null "$url/hello/%3Cx%3E"
after=$(metric "/hello/<name>" 200)
check "/metrics counts the 200 requests of a load by route and status, across 2 workers ($before -> $after)" \
    test "$((after - before))" = 200
check "/metrics counts the refused one apart (status 400: $(metric "/hello/<name>" 400))" test "$(metric "/hello/<name>" 400)" -ge 1
check "/metrics is not served through the public port (a JSON 404)" json_4xx 404 "$url/metrics"

# ---- idle and slow clients, against the shipped limits ----
slow_clients() { .venv/bin/python app/server/tests/slow_clients.py "$@" >&2; }
check "1000 silent + 50 slowloris clients: normal p99 < 100 ms, memory < 512 MiB" \
    slow_clients siege "$PORT" --pid "$($DOCKER inspect -f '{{.State.Pid}}' "$NAME")"
check "trickling clients are cut off at the 10 s head deadline" slow_clients deadline "$PORT" 10
# /tmp as the pod has it (a 64 MiB tmpfs): 100 slow uploads of 1 MB would fill it more than once.
check "100 slow 1 MB uploads at once: each waits or gets a 4xx, and others' requests get no 5xx" \
    slow_clients uploads "$PORT" 100 1000000

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
logs=$(mktemp)
$DOCKER logs "$NAME" >"$logs" 2>&1
access_lines=$(awk '/"logger":"access"/ {n++} END {print n + 0}' "$logs")
check "the secret is in no log line ($access_lines access lines and the rest read)" \
    bash -c "[ '$access_lines' -gt 100 ] && ! grep -qF '$SECRET_VALUE' '$logs'"

# ---- the same Dockerfile for linux/arm64, a Graviton stack's image, through QEMU ----
# Built as an x86 runner or laptop builds it: QEMU registered with binfmt_misc, BuildKit for the
# platform. Where the kernel will not run the emulator, that is said with its error and counted as not
# run, never as passed; the checks above have run either way.
if image_emulate aarch64; then
    log "arm64: $(uname -m) runs aarch64 binaries through $(sed -n 's/^interpreter //p' "$BINFMT/qemu-aarch64" 2>/dev/null || echo "its own CPU")"
    arm64_started=$(date +%s)
    arm64_built=false
    image_build "$ARM64_IMAGE" container-test linux/arm64 && arm64_built=true
    check "app/Dockerfile builds for linux/arm64 through QEMU ($(($(date +%s) - arm64_started)) s with its base; the build alone ${image_built_in:-?} s, amd64's ${amd64_built_in} s)" \
        "$arm64_built"
    arch=$($DOCKER image inspect -f '{{.Os}}/{{.Architecture}}' "$ARM64_IMAGE" 2>/dev/null || true)
    check "the image is linux/arm64 (docker image inspect: ${arch:-none})" test "$arch" = linux/arm64
    machine=$($DOCKER run --rm --platform linux/arm64 --network host "$ARM64_IMAGE" \
        python -c 'import platform; print(platform.machine())' 2>&1 || true)
    check "its Python runs as aarch64 under QEMU (platform.machine(): ${machine:-nothing})" test "$machine" = aarch64
    # Run as the pod runs, like the amd64 one; emulation is slow, so its start gets up to 2 minutes.
    $DOCKER run -d --name "$ARM64_NAME" --platform linux/arm64 --network host \
        --read-only --tmpfs /tmp:size=64m --cap-drop ALL --security-opt no-new-privileges \
        -e PORT="$ARM64_PORT" -e METRICS_PORT="$((ARM64_PORT + 1000))" -e WEB_CONCURRENCY=1 \
        "$ARM64_IMAGE" >/dev/null 2>&1 || true
    arm64_url="http://127.0.0.1:$ARM64_PORT"
    run_started=$(date +%s)
    for _ in $(seq 1 240); do [ "$(status "$arm64_url/healthz")" = 200 ] && break; sleep 0.5; done
    check "the arm64 container, run as the pod runs, answers /healthz 200 under emulation (after $(($(date +%s) - run_started)) s)" \
        test "$(status "$arm64_url/healthz")" = 200
    check "and / answers JSON with the version" bash -c "curl -s '$arm64_url/' | grep -q '\"version\":\"container-test\"'"
    $DOCKER rm -f "$ARM64_NAME" >/dev/null 2>&1 || true
else
    not_run=$((not_run + 1))
    log "not run - the arm64 image through QEMU: $emulate_error"
fi

log "took $(($(date +%s) - started)) s"
summary="$passed passed, $failed failed"
[ "$not_run" = 0 ] || summary+=", $not_run not run"
echo "container-test: $summary"
[ "$failed" = 0 ]
