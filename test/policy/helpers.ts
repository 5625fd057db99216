// What the policy pack's tests share: the rules as the CLI loads them (on a fixed day), grouped by the
// test file that breaks each; the pack config a stack runs with; and the ways to break a recorded graph.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { Policy } from "@pulumi/policy";
import { RunResult } from "../../offline";
import { PackConfig, evaluatePolicies } from "../../offline/policy";
import { advisoryPoliciesOn } from "../../policy/advisory";
import {
    awsPolicies,
    ecrImmutableTags,
    ecrScanOnPush,
    eksControlPlaneLogs,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    eksSecretsEncryption,
    iamNoWildcardAdmin,
    kmsKeyRotation,
    launchTemplateImdsV2,
    nodeGroupPrivateSubnets,
    nodeVolumesEncrypted,
} from "../../policy/aws";
import {
    disruptionBudgets,
    imagesByDigest,
    kubernetesPolicies,
    loadBalancerSourceRanges,
    networkPolicies,
    networkPoliciesNotVpcWide,
    noHostAccess,
    probesSet,
    resourcesSet,
    restrictedPodSecurity,
} from "../../policy/kubernetes";
import { canaryAnalysis, rolloutPolicies } from "../../policy/rollouts";
import { okRun } from "../helpers";

/** The advisory rules as of a fixed day, so the runway rule's answers do not move with the calendar. */
export const advisoryPolicies = advisoryPoliciesOn(new Date("2026-11-28T12:00:00Z"));

export const ALL: Policy[] = [...awsPolicies, ...kubernetesPolicies, ...rolloutPolicies, ...advisoryPolicies];
export const MANDATORY = ALL.filter((p) => p.enforcementLevel === "mandatory");

// The rules each test file breaks (test/policy/index.test.ts checks that they are all of them, once).
/** aws/eks.test.ts: the control plane and its nodes. */
export const EKS_RULES: Policy[] = [
    eksSecretsEncryption,
    eksControlPlaneLogs,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    nodeGroupPrivateSubnets,
    launchTemplateImdsV2,
    nodeVolumesEncrypted,
];
/** aws/ecr-kms-iam.test.ts: the image repository, the keys and IAM. */
export const ECR_KMS_IAM_RULES: Policy[] = [
    ecrScanOnPush,
    ecrImmutableTags,
    kmsKeyRotation,
    iamNoWildcardAdmin,
];
/** kubernetes/pods.test.ts: what each pod runs with. */
export const POD_RULES: Policy[] = [
    imagesByDigest,
    resourcesSet,
    probesSet,
    restrictedPodSecurity,
    noHostAccess,
];
/** kubernetes/objects.test.ts: the objects around the pods. */
export const OBJECT_RULES: Policy[] = [
    disruptionBudgets,
    networkPolicies,
    networkPoliciesNotVpcWide,
    loadBalancerSourceRanges,
];

/** rollouts.test.ts: a canary's analysis. */
export const ROLLOUT_RULES: Policy[] = [canaryAnalysis];

/** The names of the mandatory rules among `policies`. */
export const mandatoryNames = (policies: Policy[]) =>
    policies.filter((p) => p.enforcementLevel === "mandatory").map((p) => p.name);

/** The pack config a stack runs with: prod is production. */
export function packConfig(stack: string): PackConfig {
    const production = { production: stack === "prod" };
    return {
        "eks-public-endpoint-restricted": production,
        "cost-nat-gateways-outside-production": production,
    };
}

// Inputs are arbitrary JSON; the breakers edit them freely.
export type Inputs = any;

/** A rule, the stack whose graph is broken, and the break: a regression of one guarantee. */
export type Regression = [string, string, (run: RunResult) => RunResult];
/** A stack, a rule, the break, and what the CLI prints for the violation. */
export type Message = [string, string, (run: RunResult) => RunResult, string];

/** A copy of a run with one registration's inputs changed: a regression of one guarantee. */
export function broken(
    run: RunResult,
    type: string,
    change: (inputs: Inputs) => void,
    name?: string,
): RunResult {
    const copy = structuredClone(run);
    const target = copy.registrations.find((r) => r.type === type && (name === undefined || r.name === name));
    assert.ok(target, `no ${type} ${name ?? ""} to break`);
    change(target.inputs);
    return copy;
}

export const ADMIN_DOCUMENT = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export function without(run: RunResult, type: string): RunResult {
    return { ...run, registrations: run.registrations.filter((r) => r.type !== type) };
}

export function pod(i: Inputs) {
    return i.spec.template.spec;
}

/** The dev stack's run with one more resource, registered like the app's Deployment. */
export async function withResource(type: string, inputs: Inputs): Promise<RunResult> {
    const run = await okRun("dev");
    const template = run.registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    const added = { ...structuredClone(template), type, name: "added", urn: `${template.urn}-added`, inputs };
    return { ...run, registrations: [...run.registrations, added] };
}

/** The mandatory violations of a run, with `stack`'s pack config (with none when no stack is named). */
export async function mandatory(run: RunResult, stack?: string) {
    const violations = await evaluatePolicies(ALL, run, stack === undefined ? {} : packConfig(stack));
    return violations.filter((v) => v.level === "mandatory");
}

/** The mandatory rules a run breaks; a rule that throws fails the test with its stack. */
export async function firing(run: RunResult, stack?: string): Promise<string[]> {
    return [...new Set((await mandatory(run, stack)).map((v) => v.policy))].sort();
}

/** What the CLI prints of a rule and of a violation: a sentence. */
export const SENTENCE = /^\S.{10,}\.$/;

/**
 * The tests of a rule file's regressions: each breaks its rule, and only it, with a sentence for a
 * message; and each mandatory rule of `rules` but those `exempt` (tested apart) has one.
 */
export function itCatchesEachRegression(
    regressions: Regression[],
    rules: Policy[],
    exempt: string[] = [],
): void {
    for (const [policy, stack, breakIt] of regressions) {
        it(`${policy} fires when ${stack} loses that guarantee`, async () => {
            const violations = await mandatory(breakIt(await okRun(stack)), stack);
            assert.deepEqual([...new Set(violations.map((v) => v.policy))], [policy]);
            for (const { message } of violations) assert.match(message, SENTENCE);
        });
    }

    it("every mandatory rule has a regression above", () => {
        assert.deepEqual(
            [...new Set(regressions.map(([p]) => p))].sort(),
            mandatoryNames(rules)
                .filter((n) => !exempt.includes(n))
                .sort(),
        );
    });
}

/** The tests of what each violation says: exactly its message, and no other violation. */
export function itSaysEachMessage(messages: Message[]): void {
    for (const [stack, policy, breakIt, message] of messages) {
        it(`${policy}: ${message}`, async () => {
            const violations = await mandatory(breakIt(await okRun(stack)), stack);
            assert.deepEqual(
                violations.map((v) => [v.policy, v.message]),
                [[policy, message]],
            );
        });
    }
}
