// A stack's permissions boundary: the most any IAM role the stack makes may ever do, whatever policy
// its deploy role puts on it. The deploy role may make roles only with this boundary (allow-iam.ts,
// denies.ts), so the boundary is the ceiling of what the deploy role can reach through a role it makes.

/** A statement of an IAM policy document, as written (Action or NotAction, one Resource or many). */
export type PolicyStatement = Record<string, unknown>;

/**
 * What the stack's own roles use, by service: the union of the managed policies the program attaches
 * (AmazonEKSClusterPolicy, AmazonEKSWorkerNodePolicy, AmazonEC2ContainerRegistryPullOnly,
 * AmazonEKS_CNI_Policy, CloudWatchAgentServerPolicy), upstream's AWS Load Balancer Controller policy
 * and the Cluster Autoscaler's. Read calls by prefix; every call that changes something by name, so an
 * AWS update to a managed policy that adds one shows in test/bootstrap/boundary.test.ts (it reads the
 * committed copies in test/managed-policies/) before it can fail a node. No IAM but service-linked roles and
 * server-certificate reads, no STS, no data service.
 */
export const PLATFORM_ACTIONS = [
    "autoscaling:Describe*",
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
    "autoscaling:UpdateAutoScalingGroup",
    "ec2:Describe*",
    "ec2:GetCoipPoolUsage",
    "ec2:GetInstanceTypesFromInstanceRequirements",
    "ec2:GetSecurityGroupsForVpc",
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:AttachVolume",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateNetworkInterface",
    "ec2:CreateRoute",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:CreateVolume",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteRoute",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteTags",
    "ec2:DeleteVolume",
    "ec2:DetachNetworkInterface",
    "ec2:DetachVolume",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:ModifyVolume",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:UnassignPrivateIpAddresses",
    "elasticloadbalancing:*",
    "ecr:BatchGetImage",
    "ecr:BatchImportUpstreamImage",
    "ecr:GetAuthorizationToken",
    "ecr:GetDownloadUrlForLayer",
    "eks:DescribeCluster",
    "eks:DescribeNodegroup",
    "eks-auth:AssumeRoleForPodIdentity",
    "iam:GetServerCertificate",
    "iam:ListServerCertificates",
    "kms:DescribeKey",
    "cloudwatch:PutMetricData",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:PutLogEvents",
    "logs:PutRetentionPolicy",
    "xray:GetSamplingRules",
    "xray:GetSamplingStatisticSummaries",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
    "acm:DescribeCertificate",
    "acm:ListCertificates",
    "cognito-idp:DescribeUserPoolClient",
    "shield:CreateProtection",
    "shield:DeleteProtection",
    "shield:DescribeProtection",
    "shield:GetSubscriptionState",
    "waf-regional:AssociateWebACL",
    "waf-regional:DisassociateWebACL",
    "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource",
    "wafv2:AssociateWebACL",
    "wafv2:DisassociateWebACL",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
];

/** IAM's limit on a managed policy's size, whitespace not counted. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export interface BoundaryScope {
    partition: string;
    account: string;
    project: string;
    stack: string;
    /** The stack's EKS cluster, which names what EKS and the controllers make for it in their tags. */
    clusterName: string;
}

/**
 * Tags that say which stack's cluster a resource belongs to, on what the program does not tag itself:
 * EKS's on the node group's Auto Scaling group and instances, the load balancer controller's on its
 * load balancers, target groups and security groups, the VPC CNI's on the network interfaces it
 * makes. A boundary denies everything on a resource whose tag names another cluster.
 */
const CLUSTER_TAGS = ["eks:cluster-name", "elbv2.k8s.aws/cluster", "cluster.k8s.amazonaws.com/name"];

/**
 * The boundary of one stack's roles: the platform's calls, the statements of the policies the apps are
 * granted (the bootstrap's appPolicyArns, read from IAM), and never anything of another stack of the
 * project or of another cluster. Throws when the document would pass IAM's size limit.
 */
export function boundaryPolicy(s: BoundaryScope, appStatements: PolicyStatement[]): object {
    const document = {
        Version: "2012-10-17",
        Statement: [
            { Sid: "WhatTheStacksRolesUse", Effect: "Allow", Action: PLATFORM_ACTIONS, Resource: "*" },
            {
                Sid: "LoadBalancersServiceLinkedRole",
                Effect: "Allow",
                Action: "iam:CreateServiceLinkedRole",
                Resource: "*",
                Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
            },
            {
                Sid: "CloudWatchAgentsParameters",
                Effect: "Allow",
                Action: "ssm:GetParameter",
                Resource: `arn:${s.partition}:ssm:*:${s.account}:parameter/AmazonCloudWatch-*`,
            },
            ...appStatements.map((statement, i) => ({ ...statement, Sid: `App${i}` })),
            {
                Sid: "NothingOfAnotherStack",
                Effect: "Deny",
                Action: "*",
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:ResourceTag/project": s.project },
                    StringNotEquals: { "aws:ResourceTag/stack": s.stack },
                    Null: { "aws:ResourceTag/stack": "false" },
                },
            },
            ...CLUSTER_TAGS.map((key, i) => ({
                Sid: `NothingOfAnotherCluster${i}`,
                Effect: "Deny",
                Action: "*",
                Resource: "*",
                Condition: {
                    StringNotEquals: { [`aws:ResourceTag/${key}`]: s.clusterName },
                    Null: { [`aws:ResourceTag/${key}`]: "false" },
                },
            })),
        ],
    };
    const size = JSON.stringify(document).length;
    if (size > MANAGED_POLICY_MAX_CHARS)
        throw new Error(
            `appPolicyArns: the boundary of ${s.stack} would be ${size} characters with the apps' policies, over IAM's ${MANAGED_POLICY_MAX_CHARS} for a managed policy: grant narrower policies`,
        );
    return document;
}

/** The statements of a policy document as IAM returns it: Statement is one object or a list. */
export function statementsOf(document: string): PolicyStatement[] {
    const statement = (JSON.parse(document) as { Statement: PolicyStatement | PolicyStatement[] }).Statement;
    return Array.isArray(statement) ? statement : [statement];
}
