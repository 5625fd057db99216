#!/usr/bin/env bash
# Sourced by test/e2e.sh: tenants brings up a platform stack lending two namespaces (web, api) and an
# app stack in each, with their checks; runs api's canary releases (test/e2e/canary.sh: api's quota
# holds its 12 pods, a canary and a surge pod); then checks and destroys them (test/e2e/platform.sh). test/e2e.sh runs
# it in the background, beside the local stack's traffic checks.
# shellcheck disable=SC2154 # second, policy and POD_CIDR are set by test/e2e.sh before it sources this

# shellcheck source=test/e2e/canary.sh
source test/e2e/canary.sh

project_name=$(sed -n 's/^name: *//p' Pulumi.yaml)
tenant_apps=(web api)

quota_of() { kubectl_ get resourcequota tenant -n "$1" -o jsonpath='{.spec.hard.requests\.cpu} {.spec.hard.pods}'; }

apps_up() { # both app stacks at once, as two teams' deploys would run
    local pids=() pid status=0 app
    for app in "${tenant_apps[@]}"; do
        pulumi_run "up-$app" up --stack "local-$app" --yes --skip-preview "${policy[@]}" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || status=1; done
    return "$status"
}

tenants_up() { # the stacks made, the platform up, then both apps at once
    new_stack local-platform "  $project_name:target: local
  $project_name:layer: platform
  $project_name:canary: true
  $project_name:tenants:
    web: { cpu: \"1\", memory: 1Gi, pods: 4 }
    api: { cpu: \"1\", memory: 2Gi, pods: 16 }
"
    # web may open connections to port 8080 anywhere in the pod network (api's port): what keeps it out
    # of api is then api's own ingress policy.
    declare -A egress=([web]="[\"$POD_CIDR:8080/tcp\"]" [api]="[]")
    # api's canary is off until test/e2e/canary.sh turns it on, as a team would on a running app; web's is
    # the default, on from its first up.
    declare -A canary=([web]="" [api]="
  $project_name:canary: false")
    for app in "${tenant_apps[@]}"; do
        # One pod each, at most three and a surge pod: the quota's four. The image built above, by digest.
        new_stack "local-$app" "  $project_name:target: local
  $project_name:appEgress: ${egress[$app]}${canary[$app]}
  $project_name:layer: app
  $project_name:platformStack: local-platform
  $project_name:appName: $app
  $project_name:imageRef: \"$second\"
  $project_name:workloadMinReplicas: 1
  $project_name:workloadMaxReplicas: 3
  $project_name:lbSourceRanges: [\"127.0.0.0/8\"]
"
    done

    check "the platform stack's up lends web and api a namespace each (with the policy pack)" \
        pulumi_run platform-up up --stack local-platform --yes --skip-preview "${policy[@]}"
    check "each namespace has its quota ($(quota_of web)) and limit range, restricted Pod Security" \
        test "$(quota_of web) $(kubectl_ get limitrange tenant -n web -o name) $(kubectl_ get namespace web -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')" = "1 4 limitrange/tenant restricted"
    check "two app stacks up at once, each in the namespace its platform's output names" apps_up
}

tenants() {
    tenants_up
    canaries
    # shellcheck source=test/e2e/platform.sh
    source test/e2e/platform.sh
}
