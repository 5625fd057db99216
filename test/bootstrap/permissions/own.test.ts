// A deploy role may make every call of its own stack's first up, later ups and destroy, and of its
// name when the stack's file sets one.
import * as assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../../../bootstrap/actions";
import { requiredResourceTypes, resourceTypeOf } from "../../iam";
import { NAME, nameCalls, namedDeployRole } from "./namecalls";
import { appCalls } from "./appcalls";
import { ownCalls } from "./owncalls";
import { STACKS, identity, loadRoles, notDecided } from "./roles";

before(loadRoles);

describe("deploy roles: each stack's own up and destroy", () => {
    it("every action of the table and every lookup is among the calls below, and each call names every resource type IAM requires", async () => {
        const table = new Set([
            ...Object.values(RESOURCE_ACTIONS).flatMap((a) => [...a.read, ...a.write]),
            ...Object.values(LOOKUP_ACTIONS).flat(),
        ]);
        const calls = [...ownCalls("dev"), ...nameCalls("dev", NAME), ...appCalls("dev-web")];
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
