import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";

describe("delivery: waiting for a busy stack (delivery/on-stack-lock.sh)", () => {
    /** A `pulumi` that answers 409 the first `busy` times, then `last` (an exit status). */
    const fake = (busy: number, last: number) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-"));
        const bin = path.join(dir, "pulumi");
        fs.writeFileSync(
            bin,
            `#!/bin/sh\nn=$(cat ${bin}.n 2>/dev/null || echo 0); echo $((n + 1)) > ${bin}.n\n` +
                `if [ "$n" -lt ${busy} ]; then echo "error: [409] Conflict: Another update is currently in progress."; exit 255; fi\n` +
                `echo done; exit ${last}\n`,
            { mode: 0o755 },
        );
        return bin;
    };
    const run = (bin: string, tries = 5) =>
        spawnSync("bash", ["delivery/on-stack-lock.sh", bin, "refresh"], {
            cwd: ROOT,
            env: { ...process.env, LOCK_WAIT: "0", LOCK_TRIES: String(tries) },
            encoding: "utf8",
        });

    it("tries again while the stack is busy, then returns the command's result", () => {
        const result = run(fake(2, 0));
        assert.equal(result.status, 0);
        assert.match(result.stdout, /done\n$/);
    });

    it("returns any other failure at once, and a stack busy for the whole wait as a failure", () => {
        assert.equal(run(fake(0, 3)).status, 3);
        const busy = run(fake(9, 0), 3);
        assert.equal(busy.status, 255);
        assert.doesNotMatch(busy.stdout, /done/);
    });
});
