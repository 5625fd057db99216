#!/usr/bin/env bash
# The AWS stacks a change affects, as a JSON list (pull-request.yml previews each): the changed paths
# come on stdin, one a line (git diff --name-only). A stack file affects its own stack, when that
# stack deploys to AWS (the local stack's does not), and a platform stack's file the app stacks on it
# (their platformStack); a change to what the program is built from affects
# every AWS stack; documentation, tests, delivery, engine and tooling affect none. A stack whose file
# still holds a placeholder (delivery/placeholder.sh) is not deployed, so none affects it: its preview
# would wait for a reviewer only to be skipped. With DELIVERED_STACKS set (pull-request.yml passes the
# repository variable the bootstrap writes; empty before it has run), only the stacks it lists: the
# others have no preview environment or role yet.
set -euo pipefail
cd "$(dirname "$0")/.."
aws=()
all=$(bash delivery/stacks.sh | jq -r '.[]')
delivered=null
[ -z "${DELIVERED_STACKS+set}" ] || delivered=$(jq -ce 'if type == "array" then . else error("DELIVERED_STACKS: not a JSON list") end' <<<"${DELIVERED_STACKS:-[]}")
for stack in $all; do
    grep -q 'REPLACE_WITH_' "Pulumi.$stack.yaml" && continue
    jq -e --arg s "$stack" '. == null or index($s) != null' <<<"$delivered" >/dev/null && aws+=("$stack")
done
# What never changes what a stack deploys.
inert='^([^/]*\.md|docs/.*|\.github/.*|\.ci/.*|bench/.*|bootstrap/.*|delivery/.*|engine/.*|offline/.*|plan/.*|scripts/.*|test/.*|app/(.*/)?tests/.*|app/pytest\.ini|\.gitignore|\.prettier.*|Pulumi\.[^/]+\.yaml)$'
affected=()
while IFS= read -r path || [ -n "$path" ]; do # the last line may lack its newline
    [ -n "$path" ] || continue
    if [[ $path =~ ^Pulumi\.([^/]+)\.yaml$ ]]; then
        for stack in "${aws[@]}"; do [ "$stack" = "${BASH_REMATCH[1]}" ] && affected+=("$stack"); done
    elif ! [[ $path =~ $inert ]]; then
        affected=("${aws[@]+"${aws[@]}"}")
        break
    fi
done
# A platform's change is previewed on every app stack that runs on it, too.
project=$(bash delivery/project.sh)
project=${project//./\\.}
for platform in "${affected[@]+"${affected[@]}"}"; do
    for stack in "${aws[@]+"${aws[@]}"}"; do
        grep -qE "^[[:space:]]*${project}:platformStack:[[:space:]]*[\"']?${platform}[\"']?[[:space:]]*$" "Pulumi.$stack.yaml" &&
            affected+=("$stack")
    done
done
if [ ${#affected[@]} -eq 0 ]; then echo "[]"; else printf '%s\n' "${affected[@]}" | sort -u | jq -Rnc '[inputs]'; fi
