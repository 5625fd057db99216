#!/usr/bin/env bash
# Runs a pulumi command (the arguments), waiting for the stack while another operation holds it: Pulumi
# Cloud refuses a second operation on a stack with "[409] Conflict: Another update is currently in
# progress". The drift check runs on a schedule, whenever a deploy may be running; sharing the deploy's
# GitHub concurrency group instead would let it cancel a deploy waiting in that group (GitHub cancels
# the pending run of a group when another joins it). Tries every 30 s for 30 minutes, then gives up
# with the command's own status; any other failure is returned at once. The output goes to stdout.
set -uo pipefail
tries=${LOCK_TRIES:-60}
for try in $(seq 1 "$tries"); do
    out=$("$@" 2>&1)
    status=$?
    printf '%s\n' "$out"
    grep -q "Conflict: Another update is currently in progress" <<<"$out" || exit "$status"
    [ "$try" -lt "$tries" ] && { echo "on-stack-lock: the stack is busy; trying again in ${LOCK_WAIT:-30} s" >&2; sleep "${LOCK_WAIT:-30}"; }
done
exit "$status"
