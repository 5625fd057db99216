#!/usr/bin/env bash
# Sourced by test/e2e/platform.sh once its platform is up: the platform's admission policies over
# tenants' Ingresses and Services (components/platform/tenantingress.ts), the same objects as on EKS,
# on the real API server. A server-side dry run goes through admission as a write would.

probe_ingress() { # probe_ingress NAMESPACE HOST [CHANGES]: an Ingress of the shared class for HOST, CHANGES (JSON, null removes) merged in
    python3 - "$1" "$2" "${3:-"{}"}" <<'PY'
import json, sys
namespace, host, changes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
backend = {"service": {"name": "web", "port": {"name": "http"}}}
ingress = {
    "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
    "metadata": {"name": "probe", "namespace": namespace},
    "spec": {"ingressClassName": "shared", "rules": [
        {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]},
}
def merge(into, changes):
    for key, value in changes.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
merge(ingress, changes)
print(json.dumps(ingress))
PY
}
admitted() { kubectl_ apply --dry-run=server -f - <<<"$1" 2>&1; } # admitted JSON: through admission, not kept
refused_for() { # refused_for MESSAGE JSON: the API server refuses JSON, saying MESSAGE
    local out
    if out=$(admitted "$2"); then echo "admitted: $out"; return 1; fi
    grep -qF "$1" <<<"$out" || { echo "$out"; return 1; }
}
only_allowed="of the ALB's annotations only"
check "an Ingress in web, a tenant with an NLB of its own, is refused by the API server" \
    refused_for "namespace web has an NLB of its own" "$(probe_ingress web web.apps.test)"

# A namespace as the platform lends one on its shared entry (Tenant): labelled so, annotated with its host.
kubectl_ create namespace shared-probe >/dev/null &&
    kubectl_ label namespace shared-probe flask-eks/entry=shared >/dev/null &&
    kubectl_ annotate namespace shared-probe flask-eks/host=shared-probe.apps.test >/dev/null
host=shared-probe.apps.test
on_host() { probe_ingress shared-probe "$host" "$@"; }
# The annotations the app's own Ingress carries (components/app/service.ts).
app_annotations='{"alb.ingress.kubernetes.io/healthcheck-path":"/readyz","alb.ingress.kubernetes.io/healthcheck-interval-seconds":"10","alb.ingress.kubernetes.io/healthcheck-timeout-seconds":"6","alb.ingress.kubernetes.io/healthy-threshold-count":"2","alb.ingress.kubernetes.io/unhealthy-threshold-count":"2","alb.ingress.kubernetes.io/target-group-attributes":"deregistration_delay.timeout_seconds=36"}'
check "on the shared entry, an Ingress like the app's, for the namespace's host, is admitted" \
    admitted "$(on_host "{\"metadata\":{\"annotations\":$app_annotations}}")"
path='{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"name":"http"}}}}'
check "another app's host is refused" \
    refused_for "every rule needs the host this namespace is lent, $host" "$(probe_ingress shared-probe web.apps.test)"
check "so is a rule with no host, which would match every host" \
    refused_for "every rule needs the host this namespace is lent" "$(on_host "{\"spec\":{\"rules\":[{\"http\":{\"paths\":[$path]}}]}}")"
check "another class is refused" \
    refused_for "spec.ingressClassName must be shared" "$(on_host '{"spec":{"ingressClassName":"alb"}}')"
for annotation in '"kubernetes.io/ingress.class":"shared"' '"alb.ingress.kubernetes.io/group.order":"-1000"' \
    '"alb.ingress.kubernetes.io/actions.steal":"{}"' '"alb.ingress.kubernetes.io/healthcheck-interval-seconds":"x"'; do
    check "the annotation ${annotation%%:*} (or that value) is refused" \
        refused_for "$only_allowed" "$(on_host "{\"metadata\":{\"annotations\":{$annotation}}}")"
done
check "a health check timeout longer than the interval, which the ELB API refuses, is refused" \
    refused_for "timeout must be shorter than its interval" \
    "$(on_host '{"metadata":{"annotations":{"alb.ingress.kubernetes.io/healthcheck-timeout-seconds":"20"}}}')"
check "a backend that is not a Service is refused" \
    refused_for "each to a Service" \
    "$(on_host "{\"spec\":{\"rules\":[{\"host\":\"$host\",\"http\":{\"paths\":[{\"path\":\"/\",\"pathType\":\"Prefix\",\"backend\":{\"resource\":{\"apiGroup\":\"x.io\",\"kind\":\"X\",\"name\":\"x\"}}}]}}]}}")"
check "a default backend, which would take every host's unmatched traffic, is refused" \
    refused_for "spec.defaultBackend and spec.tls are the platform's" \
    "$(on_host '{"spec":{"defaultBackend":{"service":{"name":"web","port":{"name":"http"}}}}}')"
check "so is a TLS section: the shared ALB's certificate serves every host" \
    refused_for "spec.defaultBackend and spec.tls are the platform's" \
    "$(on_host "{\"spec\":{\"tls\":[{\"hosts\":[\"$host\"]}]}}")"
check "a Service with an ALB annotation, which the controller would take over the Ingress's, is refused" \
    refused_for "a Service here takes no alb.ingress.kubernetes.io/ annotation" \
    '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shared-probe","annotations":{"alb.ingress.kubernetes.io/backend-protocol":"HTTPS"}},"spec":{"ports":[{"port":80}]}}'
changed_then_deleted() { # made for real, then changed to another's host (an UPDATE), then deleted
    kubectl_ apply -f - <<<"$(on_host '{"metadata":{"name":"live"}}')" &&
        refused_for "the host this namespace is lent" \
            "$(probe_ingress shared-probe web.apps.test '{"metadata":{"name":"live"}}')" &&
        kubectl_ delete ingress live -n shared-probe
}
check "an Ingress made, then changed to another's host, is refused the change and deleted at will" changed_then_deleted
back_to_own() { # the tenant goes back to an NLB of its own while its Ingress holds a finalizer, as the
    # controller's does: the Ingress, no longer admissible, must still be let go of
    kubectl_ apply -f - <<<"$(on_host '{"metadata":{"name":"held","finalizers":["e2e.test/hold"]}}')" &&
        kubectl_ label namespace shared-probe flask-eks/entry=own --overwrite &&
        kubectl_ delete ingress held -n shared-probe --wait=false &&
        kubectl_ patch ingress held -n shared-probe --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' &&
        wait_until 10 eval '! kubectl_ get ingress held -n shared-probe'
}
check "a tenant switched back to its own NLB can still have its last Ingress's finalizer removed, and it goes" back_to_own
kubectl_ delete namespace shared-probe --wait=false >/dev/null
