import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SharedEntry } from "../../../components/platform/sharedentry";
import { all, builtAlone, inputs, one } from "../../helpers";

// components/platform/sharedentry.ts, built alone: the platform's one ALB for its tenants' hosts.

const build = (opts?: pulumi.ComponentResourceOptions) =>
    builtAlone(() => {
        const controller = new k8s.core.v1.ConfigMap("lb-controller", {});
        const entry = new SharedEntry(
            "shared-entry",
            {
                domain: "dev.shop.io",
                hostedZoneId: "Z0123456789ABCDEFGHIJ",
                className: "shared",
                subnetIds: ["subnet-a", "subnet-b"],
                sourceRanges: ["198.51.100.0/24"],
                loadBalancerController: controller,
            },
            opts,
        );
        return { className: entry.className };
    });

describe("SharedEntry", () => {
    it("a certificate for every host under the domain, validated in its zone", async () => {
        const run = await build();
        assert.equal(inputs(one(run, "aws:acm/certificate:Certificate")).domainName, "*.dev.shop.io");
        assert.equal(inputs(one(run, "aws:route53/record:Record")).zoneId, "Z0123456789ABCDEFGHIJ");
        // Its own name points nowhere: each app's record points at the ALB.
        assert.equal(all(run, "aws:route53/record:Record").length, 1);
    });

    it("the class and its parameters, made after the controller that serves their kind", async () => {
        const run = await build();
        const controller = one(run, "kubernetes:core/v1:ConfigMap");
        const params = one(run, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams");
        const ingressClass = one(run, "kubernetes:networking.k8s.io/v1:IngressClass");
        for (const r of [params, ingressClass]) assert.ok(r.dependencies.includes(controller.urn), r.type);
        const spec = inputs(params).spec;
        assert.deepEqual(
            [spec.group, spec.subnets, spec.inboundCIDRs],
            [{ name: "shared" }, { ids: ["subnet-a", "subnet-b"] }, ["198.51.100.0/24"]],
        );
        assert.equal(inputs(ingressClass).metadata.name, "shared");
        assert.deepEqual(run.componentOutputs[one(run, "flask-eks:index:SharedEntry").urn], {
            className: "shared",
        });
    });

    it("built with no options, its children are its own", async () => {
        const run = await build();
        const entry = one(run, "flask-eks:index:SharedEntry");
        for (const type of [
            "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
            "kubernetes:networking.k8s.io/v1:IngressClass",
            "flask-eks:index:PublicName",
        ])
            assert.equal(one(run, type).parent, entry.urn, type);
    });
});
