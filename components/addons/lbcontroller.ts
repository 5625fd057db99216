import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { LOAD_BALANCER_CONTROLLER_REQUESTS } from "../../domain/capacity";
import { OidcProvider } from "../platform/trust";
import { KUBERNETES_VERSIONS } from "../../domain/versions";
import { ADDON_NAMESPACE, HelmAddon } from "./helmaddon";

/** Where the chart comes from; the version is pinned per Kubernetes minor in KUBERNETES_VERSIONS. */
const LOAD_BALANCER_CONTROLLER_CHART_REPO = "https://aws.github.io/eks-charts";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** Who the controller is to the API server: its service account. */
export const LOAD_BALANCER_CONTROLLER_USERNAME = `system:serviceaccount:${ADDON_NAMESPACE}:${SERVICE_ACCOUNT}`;

/**
 * The git blob id of upstream's IAM policy for each controller version pinned in versions.ts:
 * docs/install/iam_policy.json of kubernetes-sigs/aws-load-balancer-controller at that tag. The copy
 * in iam/ is byte for byte that file (a test hashes it), so an upgrade is a new file beside it.
 */
export const IAM_POLICY_BLOBS: Record<string, string> = {
    "v3.5.0": "761d0e733c41089c91ea009dd29faf71918085e5",
};

export function iamPolicyFile(image: string): string {
    return path.join(__dirname, "iam", `aws-load-balancer-controller-${image}.json`);
}

export interface LoadBalancerControllerArgs {
    clusterName: string;
    region: string;
    kubernetesVersion: string;
    vpcId: pulumi.Input<string>;
    oidc: OidcProvider;
    provider: k8s.Provider;
    /** cert-manager's release, which issues the webhooks' certificate; the chart needs its CRDs. */
    certManager: pulumi.Resource;
    /** The stack's tags, which the controller puts on every AWS resource it makes. Default: none. */
    tags?: Record<string, string>;
}

/**
 * The AWS Load Balancer Controller, as a Helm release: it makes an NLB for each Service that asks for
 * one by annotation (the app's), registers pod IPs as its targets, and deletes it with the Service.
 * Two replicas (one leads) and a PodDisruptionBudget, so a node drain never leaves none. Its IRSA role
 * has upstream's policy, with security-group rule changes confined to the cluster's VPC.
 */
export class LoadBalancerController extends HelmAddon {
    constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        const { chart, image } = KUBERNETES_VERSIONS[args.kubernetesVersion].loadBalancerController;
        const invoke = { parent: opts?.parent };
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const { cpu, memory, memoryLimit } = LOAD_BALANCER_CONTROLLER_REQUESTS;
        super(
            "flask-eks:index:LoadBalancerController",
            name,
            {
                provider: args.provider,
                chart: {
                    name: "aws-load-balancer-controller",
                    version: chart,
                    repo: LOAD_BALANCER_CONTROLLER_CHART_REPO,
                },
                identity: {
                    oidc: args.oidc,
                    serviceAccount: SERVICE_ACCOUNT,
                    policy: pulumi
                        .all([partition, account, args.vpcId])
                        .apply(([p, a, vpc]) =>
                            JSON.stringify(
                                controllerPolicy(image, p, `arn:${p}:ec2:${args.region}:${a}:vpc/${vpc}`),
                            ),
                        ),
                },
                values: (roleArn) => ({
                    clusterName: args.clusterName,
                    // The nodes' metadata service answers one hop only (IMDSv2, hop limit 1), so pods
                    // cannot ask it for the region and VPC.
                    region: args.region,
                    vpcId: args.vpcId,
                    image: { tag: image },
                    replicaCount: 2,
                    podDisruptionBudget: { maxUnavailable: 1 },
                    serviceAccount: {
                        create: true,
                        name: SERVICE_ACCOUNT,
                        annotations: { "eks.amazonaws.com/role-arn": roleArn },
                    },
                    resources: { requests: { cpu, memory }, limits: { memory: memoryLimit } },
                    // Only Services that ask by annotation: the webhook would otherwise hand every new
                    // LoadBalancer Service in the cluster to the controller.
                    enableServiceMutatorWebhook: false,
                    // The webhooks' certificate from cert-manager, not from the chart: a chart-made one
                    // (a new CA each render, or the old one looked up) would sit in the release's
                    // record, which whoever refreshes the stack reads (components/platform/helmrecords.ts).
                    enableCertManager: true,
                    // Its load balancers, target groups and security groups carry the stack's tags, so
                    // the permissions boundary keeps other stacks' roles off them.
                    defaultTags: args.tags ?? {},
                }),
                after: [args.certManager],
            },
            opts,
        );
    }
}

export interface Statement {
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Upstream's policy for `image`, for the stack's partition, with its one unconditioned statement (add
 * and remove security-group rules anywhere) confined to the cluster's VPC, as its installation guide
 * recommends (docs/deploy/installation.md, "Option A").
 */
export function controllerPolicy(image: string, partition: string, vpcArn: string): object {
    const file = iamPolicyFile(image);
    const text = fs.readFileSync(file, "utf8").replaceAll('"arn:aws:', `"arn:${partition}:`);
    return confineToVpc(JSON.parse(text), vpcArn, file);
}

/**
 * Puts `vpcArn` as the condition of the policy's one statement that adds and removes security-group
 * ingress rules on any resource with no condition. Fails, naming `source`, when there is not exactly
 * one: a new upstream policy must be read again rather than shipped half confined.
 */
export function confineToVpc<T extends { Statement: Statement[] }>(
    document: T,
    vpcArn: string,
    source: string,
): T {
    const anywhere = (s: Statement) =>
        s.Condition === undefined &&
        s.Resource === "*" &&
        s.Action.every(
            (a) => a === "ec2:AuthorizeSecurityGroupIngress" || a === "ec2:RevokeSecurityGroupIngress",
        );
    const open = document.Statement.filter(anywhere);
    if (open.length !== 1)
        throw new Error(`${source}: expected one unconditioned security-group rule statement`);
    open[0].Condition = { ArnEquals: { "ec2:Vpc": vpcArn } };
    return document;
}
