import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    Registration,
    RunOptions,
    RunResult,
    prerequisites,
    runComponent,
    runStack,
    unwrapSecrets,
} from "../offline";

export { providerUrn } from "../offline";
import { PROJECT, ROOT, committedStacks, loadStackConfig } from "../offline/stack-config";
import { Reader, Situation } from "../config/reader";

export { committedStacks };

/** The project's name: the namespace of its config keys. */
export const P = PROJECT;

/** A committed stack's layer: all (the one-stack shape), platform or app. */
export function layerOf(stack: string): string {
    return loadStackConfig(stack).values[`${P}:layer`];
}

/** The committed stacks that deploy to AWS, whatever their layer (every one but the local target's). */
export function awsStacks(): string[] {
    return committedStacks().filter((s) => loadStackConfig(s).values[`${P}:target`] !== "local");
}

/** The committed one-stack shapes that deploy to EKS: the cluster and the service in one stack. */
export function eksStacks(): string[] {
    return awsStacks().filter((s) => layerOf(s) === "all");
}

/** The committed stacks of a layer, platform or app. */
export function stacksOfLayer(layer: "platform" | "app"): string[] {
    return committedStacks().filter((s) => layerOf(s) === layer);
}

/**
 * A stack name with no stack file, for tests of what an unknown stack gets: "absent", or "absent-2" and
 * so on should a fork have a stack of that name.
 */
export function absentStack(): string {
    const stacks = committedStacks();
    let name = "absent";
    for (let n = 2; stacks.includes(name); n++) name = `absent-${n}`;
    return name;
}

const cache = new Map<string, Promise<RunResult>>();

/** The committed stack's run, evaluated once per test file. */
export function stackRun(stack: string): Promise<RunResult> {
    if (!cache.has(stack)) cache.set(stack, runStack(stack));
    return cache.get(stack)!;
}

/** A run that must succeed; fails the test with the program's error otherwise. */
export async function okRun(stack: string, options?: RunOptions): Promise<RunResult> {
    const run = options ? await runStack(stack, options) : await stackRun(stack);
    assert.equal(run.error, undefined, `stack ${stack} failed: ${run.error?.message}`);
    return run;
}

/**
 * One component built alone under the mocks, with the arguments the test gives it, outside any
 * committed stack (offline/index.ts, runComponent); fails the test if building it throws.
 */
export async function builtAlone(build: () => Record<string, unknown> | void): Promise<RunResult> {
    const run = await runComponent(build);
    assert.equal(run.error, undefined, `the component failed: ${run.error?.message}`);
    return run;
}

export function all(run: RunResult, type: string): Registration[] {
    return run.registrations.filter((r) => r.type === type);
}

/** The one registration of `type` (and `name`, when given); fails unless there is exactly one. */
export function one(run: RunResult, type: string, name?: string): Registration {
    const found = all(run, type).filter((r) => name === undefined || r.name === name);
    assert.equal(
        found.length,
        1,
        `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`,
    );
    return found[0];
}

/** A registration's inputs with secrets unwrapped, typed loosely for assertions. */
// Inputs are arbitrary JSON from the engine's point of view; tests index into them freely.
export function inputs(r: Registration): any {
    return unwrapSecrets(r.inputs);
}

/** True when `from` waits for `to`, directly or through other resources or its parents. */
export function waitsFor(run: RunResult, from: Registration, to: Registration): boolean {
    const byUrn = new Map(run.registrations.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [from.urn];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        if (urn === to.urn && urn !== from.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const r = byUrn.get(urn);
        if (!r) continue;
        stack.push(...prerequisites(r));
    }
    return false;
}

/** Registrations other than the root Stack: what a failed config must leave empty. */
export function resourcesOf(run: RunResult): Registration[] {
    return run.registrations.filter((r) => r.type !== "pulumi:pulumi:Stack");
}

/** Policy ARNs attached to the role registered as `roleName`, sorted. */
export function policiesOf(run: RunResult, roleName: string): string[] {
    const role = one(run, "aws:iam/role:Role", roleName);
    return all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.propertyDependencies.role?.includes(role.urn))
        .map((a) => inputs(a).policyArn)
        .sort();
}

/** A config Reader over some keys of one namespace, lists and maps JSON-encoded as the CLI passes them. */
/** A preview on the day the tests' dates are reckoned from: a situation in which nothing deploys. */
export const PREVIEW: Situation = { today: new Date("2026-11-28T12:00:00Z"), deploying: false };

/** A file of this checkout, by its path from the root. */
export const readRepoFile = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

export function readerOf(namespace: string, values: Record<string, unknown>, situation?: Situation): Reader {
    const raw = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [
            `${namespace}:${k}`,
            typeof v === "string" ? v : JSON.stringify(v),
        ]),
    );
    return new Reader((ns, key) => raw[`${ns}:${key}`], P, [], situation);
}

/** Assertions over a config section's parser: a value accepted, or refused with one problem and no section. */
export function verdicts(
    parse: (values: Record<string, unknown>) => { result: unknown; problems: string[] },
) {
    return {
        accepted: (values: Record<string, unknown>) =>
            assert.deepEqual(parse(values).problems, [], JSON.stringify(values)),
        refusedOnce: (values: Record<string, unknown>): string => {
            const { result, problems } = parse(values);
            assert.equal(problems.length, 1, `${JSON.stringify(values)}: ${problems.join("; ")}`);
            assert.equal(result, undefined);
            return problems[0];
        },
    };
}

/**
 * What the program is made of: what index.ts loads, and the app it builds. test/repo/imports.test.ts
 * checks that it holds every file index.ts imports, and that test/e2e.sh copies the same.
 */
export const PROGRAM_PARTS = ["index.ts", "config", "components", "domain", "migrations", "targets", "app"];

/**
 * A second checkout of the program at another path, as CI's or a colleague's would be: what the
 * program is made of and dev's stack file, with this checkout's packages (wherever they are
 * installed). The caller removes it.
 */
export function checkoutCopy(): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), `${P}-checkout-`));
    for (const part of [...PROGRAM_PARTS, "Pulumi.yaml", "Pulumi.dev.yaml", "tsconfig.json"])
        fs.cpSync(path.join(ROOT, part), path.join(copy, part), { recursive: true });
    const modules = path.resolve(require.resolve("@pulumi/pulumi/package.json"), "../../..");
    fs.symlinkSync(modules, path.join(copy, "node_modules"));
    return copy;
}

/**
 * Copies this checkout into `dir` as a clone would have it: the tracked files and new ones, as the
 * working tree holds them, and nothing git ignores (no node_modules, .venv or .tools).
 */
export function copyCheckoutTo(dir: string): void {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
        cwd: ROOT,
        encoding: "utf8",
    })
        .split("\0")
        .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
}
