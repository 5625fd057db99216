#!/usr/bin/env bash
# Sourced by test/e2e/tenants-up.sh: canaries, run in the background once the platform's two apps are
# up. The api app stack turns its canary on (Argo Rollouts over its Deployment, judged by the
# cluster's Prometheus), then three releases under a steady load through its load balancer stand-in:
# a good one, through every step; then one that answers 500 on /, then one slow, each rolled back by
# the controller with the up failing; then refreshes of the platform's stack and of api's as the drift
# job's identity. Its pods are small: the local stack's run on the node too.
# shellcheck disable=SC2154 # policy, first and second are test/e2e.sh's; RATE, LOAD_LIMIT, WARM_UP traffic.sh's
CANARY_STACK=local-api
# The first step's 10% is then 1 canary pod and 11 stable (8.3%): of the counts that keep the 12
# replicas or one more, the nearest to 10% (argo-rollouts utils/replicaset/canary.go). Below the 10% the
# issue allows even while the canary serves the whole window (10 replicas would be exactly 10%).
STABLE_PODS=12
STEPS=(10 50)  # percent of the pods at each step
BAKE=20        # seconds a step: the least the config allows

rollout_status() { kubectl_ get rollout api -n api -o jsonpath="{.status.$1}"; }
output_of() { (cd "$PROJECT" && pulumi stack output --stack "$CANARY_STACK" "$1"); }
up_canary() { pulumi_run "$1" up --stack "$CANARY_STACK" --yes --skip-preview "${policy[@]}"; } # up_canary NAME
canary_fails() { ! up_canary "$1"; }
config_canary() { pulumi_run "$1" config set --stack "$CANARY_STACK" "${@:2}"; } # config_canary NAME ARGS...
# canary_settled IMAGE: the Rollout Healthy, STABLE_PODS ready pods of IMAGE, and the Deployment at 0
canary_settled() {
    [ "$(rollout_status phase)" = Healthy ] &&
        [ "$(kubectl_ get deployment api -n api -o jsonpath='{.spec.replicas}')" = 0 ] &&
        only_pods "$STABLE_PODS" "$1"
}

canary_on() { # canary_on IMAGE: the stack, serving IMAGE, takes the canary on
    local settings=(canary=true "canaryBakeSeconds=$BAKE" "workloadMinReplicas=$STABLE_PODS"
        "workloadMaxReplicas=$((STABLE_PODS + 1))" workloadCpuRequest=20m workloadMemoryRequest=64Mi) flags=() i
    for i in "${!STEPS[@]}"; do settings+=("canarySteps[$i]=${STEPS[$i]}"); done
    for i in "${settings[@]}"; do flags+=(--plaintext "$i"); done
    pulumi_run canary-config config set-all --stack "$CANARY_STACK" --path "${flags[@]}"
    check "pulumi up turns api's canary on: an Argo Rollout takes the Deployment's pod template (workloadRef)" up_canary canary-on
    check "the Rollout is Healthy on $STABLE_PODS ready pods of the stable image, the Deployment scaled to 0" \
        wait_until 90 canary_settled "$1"
}

# since_abort: seconds from the controller's abort of the release (the Rollout's condition) to now
since_abort() {
    seconds_since "$(kubectl_ get rollout api -n api -o jsonpath='{.status.conditions[?(@.reason=="RolloutAborted")].lastTransitionTime}')"
}

# rolled_back FAULT METRIC STABLE: under load, a release with FAULT (test/e2e/faulty) fails its
# analysis on METRIC; the controller aborts it and the stable pods (STABLE) take all traffic back
rolled_back() {
    local fault=$1 metric=$2 stable=$3 started share lag
    load_start "canary-$fault" "$canary_url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    config_canary "canary-$fault-config" imageRef "$(<"$WORK/faulty-$fault")"
    started=$SECONDS
    check "an up to a release that answers $fault on / fails: its canary was rolled back" canary_fails "canary-$fault"
    lag=$(since_abort) || lag=""
    # Its verdict reads the AnalysisRun and fails the up at once (components/app/canary.ts, RolledBack).
    check "the up failed ${lag:-?} s after the controller aborted the release (at most 15 s)" \
        at_most "$lag" 15
    check "its error names the analysis and what it measured, in $((SECONDS - started)) s: $(grep -o "$metric Failed: [^;)]*" "$WORK/canary-$fault.log" | head -1)" \
        grep -q "rolled back.*$metric Failed: measured" "$WORK/canary-$fault.log"
    # Gone, not only unready: a moment after a pod stops being ready the node may still route to it.
    check "the stable pods take all traffic back: $STABLE_PODS ready pods of the stable image, none of the release" \
        wait_until 30 only_pods "$STABLE_PODS" "$stable"
    load_stop "canary-$fault"
    share=$(awk -v f="$LOAD_FAILED" -v s="$LOAD_SENT" 'BEGIN {printf "%.1f", 100 * f / s}')
    check "of the release window's requests, fewer than 10% failed: $share% ($LOAD_SUMMARY)" \
        awk -v f="$LOAD_FAILED" -v s="$LOAD_SENT" 'BEGIN {exit !(s > 0 && f * 10 < s)}'
    load_start "canary-$fault-after" "$canary_url" "$RATE" "$LOAD_LIMIT"
    sleep 3
    load_stop "canary-$fault-after"
    check "after it, every request succeeds on the stable image: $LOAD_SUMMARY" load_counts "canary-$fault-after" "$RATE"
    check "the stack's recorded image is still the stable one" test "$(output_of imageRef)" = "$stable"
}

# release_only IMAGE OLD: STABLE_PODS ready pods of IMAGE, and none of OLD ready (some may be leaving)
release_only() { ready_with_is "$STABLE_PODS" "$1" && ready_with_is 0 "$2"; }

# passes IMAGE STABLE: under load, a good release goes through every step, and its up succeeds
passes() {
    local steps=$((2 * ${#STEPS[@]})) # a share and a pause each
    load_start canary-good "$canary_url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    config_canary canary-good-config imageRef "$1"
    check "an up to a good release succeeds" up_canary canary-good
    check "after every step: step $(rollout_status currentStepIndex) of $steps, $(rollout_status phase)" \
        test "$(rollout_status currentStepIndex) $(rollout_status phase)" = "$steps Healthy"
    check "the release is on $STABLE_PODS ready pods, none of the old image ready" wait_until 30 release_only "$1" "$2"
    load_stop canary-good
    check "the good release under $RATE requests/s, for $LOAD_SECONDS s: $LOAD_SUMMARY" load_counts canary-good "$RATE"
    check "the stack's recorded image is the release's" test "$(output_of imageRef)" = "$1"
}

canaries() {
    # The checks of the app's pods (test/e2e/lib.sh) look at api's, in this background shell.
    # shellcheck disable=SC2034 # read by app_pods
    APP_NAMESPACE=api APP_NAME=api
    canary_url=$(output_of url)
    canary_on "$second"
    # The good release first: it is judged on its latency, so it runs before the local stack's HPA
    # check keeps the node's two cores busy on purpose (test/e2e.sh runs that one last).
    passes "$first" "$second"
    # Then each bad release straight after the other, as a team fixing forward deploys: the
    # controller starts each canary from the stable pods, whatever the one before left.
    rolled_back 500s error-ratio "$first"
    rolled_back slow p99-latency "$first"
    drift_reads
}

# The drift job's refreshes of the platform's stack and of api's read what the view policy does not
# (components/platform/refresherreads.ts): the admission policies, and api's Rollout, AnalysisTemplate
# and AnalysisRuns. As its identity they read every object; as view alone each fails on those.
drift_refresh() { FLASK_EKS_IDENTITY=$2 pulumi_run "refresh-$1-$2" refresh --stack "$1" --preview-only; } # STACK USER
drift_refused() { # drift_refused STACK KINDS GROUPS: as view alone, the refresh of STACK fails on one of KINDS (regexes)
    ! drift_refresh "$1" view-only >/dev/null &&
        grep -Eq "User \"view-only\" cannot get resource \"($2)\" in API group \"($3)\"" "$WORK/refresh-$1-view-only.log"
}
drift_reads() {
    check "a refresh of the platform's stack as the drift job's identity (view, refreshers) reads every object" \
        drift_refresh local-platform drift-viewer
    check "so does one of api's, its canary's objects included" drift_refresh "$CANARY_STACK" drift-viewer
    check "with the view ClusterRole alone, the platform's refresh fails on its admission policies or RBAC objects" \
        drift_refused local-platform "validatingadmissionpolicies|validatingadmissionpolicybindings|clusterroles|clusterrolebindings" \
        "admissionregistration.k8s.io|rbac.authorization.k8s.io"
    check "and api's on its canary's objects" \
        drift_refused "$CANARY_STACK" "rollouts|analysistemplates|analysisruns" argoproj.io
}
