#!/usr/bin/env bash
# npm run test:e2e: the program through the real Pulumi engine, on a real Kubernetes control plane.
# Builds (or takes from its cache) the CLI, the Node.js language host and the Kubernetes provider
# (engine/build.sh), starts the local cluster (engine/cluster.sh), builds the app's image with Docker
# and pushes it to the cluster's registry, then, with a file backend and a passphrase:
#   - the CLI's own validation of Pulumi.yaml and every committed stack file;
#   - `pulumi up --stack local` with the policy pack (engine/policy-pack), a second up with
#     --expect-no-changes, a roll to a second image, `pulumi refresh --expect-no-changes` with the HPA in place, and destroy;
#   - CrossGuard refusing a program that breaks a mandatory rule, and Pod Security admission refusing
#     a pod that breaks `restricted`.
# Prints the CLI's own output when a step fails, and cleans up whatever happens. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
passed=0
failed=0
started=$SECONDS
log() { echo "e2e: $*" >&2; }
check() { # check "what" command...: one assertion
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); log "ok   - $what"; else failed=$((failed + 1)); log "FAIL - $what"; fi
}
[ "$(id -u)" = 0 ] || { log "needs root (it installs packages and starts dockerd)"; exit 2; }

bash scripts/setup.sh
engine_started=$SECONDS
BIN=$(bash engine/build.sh | tail -1)
log "engine ready in $((SECONDS - engine_started)) s"
# Plugins resolve from here, with no download: the CLI finds providers and the language host on PATH.
export PATH="$BIN:$PATH"
WORK=$(mktemp -d /tmp/flask-eks-e2e.XXXXXX)
export PULUMI_HOME=$WORK/home PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_CONFIG_PASSPHRASE=e2e-only-passphrase
export PULUMI_BACKEND_URL=file://$WORK/state PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$WORK/state"

# shellcheck source=scripts/image.sh
source scripts/image.sh
PROJECT=$WORK/project
cleanup() {
    if [ -d "$PROJECT" ]; then
        (cd "$PROJECT" && pulumi destroy --stack local --yes --skip-preview >/dev/null 2>&1 &&
            pulumi stack rm local --yes >/dev/null 2>&1) || true
    fi
    bash engine/cluster.sh stop 2>/dev/null || true
    image_cleanup
    rm -rf "$WORK"
}
trap cleanup EXIT

# pulumi_run NAME ARGS...: run the CLI in the project copy, its output kept in $WORK/NAME.log and
# printed when it fails
pulumi_run() {
    local name=$1
    shift
    if (cd "$PROJECT" && pulumi "$@") >"$WORK/$name.log" 2>&1; then return 0; fi
    sed "s/^/  pulumi $name: /" "$WORK/$name.log" >&2
    return 1
}

# ---- the CLI's own validation of the project and every stack file ----
mkdir -p "$WORK/config-check"
cp Pulumi.yaml Pulumi.*.yaml "$WORK/config-check/"
# The checks of the committed files get a backend of their own: the project copy below makes the
# same stacks again.
config_backend=file://$WORK/config-state
mkdir -p "$WORK/config-state"
validated() ( # validated STACK: the CLI accepts the stack's config (it stops later, for want of a program)
    cd "$WORK/config-check"
    PULUMI_BACKEND_URL=$config_backend pulumi stack init "$1" --non-interactive >/dev/null 2>&1 || true # the second time, it exists
    # preview fails either way (no program here), so its output, not its status, tells.
    local out
    out=$(PULUMI_BACKEND_URL=$config_backend pulumi preview --stack "$1" 2>&1 || true)
    ! grep -q "validating stack config" <<<"$out"
)
for file in Pulumi.*.yaml; do
    stack=${file#Pulumi.}
    stack=${stack%.yaml}
    check "the CLI validates Pulumi.$stack.yaml against Pulumi.yaml's declarations" validated "$stack"
done
# delivery/deployments.sh through the real CLI. A DIY backend refuses deployment settings only after
# the CLI has parsed every flag: an unknown flag or command fails before that, in other words.
deployments_settings() {
    local shim=$WORK/deployments-shim
    mkdir -p "$shim"
    cat >"$shim/pulumi" <<SHIM
#!/usr/bin/env bash
out=\$("$BIN/pulumi" "\$@" 2>&1)
grep -q "requires the Pulumi Cloud backend" <<<"\$out" || { echo "\$out" >&2; exit 1; }
SHIM
    chmod +x "$shim/pulumi"
    # "organization" is the DIY backend's organisation; the stacks are the ones checked above.
    PATH=$shim:$PATH PULUMI_BACKEND_URL=$config_backend bash delivery/deployments.sh organization 123456789012 acme/flask-eks
}
check "the CLI parses every flag of delivery/deployments.sh (Pulumi Deployments settings)" deployments_settings

sed -i 's/^  flask-eks:azCount: .*/  flask-eks:azCount: three/' "$WORK/config-check/Pulumi.dev.yaml"
refused() { ! validated "$1"; }
check "the CLI refuses a value of the wrong type (azCount: three)" refused dev

# The EKS program, through the real language host: it loads, its config passes, and it stops at the
# first AWS resource, the provider, whose plugin cannot be had here.
cp -r index.ts config components targets app package.json tsconfig.json "$WORK/config-check/"
ln -s "$ROOT/node_modules" "$WORK/config-check/node_modules"
eks_program() {
    local out
    out=$(cd "$WORK/config-check" && cp "$ROOT/Pulumi.dev.yaml" . &&
        PULUMI_BACKEND_URL=$config_backend pulumi preview --stack dev 2>&1)
    if grep -q "no resource plugin 'pulumi-resource-aws'" <<<"$out" && [ "$(grep -c "error:" <<<"$out")" -le 2 ]; then return 0; fi
    echo "$out" >&2
    return 1
}
check "the real engine runs the EKS program up to its first AWS resource (no AWS plugin here)" eks_program

# ---- the cluster, and two images in its registry ----
KUBECONFIG=$(bash engine/cluster.sh start "$BIN" | tail -1)
export KUBECONFIG
# shellcheck disable=SC2119 # it takes extra tools as arguments; the engine's need none
image_tools
image_engine
push() { # push VERSION: build app/ with APP_VERSION=VERSION, push it, print it by digest
    image_build "127.0.0.1:5000/flask-eks:$1" "$1"
    $DOCKER push -q "127.0.0.1:5000/flask-eks:$1" >/dev/null
    $DOCKER image inspect -f '{{index .RepoDigests 0}}' "127.0.0.1:5000/flask-eks:$1"
}
first=$(push e2e-1)
second=$(push e2e-2)
log "images: $first, $second"

# ---- the project, as a user has it, with the local stack ----
mkdir -p "$PROJECT"
for part in index.ts config components targets app Pulumi.yaml Pulumi.local.yaml package.json tsconfig.json; do
    cp -r "$part" "$PROJECT/"
done
ln -s "$ROOT/node_modules" "$PROJECT/node_modules"
pulumi_run init stack init local --non-interactive
pulumi_run config config set --stack local localKubeconfig "$KUBECONFIG"
pulumi_run config config set --stack local imageRef "$first"
kubectl_() { kubectl --kubeconfig "$KUBECONFIG" "$@"; }
# The HPA scales the Deployment to its minimum (Pulumi.local.yaml keeps Pulumi.yaml's).
replicas=$(.venv/bin/python -c 'import yaml; print(yaml.safe_load(open("Pulumi.yaml"))["config"]["workloadMinReplicas"]["default"])')

up_started=$SECONDS
check "pulumi up with the policy pack creates every object (CLI, language host, provider, CrossGuard)" \
    pulumi_run up up --stack local --yes --skip-preview --policy-pack "$ROOT/engine/policy-pack"
log "first up took $((SECONDS - up_started)) s"
running() { kubectl_ get pods -n flask-app --field-selector=status.phase=Running -o name | wc -l; }
scaled() { for _ in $(seq 1 60); do [ "$(running)" = "$replicas" ] && return 0; sleep 1; done; return 1; }
check "the pods are admitted under restricted Pod Security, and the HPA scales them to its minimum: $replicas Running" scaled
# Pulumi's field manager owns no replica count: the HPA does, so no up or refresh fights it.
owns_replicas() {
    kubectl_ get deployment web -n flask-app --show-managed-fields -o json |
        .venv/bin/python -c 'import json, sys; fields = [m for m in json.load(sys.stdin)["metadata"]["managedFields"] if m["manager"].startswith("pulumi")]; sys.exit(0 if fields and not any("f:replicas" in m.get("fieldsV1", {}).get("f:spec", {}) for m in fields) else 1)'
}
check "no field Pulumi manages on the Deployment holds the replica count" owns_replicas
has_endpoints() { [ -n "$(kubectl_ get endpoints web -n flask-app -o jsonpath='{.subsets[*].addresses[*].ip}')" ]; }
check "the Service has endpoints" has_endpoints
network_policies() { [ "$(kubectl_ get networkpolicy -n flask-app -o jsonpath='{.items[*].metadata.name}')" = "default-deny web" ]; }
check "the API server accepted the namespace's NetworkPolicies (default-deny, web)" network_policies
url=$(cd "$PROJECT" && { pulumi stack output --stack local url 2>/dev/null || true; })
check "the url output is the load balancer's ($url)" test "$url" = "http://web-flask-app.lb.localhost"
check "a second up changes nothing (nothing re-pushes or drifts)" \
    pulumi_run up-again up --stack local --yes --expect-no-changes --policy-pack "$ROOT/engine/policy-pack"

pulumi_run config-second config set --stack local imageRef "$second"
check "pointing the stack at a second digest rolls the Deployment, the readiness wait completing" \
    pulumi_run roll up --stack local --yes --skip-preview --policy-pack "$ROOT/engine/policy-pack"
image=$(kubectl_ get deployment web -n flask-app -o jsonpath='{.spec.template.spec.containers[0].image}')
check "the Deployment runs the second image" test "$image" = "$second"
run_only() { # run_only IMAGE: every running pod of the app that is not terminating runs IMAGE
    local images
    # Each line: the deletion timestamp (empty unless the pod is draining in its grace period), the image.
    images=$(kubectl_ get pods -n flask-app --field-selector=status.phase=Running \
        -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp} {.spec.containers[0].image}{"\n"}{end}' |
        awk 'NF == 1 {print $1}' | sort -u)
    [ "$images" = "$1" ]
}
check "every running pod that is not draining runs it" run_only "$second"
check "the HorizontalPodAutoscaler exists" kubectl_ get hpa web -n flask-app
check "pulumi refresh finds no drift with the HPA in place" \
    pulumi_run refresh refresh --stack local --yes --expect-no-changes

# ---- CrossGuard and Pod Security, for real ----
cp -r test/e2e-violation "$WORK/violation"
ln -s "$ROOT/node_modules" "$WORK/violation/node_modules"
violation() {
    local out
    out=$(cd "$WORK/violation" && pulumi stack init e2e --non-interactive >/dev/null 2>&1
        pulumi preview --stack e2e --policy-pack "$ROOT/engine/policy-pack" 2>&1) && { echo "$out" >&2; return 1; }
    if grep -q "k8s-load-balancer-source-ranges" <<<"$out" && grep -q "mandatory" <<<"$out"; then return 0; fi
    echo "$out" >&2
    return 1
}
check "CrossGuard refuses a public LoadBalancer without source ranges (k8s-load-balancer-source-ranges)" violation
privileged() {
    local out
    out=$(kubectl_ run root-pod -n flask-app --image="$second" --restart=Never \
        --overrides='{"spec":{"containers":[{"name":"root-pod","image":"'"$second"'","securityContext":{"privileged":true}}]}}' 2>&1) && return 1
    grep -q 'violates PodSecurity "restricted' <<<"$out" || { echo "$out" >&2; return 1; }
}
check "the API server's admission refuses a privileged pod in the app's namespace" privileged

# ---- destroy ----
check "pulumi destroy removes everything" pulumi_run destroy destroy --stack local --yes --skip-preview
gone() { for _ in $(seq 1 60); do kubectl_ get namespace flask-app >/dev/null 2>&1 || return 0; sleep 1; done; return 1; }
check "the namespace and everything in it are gone" gone
check "pulumi stack rm" pulumi_run rm stack rm local --yes

log "took $((SECONDS - started)) s"
echo "e2e: $passed passed, $failed failed"
[ "$failed" = 0 ]
