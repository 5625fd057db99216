import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent } from "../../migrations";
import { OidcProvider, PodIdentityCluster, irsaTrustPolicy, podIdentityTrustPolicy } from "./trust";

export interface ServiceAccountRoleArgs {
    /**
     * How the pods get the role: IRSA through the cluster's OIDC provider (the service account then
     * names the role), or EKS Pod Identity (an association, made here, names it).
     */
    trust: { oidc: OidcProvider } | { podIdentity: PodIdentityCluster };
    namespace: pulumi.Input<string>;
    /** The one service account that may assume the role. */
    serviceAccount: string;
    description?: string;
    /**
     * Where the role and its attachments sat before this component held them, when not in this
     * component's parent (migrations/index.ts). Default: the parent.
     */
    formerParent?: pulumi.Resource;
    /** Managed policies to attach, by the name of their attachment. Default: none. */
    attachments?: Record<string, pulumi.Input<string>>;
}

/**
 * An IAM role that exactly one Kubernetes service account may assume, through IRSA or Pod Identity,
 * with what it may do: its managed policies' attachments, children of the role.
 */
export class ServiceAccountRole extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    readonly arn: pulumi.Output<string>;
    /** The attachments: a pod using the role should wait for them. */
    readonly grants: aws.iam.RolePolicyAttachment[];
    /**
     * With Pod Identity, the association: EKS gives a pod the role's credentials only if it existed
     * when the pod was admitted, so the pods wait for it.
     */
    readonly association?: aws.eks.PodIdentityAssociation;

    constructor(name: string, args: ServiceAccountRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:ServiceAccountRole", name, {}, opts);
        const moved = movedUnderComponent(args.formerParent ?? opts?.parent);
        this.role = new aws.iam.Role(
            name,
            {
                description: args.description,
                assumeRolePolicy:
                    "oidc" in args.trust
                        ? irsaTrustPolicy(args.trust.oidc, args.namespace, args.serviceAccount)
                        : podIdentityTrustPolicy(args.trust.podIdentity, args.namespace, args.serviceAccount),
            },
            { parent: this, ...moved },
        );
        this.arn = this.role.arn;
        this.grants = Object.entries(args.attachments ?? {}).map(
            ([attachment, policyArn]) =>
                new aws.iam.RolePolicyAttachment(
                    attachment,
                    { role: this.role.name, policyArn },
                    { parent: this.role, ...moved },
                ),
        );
        if ("podIdentity" in args.trust)
            this.association = new aws.eks.PodIdentityAssociation(
                name,
                {
                    clusterName: args.trust.podIdentity.clusterName,
                    namespace: args.namespace,
                    serviceAccount: args.serviceAccount,
                    roleArn: this.arn,
                },
                { parent: this },
            );
        this.registerOutputs({ arn: this.arn });
    }
}

/**
 * Attachments for customer- or AWS-managed policies given by ARN, each named by the role, the
 * policy's owner (aws, or an account) and its path: unique per ARN.
 */
export function attachmentsByArn(roleName: string, policyArns: string[]): Record<string, string> {
    return Object.fromEntries(
        policyArns.map((arn) => [
            `${roleName}-${arn.split(":")[4]}-${arn.split(":policy/")[1].replace(/\//g, "-")}`,
            arn,
        ]),
    );
}
