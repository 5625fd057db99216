// What the program asks of AWS (bootstrap/actions.ts), read from the program's runs: every type it
// registers, every lookup it makes, every managed policy it attaches, and nothing more.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "../../bootstrap/actions";
import { APP_LOOKUPS, APP_RESOURCE_TYPES } from "../../bootstrap/appactions";
import type { RunResult } from "../../offline";
import { MANAGED_POLICIES } from "../../bootstrap/roles";
import { MOCK_DEPLOYER_ROLE } from "../../offline/mocks";
import { P, awsStacks, inputs, okRun, stacksOfLayer } from "../helpers";

/**
 * Every AWS type the main program registers and every lookup it makes, on every stack, with an
 * adopted VPC, and with every option that adds AWS resources (Container Insights, app policies).
 */
async function whatTheProgramAsks(): Promise<Asked> {
    const runs = [
        ...(await Promise.all(awsStacks().map((s) => okRun(s)))),
        ...(await appRuns()),
        await okRun("dev", { overrides: { [`${P}:containerInsights`]: "true" } }),
        // Its own name: a certificate, its records, and the NLB looked up.
        await okRun("dev", {
            overrides: {
                [`${P}:hostname`]: "shop.example.com",
                [`${P}:hostedZoneId`]: "Z0123456789ABCDEFGHIJ",
            },
        }),
        // An up checks who deploys; a stack without the delivery roles makes that one its admin.
        await okRun("dev", {
            deploy: true,
            overrides: { [`${P}:adminRoleArns`]: JSON.stringify([MOCK_DEPLOYER_ROLE]) },
        }),
        // A later up: the cluster exists, and its node group's live bounds are read.
        await okRun("dev", {
            existing: {
                cluster: { name: `${P}-dev`, nodeScaling: { minSize: 1, desiredSize: 2, maxSize: 3 } },
                logGroups: [`/aws/eks/${P}-dev/cluster`],
            },
        }),
        await okRun("dev", {
            overrides: {
                [`${P}:vpcId`]: "vpc-0123456789abcdef0",
                [`${P}:publicSubnetIds`]: '["subnet-0123456789abcdef2","subnet-0123456789abcdef3"]',
                [`${P}:privateSubnetIds`]: '["subnet-0123456789abcdef0","subnet-0123456789abcdef1"]',
            },
        }),
    ];
    return asked(runs);
}

interface Asked {
    types: Set<string>;
    lookups: Set<string>;
    managed: Set<string>;
}

/**
 * Each app stack, and one of them with its own name and an app policy: every AWS resource an app stack
 * adds. The one with a name has an NLB of its own (a shared entry's host is its platform's).
 */
async function appRuns(): Promise<RunResult[]> {
    const runs = await Promise.all(stacksOfLayer("app").map((s) => okRun(s)));
    const own = runs.find(
        (run) => !run.registrations.some((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress"),
    );
    assert.ok(own, "an app stack with an NLB of its own");
    return [
        ...runs,
        await okRun(own.stack, {
            overrides: {
                [`${P}:hostname`]: "shop.example.com",
                [`${P}:hostedZoneId`]: "Z0123456789ABCDEFGHIJ",
                [`${P}:appPolicyArns`]: JSON.stringify(["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]),
            },
        }),
    ];
}

function asked(runs: RunResult[]): Asked {
    const registered = runs.flatMap((r) => r.registrations.filter((x) => x.custom));
    return {
        types: new Set(
            registered
                .map((r) => r.type)
                .filter((t) => /^(aws|docker):/.test(t) && !t.startsWith("aws:providers")),
        ),
        lookups: new Set(
            runs.flatMap((r) => r.invokes.map((i) => i.token)).filter((t) => t.startsWith("aws:")),
        ),
        // The program's own; the apps' (appPolicyArns) are the bootstrap config's to allow.
        managed: new Set(
            runs.flatMap((run) => {
                const apps: string[] = JSON.parse(run.config[`${P}:appPolicyArns`] ?? "[]");
                return run.registrations
                    .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .map((r) => inputs(r).policyArn)
                    .filter((arn) => !apps.includes(arn))
                    .map((arn) => arn.split("/").pop());
            }),
        ),
    };
}

describe("bootstrap: the deploy role's permissions cover exactly what the program asks of AWS", () => {
    it("an entry per resource type the program registers, and none it no longer registers", async () => {
        const { types } = await whatTheProgramAsks();
        assert.deepEqual(Object.keys(RESOURCE_ACTIONS).sort(), [...types].sort());
    });

    it("an entry per lookup the program makes, and none it no longer makes", async () => {
        const { lookups } = await whatTheProgramAsks();
        assert.deepEqual(Object.keys(LOOKUP_ACTIONS).sort(), [...lookups].sort());
    });

    it("the managed policies a deploy role may attach are exactly those the program attaches", async () => {
        const { managed } = await whatTheProgramAsks();
        assert.deepEqual([...MANAGED_POLICIES].sort(), [...managed].sort());
    });
});

describe("bootstrap: an app stack's deploy role covers exactly what an app stack asks of AWS", () => {
    it("the types and lookups of APP_RESOURCE_TYPES and APP_LOOKUPS, and nothing of the cluster's", async () => {
        const { types, lookups } = asked(await appRuns());
        assert.deepEqual([...APP_RESOURCE_TYPES].sort(), [...types].sort());
        assert.deepEqual([...APP_LOOKUPS].sort(), [...lookups].sort());
    });
});
