import * as k8s from "@pulumi/kubernetes";
import { boundEveryRole, deliveryIdentities } from "../components/platform/delivery";
import { ServiceAccountRole, attachmentsByArn } from "../components/platform/irsa";
import { kubeconfigJson, tokenCredentials } from "../components/platform/kubeconfig";
import type { EksStackConfig } from "../config";
import { deliveryNames } from "../config/delivery";
import { platformOf } from "./contract";
import { awsProvider } from "./eksplatform";
import { serviceOnEks } from "./eksservice";

/**
 * One service on its environment's platform stack, in the namespace the platform lends it: its image,
 * its workload and its IAM role by Pod Identity. The platform's outputs are read first (contract.ts).
 */
export async function deployAppOnEks(config: EksStackConfig) {
    const { platform, tenant } = await platformOf(config);
    const namespace = tenant.namespace;
    if (platform.region !== config.region)
        throw new Error(
            `aws:region: got ${config.region}, expected ${platform.region}, the region of platformStack ${config.platformStack}'s cluster`,
        );
    const provider = awsProvider(config);
    // With the bootstrap's roles, its deploy role makes no role without the stack's boundary.
    if (config.cluster.deliveryRoles)
        boundEveryRole(
            (await deliveryIdentities(deliveryNames(config.project, config.stack), { provider })).boundaryArn,
        );
    const clusterName = platform.clusterName!;
    // The cluster as this stack's own credentials reach it: its deploy role's access entry, scoped to
    // the namespace by the platform.
    const kubeconfig = kubeconfigJson(
        {
            endpoint: platform.clusterEndpoint!,
            certificateAuthorityData: platform.clusterCertificateAuthority!,
        },
        { clusterName, region: config.region, ...tokenCredentials(config.aws) },
    );
    const k8sProvider = new k8s.Provider("k8s", { kubeconfig, namespace });
    const service = serviceOnEks(config, provider, {
        clusterName,
        provider: k8sProvider,
        architecture: platform.nodeArchitecture,
        namespace,
        namespaceExists: true,
        // Pod Identity: the platform's agent hands out the role; no trust policy per cluster's OIDC issuer.
        role: (ns, serviceAccount, parent) => {
            const role = new ServiceAccountRole(
                "web-role",
                {
                    trust: { podIdentity: { clusterName, clusterArn: platform.clusterArn! } },
                    namespace: ns,
                    serviceAccount,
                    description: `Pod Identity role of ${namespace}/${serviceAccount} on ${clusterName}: what appPolicyArns attaches, nothing else`,
                    attachments: attachmentsByArn("web-role", config.app.policyArns),
                },
                { parent },
            );
            return { podIdentity: true, waitFor: [role.association!, ...role.grants] };
        },
        publicSubnetIds: platform.publicSubnetIds!,
        publicSubnetCidrs: platform.publicSubnetCidrs!,
        vpcCidrs: platform.vpcCidrs!,
        sharedEntry: tenant.host
            ? {
                  className: platform.sharedEntry!.className,
                  host: tenant.host,
                  hostedZoneId: platform.sharedEntry!.hostedZoneId,
              }
            : undefined,
    });
    return {
        url: service.url,
        kubeconfig,
        imageRef: service.app.servedImageRef,
        namespace: service.app.namespace,
    };
}
