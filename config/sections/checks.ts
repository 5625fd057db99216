import { fit, tenantsProblem } from "../../domain/capacity";
import { contains } from "../../domain/cidr";
import type { NetworkSettings } from "../../components/platform/network";
import type { NodeGroupSettings } from "../../components/platform/nodegroup";
import type { WorkloadSettings } from "../../components/app/workload";
import { DOCUMENTATION_NAME } from "../dnsnames";
import { Reader } from "../reader";
import type { LayerSettings } from "./layer";
import type { Target } from "./target";

// The checks across sections: each section is valid on its own, and these find what is wrong only
// in combination, such as a workload its nodes cannot hold. Each problem is one line, blamed on one
// key; docs/configuration.md explains the longer reasons.

/** The sections the checks read, each undefined when it had a problem of its own. */
export interface Sections {
    region?: string;
    network?: NetworkSettings;
    cluster?: { containerInsights: boolean; adminRoleArns: string[]; viewerRoleArns: string[] };
    nodes?: NodeGroupSettings;
    workload?: WorkloadSettings;
    layer?: LayerSettings;
}

/** Records every problem across sections on `r`; the local target has no AWS to check against. */
export function checkAcross(r: Reader, target: Target | undefined, s: Sections): void {
    const onEks = target === "eks";
    const { region, network, cluster, nodes, workload, layer } = s;
    const certificateArn = workload?.tlsCertificateArn;
    const certificate = certificateProblem(certificateArn, onEks, region);
    if (certificate) r.problem("tlsCertificateArn", certificateArn, certificate);
    for (const [key, got, expected] of workload ? publicNameProblems(workload, onEks) : [])
        r.problem(key, got, expected);
    if (target === "local" && layer?.sharedEntry)
        r.problem(
            "sharedEntryDomain",
            layer.sharedEntry.domain,
            "empty on the local target, which has no ALB",
        );
    // The committed stacks' placeholder names plan offline; an up would wait on a certificate ACM
    // can never validate, so it is refused before anything is made.
    if (r.situation.deploying)
        for (const [key, name] of [
            ["hostname", workload?.hostname],
            ["sharedEntryDomain", layer?.sharedEntry?.domain],
        ] as const)
            if (name && DOCUMENTATION_NAME.test(name))
                r.problem(
                    key,
                    name,
                    "a domain of your own: example.com, .net and .org are reserved for documentation (RFC 2606), and ACM validates no certificate for them",
                );
    if (target === "local" && cluster?.containerInsights)
        r.problem("containerInsights", true, "false on the local target, which has no EKS add-ons");
    // A platform's nodes hold its tenants' quotas; an app's quota is checked against its platform's.
    if (onEks && nodes && workload && layer?.layer === "all") {
        const room = capacityProblem(nodes, workload);
        if (room) r.problem("workloadMaxReplicas", workload.maxReplicas, room);
    }
    if (onEks && nodes && layer?.layer === "platform") {
        const room = tenantsProblem(nodes, layer.tenants);
        if (room) r.problem("tenants", Object.keys(layer.tenants), room);
    }
    if (layer)
        for (const [key, got, expected] of deployRoleProblems(layer.tenants, cluster))
            r.problem(key, got, expected);
    // An adopted VPC's CIDRs are not known before it is read; the NetworkPolicy leaves such ranges out.
    // An app stack's VPC is its platform's, whose CIDRs its NetworkPolicy leaves out when it runs.
    if (onEks && network && !network.existing && workload && layer?.layer === "all") {
        const inside = sourceRangesProblem(workload.lbSourceRanges, network.vpcCidr);
        if (inside) r.problem("lbSourceRanges", workload.lbSourceRanges, inside);
    }
}

/**
 * Whether the node group at nodeMaxSize holds the HPA's maximum plus the rolling update's surge pod.
 * With less room, pods would stay Pending at peak and a rollout could stall until Pulumi's wait fails.
 */
export function capacityProblem(nodes: NodeGroupSettings, workload: WorkloadSettings): string | undefined {
    const room = fit(nodes, workload);
    if (room.holds >= room.needs) return undefined;
    const pods = `${room.holds} pods of ${workload.cpuRequest} CPU and ${workload.memoryRequest}`;
    return `at most ${room.holds - 1}: nodeMaxSize=${nodes.maxSize} nodes of ${room.instanceType} hold ${pods}, one of them a rollout's surge pod (docs/configuration.md, "Node capacity")`;
}

/**
 * Why client ranges inside the VPC the stack creates mean nothing: an internet-facing NLB never sees
 * a client address from there (a caller inside the VPC reaches it through NAT), while pods have such
 * addresses, so the NetworkPolicy would admit them.
 */
export function sourceRangesProblem(ranges: string[], vpcCidr: string): string | undefined {
    const inside = ranges.filter((range) => contains(vpcCidr, range));
    if (inside.length === 0) return undefined;
    const which = `${inside.join(", ")} ${inside.length > 1 ? "are" : "is"} inside it`;
    return `ranges outside the VPC ${vpcCidr}: ${which} (docs/configuration.md, "Load balancer client ranges")`;
}

/**
 * Problems of a certificate with where the stack runs: an NLB takes ACM certificates of its own
 * region only, and the local target has no NLB. An EKS stack without a region (itself a problem)
 * has nothing to compare with.
 */
export function certificateProblem(
    arn: string | undefined,
    onEks: boolean,
    region: string | undefined,
): string | undefined {
    if (!arn) return undefined;
    if (!onEks) return "empty: the local target's load balancer is not an NLB and takes no ACM certificate";
    if (region === undefined) return undefined;
    const certificateRegion = arn.split(":")[3];
    return certificateRegion === region
        ? undefined
        : `a certificate in the stack's region ${region} (an NLB uses ACM certificates of its own region only)`;
}

/**
 * Problems of the service's own name with the rest of the config, one line each, keyed by the key to
 * blame: the name and its zone go together (the stack validates the certificate and points the name
 * in that zone), it brings its own certificate, and only an NLB serves it.
 */
export function publicNameProblems(
    workload: { hostname?: string; hostedZoneId?: string; tlsCertificateArn?: string },
    onEks: boolean,
): [key: string, got: unknown, expected: string][] {
    const { hostname, hostedZoneId, tlsCertificateArn } = workload;
    if (!hostname && !hostedZoneId) return [];
    if (!onEks)
        return [
            hostname
                ? ["hostname", hostname, "empty on the local target, which makes no AWS resource"]
                : ["hostedZoneId", hostedZoneId, "empty on the local target, which makes no AWS resource"],
        ];
    if (!hostname)
        return [["hostname", "", `a name in the hosted zone ${hostedZoneId}, or hostedZoneId empty too`]];
    if (!hostedZoneId)
        return [
            [
                "hostedZoneId",
                "",
                `the Route 53 hosted zone of ${hostname}, where the stack validates its certificate and points the name`,
            ],
        ];
    if (tlsCertificateArn)
        return [
            [
                "tlsCertificateArn",
                tlsCertificateArn,
                `empty with hostname: the stack makes and renews ${hostname}'s certificate itself`,
            ],
        ];
    return [];
}

/**
 * EKS holds one access entry per principal and cluster: a tenant's deploy role (or app stack) may not
 * be another tenant's, nor one of the cluster's admins or viewers, whose entries reach every namespace.
 */
export function deployRoleProblems(
    tenants: LayerSettings["tenants"],
    cluster?: { adminRoleArns: string[]; viewerRoleArns: string[] },
): [key: string, got: unknown, expected: string][] {
    const owner = new Map<string, string>();
    const problems: [string, unknown, string][] = [];
    for (const [name, { deployRoleArns, deployStacks }] of Object.entries(tenants)) {
        for (const stack of deployStacks) {
            const other = owner.get(`stack ${stack}`);
            if (other)
                problems.push([
                    `tenants.${name}.deployStacks`,
                    stack,
                    `a stack of ${name}'s own: it deploys ${other} too`,
                ]);
            owner.set(`stack ${stack}`, name);
        }
        for (const arn of deployRoleArns) {
            const key = `tenants.${name}.deployRoleArns`;
            const other = owner.get(arn);
            if (other) problems.push([key, arn, `a role of ${name}'s own: it is ${other}'s deploy role too`]);
            else if (cluster?.adminRoleArns.includes(arn) || cluster?.viewerRoleArns.includes(arn))
                problems.push([key, arn, "a role that is not also in adminRoleArns or viewerRoleArns"]);
            owner.set(arn, name);
        }
    }
    return problems;
}
