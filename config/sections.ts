import { fit } from "../domain/capacity";
import { cidrProblem, contains, reservedRangeOf } from "../domain/cidr";
import { ControlPlaneSettings, LOG_RETENTION_DAYS, UPGRADE_POLICIES } from "../components/platform/cluster";
import { ImageSettings } from "../components/app/image";
import { ExistingVpc, NAT_GATEWAYS, NetworkSettings } from "../components/platform/network";
import { CAPACITY_TYPES, NodeGroupSettings } from "../components/platform/nodegroup";
import { bytesOf, cpusOf } from "../domain/quantities";
import { INSTANCE_TYPE_NAMES, architectureOf, instanceType } from "../domain/instancetypes";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, newestVersion, runway } from "../domain/versions";
import { MAX_GUNICORN_WORKERS } from "../components/app/pod";
import type { WorkloadSettings } from "../components/app/workload";
import { didYouMean } from "./nearest";
import { COMMERCIAL_REGIONS } from "./regions";
import { DNS_NAME, DNS_NAME_EXPECTED, HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED } from "./dnsnames";
import { Reader, complete } from "./reader";

// One parser per section of the config. Each reads its keys, records every problem on the reader, and
// returns the section only when all of it is valid.

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const orEmpty = (pattern: RegExp) => new RegExp(`^$|${pattern.source}`);
const ACM_CERTIFICATE_ARN =
    /^(arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/;

/**
 * Whether the node group at nodeMaxSize holds the HPA's maximum plus the rolling update's surge pod.
 * With less room, pods would stay Pending at peak and a rollout could stall until Pulumi's wait fails.
 */
export function capacityProblem(nodes: NodeGroupSettings, workload: WorkloadSettings): string | undefined {
    const room = fit(nodes, workload);
    if (room.holds >= room.needs) return undefined;
    return `at most ${room.holds - 1}: nodeMaxSize=${nodes.maxSize} nodes of ${room.instanceType} hold ${room.holds} pods of ${workload.cpuRequest} CPU and ${workload.memoryRequest} after system pods and add-ons, and the HPA's maximum needs one more for the rolling update's surge pod; raise nodeMaxSize, use a larger instance type, or lower the replicas or their requests`;
}

/**
 * Why client ranges inside the VPC the stack creates mean nothing: an internet-facing NLB never sees
 * a client address from there (a caller inside the VPC reaches it through NAT), while pods have such
 * addresses, so the NetworkPolicy would admit them.
 */
export function sourceRangesProblem(ranges: string[], vpcCidr: string): string | undefined {
    const inside = ranges.filter((range) => contains(vpcCidr, range));
    if (inside.length === 0) return undefined;
    return `ranges outside the VPC ${vpcCidr}, where the nodes and pods are (${inside.join(", ")} ${inside.length > 1 ? "are" : "is"} inside it): an internet-facing NLB's clients arrive from outside it, callers inside it through NAT`;
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

export const TARGETS = ["eks", "local"] as const;
/** Where the stack deploys: EKS (the whole stack), or a Kubernetes cluster the user already has. */
export type Target = (typeof TARGETS)[number];

/** The local target's settings (defaults: Pulumi.yaml). */
export interface LocalSettings {
    /** Kubeconfig file; empty means $KUBECONFIG or ~/.kube/config, as kubectl reads it. */
    kubeconfig?: string;
    /** Context in it; empty means its current context. */
    context?: string;
    /** Repository the image is pushed to when it is built (not when imageRef pins one). */
    registry: string;
}

export function target(r: Reader): Target | undefined {
    return r.oneOf("target", TARGETS);
}

export function local(r: Reader): LocalSettings | undefined {
    const kubeconfig = r.string("localKubeconfig");
    const context = r.string("localContext", /^[\w.@:/-]*$/, "empty, or a kubeconfig context name");
    const registry = r.string(
        "localRegistry",
        /^[\w.-]+(:\d+)?(\/[a-z0-9._-]+)+$/,
        "an image repository such as localhost:5000/flask-eks",
    );
    const settings = complete({ kubeconfig, context, registry });
    return settings && { ...settings, kubeconfig: kubeconfig || undefined, context: context || undefined };
}

export function region(r: Reader): string | undefined {
    const value = r.string("aws:region");
    return r.check("aws:region", value, (v) =>
        COMMERCIAL_REGIONS.includes(v)
            ? undefined
            : /^(cn|us-gov|us-iso[a-z]?|eusc)-/.test(v)
              ? `a commercial AWS region such as us-west-2 (${v} is in another partition, whose ARNs, endpoints and prices this program does not handle)`
              : `a commercial AWS region such as us-west-2${didYouMean(v, COMMERCIAL_REGIONS)}`,
    );
}

export function network(r: Reader): NetworkSettings | undefined {
    const vpcCidr = r.check("vpcCidr", r.string("vpcCidr"), (v) => cidrProblem(v, 16, 22));
    const azCount = r.integer("azCount", 2, 6);
    let natGateways = r.oneOf("natGateways", NAT_GATEWAYS);
    const existing = existingVpc(r);
    if (natGateways === "none" && existing === undefined) {
        // Nodes in the new VPC's private subnets then reach neither ECR, EKS nor STS, and never join.
        r.problem(
            "natGateways",
            natGateways,
            "single or perAz for a VPC the stack creates (its nodes pull images and join the cluster through NAT); none only with vpcId, a VPC whose private subnets already have a way out",
        );
        natGateways = undefined;
    }
    const settings = complete<Omit<NetworkSettings, "existing">>({ vpcCidr, azCount, natGateways });
    return settings && existing !== null ? { ...settings, existing } : undefined;
}

/** The adopted VPC: undefined when none is set, null when what is set is invalid. */
function existingVpc(r: Reader): ExistingVpc | undefined | null {
    const vpcId = r.string(
        "vpcId",
        /^(vpc-[0-9a-f]{8,17})?$/,
        "empty, or a VPC id such as vpc-0123456789abcdef0",
    );
    const subnetPattern = /^subnet-[0-9a-f]{8,17}$/;
    const subnetWant = "subnet ids such as subnet-0123456789abcdef0";
    const publicSubnetIds = r.list("publicSubnetIds", subnetPattern, subnetWant);
    const privateSubnetIds = r.list("privateSubnetIds", subnetPattern, subnetWant);
    if (vpcId === undefined || publicSubnetIds === undefined || privateSubnetIds === undefined) return null;
    if (vpcId === "") {
        if (publicSubnetIds.length || privateSubnetIds.length) {
            r.problems.push(
                `${r.name("vpcId")}: got "", expected a VPC id because publicSubnetIds/privateSubnetIds are set (subnets only make sense with the VPC they belong to)`,
            );
            return null;
        }
        return undefined;
    }
    let valid = true;
    for (const [key, ids] of [
        ["privateSubnetIds", privateSubnetIds],
        ["publicSubnetIds", publicSubnetIds],
    ] as const) {
        if (ids.length < 2) {
            r.problems.push(
                `${r.name(key)}: got ${JSON.stringify(ids)}, expected at least 2 subnets in different AZs when vpcId is set`,
            );
            valid = false;
        }
    }
    return valid ? { vpcId, publicSubnetIds, privateSubnetIds } : null;
}

/**
 * The CLI hands the program an unquoted YAML number as it reads it: `1.30` arrives as "1.3". Such a
 * value gets told so, since the stack file still shows 1.30.
 */
function unquoted(value: string): string {
    return /^\d+\.\d*[1-9]$/.test(value) || /^\d+$/.test(value)
        ? `, as a quoted string (YAML reads an unquoted version such as 1.30 as the number 1.3: write "1.30")`
        : "";
}

export function cluster(
    r: Reader,
): (ControlPlaneSettings & { adminRoleArns: string[]; deliveryRoles: boolean }) | undefined {
    const kubernetesVersion = r.check("kubernetesVersion", r.string("kubernetesVersion"), (v) =>
        v in KUBERNETES_VERSIONS
            ? undefined
            : `one of ${Object.keys(KUBERNETES_VERSIONS).join(", ")}${unquoted(v)}`,
    );
    const upgradePolicy = supportedVersion(r, kubernetesVersion, r.oneOf("upgradePolicy", UPGRADE_POLICIES));
    const endpointPublicAccessCidrs = endpointCidrs(r);
    const logRetentionDays = r.check("logRetentionDays", r.integer("logRetentionDays", 1), (v) =>
        LOG_RETENTION_DAYS.includes(v) ? undefined : `one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
    const deliveryRoles = r.boolean("deliveryRoles");
    const adminRoleArns = r.list(
        "adminRoleArns",
        ROLE_ARN,
        "IAM role ARNs such as arn:aws:iam::123456789012:role/admin",
    );
    let viewerRoleArns = r.list(
        "viewerRoleArns",
        ROLE_ARN,
        "IAM role ARNs such as arn:aws:iam::123456789012:role/flask-eks-preview",
    );
    const both = viewerRoleArns?.filter((arn) => adminRoleArns?.includes(arn)) ?? [];
    if (both.length > 0) {
        r.problem(
            "viewerRoleArns",
            both,
            "roles not also in adminRoleArns (a role has one access entry; an admin can read)",
        );
        viewerRoleArns = undefined;
    }
    const kubeconfigProfile = r.string(
        "kubeconfigProfile",
        /^[\w.+-]*$/,
        "empty, or an AWS CLI profile name",
    );
    const kubeconfigRoleArn = r.check("kubeconfigRoleArn", r.string("kubeconfigRoleArn"), (v) =>
        v === "" || ROLE_ARN.test(v) ? undefined : "empty, or an IAM role ARN",
    );
    const protect = r.boolean("protect");
    const containerInsights = r.boolean("containerInsights");
    const settings = complete({
        kubernetesVersion,
        upgradePolicy,
        endpointPublicAccessCidrs,
        logRetentionDays,
        deliveryRoles,
        adminRoleArns,
        viewerRoleArns,
        kubeconfigProfile,
        kubeconfigRoleArn,
        protect,
        containerInsights,
    });
    // An empty profile or role means "none": the kubeconfig then leaves it out.
    return (
        settings && {
            ...settings,
            kubeconfigProfile: settings.kubeconfigProfile || undefined,
            kubeconfigRoleArn: settings.kubeconfigRoleArn || undefined,
        }
    );
}

/**
 * The upgrade policy, if the version has support under it today. A version past standard support
 * is refused under STANDARD: EKS upgrades such a control plane itself, and the stack would then ask
 * for a downgrade. Under EXTENDED it is allowed, at the extended-support price (the plan shows it).
 */
function supportedVersion(
    r: Reader,
    version: string | undefined,
    policy: (typeof UPGRADE_POLICIES)[number] | undefined,
): (typeof UPGRADE_POLICIES)[number] | undefined {
    if (version === undefined || policy === undefined) return undefined;
    const now = runway(KUBERNETES_VERSIONS[version], r.situation.today);
    const newest = newestVersion();
    const upgrade = `upgrade one minor at a time towards ${newest} (docs/operations.md, "Upgrading Kubernetes")`;
    if (now.phase === "ended") {
        r.problem(
            "kubernetesVersion",
            version,
            `a version with support left; ${version}'s ended ${now.until}: ${upgrade}`,
        );
        return undefined;
    }
    if (now.phase === "extended" && policy === "STANDARD") {
        r.problem(
            "kubernetesVersion",
            version,
            `a version in standard support; ${version}'s ended ${KUBERNETES_VERSIONS[version].endOfStandardSupport}: ${upgrade}, or set upgradePolicy: EXTENDED to pay for extended support until ${now.until}`,
        );
        return undefined;
    }
    if (now.phase === "extended") {
        r.notices.push(
            `Kubernetes ${version} is in extended support (billed as such) until ${now.until}: ${upgrade}.`,
        );
    } else if (now.days < RUNWAY_WARNING_DAYS) {
        r.notices.push(
            `Kubernetes ${version} leaves standard support in ${now.days} days (${now.until}): ${upgrade}.`,
        );
    }
    return policy;
}

/** Stands in prod's committed file for the CIDRs only its owner knows; `pulumi up` refuses it. */
export const ENDPOINT_PLACEHOLDER = "REPLACE_WITH_YOUR_EGRESS_CIDRS";

/**
 * Public CIDRs allowed to reach the API endpoint. Documentation and private ranges are refused: no
 * request reaches a public endpoint from them, so the stack could not reach its own cluster. The
 * placeholder passes a preview or the plan as a private-only endpoint, with a notice.
 */
function endpointCidrs(r: Reader): string[] | undefined {
    const cidrs = r.list("endpointPublicAccessCidrs");
    if (cidrs === undefined) return undefined;
    const want =
        "public CIDRs your CI runners' and operators' traffic comes from (or [] for a private-only endpoint, reached from inside the VPC)";
    let valid = true;
    for (const cidr of cidrs) {
        if (cidr === ENDPOINT_PLACEHOLDER) {
            if (r.situation.deploying) {
                r.problem("endpointPublicAccessCidrs", cidr, `${want}; pulumi up refuses the placeholder`);
                valid = false;
            } else {
                r.notices.push(
                    `endpointPublicAccessCidrs holds the placeholder ${ENDPOINT_PLACEHOLDER}: this preview shows a private-only endpoint, and pulumi up refuses it until it is replaced.`,
                );
            }
            continue;
        }
        if (r.check("endpointPublicAccessCidrs", cidr, (v) => cidrProblem(v, 0, 32)) === undefined) {
            valid = false;
            continue;
        }
        const reserved = reservedRangeOf(cidr);
        if (reserved) {
            r.problem("endpointPublicAccessCidrs", cidr, `${want}, not ${reserved}`);
            valid = false;
        }
    }
    return valid ? cidrs.filter((c) => c !== ENDPOINT_PLACEHOLDER) : undefined;
}

export function nodes(r: Reader): NodeGroupSettings | undefined {
    let instanceTypes = r.list(
        "instanceTypes",
        /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
        "EC2 instance types such as t3.medium",
    );
    if (instanceTypes?.length === 0) {
        r.problems.push(`${r.name("instanceTypes")}: got [], expected at least one instance type`);
        instanceTypes = undefined;
    }
    const unknown = instanceTypes?.filter((t) => !instanceType(t)) ?? [];
    for (const t of unknown)
        r.problem(
            "instanceTypes",
            t,
            `an EC2 instance type (domain/data/instance-types.json lists ${INSTANCE_TYPE_NAMES.length})${didYouMean(t, INSTANCE_TYPE_NAMES)}`,
        );
    if (unknown.length) instanceTypes = undefined;
    if (instanceTypes && new Set(instanceTypes.map(architectureOf)).size > 1) {
        const byArch = instanceTypes.map((t) => `${t}=${architectureOf(t)}`).join(", ");
        r.problems.push(
            `${r.name("instanceTypes")}: got ${byArch}, expected one CPU architecture for all (the AMI and the image are built for one)`,
        );
        instanceTypes = undefined;
    }
    const capacityType = r.oneOf("capacityType", CAPACITY_TYPES);
    // The Cluster Autoscaler scales a managed node group from zero (it reads the group's labels and
    // taints with eks:DescribeNodegroup, which its role has), so the minimum may be 0. The first
    // size may not: the autoscaler itself runs on these nodes, and could not add the first one.
    let minSize = r.integer("nodeMinSize", 0);
    let desiredSize = r.integer("nodeDesiredSize", 1);
    const maxSize = r.integer("nodeMaxSize", 1);
    // An unread bound (already a problem) compares as no bound.
    if ((minSize ?? -Infinity) > (maxSize ?? Infinity)) {
        r.problems.push(
            `${r.name("nodeMinSize")}: got ${minSize}, expected at most nodeMaxSize (${maxSize})`,
        );
        minSize = undefined;
    }
    if (minSize !== undefined && desiredSize !== undefined && maxSize !== undefined) {
        if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
            r.problems.push(
                `${r.name("nodeDesiredSize")}: got ${desiredSize}, expected from nodeMinSize to nodeMaxSize (${minSize} to ${maxSize})`,
            );
            desiredSize = undefined;
        }
    }
    const diskSizeGiB = r.integer("nodeDiskSizeGiB", 20, 16384);
    const architecture = instanceTypes && architectureOf(instanceTypes[0]);
    return complete({
        instanceTypes,
        architecture,
        capacityType,
        minSize,
        desiredSize,
        maxSize,
        diskSizeGiB,
    });
}

export function image(r: Reader): ImageSettings | undefined {
    const version = r.string(
        "imageVersion",
        /^[\w][\w.+-]{0,127}$/,
        "a version label such as 1.4.2 (letters, digits, . + - _)",
    );
    const imageRef = r.string(
        "imageRef",
        /^([\w.-]+(:\d+)?\/[\w./-]+@sha256:[0-9a-f]{64})?$/,
        "empty, or an image by digest such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/repo@sha256:<64 hex>",
    );
    const keepCount = r.integer("imageKeepCount", 1, 1000);
    const forceDelete = r.boolean("imageForceDelete");
    const settings = complete({ version, imageRef, keepCount, forceDelete });
    return settings && { ...settings, imageRef: settings.imageRef || undefined };
}

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
    const tlsCertificateArn = r.string(
        "tlsCertificateArn",
        ACM_CERTIFICATE_ARN,
        "empty, or an ACM certificate ARN such as arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    );
    const lbCrossZone = r.boolean("lbCrossZone");
    const hostname = r.string("hostname", orEmpty(DNS_NAME), `empty, or ${DNS_NAME_EXPECTED}`);
    const hostedZoneId = r.string(
        "hostedZoneId",
        orEmpty(HOSTED_ZONE_ID),
        `empty, or ${HOSTED_ZONE_ID_EXPECTED}`,
    );
    const settings = complete({
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
    });
    return (
        settings && {
            ...settings,
            tlsCertificateArn: settings.tlsCertificateArn || undefined,
            hostname: settings.hostname || undefined,
            hostedZoneId: settings.hostedZoneId || undefined,
        }
    );
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
