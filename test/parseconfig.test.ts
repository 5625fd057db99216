// The config reader's accessors on their own, and parseConfig's checks across sections: what applies
// on EKS only, keys no section reads, and the error a user sees.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../config";
import { ConfigError, Reader } from "../config/reader";
import { loadStackConfig } from "../offline/stack-config";
import { P, PREVIEW, readerOf } from "./helpers";

/** The problems parseConfig finds in a committed stack's config with some keys changed; [] if none. */
function problemsOf(stack: string, overrides: Record<string, string>): string[] {
    const values: Record<string, string | undefined> = { ...loadStackConfig(stack).values, ...overrides };
    try {
        parseConfig((ns, key) => values[`${ns}:${key}`], P, stack, Object.keys(values), PREVIEW);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems;
    }
}

describe("config reader: the error and the defaults", () => {
    it("counts the problems in its first line and lists one per line, with no stack frames", () => {
        const one = new ConfigError(["a: got 1, expected 2"], "dev");
        assert.equal(one.message, 'Invalid config for stack "dev" (1 problem):\n  - a: got 1, expected 2');
        assert.equal(one.stack, `ConfigError: ${one.message}`);
        const two = new ConfigError(["a", "b"], "prod");
        assert.equal(two.message, 'Invalid config for stack "prod" (2 problems):\n  - a\n  - b');
    });

    it("reads as a preview of today unless told otherwise", () => {
        const { situation } = new Reader(() => undefined, P, []);
        assert.equal(situation.deploying, false);
        assert.ok(Math.abs(situation.today.getTime() - Date.now()) < 60_000);
    });
});

describe("config reader: accessors", () => {
    it("one problem for a key that is not set, whatever its type", () => {
        const notSet = (key: string) =>
            `${P}:${key}: not set, expected a value (Pulumi.yaml declares every key; set this one with pulumi config set ${P}:${key} ...)`;
        for (const read of [
            (r: Reader) => r.string("k", /^a$/, "a"),
            (r: Reader) => r.oneOf("k", ["a"]),
            (r: Reader) => r.integer("k", 1),
            (r: Reader) => r.boolean("k"),
            (r: Reader) => r.list("k", /^a$/, "a"),
        ]) {
            const r = readerOf(P, {}, PREVIEW);
            assert.equal(read(r), undefined);
            assert.deepEqual(r.problems, [notSet("k")]);
        }
    });

    it("integers: surrounding spaces ignored, nothing else before or after the digits", () => {
        assert.equal(readerOf(P, { k: " 5 " }, PREVIEW).integer("k", 1, 9), 5);
        for (const raw of ["5x", "x5", "5.0"]) {
            const r = readerOf(P, { k: raw }, PREVIEW);
            assert.equal(r.integer("k", 1, 9), undefined, raw);
            assert.deepEqual(r.problems, [
                `${P}:k: got ${JSON.stringify(raw)}, expected an integer from 1 to 9`,
            ]);
        }
    });

    it("lists hold strings only", () => {
        const r = readerOf(P, { k: "[5]" }, PREVIEW);
        assert.equal(r.list("k"), undefined);
        assert.deepEqual(r.problems, [`${P}:k: got "[5]", expected a list of strings`]);
    });

    it("says which pattern a value missed when the caller names no expectation", () => {
        const r = readerOf(P, { s: "b", l: '["b"]' }, PREVIEW);
        assert.equal(r.string("s", /^a$/), undefined);
        assert.equal(r.list("l", /^a$/), undefined);
        assert.deepEqual(r.problems, [
            `${P}:s: got "b", expected a string matching /^a$/`,
            `${P}:l: got "b", expected items matching /^a$/`,
        ]);
    });
});

describe("parseConfig: checks that apply on EKS only", () => {
    it("the local target reports a bad cluster key like any other, and has no node capacity to check", () => {
        assert.equal(problemsOf("local", { [`${P}:kubernetesVersion`]: "1.99" }).length, 1);
        const manyReplicas = { [`${P}:workloadMaxReplicas`]: "1000" };
        assert.match(
            problemsOf("dev", manyReplicas).join("\n"),
            /workloadMaxReplicas: got 1000, expected at most/,
        );
        assert.deepEqual(problemsOf("local", manyReplicas), []);
    });

    it("the local target takes client ranges inside the VPC CIDR it does not create", () => {
        const inside = { [`${P}:lbSourceRanges`]: '["10.0.1.0/24"]', [`${P}:vpcCidr`]: "10.0.0.0/16" };
        assert.match(
            problemsOf("dev", inside).join("\n"),
            /lbSourceRanges: got \["10\.0\.1\.0\/24"\], expected ranges outside/,
        );
        assert.deepEqual(problemsOf("local", inside), []);
    });
});

describe("parseConfig: a certificate and the region", () => {
    it("a bad region is one problem, not also a certificate meant for the local target", () => {
        const certificate =
            "arn:aws:acm:us-west-2:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
        const problems = problemsOf("dev", {
            "aws:region": "mars-1",
            [`${P}:tlsCertificateArn`]: certificate,
        });
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^aws:region: got "mars-1"/);
    });
});

describe("parseConfig: keys no section reads", () => {
    it("names what replaced a removed key", () => {
        assert.deepEqual(problemsOf("dev", { [`${P}:addonVersions`]: "{}" }), [
            `${P}:addonVersions: is set, expected it unset: it was removed (add-on versions are pinned per Kubernetes version in domain/versions.ts; change them there, in a reviewed commit; see CHANGELOG.md)`,
        ]);
        assert.deepEqual(problemsOf("dev", { [`${P}:appReplicas`]: "3" }), [
            `${P}:appReplicas: is set, expected it unset: it was removed (the HorizontalPodAutoscaler owns the replica count; set workloadMinReplicas and workloadMaxReplicas; see CHANGELOG.md)`,
        ]);
    });

    it("suggests only the project's own keys, near for the key's length without the namespace", () => {
        // prtctx is 3 edits from protect: near for its 16 characters with the namespace, not its 6;
        // awsregion is 1 from aws:region, which is not a key of the project.
        for (const key of ["prtctx", "awsregion"])
            assert.deepEqual(problemsOf("dev", { [`${P}:${key}`]: "x" }), [
                `${P}:${key}: is set, expected only keys that Pulumi.yaml declares (see docs/configuration.md)`,
            ]);
    });
});
