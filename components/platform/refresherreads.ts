import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A kind the refreshers may get, in every namespace: by name where the stack sets the names. */
export interface RefresherRead {
    apiGroup: string;
    resources: string[];
    /** The objects' names; none for a kind whose names the stack does not set. */
    names?: pulumi.Input<string>[];
}

/** The canaries' objects (components/app/canary.ts): a release's AnalysisRuns are named by the controller. */
export const CANARY_READS: RefresherRead = {
    apiGroup: "argoproj.io",
    resources: ["rollouts", "analysistemplates", "analysisruns"],
};

/** The ClusterRole's and its binding's name: fixed, so that the role can name itself. */
export const REFRESHER_READS = "flask-eks:refresher-reads";

export interface RefresherReadsArgs {
    /** The Kubernetes group that may read them: the drift check's (the refreshers'). */
    group: string;
    reads: RefresherRead[];
}

/**
 * What the drift check's refresh reads of a cluster's stack beyond EKS's view policy, for its group:
 * the refresh gets each object of the stack by name, and AmazonEKSViewPolicy is a fixed list of rules
 * with no custom resource, admission policy, IngressClass or RBAC object in it (as the view
 * ClusterRole; Argo Rollouts' aggregate-to-view role extends that ClusterRole, which an access policy
 * is not). `get` alone, as a refresh needs: no list, no watch, no write. The ClusterRole and its
 * binding are read by name too, since the same refresh reads them.
 */
export class RefresherReads extends pulumi.ComponentResource {
    constructor(name: string, args: RefresherReadsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:RefresherReads", name, {}, opts);
        const self: RefresherRead = {
            apiGroup: "rbac.authorization.k8s.io",
            resources: ["clusterroles", "clusterrolebindings"],
            names: [REFRESHER_READS],
        };
        const role = new k8s.rbac.v1.ClusterRole(
            name,
            {
                metadata: { name: REFRESHER_READS },
                rules: [...args.reads, self].map((read) => ({
                    apiGroups: [read.apiGroup],
                    resources: read.resources,
                    resourceNames: read.names,
                    verbs: ["get"],
                })),
            },
            { parent: this },
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            name,
            {
                metadata: { name: REFRESHER_READS },
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
