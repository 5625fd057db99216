// parseConfig as a whole: every problem at once, a frozen config, and the keys no section reads
// (mistyped, in another namespace, renamed or removed). Each section's own values are tested beside
// it, in sections/.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../config";
import { RENAMED_KEYS } from "../../migrations";
import { runStack } from "../../offline";
import { loadStackConfig, readProjectFile } from "../../offline/stack-config";
import { P, PREVIEW, resourcesOf } from "../helpers";
import { parseDev, problemsOf, stackProblems } from "./helpers";

/** The problems of a run of dev with some keys set, which must fail before any resource. */
async function refusedRun(overrides: Record<string, string>): Promise<string[]> {
    const run = await runStack("dev", { overrides });
    assert.equal(run.error?.name, "ConfigError");
    assert.deepEqual(resourcesOf(run), []);
    return (run.error as unknown as { problems: string[] }).problems;
}

describe("parseConfig", () => {
    it("rejects every bad value at once, in one error", () => {
        const problems = problemsOf({
            [`${P}:azCount`]: "9",
            [`${P}:natGateways`]: "x",
            [`${P}:nodeDiskSizeGiB`]: "1",
        });
        assert.equal(problems.length, 3);
        assert.match(problems[0], /azCount/);
        assert.match(problems[1], /natGateways/);
        assert.match(problems[2], /nodeDiskSizeGiB/);
    });

    it("rejects a negative value for every integer key", () => {
        const integerKeys = Object.entries(readProjectFile().config ?? {})
            .filter(([, decl]) => decl.type === "integer")
            .map(([key]) => key);
        assert.ok(integerKeys.length >= 6, `found integer keys ${integerKeys}`);
        for (const key of integerKeys) {
            const problems = problemsOf({ [`${P}:${key}`]: "-1" });
            assert.ok(
                problems.some((p) => p.startsWith(`${P}:${key}: got -1, expected `)),
                `${key}=-1 gave ${JSON.stringify(problems)}`,
            );
        }
    });

    it("returns a frozen config", () => {
        const config = parseDev({});
        assert.ok(config.target === "eks");
        assert.ok(Object.isFrozen(config) && Object.isFrozen(config.nodes.instanceTypes));
    });
});

describe("parseConfig: keys no section reads", () => {
    it("reports a mistyped key instead of silently using the default", async () => {
        assert.deepEqual(
            await refusedRun({
                [`${P}:azcount`]: "2",
                [`${P}:nodeSize`]: "3",
                [`${P}:workloadCpuRequets`]: "1",
            }),
            [
                `${P}:azcount: is set, expected only keys that Pulumi.yaml declares; did you mean ${P}:azCount?`,
                `${P}:nodeSize: is set, expected only keys that Pulumi.yaml declares (see docs/configuration.md)`,
                `${P}:workloadCpuRequets: is set, expected only keys that Pulumi.yaml declares; did you mean ${P}:workloadCpuRequest?`,
            ],
        );
    });

    it("suggests only the project's own keys, near for the key's length without the namespace", () => {
        // prtctx is 3 edits from protect: near for its 16 characters with the namespace, not its 6;
        // awsregion is 1 from aws:region, which is not a key of the project.
        for (const key of ["prtctx", "awsregion"])
            assert.deepEqual(stackProblems("dev", { [`${P}:${key}`]: "x" }), [
                `${P}:${key}: is set, expected only keys that Pulumi.yaml declares (see docs/configuration.md)`,
            ]);
    });

    it("refuses a key in neither the project's namespace nor a provider's, such as one left from before a rename", async () => {
        const before = `${P}-old`;
        const other = P.replace(/-/g, "_") + "_";
        const expected = (key: string, namespace: string, name: string) =>
            `${key}: is set in namespace ${namespace}:, expected the project's, ${P}: (the name in Pulumi.yaml), or a provider's (aws:, docker:, kubernetes:, pulumi:); did you mean ${P}:${name}?`;
        assert.deepEqual(await refusedRun({ [`${before}:nodeMaxSize`]: "5", [`${other}:azCount`]: "2" }), [
            expected(`${before}:nodeMaxSize`, before, "nodeMaxSize"),
            expected(`${other}:azCount`, other, "azCount"),
        ]);
    });

    it("refuses a provider's namespace misspelled, and only notes another tool's namespace", async () => {
        const run = await runStack("dev", {
            overrides: { "kuberentes:context": "kind", "acme-esc:team": "payments" },
        });
        assert.deepEqual((run.error as unknown as { problems: string[] }).problems, [
            `kuberentes:context: is set in namespace kuberentes:, expected the project's, ${P}: (the name in Pulumi.yaml), or a provider's (aws:, docker:, kubernetes:, pulumi:); did you mean kubernetes:context?`,
        ]);
        const { values } = loadStackConfig("dev");
        const merged: Record<string, string> = { ...values, "acme-esc:team": "payments" };
        const config = parseConfig(
            (ns, key) => merged[`${ns}:${key}`],
            P,
            "dev",
            Object.keys(merged),
            PREVIEW,
        );
        assert.deepEqual(
            config.notices.filter((n) => n.startsWith("acme-esc:")),
            ["acme-esc:team: is set in namespace acme-esc:, which this program reads nothing from"],
        );
    });

    it("refuses a renamed key with its new name, and registers nothing", async () => {
        assert.deepEqual(await refusedRun({ [`${P}:appCpuRequest`]: "1", [`${P}:ecrKeepImages`]: "5" }), [
            `${P}:appCpuRequest: is set, expected its new name ${P}:workloadCpuRequest (renamed; see CHANGELOG.md)`,
            `${P}:ecrKeepImages: is set, expected its new name ${P}:imageKeepCount (renamed; see CHANGELOG.md)`,
        ]);
    });

    it("refuses a removed key, saying what to set instead", async () => {
        assert.deepEqual(await refusedRun({ [`${P}:workloadReplicas`]: "3" }), [
            `${P}:workloadReplicas: is set, expected it unset: it was removed (the HorizontalPodAutoscaler owns the replica count; set workloadMinReplicas and workloadMaxReplicas; see CHANGELOG.md)`,
        ]);
        assert.deepEqual(stackProblems("dev", { [`${P}:appReplicas`]: "3" }), [
            `${P}:appReplicas: is set, expected it unset: it was removed (the HorizontalPodAutoscaler owns the replica count; set workloadMinReplicas and workloadMaxReplicas; see CHANGELOG.md)`,
        ]);
    });

    it("refuses addonVersions, pointing at the table that pins add-ons per Kubernetes version", async () => {
        const line = `${P}:addonVersions: is set, expected it unset: it was removed (add-on versions are pinned per Kubernetes version in domain/versions.ts; change them there, in a reviewed commit; see CHANGELOG.md)`;
        assert.deepEqual(await refusedRun({ [`${P}:addonVersions`]: '["coredns=v1.11.4-eksbuild.2"]' }), [
            line,
        ]);
        assert.deepEqual(stackProblems("dev", { [`${P}:addonVersions`]: "{}" }), [line]);
    });

    it("every new name is a key Pulumi.yaml declares", () => {
        const declared = Object.keys(readProjectFile().config ?? {});
        for (const [old, renamed] of Object.entries(RENAMED_KEYS)) {
            assert.ok(declared.includes(renamed), renamed);
            assert.ok(!declared.includes(old), old);
        }
    });
});
