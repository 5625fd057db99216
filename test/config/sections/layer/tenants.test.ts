// A platform's tenants (the layer section): each field of a tenant, its namespace, and what they ask
// of the nodes and of the cluster's roles.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { layer } from "../../../../config/sections/layer";
import { P } from "../../../helpers";
import { accepted, refused, stackProblems } from "../../helpers";

const ROLE = "arn:aws:iam::123456789012:role/deploy-web";

describe("config sections: a tenant's namespace", () => {
    it("keeps an existing namespace by its name, one tenant to a namespace", () => {
        const { tenants } = accepted(layer, {
            layer: "platform",
            tenants: {
                web: { cpu: "1", memory: "1Gi", namespace: "flask-app" },
                api: { cpu: "1", memory: "1Gi" },
            },
        });
        assert.deepEqual([tenants.web.namespace, tenants.api.namespace], ["flask-app", "api"]);
        assert.equal(
            refused(layer, {
                layer: "platform",
                tenants: {
                    web: { cpu: "1", memory: "1Gi", namespace: "api" },
                    api: { cpu: "1", memory: "1Gi" },
                },
            }),
            `${P}:tenants.api.namespace: got "api", expected a namespace of api's own: it is web's`,
        );
    });
});

describe("config across sections: a platform's tenants", () => {
    const platform = (tenants: unknown, more: Record<string, string> = {}) =>
        stackProblems("dev-platform", { [`${P}:tenants`]: JSON.stringify(tenants), ...more });

    it("fit in what the nodes leave at their largest, or are refused with the numbers", () => {
        const web = { cpu: "2", memory: "4Gi", pods: 10 };
        assert.deepEqual(platform({ web, api: web }), []);
        const over = (ask: string) => [
            `${P}:tenants: got ["web","api"], expected quotas that fit in 4810m CPU, 8511Mi and 33 pods, what nodeMaxSize=3 nodes of t3.medium or t3a.medium leave after system pods; these ask ${ask} in all (docs/configuration.md, "Node capacity")`,
        ];
        // Each of CPU, memory and pods alone.
        assert.deepEqual(
            platform({ web: { ...web, cpu: "3" }, api: web }),
            over("5000m CPU, 8192Mi and 20 pods"),
        );
        assert.deepEqual(
            platform({ web: { ...web, memory: "5Gi" }, api: web }),
            over("4000m CPU, 9216Mi and 20 pods"),
        );
        assert.deepEqual(
            platform({ web: { ...web, pods: 24 }, api: web }),
            over("4000m CPU, 8192Mi and 34 pods"),
        );
        // Asking exactly what the nodes leave fits.
        assert.deepEqual(platform({ web: { cpu: "4810m", memory: "8511Mi", pods: 33 } }), []);
        // One node more holds them.
        assert.deepEqual(
            platform({ web: { ...web, cpu: "3" }, api: web }, { [`${P}:nodeMaxSize`]: "4" }),
            [],
        );
    });

    it("give each deploy role one tenant, and none of the cluster's admins or viewers", () => {
        const tenant = { cpu: "1", memory: "1Gi", pods: 5, deployRoleArns: [ROLE] };
        assert.deepEqual(platform({ web: tenant, api: tenant }), [
            `${P}:tenants.api.deployRoleArns: got "${ROLE}", expected a role of api's own: it is web's deploy role too`,
        ]);
        const stacks = { cpu: "1", memory: "1Gi", pods: 5, deployStacks: ["dev-web"] };
        assert.deepEqual(platform({ web: stacks, api: stacks }), [
            `${P}:tenants.api.deployStacks: got "dev-web", expected a stack of api's own: it deploys web too`,
        ]);
        assert.deepEqual(platform({ web: tenant }, { [`${P}:adminRoleArns`]: JSON.stringify([ROLE]) }), [
            `${P}:tenants.web.deployRoleArns: got "${ROLE}", expected a role that is not also in adminRoleArns or viewerRoleArns`,
        ]);
    });
});

describe("config sections: each field of a tenant, its type and its range", () => {
    const key = `${P}:tenants.web`;
    const tenantWith = (fields: Record<string, unknown>) => ({ cpu: "1", memory: "1Gi", ...fields });
    const admitted = (fields: Record<string, unknown>) =>
        accepted(layer, { layer: "platform", tenants: { web: tenantWith(fields) } }).tenants.web;
    /** The one line a tenant with these fields is refused with, for the field named first. */
    const refusedFor = (fields: Record<string, unknown>) =>
        refused(layer, { layer: "platform", tenants: { web: tenantWith(fields) } });
    const EXPECTED: Record<string, string> = {
        cpu: "CPUs the namespace's pods may request in all, such as 2 or 1500m",
        memory: "memory its pods may request in all, such as 4Gi or 3072Mi",
        pods: "how many pods it may run, an integer from 1 to 500 (default 20)",
        deployRoleArns: "a list of IAM role ARNs (default [])",
        deployStacks: "a list of this project's app stacks, such as dev-web (default [])",
        namespace:
            "a namespace name (lowercase letters, digits and -, at most 63 characters) that is not one of default, kube-system, kube-public, kube-node-lease (default the app's name)",
    };

    it("takes each field's good values as they are", () => {
        for (const cpu of ["2", "12", "1.5", "1.25", "250m"]) assert.equal(admitted({ cpu }).cpu, cpu);
        for (const memory of ["512Mi", "4Gi", "1048576Ki"]) assert.equal(admitted({ memory }).memory, memory);
        for (const pods of [1, 500]) assert.equal(admitted({ pods }).pods, pods);
        for (const arn of [
            ROLE,
            "arn:aws-cn:iam::123456789012:role/a",
            "arn:aws-us-gov:iam::123456789012:role/p/a",
        ])
            assert.deepEqual(admitted({ deployRoleArns: [arn] }).deployRoleArns, [arn]);
        assert.deepEqual(admitted({ deployStacks: ["dev-web", "prod.web_2"] }).deployStacks, [
            "dev-web",
            "prod.web_2",
        ]);
        assert.equal(admitted({ namespace: "a" }).namespace, "a");
    });

    it("refuses a value of another type, or out of its range, with the field's own line", () => {
        const bad: [field: string, values: unknown[]][] = [
            ["cpu", [2, "x1", "1x", "1.", "0m"]],
            ["memory", [1024, "x1Gi", "1Gix", "0Gi"]],
            ["pods", ["5", 1.5, 0, 501]],
            [
                "deployRoleArns",
                [ROLE, [5], [`x${ROLE}`], [`${ROLE} x`], ["arn:aws:iam::123456789012:user/a"]],
            ],
            ["deployStacks", ["dev-web", [5], ["dev web"], ["org/dev-web"]]],
        ];
        for (const [field, values] of bad)
            for (const value of values)
                assert.equal(
                    refusedFor({ [field]: value }),
                    `${key}.${field}: got ${JSON.stringify(value)}, expected ${EXPECTED[field]}`,
                );
    });

    it("refuses a tenant or a tenants map that is not an object, saying what each holds", () => {
        const fields = "{cpu, memory, pods, deployRoleArns, deployStacks, entry, namespace}";
        for (const tenant of [null, ["1"], 5])
            assert.equal(
                refused(layer, { layer: "platform", tenants: { web: tenant } }),
                `${key}: got ${JSON.stringify(tenant)}, expected ${fields}`,
            );
        for (const tenants of ["5", "null", '"web"'])
            assert.equal(
                refused(layer, { layer: "platform", tenants }),
                `${P}:tenants: got ${tenants}, expected a map of app name: ${fields}`,
            );
    });

    it("reports a tenant with a problem once: its namespace is not also counted as taken", () => {
        assert.equal(
            refused(layer, {
                layer: "platform",
                tenants: {
                    web: { cpu: "1", memory: "1Gi" },
                    api: { cpu: "0", memory: "1Gi", namespace: "web" },
                },
            }),
            `${P}:tenants.api.cpu: got "0", expected ${EXPECTED.cpu}`,
        );
    });
});
