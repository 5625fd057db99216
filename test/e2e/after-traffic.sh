#!/usr/bin/env bash
# Sourced by test/e2e.sh where it stands, once the local stack is up and has served under load:
# refresh as the admin and as the drift job's identity, the drift job's step on the real CLI, a Helm
# release's records, and Pod Security refusing for real; meanwhile, in the background, the stacks of
# test/e2e/own-stacks.sh.
# shellcheck disable=SC2154 # policy and second are set by test/e2e.sh before it sources this

# shellcheck source=test/e2e/own-stacks.sh
source test/e2e/own-stacks.sh

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

# ---- a Helm release's records, as the drift job reads them ----
# test/e2e-drift runs in place: a Helm release in kube-system (the Cluster Autoscaler's stand-in) whose
# records are ConfigMaps, as the stack's cluster provider keeps them.
drift_run() { (cd test/e2e-drift && pulumi "$@" --stack e2e-drift --yes 2>&1); }
(cd test/e2e-drift && pulumi stack init e2e-drift --non-interactive >/dev/null)
records() { # records KIND: Helm's records of the release, as the admin lists them
    kubectl_ get "$1" -n kube-system -l owner=helm,name=drift-check -o name | sort | tr '\n' ' '
}
check "a Helm release installs, its record a ConfigMap ($(drift_run up --skip-preview >/dev/null; records configmaps))" \
    test "$(records configmaps)" = "configmap/sh.helm.release.v1.drift-check.v1 "
check "no Secret holds its record" test "$(records secrets)" = ""
helm_read() { FLASK_EKS_IDENTITY="$1" drift_run refresh --expect-no-changes; }
check "the drift job's identity refreshes the Helm release without reading a Secret" helm_read drift-viewer
check "so does the view ClusterRole alone: Helm's records are ConfigMaps" helm_read view-only
check "the Helm release is destroyed" drift_run destroy --skip-preview

# A stack from before, whose records are Secrets: a refresh that runs the program (so reads with the
# provider as configured now) finds no release where the provider looks and drops it; the next up
# installs it again, taking over its objects where they stand.
uid() { kubectl_ get configmap drift-check -n kube-system -o jsonpath='{.metadata.uid}'; }
taken_over() {
    local before
    FLASK_EKS_HELM_DRIVER=secret drift_run up --skip-preview || return 1
    before=$(uid)
    echo "records before: $(records secrets)"
    drift_run refresh --run-program || return 1
    drift_run up --skip-preview || return 1
    echo "object uid before: $before, after: $(uid); records after: $(records configmaps)"
    [ "$(uid)" = "$before" ] && [ "$(records configmaps)" = "configmap/sh.helm.release.v1.drift-check.v1 " ]
}
check "a release whose records were Secrets is taken over after one refresh, its objects kept (docs/operations.md)" taken_over
check "the taken-over release is destroyed" drift_run destroy --skip-preview
kubectl_ delete secret -n kube-system -l owner=helm,name=drift-check >/dev/null
(cd test/e2e-drift && pulumi stack rm e2e-drift --yes >/dev/null)

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
