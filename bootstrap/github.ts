import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config";

/**
 * The repository's environments, one per stack: deployable from main only, a reviewer's approval
 * first for the reviewed stacks, and the variables the deploy workflow reads (the stack's deploy role
 * and region); and the repository's variables the pull-request and drift workflows read.
 */
export function githubEnvironments(
    config: BootstrapConfig,
    roles: { deploy: Record<string, pulumi.Output<string>>; preview: pulumi.Output<string> },
    opts: pulumi.CustomResourceOptions,
): void {
    const repository = config.github.repository;
    const reviewers = config.reviewerTeams.map(
        (slug) => github.getTeamOutput({ slug, summaryOnly: true }, opts).id,
    );
    for (const stack of config.stacks) {
        const reviewed = config.reviewedStacks.includes(stack);
        const environment = new github.RepositoryEnvironment(
            stack,
            {
                repository,
                environment: stack,
                // Branches named by the policy below, not any protected branch.
                deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
                reviewers: reviewed ? [{ teams: reviewers.map((id) => id.apply(Number)) }] : undefined,
                preventSelfReview: reviewed,
                canAdminsBypass: false,
            },
            opts,
        );
        const inIt = { ...opts, dependsOn: [environment] };
        new github.RepositoryEnvironmentDeploymentPolicy(
            stack,
            { repository, environment: stack, branchPattern: "main" },
            inIt,
        );
        const variables = { AWS_ROLE_ARN: roles.deploy[stack], AWS_REGION: config.region };
        for (const [variableName, value] of Object.entries(variables))
            new github.ActionsEnvironmentVariable(
                `${stack}-${variableName}`,
                { repository, environment: stack, variableName, value },
                inIt,
            );
    }
    const variables = {
        AWS_PREVIEW_ROLE_ARN: roles.preview,
        AWS_REGION: config.region,
        PULUMI_ORG: config.pulumiOrganization,
    };
    for (const [variableName, value] of Object.entries(variables))
        new github.ActionsVariable(variableName, { repository, variableName, value }, opts);
}
