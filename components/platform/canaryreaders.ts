import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface CanaryReadersArgs {
    /** The Kubernetes group that may read them: the drift check's (the refreshers'). */
    group: string;
}

/** The ClusterRole's and its binding's name: fixed, so that the role can name itself. */
export const CANARY_READERS = "flask-eks:canary-readers";

/**
 * Read access to the canaries' objects (components/app/canary.ts) in every namespace, for a Kubernetes
 * group: the drift check's identity, whose refresh reads each object of a stack by name. On EKS that
 * identity has AmazonEKSViewPolicy, an access policy of fixed rules with no custom resource in them;
 * Argo Rollouts' aggregate-to-view ClusterRole extends the view ClusterRole, which an access policy is
 * not. `get` alone, as a refresh needs: no list, no watch, no write. The ClusterRole and its binding
 * are read by name too, since the same refresh reads them and the view policy reads no RBAC object.
 */
export class CanaryReaders extends pulumi.ComponentResource {
    constructor(name: string, args: CanaryReadersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:CanaryReaders", name, {}, opts);
        const role = new k8s.rbac.v1.ClusterRole(
            name,
            {
                metadata: { name: CANARY_READERS },
                rules: [
                    {
                        apiGroups: ["argoproj.io"],
                        resources: ["rollouts", "analysistemplates", "analysisruns"],
                        verbs: ["get"],
                    },
                    {
                        apiGroups: ["rbac.authorization.k8s.io"],
                        resources: ["clusterroles", "clusterrolebindings"],
                        resourceNames: [CANARY_READERS],
                        verbs: ["get"],
                    },
                ],
            },
            { parent: this },
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            name,
            {
                metadata: { name: CANARY_READERS },
                roleRef: {
                    apiGroup: "rbac.authorization.k8s.io",
                    kind: "ClusterRole",
                    name: role.metadata.name,
                },
                subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: args.group }],
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
