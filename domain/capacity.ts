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
