// The README's main command on a copy of the checkout as a clone has it, on a machine without Go or
// nginx: `npm run plan` sets itself up with Node and Python alone (`npm ci`, and a virtualenv holding
// the schema validator), and plans every committed stack.
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { PROJECT, ROOT, committedStacks } from "../../offline/stack-config";
import { copyCheckoutTo } from "../helpers";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
/** The README's plan command, verbatim: the first shell block that runs `npm run plan`. */
const command = /```sh\n(npm run plan -- --stack dev)\n```/.exec(readme)?.[1];

/** PATH without the directories that hold go or nginx (and so without either). */
function pathWithout(...tools: string[]): string {
    return process.env
        .PATH!.split(":")
        .filter((dir) => !tools.some((tool) => fs.existsSync(path.join(dir, tool))))
        .join(":");
}

/**
 * Runs a command in bash with no stdin. Node's default stdin is a socket, and Debian's bash reads
 * ~/.bashrc when its stdin is a socket (its sshd heuristic), which may put go back on PATH.
 */
function bash(command: string, env: NodeJS.ProcessEnv, cwd?: string) {
    return spawnSync("bash", ["-c", command], {
        cwd,
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

describe("the README's quick start on a fresh copy, with no Go and no nginx", () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), `${PROJECT}-clone-`));
    after(() => fs.rmSync(clone, { recursive: true, force: true }));
    // What a clone holds (tracked files and new ones, as the working tree has them): no node_modules,
    // .venv or .tools, which the command makes for itself. Nothing is shared with this checkout.
    copyCheckoutTo(clone);
    const env = { ...process.env, PATH: pathWithout("go", "nginx"), NO_COLOR: "1" };

    it("has a plan command in the README, and a PATH where go and nginx are not found", () => {
        assert.equal(command, "npm run plan -- --stack dev");
        for (const tool of ["go", "nginx"]) assert.notEqual(bash(`command -v ${tool}`, env).status, 0, tool);
    });

    for (const stack of committedStacks()) {
        it(`plans ${stack}, installing only what the plan needs`, () => {
            const run = bash(command!.replace("--stack dev", `--stack ${stack}`), env, clone);
            assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
            assert.match(run.stderr, new RegExp(`evaluated stack ${stack}: \\d+ registrations`));
            assert.ok(fs.existsSync(path.join(clone, "node_modules/@pulumi/pulumi/package.json")));
            assert.ok(fs.existsSync(path.join(clone, ".venv/bin/kubernetes-validate")));
            assert.ok(!fs.existsSync(path.join(clone, ".tools/bin/actionlint")), "built a test tool");
            assert.ok(!fs.existsSync(path.join(clone, ".venv/bin/pytest")), "installed a test tool");
        });
    }
});
