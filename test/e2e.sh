#!/usr/bin/env bash
# npm run test:e2e: the program through the real Pulumi engine, on a Kubernetes cluster with a real
# node, and real traffic through what it deploys. Builds (or takes from its cache) the engine and the
# cluster's binaries (engine/build.sh), builds two images of the app with Docker, starts the cluster
# (engine/cluster.sh: a control plane, one real node running every pod, CoreDNS, metrics-server,
# Prometheus, the Argo Rollouts controller, NetworkPolicy enforcement, a load balancer stand-in on
# loopback), then, with a file
# backend:
#   - the CLI's own validation of every stack file, and the EKS program up to its first AWS resource;
#   - `pulumi up --stack local` with the policy pack, and requests through the load balancer,
#     kube-proxy and the Service to the pods; a second up that changes nothing;
#   - inside a pod: its user, its read-only root, no service account token; NetworkPolicy enforced;
#   - a rolling update, a deleted pod and a killed container, each under a steady load that must
#     send what its rate asks, a connection a request, and whose leaving pods must have answered
#     part of it; broken releases (one that crashes, one never ready) failing their up within the
#     stack's rollout timeout while the old pods serve, and the way back;
#   - refresh as the admin and as the identity the drift job has on EKS (view, and the app's Secret
#     by name), the drift job's step telling clean, drift and a failed check apart, a Helm release
#     whose records are ConfigMaps (view reads them), and one taken over from Secret records;
#     CrossGuard and Pod Security refusing;
#   - last, the HPA scaling out on real CPU use and back in (a scale-in under the same steady load);
#   - in the background from the first up on, a platform stack and two app stacks on it
#     (test/e2e/tenants-up.sh); api's canary turned on, then releases under load: a good one through
#     every step; one answering 500 on / and one slow, each rolled back by the controller on its
#     analysis (Prometheus), its up failing with what was measured (test/e2e/canary.sh); then
#     each app serving, neither reaching the other, the quota refusing, one app destroyed while the
#     other serves (test/e2e/platform.sh);
#   - destroy within the grace period;
#   - at the end, the machine as it was before: no process, chain, mount or interface left.
# With the argument move (npm run test:move), after the local stack's first up: that stack becomes a
# platform and its workload an app stack on it, under load (test/e2e/move.sh); then the end.
# Prints every check with its figures, and the CLI's output when one fails. Needs root.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
ROOT=$PWD
started=$SECONDS
[ "$(id -u)" = 0 ] || { echo "e2e: needs root (it installs packages and starts dockerd)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/flask-eks-e2e.XXXXXX)
PROJECT=$WORK/project
# shellcheck source=test/e2e/lib.sh
source test/e2e/lib.sh
# shellcheck source=test/e2e/load.sh
source test/e2e/load.sh
# shellcheck source=test/e2e/probes.sh
source test/e2e/probes.sh
# shellcheck source=engine/host.sh
source engine/host.sh
# shellcheck source=test/e2e/traffic.sh
source test/e2e/traffic.sh
# shellcheck source=scripts/image.sh
source scripts/image.sh
# shellcheck source=engine/versions.env
source engine/versions.env
trap 'log "stopped by a failing command at line $LINENO"' ERR
host_exclusive e2e
# What an interrupted run left is put back first; then the machine as it is before anything starts,
# which the last check compares against.
bash engine/cluster.sh stop
host_snapshot "$WORK/host.before"

bash scripts/setup.sh
engine_started=$SECONDS
BIN=$(bash engine/build.sh | tail -1)
log "engine ready in $((SECONDS - engine_started)) s"
export PATH="$BIN:$PATH"
export PULUMI_HOME=$WORK/home PULUMI_SKIP_UPDATE_CHECK=1 PULUMI_CONFIG_PASSPHRASE=e2e-only-passphrase
export PULUMI_BACKEND_URL=file://$WORK/state PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# No plugin from PATH: the Kubernetes provider is the one installed below, from this build.
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
mkdir -p "$WORK/state"
PROVIDER_VERSION=$(node -p 'require("./package.json").dependencies["@pulumi/kubernetes"]')
pulumi plugin install resource kubernetes "v$PROVIDER_VERSION" --file "$BIN/pulumi-resource-kubernetes" >/dev/null

cleanup() {
    set +e
    if [ -f "$PROJECT/Pulumi.local.yaml" ]; then
        (cd "$PROJECT" && pulumi destroy --stack local --yes --skip-preview >/dev/null 2>&1)
    fi
    bash engine/cluster.sh stop 2>/dev/null
    image_cleanup
    host_restore "$WORK/host.before"
}
trap 'cleanup; rm -rf "$WORK"' EXIT

# ---- at the end: the machine as it was ----
machine_as_it_was() { # every check of the end: nothing the test made is left; the summary
    rm -f "$PROJECT/Pulumi.local.yaml" # nothing left to destroy
    cleanup
    host_snapshot "$WORK/host.after"
    machine_restored() { local diff; diff=$(host_diff "$WORK/host.before" "$WORK/host.after"); echo "$diff"; [ -z "$diff" ]; }
    check "every process, iptables chain, ipset, mount, interface and kernel setting the test made is gone" machine_restored
    leftover_processes() { # what the test started and still runs: by the pids it recorded, and by place
        local pid started name proc link
        while read -r pid started name; do
            if ours "$pid" "$started"; then echo "$name ($pid)"; fi
        done <"$WORK/started"
        # The node's shims and containers, and anything else run from the cluster's or the test's files.
        for proc in /proc/[0-9]*; do
            for link in root cwd exe; do
                case $(readlink "$proc/$link" 2>/dev/null) in
                "$CLUSTER_STATE"/* | "$WORK"/* | "$BIN"/*) echo "${proc#/proc/} ($link: $(readlink "$proc/$link"))" ;;
                esac
            done
            grep -qaF -e "$CLUSTER_STATE" "$proc/cmdline" 2>/dev/null && echo "${proc#/proc/}: $(tr '\0' ' ' <"$proc/cmdline")"
        done
        return 0
    }
    no_processes() { local left; left=$(leftover_processes | sort -u); echo "$left"; [ -z "$left" ]; }
    check "no process the test started is running ($(wc -l <"$WORK/started") recorded: the cluster's, Docker's, the loads')" no_processes
    # engine/cluster.sh stop has removed all of the cluster's state but its logs: after a green run they go
    # too; after a failure they stay, for reading.
    if [ "$failed" = 0 ]; then rm -rf "$CLUSTER_STATE"; else log "the cluster's logs stay in $CLUSTER_STATE/logs"; fi
    state_gone() { # nothing of the cluster's state is left but, after a failure, its logs
        local left
        left=$(find "$CLUSTER_STATE" -mindepth 1 -maxdepth 1 ! -name logs 2>/dev/null)
        echo "$left"
        [ -z "$left" ] && { [ "$failed" != 0 ] || [ ! -e "$CLUSTER_STATE" ]; }
    }
    check "the cluster's state (its CA and client keys, etcd's data, the registry, the node) is gone" state_gone

    log "took $((SECONDS - started)) s"
    echo "e2e: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# The program as a user's checkout holds it: what index.ts loads, and what the project needs.
PROGRAM=(index.ts config components domain migrations targets app package.json tsconfig.json)

# ---- the cluster, and two images of the app in its registry ----
# shellcheck disable=SC2119 # it takes extra tools as arguments; the engine's need none
image_tools
image_engine
# Sockets listening beyond loopback and the cluster's own addresses: the cluster must add none.
outside_listeners() { ss -Hltnu | awk '$5 !~ /^(127\.[0-9.]+|10\.200\.0\.1|\[::1\]):[0-9]+$/ {print $1, $5}' | sort -u; }
outside_listeners >"$WORK/listeners.before"
# The cluster starts while Docker builds the images; they are pushed once its registry is up.
bash engine/cluster.sh start "$BIN" >"$WORK/cluster" &
cluster_pid=$!
image_build 127.0.0.1:5000/flask-eks:e2e-1 e2e-1
image_build 127.0.0.1:5000/flask-eks:e2e-2 e2e-2
# Two broken releases of it (test/e2e/broken): one that exits at start, one never ready; and two faulty
# ones, the app itself, ready, answering 500 on / or slowly (test/e2e/faulty).
for mode in crash never-ready; do
    $DOCKER build -q --build-arg BASE=127.0.0.1:5000/flask-eks:e2e-2 --build-arg "MODE=$mode" \
        -t "127.0.0.1:5000/flask-eks:broken-$mode" test/e2e/broken >/dev/null
done
for fault in 500s slow; do
    $DOCKER build -q --build-arg BASE=127.0.0.1:5000/flask-eks:e2e-2 --build-arg "FAULT=$fault" \
        -t "127.0.0.1:5000/flask-eks:faulty-$fault" test/e2e/faulty >/dev/null
done
# The checks that need no cluster, while it starts.
# shellcheck source=test/e2e/while-cluster-starts.sh
source test/e2e/while-cluster-starts.sh
wait "$cluster_pid"
ADMIN_KUBECONFIG=$(tail -1 "$WORK/cluster")
CLUSTER_STATE=$(dirname "$ADMIN_KUBECONFIG")
# Every process the test starts, as engine/cluster.sh records its own (pid, start, name): the
# cluster's, Docker's if it was not running already, and the loads' (test/e2e/load.sh adds them).
cp "$CLUSTER_STATE/pids" "$WORK/started"
if [ -n "$dockerd_pid" ]; then echo "$dockerd_pid $(started_at "$dockerd_pid") dockerd" >>"$WORK/started"; fi
# What the stacks deploy with: its identity is the caller's, FLASK_EKS_IDENTITY (admin by default).
export KUBECONFIG=$CLUSTER_STATE/caller.kubeconfig
push() { # push VERSION: push the image built with APP_VERSION=VERSION; writes its digest to $WORK/VERSION
    $DOCKER push -q "127.0.0.1:5000/flask-eks:$1" >/dev/null
    $DOCKER image inspect -f '{{index .RepoDigests 0}}' "127.0.0.1:5000/flask-eks:$1" >"$WORK/$1"
}
pushes=()
for version in e2e-1 e2e-2 broken-crash broken-never-ready faulty-500s faulty-slow; do
    push "$version" &
    pushes+=($!)
done
for pid in "${pushes[@]}"; do wait "$pid"; done
first=$(<"$WORK/e2e-1")
second=$(<"$WORK/e2e-2")
log "images: $first, $second"

# ---- the project, as a user has it, with the local stack ----
mkdir -p "$PROJECT"
cp -r "${PROGRAM[@]}" Pulumi.yaml Pulumi.local.yaml "$PROJECT/"
ln -s "$ROOT/node_modules" "$PROJECT/node_modules"
pulumi_run init stack init local --non-interactive
# The kubeconfig is $KUBECONFIG (localKubeconfig stays empty). The load balancer admits loopback
# clients only, so a pod's address is outside the app's source ranges. Three pods, for a scale-in later.
pulumi_run config config set --stack local imageRef "$first"
pulumi_run config-ranges config set --stack local --path 'lbSourceRanges[0]' 127.0.0.0/8
pulumi_run config-min config set --stack local workloadMinReplicas 3
# At most 5 (1.25 CPU requested): the tenants' stacks share the node's two cores meanwhile.
pulumi_run config-max config set --stack local workloadMaxReplicas 5
# One destination the app may reach: port 8081 anywhere in the pod network (the probe pod's, below).
POD_CIDR=$(sed -n 's/^POD_CIDR=//p' engine/node.sh)
pulumi_run config-egress config set --stack local --path 'appEgress[0]' "$POD_CIDR:8081/tcp"
# A secret of the app's, so the drift job's refresh below reads a Secret as on a stack that has one.
pulumi_run config-secret config set --stack local --secret --path 'appSecrets.E2E_TOKEN' "$(openssl rand -hex 16)"
policy=(--policy-pack "$ROOT/engine/policy-pack")

up_started=$SECONDS
check "pulumi up with the policy pack creates every object (CLI, language host, provider, CrossGuard)" \
    pulumi_run up up --stack local --yes --skip-preview "${policy[@]}"
log "first up took $((SECONDS - up_started)) s"
check "3 pods run the first image and are ready, admitted under restricted Pod Security" \
    wait_until 120 only_pods 3 "$first"
check "every pod of the app runs on the real node (the kwok nodes are tainted)" \
    test "$(app_pods | awk '{print $2}' | sort -u)" = node-0
owns_replicas() { # Pulumi's field manager owns no replica count: the HPA does
    kubectl_ get deployment web -n flask-app --show-managed-fields -o json |
        python3 -c 'import json, sys; fields = [m for m in json.load(sys.stdin)["metadata"]["managedFields"] if m["manager"].startswith("pulumi")]; sys.exit(0 if fields and not any("f:replicas" in m.get("fieldsV1", {}).get("f:spec", {}) for m in fields) else 1)'
}
check "no field Pulumi manages on the Deployment holds the replica count" owns_replicas
network_policies() { [ "$(kubectl_ get networkpolicy -n flask-app -o jsonpath='{.items[*].metadata.name}')" = "default-deny web" ]; }
check "the namespace's NetworkPolicies are in place (default-deny, web)" network_policies
url=$(cd "$PROJECT" && pulumi stack output --stack local url)
lb=$(kubectl_ get service web -n flask-app -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
check "the url output is the load balancer's address ($url)" test "$url" = "http://$lb"
version_at() { curl -fsS --max-time 5 "$url/" | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])'; }
check "GET $url/ answers with the first image's version, through load balancer, NodePort, kube-proxy and pod ($(version_at))" \
    test "$(version_at)" = e2e-1
if [ "${1:-}" = move ]; then # npm run test:move: the one stack becomes a platform and an app, then the end
    # shellcheck source=test/e2e/move.sh
    source test/e2e/move.sh
    machine_as_it_was
    exit
fi
# The drift job's identity as on EKS, where its role has AmazonEKSViewPolicy and, through its access
# entry, the refreshers' group: here the view ClusterRole and that group (drift-viewer); and view
# alone (view-only). Made before the background starts: both it and test/e2e/after-traffic.sh
# refresh as them.
bash engine/cluster.sh user drift-viewer flask-eks:refreshers
bash engine/cluster.sh user view-only
for user in drift-viewer view-only; do
    kubectl_ create clusterrolebinding "e2e-$user" --clusterrole view --user "$user" >/dev/null
done
# ---- from here on, in the background: a platform stack, two apps on it, and api's canary releases ----
# shellcheck source=test/e2e/tenants-up.sh
source test/e2e/tenants-up.sh
beside tenants tenants
listens_inside() { # and the listing works: it sees the API server on the node's address
    outside_listeners | diff "$WORK/listeners.before" - && ss -Hltn | grep -q ' 10\.200\.0\.1:26443 '
}
check "nothing the cluster or the app runs listens beyond loopback and the node's address" listens_inside
check "a second up changes nothing (nothing re-pushes or drifts)" \
    pulumi_run up-again up --stack local --yes --expect-no-changes "${policy[@]}"

# ---- inside a pod, and the NetworkPolicy ----
identity=$(app_identity)
check "inside a pod: $identity" test "$identity" = "uid=10001 root-write=refused: Read-only file system token=False"
start_probe_pod "$first"
probe_ip=$(probe_pod_ip)
app_ip=$(kubectl_ get pods -n flask-app -l app.kubernetes.io/name=flask-app -o jsonpath='{.items[0].status.podIP}')
service_ip=$(kubectl_ get service web -n flask-app -o jsonpath='{.spec.clusterIP}')
seen=$(connect_from probe "$(kubectl_ get service kube-dns -n kube-system -o jsonpath='{.spec.clusterIP}')" 53)
check "a pod in another namespace reaches cluster DNS (the probe itself works: $seen)" test "$seen" = open
seen=$(connect_from probe "$app_ip" 8080)
check "a pod in another namespace cannot reach the app's port on a pod ($seen)" grep -q '^closed' <<<"$seen"
seen=$(connect_from probe "$service_ip" 80)
check "nor through its Service ($seen)" grep -q '^closed' <<<"$seen"
seen=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://$probe_ip:8080/")
check "the node reaches the probe pod's port (HTTP $seen)" test "$seen" = 200
seen=$(connect_from app "$probe_ip" 8081)
check "the app reaches the destination appEgress lists ($POD_CIDR:8081/tcp, the probe pod: $seen)" test "$seen" = open
seen=$(connect_from app "$probe_ip" 8080)
check "the app cannot open a connection it does not list (the same pod's 8080: $seen)" grep -q '^closed' <<<"$seen"
seen=$(connect_from app 10.0.0.1 443)
check "nor to the API server ($seen)" grep -q '^closed' <<<"$seen"
seen=$(resolves_from_app kubernetes.default.svc.cluster.local)
check "the app resolves names through cluster DNS ($seen)" test "$seen" = "['10.0.0.1']"
check "the load balancer path still answers" test "$(version_at)" = e2e-1
kubectl_ delete namespace e2e-probe --wait=false >/dev/null

# ---- traffic while the Deployment changes ----
rolling_update "$second"
check "GET / answers with the second image's version" test "$(version_at)" = e2e-2
self_heal "$second"
kill_container "$second"
# Four projects of their own, in the background from here: the broken releases mostly wait on their
# rollout timeout, and the refreshes after them wait for these (test/e2e/after-traffic.sh).
# shellcheck source=test/e2e/own-stacks.sh
source test/e2e/own-stacks.sh
broken_release crash "exits at start" CrashLoopBackOff crash_looping "$second"
broken_release never-ready "never becomes ready" "unready status" never_started_ready "$second"

# shellcheck source=test/e2e/after-traffic.sh
source test/e2e/after-traffic.sh
# Last: its load keeps both cores busy on purpose, after api's good canary release (test/e2e/canary.sh).
hpa_scaling "$second"

# ---- destroy ----
grace=$(kubectl_ get deployment web -n flask-app -o jsonpath='{.spec.template.spec.terminationGracePeriodSeconds}')
destroy_started=$SECONDS
check "pulumi destroy removes everything" pulumi_run destroy destroy --stack local --yes --skip-preview
took=$((SECONDS - destroy_started))
check "destroy took $took s: within the pods' grace period ($grace s) and 30 s" test "$took" -le $((grace + 30))
namespace_gone() { ! kubectl_ get namespace flask-app; }
check "the namespace and everything in it are gone" wait_until 60 namespace_gone
no_app_running() { # no container of the app's pods (pause containers included) runs on the node
    local ctr_=(ctr --address "$CLUSTER_STATE/node/containerd/containerd.sock" --namespace k8s.io) running
    running=$("${ctr_[@]}" tasks ls | awk '$3 == "RUNNING" {print $1}' | sort)
    comm -12 <("${ctr_[@]}" containers ls -q labels.io.kubernetes.pod.namespace==flask-app | sort) <(echo "$running") | grep . && return 1
    [ -n "$running" ] # the add-ons still run, so the listing itself worked
}
check "no container of the app runs on the node any more" no_app_running
check "pulumi stack rm" pulumi_run rm stack rm local --yes
beside_done tenants

machine_as_it_was
