#!/usr/bin/env bash
# The test command (npm test): installs what it needs, then type-checks, checks formatting and runs
# every test that needs no cloud account and no Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== typescript: tsc (strict, type-checked)"
npx tsc -p . --noCheck false
echo "== formatting: prettier"
npx prettier --check --log-level warn "**/*.ts"
# Three runs start beside the program's tests, their output kept for after them: the fork test, the
# longest (it runs a copy of the suite), which would otherwise start halfway through and end last;
# the quick start's, which installs a clone of its own and mostly waits on npm and pip; and the
# app's tests, which mostly wait on the server's deadlines.
# Each in a process group of its own (set -m), which a failure stops whole, the copy's runs included.
scratch=$(mktemp -d)
beside=()
stop_beside() {
    local pid
    for pid in "${beside[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
    rm -rf "$scratch"
}
trap stop_beside EXIT
set -m
node --require ./scripts/transpile.js --test test/repo/fork.test.ts >"$scratch/0" 2>&1 &
beside+=($!)
node --require ./scripts/transpile.js --test test/repo/quickstart.test.ts >"$scratch/1" 2>&1 &
beside+=($!)
.venv/bin/python -m pytest -q app >"$scratch/2" 2>&1 &
beside+=($!)
set +m
echo "== program: node:test, two processes (scripts/run-tests.js)"
# Every test file under test/, in its subfolders too (test/repo/helpers.ts finds the same), but the
# two started above, and none in the end-to-end test's folders, the mutation results or snapshots.
mapfile -t tests < <(find test -name '*.test.ts' -not -path 'test/e2e*' -not -path 'test/mutation/*' \
    -not -path 'test/snapshots/*' -not -path test/repo/fork.test.ts -not -path test/repo/quickstart.test.ts | sort)
node scripts/run-tests.js "${tests[@]}"
# The runs beside, in the order they started: each one's output, and its status.
titles=("program: node --test test/repo/fork.test.ts" "program: node --test test/repo/quickstart.test.ts" "app: pytest")
for i in "${!beside[@]}"; do
    echo "== ${titles[$i]}"
    status=0
    wait "${beside[$i]}" || status=$?
    cat "$scratch/$i"
    [ "$status" = 0 ]
done
echo "== app: hadolint"
.venv/bin/hadolint app/Dockerfile && echo "hadolint: clean"
echo "== scripts: shellcheck"
git ls-files -z '*.sh' | xargs -0 shellcheck -x && echo "shellcheck: clean"
echo "== bootstrap: parliament (IAM policies)"
policies=$scratch/policies
mkdir "$policies"
node --require ./scripts/transpile.js scripts/iam-policies.ts "$policies"
# A permissions boundary is a ceiling, not a grant: its Resource "*" is the point (the policies under
# it name the resources, and its Deny keeps them off another stack's), which parliament reports at
# LOW. Every other finding of every policy fails. One parliament run for each severity: a run per
# policy took 16 s, most of it Python starting. A finding exits 1 and a crash too; either, or any
# output (setuptools' deprecation notice for parliament aside), fails, and is shown.
parliament_clean() { # parliament_clean SEVERITY FILE...
    local findings status=0
    findings=$(.venv/bin/parliament --minimum_severity "$1" --files "$(IFS=,; echo "${*:2}")" 2>&1) || status=$?
    findings=$(sed '/pkg_resources/d' <<<"$findings")
    if [ "$status" != 0 ] || [ -n "$findings" ]; then echo "parliament (exit $status): $findings"; return 1; fi
}
boundaries=("$policies"/Policy-boundary-*.json)
grants=()
for policy in "$policies"/*.json; do
    case $policy in */Policy-boundary-*) ;; *) grants+=("$policy") ;; esac
done
parliament_clean MEDIUM "${boundaries[@]}"
parliament_clean LOW "${grants[@]}"
count=$((${#boundaries[@]} + ${#grants[@]}))
echo "parliament: $count policies clean"
echo "== workflows: actionlint"
.tools/bin/actionlint && echo "actionlint: clean"
echo "== workflows: zizmor"
.venv/bin/zizmor --offline --quiet .github/ && echo "zizmor: clean"
