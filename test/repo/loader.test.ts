import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { MOCK_DEPLOYER_ROLE } from "../../offline/mocks";
import { PROJECT, ROOT, loadStackConfig } from "../../offline/stack-config";

/** Runs the program through the SDK's run script in a clean child process. */
function sdkRun(config: Record<string, string>) {
    const child = spawnSync(
        process.execPath,
        [path.join(__dirname, "sdk-run.js"), PROJECT, "dev", config["aws:region"] ?? "us-west-2"],
        {
            cwd: ROOT,
            // Only what the CLI would pass: no ts-node hooks or loader flags inherited from this process.
            env: { PATH: process.env.PATH, PULUMI_CONFIG: JSON.stringify(config) },
            encoding: "utf8",
        },
    );
    const types: string[] = JSON.parse(child.stdout.trim().split("\n").pop()!).types;
    return { status: child.status, stderr: child.stderr, types };
}

describe("loading the program the way pulumi up does", () => {
    it("the SDK's run script compiles index.ts with this tsconfig and runs it to completion", () => {
        // As an up: the mocks' caller must be one of the stack's admins.
        const run = sdkRun({
            ...loadStackConfig("dev").values,
            [`${PROJECT}:adminRoleArns`]: JSON.stringify([MOCK_DEPLOYER_ROLE]),
        });
        assert.equal(run.status, 0, run.stderr);
        for (const type of [
            "pulumi:pulumi:Stack",
            "aws:eks/cluster:Cluster",
            "aws:eks/nodeGroup:NodeGroup",
            "pulumi:providers:kubernetes",
        ]) {
            assert.ok(run.types.includes(type), `${type} registered`);
        }
    });

    it("bad config fails under the run script with the problem lines and no stack trace", () => {
        const config = { ...loadStackConfig("dev").values, [`${PROJECT}:azCount`]: "9" };
        const run = sdkRun(config);
        assert.notEqual(run.status, 0);
        assert.ok(
            run.stderr.includes(`${PROJECT}:azCount: got 9, expected an integer from 2 to 6`),
            run.stderr,
        );
        assert.doesNotMatch(run.stderr, /\n\s+at /);
        assert.deepEqual(run.types, ["pulumi:pulumi:Stack"]);
    });
});
