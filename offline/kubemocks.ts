import * as pulumi from "@pulumi/pulumi";
import { hex } from "./hex";

// What the Kubernetes API and its controllers answer for the objects the program makes, as the
// mocks (mocks.ts) give it after a successful `pulumi up`.

/**
 * A release the canary controller rolled back: the Rollout's status then, and the AnalysisRuns'
 * statuses by name. Otherwise every Rollout is Healthy.
 */
export interface RolledBack {
    /** Left out: a Rollout with no status yet. */
    rollout?: Record<string, unknown>;
    /** Each AnalysisRun by name: its status (undefined: none yet). */
    analysisRuns: Record<string, Record<string, unknown> | undefined>;
}

/** A Kubernetes object's id (namespace/name, or name) and state; undefined for any other type. */
export function kubernetesState(
    args: pulumi.runtime.MockResourceArgs,
    region: string,
    rolledBack?: RolledBack,
): pulumi.runtime.MockResourceResult | undefined {
    if (!args.type.startsWith("kubernetes:")) return undefined;
    const inputs = args.inputs;
    const meta = inputs.metadata ?? {};
    const state: Record<string, unknown> = { ...inputs };
    const id: string = args.id || (meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name);
    switch (args.type) {
        case "kubernetes:core/v1:Service": {
            const suffix = hex(`${args.type}::${args.name}`, 17);
            const hostname = `a${suffix}-${hex(id, 16)}.elb.${region}.amazonaws.com`;
            state.status = { loadBalancer: { ingress: [{ hostname }] } };
            break;
        }
        case "kubernetes:networking.k8s.io/v1:Ingress": {
            // As the controller sets it on every Ingress of its group: the shared ALB's name.
            const group = String(inputs.spec?.ingressClassName);
            const hostname = `k8s-${group}-${hex(group, 10)}-1.${region}.elb.amazonaws.com`;
            state.status = { loadBalancer: { ingress: [{ hostname }] } };
            break;
        }
        case "kubernetes:apps/v1:Deployment":
            // The API server's count of spec changes, which a canary's Rollout waits on.
            state.metadata = { ...meta, generation: 1 };
            break;
        case "kubernetes:argoproj.io/v1alpha1:Rollout":
            state.status = rolledBack ? rolledBack.rollout : { phase: "Healthy" };
            break;
        case "kubernetes:argoproj.io/v1alpha1:AnalysisRun":
            // Only ever read, by its id namespace/name (made, it would have no status yet); one the
            // controller never made is not found, as the API server answers.
            if (args.id) {
                const name = args.id.split("/")[1];
                if (!rolledBack || !(name in rolledBack.analysisRuns))
                    throw new Error(`analysisruns.argoproj.io "${name}" not found`);
                state.status = rolledBack.analysisRuns[name];
            }
            break;
    }
    return { id, state };
}
