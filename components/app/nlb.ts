// The app's Service on EKS, as the AWS Load Balancer Controller reads it: an internet-facing NLB with
// the pods' IPs as its targets. A leaf: imports only the TLS policy and the shutdown timing the NLB is
// sized with.
//
// Each annotation's meaning: the controller's docs/guide/service/annotations.md and nlb.md at the
// version domain/versions.ts pins; target group and NLB attributes: the ELB API's
// TargetGroupAttribute and LoadBalancerAttribute references.
import { TLS_POLICY } from "../../domain/tls";
import type { Shutdown } from "./shutdown";

const PREFIX = "service.beta.kubernetes.io/aws-load-balancer";

/** Which controller makes the NLB. The in-tree one ignores "external"; changing it in place leaks the old NLB. */
export const LB_TYPE_ANNOTATION = `${PREFIX}-type`;

export interface NlbSettings {
    /**
     * The subnets the NLB lives in: the same ones the NetworkPolicy admits health checks from, rather
     * than whatever subnets carry the kubernetes.io/role/elb tag.
     */
    subnetIds: string[];
    /** Spread each NLB node's connections over the pods of every zone, not only its own. */
    crossZone: boolean;
    /** An ACM certificate: the listener on the Service's "https" port terminates TLS with it. */
    certificateArn?: string;
    /** The pod's shutdown timing behind an NLB. */
    shutdown: Shutdown;
}

export function nlbAnnotations({
    subnetIds,
    crossZone,
    certificateArn,
    shutdown,
}: NlbSettings): Record<string, string> {
    const targetGroup = [
        // Pods see the client's address, so the NetworkPolicy can admit clients by their ranges.
        "preserve_client_ip.enabled=true",
        // A terminating pod is deregistered at once (the controller leaves it out of the targets);
        // its established connections are kept while it still serves them, then closed.
        `deregistration_delay.timeout_seconds=${shutdown.servingSeconds}`,
        "deregistration_delay.connection_termination.enabled=true",
    ];
    const tls = certificateArn && {
        [`${PREFIX}-ssl-cert`]: certificateArn,
        [`${PREFIX}-ssl-ports`]: "https",
        [`${PREFIX}-ssl-negotiation-policy`]: TLS_POLICY,
    };
    return {
        [LB_TYPE_ANNOTATION]: "external",
        [`${PREFIX}-nlb-target-type`]: "ip",
        [`${PREFIX}-scheme`]: "internet-facing",
        [`${PREFIX}-subnets`]: subnetIds.join(","),
        [`${PREFIX}-target-group-attributes`]: targetGroup.join(","),
        [`${PREFIX}-attributes`]: `load_balancing.cross_zone.enabled=${crossZone}`,
        // On the pod's own port (IP targets): a pod is in service once its /readyz answers.
        [`${PREFIX}-healthcheck-protocol`]: "HTTP",
        [`${PREFIX}-healthcheck-path`]: "/readyz",
        [`${PREFIX}-healthcheck-port`]: "traffic-port",
        [`${PREFIX}-healthcheck-interval`]: "10",
        [`${PREFIX}-healthcheck-timeout`]: "6",
        [`${PREFIX}-healthcheck-healthy-threshold`]: "2",
        [`${PREFIX}-healthcheck-unhealthy-threshold`]: "2",
        ...tls,
    };
}
