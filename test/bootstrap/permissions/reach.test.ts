// A deploy role reaches nothing of another stack, and gains nothing by tagging what is not its own.
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ACCOUNT, REGION, Request, decide, requestTagsFor, stackResources, taggedFor } from "../../iam";
import { P } from "../../helpers";
import { Call, STACKS, identity, loadRoles, notDecided } from "./roles";

before(loadRoles);

describe("deploy roles: another stack is out of reach", () => {
    for (const stack of STACKS) {
        const other = stack === "prod" ? "dev" : "prod";
        it(`${stack}'s deploy role touches none of ${other}'s resources, and cannot claim them by tags`, async () => {
            const o = stackResources(other);
            const theirs = (arn: string, extra = {}): Request => ({
                action: "",
                resource: arn,
                context: { ...taggedFor(other), ...extra },
            });
            const calls: Call[] = [
                { action: "ec2:DeleteSubnet", on: [theirs(o.subnet)] },
                { action: "ec2:DeleteNatGateway", on: [theirs(o.natGateway)] },
                { action: "ec2:DeleteVpc", on: [theirs(o.vpc)] },
                { action: "ec2:DeleteRoute", on: [theirs(o.routeTable)] },
                { action: "ec2:ReleaseAddress", on: [theirs(o.elasticIp)] },
                { action: "ec2:AuthorizeSecurityGroupIngress", on: [theirs(o.securityGroup)] },
                { action: "ec2:CreateTags", on: [theirs(o.subnet, requestTagsFor(stack))] },
                { action: "ec2:CreateTags", on: [theirs(o.securityGroup, requestTagsFor(stack))] },
                { action: "ec2:DeleteTags", on: [theirs(o.subnet, { "aws:TagKeys": ["stack"] })] },
                {
                    action: "ec2:CreateSubnet",
                    on: [{ action: "", resource: o.subnet, context: requestTagsFor(stack) }, theirs(o.vpc)],
                },
                { action: "eks:DeleteCluster", on: [theirs(o.cluster)] },
                { action: "eks:CreateAccessEntry", on: [theirs(o.cluster)] },
                { action: "eks:AssociateAccessPolicy", on: [theirs(o.accessEntry)] },
                { action: "ecr:PutImage", on: [theirs(o.repository)] },
                { action: "ecr:DeleteRepository", on: [theirs(o.repository)] },
                { action: "logs:DeleteLogGroup", on: [theirs(o.logGroup)] },
                { action: "kms:ScheduleKeyDeletion", on: [theirs(o.key)] },
                { action: "kms:PutKeyPolicy", on: [theirs(o.key)] },
                { action: "kms:TagResource", on: [theirs(o.key, requestTagsFor(stack))] },
                { action: "kms:UntagResource", on: [theirs(o.key, { "aws:TagKeys": ["stack"] })] },
                {
                    action: "iam:PassRole",
                    on: [theirs(o.role, { "iam:PassedToService": "eks.amazonaws.com" })],
                },
                {
                    action: "iam:PutRolePolicy",
                    on: [theirs(o.role, { "iam:PermissionsBoundary": o.boundary })],
                },
                {
                    action: "iam:AttachRolePolicy",
                    on: [
                        theirs(o.role, {
                            "iam:PermissionsBoundary": o.boundary,
                            "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
                        }),
                    ],
                },
                { action: "iam:UpdateAssumeRolePolicy", on: [theirs(o.role)] },
                {
                    action: "iam:PutRolePermissionsBoundary",
                    on: [theirs(o.role, { "iam:PermissionsBoundary": o.boundary })],
                },
                {
                    action: "iam:DeleteRolePermissionsBoundary",
                    on: [theirs(o.role, { "iam:PermissionsBoundary": o.boundary })],
                },
                { action: "iam:DeleteRole", on: [theirs(o.role)] },
                { action: "iam:TagRole", on: [theirs(o.role, requestTagsFor(stack))] },
                { action: "iam:UntagRole", on: [theirs(o.role, { "aws:TagKeys": ["stack"] })] },
                { action: "iam:DeleteOpenIDConnectProvider", on: [theirs(o.oidcProvider)] },
                {
                    action: "iam:TagOpenIDConnectProvider",
                    on: [theirs(o.oidcProvider, requestTagsFor(stack))],
                },
            ];
            assert.deepEqual(await notDecided(identity(`deploy-${stack}`), calls, "Denied"), []);
        });
    }
});

describe("deploy roles: what tagging could take", () => {
    for (const stack of STACKS) {
        const other = stack === "prod" ? "dev" : "prod";
        it(`${stack}'s deploy role may tag a key it did not make, and gains nothing by it`, async () => {
            const deploy = identity(`deploy-${stack}`);
            const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6`;
            // Another team's key, with KMS's default policy: the account's IAM policies decide.
            const theirPolicy = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                ],
            };
            const tags = { "aws:ResourceTag/team": "payments" };
            // CreateKey's tags are authorized against every key of the region (KMS developer guide).
            assert.equal(
                await decide(deploy, {
                    action: "kms:TagResource",
                    resource: key,
                    context: { ...tags, ...requestTagsFor(stack) },
                    resourcePolicy: theirPolicy,
                }),
                "Allowed",
            );
            const claimed = { ...tags, ...taggedFor(stack) };
            const calls: Call[] = [
                "kms:ScheduleKeyDeletion",
                "kms:PutKeyPolicy",
                "kms:CreateGrant",
                "kms:DisableKey",
                "kms:Decrypt",
            ].map((action) => ({
                action,
                on: [{ action: "", resource: key, context: claimed, resourcePolicy: theirPolicy }],
            }));
            assert.deepEqual(await notDecided(deploy, calls, "Denied"), []);
        });

        it(`${stack}'s deploy role may take no security group EKS or the load balancer controller made, and strip no resource of its tags`, async () => {
            const deploy = identity(`deploy-${stack}`);
            const sg = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`;
            const calls: Call[] = [
                // EKS's cluster security group of another stack's cluster: its name and EKS's tags.
                {
                    action: "ec2:CreateTags",
                    on: [
                        {
                            action: "",
                            resource: sg("sg-0e1c2b3a4d5e6f708"),
                            context: {
                                "aws:ResourceTag/Name": `eks-cluster-sg-${P}-${other}-123456`,
                                "aws:ResourceTag/aws:eks:cluster-name": `${P}-${other}`,
                                ...requestTagsFor(stack, ["Name", "project", "stack", "managed-by"]),
                            },
                        },
                    ],
                },
                // The controller's security group of another stack's load balancer.
                {
                    action: "ec2:CreateTags",
                    on: [
                        {
                            action: "",
                            resource: sg("sg-0f1e2d3c4b5a69788"),
                            context: {
                                "aws:ResourceTag/elbv2.k8s.aws/cluster": `${P}-${other}`,
                                ...requestTagsFor(stack, ["Name", "project", "stack", "managed-by"]),
                            },
                        },
                    ],
                },
                // A DeleteTags naming no key deletes every tag, the stack's among them.
                {
                    action: "ec2:DeleteTags",
                    on: [{ action: "", resource: stackResources(stack).subnet, context: taggedFor(stack) }],
                },
            ];
            assert.deepEqual(await notDecided(deploy, calls, "Denied"), []);
        });
    }
});
