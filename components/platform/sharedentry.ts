import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PublicName } from "../edge/publicname";
import { TLS_POLICY } from "../../domain/tls";
import { ENTRY_LABEL } from "../../domain/namespaces";
import type { RefresherRead } from "./refresherreads";

// A platform's one internet-facing ALB for the apps whose tenants have entry shared, each on its own
// host under the domain: an app then adds its pods' share of the nodes, not an NLB and its addresses.
// The AWS Load Balancer Controller makes the ALB from the apps' Ingresses, which all join this class's
// IngressGroup; the class's parameters fix everything that shapes the ALB, and they win over any
// Ingress's annotations (its apis/elbv2/v1beta1/ingressclassparams_types.go and
// docs/guide/ingress/ingress_class.md at the pinned version). What a tenant's Ingress may be at all is
// the admission policy's (tenantingress.ts).

export interface SharedEntryArgs {
    /** Each app is served as `<app>.<domain>`. */
    domain: string;
    hostedZoneId: string;
    /** The class's name, and its IngressGroup's: the ALB carries it as its ingress.k8s.aws/stack tag. */
    className: string;
    /** The public subnets the ALB has its nodes in. */
    subnetIds: pulumi.Input<string[]>;
    /** Client CIDRs the ALB's security group admits (the platform's lbSourceRanges). */
    sourceRanges: string[];
    /** The controller's release: it serves the IngressClassParams kind, and deletes the ALB last. */
    loadBalancerController: pulumi.Resource;
}

/** The wildcard certificate, the IngressClassParams and the IngressClass of the shared ALB. */
export class SharedEntry extends pulumi.ComponentResource {
    readonly className: string;
    /** What the drift check reads of it, which EKS's view policy does not: the class and its parameters. */
    readonly reads: RefresherRead[];

    constructor(name: string, args: SharedEntryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:SharedEntry", name, {}, opts);
        const wildcard = new PublicName(
            "certificate",
            { hostname: `*.${args.domain}`, hostedZoneId: args.hostedZoneId },
            { parent: this },
        );
        const afterController = { parent: this, dependsOn: [args.loadBalancerController] };
        const params = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "elbv2.k8s.aws/v1beta1",
                kind: "IngressClassParams",
                metadata: { name: args.className },
                spec: {
                    // Only the namespaces the platform lent a host: the controller refuses others'.
                    namespaceSelector: { matchLabels: { [ENTRY_LABEL]: "shared" } },
                    group: { name: args.className },
                    scheme: "internet-facing",
                    ipAddressType: "ipv4",
                    subnets: { ids: args.subnetIds },
                    inboundCIDRs: args.sourceRanges,
                    // A certificate here makes every listener HTTPS on 443 and nothing on 80.
                    certificateArn: [wildcard.certificateArn!],
                    sslPolicy: TLS_POLICY,
                    targetType: "ip",
                    loadBalancerAttributes: [
                        { key: "routing.http.drop_invalid_header_fields.enabled", value: "true" },
                    ],
                },
            },
            afterController,
        );
        new k8s.networking.v1.IngressClass(
            name,
            {
                metadata: { name: args.className },
                spec: {
                    controller: "ingress.k8s.aws/alb",
                    parameters: {
                        apiGroup: "elbv2.k8s.aws",
                        kind: "IngressClassParams",
                        name: params.metadata.name,
                    },
                },
            },
            afterController,
        );
        this.className = args.className;
        this.reads = [
            { apiGroup: "networking.k8s.io", resources: ["ingressclasses"], names: [args.className] },
            { apiGroup: "elbv2.k8s.aws", resources: ["ingressclassparams"], names: [args.className] },
        ];
        this.registerOutputs({ className: this.className });
    }
}
