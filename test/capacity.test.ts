import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { INSTANCE_SIZES, allocatable, fit } from "../components/capacity";
import { runStack } from "../harness";
import { PRICING } from "../plan/cost";
import { P, eksStacks, okRun } from "./helpers";

describe("capacity: the node group at its largest holds the workload at its largest", () => {
    it("reserves what the EKS AMI reserves: 70m of 2 vCPUs, 255 MiB + 11 MiB a pod and 100 MiB for eviction", () => {
        assert.deepEqual(allocatable(INSTANCE_SIZES["m6i.large"]), {
            cpu: 2000 - 70,
            memoryMiB: Math.floor(8192 * 0.95) - (255 + 11 * 29) - 100,
            pods: 29,
        });
        assert.equal(allocatable(INSTANCE_SIZES["t3.xlarge"]).cpu, 4000 - 80);
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

    it("every committed stack fits, prod included", async () => {
        for (const stack of eksStacks()) await okRun(stack);
    });

    it("refuses a stack that does not fit, with the numbers, before any resource", async () => {
        // prod at its three nodes, without room to scale: the Pending pods at peak.
        const run = await runStack("prod", { overrides: { [`${P}:nodeMaxSize`]: "3" } });
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `${P}:workloadMaxReplicas: got 12, expected at most 7: nodeMaxSize=3 nodes of m6i.large hold 8 pods of 500m CPU and 384Mi after system pods and add-ons, and the HPA's maximum needs one more for the rolling update's surge pod; raise nodeMaxSize, use a larger instance type, or lower the replicas or their requests`,
        ]);
    });

    it("knows the size of every instance type the plan can price, and refuses one it does not know", async () => {
        for (const region of Object.values(PRICING.regions))
            for (const type of Object.keys(region.ec2Hour)) assert.ok(type in INSTANCE_SIZES, type);
        const run = await runStack("dev", { overrides: { [`${P}:instanceTypes`]: '["m8i.large"]' } });
        assert.match(
            run.error!.message,
            /instanceTypes: got "m8i.large", expected a type whose size the capacity check knows/,
        );
    });
});
