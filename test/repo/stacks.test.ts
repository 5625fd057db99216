import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { ROOT, loadStackConfig, readProjectFile } from "../../offline/stack-config";
import { PLATFORM_OUTPUTS } from "../../targets/contract";
import { P, all, awsStacks, committedStacks, eksStacks, inputs, layerOf, okRun, one } from "../helpers";

describe("committed stacks", () => {
    for (const stack of committedStacks()) {
        it(`${stack} evaluates under the mocks with every output present`, async () => {
            const run = await okRun(stack);
            const outputs = {
                all: eksStacks().includes(stack)
                    ? ["url", "imageRef", "namespace", "clusterName", "kubeconfig", "vpcId"]
                    : ["url", "imageRef", "namespace"],
                // What an app stack reads (targets/contract.ts), and what people use.
                platform: awsStacks().includes(stack)
                    ? [...PLATFORM_OUTPUTS, "kubeconfig", "vpcId"]
                    : ["target", "tenants", "nodeArchitecture"],
                app: awsStacks().includes(stack)
                    ? ["url", "imageRef", "namespace", "kubeconfig"]
                    : ["url", "imageRef", "namespace"],
            }[layerOf(stack)]!;
            for (const key of outputs) {
                assert.ok(key in run.outputs, `output ${key}`);
            }
        });

        it(`${stack} holds no plain-text secret`, () => {
            const file = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
                config: Record<string, unknown>;
            };
            for (const [key, value] of Object.entries(file.config)) {
                if (/password|secret|token|private.?key|credential/i.test(key)) {
                    assert.ok(
                        typeof value === "object" && value !== null && "secure" in value,
                        `${key} must be a secure value`,
                    );
                }
                assert.doesNotMatch(JSON.stringify(value), /AKIA[0-9A-Z]{16}|-----BEGIN/, key);
            }
        });

        it(`${stack} sets only keys that Pulumi.yaml declares, plus the AWS provider's`, () => {
            const declared = new Set(
                Object.keys(readProjectFile().config ?? {}).map((k) => (k.includes(":") ? k : `${P}:${k}`)),
            );
            const file = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
                config: Record<string, unknown>;
            };
            for (const key of Object.keys(file.config)) {
                assert.ok(declared.has(key) || key.startsWith("aws:"), key);
            }
        });
    }

    it("dev is cheap: two AZs, exactly one NAT gateway, spot nodes", async () => {
        const run = await okRun("dev");
        assert.equal(all(run, "aws:ec2/natGateway:NatGateway").length, 1);
        assert.equal(all(run, "aws:ec2/subnet:Subnet").length, 4);
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).capacityType, "SPOT");
        assert.equal(one(run, "aws:eks/cluster:Cluster").options.protect, false);
    });

    it("prod: three AZs, a NAT gateway each, on-demand nodes, protection on", async () => {
        const run = await okRun("prod");
        assert.equal(all(run, "aws:ec2/natGateway:NatGateway").length, 3);
        assert.equal(all(run, "aws:ec2/subnet:Subnet").length, 6);
        assert.equal(inputs(one(run, "aws:eks/nodeGroup:NodeGroup")).capacityType, "ON_DEMAND");
        assert.equal(one(run, "aws:eks/cluster:Cluster").options.protect, true);
        assert.equal(one(run, "aws:kms/key:Key").options.protect, true);
    });

    it("prod's API endpoint is open to no one until its owner names the CIDRs", async () => {
        // The placeholder previews as private-only; pulumi up refuses it (test/config/sections/cluster.test.ts).
        const { vpcConfig } = inputs(one(await okRun("prod"), "aws:eks/cluster:Cluster"));
        assert.equal(vpcConfig.endpointPublicAccess, false);
        assert.equal(vpcConfig.publicAccessCidrs, undefined);
    });

    it("staging has prod's shape at a smaller size", () => {
        const staging = loadStackConfig("staging").values;
        const prod = loadStackConfig("prod").values;
        for (const key of ["azCount", "natGateways", "capacityType", "kubernetesVersion"]) {
            assert.equal(staging[`${P}:${key}`], prod[`${P}:${key}`], key);
        }
        assert.ok(Number(staging[`${P}:nodeMaxSize`]) < Number(prod[`${P}:nodeMaxSize`]));
        assert.ok(Number(staging[`${P}:nodeMinSize`]) < Number(prod[`${P}:nodeMinSize`]));
    });

    it("the project disables default providers, so nothing lands in an ambient account or cluster", () => {
        const value = readProjectFile().config?.["pulumi:disable-default-providers"]?.value;
        assert.deepEqual(value, ["aws", "kubernetes"]);
    });

    it("declares every key with a type, a description and a default", () => {
        for (const [key, decl] of Object.entries(readProjectFile().config ?? {})) {
            if (key.includes(":")) continue;
            assert.ok(
                ["string", "integer", "boolean", "array", "object"].includes(decl.type ?? ""),
                `${key} type`,
            );
            assert.ok((decl.description ?? "").length > 10, `${key} description`);
            assert.ok(decl.default !== undefined, `${key} default`);
        }
    });
});
