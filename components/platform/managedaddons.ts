import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
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

/** What every add-on of one cluster shares. */
export interface AddonTarget {
    cluster: aws.eks.Cluster;
    /** The version of each add-on, from the row of KUBERNETES_VERSIONS for the cluster's minor. */
    versions: Record<string, string>;
    /** The component the add-ons belong to. */
    parent: pulumi.Resource;
}

/** One EKS managed add-on, which overwrites any unmanaged copy of itself on create and update. */
export function managedAddon(
    target: AddonTarget,
    addonName: AddonName,
    extra: Partial<aws.eks.AddonArgs>,
    opts: pulumi.CustomResourceOptions,
): aws.eks.Addon {
    const parent = { parent: target.parent };
    return new aws.eks.Addon(
        addonName,
        {
            clusterName: target.cluster.name,
            addonName,
            // Pinned, never "most recent": an add-on changes only with a reviewed change to the table.
            addonVersion: target.versions[addonName],
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            ...extra,
        },
        { ...parent, ...opts },
    );
}

/**
 * What nodes need before they can turn Ready: the pod network (vpc-cni, with its EC2 permissions
 * through its own IRSA role, not the node's), kube-proxy and the Pod Identity agent.
 */
export function networkingAddons(
    target: AddonTarget,
    oidc: OidcProvider,
    partition: pulumi.Input<string>,
): aws.eks.Addon[] {
    const cniRole = new ServiceAccountRole(
        "vpc-cni-role",
        {
            oidc,
            namespace: "kube-system",
            serviceAccount: "aws-node",
            attachments: { "vpc-cni-policy": managedPolicyArn(partition, "AmazonEKS_CNI_Policy") },
        },
        { parent: target.parent },
    );
    return [
        managedAddon(
            target,
            "vpc-cni",
            // Its network policy agent enforces NetworkPolicy objects; without it they are ignored.
            {
                serviceAccountRoleArn: cniRole.arn,
                configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
            },
            { dependsOn: cniRole.grants },
        ),
        managedAddon(target, "kube-proxy", {}, {}),
        managedAddon(target, "eks-pod-identity-agent", {}, {}),
    ];
}

/** Add-ons that run as Deployments (coredns, metrics-server): they never turn healthy without nodes. */
export function workloadAddons(target: AddonTarget, nodes: pulumi.Resource): aws.eks.Addon[] {
    return [
        managedAddon(target, "coredns", {}, { dependsOn: [nodes] }),
        managedAddon(target, "metrics-server", {}, { dependsOn: [nodes] }),
    ];
}

/** The add-on behind CloudWatch Container Insights. */
export const CONTAINER_INSIGHTS = "amazon-cloudwatch-observability";

/**
 * Container Insights, when the stack asks for it: the CloudWatch agent and Fluent Bit on every node,
 * with an IRSA role holding CloudWatchAgentServerPolicy. AWS's add-on page names AWSXrayWriteOnlyAccess
 * too, for Application Signals' traces, which the add-on turns on; CloudWatchAgentServerPolicy already
 * allows each of its calls (test/boundary.test.ts), so the role carries no second policy.
 * Its build is not in KUBERNETES_VERSIONS: it is EKS's default for the cluster's minor, read when the
 * stack is planned (eks:DescribeAddonVersions), so a minor upgrade moves it too, and a later default
 * shows in the next preview as an update of this add-on alone.
 */
export function containerInsightsAddon(
    target: AddonTarget,
    oidc: OidcProvider,
    partition: pulumi.Input<string>,
    kubernetesVersion: string,
    nodes: pulumi.Resource,
): aws.eks.Addon {
    const parent = { parent: target.parent };
    const role = new ServiceAccountRole(
        "cloudwatch-agent-role",
        {
            oidc,
            namespace: "amazon-cloudwatch",
            serviceAccount: "cloudwatch-agent",
            attachments: {
                "cloudwatch-agent-policy": managedPolicyArn(partition, "CloudWatchAgentServerPolicy"),
            },
        },
        parent,
    );
    const version = aws.eks.getAddonVersionOutput(
        { addonName: CONTAINER_INSIGHTS, kubernetesVersion, mostRecent: false },
        parent,
    );
    return new aws.eks.Addon(
        CONTAINER_INSIGHTS,
        {
            clusterName: target.cluster.name,
            addonName: CONTAINER_INSIGHTS,
            addonVersion: version.version,
            serviceAccountRoleArn: role.arn,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        },
        // Its agents run as DaemonSets: healthy only once there are nodes.
        { ...parent, dependsOn: [...role.grants, nodes] },
    );
}
