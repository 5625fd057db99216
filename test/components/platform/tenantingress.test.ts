import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    TENANT_ALB_ANNOTATIONS,
    TenantIngresses,
    tenantIngressRules,
} from "../../../components/platform/tenantingress";
import { builtAlone, inputs, one } from "../../helpers";

// components/platform/tenantingress.ts, built alone: the admission policy over tenants' Ingresses.
// What the API server makes of its rules is the e2e's (test/e2e/platform.sh, on a real API server).

const build = () => builtAlone(() => void new TenantIngresses("tenant-ingresses", { sharedClass: "shared" }));

describe("TenantIngresses", () => {
    it("checks every Ingress made or changed, failing closed, and denies what breaks a rule", async () => {
        const run = await build();
        const policy = inputs(
            one(run, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy"),
        );
        assert.equal(policy.spec.failurePolicy, "Fail");
        assert.deepEqual(policy.spec.matchConstraints.resourceRules, [
            {
                apiGroups: ["networking.k8s.io"],
                apiVersions: ["v1"],
                operations: ["CREATE", "UPDATE"],
                resources: ["ingresses"],
            },
        ]);
        assert.deepEqual(
            policy.spec.validations,
            tenantIngressRules("shared").map((rule) => ({ ...rule, reason: "Forbidden" })),
        );
        const binding = inputs(
            one(run, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"),
        );
        assert.equal(binding.spec.policyName, policy.metadata.name);
        assert.deepEqual(binding.spec.validationActions, ["Deny"]);
    });

    it("binds to every tenant namespace, of either entry, and to no other", async () => {
        const binding = inputs(
            one(await build(), "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding"),
        );
        assert.deepEqual(binding.spec.matchResources, {
            namespaceSelector: { matchExpressions: [{ key: "flask-eks/entry", operator: "Exists" }] },
        });
    });

    it("holds an Ingress to the shared class, the namespace's host, no default backend or TLS, and the allowed annotations", () => {
        const expressions = tenantIngressRules("shared").map((r) => r.expression);
        assert.equal(expressions.length, 5);
        assert.ok(expressions[0].includes("['flask-eks/entry'] == 'shared'"));
        assert.ok(expressions[1].includes("object.spec.ingressClassName == 'shared'"));
        assert.ok(
            expressions[2].includes("r.host == namespaceObject.metadata.annotations['flask-eks/host']"),
        );
        assert.equal(expressions[3], "!has(object.spec.defaultBackend) && !has(object.spec.tls)");
        for (const annotation of TENANT_ALB_ANNOTATIONS)
            assert.ok(expressions[4].includes(`'${annotation}'`));
        // A tenant may not choose its place in the group, its actions or the ALB's own settings.
        for (const annotation of ["group.order", "group.name", "actions.", "conditions.", "security-groups"])
            assert.ok(!TENANT_ALB_ANNOTATIONS.some((a) => a.includes(annotation)), annotation);
        assert.ok(tenantIngressRules("other")[1].expression.includes("== 'other'"));
    });
});
