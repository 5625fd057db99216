#!/usr/bin/env bash
# A Kubernetes cluster on this machine, from the binaries engine/build.sh makes:
#   - the control plane: etcd, kube-apiserver (RBAC, the default admission plugins with PodSecurity,
#     the aggregation layer), kube-controller-manager and kube-scheduler;
#   - one real node, node-0 in zone-a (engine/node.sh): containerd, a CNI bridge, kubelet, kube-proxy
#     and kube-router enforcing NetworkPolicy; every pod runs there;
#   - add-ons on that node (engine/addons/): CoreDNS, metrics-server, Prometheus and the Argo
#     Rollouts controller;
#   - kwok nodes in zone-b and zone-c, tainted so that nothing runs on them;
#   - a registry (Debian's docker-registry) on 127.0.0.1:5000, holding the add-ons' images, which
#     Docker makes from the binaries alone;
#   - the load balancer stand-in (engine/kube.py): a TCP forwarder on a loopback address per
#     LoadBalancer Service, to its NodePort on the node, admitting only the Service's source ranges.
# Every address it uses is on loopback or on an interface it creates (NODE_IP, the pods' bridge);
# nothing listens on the machine's own addresses. Needs root and a running Docker engine.
#   engine/cluster.sh start BIN      start it; prints the admin's kubeconfig (last line); the caller's,
#                                    $STATE/caller.kubeconfig, runs as $FLASK_EKS_IDENTITY (see below)
#   engine/cluster.sh user NAME [GROUP]  a client certificate for a new identity NAME, with no rights
#                                    (its group GROUP, if given)
#   engine/cluster.sh credential     the caller's credential (the caller's kubeconfig runs this)
#   engine/cluster.sh stop           stop everything it started and put the machine back as it was
# STATE is FLASK_EKS_CLUSTER, default /tmp/flask-eks-cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${FLASK_EKS_CLUSTER:-/tmp/flask-eks-cluster}
ETCD_PORT=23379
API_PORT=26443
# The node's and the API server's address, on an interface made here. Pods reach the API server
# through the `kubernetes` Service, whose endpoint may not be a loopback address.
NODE_IP=10.200.0.1
NODE_NAME=node-0
SERVICE_CIDR=10.0.0.0/24
CLUSTER_DNS=10.0.0.10
REGISTRY=127.0.0.1:5000
DOCKER=/usr/bin/docker
log() { echo "cluster: $*" >&2; }
# shellcheck source=engine/host.sh
source engine/host.sh
# shellcheck source=engine/node.sh
source engine/node.sh

# Each process run starts is recorded with its start (started_at): a PID in $STATE/pids is ours only
# while that matches (engine/host.sh's ours), and is never killed otherwise.
run() { # run NAME COMMAND...: start it in the background, its output in $STATE/logs/NAME.log
    local name=$1
    shift
    "$@" >"$STATE/logs/$name.log" 2>&1 &
    echo "$! $(started_at $!) $name" >>"$STATE/pids"
}

kill_started() { # stop every process `run` started, last started first, then kill what is left
    [ -f "$STATE/pids" ] || return 0
    local pid started name
    tac "$STATE/pids" | while read -r pid started name; do
        if ours "$pid" "$started" && kill "$pid" 2>/dev/null; then log "stopped $name ($pid)"; fi
    done
    for _ in $(seq 1 20); do
        local alive=0
        while read -r pid started _; do ours "$pid" "$started" && alive=1; done <"$STATE/pids"
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    while read -r pid started _; do
        if ours "$pid" "$started"; then kill -9 "$pid" 2>/dev/null || true; fi
    done <"$STATE/pids"
    rm -f "$STATE/pids"
}

all_running() { # every process `run` started is still running; otherwise the end of its log
    local pid started name
    while read -r pid started name; do
        if ! ours "$pid" "$started"; then
            log "$name exited; the end of $STATE/logs/$name.log:"
            tail -5 "$STATE/logs/$name.log" >&2
            return 1
        fi
    done <"$STATE/pids"
}

stop() {
    [ -d "$STATE" ] || return 0
    node_stop_pods
    kill_started
    node_cleanup
    if [ -d "$STATE/host.before" ]; then
        host_restore "$STATE/host.before"
    fi
    # The CA and client keys, etcd's data, the registry and the node go; the logs stay, for a
    # failure to be read (the end-to-end test removes them after a green run).
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
}

pki() {
    local dir=$STATE/pki
    mkdir -p "$dir"
    ca() { # ca NAME CN: a self-signed CA
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" -keyout "$dir/$1.key" -out "$dir/$1.crt" 2>/dev/null
    }
    ca ca flask-eks-local-ca
    # The aggregation layer's own CA: the API server proves itself to metrics-server with its client.
    ca front-proxy-ca flask-eks-front-proxy-ca
    cert apiserver /CN=kube-apiserver \
        "subjectAltName=IP:$NODE_IP,IP:10.0.0.1,IP:127.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    # system:masters: the control plane's components, the node's agents and the test's admin.
    cert admin "/O=system:masters/CN=admin" "extendedKeyUsage=clientAuth"
    cert kubelet "/CN=$NODE_NAME" "subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
    cert front-proxy-client /CN=front-proxy-client "extendedKeyUsage=clientAuth" front-proxy-ca
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
}

cert() { # cert NAME SUBJECT EXTENSIONS [CA]: a key and a certificate signed by CA (default: ca)
    local dir=$STATE/pki ca=${4:-ca}
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
    openssl x509 -req -in "$dir/$1.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial -days 2 \
        -extfile <(printf '%s\n' "$3") -out "$dir/$1.crt" 2>/dev/null
}

kubeconfig() { # kubeconfig NAME USER: $STATE/NAME.kubeconfig, authenticating as USER (YAML) says
    cat >"$STATE/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: flask-eks-local
    cluster: { server: "https://$NODE_IP:$API_PORT", certificate-authority: "$STATE/pki/ca.crt" }
users:
  - name: $1
    user: $2
contexts:
  - name: flask-eks-local
    context: { cluster: flask-eks-local, user: $1 }
current-context: flask-eks-local
EOF
}

# The kubeconfig a stack is deployed with. Its identity is the caller's, as with EKS's `aws eks
# get-token`, whose answer depends on the AWS credentials of whoever runs it: a credential plugin
# (`cluster.sh credential`) hands out the certificate named by $FLASK_EKS_IDENTITY, admin by default.
# A refresh then runs as its caller, whatever kubeconfig the state recorded.
caller_kubeconfig() {
    kubeconfig caller "{ exec: { apiVersion: client.authentication.k8s.io/v1, command: bash,
      args: [\"$PWD/engine/cluster.sh\", credential], interactiveMode: Never, env: [{ name: FLASK_EKS_CLUSTER, value: \"$STATE\" }] } }"
}

credential() {
    python3 - "$STATE/pki/${FLASK_EKS_IDENTITY:-admin}" <<'PY'
import json, sys
pem = sys.argv[1]
status = {"clientCertificateData": open(pem + ".crt").read(), "clientKeyData": open(pem + ".key").read()}
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": status}))
PY
}

control_plane() {
    local bin=$1
    run etcd "$bin/etcd" --name local --data-dir "$STATE/etcd" \
        --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls http://127.0.0.1:23380 --initial-advertise-peer-urls http://127.0.0.1:23380 \
        --initial-cluster local=http://127.0.0.1:23380 --listen-metrics-urls ""
    local pki=$STATE/pki
    # No watch cache: lists and watches are read from etcd, never behind it. With the cache, on these
    # two busy cores, the Kubernetes provider's Deployment await once read the object from before its
    # own update and reported a broken release ready at once (an upstream race, docs/operations.md,
    # "An up that succeeded too soon"); EKS's far faster API servers make it rare, not impossible.
    run kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
        --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
        --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
        --client-ca-file "$pki/ca.crt" --authorization-mode Node,RBAC \
        --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
        --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range "$SERVICE_CIDR" \
        --kubelet-client-certificate "$pki/admin.crt" --kubelet-client-key "$pki/admin.key" \
        --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalIP \
        --requestheader-client-ca-file "$pki/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
        --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
        --requestheader-extra-headers-prefix X-Remote-Extra- \
        --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
        --enable-aggregator-routing=true --watch-cache=false \
        --allow-privileged=true # as EKS's: privileged pods are refused by Pod Security, namespace by namespace
    for _ in $(seq 1 120); do
        curl -fs --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
            "https://$NODE_IP:$API_PORT/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    # Without the controller manager there are no default service accounts, ReplicaSets or garbage
    # collection (a foreground delete would never finish). Its HPA looks every 5 s, not 15, and waits
    # 10 s, not 5 min, before it scales in, so the test sees both within its time; EKS keeps
    # Kubernetes' defaults.
    run kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$STATE/admin.kubeconfig" \
        --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
        --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
        --horizontal-pod-autoscaler-sync-period 5s --horizontal-pod-autoscaler-downscale-stabilization 10s
    run kube-scheduler "$bin/kube-scheduler" --kubeconfig "$STATE/admin.kubeconfig" --leader-elect=false \
        --bind-address 127.0.0.1 --secure-port 0
}

fake_nodes() {
    local bin=$1 stages=() stage
    for stage in node-initialize node-heartbeat-with-lease; do stages+=(-c "$bin/kwok-stages/$stage.yaml"); done
    # The heartbeat stage renews node leases, as a kubelet does: without leases the node controller
    # marks the nodes not ready.
    run kwok "$bin/kwok" --kubeconfig "$STATE/admin.kubeconfig" --manage-all-nodes=false \
        --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --node-lease-duration-seconds 40 \
        "${stages[@]}"
    python3 engine/kube.py "$STATE" fake-nodes zone-b zone-c
}

registry() {
    printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
        "$STATE/registry" "$REGISTRY" >"$STATE/registry.yml"
    run registry docker-registry serve "$STATE/registry.yml"
    for _ in $(seq 1 50); do curl -fs "http://$REGISTRY/v2/" >/dev/null && return; sleep 0.2; done
    log "the registry did not start (see $STATE/logs/registry.log)"
    return 1
}

# system_image NAME BIN USER: an image holding only BIN/NAME, run as USER, pushed to the registry;
# prints its reference by digest
system_image() {
    local ref="$REGISTRY/$1:flask-eks"
    tar -C "$2" --dereference --owner 0 --group 0 -c "$1" |
        $DOCKER import --change "ENTRYPOINT [\"/$1\"]" --change "USER $3" - "$ref" >/dev/null
    $DOCKER push -q "$ref" >/dev/null
    $DOCKER image inspect -f '{{index .RepoDigests 0}}' "$ref"
}

addons() {
    local bin=$1 coredns metrics_server prometheus rollouts_controller
    coredns=$(system_image coredns "$bin" 65532)
    metrics_server=$(system_image metrics-server "$bin" 65532)
    prometheus=$(system_image prometheus "$bin" 65534)
    rollouts_controller=$(system_image rollouts-controller "$bin" 999)
    sed -e "s|@COREDNS_IMAGE@|$coredns|" -e "s|@CLUSTER_DNS@|$CLUSTER_DNS|" engine/addons/coredns.yaml |
        "$bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" apply -f - >/dev/null
    sed -e "s|@METRICS_SERVER_IMAGE@|$metrics_server|" engine/addons/metrics-server.yaml |
        "$bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" apply -f - >/dev/null
    sed -e "s|@PROMETHEUS_IMAGE@|$prometheus|" engine/addons/prometheus.yaml |
        "$bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" apply -f - >/dev/null
    # The CRDs are too large for a client-side apply's last-applied annotation.
    "$bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" apply --server-side -f "$bin/rollouts-controller-manifests/" >/dev/null
    sed -e "s|@ROLLOUTS_CONTROLLER_IMAGE@|$rollouts_controller|" engine/addons/argo-rollouts.yaml |
        "$bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" apply -f - >/dev/null
}

start() {
    local bin=$1
    local missing=()
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    node_packages missing
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
    fi
    $DOCKER info >/dev/null 2>&1 || { log "needs a running Docker engine (it makes the add-ons' images)"; return 1; }
    stop
    rm -rf "$STATE" && mkdir -p "$STATE/logs"
    host_snapshot "$STATE/host.before"
    local started=$SECONDS
    ip link add flaskeks-host type bridge
    ip addr add "$NODE_IP/32" dev flaskeks-host
    ip link set flaskeks-host up
    pki
    kubeconfig admin "{ client-certificate: \"$STATE/pki/admin.crt\", client-key: \"$STATE/pki/admin.key\" }"
    caller_kubeconfig
    control_plane "$bin"
    registry
    node_start "$bin" "$(system_image pause "$bin" 65535)"
    fake_nodes "$bin"
    addons "$bin"
    run load-balancers python3 engine/kube.py "$STATE" load-balancers "$NODE_IP"
    python3 engine/kube.py "$STATE" wait-ready
    all_running
    log "ready in $((SECONDS - started)) s (logs in $STATE/logs)"
    echo "$STATE/admin.kubeconfig"
}

user() { # user NAME [GROUP]: with FLASK_EKS_IDENTITY=NAME, the caller's kubeconfig runs as NAME
    cert "$1" "${2:+/O=$2}/CN=$1" "extendedKeyUsage=clientAuth"
}

case "${1:-}" in
start) start "${2:?usage: engine/cluster.sh start BIN}" ;;
user) user "${2:?usage: engine/cluster.sh user NAME [GROUP]}" "${3:-}" ;;
credential) credential ;;
stop) stop ;;
*)
    echo "usage: engine/cluster.sh start BIN | user NAME [GROUP] | credential | stop" >&2
    exit 2
    ;;
esac
