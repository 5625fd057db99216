import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { irsaRole } from "../platform/irsa";
import { OidcProvider } from "../platform/trust";

/** The namespace every add-on the stack installs with Helm runs in. */
export const ADDON_NAMESPACE = "kube-system";

export interface ControllerReleaseArgs {
    oidc: OidcProvider;
    provider: k8s.Provider;
    /** The chart: its name (also the release's), its pinned version and its repository. */
    chart: { name: string; version: string; repo: string };
    /** The service account the chart makes, which alone may assume the role. */
    serviceAccount: string;
    /** The role's one inline policy (JSON). */
    policy: pulumi.Input<string>;
    /** The chart's values, given the role's ARN for the service account's annotation. */
    values: (roleArn: pulumi.Output<string>) => pulumi.Inputs;
    /** Releases the chart needs in the cluster first (their CRDs and webhooks). */
    after?: pulumi.Resource[];
}

/**
 * A controller installed with Helm into kube-system whose service account has an IRSA role with one
 * inline policy: the role `NAME-role`, the policy `NAME-policy`, the release `NAME`, all children of
 * `parent`. The release waits for the policy, so the controller never starts without its rights,
 * and on destroy it goes before them.
 */
export function controllerRelease(
    name: string,
    args: ControllerReleaseArgs,
    parent: pulumi.Resource,
): k8s.helm.v3.Release {
    const role = irsaRole(`${name}-role`, args.oidc, ADDON_NAMESPACE, args.serviceAccount, parent);
    const policy = new aws.iam.RolePolicy(
        `${name}-policy`,
        { role: role.id, policy: args.policy },
        { parent },
    );
    return new k8s.helm.v3.Release(
        name,
        {
            name: args.chart.name,
            chart: args.chart.name,
            version: args.chart.version,
            repositoryOpts: { repo: args.chart.repo },
            namespace: ADDON_NAMESPACE,
            values: args.values(role.arn),
        },
        { parent, provider: args.provider, dependsOn: [policy, ...(args.after ?? [])] },
    );
}
