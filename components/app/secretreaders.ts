import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent } from "../../migrations";

export interface SecretReadersArgs {
    secret: k8s.core.v1.Secret;
    /** The Kubernetes group that may read it. */
    group: string;
    namespace: pulumi.Input<string>;
}

/**
 * Read access to the app's Secret, by its name, for a Kubernetes group: the drift check's identity,
 * whose refresh reads every object of the stack, while EKS's view policy reads no Secret. By name, so
 * no other Secret of the namespace, and no list: RBAC cannot narrow a list to names. The Role and its
 * binding name themselves too, since the drift check refreshes them and the view policy reads no RBAC
 * object.
 */
export class SecretReaders extends pulumi.ComponentResource {
    constructor(name: string, args: SecretReadersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:SecretReaders", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };
        const { secret, group, namespace } = args;
        const roleName = "app-secret-readers";
        const role = new k8s.rbac.v1.Role(
            roleName,
            {
                metadata: { name: roleName, namespace },
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
                        resourceNames: [roleName],
                        verbs: ["get"],
                    },
                ],
            },
            child,
        );
        new k8s.rbac.v1.RoleBinding(
            roleName,
            {
                metadata: { name: roleName, namespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
            },
            child,
        );
        this.registerOutputs({});
    }
}
