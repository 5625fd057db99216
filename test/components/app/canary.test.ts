import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { runStack } from "../../../offline";
import { P, all, inputs, okRun, one } from "../../helpers";

// components/app/canary.ts and analysis.ts: an Argo Rollouts canary over the Deployment, its analysis,
// and the verdict pulumi up gives.

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const ON = {
    [`${P}:canary`]: "true",
    [`${P}:canarySteps`]: "[5, 20, 60]",
    [`${P}:canaryBakeSeconds`]: "30",
    [`${P}:canaryMaxErrorRatio`]: "0.02",
    [`${P}:canaryMaxP99Ms`]: "300",
    [`${P}:workloadRolloutTimeoutSeconds`]: "120",
};

describe("a canary per release", () => {
    it("takes the Deployment's pod template (workloadRef) and scales it to 0 once healthy; the HPA owns the count", async () => {
        const run = await okRun("local", { overrides: ON });
        const deployment = inputs(one(run, DEPLOYMENT));
        const rollout = inputs(one(run, ROLLOUT));
        assert.deepEqual(rollout.spec.workloadRef, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: deployment.metadata.name,
            scaleDown: "onsuccess",
        });
        assert.equal("replicas" in rollout.spec, false);
        assert.equal("replicas" in deployment.spec, false);
        assert.deepEqual(
            [rollout.metadata.name, rollout.metadata.namespace, rollout.metadata.labels],
            [deployment.metadata.name, deployment.metadata.namespace, deployment.metadata.labels],
        );
        assert.deepEqual(inputs(one(run, HPA)).spec.scaleTargetRef, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            name: rollout.metadata.name,
        });
    });

    it("goes step by step: each share of the pods, then its bake; one pod more at a time and none fewer", async () => {
        const { canary } = inputs(one(await okRun("local", { overrides: ON }), ROLLOUT)).spec.strategy;
        assert.deepEqual(canary.steps, [
            { setWeight: 5 },
            { pause: { duration: "30s" } },
            { setWeight: 20 },
            { pause: { duration: "30s" } },
            { setWeight: 60 },
            { pause: { duration: "30s" } },
        ]);
        assert.deepEqual([canary.maxSurge, canary.maxUnavailable], [1, 0]);
    });

    it("analyses the release's own pods from its first step on, with the stack's template", async () => {
        const run = await okRun("local", { overrides: ON });
        const { analysis } = inputs(one(run, ROLLOUT)).spec.strategy.canary;
        assert.deepEqual(analysis, {
            templates: [{ templateName: inputs(one(run, TEMPLATE)).metadata.name }],
            startingStep: 0,
            args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }],
        });
        assert.ok(
            one(run, ROLLOUT).dependencies.includes(one(run, TEMPLATE).urn),
            "the template exists first",
        );
    });

    it("aborts a release never ready by the rollout timeout; Pulumi waits that long plus every bake", async () => {
        const rollout = one(await okRun("local", { overrides: ON }), ROLLOUT);
        assert.deepEqual(
            [inputs(rollout).spec.progressDeadlineSeconds, inputs(rollout).spec.progressDeadlineAbort],
            [120, true],
        );
        const { create, update } = rollout.options.customTimeouts;
        assert.deepEqual([create, update], ["210s", "210s"]);
    });

    it("makes Pulumi wait until the controller has seen this release, then for Healthy or Degraded", async () => {
        const { annotations } = inputs(one(await okRun("local", { overrides: ON }), ROLLOUT)).metadata;
        // The mocks' Deployment is at generation 1.
        assert.equal(annotations["flask-eks/deployment-generation"], "1");
        assert.deepEqual(JSON.parse(annotations["pulumi.com/waitFor"]), [
            "jsonpath={.status.workloadObservedGeneration}=1",
            "jsonpath={.status[?@ == 'Healthy' || @ == 'Degraded']}",
        ]);
    });

    it("is the same on EKS (staging, on by default) as on the local target", async () => {
        const run = await okRun("staging");
        assert.equal(inputs(one(run, ROLLOUT)).spec.workloadRef.kind, "Deployment");
        assert.equal(inputs(one(run, HPA)).spec.scaleTargetRef.kind, "Rollout");
    });

    it("is absent when off (dev): the HPA scales the Deployment, which rolls by itself", async () => {
        const run = await okRun("dev");
        assert.deepEqual([all(run, ROLLOUT).length, all(run, TEMPLATE).length], [0, 0]);
        assert.deepEqual(inputs(one(run, HPA)).spec.scaleTargetRef, {
            apiVersion: "apps/v1",
            kind: "Deployment",
            name: inputs(one(run, DEPLOYMENT)).metadata.name,
        });
    });
});

describe("pulumi up's verdict on a canary", () => {
    const run = "web-6d4f8b9c7-1";
    const rolledBack = {
        rollout: {
            phase: "Degraded",
            message:
                'RolloutAborted: Rollout aborted update to revision 3: Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0)',
            canary: { currentBackgroundAnalysisRunStatus: { name: run, status: "Failed" } },
        },
        analysisRuns: {
            [run]: {
                metricResults: [
                    {
                        name: "error-ratio",
                        phase: "Failed",
                        measurements: [{ value: "[0]" }, { value: "[0.97]" }],
                    },
                    { name: "p99-latency", phase: "Running", measurements: [{ value: "[0.012]" }] },
                ],
            },
        },
    };

    it("the image output is the release's when it passed", async () => {
        const ok = await okRun("local", { overrides: ON });
        assert.equal(ok.outputs.imageRef, inputs(one(ok, DEPLOYMENT)).spec.template.spec.containers[0].image);
    });

    it("fails when the controller rolled the release back, naming each metric, what it measured and its limit", async () => {
        const failed = await runStack("local", { overrides: ON, existing: { rolledBack }, deploy: true });
        assert.equal(
            failed.error?.message,
            `the release was rolled back, the stable pods serve: ${rolledBack.rollout.message} ` +
                "(error-ratio Failed: measured [0.97], at most 0.02; p99-latency Running: measured [0.012], at most 0.3)",
        );
        assert.equal(failed.outputs.imageRef, undefined, "no image output: the stack keeps the stable one");
        // As the SDK's handler of an uncaught error formats it for its trace: the message, nothing it carries.
        assert.equal(inspect(failed.error, { colors: true }), failed.error?.message);
    });

    it("reads the AnalysisRun the Rollout names, by its namespace/name, and makes none", async () => {
        const failed = await runStack("local", { overrides: ON, existing: { rolledBack }, deploy: true });
        // A read is no registration; the mocks answer a read of flask-app/<run> with that run's status.
        assert.deepEqual(all(failed, "kubernetes:argoproj.io/v1alpha1:AnalysisRun"), []);
        assert.match(failed.error!.message, /\(error-ratio Failed: measured \[0\.97\]/);
    });

    it("says what each metric measured, or that it measured nothing yet, and no list when the run has no status", async () => {
        const verdict = async (analysisRun?: Record<string, unknown>) => {
            const runs = { [run]: analysisRun };
            const existing = { rolledBack: { rollout: rolledBack.rollout, analysisRuns: runs } };
            return (await runStack("local", { overrides: ON, existing, deploy: true })).error?.message;
        };
        const said = `the release was rolled back, the stable pods serve: ${rolledBack.rollout.message}`;
        assert.equal(
            await verdict({ metricResults: [{ name: "p99-latency", phase: "Pending" }] }),
            `${said} (p99-latency Pending: measured nothing, at most 0.3)`,
        );
        assert.equal(await verdict({ metricResults: [] }), said);
        assert.equal(await verdict(), said);
    });

    it("does not judge a Rollout with no status yet: the provider's wait is what holds the up", async () => {
        const waiting = await runStack("local", {
            overrides: ON,
            existing: { rolledBack: { analysisRuns: {} } },
            deploy: true,
        });
        assert.equal(waiting.error, undefined);
        assert.equal(
            waiting.outputs.imageRef,
            inputs(one(waiting, DEPLOYMENT)).spec.template.spec.containers[0].image,
        );
    });

    it("fails with the controller's message alone when no analysis ran (a release never ready)", async () => {
        const message = 'ProgressDeadlineExceeded: ReplicaSet "web-6d4f8b9c7" has timed out progressing.';
        const failed = await runStack("local", {
            overrides: ON,
            existing: { rolledBack: { rollout: { phase: "Degraded", message }, analysisRuns: {} } },
            deploy: true,
        });
        assert.equal(failed.error?.message, `the release was rolled back, the stable pods serve: ${message}`);
        const noRun = await runStack("local", {
            overrides: ON,
            existing: { rolledBack: { rollout: { phase: "Degraded", canary: {} }, analysisRuns: {} } },
            deploy: true,
        });
        assert.equal(noRun.error?.message, "the release was rolled back, the stable pods serve: no message");
    });
});
