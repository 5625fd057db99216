// Whether the node group, at its largest, holds the workload at its largest. Imports only quantities
// and the instance-type table.
//
// What a node can give pods is what the EKS AL2023 AMI leaves allocatable: CPU less its kube-reserved
// share (6% of the first core, 1% of the second, 0.5% of the third and fourth, 0.25% of each further
// one), memory less 255 MiB + 11 MiB per pod of kube-reserved and the 100 MiB eviction threshold. The
// kernel keeps about 5% of the memory EC2 lists (an estimate).
import { InstanceType, instanceType } from "./instancetypes";
import { bytesOf, cpusOf } from "./quantities";

/** What the Cluster Autoscaler's pod requests (components/addons/autoscaler.ts sets it). */
export const AUTOSCALER_REQUESTS = { cpu: "100m", memory: "300Mi" };
/** What each of the two AWS Load Balancer Controller pods requests (components/addons/lbcontroller.ts). */
export const LOAD_BALANCER_CONTROLLER_REQUESTS = { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" };
/**
 * What cert-manager's three pods request (components/addons/certmanager.ts): its chart sets none, and
 * its docs leave them to the user. Memory after the maintainers' benchmark at 1,000 certificates
 * (cert-manager#4191: controller 95, cainjector 39, webhook 20 MiB at peak) and cainjector's growth
 * with the cluster's CRDs and webhooks (OOM-killed at a 128Mi limit elsewhere).
 */
export const CERT_MANAGER_REQUESTS = {
    controller: { cpu: "10m", memory: "96Mi", memoryLimit: "256Mi" },
    webhook: { cpu: "10m", memory: "32Mi", memoryLimit: "128Mi" },
    cainjector: { cpu: "10m", memory: "128Mi", memoryLimit: "384Mi" },
};

interface Requests {
    /** Millicores. */
    cpu: number;
    memoryMiB: number;
    pods: number;
}

/** On every node: aws-node (vpc-cni), kube-proxy and the Pod Identity agent, requests rounded up. */
const PER_NODE: Requests = { cpu: 150, memoryMiB: 128, pods: 3 };
const certManager = Object.values(CERT_MANAGER_REQUESTS);
/**
 * Once in the cluster: coredns (two), metrics-server, the Cluster Autoscaler, the Load Balancer
 * Controller (two) and cert-manager (three).
 */
const ONCE: Requests = {
    cpu:
        2 * 100 +
        100 +
        cpusOf(AUTOSCALER_REQUESTS.cpu) * 1000 +
        2 * cpusOf(LOAD_BALANCER_CONTROLLER_REQUESTS.cpu) * 1000 +
        certManager.reduce((sum, pod) => sum + cpusOf(pod.cpu) * 1000, 0),
    memoryMiB:
        2 * 70 +
        200 +
        bytesOf(AUTOSCALER_REQUESTS.memory) / 2 ** 20 +
        (2 * bytesOf(LOAD_BALANCER_CONTROLLER_REQUESTS.memory)) / 2 ** 20 +
        certManager.reduce((sum, pod) => sum + bytesOf(pod.memory) / 2 ** 20, 0),
    pods: 9,
};

/** Allocatable CPU (millicores), memory (MiB) and pods of one node, as the AL2023 AMI reserves. */
export function allocatable(size: InstanceType): Requests {
    const shares = [60, 10, 5, 5];
    const reservedCpu = [...Array(size.vcpus).keys()].reduce((sum, core) => sum + (shares[core] ?? 2.5), 0);
    const reservedMemory = 255 + 11 * size.maxPods + 100;
    return {
        cpu: size.vcpus * 1000 - reservedCpu,
        memoryMiB: Math.floor(size.memoryMiB * 0.95) - reservedMemory,
        pods: size.maxPods,
    };
}

export interface Fit {
    /** The instance type with the least room, which the check assumes for every node. */
    instanceType: string;
    /** Pods of the workload that `maxSize` such nodes hold, after system pods and add-ons. */
    holds: number;
    /** The HPA's maximum plus one pod the rolling update adds. */
    needs: number;
}

/**
 * How many workload pods `maxSize` nodes of the smallest of `instanceTypes` hold, against the HPA's
 * maximum and a surge pod. Takes the node group's and the workload's settings as config gives them.
 */
export function fit(
    { instanceTypes, maxSize }: { instanceTypes: string[]; maxSize: number },
    workload: { cpuRequest: string; memoryRequest: string; maxReplicas: number },
): Fit {
    const podCpu = cpusOf(workload.cpuRequest) * 1000;
    const podMemory = bytesOf(workload.memoryRequest) / 2 ** 20;
    const slots = (free: Requests) =>
        Math.max(
            0,
            Math.min(Math.floor(free.cpu / podCpu), Math.floor(free.memoryMiB / podMemory), free.pods),
        );
    const minus = (a: Requests, b: Requests): Requests => ({
        cpu: a.cpu - b.cpu,
        memoryMiB: a.memoryMiB - b.memoryMiB,
        pods: a.pods - b.pods,
    });
    const options = instanceTypes.map((name) => {
        const node = minus(allocatable(instanceType(name)!), PER_NODE);
        // The add-ons that run once are counted on one node, as if they shared none with the others.
        return { instanceType: name, holds: slots(minus(node, ONCE)) + (maxSize - 1) * slots(node) };
    });
    const least = options.reduce((a, b) => (b.holds < a.holds ? b : a));
    return { ...least, needs: workload.maxReplicas + 1 };
}

/**
 * What `maxSize` nodes leave for apps after system pods and add-ons, each of CPU, memory and pods the
 * least of the instance types': the room a platform's tenants share.
 */
export function room({ instanceTypes, maxSize }: { instanceTypes: string[]; maxSize: number }): Requests {
    const rooms = instanceTypes.map((name) => {
        const node = allocatable(instanceType(name)!);
        const free = (key: keyof Requests) => maxSize * (node[key] - PER_NODE[key]) - ONCE[key];
        return { cpu: free("cpu"), memoryMiB: free("memoryMiB"), pods: free("pods") };
    });
    const least = (key: keyof Requests) => Math.max(0, Math.min(...rooms.map((r) => r[key])));
    return { cpu: least("cpu"), memoryMiB: least("memoryMiB"), pods: least("pods") };
}

/** A namespace's quota of requested CPU and memory, and of pods, as config gives it. */
export interface Quota {
    cpu: string;
    memory: string;
    pods: number;
}

const quotaOf = (q: Quota): Requests => ({
    cpu: cpusOf(q.cpu) * 1000,
    memoryMiB: bytesOf(q.memory) / 2 ** 20,
    pods: q.pods,
});

/** Requests as a line says them: 4810m CPU, 8511Mi and 33 pods. */
export const shownRequests = (r: Requests) =>
    `${Math.floor(r.cpu)}m CPU, ${Math.floor(r.memoryMiB)}Mi and ${r.pods} pods`;

/** What the tenants' quotas ask in all, and the room the nodes leave them at their largest. */
export function tenantsFit(
    nodes: { instanceTypes: string[]; maxSize: number },
    tenants: Record<string, Quota>,
) {
    const ask = Object.values(tenants)
        .map(quotaOf)
        .reduce(
            (a, b) => ({ cpu: a.cpu + b.cpu, memoryMiB: a.memoryMiB + b.memoryMiB, pods: a.pods + b.pods }),
            {
                cpu: 0,
                memoryMiB: 0,
                pods: 0,
            },
        );
    const free = room(nodes);
    return {
        ask,
        free,
        fits: ask.cpu <= free.cpu && ask.memoryMiB <= free.memoryMiB && ask.pods <= free.pods,
    };
}

/**
 * Whether the quotas of a platform's tenants fit in the room its nodes leave at their largest: each
 * app may then grow to its quota at once. Quotas are sums: neither this check nor the app's finds a
 * pod too large for any one node's free room (docs/platform.md, "Capacity").
 */
export function tenantsProblem(
    nodes: { instanceTypes: string[]; maxSize: number },
    tenants: Record<string, Quota>,
): string | undefined {
    const { ask, free, fits } = tenantsFit(nodes, tenants);
    if (fits) return undefined;
    return `quotas that fit in ${shownRequests(free)}, what nodeMaxSize=${nodes.maxSize} nodes of ${nodes.instanceTypes.join(" or ")} leave after system pods; these ask ${shownRequests(ask)} in all (docs/configuration.md, "Node capacity")`;
}

/** How many of the workload's pods a namespace's quota holds. */
export function quotaHolds(quota: Quota, workload: { cpuRequest: string; memoryRequest: string }): number {
    const limit = quotaOf(quota);
    return Math.min(
        Math.floor(limit.cpu / (cpusOf(workload.cpuRequest) * 1000)),
        Math.floor(limit.memoryMiB / (bytesOf(workload.memoryRequest) / 2 ** 20)),
        limit.pods,
    );
}

/**
 * Whether an app at its HPA's maximum, plus the rolling update's surge pod, stays within its
 * namespace's quota; above it, the API server refuses the pods past the quota and a rollout stalls.
 */
export function quotaProblem(
    quota: Quota,
    workload: { cpuRequest: string; memoryRequest: string; maxReplicas: number },
): string | undefined {
    const fits = quotaHolds(quota, workload);
    if (fits >= workload.maxReplicas + 1) return undefined;
    const holds = `the namespace's quota (${shownRequests(quotaOf(quota))}) holds ${fits} pods of ${workload.cpuRequest} CPU and ${workload.memoryRequest}`;
    return fits >= 2
        ? `at most ${fits - 1}: ${holds}, one of them a rollout's surge pod`
        : `a larger quota or smaller pods: ${holds}, and one replica needs room for two (a rollout's surge pod)`;
}
