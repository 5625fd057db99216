// The advisory rules (policy/advisory.ts): what each says, when it speaks and when it is quiet.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluatePolicies } from "../../offline/policy";
import { advisoryPoliciesOn, defaultTags } from "../../policy/advisory";
import { okRun } from "../helpers";
import { advisoryPolicies, broken, packConfig } from "./helpers";

describe("policy pack: advisory rules", () => {
    it("gives staging a cost hint for its NAT gateway per AZ, and prod none", async () => {
        const staging = await evaluatePolicies(
            advisoryPolicies,
            await okRun("staging"),
            packConfig("staging"),
        );
        assert.deepEqual(
            staging.map((v) => [v.policy, v.message]),
            [
                [
                    "cost-nat-gateways-outside-production",
                    "3 NAT gateways in a non-production stack; natGateways: single would do.",
                ],
            ],
        );
        assert.deepEqual(
            await evaluatePolicies(advisoryPolicies, await okRun("prod"), packConfig("prod")),
            [],
        );
    });

    it("aws-default-tags fires when the provider loses its default tags", async () => {
        const run = broken(await okRun("dev"), "pulumi:providers:aws", (i) => delete i.defaultTags);
        const violations = await evaluatePolicies(advisoryPolicies, run, packConfig("dev"));
        assert.deepEqual(
            violations.map((v) => [v.policy, v.level, v.message]),
            [["aws-default-tags", "advisory", "defaultTags lacks project, stack, managed-by."]],
        );
    });

    it("eks-standard-support fires for extended support", async () => {
        const run = broken(
            await okRun("dev"),
            "aws:eks/cluster:Cluster",
            (i) => (i.upgradePolicy.supportType = "EXTENDED"),
        );
        const violations = await evaluatePolicies(advisoryPolicies, run, packConfig("dev"));
        assert.deepEqual(
            violations.map((v) => [v.policy, v.message]),
            [["eks-standard-support", "upgradePolicy.supportType is not STANDARD."]],
        );
    });

    it("eks-kubernetes-support-runway fires under 90 days of standard support, past it, and for a version with no row", async () => {
        for (const [version, message] of [
            ["1.34", "Kubernetes 1.34 has 4 days of standard support left (until 2026-12-02)."],
            ["1.33", "Kubernetes 1.33 is past standard support; extended support until 2027-07-29."],
            ["1.30", "Kubernetes 1.30 has no row in domain/versions.ts."],
        ]) {
            const run = broken(await okRun("dev"), "aws:eks/cluster:Cluster", (i) => (i.version = version));
            const violations = await evaluatePolicies(advisoryPolicies, run, packConfig("dev"));
            assert.deepEqual(
                violations.map((v) => [v.policy, v.message]),
                [["eks-kubernetes-support-runway", message]],
            );
        }
    });

    it("eks-kubernetes-support-runway is quiet with exactly its warning days left, and speaks a day later", async () => {
        const run = broken(await okRun("dev"), "aws:eks/cluster:Cluster", (i) => (i.version = "1.35"));
        // 1.35's standard support ends 2027-03-27: 90 days after 2026-12-27.
        for (const [day, expected] of [
            ["2026-12-27", []],
            ["2026-12-28", ["Kubernetes 1.35 has 89 days of standard support left (until 2027-03-27)."]],
        ] as [string, string[]][]) {
            const violations = await evaluatePolicies(
                advisoryPoliciesOn(new Date(`${day}T12:00:00Z`)),
                run,
                packConfig("dev"),
            );
            assert.deepEqual(
                violations.filter((v) => v.policy === "eks-kubernetes-support-runway").map((v) => v.message),
                expected,
                day,
            );
        }
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
