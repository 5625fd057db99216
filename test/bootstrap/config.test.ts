// The bootstrap's config (bootstrap/config.ts): every problem at once, before anything registers.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseBootstrapConfig } from "../../bootstrap/config";
import { platformStackOf, publicNameOf } from "../../bootstrap/stackfiles";
import { Reader } from "../../config/reader";
import { absentStack, inputs, one } from "../helpers";
import { B, bootstrap } from "./helpers";

describe("bootstrap: config", () => {
    const raw = (values: Record<string, string>) => (ns: string, key: string) => values[`${ns}:${key}`];
    const base = {
        "aws:region": "us-west-2",
        [`${B}:githubRepository`]: "acme/flask-eks",
        [`${B}:pulumiOrganization`]: "acme",
        [`${B}:stacks`]: '["dev","staging","prod"]',
        [`${B}:reviewedStacks`]: '["prod"]',
        [`${B}:openPreviewStacks`]: '["dev"]',
        [`${B}:reviewerTeams`]: '["platform"]',
        [`${B}:appPolicyArns`]: "[]",
        [`${B}:retiredHostnames`]: "[]",
        [`${B}:githubOidcProviderArn`]: "",
        [`${B}:pulumiOidcProviderArn`]: "",
        [`${B}:deploymentsAgentPoolId`]: "",
    };
    const problems = (overrides: Record<string, string>) => {
        try {
            parseBootstrapConfig(raw({ ...base, ...overrides }), B, "example");
            return [];
        } catch (e) {
            return (e as { problems: string[] }).problems;
        }
    };

    it("accepts the example", () => assert.deepEqual(problems({}), []));

    it("refuses a stack with no stack file, a reviewed stack it does not deliver, and reviews with no reviewer, all at once", () => {
        const absent = absentStack();
        assert.deepEqual(
            problems({
                [`${B}:stacks`]: `["dev","${absent}"]`,
                [`${B}:reviewedStacks`]: '["prod"]',
                [`${B}:reviewerTeams`]: "[]",
                [`${B}:githubRepository`]: "flask-eks",
            }),
            [
                `${B}:githubRepository: got "flask-eks", expected owner/name of a GitHub repository`,
                `${B}:stacks: got ["dev","${absent}"], expected stacks with a stack file in the repository (no Pulumi.${absent}.yaml)`,
                `${B}:reviewedStacks: got ["prod"], expected stacks among ["dev","${absent}"]`,
                `${B}:reviewerTeams: got [], expected at least one team to approve deploys of prod, previews of ${absent}`,
            ],
        );
    });

    it("reads retiredHostnames as <stack>:<hostname>:<zone>, of a stack it delivers, and refuses each bad item", () => {
        const item = "dev:old.example.com:Z0123456789ABCDEFGHIJ";
        const config = parseBootstrapConfig(
            raw({ ...base, [`${B}:retiredHostnames`]: JSON.stringify([item]) }),
            B,
            "example",
        );
        assert.deepEqual(config.retiredNames, {
            dev: [{ hostname: "old.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }],
        });
        const bad = [
            "qa:old.example.com:Z0123456789ABCDEFGHIJ",
            "dev:Old.Example.com:Z0123456789ABCDEFGHIJ",
            "dev:old.example.com",
            "dev:old.example.com:zone-1",
            `${item}:x`,
        ];
        assert.deepEqual(
            problems({ [`${B}:retiredHostnames`]: JSON.stringify([item, ...bad]) }),
            bad.map(
                (b) =>
                    `${B}:retiredHostnames: got "${b}", expected items <stack>:<hostname>:<hosted zone id>, the stack among ["dev","staging","prod"], such as dev:old.example.com:Z0123456789ABCDEFGHIJ`,
            ),
        );
    });

    it("checks the name in a stack's file as the stack does, and says which file holds a bad one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        const nameIn = (config: Record<string, unknown>) => {
            fs.writeFileSync(path.join(dir, "Pulumi.web.yaml"), JSON.stringify({ config }));
            const r = new Reader(() => undefined, B, []);
            return { name: publicNameOf("web", r, "shop", dir), problems: r.problems };
        };
        try {
            assert.deepEqual(
                nameIn({ "shop:hostname": "shop.example.com", "shop:hostedZoneId": "Z0123456789ABCDEFGHIJ" }),
                {
                    name: { hostname: "shop.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
                    problems: [],
                },
            );
            assert.deepEqual(nameIn({}), { name: undefined, problems: [] });
            assert.deepEqual(
                nameIn({ "shop:hostname": "Shop.example.com", "shop:hostedZoneId": { secure: "v1:abc" } }),
                {
                    name: undefined,
                    problems: [
                        `shop:hostname in Pulumi.web.yaml: got "Shop.example.com", expected empty, or a DNS name in lower case, at most 64 characters, such as shop.example.com`,
                        `shop:hostedZoneId in Pulumi.web.yaml: got {"secure":"v1:abc"}, expected a plain string: the name is public, and the bootstrap reads it from Pulumi.web.yaml`,
                    ],
                },
            );
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("reads a platform's shared entry as the certificate of *.<domain>, and an app's host on it as its record", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        const write = (stack: string, config: Record<string, unknown>) =>
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), JSON.stringify({ config }));
        const nameOf = (stack: string) => {
            const r = new Reader(() => undefined, B, []);
            return { name: publicNameOf(stack, r, "shop", dir), problems: r.problems };
        };
        const zone = "Z0123456789ABCDEFGHIJ";
        try {
            write("dev-platform", {
                "shop:layer": "platform",
                "shop:sharedEntryDomain": "dev.shop.io",
                "shop:sharedEntryZoneId": zone,
                "shop:tenants": {
                    api: { cpu: "1", memory: "1Gi", entry: "shared" },
                    web: { cpu: "1", memory: "1Gi" },
                },
            });
            write("dev-api", {
                "shop:layer": "app",
                "shop:platformStack": "dev-platform",
                "shop:appName": "api",
            });
            write("dev-web", { "shop:layer": "app", "shop:platformStack": "dev-platform" });
            assert.deepEqual(nameOf("dev-platform"), {
                name: { hostname: "*.dev.shop.io", hostedZoneId: zone, makes: "certificate" },
                problems: [],
            });
            assert.deepEqual(nameOf("dev-api"), {
                name: { hostname: "api.dev.shop.io", hostedZoneId: zone, makes: "record" },
                problems: [],
            });
            // web (appName's default) has an NLB of its own and no name.
            assert.deepEqual(nameOf("dev-web"), { name: undefined, problems: [] });
            write("dev-platform", { "shop:layer": "platform", "shop:sharedEntryDomain": "dev.shop.io" });
            assert.deepEqual(nameOf("dev-platform"), { name: undefined, problems: [] });
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("reads an app stack's platform from its file, a stack of this project only", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        const platformIn = (config: Record<string, unknown>) => {
            fs.writeFileSync(path.join(dir, "Pulumi.web.yaml"), JSON.stringify({ config }));
            const r = new Reader(() => undefined, B, []);
            return { platform: platformStackOf("web", r, "shop", dir), problems: r.problems };
        };
        try {
            assert.deepEqual(platformIn({ "shop:layer": "app", "shop:platformStack": "dev-platform" }), {
                platform: "dev-platform",
                problems: [],
            });
            // Not an app, whatever else it sets: no platform.
            assert.deepEqual(platformIn({ "shop:platformStack": "dev-platform" }), {
                platform: undefined,
                problems: [],
            });
            assert.deepEqual(platformIn({ "shop:layer": "app", "shop:platformStack": "acme/other/dev" }), {
                platform: undefined,
                problems: [
                    `shop:platformStack in Pulumi.web.yaml: got "acme/other/dev", expected a stack of this project (such as dev-platform): the bootstrap names its cluster from it`,
                ],
            });
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("fails the program before any resource registers", async () => {
        const run = await bootstrap({ [`${B}:pulumiOrganization`]: "acme corp" });
        assert.match(run.error!.message, /pulumiOrganization: got "acme corp"/);
        assert.deepEqual(
            run.registrations.filter((r) => r.custom),
            [],
        );
    });

    it("passes the stack's aws: credentials to its AWS provider, as the main program does", async () => {
        const run = await bootstrap({ "aws:profile": "org-admin" });
        assert.equal(run.error, undefined, run.error?.message);
        assert.equal(inputs(one(run, "pulumi:providers:aws")).profile, "org-admin");
        const refused = await bootstrap({ "aws:profle": "org-admin" });
        assert.match(refused.error!.message, /aws:profle: is set, .*; did you mean aws:profile\?/);
    });
});
