#!/usr/bin/env bash
# Sourced by test/e2e/after-traffic.sh: three projects of their own, each on its own stack and
# objects, started in the background (they share no object and no timing with the checks that run
# meanwhile); own_stacks_checked waits for them.
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
own_stacks_checked() {
    beside_done takeover
    beside_done moved
    beside_done crossguard
}
