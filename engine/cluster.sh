#!/usr/bin/env bash
# A Kubernetes cluster on loopback, from the binaries engine/build.sh makes: Debian's etcd,
# kube-apiserver (RBAC, the default admission plugins, PodSecurity among them), the controller
# manager and the scheduler, kwok with fake nodes in three zones (pods schedule and turn Running with
# no kubelet), a local image registry (Debian's docker-registry) on 127.0.0.1:5000, and a stand-in
# for the cloud's service controller that gives LoadBalancer Services a hostname, as EKS's does.
#   engine/cluster.sh start BIN   start it; writes $STATE/kubeconfig; prints that path (last line)
#   engine/cluster.sh stop        stop everything it started, by PID
# STATE is FLASK_EKS_CLUSTER, default /tmp/flask-eks-cluster. Needs root for apt-get on a new machine.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${FLASK_EKS_CLUSTER:-/tmp/flask-eks-cluster}
ETCD_PORT=23379
API_PORT=26443
REGISTRY=127.0.0.1:5000
log() { echo "cluster: $*" >&2; }

stop() {
    if [ -f "$STATE/pids" ]; then
        # Last started, first stopped: nothing is left talking to an API server that is gone.
        tac "$STATE/pids" | while read -r pid name; do
            if kill "$pid" 2>/dev/null; then log "stopped $name ($pid)"; fi
        done
        sleep 1
        tac "$STATE/pids" | while read -r pid _; do kill -9 "$pid" 2>/dev/null || true; done
        rm -f "$STATE/pids"
    fi
}

run() { # run NAME COMMAND...: start it in the background, its output in $STATE/logs/NAME.log
    local name=$1
    shift
    "$@" >"$STATE/logs/$name.log" 2>&1 &
    echo "$! $name" >>"$STATE/pids"
}

pki() {
    local dir=$STATE/pki
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=flask-eks-local-ca \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
    cert() { # cert NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA
        openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$dir/$1.key" -out "$dir/$1.csr" 2>/dev/null
        openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
            -extfile <(printf '%s\n' "$3") -out "$dir/$1.crt" 2>/dev/null
    }
    cert apiserver /CN=kube-apiserver \
        "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
    # system:masters: the one client every component and the tests use.
    cert admin "/O=system:masters/CN=admin" "extendedKeyUsage=clientAuth"
    openssl genrsa -out "$dir/sa.key" 2048 2>/dev/null
    openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub" 2>/dev/null
}

kubeconfig() {
    cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: flask-eks-local
    cluster: { server: "https://127.0.0.1:$API_PORT", certificate-authority: "$STATE/pki/ca.crt" }
users:
  - name: admin
    user: { client-certificate: "$STATE/pki/admin.crt", client-key: "$STATE/pki/admin.key" }
contexts:
  - name: flask-eks-local
    context: { cluster: flask-eks-local, user: admin }
current-context: flask-eks-local
EOF
    echo "https://127.0.0.1:$API_PORT" >"$STATE/server"
}

start() {
    local bin=$1
    missing=()
    command -v etcd >/dev/null || missing+=(etcd-server)
    command -v docker-registry >/dev/null || missing+=(docker-registry)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
    fi
    stop
    rm -rf "$STATE" && mkdir -p "$STATE/logs"
    pki
    kubeconfig
    local started=$SECONDS

    run etcd etcd --name local --data-dir "$STATE/etcd" \
        --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls http://127.0.0.1:23380 --initial-advertise-peer-urls http://127.0.0.1:23380 \
        --initial-cluster local=http://127.0.0.1:23380
    run kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
        --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
        --tls-cert-file "$STATE/pki/apiserver.crt" --tls-private-key-file "$STATE/pki/apiserver.key" \
        --client-ca-file "$STATE/pki/ca.crt" --authorization-mode Node,RBAC \
        --service-account-key-file "$STATE/pki/sa.pub" --service-account-signing-key-file "$STATE/pki/sa.key" \
        --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.0.0.0/24 \
        --allow-privileged=true # as EKS's: privileged pods are refused by Pod Security, namespace by namespace
    for _ in $(seq 1 120); do
        curl -fs --cacert "$STATE/pki/ca.crt" --cert "$STATE/pki/admin.crt" --key "$STATE/pki/admin.key" \
            "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    # Without the controller manager there are no default service accounts, ReplicaSets or garbage
    # collection (a foreground delete would never finish); the scheduler binds pods to kwok's nodes.
    run kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$STATE/kubeconfig" \
        --service-account-private-key-file "$STATE/pki/sa.key" --root-ca-file "$STATE/pki/ca.crt" \
        --leader-elect=false --bind-address 127.0.0.1 --secure-port 0
    run kube-scheduler "$bin/kube-scheduler" --kubeconfig "$STATE/kubeconfig" --leader-elect=false \
        --bind-address 127.0.0.1 --secure-port 0
    local stages=()
    for stage in node-initialize node-heartbeat-with-lease pod-ready pod-complete pod-delete; do
        stages+=(-c "$bin/kwok-stages/$stage.yaml")
    done
    # The heartbeat stage renews node leases, as a kubelet does, and posts status only every 10
    # minutes: without leases the node controller marks the nodes, and every pod on them, not ready.
    run kwok "$bin/kwok" --kubeconfig "$STATE/kubeconfig" --manage-all-nodes=false \
        --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake --node-lease-duration-seconds 40 \
        "${stages[@]}"
    python3 engine/kube.py "$STATE" nodes 3
    run load-balancers python3 engine/kube.py "$STATE" load-balancers
    printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
        "$STATE/registry" "$REGISTRY" >"$STATE/registry.yml"
    run registry docker-registry serve "$STATE/registry.yml"
    python3 engine/kube.py "$STATE" wait-ready
    log "ready in $((SECONDS - started)) s (logs in $STATE/logs)"
    echo "$STATE/kubeconfig"
}

case "${1:-}" in
start) start "${2:?usage: engine/cluster.sh start BIN}" ;;
stop) stop ;;
*)
    echo "usage: engine/cluster.sh start BIN | stop" >&2
    exit 2
    ;;
esac
