import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent } from "../../migrations";
import { OidcProvider, irsaTrustPolicy } from "../platform/trust";

/** The namespace every add-on the stack installs with Helm runs in. */
export const ADDON_NAMESPACE = "kube-system";

export interface HelmAddonArgs {
    provider: k8s.Provider;
    /** The chart: its name (also the release's), its pinned version and its repository. */
    chart: { name: string; version: string; repo: string };
    /** The chart's values, given the role's ARN (when it has one) for the service account's annotation. */
    values: (roleArn?: pulumi.Output<string>) => pulumi.Inputs;
    /** The chart's service account, which alone may assume an IRSA role with this one inline policy (JSON). */
    identity?: { oidc: OidcProvider; serviceAccount: string; policy: pulumi.Input<string> };
    /** Releases the chart needs in the cluster first (their CRDs and webhooks). */
    after?: pulumi.Resource[];
    /** Seconds Helm waits for the release. Default: the provider's. */
    timeout?: number;
}

/**
 * A controller installed with Helm into kube-system: the release `NAME`, and when it calls AWS the
 * IRSA role `NAME-role` with the policy `NAME-policy`. The release waits for the policy, so the
 * controller never starts without its rights, and on destroy it goes before them.
 */
export abstract class HelmAddon extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    protected constructor(
        type: string,
        name: string,
        args: HelmAddonArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        super(type, name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };
        const role =
            args.identity &&
            new aws.iam.Role(
                `${name}-role`,
                {
                    assumeRolePolicy: irsaTrustPolicy(
                        args.identity.oidc,
                        ADDON_NAMESPACE,
                        args.identity.serviceAccount,
                    ),
                },
                child,
            );
        const policy =
            role &&
            new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: args.identity!.policy }, child);
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: args.chart.name,
                chart: args.chart.name,
                version: args.chart.version,
                repositoryOpts: { repo: args.chart.repo },
                namespace: ADDON_NAMESPACE,
                values: args.values(role?.arn),
                timeout: args.timeout,
            },
            {
                ...child,
                provider: args.provider,
                dependsOn: [...(policy ? [policy] : []), ...(args.after ?? [])],
            },
        );
        this.registerOutputs({});
    }
}
