// The rules of policy/rollouts.ts: a canary judged by an analysis (each regression on a real stack's
// graph, the ways of passing, what a violation says), and an HPA on a Rollout counted for the
// Deployment whose pods the Rollout took.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { okRun } from "../helpers";
import {
    Inputs,
    Message,
    ROLLOUT_RULES,
    Regression,
    broken,
    firing,
    itCatchesEachRegression,
    itSaysEachMessage,
    without,
} from "./helpers";

const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";
const TEMPLATE = "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate";

const regressions: Regression[] = [
    [
        "k8s-canary-with-analysis",
        "staging",
        (r) => broken(r, ROLLOUT, (i) => delete i.spec.strategy.canary.analysis),
    ],
    ["k8s-canary-with-analysis", "prod", (r) => without(r, TEMPLATE)],
    [
        "k8s-canary-with-analysis",
        "staging",
        // Metrics measured but never judged: nothing can fail the canary.
        (r) => broken(r, TEMPLATE, (i) => i.spec.metrics.forEach((m: Inputs) => delete m.successCondition)),
    ],
    [
        "k8s-canary-with-analysis",
        "prod",
        (r) => broken(r, TEMPLATE, (i) => (i.metadata.namespace = "elsewhere")),
    ],
];

const messages: Message[] = [
    [
        "staging",
        "k8s-canary-with-analysis",
        (r) => broken(r, ROLLOUT, (i) => delete i.spec.strategy.canary.analysis),
        "Rollout rollout is a canary with no analysis.",
    ],
    [
        "prod",
        "k8s-canary-with-analysis",
        (r) => without(r, TEMPLATE),
        "Rollout rollout's analysis web is not an AnalysisTemplate of the stack in its namespace.",
    ],
    [
        "staging",
        "k8s-canary-with-analysis",
        (r) => broken(r, TEMPLATE, (i) => (i.spec.metrics = [])),
        "Rollout rollout's analysis web has no metric with a condition.",
    ],
];

describe("policy pack: a canary's analysis", () => {
    itCatchesEachRegression(regressions, ROLLOUT_RULES);
    itSaysEachMessage(messages);

    it("a canary judged by an analysis step of its own passes, as one with a background analysis", async () => {
        const run = broken(await okRun("staging"), ROLLOUT, (i) => {
            const { canary } = i.spec.strategy;
            canary.steps.push({ analysis: canary.analysis });
            delete canary.analysis;
        });
        assert.deepEqual(await firing(run, "staging"), []);
    });

    it("an HPA on a Rollout counts for the Deployment whose pods the Rollout took, and only that one", async () => {
        const run = without(await okRun("prod"), "kubernetes:policy/v1:PodDisruptionBudget");
        assert.deepEqual(await firing(run, "prod"), ["k8s-pdb-for-replicated-deployments"]);
        const elsewhere = broken(run, ROLLOUT, (i) => (i.spec.workloadRef.name = "another-app"));
        assert.deepEqual(await firing(elsewhere, "prod"), []);
    });
});
