// The plan's check of appModule: the app's Python environment imports the module from app/ and finds
// the callable, so a module or factory that is not there is refused before an up builds and rolls
// out an image that could only crash-loop. plan/appmodule.py does the import.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { RunResult } from "../offline";
import { ROOT } from "../offline/stack-config";

export type AppModuleCheck = { ok: true } | { problem: string } | { notice: string };

/**
 * Checks `spec` (module:callable, with () for a factory) against the app in `root`'s app/, with the
 * stack's app environment set as the pod would have it (secrets by name only).
 */
export function checkAppModule(
    root: string,
    spec: string,
    environment: Record<string, string>,
): AppModuleCheck {
    // APP_PYTHON names another environment's: a copy of the project, or the mutation run's sandboxes.
    const python = process.env.APP_PYTHON ?? path.join(ROOT, ".venv", "bin", "python");
    if (!fs.existsSync(python)) {
        throw new Error(`${python} is missing: npm run plan sets it up (bash scripts/setup.sh plan)`);
    }
    const result = spawnSync(python, [path.join(__dirname, "appmodule.py"), path.join(root, "app"), spec], {
        encoding: "utf8",
        env: { ...process.env, ...environment },
        timeout: 60_000,
    });
    if (result.status !== 0) {
        throw new Error(
            `checking appModule ${spec} failed: ${`${result.stderr}${result.error ?? ""}`.trim()}`,
        );
    }
    return JSON.parse(result.stdout) as AppModuleCheck;
}

/**
 * The stack's appModule checked against `root`'s app/: undefined when the stack serves no app (the
 * bootstrap program). The environment is the stack's appEnv and appSecrets, the secrets masked.
 */
export function checkStackAppModule(
    run: RunResult,
    root: string,
): (AppModuleCheck & { spec: string }) | undefined {
    const key = (name: string) => run.config[`${run.project}:${name}`];
    const spec = key("appModule");
    if (spec === undefined) return undefined;
    const environment = { ...JSON.parse(key("appEnv") ?? "{}"), ...JSON.parse(key("appSecrets") ?? "{}") };
    return { spec, ...checkAppModule(root, spec, environment) };
}
