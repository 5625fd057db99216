// The plan's resource tree and critical path (plan/graph.ts).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TreeNode, criticalPath, resourceTree } from "../../plan/graph";
import { eksStacks, okRun } from "../helpers";

describe("plan: resource tree and critical path", () => {
    for (const stack of eksStacks()) {
        it(`${stack}: the tree holds every registration once, components under the stack`, async () => {
            const run = await okRun(stack);
            const root = resourceTree(run);
            const seen: string[] = [];
            const walk = (n: TreeNode) => {
                seen.push(n.registration.urn);
                n.children.forEach(walk);
            };
            walk(root);
            assert.deepEqual(seen.sort(), run.registrations.map((r) => r.urn).sort());
            const components = root.children
                .filter((c) => !c.registration.custom)
                .map((c) => c.registration.type);
            assert.deepEqual(components, [
                "flask-eks:index:Network",
                "flask-eks:index:Cluster",
                "flask-eks:index:Image",
                "flask-eks:index:Workload",
            ]);
        });

        it(`${stack}: the critical path runs through the cluster and nodes, and the image build is off it`, async () => {
            const run = await okRun(stack);
            const critical = criticalPath(run);
            const types = critical.chain.map((s) => s.registration.type);
            // cert-manager, the Load Balancer Controller that waits for it, then the Service it serves.
            for (const t of [
                "aws:eks/cluster:Cluster",
                "aws:eks/nodeGroup:NodeGroup",
                "kubernetes:helm.sh/v3:Release",
                "kubernetes:core/v1:Service",
            ]) {
                assert.ok(types.includes(t), t);
            }
            assert.ok(!types.includes("docker:index/image:Image"));
            // The chain is contiguous: each step starts when the one before it finishes.
            critical.chain.slice(1).forEach((s, i) => assert.equal(s.start, critical.chain[i].finish));
            assert.equal(critical.totalSeconds, critical.chain.at(-1)!.finish);
            const image = [...critical.steps.values()].find(
                (s) => s.registration.type === "docker:index/image:Image",
            )!;
            assert.ok(
                image.finish < critical.totalSeconds / 2,
                "the build finishes long before the cluster is ready",
            );
        });
    }
});

describe("plan: the critical path of an app on the shared entry", () => {
    it("waits on the Ingress for the ALB, and on its ClusterIP Service for nothing", async () => {
        const path = criticalPath(await okRun("dev-api"));
        const took = (type: string) => path.chain.find((s) => s.registration.type === type)?.seconds;
        assert.equal(took("kubernetes:core/v1:Service"), 1);
        assert.equal(took("kubernetes:networking.k8s.io/v1:Ingress"), 120);
        // An NLB's Service still waits for its load balancer.
        const nlb = criticalPath(await okRun("dev-web")).chain.find(
            (s) => s.registration.type === "kubernetes:core/v1:Service",
        );
        assert.equal(nlb?.seconds, 120);
    });
});
