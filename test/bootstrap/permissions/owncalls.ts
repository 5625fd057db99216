// What a stack's own up and destroy ask of AWS, as the AWS provider makes the calls.
import { MANAGED_POLICIES } from "../../../bootstrap/roles";
import { requestTagsFor } from "../../iam";
import { P } from "../../helpers";
import { Call, requestsFor, role } from "./roles";
import { serviceCalls } from "./servicecalls";

/** The calls the program's first `up`, later ups and `destroy` of `stack` make, with their context. */
export function ownCalls(stack: string): Call[] {
    return [...networkCalls(stack), ...serviceCalls(stack), ...iamCalls(stack)];
}

/** The program's lookups, and the network. */
function networkCalls(stack: string): Call[] {
    const { r, created, existing, anywhere, calls, tagOnCreate } = requestsFor(stack);
    return [
        ...calls(
            [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeVpcs",
                "ec2:DescribeSubnets",
                "ec2:DescribeRouteTables",
                "ec2:DescribeNetworkAcls",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSecurityGroupRules",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeAddresses",
                "ec2:DescribeAddressesAttribute",
                "ec2:DescribeNatGateways",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeLaunchTemplateVersions",
                "eks:ListClusters",
                "eks:DescribeAddonVersions",
                "ecr:GetAuthorizationToken",
                "logs:DescribeLogGroups",
            ],
            anywhere,
        ),
        // ---- the network: each resource made with the stack's tags, then changed while it has them ----
        { action: "ec2:CreateVpc", on: [created(r.vpc)] },
        tagOnCreate(r.vpc, "CreateVpc"),
        ...calls(["ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute", "ec2:DeleteVpc"], existing(r.vpc)),
        { action: "ec2:CreateSubnet", on: [created(r.subnet), existing(r.vpc)] },
        tagOnCreate(r.subnet, "CreateSubnet"),
        ...calls(["ec2:ModifySubnetAttribute", "ec2:DeleteSubnet"], existing(r.subnet)),
        { action: "ec2:CreateInternetGateway", on: [created(r.internetGateway)] },
        tagOnCreate(r.internetGateway, "CreateInternetGateway"),
        ...calls(
            ["ec2:AttachInternetGateway", "ec2:DetachInternetGateway"],
            existing(r.internetGateway),
            existing(r.vpc),
        ),
        { action: "ec2:DeleteInternetGateway", on: [existing(r.internetGateway)] },
        { action: "ec2:CreateRouteTable", on: [created(r.routeTable), existing(r.vpc)] },
        tagOnCreate(r.routeTable, "CreateRouteTable"),
        ...calls(
            ["ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:DeleteRouteTable"],
            existing(r.routeTable),
        ),
        ...calls(
            ["ec2:AssociateRouteTable", "ec2:ReplaceRouteTableAssociation", "ec2:DisassociateRouteTable"],
            existing(r.routeTable),
            existing(r.subnet),
        ),
        { action: "ec2:AllocateAddress", on: [created(r.elasticIp)] },
        tagOnCreate(r.elasticIp, "AllocateAddress"),
        ...calls(["ec2:DisassociateAddress", "ec2:ReleaseAddress"], existing(r.elasticIp)),
        {
            action: "ec2:CreateNatGateway",
            on: [created(r.natGateway), existing(r.subnet), existing(r.elasticIp)],
        },
        tagOnCreate(r.natGateway, "CreateNatGateway"),
        { action: "ec2:DeleteNatGateway", on: [existing(r.natGateway)] },
        // AWS makes the VPC's default security group untagged: the first up tags it, then sets its rules.
        {
            action: "ec2:CreateTags",
            on: [
                {
                    action: "",
                    resource: r.securityGroup,
                    context: requestTagsFor(stack, ["Name", "project", "stack", "managed-by"]),
                },
            ],
        },
        ...calls(
            [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupEgress",
            ],
            existing(r.securityGroup),
        ),
        { action: "ec2:CreateLaunchTemplate", on: [created(r.launchTemplate)] },
        tagOnCreate(r.launchTemplate, "CreateLaunchTemplate"),
        ...calls(
            ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate"],
            existing(r.launchTemplate),
        ),
        // A later up renames a resource, and takes a tag off.
        {
            action: "ec2:CreateTags",
            on: [existing(r.subnet, { "aws:RequestTag/Name": "private-0", "aws:TagKeys": ["Name"] })],
        },
        { action: "ec2:DeleteTags", on: [existing(r.subnet, { "aws:TagKeys": ["Name"] })] },
    ];
}

/** The stack's roles and its cluster's OIDC provider. */
function iamCalls(stack: string): Call[] {
    const { r, boundary, existing, calls } = requestsFor(stack);
    return [
        // ---- the stack's roles: made with the boundary, changed only within it ----
        {
            action: "iam:CreateRole",
            on: [{ action: "", resource: r.role, context: { ...requestTagsFor(stack), ...boundary } }],
        },
        ...calls(
            [
                "iam:GetRole",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:ListInstanceProfilesForRole",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:DeleteRole",
            ],
            existing(r.role),
        ),
        ...calls(["iam:PutRolePermissionsBoundary", "iam:PutRolePolicy"], existing(r.role, boundary)),
        { action: "iam:UpdateAssumeRolePolicy", on: [existing(r.role)] },
        { action: "iam:TagRole", on: [existing(r.role, requestTagsFor(stack))] },
        { action: "iam:UntagRole", on: [existing(r.role, { "aws:TagKeys": ["managed-by"] })] },
        ...MANAGED_POLICIES.flatMap((name) => {
            const policyArn = { "iam:PolicyARN": `arn:aws:iam::aws:policy/${name}` };
            return [
                { action: "iam:AttachRolePolicy", on: [existing(r.role, { ...boundary, ...policyArn })] },
                { action: "iam:DetachRolePolicy", on: [existing(r.role, policyArn)] },
            ];
        }),
        { action: "iam:PassRole", on: [existing(r.role, { "iam:PassedToService": "eks.amazonaws.com" })] },
        {
            action: "iam:CreateServiceLinkedRole",
            on: [
                {
                    action: "",
                    resource: role("aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS"),
                    context: { "iam:AWSServiceName": "eks.amazonaws.com" },
                },
            ],
        },
        // The program reads who deploys (getSessionContext), and that the stack's boundary exists.
        { action: "iam:GetRole", on: [{ action: "", resource: role(`${P}-deploy-${stack}`) }] },
        { action: "iam:GetPolicy", on: [{ action: "", resource: r.boundary }] },
        {
            action: "iam:CreateOpenIDConnectProvider",
            on: [{ action: "", resource: r.oidcProvider, context: requestTagsFor(stack) }],
        },
        ...calls(
            [
                "iam:GetOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint",
                "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider",
                "iam:DeleteOpenIDConnectProvider",
            ],
            existing(r.oidcProvider),
        ),
        { action: "iam:TagOpenIDConnectProvider", on: [existing(r.oidcProvider, requestTagsFor(stack))] },
        {
            action: "iam:UntagOpenIDConnectProvider",
            on: [existing(r.oidcProvider, { "aws:TagKeys": ["managed-by"] })],
        },
    ];
}
