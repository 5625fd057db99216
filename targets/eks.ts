import { ServiceAccountRole, attachmentsByArn } from "../components/platform/irsa";
import type { EksStackConfig } from "../config";
import { awsProvider, deployPlatformOnEks, platformOnEks, refresherReads } from "./eksplatform";
import { serviceOnEks } from "./eksservice";

/**
 * The stack on AWS: the network, EKS cluster and nodes, ECR image and the workload on them (layer
 * all); or the first of these (platform), or the last (app), loaded only when chosen.
 */
export async function deployEks(config: EksStackConfig) {
    if (config.layer === "platform") return deployPlatformOnEks(config);
    if (config.layer === "app") {
        const { deployAppOnEks }: typeof import("./eksapp") = require("./eksapp");
        return deployAppOnEks(config);
    }
    const provider = awsProvider(config);
    const { network, cluster, lbController, canaryController, reads } = await platformOnEks(config, provider);
    refresherReads(cluster, reads);
    const namespace = "flask-app";
    const service = serviceOnEks(config, provider, {
        clusterName: config.clusterName,
        provider: cluster.provider,
        architecture: config.nodes.architecture,
        namespace,
        namespaceExists: false,
        // IRSA: the one-stack shape's, through the cluster's own OIDC provider.
        role: (ns, serviceAccount, parent) => ({
            irsaRoleArn: new ServiceAccountRole(
                "web-role",
                {
                    trust: { oidc: cluster.oidcProvider },
                    namespace: ns,
                    serviceAccount,
                    description: `IRSA role of ${namespace}/${serviceAccount}: what appPolicyArns attaches, nothing else`,
                    attachments: attachmentsByArn("web-role", config.app.policyArns),
                },
                { parent },
            ).arn,
            podIdentity: false,
        }),
        loadBalancerController: lbController.release,
        canaryController,
        publicSubnetIds: network.publicSubnetIds,
        publicSubnetCidrs: network.publicSubnetCidrs,
        vpcCidrs: network.vpcCidrs,
    });

    return {
        url: service.url,
        kubeconfig: cluster.kubeconfig,
        clusterName: cluster.clusterName,
        imageRef: service.app.servedImageRef,
        namespace: service.app.namespace,
        vpcId: network.vpcId,
    };
}
