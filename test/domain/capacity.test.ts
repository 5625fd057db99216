import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { allocatable, fit, quotaProblem, room } from "../../domain/capacity";
import { instanceType } from "../../domain/instancetypes";
import { runStack } from "../../offline";
import { ROOT } from "../../offline/stack-config";
import { EC2_PRICES, PRICING } from "../../plan/prices";
import { renderChecks, styleFor } from "../../plan/report";
import { P, eksStacks, okRun } from "../helpers";

describe("capacity: the node group at its largest holds the workload at its largest", () => {
    it("reserves what the EKS AMI reserves: 70m of 2 vCPUs, 255 MiB + 11 MiB a pod and 100 MiB for eviction", () => {
        assert.deepEqual(allocatable(instanceType("m6i.large")!), {
            cpu: 2000 - 70,
            memoryMiB: Math.floor(8192 * 0.95) - (255 + 11 * 29) - 100,
            pods: 29,
        });
        assert.equal(allocatable(instanceType("t3.xlarge")!).cpu, 4000 - 80);
    });

    it("counts the add-ons once and the system pods on every node, and takes the smallest type", () => {
        // m6i.large: 1930m - 150m of system pods = 1780m, three 500m pods; the add-ons' 400m leave two.
        assert.deepEqual(
            fit(
                { instanceTypes: ["m6i.large"], maxSize: 6 },
                { cpuRequest: "500m", memoryRequest: "384Mi", maxReplicas: 12 },
            ),
            {
                instanceType: "m6i.large",
                holds: 2 + 5 * 3,
                needs: 13,
            },
        );
        assert.equal(
            fit(
                { instanceTypes: ["t3.large", "t3.medium"], maxSize: 2 },
                { cpuRequest: "250m", memoryRequest: "3Gi", maxReplicas: 1 },
            ).instanceType,
            "t3.medium",
        );
    });

    it("counts the add-ons' memory once too, where memory binds (a mutant of any of its figures changes the count)", () => {
        // m6i.large: 7782 MiB less 574 kube-reserved and 100 eviction = 7108; less 128 on every node
        // = 6980, four pods of 1457Mi. Less the add-ons' 1152 MiB (coredns 2 x 70, metrics-server 200,
        // the autoscaler 300, the controller 2 x 128, cert-manager 96 + 32 + 128) = 5828: exactly
        // four, so 1 MiB more for the add-ons would make it three, 1457 less five. CPU binds neither.
        assert.equal(
            fit(
                { instanceTypes: ["m6i.large"], maxSize: 2 },
                { cpuRequest: "100m", memoryRequest: "1457Mi", maxReplicas: 1 },
            ).holds,
            4 + 4,
        );
        // And where pods bind: t3.medium takes 17, less 3 on every node = 14, less the add-ons' 9 = 5.
        assert.equal(
            fit(
                { instanceTypes: ["t3.medium"], maxSize: 2 },
                { cpuRequest: "10m", memoryRequest: "16Mi", maxReplicas: 1 },
            ).holds,
            5 + 14,
        );
    });

    it("counts the add-ons' CPU once, where CPU binds (a mutant of any of its figures changes the count)", () => {
        // m6i.large: 1930m less 150m on every node = 1780m, 14 pods of 125m. Less the add-ons' 530m
        // (coredns 2 x 100m, metrics-server 100m, the autoscaler 100m, the controller 2 x 50m,
        // cert-manager 3 x 10m) = 1250m: exactly 10, so 1m more for the add-ons would make it 9, 125m
        // less 11. Memory and pods bind neither.
        assert.equal(
            fit(
                { instanceTypes: ["m6i.large"], maxSize: 2 },
                { cpuRequest: "125m", memoryRequest: "64Mi", maxReplicas: 1 },
            ).holds,
            10 + 14,
        );
    });

    it("names the type that holds least, and of equals the first listed", () => {
        const workload = { cpuRequest: "80m", memoryRequest: "64Mi", maxReplicas: 1 };
        const least = (instanceTypes: string[]) => fit({ instanceTypes, maxSize: 2 }, workload).instanceType;
        assert.equal(least(["t3.medium", "m6i.xlarge"]), "t3.medium");
        assert.equal(least(["m6i.xlarge", "t3.medium", "m6i.large"]), "t3.medium");
        // m5.large and m6i.large: 2 vCPUs, 8 GiB and 29 pods each.
        assert.equal(least(["m5.large", "m6i.large"]), "m5.large");
        assert.equal(least(["m6i.large", "m5.large"]), "m6i.large");
    });

    it("every committed stack fits, prod included", async () => {
        for (const stack of eksStacks()) await okRun(stack);
    });

    it("refuses a stack that does not fit, with the numbers, before any resource", async () => {
        // prod at its three nodes, without room to scale: the issue's Pending pods at peak.
        const run = await runStack("prod", { overrides: { [`${P}:nodeMaxSize`]: "3" } });
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `${P}:workloadMaxReplicas: got 12, expected at most 7: nodeMaxSize=3 nodes of m6i.large hold 8 pods of 500m CPU and 384Mi, one of them a rollout's surge pod (docs/configuration.md, "Node capacity")`,
        ]);
    });

    it("knows the size of every instance type the plan can price, and refuses one it does not know, naming the nearest", async () => {
        for (const region of Object.values(PRICING.regions))
            for (const type of Object.keys(region.ec2Hour)) assert.ok(instanceType(type), type);
        for (const type of Object.keys(EC2_PRICES.types)) assert.ok(instanceType(type), type);
        const run = await runStack("dev", { overrides: { [`${P}:instanceTypes`]: '["m7i.lrage"]' } });
        assert.ok(
            run.error!.message.includes(
                `${P}:instanceTypes: got "m7i.lrage", expected an EC2 instance type (domain/data/instance-types.json lists 1386); did you mean m7i.large?`,
            ),
            run.error!.message,
        );
    });

    it("comes from a generator that names each source with its version and date", () => {
        const table = JSON.parse(fs.readFileSync(path.join(ROOT, "domain/data/instance-types.json"), "utf8"));
        assert.equal(table.generator, "scripts/instance-types.py (npm run data:instance-types)");
        assert.ok(fs.existsSync(path.join(ROOT, "scripts/instance-types.py")));
        assert.equal(table.sources.length, 2);
        for (const source of table.sources) assert.match(source, /\d+\.\d+\.\d+ .*\d{4}-\d{2}-\d{2}/);
    });

    it("holds EC2's published figures for the types the stacks used before the table (a check on the generator)", () => {
        const published: Record<string, [number, number, string, number]> = {
            "t3.medium": [2, 4096, "amd64", 17],
            "t3.xlarge": [4, 16384, "amd64", 58],
            "m6i.large": [2, 8192, "amd64", 29],
            "c6i.large": [2, 4096, "amd64", 29],
            "t4g.medium": [2, 4096, "arm64", 17],
            "m7g.large": [2, 8192, "arm64", 29],
            "c7g.large": [2, 4096, "arm64", 29],
        };
        for (const [name, [vcpus, memoryMiB, architecture, maxPods]] of Object.entries(published))
            assert.deepEqual(instanceType(name), { vcpus, memoryMiB, architecture, maxPods }, name);
    });

    for (const [type, line] of [
        ["m7i.xlarge", "Capacity at nodeMaxSize: 3 × m7i.xlarge hold"],
        ["c7g.large", "Capacity at nodeMaxSize: 3 × c7g.large hold"],
        ["r6i.large", "Capacity at nodeMaxSize: 3 × r6i.large hold"],
        ["t3.small", "Capacity at nodeMaxSize: 3 × t3.small hold"],
    ]) {
        it(`plans dev on ${type}, any type EC2 lists, with its capacity line`, async () => {
            const run = await okRun("dev", { overrides: { [`${P}:instanceTypes`]: JSON.stringify([type]) } });
            const checks = renderChecks(
                run,
                new Date("2026-11-30T12:00:00Z"),
                styleFor({ isTTY: false } as NodeJS.WriteStream),
            );
            const room = fit(
                { instanceTypes: [type], maxSize: 3 },
                { cpuRequest: "250m", memoryRequest: "256Mi", maxReplicas: 4 },
            );
            assert.ok(checks.includes(`${line} ${room.holds} pods`), checks);
        });
    }
});

describe("capacity: a tenant's quota", () => {
    const workload = { cpuRequest: "250m", memoryRequest: "256Mi", maxReplicas: 4 };
    const quota = { cpu: "1250m", memory: "1280Mi", pods: 5 };

    it("holds the HPA's maximum and a surge pod exactly at its limit, in each of CPU, memory and pods", () => {
        assert.equal(quotaProblem(quota, workload), undefined);
        const short = (q: typeof quota) => quotaProblem(q, workload);
        assert.match(
            short({ ...quota, cpu: "1249m" })!,
            /^at most 3: the namespace's quota \(1249m CPU, 1280Mi and 5 pods\) holds 4 pods/,
        );
        assert.match(
            short({ ...quota, memory: "1279Mi" })!,
            /^at most 3: .* holds 4 pods of 250m CPU and 256Mi, one of them a rollout's surge pod$/,
        );
        assert.match(short({ ...quota, pods: 4 })!, /^at most 3: /);
    });

    it("with room for two pods, one replica and its surge: at most 1", () => {
        assert.match(
            quotaProblem({ cpu: "500m", memory: "1Gi", pods: 5 }, workload)!,
            /^at most 1: the namespace's quota \(500m CPU, 1024Mi and 5 pods\) holds 2 pods/,
        );
    });

    it("asks for a larger quota when not even one replica and its surge pod fit", () => {
        assert.equal(
            quotaProblem({ cpu: "400m", memory: "1Gi", pods: 5 }, workload),
            "a larger quota or smaller pods: the namespace's quota (400m CPU, 1024Mi and 5 pods) holds 1 pods of 250m CPU and 256Mi, and one replica needs room for two (a rollout's surge pod)",
        );
    });

    it("what the nodes leave is the least of the instance types', each of CPU, memory and pods", () => {
        const one = room({ instanceTypes: ["t3.medium"], maxSize: 1 });
        const both = room({ instanceTypes: ["t3.medium", "m5.large"], maxSize: 1 });
        assert.deepEqual(both, one);
        assert.deepEqual(room({ instanceTypes: ["t3.medium"], maxSize: 3 }), {
            cpu: 4810,
            memoryMiB: 8511,
            pods: 33,
        });
    });
});
