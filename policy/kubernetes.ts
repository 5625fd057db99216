import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { contains } from "../domain/cidr";
import { scaledDeployment } from "./rollouts";

/** Annotation that marks a LoadBalancer Service as public on purpose (no source ranges). */
export const PUBLIC_ANNOTATION = "policy.flask-eks.io/public";

// Pod specs are plain JSON here; the SDK's input types are far wider than what the rules read.
interface Container {
    name: string;
    image?: string;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    readinessProbe?: object;
    livenessProbe?: object;
    securityContext?: SecurityContext;
}
interface SecurityContext {
    runAsNonRoot?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[] };
    seccompProfile?: { type?: string };
}
interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    securityContext?: SecurityContext;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: { name: string; hostPath?: object }[];
}

// isType takes a resource class; the SDK types its constructor's arguments as any.
type ResourceClass = new (...rest: any[]) => pulumi.Resource;
type Props = Record<string, any>;

/** Where each workload kind keeps its pod spec. */
const WORKLOADS: [ResourceClass, (props: Props) => PodSpec | undefined][] = [
    [k8s.apps.v1.Deployment, (p) => p.spec?.template?.spec],
    [k8s.apps.v1.StatefulSet, (p) => p.spec?.template?.spec],
    [k8s.apps.v1.DaemonSet, (p) => p.spec?.template?.spec],
    [k8s.batch.v1.Job, (p) => p.spec?.template?.spec],
    [k8s.batch.v1.CronJob, (p) => p.spec?.jobTemplate?.spec?.template?.spec],
    [k8s.core.v1.Pod, (p) => p.spec],
];

/** The pod spec of a workload resource, or undefined for anything else. */
export function podSpecOf(args: ResourceValidationArgs): PodSpec | undefined {
    const workload = WORKLOADS.find(([cls]) => args.isType(cls));
    return workload?.[1](args.props);
}

function podPolicy(
    name: string,
    description: string,
    check: (pod: PodSpec, containers: Container[], report: ReportViolation) => void,
): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: (args, report) => {
            const pod = podSpecOf(args);
            if (pod) check(pod, [...(pod.initContainers ?? []), ...(pod.containers ?? [])], report);
        },
    };
}

export const imagesByDigest = podPolicy(
    "k8s-images-by-digest",
    "Containers run images pinned by digest (@sha256:...), so what runs is exactly what was built and scanned.",
    (_pod, containers, report) => {
        for (const c of containers) {
            // Stryker disable next-line StringLiteral: any image without a digest is refused, as none is.
            if (!/@sha256:[0-9a-f]{64}$/.test(c.image ?? ""))
                report(`container ${c.name} runs ${c.image}, not an image by digest.`);
        }
    },
);

export const resourcesSet = podPolicy(
    "k8s-resources-set",
    "Containers set CPU and memory requests and a memory limit.",
    (_pod, containers, report) => {
        for (const c of containers) {
            const missing = [
                ["requests.cpu", c.resources?.requests?.cpu],
                ["requests.memory", c.resources?.requests?.memory],
                ["limits.memory", c.resources?.limits?.memory],
            ].filter(([, v]) => !v);
            if (missing.length) report(`container ${c.name} sets no ${missing.map(([k]) => k).join(", ")}.`);
        }
    },
);

export const probesSet = podPolicy(
    "k8s-probes-set",
    "Containers have readiness and liveness probes.",
    (pod, _containers, report) => {
        for (const c of pod.containers ?? []) {
            if (!c.readinessProbe) report(`container ${c.name} has no readinessProbe.`);
            if (!c.livenessProbe) report(`container ${c.name} has no livenessProbe.`);
        }
    },
);

export const restrictedPodSecurity = podPolicy(
    "k8s-restricted-pod-security",
    "Pods meet the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root filesystem.",
    (pod, containers, report) => {
        for (const c of containers) {
            const sc = c.securityContext ?? {};
            const problems = [
                !(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) && "runAsNonRoot is not true",
                sc.allowPrivilegeEscalation !== false && "allowPrivilegeEscalation is not false",
                !sc.capabilities?.drop?.includes("ALL") && "capabilities do not drop ALL",
                (sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type) !== "RuntimeDefault" &&
                    "seccompProfile is not RuntimeDefault",
                sc.readOnlyRootFilesystem !== true && "readOnlyRootFilesystem is not true",
            ].filter(Boolean);
            if (problems.length) report(`container ${c.name}: ${problems.join("; ")}.`);
        }
    },
);

export const noHostAccess = podPolicy(
    "k8s-no-host-access",
    "Pods use no host network, PID or IPC namespace, no hostPath volume and no privileged container.",
    (pod, containers, report) => {
        for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const)
            if (pod[key]) report(`${key} is true.`);
        // Stryker disable next-line ArrayDeclaration: a list of one string has no hostPath volume either.
        for (const v of pod.volumes ?? []) if (v.hostPath) report(`volume ${v.name} is a hostPath.`);
        for (const c of containers)
            if (c.securityContext?.privileged) report(`container ${c.name} is privileged.`);
    },
);

/** True when every matchLabels entry of `selector` is among `labels` (so always for an empty one). */
function selects(
    selector: Record<string, string> | undefined,
    labels: Record<string, string> | undefined,
): boolean {
    return !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The stack's resources of one Kubernetes kind, such as k8s.apps.v1.Deployment. */
function ofKind(args: StackValidationArgs, kind: Parameters<PolicyResource["isType"]>[0]): PolicyResource[] {
    return args.resources.filter((r) => r.isType(kind));
}

/** Two objects in the same namespace. */
function sameNamespace(a: PolicyResource, b: PolicyResource): boolean {
    return a.props.metadata?.namespace === b.props.metadata?.namespace;
}

export const disruptionBudgets: StackValidationPolicy = {
    name: "k8s-pdb-for-replicated-deployments",
    description:
        "Every Deployment with more than one replica (declared, or its HPA's minimum) has a PodDisruptionBudget that selects its pods.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const pdbs = ofKind(args, k8s.policy.v1.PodDisruptionBudget);
        const hpas = ofKind(args, k8s.autoscaling.v2.HorizontalPodAutoscaler);
        for (const d of ofKind(args, k8s.apps.v1.Deployment)) {
            // An autoscaled Deployment declares no replicas; its HPA (on it, or on the Rollout that
            // took its pods) never goes below its minimum.
            const name = d.props.metadata?.name;
            const hpa = hpas.find((h) => name && scaledDeployment(args, h) === name && sameNamespace(h, d));
            // A matching HPA has a spec: its scaleTargetRef is in it.
            const replicas = d.props.spec?.replicas ?? hpa?.props.spec.minReplicas ?? 1;
            if (replicas <= 1) continue;
            const covered = pdbs.some(
                (p) =>
                    sameNamespace(p, d) &&
                    selects(p.props.spec?.selector?.matchLabels, d.props.spec?.template?.metadata?.labels),
            );
            if (!covered)
                report(`Deployment ${d.name} runs ${replicas} replicas with no PodDisruptionBudget.`, d.urn);
        }
    },
};

export const networkPolicies: StackValidationPolicy = {
    name: "k8s-network-policy-for-every-deployment",
    description:
        "Every Deployment's pods are selected by a NetworkPolicy of their namespace that limits both ingress and egress.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const policies = ofKind(args, k8s.networking.v1.NetworkPolicy);
        for (const d of ofKind(args, k8s.apps.v1.Deployment)) {
            const labels = d.props.spec?.template?.metadata?.labels;
            const limited = (direction: string) =>
                policies.some((p) => {
                    const spec = p.props.spec;
                    return (
                        sameNamespace(p, d) &&
                        // Stryker disable next-line ArrayDeclaration: a list of one string holds no direction either.
                        (spec?.policyTypes ?? []).includes(direction) &&
                        // A spec with policyTypes is there. An empty podSelector selects every pod of the
                        // namespace, as selects() has it.
                        selects(spec.podSelector?.matchLabels ?? {}, labels)
                    );
                });
            const open = ["Ingress", "Egress"].filter((direction) => !limited(direction));
            if (open.length)
                report(
                    `Deployment ${d.name} has no NetworkPolicy limiting its ${open.join(" and ").toLowerCase()}.`,
                    d.urn,
                );
        }
    },
};

export const networkPoliciesNotVpcWide: StackValidationPolicy = {
    name: "k8s-network-policy-not-vpc-wide",
    description:
        "No NetworkPolicy admits addresses of the VPC but its load balancers' subnets: with the VPC CNI every pod has a VPC address, so such a rule admits pods of every namespace.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        // An adopted VPC is not in the stack; the program excepts its CIDRs, read when it runs.
        const vpcs: string[] = args.resources
            .filter((r) => r.type === "aws:ec2/vpc:Vpc" && r.props.cidrBlock)
            .map((r) => r.props.cidrBlock);
        // Internet-facing load balancers live in the subnets tagged for them; no node or pod does.
        const loadBalancerSubnets: string[] = args.resources
            .filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.props.tags?.["kubernetes.io/role/elb"])
            .map((r) => r.props.cidrBlock);
        for (const p of ofKind(args, k8s.networking.v1.NetworkPolicy))
            // Stryker disable ArrayDeclaration: a list of one string holds no rule, peer or CIDR either.
            for (const rule of p.props.spec?.ingress ?? [])
                for (const { ipBlock } of rule.from ?? []) {
                    if (!ipBlock) continue;
                    const except: string[] = ipBlock.except ?? [];
                    // Stryker restore ArrayDeclaration
                    const holds = vpcs.find(
                        (vpc) => contains(ipBlock.cidr, vpc) && !except.some((e) => contains(e, vpc)),
                    );
                    const inside = vpcs.find((vpc) => contains(vpc, ipBlock.cidr));
                    if (holds)
                        report(
                            `NetworkPolicy ${p.name} admits ${ipBlock.cidr}, which holds the VPC ${holds}: list the VPC's CIDR in its except.`,
                            p.urn,
                        );
                    else if (inside && !loadBalancerSubnets.includes(ipBlock.cidr))
                        report(
                            `NetworkPolicy ${p.name} admits ${ipBlock.cidr}, inside the VPC ${inside} and not a load balancer subnet: pods have addresses there.`,
                            p.urn,
                        );
                }
    },
};

export const loadBalancerSourceRanges: ResourceValidationPolicy = {
    name: "k8s-load-balancer-source-ranges",
    description: `LoadBalancer Services list loadBalancerSourceRanges, or carry ${PUBLIC_ANNOTATION}: "true" to be public on purpose.`,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!args.isType(k8s.core.v1.Service) || args.props.spec?.type !== "LoadBalancer") return;
        const ranges: string[] = args.props.spec.loadBalancerSourceRanges ?? [];
        if (ranges.length === 0 && args.props.metadata?.annotations?.[PUBLIC_ANNOTATION] !== "true") {
            report(
                `set spec.loadBalancerSourceRanges, or annotate ${PUBLIC_ANNOTATION}: "true" if the Service is meant to be public.`,
            );
        }
    },
};

export const kubernetesPolicies = [
    imagesByDigest,
    resourcesSet,
    probesSet,
    restrictedPodSecurity,
    noHostAccess,
    disruptionBudgets,
    networkPolicies,
    networkPoliciesNotVpcWide,
    loadBalancerSourceRanges,
];
