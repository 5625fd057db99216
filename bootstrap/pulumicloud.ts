import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import * as fs from "fs";
import * as path from "path";
import { REPOSITORY_ROOT, type BootstrapConfig } from "./config";
import { DEPLOY_SESSION_SECONDS, GITHUB_ISSUER } from "./roles";

/** The Pulumi CLI the tests run (engine/versions.env): Deployments runs the same. */
function pulumiVersion(): string {
    const versions = fs.readFileSync(path.join(REPOSITORY_ROOT, "engine", "versions.env"), "utf8");
    return /^PULUMI_VERSION=v(\S+)$/m.exec(versions)![1];
}

/**
 * Who may do what to the stacks in Pulumi Cloud, with no long-lived token anywhere: GitHub's OIDC
 * tokens are exchanged for team tokens. A pull request or main (previews, the drift check) gets the
 * previewers' token, which reads every stack; a job in a stack's environment gets that stack's
 * deployers' token, which may update that stack only. Neither can change Deployments settings or
 * another stack, and a pull request's code never holds a token that deploys.
 */
export function pulumiAccess(config: BootstrapConfig, opts: pulumi.CustomResourceOptions): void {
    const { pulumiOrganization: organizationName, project } = config;
    const team = (
        name: string,
        description: string,
        stacks: string[],
        permission: service.TeamStackPermissionScope,
    ) => {
        const t = new service.Team(name, { organizationName, teamType: "pulumi", name, description }, opts);
        for (const stack of stacks)
            new service.TeamStackPermission(
                `${name}-${stack}`,
                { organization: organizationName, project, stack, team: name, permission },
                { ...opts, dependsOn: [t] },
            );
        return t;
    };
    const previewers = `${project}-previewers`;
    const teams = [
        team(
            previewers,
            `Previews and drift checks of every ${project} stack`,
            config.stacks,
            service.TeamStackPermissionScope.Read,
        ),
        ...config.stacks.map((stack) =>
            team(
                `${project}-deployers-${stack}`,
                `Deploys of the ${project} stack ${stack}`,
                [stack],
                service.TeamStackPermissionScope.Edit,
            ),
        ),
    ];
    const repo = config.github.fullName;
    const allow = (teamName: string, sub: string) => ({
        decision: service.AuthPolicyDecision.Allow,
        tokenType: service.AuthPolicyTokenType.Team,
        teamName,
        rules: { sub },
    });
    new service.OidcIssuer(
        "github-actions",
        {
            organization: organizationName,
            name: `${project}-github-actions`,
            url: `https://${GITHUB_ISSUER}`,
            maxExpirationSeconds: DEPLOY_SESSION_SECONDS,
            policies: [
                allow(previewers, `repo:${repo}:pull_request`),
                allow(previewers, `repo:${repo}:ref:refs/heads/main`),
                ...config.stacks.map((stack) =>
                    allow(`${project}-deployers-${stack}`, `repo:${repo}:environment:${stack}`),
                ),
            ],
        },
        { ...opts, dependsOn: teams },
    );
}

/**
 * Pulumi Deployments settings of each stack: only what a person starts (an update or a destroy from
 * the console or `pulumi deployment run`), with the stack's deploy role by OIDC. deploy.yml is the one
 * deployer of pushes, pull-request.yml previews pull requests with the read-only role and drift.yml
 * checks drift, so pushes, pull-request previews and review stacks are off: each would run with the
 * deploy role. A run builds no image (the runner has no Docker daemon to count on): its pre-run
 * commands pin the image the stack last deployed (its imageRef output), which deploy.yml built.
 */
export function deploymentSettings(
    config: BootstrapConfig,
    deployRoles: Record<string, pulumi.Output<string>>,
    opts: pulumi.CustomResourceOptions,
): void {
    const { pulumiOrganization: organization, project } = config;
    for (const stack of config.stacks) {
        const path = `${organization}/${project}/${stack}`;
        new service.DeploymentSettings(
            stack,
            {
                organization,
                project,
                stack,
                sourceContext: { git: { branch: "refs/heads/main", repoDir: "." } },
                github: {
                    repository: config.github.fullName,
                    deployCommits: false,
                    previewPullRequests: false,
                    pullRequestTemplate: false,
                },
                // pulumi/pulumi ships the AWS CLI, which the cluster's kubeconfig runs for tokens.
                executorContext: { executorImage: `pulumi/pulumi:${pulumiVersion()}` },
                operationContext: {
                    oidc: {
                        aws: {
                            roleARN: deployRoles[stack],
                            sessionName: `pulumi-deployments-${stack}`,
                            duration: `${DEPLOY_SESSION_SECONDS / 3600}h0m0s`,
                        },
                    },
                    preRunCommands: [
                        "aws --version",
                        "npm ci --no-audit --no-fund",
                        `pulumi config set --stack ${path} imageRef "$(pulumi stack output --stack ${path} imageRef)"`,
                    ],
                    options: { skipInstallDependencies: true },
                },
            },
            opts,
        );
    }
}
