// The drift check's read of the canaries' objects (components/platform/canaryreaders.ts): where a
// platform runs canaries, the refreshers' group gets Rollouts, AnalysisTemplates and AnalysisRuns in
// every namespace, and its own ClusterRole and binding by name; nothing else.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CANARY_READERS, CanaryReaders } from "../../../components/platform/canaryreaders";
import { REFRESHERS_GROUP } from "../../../config/delivery";
import { P, all, builtAlone, inputs, okRun, one, providerUrn } from "../../helpers";

const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";

describe("the drift check reads the canaries' objects", () => {
    it("binds the refreshers' group to a ClusterRole that gets the canary's kinds and itself, on the cluster", async () => {
        const run = await okRun("staging");
        const role = one(run, CLUSTER_ROLE);
        assert.deepEqual(inputs(role), {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: CANARY_READERS },
            rules: [
                {
                    apiGroups: ["argoproj.io"],
                    resources: ["rollouts", "analysistemplates", "analysisruns"],
                    verbs: ["get"],
                },
                {
                    apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["clusterroles", "clusterrolebindings"],
                    resourceNames: [CANARY_READERS],
                    verbs: ["get"],
                },
            ],
        });
        const binding = one(run, BINDING);
        assert.deepEqual(inputs(binding), {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: CANARY_READERS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CANARY_READERS },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: REFRESHERS_GROUP }],
        });
        assert.ok(binding.propertyDependencies.roleRef.includes(role.urn));
        // Through the provider bound to the new cluster, in the Cluster component's tree.
        for (const object of [role, binding])
            assert.equal(providerUrn(object.provider), one(run, "pulumi:providers:kubernetes").urn);
        const component = one(run, "flask-eks:index:CanaryReaders");
        assert.equal(component.parent, one(run, "flask-eks:index:Cluster").urn);
    });

    it("on the local target, a platform whose apps run canaries makes the same", async () => {
        const run = await okRun("local", {
            overrides: { [`${P}:layer`]: "platform", [`${P}:tenants`]: "{}", [`${P}:canary`]: "true" },
        });
        assert.deepEqual(inputs(one(run, BINDING)).subjects[0].name, REFRESHERS_GROUP);
    });

    it("makes nothing where no canary runs", async () => {
        for (const run of [
            await okRun("dev"),
            await okRun("local", { overrides: { [`${P}:layer`]: "platform", [`${P}:tenants`]: "{}" } }),
        ]) {
            assert.deepEqual(all(run, CLUSTER_ROLE), []);
            assert.deepEqual(all(run, BINDING), []);
        }
    });

    it("builds alone, with no options", async () => {
        const run = await builtAlone(() => {
            new CanaryReaders("canary-readers", { group: "readers" });
        });
        const component = one(run, "flask-eks:index:CanaryReaders", "canary-readers");
        assert.equal(one(run, BINDING).parent, component.urn);
        assert.equal(inputs(one(run, BINDING)).subjects[0].name, "readers");
    });
});
