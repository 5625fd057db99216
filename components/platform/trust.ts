// IAM trust policies: who may assume a role. A leaf, beside the SDK.
import * as pulumi from "@pulumi/pulumi";

/** The ARN of an AWS managed IAM policy, in the account's partition (aws, aws-cn, aws-us-gov). */
export function managedPolicyArn(partition: pulumi.Input<string>, policy: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;
}

/** Trust policy for a role that an AWS service (EKS, EC2) assumes. */
export function servicePrincipalTrust(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/** The cluster's IAM OIDC identity provider, as IRSA trust policies need it. */
export interface OidcProvider {
    arn: pulumi.Input<string>;
    /** Issuer URL with or without the https:// scheme. */
    url: pulumi.Input<string>;
}

/**
 * Trust policy for an IAM role that exactly one Kubernetes service account may assume through IRSA:
 * the token's audience must be STS and its subject that namespace and account.
 */
export function irsaTrustPolicy(
    oidc: OidcProvider,
    namespace: pulumi.Input<string>,
    serviceAccount: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.all([oidc.arn, oidc.url, namespace, serviceAccount]).apply(([arn, url, ns, sa]) => {
        const issuer = url.replace(/^https:\/\//, "");
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: arn },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${issuer}:aud`]: "sts.amazonaws.com",
                            [`${issuer}:sub`]: `system:serviceaccount:${ns}:${sa}`,
                        },
                    },
                },
            ],
        });
    });
}
