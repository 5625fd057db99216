#!/usr/bin/env bash
# delivery/stacks.sh: the stacks that deploy to AWS, as a JSON list read from the stack files
# (Pulumi.<stack>.yaml), so a new stack file is planned and previewed with no workflow edit. A stack
# whose target is local (under the project's name in Pulumi.yaml) deploys nothing to AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$(bash delivery/project.sh)
project=${project//./\\.} # a name's dots, matched as dots
aws=()
for file in Pulumi.*.yaml; do
    stack=${file#Pulumi.}
    stack=${stack%.yaml}
    # The names become job names and arguments: only what Pulumi allows in a stack's name.
    if ! [[ $stack =~ ^[A-Za-z0-9_.-]+$ ]]; then
        echo "stacks: $file: a stack name may hold letters, digits, _, . and - only" >&2
        exit 1
    fi
    grep -qE "^[[:space:]]*${project}:target:[[:space:]]*[\"']?local[\"']?[[:space:]]*$" "$file" || aws+=("$stack")
done
if [ ${#aws[@]} -eq 0 ]; then echo "[]"; else printf '%s\n' "${aws[@]}" | jq -Rnc '[inputs]'; fi
