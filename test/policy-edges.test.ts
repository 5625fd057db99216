// The policy pack at the edges of what it reads: resources of shapes the program never makes (a
// user's own workloads and policies in the same stack), with parts missing, and the words a user
// reads in `pulumi preview`. Each case fails when a rule throws on a missing part or answers wrongly.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Policy } from "@pulumi/policy";
import { RunResult } from "../offline";
import { evaluatePolicies } from "../offline/policy";
import { advisoryPoliciesOn, defaultTags } from "../policy/advisory";
import { awsPolicies } from "../policy/aws";
import { kubernetesPolicies } from "../policy/kubernetes";
import { okRun } from "./helpers";

const ALL: Policy[] = [
    ...awsPolicies,
    ...kubernetesPolicies,
    ...advisoryPoliciesOn(new Date("2026-11-28T12:00:00Z")),
];

// Inputs are arbitrary JSON; the cases below write them freely.
type Inputs = any;

/** The dev stack's run with one more resource, registered like the app's Deployment. */
async function withResource(type: string, inputs: Inputs): Promise<RunResult> {
    const run = await okRun("dev");
    const template = run.registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    const added = { ...structuredClone(template), type, name: "added", urn: `${template.urn}-added`, inputs };
    return { ...run, registrations: [...run.registrations, added] };
}

/** The mandatory rules a run breaks; a rule that throws fails the test with its stack. */
async function firing(run: RunResult): Promise<string[]> {
    const violations = await evaluatePolicies(ALL, run, {});
    return [...new Set(violations.filter((v) => v.level === "mandatory").map((v) => v.policy))].sort();
}

describe("policy pack: resources the program does not make", () => {
    // Another component's workload may not have its pod template filled in (yet): nothing to check.
    for (const [type, shapes] of [
        ["kubernetes:apps/v1:StatefulSet", [{}, { spec: {} }]],
        ["kubernetes:apps/v1:DaemonSet", [{}, { spec: {} }]],
        ["kubernetes:batch/v1:Job", [{}, { spec: {} }]],
        [
            "kubernetes:batch/v1:CronJob",
            [{}, { spec: {} }, { spec: { jobTemplate: {} } }, { spec: { jobTemplate: { spec: {} } } }],
        ],
    ] as [string, Inputs[]][]) {
        it(`the pod rules pass a ${type.split(":").pop()} with no pod template`, async () => {
            for (const inputs of shapes) {
                assert.deepEqual(await firing(await withResource(type, inputs)), [], JSON.stringify(inputs));
            }
        });
    }

    it("refuses a LoadBalancer Service with no annotations, or no metadata at all", async () => {
        for (const inputs of [
            { spec: { type: "LoadBalancer" } },
            { metadata: {}, spec: { type: "LoadBalancer" } },
        ]) {
            assert.deepEqual(
                await firing(await withResource("kubernetes:core/v1:Service", inputs)),
                ["k8s-load-balancer-source-ranges"],
                JSON.stringify(inputs),
            );
        }
    });

    it("an HPA does not match a Deployment with no metadata, which lands in another namespace", async () => {
        const run = await okRun("dev");
        const bare = {
            ...run,
            registrations: run.registrations.map((r) =>
                r.type === "kubernetes:apps/v1:Deployment"
                    ? { ...r, inputs: { ...r.inputs, metadata: undefined } }
                    : r,
            ),
        };
        // Unmatched, it runs one replica (no PDB due), and the app's NetworkPolicies are elsewhere.
        assert.deepEqual(await firing(bare), ["k8s-network-policy-for-every-deployment"]);
    });

    it("passes a managed IAM policy that grants something narrow, refuses one that grants everything", async () => {
        const document = (Action: string, Resource: string) =>
            JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });
        const narrow = { policy: document("s3:GetObject", "arn:aws:s3:::bucket/*") };
        assert.deepEqual(await firing(await withResource("aws:iam/policy:Policy", narrow)), []);
        const admin = { policy: document("*", "*") };
        assert.deepEqual(await firing(await withResource("aws:iam/policy:Policy", admin)), [
            "iam-no-wildcard-admin",
        ]);
    });
});

describe("policy pack: what a user reads", () => {
    it("names the required default tags as a list in the rule's description", () => {
        assert.equal(
            defaultTags.description,
            "AWS providers set default tags project, stack, managed-by, so every resource is attributable in the bill.",
        );
    });
});
