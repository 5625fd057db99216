#!/usr/bin/env bash
# Sourced by test/e2e.sh: the Deployment changes while a steady load of RATE requests a second goes
# through the load balancer stand-in, and every failed request is counted.
# shellcheck disable=SC2154 # url, policy (the --policy-pack flags) and CLUSTER_STATE are test/e2e.sh's
RATE=20
LOAD_LIMIT=180 # seconds: no load runs longer, whatever happens

# ready_pods [EXCEPT]: how many of the app's pods (other than EXCEPT) are ready and not being deleted
ready_pods() { app_pods | awk -v except="${1:-}" '$1 != except && $3 == "True" && $6 == "-"' | wc -l; }
ready_pods_are() { [ "$(ready_pods "${2:-}")" = "$1" ]; } # ready_pods_are COUNT [EXCEPT]
restarts_of() { kubectl_ get pod "$1" -n flask-app -o jsonpath='{.status.containerStatuses[0].restartCount}'; }
restarted() { [ "$(restarts_of "$1")" -ge 1 ] && only_pods 2 "$2"; } # restarted POD IMAGE

rolling_update() { # rolling_update IMAGE: point the stack at IMAGE under load
    load_start rollout "$url" "$RATE" "$LOAD_LIMIT"
    pulumi_run config-second config set --stack local imageRef "$1"
    check "pointing the stack at a second digest rolls the Deployment, Pulumi's readiness wait completing" \
        pulumi_run roll up --stack local --yes --skip-preview "${policy[@]}"
    check "then only the second image runs, on 3 ready pods (the old ones drained and gone)" \
        wait_until 120 only_pods 3 "$1"
    load_stop rollout
    check "the rolling update under $RATE requests/s: $LOAD_SUMMARY" test "$LOAD_FAILED" = 0
}

scale_in() { # scale_in IMAGE: lower the HPA's minimum from 3 to 2 under load
    load_start scale-in "$url" "$RATE" "$LOAD_LIMIT"
    pulumi_run config-min config set --stack local workloadMinReplicas 2
    check "lowering the HPA's minimum to 2 through config and pulumi up" \
        pulumi_run scale-in up --stack local --yes --skip-preview "${policy[@]}"
    check "the HPA scales the Deployment in to 2 ready pods" wait_until 120 only_pods 2 "$1"
    load_stop scale-in
    check "the scale-in under $RATE requests/s: $LOAD_SUMMARY" test "$LOAD_FAILED" = 0
}

self_heal() { # self_heal IMAGE: delete a pod under load; it is replaced
    local victim healed=never started
    victim=$(app_pods | awk 'NR == 1 {print $1}')
    load_start heal "$url" "$RATE" "$LOAD_LIMIT"
    started=$SECONDS
    kubectl_ delete pod "$victim" -n flask-app --wait=false >/dev/null
    if wait_until 60 ready_pods_are 2 "$victim"; then healed=$((SECONDS - started)); fi
    wait_until 60 only_pods 2 "$1" || true # the victim drains; the load runs until it is gone
    load_stop heal
    check "a deleted pod is replaced by a ready one within 60 s (in ${healed} s)" test "$healed" != never
    check "with no failed request under $RATE requests/s: $LOAD_SUMMARY" test "$LOAD_FAILED" = 0
}

kill_container() { # kill_container IMAGE: SIGKILL a pod's main process under load; kubelet restarts it
    local pod container pid back=never started
    pod=$(app_pods | awk 'NR == 1 {print $1}')
    container=$(kubectl_ get pod "$pod" -n flask-app -o jsonpath='{.status.containerStatuses[0].containerID}')
    pid=$(ctr --address "$CLUSTER_STATE/node/containerd/containerd.sock" --namespace k8s.io tasks ls |
        awk -v id="${container#containerd://}" '$1 == id {print $2}')
    load_start kill "$url" "$RATE" "$LOAD_LIMIT"
    started=$SECONDS
    kill -KILL "$pid"
    if wait_until 90 restarted "$pod" "$1"; then back=$((SECONDS - started)); fi
    load_stop kill
    check "a killed container (pid $pid) is restarted by kubelet and ready within 90 s (restarts: $(restarts_of "$pod"), in ${back} s; requests failed meanwhile: $LOAD_FAILED of $LOAD_SENT)" \
        test "$back" != never
}

# replicas_until SECONDS COUNT: prints the HPA's replica count every 5 s (" 0s=2 5s=3 ...") until it is
# COUNT with COUNT pods ready (then true), or SECONDS pass (then false)
replicas_until() {
    local until=$((SECONDS + $1)) start=$SECONDS now
    while [ "$SECONDS" -lt "$until" ]; do
        now=$(kubectl_ get hpa web -n flask-app -o jsonpath='{.status.currentReplicas}')
        printf ' %ss=%s' "$((SECONDS - start))" "$now"
        if [ "$now" = "$2" ] && [ "$(ready_pods)" = "$2" ]; then return 0; fi
        sleep 5
    done
    return 1
}

hpa_scaling() { # the HPA scales out on real CPU use (metrics-server, from kubelet) and back in
    local during after peak back=no
    # Load until the HPA reaches its maximum, at most 120 s: metrics take about 40 s to show it here.
    load_busy hpa "$url" 8 120
    during=$(replicas_until 120 "$(kubectl_ get hpa web -n flask-app -o jsonpath='{.spec.maxReplicas}')") || true # short of the maximum is fine: the check wants more than the minimum
    load_stop hpa
    peak=$(tr ' ' '\n' <<<"$during" | sed -n 's/.*=//p' | sort -n | tail -1)
    check "the HPA scales out under CPU load from 8 connections ($LOAD_SENT requests; replicas:$during)" test "${peak:-0}" -gt 2
    if after=$(replicas_until 180 2); then back=yes; fi
    check "and back in to 2 within 180 s after it (replicas:$after)" test "$back" = yes
}
