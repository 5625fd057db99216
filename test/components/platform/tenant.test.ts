import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Tenant } from "../../../components/platform/tenant";
import { all, builtAlone, inputs, one } from "../../helpers";

// components/platform/tenant.ts, built alone: one app's room on a shared cluster.

const build = (behindNlb: boolean, sharedHost?: string, namespace = "web") =>
    builtAlone(() => {
        const tenant = new Tenant("web", {
            cpu: "1500m",
            memory: "2Gi",
            pods: 10,
            behindNlb,
            sharedHost,
            namespace,
        });
        return { namespace: tenant.namespace };
    });

describe("Tenant", () => {
    it("makes the app's namespace, restricted, with the NLB's readiness gate where there is one", async () => {
        const eks = inputs(one(await build(true), "kubernetes:core/v1:Namespace"));
        assert.equal(eks.metadata.name, "web");
        assert.equal(eks.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(eks.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        const local = inputs(one(await build(false), "kubernetes:core/v1:Namespace"));
        assert.equal(local.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(local.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], undefined);
    });

    it("caps what the namespace's pods request in all, their count, its load balancers at one and its Ingresses at none", async () => {
        const run = await build(true);
        const quota = inputs(one(run, "kubernetes:core/v1:ResourceQuota"));
        assert.equal(quota.metadata.namespace, "web");
        assert.deepEqual(quota.spec.hard, {
            "requests.cpu": "1500m",
            "requests.memory": "2Gi",
            pods: "10",
            "services.loadbalancers": "1",
            "count/ingresses.networking.k8s.io": "0",
        });
    });

    it("on the shared entry: the namespace says so and names its one host, and its quota holds one Ingress and no load balancer", async () => {
        const run = await build(true, "web.dev.example.com");
        const { metadata } = inputs(one(run, "kubernetes:core/v1:Namespace"));
        assert.equal(metadata.labels["flask-eks/entry"], "shared");
        assert.deepEqual(metadata.annotations, { "flask-eks/host": "web.dev.example.com" });
        const hard = inputs(one(run, "kubernetes:core/v1:ResourceQuota")).spec.hard;
        assert.equal(hard["services.loadbalancers"], "0");
        assert.equal(hard["count/ingresses.networking.k8s.io"], "1");
        const own = inputs(one(await build(true), "kubernetes:core/v1:Namespace")).metadata;
        assert.equal(own.labels["flask-eks/entry"], "own");
        assert.equal(own.annotations, undefined);
    });

    it("names the namespace as its tenant says, the app's own name by default, its quota and limits in it", async () => {
        const run = await build(true, undefined, "flask-app");
        assert.equal(inputs(one(run, "kubernetes:core/v1:Namespace")).metadata.name, "flask-app");
        for (const type of ["kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange"])
            assert.deepEqual(
                inputs(one(run, type)).metadata,
                { name: "tenant", namespace: "flask-app" },
                type,
            );
        assert.equal(one(run, "kubernetes:core/v1:Namespace").name, "web");
        // What the app's workload is put in: the namespace's name, once it exists.
        const tenant = one(run, "flask-eks:index:Tenant");
        assert.deepEqual(run.componentOutputs[tenant.urn], { namespace: "flask-app" });
    });

    it("gives a container that states no requests some, so the quota can count it", async () => {
        const run = await build(true);
        const limits = inputs(one(run, "kubernetes:core/v1:LimitRange"));
        assert.deepEqual(limits.spec.limits, [
            {
                type: "Container",
                defaultRequest: { cpu: "100m", memory: "128Mi" },
                default: { memory: "256Mi" },
            },
        ]);
        assert.equal(limits.metadata.namespace, "web");
    });

    it("makes its quota and limits after the namespace, and nothing of AWS", async () => {
        const run = await build(true);
        const namespace = one(run, "kubernetes:core/v1:Namespace");
        for (const type of ["kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange"])
            assert.ok(one(run, type).dependencies.includes(namespace.urn), type);
        assert.deepEqual(
            run.registrations.filter((r) => r.type.startsWith("aws:")).map((r) => r.type),
            [],
        );
        assert.equal(all(run, "flask-eks:index:Tenant").length, 1);
    });
});
