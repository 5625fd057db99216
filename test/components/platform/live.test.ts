import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { P, inputs, okRun, one, providerUrn } from "../../helpers";

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
        const inputsOf = (fn: string) => lookups.find((i) => i.token.endsWith(`:${fn}`))!.inputs;
        assert.deepEqual(inputsOf("getNodeGroups"), { clusterName: CLUSTER });
        assert.deepEqual(inputsOf("getNodeGroup"), { clusterName: CLUSTER, nodeGroupName: "nodes-0123abc" });
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).scalingConfig.desiredSize, 3);
    });

    it("a cluster without its node group yet (a first up that failed early): no node group to read", async () => {
        const logGroup = `/aws/eks/${CLUSTER}/cluster`;
        const run = await okRun("dev", { existing: { cluster: { name: CLUSTER }, logGroups: [logGroup] } });
        // The cluster's own log group is the stack's already: nothing to adopt.
        assert.equal(one(run, "aws:cloudwatch/logGroup:LogGroup").options.importId, "");
        assert.equal(
            run.invokes.some((i) => i.token === "aws:eks/getNodeGroup:getNodeGroup"),
            false,
        );
        const configured = inputs(one(await okRun("dev"), "aws:eks/nodeGroup:NodeGroup")).scalingConfig;
        assert.deepEqual(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).scalingConfig, configured);
    });
});
