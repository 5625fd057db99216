#!/usr/bin/env bash
# Sourced: what the local cluster and its real node change on the machine, recorded before and put
# back after. kubelet, kube-proxy, kube-router, containerd and its CNI plugins add iptables chains,
# ipsets, interfaces, network namespaces, mounts, cgroups and kernel settings outside any directory
# of ours; none of that may outlive a test.
#   host_snapshot DIR    DIR/state: a sorted, counter-free description of that state; DIR/*.rules:
#                        each iptables backend's rules as they were, for host_restore
#   host_restore DIR     put that state back: drop what was added, reset what changed
#   host_diff A B        what differs between two snapshots (empty when nothing does)
#   host_exclusive NAME  wait until no other test of ours holds the machine, then hold it until exit
#   started_at PID       the boot and clock tick PID started at; ours PID STARTED: still that process

# Two tests at once would share one dockerd and one cluster, and each one's cleanup would stop what
# the other runs: the second waits. Whatever inherits the lock (a daemon left running) keeps it, so
# the wait is bounded, and names the holders.
host_exclusive() {
    local lock=/run/lock/flask-eks-host.lock
    exec 9>"$lock"
    flock -n 9 && return
    echo "$1: another test of this project holds the machine; waiting up to 30 min for it" >&2
    flock -w 1800 9 && return
    echo "$1: still held by: $(fuser "$lock" 2>&1 | tr -s ' ')" >&2
    return 1
}

# Kernel settings that kubelet (unless protectKernelDefaults), kube-proxy and the CNI bridge change.
HOST_SYSCTLS=(
    net.ipv4.ip_forward net.ipv4.conf.all.route_localnet
    net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
    vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
    kernel.keys.root_maxkeys kernel.keys.root_maxbytes
)
# Directories those programs create outside the state directory whatever their flags say.
HOST_DIRS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd /var/run/netns /etc/cni)

IPTABLES_SAVES=(iptables-nft-save iptables-legacy-save ip6tables-nft-save ip6tables-legacy-save)

# iptables_tables DUMP: one "table|line" per rule or chain of an iptables-save dump without counters,
# leaving out a table that has nothing but built-in chains accepting everything (as good as absent)
iptables_tables() {
    awk '
        /^\*/ { table = substr($0, 2); lines[table] = ""; busy[table] = 0; next }
        /^COMMIT/ || /^#/ || /^$/ { next }
        { lines[table] = lines[table] table "|" $0 "\n"
          if (!($0 ~ /^:[A-Z]+ ACCEPT$/)) busy[table] = 1 }
        END { for (t in lines) if (busy[t]) printf "%s", lines[t] }' "$1"
}

# A PID is a process of ours only while its start matches the one recorded: after a reboot, or a
# long while, the number may belong to another process, which must not be killed.
# A zombie (state Z: it exited, its parent has not reaped it yet) has none: it runs no more, and
# waiting for it to go would wait on its parent.
started_at() { # started_at PID: the boot and the clock tick the process started at
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) } # after "PID (comm) ", field 3 of the whole line is the 1st, field 22 the 20th
    [ "${stat%% *}" != Z ] || return 1
    echo "$(cat /proc/sys/kernel/random/boot_id):$(awk '{print $20}' <<<"$stat")"
}
ours() { [ "$(started_at "$1")" = "$2" ]; } # ours PID STARTED: PID is still the process started then

host_snapshot() {
    local dir=$1 save path
    mkdir -p "$dir"
    for save in "${IPTABLES_SAVES[@]}"; do
        if command -v "$save" >/dev/null; then "$save" 2>/dev/null | sed -E 's/ \[[0-9]+:[0-9]+\]$//' >"$dir/$save.rules"; fi
    done
    {
        ip -o link show | awk '{sub(/@.*/, "", $2); sub(/:$/, "", $2); print "link " $2}'
        ip -o addr show | awk '{print "addr " $2 " " $4}'
        for save in "${IPTABLES_SAVES[@]}"; do
            if [ -f "$dir/$save.rules" ]; then iptables_tables "$dir/$save.rules" | sed "s/^/$save /"; fi
        done
        if command -v ipset >/dev/null; then ipset list -n | sed 's/^/ipset /'; fi
        awk '{print "mount " $5}' /proc/self/mountinfo
        ip netns list 2>/dev/null | awk '{print "netns " $1}'
        for key in "${HOST_SYSCTLS[@]}"; do echo "sysctl $key=$(sysctl -n "$key" 2>/dev/null)"; done
        find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -name 'kubepods*' 2>/dev/null | sed 's/^/cgroup /'
        for path in "${HOST_DIRS[@]}"; do if [ -e "$path" ]; then echo "dir $path"; fi; done
    } | LC_ALL=C sort -u >"$dir/state"
}

host_diff() { diff "$1/state" "$2/state" | grep '^[<>]' || true; }

host_restore() {
    local before=$1 now kind value save
    now=$(mktemp -d)
    host_snapshot "$now"
    # iptables first (rules hold ipsets), per backend: each table back to its recorded dump, or emptied.
    for save in "${IPTABLES_SAVES[@]}"; do
        [ -f "$now/$save.rules" ] || continue
        "${save/-save/-restore}" <<<"$(restore_tables "$now/$save.rules" "$before/$save.rules")" 2>/dev/null || true
    done
    while read -r kind value; do
        case $kind in
        ipset) ipset destroy "$value" 2>/dev/null || true ;;
        link) ip link delete "$value" 2>/dev/null || true ;;
        mount) umount -l "$value" 2>/dev/null || true ;;
        netns) ip netns delete "$value" 2>/dev/null || true ;;
        cgroup) find "$value" -depth -type d -exec rmdir {} + 2>/dev/null || true ;;
        dir) rm -rf "$value" ;;
        esac
    done < <(comm -13 "$before/state" "$now/state" | grep -v 'tables-' | sort -r) # netns, then mounts deepest first, ...
    while read -r kind value; do
        if [ "$kind" = sysctl ]; then sysctl -q -w "$value" >/dev/null 2>&1 || true; fi
    done < <(comm -23 "$before/state" "$now/state")
    rm -rf "$now"
}

# restore_tables NOW BEFORE: iptables-restore input that gives every table of the dump NOW the rules
# the dump BEFORE has for it, or only its built-in chains, accepting
restore_tables() {
    local now=$1 before=$2 table
    while read -r table; do
        if [ -f "$before" ] && grep -qx "\*$table" "$before"; then
            sed -n "/^\*$table\$/,/^COMMIT\$/p" "$before"
        else
            echo "*$table"
            sed -n "/^\*$table\$/,/^COMMIT\$/p" "$now" | sed -nE 's/^:([A-Z]+) [A-Z]+$/:\1 ACCEPT/p'
            echo COMMIT
        fi
    done < <(sed -n 's/^\*//p' "$now")
}
