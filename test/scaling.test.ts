import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inputs, okRun, one } from "./helpers";

// components/app/scaling.ts: what test/workload.test.ts does not already pin of the PDB and the HPA.

describe("the app's PDB and HPA", () => {
    it("are named web, like the Deployment and Service, rather than given a generated suffix", async () => {
        const run = await okRun("local");
        for (const type of [
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        ])
            assert.equal(inputs(one(run, type)).metadata.name, "web", type);
    });

    it("scales on one metric, of type Resource: the API server refuses a metric without its type", async () => {
        const hpa = inputs(one(await okRun("local"), "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
        assert.deepEqual(
            hpa.spec.metrics.map((m: { type: string }) => m.type),
            ["Resource"],
        );
    });
});
