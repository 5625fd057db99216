#!/usr/bin/env bash
# Sourced by test/e2e/tenants-up.sh once its stacks are up and api's canary releases are done:
# a platform stack lending two namespaces (web, api) and an app stack in each (docs/platform.md),
# through the real engine, the apps reading their platform's outputs by a StackReference on the file
# backend. Each serves through its own load balancer stand-in; a pod of one cannot connect to the
# other; a pod over its namespace's quota is refused; the platform's admission policy holds tenants'
# Ingresses to their hosts; destroying one app leaves the other serving with no failed request.
# shellcheck disable=SC2154 # second, policy and POD_CIDR are set by test/e2e.sh before it sources this

url_of() { (cd "$PROJECT" && pulumi stack output --stack "local-$1" url); }
web_url=$(url_of web)
api_url=$(url_of api)
version_of() { curl -fsS --max-time 5 "$1/" | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])'; }
# api's stable image since its canary's good release is the first image.
check "each serves through its own load balancer ($web_url, $api_url)" \
    test "$(version_of "$web_url") $(version_of "$api_url")" = "e2e-2 e2e-1" -a "$web_url" != "$api_url"

from_web() { kubectl_ exec -n web deploy/web -c web -- python -c "$connect_code" "$@"; }
api_pod=$(kubectl_ get pods -n api -l app.kubernetes.io/name=api -o jsonpath='{.items[0].status.podIP}')
seen=$(from_web "$(kubectl_ get service kube-dns -n kube-system -o jsonpath='{.spec.clusterIP}')" 53)
check "a pod of web reaches cluster DNS (the probe works: $seen)" test "$seen" = open
start_probe_pod "$second"
seen=$(from_web "$(probe_pod_ip)" 8080)
check "web's egress lets it reach port 8080 of a pod of no app's (the probe's: $seen)" test "$seen" = open
kubectl_ delete namespace e2e-probe --wait=false >/dev/null
seen=$(from_web "$api_pod" 8080)
check "yet a pod of web cannot connect to api's pod: api admits no other app ($seen)" grep -q '^closed' <<<"$seen"
seen=$(from_web "$(kubectl_ get service api -n api -o jsonpath='{.spec.clusterIP}')" 80)
check "nor to api's Service ($seen)" grep -q '^closed' <<<"$seen"

over_quota() { # a pod that would take web's requested CPU past its quota, otherwise admissible
    local restricted='"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}'
    kubectl_ run hog -n web --image="$second" --restart=Never \
        --overrides='{"spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"hog","image":"'"$second"'","resources":{"requests":{"cpu":"2","memory":"64Mi"},"limits":{"memory":"64Mi"}},'"$restricted"'}]}}' 2>&1
}
seen=$(over_quota || true)
check "a pod over web's quota is refused ($seen)" grep -q 'exceeded quota: tenant' <<<"$seen"

# shellcheck source=test/e2e/entrypolicy.sh
source test/e2e/entrypolicy.sh

load_start platform-web "$web_url" 20 120
check "pulumi destroy of the api stack" pulumi_run api-destroy destroy --stack local-api --yes --skip-preview
load_stop platform-web
check "web served throughout api's destroy: $LOAD_SUMMARY" load_counts platform-web 20
api_emptied() { # the namespace is the platform's: it stays, with nothing of the app left in it
    kubectl_ get namespace api >/dev/null && [ -z "$(kubectl_ get deployments,services,pods -n api -o name)" ]
}
check "api's namespace stays, the platform's, and holds nothing of the app" wait_until 60 api_emptied
tear_down() { # web, then the platform it runs on; then the three stacks
    pulumi_run web-destroy destroy --stack local-web --yes --skip-preview &&
        pulumi_run platform-destroy destroy --stack local-platform --yes --skip-preview &&
        for stack in local-api local-web local-platform; do pulumi_run "rm-$stack" stack rm "$stack" --yes || return 1; done
}
check "pulumi destroy of web, then of the platform, and stack rm of the three" tear_down
