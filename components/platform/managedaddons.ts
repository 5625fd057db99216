import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent } from "../../migrations";
import { ServiceAccountRole } from "./irsa";
import { OidcProvider, managedPolicyArn } from "./trust";

/** The add-ons the cluster manages, each at the version KUBERNETES_VERSIONS pins for the cluster's minor. */
export const ADDONS = [
    "vpc-cni",
    "kube-proxy",
    "eks-pod-identity-agent",
    "coredns",
    "metrics-server",
] as const;
export type AddonName = (typeof ADDONS)[number];

/** What every managed add-on of one cluster shares. */
export interface ManagedAddonsArgs {
    cluster: aws.eks.Cluster;
    /** The version of each add-on, from the row of KUBERNETES_VERSIONS for the cluster's minor. */
    versions: Record<string, string>;
    oidc: OidcProvider;
    partition: pulumi.Input<string>;
}

/** One EKS managed add-on, which overwrites any unmanaged copy of itself on create and update. */
function managedAddon(
    args: ManagedAddonsArgs,
    addonName: AddonName,
    extra: Partial<aws.eks.AddonArgs>,
    opts: pulumi.CustomResourceOptions,
): aws.eks.Addon {
    return new aws.eks.Addon(
        addonName,
        {
            clusterName: args.cluster.name,
            addonName,
            // Pinned, never "most recent": an add-on changes only with a reviewed change to the table.
            addonVersion: args.versions[addonName],
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            ...extra,
        },
        opts,
    );
}

/**
 * What nodes need before they can turn Ready: the pod network (vpc-cni, with its EC2 permissions
 * through its own IRSA role, not the node's), kube-proxy and the Pod Identity agent.
 */
export class NetworkingAddons extends pulumi.ComponentResource {
    readonly addons: aws.eks.Addon[];

    constructor(name: string, args: ManagedAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:NetworkingAddons", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };
        const cniRole = new ServiceAccountRole(
            "vpc-cni-role",
            {
                trust: { oidc: args.oidc },
                namespace: "kube-system",
                serviceAccount: "aws-node",
                attachments: { "vpc-cni-policy": managedPolicyArn(args.partition, "AmazonEKS_CNI_Policy") },
                formerParent: opts?.parent,
            },
            { parent: this },
        );
        this.addons = [
            managedAddon(
                args,
                "vpc-cni",
                // Its network policy agent enforces NetworkPolicy objects; without it they are ignored.
                {
                    serviceAccountRoleArn: cniRole.arn,
                    configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
                },
                { ...child, dependsOn: cniRole.grants },
            ),
            managedAddon(args, "kube-proxy", {}, child),
            managedAddon(args, "eks-pod-identity-agent", {}, child),
        ];
        this.registerOutputs({});
    }
}

export interface WorkloadAddonsArgs extends ManagedAddonsArgs {
    kubernetesVersion: string;
    /** The node group: these add-ons never turn healthy without nodes. */
    nodes: pulumi.Resource;
    /** CloudWatch Container Insights too. */
    containerInsights: boolean;
}

/** Add-ons that run as Deployments or DaemonSets on the nodes: coredns, metrics-server, Container Insights. */
export class WorkloadAddons extends pulumi.ComponentResource {
    constructor(name: string, args: WorkloadAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:WorkloadAddons", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent), dependsOn: [args.nodes] };
        managedAddon(args, "coredns", {}, child);
        managedAddon(args, "metrics-server", {}, child);
        if (args.containerInsights) containerInsightsAddon(args, this, opts?.parent);
        this.registerOutputs({});
    }
}

/** The add-on behind CloudWatch Container Insights. */
export const CONTAINER_INSIGHTS = "amazon-cloudwatch-observability";

/**
 * Container Insights, when the stack asks for it: the CloudWatch agent and Fluent Bit on every node,
 * with an IRSA role holding CloudWatchAgentServerPolicy. AWS's add-on page names AWSXrayWriteOnlyAccess
 * too, for Application Signals' traces, which the add-on turns on; CloudWatchAgentServerPolicy already
 * allows each of its calls (test/bootstrap/boundary.test.ts), so the role carries no second policy.
 * Its build is not in KUBERNETES_VERSIONS: it is EKS's default for the cluster's minor, read when the
 * stack is planned (eks:DescribeAddonVersions), so a minor upgrade moves it too, and a later default
 * shows in the next preview as an update of this add-on alone.
 */
function containerInsightsAddon(
    args: WorkloadAddonsArgs,
    parent: WorkloadAddons,
    formerParent: pulumi.Resource | undefined,
): aws.eks.Addon {
    const child = { parent, ...movedUnderComponent(formerParent) };
    const role = new ServiceAccountRole(
        "cloudwatch-agent-role",
        {
            trust: { oidc: args.oidc },
            namespace: "amazon-cloudwatch",
            serviceAccount: "cloudwatch-agent",
            attachments: {
                "cloudwatch-agent-policy": managedPolicyArn(args.partition, "CloudWatchAgentServerPolicy"),
            },
            formerParent,
        },
        { parent },
    );
    const version = aws.eks.getAddonVersionOutput(
        { addonName: CONTAINER_INSIGHTS, kubernetesVersion: args.kubernetesVersion, mostRecent: false },
        { parent },
    );
    return new aws.eks.Addon(
        CONTAINER_INSIGHTS,
        {
            clusterName: args.cluster.name,
            addonName: CONTAINER_INSIGHTS,
            addonVersion: version.version,
            serviceAccountRoleArn: role.arn,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        },
        // Its agents run as DaemonSets: healthy only once there are nodes.
        { ...child, dependsOn: [...role.grants, args.nodes] },
    );
}
