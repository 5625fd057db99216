// The read-only roles (a preview role per stack, and drift): they read and make the program's
// lookups, and never write or read a secret.
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../../../bootstrap/actions";
import { ACCOUNT, REGION, stackResources, taggedFor } from "../../iam";
import { P } from "../../helpers";
import { ownCalls } from "./owncalls";
import { Call, STACKS, identity, keyPolicies, loadRoles, notDecided, role } from "./roles";

before(loadRoles);

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
