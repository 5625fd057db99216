import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HelmAddon } from "./helmaddon";

/**
 * The argo-helm chart of the Argo Rollouts controller. 2.41.0 is the newest the stored index shows
 * (controller v1.9.0); the local cluster runs v1.10.2 from its Go module (engine/versions.env). Every
 * field the stack's Rollouts use (workloadRef.scaleDown, progressDeadlineAbort, podTemplateHashValue)
 * is in both versions' CRDs.
 */
const CHART = { name: "argo-rollouts", version: "2.41.0", repo: "https://argoproj.github.io/argo-helm" };

export interface ArgoRolloutsArgs {
    provider: k8s.Provider;
}

/**
 * The canary controller (components/app/canary.ts), with its CRDs, one replica, no dashboard and no
 * notifications. It calls no AWS API: it reads Prometheus inside the cluster.
 */
export class ArgoRollouts extends HelmAddon {
    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "flask-eks:index:ArgoRollouts",
            name,
            {
                provider: args.provider,
                chart: CHART,
                values: () => ({
                    installCRDs: true,
                    dashboard: { enabled: false },
                    notifications: { secret: { create: false } },
                    controller: {
                        replicas: 1,
                        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
                    },
                }),
            },
            opts,
        );
    }
}
