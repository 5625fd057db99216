// What the flask-eks program asks of AWS, by the resource types it registers and the lookups it makes,
// and the IAM policies that allow exactly that: the deploy role's (read and write) and the preview and
// drift role's (read). A leaf: imports nothing.
//
// The actions are the calls the AWS provider makes to create, read, update, delete and tag each type
// (its resource implementations, which follow the Terraform AWS provider's), and what EKS and ECR
// require of the caller besides (the EKS user guide's cluster IAM role, node IAM role and KMS pages;
// ECR's "encryption at rest"). test/bootstrap.test.ts fails when the program registers a type or makes
// a lookup this table does not cover, or when the table covers one it no longer uses; parliament
// lints the policies in npm test. A real first `up` is the last word: a missing action fails it with
// AccessDenied naming the action.

export interface Actions {
    /** What a refresh or a preview needs: the preview and drift role has these only. */
    read: string[];
    /** What creating, updating, tagging and deleting it needs besides. */
    write: string[];
}

const EC2_TAGS = ["ec2:CreateTags", "ec2:DeleteTags"];

/** Per AWS resource type token the program registers. */
export const RESOURCE_ACTIONS: Record<string, Actions> = {
    "aws:ec2/vpc:Vpc": {
        // Reading a VPC reads its main route table, default network ACL and default security group.
        read: [
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcAttribute",
            "ec2:DescribeRouteTables",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeSecurityGroups",
        ],
        write: ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", ...EC2_TAGS],
    },
    "aws:ec2/subnet:Subnet": {
        read: ["ec2:DescribeSubnets"],
        write: ["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", ...EC2_TAGS],
    },
    "aws:ec2/internetGateway:InternetGateway": {
        read: ["ec2:DescribeInternetGateways"],
        write: [
            "ec2:CreateInternetGateway",
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:DeleteInternetGateway",
            ...EC2_TAGS,
        ],
    },
    "aws:ec2/routeTable:RouteTable": {
        read: ["ec2:DescribeRouteTables"],
        write: [
            "ec2:CreateRouteTable",
            "ec2:DeleteRouteTable",
            "ec2:CreateRoute",
            "ec2:ReplaceRoute",
            "ec2:DeleteRoute",
            ...EC2_TAGS,
        ],
    },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        read: ["ec2:DescribeRouteTables"],
        write: ["ec2:AssociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:DisassociateRouteTable"],
    },
    "aws:ec2/eip:Eip": {
        read: ["ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"],
        write: ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DisassociateAddress", ...EC2_TAGS],
    },
    "aws:ec2/natGateway:NatGateway": {
        read: ["ec2:DescribeNatGateways"],
        write: ["ec2:CreateNatGateway", "ec2:DeleteNatGateway", ...EC2_TAGS],
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
        read: ["ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"],
        write: [
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:AuthorizeSecurityGroupEgress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupEgress",
            ...EC2_TAGS,
        ],
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        read: ["ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"],
        write: [
            "ec2:CreateLaunchTemplate",
            "ec2:CreateLaunchTemplateVersion",
            "ec2:ModifyLaunchTemplate",
            "ec2:DeleteLaunchTemplate",
            ...EC2_TAGS,
        ],
    },
    "aws:ecr/repository:Repository": {
        read: ["ecr:DescribeRepositories", "ecr:ListTagsForResource"],
        // A KMS-encrypted repository is created with a grant on the AWS managed key.
        write: [
            "ecr:CreateRepository",
            "ecr:DeleteRepository",
            "ecr:PutImageScanningConfiguration",
            "ecr:PutImageTagMutability",
            "ecr:TagResource",
            "ecr:UntagResource",
            "kms:CreateGrant",
            "kms:RetireGrant",
            "kms:DescribeKey",
        ],
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": {
        read: ["ecr:GetLifecyclePolicy"],
        write: ["ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy"],
    },
    "aws:eks/cluster:Cluster": {
        read: ["eks:DescribeCluster", "eks:ListTagsForResource"],
        // EKS checks the caller may pass the cluster role, use the secrets key and make its
        // service-linked role, and reads the subnets and security groups it is given.
        write: [
            "eks:CreateCluster",
            "eks:DeleteCluster",
            "eks:UpdateClusterConfig",
            "eks:UpdateClusterVersion",
            "eks:DescribeUpdate",
            "eks:TagResource",
            "eks:UntagResource",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
        ],
    },
    "aws:eks/nodeGroup:NodeGroup": {
        read: ["eks:DescribeNodegroup"],
        write: [
            "eks:CreateNodegroup",
            "eks:DeleteNodegroup",
            "eks:UpdateNodegroupConfig",
            "eks:UpdateNodegroupVersion",
            "eks:DescribeUpdate",
            "eks:TagResource",
            "eks:UntagResource",
            "ec2:DescribeLaunchTemplateVersions",
            "ec2:DescribeSubnets",
        ],
    },
    "aws:eks/addon:Addon": {
        read: ["eks:DescribeAddon"],
        write: [
            "eks:CreateAddon",
            "eks:DeleteAddon",
            "eks:UpdateAddon",
            "eks:DescribeAddonVersions",
            "eks:DescribeUpdate",
            "eks:TagResource",
            "eks:UntagResource",
        ],
    },
    "aws:eks/accessEntry:AccessEntry": {
        read: ["eks:DescribeAccessEntry"],
        write: ["eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:TagResource"],
    },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        read: ["eks:ListAssociatedAccessPolicies"],
        write: ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"],
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        read: ["iam:GetOpenIDConnectProvider"],
        write: [
            "iam:CreateOpenIDConnectProvider",
            "iam:DeleteOpenIDConnectProvider",
            "iam:UpdateOpenIDConnectProviderThumbprint",
            "iam:AddClientIDToOpenIDConnectProvider",
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            "iam:TagOpenIDConnectProvider",
            "iam:UntagOpenIDConnectProvider",
        ],
    },
    "aws:iam/role:Role": {
        read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
        // Deleting a role first detaches what it holds.
        write: [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListInstanceProfilesForRole",
        ],
    },
    "aws:iam/rolePolicy:RolePolicy": {
        read: ["iam:GetRolePolicy"],
        write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        read: ["iam:ListAttachedRolePolicies"],
        write: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
    },
    "aws:kms/key:Key": {
        read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
        write: [
            "kms:CreateKey",
            "kms:EnableKeyRotation",
            "kms:UpdateKeyDescription",
            "kms:PutKeyPolicy",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ScheduleKeyDeletion",
        ],
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
        write: [
            "logs:CreateLogGroup",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:TagResource",
            "logs:UntagResource",
        ],
    },
    // The image's build and push: docker's own calls to ECR with the token the program fetches.
    "docker:index/image:Image": {
        read: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
        write: ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
    },
};

/** Per lookup (invoke) the program makes before or while it registers; some need none. */
export const LOOKUP_ACTIONS: Record<string, string[]> = {
    "aws:index/getPartition:getPartition": [],
    "aws:index/getCallerIdentity:getCallerIdentity": [],
    "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
    // The deployer's role, from its assumed-role session.
    "aws:iam/getSessionContext:getSessionContext": ["iam:GetRole"],
    // What exists already: a log group kept by a destroy, the cluster and its node group's bounds.
    "aws:cloudwatch/getLogGroups:getLogGroups": ["logs:DescribeLogGroups"],
    "aws:eks/getClusters:getClusters": ["eks:ListClusters"],
    "aws:eks/getNodeGroups:getNodeGroups": ["eks:ListNodegroups"],
    "aws:eks/getNodeGroup:getNodeGroup": ["eks:DescribeNodegroup"],
    // An adopted VPC's CIDRs and its public subnets'.
    "aws:ec2/getVpc:getVpc": ["ec2:DescribeVpcs"],
    "aws:ec2/getSubnet:getSubnet": ["ec2:DescribeSubnets"],
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": ["ecr:GetAuthorizationToken"],
    // Container Insights' add-on build: EKS's default for the cluster's minor.
    "aws:eks/getAddonVersion:getAddonVersion": ["eks:DescribeAddonVersions"],
};

/** Which resources a policy covers: one stack's, or (for the read-only role) every stack's of the project. */
export interface Scope {
    partition: string;
    region: string;
    account: string;
    /**
     * The EKS cluster's name, which names its node groups, add-ons, access entries, log group and ECR
     * repository; a pattern (flask-eks-*) for every stack's.
     */
    clusterName: string;
    /** The tags every AWS resource of the scope carries (the program's provider adds them to all). */
    tags: Record<string, string>;
    /** The policies the program attaches to its roles (EKS's, the CNI's, ECR's pull, the apps'). */
    managedPolicyArns: string[];
}

interface Statement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

const uniq = (actions: string[]) => [...new Set(actions)].sort();
const service = (prefix: string) => (a: string) => a.startsWith(`${prefix}:`);

/**
 * Sorts actions into statements scoped as narrowly as their names allow: EKS, ECR and CloudWatch Logs
 * to the scope's cluster, repository and log group; IAM roles and KMS keys by the scope's tags; EC2 to
 * the region and account; and what takes no resource-level permission to "*".
 */
function scoped(actions: string[], s: Scope): Statement[] {
    const arn = (svc: string, rest: string) => `arn:${s.partition}:${svc}:${s.region}:${s.account}:${rest}`;
    const tagged = (key: string) => ({
        StringEquals: Object.fromEntries(Object.entries(s.tags).map(([k, v]) => [`${key}/${k}`, v])),
    });
    const statements: Statement[] = [];
    const add = (
        Sid: string,
        match: (a: string) => boolean,
        Resource: string | string[],
        Condition?: Statement["Condition"],
    ) => {
        const picked = uniq(actions.filter(match));
        if (picked.length)
            statements.push({
                Sid,
                Effect: "Allow",
                Action: picked,
                Resource,
                ...(Condition && { Condition }),
            });
        actions = actions.filter((a) => !match(a));
    };
    const accountWide = new Set([
        "eks:ListClusters",
        "eks:DescribeAddonVersions",
        "ecr:GetAuthorizationToken",
        "logs:DescribeLogGroups",
        "kms:CreateKey",
        // A cluster's ARN does not exist until it is created.
        "eks:CreateCluster",
    ]);
    // Describe calls take no resource; EC2's others are confined to the region and account, since a
    // VPC's resources have generated ids.
    add(
        "NoResourceLevel",
        // DescribeVpcAttribute alone of them names its VPC.
        (a) => accountWide.has(a) || (a.startsWith("ec2:Describe") && a !== "ec2:DescribeVpcAttribute"),
        "*",
    );
    add("ThisRegionsNetwork", service("ec2"), arn("ec2", "*"));
    add("ThisStacksCluster", service("eks"), [
        arn("eks", `cluster/${s.clusterName}`),
        arn("eks", `nodegroup/${s.clusterName}/*`),
        arn("eks", `addon/${s.clusterName}/*`),
        arn("eks", `access-entry/${s.clusterName}/*`),
    ]);
    add("ThisStacksRepository", service("ecr"), arn("ecr", `repository/${s.clusterName}/*`));
    add("ThisStacksLogGroup", service("logs"), [
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster`),
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster:*`),
    ]);
    add(
        "ThisStacksOidcProvider",
        (a) => /OpenIDConnectProvider/.test(a),
        `arn:${s.partition}:iam::${s.account}:oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/*`,
    );
    add(
        "AttachOnlyTheseManagedPolicies",
        (a) => a === "iam:AttachRolePolicy" || a === "iam:DetachRolePolicy",
        `arn:${s.partition}:iam::${s.account}:role/*`,
        {
            ...tagged("aws:ResourceTag"),
            ArnEquals: { "iam:PolicyARN": s.managedPolicyArns },
        },
    );
    add(
        "CreateRolesTaggedForThisStack",
        (a) => a === "iam:CreateRole" || a === "iam:TagRole",
        `arn:${s.partition}:iam::${s.account}:role/*`,
        tagged("aws:RequestTag"),
    );
    add(
        "ThisStacksRoles",
        service("iam"),
        `arn:${s.partition}:iam::${s.account}:role/*`,
        tagged("aws:ResourceTag"),
    );
    add(
        "ThisStacksKeys",
        service("kms"),
        `arn:${s.partition}:kms:${s.region}:${s.account}:key/*`,
        tagged("aws:ResourceTag"),
    );
    if (actions.length) throw new Error(`no statement takes ${actions.join(", ")}`);
    return statements;
}

/** The preview and drift role's policy: read what the stacks registered, and make the program's lookups. */
export function readPolicy(scope: Scope): object {
    const reads = uniq([
        ...Object.values(RESOURCE_ACTIONS).flatMap((a) => a.read),
        ...Object.values(LOOKUP_ACTIONS).flat(),
    ]);
    return { Version: "2012-10-17", Statement: scoped(reads, scope) };
}

/**
 * A deploy role's policy: everything for its stack's types and lookups, plus passing its roles to the
 * services that take them and making EKS's service-linked roles.
 */
export function deployPolicy(s: Scope): object {
    const all = uniq([
        ...Object.values(RESOURCE_ACTIONS).flatMap((a) => [...a.read, ...a.write]),
        ...Object.values(LOOKUP_ACTIONS).flat(),
    ]);
    return {
        Version: "2012-10-17",
        Statement: [
            ...scoped(all, s),
            {
                Sid: "PassThisStacksRolesToEksAndEc2",
                Effect: "Allow",
                Action: ["iam:PassRole"],
                Resource: `arn:${s.partition}:iam::${s.account}:role/*`,
                Condition: {
                    StringEquals: Object.fromEntries(
                        Object.entries(s.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
                    ),
                    "ForAnyValue:StringEquals": {
                        "iam:PassedToService": ["eks.amazonaws.com", "ec2.amazonaws.com"],
                    },
                },
            },
            {
                Sid: "EksServiceLinkedRoles",
                Effect: "Allow",
                Action: ["iam:CreateServiceLinkedRole"],
                Resource: `arn:${s.partition}:iam::${s.account}:role/aws-service-role/*`,
                Condition: {
                    StringEquals: {
                        "iam:AWSServiceName": [
                            "eks.amazonaws.com",
                            "eks-nodegroup.amazonaws.com",
                            "autoscaling.amazonaws.com",
                        ],
                    },
                },
            },
        ],
    };
}
