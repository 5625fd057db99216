// The layer section: all, platform or app; the app's name; an app's platform stack; a platform's
// tenants, each a namespace's quota and the roles that deploy into it; its shared entry.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { layer } from "../../../../config/sections/layer";
import { P, readerOf } from "../../../helpers";
import { accepted, refused, stackProblems } from "../../helpers";

const ROLE = "arn:aws:iam::123456789012:role/deploy-web";

describe("config sections: the layer", () => {
    it("defaults to the one-stack shape, the app named web, no platform and no tenants", () => {
        assert.deepEqual(accepted(layer, {}), {
            layer: "all",
            appName: "web",
            platformStack: undefined,
            tenants: {},
            sharedEntry: undefined,
        });
    });

    it("an app names its platform stack, in this project or any: org/project/stack", () => {
        for (const platformStack of ["dev-platform", "acme/flask-eks/dev-platform"])
            assert.equal(accepted(layer, { layer: "app", platformStack }).platformStack, platformStack);
        assert.equal(
            refused(layer, { layer: "app", platformStack: "" }),
            `${P}:platformStack: got "", expected the platform stack this app runs on, when layer is app`,
        );
        assert.equal(
            refused(layer, { layer: "app", platformStack: "a/b" }),
            `${P}:platformStack: got "a/b", expected empty, or a stack name (dev-platform) or org/project/stack`,
        );
    });

    it("only an app reads a platform, and only a platform lends namespaces", () => {
        assert.equal(
            refused(layer, { layer: "platform", platformStack: "dev-platform" }),
            `${P}:platformStack: got "dev-platform", expected empty when layer is platform: only an app stack reads a platform`,
        );
        assert.equal(
            refused(layer, { tenants: { web: { cpu: "1", memory: "1Gi" } } }),
            `${P}:tenants: got ["web"], expected {} when layer is all: only a platform stack lends namespaces`,
        );
    });

    it("an app's name is a DNS label of at most 20 characters", () => {
        for (const appName of ["a", "web-2", "a".repeat(20)]) accepted(layer, { appName });
        for (const appName of ["Web", "2web", "web-", "a".repeat(21), ""])
            assert.equal(
                refused(layer, { appName }),
                `${P}:appName: got ${JSON.stringify(appName)}, expected lowercase letters, digits and -, starting with a letter, at most 20 characters`,
            );
    });

    it("a tenant's quota: CPU and memory given, 20 pods and no deploy role by default", () => {
        const { tenants } = accepted(layer, {
            layer: "platform",
            tenants: {
                web: { cpu: "1500m", memory: "2Gi" },
                api: { cpu: "2", memory: "512Mi", pods: 5, deployRoleArns: [ROLE] },
            },
        });
        assert.deepEqual(tenants, {
            web: {
                cpu: "1500m",
                memory: "2Gi",
                pods: 20,
                deployRoleArns: [],
                deployStacks: [],
                entry: "own",
                namespace: "web",
            },
            api: {
                cpu: "2",
                memory: "512Mi",
                pods: 5,
                deployRoleArns: [ROLE],
                deployStacks: [],
                entry: "own",
                namespace: "api",
            },
        });
    });

    it("refuses each bad tenant field with its own line, the tenant's key named", () => {
        const refusedTenant = (tenant: unknown) =>
            refused(layer, { layer: "platform", tenants: { web: tenant } });
        const key = `${P}:tenants.web`;
        assert.equal(
            refusedTenant({ cpu: "2 cores", memory: "1Gi" }),
            `${key}.cpu: got "2 cores", expected CPUs the namespace's pods may request in all, such as 2 or 1500m`,
        );
        assert.equal(
            refusedTenant({ cpu: "0", memory: "1Gi" }),
            `${key}.cpu: got "0", expected CPUs the namespace's pods may request in all, such as 2 or 1500m`,
        );
        assert.equal(
            refusedTenant({ cpu: "1", memory: "1G" }),
            `${key}.memory: got "1G", expected memory its pods may request in all, such as 4Gi or 3072Mi`,
        );
        assert.equal(
            refusedTenant({ cpu: "1", memory: "1Gi", pods: 0 }),
            `${key}.pods: got 0, expected how many pods it may run, an integer from 1 to 500 (default 20)`,
        );
        assert.equal(
            refusedTenant({ cpu: "1", memory: "1Gi", deployRoleArns: ["deploy-web"] }),
            `${key}.deployRoleArns: got ["deploy-web"], expected a list of IAM role ARNs (default [])`,
        );
        assert.equal(
            refusedTenant({ cpu: "1", memory: "1Gi", entry: "alb" }),
            `${key}.entry: got "alb", expected one of own, shared: an NLB of its own, or a host on the shared ALB (default own)`,
        );
        for (const namespace of ["kube-system", "Flask", "a".repeat(64), 7])
            assert.equal(
                refusedTenant({ cpu: "1", memory: "1Gi", namespace }),
                `${key}.namespace: got ${JSON.stringify(namespace)}, expected a namespace name (lowercase letters, digits and -, at most 63 characters) that is not one of default, kube-system, kube-public, kube-node-lease (default the app's name)`,
            );
        assert.equal(
            refusedTenant({ cpu: "1", memory: "1Gi", quota: 1 }),
            `${key}.quota: is set, expected only cpu, memory, pods, deployRoleArns, deployStacks, entry, namespace`,
        );
        assert.equal(
            refusedTenant("1 CPU"),
            `${key}: got "1 CPU", expected {cpu, memory, pods, deployRoleArns, deployStacks, entry, namespace}`,
        );
        assert.equal(
            refused(layer, { layer: "platform", tenants: { Web: { cpu: "1", memory: "1Gi" } } }),
            `${P}:tenants: got the app name "Web", expected lowercase letters, digits and -, starting with a letter, at most 20 characters`,
        );
        assert.equal(
            refused(layer, { layer: "platform", tenants: ["web"] }),
            `${P}:tenants: got ["web"], expected a map of app name: {cpu, memory, pods, deployRoleArns, deployStacks, entry, namespace}`,
        );
    });
});

describe("config sections: a platform's shared entry", () => {
    const ZONE = "Z0123456789ABCDEFGHIJ";
    const shared = { web: { cpu: "1", memory: "1Gi", entry: "shared" }, api: { cpu: "1", memory: "1Gi" } };

    it("a domain and its zone, together, for the tenants of entry shared", () => {
        const settings = accepted(layer, {
            layer: "platform",
            sharedEntryDomain: "dev.example.com",
            sharedEntryZoneId: ZONE,
            tenants: shared,
        });
        assert.deepEqual(settings.sharedEntry, { domain: "dev.example.com", hostedZoneId: ZONE });
        assert.deepEqual([settings.tenants.web.entry, settings.tenants.api.entry], ["shared", "own"]);
        assert.equal(
            refused(layer, { layer: "platform", sharedEntryDomain: "dev.example.com" }),
            `${P}:sharedEntryZoneId: got "", expected set with the other: sharedEntryDomain and sharedEntryZoneId go together`,
        );
        assert.equal(
            refused(layer, { layer: "platform", sharedEntryZoneId: ZONE }),
            `${P}:sharedEntryDomain: got "", expected set with the other: sharedEntryDomain and sharedEntryZoneId go together`,
        );
        assert.equal(
            refused(layer, { layer: "platform", tenants: shared }),
            `${P}:sharedEntryDomain: got "", expected a domain with sharedEntryZoneId, for the tenants of entry shared (web)`,
        );
        assert.equal(
            refused(layer, {
                layer: "platform",
                sharedEntryDomain: "Dev.Example.com",
                sharedEntryZoneId: ZONE,
            }),
            `${P}:sharedEntryDomain: got "Dev.Example.com", expected empty, or a DNS name in lower case, at most 64 characters, such as shop.example.com`,
        );
    });

    it("only on a platform", () => {
        for (const layerName of ["all", "app"])
            assert.equal(
                refused(layer, {
                    layer: layerName,
                    platformStack: layerName === "app" ? "dev-platform" : "",
                    sharedEntryDomain: "dev.example.com",
                    sharedEntryZoneId: ZONE,
                }),
                `${P}:sharedEntryDomain: got "dev.example.com", expected empty when layer is ${layerName}: only a platform stack has a shared entry`,
            );
    });

    it("not on the local target, and at up never a domain reserved for documentation", () => {
        const entry = { [`${P}:sharedEntryDomain`]: "dev.example.com", [`${P}:sharedEntryZoneId`]: ZONE };
        assert.deepEqual(stackProblems("dev-platform", entry), []);
        assert.deepEqual(
            stackProblems("dev-platform", { ...entry, [`${P}:target`]: "local" }).filter((p) =>
                p.includes("sharedEntryDomain"),
            ),
            [
                `${P}:sharedEntryDomain: got "dev.example.com", expected empty on the local target, which has no ALB`,
            ],
        );
        assert.deepEqual(stackProblems("dev-platform", entry, { deploying: true }), [
            `${P}:sharedEntryDomain: got "dev.example.com", expected a domain of your own: example.com, .net and .org are reserved for documentation (RFC 2606), and ACM validates no certificate for them`,
        ]);
        assert.deepEqual(
            stackProblems(
                "dev-platform",
                { ...entry, [`${P}:sharedEntryDomain`]: "dev.shop.io" },
                { deploying: true },
            ),
            [],
        );
    });

    it("names every tenant of entry shared when the domain is missing", () => {
        assert.equal(
            refused(layer, { layer: "platform", tenants: { ...shared, api: { ...shared.web } } }),
            `${P}:sharedEntryDomain: got "", expected a domain with sharedEntryZoneId, for the tenants of entry shared (web, api)`,
        );
    });

    it("reports a bad zone once, not also as a domain without its zone", () => {
        assert.equal(
            refused(layer, {
                layer: "platform",
                sharedEntryDomain: "dev.shop.io",
                sharedEntryZoneId: "zone",
            }),
            `${P}:sharedEntryZoneId: got "zone", expected empty, or a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ`,
        );
    });
});

describe("config sections: the layer, when a key is bad or absent", () => {
    it("a bad layer is one problem: the keys that depend on it are not judged by a layer it is not", () => {
        for (const more of [
            { platformStack: "dev-platform" },
            { tenants: { web: { cpu: "1", memory: "1Gi" } } },
            { sharedEntryDomain: "dev.shop.io", sharedEntryZoneId: "Z0123456789ABCDEFGHIJ" },
        ])
            assert.equal(
                refused(layer, { layer: "cluster", ...more }),
                `${P}:layer: got "cluster", expected one of all, platform, app`,
                JSON.stringify(more),
            );
    });

    it("tenants the CLI does not pass at all are none, as {} is", () => {
        const r = readerOf(P, {
            layer: "platform",
            appName: "web",
            platformStack: "",
            sharedEntryDomain: "",
            sharedEntryZoneId: "",
        });
        assert.deepEqual(layer(r)?.tenants, {});
        assert.deepEqual(r.problems, []);
    });
});
