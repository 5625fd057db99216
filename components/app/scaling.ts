import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent } from "../../migrations";

/** An object with a scale subresource, as an HPA names it. */
export interface ScaleTarget {
    apiVersion: string;
    kind: string;
    name: pulumi.Input<string>;
}

/** The Deployment as the HPA's target. */
export const deploymentTarget = (deployment: k8s.apps.v1.Deployment): ScaleTarget => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: deployment.metadata.name,
});

/** Average CPU use, as a share of the request, that the HPA aims for. */
const HPA_CPU_PERCENT = 70;

export interface ScalingArgs {
    /** The PDB's and the HPA's name: the app's. */
    name: string;
    /** What the HPA scales: the Deployment, or the Rollout that took its pods. */
    target: ScaleTarget;
    /** The pods' selector, for the PDB. */
    selector: pulumi.Input<k8s.types.input.meta.v1.LabelSelector>;
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    minReplicas: number;
    maxReplicas: number;
}

/** At most one pod away at a time for voluntary disruptions; replicas follow CPU within the bounds. */
export class Scaling extends pulumi.ComponentResource {
    constructor(name: string, args: ScalingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Scaling", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };
        const { namespace, labels } = args;
        new k8s.policy.v1.PodDisruptionBudget(
            "web",
            {
                metadata: { name: args.name, namespace, labels },
                spec: { maxUnavailable: 1, selector: args.selector },
            },
            child,
        );
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            "web",
            {
                metadata: { name: args.name, namespace, labels },
                spec: {
                    scaleTargetRef: args.target,
                    minReplicas: args.minReplicas,
                    maxReplicas: args.maxReplicas,
                    metrics: [
                        {
                            type: "Resource",
                            resource: {
                                name: "cpu",
                                target: { type: "Utilization", averageUtilization: HPA_CPU_PERCENT },
                            },
                        },
                    ],
                },
            },
            child,
        );
        this.registerOutputs({});
    }
}
