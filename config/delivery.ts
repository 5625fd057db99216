// The names the bootstrap (bootstrap/) gives a stack's delivery identities and its permissions
// boundary. The bootstrap makes them; a stack with deliveryRoles on grants them access to its cluster
// and puts the boundary on every IAM role it makes. A leaf: imports nothing.

export interface DeliveryNames {
    /** The role GitHub's deploy job of the stack's environment assumes: `pulumi up`. */
    deployRole: string;
    /** The read-only role of the stack's pull-request previews, in its preview-<stack> environment. */
    previewRole: string;
    /** The read-only role of the drift check on main, which may also read the app's Secret. */
    driftRole: string;
    /** The managed policy every role the stack makes carries as its permissions boundary. */
    boundaryPolicy: string;
    /** The managed policy of the deploy role's rights over the stack's IAM roles. */
    deployIamPolicy: string;
}

export function deliveryNames(project: string, stack: string): DeliveryNames {
    return {
        deployRole: `${project}-deploy-${stack}`,
        previewRole: `${project}-preview-${stack}`,
        driftRole: `${project}-drift`,
        boundaryPolicy: `${project}-boundary-${stack}`,
        deployIamPolicy: `${project}-deploy-iam-${stack}`,
    };
}

/**
 * The Kubernetes group of the identities that refresh the stack (the drift role's access entry): they
 * may also read, by name, the few objects of the stack EKS's view policy does not (the app's Secret).
 */
export const REFRESHERS_GROUP = "flask-eks:refreshers";
