#!/usr/bin/env bash
# Sourced by engine/cluster.sh, which sets STATE, NODE_IP, NODE_NAME, SERVICE_CIDR, CLUSTER_DNS and
# REGISTRY and defines run and log (ours is engine/host.sh's): the one real node. Debian's containerd
# and runc run its pods on a CNI bridge; kubelet, kube-proxy (iptables) and kube-router
# (NetworkPolicy, firewall only) are the ones engine/build.sh makes. What this machine needs, each
# seen here:
#   - root lacks CAP_SYS_RESOURCE, so runc cannot raise a sandbox's OOM score ("can't get final
#     child's PID from pipe: EOF") unless containerd restricts it to the caller's own;
#   - the cgroup filesystem is v1, which kubelet 1.35 refuses unless told otherwise;
#   - the CNI firewall plugin opens FORWARD for the pods, whatever policy the chain already has.
#   node_packages VAR        append the Debian packages the node needs and lacks to the array VAR
#   node_start BIN PAUSE     start the node, PAUSE being the sandbox image by digest
#   node_stop_pods           stop kubelet and kill every container (no API server needed)
#   node_cleanup             stop what containerd left behind and unmount the node's state
POD_CIDR=10.244.0.0/24
NODE=$STATE/node

node_packages() {
    local -n packages=$1
    local tool
    for tool in containerd:containerd runc:runc iptables:iptables ipset:ipset \
        /usr/lib/cni/bridge:containernetworking-plugins; do
        command -v "${tool%%:*}" >/dev/null || packages+=("${tool#*:}")
    done
}

containerd_config() {
    mkdir -p "$NODE/containerd/certs.d/$REGISTRY" "$NODE/cni/conf"
    cat >"$NODE/containerd/config.toml" <<EOF
version = 2
root = "$NODE/containerd/root"
state = "$NODE/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$NODE/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$1"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE/cni/conf"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$NODE/containerd/certs.d"
EOF
    # The local registry speaks plain HTTP.
    printf 'server = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' \
        "$REGISTRY" "$REGISTRY" >"$NODE/containerd/certs.d/$REGISTRY/hosts.toml"
    # No masquerading: a pod's packets never leave with the machine's address (node_start also drops
    # anything the bridge would forward elsewhere).
    cat >"$NODE/cni/conf/10-flaskeks.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "flaskeks",
  "plugins": [
    {
      "type": "bridge", "bridge": "flaskeks-cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "ranges": [[{ "subnet": "$POD_CIDR" }]], "routes": [{ "dst": "0.0.0.0/0" }],
                "dataDir": "$NODE/cni/ipam" }
    },
    { "type": "firewall" }
  ]
}
EOF
}

kubelet_config() {
    cat >"$NODE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: "$STATE/pki/ca.crt" }
authorization: { mode: Webhook }
tlsCertFile: "$STATE/pki/kubelet.crt"
tlsPrivateKeyFile: "$STATE/pki/kubelet.key"
containerRuntimeEndpoint: "unix://$NODE/containerd/containerd.sock"
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: ["$CLUSTER_DNS"]
clusterDomain: cluster.local
# Pods with dnsPolicy Default get no upstream resolver: nothing resolves outside the cluster.
resolvConf: "$NODE/resolv.conf"
podLogsDir: "$NODE/pod-logs"
makeIPTablesUtilChains: false
serializeImagePulls: false
# A full disk on a build machine must not evict the test's pods or delete its images.
evictionHard: { memory.available: "100Mi" }
imageGCHighThresholdPercent: 100
EOF
    : >"$NODE/resolv.conf"
}

kube_proxy_config() {
    cat >"$NODE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: "$STATE/admin.kubeconfig" }
hostnameOverride: $NODE_NAME
mode: iptables
clusterCIDR: 10.244.0.0/16
# NodePorts on the node's address only, not on the machine's own or on loopback.
nodePortAddresses: ["$NODE_IP/32"]
iptables: { localhostNodePorts: false }
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# Zero: leave the machine's conntrack settings as they are.
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
}

node_start() {
    local bin=$1 pause=$2
    mkdir -p "$NODE"
    containerd_config "$pause"
    kubelet_config
    kube_proxy_config
    # Pods talk to each other and to the node, never beyond. The mangle table's FORWARD runs before
    # the filter rules that the CNI plugins, kube-proxy and kube-router insert ahead of any other.
    iptables -t mangle -A FORWARD -i flaskeks-cni0 ! -o flaskeks-cni0 -j DROP
    # The CNI firewall plugin's chains and jumps, as it makes them, made before any pod: two pods set
    # up at once race to make them ("Chain 'CNI-FORWARD' does not exist", seen here), and made ones
    # are left alone (plugins/meta/firewall/iptables.go, setupChains).
    iptables -N CNI-FORWARD
    iptables -N CNI-ADMIN
    iptables -I FORWARD 1 -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD
    iptables -I CNI-FORWARD 1 -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN
    run containerd containerd --config "$NODE/containerd/config.toml"
    for _ in $(seq 1 50); do [ -S "$NODE/containerd/containerd.sock" ] && break; sleep 0.2; done
    run kubelet "$bin/kubelet" --config "$NODE/kubelet.yaml" --kubeconfig "$STATE/admin.kubeconfig" \
        --root-dir "$NODE/kubelet" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
        --node-labels "topology.kubernetes.io/zone=zone-a,type=real"
    run kube-proxy "$bin/kube-proxy" --config "$NODE/kube-proxy.yaml"
    for _ in $(seq 1 120); do
        "$bin/kubectl" --kubeconfig "$STATE/admin.kubeconfig" get node "$NODE_NAME" >/dev/null 2>&1 && break
        sleep 0.5
    done
    # kube-router finds its Node (registered by kubelet just now) by NODE_NAME; its health and metrics servers would listen on every
    # address, so both are off.
    run kube-router env NODE_NAME="$NODE_NAME" "$bin/kube-router" --kubeconfig "$STATE/admin.kubeconfig" \
        --run-firewall=true --run-router=false --run-service-proxy=false \
        --service-cluster-ip-range "$SERVICE_CIDR" --health-port 0 --metrics-port 0
}

ctr_() { ctr --address "$NODE/containerd/containerd.sock" --namespace k8s.io "$@"; }

node_stop_pods() {
    [ -S "$NODE/containerd/containerd.sock" ] && [ -f "$STATE/pids" ] || return 0
    local pid started name task
    # kubelet first, or it starts again what is killed below.
    while read -r pid started name; do
        if [ "$name" = kubelet ] && ours "$pid" "$started"; then kill "$pid" 2>/dev/null || true; fi
    done <"$STATE/pids"
    sleep 1
    for task in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$task" 2>/dev/null || true; done
    for _ in $(seq 1 20); do
        [ -z "$(ctr_ tasks ls 2>/dev/null | awk 'NR > 1 && $3 != "STOPPED"')" ] && break
        sleep 0.5
    done
    for task in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete "$task" >/dev/null 2>&1 || true; done
}

node_cleanup() {
    # A shim outlives containerd by design; this node's are the ones given its socket.
    pkill -9 -f "containerd-shim.*-address $NODE/containerd/containerd.sock" 2>/dev/null || true
    awk -v node="$NODE/" 'index($5, node) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r mount; do
        umount -l "$mount" 2>/dev/null || true
    done
}
