import * as aws from "@pulumi/aws";
import { Cluster, deployerArn } from "./components/cluster";
import { loadConfig } from "./components/config";
import { Network } from "./components/network";

// Wiring only: read the config, create the components, pass outputs along, export the stack outputs.
export = async () => {
    // Invalid config throws here, listing every problem, before any resource is registered.
    const config = loadConfig();

    // Every AWS resource goes through this provider (default providers are disabled in Pulumi.yaml),
    // so region and tags are set in one place.
    const awsProvider = new aws.Provider("aws", {
        region: config.region,
        defaultTags: {
            tags: { project: config.project, stack: config.stack, "managed-by": "pulumi" },
        },
    });
    const withAws = { providers: [awsProvider] };

    const network = new Network("network", { clusterName: config.clusterName, ...config.network }, withAws);

    // Whoever runs `pulumi up` gets an admin access entry, so the kubeconfig output works for them.
    const deployer = await deployerArn({ provider: awsProvider });
    const cluster = new Cluster(
        "cluster",
        {
            clusterName: config.clusterName,
            region: config.region,
            ...config.cluster,
            adminPrincipalArns: [...config.cluster.adminRoleArns, deployer],
            privateSubnetIds: network.privateSubnetIds,
            nodes: config.nodes,
        },
        withAws,
    );

    return {
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        vpcId: network.vpcId,
    };
};
