import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ingressSources } from "../../../components/app/networkpolicies";
import { subnetCidr } from "../../../components/platform/network";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, all, eksStacks, inputs, okRun, one } from "../../helpers";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`network policies (${stack})`, () => {
        it("denies all traffic in the namespace but the app's port from the load balancer's sources, and DNS", async () => {
            const run = await okRun(stack);
            const policies = Object.fromEntries(
                all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => [
                    p.name,
                    inputs(p).spec,
                ]),
            );
            assert.deepEqual(policies["default-deny"], {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
            });
            const web = policies.web;
            // Both in the app's namespace, by their names; the app's selects the Deployment's pods.
            const deployment = inputs(one(run, "kubernetes:apps/v1:Deployment"));
            for (const p of all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy"))
                assert.deepEqual(
                    [inputs(p).metadata.name, inputs(p).metadata.namespace],
                    [p.name, deployment.metadata.namespace],
                );
            assert.deepEqual(web.podSelector, { matchLabels: deployment.spec.template.metadata.labels });
            assert.deepEqual(web.policyTypes, ["Ingress", "Egress"]);
            // Clients keep their addresses through the NLB: the world, but not the VPC, where every pod
            // has its address. Health checks come from the NLB's own addresses in the public subnets.
            const vpcCidr = inputs(one(run, "aws:ec2/vpc:Vpc")).cidrBlock;
            const publicSubnets = Array.from({ length: Number(config[`${P}:azCount`]) }, (_, i) =>
                subnetCidr(vpcCidr, "public", i),
            );
            assert.deepEqual(JSON.parse(config[`${P}:lbSourceRanges`]), ["0.0.0.0/0"]);
            assert.deepEqual(web.ingress[0].from, [
                { ipBlock: { cidr: "0.0.0.0/0", except: [vpcCidr] } },
                ...publicSubnets.map((cidr) => ({ ipBlock: { cidr } })),
            ]);
            assert.deepEqual(web.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
            assert.equal(web.egress.length, 1, "DNS only");
            assert.deepEqual(web.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
            // EKS enforces NetworkPolicy only through the VPC CNI's network policy agent.
            const cni = all(run, "aws:eks/addon:Addon").find((a) => a.name === "vpc-cni")!;
            assert.deepEqual(JSON.parse(inputs(cni).configurationValues), { enableNetworkPolicy: "true" });
        });
    });
}

describe("where the app's port admits traffic from", () => {
    const nlb = { vpcCidrs: ["10.30.0.0/16"], subnetCidrs: ["10.30.192.0/22", "10.30.196.0/22"] };

    it("behind an NLB: a client range holding the VPC, less the VPC, and the NLB's subnets", () => {
        assert.deepEqual(ingressSources(["0.0.0.0/0"], nlb), [
            { cidr: "0.0.0.0/0", except: ["10.30.0.0/16"] },
            { cidr: "10.30.192.0/22" },
            { cidr: "10.30.196.0/22" },
        ]);
    });

    it("behind an NLB: less every CIDR of the VPC that the range holds", () => {
        const twoCidrs = { ...nlb, vpcCidrs: ["10.30.0.0/16", "100.64.0.0/16"] };
        assert.deepEqual(ingressSources(["0.0.0.0/0", "10.0.0.0/8"], twoCidrs).slice(0, 2), [
            { cidr: "0.0.0.0/0", except: ["10.30.0.0/16", "100.64.0.0/16"] },
            { cidr: "10.0.0.0/8", except: ["10.30.0.0/16"] },
        ]);
    });

    it("behind an NLB: a client range inside any CIDR of the VPC left out", () => {
        const twoCidrs = { ...nlb, vpcCidrs: ["10.30.0.0/16", "100.64.0.0/16"] };
        assert.deepEqual(ingressSources(["100.64.1.0/24", "203.0.113.0/24"], twoCidrs).slice(0, 2), [
            { cidr: "203.0.113.0/24" },
            { cidr: "10.30.192.0/22" },
        ]);
    });

    it("behind an NLB: a client range apart from the VPC as it is; one inside it, or the VPC itself, left out", () => {
        assert.deepEqual(ingressSources(["203.0.113.0/24", "10.30.0.0/16", "10.30.64.0/18"], nlb), [
            { cidr: "203.0.113.0/24" },
            { cidr: "10.30.192.0/22" },
            { cidr: "10.30.196.0/22" },
        ]);
    });

    it("without one (the local target): the client ranges alone", () => {
        assert.deepEqual(ingressSources(["127.0.0.0/8"]), [{ cidr: "127.0.0.0/8" }]);
    });
});
