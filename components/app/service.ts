import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent, replacedOnControllerChange } from "../../migrations";
import { LB_TYPE_ANNOTATION, nlbAnnotations } from "./nlb";
import type { Shutdown } from "./shutdown";

// How clients reach the Workload's pods. By default a Service of type LoadBalancer: on EKS the AWS
// Load Balancer Controller makes it an NLB of the app's own with the pods as IP targets (nlb.ts),
// serving TLS with a certificate. On a platform's shared entry, a ClusterIP Service and an Ingress of
// the shared class for the app's one host, which the controller turns into a rule and a target group
// of the pods' IPs on the ALB the class's parameters describe (components/platform/sharedentry.ts).
// The Ingress sets only what the platform's admission policy lets a tenant set
// (components/platform/tenantingress.ts): its target group's health checks and attributes.

export interface AppServiceArgs {
    /** The Service's (and Ingress's) name, namespace and labels: the app's. */
    name: string;
    namespace: pulumi.Output<string>;
    labels: Record<string, string>;
    /** The pods': whatever labels the Deployment's pod template carries. */
    selector: pulumi.Input<Record<string, string>>;
    /** The port the pods serve on, by name. */
    targetPort: string;
    /** Client CIDRs an NLB (or a local load balancer) admits. */
    sourceRanges: string[];
    /** An ACM certificate: the NLB then serves TLS on 443 and nothing on 80. */
    tlsCertificateArn?: pulumi.Input<string>;
    /** How long a leaving pod still serves: the load balancer drains it that long. */
    shutdown: Shutdown;
    /** On EKS: the NLB's subnets and zones, and the controller that makes it. */
    eks?: {
        loadBalancerSubnetIds: pulumi.Input<string[]>;
        crossZone: boolean;
        loadBalancerController?: pulumi.Resource;
        /** The shared ALB's IngressClass, and the host the platform lends the app on it: no NLB then. */
        sharedEntry?: { className: string; host: string };
    };
}

/** The Service, and on the shared entry the Ingress. */
export class AppService extends pulumi.ComponentResource {
    readonly service: k8s.core.v1.Service;
    readonly ingress?: k8s.networking.v1.Ingress;
    /**
     * http:// (https:// with a certificate) and the load balancer's hostname; a local one may give an
     * address instead. On the shared entry, https:// and the app's host.
     */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:AppService", name, {}, opts);
        const shared = args.eks?.sharedEntry;
        // The shared ALB terminates TLS itself and reaches the Service over HTTP.
        const servicePort = !shared && args.tlsCertificateArn ? "https" : "http";
        const eks = args.eks;
        const nlb =
            eks && !shared
                ? pulumi
                      .all([eks.loadBalancerSubnetIds, args.tlsCertificateArn])
                      .apply(([subnetIds, certificateArn]) =>
                          nlbAnnotations({
                              subnetIds,
                              crossZone: eks.crossZone,
                              certificateArn,
                              shutdown: args.shutdown,
                          }),
                      )
                : undefined;
        // The Service was the Workload's own child until this component came between them.
        const moved = { parent: this, ...movedUnderComponent(opts?.parent) };
        this.service = new k8s.core.v1.Service(
            "web",
            {
                metadata: {
                    name: args.name,
                    namespace: args.namespace,
                    labels: args.labels,
                    annotations: nlb,
                },
                spec: {
                    type: shared ? "ClusterIP" : "LoadBalancer",
                    selector: args.selector,
                    // With a certificate the NLB's listener on the port named "https" terminates TLS.
                    ports: [
                        {
                            name: servicePort,
                            port: SERVICE_PORTS[servicePort],
                            targetPort: args.targetPort,
                            protocol: "TCP",
                        },
                    ],
                    // The shared ALB admits its platform's client ranges itself.
                    loadBalancerSourceRanges: shared ? undefined : args.sourceRanges,
                },
            },
            eks
                ? {
                      ...moved,
                      dependsOn: eks.loadBalancerController,
                      ...replacedOnControllerChange(LB_TYPE_ANNOTATION),
                  }
                : moved,
        );
        this.ingress = shared && this.sharedIngress(args, shared);
        this.url = this.ingress
            ? this.ingress.status.apply(() => `https://${shared!.host}`)
            : this.service.status.loadBalancer.ingress.apply(
                  (lb) => `${servicePort}://${lb[0].hostname || lb[0].ip}`,
              );
        this.registerOutputs({ url: this.url });
    }

    /** The host's every path to the Service, health-checked on /readyz like the NLB's targets. */
    private sharedIngress(
        args: AppServiceArgs,
        { className, host }: { className: string; host: string },
    ): k8s.networking.v1.Ingress {
        return new k8s.networking.v1.Ingress(
            "web",
            {
                metadata: {
                    name: args.name,
                    namespace: args.namespace,
                    labels: args.labels,
                    annotations: {
                        [`${ALB}/healthcheck-path`]: "/readyz",
                        [`${ALB}/healthcheck-interval-seconds`]: "10",
                        [`${ALB}/healthcheck-timeout-seconds`]: "6",
                        [`${ALB}/healthy-threshold-count`]: "2",
                        [`${ALB}/unhealthy-threshold-count`]: "2",
                        [`${ALB}/target-group-attributes`]: `deregistration_delay.timeout_seconds=${args.shutdown.servingSeconds}`,
                    },
                },
                spec: {
                    ingressClassName: className,
                    rules: [
                        {
                            host,
                            http: {
                                paths: [
                                    {
                                        path: "/",
                                        pathType: "Prefix",
                                        backend: {
                                            service: {
                                                name: this.service.metadata.name,
                                                port: { name: "http" },
                                            },
                                        },
                                    },
                                ],
                            },
                        },
                    ],
                },
            },
            { parent: this },
        );
    }
}

/** The Service's one port: plain HTTP, or TLS when the NLB has a certificate. */
const SERVICE_PORTS = { http: 80, https: 443 };

const ALB = "alb.ingress.kubernetes.io";
