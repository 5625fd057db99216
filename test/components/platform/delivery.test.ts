// A stack with deliveryRoles (components/platform/delivery.ts): the bootstrap's identities get their access to the cluster, and every
// IAM role the stack makes carries the stack's permissions boundary, which the deploy role requires.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runStack } from "../../../offline";
import { MOCK_ACCOUNT, MOCK_DEPLOYER_ROLE } from "../../../offline/mocks";
import { P, all, eksStacks, inputs, okRun } from "../../helpers";

const boundary = (stack: string) => `arn:aws:iam::${MOCK_ACCOUNT}:policy/${P}-boundary-${stack}`;

describe("delivery roles: the stack's boundary on every role", () => {
    for (const stack of eksStacks())
        it(`${stack}: every IAM role carries ${stack}'s boundary, with every add-on and an app policy too`, async () => {
            const run = await okRun(stack, {
                overrides: {
                    [`${P}:deliveryRoles`]: "true",
                    [`${P}:containerInsights`]: "true",
                    [`${P}:appPolicyArns`]: '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]',
                },
            });
            const roles = all(run, "aws:iam/role:Role");
            assert.ok(roles.length >= 7, `${roles.length} roles`);
            for (const role of roles)
                assert.equal(inputs(role).permissionsBoundary, boundary(stack), role.name);
            // The lookup that checked the boundary exists went through the stack's AWS provider.
            const lookup = run.invokes.find((i) => i.token === "aws:iam/getPolicy:getPolicy");
            assert.equal(lookup?.inputs.arn, boundary(stack));
        });

    it("without deliveryRoles, no role has a boundary and nothing is looked up", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:deliveryRoles`]: "false" } });
        for (const role of all(run, "aws:iam/role:Role"))
            assert.equal(inputs(role).permissionsBoundary, undefined);
        assert.equal(
            run.invokes.some((i) => i.token === "aws:iam/getPolicy:getPolicy"),
            false,
        );
    });

    it("refuses a preview, before anything registers, when the bootstrap made no boundary for the stack", async () => {
        const run = await runStack("dev", { existing: { missingPolicies: [boundary("dev")] } });
        assert.match(
            run.error?.message ?? "",
            new RegExp(
                `^deliveryRoles: got true, expected false unless the bootstrap \\(bootstrap/, docs/delivery.md\\) made this stack's boundary ${boundary("dev")}; reading it failed: `,
            ),
        );
        assert.deepEqual(
            run.registrations.filter((r) => r.custom && r.type.startsWith("aws:")),
            [],
        );
    });
});

describe("delivery roles: who may deploy", () => {
    it("refuses an up by a principal that is neither the deploy role nor in adminRoleArns, naming both", async () => {
        const run = await runStack("dev", { deploy: true });
        assert.equal(
            run.error?.message,
            `adminRoleArns: got [], expected it to hold ${MOCK_DEPLOYER_ROLE}, which runs this pulumi up (besides the deploy role arn:aws:iam::${MOCK_ACCOUNT}:role/${P}-deploy-dev): without an access entry it could not reach the cluster it deploys to`,
        );
        const allowed = await runStack("dev", {
            deploy: true,
            overrides: { [`${P}:adminRoleArns`]: JSON.stringify([MOCK_DEPLOYER_ROLE]) },
        });
        assert.equal(allowed.error, undefined, allowed.error?.message);
    });
});
