import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What already exists in AWS under this stack's cluster name, read before anything is registered. */
export interface LiveState {
    /**
     * The control-plane log group exists but the cluster does not: a destroy kept it (or EKS made it
     * again from late log streams), and this up adopts it. With the cluster there, the group is the
     * stack's own already.
     */
    adoptLogGroup: boolean;
    /** The node group's live scaling, when the cluster and its one node group exist. */
    nodeScaling?: { minSize: number; desiredSize: number; maxSize: number };
}

/** The control-plane log group EKS writes to; its name is fixed by the cluster's. */
export function logGroupName(clusterName: string): string {
    return `/aws/eks/${clusterName}/cluster`;
}

/** Reads what the stack needs to know about its own live resources; every lookup tolerates absence. */
export async function liveState(clusterName: string, opts: pulumi.InvokeOptions): Promise<LiveState> {
    const logGroup = logGroupName(clusterName);
    const groups = await aws.cloudwatch.getLogGroups({ logGroupNamePrefix: logGroup }, opts);
    const clusters = await aws.eks.getClusters({}, opts);
    if (!clusters.names.includes(clusterName)) {
        return { adoptLogGroup: groups.logGroupNames.includes(logGroup) };
    }
    const nodeGroups = await aws.eks.getNodeGroups({ clusterName }, opts);
    // The stack makes one node group; with none yet (a first up that failed early) there is nothing to read.
    if (nodeGroups.names.length !== 1) return { adoptLogGroup: false };
    const group = await aws.eks.getNodeGroup({ clusterName, nodeGroupName: nodeGroups.names[0] }, opts);
    const { minSize, desiredSize, maxSize } = group.scalingConfigs[0];
    return { adoptLogGroup: false, nodeScaling: { minSize, desiredSize, maxSize } };
}
