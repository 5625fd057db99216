#!/usr/bin/env bash
# Sourced by test/e2e.sh: the check runner and what the checks share. Expects WORK, PROJECT and,
# once the cluster runs, ADMIN_KUBECONFIG.
passed=0
failed=0
log() { echo "e2e: [$(printf '%3d' "$SECONDS") s] $*" >&2; }

check() { # check "what" COMMAND...: one assertion; its output is shown only when it fails
    local what=$1 out
    shift
    out=$(mktemp "$WORK/check.XXXXXX")
    if "$@" >"$out" 2>&1; then
        passed=$((passed + 1))
        log "ok   - $what"
    else
        failed=$((failed + 1))
        log "FAIL - $what"
        sed 's/^/       /' "$out" >&2
    fi
    rm -f "$out"
}

# beside NAME COMMAND...: COMMAND, whose checks count as any other's, runs in the background, for what
# shares no object and no timing with the checks meanwhile; its lines show when beside_done NAME
# waits for it. A command that stops before its end (a failing command, under set -e) fails a check.
declare -A BESIDE=()
# shellcheck disable=SC2030 # the command's own counts, in its subshell, handed back through a file
beside() {
    (
        passed=0 failed=0
        "${@:2}"
        echo "$passed $failed" >"$WORK/beside-$1.counts"
    ) >"$WORK/beside-$1.log" 2>&1 &
    BESIDE[$1]=$!
}
# shellcheck disable=SC2031 # the counts are this shell's; the background's are added from their file
beside_done() {
    local status=0 counts
    wait "${BESIDE[$1]}" || status=$?
    cat "$WORK/beside-$1.log" >&2
    if counts=$(cat "$WORK/beside-$1.counts" 2>/dev/null); then
        passed=$((passed + ${counts% *}))
        failed=$((failed + ${counts#* }))
    else
        failed=$((failed + 1))
        log "FAIL - $1, in the background, stopped before its end (status $status)"
    fi
}

pulumi_run() { # pulumi_run NAME ARGS...: the CLI in the project copy, its output kept in $WORK/NAME.log
    local name=$1
    shift
    if (cd "$PROJECT" && pulumi "$@") >"$WORK/$name.log" 2>&1; then return 0; fi
    cat "$WORK/$name.log"
    return 1
}

new_stack() { # new_stack STACK CONFIG: the stack, its file holding CONFIG after the salt stack init writes
    pulumi_run "init-$1" stack init "$1" --non-interactive && printf 'config:\n%s' "$2" >>"$PROJECT/Pulumi.$1.yaml"
}

kubectl_() { kubectl --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

at_most() { [ -n "$1" ] && [ "$1" -le "$2" ]; } # at_most N LIMIT: N is set and at most LIMIT
# seconds_since TIMESTAMP: whole seconds from TIMESTAMP (an API object's, RFC 3339) to now; nothing if unset
seconds_since() { [ -n "$1" ] && echo $(($(date +%s) - $(date -d "$1" +%s))); }

wait_until() { # wait_until SECONDS COMMAND...: COMMAND succeeds within SECONDS (polled twice a second)
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.5
    done
}

# The app's pods, one line each: name, node, ready (True/False), image, restarts, deleting (or -). The
# local stack's; APP_NAMESPACE and APP_NAME name another's.
app_pods() {
    kubectl_ get pods -n "${APP_NAMESPACE:-flask-app}" -l "app.kubernetes.io/name=${APP_NAME:-flask-app}" -o jsonpath='{range .items[*]}{.metadata.name} {.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status} {.spec.containers[0].image} {.status.containerStatuses[0].restartCount} {.metadata.deletionTimestamp}{"\n"}{end}' |
        awk 'NF {print $1, $2, ($3 == "" ? "False" : $3), $4, ($5 == "" ? 0 : $5), (NF >= 6 ? "deleting" : "-")}'
}

# only_pods COUNT IMAGE: exactly COUNT pods of the app, each ready, running IMAGE, none being deleted
only_pods() {
    local pods
    pods=$(app_pods)
    [ "$(wc -l <<<"$pods")" = "$1" ] && ! awk -v image="$2" '$3 != "True" || $4 != image || $6 != "-"' <<<"$pods" | grep -q .
}

# replicas_over SECONDS LABEL: prints "t=replicas" every 5 s for SECONDS (the HPA's current count)
replicas_over() {
    local until=$((SECONDS + $1)) start=$SECONDS series=""
    while [ "$SECONDS" -lt "$until" ]; do
        series+=" $((SECONDS - start))s=$(kubectl_ get hpa web -n flask-app -o jsonpath='{.status.currentReplicas}')"
        sleep 5
    done
    echo "$series"
}
