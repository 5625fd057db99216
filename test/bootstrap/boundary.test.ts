// Each stack's permissions boundary (bootstrap/boundary.ts), judged by what a role under it can do: the
// program's roles keep every call their policies grant, and a role the deploy role makes, whatever
// policy it is given, reaches no IAM, no data and nothing of another stack.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { MANAGED_POLICY_MAX_CHARS, boundaryPolicy } from "../../bootstrap/boundary";
import { RunResult, runStack } from "../../offline";
import { ROOT } from "../../offline/stack-config";
import { ACCOUNT, REGION, Request, decide, requestTagsFor, stackResources, taggedFor } from "../iam";
import { P, all, inputs, okRun, one } from "../helpers";

type Document = { Statement: Record<string, unknown> | Record<string, unknown>[] };
const statements = (d: Document) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]);
const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);

/** The actions an IAM pattern (`ec2:Describe*`) matches, as IAM matches them: case-insensitively. */
const matches = (pattern: string, action: string) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    ).test(action);

let bootstrap: RunResult;
before(async () => {
    bootstrap = await runStack("example", { root: path.join(ROOT, "bootstrap") });
    assert.equal(bootstrap.error, undefined, bootstrap.error?.message);
});
const boundaryOf = (run: RunResult, stack: string) =>
    JSON.parse(inputs(one(run, "aws:iam/policy:Policy", `boundary-${stack}`)).policy);

/** A role the stack's deploy role could make: any policy at all, under the stack's boundary. */
const anyRoleOf = (stack: string) => ({
    arn: `arn:aws:iam::${ACCOUNT}:role/made-by-deploy-${stack}`,
    policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }],
    boundary: boundaryOf(bootstrap, stack),
});

describe("permissions boundary: the program's own roles keep what they need", () => {
    it("every action the program gives a role of any committed stack is within the boundary", async () => {
        const copies = path.join(ROOT, "test", "managed-policies");
        const allowed = statements(boundaryOf(bootstrap, "dev"))
            .filter((s) => s.Effect === "Allow")
            .flatMap((s) => list(s.Action));
        const given = new Set<string>();
        for (const stack of ["dev", "staging", "prod"]) {
            const run = await okRun(stack, { overrides: { [`${P}:containerInsights`]: "true" } });
            // Inline policies as the program writes them, and AWS's managed policies as committed copies.
            for (const r of all(run, "aws:iam/rolePolicy:RolePolicy"))
                for (const s of statements(JSON.parse(inputs(r).policy)))
                    list(s.Action).forEach((a) => given.add(a));
            for (const r of all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
                const name = String(inputs(r).policyArn).split("/").pop();
                const document = JSON.parse(fs.readFileSync(path.join(copies, `${name}.json`), "utf8"));
                for (const s of statements(document)) list(s.Action).forEach((a) => given.add(a));
            }
        }
        assert.ok(given.size > 100, `${given.size} actions`);
        assert.deepEqual(
            [...given].filter((a) => !allowed.some((p) => matches(p, a))),
            [],
        );
    });

    it("a node pulls its stack's image and joins its cluster under the boundary", async () => {
        const r = stackResources("dev");
        const copy = (name: string) =>
            JSON.parse(fs.readFileSync(path.join(ROOT, "test", "managed-policies", `${name}.json`), "utf8"));
        const node = {
            arn: `arn:aws:iam::${ACCOUNT}:role/node-role-dev`,
            policies: [copy("AmazonEKSWorkerNodePolicy"), copy("AmazonEC2ContainerRegistryPullOnly")],
            boundary: boundaryOf(bootstrap, "dev"),
        };
        for (const request of [
            { action: "ecr:BatchGetImage", resource: r.repository, context: taggedFor("dev") },
            { action: "ecr:GetAuthorizationToken", resource: "*" },
            { action: "eks:DescribeCluster", resource: r.cluster, context: taggedFor("dev") },
        ])
            assert.equal(await decide(node, request), "Allowed", request.action);
    });

    it("Container Insights' agent sends Application Signals' traces: every call of AWSXrayWriteOnlyAccess, under the boundary", async () => {
        // The EKS user guide names AWSXrayWriteOnlyAccess beside CloudWatchAgentServerPolicy for the
        // add-on's role; the latter already allows each of its calls, so the role needs no second policy.
        const copy = (name: string) =>
            JSON.parse(fs.readFileSync(path.join(ROOT, "test", "managed-policies", `${name}.json`), "utf8"));
        const agent = {
            arn: `arn:aws:iam::${ACCOUNT}:role/cloudwatch-agent-role-dev`,
            policies: [copy("CloudWatchAgentServerPolicy")],
            boundary: boundaryOf(bootstrap, "dev"),
        };
        const xray = statements(copy("AWSXrayWriteOnlyAccess")).flatMap((s) => list(s.Action));
        assert.equal(xray.length, 5);
        for (const action of xray)
            assert.equal(await decide(agent, { action, resource: "*" }), "Allowed", action);
    });
});

describe("permissions boundary: a role the deploy role makes cannot widen anyone's rights", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        const other = stack === "prod" ? "dev" : "prod";
        it(`a role under ${stack}'s boundary, even with "*" on "*", reaches no IAM, STS, data service or ${other}'s resources`, async () => {
            const role = anyRoleOf(stack);
            const o = stackResources(other);
            const mine = stackResources(stack);
            const theirs = (action: string, resource: string, extra = {}): Request => ({
                action,
                resource,
                context: { ...taggedFor(other), ...extra },
            });
            const denied: Request[] = [
                {
                    action: "iam:CreateRole",
                    resource: mine.role,
                    context: { ...requestTagsFor(stack), "iam:PermissionsBoundary": mine.boundary },
                },
                {
                    action: "iam:PutRolePolicy",
                    resource: mine.role,
                    context: { ...taggedFor(stack), "iam:PermissionsBoundary": mine.boundary },
                },
                {
                    action: "iam:AttachRolePolicy",
                    resource: role.arn,
                    context: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" },
                },
                { action: "iam:CreatePolicyVersion", resource: `arn:aws:iam::${ACCOUNT}:policy/team-admin` },
                { action: "iam:CreateAccessKey", resource: `arn:aws:iam::${ACCOUNT}:user/admin` },
                {
                    action: "iam:PassRole",
                    resource: mine.role,
                    context: { "iam:PassedToService": "ec2.amazonaws.com" },
                },
                {
                    action: "sts:AssumeRole",
                    resource: `arn:aws:iam::${ACCOUNT}:role/${P}-deploy-${stack}`,
                    resourcePolicy: {
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Principal: { AWS: role.arn }, Action: "sts:AssumeRole" },
                        ],
                    },
                },
                {
                    action: "lambda:CreateFunction",
                    resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x`,
                },
                { action: "ec2:RunInstances", resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*` },
                { action: "s3:GetObject", resource: "arn:aws:s3:::state-bucket/prod.json" },
                {
                    action: "secretsmanager:GetSecretValue",
                    resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf`,
                },
                {
                    action: "ssm:GetParameter",
                    resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/db-password`,
                },
                { action: "kms:Decrypt", resource: mine.key, context: taggedFor(stack) },
                theirs("ec2:DeleteSubnet", o.subnet),
                theirs("ec2:DeleteRoute", o.routeTable),
                theirs("ec2:RevokeSecurityGroupIngress", o.securityGroup),
                theirs("ecr:BatchGetImage", o.repository),
                theirs("eks:DescribeCluster", o.cluster),
                // What the controller, EKS and the CNI make for the other stack's cluster carries their
                // tags naming it (and the controller's the stack's own, its defaultTags); each alone keeps
                // this role off.
                ...["ModifyListener", "RegisterTargets", "DeleteLoadBalancer"].map((action) => ({
                    action: `elasticloadbalancing:${action}`,
                    resource:
                        action === "RegisterTargets"
                            ? `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/k8s-flaskapp-web-0123456789/0123456789abcdef`
                            : action === "ModifyListener"
                              ? `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/net/k8s-flaskapp-web/0123456789abcdef/fedcba9876543210`
                              : `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/k8s-flaskapp-web/0123456789abcdef`,
                    context: { "aws:ResourceTag/elbv2.k8s.aws/cluster": `${P}-${other}` },
                })),
                {
                    action: "autoscaling:UpdateAutoScalingGroup",
                    resource: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0e1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b:autoScalingGroupName/eks-nodes-0123`,
                    context: { "aws:ResourceTag/eks:cluster-name": `${P}-${other}` },
                },
                {
                    action: "ec2:ModifyInstanceAttribute",
                    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
                    context: { "aws:ResourceTag/eks:cluster-name": `${P}-${other}` },
                },
                {
                    action: "ec2:DeleteNetworkInterface",
                    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0123456789abcdef0`,
                    context: { "aws:ResourceTag/cluster.k8s.amazonaws.com/name": `${P}-${other}` },
                },
                {
                    action: "ec2:DeleteVolume",
                    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-0123456789abcdef0`,
                    context: taggedFor(other),
                },
            ];
            const allowed: string[] = [];
            for (const request of denied)
                if ((await decide(role, request)) === "Allowed") allowed.push(request.action);
            assert.deepEqual(allowed, []);
            // And it still does its stack's work, on what carries its own cluster's tags too.
            for (const request of [
                {
                    action: "ec2:CreateNetworkInterface",
                    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-1`,
                },
                { action: "ecr:BatchGetImage", resource: mine.repository, context: taggedFor(stack) },
                {
                    action: "elasticloadbalancing:RegisterTargets",
                    resource: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/k8s-flaskapp-web-0123456789/0123456789abcdef`,
                    context: {
                        "aws:ResourceTag/elbv2.k8s.aws/cluster": `${P}-${stack}`,
                        ...taggedFor(stack),
                    },
                },
                {
                    action: "autoscaling:SetDesiredCapacity",
                    resource: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:0e1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b:autoScalingGroupName/eks-nodes-0123`,
                    context: { "aws:ResourceTag/eks:cluster-name": `${P}-${stack}` },
                },
            ])
                assert.equal(await decide(role, request), "Allowed", request.action);
        });
    }
});

describe("permissions boundary: the apps' policies", () => {
    it("a role under the boundary gets what the bootstrap's appPolicyArns grant, read from IAM, and nothing without them", async () => {
        const granted = await runStack("example", {
            root: path.join(ROOT, "bootstrap"),
            overrides: {
                "flask-eks-bootstrap:appPolicyArns": '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]',
            },
        });
        assert.equal(granted.error, undefined, granted.error?.message);
        const read = { action: "s3:GetObject", resource: "arn:aws:s3:::app-bucket/report.csv" };
        const app = (boundary: object) => ({
            arn: `arn:aws:iam::${ACCOUNT}:role/web-role`,
            policies: [
                {
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
                },
            ],
            boundary,
        });
        assert.equal(await decide(app(boundaryOf(granted, "dev")), read), "Allowed");
        assert.equal(await decide(app(boundaryOf(bootstrap, "dev")), read), "ImplicitlyDenied");
    });

    it("refuses apps' policies that would pass IAM's size limit of a managed policy, naming the key", () => {
        const big = Array.from({ length: 200 }, (_, i) => ({
            Effect: "Allow",
            Action: `s3:GetObject${i}`,
            Resource: "*",
        }));
        assert.throws(
            () =>
                boundaryPolicy(
                    {
                        partition: "aws",
                        account: ACCOUNT,
                        project: P,
                        stack: "dev",
                        clusterName: `${P}-dev`,
                    },
                    big,
                ),
            new RegExp(
                `^Error: appPolicyArns: the boundary of dev would be \\d+ characters with the apps' policies, over IAM's ${MANAGED_POLICY_MAX_CHARS}`,
            ),
        );
    });
});
