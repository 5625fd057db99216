import * as pulumi from "@pulumi/pulumi";
import type { Architecture } from "../domain/instancetypes";
import type { SharedEntry, StackConfig, Tenant } from "../config";
import { quotaProblem } from "../domain/capacity";
import { sharedHost } from "../domain/namespaces";

// What a platform stack exports for its app stacks, and how an app stack reads it: the one contract
// between the two layers. An output added here is read by apps of this version only; an output
// renamed or removed breaks every app stack on an older platform, so they only ever get added.

/** A tenant as the platform exports it: its namespace and quota (no deploy role ARNs). */
export interface TenantOutput {
    namespace: string;
    cpu: string;
    memory: string;
    pods: number;
    /** Its host on the platform's shared ALB (entry shared); absent when it has an NLB of its own. */
    host?: string;
}

/** The platform's outputs an app stack reads, by name. */
export interface PlatformOutputs {
    /** `eks` or `local`: an app stack deploys where its platform is. */
    target: string;
    /** The apps the platform lends a namespace, by name. */
    tenants: Record<string, TenantOutput>;
    /** The nodes' CPU architecture: the app's image is built for it. */
    nodeArchitecture: Architecture;
    /** On EKS: the cluster, the network the NLB goes in, and the region. */
    region?: string;
    clusterName?: string;
    clusterArn?: string;
    clusterEndpoint?: string;
    clusterCertificateAuthority?: string;
    vpcCidrs?: string[];
    publicSubnetIds?: string[];
    publicSubnetCidrs?: string[];
    /** On EKS with a shared ALB: its IngressClass, the zone the apps' records go in, its client ranges. */
    sharedEntry?: { className: string; hostedZoneId: string; sourceRanges: string[] };
}

/** Every output of the contract, by name. */
export const PLATFORM_OUTPUTS: readonly (keyof PlatformOutputs)[] = [
    "target",
    "tenants",
    "nodeArchitecture",
    "region",
    "clusterName",
    "clusterArn",
    "clusterEndpoint",
    "clusterCertificateAuthority",
    "vpcCidrs",
    "publicSubnetIds",
    "publicSubnetCidrs",
    "sharedEntry",
];

/** The tenants as the platform exports them. */
export function tenantOutputs(
    tenants: Record<string, Tenant>,
    sharedEntry?: SharedEntry,
): Record<string, TenantOutput> {
    return Object.fromEntries(
        Object.entries(tenants).map(([name, tenant]) => [name, tenantOutput(name, tenant, sharedEntry)]),
    );
}

function tenantOutput(name: string, { cpu, memory, pods, entry, namespace }: Tenant, shared?: SharedEntry) {
    const host = entry === "shared" && shared ? sharedHost(name, shared.domain) : undefined;
    return { namespace, cpu, memory, pods, ...(host && { host }) };
}

/**
 * The platform stack an app stack runs on, by its name in config: a stack of this project, or any
 * stack as org/project/stack.
 */
export function platformReference(platformStack: string): pulumi.StackReference {
    const name = platformStack.includes("/")
        ? platformStack
        : `${pulumi.getOrganization()}/${pulumi.getProject()}/${platformStack}`;
    return new pulumi.StackReference("platform", { name });
}

/**
 * The platform's outputs, as plain values: the app's names, image and checks need them before any of
 * its resources is registered. Refuses, naming what is missing, a platform that does not lend this app
 * a namespace or is of another target.
 */
export async function readPlatform(
    reference: pulumi.StackReference,
    app: { project: string; appName: string; target: string; platformStack: string },
): Promise<PlatformOutputs> {
    const outputs = Object.fromEntries(
        await Promise.all(
            PLATFORM_OUTPUTS.map(
                async (name) => [name, (await reference.getOutputDetails(name)).value] as const,
            ),
        ),
    ) as Partial<PlatformOutputs>;
    const key = (name: string) => `${app.project}:${name}`;
    const where = `platformStack ${app.platformStack}`;
    if (outputs.target === undefined || outputs.tenants === undefined)
        throw new Error(
            `${key("platformStack")}: got "${app.platformStack}", expected a platform stack (layer platform) that has been deployed: it has no target or tenants output`,
        );
    if (outputs.target !== app.target)
        throw new Error(
            `${key("target")}: got "${app.target}", expected "${outputs.target}", the target of ${where}: an app deploys where its platform is`,
        );
    if (!Object.hasOwn(outputs.tenants, app.appName))
        throw new Error(
            `${key("appName")}: got "${app.appName}", expected a namespace ${where} lends (${Object.keys(outputs.tenants).join(", ") || "none"}), or add it to the platform's tenants first`,
        );
    return outputs as PlatformOutputs;
}

/**
 * An app stack's platform, read before the app registers anything, and the namespace it lends the
 * app; refuses an app whose pods at their most would not fit that namespace's quota.
 */
export async function platformOf(
    config: StackConfig,
): Promise<{ platform: PlatformOutputs; tenant: TenantOutput }> {
    const platformStack = config.platformStack!;
    const platform = await readPlatform(platformReference(platformStack), { ...config, platformStack });
    const tenant = platform.tenants[config.appName];
    const overQuota = quotaProblem(tenant, config.workload);
    if (overQuota)
        throw new Error(
            `${config.project}:workloadMaxReplicas: got ${config.workload.maxReplicas}, expected ${overQuota} (tenants.${config.appName} of platformStack ${platformStack})`,
        );
    const shared = sharedEntryProblems(config, platform, tenant);
    if (shared.length) throw new Error(shared.join("\n"));
    return { platform, tenant };
}

/**
 * What an app on its platform's shared ALB may not set: its own name or certificate (its host and the
 * ALB's certificate are the platform's), or client ranges other than the ALB's, which it cannot narrow.
 */
function sharedEntryProblems(config: StackConfig, platform: PlatformOutputs, tenant: TenantOutput): string[] {
    if (!tenant.host || config.target !== "eks") return [];
    const on = `the app's entry is ${tenant.host} on platformStack ${config.platformStack}'s shared ALB`;
    const { hostname, hostedZoneId, tlsCertificateArn, lbSourceRanges } = config.workload;
    const set = Object.entries({ hostname, hostedZoneId, tlsCertificateArn }).filter(([, v]) => v);
    const ranges = platform.sharedEntry!.sourceRanges;
    return [
        ...set.map(
            ([key, value]) =>
                `${config.project}:${key}: got "${value}", expected empty: ${on}, with its certificate`,
        ),
        ...(JSON.stringify(lbSourceRanges) === JSON.stringify(ranges)
            ? []
            : [
                  `${config.project}:lbSourceRanges: got ${JSON.stringify(lbSourceRanges)}, expected ${JSON.stringify(ranges)}: ${on}, which admits those`,
              ]),
    ];
}
