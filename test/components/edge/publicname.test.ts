import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runStack } from "../../../offline";
import { manifestsOf, validateManifests } from "../../../offline/manifests";
import { P, all, inputs, okRun, one, providerUrn, waitsFor } from "../../helpers";

// hostname: the stack makes the service's certificate and points its name at the NLB
// (components/edge/publicname.ts).

const named = { [`${P}:hostname`]: "shop.example.com", [`${P}:hostedZoneId`]: "Z0123456789ABCDEFGHIJ" };
const problemsOf = async (overrides: Record<string, string>, stack = "dev") =>
    ((await runStack(stack, { overrides })).error as unknown as { problems?: string[] })?.problems ?? [];

describe("hostname: the service's own name", () => {
    it("makes a DNS-validated certificate for the name, through a record in its zone, and the NLB serves TLS with it once issued", async () => {
        const run = await okRun("dev", { overrides: named });
        const certificate = one(run, "aws:acm/certificate:Certificate");
        assert.deepEqual(inputs(certificate), { domainName: "shop.example.com", validationMethod: "DNS" });
        const validationRecord = one(run, "aws:route53/record:Record", "certificate-validation");
        assert.equal(inputs(validationRecord).zoneId, "Z0123456789ABCDEFGHIJ");
        assert.equal(inputs(validationRecord).type, "CNAME");
        assert.match(inputs(validationRecord).name, /^_[0-9a-f]+\.shop\.example\.com\.$/);
        assert.equal(inputs(validationRecord).allowOverwrite, false);
        // The value ACM asked for, as the certificate gives it.
        assert.match(inputs(validationRecord).records[0], /^_[0-9a-f]+\.acm-validations\.aws\.$/);
        assert.equal(inputs(validationRecord).records.length, 1);
        const validation = one(run, "aws:acm/certificateValidation:CertificateValidation");
        assert.ok(waitsFor(run, validation, validationRecord));
        const service = one(run, "kubernetes:core/v1:Service");
        const annotations = inputs(service).metadata.annotations;
        // The validated certificate's ARN: the one ACM issued, as the validation returns it.
        assert.match(inputs(validation).certificateArn, /^arn:aws:acm:us-west-2:123456789012:certificate\//);
        assert.equal(
            annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"],
            inputs(validation).certificateArn,
        );
        // The listener is made only with an issued certificate.
        assert.ok(waitsFor(run, service, validation), "the Service waits for the validation");
        assert.deepEqual(
            inputs(service).spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]),
            [["https", 443]],
        );
        const aws = one(run, "pulumi:providers:aws").urn;
        for (const r of [certificate, validationRecord, validation])
            assert.equal(providerUrn(r.provider), aws, r.type);
        const result = validateManifests(manifestsOf(run), run.config[`${P}:kubernetesVersion`]);
        assert.ok(result.ok, result.output);
    });

    it("points the name at the NLB the controller made for the Service, found by its tags, and the url is https://<hostname>", async () => {
        const run = await okRun("dev", { overrides: named });
        const record = one(run, "aws:route53/record:Record", "web");
        const lookup = run.invokes.find((i) => i.token === "aws:lb/getLoadBalancer:getLoadBalancer")!;
        assert.deepEqual(lookup.inputs.tags, {
            "elbv2.k8s.aws/cluster": `${P}-dev`,
            "service.k8s.aws/stack": "flask-app/web",
        });
        assert.equal(providerUrn(lookup.provider ?? ""), one(run, "pulumi:providers:aws").urn);
        const { zoneId, name, type, aliases, allowOverwrite } = inputs(record);
        assert.deepEqual(
            { zoneId, name, type, allowOverwrite },
            {
                zoneId: "Z0123456789ABCDEFGHIJ",
                name: "shop.example.com",
                type: "A",
                allowOverwrite: false,
            },
        );
        assert.equal(aliases.length, 1);
        assert.match(aliases[0].name, /\.elb\.us-west-2\.amazonaws\.com$/);
        assert.equal(aliases[0].evaluateTargetHealth, true);
        // Made after the Service has its load balancer; on destroy, deleted before it.
        assert.ok(record.dependencies.includes(one(run, "kubernetes:core/v1:Service").urn));
        assert.equal(run.outputs.url, "https://shop.example.com");
        const component = one(run, "flask-eks:index:PublicName");
        assert.deepEqual(run.componentOutputs[component.urn], { url: "https://shop.example.com" });
    });

    it("without one, no certificate, record or lookup, and the url is the NLB's", async () => {
        const run = await okRun("dev");
        for (const type of ["aws:acm/certificate:Certificate", "aws:route53/record:Record"])
            assert.deepEqual(all(run, type), [], type);
        assert.equal(
            run.invokes.some((i) => i.token === "aws:lb/getLoadBalancer:getLoadBalancer"),
            false,
        );
        assert.match(String(run.outputs.url), /^http:\/\/.+\.elb\.us-west-2\.amazonaws\.com$/);
    });

    it("refuses a name without its zone, a zone without a name, a certificate besides, and either on the local target", async () => {
        const zone = named[`${P}:hostedZoneId`];
        assert.deepEqual(await problemsOf({ [`${P}:hostname`]: "shop.example.com" }), [
            `${P}:hostedZoneId: got "", expected the Route 53 hosted zone of shop.example.com, where the stack validates its certificate and points the name`,
        ]);
        assert.deepEqual(await problemsOf({ [`${P}:hostedZoneId`]: zone }), [
            `${P}:hostname: got "", expected a name in the hosted zone ${zone}, or hostedZoneId empty too`,
        ]);
        const arn = "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
        assert.deepEqual(await problemsOf({ ...named, [`${P}:tlsCertificateArn`]: arn }), [
            `${P}:tlsCertificateArn: got "${arn}", expected empty with hostname: the stack makes and renews shop.example.com's certificate itself`,
        ]);
        assert.deepEqual(await problemsOf(named, "local"), [
            `${P}:hostname: got "shop.example.com", expected empty on the local target, which makes no AWS resource`,
        ]);
        assert.deepEqual(await problemsOf({ [`${P}:hostedZoneId`]: zone }, "local"), [
            `${P}:hostedZoneId: got "${zone}", expected empty on the local target, which makes no AWS resource`,
        ]);
    });

    it("refuses a name that is not a lower-case DNS name, and a zone id of another form", async () => {
        assert.deepEqual(
            await problemsOf({ [`${P}:hostname`]: "Shop.Example.com", [`${P}:hostedZoneId`]: "zone-1" }),
            [
                `${P}:hostname: got "Shop.Example.com", expected empty, or a DNS name in lower case, at most 64 characters, such as shop.example.com`,
                `${P}:hostedZoneId: got "zone-1", expected empty, or a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ`,
            ],
        );
        // ACM's limit for the certificate's first name (its subject's common name): 64 characters.
        const long = `${"a".repeat(52)}.example.com`;
        assert.equal(long.length, 64);
        assert.deepEqual(await problemsOf({ ...named, [`${P}:hostname`]: long }), []);
        assert.deepEqual(await problemsOf({ ...named, [`${P}:hostname`]: `a${long}` }), [
            `${P}:hostname: got "a${long}", expected empty, or a DNS name in lower case, at most 64 characters, such as shop.example.com`,
        ]);
    });
});
