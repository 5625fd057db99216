import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config";
import type { GitHubSubjects } from "./roles";

/** The claims the repository's OIDC tokens name in their `sub`, in this order. */
export const SUBJECT_CLAIMS = ["repository_id", "context"];

/**
 * The repository's OIDC subject template, and the subjects its tokens carry under it. GitHub's default
 * subject names the repository by owner/name, and repositories made or renamed since mid-2026 get ids
 * in it instead (its "immutable subject claims"): the trust would depend on when the repository was
 * made. This template makes the subject `repository_id:<id>:<context>` whatever its age, and the id
 * is never given to another repository.
 */
export function githubSubjects(
    config: BootstrapConfig,
    opts: pulumi.CustomResourceOptions,
): { subjects: GitHubSubjects; template: github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate } {
    const id = github.getRepositoryOutput({ fullName: config.github.fullName }, opts).repoId;
    const template = new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
        "oidc-subject",
        { repository: config.github.repository, useDefault: false, includeClaimKeys: SUBJECT_CLAIMS },
        opts,
    );
    const subject = (context: string) => pulumi.interpolate`repository_id:${id}:${context}`;
    return {
        subjects: {
            environment: (name) => subject(`environment:${name}`),
            main: subject("ref:refs/heads/main"),
        },
        template,
    };
}

/**
 * The repository's environments, two per stack. `<stack>`: its deploys, from main only, a reviewer's
 * approval first for the reviewed stacks, with the variables the deploy workflow reads (the stack's
 * deploy role and region). `preview-<stack>`: its pull-request previews, from any branch, a reviewer's
 * approval first unless the stack is open to previews (its secrets are readable by the preview's
 * code, which a pull request can change), with the stack's preview role and region. And the
 * repository's variables: the drift role, and the project and stacks the workflows name.
 */
export function githubEnvironments(
    config: BootstrapConfig,
    roles: {
        deploy: Record<string, pulumi.Output<string>>;
        preview: Record<string, pulumi.Output<string>>;
        drift: pulumi.Output<string>;
    },
    opts: pulumi.CustomResourceOptions,
): void {
    const repository = config.github.repository;
    const reviewers = config.reviewerTeams.map(
        (slug) => github.getTeamOutput({ slug, summaryOnly: true }, opts).id,
    );
    const environment = (name: string, reviewed: boolean, mainOnly: boolean) =>
        new github.RepositoryEnvironment(
            name,
            {
                repository,
                environment: name,
                // Branches named by a deployment policy, not any protected branch; none: every branch.
                deploymentBranchPolicy: mainOnly
                    ? { protectedBranches: false, customBranchPolicies: true }
                    : undefined,
                reviewers: reviewed ? [{ teams: reviewers.map((id) => id.apply(Number)) }] : undefined,
                preventSelfReview: reviewed,
                canAdminsBypass: false,
            },
            opts,
        );
    // Each environment's role and region, as variables its jobs read (vars.AWS_ROLE_ARN, vars.AWS_REGION).
    const withVariables = (
        name: string,
        roleArn: pulumi.Output<string>,
        environment: github.RepositoryEnvironment,
    ) => {
        const inIt = { ...opts, dependsOn: [environment] };
        const variables = { AWS_ROLE_ARN: roleArn, AWS_REGION: config.region };
        for (const [variableName, value] of Object.entries(variables))
            new github.ActionsEnvironmentVariable(
                `${name}-${variableName}`,
                { repository, environment: name, variableName, value },
                inIt,
            );
        return inIt;
    };
    for (const stack of config.stacks) {
        const deploys = environment(stack, config.reviewedStacks.includes(stack), true);
        new github.RepositoryEnvironmentDeploymentPolicy(
            stack,
            { repository, environment: stack, branchPattern: "main" },
            withVariables(stack, roles.deploy[stack], deploys),
        );
        const previews = environment(`preview-${stack}`, !config.openPreviewStacks.includes(stack), false);
        withVariables(`preview-${stack}`, roles.preview[stack], previews);
    }
    // The repository's: the drift check's role, and where the workflows find the stacks. Deploys go
    // through DELIVERED_STACKS in the order of the stacks config (deploy.yml).
    const variables = {
        AWS_DRIFT_ROLE_ARN: roles.drift,
        AWS_REGION: config.region,
        PULUMI_ORG: config.pulumiOrganization,
        PULUMI_PROJECT: config.project,
        DELIVERED_STACKS: JSON.stringify(config.stacks),
    };
    for (const [variableName, value] of Object.entries(variables))
        new github.ActionsVariable(variableName, { repository, variableName, value }, opts);
}
