import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { AwsAccess, awsAccess } from "../config/awsaccess";
import { ConfigError, RawConfig, Reader, complete, deepFreeze } from "../config/reader";
import { DNS_NAME, HOSTED_ZONE_ID } from "../config/dnsnames";
import { PublicName, REPOSITORY_ROOT, platformStackOf, projectName, publicNameOf } from "./stackfiles";

/**
 * Names a stack had and no longer has (bootstrap config retiredHostnames, items
 * `<stack>:<hostname>:<hosted zone id>`): its deploy role may delete their records, so the `up` that
 * moves the stack to its new name (or to none) can remove the old one's.
 */
function retiredHostnames(r: Reader, stacks: string[] | undefined): Record<string, PublicName[]> | undefined {
    const items = r.list("retiredHostnames");
    if (!items) return undefined;
    const retired: Record<string, PublicName[]> = {};
    const bad = items.filter((item) => {
        const [stack, hostname, hostedZoneId, ...rest] = item.split(":");
        const ok =
            rest.length === 0 &&
            (stacks ?? []).includes(stack) &&
            DNS_NAME.test(hostname ?? "") &&
            HOSTED_ZONE_ID.test(hostedZoneId ?? "");
        if (ok) (retired[stack] ??= []).push({ hostname, hostedZoneId });
        return !ok;
    });
    for (const item of bad)
        r.problem(
            "retiredHostnames",
            item,
            `items <stack>:<hostname>:<hosted zone id>, the stack among ${JSON.stringify(stacks ?? [])}, such as dev:old.example.com:Z0123456789ABCDEFGHIJ`,
        );
    return bad.length ? undefined : retired;
}

export interface BootstrapConfig {
    region: string;
    /** The credentials the stack's aws: config names (the same keys as the main program's). */
    aws: AwsAccess;
    /** The repository's owner and name, and both as owner/name. */
    github: { owner: string; repository: string; fullName: string };
    pulumiOrganization: string;
    /** The flask-eks project's name. */
    project: string;
    stacks: string[];
    /** The stacks' public names, by stack: those whose file sets hostname and hostedZoneId. */
    publicNames: Record<string, PublicName>;
    /** Names stacks had, by stack: their records may be deleted. */
    retiredNames: Record<string, PublicName[]>;
    /** The app stacks' platform stacks, by app stack (platformStackOf). */
    platforms: Record<string, string>;
    reviewedStacks: string[];
    /** Stacks whose pull-request previews run without a reviewer's approval (their secrets are then readable). */
    openPreviewStacks: string[];
    reviewerTeams: string[];
    /** Policies the stacks' apps may be given (appPolicyArns), besides the program's own. */
    appPolicyArns: string[];
    /** Existing IAM OIDC providers to use instead of creating them. */
    githubOidcProviderArn?: string;
    pulumiOidcProviderArn?: string;
    /** The Pulumi Deployments agent pool (with a Docker daemon) that runs the stacks; none: no Deployments. */
    deploymentsAgentPoolId?: string;
}

const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/.+$/;

/** Loads and validates the bootstrap stack's config; throws ConfigError listing every problem. */
export function loadBootstrapConfig(): BootstrapConfig {
    return parseBootstrapConfig(
        (ns, key) => new pulumi.Config(ns).get(key),
        pulumi.getProject(),
        pulumi.getStack(),
        Object.keys(pulumi.runtime.allConfig()),
    );
}

export function parseBootstrapConfig(
    raw: RawConfig,
    project: string,
    stack: string,
    setKeys: string[] = [],
): BootstrapConfig {
    const r = new Reader(raw, project, []);
    const region = r.string("aws:region", /^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-west-2");
    const aws = awsAccess(r, setKeys);
    const repository = r.string(
        "githubRepository",
        /^[\w.-]+\/[\w.-]+$/,
        "owner/name of a GitHub repository",
    );
    const pulumiOrganization = r.string(
        "pulumiOrganization",
        /^[\w.-]+$/,
        "a Pulumi Cloud organisation name",
    );
    const missing = (stacks: string[]) =>
        stacks.filter((s) => !fs.existsSync(path.join(REPOSITORY_ROOT, `Pulumi.${s}.yaml`)));
    const listed = r.list(
        "stacks",
        /^[a-z][a-z0-9-]*$/,
        "stack names of lower-case letters, digits and dashes",
    );
    const stacks = r.check("stacks", listed, (v) =>
        v.length === 0
            ? "at least one stack"
            : missing(v).length > 0
              ? `stacks with a stack file in the repository (no Pulumi.${missing(v).join(".yaml, Pulumi.")}.yaml)`
              : undefined,
    );
    const among = (v: string[]) =>
        listed && v.some((s) => !listed.includes(s)) ? `stacks among ${JSON.stringify(listed)}` : undefined;
    const reviewed = r.list("reviewedStacks");
    const reviewedStacks = r.check("reviewedStacks", reviewed, among);
    const open = r.list("openPreviewStacks");
    const openPreviewStacks = r.check("openPreviewStacks", open, among);
    // Deploys of the reviewed stacks and previews of the others wait for a reviewer.
    const awaiting = [
        ...(reviewed ?? []).map((s) => `deploys of ${s}`),
        ...(listed && open ? listed.filter((s) => !open.includes(s)).map((s) => `previews of ${s}`) : []),
    ];
    const reviewerTeams = r.check(
        "reviewerTeams",
        r.list("reviewerTeams", /^[\w-]+$/, "GitHub team slugs"),
        (v) =>
            awaiting.length && v.length === 0
                ? `at least one team to approve ${awaiting.join(", ")}`
                : undefined,
    );
    const appPolicyArns = r.list(
        "appPolicyArns",
        /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/,
        "IAM policy ARNs such as arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    );
    const arn = (key: string) =>
        r.string(key, new RegExp(`^$|${OIDC_PROVIDER_ARN.source}`), "empty, or an IAM OIDC provider ARN");
    const githubOidcProviderArn = arn("githubOidcProviderArn");
    const pulumiOidcProviderArn = arn("pulumiOidcProviderArn");
    const deploymentsAgentPoolId = r.string(
        "deploymentsAgentPoolId",
        /^[\w-]*$/,
        "empty, or the id of a Pulumi Deployments agent pool",
    );
    const retiredNames = retiredHostnames(r, stacks);
    const platforms = Object.fromEntries(
        (stacks ?? []).flatMap((stack) => {
            const platform = platformStackOf(stack, r);
            return platform ? [[stack, platform]] : [];
        }),
    );
    for (const [app, platform] of Object.entries(platforms))
        if (!(stacks ?? []).includes(platform))
            r.problem(
                "stacks",
                stacks,
                `${platform} among them too: ${app}'s platform, whose outputs its deploys and previews read`,
            );
    const publicNames = Object.fromEntries(
        (stacks ?? []).flatMap((stack) => {
            const name = publicNameOf(stack, r);
            return name ? [[stack, name]] : [];
        }),
    );
    const config = complete({
        region,
        retiredNames,
        repository,
        pulumiOrganization,
        stacks,
        reviewedStacks,
        openPreviewStacks,
        reviewerTeams,
        appPolicyArns,
        githubOidcProviderArn,
        pulumiOidcProviderArn,
        deploymentsAgentPoolId,
    });
    if (r.problems.length > 0 || !config || !aws) throw new ConfigError(r.problems, stack);
    const [owner, name] = config.repository.split("/");
    return deepFreeze({
        region: config.region,
        aws,
        github: { owner, repository: name, fullName: config.repository },
        pulumiOrganization: config.pulumiOrganization,
        project: projectName(),
        stacks: config.stacks,
        publicNames,
        retiredNames: config.retiredNames,
        platforms,
        reviewedStacks: config.reviewedStacks,
        openPreviewStacks: config.openPreviewStacks,
        reviewerTeams: config.reviewerTeams,
        appPolicyArns: config.appPolicyArns,
        githubOidcProviderArn: config.githubOidcProviderArn || undefined,
        pulumiOidcProviderArn: config.pulumiOidcProviderArn || undefined,
        deploymentsAgentPoolId: config.deploymentsAgentPoolId || undefined,
    });
}
