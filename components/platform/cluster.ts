import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAccess } from "./access";
import { NetworkingAddons, WorkloadAddons } from "./managedaddons";
import { HELM_RELEASE_SETTINGS } from "./helmrecords";
import { Credentials, kubeconfigsOf } from "./kubeconfig";
import { LiveState, logGroupName } from "./live";
import { NodeGroup, NodeGroupSettings } from "./nodegroup";
import { OidcProvider, managedPolicyArn, servicePrincipalTrust } from "./trust";
import { KUBERNETES_VERSIONS } from "../../domain/versions";

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** EKS support types: STANDARD, or EXTENDED (billed at the extended price once standard support ends). */
export const UPGRADE_POLICIES = ["STANDARD", "EXTENDED"] as const;

/** The control plane's settings, as the stack config gives them (defaults: Pulumi.yaml). */
export interface ControlPlaneSettings {
    /** Kubernetes version, 1.NN, a row of KUBERNETES_VERSIONS (which pins the add-ons for it). */
    kubernetesVersion: string;
    /** The EKS support type, one of UPGRADE_POLICIES. */
    upgradePolicy: (typeof UPGRADE_POLICIES)[number];
    /** CIDRs allowed to reach the public API endpoint; empty turns it off. */
    endpointPublicAccessCidrs: string[];
    /** Control-plane log retention in days, one of LOG_RETENTION_DAYS. */
    logRetentionDays: number;
    /** AWS CLI profile the kubeconfig uses; none means the ambient credentials. */
    kubeconfigProfile?: string;
    /** Role the kubeconfig assumes for its token; none means the caller itself. */
    kubeconfigRoleArn?: string;
    /** Protect the cluster and the KMS key from deletion. */
    protect: boolean;
    /** CloudWatch Container Insights: the amazon-cloudwatch-observability add-on. */
    containerInsights: boolean;
    /**
     * IAM roles given read-only Kubernetes access (AmazonEKSViewPolicy, which reads no Secret): previews
     * and people (with authentication mode API, no entry means no access).
     */
    viewerRoleArns: string[];
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
    /** IAM principals (roles or users) given cluster-admin access entries; include the deployer. */
    adminPrincipalArns: string[];
    /**
     * IAM roles that refresh the stack (the drift check's): read-only access, and the Kubernetes group
     * that may read by name the few objects of the stack the view policy does not.
     */
    refreshers: { roleArns: string[]; group: string };
    /** The credentials the AWS provider uses, which the Kubernetes provider's token must match. */
    credentials: Credentials;
    /** The managed node group. */
    nodes: NodeGroupSettings;
    /** The stack's tags, for what AWS makes from the node group's launch template. Default: none. */
    tags?: Record<string, string>;
    /**
     * IAM roles the KMS key's own policy lets administer it, besides the account's IAM policies: the
     * stack's deploy role, whose own policy changes no key (a key it could tag would be its). None:
     * the key's default policy.
     */
    keyAdministratorArns: string[];
    /** What already exists in AWS under the cluster's name. */
    live: LiveState;
}

/** Control-plane log types that matter for an audit trail. */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"];

/** An EKS cluster with encrypted secrets, audit logs, API access entries, IRSA, add-ons and its nodes. */
export class Cluster extends pulumi.ComponentResource {
    readonly cluster: aws.eks.Cluster;
    readonly clusterName: pulumi.Output<string>;
    readonly nodes: NodeGroup;
    /** The cluster's OIDC identity provider, for IRSA roles. */
    readonly oidcProvider: OidcProvider;
    /** Kubeconfig (JSON) for people, with the profile or role config names; a secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Provider for every Kubernetes object; it waits for the node group and the admin access entries. */
    readonly provider: k8s.Provider;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Cluster", name, {}, opts);
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;

        this.cluster = controlPlane(args, partition, this);
        this.clusterName = this.cluster.name;
        const access = new ClusterAccess(
            "access",
            {
                cluster: this.cluster,
                adminPrincipalArns: args.adminPrincipalArns,
                viewerRoleArns: args.viewerRoleArns,
                refreshers: args.refreshers,
                partition,
            },
            parent,
        );

        // ---- IRSA ----
        const issuer = this.cluster.identities.apply((ids) => ids[0].oidcs![0].issuer!);
        const oidc = new aws.iam.OpenIdConnectProvider(
            "oidc",
            { url: issuer, clientIdLists: ["sts.amazonaws.com"] },
            parent,
        );
        this.oidcProvider = { arn: oidc.arn, url: oidc.url };

        // ---- add-ons around the nodes ----
        const addons = {
            cluster: this.cluster,
            versions: KUBERNETES_VERSIONS[args.kubernetesVersion].addons,
            oidc: this.oidcProvider,
            partition,
        };
        const networking = new NetworkingAddons("networking-addons", addons, parent);
        this.nodes = new NodeGroup(
            "nodes",
            {
                ...args.nodes,
                cluster: this.cluster,
                clusterName: args.clusterName,
                subnetIds: args.nodeSubnetIds,
                partition,
                readyAfter: networking.addons,
                live: args.live.nodeScaling,
                tags: args.tags,
            },
            parent,
        );
        new WorkloadAddons(
            "workload-addons",
            {
                ...addons,
                kubernetesVersion: args.kubernetesVersion,
                nodes: this.nodes.nodeGroup,
                containerInsights: args.containerInsights,
            },
            parent,
        );

        // ---- access from Pulumi and kubectl ----
        const kubeconfigs = kubeconfigsOf(this.cluster, args);
        this.kubeconfig = kubeconfigs.forPeople;
        // The provider waits for the node group so that the first rollout has nodes to schedule on, and
        // for the admin access entries so that its first call is authorised.
        this.provider = new k8s.Provider(
            "k8s",
            {
                kubeconfig: kubeconfigs.forPulumi,
                helmReleaseSettings: HELM_RELEASE_SETTINGS,
            },
            { ...parent, dependsOn: [this.nodes.nodeGroup, ...access.admins] },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            oidcProviderArn: oidc.arn,
        });
    }
}

/**
 * The control plane, with its role, its secrets encrypted by a key of the stack's, and its logs in a
 * group made first. Its API answers privately, and publicly only to the CIDRs configured.
 */
function controlPlane(args: ClusterArgs, partition: pulumi.Output<string>, parent: Cluster): aws.eks.Cluster {
    const { role, policy } = controlPlaneRole(partition, parent);
    const protect = { parent, protect: args.protect };
    const secretsKey = secretsEncryptionKey(args.clusterName, args.keyAdministratorArns, protect);
    const logGroup = controlPlaneLogGroup(args, parent);
    const publicCidrs = args.endpointPublicAccessCidrs;
    return new aws.eks.Cluster(
        "cluster",
        {
            name: args.clusterName,
            version: args.kubernetesVersion,
            roleArn: role.arn,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: publicCidrs.length > 0,
                publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
            },
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            // The managed add-ons own vpc-cni, kube-proxy and coredns; no unmanaged copies.
            bootstrapSelfManagedAddons: false,
            encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: CONTROL_PLANE_LOGS,
            // Under STANDARD, EKS upgrades a version whose standard support ended; config refuses one.
            upgradePolicy: { supportType: args.upgradePolicy },
            deletionProtection: args.protect,
        },
        { ...protect, dependsOn: [policy, logGroup] },
    );
}

/**
 * The rotating KMS key that envelope-encrypts the cluster's Kubernetes secrets. Its policy leaves the
 * key to the account's IAM policies (KMS's default), and names the key's administrators when there are
 * any. A key made before it had administrators keeps its policy: only they could change it.
 */
function secretsEncryptionKey(
    clusterName: string,
    administrators: string[],
    opts: pulumi.CustomResourceOptions,
): aws.kms.Key {
    const account = aws.getCallerIdentityOutput({}, opts).accountId;
    const partition = aws.getPartitionOutput({}, opts).partition;
    return new aws.kms.Key(
        "secrets-key",
        {
            description: `Envelope encryption of Kubernetes secrets in ${clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy:
                administrators.length > 0
                    ? pulumi.jsonStringify({
                          Version: "2012-10-17",
                          Statement: [
                              {
                                  Sid: "TheAccountsIamPolicies",
                                  Effect: "Allow",
                                  Principal: {
                                      AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root`,
                                  },
                                  Action: "kms:*",
                                  Resource: "*",
                              },
                              {
                                  Sid: "TheKeysAdministrators",
                                  Effect: "Allow",
                                  Principal: { AWS: administrators },
                                  Action: "kms:*",
                                  Resource: "*",
                              },
                          ],
                      })
                    : undefined,
        },
        { ...opts, ignoreChanges: ["policy"] },
    );
}

/**
 * The group EKS writes control-plane logs to, made before the cluster so its retention is ours (EKS
 * would make it with none). A destroy keeps it: the audit log outlives the cluster for its retention,
 * and EKS would recreate it from late log streams anyway, so a create on the next up would fail with
 * ResourceAlreadyExistsException. The next up adopts a group that exists, whoever made it; its
 * retention and tags are set by the up after that.
 */
function controlPlaneLogGroup(args: ClusterArgs, parent: pulumi.Resource): aws.cloudwatch.LogGroup {
    const name = logGroupName(args.clusterName);
    return new aws.cloudwatch.LogGroup(
        "control-plane-logs",
        { name, retentionInDays: args.logRetentionDays },
        {
            parent,
            retainOnDelete: true,
            // An import fails when the group differs from the inputs; a group EKS made has no retention.
            ...(args.live.adoptLogGroup ? { import: name, ignoreChanges: ["retentionInDays", "tags"] } : {}),
        },
    );
}

/** The role EKS assumes for the control plane, with the one managed policy it needs. */
function controlPlaneRole(partition: pulumi.Input<string>, parent: pulumi.Resource) {
    const role = new aws.iam.Role(
        "cluster-role",
        { assumeRolePolicy: servicePrincipalTrust("eks.amazonaws.com") },
        { parent },
    );
    const policy = new aws.iam.RolePolicyAttachment(
        "cluster-policy",
        {
            role: role.name,
            policyArn: managedPolicyArn(partition, "AmazonEKSClusterPolicy"),
        },
        { parent },
    );
    return { role, policy };
}
