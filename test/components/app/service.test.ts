import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { AppService, AppServiceArgs } from "../../../components/app/service";
import { shutdown } from "../../../components/app/shutdown";
import { urnsOf } from "../../../offline";
import { all, builtAlone, inputs, one } from "../../helpers";

// components/app/service.ts, built alone: how clients reach the app's pods, an NLB of its own or a
// host on the platform's shared ALB.

const SHARED = { className: "shared", host: "api.dev.shop.io" };

/** The AppService of app api, with `more` of its args, under a component of `parentType` if given. */
const build = (
    eks?: Partial<NonNullable<AppServiceArgs["eks"]>>,
    more: Partial<AppServiceArgs> = {},
    parentType?: string,
) =>
    builtAlone(() => {
        const parent = parentType ? new pulumi.ComponentResource(parentType, "app") : undefined;
        const entry = new AppService(
            "service",
            {
                name: "api",
                namespace: pulumi.output("api"),
                labels: { app: "api" },
                selector: { app: "api" },
                targetPort: "http",
                sourceRanges: ["198.51.100.0/24"],
                shutdown: shutdown(eks !== undefined),
                eks: eks && { loadBalancerSubnetIds: ["subnet-a"], crossZone: true, ...eks },
                ...more,
            },
            parent && { parent },
        );
        return { url: entry.url };
    });

describe("AppService", () => {
    it("by default a LoadBalancer Service, an NLB on EKS, admitting the client ranges", async () => {
        const run = await build({});
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.equal(service.spec.type, "LoadBalancer");
        assert.deepEqual(service.spec.loadBalancerSourceRanges, ["198.51.100.0/24"]);
        assert.equal(
            service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-type"],
            "external",
        );
        assert.equal(all(run, "kubernetes:networking.k8s.io/v1:Ingress").length, 0);
        // Its URL is the NLB's name, once the controller has given the Service one.
        const url = "http://a19a45d47c4e4947eb-708704b8536ce348.elb.us-west-2.amazonaws.com";
        assert.equal(run.outputs.url, url);
        assert.deepEqual(run.componentOutputs[one(run, "flask-eks:index:AppService").urn], { url });
    });

    it("on the shared entry: a ClusterIP Service with no NLB, and an Ingress of the shared class for the app's host", async () => {
        const run = await build({ sharedEntry: SHARED });
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.equal(service.spec.type, "ClusterIP");
        assert.equal(service.metadata.annotations, undefined);
        assert.equal(service.spec.loadBalancerSourceRanges, undefined);
        assert.deepEqual(service.spec.ports, [
            { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
        ]);
        const ingress = inputs(one(run, "kubernetes:networking.k8s.io/v1:Ingress"));
        assert.equal(ingress.spec.ingressClassName, "shared");
        assert.deepEqual(ingress.spec.rules, [
            {
                host: "api.dev.shop.io",
                http: {
                    paths: [
                        {
                            path: "/",
                            pathType: "Prefix",
                            backend: { service: { name: "api", port: { name: "http" } } },
                        },
                    ],
                },
            },
        ]);
        // Its URL is the app's host, once the Ingress is admitted; TLS ends at the shared ALB.
        assert.equal(run.outputs.url, "https://api.dev.shop.io");
        assert.deepEqual(run.componentOutputs[one(run, "flask-eks:index:AppService").urn], {
            url: "https://api.dev.shop.io",
        });
        assert.equal(ingress.spec.tls, undefined);
        assert.equal(ingress.spec.defaultBackend, undefined);
        assert.deepEqual(ingress.metadata.annotations, {
            "alb.ingress.kubernetes.io/healthcheck-path": "/readyz",
            "alb.ingress.kubernetes.io/healthcheck-interval-seconds": "10",
            "alb.ingress.kubernetes.io/healthcheck-timeout-seconds": "6",
            "alb.ingress.kubernetes.io/healthy-threshold-count": "2",
            "alb.ingress.kubernetes.io/unhealthy-threshold-count": "2",
            "alb.ingress.kubernetes.io/target-group-attributes": `deregistration_delay.timeout_seconds=${shutdown(true).servingSeconds}`,
        });
    });

    it("with a certificate the NLB's port is https on 443; the shared entry's is http, TLS ending at the ALB", async () => {
        const tls = await build(
            { crossZone: false },
            { tlsCertificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/x" },
        );
        assert.deepEqual(
            inputs(one(tls, "kubernetes:core/v1:Service")).spec.ports.map(
                (p: { name: string; port: number }) => [p.name, p.port],
            ),
            [["https", 443]],
        );
    });

    it("moves the Service under it from the component that made it, keeping its URN by an alias", async () => {
        const run = await build(undefined, {}, "flask-eks:index:Workload");
        const service = one(run, "kubernetes:core/v1:Service");
        assert.equal(service.parent, one(run, "flask-eks:index:AppService").urn);
        const before = service.urn.replace("flask-eks:index:AppService$", "flask-eks:index:Workload$");
        assert.ok(urnsOf(run, service).includes(before), urnsOf(run, service).join("\n"));
        // Built with no parent there is nothing to alias from.
        const alone = await build(undefined);
        assert.deepEqual(one(alone, "kubernetes:core/v1:Service").options.aliases, []);
    });
});
