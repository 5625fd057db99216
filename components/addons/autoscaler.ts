import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AUTOSCALER_REQUESTS } from "../../domain/capacity";
import { OidcProvider } from "../platform/trust";
import { KUBERNETES_VERSIONS } from "../../domain/versions";
import { HelmAddon } from "./helmaddon";

/** Where the chart comes from; the version is pinned per Kubernetes minor in KUBERNETES_VERSIONS. */
const AUTOSCALER_CHART_REPO = "https://kubernetes.github.io/autoscaler";
const SERVICE_ACCOUNT = "cluster-autoscaler";

/** The tag EKS puts on a managed node group's Auto Scaling group, naming the cluster it belongs to. */
function ownedTag(clusterName: string): string {
    return `k8s.io/cluster-autoscaler/${clusterName}`;
}

export interface ClusterAutoscalerArgs {
    clusterName: string;
    region: string;
    kubernetesVersion: string;
    oidc: OidcProvider;
    /** The node group it may describe; the groups it may resize are found by their tags. */
    nodeGroupArn: pulumi.Input<string>;
    provider: k8s.Provider;
}

/**
 * The Cluster Autoscaler, as a Helm release: it adds nodes when pods are Pending for want of room and
 * removes nodes it can drain, between the node group's minSize and maxSize. It finds the node group's
 * Auto Scaling group by the tags EKS gives every managed node group, and its IRSA role may resize only
 * groups tagged as this cluster's.
 */
export class ClusterAutoscaler extends HelmAddon {
    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        const { chart, image } = KUBERNETES_VERSIONS[args.kubernetesVersion].clusterAutoscaler;
        super(
            "flask-eks:index:ClusterAutoscaler",
            name,
            {
                provider: args.provider,
                chart: { name: "cluster-autoscaler", version: chart, repo: AUTOSCALER_CHART_REPO },
                identity: {
                    oidc: args.oidc,
                    serviceAccount: SERVICE_ACCOUNT,
                    policy: autoscalerPolicy(args.clusterName, args.nodeGroupArn),
                },
                values: (roleArn) => ({
                    cloudProvider: "aws",
                    awsRegion: args.region,
                    autoDiscovery: { clusterName: args.clusterName },
                    image: { tag: image },
                    rbac: {
                        serviceAccount: {
                            create: true,
                            name: SERVICE_ACCOUNT,
                            annotations: { "eks.amazonaws.com/role-arn": roleArn },
                        },
                    },
                    extraArgs: {
                        // The node group spans the zones; its Auto Scaling group keeps them even.
                        "balance-similar-node-groups": true,
                        expander: "least-waste",
                        // The app's pods mount an emptyDir for /tmp: by default a node running one would
                        // never be scaled down. Draining respects the app's PodDisruptionBudget.
                        "skip-nodes-with-local-storage": false,
                    },
                    resources: {
                        requests: { cpu: AUTOSCALER_REQUESTS.cpu, memory: AUTOSCALER_REQUESTS.memory },
                    },
                }),
            },
            opts,
        );
    }
}

/** Resize only Auto Scaling groups tagged as this cluster's; describe what it must to plan. */
function autoscalerPolicy(clusterName: string, nodeGroupArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ResizeThisClustersNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: {
                    StringEquals: {
                        [`aws:ResourceTag/${ownedTag(clusterName)}`]: "owned",
                        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                    },
                },
            },
            {
                // These calls take no resource-level permissions.
                Sid: "Describe",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                Sid: "DescribeThisNodeGroup",
                Effect: "Allow",
                Action: "eks:DescribeNodegroup",
                Resource: nodeGroupArn,
            },
        ],
    });
}
