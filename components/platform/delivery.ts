import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The names of a stack's delivery identities and boundary, as the bootstrap gives them. */
export interface DeliveryNames {
    deployRole: string;
    previewRole: string;
    driftRole: string;
    boundaryPolicy: string;
}

/** The same, as ARNs in the account the stack deploys to. */
export interface DeliveryIdentities {
    deployRoleArn: string;
    previewRoleArn: string;
    driftRoleArn: string;
    boundaryArn: string;
}

/**
 * The bootstrap's identities for this stack, read before anything registers: with no boundary to put
 * on its roles, the deploy role could make none, and an up would stop half way.
 */
export async function deliveryIdentities(
    names: DeliveryNames,
    opts: pulumi.InvokeOptions,
): Promise<DeliveryIdentities> {
    const [{ partition }, { accountId }] = await Promise.all([
        aws.getPartition({}, opts),
        aws.getCallerIdentity({}, opts),
    ]);
    const iam = (kind: string, name: string) => `arn:${partition}:iam::${accountId}:${kind}/${name}`;
    const boundaryArn = iam("policy", names.boundaryPolicy);
    try {
        await aws.iam.getPolicy({ arn: boundaryArn }, opts);
    } catch (e) {
        throw new Error(
            `deliveryRoles: got true, expected false unless the bootstrap (bootstrap/, docs/delivery.md) made this stack's boundary ${boundaryArn}; reading it failed: ${(e as Error).message}`,
        );
    }
    return {
        deployRoleArn: iam("role", names.deployRole),
        previewRoleArn: iam("role", names.previewRole),
        driftRoleArn: iam("role", names.driftRole),
        boundaryArn,
    };
}

/**
 * Puts the permissions boundary on every IAM role registered after it, whichever component makes the
 * role: the deploy role may make no role without it (bootstrap/permissions.ts), so a role added later
 * that lacked it would fail the up with AccessDenied.
 */
export function boundEveryRole(boundaryArn: string): void {
    pulumi.runtime.registerStackTransformation((args) =>
        args.type === "aws:iam/role:Role"
            ? { props: { ...args.props, permissionsBoundary: boundaryArn }, opts: args.opts }
            : undefined,
    );
}
