#!/usr/bin/env bash
# Sourced by the container test and the serve benchmark: a Docker engine, the base image and the
# app image built from the real app/Dockerfile. Needs root (it installs packages and starts dockerd).
# Public registries are unreachable here, so the base image is built locally (a debootstrapped
# Debian with the machine's CPython 3.13, like python:3.13-slim) and put in place of the Dockerfile's
# pinned base, its one `FROM python:…@sha256:… AS base` line.
#   image_tools PACKAGE...   install what is missing (docker.io and debootstrap always)
#   image_engine             use the running engine or start dockerd; image_cleanup stops it
#   image_build TAG VERSION  build app/ as TAG with APP_VERSION=VERSION

BASE_IMAGE=flask-eks-base:py3.13
CACHE=${FLASK_EKS_CACHE:-/var/cache/flask-eks}
# Debian's client matches Debian's daemon; the newer one on PATH needs buildx for BuildKit.
DOCKER=/usr/bin/docker
dockerd_pid=""

image_tools() {
    local missing=() tool package
    for tool in dockerd:docker.io debootstrap:debootstrap "$@"; do
        package=${tool#*:}
        command -v "${tool%%:*}" >/dev/null || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "image: installing ${missing[*]}" >&2
        apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
    fi
}

image_engine() {
    if $DOCKER info >/dev/null 2>&1; then
        echo "image: using the Docker engine already running" >&2
        return
    fi
    # No bridge, no iptables rules, no forwarding: builds and containers use the host's network, so
    # the daemon leaves no interface, chain or kernel setting behind when it stops.
    /usr/sbin/dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false >/tmp/flask-eks-dockerd.log 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && return; sleep 0.5; done
    echo "image: dockerd did not start; see /tmp/flask-eks-dockerd.log" >&2
    return 1
}

image_cleanup() {
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null || true
        wait "$dockerd_pid" 2>/dev/null || true
    fi
}

image_base() {
    $DOCKER image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return
    mkdir -p "$CACHE"
    if [ ! -f "$CACHE/base-rootfs.tar" ]; then
        local python_home mirror rootfs
        python_home=$(printf '%s\n' "${PYENV_ROOT:-/root/.pyenv}"/versions/3.13* | sort -V | tail -1)
        # The Debian mirror apt already uses (whatever this machine is configured with).
        mirror=$(apt-cache policy | awk '/ bookworm\/main / && !m {m = $2} END {print m}')
        rootfs=$(mktemp -d)
        echo "image: debootstrap bookworm (cached afterwards in $CACHE)" >&2
        debootstrap --variant=minbase \
            --include=ca-certificates,libssl3,libffi8,zlib1g,libbz2-1.0,liblzma5,libsqlite3-0,libreadline8,libncursesw6,libexpat1,libuuid1 \
            bookworm "$rootfs" "$mirror" >/dev/null
        # The interpreter goes where the official image keeps it; its libpython is found through
        # /usr/local/lib, which Debian's loader already searches.
        cp -a "$python_home"/{bin,lib} "$rootfs/usr/local/"
        rm -rf "$rootfs"/usr/local/lib/python3.13/test "$rootfs"/usr/local/lib/python3.13/config-3.13-*
        ln -sf python3.13 "$rootfs/usr/local/bin/python"
        ln -sf python3.13 "$rootfs/usr/local/bin/python3"
        chroot "$rootfs" /sbin/ldconfig
        # The machine's CA bundle, so pip inside builds trusts the same registries the host does.
        cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -cf "$CACHE/base-rootfs.tar" .
        rm -rf "$rootfs"
    fi
    echo "image: importing $BASE_IMAGE" >&2
    $DOCKER import "$CACHE/base-rootfs.tar" "$BASE_IMAGE" >/dev/null
}

image_build() {
    local tag=$1 version=$2 setting var value pip_config started dockerfile
    image_base
    dockerfile=$(sed -E "s#^FROM python:[^ ]+@sha256:[0-9a-f]{64} AS base\$#FROM $BASE_IMAGE AS base#" app/Dockerfile)
    if ! grep -qx "FROM $BASE_IMAGE AS base" <<<"$dockerfile"; then
        echo "image: app/Dockerfile has no 'FROM python:<tag>@sha256:<digest> AS base' line to replace" >&2
        return 1
    fi
    local build_args=(--build-arg "APP_VERSION=$version")
    # The host's package-index settings, so no registry host is written into a committed file.
    pip_config=$(python3 -m pip config list 2>/dev/null || true)
    for setting in index-url extra-index-url trusted-host cert; do
        var="PIP_$(echo "$setting" | tr 'a-z-' 'A-Z_')"
        value=${!var:-$(sed -nE "s/^[^.]+\.$setting='(.*)'$/\1/p" <<<"$pip_config" | head -1)}
        [ -n "$value" ] && build_args+=(--build-arg "$var=$value")
    done
    echo "image: building app/Dockerfile as $tag" >&2
    started=$(date +%s)
    DOCKER_BUILDKIT=0 $DOCKER build -q --network host "${build_args[@]}" -f - -t "$tag" app/ <<<"$dockerfile" >/dev/null
    echo "image: built in $(($(date +%s) - started)) s" >&2
}
