// Once per AWS account: what delivering the flask-eks stacks needs, made by code. Wiring only: read
// the config, then the Pulumi stacks, the AWS roles and boundaries, the GitHub environments and the
// Pulumi Cloud access that use them.
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as service from "@pulumi/pulumiservice";
import { statementsOf } from "./boundary";
import { loadBootstrapConfig } from "./config";
import { githubEnvironments, githubSubjects } from "./github";
import { deploymentSettings, pulumiAccess, pulumiStacks } from "./pulumicloud";
import { deployRole, oidcProviders, readOnlyRoles, stackBoundary } from "./roles";

export = async () => {
    // Invalid config throws here, listing every problem, before any resource is registered.
    const config = loadBootstrapConfig();
    const awsProvider = new aws.Provider("aws", {
        region: config.region,
        ...config.aws,
        defaultTags: { tags: { "managed-by": "pulumi", purpose: `${config.project} delivery` } },
    });
    const withAws = { provider: awsProvider };
    const [partition, caller, appPolicies] = await Promise.all([
        aws.getPartition({}, withAws),
        aws.getCallerIdentity({}, withAws),
        // What the apps are granted, so each stack's boundary lets their roles use it.
        Promise.all(config.appPolicyArns.map((arn) => aws.iam.getPolicy({ arn }, withAws))),
    ]);
    const account = { partition: partition.partition, account: caller.accountId };
    const appStatements = appPolicies.flatMap((p) => statementsOf(p.policy));

    // GITHUB_TOKEN (an owner's token with admin rights on the repository) and PULUMI_ACCESS_TOKEN (an
    // organisation admin's, as after `pulumi login`) authorise these, for this run only.
    const withGitHub = { provider: new github.Provider("github", { owner: config.github.owner }) };
    const withPulumi = { provider: new service.Provider("pulumiservice", {}) };
    const stacks = pulumiStacks(config, withPulumi);
    const { subjects } = githubSubjects(config, withGitHub);

    const oidc = oidcProviders(config, withAws);
    const deploy = Object.fromEntries(
        config.stacks.map((stack) => {
            stackBoundary(stack, config, account, appStatements, withAws);
            return [stack, deployRole(stack, config, oidc, subjects, account, withAws).arn];
        }),
    );
    const { preview, drift } = readOnlyRoles(config, oidc, subjects, account, withAws);

    const previews = Object.fromEntries(Object.entries(preview).map(([stack, role]) => [stack, role.arn]));
    githubEnvironments(config, { deploy, preview: previews, drift: drift.arn }, withGitHub);
    pulumiAccess(config, stacks, subjects, withPulumi);
    if (config.deploymentsAgentPoolId)
        deploymentSettings(config, config.deploymentsAgentPoolId, stacks, deploy, withPulumi);

    // Each stack's file sets deliveryRoles: true, which grants these roles and puts the boundary on.
    return { deployRoleArns: deploy, previewRoleArns: previews, driftRoleArn: drift.arn };
};
