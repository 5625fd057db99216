// What the plan's tests share: the plan command run as a user would, and a scratch directory.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../../offline/stack-config";

/** Runs the plan CLI as a user would, minus the install step. */
export function plan(...args: string[]) {
    const child = spawnSync(
        process.execPath,
        ["--require", "./scripts/transpile.js", "plan/main.ts", ...args],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, NO_COLOR: "1" },
        },
    );
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

export function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "flask-eks-plan-"));
}
