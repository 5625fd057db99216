import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { Image } from "../components/app/image";
import {
    PublicName,
    ingressGroupLoadBalancerTags,
    serviceLoadBalancerTags,
} from "../components/edge/publicname";
import { RoleForServiceAccount, Workload } from "../components/app/workload";
import type { EksStackConfig } from "../config";
import { REFRESHERS_GROUP } from "../config/delivery";
import type { Architecture } from "../domain/instancetypes";

/** Where the service runs: its cluster and the network its NLB goes in, from this stack or its platform's. */
export interface ServiceHost {
    clusterName: pulumi.Input<string>;
    provider: k8s.Provider;
    architecture: Architecture;
    namespace: string;
    /** The platform made the namespace (a tenant's); otherwise the workload makes it. */
    namespaceExists: boolean;
    /** The role the app's service account gets, by IRSA or Pod Identity. */
    role: RoleForServiceAccount;
    /** The controller's release, when this stack has it (Workload). */
    loadBalancerController?: pulumi.Resource;
    /** The canary controller's release (its CRDs), when this stack has it. */
    canaryController?: pulumi.Resource;
    publicSubnetIds: pulumi.Input<string[]>;
    publicSubnetCidrs: pulumi.Input<string[]>;
    vpcCidrs: pulumi.Input<string[]>;
    /** The app's host on its platform's shared ALB, when its tenant's entry is shared. */
    sharedEntry?: { className: string; host: string; hostedZoneId: string };
}

/** The service on EKS: its ECR repository and image, its own name if it has one, and the workload. */
export function serviceOnEks(config: EksStackConfig, provider: aws.Provider, host: ServiceHost) {
    const withAws = { providers: [provider] };
    // The image needs only the repository, not the cluster, so it builds while EKS is created.
    const image = new Image(
        "image",
        {
            repositoryName: `${config.clusterName}/${config.appName}`,
            projectDir: path.join(__dirname, ".."),
            context: "app",
            architecture: host.architecture,
            ...config.image,
        },
        withAws,
    );

    // The service's own name: its certificate is issued before the NLB's listener is made with it.
    // On the shared ALB its host, whose certificate is the platform's.
    const shared = host.sharedEntry;
    const { hostname, hostedZoneId } = shared
        ? { hostname: shared.host, hostedZoneId: shared.hostedZoneId }
        : config.workload;
    const publicName =
        hostname && hostedZoneId
            ? new PublicName("public-name", { hostname, hostedZoneId, certificate: !shared }, withAws)
            : undefined;

    const app = new Workload(
        "app",
        {
            namespace: host.namespace,
            namespaceExists: host.namespaceExists,
            appName: config.appName,
            imageRef: image.imageRef,
            app: config.app,
            // A tenant's deploy role may not bind roles (EKS's edit policy), so no reader of its Secret.
            secretReaders: host.namespaceExists ? undefined : REFRESHERS_GROUP,
            canaryController: host.canaryController,
            eks: {
                serviceAccountRole: host.role,
                loadBalancerController: host.loadBalancerController,
                // An internet-facing NLB has its nodes in the public subnets.
                loadBalancerSubnetIds: host.publicSubnetIds,
                loadBalancerSubnetCidrs: host.publicSubnetCidrs,
                vpcCidrs: host.vpcCidrs,
                callsAwsApis: config.app.policyArns.length > 0,
                sharedEntry: shared && { className: shared.className, host: shared.host },
            },
            ...config.workload,
            tlsCertificateArn: publicName?.certificateArn ?? config.workload.tlsCertificateArn,
        },
        { providers: [provider, host.provider] },
    );
    publicName?.pointAt(
        app.ingress ?? app.service,
        pulumi
            .output(host.clusterName)
            .apply((cluster) =>
                shared
                    ? ingressGroupLoadBalancerTags(cluster, shared.className)
                    : serviceLoadBalancerTags(cluster, host.namespace, config.appName),
            ),
    );
    return { image, app, url: publicName?.url ?? app.url };
}
