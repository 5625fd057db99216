import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import * as fs from "fs";
import * as path from "path";
import type { BootstrapConfig } from "./config";
import { REPOSITORY_ROOT } from "./stackfiles";
import { DEPLOY_SESSION_SECONDS, GITHUB_ISSUER, type GitHubSubjects } from "./roles";

/** The Pulumi CLI the tests run (engine/versions.env): Deployments runs the same. */
function pulumiVersion(): string {
    const versions = fs.readFileSync(path.join(REPOSITORY_ROOT, "engine", "versions.env"), "utf8");
    return /^PULUMI_VERSION=v(\S+)$/m.exec(versions)![1];
}

/**
 * The project's stacks in Pulumi Cloud, made here so that what names them below (team permissions,
 * Deployments settings) finds them, and so the deploy jobs' tokens, which may update a stack but not
 * create one, find theirs. Deleting the bootstrap keeps a stack that still holds resources (no
 * forceDestroy): Pulumi Cloud refuses to delete it.
 */
export function pulumiStacks(
    config: BootstrapConfig,
    opts: pulumi.CustomResourceOptions,
): Record<string, service.Stack> {
    return Object.fromEntries(
        config.stacks.map((stack) => [
            stack,
            new service.Stack(
                stack,
                {
                    organizationName: config.pulumiOrganization,
                    projectName: config.project,
                    stackName: stack,
                },
                opts,
            ),
        ]),
    );
}

/** What each identity may do to the stacks, by team: a team per preview environment, per deploy, and the drift check's. */
export function teamNames(project: string) {
    return {
        previewers: (stack: string) => `${project}-previewers-${stack}`,
        deployers: (stack: string) => `${project}-deployers-${stack}`,
        drift: `${project}-drift`,
    };
}

/**
 * Who may do what to the stacks in Pulumi Cloud, with no long-lived token anywhere: GitHub's OIDC
 * tokens are exchanged for team tokens. A job in preview-<stack> gets that stack's previewers' token;
 * a job in a stack's deploy environment gets its deployers' token (update it only); a job on main in no
 * environment (the drift check) gets the drift team's, which reads every stack. Reading a stack
 * includes decrypting its secrets, so a pull request's code, which runs in no environment or in a
 * preview environment, can only ever hold a token of a stack it previews, and only after a reviewer's
 * approval unless the stack is open to previews. None can change Deployments settings.
 */
export function pulumiAccess(
    config: BootstrapConfig,
    stacks: Record<string, service.Stack>,
    subjects: GitHubSubjects,
    opts: pulumi.CustomResourceOptions,
): void {
    const { pulumiOrganization: organizationName, project } = config;
    const names = teamNames(project);
    const grant = (
        team: string,
        stack: string,
        permission: service.TeamStackPermissionScope,
        after: pulumi.Resource[],
    ) =>
        new service.TeamStackPermission(
            `${team}-${stack}`,
            { organization: organizationName, project, stack: stacks[stack].stackName, team, permission },
            { ...opts, dependsOn: after },
        );
    const team = (
        name: string,
        description: string,
        of: string[],
        permission: service.TeamStackPermissionScope,
    ) => {
        const t = new service.Team(name, { organizationName, teamType: "pulumi", name, description }, opts);
        for (const stack of of) grant(name, stack, permission, [t]);
        return t;
    };
    const teams = [
        team(
            names.drift,
            `Drift checks of every ${project} stack, from main`,
            config.stacks,
            service.TeamStackPermissionScope.Read,
        ),
        ...config.stacks.flatMap((stack) => [
            team(
                names.previewers(stack),
                `Pull-request previews of the ${project} stack ${stack}`,
                [stack],
                service.TeamStackPermissionScope.Read,
            ),
            team(
                names.deployers(stack),
                `Deploys of the ${project} stack ${stack}`,
                [stack],
                service.TeamStackPermissionScope.Edit,
            ),
        ]),
    ];
    // An app stack's deploys and previews read its platform's outputs (a StackReference): its teams
    // read the platform stack too, and so may decrypt its secrets (docs/delivery.md).
    for (const [app, platform] of Object.entries(config.platforms))
        for (const name of [names.previewers(app), names.deployers(app)])
            grant(name, platform, service.TeamStackPermissionScope.Read, teams);
    const allow = (teamName: string, sub: pulumi.Input<string>) => ({
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
                allow(names.drift, subjects.main),
                ...config.stacks.flatMap((stack) => [
                    allow(names.previewers(stack), subjects.environment(`preview-${stack}`)),
                    allow(names.deployers(stack), subjects.environment(stack)),
                ]),
            ],
        },
        { ...opts, dependsOn: teams },
    );
}

/**
 * Pulumi Deployments settings of each stack, when the config names an agent pool: only what a person
 * starts (an update or a destroy from the console or `pulumi deployment run`), on that pool's agents,
 * with the stack's deploy role by OIDC. deploy.yml is the one deployer of pushes, pull-request.yml
 * previews and drift.yml checks drift, so pushes, pull-request previews and review stacks are off:
 * each would run with the deploy role. The agents need a Docker daemon: the Docker provider connects
 * to one whenever the stack holds its image build, even to leave it as it is.
 */
export function deploymentSettings(
    config: BootstrapConfig,
    agentPoolId: string,
    stacks: Record<string, service.Stack>,
    deployRoles: Record<string, pulumi.Output<string>>,
    opts: pulumi.CustomResourceOptions,
): void {
    const { pulumiOrganization: organization, project } = config;
    for (const stack of config.stacks)
        new service.DeploymentSettings(
            stack,
            {
                organization,
                project,
                stack: stacks[stack].stackName,
                agentPoolId,
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
                    preRunCommands: ["aws --version", "npm ci --no-audit --no-fund"],
                    options: { skipInstallDependencies: true },
                },
            },
            opts,
        );
}
