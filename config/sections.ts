import { ADDONS, AddonName } from "../components/addons";
import { architectureOf } from "../components/architecture";
import { cidrProblem } from "../components/cidr";
import { ControlPlaneSettings, LOG_RETENTION_DAYS } from "../components/cluster";
import { ImageSettings } from "../components/image";
import { ExistingVpc, NAT_GATEWAYS, NetworkSettings } from "../components/network";
import { CAPACITY_TYPES, NodeGroupSettings } from "../components/nodegroup";
import { bytesOf, cpusOf } from "../components/quantities";
import { MAX_GUNICORN_WORKERS, WorkloadSettings } from "../components/workload";
import { Reader, complete } from "./reader";

// One parser per section of the config. Each reads its keys, records every problem on the reader, and
// returns the section only when all of it is valid.

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

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
    return r.string("aws:region", /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-west-2");
}

export function network(r: Reader): NetworkSettings | undefined {
    const vpcCidr = r.check("vpcCidr", r.string("vpcCidr"), (v) => cidrProblem(v, 16, 22));
    const azCount = r.integer("azCount", 2, 6);
    const natGateways = r.oneOf("natGateways", NAT_GATEWAYS);
    const existing = existingVpc(r);
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

export function cluster(r: Reader): (ControlPlaneSettings & { adminRoleArns: string[] }) | undefined {
    const kubernetesVersion = r.string(
        "kubernetesVersion",
        /^1\.\d{2}$/,
        "a version of the form 1.NN, such as 1.33",
    );
    const endpointPublicAccessCidrs = r.list("endpointPublicAccessCidrs");
    const badCidrs = endpointPublicAccessCidrs?.filter(
        (c) => r.check("endpointPublicAccessCidrs", c, (v) => cidrProblem(v, 0, 32)) === undefined,
    );
    const logRetentionDays = r.check("logRetentionDays", r.integer("logRetentionDays", 1), (v) =>
        LOG_RETENTION_DAYS.includes(v) ? undefined : `one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
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
    const addonVersions = addonPins(r);
    const kubeconfigProfile = r.string(
        "kubeconfigProfile",
        /^[\w.+-]*$/,
        "empty, or an AWS CLI profile name",
    );
    const kubeconfigRoleArn = r.check("kubeconfigRoleArn", r.string("kubeconfigRoleArn"), (v) =>
        v === "" || ROLE_ARN.test(v) ? undefined : "empty, or an IAM role ARN",
    );
    const protect = r.boolean("protect");
    const settings = complete({
        kubernetesVersion,
        endpointPublicAccessCidrs: badCidrs?.length ? undefined : endpointPublicAccessCidrs,
        logRetentionDays,
        adminRoleArns,
        viewerRoleArns,
        addonVersions,
        kubeconfigProfile,
        kubeconfigRoleArn,
        protect,
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

/** Parses `name=version` pins, each naming a managed add-on once. */
function addonPins(r: Reader): Partial<Record<AddonName, string>> {
    const pins: Partial<Record<AddonName, string>> = {};
    for (const pin of r.list("addonVersions") ?? []) {
        const [name, version, ...rest] = pin.split("=");
        if (!(ADDONS as readonly string[]).includes(name) || !version || rest.length > 0) {
            r.problem("addonVersions", pin, `name=version with name one of ${ADDONS.join(", ")}`);
        } else if (name in pins) {
            r.problem("addonVersions", pin, `each add-on pinned once; ${name} is pinned twice`);
        } else {
            pins[name as AddonName] = version;
        }
    }
    return pins;
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
    if (instanceTypes && new Set(instanceTypes.map(architectureOf)).size > 1) {
        const byArch = instanceTypes.map((t) => `${t}=${architectureOf(t)}`).join(", ");
        r.problems.push(
            `${r.name("instanceTypes")}: got ${byArch}, expected one CPU architecture for all (the AMI and the image are built for one)`,
        );
        instanceTypes = undefined;
    }
    const capacityType = r.oneOf("capacityType", CAPACITY_TYPES);
    const minSize = r.integer("nodeMinSize", 1);
    let desiredSize = r.integer("nodeDesiredSize", 0);
    const maxSize = r.integer("nodeMaxSize", 0);
    if (minSize !== undefined && desiredSize !== undefined && maxSize !== undefined) {
        if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
            r.problems.push(
                `${r.name("nodeDesiredSize")}: got min=${minSize} desired=${desiredSize} max=${maxSize}, expected nodeMinSize <= nodeDesiredSize <= nodeMaxSize`,
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
    if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
        r.problems.push(
            `${r.name("workloadMinReplicas")}: got ${minReplicas} with workloadMaxReplicas=${maxReplicas}, expected workloadMinReplicas <= workloadMaxReplicas`,
        );
        minReplicas = undefined;
    }
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
    return complete({
        minReplicas,
        maxReplicas,
        cpuRequest,
        memoryRequest,
        memoryLimit,
        lbSourceRanges,
    });
}
