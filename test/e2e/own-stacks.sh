#!/usr/bin/env bash
# Sourced by test/e2e.sh before the broken releases: four projects of their own, each on its own
# stack and objects, started in the background (they share no object and no timing with the checks
# that run meanwhile); own_stacks_checked (test/e2e/after-traffic.sh) waits for them.
# shellcheck disable=SC2154 # policy is set by test/e2e.sh before it sources this

# ---- a Service made before the AWS Load Balancer Controller, taken over by it ----
# test/e2e-migration runs in place, with the Workload's own options for its Service: annotated for
# the in-tree NLB, then for the controller. The real engine must replace it, deleting it first.
migration_run() { (cd test/e2e-migration && FLASK_EKS_LB_TYPE=$1 pulumi "${@:2}" --stack e2e-migration --yes 2>&1); }
replaced_on_takeover() {
    local before after out
    (cd test/e2e-migration && pulumi stack init e2e-migration --non-interactive) || return 1
    migration_run nlb up --skip-preview || return 1
    before=$(kubectl_ get service web -n default -o jsonpath='{.metadata.uid}')
    if ! out=$(migration_run external up --skip-preview); then
        echo "$out"
        return 1
    fi
    after=$(kubectl_ get service web -n default -o jsonpath='{.metadata.uid} {.metadata.annotations}')
    echo "$out"
    echo "uid before: $before; after: $after"
    grep -q "deleted original" <<<"$out" && grep -q "created replacement" <<<"$out" &&
        [ "${after%% *}" != "$before" ] && grep -q '"service.beta.kubernetes.io/aws-load-balancer-type":"external"' <<<"$after"
}
takeover() {
    check "a Service handed from the in-tree NLB to the Load Balancer Controller is replaced, deleted first, not updated" \
        replaced_on_takeover
    migration_run external destroy --skip-preview >/dev/null
    (cd test/e2e-migration && pulumi stack rm e2e-migration --yes >/dev/null)
}

# ---- resources moved under new components keep their state ----
# test/e2e-components runs in place: up as d323ee9 made the objects, then as the components hold
# them now. The real engine must match each object to its old state by its alias: the same objects
# (their uids), only the new components created, nothing replaced or deleted, then nothing to change.
components_run() { (cd test/e2e-components && FLASK_EKS_SHAPE=$1 pulumi "${@:2}" --stack e2e-components 2>&1); }
moved_uids() { kubectl_ get role/app-secret-readers rolebinding/app-secret-readers configmap/nested -n default -o jsonpath='{.items[*].metadata.uid}'; }
moved_keep_state() {
    local before after out
    (cd test/e2e-components && pulumi stack init e2e-components --non-interactive) || return 1
    components_run before up --yes --skip-preview || return 1
    before=$(moved_uids)
    out=$(components_run after up --yes --skip-preview) || { echo "$out"; return 1; }
    after=$(moved_uids)
    echo "$out"
    echo "uids before: $before; after: $after"
    [ -n "$before" ] && [ "$after" = "$before" ] && grep -q "3 created" <<<"$out" &&
        ! grep -Eq "deleted|replaced" <<<"$out" && components_run after preview --expect-no-changes >/dev/null
}
moved() {
    check "objects moved under new components keep their state: the same objects, only the components created" \
        moved_keep_state
    components_run after destroy --yes --skip-preview >/dev/null
    (cd test/e2e-components && pulumi stack rm e2e-components --yes >/dev/null)
}

# ---- a Helm release's records, as the drift job reads them ----
# test/e2e-drift runs in place: a Helm release in kube-system (the Cluster Autoscaler's stand-in) whose
# records are ConfigMaps, as the stack's cluster provider keeps them. As drift-viewer and view-only
# (test/e2e.sh).
drift_run() { (cd test/e2e-drift && pulumi "$@" --stack e2e-drift --yes 2>&1); }
records() { # records KIND: Helm's records of the release, as the admin lists them
    kubectl_ get "$1" -n kube-system -l owner=helm,name=drift-check -o name | sort | tr '\n' ' '
}
helm_read() { FLASK_EKS_IDENTITY="$1" drift_run refresh --expect-no-changes; }
# A stack from before, whose records are Secrets: a refresh that runs the program (so reads with the
# provider as configured now) finds no release where the provider looks and drops it; the next up
# installs it again, taking over its objects where they stand.
release_uid() { kubectl_ get configmap drift-check -n kube-system -o jsonpath='{.metadata.uid}'; }
taken_over() {
    local before
    FLASK_EKS_HELM_DRIVER=secret drift_run up --skip-preview || return 1
    before=$(release_uid)
    echo "records before: $(records secrets)"
    drift_run refresh --run-program || return 1
    drift_run up --skip-preview || return 1
    echo "object uid before: $before, after: $(release_uid); records after: $(records configmaps)"
    [ "$(release_uid)" = "$before" ] && [ "$(records configmaps)" = "configmap/sh.helm.release.v1.drift-check.v1 " ]
}
helm_records() {
    (cd test/e2e-drift && pulumi stack init e2e-drift --non-interactive >/dev/null)
    check "a Helm release installs, its record a ConfigMap ($(drift_run up --skip-preview >/dev/null; records configmaps))" \
        test "$(records configmaps)" = "configmap/sh.helm.release.v1.drift-check.v1 "
    check "no Secret holds its record" test "$(records secrets)" = ""
    check "the drift job's identity refreshes the Helm release without reading a Secret" helm_read drift-viewer
    check "so does the view ClusterRole alone: Helm's records are ConfigMaps" helm_read view-only
    check "the Helm release is destroyed" drift_run destroy --skip-preview
    check "a release whose records were Secrets is taken over after one refresh, its objects kept (docs/operations.md)" taken_over
    check "the taken-over release is destroyed" drift_run destroy --skip-preview
    kubectl_ delete secret -n kube-system -l owner=helm,name=drift-check >/dev/null
    (cd test/e2e-drift && pulumi stack rm e2e-drift --yes >/dev/null)
}

# ---- CrossGuard, for real ----
cp -r test/e2e-violation "$WORK/violation"
ln -s "$ROOT/node_modules" "$WORK/violation/node_modules"
violation() {
    local out
    out=$(cd "$WORK/violation" && pulumi stack init e2e --non-interactive >/dev/null &&
        pulumi preview --stack e2e "${policy[@]}" 2>&1) && { echo "$out"; return 1; }
    echo "$out"
    grep -q "k8s-load-balancer-source-ranges" <<<"$out" && grep -q "mandatory" <<<"$out"
}

crossguard() {
    check "CrossGuard refuses a public LoadBalancer without source ranges (k8s-load-balancer-source-ranges)" violation
}

beside takeover takeover
beside moved moved
beside crossguard crossguard
beside helm-records helm_records
own_stacks_checked() {
    beside_done takeover
    beside_done moved
    beside_done crossguard
    beside_done helm-records
}
