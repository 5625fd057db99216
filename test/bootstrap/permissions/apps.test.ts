// An app stack's deploy role: its repository and image, its own role passed to its pods, its Pod
// Identity association on its platform's cluster, and nothing of the platform or of another app.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { RunResult, runStack } from "../../../offline";
import { ROOT } from "../../../offline/stack-config";
import { ACCOUNT, Request, requestTagsFor, stackResources, taggedFor } from "../../iam";
import { PLATFORM, appCalls, association } from "./appcalls";
import { certificateRequest, recordChange, validationName, zoneArn } from "./namecalls";
import { Call, identity, notDecided, requestsFor } from "./roles";

const APPS = ["dev-web", "dev-api"];

let run: RunResult;
before(async () => {
    run = await runStack("example", {
        root: path.join(ROOT, "bootstrap"),
        overrides: {
            "flask-eks-bootstrap:stacks": JSON.stringify(["dev", "staging", "prod", PLATFORM, ...APPS]),
        },
    });
    assert.equal(run.error, undefined, run.error?.message);
});

const platform = stackResources(PLATFORM);
/** What an app stack's deploy role must never do: touch its platform, another app, or anything else. */
function outOfReach(stack: string): Call[] {
    const { r, existing, created } = requestsFor(stack);
    const other = APPS.find((a) => a !== stack)!;
    const o = stackResources(other);
    const theirs = (arn: string, extra = {}): Request => ({
        action: "",
        resource: arn,
        context: { ...taggedFor(other), ...extra },
    });
    const platforms = (arn: string): Request => ({ action: "", resource: arn, context: taggedFor(PLATFORM) });
    return [
        // The platform's cluster, its nodes, add-ons and who may reach it.
        { action: "eks:DeleteCluster", on: [platforms(platform.cluster)] },
        { action: "eks:UpdateClusterConfig", on: [platforms(platform.cluster)] },
        { action: "eks:UpdateNodegroupConfig", on: [platforms(platform.nodegroup)] },
        { action: "eks:DeleteAddon", on: [platforms(platform.addon)] },
        { action: "eks:CreateAccessEntry", on: [created(platform.cluster)] },
        { action: "eks:AssociateAccessPolicy", on: [platforms(platform.accessEntry)] },
        { action: "eks:DeleteAccessEntry", on: [platforms(platform.accessEntry)] },
        { action: "ec2:DeleteVpc", on: [platforms(platform.vpc)] },
        { action: "iam:PassRole", on: [platforms(platform.role)] },
        // Another app's association, repository and role; an association claimed with its tags.
        { action: "eks:DeletePodIdentityAssociation", on: [association(other)] },
        { action: "eks:UpdatePodIdentityAssociation", on: [association(other)] },
        {
            action: "eks:CreatePodIdentityAssociation",
            on: [{ action: "", resource: platform.cluster, context: requestTagsFor(other) }],
        },
        { action: "ecr:PutImage", on: [theirs(o.repository.replace("/web", `/${other.slice(4)}`))] },
        { action: "iam:PassRole", on: [theirs(o.role, { "iam:PassedToService": "pods.eks.amazonaws.com" })] },
        // Its own role to anything but its pods; an association on another cluster.
        { action: "iam:PassRole", on: [existing(r.role, { "iam:PassedToService": "eks.amazonaws.com" })] },
        { action: "iam:PassRole", on: [existing(r.role, { "iam:PassedToService": "ec2.amazonaws.com" })] },
        { action: "eks:CreatePodIdentityAssociation", on: [created(stackResources("dev").cluster)] },
        // Nothing a cluster stack makes, even tagged for itself.
        { action: "eks:CreateCluster", on: [{ action: "", resource: "*", context: requestTagsFor(stack) }] },
        { action: "ec2:CreateVpc", on: [created(r.vpc)] },
        { action: "kms:CreateKey", on: [{ action: "", resource: "*", context: requestTagsFor(stack) }] },
        {
            action: "iam:CreateServiceLinkedRole",
            on: [
                {
                    action: "",
                    resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS`,
                    context: { "iam:AWSServiceName": "eks.amazonaws.com" },
                },
            ],
        },
        { action: "iam:CreateOpenIDConnectProvider", on: [created(r.oidcProvider)] },
        // A cluster's managed policies on its own role: its roles are its pods'.
        ...["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEKSClusterPolicy"].map((policy) => ({
            action: "iam:AttachRolePolicy",
            on: [
                existing(r.role, {
                    "iam:PermissionsBoundary": r.boundary,
                    "iam:PolicyARN": `arn:aws:iam::aws:policy/${policy}`,
                }),
            ],
        })),
    ];
}

describe("an app stack's deploy role", () => {
    for (const stack of APPS) {
        it(`${stack}'s may make what its up and destroy make`, async () => {
            assert.deepEqual(
                await notDecided(identity(`deploy-${stack}`, run), appCalls(stack), "Allowed"),
                [],
            );
        });

        it(`${stack}'s touches nothing of ${PLATFORM} but its association, and nothing of the other app`, async () => {
            assert.deepEqual(
                await notDecided(identity(`deploy-${stack}`, run), outOfReach(stack), "Denied"),
                [],
            );
        });
    }

    it("a platform's deploy role makes no Pod Identity association, and passes no role to pods", async () => {
        const { r, existing } = requestsFor(PLATFORM);
        const calls: Call[] = [
            { action: "eks:CreatePodIdentityAssociation", on: [existing(platform.cluster)] },
            {
                action: "iam:PassRole",
                on: [existing(r.role, { "iam:PassedToService": "pods.eks.amazonaws.com" })],
            },
        ];
        assert.deepEqual(await notDecided(identity(`deploy-${PLATFORM}`, run), calls, "Denied"), []);
    });
});

describe("the shared entry's names", () => {
    const zone = zoneArn("Z0123456789ABCDEFGHIJ");
    const change = (names: string[], types: string[], action = "UPSERT"): Call => ({
        action: "route53:ChangeResourceRecordSets",
        on: [recordChange(zone, names, types, action)],
    });
    const readZone: Call = { action: "route53:GetHostedZone", on: [{ action: "", resource: zone }] };

    it(`${PLATFORM}'s role: the certificate of *.dev.example.com and its validation record, and no app's host`, async () => {
        const who = identity(`deploy-${PLATFORM}`, run);
        const validation = validationName("dev.example.com");
        assert.deepEqual(
            await notDecided(
                who,
                [
                    certificateRequest(PLATFORM, ["*.dev.example.com"]),
                    change([validation], ["CNAME"], "CREATE"),
                    change([validation], ["CNAME"], "DELETE"),
                    readZone,
                ],
                "Allowed",
            ),
            [],
        );
        assert.deepEqual(
            await notDecided(
                who,
                [
                    change(["api.dev.example.com"], ["A"]),
                    change(["*.dev.example.com"], ["A"]),
                    change(["dev.example.com"], ["A"]),
                    change([validationName("api.dev.example.com")], ["CNAME"]),
                    certificateRequest(PLATFORM, ["dev.example.com"]),
                    certificateRequest(PLATFORM, ["*.dev.example.com", "*.example.com"]),
                ],
                "Denied",
            ),
            [],
        );
    });

    it("dev-api's role: its host's record in the platform's zone, and no certificate or other name", async () => {
        const who = identity("deploy-dev-api", run);
        assert.deepEqual(
            await notDecided(
                who,
                [
                    change(["api.dev.example.com"], ["A"], "CREATE"),
                    change(["api.dev.example.com"], ["A"], "DELETE"),
                    readZone,
                ],
                "Allowed",
            ),
            [],
        );
        assert.deepEqual(
            await notDecided(
                who,
                [
                    change(["web.dev.example.com"], ["A"]),
                    change(["dev.example.com"], ["A"]),
                    change(["api.dev.example.com"], ["TXT"]),
                    change([validationName("api.dev.example.com")], ["CNAME"]),
                    change([validationName("dev.example.com")], ["CNAME"]),
                    certificateRequest("dev-api", ["api.dev.example.com"]),
                ],
                "Denied",
            ),
            [],
        );
    });

    it("dev-web's role (an NLB of its own, and no name): nothing of the zone", async () => {
        const who = identity("deploy-dev-web", run);
        assert.deepEqual(
            await notDecided(who, [change(["web.dev.example.com"], ["A"]), readZone], "Denied"),
            [],
        );
    });
});
