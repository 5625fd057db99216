import * as aws from "@pulumi/aws";
import { ClusterAutoscaler } from "../components/addons/autoscaler";
import { CertManager } from "../components/addons/certmanager";
import { Prometheus } from "../components/addons/prometheus";
import { ArgoRollouts } from "../components/addons/rollouts";
import { LOAD_BALANCER_CONTROLLER_USERNAME, LoadBalancerController } from "../components/addons/lbcontroller";
import * as pulumi from "@pulumi/pulumi";
import { TenantAccess, adminPrincipals } from "../components/platform/access";
import { Cluster } from "../components/platform/cluster";
import { boundEveryRole, deliveryIdentities } from "../components/platform/delivery";
import { liveState } from "../components/platform/live";
import { Network } from "../components/platform/network";
import { CANARY_READS, RefresherRead, RefresherReads } from "../components/platform/refresherreads";
import { SharedEntry } from "../components/platform/sharedentry";
import { Tenant } from "../components/platform/tenant";
import { TenantIngresses } from "../components/platform/tenantingress";
import type { EksStackConfig } from "../config";
import { REFRESHERS_GROUP, deliveryNames } from "../config/delivery";
import { SHARED_CLASS } from "../domain/namespaces";
import { PLATFORM_OUTPUTS, PlatformOutputs, tenantOutputs } from "./contract";

/** The stack's tags: on every AWS resource, through the provider. */
export function stackTags(config: EksStackConfig): Record<string, string> {
    return { project: config.project, stack: config.stack, "managed-by": "pulumi" };
}

/**
 * The AWS provider every AWS resource goes through (default providers are disabled in Pulumi.yaml),
 * so region, credentials and tags are set in one place. An explicit provider reads no aws: config of
 * its own: the keys a stack sets are passed here (config/awsaccess.ts).
 */
export function awsProvider(config: EksStackConfig): aws.Provider {
    return new aws.Provider("aws", {
        region: config.region,
        ...config.aws,
        defaultTags: { tags: stackTags(config) },
    });
}

/** What the shared part of an environment makes: the network, the cluster, and the controller of its NLBs. */
export interface EksPlatform {
    network: Network;
    cluster: Cluster;
    lbController: LoadBalancerController;
    /** The canary controller's release (its CRDs), when the stack's canary is on. */
    canaryController?: pulumi.Resource;
    /** What the drift check reads of these beyond EKS's view policy (refresherReads). */
    reads: RefresherRead[];
}

/** The network, the EKS cluster and its nodes, and the cluster's Helm add-ons. */
export async function platformOnEks(config: EksStackConfig, provider: aws.Provider): Promise<EksPlatform> {
    const withAws = { providers: [provider] };
    // Read before anything registers: a refusal here leaves nothing half made.
    const delivery = config.cluster.deliveryRoles
        ? await deliveryIdentities(deliveryNames(config.project, config.stack), { provider })
        : undefined;
    if (delivery) boundEveryRole(delivery.boundaryArn);
    const admins = await adminPrincipals(config.cluster.adminRoleArns, { provider }, delivery?.deployRoleArn);
    const live = await liveState(config.clusterName, { provider });

    const network = new Network("network", { clusterName: config.clusterName, ...config.network }, withAws);
    const cluster = new Cluster(
        "cluster",
        {
            clusterName: config.clusterName,
            region: config.region,
            ...config.cluster,
            viewerRoleArns: [
                ...(delivery ? [delivery.previewRoleArn] : []),
                ...config.cluster.viewerRoleArns,
            ],
            adminPrincipalArns: admins,
            refreshers: { roleArns: delivery ? [delivery.driftRoleArn] : [], group: REFRESHERS_GROUP },
            keyAdministratorArns: delivery ? [delivery.deployRoleArn] : [],
            tags: stackTags(config),
            credentials: config.aws,
            privateSubnetIds: network.privateSubnetIds,
            nodeSubnetIds: network.privateSubnetIdsWithEgress,
            nodes: config.nodes,
            live,
        },
        withAws,
    );

    // The cluster's Helm add-ons, in the Cluster component's tree: they go with it.
    const addon = {
        clusterName: config.clusterName,
        region: config.region,
        kubernetesVersion: config.cluster.kubernetesVersion,
        oidc: cluster.oidcProvider,
        provider: cluster.provider,
    };
    const inCluster = { parent: cluster };
    new ClusterAutoscaler(
        "cluster-autoscaler",
        { ...addon, nodeGroupArn: cluster.nodes.nodeGroup.arn },
        inCluster,
    );
    const certManager = new CertManager("cert-manager", addon, inCluster);
    const lbController = new LoadBalancerController(
        "lb-controller",
        { ...addon, vpcId: network.vpcId, certManager: certManager.release, tags: stackTags(config) },
        inCluster,
    );
    // A canary's controller and metrics source, when the stack's releases (or its apps') are canaries.
    let canaryController: pulumi.Resource | undefined;
    if (config.workload.canary) {
        canaryController = new ArgoRollouts("argo-rollouts", addon, inCluster).release;
        new Prometheus("prometheus", addon, inCluster);
    }
    return {
        network,
        cluster,
        lbController,
        canaryController,
        reads: canaryController ? [CANARY_READS] : [],
    };
}

/**
 * The drift check's reads of the stack's cluster objects beyond EKS's view policy, given to the
 * refreshers' group (the drift role's access entry), in the Cluster component's tree; none if none.
 */
export function refresherReads(cluster: Cluster, reads: RefresherRead[]): void {
    if (reads.length === 0) return;
    const opts = { parent: cluster, providers: [cluster.provider] };
    new RefresherReads("refresher-reads", { group: REFRESHERS_GROUP, reads }, opts);
}

/**
 * An environment's shared part on EKS (layer platform): the network, the cluster, its nodes and
 * add-ons, and a namespace for each app it lends one. Its outputs are the contract its app stacks
 * read (contract.ts).
 */
export async function deployPlatformOnEks(config: EksStackConfig) {
    const provider = awsProvider(config);
    const { network, cluster, lbController, reads } = await platformOnEks(config, provider);
    const clusterArn = cluster.cluster.arn;
    const partition = clusterArn.apply((arn) => arn.split(":")[1]);
    const roleOf = await bootstrapRoleArns(config, provider);
    const inCluster = { providers: [provider, cluster.provider] };
    const sharedEntry =
        config.sharedEntry &&
        new SharedEntry(
            "shared-entry",
            {
                ...config.sharedEntry,
                className: SHARED_CLASS,
                subnetIds: network.publicSubnetIds,
                sourceRanges: config.workload.lbSourceRanges,
                loadBalancerController: lbController,
            },
            inCluster,
        );
    const ingresses = new TenantIngresses(
        "tenant-ingresses",
        { sharedClass: SHARED_CLASS, controllerUsername: LOAD_BALANCER_CONTROLLER_USERNAME },
        inCluster,
    );
    refresherReads(cluster, [...reads, ...ingresses.reads, ...(sharedEntry ? sharedEntry.reads : [])]);
    const tenants = tenantOutputs(config.tenants, config.sharedEntry);
    for (const [name, tenant] of Object.entries(config.tenants)) {
        const room = new Tenant(
            name,
            { ...tenant, behindNlb: true, sharedHost: tenants[name].host },
            { providers: [cluster.provider] },
        );
        new TenantAccess(
            name,
            {
                clusterName: cluster.clusterName,
                partition,
                deployRoleArns: [
                    ...tenant.deployRoleArns,
                    ...tenant.deployStacks.map((stack) => roleOf(stack, "deployRole")),
                ],
                viewerRoleArns: tenant.deployStacks.map((stack) => roleOf(stack, "previewRole")),
                namespace: room.namespace,
            },
            { parent: room, providers: [provider] },
        );
    }
    // Every output named, so none is forgotten; the optional ones may be undefined.
    const outputs: {
        [K in (typeof PLATFORM_OUTPUTS)[number]]: pulumi.Input<PlatformOutputs[K]> | undefined;
    } = {
        target: "eks",
        tenants,
        nodeArchitecture: config.nodes.architecture,
        region: config.region,
        clusterName: cluster.clusterName,
        clusterArn,
        clusterEndpoint: cluster.cluster.endpoint,
        clusterCertificateAuthority: cluster.cluster.certificateAuthority.data,
        vpcCidrs: network.vpcCidrs,
        publicSubnetIds: network.publicSubnetIds,
        publicSubnetCidrs: network.publicSubnetCidrs,
        sharedEntry: sharedEntry && {
            className: sharedEntry.className,
            hostedZoneId: config.sharedEntry!.hostedZoneId,
            sourceRanges: config.workload.lbSourceRanges,
        },
    };
    return { ...outputs, kubeconfig: cluster.kubeconfig, vpcId: network.vpcId };
}

/** The ARN of an app stack's bootstrap role (deploy or preview), in this stack's account (config/delivery.ts). */
async function bootstrapRoleArns(config: EksStackConfig, provider: aws.Provider) {
    if (!Object.values(config.tenants).some((t) => t.deployStacks.length > 0)) return () => "";
    const [{ partition }, { accountId }] = await Promise.all([
        aws.getPartition({}, { provider }),
        aws.getCallerIdentity({}, { provider }),
    ]);
    return (stack: string, role: "deployRole" | "previewRole") =>
        `arn:${partition}:iam::${accountId}:role/${deliveryNames(config.project, stack)[role]}`;
}
