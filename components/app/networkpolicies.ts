import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { contains } from "../../domain/cidr";
import { movedUnderComponent } from "../../migrations";
import type { EgressRule } from "./appsettings";

/** Cluster DNS, as EKS's CoreDNS add-on labels it: the one destination the app's pods need today. */
const DNS = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
    ],
};

export interface NetworkPolicyArgs {
    /** The name of the app's policy (the app's); the namespace's default-deny has its own. */
    name: string;
    namespace: pulumi.Output<string>;
    /** The app's pods. */
    labels: Record<string, string>;
    /** The port the pods serve on. */
    port: number;
    /** The port of their metrics: open to pods of the cluster, never to load balancer clients. */
    metricsPort: number;
    /** The clients the load balancer admits. */
    clientRanges: string[];
    /** Where the app may connect besides cluster DNS (appEgress). */
    egress: EgressRule[];
    /**
     * Behind an NLB with IP targets: clients arrive with their own addresses, and health checks from
     * the NLB's, in the subnets it lives in.
     */
    nlb?: { subnetCidrs: pulumi.Input<string[]>; vpcCidrs: pulumi.Input<string[]> };
    /**
     * The app's AWS role has policies (appPolicyArns): its pods reach the AWS APIs, STS's included
     * (IRSA's token exchange), at their public endpoints over HTTPS, through the NAT gateways; not
     * the VPC's own addresses on that port. `vpcCidrs` are those addresses. With Pod Identity they get
     * their credentials from the agent on their node, at a link-local address.
     */
    awsApis?: { vpcCidrs: pulumi.Input<string[]>; podIdentityAgent: boolean };
}

/** HTTPS anywhere but the VPC: the AWS APIs' public endpoints, as a NetworkPolicy can name them. */
export const AWS_APIS_PORT = 443;

/** The EKS Pod Identity agent on every node (docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html). */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 };

interface IpBlock {
    cidr: string;
    except?: string[];
}

/**
 * Where traffic to the app's port may come from. Behind an NLB: the client ranges, less the VPC (with
 * the VPC CNI every pod has a VPC address, so a range that holds the VPC, such as 0.0.0.0/0, would
 * admit every pod of every namespace; a range inside it is left out, since no client of an
 * internet-facing NLB comes from there), and the NLB's subnets. Otherwise the client ranges.
 */
export function ingressSources(
    clientRanges: string[],
    nlb?: { subnetCidrs: string[]; vpcCidrs: string[] },
): IpBlock[] {
    if (!nlb) return clientRanges.map((cidr) => ({ cidr }));
    const clients = clientRanges
        .filter((cidr) => !nlb.vpcCidrs.some((vpc) => contains(vpc, cidr)))
        .map((cidr) => {
            const except = nlb.vpcCidrs.filter((vpc) => contains(cidr, vpc));
            return except.length ? { cidr, except } : { cidr };
        });
    return [...clients, ...nlb.subnetCidrs.map((cidr) => ({ cidr }))];
}

/**
 * Default deny in the namespace, then what the app needs: its port from where load balancer traffic
 * arrives (ingressSources), its metrics port from pods of the cluster, DNS, the destinations the
 * stack's appEgress lists, and the AWS APIs when its role has policies.
 */
export class NetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: NetworkPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:NetworkPolicies", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };
        new k8s.networking.v1.NetworkPolicy(
            "default-deny",
            {
                metadata: { name: "default-deny", namespace: args.namespace },
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            child,
        );
        new k8s.networking.v1.NetworkPolicy(
            "web",
            {
                metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
                spec: {
                    podSelector: { matchLabels: args.labels },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [
                        {
                            from: pulumi
                                .output(args.nlb && pulumi.all([args.nlb.subnetCidrs, args.nlb.vpcCidrs]))
                                .apply((nlb) =>
                                    ingressSources(
                                        args.clientRanges,
                                        nlb && { subnetCidrs: nlb[0], vpcCidrs: nlb[1] },
                                    ).map((ipBlock) => ({ ipBlock })),
                                ),
                            ports: [{ protocol: "TCP", port: args.port }],
                        },
                        {
                            // Any pod of any namespace (a Prometheus, wherever it runs); no address outside.
                            from: [{ namespaceSelector: {} }],
                            ports: [{ protocol: "TCP", port: args.metricsPort }],
                        },
                    ],
                    egress: [
                        {
                            to: [{ namespaceSelector: DNS.namespaceSelector, podSelector: DNS.podSelector }],
                            ports: DNS.ports,
                        },
                        ...args.egress.map(({ cidr, port, protocol }) => ({
                            to: [{ ipBlock: { cidr } }],
                            ports: [{ protocol, port }],
                        })),
                        ...(args.awsApis
                            ? [
                                  {
                                      to: pulumi
                                          .output(args.awsApis.vpcCidrs)
                                          .apply((except) => [{ ipBlock: { cidr: "0.0.0.0/0", except } }]),
                                      ports: [{ protocol: "TCP", port: AWS_APIS_PORT }],
                                  },
                              ]
                            : []),
                        ...(args.awsApis?.podIdentityAgent
                            ? [
                                  {
                                      to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }],
                                      ports: [{ protocol: "TCP", port: POD_IDENTITY_AGENT.port }],
                                  },
                              ]
                            : []),
                    ],
                },
            },
            child,
        );
        this.registerOutputs({});
    }
}
