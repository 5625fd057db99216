// The drift check's reads beyond EKS's view policy (components/platform/refresherreads.ts): the
// refreshers' group gets, in every namespace, what a stack's refresh reads and the view policy does
// not (the canaries' objects, the platform's admission policies, its shared IngressClass), and its
// own ClusterRole and binding by name; nothing else.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REFRESHER_READS, RefresherReads } from "../../../components/platform/refresherreads";
import { REFRESHERS_GROUP } from "../../../config/delivery";
import { P, all, builtAlone, inputs, okRun, one, providerUrn } from "../../helpers";

const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
const RBAC = "rbac.authorization.k8s.io";

const get = (apiGroup: string, resources: string[], resourceNames?: string[]) => ({
    apiGroups: [apiGroup],
    resources,
    ...(resourceNames && { resourceNames }),
    verbs: ["get"],
});
const CANARY = get("argoproj.io", ["rollouts", "analysistemplates", "analysisruns"]);
const ADMISSION = get(
    "admissionregistration.k8s.io",
    ["validatingadmissionpolicies", "validatingadmissionpolicybindings"],
    ["tenant-ingresses", "tenant-services"],
);
const SELF = get(RBAC, ["clusterroles", "clusterrolebindings"], [REFRESHER_READS]);

const rulesOf = (run: Awaited<ReturnType<typeof okRun>>) => inputs(one(run, CLUSTER_ROLE)).rules;

describe("the drift check's reads beyond the view policy", () => {
    it("a one-stack with a canary: its objects, and the role itself, bound to the refreshers on the new cluster", async () => {
        const run = await okRun("staging");
        const role = one(run, CLUSTER_ROLE);
        assert.deepEqual(inputs(role).metadata, { name: "flask-eks:refresher-reads" });
        assert.deepEqual(rulesOf(run), [CANARY, SELF]);
        const binding = one(run, BINDING);
        assert.deepEqual(inputs(binding).metadata, { name: REFRESHER_READS });
        assert.deepEqual(inputs(binding).roleRef, {
            apiGroup: RBAC,
            kind: "ClusterRole",
            name: REFRESHER_READS,
        });
        assert.deepEqual(inputs(binding).subjects, [
            { apiGroup: RBAC, kind: "Group", name: REFRESHERS_GROUP },
        ]);
        assert.ok(binding.propertyDependencies.roleRef.includes(role.urn));
        // Through the provider bound to the new cluster, in the Cluster component's tree.
        for (const object of [role, binding])
            assert.equal(providerUrn(object.provider), one(run, "pulumi:providers:kubernetes").urn);
        const component = one(run, "flask-eks:index:RefresherReads");
        assert.equal(component.parent, one(run, "flask-eks:index:Cluster").urn);
    });

    it("a platform on EKS: its admission policies, and its shared entry's class and parameters by name", async () => {
        const run = await okRun("dev-platform");
        const className = inputs(one(run, "kubernetes:networking.k8s.io/v1:IngressClass")).metadata.name;
        assert.deepEqual(rulesOf(run), [
            ADMISSION,
            get("networking.k8s.io", ["ingressclasses"], [className]),
            get("elbv2.k8s.aws", ["ingressclassparams"], [className]),
            SELF,
        ]);
        const noEntry = {
            [`${P}:sharedEntryDomain`]: "",
            [`${P}:sharedEntryZoneId`]: "",
            [`${P}:tenants`]: JSON.stringify({ web: { cpu: "1", memory: "1Gi" } }),
        };
        assert.deepEqual(rulesOf(await okRun("dev-platform", { overrides: noEntry })), [ADMISSION, SELF]);
    });

    it("a platform on the local target: its admission policies, and the canaries' objects when its apps run canaries", async () => {
        const platform = { [`${P}:layer`]: "platform", [`${P}:tenants`]: "{}" };
        assert.deepEqual(rulesOf(await okRun("local", { overrides: platform })), [ADMISSION, SELF]);
        const canaries = await okRun("local", { overrides: { ...platform, [`${P}:canary`]: "true" } });
        assert.deepEqual(rulesOf(canaries), [ADMISSION, CANARY, SELF]);
        assert.deepEqual(inputs(one(canaries, BINDING)).subjects[0].name, REFRESHERS_GROUP);
    });

    it("makes nothing where the view policy reads it all: a one-stack without a canary, an app stack", async () => {
        for (const stack of ["dev", "dev-api", "local"]) {
            const run = await okRun(stack);
            assert.deepEqual(all(run, CLUSTER_ROLE), [], stack);
            assert.deepEqual(all(run, BINDING), [], stack);
        }
    });

    it("builds alone, with no options", async () => {
        const run = await builtAlone(() => {
            new RefresherReads("reads", {
                group: "readers",
                reads: [{ apiGroup: "g", resources: ["r"], names: ["n"] }],
            });
        });
        const component = one(run, "flask-eks:index:RefresherReads", "reads");
        assert.equal(one(run, BINDING).parent, component.urn);
        assert.equal(inputs(one(run, BINDING)).subjects[0].name, "readers");
        assert.deepEqual(rulesOf(run), [get("g", ["r"], ["n"]), SELF]);
    });
});
