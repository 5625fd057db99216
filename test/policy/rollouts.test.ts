// The rules of policy/rollouts.ts: a canary judged by an analysis (each regression on a real stack's
// graph, the ways of passing, what a violation says), and an HPA on a Rollout counted for the
// Deployment whose pods the Rollout took.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { canaryAnalysis, scaledDeployment } from "../../policy/rollouts";
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

// The same rules on objects made up here, for the shapes no committed stack has.
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const resource = (type: string, name: string, props: Inputs) =>
    ({ type, name, urn: `urn:${name}`, props }) as unknown as PolicyResource;
const stackOf = (...resources: PolicyResource[]) => ({ resources }) as unknown as StackValidationArgs;
const rolloutIn = (namespace: string, name: string, spec: Inputs) =>
    resource(ROLLOUT, name, { metadata: { name, namespace }, spec });
const hpaOn = (kind: string, name: string, namespace = "app") =>
    resource(HPA, "hpa", { metadata: { namespace }, spec: { scaleTargetRef: { kind, name } } });
const deploymentRef = (name: string) => ({ workloadRef: { kind: "Deployment", name } });

describe("policy pack: what an HPA scales", () => {
    it("the Deployment it names, or the one whose pods the Rollout it names in its namespace took; nothing else", () => {
        const args = stackOf(
            resource(ROLLOUT, "no-metadata", {}),
            rolloutIn("app", "web", deploymentRef("web-pods")),
            rolloutIn("other", "web", deploymentRef("other-pods")),
            rolloutIn("app", "inline", { template: {} }),
            rolloutIn("app", "sets", { workloadRef: { kind: "ReplicaSet", name: "sets" } }),
            resource(ROLLOUT, "no-spec", { metadata: { name: "no-spec", namespace: "app" } }),
        );
        const scaled = (hpa: PolicyResource) => scaledDeployment(args, hpa);
        assert.equal(scaled(hpaOn("Deployment", "api")), "api");
        assert.equal(scaled(hpaOn("Rollout", "web")), "web-pods");
        assert.equal(scaled(hpaOn("Rollout", "web", "other")), "other-pods");
        for (const [kind, name] of [
            ["Rollout", "missing"],
            ["Rollout", "inline"],
            ["Rollout", "sets"],
            ["Rollout", "no-spec"],
            ["StatefulSet", "web"],
        ])
            assert.equal(scaled(hpaOn(kind, name)), undefined, `${kind} ${name}`);
        assert.equal(scaled(resource(HPA, "no-spec", {})), undefined);
        const unplaced = resource(HPA, "no-metadata", {
            spec: { scaleTargetRef: { kind: "Rollout", name: "web" } },
        });
        assert.equal(scaled(unplaced), undefined);
    });
});

describe("policy pack: a canary's analysis, each shape", () => {
    const said = (...resources: PolicyResource[]) => {
        const messages: string[] = [];
        canaryAnalysis.validateStack(stackOf(...resources), (message) => messages.push(message));
        return messages;
    };
    const canary = (name: string, strategy: Inputs) =>
        rolloutIn("app", name, { strategy: { canary: strategy } });
    const template = (name: string, namespace: string, spec?: Inputs) =>
        resource(TEMPLATE, name, { metadata: { name, namespace }, ...(spec && { spec }) });
    const judged = { metrics: [{ name: "m", successCondition: "result[0] < 1" }] };

    it("passes a Rollout that is no canary, and one whose analysis step names a template of its namespace", () => {
        assert.deepEqual(said(rolloutIn("app", "plain", {})), []);
        const stepped = canary("stepped", {
            steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: "t" }] } }],
        });
        assert.deepEqual(
            said(resource(TEMPLATE, "no-metadata", {}), template("t", "app", judged), stepped),
            [],
        );
    });

    it("refuses a canary whose steps name no template, a template named nothing, elsewhere or with no metrics", () => {
        for (const strategy of [{ steps: [{ analysis: {} }, { setWeight: 10 }] }, { analysis: {} }])
            assert.deepEqual(said(canary("r", strategy)), ["Rollout r is a canary with no analysis."]);
        const named = (templateName?: string) => canary("r", { analysis: { templates: [{ templateName }] } });
        assert.deepEqual(said(template("t", "app", judged), named()), [
            "Rollout r's analysis  is not an AnalysisTemplate of the stack in its namespace.",
        ]);
        assert.deepEqual(said(template("other", "app", judged), named("t")), [
            "Rollout r's analysis t is not an AnalysisTemplate of the stack in its namespace.",
        ]);
        assert.deepEqual(said(template("t", "app"), named("t")), [
            "Rollout r's analysis t has no metric with a condition.",
        ]);
    });
});
