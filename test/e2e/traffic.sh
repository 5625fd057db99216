#!/usr/bin/env bash
# Sourced by test/e2e.sh: the Deployment changes while a steady load of RATE requests a second goes
# through the load balancer stand-in, a new connection each. Every load must send at least 90% of
# what its rate and time ask and lose none; every pod that leaves must have answered requests first
# (the `pod` field of each answer), so "none lost" covers the pods it is about.
# shellcheck disable=SC2154 # url, policy (the --policy-pack flags) and CLUSTER_STATE are test/e2e.sh's
RATE=20
LOAD_LIMIT=180 # seconds: no load runs longer, whatever happens
ASKED=10       # requests each leaving pod must have answered before it left
WARM_UP=2      # seconds of load before a change that every pod takes part in
# Seconds of load before one pod is deleted or killed: about RATE * ASK_TIME / 3 requests for it, 27
# on average, so that it has answered ASKED of them all but never by chance (9 or fewer: 1 in 10^4).
ASK_TIME=4
ROLLOUT=30 # workloadRolloutTimeoutSeconds of the broken releases alone: its minimum

# ready_pods [EXCEPT]: how many of the app's pods (other than EXCEPT) are ready and not being deleted
ready_pods() { app_pods | awk -v except="${1:-}" '$1 != except && $3 == "True" && $6 == "-"' | wc -l; }
ready_pods_are() { [ "$(ready_pods "${2:-}")" = "$1" ]; } # ready_pods_are COUNT [EXCEPT]
restarts_of() { kubectl_ get pod "$1" -n flask-app -o jsonpath='{.status.containerStatuses[0].restartCount}'; }
restarted() { [ "$(restarts_of "$1")" -ge 1 ] && only_pods "$3" "$2"; } # restarted POD IMAGE COUNT
pod_names() { app_pods | awk '{print $1}' | sort; }

# served_each NAME POD...: each POD answered at least ASKED requests of load NAME (prints the counts)
served_each() {
    local name=$1 pod n ok=0
    shift
    [ $# -gt 0 ] || { echo "no pod to count"; return 1; }
    for pod in "$@"; do
        n=$(load_served "$name" "$pod")
        echo "$pod: $n"
        [ "$n" -ge "$ASKED" ] || ok=1
    done
    return $ok
}
# gone_since BEFORE: the pods of the list BEFORE (one name a line) that are no longer there
gone_since() { comm -23 <(sort <<<"$1") <(pod_names); }

# load_checks NAME WHAT PODS...: the load's counts, and that each of PODS (those that left) was asked
load_checks() {
    local name=$1 what=$2
    shift 2
    check "$what under $RATE requests/s, a connection each, for $LOAD_SECONDS s: $LOAD_SUMMARY" load_counts "$name" "$RATE"
    # shellcheck disable=SC2046 # one pod name a word
    check "each pod that left in $what had answered at least $ASKED requests first ($(served_each "$name" "$@" | tr '\n' ' '))" \
        served_each "$name" "$@"
}

rolling_update() { # rolling_update IMAGE: point the stack at IMAGE under load
    local before
    before=$(pod_names)
    load_start rollout "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    pulumi_run config-second config set --stack local imageRef "$1"
    check "pointing the stack at a second digest rolls the Deployment, Pulumi's readiness wait completing" \
        pulumi_run roll up --stack local --yes --skip-preview "${policy[@]}"
    check "then only the second image runs, on 3 ready pods (the old ones drained and gone)" \
        wait_until 120 only_pods 3 "$1"
    load_stop rollout
    # shellcheck disable=SC2046 # one pod name a word
    load_checks rollout "the rolling update" $(gone_since "$before")
}

self_heal() { # self_heal IMAGE: delete a pod under load; it is replaced
    local victim healed=never started count
    victim=$(app_pods | awk 'NR == 1 {print $1}')
    count=$(ready_pods)
    load_start heal "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$ASK_TIME"
    started=$SECONDS
    kubectl_ delete pod "$victim" -n flask-app --wait=false >/dev/null
    if wait_until 60 ready_pods_are "$count" "$victim"; then healed=$((SECONDS - started)); fi
    wait_until 60 only_pods "$count" "$1" || true # the victim drains; the load runs until it is gone
    load_stop heal
    check "a deleted pod is replaced by a ready one within 60 s (in ${healed} s)" test "$healed" != never
    load_checks heal "the deletion" "$victim"
}

# routed_to IP: the node's NAT rules (kube-proxy's, either iptables backend) send connections to IP
routed_to() {
    local save rules
    for save in iptables-nft-save iptables-legacy-save; do
        # Read whole first: grep -q ending a pipe early fails it under pipefail (SIGPIPE).
        rules=$("$save" -t nat 2>/dev/null) || continue
        grep -qF -- "--to-destination $1:" <<<"$rules" && return 0
    done
    return 1
}
ready_and_routed() { endpoint_ready "$1" && routed_to "$1"; } # ready_and_routed IP
# endpoint_ready IP: the Service's EndpointSlice holds IP as ready
endpoint_ready() {
    local endpoints
    endpoints=$(kubectl_ get endpointslices -n flask-app -l kubernetes.io/service-name=web \
        -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\n"}{end}')
    grep -qx "$1 true" <<<"$endpoints"
}

# A SIGKILLed container loses what it holds: the requests in flight on it, and the new ones that
# reach its address before the node stops sending them there (the kubelet sees the container die,
# marks the pod unready, the EndpointSlice drops it, kube-proxy rewrites its rules). No load
# balancer retries, so that window, from the kill until the node's NAT rules no longer name the
# pod's address, is the bound: every failed request began within it (widened by KILL_SLACK, for
# those in flight at the kill and the polling's step), and there are at most the pod's share of the
# requests of that window (one in COUNT, the ready pods), half again for chance, and 2 in flight.
KILL_SLACK=1
# kill_losses_within FAILED WINDOW COUNT: FAILED requests are within the bound for a window of WINDOW
# seconds (from the kill until the node stopped routing to the pod) with COUNT ready pods (prints the bound)
kill_losses_within() {
    local bound
    bound=$(awk -v rate="$RATE" -v window="$2" -v slack="$KILL_SLACK" -v count="$3" \
        'BEGIN {print int(rate * (window + slack) / count * 1.5) + 2}')
    echo "$1 failed, at most $bound"
    [ "$1" -le "$bound" ]
}
# failed_outside_window NAME KILLED_AT REMOVED_AT: failed requests of load NAME that began outside
# the kill's window, KILL_SLACK wider on each side (times in Unix seconds, fractions kept: awk's
# plain print would round them to 6 digits)
failed_outside_window() {
    load_failed_between "$1" "$(awk -v t="$2" -v s="$KILL_SLACK" 'BEGIN {printf "%.3f", t - s}')" \
        "$(awk -v t="$3" -v s="$KILL_SLACK" 'BEGIN {printf "%.3f", t + s}')"
}
# none_outside_and_within OUTSIDE FAILED WINDOW COUNT: no failure outside the window, and the rest within the bound
none_outside_and_within() { [ "$1" = 0 ] && kill_losses_within "$2" "$3" "$4"; }
kill_container() { # kill_container IMAGE: SIGKILL a pod's main process under load; kubelet restarts it
    local pod ip container pid back=never started killed_at removed_at window outside count asked
    pod=$(app_pods | awk 'NR == 1 {print $1}')
    count=$(ready_pods)
    ip=$(kubectl_ get pod "$pod" -n flask-app -o jsonpath='{.status.podIP}')
    container=$(kubectl_ get pod "$pod" -n flask-app -o jsonpath='{.status.containerStatuses[0].containerID}')
    pid=$(ctr --address "$CLUSTER_STATE/node/containerd/containerd.sock" --namespace k8s.io tasks ls |
        awk -v id="${container#containerd://}" '$1 == id {print $2}')
    check "the pod to kill ($pod, $ip, pid $pid) is a ready endpoint of the Service, and the node routes to it" \
        ready_and_routed "$ip"
    load_start kill "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$ASK_TIME"
    started=$SECONDS
    killed_at=$(date +%s.%N)
    kill -KILL "$pid"
    while routed_to "$ip" && [ $((SECONDS - started)) -lt 30 ]; do :; done
    removed_at=$(date +%s.%N)
    if wait_until 90 restarted "$pod" "$1" "$count"; then back=$((SECONDS - started)); fi
    load_stop kill
    window=$(awk -v from="$killed_at" -v to="$removed_at" 'BEGIN {printf "%.1f", to - from}')
    check "a killed container (pid $pid) is restarted by kubelet and ready within 90 s (restarts: $(restarts_of "$pod"), in ${back} s)" \
        test "$back" != never
    asked=$(load_served_before kill "$pod" "$killed_at")
    check "it had answered $asked requests before the kill (at least $ASKED)" test "$asked" -ge "$ASKED"
    check "the node stops routing to it $window s after the kill (kubelet, EndpointSlice, kube-proxy; at most 5 s)" \
        awk -v w="$window" 'BEGIN {exit !(w <= 5)}'
    outside=$(failed_outside_window kill "$killed_at" "$removed_at")
    check "it loses only what reached it before the node stopped sending it requests: $outside failed outside the kill's window; $(kill_losses_within "$LOAD_FAILED" "$window" "$count") (of $LOAD_SENT, $count pods)" \
        none_outside_and_within "$outside" "$LOAD_FAILED" "$window" "$count"
    check "the load around the kill sent at least 90% of its rate ($LOAD_SENT in $LOAD_SECONDS s)" load_sent_enough "$RATE"
}

# replicas_until SECONDS COUNT [MORE]: prints the HPA's replica count every 5 s (" 0s=2 5s=3 ...")
# until it is COUNT (or, with MORE, at least COUNT) with as many pods ready (then true), or SECONDS
# pass (then false)
replicas_until() {
    local until=$((SECONDS + $1)) start=$SECONDS now
    while [ "$SECONDS" -lt "$until" ]; do
        now=$(kubectl_ get hpa web -n flask-app -o jsonpath='{.status.currentReplicas}')
        printf ' %ss=%s' "$((SECONDS - start))" "$now"
        if [ "${3:-}" = more ] && [ "${now:-0}" -ge "$2" ] && [ "$(ready_pods)" -ge "$2" ]; then return 0; fi
        if [ "$now" = "$2" ] && [ "$(ready_pods)" = "$2" ]; then return 0; fi
        sleep 5
    done
    return 1
}

hpa_scaling() { # hpa_scaling IMAGE: the HPA scales out on real CPU use (metrics-server, from
    # kubelet), then, its minimum lowered from 3 to 2 through config and pulumi up, back in; under load
    local during after peak back=no before
    # Load until the HPA is past its minimum of 3, at most 120 s: metrics take about 30 s to show it here.
    load_busy hpa "$url" 8 120
    during=$(replicas_until 120 4 more) || true # the check below says how far it got
    load_stop hpa
    peak=$(tr ' ' '\n' <<<"$during" | sed -n 's/.*=//p' | sort -n | tail -1)
    check "the HPA scales out under CPU load from 8 workers, past its minimum of 3 (replicas:$during)" test "${peak:-0}" -ge 4
    check "with no failed request meanwhile: $LOAD_SUMMARY" test "$LOAD_FAILED" = 0 -a "$LOAD_SENT" -gt 0
    before=$(pod_names)
    load_start hpa-in "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    pulumi_run config-min config set --stack local workloadMinReplicas 2
    check "lowering the HPA's minimum to 2 through config and pulumi up" \
        pulumi_run scale-in up --stack local --yes --skip-preview "${policy[@]}"
    if after=$(replicas_until 120 2); then back=yes; fi
    wait_until 60 only_pods 2 "$1" || true # the last ones drain; the load runs until they are gone
    load_stop hpa-in
    check "and the HPA scales back in to 2 within 120 s (replicas:$after)" test "$back" = yes
    # shellcheck disable=SC2046 # one pod name a word
    load_checks hpa-in "the scale-in" $(gone_since "$before")
}

# ready_with IMAGE: how many of the app's pods run IMAGE, ready and not being deleted
ready_with() { app_pods | awk -v image="$1" '$3 == "True" && $4 == image && $6 == "-"' | wc -l; }
ready_with_is() { [ "$(ready_with "$2")" = "$1" ]; } # ready_with_is COUNT IMAGE

up_fails() { ! pulumi_run "$1" up --stack local --yes --skip-preview "${policy[@]}"; } # up_fails NAME

# The image the ready pods run, by the command delivery/way-back.sh gives a failed deploy (and
# docs/operations.md): the way back's digest.
way_back_image() {
    local command
    command=$(bash delivery/way-back.sh local | grep '^kubectl get pods')
    KUBECONFIG=$ADMIN_KUBECONFIG bash -c "$command"
}
# surge_state IMAGE: the started, ready and restart count of the pods running IMAGE, one line each
surge_state() {
    kubectl_ get pods -n flask-app -o jsonpath='{range .items[*]}{.spec.containers[0].image} {.status.containerStatuses[0].started} {.status.containerStatuses[0].ready} {.status.containerStatuses[0].restartCount}{"\n"}{end}' |
        awk -v image="$1" '$1 == image {print $2, $3, $4}'
}

# made_ago IMAGE: seconds since the app's ReplicaSet of IMAGE was made, when its Deployment changed
made_ago() {
    seconds_since "$(kubectl_ get replicasets -n flask-app -o jsonpath='{range .items[*]}{.spec.template.spec.containers[0].image} {.metadata.creationTimestamp}{"\n"}{end}' |
        awk -v image="$1" '$1 == image {print $2; exit}')"
}

# A release that never becomes ready: under load, the stack points at a broken build
# (test/e2e/broken) with the rollout timeout at its minimum, ROLLOUT; the up fails within it, naming
# CAUSE, while the old pods (GOOD) keep serving at full count, sampled twice a second throughout; the
# way back is one command, imageRef (with the timeout as it was), under the same load.
broken_release() { # broken_release MODE WHAT CAUSE STATE GOOD: STATE checks the broken pod, given its image
    local mode=$1 what=$2 cause=$3 state=$4 good=$5 started took waited count poller fewest
    count=$(ready_with "$good")
    load_start "$mode" "$url" "$RATE" "$LOAD_LIMIT"
    (while :; do ready_with "$good"; sleep 0.5; done) >"$WORK/$mode.serving" 2>/dev/null &
    poller=$!
    sleep "$WARM_UP"
    pulumi_run "$mode-config" config set --stack local imageRef "$(<"$WORK/broken-$mode")"
    pulumi_run "$mode-rollout" config set --stack local workloadRolloutTimeoutSeconds "$ROLLOUT"
    started=$SECONDS
    check "an up to a release that $what fails" up_fails "$mode"
    took=$((SECONDS - started))
    waited=$(made_ago "$(<"$WORK/broken-$mode")") || waited=""
    kill "$poller"
    wait "$poller" 2>/dev/null || true
    # From the Deployment's change on: the program's start before it is the CLI's and the machine's.
    check "within the stack's rollout timeout: it failed ${waited:-?} s after the release's ReplicaSet was made (workloadRolloutTimeoutSeconds $ROLLOUT, and 15 s to report; the up took $took s)" \
        at_most "$waited" $((ROLLOUT + 15))
    check "its error names the cause: $(grep -o "${cause}[^\"]*" "$WORK/$mode.log" | head -1)" grep -q "$cause" "$WORK/$mode.log"
    check "its pod is $what ($(surge_state "$(<"$WORK/broken-$mode")" | head -1): started, ready, restarts)" \
        "$state" "$(<"$WORK/broken-$mode")"
    fewest=$(sort -n "$WORK/$mode.serving" | head -1)
    check "the old pods served at full count throughout: at least $fewest of $count ready in $(wc -l <"$WORK/$mode.serving") samples" \
        test "${fewest:-0}" = "$count"
    check "the way back's command (delivery/way-back.sh) names the previous image ($(way_back_image))" \
        test "$(way_back_image)" = "$good"
    pulumi_run "$mode-back-config" config set --stack local imageRef "$good"
    pulumi_run "$mode-back-rollout" config rm --stack local workloadRolloutTimeoutSeconds
    check "the way back, pulumi config set imageRef <the previous digest> and pulumi up, completes" \
        pulumi_run "$mode-back" up --stack local --yes --skip-preview "${policy[@]}"
    check "then only the previous image runs, on its $count ready pods" wait_until 60 only_pods "$count" "$good"
    load_stop "$mode"
    check "the broken release and the way back under $RATE requests/s, for $LOAD_SECONDS s: $LOAD_SUMMARY" load_counts "$mode" "$RATE"
}

# never_started_ready IMAGE: its pod started (the startup probe passed), is not ready, and never
# restarted: unready for its readiness alone
never_started_ready() { local state; state=$(surge_state "$1"); echo "$state"; [ "$state" = "true false 0" ]; }
# crash_looping IMAGE: its pod is not ready and has restarted
crash_looping() {
    local state
    state=$(surge_state "$1")
    echo "$state"
    [ "$(wc -l <<<"$state")" = 1 ] && awk '{exit !($2 == "false" && $3 >= 1)}' <<<"$state"
}
