import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadStackConfig } from "../../../offline/stack-config";
import * as k8s from "@pulumi/kubernetes";
import { Scaling, deploymentTarget } from "../../../components/app/scaling";
import { P, builtAlone, eksStacks, inputs, okRun, one } from "../../helpers";

// components/app/scaling.ts: the PDB and the HPA.

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

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`the app's PDB and HPA (${stack})`, () => {
        it("guards the pods with a PDB and scales them with a CPU HPA inside the configured bounds", async () => {
            const run = await okRun(stack);
            const deployment = inputs(one(run, DEPLOYMENT));
            const pdb = inputs(one(run, "kubernetes:policy/v1:PodDisruptionBudget"));
            assert.deepEqual(pdb.spec.selector, deployment.spec.selector);
            assert.equal(pdb.spec.maxUnavailable, 1);
            const hpa = inputs(one(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
            // With the canary on, the Rollout that took the Deployment's pods (canary.test.ts).
            const target = config[`${P}:canary`] === "true" ? "Rollout" : "Deployment";
            assert.equal(hpa.spec.scaleTargetRef.kind, target);
            assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
            assert.equal(hpa.spec.minReplicas, Number(config[`${P}:workloadMinReplicas`]));
            assert.equal(hpa.spec.maxReplicas, Number(config[`${P}:workloadMaxReplicas`]));
            assert.deepEqual(hpa.spec.metrics[0].resource, {
                name: "cpu",
                target: { type: "Utilization", averageUtilization: 70 },
            });
            assert.deepEqual(one(run, DEPLOYMENT).options.ignoreChanges, []);
        });
    });
}

describe("Scaling, built alone", () => {
    it("builds with no options, its PDB and HPA under it", async () => {
        const run = await builtAlone(() => {
            const deployment = new k8s.apps.v1.Deployment("d", {
                metadata: { name: "d", namespace: "ns" },
                spec: { selector: { matchLabels: { app: "d" } }, template: {} },
            });
            new Scaling("scaling", {
                name: "d",
                target: deploymentTarget(deployment),
                selector: deployment.spec.selector,
                namespace: "ns",
                labels: { app: "d" },
                minReplicas: 1,
                maxReplicas: 2,
            });
        });
        const scaling = one(run, "flask-eks:index:Scaling", "scaling");
        assert.equal(one(run, "kubernetes:policy/v1:PodDisruptionBudget").parent, scaling.urn);
        assert.equal(one(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").parent, scaling.urn);
    });
});
