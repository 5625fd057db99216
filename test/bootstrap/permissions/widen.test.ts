// A deploy role cannot widen its own rights: it changes no delivery role or boundary, makes no role
// without its stack's boundary, and escalates by none of the known IAM paths.
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { P } from "../../helpers";
import { ACCOUNT, Request, requestTagsFor, stackResources, taggedFor } from "../../iam";
import { Call, Identity, STACKS, identity, loadRoles, notDecided, policy, rolesTags, run } from "./roles";

before(loadRoles);

describe("deploy roles: no way to widen their own rights", () => {
    for (const stack of STACKS) {
        const other = stack === "prod" ? "dev" : "prod";
        it(`${stack}'s deploy role can change neither itself nor another delivery role or boundary`, async () => {
            const deploy = identity(`deploy-${stack}`);
            const boundary = { "iam:PermissionsBoundary": stackResources(stack).boundary };
            const roleCalls = (who: Identity): Call[] => {
                const on = (extra = {}): Request[] => [
                    { action: "", resource: who.arn, context: { ...rolesTags(who), ...extra } },
                ];
                return [
                    { action: "iam:PutRolePolicy", on: on() },
                    { action: "iam:PutRolePolicy", on: on(boundary) },
                    {
                        action: "iam:AttachRolePolicy",
                        on: on({
                            ...boundary,
                            "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
                        }),
                    },
                    {
                        action: "iam:AttachRolePolicy",
                        on: on({
                            ...boundary,
                            "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
                        }),
                    },
                    { action: "iam:UpdateAssumeRolePolicy", on: on() },
                    { action: "iam:PutRolePermissionsBoundary", on: on(boundary) },
                    { action: "iam:DeleteRolePermissionsBoundary", on: on() },
                    { action: "iam:DeleteRolePolicy", on: on() },
                    { action: "iam:DetachRolePolicy", on: on() },
                    { action: "iam:DeleteRole", on: on() },
                    { action: "iam:UpdateRole", on: on() },
                    { action: "iam:TagRole", on: on(requestTagsFor(stack)) },
                    { action: "iam:UntagRole", on: on({ "aws:TagKeys": ["managed-by"] }) },
                ];
            };
            const deliveryRoles = [
                deploy,
                identity(`deploy-${other}`),
                ...STACKS.map((s) => identity(`preview-${s}`)),
                ...(run.registrations.some((r) => r.name === "drift") ? [identity("drift")] : []),
            ];
            assert.deepEqual(await notDecided(deploy, deliveryRoles.flatMap(roleCalls), "Denied"), []);
            const boundaries = STACKS.map((s) => policy(`${P}-boundary-${s}`));
            const boundaryCalls = [
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:DeletePolicy",
                "iam:TagPolicy",
            ].map((action) => ({ action, on: boundaries.map((resource) => ({ action: "", resource })) }));
            assert.deepEqual(await notDecided(deploy, boundaryCalls, "Denied"), []);
        });

        it(`${stack}'s deploy role can make no role without ${stack}'s boundary, and change none that lacks it`, async () => {
            const r = stackResources(stack);
            const bound = (arn: string) => ({ "iam:PermissionsBoundary": arn });
            const without = [{}, bound(stackResources(other).boundary), bound(policy("AdministratorAccess"))];
            const calls: Call[] = without.flatMap((b) => [
                {
                    action: "iam:CreateRole",
                    on: [{ action: "", resource: r.role, context: { ...requestTagsFor(stack), ...b } }],
                },
                ...["iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"].map((action) => ({
                    action,
                    on: [{ action: "", resource: r.role, context: { ...taggedFor(stack), ...b } }],
                })),
                {
                    action: "iam:AttachRolePolicy",
                    on: [
                        {
                            action: "",
                            resource: r.role,
                            context: {
                                ...taggedFor(stack),
                                ...b,
                                "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
                            },
                        },
                    ],
                },
            ]);
            calls.push({
                action: "iam:DeleteRolePermissionsBoundary",
                on: [
                    { action: "", resource: r.role, context: { ...taggedFor(stack), ...bound(r.boundary) } },
                ],
            });
            assert.deepEqual(await notDecided(identity(`deploy-${stack}`), calls, "Denied"), []);
        });

        it(`${stack}'s deploy role escalates by none of the known IAM paths, on a role it makes either`, async () => {
            const deploy = identity(`deploy-${stack}`);
            const r = stackResources(stack);
            const madeRole = { ...taggedFor(stack), "iam:PermissionsBoundary": r.boundary };
            const anywhere = (...actions: string[]): Call[] =>
                actions.map((action) => ({ action, on: [{ action: "", resource: "*" }] }));
            const user = `arn:aws:iam::${ACCOUNT}:user/admin`;
            const calls: Call[] = [
                // Rhino Security Labs' list, where it applies: new policy versions, users and groups,
                // admin policies attached, code run with a passed role.
                ...["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"].map((action) => ({
                    action,
                    on: [{ action: "", resource: policy("team-admin") }],
                })),
                ...[
                    "iam:CreateAccessKey",
                    "iam:CreateLoginProfile",
                    "iam:UpdateLoginProfile",
                    "iam:AttachUserPolicy",
                    "iam:PutUserPolicy",
                ].map((action) => ({ action, on: [{ action: "", resource: user }] })),
                ...["iam:AttachGroupPolicy", "iam:PutGroupPolicy", "iam:AddUserToGroup"].map((action) => ({
                    action,
                    on: [{ action: "", resource: `arn:aws:iam::${ACCOUNT}:group/admins` }],
                })),
                ...anywhere(
                    "iam:CreatePolicy",
                    "iam:CreateUser",
                    "iam:CreateGroup",
                    "iam:CreateInstanceProfile",
                ),
                {
                    action: "iam:AttachRolePolicy",
                    on: [
                        {
                            action: "",
                            resource: r.role,
                            context: {
                                ...madeRole,
                                "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
                            },
                        },
                    ],
                },
                ...[
                    "lambda.amazonaws.com",
                    "cloudformation.amazonaws.com",
                    "glue.amazonaws.com",
                    "ecs-tasks.amazonaws.com",
                    "ssm.amazonaws.com",
                    "codebuild.amazonaws.com",
                    "sagemaker.amazonaws.com",
                    "datapipeline.amazonaws.com",
                ].map((service) => ({
                    action: "iam:PassRole",
                    on: [
                        {
                            action: "",
                            resource: r.role,
                            context: { ...taggedFor(stack), "iam:PassedToService": service },
                        },
                    ],
                })),
                ...[
                    "lambda:CreateFunction",
                    "lambda:UpdateFunctionCode",
                    "lambda:CreateEventSourceMapping",
                    "glue:CreateDevEndpoint",
                    "glue:UpdateDevEndpoint",
                    "cloudformation:CreateStack",
                    "datapipeline:CreatePipeline",
                    "codebuild:CreateProject",
                    "sagemaker:CreateNotebookInstance",
                    "ecs:RunTask",
                    "ssm:SendCommand",
                    "ec2:RunInstances",
                    "ec2:AssociateIamInstanceProfile",
                ].flatMap((action) => [{ action, on: [{ action: "", resource: "*" }] }]),
                // A role it makes that trusts it: it may make the role, never assume it.
                {
                    action: "sts:AssumeRole",
                    on: [
                        {
                            action: "",
                            resource: r.role,
                            resourcePolicy: {
                                Version: "2012-10-17",
                                Statement: [
                                    {
                                        Effect: "Allow",
                                        Principal: { AWS: deploy.arn },
                                        Action: "sts:AssumeRole",
                                    },
                                ],
                            },
                        },
                    ],
                },
            ];
            assert.deepEqual(await notDecided(deploy, calls, "Denied"), []);
        });
    }
});
