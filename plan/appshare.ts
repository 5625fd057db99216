// An app stack's share of its platform's nodes, which the app's plan prices: the platform's plan
// prices the nodes whole.
import { allocatable } from "../domain/capacity";
import { instanceType } from "../domain/instancetypes";
import { bytesOf, cpusOf } from "../domain/quantities";
import { RunResult, unwrapSecrets } from "../offline";

// Inputs are arbitrary JSON from the engine's point of view, so they are read loosely.
type Json = any;

/**
 * What an app's pods take of its platform's nodes at the HPA's minimum: the larger of their CPU and
 * memory requests over what a node of the platform's first instance type gives pods.
 */
export function nodeShare(run: RunResult, platform: RunResult) {
    const inputsOf = (from: RunResult, type: string): Json => {
        const found = from.registrations.find((r) => r.type === type);
        return found && unwrapSecrets(found.inputs);
    };
    const group = inputsOf(platform, "aws:eks/nodeGroup:NodeGroup");
    const hpa = inputsOf(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    const deployment = inputsOf(run, "kubernetes:apps/v1:Deployment");
    if (!group || !hpa || !deployment) return undefined;
    const type: string = group.instanceTypes[0];
    const { cpu, memory } = deployment.spec.template.spec.containers[0].resources.requests;
    const node = allocatable(instanceType(type)!);
    const pods: number = hpa.spec.minReplicas;
    const perPod = Math.max((cpusOf(cpu) * 1000) / node.cpu, bytesOf(memory) / 2 ** 20 / node.memoryMiB);
    return { type, spot: group.capacityType === "SPOT", pods, cpu, memory, nodes: pods * perPod };
}
