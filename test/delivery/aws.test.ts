import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";

describe("delivery: test:aws", () => {
    it("skips cleanly, saying what it needs, on a machine without the CLI or credentials", () => {
        const child = spawnSync(
            process.execPath,
            ["--require", "./scripts/transpile.js", "test/aws/integration.ts"],
            {
                cwd: ROOT,
                env: {
                    PATH: "/usr/bin:/bin",
                    HOME: fs.mkdtempSync(path.join(os.tmpdir(), "home-")),
                },
                encoding: "utf8",
            },
        );
        assert.equal(child.status, 0, child.stderr);
        assert.match(
            child.stdout,
            /^test:aws: skipped: needs the Pulumi CLI on PATH; AWS credentials .+ Nothing was deployed and nothing was tested\.\n$/,
        );
        assert.doesNotMatch(child.stdout, /passed/);
    });
});
