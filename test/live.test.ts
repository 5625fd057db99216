import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P, inputs, okRun, one, providerUrn } from "./helpers";

// components/platform/live.ts: what the program reads of its own live resources before it registers any.

const CLUSTER = `${P}-dev`;
const LOOKUPS = ["getLogGroups", "getClusters", "getNodeGroups", "getNodeGroup"];

describe("live state", () => {
    it("reads the live node group's scaling through the stack's AWS provider, every lookup of it", async () => {
        const run = await okRun("dev", {
            existing: { cluster: { name: CLUSTER, nodeScaling: { minSize: 1, desiredSize: 3, maxSize: 3 } } },
        });
        const aws = one(run, "pulumi:providers:aws").urn;
        const lookups = run.invokes.filter((i) => LOOKUPS.includes(i.token.split(":")[2]));
        assert.deepEqual(lookups.map((i) => i.token.split(":")[2]).sort(), [...LOOKUPS].sort());
        for (const i of lookups) assert.equal(providerUrn(i.provider ?? ""), aws, i.token);
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).scalingConfig.desiredSize, 3);
    });

    it("a cluster without its node group yet (a first up that failed early): no node group to read", async () => {
        const run = await okRun("dev", { existing: { cluster: { name: CLUSTER } } });
        assert.equal(
            run.invokes.some((i) => i.token === "aws:eks/getNodeGroup:getNodeGroup"),
            false,
        );
        const configured = inputs(one(await okRun("dev"), "aws:eks/nodeGroup:NodeGroup")).scalingConfig;
        assert.deepEqual(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).scalingConfig, configured);
    });
});
