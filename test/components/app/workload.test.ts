import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { APP_PORT, METRICS_PORT } from "../../../components/app/pod";
import { isSecretValue } from "../../../offline";
import { manifestsOf, validateManifests } from "../../../offline/manifests";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, eksStacks, inputs, okRun, one, providerUrn, waitsFor } from "../../helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`app (${stack})`, () => {
        it("runs exactly the image digest the stack built, and the Deployment depends on the image", async () => {
            const run = await okRun(stack);
            const image = one(run, "docker:index/image:Image");
            const deployment = one(run, DEPLOYMENT);
            const [container] = inputs(deployment).spec.template.spec.containers;
            assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
            assert.equal(container.image, run.outputs.imageRef);
            assert.equal(container.image, image.id);
            assert.ok(deployment.propertyDependencies.spec.includes(image.urn));
            assert.ok(deployment.dependencies.includes(image.urn));
        });

        it("selects the Deployment's pods by the pod-template labels, and targets the container port by name", async () => {
            const run = await okRun(stack);
            const deployment = one(run, DEPLOYMENT);
            const service = one(run, SERVICE);
            const template = inputs(deployment).spec.template;
            assert.deepEqual(inputs(service).spec.selector, template.metadata.labels);
            assert.ok(
                service.propertyDependencies.spec.includes(deployment.urn),
                "selector flows from the Deployment",
            );
            assert.deepEqual(template.spec.containers[0].ports, [APP_PORT, METRICS_PORT]);
            // Only the app's port: the metrics port is never behind the load balancer.
            assert.deepEqual(
                inputs(service).spec.ports.map((p: { targetPort: string }) => p.targetPort),
                [APP_PORT.name],
            );
        });

        it("sends every Kubernetes object through the cluster's provider, which waits for the node group", async () => {
            const run = await okRun(stack);
            const provider = one(run, "pulumi:providers:kubernetes");
            const objects = run.registrations.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
            // Two NetworkPolicies and the Helm releases of the Cluster Autoscaler, cert-manager and the
            // Load Balancer Controller besides the app's six; with the canary on, its Rollout and
            // AnalysisTemplate, the releases of its controller and Prometheus, and the drift check's
            // ClusterRole and binding to read them.
            const canary = config[`${P}:canary`] === "true";
            assert.equal(objects.length, canary ? 17 : 11);
            for (const r of objects)
                assert.equal(providerUrn(r.provider), provider.urn, `${r.type} ${r.name}`);
            assert.ok(waitsFor(run, provider, one(run, "aws:eks/nodeGroup:NodeGroup")));
        });

        it("enforces the restricted Pod Security Standard on the namespace", async () => {
            const ns = inputs(one(await okRun(stack), "kubernetes:core/v1:Namespace"));
            assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            assert.equal(ns.metadata.name, "flask-app");
        });

        it("labels the namespace for the controller's readiness gates: a pod is ready once the NLB finds it healthy", async () => {
            const ns = inputs(one(await okRun(stack), "kubernetes:core/v1:Namespace"));
            assert.equal(ns.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        });

        it("names the Deployment, its container, the Service and the service account web, labels pods as the app, and tells each pod its name", async () => {
            const run = await okRun(stack);
            const deployment = inputs(one(run, DEPLOYMENT));
            const pod = deployment.spec.template.spec;
            // The IRSA role trusts flask-app:web: a generated name would not match it.
            assert.equal(inputs(one(run, "kubernetes:core/v1:ServiceAccount")).metadata.name, "web");
            assert.deepEqual(
                [deployment.metadata.name, pod.containers[0].name, inputs(one(run, SERVICE)).metadata.name],
                ["web", "web", "web"],
            );
            assert.deepEqual(deployment.spec.template.metadata.labels, {
                "app.kubernetes.io/name": "flask-app",
                "app.kubernetes.io/component": "web",
            });
            assert.deepEqual(pod.containers[0].env[0], {
                name: "POD_NAME",
                valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
            });
            // The one writable path (the root filesystem is read-only): in memory and bounded, so a
            // runaway write fills 64Mi of the pod's memory, not the node's disk.
            assert.deepEqual(pod.volumes, [
                { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
            ]);
        });

        it("exports url, a secret kubeconfig, clusterName, imageRef and namespace", async () => {
            const run = await okRun(stack);
            assert.match(
                String(run.outputs.url),
                new RegExp(`^http://[a-z0-9-]+\\.elb\\.${config["aws:region"]}\\.amazonaws\\.com$`),
            );
            assert.ok(isSecretValue(run.outputs.kubeconfig));
            assert.equal(run.outputs.clusterName, `${P}-${stack}`);
            assert.equal(run.outputs.namespace, "flask-app");
            assert.ok(String(run.outputs.imageRef).includes("@sha256:"));
        });

        it("registers Kubernetes objects that validate against the official schemas for the cluster's version", async () => {
            const run = await okRun(stack);
            const result = validateManifests(manifestsOf(run), config[`${P}:kubernetesVersion`]);
            assert.ok(result.ok, result.output);
        });
    });
}

describe("schema validation", () => {
    it("catches a field the schema does not know", async () => {
        const manifests = manifestsOf(await okRun("dev"));
        const deployment = manifests.find((m) => m.kind === "Deployment")!;
        const pod = deployment.spec as { template: { spec: { containers: object[] } } };
        Object.assign(pod.template.spec.containers[0], { imagePullPolicyy: "Always" });
        const result = validateManifests(manifests, "1.33");
        assert.equal(result.ok, false);
        assert.match(result.output, /imagePullPolicyy/);
    });
});

describe("the app's settings in the pod", () => {
    const settings = {
        overrides: { [`${P}:appEnv`]: '{"ZED":"1","ALPHA":"2"}' },
        secrets: { [`${P}:appSecrets`]: '{"Z_TOKEN":"z","A_TOKEN":"a"}' },
    };

    it("lists appEnv, then appSecrets, each in name order whatever the config's: reordering keys rolls no pod", async () => {
        const [c] = inputs(one(await okRun("dev", settings), DEPLOYMENT)).spec.template.spec.containers;
        const names = c.env.map((e: { name: string }) => e.name);
        assert.deepEqual(names.slice(names.indexOf("APP_MODULE") + 1), [
            "ALPHA",
            "ZED",
            "A_TOKEN",
            "Z_TOKEN",
        ]);
    });

    it("keeps the secrets in an Opaque Secret labelled as the app's, made anew before the old one goes", async () => {
        const secret = one(await okRun("dev", settings), "kubernetes:core/v1:Secret");
        assert.equal(inputs(secret).type, "Opaque");
        assert.deepEqual(inputs(secret).metadata.labels, {
            "app.kubernetes.io/name": "flask-app",
            "app.kubernetes.io/component": "web",
        });
        // Running pods refer to the old Secret until the rollout replaces them.
        assert.equal(secret.options.deleteBeforeReplace, false);
    });
});
