import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config";
import { Scope, deployPolicy, readPolicy } from "./permissions";

/** The managed policies the program attaches to the roles it makes; a deploy role may attach these only. */
export const MANAGED_POLICIES = [
    "AmazonEKSClusterPolicy",
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
    "CloudWatchAgentServerPolicy",
];

/** How long a deploy role's session lasts: as long as the deploy job may run (a minor-version upgrade). */
export const DEPLOY_SESSION_SECONDS = 4 * 3600;

export const GITHUB_ISSUER = "token.actions.githubusercontent.com";
export const PULUMI_ISSUER = "api.pulumi.com/oidc";

export interface OidcProviders {
    github: pulumi.Input<string>;
    pulumi: pulumi.Input<string>;
}

/** The account's OIDC providers for GitHub Actions and Pulumi Deployments, made here or adopted. */
export function oidcProviders(config: BootstrapConfig, opts: pulumi.CustomResourceOptions): OidcProviders {
    const provider = (name: string, issuer: string, audience: string, existing?: string) =>
        existing ??
        new aws.iam.OpenIdConnectProvider(name, { url: `https://${issuer}`, clientIdLists: [audience] }, opts)
            .arn;
    return {
        github: provider("github", GITHUB_ISSUER, "sts.amazonaws.com", config.githubOidcProviderArn),
        // Pulumi's tokens have the organisation as their audience.
        pulumi: provider("pulumi", PULUMI_ISSUER, config.pulumiOrganization, config.pulumiOidcProviderArn),
    };
}

/** A web-identity trust statement: `issuer`'s tokens for `audience` whose subject is one of `subjects`. */
function trusting(provider: pulumi.Input<string>, issuer: string, audience: string, subjects: string[]) {
    return {
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${issuer}:aud`]: audience, [`${issuer}:sub`]: subjects } },
    };
}

export interface Account {
    partition: string;
    account: string;
}

/**
 * A stack's deploy role, `<project>-deploy-<stack>`: GitHub jobs of this repository's environment of
 * that name (the environment admits main only, and prod waits for a reviewer), and Pulumi Deployments'
 * update and destroy of that stack (the token's operation claim: a preview or refresh never gets it).
 */
export function deployRole(
    stack: string,
    config: BootstrapConfig,
    oidc: OidcProviders,
    account: Account,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
    const { project, pulumiOrganization: org } = config;
    const pulumiSubject = (operation: string) =>
        `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;
    const role = new aws.iam.Role(
        `deploy-${stack}`,
        {
            name: `${project}-deploy-${stack}`,
            description: `Deploys the ${project} stack ${stack}: GitHub Actions in its environment, Pulumi Deployments of it`,
            maxSessionDuration: DEPLOY_SESSION_SECONDS,
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    trusting(oidc.github, GITHUB_ISSUER, "sts.amazonaws.com", [
                        `repo:${config.github.fullName}:environment:${stack}`,
                    ]),
                    trusting(oidc.pulumi, PULUMI_ISSUER, org, [
                        pulumiSubject("update"),
                        pulumiSubject("destroy"),
                    ]),
                ],
            }),
            // The stack's tags: its own role is one of the stack's, which its policy may read.
            tags: { project, stack },
        },
        opts,
    );
    new aws.iam.RolePolicy(
        `deploy-${stack}`,
        { role: role.id, policy: JSON.stringify(deployPolicy(scope(config, account, stack))) },
        opts,
    );
    return role;
}

/**
 * The read-only role, `<project>-preview`: this repository's pull requests and main (previews, and
 * the drift check on a schedule). It reads every stack's resources and makes the program's lookups,
 * nothing more: no S3 object, no SSM parameter, no secret.
 */
export function previewRole(
    config: BootstrapConfig,
    oidc: OidcProviders,
    account: Account,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
    const repo = config.github.fullName;
    const role = new aws.iam.Role(
        "preview",
        {
            name: `${config.project}-preview`,
            description: `Previews and drift checks of every ${config.project} stack, read-only`,
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    trusting(oidc.github, GITHUB_ISSUER, "sts.amazonaws.com", [
                        `repo:${repo}:pull_request`,
                        `repo:${repo}:ref:refs/heads/main`,
                    ]),
                ],
            }),
            // The project's tag: a lookup of the caller's own role reads it.
            tags: { project: config.project },
        },
        opts,
    );
    new aws.iam.RolePolicy(
        "preview",
        { role: role.id, policy: JSON.stringify(readPolicy(scope(config, account))) },
        opts,
    );
    return role;
}

/** One stack's resources, or (without a stack) every stack's of the project. */
export function scope(config: BootstrapConfig, account: Account, stack?: string): Scope {
    return {
        ...account,
        region: config.region,
        clusterName: `${config.project}-${stack ?? "*"}`,
        tags: stack ? { project: config.project, stack } : { project: config.project },
        managedPolicyArns: [
            ...MANAGED_POLICIES.map((p) => `arn:${account.partition}:iam::aws:policy/${p}`),
            ...config.appPolicyArns,
        ],
    };
}
