// What the flask-eks program asks of AWS, by the resource types it registers and the lookups it makes:
// the table the deploy role's and the read-only roles' policies are built from (permissions.ts). A
// leaf: imports nothing.
//
// The actions are the calls the AWS provider makes to create, read, update, delete and tag each type
// (its resource implementations, which follow the Terraform AWS provider's), and what EKS and ECR
// require of the caller besides (the EKS user guide's cluster IAM role, node IAM role and KMS pages;
// ECR's "encryption at rest"). test/bootstrap/actions.test.ts fails when the program registers a type
// or makes a lookup this table does not cover, or when the table covers one it no longer uses, and
// test/bootstrap/permissions/own.test.ts puts every action of it through an IAM policy evaluator. A
// real first `up` is the last word: a missing action fails it with AccessDenied naming the action.
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
        // Deleting a role first detaches what it holds. A role made before the stack had a boundary
        // gets it put on; none is ever removed (the deploy role may not).
        write: [
            "iam:CreateRole",
            "iam:DeleteRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePermissionsBoundary",
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
    // An app stack's role reaches its pods through EKS Pod Identity, on its platform's cluster
    // (terraform-provider-aws internal/service/eks/pod_identity_association.go: describe after create,
    // and on every read).
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        read: ["eks:DescribePodIdentityAssociation"],
        write: [
            "eks:CreatePodIdentityAssociation",
            "eks:UpdatePodIdentityAssociation",
            "eks:DeletePodIdentityAssociation",
            "eks:TagResource",
            "eks:UntagResource",
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
    // With hostname: its certificate (requested with the stack's tags, DNS-validated; the provider
    // waits for it to be issued by describing it), and the records in its zone (each change waited
    // for; the zone read for its name).
    "aws:acm/certificate:Certificate": {
        read: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
        write: [
            "acm:RequestCertificate",
            "acm:AddTagsToCertificate",
            "acm:RemoveTagsFromCertificate",
            "acm:DeleteCertificate",
        ],
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        read: ["acm:DescribeCertificate"],
        write: [],
    },
    "aws:route53/record:Record": {
        read: ["route53:GetHostedZone", "route53:ListResourceRecordSets"],
        write: ["route53:ChangeResourceRecordSets", "route53:GetChange"],
    },
};

/** Per lookup (invoke) the program makes before or while it registers; some need none. */
export const LOOKUP_ACTIONS: Record<string, string[]> = {
    "aws:index/getPartition:getPartition": [],
    "aws:index/getCallerIdentity:getCallerIdentity": [],
    "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
    // The deployer's role, from its assumed-role session.
    "aws:iam/getSessionContext:getSessionContext": ["iam:GetRole"],
    // With deliveryRoles: that the bootstrap's boundary for the stack exists.
    "aws:iam/getPolicy:getPolicy": ["iam:GetPolicy"],
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
    // With hostname: the NLB the Load Balancer Controller made, found by its tags, for the alias record.
    "aws:lb/getLoadBalancer:getLoadBalancer": [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTags",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
    ],
};
