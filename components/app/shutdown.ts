// How a pod of the app leaves. A leaf: imports nothing.
//
// On termination the pod leaves the Service's endpoints while preStop sleeps, so that whatever sends
// it traffic stops; then SIGTERM starts the app's drain (/readyz 503, still serving); then the
// server's graceful stop (nginx finishes what is in flight, then gunicorn stops; app/serve.py). The
// grace period covers all three.
//
// What must stop sending first depends on what is in front. Without an NLB it is kube-proxy, which
// drops an endpoint within about a second. On EKS it is the NLB: the AWS Load Balancer Controller
// deregisters a pod's IP as soon as the pod is terminating, but an NLB goes on opening connections to
// a deregistered target for about two minutes, whatever its deregistration delay (measured and
// reported in aws-load-balancer-controller issues #2366 and #3270 and aws/containers-roadmap#470; AWS
// documents no figure). So behind an NLB the pod keeps serving for that long before it drains.

/** How long an NLB goes on opening connections to a target after it is deregistered. */
export const NLB_DEREGISTRATION_SECONDS = 120;

export interface Shutdown {
    /** preStop's sleep: the pod serves as before while whatever is in front lets go of it. */
    preStopSeconds: number;
    /** After SIGTERM, /readyz answers 503 while the app still serves. */
    drainSeconds: number;
    /** Then the server finishes what is in flight. */
    gracefulSeconds: number;
    /** From termination until the pod has stopped serving: preStop, drain and graceful stop. */
    servingSeconds: number;
    /** The pod's terminationGracePeriodSeconds: all of the above and a margin. */
    terminationGracePeriodSeconds: number;
}

export function shutdown(behindNlb: boolean): Shutdown {
    const preStopSeconds = behindNlb ? NLB_DEREGISTRATION_SECONDS : 10;
    const drainSeconds = 5;
    const gracefulSeconds = 20;
    const servingSeconds = preStopSeconds + drainSeconds + gracefulSeconds;
    return {
        preStopSeconds,
        drainSeconds,
        gracefulSeconds,
        servingSeconds,
        terminationGracePeriodSeconds: servingSeconds + 5,
    };
}
