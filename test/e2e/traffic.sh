#!/usr/bin/env bash
# Sourced by test/e2e.sh: the Deployment changes while a steady load of RATE requests a second goes
# through the load balancer stand-in, a new connection each. Every load must send at least 90% of
# what its rate and time ask and lose none; every pod that leaves must have answered requests first
# (the `pod` field of each answer), so "none lost" covers the pods it is about.
# shellcheck disable=SC2154 # url, policy (the --policy-pack flags) and CLUSTER_STATE are test/e2e.sh's
RATE=20
LOAD_LIMIT=180 # seconds: no load runs longer, whatever happens
ASKED=10       # requests each leaving pod must have answered before it left
WARM_UP=2      # seconds of load before each change: about RATE * WARM_UP / 3 requests for each pod

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
    sleep "$WARM_UP"
    started=$SECONDS
    kubectl_ delete pod "$victim" -n flask-app --wait=false >/dev/null
    if wait_until 60 ready_pods_are "$count" "$victim"; then healed=$((SECONDS - started)); fi
    wait_until 60 only_pods "$count" "$1" || true # the victim drains; the load runs until it is gone
    load_stop heal
    check "a deleted pod is replaced by a ready one within 60 s (in ${healed} s)" test "$healed" != never
    load_checks heal "the deletion" "$victim"
}

# endpoint_ready IP: the Service's EndpointSlice holds IP as ready
endpoint_ready() {
    kubectl_ get endpointslices -n flask-app -l kubernetes.io/service-name=web \
        -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\n"}{end}' |
        grep -qx "$1 true"
}

# A SIGKILLed container loses what it holds: the requests in flight on it, and the new ones that
# reach its address before the node stops sending them there (the kubelet sees the container die,
# marks the pod unready, the EndpointSlice drops it, kube-proxy rewrites its rules within its
# minimum sync period, 1 s). No load balancer retries, so that window is the bound: every failed
# request began between the kill (less a request's latency, for those in flight) and the endpoint's
# removal plus that 1 s, and there are at most RATE a second of the window of them.
KILL_SLACK=1
kill_container() { # kill_container IMAGE: SIGKILL a pod's main process under load; kubelet restarts it
    local pod ip container pid back=never started killed_at removed_at window outside count
    pod=$(app_pods | awk 'NR == 1 {print $1}')
    count=$(ready_pods)
    ip=$(kubectl_ get pod "$pod" -n flask-app -o jsonpath='{.status.podIP}')
    container=$(kubectl_ get pod "$pod" -n flask-app -o jsonpath='{.status.containerStatuses[0].containerID}')
    pid=$(ctr --address "$CLUSTER_STATE/node/containerd/containerd.sock" --namespace k8s.io tasks ls |
        awk -v id="${container#containerd://}" '$1 == id {print $2}')
    load_start kill "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    started=$SECONDS
    killed_at=$(date +%s.%N)
    kill -KILL "$pid"
    while endpoint_ready "$ip" && [ $((SECONDS - started)) -lt 30 ]; do :; done
    removed_at=$(date +%s.%N)
    if wait_until 90 restarted "$pod" "$1" "$count"; then back=$((SECONDS - started)); fi
    load_stop kill
    window=$(python3 -c "print(f'{$removed_at - $killed_at:.1f}')")
    check "a killed container (pid $pid) is restarted by kubelet and ready within 90 s (restarts: $(restarts_of "$pod"), in ${back} s)" \
        test "$back" != never
    check "its endpoint leaves the Service $window s after the kill (the node's reaction: kubelet, EndpointSlice)" \
        python3 -c "import sys; sys.exit(0 if $window <= 10 else 1)"
    outside=$(load_failed_between kill "$(python3 -c "print($killed_at - $KILL_SLACK)")" "$(python3 -c "print($removed_at + $KILL_SLACK)")")
    check "it loses only what reached it before the node stopped sending it requests: $LOAD_FAILED of $LOAD_SENT failed, $outside outside the kill's window, at most $RATE/s of the window's $window + ${KILL_SLACK} s" \
        python3 -c "import sys; sys.exit(0 if $outside == 0 and $LOAD_FAILED <= $RATE * ($window + $KILL_SLACK) else 1)"
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

# A release that never becomes ready: under load, the stack points at IMAGE (a broken build,
# test/e2e/broken); the up fails within the stack's rollout timeout (ROLLOUT), naming CAUSE, while the
# old pods (GOOD) keep serving at full count; the way back is one command, imageRef, under the load.
broken_release() { # broken_release MODE WHAT CAUSE GOOD
    local mode=$1 what=$2 cause=$3 good=$4 started took serving count
    count=$(ready_with "$good")
    load_start "$mode" "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    pulumi_run "$mode-config" config set --stack local imageRef "$(<"$WORK/broken-$mode")"
    started=$SECONDS
    check "an up to a release that $what fails" up_fails "$mode"
    took=$((SECONDS - started))
    check "within the stack's rollout timeout: $took s (workloadRolloutTimeoutSeconds $ROLLOUT, and 30 s to start and report)" \
        test "$took" -le $((ROLLOUT + 30))
    check "its error names the cause: $(grep -o "${cause}[^\"]*" "$WORK/$mode.log" | head -1)" grep -q "$cause" "$WORK/$mode.log"
    serving=$(ready_with "$good")
    check "the old pods served throughout and still do, all $serving of the $count" test "$serving" = "$count"
    pulumi_run "$mode-back-config" config set --stack local imageRef "$good"
    check "the way back, pulumi config set imageRef <the previous digest> and pulumi up, completes" \
        pulumi_run "$mode-back" up --stack local --yes --skip-preview "${policy[@]}"
    check "then only the previous image runs, on its $count ready pods" wait_until 60 only_pods "$count" "$good"
    load_stop "$mode"
    check "the broken release and the way back under $RATE requests/s, for $LOAD_SECONDS s: $LOAD_SUMMARY" load_counts "$mode" "$RATE"
}

# A release that is ready but answers 500 on /: nothing in the stack tells it apart from a good one
# today, so it rolls out and the up succeeds. Stated as it is, the baseline an automatic rollback
# must beat; then the way back.
bad_answers_release() { # bad_answers_release GOOD
    local good=$1 count
    count=$(ready_with "$good")
    load_start 500s "$url" "$RATE" "$LOAD_LIMIT"
    sleep "$WARM_UP"
    pulumi_run 500s-config config set --stack local imageRef "$(<"$WORK/broken-500s")"
    check "baseline: a release that is ready but answers 500 on / rolls out, and its up succeeds" \
        pulumi_run 500s up --stack local --yes --skip-preview "${policy[@]}"
    sleep "$WARM_UP"
    pulumi_run 500s-back-config config set --stack local imageRef "$good"
    check "the way back (imageRef) completes" pulumi_run 500s-back up --stack local --yes --skip-preview "${policy[@]}"
    check "then the previous image runs on $count ready pods" wait_until 60 ready_with_is "$count" "$good"
    load_stop 500s
    check "baseline: meanwhile the load saw its 500s, nothing stopped them: $LOAD_SUMMARY" test "$LOAD_FAILED" -gt 0
}
