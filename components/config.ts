import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSettings } from "./app";
import type { ControlPlaneSettings, NodeGroupSettings } from "./cluster";
import type { ImageSettings } from "./image";
import type { NetworkArgs } from "./network";

// The one typed view of the stack config. Defaults live in Pulumi.yaml only (the CLI applies them);
// this module parses every key, collects every problem, and throws once, before any resource exists.

export type NatGateways = "none" | "single" | "perAz";
export type CapacityType = "ON_DEMAND" | "SPOT";
export type Architecture = "amd64" | "arm64";

/** The add-ons the cluster manages; addonVersions may pin any of them. */
export const ADDONS = [
    "vpc-cni",
    "kube-proxy",
    "eks-pod-identity-agent",
    "coredns",
    "metrics-server",
] as const;
export type AddonName = (typeof ADDONS)[number];

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export interface ExistingVpc {
    vpcId: string;
    publicSubnetIds: string[];
    privateSubnetIds: string[];
}

export interface StackConfig {
    project: string;
    stack: string;
    region: string;
    /** EKS cluster name, `<project>-<stack>`; known before the cluster exists so its log group can be. */
    clusterName: string;
    network: Omit<NetworkArgs, "clusterName">;
    cluster: ControlPlaneSettings & {
        /** IAM roles given cluster admin, besides the deployer. */
        adminRoleArns: string[];
    };
    nodes: NodeGroupSettings;
    image: ImageSettings;
    app: WorkloadSettings;
}

/** Raised when the stack config is invalid; its message has one line per problem. */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly problems: string[],
        stack: string,
    ) {
        super(
            `Invalid config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
        // The user needs the problem lines, not where they were found. Without frames the SDK's run
        // script also skips a colourised inspection that can take Node 20 tens of seconds.
        this.stack = `${this.name}: ${this.message}`;
    }
}

/** Reads a raw config value: the string the CLI passes (arrays as JSON), or undefined when unset. */
export type RawConfig = (namespace: string, key: string) => string | undefined;

/** Loads and validates the current stack's config; throws ConfigError listing every problem. */
export function loadConfig(): StackConfig {
    return parseConfig(
        (namespace, key) => new pulumi.Config(namespace).get(key),
        pulumi.getProject(),
        pulumi.getStack(),
        Object.keys(pulumi.runtime.allConfig()),
    );
}

/**
 * Parses and validates raw config. `setKeys`, when given, lists every key set for the stack; any in
 * this project's namespace that nothing reads is reported as unknown.
 */
export function parseConfig(raw: RawConfig, project: string, stack: string, setKeys?: string[]): StackConfig {
    const problems: string[] = [];
    const r = new Reader(raw, project, problems);

    const region = r.string("aws:region", /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-west-2");

    // ---- network ----
    const vpcCidr = r.check("vpcCidr", r.string("vpcCidr"), (v) => cidrProblem(v, 16, 22));
    const azCount = r.integer("azCount", 2, 6);
    const natGateways = r.oneOf("natGateways", ["none", "single", "perAz"] as const);
    const vpcId = r.string(
        "vpcId",
        /^(vpc-[0-9a-f]{8,17})?$/,
        "empty, or a VPC id such as vpc-0123456789abcdef0",
    );
    const subnetPattern = /^subnet-[0-9a-f]{8,17}$/;
    const subnetWant = "subnet ids such as subnet-0123456789abcdef0";
    const publicSubnetIds = r.list("publicSubnetIds", subnetPattern, subnetWant);
    const privateSubnetIds = r.list("privateSubnetIds", subnetPattern, subnetWant);
    let existing: ExistingVpc | undefined;
    if (vpcId && publicSubnetIds && privateSubnetIds) {
        for (const [key, ids] of [
            ["privateSubnetIds", privateSubnetIds],
            ["publicSubnetIds", publicSubnetIds],
        ] as const) {
            if (ids.length < 2) {
                problems.push(
                    `${r.name(key)}: got ${JSON.stringify(ids)}, expected at least 2 subnets in different AZs when vpcId is set`,
                );
            }
        }
        existing = { vpcId, publicSubnetIds, privateSubnetIds };
    } else if (vpcId === "" && (publicSubnetIds?.length || privateSubnetIds?.length)) {
        problems.push(
            `${r.name("vpcId")}: got "", expected a VPC id because publicSubnetIds/privateSubnetIds are set (subnets only make sense with the VPC they belong to)`,
        );
    }

    // ---- cluster ----
    const kubernetesVersion = r.string(
        "kubernetesVersion",
        /^1\.\d{2}$/,
        "a version of the form 1.NN, such as 1.33",
    );
    const endpointPublicAccessCidrs = r.list("endpointPublicAccessCidrs");
    endpointPublicAccessCidrs?.forEach((c) =>
        r.check("endpointPublicAccessCidrs", c, (v) => cidrProblem(v, 0, 32)),
    );
    const logRetentionDays = r.check("logRetentionDays", r.integer("logRetentionDays", 1), (v) =>
        LOG_RETENTION_DAYS.includes(v) ? undefined : `one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
    const rolePattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
    const roleWant = "IAM role ARNs such as arn:aws:iam::123456789012:role/admin";
    const adminRoleArns = r.list("adminRoleArns", rolePattern, roleWant);
    const addonVersions = parseAddonPins(r);
    const kubeconfigProfile = r.string(
        "kubeconfigProfile",
        /^[\w.+-]*$/,
        "empty, or an AWS CLI profile name",
    );
    const kubeconfigRoleArn = r.check("kubeconfigRoleArn", r.string("kubeconfigRoleArn"), (v) =>
        v === "" || rolePattern.test(v) ? undefined : "empty, or an IAM role ARN",
    );
    const protect = r.boolean("protect");

    // ---- nodes ----
    const instanceTypes = r.list(
        "instanceTypes",
        /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
        "EC2 instance types such as t3.medium",
    );
    if (instanceTypes?.length === 0) {
        problems.push(`${r.name("instanceTypes")}: got [], expected at least one instance type`);
    }
    if (instanceTypes && new Set(instanceTypes.map(architectureOf)).size > 1) {
        const byArch = instanceTypes.map((t) => `${t}=${architectureOf(t)}`).join(", ");
        problems.push(
            `${r.name("instanceTypes")}: got ${byArch}, expected one CPU architecture for all (the AMI and the image are built for one)`,
        );
    }
    const capacityType = r.oneOf("capacityType", ["ON_DEMAND", "SPOT"] as const);
    const minSize = r.integer("nodeMinSize", 1);
    const desiredSize = r.integer("nodeDesiredSize", 0);
    const maxSize = r.integer("nodeMaxSize", 0);
    if (minSize !== undefined && desiredSize !== undefined && maxSize !== undefined) {
        if (!(minSize <= desiredSize && desiredSize <= maxSize)) {
            problems.push(
                `${r.name("nodeDesiredSize")}: got min=${minSize} desired=${desiredSize} max=${maxSize}, expected nodeMinSize <= nodeDesiredSize <= nodeMaxSize`,
            );
        }
    }
    const diskSizeGiB = r.integer("nodeDiskSizeGiB", 20, 16384);

    // ---- image ----
    const appVersion = r.string(
        "appVersion",
        /^[\w][\w.+-]{0,127}$/,
        "a version label such as 1.4.2 (letters, digits, . + - _)",
    );
    const pinnedImageRef = r.string(
        "appImageRef",
        /^([\w.-]+(:\d+)?\/[\w./-]+@sha256:[0-9a-f]{64})?$/,
        "empty, or an image by digest such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/repo@sha256:<64 hex>",
    );
    const keepImages = r.integer("ecrKeepImages", 1, 1000);
    const forceDelete = r.boolean("ecrForceDelete");

    // ---- workload ----
    const replicas = r.integer("appReplicas", 1, 1000);
    const minReplicas = r.integer("appMinReplicas", 1, 1000);
    const maxReplicas = r.integer("appMaxReplicas", 1, 1000);
    if (minReplicas !== undefined && maxReplicas !== undefined && replicas !== undefined) {
        if (minReplicas > maxReplicas) {
            problems.push(
                `${r.name("appMinReplicas")}: got ${minReplicas} with appMaxReplicas=${maxReplicas}, expected appMinReplicas <= appMaxReplicas`,
            );
        } else if (replicas < minReplicas || replicas > maxReplicas) {
            problems.push(
                `${r.name("appReplicas")}: got ${replicas}, expected a count from appMinReplicas=${minReplicas} to appMaxReplicas=${maxReplicas}`,
            );
        }
    }
    const cpuRequest = r.string(
        "appCpuRequest",
        /^(\d+m|\d+(\.\d{1,3})?)$/,
        "a CPU quantity such as 250m or 1",
    );
    if (cpuRequest && Math.ceil(cpusOf(cpuRequest)) > MAX_GUNICORN_WORKERS) {
        problems.push(
            `${r.name("appCpuRequest")}: got "${cpuRequest}", expected at most ${MAX_GUNICORN_WORKERS} CPUs (one gunicorn worker each, up to ${MAX_GUNICORN_WORKERS})`,
        );
    }
    const memoryPattern = /^\d+(Ki|Mi|Gi)$/;
    const memoryWant = "a memory quantity such as 256Mi or 1Gi";
    const memoryRequest = r.string("appMemoryRequest", memoryPattern, memoryWant);
    const memoryLimit = r.string("appMemoryLimit", memoryPattern, memoryWant);
    if (memoryRequest && memoryLimit && bytesOf(memoryLimit) < bytesOf(memoryRequest)) {
        problems.push(
            `${r.name("appMemoryLimit")}: got ${memoryLimit} with appMemoryRequest=${memoryRequest}, expected a limit at least the request`,
        );
    }
    const lbSourceRanges = r.list("lbSourceRanges");
    lbSourceRanges?.forEach((c) => r.check("lbSourceRanges", c, (v) => cidrProblem(v, 0, 32)));
    if (lbSourceRanges?.length === 0) {
        // Kubernetes reads an empty list as "open to all": make that a deliberate 0.0.0.0/0.
        problems.push(
            `${r.name("lbSourceRanges")}: got [], expected at least one CIDR (0.0.0.0/0 to be public)`,
        );
    }

    // A mistyped key would otherwise be ignored in silence and its default used instead.
    for (const key of (setKeys ?? []).filter((k) => k.startsWith(`${project}:`) && !r.asked.has(k))) {
        const near = [...r.asked].find((known) => known.toLowerCase() === key.toLowerCase());
        const hint = near ? `; did you mean ${near}?` : ` (see the config reference in README.md)`;
        problems.push(`${key}: is set, expected only keys that Pulumi.yaml declares${hint}`);
    }

    if (problems.length > 0) {
        throw new ConfigError(problems, stack);
    }
    // Every value below was checked above; the non-null assertions cannot fail.
    return deepFreeze({
        project,
        stack,
        region: region!,
        clusterName: `${project}-${stack}`,
        network: { vpcCidr: vpcCidr!, azCount: azCount!, natGateways: natGateways!, existing },
        cluster: {
            kubernetesVersion: kubernetesVersion!,
            endpointPublicAccessCidrs: endpointPublicAccessCidrs!,
            logRetentionDays: logRetentionDays!,
            adminRoleArns: adminRoleArns!,
            addonVersions,
            kubeconfigProfile: kubeconfigProfile || undefined,
            kubeconfigRoleArn: kubeconfigRoleArn || undefined,
            protect: protect!,
        },
        nodes: {
            instanceTypes: instanceTypes!,
            architecture: architectureOf(instanceTypes![0]),
            capacityType: capacityType!,
            minSize: minSize!,
            desiredSize: desiredSize!,
            maxSize: maxSize!,
            diskSizeGiB: diskSizeGiB!,
        },
        image: {
            appVersion: appVersion!,
            pinnedImageRef: pinnedImageRef || undefined,
            keepImages: keepImages!,
            forceDelete: forceDelete!,
        },
        app: {
            replicas: replicas!,
            minReplicas: minReplicas!,
            maxReplicas: maxReplicas!,
            cpuRequest: cpuRequest!,
            memoryRequest: memoryRequest!,
            memoryLimit: memoryLimit!,
            lbSourceRanges: lbSourceRanges!,
        },
    });
}

/**
 * CPU architecture of an EC2 instance type. Graviton families carry a "g" among the attribute letters
 * after the generation digit (t4g, m7g, c7gn, r8gd), plus the first one, a1; the rest are x86-64.
 */
export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    return family === "a1" || /^[a-z]+\d+[a-z]*g[a-z]*$/.test(family) ? "arm64" : "amd64";
}

/** Parses `name=version` pins, each naming a managed add-on once. */
function parseAddonPins(r: Reader): Partial<Record<AddonName, string>> {
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

/** The most gunicorn workers the app accepts (WEB_CONCURRENCY); the Deployment runs one per requested CPU. */
export const MAX_GUNICORN_WORKERS = 64;

/** CPUs in a Kubernetes CPU quantity (250m, 1, 1.5). */
export function cpusOf(quantity: string): number {
    return quantity.endsWith("m") ? parseInt(quantity, 10) / 1000 : Number(quantity);
}

/** Bytes in a Kubernetes memory quantity with a binary suffix (Ki, Mi, Gi). */
function bytesOf(quantity: string): number {
    const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
    return parseInt(quantity, 10) * units[quantity.slice(-2)];
}

/** Why `value` is not an IPv4 network address with a prefix in [minPrefix, maxPrefix]; undefined if it is. */
export function cidrProblem(value: string, minPrefix: number, maxPrefix: number): string | undefined {
    const want = `an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}`;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return want;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return want;
    if (prefix < minPrefix || prefix > maxPrefix) return want;
    const address = ipv4ToInt(octets);
    const network = prefix === 0 ? 0 : (address & (~0 << (32 - prefix))) >>> 0;
    if (network !== address) {
        return `a network address (host bits zero), such as ${intToIpv4(network)}/${prefix}`;
    }
    return undefined;
}

export function ipv4ToInt(octets: number[]): number {
    return (((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0) as number;
}

export function intToIpv4(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object") {
        Object.values(o).forEach(deepFreeze);
        Object.freeze(o);
    }
    return o;
}

/** Typed accessors over raw config that record a problem line instead of throwing. */
class Reader {
    constructor(
        private readonly raw: RawConfig,
        private readonly project: string,
        private readonly problems: string[],
    ) {}

    /** Every fully qualified key read so far. */
    readonly asked = new Set<string>();

    /** The fully qualified key, as a user would type it in `pulumi config set`. */
    name(key: string): string {
        return key.includes(":") ? key : `${this.project}:${key}`;
    }

    problem(key: string, got: unknown, expected: string): void {
        this.problems.push(`${this.name(key)}: got ${JSON.stringify(got)}, expected ${expected}`);
    }

    /** Runs `why` on a parsed value; records its answer as the expectation when it has one. */
    check<T>(key: string, value: T | undefined, why: (v: T) => string | undefined): T | undefined {
        if (value === undefined) return undefined;
        const expected = why(value);
        if (expected === undefined) return value;
        this.problem(key, value, expected);
        return undefined;
    }

    private get(key: string): string | undefined {
        const [ns, k] = key.includes(":") ? key.split(":") : [this.project, key];
        const value = this.raw(ns, k);
        this.asked.add(this.name(key));
        if (value === undefined) {
            this.problems.push(
                `${this.name(key)}: not set, expected a value (Pulumi.yaml declares every key; set this one with pulumi config set ${this.name(key)} ...)`,
            );
        }
        return value;
    }

    string(key: string, pattern?: RegExp, expected?: string): string | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        if (pattern && !pattern.test(v)) {
            this.problem(key, v, expected ?? `a string matching ${pattern}`);
            return undefined;
        }
        return v;
    }

    oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        if (!(allowed as readonly string[]).includes(v)) {
            this.problem(key, v, `one of ${allowed.join(", ")}`);
            return undefined;
        }
        return v as T;
    }

    integer(key: string, min: number, max?: number): number | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
        if (!/^-?\d+$/.test(v.trim())) {
            this.problem(key, v, range);
            return undefined;
        }
        const n = Number(v);
        if (n < min || (max !== undefined && n > max)) {
            this.problems.push(`${this.name(key)}: got ${n}, expected ${range}`);
            return undefined;
        }
        return n;
    }

    boolean(key: string): boolean | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        if (v !== "true" && v !== "false") {
            this.problem(key, v, "true or false");
            return undefined;
        }
        return v === "true";
    }

    /** A list of strings (the CLI passes arrays as JSON), each matching `pattern`; undefined once reported. */
    list(key: string, pattern?: RegExp, expected?: string): string[] | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
            this.problem(key, v, "a list of strings");
            return undefined;
        }
        const bad = pattern ? parsed.filter((x: string) => !pattern.test(x)) : [];
        bad.forEach((x) => this.problem(key, x, expected ?? `items matching ${pattern}`));
        return bad.length > 0 ? undefined : (parsed as string[]);
    }
}
