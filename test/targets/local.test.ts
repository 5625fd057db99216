import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tenantIngressRules } from "../../components/platform/tenantingress";
import { SHARED_CLASS } from "../../domain/namespaces";
import { runStack, unwrapSecrets } from "../../offline";
import { P, all, inputs, okRun, one, providerUrn } from "../helpers";

// The local target: the same Workload on any kubeconfig, with no AWS at all.

const DIGEST = `localhost:5000/flask-eks@sha256:${"a".repeat(64)}`;

describe("local target", () => {
    it("registers no AWS resource or provider, only Kubernetes objects, its provider and the build", async () => {
        const run = await okRun("local");
        const types = new Set(run.registrations.map((r) => r.type));
        assert.ok(
            ![...types].some((t) => t.startsWith("aws:") || t === "pulumi:providers:aws"),
            [...types].join(),
        );
        for (const t of types) assert.match(t, /^(kubernetes:|docker:|flask-eks:index:|pulumi:)/, t);
        assert.ok(types.has("kubernetes:apps/v1:Deployment"));
    });

    it("given an image by digest, registers no Docker resource and runs that digest", async () => {
        const run = await okRun("local", { overrides: { [`${P}:imageRef`]: DIGEST } });
        assert.deepEqual(
            run.registrations.filter((r) => r.type.startsWith("docker:")),
            [],
        );
        const deployment = inputs(one(run, "kubernetes:apps/v1:Deployment"));
        assert.equal(deployment.spec.template.spec.containers[0].image, DIGEST);
        assert.equal(unwrapSecrets(run.outputs.imageRef), DIGEST);
    });

    it("otherwise builds the app and pushes it to the configured registry, and runs its digest", async () => {
        const run = await okRun("local", { overrides: { [`${P}:localRegistry`]: "registry.test:5000/app" } });
        const image = one(run, "docker:index/image:Image");
        assert.match(inputs(image).imageName, /^registry\.test:5000\/app:[0-9a-f]{16}$/);
        assert.equal(inputs(image).registry, undefined);
        const deployment = one(run, "kubernetes:apps/v1:Deployment");
        assert.equal(inputs(deployment).spec.template.spec.containers[0].image, image.id);
    });

    it("sends every Kubernetes object through a provider for the configured kubeconfig and context", async () => {
        const run = await okRun("local", {
            overrides: { [`${P}:localKubeconfig`]: "/tmp/kubeconfig", [`${P}:localContext`]: "kind-dev" },
        });
        const provider = one(run, "pulumi:providers:kubernetes");
        assert.deepEqual(
            [inputs(provider).kubeconfig, inputs(provider).context],
            ["/tmp/kubeconfig", "kind-dev"],
        );
        for (const r of run.registrations.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.ok(r.provider.startsWith(provider.urn), `${r.type} ${r.name}`);
        }
    });

    it("runs the same Deployment as EKS, without IRSA or the NLB, so with a short preStop", async () => {
        const [local, dev] = await Promise.all([okRun("local"), okRun("dev")]);
        const podSpec = (run: typeof local) => {
            const spec = structuredClone(inputs(one(run, "kubernetes:apps/v1:Deployment")).spec);
            const [container] = spec.template.spec.containers;
            const timing = [
                container.lifecycle.preStop.sleep.seconds,
                spec.template.spec.terminationGracePeriodSeconds,
            ];
            delete container.image;
            delete container.lifecycle;
            delete spec.template.spec.terminationGracePeriodSeconds;
            return { spec, timing };
        };
        assert.deepEqual(podSpec(local).spec, podSpec(dev).spec);
        // kube-proxy lets go of a terminating pod within a second; an NLB takes about two minutes.
        assert.deepEqual(podSpec(local).timing, [10, 40]);
        assert.deepEqual(podSpec(dev).timing, [120, 150]);
        assert.equal(inputs(one(local, "kubernetes:core/v1:ServiceAccount")).metadata.annotations, undefined);
        assert.equal(inputs(one(local, "kubernetes:core/v1:Service")).metadata.annotations, undefined);
        assert.equal(inputs(one(local, "kubernetes:core/v1:Service")).spec.type, "LoadBalancer");
        assert.deepEqual(inputs(one(local, "kubernetes:core/v1:Namespace")).metadata.labels, {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
    });

    it("needs no AWS region, and refuses a registry that is not a repository", async () => {
        const run = await okRun("local", { overrides: { "aws:region": undefined } });
        assert.equal(run.error, undefined);
        const bad = await runStack("local", {
            overrides: { [`${P}:localRegistry`]: "http://localhost:5000" },
        });
        assert.deepEqual((bad.error as unknown as { problems: string[] }).problems, [
            `${P}:localRegistry: got "http://localhost:5000", expected an image repository such as localhost:5000/flask-eks`,
        ]);
    });
});

describe("local target: a platform stack and its apps", () => {
    const tenants = { web: { cpu: "1", memory: "1Gi", pods: 5 } };
    const localPlatform = {
        [`${P}:layer`]: "platform",
        [`${P}:tenants`]: JSON.stringify(tenants),
    };

    it("the platform lends namespaces on the cluster the user has, with no AWS at all", async () => {
        const run = await okRun("local", { overrides: localPlatform });
        assert.deepEqual(
            run.registrations
                .map((r) => r.type)
                .filter((t) => t.startsWith("aws:") || t.startsWith("docker:")),
            [],
        );
        assert.equal(inputs(one(run, "kubernetes:core/v1:Namespace")).metadata.name, "web");
        assert.equal(inputs(one(run, "kubernetes:core/v1:ResourceQuota")).spec.hard["requests.cpu"], "1");
        assert.deepEqual(run.outputs.tenants, {
            web: { namespace: "web", cpu: "1", memory: "1Gi", pods: 5 },
        });
    });

    it("sends every object of the platform through the stack's provider; no namespace waits on an NLB's readiness gate", async () => {
        const run = await okRun("local", { overrides: { ...localPlatform, [`${P}:canary`]: "true" } });
        const provider = one(run, "pulumi:providers:kubernetes").urn;
        const objects = run.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.deepEqual([...new Set(objects.map((r) => r.type.split(":")[1]))].sort(), [
            "admissionregistration.k8s.io/v1",
            "core/v1",
            "rbac.authorization.k8s.io/v1",
        ]);
        for (const r of objects) assert.equal(providerUrn(r.provider), provider, `${r.type} ${r.name}`);
        const labels = inputs(one(run, "kubernetes:core/v1:Namespace")).metadata.labels;
        assert.equal(labels["elbv2.k8s.aws/pod-readiness-gate-inject"], undefined);
        // The tenants' Ingresses held to the same shared class as on EKS (where no ALB serves it here).
        const policy = all(run, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").find(
            (p) => inputs(p).metadata.name === "tenant-ingresses",
        )!;
        assert.deepEqual(
            inputs(policy).spec.validations.map((v: { expression: string }) => v.expression),
            tenantIngressRules(SHARED_CLASS).map((rule) => rule.expression),
        );
    });

    it("an app deploys into the namespace its platform lends it, and makes no namespace", async () => {
        const platform = await okRun("local", { overrides: localPlatform });
        const run = await okRun("local", {
            overrides: {
                [`${P}:layer`]: "app",
                [`${P}:platformStack`]: "local-platform",
                [`${P}:workloadMaxReplicas`]: "3",
            },
            existing: {
                stacks: {
                    [`organization/${P}/local-platform`]: {
                        outputs: platform.outputs,
                        secretOutputNames: [],
                    },
                },
            },
        });
        assert.equal(all(run, "kubernetes:core/v1:Namespace").length, 0);
        for (const r of run.registrations.filter((r) => r.type.startsWith("kubernetes:") && r.custom))
            assert.equal(inputs(r).metadata.namespace, "web", r.type);
    });
});
