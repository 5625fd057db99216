// cert-manager (components/addons/certmanager.ts).
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CERT_MANAGER_REQUESTS } from "../../../domain/capacity";
import { bytesOf } from "../../../domain/quantities";
import { KUBERNETES_VERSIONS } from "../../../domain/versions";
import { loadStackConfig } from "../../../offline/stack-config";
import { P, all, eksStacks, inputs, okRun, one, providerUrn } from "../../helpers";

const RELEASE = "kubernetes:helm.sh/v3:Release";

for (const stack of eksStacks()) {
    const config = loadStackConfig(stack).values;

    describe(`cert-manager (${stack})`, () => {
        it("installs the chart pinned for the cluster's minor, with its CRDs, in kube-system through the cluster's provider", async () => {
            const run = await okRun(stack);
            const release = one(run, RELEASE, "cert-manager");
            const { name, chart, version, repositoryOpts, namespace, values, timeout } = inputs(release);
            assert.deepEqual(
                { name, chart, version, repositoryOpts, namespace },
                {
                    name: "cert-manager",
                    chart: "cert-manager",
                    version: KUBERNETES_VERSIONS[config[`${P}:kubernetesVersion`]].certManager.chart,
                    repositoryOpts: { repo: "https://charts.jetstack.io" },
                    namespace: "kube-system",
                },
            );
            assert.deepEqual(values.crds, { enabled: true });
            // Its post-install check may take its five minutes; the release waits longer.
            assert.equal(values.startupapicheck.timeout, "5m");
            assert.ok(timeout > 300, String(timeout));
            assert.equal(providerUrn(release.provider), one(run, "pulumi:providers:kubernetes").urn);
        });

        it("sizes its three pods as the capacity check counts them, each limit above its request", async () => {
            const { values } = inputs(one(await okRun(stack), RELEASE, "cert-manager"));
            const pods = { controller: values, webhook: values.webhook, cainjector: values.cainjector };
            for (const [pod, { cpu, memory, memoryLimit }] of Object.entries(CERT_MANAGER_REQUESTS)) {
                assert.deepEqual(pods[pod as keyof typeof pods].resources, {
                    requests: { cpu, memory },
                    limits: { memory: memoryLimit },
                });
                assert.ok(bytesOf(memoryLimit) > bytesOf(memory), `${pod}: ${memoryLimit} over ${memory}`);
            }
        });

        it("has no AWS role: its issuers are self-signed and CA ones", async () => {
            const run = await okRun(stack);
            assert.ok(!all(run, "aws:iam/role:Role").some((r) => /cert/i.test(r.name)));
        });
    });
}
