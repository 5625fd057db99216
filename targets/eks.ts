import * as aws from "@pulumi/aws";
import * as path from "path";
import { ClusterAutoscaler } from "../components/addons/autoscaler";
import { CertManager } from "../components/addons/certmanager";
import { LoadBalancerController } from "../components/addons/lbcontroller";
import { adminPrincipals } from "../components/platform/access";
import { Cluster } from "../components/platform/cluster";
import { boundEveryRole, deliveryIdentities } from "../components/platform/delivery";
import { Image } from "../components/app/image";
import { liveState } from "../components/platform/live";
import { ServiceAccountRole, attachmentsByArn } from "../components/platform/irsa";
import { Network } from "../components/platform/network";
import { PublicName, serviceLoadBalancerTags } from "../components/app/publicname";
import { SERVICE_NAME, Workload } from "../components/app/workload";
import type { EksStackConfig } from "../config";
import { REFRESHERS_GROUP, deliveryNames } from "../config/delivery";

/** The whole stack on AWS: network, EKS cluster and nodes, ECR image, and the workload on them. */
export async function deployEks(config: EksStackConfig) {
    // Every AWS resource goes through this provider (default providers are disabled in Pulumi.yaml),
    // so region, credentials and tags are set in one place. An explicit provider reads no aws: config
    // of its own: the keys a stack sets are passed here (config/awsaccess.ts).
    const tags = { project: config.project, stack: config.stack, "managed-by": "pulumi" };
    const awsProvider = new aws.Provider("aws", {
        region: config.region,
        ...config.aws,
        defaultTags: { tags },
    });
    const withAws = { providers: [awsProvider] };

    // Read before anything registers: a refusal here leaves nothing half made.
    const delivery = config.cluster.deliveryRoles
        ? await deliveryIdentities(deliveryNames(config.project, config.stack), { provider: awsProvider })
        : undefined;
    if (delivery) boundEveryRole(delivery.boundaryArn);
    const admins = await adminPrincipals(
        config.cluster.adminRoleArns,
        { provider: awsProvider },
        delivery?.deployRoleArn,
    );
    const live = await liveState(config.clusterName, { provider: awsProvider });

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
            tags,
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
        { ...addon, vpcId: network.vpcId, certManager: certManager.release, tags },
        inCluster,
    );

    // The image needs only the repository, not the cluster, so it builds while EKS is created.
    const image = new Image(
        "image",
        {
            repositoryName: `${config.clusterName}/web`,
            projectDir: path.join(__dirname, ".."),
            context: "app",
            architecture: config.nodes.architecture,
            ...config.image,
        },
        withAws,
    );

    // The service's own name: its certificate is issued before the NLB's listener is made with it.
    const { hostname, hostedZoneId } = config.workload;
    const publicName =
        hostname && hostedZoneId
            ? new PublicName("public-name", { hostname, hostedZoneId }, withAws)
            : undefined;

    const namespace = "flask-app";
    const app = new Workload(
        "app",
        {
            namespace,
            imageRef: image.imageRef,
            app: config.app,
            secretReaders: REFRESHERS_GROUP,
            eks: {
                serviceAccountRole: (ns, serviceAccount, parent) =>
                    new ServiceAccountRole(
                        "web-role",
                        {
                            oidc: cluster.oidcProvider,
                            namespace: ns,
                            serviceAccount,
                            description: `IRSA role of ${namespace}/${serviceAccount}: what appPolicyArns attaches, nothing else`,
                            attachments: attachmentsByArn("web-role", config.app.policyArns),
                        },
                        { parent },
                    ).arn,
                loadBalancerController: lbController.release,
                // An internet-facing NLB has its nodes in the public subnets.
                loadBalancerSubnetIds: network.publicSubnetIds,
                loadBalancerSubnetCidrs: network.publicSubnetCidrs,
                vpcCidrs: network.vpcCidrs,
                callsAwsApis: config.app.policyArns.length > 0,
            },
            ...config.workload,
            tlsCertificateArn: publicName?.certificateArn ?? config.workload.tlsCertificateArn,
        },
        { providers: [awsProvider, cluster.provider] },
    );
    publicName?.pointAt(app.service, serviceLoadBalancerTags(config.clusterName, namespace, SERVICE_NAME));

    return {
        url: publicName?.url ?? app.url,
        kubeconfig: cluster.kubeconfig,
        clusterName: cluster.clusterName,
        imageRef: image.imageRef,
        namespace: app.namespace,
        vpcId: network.vpcId,
    };
}
