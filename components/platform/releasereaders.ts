import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * The Kubernetes group whose members may read Helm's release records. The stack's viewer roles
 * (viewerRoleArns: the preview and drift role) are in it through their access entries.
 */
export const RELEASE_READERS_GROUP = "flask-eks:release-readers";
const NAME = "flask-eks-release-readers";

/**
 * Read access to kube-system's Secrets for RELEASE_READERS_GROUP. Helm keeps each release's record
 * there as a Secret, and refreshing a Helm release (the Cluster Autoscaler's, the Load Balancer
 * Controller's) reads and lists them; EKS's view policy reads no Secret at all. RBAC cannot name
 * Helm's Secrets alone (a list is not filtered by name), so this is every Secret of kube-system, and
 * of no other namespace.
 */
export function releaseReaders(parent: pulumi.Resource, opts: { provider: k8s.Provider }): void {
    const role = new k8s.rbac.v1.Role(
        "release-readers",
        {
            metadata: { name: NAME, namespace: "kube-system" },
            rules: [
                { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
                // And these two objects themselves, which the drift job refreshes too: the view policy
                // reads no RBAC object (seen in the end-to-end test).
                {
                    apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["roles", "rolebindings"],
                    resourceNames: [NAME],
                    verbs: ["get"],
                },
            ],
        },
        { parent, provider: opts.provider },
    );
    new k8s.rbac.v1.RoleBinding(
        "release-readers",
        {
            metadata: { name: NAME, namespace: "kube-system" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: RELEASE_READERS_GROUP }],
        },
        { parent, provider: opts.provider },
    );
}
