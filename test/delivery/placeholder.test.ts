import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";

describe("delivery: a stack file's placeholder (delivery/placeholder.sh)", () => {
    const check = (stack: string) => {
        const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "placeholder-")), "out");
        const run = spawnSync("bash", ["delivery/placeholder.sh", stack], {
            cwd: ROOT,
            env: { ...process.env, GITHUB_OUTPUT: output },
            encoding: "utf8",
        });
        assert.equal(run.status, 0, run.stderr);
        return { stdout: run.stdout, output: fs.readFileSync(output, "utf8") };
    };

    it("skips prod while its endpoint allowlist is the placeholder, with a notice", () => {
        // prod commits a placeholder today: the check finds it.
        assert.match(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"), /REPLACE_WITH_/);
        const prod = check("prod");
        assert.equal(prod.output, "skip=true\n");
        assert.match(prod.stdout, /^::notice::Pulumi\.prod\.yaml still holds a placeholder/);
    });

    it("runs dev, whose file holds none", () =>
        assert.deepEqual(check("dev"), { stdout: "", output: "skip=false\n" }));
});
