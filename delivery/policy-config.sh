#!/usr/bin/env bash
# delivery/policy-config.sh STACK: the policy pack's config for the stack, policy/STACK.json when there
# is one (prod's marks it production for the rules that ask), written as config=... to $GITHUB_OUTPUT;
# empty otherwise, and the pack runs with its defaults.
set -euo pipefail
config=""
if [ -f "policy/$1.json" ]; then config="policy/$1.json"; fi
echo "config=$config" >>"${GITHUB_OUTPUT:-/dev/stdout}"
