#!/usr/bin/env bash
# Sourced by test/e2e.sh where it stands, while the cluster starts (none of it needs the cluster):
# the load checks shown to fail on made-up results, the tools checked to be the pinned ones, and the
# CLI's own validation of the project, every stack file and the EKS program.
# shellcheck disable=SC2034 # the LOAD_ figures are read by test/e2e/load.sh

# ---- the load checks fail when they should: shown on made-up vegeta results, before any cluster ----
made_up_load() { # made_up_load NAME SECONDS-AGO:CODE:POD...: a load's report from results as given
    local result
    for result in "${@:2}"; do
        IFS=: read -r ago code pod <<<"$result"
        python3 -c 'import base64, json, sys, time
ago, code, pod = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - ago)) + ".000000001Z"
body = base64.b64encode(json.dumps({"pod": pod}).encode()).decode()
print(json.dumps({"code": code, "timestamp": stamp, "latency": 1000000, "body": body if code == 200 else None, "error": ""}))' "$ago" "$code" "$pod"
    done | python3 test/e2e/load_report.py >"$WORK/load-$1.json"
}
self_check() {
    local now
    LOAD_SECONDS=10.0 LOAD_SENT=0 LOAD_FAILED=0
    load_counts nothing 20 && { echo "a load that sent nothing passed"; return 1; }
    LOAD_SENT=200
    load_counts enough 20 || { echo "a load of 200 in 10 s at 20/s failed"; return 1; }
    made_up_load asked 5:200:web-a 5:200:web-a 4:200:web-b
    ASKED=2 served_each asked web-a || { echo "a pod asked twice failed ASKED=2"; return 1; }
    ASKED=2 served_each asked web-b && { echo "a pod asked once passed ASKED=2"; return 1; }
    ASKED=1 served_each asked web-c && { echo "a pod never asked passed"; return 1; }
    made_up_load killed 30:0:- 5:0:- 5:200:web-a
    [ "$(load_failed_between killed "$(($(date +%s) - 10))" "$(date +%s)")" = 1 ] ||
        { echo "a failure 30 s before the window was not counted outside it"; return 1; }
    made_up_load window 20:0:- 5.5:0:- 5:200:web-a
    now=$(date +%s.%N)
    [ "$(failed_outside_window window "$(awk -v t="$now" 'BEGIN {printf "%.3f", t - 6}')" "$now")" = 1 ] ||
        { echo "failures 5.5 s and 20 s ago, for a kill 6 s ago: not exactly the older one outside"; return 1; }
    kill_losses_within 30 1.0 3 && { echo "30 failures for a 1 s window over 3 pods passed"; return 1; }
    kill_losses_within 8 1.0 3 || { echo "8 failures for a 1 s window over 3 pods failed"; return 1; }
    echo "a load that sent nothing, a pod asked too few times or never, a failure outside a kill's window, too many failures for it: each refused"
}
check "the load checks refuse what they must (made-up results)" self_check

# ---- the background runner counts what it runs: a passing and a failing check, a stopped command ----
# Run where a failing command stops the shell (inside check it would not: bash ignores set -e there).
# shellcheck disable=SC2317 # the probes are run by beside
beside_counts() ( # in a subshell of its own: the counts it moves are the probe's, not the test's
    passed=0 failed=0
    two_checks() { check "a probe that passes" true; check "a probe that fails" false; }
    stops() { false; check "never reached" true; }
    beside probe-checks two_checks
    beside probe-stops stops
    beside_done probe-checks 2>/dev/null
    beside_done probe-stops 2>/dev/null
    echo "passed $passed, failed $failed"
)
counted=$(beside_counts)
check "a background command's checks count as any other's, and one that stops before its end fails ($counted)" \
    test "$counted" = "passed 1, failed 2"

# ---- the tools are the pinned ones ----
kubectl_version() { kubectl version --client -o json | python3 -c 'import json, sys; print(json.load(sys.stdin)["clientVersion"]["gitVersion"])'; }
check "kubectl is the one built from k8s.io/kubernetes $KUBERNETES_VERSION ($(kubectl_version))" \
    test "$(kubectl_version)" = "$KUBERNETES_VERSION"
installed_provider() { # the only Kubernetes provider the CLI can load: this build, at package.json's version
    local versions
    versions=$(pulumi plugin ls --json | python3 -c 'import json, sys; [print(p["version"]) for p in json.load(sys.stdin) if p["name"] == "kubernetes"]')
    echo "installed: $versions"
    [ "$versions" = "$PROVIDER_VERSION" ] &&
        cmp "$PULUMI_HOME/plugins/resource-kubernetes-v$PROVIDER_VERSION/pulumi-resource-kubernetes" "$BIN/pulumi-resource-kubernetes"
}
check "the CLI loads one Kubernetes provider, the one built here: $KUBERNETES_PROVIDER_CODE's code, stamped v$PROVIDER_VERSION (engine/versions.env says why)" installed_provider

# ---- the CLI's own validation of the project and every stack file ----
mkdir -p "$WORK/config-check"
cp Pulumi.yaml Pulumi.*.yaml "$WORK/config-check/"
# The checks of the committed files get a backend of their own: the project copy makes the same stacks.
config_backend=file://$WORK/config-state
mkdir -p "$WORK/config-state"
# config_verdict STACK: "accepted" when the CLI gets past the stack's config to the language host
# (which stops: the copy has no node_modules), "refused" when it stops at the config; anything else
# (a crash) is printed as it is.
config_verdict() (
    cd "$WORK/config-check" || exit
    export PULUMI_BACKEND_URL=$config_backend
    pulumi stack select --create "$1" --non-interactive || exit
    local out
    out=$(pulumi preview --stack "$1" 2>&1) && { echo "preview passed with no program: $out"; exit; }
    if grep -q "validating stack config" <<<"$out"; then echo refused
    elif grep -q "It looks like the Pulumi SDK has not been installed" <<<"$out"; then echo accepted
    else echo "$out"; fi
)
for file in Pulumi.*.yaml; do
    stack=${file#Pulumi.}
    stack=${stack%.yaml}
    check "the CLI validates Pulumi.$stack.yaml against Pulumi.yaml's declarations" \
        test "$(config_verdict "$stack")" = accepted
done
sed -i 's/^  flask-eks:azCount: .*/  flask-eks:azCount: three/' "$WORK/config-check/Pulumi.dev.yaml"
check "the CLI refuses a value of the wrong type (azCount: three)" test "$(config_verdict dev)" = refused

# The EKS program, through the real language host: it loads, its config passes, and it stops at the
# first AWS resource, the provider, whose plugin cannot be had here.
cp -r "${PROGRAM[@]}" "$WORK/config-check/"
ln -s "$ROOT/node_modules" "$WORK/config-check/node_modules"
eks_program() {
    local out
    out=$(cd "$WORK/config-check" && cp "$ROOT/Pulumi.dev.yaml" . &&
        PULUMI_BACKEND_URL=$config_backend pulumi preview --stack dev 2>&1) && { echo "$out"; return 1; }
    echo "$out"
    grep -q "no resource plugin 'pulumi-resource-aws'" <<<"$out" && [ "$(grep -c "error:" <<<"$out")" -le 2 ]
}
check "the real engine runs the EKS program up to its first AWS resource (no AWS plugin here)" eks_program
