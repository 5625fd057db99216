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
        // Stryker disable next-line Regex: an issuer URL holds https:// at its start or nowhere, so the anchor changes no real one; it says where the scheme is.
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

/** The cluster that issues a Pod Identity association's credentials, as its trust policy names it. */
export interface PodIdentityCluster {
    clusterName: pulumi.Input<string>;
    clusterArn: pulumi.Input<string>;
}

/**
 * Trust policy for an IAM role that exactly one Kubernetes service account of one cluster may assume
 * through EKS Pod Identity: the session tags EKS sets on the request name the cluster, namespace and
 * service account (docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html and pod-id-abac.html).
 * An association elsewhere, even one the app's deploy role could make (IAM cannot confine
 * CreatePodIdentityAssociation to a namespace), gets no credentials from it.
 */
export function podIdentityTrustPolicy(
    cluster: PodIdentityCluster,
    namespace: pulumi.Input<string>,
    serviceAccount: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.all([cluster.clusterArn, namespace, serviceAccount]).apply(([clusterArn, ns, sa]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: {
                        StringEquals: {
                            "aws:RequestTag/eks-cluster-arn": clusterArn,
                            "aws:RequestTag/kubernetes-namespace": ns,
                            "aws:RequestTag/kubernetes-service-account": sa,
                        },
                    },
                },
            ],
        }),
    );
}
