import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AddonName, Architecture, CapacityType } from "./config";
import { OidcProvider, irsaTrustPolicy } from "./irsa";
import { kubeconfig } from "./kubeconfig";

/** The control plane's settings, as the stack config gives them. */
export interface ControlPlaneSettings {
    /** Kubernetes version, 1.NN. Default (Pulumi.yaml): 1.33. */
    kubernetesVersion: string;
    /** CIDRs allowed to reach the public API endpoint; empty turns it off. Default (Pulumi.yaml): ["0.0.0.0/0"]. */
    endpointPublicAccessCidrs: string[];
    /** Control-plane log retention in days. Default (Pulumi.yaml): 90. */
    logRetentionDays: number;
    /** Add-on versions to pin; unpinned ones resolve to the newest for the Kubernetes version. Default: {}. */
    addonVersions: Partial<Record<AddonName, string>>;
    /** AWS CLI profile the kubeconfig uses. Default: ambient credentials. */
    kubeconfigProfile?: string;
    /** Role the kubeconfig assumes for its token. Default: none. */
    kubeconfigRoleArn?: string;
    /** Protect the cluster and the KMS key from deletion. Default (Pulumi.yaml): false. */
    protect: boolean;
}

/** The managed node group's settings. */
export interface NodeGroupSettings {
    /** Instance types, all of `architecture`. Default (Pulumi.yaml): ["t3.medium"]. */
    instanceTypes: string[];
    /** CPU architecture of the instance types, derived from them, never configured: it picks the AL2023 AMI type and the image platform. */
    architecture: Architecture;
    /** ON_DEMAND or SPOT. Default (Pulumi.yaml): ON_DEMAND. */
    capacityType: CapacityType;
    /** Node counts; desired is only used at creation. Defaults (Pulumi.yaml): 2, 2, 4. */
    minSize: number;
    desiredSize: number;
    maxSize: number;
    /** Encrypted gp3 root volume size in GiB. Default (Pulumi.yaml): 40. */
    diskSizeGiB: number;
}

export interface ClusterArgs extends ControlPlaneSettings {
    /** EKS cluster name; fixed up front so the log group can exist before the cluster. */
    clusterName: string;
    /** Region, for the kubeconfig's get-token call. */
    region: string;
    /** Private subnets for the control plane's network interfaces; never public ones. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** The same subnets for the nodes, resolved once they have their route out. */
    nodeSubnetIds: pulumi.Input<string[]>;
    /** IAM principals (roles or users) given cluster-admin access entries; include the deployer. Default: []. */
    adminPrincipalArns: string[];
    /** The managed node group. */
    nodes: NodeGroupSettings;
}

/** AL2023 AMI type for each architecture. */
export const AMI_TYPES: Record<Architecture, string> = {
    amd64: "AL2023_x86_64_STANDARD",
    arm64: "AL2023_ARM_64_STANDARD",
};

/** Control-plane log types that matter for an audit trail. */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"];

/**
 * The IAM principal behind the current credentials. An assumed-role session
 * (arn:aws:sts::…:assumed-role/R/session) maps back to its role, path included, because access entries
 * take the role, not the session.
 */
export async function deployerArn(opts: pulumi.InvokeOptions): Promise<string> {
    const caller = await aws.getCallerIdentity({}, opts);
    const context = await aws.iam.getSessionContext({ arn: caller.arn }, opts);
    return context.issuerArn;
}

/** An EKS cluster with encrypted secrets, audit logs, API access entries, IRSA and a managed node group. */
export class Cluster extends pulumi.ComponentResource {
    readonly cluster: aws.eks.Cluster;
    readonly clusterName: pulumi.Output<string>;
    readonly nodeGroup: aws.eks.NodeGroup;
    /** The cluster's OIDC identity provider, for IRSA roles. */
    readonly oidcProvider: OidcProvider;
    /** Kubeconfig (JSON) that gets tokens from `aws eks get-token`; a secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Provider for every Kubernetes object; it waits for the node group and the admin access entries. */
    readonly provider: k8s.Provider;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Cluster", name, {}, opts);
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;
        const managedPolicy = (policy: string) =>
            pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;

        // ---- IAM: the managed policies EKS needs, nothing more ----
        const clusterRole = new aws.iam.Role(
            "cluster-role",
            { assumeRolePolicy: servicePrincipalTrust("eks.amazonaws.com") },
            parent,
        );
        const clusterPolicy = new aws.iam.RolePolicyAttachment(
            "cluster-policy",
            { role: clusterRole.name, policyArn: managedPolicy("AmazonEKSClusterPolicy") },
            parent,
        );
        const nodeRole = new aws.iam.Role(
            "node-role",
            { assumeRolePolicy: servicePrincipalTrust("ec2.amazonaws.com") },
            parent,
        );
        // The CNI policy is not here: the vpc-cni add-on gets it through its own IRSA role below, so pods
        // on the node cannot use the node's credentials to change network interfaces.
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `node-${policy}`,
                    { role: nodeRole.name, policyArn: managedPolicy(policy) },
                    parent,
                ),
        );

        // ---- encryption and logs ----
        const protect = { ...parent, protect: args.protect };
        const secretsKey = new aws.kms.Key(
            "secrets-key",
            {
                description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            protect,
        );
        // EKS would create this group itself, with no retention; creating it first makes retention ours.
        const logGroup = new aws.cloudwatch.LogGroup(
            "control-plane-logs",
            { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logRetentionDays },
            parent,
        );

        // ---- the control plane ----
        const publicCidrs = args.endpointPublicAccessCidrs;
        this.cluster = new aws.eks.Cluster(
            "cluster",
            {
                name: args.clusterName,
                version: args.kubernetesVersion,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicCidrs.length > 0,
                    publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                // The managed add-ons below own vpc-cni, kube-proxy and coredns; no unmanaged copies.
                bootstrapSelfManagedAddons: false,
                encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: CONTROL_PLANE_LOGS,
                // Standard support only: extended support bills six times the hourly control-plane price.
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: args.protect,
            },
            { ...protect, dependsOn: [clusterPolicy, logGroup] },
        );
        this.clusterName = this.cluster.name;

        // ---- who may administer it ----
        const adminAccess = [...new Set(args.adminPrincipalArns)].map((principalArn) => {
            const [, , , , account, resource] = principalArn.split(":");
            const id = `${account}-${resource.split("/").pop()}`;
            const entry = new aws.eks.AccessEntry(
                `admin-${id}`,
                { clusterName: this.cluster.name, principalArn, type: "STANDARD" },
                parent,
            );
            return new aws.eks.AccessPolicyAssociation(
                `admin-${id}`,
                {
                    clusterName: this.cluster.name,
                    principalArn,
                    policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
                    accessScope: { type: "cluster" },
                },
                { ...parent, dependsOn: [entry] },
            );
        });

        // ---- IRSA ----
        const issuer = this.cluster.identities.apply((ids) => ids[0].oidcs![0].issuer!);
        const oidc = new aws.iam.OpenIdConnectProvider(
            "oidc",
            { url: issuer, clientIdLists: ["sts.amazonaws.com"] },
            parent,
        );
        this.oidcProvider = { arn: oidc.arn, url: oidc.url };

        // ---- add-ons that nodes need before they can turn Ready ----
        const addon = (
            addonName: AddonName,
            extra: Partial<aws.eks.AddonArgs>,
            addonOpts: pulumi.CustomResourceOptions,
        ) =>
            new aws.eks.Addon(
                addonName,
                {
                    clusterName: this.cluster.name,
                    addonName,
                    addonVersion:
                        args.addonVersions[addonName] ??
                        aws.eks.getAddonVersionOutput(
                            { addonName, kubernetesVersion: args.kubernetesVersion, mostRecent: true },
                            parent,
                        ).version,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    ...extra,
                },
                { ...parent, ...addonOpts },
            );
        const cniRole = new aws.iam.Role(
            "vpc-cni-role",
            { assumeRolePolicy: irsaTrustPolicy(this.oidcProvider, "kube-system", "aws-node") },
            parent,
        );
        const cniPolicy = new aws.iam.RolePolicyAttachment(
            "vpc-cni-policy",
            { role: cniRole.name, policyArn: managedPolicy("AmazonEKS_CNI_Policy") },
            parent,
        );
        const nodeAddons = [
            addon("vpc-cni", { serviceAccountRoleArn: cniRole.arn }, { dependsOn: [cniPolicy] }),
            addon("kube-proxy", {}, {}),
            addon("eks-pod-identity-agent", {}, {}),
        ];

        // ---- nodes ----
        const launchTemplate = new aws.ec2.LaunchTemplate(
            "nodes",
            {
                description: `Nodes of ${args.clusterName}`,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    // Hop limit 1 keeps pods (one hop further away) off the node's instance credentials;
                    // pods get their own through IRSA.
                    httpPutResponseHopLimit: 1,
                },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeSize: args.nodes.diskSizeGiB,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({
                    resourceType,
                    tags: { Name: `${args.clusterName}-node` },
                })),
                updateDefaultVersion: true,
            },
            parent,
        );
        this.nodeGroup = new aws.eks.NodeGroup(
            "nodes",
            {
                clusterName: this.cluster.name,
                version: this.cluster.version,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.nodeSubnetIds,
                instanceTypes: args.nodes.instanceTypes,
                capacityType: args.nodes.capacityType,
                amiType: AMI_TYPES[args.nodes.architecture],
                scalingConfig: {
                    minSize: args.nodes.minSize,
                    desiredSize: args.nodes.desiredSize,
                    maxSize: args.nodes.maxSize,
                },
                updateConfig: { maxUnavailablePercentage: 33 },
                nodeRepairConfig: { enabled: true },
                launchTemplate: {
                    id: launchTemplate.id,
                    version: pulumi.interpolate`${launchTemplate.latestVersion}`,
                },
            },
            {
                ...parent,
                dependsOn: [...nodePolicies, ...nodeAddons],
                // Autoscalers own the live node count; config only sets it at creation.
                ignoreChanges: ["scalingConfig.desiredSize"],
            },
        );

        // Deployments (coredns, metrics-server) never turn healthy without nodes to run on.
        addon("coredns", {}, { dependsOn: [this.nodeGroup] });
        addon("metrics-server", {}, { dependsOn: [this.nodeGroup] });

        // ---- access from Pulumi and kubectl ----
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.endpoint, this.cluster.certificateAuthority.data])
                .apply(([endpoint, ca]) =>
                    JSON.stringify(
                        kubeconfig({
                            clusterName: args.clusterName,
                            region: args.region,
                            endpoint,
                            certificateAuthorityData: ca,
                            profile: args.kubeconfigProfile,
                            roleArn: args.kubeconfigRoleArn,
                        }),
                    ),
                ),
        );
        // The provider waits for the node group so that the first rollout has nodes to schedule on, and
        // for the admin access entries so that its first call is authorised.
        this.provider = new k8s.Provider(
            "k8s",
            { kubeconfig: this.kubeconfig },
            { ...parent, dependsOn: [this.nodeGroup, ...adminAccess] },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            oidcProviderArn: oidc.arn,
        });
    }
}

function servicePrincipalTrust(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}
