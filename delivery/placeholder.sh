#!/usr/bin/env bash
# delivery/placeholder.sh STACK: whether Pulumi.STACK.yaml still holds a placeholder (REPLACE_WITH_...,
# such as prod's endpoint allowlist), which `pulumi up` refuses. Such a stack is not deployed yet, so
# the workflows skip it with a notice rather than deploy, preview or check it: prints the notice and
# writes skip=true to $GITHUB_OUTPUT, or writes skip=false.
set -euo pipefail
stack=$1
skip=false
if grep -q 'REPLACE_WITH_' "Pulumi.$stack.yaml"; then
    echo "::notice::Pulumi.$stack.yaml still holds a placeholder (REPLACE_WITH_...): $stack is not deployed, previewed or checked for drift until it is replaced."
    skip=true
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "skip=$skip" >>"$GITHUB_OUTPUT"; fi
