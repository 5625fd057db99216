#!/usr/bin/env bash
# Builds the real-engine tier from Go modules, each pinned in engine/versions.env, into a cache outside
# the repository keyed by version: a warm machine builds nothing. Prints what it built and how long
# each took, then links every binary into one bin directory and prints its path (the last line).
#   pulumi (CLI), pulumi-language-nodejs, pulumi-resource-kubernetes, pulumi-analyzer-policy,
#   kube-apiserver, kube-controller-manager, kube-scheduler, kwok (and kwok's stage configs)
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
log() { echo "engine: $*" >&2; }

# wrapper DIR MODULE... : a module at DIR requiring each "path version" pair, with tools.go importing PKG
wrapper() {
    local dir=$1 pkg=$2
    shift 2
    rm -rf "$dir" && mkdir -p "$dir"
    printf 'module flaskeks.local/engine\n\ngo 1.26\n' >"$dir/go.mod"
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$dir/tools.go"
    (
        cd "$dir"
        for req in "$@"; do go mod edit "$req"; done
        # Quiet when it works; when it fails, again with its output.
        go mod tidy >/dev/null 2>&1 || go mod tidy
    )
}

# build NAME VERSION COMMAND...: runs COMMAND to build NAME into $CACHE/NAME@VERSION unless it is there
build() {
    local name=$1 version=$2
    shift 2
    local out="$CACHE/$name@$version"
    if [ -x "$out/$name" ]; then return; fi
    local started=$SECONDS
    log "building $name $version"
    mkdir -p "$out.tmp"
    "$@" "$out.tmp"
    rm -rf "$out" && mv "$out.tmp" "$out"
    log "built $name $version in $((SECONDS - started)) s"
}

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

kubernetes_control_plane() {
    local src="$CACHE/src/kubernetes@$KUBERNETES_VERSION" staging=() minor patch
    go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION"
    # Every k8s.io/<staging> module kubernetes replaces with its own tree is published as v0.<minor>.<patch>.
    IFS=. read -r _ minor patch <<<"${KUBERNETES_VERSION#v}"
    while read -r module; do
        staging+=("-replace=$module=$module@v0.$minor.$patch")
    done < <(go mod edit -json "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$KUBERNETES_VERSION.mod" |
        python3 -c 'import json, sys; [print(r["Old"]["Path"]) for r in json.load(sys.stdin)["Replace"] if r["New"]["Path"].startswith("./")]')
    wrapper "$src" k8s.io/kubernetes/cmd/kube-apiserver "-require=k8s.io/kubernetes@$KUBERNETES_VERSION" "${staging[@]}"
    local stamp="" pkg
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        stamp+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    done
    for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
        (cd "$src" && go build -o "$1/$cmd" -ldflags "$stamp" "k8s.io/kubernetes/cmd/$cmd")
    done
}

kwok() {
    GOBIN="$1" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    # kwok's "fast" stages (how fake nodes and pods move through their lifecycle); engine/cluster.sh
    # passes each with -c.
    local stage
    stage="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
    mkdir -p "$1/stages"
    cp "$stage"/node/fast/node-*.yaml "$stage"/node/heartbeat-with-lease/node-*.yaml "$stage"/pod/fast/pod-*.yaml "$1/stages/"
}

started=$SECONDS
build pulumi "$PULUMI_VERSION" pulumi_cli
build pulumi-language-nodejs "$LANGUAGE_HOST_SDK_VERSION" language_host
build pulumi-resource-kubernetes "$KUBERNETES_PROVIDER_MODULE-$PROVIDER_VERSION" kubernetes_provider
build kube-apiserver "$KUBERNETES_VERSION" kubernetes_control_plane
build kwok "$KWOK_VERSION" kwok

# One directory on PATH for everything, so plugins resolve from it with no download.
bin="$CACHE/bin"
rm -rf "$bin" && mkdir -p "$bin"
ln -s "$CACHE/pulumi@$PULUMI_VERSION/pulumi" "$CACHE/pulumi-language-nodejs@$LANGUAGE_HOST_SDK_VERSION/pulumi-language-nodejs" \
    "$CACHE/pulumi-resource-kubernetes@$KUBERNETES_PROVIDER_MODULE-$PROVIDER_VERSION/pulumi-resource-kubernetes" \
    "$CACHE/kwok@$KWOK_VERSION/kwok" "$bin/"
for cmd in kube-apiserver kube-controller-manager kube-scheduler; do ln -s "$CACHE/kube-apiserver@$KUBERNETES_VERSION/$cmd" "$bin/"; done
ln -s "$CACHE/kwok@$KWOK_VERSION/stages" "$bin/kwok-stages"
# The CLI finds plugins on PATH and, with automatic acquisition off, never downloads one: a missing
# binary must stop here, by name, not later as a plugin error.
for name in pulumi pulumi-language-nodejs pulumi-resource-kubernetes kube-apiserver kube-controller-manager \
    kube-scheduler kwok kwok-stages/node-initialize.yaml kwok-stages/pod-ready.yaml; do
    [ -e "$bin/$name" ] || { log "missing $name in $bin (remove its directory in $CACHE to rebuild it)"; exit 1; }
done
log "ready in $((SECONDS - started)) s"
echo "$bin"
