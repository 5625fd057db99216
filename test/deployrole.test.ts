// The delivery roles judged by what they allow, not by how their policies read: each request goes
// through an IAM policy evaluator (test/iam.ts) with the context keys AWS would put in it. A deploy
// role must be able to make its own stack's first `up` and its `destroy`, and nothing that widens its
// rights or reaches another stack; the read-only roles must read and never write or read a secret.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../bootstrap/actions";
import { PublicName, parseBootstrapConfig } from "../bootstrap/config";
import { deployPolicies } from "../bootstrap/permissions";
import { MANAGED_POLICIES, deployScope } from "../bootstrap/roles";
import { RunResult, runStack } from "../offline";
import { ROOT, loadStackConfig } from "../offline/stack-config";
import {
    ACCOUNT,
    Decision,
    Principal,
    REGION,
    Request,
    decide,
    requestTagsFor,
    requiredResourceTypes,
    resourceTypeOf,
    stackResources,
    taggedFor,
} from "./iam";
import { P, inputs, okRun, one } from "./helpers";

const STACKS = ["dev", "staging", "prod"];
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const policy = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

/** A request of one action against one or more resources (a subnet's create names its VPC too). */
interface Call {
    action: string;
    on: Request[];
}

/** The delivery roles as the bootstrap's example makes them: each role's ARN, policies and tags. */
interface Identity extends Principal {
    tags: Record<string, string>;
}

let run: RunResult;
/** Each stack's KMS key policy, as the program writes it: it names the stack's deploy role. */
const keyPolicies: Record<string, object> = {};
before(async () => {
    run = await runStack("example", { root: path.join(ROOT, "bootstrap") });
    assert.equal(run.error, undefined, run.error?.message);
    for (const stack of STACKS)
        keyPolicies[stack] = JSON.parse(inputs(one(await okRun(stack), "aws:kms/key:Key")).policy);
});

function identity(name: string): Identity {
    const roleInputs = inputs(one(run, "aws:iam/role:Role", name));
    const provider = inputs(one(run, "pulumi:providers:aws"));
    const defaults = JSON.parse(provider.defaultTags ?? "{}").tags ?? {};
    // A deploy role's rights over its stack's roles are a managed policy attached to it.
    const managed = run.registrations.filter(
        (r) => r.type === "aws:iam/policy:Policy" && r.name === name.replace(/^deploy-/, "deploy-iam-"),
    );
    return {
        arn: role(roleInputs.name),
        policies: [inputs(one(run, "aws:iam/rolePolicy:RolePolicy", name)), ...managed.map(inputs)].map((p) =>
            JSON.parse(p.policy),
        ),
        tags: { ...defaults, ...roleInputs.tags },
    };
}

/** The context of a request naming an IAM role: the tags it carries. */
const rolesTags = (who: Identity) =>
    Object.fromEntries(Object.entries(who.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

/** IAM's decision on a call: allowed only if every resource it names is. */
async function decisionOn(who: Principal, call: Call): Promise<Decision> {
    const each = await Promise.all(
        call.on.map((request) => decide(who, { ...request, action: call.action })),
    );
    return (
        each.find((d) => d === "ExplicitlyDenied") ?? each.find((d) => d === "ImplicitlyDenied") ?? "Allowed"
    );
}

/** The calls whose decision is not `expected`, a line each: empty when every one is. */
async function notDecided(who: Principal, calls: Call[], expected: Decision | "Denied"): Promise<string[]> {
    const lines: string[] = [];
    for (const call of calls) {
        const decision = await decisionOn(who, call);
        if (expected === "Denied" ? decision === "Allowed" : decision !== expected)
            lines.push(`${decision} ${call.action} on ${call.on.map((r) => r.resource).join(", ")}`);
    }
    return lines;
}

// ---- what a stack's own up and destroy ask of AWS, as the AWS provider makes the calls ----

/** The calls the program's first `up`, later ups and `destroy` of `stack` make, with their context. */
function ownCalls(stack: string): Call[] {
    const r = stackResources(stack);
    const boundary = { "iam:PermissionsBoundary": r.boundary };
    const created = (arn: string, extra = {}): Request => ({
        action: "",
        resource: arn,
        context: { ...requestTagsFor(stack, ["Name", "project", "stack", "managed-by"]), ...extra },
    });
    const existing = (arn: string, extra = {}): Request => ({
        action: "",
        resource: arn,
        context: { ...taggedFor(stack), ...extra },
    });
    const anywhere: Request = { action: "", resource: "*" };
    const calls = (actions: string[], ...on: Request[]) => actions.map((action) => ({ action, on }));
    const tagOnCreate = (arn: string, create: string): Call => ({
        action: "ec2:CreateTags",
        on: [created(arn, { "ec2:CreateAction": create })],
    });
    // ECR's AWS managed key (aws/ecr): no tags, and its policy lets the account use it through ECR.
    const ecrKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0e1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b`;
    const throughEcr = {
        resource: ecrKey,
        context: { "kms:ViaService": `ecr.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT },
        resourcePolicy: {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
                    Resource: "*",
                    Condition: {
                        StringEquals: {
                            "kms:ViaService": `ecr.${REGION}.amazonaws.com`,
                            "kms:CallerAccount": ACCOUNT,
                        },
                    },
                },
            ],
        },
    };
    // The stack's key, with the policy the program gives it.
    const stackKey = { resourcePolicy: keyPolicies[stack] };
    const key = (extra = {}): Request => ({ ...existing(r.key, extra), ...stackKey });
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

        // ---- the cluster, by its name ----
        { action: "eks:CreateCluster", on: [{ action: "", resource: "*", context: requestTagsFor(stack) }] },
        ...calls(
            [
                "eks:DescribeCluster",
                "eks:ListTagsForResource",
                "eks:UpdateClusterConfig",
                "eks:UpdateClusterVersion",
                "eks:DescribeUpdate",
                "eks:UntagResource",
                "eks:DeleteCluster",
                "eks:CreateNodegroup",
                "eks:ListNodegroups",
                "eks:CreateAddon",
                "eks:CreateAccessEntry",
            ],
            existing(r.cluster),
        ),
        { action: "eks:TagResource", on: [existing(r.cluster, requestTagsFor(stack))] },
        ...calls(
            [
                "eks:DescribeNodegroup",
                "eks:UpdateNodegroupConfig",
                "eks:UpdateNodegroupVersion",
                "eks:DeleteNodegroup",
            ],
            existing(r.nodegroup),
        ),
        ...calls(["eks:DescribeAddon", "eks:UpdateAddon", "eks:DeleteAddon"], existing(r.addon)),
        ...calls(
            [
                "eks:DescribeAccessEntry",
                "eks:UpdateAccessEntry",
                "eks:DeleteAccessEntry",
                "eks:AssociateAccessPolicy",
                "eks:DisassociateAccessPolicy",
                "eks:ListAssociatedAccessPolicies",
            ],
            existing(r.accessEntry),
        ),
        // EKS uses the cluster's key on the caller's behalf.
        ...calls(
            ["kms:DescribeKey", "kms:CreateGrant"],
            key({ "kms:ViaService": `eks.${REGION}.amazonaws.com` }),
        ),

        // ---- the image's repository, by its name; ECR's grants on its AWS managed key ----
        {
            action: "ecr:CreateRepository",
            on: [{ action: "", resource: r.repository, context: requestTagsFor(stack) }],
        },
        ...calls(
            [
                "ecr:DescribeRepositories",
                "ecr:ListTagsForResource",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:UntagResource",
                "ecr:GetLifecyclePolicy",
                "ecr:PutLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:BatchCheckLayerAvailability",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:DeleteRepository",
            ],
            existing(r.repository),
        ),
        { action: "ecr:TagResource", on: [existing(r.repository, requestTagsFor(stack))] },
        ...calls(["kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"], { action: "", ...throughEcr }),

        // ---- the control plane's log group, by its name ----
        {
            action: "logs:CreateLogGroup",
            on: [{ action: "", resource: r.logGroup, context: requestTagsFor(stack) }],
        },
        ...calls(
            [
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:ListTagsForResource",
                "logs:UntagResource",
                "logs:DeleteLogGroup",
            ],
            existing(r.logGroup),
        ),
        { action: "logs:TagResource", on: [existing(r.logGroup, requestTagsFor(stack))] },

        // ---- the secrets key: made with the stack's tags, then changed while it has them ----
        { action: "kms:CreateKey", on: [{ action: "", resource: "*", context: requestTagsFor(stack) }] },
        // CreateKey's Tags are authorized as a TagResource of the key being made.
        {
            action: "kms:TagResource",
            on: [{ action: "", resource: r.key, context: requestTagsFor(stack), ...stackKey }],
        },
        ...calls(
            [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:ListResourceTags",
                "kms:EnableKeyRotation",
                "kms:UpdateKeyDescription",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
            ],
            key(),
        ),
        { action: "kms:UntagResource", on: [key({ "aws:TagKeys": ["managed-by"] })] },

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

// ---- a stack with its own name (hostname in its file; none of the committed stacks has one) ----

const NAME: PublicName = { hostname: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" };
const zoneArn = (id: string) => `arn:aws:route53:::hostedzone/${id}`;
const certificateArn = (n: number) =>
    `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/${n}b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e`;

/** ACM's validation record for a name: an underscore, 32 hex digits, the name. */
const validationName = (name: string) => `_0a1b2c3d4e5f60718293a4b5c6d7e8f9.${name}`;

/** A stack's deploy role as the bootstrap makes it when the stack's file sets `name` (and it had `retired`). */
function namedDeployRole(stack: string, name: PublicName | undefined, retired: PublicName[] = []): Identity {
    const values = loadStackConfig("example", path.join(ROOT, "bootstrap")).values;
    const config = parseBootstrapConfig(
        (ns, key) => values[`${ns}:${key}`],
        "flask-eks-bootstrap",
        "example",
    );
    const policies = deployPolicies(
        deployScope(
            stack,
            {
                ...config,
                publicNames: name ? { [stack]: name } : {},
                retiredNames: { [stack]: retired },
            },
            { partition: "aws", account: ACCOUNT },
        ),
    );
    return { ...identity(`deploy-${stack}`), policies: [policies.inline, policies.iam] };
}

/** A change of records in a zone: their names, types and what is done to them. */
function recordChange(zone: string, names: string[], types: string[], action: string): Request {
    return {
        action: "",
        resource: zone,
        context: {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": names,
            "route53:ChangeResourceRecordSetsRecordTypes": types,
            "route53:ChangeResourceRecordSetsActions": [action],
        },
    };
}

/** A request for a certificate of `domains`, tagged for `stack`, validated by DNS. */
function certificateRequest(stack: string, domains: string[]): Call {
    return {
        action: "acm:RequestCertificate",
        on: [
            {
                action: "",
                resource: "*",
                context: {
                    ...requestTagsFor(stack),
                    "acm:ValidationMethod": "DNS",
                    "acm:DomainNames": domains,
                },
            },
        ],
    };
}

/** The calls the stack's name adds: its certificate, validated by a record, and the alias to the NLB. */
function nameCalls(stack: string, name: PublicName): Call[] {
    const certificate = certificateArn(stack.length);
    const zone = zoneArn(name.hostedZoneId);
    const mine = { action: "", resource: certificate, context: taggedFor(stack) };
    const record = (recordName: string, type: string) => recordChange(zone, [recordName], [type], "CREATE");
    return [
        certificateRequest(stack, [name.hostname]),
        {
            action: "acm:AddTagsToCertificate",
            on: [{ ...mine, context: { ...taggedFor(stack), ...requestTagsFor(stack, ["owner"]) } }],
        },
        ...["acm:DescribeCertificate", "acm:ListTagsForCertificate", "acm:DeleteCertificate"].map(
            (action) => ({
                action,
                on: [mine],
            }),
        ),
        {
            action: "acm:RemoveTagsFromCertificate",
            on: [{ ...mine, context: { ...taggedFor(stack), "aws:TagKeys": ["managed-by"] } }],
        },
        { action: "route53:ChangeResourceRecordSets", on: [record(validationName(name.hostname), "CNAME")] },
        { action: "route53:ChangeResourceRecordSets", on: [record(name.hostname, "A")] },
        ...["route53:GetHostedZone", "route53:ListResourceRecordSets"].map((action) => ({
            action,
            on: [{ action: "", resource: zone }],
        })),
        {
            action: "route53:GetChange",
            on: [{ action: "", resource: "arn:aws:route53:::change/C0123456789ABCDEF" }],
        },
        ...LOOKUP_ACTIONS["aws:lb/getLoadBalancer:getLoadBalancer"].map((action) => ({
            action,
            on: [{ action: "", resource: "*" }],
        })),
    ];
}

describe("deploy roles: each stack's own up and destroy", () => {
    it("every action of the table and every lookup is among the calls below, and each call names every resource type IAM requires", async () => {
        const table = new Set([
            ...Object.values(RESOURCE_ACTIONS).flatMap((a) => [...a.read, ...a.write]),
            ...Object.values(LOOKUP_ACTIONS).flat(),
        ]);
        const calls = [...ownCalls("dev"), ...nameCalls("dev", NAME)];
        const called = new Set(calls.map((c) => c.action));
        assert.deepEqual(
            [...table].filter((a) => !called.has(a)),
            [],
        );
        for (const call of calls) {
            if (call.on.some((r) => r.resource === "*")) continue;
            const named = await Promise.all(call.on.map((r) => resourceTypeOf(call.action, r.resource)));
            const missing = (await requiredResourceTypes(call.action)).filter((t) => !named.includes(t));
            assert.deepEqual(missing, [], call.action);
        }
    });

    for (const stack of STACKS)
        it(`${stack}'s deploy role may make every call of ${stack}'s first up, later ups and destroy`, async () => {
            assert.deepEqual(await notDecided(identity(`deploy-${stack}`), ownCalls(stack), "Allowed"), []);
        });

    it("with hostname in its file, a deploy role may also make the name's certificate and records, and look up its NLB", async () => {
        const named = namedDeployRole("dev", NAME);
        assert.deepEqual(
            await notDecided(named, [...ownCalls("dev"), ...nameCalls("dev", NAME)], "Allowed"),
            [],
        );
    });
});

describe("deploy roles: a stack's name and no other", () => {
    it("no certificate or record for a stack whose file sets no name, nor in a zone that holds another's", async () => {
        for (const stack of STACKS)
            assert.deepEqual(
                await notDecided(
                    identity(`deploy-${stack}`),
                    nameCalls(stack, NAME).filter((c) => /^(acm|route53):/.test(c.action)),
                    "Denied",
                ),
                [],
                stack,
            );
    });

    it("a named stack's role: no other name, record type, zone, or another stack's certificate", async () => {
        const named = namedDeployRole("dev", NAME);
        const zone = zoneArn(NAME.hostedZoneId);
        const change = (names: string[], types: string[], resource = zone): Call => ({
            action: "route53:ChangeResourceRecordSets",
            on: [recordChange(resource, names, types, "UPSERT")],
        });
        const theirs = { action: "", resource: certificateArn(4), context: taggedFor("prod") };
        assert.deepEqual(
            await notDecided(
                named,
                [
                    change(["example.com"], ["A"]),
                    // Under the name, only ACM's validation record: no ACME challenge, no other label.
                    change([`_acme-challenge.${NAME.hostname}`], ["CNAME"]),
                    change([`www.${NAME.hostname}`], ["CNAME"]),
                    change([validationName("example.com")], ["CNAME"]),
                    change(["www.example.com"], ["CNAME"]),
                    change([NAME.hostname, "mail.example.com"], ["A"]),
                    change([NAME.hostname], ["MX"]),
                    change([NAME.hostname], ["NS"]),
                    change([NAME.hostname], ["A"], zoneArn("Z9999999999OTHERZONE")),
                    certificateRequest("dev", [NAME.hostname, "bank.example.net"]),
                    ...["acm:DeleteCertificate", "acm:DescribeCertificate"].map((action) => ({
                        action,
                        on: [theirs],
                    })),
                    {
                        action: "route53:GetHostedZone",
                        on: [{ action: "", resource: zoneArn("Z9999999999OTHERZONE") }],
                    },
                ],
                "Denied",
            ),
            [],
        );
    });
});

describe("deploy roles: certificates that are not the stack's own", () => {
    it("a named stack's role may neither tag a certificate that is not its own into its stack nor delete it", async () => {
        const named = namedDeployRole("dev", NAME);
        const untagged = { action: "", resource: certificateArn(9), context: {} };
        const theirs = { action: "", resource: certificateArn(4), context: taggedFor("prod") };
        assert.deepEqual(
            await notDecided(
                named,
                [untagged, theirs].flatMap((certificate) => [
                    {
                        action: "acm:AddTagsToCertificate",
                        on: [
                            { ...certificate, context: { ...certificate.context, ...requestTagsFor("dev") } },
                        ],
                    },
                    { action: "acm:DeleteCertificate", on: [certificate] },
                    {
                        action: "acm:RemoveTagsFromCertificate",
                        on: [
                            { ...certificate, context: { ...certificate.context, "aws:TagKeys": ["stack"] } },
                        ],
                    },
                ]),
                "Denied",
            ),
            [],
        );
    });
});

describe("deploy roles: a name the stack no longer has", () => {
    const OLD: PublicName = { hostname: "old.example.org", hostedZoneId: "Z0OLDZONE0123456789" };
    const deleteOf = (names: string[], types: string[], action = "DELETE"): Call => ({
        action: "route53:ChangeResourceRecordSets",
        on: [recordChange(zoneArn(OLD.hostedZoneId), names, types, action)],
    });

    for (const [what, name] of [
        ["a new name", NAME],
        ["no name", undefined],
    ] as const)
        it(`moving to ${what}, the role of a stack with retiredHostnames deletes the old name's records and its stack-tagged certificate, and nothing more of it`, async () => {
            const role = namedDeployRole("dev", name, [OLD]);
            const certificate = { action: "", resource: certificateArn(3), context: taggedFor("dev") };
            assert.deepEqual(
                await notDecided(
                    role,
                    [
                        deleteOf([OLD.hostname], ["A"]),
                        deleteOf([validationName(OLD.hostname)], ["CNAME"]),
                        {
                            action: "route53:ListResourceRecordSets",
                            on: [{ action: "", resource: zoneArn(OLD.hostedZoneId) }],
                        },
                        { action: "acm:DeleteCertificate", on: [certificate] },
                    ],
                    "Allowed",
                ),
                [],
            );
            assert.deepEqual(
                await notDecided(
                    role,
                    [
                        deleteOf([OLD.hostname], ["A"], "CREATE"),
                        deleteOf([OLD.hostname], ["A"], "UPSERT"),
                        deleteOf([`mail.${OLD.hostname}`], ["A"]),
                        deleteOf([OLD.hostname], ["MX"]),
                        certificateRequest("dev", [OLD.hostname]),
                    ],
                    "Denied",
                ),
                [],
            );
        });

    it("without retiredHostnames, a role whose stack left its name may not delete the old records", async () => {
        assert.deepEqual(
            await notDecided(namedDeployRole("dev", NAME), [deleteOf([OLD.hostname], ["A"])], "Denied"),
            [],
        );
    });
});

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

describe("the read-only roles", () => {
    const reads = new Set([
        ...Object.values(RESOURCE_ACTIONS).flatMap((a) => a.read),
        ...Object.values(LOOKUP_ACTIONS).flat(),
    ]);
    /** A stack's read calls, but those of the deploy role itself (getSessionContext), made only in an up. */
    const readCalls = (stack: string) =>
        ownCalls(stack).filter(
            (c) => reads.has(c.action) && !c.on.some((r) => r.resource.includes(`:role/${P}-deploy-`)),
        );

    for (const stack of STACKS)
        it(`preview-${stack}: reads ${stack}'s resources and makes the program's lookups, and reads no other stack's`, async () => {
            const who = identity(`preview-${stack}`);
            assert.deepEqual(await notDecided(who, readCalls(stack), "Allowed"), []);
            for (const other of STACKS.filter((s) => s !== stack)) {
                // Calls on a named resource of another stack: not the lookups on "*", nor ECR's AWS
                // managed key, which every stack's repository shares.
                const theirs = readCalls(other).filter((c) =>
                    c.on.every((r) => r.resource !== "*" && !r.context?.["kms:ViaService"]),
                );
                assert.ok(theirs.length > 10, `${theirs.length}`);
                assert.deepEqual(await notDecided(who, theirs, "Denied"), [], other);
            }
        });

    it("drift: reads every stack's resources and makes the program's lookups", async () => {
        for (const stack of STACKS)
            assert.deepEqual(await notDecided(identity("drift"), readCalls(stack), "Allowed"), [], stack);
    });

    for (const name of ["preview-prod", "drift"]) {
        it(`${name}: changes nothing and reads no secret, parameter, object or key material`, async () => {
            const who = identity(name);
            // KMS calls ECR makes on its caller's behalf need that caller to call ECR first, which
            // these roles cannot: the AWS managed key's policy alone would allow them.
            const writes = ownCalls("prod").filter(
                (c) => !reads.has(c.action) && !c.on.some((r) => r.context?.["kms:ViaService"]),
            );
            assert.deepEqual(await notDecided(who, writes, "Denied"), []);
            const r = stackResources("prod");
            const secrets: Call[] = [
                {
                    action: "secretsmanager:GetSecretValue",
                    on: [
                        {
                            action: "",
                            resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf`,
                        },
                    ],
                },
                {
                    action: "ssm:GetParameter",
                    on: [{ action: "", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/db-password` }],
                },
                {
                    action: "s3:GetObject",
                    on: [{ action: "", resource: "arn:aws:s3:::state-bucket/prod.json" }],
                },
                {
                    action: "kms:Decrypt",
                    on: [
                        {
                            action: "",
                            resource: r.key,
                            context: taggedFor("prod"),
                            resourcePolicy: keyPolicies.prod,
                        },
                    ],
                },
                { action: "sts:AssumeRole", on: [{ action: "", resource: role(`${P}-deploy-prod`) }] },
            ];
            assert.deepEqual(await notDecided(who, secrets, "Denied"), []);
        });
    }
});
