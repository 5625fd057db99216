import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { deliveryNames } from "../config/delivery";
import { MANAGED_POLICY_MAX_CHARS, PolicyStatement, boundaryPolicy } from "./boundary";
import type { BootstrapConfig } from "./config";
import { DeployScope, Scope, deployPolicies, readPolicy } from "./permissions";

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

/** A role's inline policies may hold 10,240 characters in all, a managed policy 6,144; whitespace not counted. */
export const INLINE_POLICY_MAX_CHARS = 10240;

export const GITHUB_ISSUER = "token.actions.githubusercontent.com";
export const PULUMI_ISSUER = "api.pulumi.com/oidc";

export interface Account {
    partition: string;
    account: string;
}

/**
 * Who a GitHub OIDC token comes from, as its `sub` claim says under the repository's subject template
 * (github.ts): the repository by its id, which no other repository ever gets (a name can be taken
 * again once it is freed), and the job's context.
 */
export interface GitHubSubjects {
    /** A job in the named environment. */
    environment(name: string): pulumi.Output<string>;
    /** A job of a push, schedule or manual run on main, in no environment. */
    main: pulumi.Output<string>;
}

/** The account's OIDC providers for GitHub Actions and, when runs use it, Pulumi Deployments. */
export interface OidcProviders {
    github: pulumi.Input<string>;
    pulumi?: pulumi.Input<string>;
}

/** The account's OIDC providers, made here or adopted by ARN. */
export function oidcProviders(config: BootstrapConfig, opts: pulumi.CustomResourceOptions): OidcProviders {
    const provider = (name: string, issuer: string, audience: string, existing?: string) =>
        existing ??
        new aws.iam.OpenIdConnectProvider(name, { url: `https://${issuer}`, clientIdLists: [audience] }, opts)
            .arn;
    return {
        github: provider("github", GITHUB_ISSUER, "sts.amazonaws.com", config.githubOidcProviderArn),
        // Pulumi's tokens have the organisation as their audience.
        pulumi: config.deploymentsAgentPoolId
            ? provider("pulumi", PULUMI_ISSUER, config.pulumiOrganization, config.pulumiOidcProviderArn)
            : undefined,
    };
}

/** A web-identity trust statement: `issuer`'s tokens for `audience` whose subject is one of `subjects`. */
function trusting(
    provider: pulumi.Input<string>,
    issuer: string,
    audience: string,
    subjects: pulumi.Input<string>[],
) {
    return {
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${issuer}:aud`]: audience, [`${issuer}:sub`]: subjects } },
    };
}

const roleArn = (account: Account, name: string) =>
    `arn:${account.partition}:iam::${account.account}:role/${name}`;
const policyArn = (account: Account, name: string) =>
    `arn:${account.partition}:iam::${account.account}:policy/${name}`;

/** A policy document as IAM takes it, checked against IAM's size limit before anything is sent. */
function sized(name: string, policy: object, limit: number): string {
    const document = JSON.stringify(policy);
    if (document.length > limit)
        throw new Error(`${name}: its policy would be ${document.length} characters, over IAM's ${limit}`);
    return document;
}

/** A role with one inline policy. */
function roleWithPolicy(
    name: string,
    args: aws.iam.RoleArgs,
    policy: object,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
    const role = new aws.iam.Role(name, args, opts);
    new aws.iam.RolePolicy(
        name,
        { role: role.id, policy: sized(name, policy, INLINE_POLICY_MAX_CHARS) },
        opts,
    );
    return role;
}

/**
 * A stack's permissions boundary, `<project>-boundary-<stack>`: every role the stack makes carries it
 * (the program puts it on with deliveryRoles, and the deploy role may make no role without it).
 */
export function stackBoundary(
    stack: string,
    config: BootstrapConfig,
    account: Account,
    appStatements: PolicyStatement[],
    opts: pulumi.CustomResourceOptions,
): aws.iam.Policy {
    return new aws.iam.Policy(
        `boundary-${stack}`,
        {
            name: deliveryNames(config.project, stack).boundaryPolicy,
            description: `The most any IAM role of the ${config.project} stack ${stack} may do`,
            policy: sized(
                `boundary-${stack}`,
                boundaryPolicy(
                    { ...account, project: config.project, stack, clusterName: `${config.project}-${stack}` },
                    appStatements,
                ),
                MANAGED_POLICY_MAX_CHARS,
            ),
        },
        opts,
    );
}

/**
 * A stack's deploy role, `<project>-deploy-<stack>`: GitHub jobs of this repository's environment of
 * that name (the environment admits main only, and a reviewed stack waits for a reviewer), and, when
 * runs have an agent pool, Pulumi Deployments' update and destroy of that stack (the token's operation
 * claim: a preview or refresh never gets it). It carries none of the stack's tags, which grant rights.
 */
export function deployRole(
    stack: string,
    config: BootstrapConfig,
    oidc: OidcProviders,
    subjects: GitHubSubjects,
    account: Account,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
    const { project, pulumiOrganization: org } = config;
    const names = deliveryNames(project, stack);
    const pulumiSubject = (operation: string) =>
        `pulumi:deploy:org:${org}:project:${project}:stack:${stack}:operation:${operation}:scope:write`;
    const trust = [trusting(oidc.github, GITHUB_ISSUER, "sts.amazonaws.com", [subjects.environment(stack)])];
    if (oidc.pulumi)
        trust.push(
            trusting(oidc.pulumi, PULUMI_ISSUER, org, [pulumiSubject("update"), pulumiSubject("destroy")]),
        );
    const policies = deployPolicies(deployScope(stack, config, account));
    const role = roleWithPolicy(
        `deploy-${stack}`,
        {
            name: names.deployRole,
            description: `Deploys the ${project} stack ${stack}: GitHub Actions in its environment${oidc.pulumi ? ", Pulumi Deployments of it" : ""}`,
            maxSessionDuration: DEPLOY_SESSION_SECONDS,
            assumeRolePolicy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: trust }),
        },
        policies.inline,
        opts,
    );
    const iam = new aws.iam.Policy(
        `deploy-iam-${stack}`,
        {
            name: names.deployIamPolicy,
            description: `What the deploy role of the ${project} stack ${stack} may do to the stack's IAM roles`,
            policy: sized(`deploy-iam-${stack}`, policies.iam, MANAGED_POLICY_MAX_CHARS),
        },
        opts,
    );
    new aws.iam.RolePolicyAttachment(`deploy-iam-${stack}`, { role: role.name, policyArn: iam.arn }, opts);
    return role;
}

/**
 * The read-only roles: `<project>-preview-<stack>` for a stack's pull-request previews (jobs of its
 * preview-<stack> environment), which reads that stack's resources only, and `<project>-drift` for the
 * drift check on main, which reads every stack's. They make the program's lookups and nothing more:
 * no S3 object, no SSM parameter, no secret. A role per preview environment, so a pull request's code
 * in dev's (which waits for no reviewer) gets nothing of staging's or prod's; the drift role apart, so
 * the cluster can tell it from a preview (only it reads the app's Secret).
 */
export function readOnlyRoles(
    config: BootstrapConfig,
    oidc: OidcProviders,
    subjects: GitHubSubjects,
    account: Account,
    opts: pulumi.CustomResourceOptions,
): { preview: Record<string, aws.iam.Role>; drift: aws.iam.Role } {
    const role = (
        name: string,
        roleName: string,
        description: string,
        who: pulumi.Input<string>,
        stack?: string,
    ) =>
        roleWithPolicy(
            name,
            {
                name: roleName,
                description,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [trusting(oidc.github, GITHUB_ISSUER, "sts.amazonaws.com", [who])],
                }),
            },
            readPolicy(scope(config, account, stack)),
            opts,
        );
    return {
        preview: Object.fromEntries(
            config.stacks.map((stack) => [
                stack,
                role(
                    `preview-${stack}`,
                    deliveryNames(config.project, stack).previewRole,
                    `Pull-request previews of the ${config.project} stack ${stack}, read-only`,
                    subjects.environment(`preview-${stack}`),
                    stack,
                ),
            ]),
        ),
        drift: role(
            "drift",
            deliveryNames(config.project, "*").driftRole,
            `Drift checks of every ${config.project} stack, read-only`,
            subjects.main,
        ),
    };
}

/** What a stack's deploy role may reach: its stack, itself to read, and the delivery roles it may not change. */
export function deployScope(stack: string, config: BootstrapConfig, account: Account): DeployScope {
    const delivery = deliveryNames(config.project, "*");
    return {
        ...scope(config, account, stack),
        selfArn: roleArn(account, deliveryNames(config.project, stack).deployRole),
        protectedArns: [
            roleArn(account, delivery.deployRole),
            roleArn(account, delivery.previewRole),
            roleArn(account, delivery.driftRole),
            policyArn(account, delivery.boundaryPolicy),
            policyArn(account, delivery.deployIamPolicy),
        ],
    };
}

/** One stack's resources, or (without a stack) every stack's of the project. */
export function scope(config: BootstrapConfig, account: Account, stack?: string): Scope {
    return {
        ...account,
        region: config.region,
        project: config.project,
        clusterName: `${config.project}-${stack ?? "*"}`,
        tags: stack ? { project: config.project, stack } : { project: config.project },
        // An app stack's roles are its pods': the apps' policies only, none of a cluster's.
        managedPolicyArns: [
            ...(stack && config.platforms[stack]
                ? []
                : MANAGED_POLICIES.map((p) => `arn:${account.partition}:iam::aws:policy/${p}`)),
            ...config.appPolicyArns,
        ],
        boundaryArn: policyArn(account, deliveryNames(config.project, stack ?? "*").boundaryPolicy),
        publicNames: stack
            ? config.publicNames[stack]
                ? [config.publicNames[stack]]
                : []
            : Object.values(config.publicNames),
        retiredNames: stack ? (config.retiredNames[stack] ?? []) : Object.values(config.retiredNames).flat(),
        platformClusterName:
            stack && config.platforms[stack] ? `${config.project}-${config.platforms[stack]}` : undefined,
    };
}
