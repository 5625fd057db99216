#!/usr/bin/env bash
# Sourced by test/e2e.sh move (npm run test:move) once the local stack serves: the environment's one
# stack becomes its platform stack, and its workload an app stack on it, as docs/operations.md
# ("From one stack to a platform and its apps") does it on EKS, under a steady load: no object of the
# app is replaced and no request fails.
# shellcheck disable=SC2154 # url and policy are set by test/e2e.sh before it sources this

# URNs name the project and the component types (flask-eks:index:…), which a fork's rename keeps.
project_name=$(sed -n 's/^name: *//p' Pulumi.yaml)
urn_of() { echo "urn:pulumi:$1::$project_name::$2"; }
app_pods_now() { kubectl_ get pods -n flask-app -o jsonpath='{.items[*].metadata.name}'; }
pods_before=$(app_pods_now)
load_start move "$url" 20 300

app_stack() { # local-web: the one stack's config (its secrets too), as an app on the platform local
    pulumi_run init-web stack init local-web --non-interactive &&
        pulumi_run copy-config config cp --stack local --dest local-web &&
        pulumi_run web-layer config set --stack local-web layer app &&
        pulumi_run web-platform config set --stack local-web platformStack local
}
check "an app stack, local-web, with the one stack's config" app_stack
check "pulumi state move carries the workload and its image to it, the namespace with them" \
    pulumi_run move state move --source local --dest local-web --yes \
    "$(urn_of local flask-eks:index:Workload::app)" "$(urn_of local flask-eks:index:LocalImage::image)"

platform_stack() { # local becomes the platform: a tenant web that keeps the namespace flask-app
    local key value
    pulumi_run local-layer config set --stack local layer platform || return 1
    for key in cpu:2000m memory:2Gi pods:8 namespace:flask-app; do
        value=${key#*:}
        pulumi_run "tenant-${key%%:*}" config set --stack local --path "tenants.web.${key%%:*}" "$value" || return 1
    done
}
check "the one stack becomes the platform, lending web the namespace it has" platform_stack
adopt() { # the provider takes over the namespace that exists, this once, rather than refusing it
    (
        export PULUMI_K8S_UPSERT_EXISTING_OBJECTS=true
        pulumi_run platform-up up --stack local --yes --skip-preview "${policy[@]}"
    )
}
check "the platform's up takes the namespace over as web's tenant and adds its quota and limits" adopt
namespace_urn=$(urn_of local-web "flask-eks:index:Workload\$kubernetes:core/v1:Namespace::ns")
check "the app stack's first up leaves the namespace, now the platform's, out" \
    pulumi_run web-up up --stack local-web --yes --skip-preview --exclude "$namespace_urn" "${policy[@]}"
check "then its state forgets the namespace (nothing of it depends on it any more)" \
    pulumi_run forget state delete --stack local-web "$namespace_urn" --yes
check "and a second up of the app changes nothing" \
    pulumi_run web-again up --stack local-web --yes --expect-no-changes "${policy[@]}"
only_upsert_off() { # the platform's next up changes only its provider, whose upsert setting goes with the variable
    pulumi_run platform-again up --stack local --yes --skip-preview "${policy[@]}" &&
        grep -q 'pulumi:providers:kubernetes k8s updated .*\[diff: -upsertExistingObjects\]' "$WORK/platform-again.log" &&
        grep -qE '^ *~ 1 updated$' "$WORK/platform-again.log" &&
        ! grep -qE '^ *[-+]+ [0-9]+ (created|deleted|replaced)' "$WORK/platform-again.log"
}
check "the platform's next up only turns the provider's upsert off again" only_upsert_off
check "after which an up of the platform changes nothing" \
    pulumi_run platform-last up --stack local --yes --expect-no-changes "${policy[@]}"
load_stop move
check "the app served throughout the move: $LOAD_SUMMARY" load_counts move 20
check "its pods are the ones from before the move: nothing of the app was replaced ($pods_before)" \
    test "$(app_pods_now)" = "$pods_before"
tenant_of() { kubectl_ get namespace flask-app -o jsonpath="{.metadata.labels['flask-eks/entry']} {.metadata.labels.pod-security\.kubernetes\.io/enforce}"; }
check "the namespace is web's tenant ($(tenant_of)), under its quota" \
    test "$(tenant_of) $(kubectl_ get resourcequota tenant -n flask-app -o jsonpath='{.spec.hard.pods}')" = "own restricted 8"

tear_down() { # the app, then its platform; then both stacks
    pulumi_run web-destroy destroy --stack local-web --yes --skip-preview &&
        pulumi_run platform-destroy destroy --stack local --yes --skip-preview &&
        pulumi_run rm-web stack rm local-web --yes && pulumi_run rm-local stack rm local --yes
}
check "pulumi destroy of the app, then of the platform, and stack rm of both" tear_down
