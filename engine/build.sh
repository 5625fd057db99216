#!/usr/bin/env bash
# Builds the real-engine tier from Go modules (and the pause container's one C file), each pinned in
# engine/versions.env, into a cache outside the repository:
#   the Pulumi CLI, its Node.js language host and the Kubernetes provider;
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (the control plane);
#   kubelet, kube-proxy, pause, kube-router, CoreDNS, metrics-server, Prometheus and the Argo
#   Rollouts controller (the real node and its add-ons);
#   kubectl and vegeta (the test's client and load generator).
# Each binary has its own cache key: its name, its version, and a hash of its recipe (the shell
# functions below that build it) and of the Go toolchain. A warm machine builds nothing; a changed
# recipe or Go version rebuilds only what it builds. Prints what it built and how long each took,
# then links every binary into one bin directory and prints that directory's path (the last line).
#
# Modules with replace directives cannot be `go install`ed by path: each is built from a small wrapper
# module that requires it and repeats its replaces (a replace to a local path becomes a require of
# that module's published version).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=engine/versions.env
source engine/versions.env
CACHE=${FLASK_EKS_CACHE:-/var/cache/flask-eks}/engine
# Go keeps its module and build caches under HOME; a bare CI environment may not set it.
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
PROVIDER_VERSION=$(node -p 'require("./package.json").dependencies["@pulumi/kubernetes"]')
GO_VERSION=$(go env GOVERSION)
log() { echo "engine: $*" >&2; }

# ---- how a module is built ----

# wrapper DIR PKG REQ...: a module at DIR that imports PKG (a tools.go, or main.go when PKG is
# "main:<Go source>") and takes each REQ as a `go mod edit` flag
wrapper() {
    local dir=$1 pkg=$2
    shift 2
    rm -rf "$dir" && mkdir -p "$dir"
    printf 'module flaskeks.local/engine\n\ngo 1.26\n' >"$dir/go.mod"
    if [[ $pkg == main:* ]]; then
        printf '%s\n' "${pkg#main:}" >"$dir/main.go"
    else
        printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$dir/tools.go"
    fi
    (
        cd "$dir"
        for req in "$@"; do go mod edit "$req"; done
        # Quiet when it works; when it fails, again with its output.
        go mod tidy >/dev/null 2>&1 || go mod tidy
    )
}

# kubernetes_stamp: the -X flags that stamp a Kubernetes binary with its version (or it reports v0.0.0)
kubernetes_stamp() {
    local minor stamp="" pkg
    IFS=. read -r _ minor _ <<<"${KUBERNETES_VERSION#v}"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        stamp+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    done
    echo "$stamp"
}

# ---- recipes: each builds one binary into the directory it is given ----

pulumi_cli() {
    local src="$CACHE/src/pulumi@$PULUMI_VERSION"
    wrapper "$src" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        "-require=github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" \
        "-require=github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
        "-replace=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e"
    (cd "$src" && go build -o "$1/pulumi" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

language_host() {
    local src="$CACHE/src/pulumi-language-nodejs@$LANGUAGE_HOST_SDK_VERSION"
    wrapper "$src" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
        "-require=github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_SDK_VERSION" \
        "-replace=golang.org/x/text=golang.org/x/text@v0.3.6"
    (cd "$src" && go build -o "$1/pulumi-language-nodejs" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGUAGE_HOST_SDK_VERSION" \
        github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
}

kubernetes_provider() {
    local src="$CACHE/src/pulumi-resource-kubernetes@$KUBERNETES_PROVIDER_MODULE"
    local module=github.com/pulumi/pulumi-kubernetes/provider/v4
    go mod download "$module@$KUBERNETES_PROVIDER_MODULE"
    wrapper "$src" "$module/cmd/pulumi-resource-kubernetes" \
        "-require=$module@$KUBERNETES_PROVIDER_MODULE" \
        "-require=github.com/pulumi/pulumi-kubernetes/sdk/v4@$KUBERNETES_PROVIDER_SDK"
    # The module zip lacks the two files the main package embeds: its schema, stamped with the version
    # this provider answers for, and its Terraform mapping. Build from a copy that has them.
    cp -r "$(go env GOMODCACHE)/$module@$KUBERNETES_PROVIDER_MODULE" "$src/provider" && chmod -R u+w "$src/provider"
    python3 - "$src/provider/cmd/pulumi-resource-kubernetes" "$PROVIDER_VERSION" <<'PY'
import json, sys
cmd, version = sys.argv[1], sys.argv[2]
schema = json.load(open(f"{cmd}/schema.json"))
schema["version"] = version
json.dump(schema, open(f"{cmd}/schema-embed.json", "w"), separators=(",", ":"))
json.dump(json.load(open(f"{cmd}/terraform-mapping.json")), open(f"{cmd}/terraform-mapping-embed.json", "w"), separators=(",", ":"))
PY
    (cd "$src" && go mod edit "-replace=$module=./provider" && go mod tidy)
    (cd "$src" && go build -o "$1/pulumi-resource-kubernetes" \
        -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PROVIDER_VERSION" \
        "$module/cmd/pulumi-resource-kubernetes")
}

# kubernetes_binary CMD OUT: one command of k8s.io/kubernetes. Every k8s.io/<staging> module the
# kubernetes module replaces with its own tree is published as v0.<minor>.<patch>.
kubernetes_binary() {
    local cmd=$1 out=$2 src staging=() minor patch
    # One wrapper module for all six commands, made again when this recipe changes.
    src="$CACHE/src/kubernetes@$KUBERNETES_VERSION-$(declare -f wrapper kubernetes_binary | sha256sum | cut -c1-12)"
    if [ ! -f "$src/go.sum" ]; then
        go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION"
        IFS=. read -r _ minor patch <<<"${KUBERNETES_VERSION#v}"
        while read -r module; do
            staging+=("-replace=$module=$module@v0.$minor.$patch")
        done < <(go mod edit -json "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod" |
            python3 -c 'import json, sys; [print(r["Old"]["Path"]) for r in json.load(sys.stdin)["Replace"] if r["New"]["Path"].startswith("./")]')
        wrapper "$src" k8s.io/kubernetes/cmd/kube-apiserver "-require=k8s.io/kubernetes@$KUBERNETES_VERSION" "${staging[@]}"
    fi
    (cd "$src" && go build -o "$out/$cmd" -ldflags "$(kubernetes_stamp)" "k8s.io/kubernetes/cmd/$cmd")
}

# The sandbox ("pause") container's process, from the C file Kubernetes builds its pause image from,
# at the same version: a static binary, so its image is that file alone.
pause() {
    go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION"
    gcc -Os -static -Wall -Werror -DVERSION="$KUBERNETES_VERSION" -o "$1/pause" \
        "$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/build/pause/linux/pause.c"
}

kwok() {
    GOBIN="$1" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    # kwok's stages (how fake nodes move through their lifecycle); engine/cluster.sh passes each with -c.
    local stage
    stage="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
    mkdir -p "$1/stages"
    cp "$stage"/node/fast/node-*.yaml "$stage"/node/heartbeat-with-lease/node-*.yaml "$1/stages/"
}

# etcd's own main package lives in its root module, whose go.mod replaces every etcd module with a
# local path; the server module exports the same entry point, so a two-line main builds it.
etcd() {
    local src="$CACHE/src/etcd@$ETCD_VERSION"
    wrapper "$src" 'main:package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }' "-require=go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    (cd "$src" && go build -o "$1/etcd" .)
}

kube_router() {
    local src="$CACHE/src/kube-router@$KUBE_ROUTER_VERSION"
    wrapper "$src" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
        "-require=github.com/cloudnativelabs/kube-router/v2@$KUBE_ROUTER_VERSION"
    (cd "$src" && go build -o "$1/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router)
}

metrics_server() {
    local src="$CACHE/src/metrics-server@$METRICS_SERVER_VERSION"
    wrapper "$src" sigs.k8s.io/metrics-server/cmd/metrics-server "-require=sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION"
    # Static: it runs in an image that holds nothing else.
    (cd "$src" && CGO_ENABLED=0 go build -o "$1/metrics-server" sigs.k8s.io/metrics-server/cmd/metrics-server)
}

# CoreDNS with the plugins engine/addons/coredns.yaml's Corefile names, in the order CoreDNS runs them
# (its plugin.cfg); a full build would compile every cloud DNS provider's SDK too.
coredns() {
    local src="$CACHE/src/coredns@$COREDNS_VERSION"
    wrapper "$src" 'main:package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
)

func init() {
	dnsserver.Directives = []string{"errors", "health", "ready", "kubernetes", "cache", "loop"}
}

func main() { coremain.Run() }' "-require=github.com/coredns/coredns@$COREDNS_VERSION"
    (cd "$src" && CGO_ENABLED=0 go build -o "$1/coredns" .) # static, as metrics-server
}

# Prometheus with the service discovery it is given here (Kubernetes; file, static and HTTP come
# with it): the other discoverers' cloud SDKs stay out. Without the builtinassets tag it serves no
# web UI, which needs assets built by npm; its query API, what the test reads, is all there.
prometheus() {
    local src="$CACHE/src/prometheus@$PROMETHEUS_VERSION"
    wrapper "$src" github.com/prometheus/prometheus/cmd/prometheus \
        "-require=github.com/prometheus/prometheus@$PROMETHEUS_VERSION"
    # Static: it runs in an image that holds nothing else.
    (cd "$src" && CGO_ENABLED=0 go build -tags remove_all_sd,enable_kubernetes_sd -o "$1/prometheus" \
        -ldflags "-X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION#v}" \
        github.com/prometheus/prometheus/cmd/prometheus)
}

# The Argo Rollouts controller, which runs a canary release and its analysis (components/app/canary.ts).
# Its go.mod replaces 34 modules, all with published versions, and names Go 1.26.10: the wrapper
# repeats the replaces, and TOOLCHAIN (the approved newer Go, from the proxy) builds it. Its CRDs and
# ClusterRole come from the same module version, beside the binary.
rollouts_controller() {
    local toolchain=$1 out=$2 src="$CACHE/src/argo-rollouts@$ARGO_ROLLOUTS_VERSION" module=github.com/argoproj/argo-rollouts
    local replaces=()
    local -x GOTOOLCHAIN=$toolchain # for this recipe only
    go mod download "$module@$ARGO_ROLLOUTS_VERSION"
    mapfile -t replaces < <(go mod edit -json "$(go env GOMODCACHE)/cache/download/$module/@v/$ARGO_ROLLOUTS_VERSION.mod" |
        python3 -c 'import json, sys
for r in json.load(sys.stdin)["Replace"]: print("-replace=%s=%s@%s" % (r["Old"]["Path"], r["New"]["Path"], r["New"]["Version"]))')
    wrapper "$src" "$module/cmd/rollouts-controller" "-require=$module@$ARGO_ROLLOUTS_VERSION" "${replaces[@]}"
    (cd "$src" && CGO_ENABLED=0 go build -o "$out/rollouts-controller" \
        -ldflags "-X $module/utils/version.version=${ARGO_ROLLOUTS_VERSION#v}" "$module/cmd/rollouts-controller")
    local manifests
    manifests="$(go env GOMODCACHE)/$module@$ARGO_ROLLOUTS_VERSION/manifests"
    mkdir -p "$out/manifests"
    cp "$manifests"/crds/*-crd.yaml "$manifests/role/argo-rollouts-clusterrole.yaml" "$out/manifests/"
}

vegeta() {
    GOBIN="$1" go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION"
}

# ---- the cache ----

# build NAME VERSION RECIPE [ARG...]: runs `RECIPE [ARG...] DIR` to build NAME into
# $CACHE/NAME@VERSION-HASH unless that exists, and links it into $bin
build() {
    local name=$1 version=$2 recipe=$3
    shift 3
    local key
    key=$({ declare -f wrapper kubernetes_stamp "$recipe"; echo "$name $version $* $GO_VERSION $GOFLAGS"; } |
        sha256sum | cut -c1-12)
    local out="$CACHE/$name@$version-$key"
    if [ ! -x "$out/$name" ]; then
        local started=$SECONDS
        log "building $name $version"
        rm -rf "$out.tmp" && mkdir -p "$out.tmp"
        "$recipe" "$@" "$out.tmp"
        rm -rf "$out" && mv "$out.tmp" "$out"
        log "built $name $version in $((SECONDS - started)) s"
    fi
    # Hard links, not symlinks: the CLI looks for its language host beside its own resolved path.
    ln -f "$out/$name" "$bin/$name"
    # What a recipe keeps beside its binary (kwok's stages, the controller's manifests).
    local extra
    for extra in stages manifests; do
        if [ -d "$out/$extra" ]; then ln -sfn "$out/$extra" "$bin/$name-$extra"; fi
    done
}

started=$SECONDS
bin="$CACHE/bin"
rm -rf "$bin" && mkdir -p "$bin"
build pulumi "$PULUMI_VERSION" pulumi_cli
build pulumi-language-nodejs "$LANGUAGE_HOST_SDK_VERSION" language_host
build pulumi-resource-kubernetes "$KUBERNETES_PROVIDER_MODULE-$PROVIDER_VERSION" kubernetes_provider
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
    build "$cmd" "$KUBERNETES_VERSION" kubernetes_binary "$cmd"
done
build pause "$KUBERNETES_VERSION" pause
build kwok "$KWOK_VERSION" kwok
build etcd "$ETCD_VERSION" etcd
build kube-router "$KUBE_ROUTER_VERSION" kube_router
build metrics-server "$METRICS_SERVER_VERSION" metrics_server
build coredns "$COREDNS_VERSION" coredns
build prometheus "$PROMETHEUS_VERSION" prometheus
build rollouts-controller "$ARGO_ROLLOUTS_VERSION" rollouts_controller "$ARGO_ROLLOUTS_GO"
build vegeta "$VEGETA_VERSION" vegeta
log "ready in $((SECONDS - started)) s"
echo "$bin"
