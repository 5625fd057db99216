#!/usr/bin/env bash
# Sourced by the container test and the serve benchmark: a Docker engine, the base image and the
# app image built from the real app/Dockerfile. Needs root (it installs packages and starts dockerd).
# Public registries are unreachable here, so the base image is built locally (a debootstrapped
# Debian with the machine's CPython 3.13, like python:3.13-slim) and put in place of the Dockerfile's
# pinned base, its one `FROM python:…@sha256:… AS base` line.
#   image_tools PACKAGE...   install what is missing (docker.io and debootstrap always)
#   image_engine             use the running engine or start dockerd; image_cleanup stops it
#   image_build TAG VERSION [PLATFORM]
#                            build app/ as TAG with APP_VERSION=VERSION, for PLATFORM: the machine's
#                            own by default, or linux/arm64 through QEMU (what a Graviton stack builds)
#   image_emulate ARCH       let this machine run ARCH's (aarch64's) binaries through QEMU; when it
#                            cannot, emulate_error holds the exact error. image_cleanup undoes it

BASE_IMAGE=flask-eks-base:py3.13
CACHE=${FLASK_EKS_CACHE:-/var/cache/flask-eks}
# Debian's client matches Debian's daemon; the newer one on PATH needs buildx for BuildKit.
DOCKER=/usr/bin/docker
dockerd_pid=""
BINFMT=/proc/sys/fs/binfmt_misc
emulate_error=""
emulate_registered=()
image_built_in="" # seconds the last image_build took, its base not counted

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
    # The emulators registered here, and only those: one that was there before stays.
    local entry
    for entry in "${emulate_registered[@]}"; do echo -1 >"$entry" 2>/dev/null || true; done
    emulate_registered=()
}

image_emulate() {
    local arch=$1 entry=$BINFMT/qemu-$1 line err
    emulate_error=""
    [ "$(uname -m)" = "$arch" ] && return
    if [ ! -e "$BINFMT/register" ]; then
        err=$(mount -t binfmt_misc binfmt_misc "$BINFMT" 2>&1) || { emulate_error=$err; return 1; }
    fi
    if [ ! -e "$entry" ]; then
        image_tools "qemu-$arch-static:qemu-user-static"
        # Debian's registration line, flags OPF. F (fix-binary) has the kernel open the emulator now,
        # from the host's filesystem, so it runs inside containers and builds, where its path does
        # not exist. No systemd here to register it, so it is written to the kernel directly.
        line=$(cat "/usr/lib/binfmt.d/qemu-$arch.conf") || { emulate_error="no /usr/lib/binfmt.d/qemu-$arch.conf"; return 1; }
        err=$({ printf '%s\n' "$line" >"$BINFMT/register"; } 2>&1) || { emulate_error=$err; return 1; }
        emulate_registered+=("$entry")
    fi
    if [ "$(head -1 "$BINFMT/status")" != enabled ] || [ "$(head -1 "$entry")" != enabled ]; then
        emulate_error="$entry is registered but disabled (echo 1 > $entry)"
        return 1
    fi
    if ! grep -q '^flags: .*F' "$entry"; then
        emulate_error="$entry is registered without the F (fix-binary) flag, so containers cannot reach its interpreter: remove it (echo -1 > $entry) and run again"
        return 1
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

# The linux/arm64 base. The machine's CPython is built for x86, so this one carries Debian trixie's
# own 3.13 (trixie is the release python:3.13-slim is built on), debootstrapped for arm64 with the
# packages' scripts running under QEMU. Every step checks its own status: a caller may run this where
# set -e does not apply, and a half-made rootfs must never be cached.
image_base_arm64() {
    local image=$BASE_IMAGE-arm64 tarball=$CACHE/base-rootfs-arm64.tar mirror rootfs meta layer
    $DOCKER image inspect "$image" >/dev/null 2>&1 && return
    mkdir -p "$CACHE" || return 1
    if [ ! -f "$tarball" ]; then
        mirror=$(apt-cache policy | awk '/ bookworm\/main / && !m {m = $2} END {print m}')
        rootfs=$(mktemp -d)
        echo "image: debootstrap trixie for arm64 under QEMU (about 5 min; cached afterwards in $CACHE)" >&2
        # python3-venv brings ensurepip, which the Dockerfile's `python -m venv` needs.
        if ! debootstrap --arch=arm64 --variant=minbase --include=ca-certificates,python3,python3-venv \
            trixie "$rootfs" "$mirror" >/dev/null; then
            echo "image: debootstrap for arm64 failed; see $rootfs/debootstrap/debootstrap.log" >&2
            return 1
        fi
        # `python` where the official image has it (Debian's python3 has no `python`).
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python"
        ln -sf /usr/bin/python3 "$rootfs/usr/local/bin/python3"
        cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt" || return 1
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball" || return 1
        rm -rf "$rootfs"
    fi
    # Not `docker import`: the 20.10 daemon stamps its own architecture (amd64) on an imported image
    # whatever --platform says, and BuildKit, finding no local linux/arm64 image by that name, goes to
    # pull it from Docker Hub. `docker load` takes the tarball as the one layer under a config that
    # says arm64, with the official image's PATH and LANG.
    echo "image: loading $image" >&2
    meta=$(mktemp -d)
    layer=$(sha256sum "$tarball" | cut -d' ' -f1) || return 1
    printf '%s' '{"architecture":"arm64","os":"linux","created":"'"$(date -u -r "$tarball" +%FT%TZ)"'",' \
        '"config":{"Env":["PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],"Cmd":["python3"]},' \
        '"rootfs":{"type":"layers","diff_ids":["sha256:'"$layer"'"]}}' >"$meta/config.json"
    printf '[{"Config":"config.json","RepoTags":["%s"],"Layers":["%s"]}]' "$image" "${tarball##*/}" >"$meta/manifest.json"
    tar -c -C "$meta" manifest.json config.json -C "$CACHE" "${tarball##*/}" | $DOCKER load >/dev/null || return 1
    rm -rf "$meta"
}

image_build() {
    local tag=$1 version=$2 platform=${3:-} base=$BASE_IMAGE setting var value pip_config started dockerfile
    image_built_in=""
    case $platform in
        "") image_base ;;
        linux/arm64)
            image_emulate aarch64 || { echo "image: cannot run arm64 binaries here: $emulate_error" >&2; return 1; }
            image_base_arm64 || return 1
            base=$BASE_IMAGE-arm64
            ;;
        *) echo "image: no base for $platform (the machine's own platform, or linux/arm64)" >&2; return 1 ;;
    esac
    dockerfile=$(sed -E "s#^FROM python:[^ ]+@sha256:[0-9a-f]{64} AS base\$#FROM $base AS base#" app/Dockerfile)
    if ! grep -qx "FROM $base AS base" <<<"$dockerfile"; then
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
    echo "image: building app/Dockerfile as $tag${platform:+ for $platform}" >&2
    started=$(date +%s)
    if [ -z "$platform" ]; then
        DOCKER_BUILDKIT=0 $DOCKER build -q --network host "${build_args[@]}" -f - -t "$tag" app/ <<<"$dockerfile" >/dev/null
    else
        # BuildKit, as the Pulumi provider builds (the Engine API's build, version 2, with a session);
        # its RUN steps execute arm64 binaries, which the kernel hands to QEMU.
        DOCKER_BUILDKIT=1 $DOCKER build -q --platform "$platform" --network host "${build_args[@]}" \
            -f - -t "$tag" app/ <<<"$dockerfile" >/dev/null || return 1
    fi
    image_built_in=$(($(date +%s) - started))
    echo "image: built in $image_built_in s" >&2
}
