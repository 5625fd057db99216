import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS } from "../../domain/versions";
import { ROOT, loadStackConfig, readProjectFile } from "../../offline/stack-config";
import { checkRunway } from "../../scripts/runway";
import { P, awsStacks, layerOf } from "../helpers";

const DAY = 24 * 60 * 60 * 1000;

describe("runway: the scheduled check of the default Kubernetes version's support", () => {
    const version = String(readProjectFile().config!.kubernetesVersion.default);
    const end = Date.parse(KUBERNETES_VERSIONS[version].endOfStandardSupport);
    const users = [
        "Pulumi.yaml's default",
        ...awsStacks()
            .filter((s) => layerOf(s) !== "app")
            .filter((s) => loadStackConfig(s).values[`${P}:kubernetesVersion`] === version)
            .map((s) => `stack ${s}`),
    ];

    it(`passes with ${RUNWAY_WARNING_DAYS} days of standard support left, and fails with one fewer`, () => {
        const atLimit = checkRunway(new Date(end - RUNWAY_WARNING_DAYS * DAY));
        assert.equal(atLimit.ok, true, atLimit.lines.join("\n"));
        const under = checkRunway(new Date(end - (RUNWAY_WARNING_DAYS - 1) * DAY));
        assert.equal(under.ok, false);
        assert.ok(
            under.lines.includes(
                `FAIL Kubernetes ${version} (${users.join(", ")}): standard support until ${KUBERNETES_VERSIONS[version].endOfStandardSupport}, ${RUNWAY_WARNING_DAYS - 1} days left; under ${RUNWAY_WARNING_DAYS} days: add the next minor to domain/versions.ts and move the default and the stacks to it`,
            ),
            under.lines.join("\n"),
        );
    });

    it("runs weekly in CI, and fails its job through the script's exit code", () => {
        const workflow = yaml.load(
            fs.readFileSync(path.join(ROOT, ".github/workflows/runway.yml"), "utf8"),
        ) as { on: { schedule: { cron: string }[] }; jobs: { runway: { steps: { run?: string }[] } } };
        assert.match(workflow.on.schedule[0].cron, /^\d+ \d+ \* \* \d$/);
        assert.deepEqual(
            workflow.jobs.runway.steps.filter((s) => s.run).map((s) => s.run),
            ["npm ci", "npm run check:runway"],
        );
    });
});
