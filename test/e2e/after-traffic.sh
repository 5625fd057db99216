#!/usr/bin/env bash
# Sourced by test/e2e.sh where it stands, once the local stack is up and has served under load:
# refresh as the admin and as the drift job's identity, the drift job's step on the real CLI, and Pod
# Security refusing for real; then it waits for the stacks of test/e2e/own-stacks.sh, in the
# background since the broken releases.
# shellcheck disable=SC2154 # policy and second are set by test/e2e.sh before it sources this

# ---- refresh: as the admin, and as the drift job's identity ----
check "pulumi refresh finds no drift with the HPA in place" pulumi_run refresh refresh --stack local --yes --expect-no-changes
# As drift-viewer and view-only (test/e2e.sh): the refreshers' group may get the app's Secret by name
# (components/app/secretreaders.ts); view alone reads no Secret.
view_refresh() { FLASK_EKS_IDENTITY=drift-viewer pulumi_run view-refresh refresh --stack local --yes --expect-no-changes; }
check "a refresh as the drift job's identity (view, refreshers) finds no drift in the app's stack, its Secret included" view_refresh
secret_refused() { # view alone: the app's Secret is the one object it cannot read
    local out
    out=$(FLASK_EKS_IDENTITY=view-only pulumi_run view-only-refresh refresh --stack local --yes) && { echo "$out"; return 1; }
    echo "$out"
    grep -q 'secrets "web-env-[a-z0-9]*" is forbidden: User "view-only" cannot get resource "secrets"' <<<"$out"
}
check "with the view ClusterRole alone the same refresh fails on the app's Secret" secret_refused
can_i() { kubectl_ auth can-i "$@" --as drift-viewer --as-group flask-eks:refreshers 2>/dev/null || true; }
reach=$(printf '%s ' "list secrets -n kube-system: $(can_i list secrets -n kube-system);" \
    "get a kube-system Secret: $(can_i get secret/anything -n kube-system);" \
    "list the app's Secrets: $(can_i list secrets -n flask-app)")
check "the drift job's identity reads no other Secret ($reach)" \
    test "$reach" = "list secrets -n kube-system: no; get a kube-system Secret: no; list the app's Secrets: no "
bash engine/cluster.sh user nobody
nobody_refused() { # so the refresh above ran as its caller's identity, not one the state recorded
    local out
    out=$(FLASK_EKS_IDENTITY=nobody pulumi_run nobody-refresh refresh --stack local --yes) && { echo "$out"; return 1; }
    echo "$out"
    grep -q 'User "nobody" cannot' <<<"$out"
}
check "the same refresh as an identity with no rights is refused (the refresh runs as its caller)" nobody_refused

# ---- the drift job's step (delivery/drift.sh) on the real CLI: clean, drift, and a failed check ----
drift_outcome() { # drift_outcome IDENTITY: the outcome delivery/drift.sh names for the local stack
    local output=$WORK/drift-$1.out
    : >"$output"
    (cd "$PROJECT" && FLASK_EKS_IDENTITY=$1 GITHUB_OUTPUT=$output bash "$ROOT/delivery/drift.sh" local "$WORK/drift-$1.log") >/dev/null 2>&1 || true
    sed -n 's/^outcome=//p' "$output"
}
seen=$(drift_outcome drift-viewer)
check "as the drift job's identity, with nothing changed: $seen" test "$seen" = clean
kubectl_ delete networkpolicy default-deny -n flask-app >/dev/null
seen=$(drift_outcome drift-viewer)
check "a NetworkPolicy deleted behind Pulumi's back: $seen (the CLI's exit 7)" test "$seen" = drift
seen=$(drift_outcome nobody)
check "as an identity with no rights: $seen, not drift" test "$seen" = failed
# The deploy's up refreshes first (pulumi-up.yml): an up from the state alone would see no change.
repaired() {
    pulumi_run drift-repair up --stack local --yes --skip-preview --refresh --run-program || return 1
    kubectl_ get networkpolicy default-deny -n flask-app -o name
}
check "an up that refreshes first, as the deploy's does, puts the deleted NetworkPolicy back" repaired
seen=$(drift_outcome drift-viewer)
check "as the drift job's identity after the repair: $seen" test "$seen" = clean

# ---- Pod Security, for real ----
privileged() {
    local out
    out=$(kubectl_ run root-pod -n flask-app --image="$second" --restart=Never \
        --overrides='{"spec":{"containers":[{"name":"root-pod","image":"'"$second"'","securityContext":{"privileged":true}}]}}' 2>&1) && { echo "$out"; return 1; }
    echo "$out"
    grep -q 'violates PodSecurity "restricted' <<<"$out"
}
check "the API server's admission refuses a privileged pod in the app's namespace" privileged

own_stacks_checked
