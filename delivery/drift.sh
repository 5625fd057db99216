#!/usr/bin/env bash
# delivery/drift.sh STACK LOG: the drift check of one stack, as drift.yml runs it. Runs `pulumi refresh
# --preview-only --expect-no-changes` through on-stack-lock.sh (which waits out a busy stack), keeps its
# output in LOG, and names one outcome by the CLI's exit code (pkg/cmd/pulumi/cmd/exit_codes.go, since
# v3.226.0): clean (0); drift (7, changes where none were expected); busy (the last try still found
# the stack busy); failed (anything else: credentials, permissions, the program). The outcome goes to
# $GITHUB_OUTPUT as outcome=...; every outcome but clean fails the step. $PULUMI names the CLI.
set -uo pipefail
stack=$1 log=$2
bash "$(dirname "$0")/on-stack-lock.sh" "${PULUMI:-pulumi}" refresh --preview-only --expect-no-changes \
    --non-interactive --stack "$stack" >"$log" 2>&1
status=$?
cat "$log"
# What the last try printed: on-stack-lock.sh's notice of a busy stack separates the tries.
last_attempt() { awk '/^on-stack-lock: the stack is busy/ { out = ""; next } { out = out $0 "\n" } END { printf "%s", out }' "$log"; }
if [ "$status" = 0 ]; then
    outcome=clean
elif [ "$status" = 7 ]; then
    outcome=drift
elif last_attempt | grep -q "Conflict: Another update is currently in progress"; then
    outcome=busy
else
    outcome=failed
fi
echo "drift check of $stack: $outcome (pulumi exited $status)"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "outcome=$outcome" >>"$GITHUB_OUTPUT"; fi
[ "$outcome" = clean ]
