import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runStack } from "../../../offline";
import { manifestsOf, validateManifests } from "../../../offline/manifests";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, all, eksStacks, inputs, okRun, one, waitsFor } from "../../helpers";

const SERVICE = "kubernetes:core/v1:Service";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`the load balancer (${stack})`, () => {
        it("asks the AWS Load Balancer Controller for an internet-facing NLB in the public subnets, with pod IP targets, health-checking /readyz", async () => {
            const run = await okRun(stack);
            const service = inputs(one(run, SERVICE));
            assert.equal(service.spec.type, "LoadBalancer");
            const prefix = "service.beta.kubernetes.io/aws-load-balancer";
            assert.deepEqual(service.metadata.annotations, {
                [`${prefix}-type`]: "external",
                [`${prefix}-nlb-target-type`]: "ip",
                [`${prefix}-scheme`]: "internet-facing",
                [`${prefix}-subnets`]: all(run, "aws:ec2/subnet:Subnet")
                    .filter((s) => inputs(s).tags["kubernetes.io/role/elb"])
                    .map((s) => s.id)
                    .join(","),
                [`${prefix}-target-group-attributes`]:
                    "preserve_client_ip.enabled=true,deregistration_delay.timeout_seconds=145," +
                    "deregistration_delay.connection_termination.enabled=true",
                [`${prefix}-attributes`]: `load_balancing.cross_zone.enabled=${config[`${P}:lbCrossZone`]}`,
                [`${prefix}-healthcheck-protocol`]: "HTTP",
                [`${prefix}-healthcheck-path`]: "/readyz",
                [`${prefix}-healthcheck-port`]: "traffic-port",
                [`${prefix}-healthcheck-interval`]: "10",
                [`${prefix}-healthcheck-timeout`]: "6",
                [`${prefix}-healthcheck-healthy-threshold`]: "2",
                [`${prefix}-healthcheck-unhealthy-threshold`]: "2",
            });
            // The NLB's security group admits only these clients.
            assert.deepEqual(
                service.spec.loadBalancerSourceRanges,
                JSON.parse(config[`${P}:lbSourceRanges`]),
            );
        });

        it("makes the Service after the controller and deletes it (and its NLB) before the controller goes", async () => {
            const run = await okRun(stack);
            const service = one(run, SERVICE);
            const controller = one(run, "kubernetes:helm.sh/v3:Release", "lb-controller");
            // Pulumi deletes in the reverse order of dependencies: the Service while the controller runs.
            assert.ok(service.dependencies.includes(controller.urn));
            assert.ok(
                waitsFor(run, controller, one(run, "aws:iam/rolePolicy:RolePolicy", "lb-controller-policy")),
            );
        });

        it("replaces the Service rather than hand it to another controller in place, which would leak the old NLB", async () => {
            const service = one(await okRun(stack), SERVICE);
            assert.deepEqual(service.options.replaceOnChanges, [
                'metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]',
            ]);
            // Same name: the old one must go first.
            assert.equal(service.options.deleteBeforeReplace, true);
        });
    });
}

describe("TLS on the load balancer", () => {
    const arn = "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";

    it("with a certificate, the NLB terminates TLS on 443 with a TLS 1.3/1.2 policy, and the url is https", async () => {
        const run = await okRun("dev", { overrides: { [`${P}:tlsCertificateArn`]: arn } });
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.deepEqual(service.spec.ports, [
            { name: "https", port: 443, targetPort: "http", protocol: "TCP" },
        ]);
        const annotations = service.metadata.annotations;
        assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], arn);
        // The controller matches ssl-ports against the port's name (or number).
        assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"], "https");
        assert.equal(
            annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"],
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
        );
        assert.match(String(run.outputs.url), /^https:\/\//);
        const result = validateManifests(manifestsOf(run), "1.35");
        assert.ok(result.ok, result.output);
    });

    it("without one, plain HTTP on 80 and no TLS annotation", async () => {
        const run = await okRun("dev");
        const service = inputs(one(run, "kubernetes:core/v1:Service"));
        assert.deepEqual(
            service.spec.ports.map((p: { port: number }) => p.port),
            [80],
        );
        assert.ok(!Object.keys(service.metadata.annotations).some((k) => k.includes("ssl")));
        assert.match(String(run.outputs.url), /^http:\/\//);
    });

    it("is refused on the local target, whose load balancer takes no ACM certificate", async () => {
        const run = await runStack("local", { overrides: { [`${P}:tlsCertificateArn`]: arn } });
        assert.match(
            run.error!.message,
            /tlsCertificateArn: got .*, expected empty: the local target's load balancer/,
        );
    });
});
