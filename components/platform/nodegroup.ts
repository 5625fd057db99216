import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Architecture } from "../../domain/instancetypes";
import { movedUnderComponent } from "../../migrations";
import type { LiveState } from "./live";
import { managedPolicyArn, servicePrincipalTrust } from "./trust";

export const CAPACITY_TYPES = ["ON_DEMAND", "SPOT"] as const;
export type CapacityType = (typeof CAPACITY_TYPES)[number];

/** The managed node group's settings, as the stack config gives them (defaults: Pulumi.yaml). */
export interface NodeGroupSettings {
    /** Instance types, all of `architecture`. */
    instanceTypes: string[];
    /** CPU architecture of the instance types, derived from them, never configured: it picks the AL2023 AMI type and the image platform. */
    architecture: Architecture;
    /** ON_DEMAND or SPOT. */
    capacityType: CapacityType;
    /** Node counts; desired is only used at creation (then the Cluster Autoscaler owns the count). */
    minSize: number;
    desiredSize: number;
    maxSize: number;
    /** Encrypted gp3 root volume size in GiB. */
    diskSizeGiB: number;
}

export interface NodeGroupArgs extends NodeGroupSettings {
    /** The control plane the nodes join. */
    cluster: aws.eks.Cluster;
    /** Its name, known up front, for the launch template's description and the instances' Name tag. */
    clusterName: string;
    /** Private subnets, resolved once they have their route out (nodes need it to join). */
    subnetIds: pulumi.Input<string[]>;
    /** The AWS partition, for managed policy ARNs. */
    partition: pulumi.Input<string>;
    /** What nodes need before they can turn Ready: the networking add-ons. */
    readyAfter: pulumi.Resource[];
    /** The node group's live scaling, on any up after the first. */
    live?: LiveState["nodeScaling"];
    /**
     * The stack's tags, for what EC2 makes from the launch template (instances, their volumes and
     * network interfaces), which the provider's default tags never reach. Default: none.
     */
    tags?: Record<string, string>;
}

/**
 * The scaling config to send, and whether the desired count is left to the autoscaler. It is, as a
 * rule: then neither an up nor a refresh touches it (refresh honours ignoreChanges too, so drift
 * checks stay quiet while the Cluster Autoscaler works). When the configured bounds differ from the
 * live ones, the update sends the live count moved inside the new bounds: the count in Pulumi's
 * state is stale, and EKS refuses a minimum above the desired count it is sent.
 */
export function scaling(
    settings: Pick<NodeGroupSettings, "minSize" | "desiredSize" | "maxSize">,
    live: LiveState["nodeScaling"],
): {
    scalingConfig: { minSize: number; desiredSize: number; maxSize: number };
    autoscalerOwnsCount: boolean;
} {
    const { minSize, maxSize } = settings;
    if (!live)
        return {
            scalingConfig: { minSize, desiredSize: settings.desiredSize, maxSize },
            autoscalerOwnsCount: true,
        };
    const desiredSize = Math.min(Math.max(live.desiredSize, minSize), maxSize);
    const boundsChange = live.minSize !== minSize || live.maxSize !== maxSize;
    return { scalingConfig: { minSize, desiredSize, maxSize }, autoscalerOwnsCount: !boundsChange };
}

/** AL2023 AMI type for each architecture. */
const AMI_TYPES: Record<Architecture, string> = {
    amd64: "AL2023_x86_64_STANDARD",
    arm64: "AL2023_ARM_64_STANDARD",
};

/** A managed node group: its IAM role, a hardened launch template, and the group itself. */
export class NodeGroup extends pulumi.ComponentResource {
    readonly nodeGroup: aws.eks.NodeGroup;
    readonly role: aws.iam.Role;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:NodeGroup", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };

        // ---- IAM: what a node needs to join and pull images, nothing more ----
        this.role = new aws.iam.Role(
            "node-role",
            { assumeRolePolicy: servicePrincipalTrust("ec2.amazonaws.com") },
            child,
        );
        // The CNI policy is not here: the vpc-cni add-on gets it through its own IRSA role, so pods on
        // the node cannot use the node's credentials to change network interfaces.
        const policies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"].map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `node-${policy}`,
                    {
                        role: this.role.name,
                        policyArn: managedPolicyArn(args.partition, policy),
                    },
                    child,
                ),
        );

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
                            volumeSize: args.diskSizeGiB,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                        },
                    },
                ],
                // The stack's tags let the permissions boundary keep other stacks off these.
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: { Name: `${args.clusterName}-node`, ...args.tags },
                })),
                updateDefaultVersion: true,
            },
            child,
        );
        const { scalingConfig, autoscalerOwnsCount } = scaling(args, args.live);
        this.nodeGroup = new aws.eks.NodeGroup(
            "nodes",
            {
                clusterName: args.cluster.name,
                version: args.cluster.version,
                nodeRoleArn: this.role.arn,
                subnetIds: args.subnetIds,
                instanceTypes: args.instanceTypes,
                capacityType: args.capacityType,
                amiType: AMI_TYPES[args.architecture],
                scalingConfig,
                updateConfig: { maxUnavailablePercentage: 33 },
                nodeRepairConfig: { enabled: true },
                launchTemplate: {
                    id: launchTemplate.id,
                    version: pulumi.interpolate`${launchTemplate.latestVersion}`,
                },
            },
            {
                ...child,
                dependsOn: [...policies, ...args.readyAfter],
                ignoreChanges: autoscalerOwnsCount ? ["scalingConfig.desiredSize"] : [],
            },
        );

        this.registerOutputs({ nodeGroupName: this.nodeGroup.nodeGroupName, roleArn: this.role.arn });
    }
}
