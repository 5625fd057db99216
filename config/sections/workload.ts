import { cidrProblem } from "../../domain/cidr";
import { bytesOf, cpusOf } from "../../domain/quantities";
import { MAX_GUNICORN_WORKERS } from "../../components/app/pod";
import type { WorkloadSettings } from "../../components/app/workload";
import { DNS_NAME, DNS_NAME_EXPECTED, HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED } from "../dnsnames";
import { Reader, complete } from "../reader";
import { canary } from "./canary";

// The workload section: the HPA's bounds, each pod's requests, and how the load balancer serves it
// (client ranges, TLS, the service's own name).

const ACM_CERTIFICATE_ARN =
    /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function workload(r: Reader): WorkloadSettings | undefined {
    let minReplicas = r.integer("workloadMinReplicas", 1, 1000);
    const maxReplicas = r.integer("workloadMaxReplicas", 1, 1000);
    if ((minReplicas ?? -Infinity) > (maxReplicas ?? Infinity)) {
        r.problems.push(
            `${r.name("workloadMinReplicas")}: got ${minReplicas} with workloadMaxReplicas=${maxReplicas}, expected workloadMinReplicas <= workloadMaxReplicas`,
        );
        minReplicas = undefined;
    }
    const rolloutTimeoutSeconds = r.integer("workloadRolloutTimeoutSeconds", 30, 3600);
    let cpuRequest = r.string(
        "workloadCpuRequest",
        /^(\d+m|\d+(\.\d{1,3})?)$/,
        "a CPU quantity such as 250m or 1",
    );
    if (cpuRequest && Math.ceil(cpusOf(cpuRequest)) > MAX_GUNICORN_WORKERS) {
        r.problems.push(
            `${r.name("workloadCpuRequest")}: got "${cpuRequest}", expected at most ${MAX_GUNICORN_WORKERS} CPUs (one gunicorn worker each, up to ${MAX_GUNICORN_WORKERS})`,
        );
        cpuRequest = undefined;
    }
    const memoryPattern = /^\d+(Ki|Mi|Gi)$/;
    const memoryWant = "a memory quantity such as 256Mi or 1Gi";
    const memoryRequest = r.string("workloadMemoryRequest", memoryPattern, memoryWant);
    let memoryLimit = r.string("workloadMemoryLimit", memoryPattern, memoryWant);
    if (memoryRequest && memoryLimit && bytesOf(memoryLimit) < bytesOf(memoryRequest)) {
        r.problems.push(
            `${r.name("workloadMemoryLimit")}: got ${memoryLimit} with workloadMemoryRequest=${memoryRequest}, expected a limit at least the request`,
        );
        memoryLimit = undefined;
    }
    let lbSourceRanges = r.list("lbSourceRanges");
    const badRanges = lbSourceRanges?.filter(
        (c) => r.check("lbSourceRanges", c, (v) => cidrProblem(v, 0, 32)) === undefined,
    );
    if (badRanges?.length) {
        lbSourceRanges = undefined;
    } else if (lbSourceRanges?.length === 0) {
        // Kubernetes reads an empty list as "open to all": make that a deliberate 0.0.0.0/0.
        r.problems.push(
            `${r.name("lbSourceRanges")}: got [], expected at least one CIDR (0.0.0.0/0 to be public)`,
        );
        lbSourceRanges = undefined;
    }
    const tlsCertificateArn = r.emptyOr(
        "tlsCertificateArn",
        ACM_CERTIFICATE_ARN,
        "an ACM certificate ARN such as arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    );
    const lbCrossZone = r.boolean("lbCrossZone");
    const hostname = r.emptyOr("hostname", DNS_NAME, DNS_NAME_EXPECTED);
    const hostedZoneId = r.emptyOr("hostedZoneId", HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED);
    return complete({
        minReplicas,
        maxReplicas,
        rolloutTimeoutSeconds,
        cpuRequest,
        memoryRequest,
        memoryLimit,
        lbSourceRanges,
        tlsCertificateArn,
        lbCrossZone,
        hostname,
        hostedZoneId,
        canary: canary(r),
    });
}
