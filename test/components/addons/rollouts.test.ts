// The canary controller (components/addons/rollouts.ts), installed on EKS when the stack's canary is on.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { all, inputs, okRun, one, providerUrn, waitsFor } from "../../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";

describe("the Argo Rollouts controller", () => {
    it("is a Helm release of the pinned chart, with its CRDs, in kube-system through the cluster's provider", async () => {
        const run = await okRun("staging");
        const release = one(run, RELEASE, "argo-rollouts");
        const { name, chart, version, repositoryOpts, namespace, values } = inputs(release);
        assert.deepEqual(
            { name, chart, version, repositoryOpts, namespace },
            {
                name: "argo-rollouts",
                chart: "argo-rollouts",
                version: "2.41.0",
                repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
                namespace: "kube-system",
            },
        );
        // Its CRDs, one small controller; no dashboard, and no notifications' Secret to hold tokens.
        assert.deepEqual(values, {
            installCRDs: true,
            dashboard: { enabled: false },
            notifications: { secret: { create: false } },
            controller: {
                replicas: 1,
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
            },
        });
        assert.equal(providerUrn(release.provider), one(run, "pulumi:providers:kubernetes").urn);
    });

    it("comes before the app's Rollout, whose kind its CRDs define", async () => {
        const run = await okRun("prod");
        const release = one(run, RELEASE, "argo-rollouts");
        assert.ok(waitsFor(run, one(run, ROLLOUT), release));
        assert.ok(waitsFor(run, one(run, "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate"), release));
    });

    it("is left out when the stack's canary is off (dev), and with it Prometheus", async () => {
        const names = all(await okRun("dev"), RELEASE).map((r) => r.name);
        assert.deepEqual(
            names.filter((n) => n === "argo-rollouts" || n === "prometheus"),
            [],
        );
    });
});
