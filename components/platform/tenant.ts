import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Quota } from "../../domain/capacity";
import { ENTRY_LABEL, HOST_ANNOTATION, namespaceLabels } from "../../domain/namespaces";

/** The namespace's quota, as the platform's tenants config gives it, and where it runs. */
export interface TenantArgs extends Quota {
    /** On EKS, where the AWS Load Balancer Controller gives the app's pods a readiness gate. */
    behindNlb: boolean;
    /** The app's host on the platform's shared ALB, when its entry is shared; else it has an NLB. */
    sharedHost?: string;
    /** The namespace's name (the app's, unless its tenant keeps an existing one). */
    namespace: string;
}

/**
 * A container with no requests or limits of its own gets these: under a quota of requested CPU and
 * memory, the API server refuses a pod that states none.
 */
const TENANT_CONTAINER_DEFAULTS = {
    defaultRequest: { cpu: "100m", memory: "128Mi" },
    default: { memory: "256Mi" },
};

/**
 * One app's room on a shared cluster: its namespace (restricted Pod Security, on EKS the load
 * balancer's readiness gate, and how its clients reach it: its own NLB, or the one host it may serve
 * on the shared ALB, which the admission policy of tenantingress.ts reads), a quota of requested CPU
 * and memory, pods, load balancers and Ingresses (one NLB, or one Ingress on the shared entry),
 * default requests for containers without them. The platform makes all of it because the app cannot: a namespace-scoped
 * access policy (TenantAccess, on EKS) reads but never writes namespaces, quotas and limit ranges (EKS
 * access policy reference), and a quota the app set itself would confine nothing.
 */
export class Tenant extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Tenant", name, {}, opts);
        const parent = { parent: this };
        const ns = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        ...namespaceLabels(args.behindNlb),
                        [ENTRY_LABEL]: args.sharedHost ? "shared" : "own",
                    },
                    annotations: args.sharedHost ? { [HOST_ANNOTATION]: args.sharedHost } : undefined,
                },
            },
            parent,
        );
        // Made after the namespace: their namespace is its output.
        this.namespace = ns.metadata.name;
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: { name: "tenant", namespace: this.namespace },
                spec: {
                    hard: {
                        "requests.cpu": args.cpu,
                        "requests.memory": args.memory,
                        pods: String(args.pods),
                        "services.loadbalancers": args.sharedHost ? "0" : "1",
                        // One Ingress on the shared ALB, and none without it (the admission policy
                        // refuses it too): each is rules on every app's listener.
                        "count/ingresses.networking.k8s.io": args.sharedHost ? "1" : "0",
                    },
                },
            },
            parent,
        );
        new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: { name: "tenant", namespace: this.namespace },
                spec: { limits: [{ type: "Container", ...TENANT_CONTAINER_DEFAULTS }] },
            },
            parent,
        );
        this.registerOutputs({ namespace: this.namespace });
    }
}
