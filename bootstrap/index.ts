// Once per AWS account: what delivering the flask-eks stacks needs, made by code. Wiring only: read
// the config, then the AWS roles, the GitHub environments and the Pulumi Cloud access that use them.
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as service from "@pulumi/pulumiservice";
import { loadBootstrapConfig } from "./config";
import { githubEnvironments } from "./github";
import { deploymentSettings, pulumiAccess } from "./pulumicloud";
import { deployRole, oidcProviders, previewRole } from "./roles";

export = async () => {
    // Invalid config throws here, listing every problem, before any resource is registered.
    const config = loadBootstrapConfig();
    const awsProvider = new aws.Provider("aws", {
        region: config.region,
        ...config.aws,
        defaultTags: { tags: { "managed-by": "pulumi", purpose: `${config.project} delivery` } },
    });
    const withAws = { provider: awsProvider };
    const [partition, caller] = await Promise.all([
        aws.getPartition({}, withAws),
        aws.getCallerIdentity({}, withAws),
    ]);
    const account = { partition: partition.partition, account: caller.accountId };

    const oidc = oidcProviders(config, withAws);
    const deploy = Object.fromEntries(
        config.stacks.map((stack) => [stack, deployRole(stack, config, oidc, account, withAws).arn]),
    );
    const preview = previewRole(config, oidc, account, withAws).arn;

    // GITHUB_TOKEN (an owner's token with admin rights on the repository) and PULUMI_ACCESS_TOKEN (an
    // organisation admin's, as after `pulumi login`) authorise these two, for this run only.
    githubEnvironments(
        config,
        { deploy, preview },
        { provider: new github.Provider("github", { owner: config.github.owner }) },
    );
    const withPulumi = { provider: new service.Provider("pulumiservice", {}) };
    pulumiAccess(config, withPulumi);
    deploymentSettings(config, deploy, withPulumi);

    // What each stack's config needs (adminRoleArns and viewerRoleArns), as `pulumi config set` takes it.
    return { deployRoleArns: deploy, previewRoleArn: preview };
};
