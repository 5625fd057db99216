// The Workload's secret readers as d323ee9 made them (components/app/secretreaders.ts then), before
// the SecretReaders component held them: the state test/e2e-components/index.ts moves from.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Read access to the app's Secret, by its name, for a Kubernetes group: the drift check's identity,
 * whose refresh reads every object of the stack, while EKS's view policy reads no Secret. By name, so
 * no other Secret of the namespace, and no list: RBAC cannot narrow a list to names. The Role and its
 * binding name themselves too, since the drift check refreshes them and the view policy reads no RBAC
 * object.
 */
export function secretReaders(
    secret: k8s.core.v1.Secret,
    group: string,
    namespace: pulumi.Input<string>,
    parent: pulumi.Resource,
): void {
    const name = "app-secret-readers";
    const role = new k8s.rbac.v1.Role(
        name,
        {
            metadata: { name, namespace },
            rules: [
                {
                    apiGroups: [""],
                    resources: ["secrets"],
                    resourceNames: [secret.metadata.name],
                    verbs: ["get"],
                },
                {
                    apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["roles", "rolebindings"],
                    resourceNames: [name],
                    verbs: ["get"],
                },
            ],
        },
        { parent },
    );
    new k8s.rbac.v1.RoleBinding(
        name,
        {
            metadata: { name, namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
        },
        { parent },
    );
}
