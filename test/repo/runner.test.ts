import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";

// scripts/run-tests.js, the runner npm test and the fork test use: it must fail whenever a test fails
// or a file cannot even load, and count every test of every process.

/** Runs the runner on test files written from `sources`; its status, and its output's last totals. */
function runOn(sources: string[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-"));
    const files = sources.map((source, i) => {
        const file = path.join(dir, `t${i}.test.ts`);
        fs.writeFileSync(file, `import { it } from "node:test";\n${source}\n`);
        return file;
    });
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const done = spawnSync(process.execPath, ["scripts/run-tests.js", ...files], {
        cwd: ROOT,
        env,
        encoding: "utf8",
    });
    fs.rmSync(dir, { recursive: true, force: true });
    const total = (key: string) =>
        Number([...done.stdout.matchAll(new RegExp(`^# ${key} (\\d+)$`, "gm"))].pop()?.[1]);
    return { status: done.status, pass: total("pass"), fail: total("fail"), out: done.stdout };
}

const passing = 'it("passes", () => {});';

describe("scripts/run-tests.js", () => {
    it("counts the tests of every process, and passes when they all pass", () => {
        const run = runOn([passing, passing, `${passing}\nit("also", () => {});`]);
        assert.deepEqual([run.status, run.pass, run.fail], [0, 4, 0], run.out);
    });

    it("fails when one test of one file fails", () => {
        const run = runOn([passing, passing, 'it("fails", () => { throw new Error("no"); });']);
        assert.deepEqual([run.status, run.pass, run.fail], [1, 2, 1], run.out);
    });

    it("fails when a file cannot load, though no test failed", () => {
        const run = runOn([passing, 'throw new Error("cannot load");']);
        assert.equal(run.status, 1, run.out);
        assert.match(run.out, /ended with no failure reported/);
    });
});
