import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigArgs {
    clusterName: string;
    region: string;
    endpoint: string;
    certificateAuthorityData: string;
    /** AWS CLI profile for `aws eks get-token`; omitted means the ambient credentials. */
    profile?: string;
    /** Role that `aws eks get-token` assumes; omitted means the caller itself. */
    roleArn?: string;
    /** Shared credentials file for `aws eks get-token`; omitted means the AWS CLI's default. */
    credentialsFile?: string;
}

function env(args: KubeconfigArgs): { name: string; value: string }[] | null {
    const vars = [
        ...(args.profile ? [{ name: "AWS_PROFILE", value: args.profile }] : []),
        ...(args.credentialsFile
            ? [{ name: "AWS_SHARED_CREDENTIALS_FILE", value: args.credentialsFile }]
            : []),
    ];
    return vars.length > 0 ? vars : null;
}

/**
 * A kubeconfig that gets short-lived tokens from `aws eks get-token`, so it holds no credential.
 *
 * The Kubernetes provider replaces itself (and with it every object it manages) only when the active
 * cluster entry changes. That entry is built from the cluster's endpoint and CA alone, with fixed names
 * and key order, so changing the profile or role here updates the provider in place.
 */
export function kubeconfig(args: KubeconfigArgs): object {
    const getToken = ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region];
    if (args.roleArn) getToken.push("--role-arn", args.roleArn);
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: args.clusterName,
                cluster: {
                    server: args.endpoint,
                    "certificate-authority-data": args.certificateAuthorityData,
                },
            },
        ],
        contexts: [
            { name: args.clusterName, context: { cluster: args.clusterName, user: args.clusterName } },
        ],
        "current-context": args.clusterName,
        users: [
            {
                name: args.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: getToken,
                        env: env(args),
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    };
}

/** The kubeconfig of a cluster as a secret Output of its JSON, once the endpoint and CA are known. */
export function kubeconfigJson(
    cluster: { endpoint: pulumi.Input<string>; certificateAuthorityData: pulumi.Input<string> },
    args: Omit<KubeconfigArgs, "endpoint" | "certificateAuthorityData">,
): pulumi.Output<string> {
    return pulumi.secret(
        pulumi
            .all([cluster.endpoint, cluster.certificateAuthorityData])
            .apply(([endpoint, certificateAuthorityData]) =>
                JSON.stringify(kubeconfig({ ...args, endpoint, certificateAuthorityData })),
            ),
    );
}

/** What the stack's aws: config says about credentials (config/awsaccess.ts), as far as tokens go. */
export interface Credentials {
    profile?: string;
    sharedCredentialsFiles?: string[];
    assumeRoles?: { roleArn: string }[];
}

/** How `aws eks get-token` gets the credentials the stack's aws: config names (none: the ambient ones). */
export function tokenCredentials(credentials: Credentials) {
    return {
        profile: credentials.profile,
        roleArn: credentials.assumeRoles?.[0].roleArn,
        credentialsFile: credentials.sharedCredentialsFiles?.[0],
    };
}

/**
 * Two kubeconfigs. The provider's gets its token as the AWS provider calls AWS: the ambient credentials
 * of whoever runs `pulumi up` (a laptop's, CI's OIDC session), or the profile, file and role the stack's
 * aws: config names; those hold the admin access entry. The exported one, for people, takes the
 * kubeconfig profile or role config names, else the same.
 */
export function kubeconfigsOf(
    cluster: aws.eks.Cluster,
    args: {
        clusterName: string;
        region: string;
        credentials: Credentials;
        kubeconfigProfile?: string;
        kubeconfigRoleArn?: string;
    },
): { forPulumi: pulumi.Output<string>; forPeople: pulumi.Output<string> } {
    const asPulumi = {
        clusterName: args.clusterName,
        region: args.region,
        ...tokenCredentials(args.credentials),
    };
    const where = { endpoint: cluster.endpoint, certificateAuthorityData: cluster.certificateAuthority.data };
    return {
        forPulumi: kubeconfigJson(where, asPulumi),
        forPeople: kubeconfigJson(where, {
            ...asPulumi,
            profile: args.kubeconfigProfile ?? asPulumi.profile,
            roleArn: args.kubeconfigRoleArn ?? asPulumi.roleArn,
        }),
    };
}
