// The pack as a whole (policy/index.ts): every rule described, registered once from the entry file,
// run against the committed stacks, configured per stack as the CLI does, and never throwing on a
// resource with parts missing.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { evaluatePolicies } from "../../offline/policy";
import { ROOT } from "../../offline/stack-config";
import { committedStacks, okRun } from "../helpers";
import {
    ALL,
    ECR_KMS_IAM_RULES,
    EKS_RULES,
    Inputs,
    MANDATORY,
    OBJECT_RULES,
    POD_RULES,
    ROLLOUT_RULES,
    SENTENCE,
    advisoryPolicies,
    broken,
    firing,
    mandatoryNames,
    packConfig,
} from "./helpers";

describe("policy pack: committed stacks", () => {
    it("describes every rule in a sentence", () => {
        for (const p of ALL) assert.match(p.description, SENTENCE, p.name);
    });

    it("gets violations, not a crash, from resources with no inputs at all", async () => {
        for (const [stack, production] of [
            ["dev", []],
            ["prod", ["eks-public-endpoint-restricted"]],
        ] as [string, string[]][]) {
            const run = await okRun(stack);
            const unknown = { ...run, registrations: run.registrations.map((r) => ({ ...r, inputs: {} })) };
            assert.deepEqual(
                await firing(unknown, stack),
                [
                    "ecr-immutable-tags",
                    "ecr-scan-on-push",
                    "eks-control-plane-logs",
                    ...production,
                    "eks-private-endpoint",
                    "eks-secrets-encryption",
                    "k8s-network-policy-for-every-deployment",
                    "kms-key-rotation",
                    "launch-template-imdsv2",
                    "node-volumes-encrypted",
                ].sort(),
            );
        }
    });

    it("has uniquely named rules; the advisory module holds only advisory ones", () => {
        assert.ok(
            advisoryPolicies.length >= 3 && advisoryPolicies.every((p) => p.enforcementLevel === "advisory"),
        );
        assert.equal(new Set(ALL.map((p) => p.name)).size, ALL.length);
    });

    for (const stack of committedStacks()) {
        it(`${stack} passes every mandatory rule`, async () => {
            const violations = await evaluatePolicies(MANDATORY, await okRun(stack), packConfig(stack));
            assert.deepEqual(violations, []);
        });
    }

    it("tests every mandatory rule in one test file of its module: aws/eks, aws/ecr-kms-iam, kubernetes/pods, kubernetes/objects or rollouts", () => {
        assert.deepEqual(
            [EKS_RULES, ECR_KMS_IAM_RULES, POD_RULES, OBJECT_RULES, ROLLOUT_RULES]
                .flatMap(mandatoryNames)
                .sort(),
            MANDATORY.map((p) => p.name).sort(),
        );
    });
});

describe("policy pack: pack config", () => {
    it("refuses pack config of the wrong type, as the engine does", async () => {
        await assert.rejects(
            evaluatePolicies(ALL, await okRun("prod"), {
                "eks-public-endpoint-restricted": { production: "yes" },
            }),
            /eks-public-endpoint-restricted: config production is "yes", not a boolean/,
        );
    });

    it("a rule can be turned off for a stack through pack config", async () => {
        const run = broken(
            await okRun("dev"),
            "aws:ecr/repository:Repository",
            (i) => (i.imageTagMutability = "MUTABLE"),
        );
        const violations = await evaluatePolicies(ALL, run, {
            "ecr-immutable-tags": { enforcementLevel: "disabled" },
        });
        assert.deepEqual(
            violations.filter((v) => v.level === "mandatory"),
            [],
        );
    });
});

/** Every path to an object-valued key inside a value (lists are walked, their items kept). */
function objectKeys(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, v]) => {
        const path = [...at, Array.isArray(value) ? Number(key) : key];
        const here = typeof v === "object" && v !== null && !Array.isArray(value) ? [path] : [];
        return [...here, ...objectKeys(v, path)];
    });
}

describe("policy pack: absent values", () => {
    it("no rule throws, whatever object of a resource's inputs is absent", async () => {
        const run = await okRun("dev");
        let tried = 0;
        for (const [index, r] of run.registrations.entries()) {
            for (const path of objectKeys(r.inputs)) {
                const inputs = structuredClone(r.inputs);
                let parent = inputs as Inputs;
                for (const key of path.slice(0, -1)) parent = parent[key];
                delete parent[path.at(-1)!];
                const registrations = run.registrations.map((x, i) => (i === index ? { ...x, inputs } : x));
                await evaluatePolicies(ALL, { ...run, registrations }, packConfig("dev")).catch((e: Error) =>
                    assert.fail(`${r.type} ${r.name} without ${path.join(".")}: ${e.stack}`),
                );
                tried++;
            }
        }
        assert.ok(tried > 100, `${tried} objects taken away`);
    });

    it("no rule throws when a node group's subnets are not the stack's (an adopted VPC's plain IDs)", async () => {
        const run = await okRun("dev");
        const adopted = {
            ...run,
            registrations: run.registrations.map((r) =>
                r.type === "aws:eks/nodeGroup:NodeGroup" ? { ...r, propertyDependencies: {} } : r,
            ),
        };
        assert.deepEqual(await firing(adopted, "dev"), []);
    });
});

describe("policy pack: packaging", () => {
    it("pins the same SDK versions as the program, so the tests exercise what the CLI will load", () => {
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        const rootVersions = { ...root.dependencies, ...root.devDependencies };
        for (const [name, version] of Object.entries(pack.dependencies))
            assert.equal(version, rootVersions[name], name);
        assert.match(
            fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8"),
            /^runtime: nodejs$/m,
        );
    });

    it("registers every rule of every module in the pack, once, from its entry file", () => {
        // Load the real entry file with a PolicyPack that records what it is given instead of
        // serving it to the CLI.
        const id = require.resolve("@pulumi/policy");
        const entry = require.resolve("../../policy/index.ts");
        const cached = require.cache[id]!;
        const real = cached.exports;
        const packs: { name: string; policies: { name: string }[] }[] = [];
        cached.exports = {
            ...real,
            PolicyPack: class {
                constructor(name: string, args: { policies: { name: string }[] }) {
                    packs.push({ name, policies: args.policies });
                }
            },
        };
        try {
            delete require.cache[entry];
            require(entry);
        } finally {
            cached.exports = real;
            delete require.cache[entry];
        }
        assert.equal(packs.length, 1);
        // The pack is published on its own (pulumi policy publish policy), so its name is its own.
        assert.match(packs[0].name, /^[\w.-]+$/, "a name Pulumi Cloud accepts for a pack");
        assert.deepEqual(
            packs[0].policies.map((p) => p.name),
            ALL.map((p) => p.name),
        );
    });
});

describe("policy pack: production config file", () => {
    it("policy/prod.json marks production for the rules that read it", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "prod.json"), "utf8"));
        assert.deepEqual(config, packConfig("prod"));
    });
});
