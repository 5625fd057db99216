import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Average CPU use, as a share of the request, that the HPA aims for. */
const HPA_CPU_PERCENT = 70;

/** At most one pod away at a time for voluntary disruptions; replicas follow CPU within the bounds. */
export function disruptionAndScaling(
    deployment: k8s.apps.v1.Deployment,
    namespace: pulumi.Output<string>,
    args: { minReplicas: number; maxReplicas: number },
    labels: Record<string, string>,
    parent: pulumi.Resource,
): void {
    new k8s.policy.v1.PodDisruptionBudget(
        "web",
        {
            metadata: { name: "web", namespace, labels },
            spec: { maxUnavailable: 1, selector: deployment.spec.selector },
        },
        { parent },
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        "web",
        {
            metadata: { name: "web", namespace, labels },
            spec: {
                scaleTargetRef: {
                    apiVersion: "apps/v1",
                    kind: "Deployment",
                    name: deployment.metadata.name,
                },
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
        { parent },
    );
}
