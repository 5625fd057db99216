import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    TENANT_ALB_ANNOTATIONS,
    TENANT_SERVICE_RULES,
    TenantIngresses,
    tenantIngressRules,
} from "../../../../components/platform/tenantingress";
import { all, builtAlone, inputs, one } from "../../../helpers";

// components/platform/tenantingress.ts, built alone: the admission policies over tenants' Ingresses
// and Services, their shape. What their rules decide is rules.test.ts's, and the e2e's on a real API
// server (test/e2e/entrypolicy.sh).

const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const CONTROLLER = "system:serviceaccount:kube-system:aws-load-balancer-controller";

const build = (controllerUsername?: string) =>
    builtAlone(
        () => void new TenantIngresses("tenant-ingresses", { sharedClass: "shared", controllerUsername }),
    );

describe("TenantIngresses", () => {
    it("owns its policies and their bindings: they go with it", async () => {
        const run = await build();
        const component = one(run, "flask-eks:index:TenantIngresses").urn;
        for (const type of [POLICY, BINDING])
            assert.deepEqual(
                all(run, type).map((r) => r.parent),
                [component, component],
                type,
            );
    });

    it("checks every Ingress and Service made or changed, failing closed, and denies what breaks a rule", async () => {
        const run = await build(CONTROLLER);
        const policies = Object.fromEntries(
            all(run, POLICY).map((p) => [inputs(p).metadata.name, inputs(p).spec]),
        );
        assert.deepEqual(Object.keys(policies).sort(), ["tenant-ingresses", "tenant-services"]);
        assert.deepEqual(
            [policies["tenant-ingresses"], policies["tenant-services"]].map((p) => [
                p.failurePolicy,
                p.matchConstraints.resourceRules,
            ]),
            [
                [
                    "Fail",
                    [
                        {
                            apiGroups: ["networking.k8s.io"],
                            apiVersions: ["v1"],
                            operations: ["CREATE", "UPDATE"],
                            resources: ["ingresses"],
                        },
                    ],
                ],
                [
                    "Fail",
                    [
                        {
                            apiGroups: [""],
                            apiVersions: ["v1"],
                            operations: ["CREATE", "UPDATE"],
                            resources: ["services"],
                        },
                    ],
                ],
            ],
        );
        assert.deepEqual(
            policies["tenant-ingresses"].validations,
            tenantIngressRules("shared").map((rule) => ({ ...rule, reason: "Forbidden" })),
        );
        assert.deepEqual(
            policies["tenant-services"].validations,
            TENANT_SERVICE_RULES.map((rule) => ({ ...rule, reason: "Forbidden" })),
        );
        for (const binding of all(run, BINDING).map(inputs)) {
            assert.deepEqual(binding.spec.validationActions, ["Deny"]);
            assert.deepEqual(binding.spec.matchResources, {
                namespaceSelector: { matchExpressions: [{ key: "flask-eks/entry", operator: "Exists" }] },
            });
        }
        // Each binding is named as its policy.
        assert.deepEqual(
            all(run, BINDING)
                .map((b) => [inputs(b).metadata.name, inputs(b).spec.policyName])
                .sort(),
            [
                ["tenant-ingresses", "tenant-ingresses"],
                ["tenant-services", "tenant-services"],
            ],
        );
    });

    it("holds back neither an object being deleted nor the controller's own requests", async () => {
        const conditions = (run: Awaited<ReturnType<typeof build>>) =>
            inputs(one(run, POLICY, "tenant-ingresses")).spec.matchConditions;
        assert.deepEqual(conditions(await build(CONTROLLER)), [
            { name: "not-being-deleted", expression: "!has(object.metadata.deletionTimestamp)" },
            { name: "not-the-controller", expression: `request.userInfo.username != '${CONTROLLER}'` },
        ]);
        // Where there is no controller (the local target) there is no one to leave out.
        assert.deepEqual(conditions(await build()), [
            { name: "not-being-deleted", expression: "!has(object.metadata.deletionTimestamp)" },
        ]);
    });

    it("admits health-check values the ELB API takes, and no other", () => {
        const ok = (name: string, value: string) =>
            new RegExp(TENANT_ALB_ANNOTATIONS[`alb.ingress.kubernetes.io/${name}`]).test(value);
        const table: [string, string[], string[]][] = [
            ["healthcheck-path", ["/readyz", "/a/b"], ["readyz", "/a b", `/${"a".repeat(1001)}`]],
            ["healthcheck-interval-seconds", ["5", "30", "300"], ["4", "301", "x", "05"]],
            ["healthcheck-timeout-seconds", ["2", "6", "120"], ["1", "121"]],
            ["healthy-threshold-count", ["2", "10"], ["1", "11"]],
            ["unhealthy-threshold-count", ["2", "10"], ["1", "11"]],
            ["success-codes", ["200", "200-399", "200,204"], ["100", "500", "2xx"]],
            [
                "target-group-attributes",
                ["deregistration_delay.timeout_seconds=36"],
                ["stickiness.enabled=true", "deregistration_delay.timeout_seconds=3601"],
            ],
        ];
        for (const [name, good, bad] of table) {
            for (const value of good) assert.ok(ok(name, value), `${name}=${value}`);
            for (const value of bad) assert.ok(!ok(name, value), `${name}=${value}`);
        }
        // A tenant may not choose its place in the group, its actions or the ALB's own settings.
        for (const annotation of ["group.order", "group.name", "actions.", "conditions.", "security-groups"])
            assert.ok(!Object.keys(TENANT_ALB_ANNOTATIONS).some((a) => a.includes(annotation)), annotation);
    });
});
