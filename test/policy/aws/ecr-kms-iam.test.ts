// The rules of policy/aws.ts on the image repository, the keys and IAM (scan on push, immutable tags,
// key rotation, no wildcard admin): each broken once on a real stack's graph, the cases each must let
// pass, a policy the program does not make, and what counts as a wildcard admin statement.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grantsEverything } from "../../../policy/aws";
import { okRun } from "../../helpers";
import {
    ADMIN_DOCUMENT,
    ECR_KMS_IAM_RULES,
    Regression,
    broken,
    firing,
    itCatchesEachRegression,
    withResource,
} from "../helpers";

// Each mandatory rule, broken once on a real stack's graph: the rule must fire, and only it.
const regressions: Regression[] = [
    [
        "ecr-scan-on-push",
        "dev",
        (r) =>
            broken(
                r,
                "aws:ecr/repository:Repository",
                (i) => (i.imageScanningConfiguration.scanOnPush = false),
            ),
    ],
    [
        "ecr-immutable-tags",
        "dev",
        (r) => broken(r, "aws:ecr/repository:Repository", (i) => (i.imageTagMutability = "MUTABLE")),
    ],
    ["kms-key-rotation", "prod", (r) => broken(r, "aws:kms/key:Key", (i) => (i.enableKeyRotation = false))],
    [
        "iam-no-wildcard-admin",
        "dev",
        (r) =>
            broken(
                r,
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                (i) => (i.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"),
                "cluster-policy",
            ),
    ],
    [
        "iam-no-wildcard-admin",
        "dev",
        (r) =>
            broken(
                r,
                "aws:iam/role:Role",
                (i) => (i.inlinePolicies = [{ name: "all", policy: JSON.stringify(ADMIN_DOCUMENT) }]),
                "web-role",
            ),
    ],
    [
        "iam-no-wildcard-admin",
        "dev",
        (r) =>
            broken(
                r,
                "aws:iam/rolePolicy:RolePolicy",
                (i) => (i.policy = JSON.stringify(ADMIN_DOCUMENT)),
                "lb-controller-policy",
            ),
    ],
    [
        "iam-no-wildcard-admin",
        "dev",
        // A managed policy of the stack's own: none today, the rule must still read one.
        (r) => {
            const inline = r.registrations.find((x) => x.type === "aws:iam/rolePolicy:RolePolicy")!;
            const managed = {
                ...structuredClone(inline),
                type: "aws:iam/policy:Policy",
                name: "admin",
                urn: `${inline.urn}-admin`,
                inputs: { policy: JSON.stringify(ADMIN_DOCUMENT) },
            };
            return { ...r, registrations: [...r.registrations, managed] };
        },
    ],
];

describe("policy pack: each mandatory rule catches its regression", () => {
    itCatchesEachRegression(regressions, ECR_KMS_IAM_RULES);

    it("iam-no-wildcard-admin passes a narrow inline policy and a customer policy named like AdministratorAccess", async () => {
        const narrow = { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
        let run = broken(
            await okRun("dev"),
            "aws:iam/role:Role",
            (i) => (i.inlinePolicies = [{ name: "read", policy: JSON.stringify(narrow) }]),
            "web-role",
        );
        run = broken(
            run,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            (i) => (i.policyArn = "arn:aws:iam::123456789012:policy/AdministratorAccessReview"),
            "cluster-policy",
        );
        assert.deepEqual(await firing(run, "dev"), []);
    });

    it("kms-key-rotation leaves an asymmetric key alone: AWS cannot rotate one", async () => {
        const run = broken(await okRun("prod"), "aws:kms/key:Key", (i) => {
            i.customerMasterKeySpec = "RSA_2048";
            i.enableKeyRotation = false;
        });
        assert.deepEqual(await firing(run, "prod"), []);
    });
});

describe("policy pack: resources the program does not make", () => {
    it("passes a managed IAM policy that grants something narrow, refuses one that grants everything", async () => {
        const document = (Action: string, Resource: string) =>
            JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });
        const narrow = { policy: document("s3:GetObject", "arn:aws:s3:::bucket/*") };
        assert.deepEqual(await firing(await withResource("aws:iam/policy:Policy", narrow)), []);
        const admin = { policy: document("*", "*") };
        assert.deepEqual(await firing(await withResource("aws:iam/policy:Policy", admin)), [
            "iam-no-wildcard-admin",
        ]);
    });
});

describe("policy pack: what a wildcard admin statement is", () => {
    it("recognises a wildcard admin statement in its forms", () => {
        assert.ok(grantsEverything({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }));
        assert.ok(
            grantsEverything(
                JSON.stringify({ Statement: { Effect: "Allow", Action: ["s3:*", "*"], Resource: ["*"] } }),
            ),
        );
        assert.ok(!grantsEverything({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }));
        assert.ok(!grantsEverything({ Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }));
        assert.ok(
            !grantsEverything({ Statement: [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }] }),
        );
        assert.ok(!grantsEverything("not json"));
    });
});
