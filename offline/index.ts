import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ExistingAws, StackOutputs, awsMocks } from "./mocks";
import { recordInto, waitForRegistrations } from "./record";
import type { Registration } from "./registration";
import { ROOT, loadStackConfig } from "./stack-config";

export type { AliasSpec, Registration } from "./registration";

/** One invoke: its token, its arguments, and the reference (URN::id) of the provider it went through. */
export interface Invoke {
    token: string;
    inputs: Record<string, unknown>;
    provider?: string;
}

export interface RunResult {
    stack: string;
    project: string;
    /** The config the program saw, fully qualified keys to CLI strings; secret values masked. */
    config: Record<string, string>;
    /** The keys of `config` that are secrets. */
    secretKeys: string[];
    registrations: Registration[];
    /** Every invoke (data source lookup) the program made, in order. */
    invokes: Invoke[];
    /** Stack outputs, with secrets still wrapped. */
    outputs: Record<string, unknown>;
    /** What each component registered as its outputs, by URN, secrets still wrapped. */
    componentOutputs: Record<string, Record<string, unknown>>;
    /** What the program threw, if it failed. */
    error?: Error;
    /** An app stack's platform stack, run first: its outputs are what the app's StackReference reads. */
    platform?: RunResult;
}

export interface RunOptions {
    /** Config to set (a string) or unset (undefined) on top of the stack's, by fully qualified key. */
    overrides?: Record<string, string | undefined>;
    /** Config to set as secrets, as `pulumi config set --secret` does, by fully qualified key. */
    secrets?: Record<string, string>;
    /** Project root holding Pulumi.yaml, the stack files and index.ts. Default: this repository. */
    root?: string;
    /** Run as `pulumi up` would (not a preview): the program then refuses placeholders. Default: a preview. */
    deploy?: boolean;
    /** What exists in the account already (a later up, or one after a destroy). Default: nothing. */
    existing?: ExistingAws;
}

const SECRET_SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

/** The URN part of a provider reference (`urn::id`). */
export function providerUrn(ref: string): string {
    return ref.slice(0, ref.lastIndexOf("::"));
}

/** What a resource waits for before it can be created: its dependencies and its provider. */
export function prerequisites(r: Registration): string[] {
    return r.provider ? [...r.dependencies, providerUrn(r.provider)] : r.dependencies;
}

/** True for a value the engine would store encrypted. */
export function isSecretValue(v: unknown): boolean {
    return (
        typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG
    );
}

/** The value with every secret wrapper removed (or replaced by `mask`, when given). */
export function unwrapSecrets(v: unknown, mask?: string): unknown {
    if (isSecretValue(v)) return mask ?? unwrapSecrets((v as { value: unknown }).value);
    if (Array.isArray(v)) return v.map((x) => unwrapSecrets(x, mask));
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x, mask)]));
    }
    return v;
}

/** The organization offline runs are in: the one a self-managed (DIY) backend names every stack's. */
export const ORGANIZATION = "organization";

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `run` when the runs before it have ended: the SDK keeps its runtime state in globals. While it
 * runs, stacks hold no frame: the SDK keeps a stack trace of every promise it makes
 * (runtime/debuggable.js; about 4,300 in a run of dev) for leak reports an offline run never prints,
 * and a run's error reaches the plan and the tests by its message only (plan/main.ts, okRun in
 * test/helpers.ts). The run of dev took a median 233 ms with node's ten frames, 179 with one and 167
 * with none (alternating runs, 2026-12-06).
 */
function inTurn(run: () => Promise<RunResult>): Promise<RunResult> {
    const result = queue.then(async () => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return await run();
        } finally {
            Error.stackTraceLimit = limit;
        }
    });
    queue = result.catch(() => undefined);
    return result;
}

/**
 * Runs the real index.ts for a stack under the SDK's mocks, inside a root Stack resource as `pulumi up`
 * does, and records every registration the engine would receive.
 */
export function runStack(stack: string, options: RunOptions = {}): Promise<RunResult> {
    return inTurn(() => runOnce(stack, options));
}

async function runOnce(stack: string, options: RunOptions): Promise<RunResult> {
    const root = options.root ?? ROOT;
    const { project, values, secretKeys } = loadStackConfig(stack, root);
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        if (value === undefined) delete values[key];
        else values[key] = value;
    }
    for (const [key, value] of Object.entries(options.secrets ?? {})) {
        values[key] = value;
        secretKeys.push(key);
    }
    // An app stack reads its platform's outputs: the platform's own run gives them, as `up` would.
    const platformStack =
        values[`${project}:layer`] === "app" ? values[`${project}:platformStack`] : undefined;
    const platform =
        platformStack && !options.existing?.stacks && !platformStack.includes("/")
            ? await runOnce(platformStack, { root })
            : undefined;
    const existing = platform
        ? {
              ...options.existing,
              stacks: { [`${ORGANIZATION}/${project}/${platformStack}`]: stackOutputs(platform) },
          }
        : options.existing;
    // index.ts exports its program as a function, so each call is a fresh run.
    const program = require(path.join(root, "index.ts")) as () => Promise<Record<string, unknown>>;
    const result = await runProgram(project, stack, values, secretKeys, program, { ...options, existing });
    return platform ? { ...result, platform } : result;
}

/** A run's outputs as another stack's StackReference reads them. */
function stackOutputs(run: RunResult): StackOutputs {
    return {
        outputs: unwrapSecrets(run.outputs) as Record<string, unknown>,
        secretOutputNames: Object.keys(run.outputs).filter((name) => isSecretValue(run.outputs[name])),
    };
}

/**
 * Runs `build` alone under the SDK's mocks, as the body of a stack of the project `fixture` with no
 * stack file and only the config given: one component, made with the arguments a test chooses. What
 * `build` returns becomes the stack's outputs.
 */
export function runComponent(
    build: () => Record<string, unknown> | void,
    options: { config?: Record<string, string>; existing?: ExistingAws } = {},
): Promise<RunResult> {
    const program = async () => build() ?? {};
    return inTurn(() => runProgram("fixture", "test", { ...options.config }, [], program, options));
}

async function runProgram(
    project: string,
    stack: string,
    values: Record<string, string>,
    secretKeys: string[],
    program: () => Promise<Record<string, unknown>>,
    options: { deploy?: boolean; existing?: ExistingAws },
): Promise<RunResult> {
    pulumi.runtime.setAllConfig(values, secretKeys);

    const region = values["aws:region"] ?? "us-west-2";
    // A preview, as the offline plan is: the program refuses some placeholders only when it deploys.
    const invokes: Invoke[] = [];
    const mocks = awsMocks(region, options.existing);
    const answer = mocks.call.bind(mocks);
    mocks.call = (args) => {
        invokes.push({ token: args.token, inputs: args.inputs, provider: args.provider });
        return answer(args);
    };
    await pulumi.runtime.setMocks(mocks, project, stack, !options.deploy, ORGANIZATION);
    const registrations: Registration[] = [];
    const outputsByUrn = new Map<string, Record<string, unknown>>();
    recordInto(registrations, outputsByUrn);

    const config = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, secretKeys.includes(k) ? maskedConfig(v) : v]),
    );
    const result: RunResult = {
        stack,
        project,
        config,
        secretKeys,
        registrations,
        invokes,
        outputs: {},
        componentOutputs: {},
    };
    // As the language host: a rejection nothing handles (an apply that threw, seen through each
    // output derived from it) fails the run, and its handler, not the test runner's, sees it.
    const others = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const leaked = (e: unknown) => {
        result.error ??= e instanceof Error ? e : new Error(String(e));
    };
    process.on("unhandledRejection", leaked);
    await pulumi.runtime.runInPulumiStack(async () => {
        // A failure is kept as the result rather than left to reject the Stack's promises, which
        // nothing here awaits.
        try {
            const outputs = await program();
            // As the engine: an output whose apply throws fails the run, and no output is recorded.
            await (pulumi.output(outputs) as unknown as { promise(): Promise<unknown> }).promise();
            return outputs;
        } catch (e) {
            result.error = e instanceof Error ? e : new Error(String(e));
            return {};
        }
    });
    await waitForRegistrations();
    // Node reports such rejections once the microtasks that made them are done.
    if (result.error) await new Promise((settled) => setTimeout(settled, 50));
    process.off("unhandledRejection", leaked);
    for (const listener of others) process.on("unhandledRejection", listener);
    const stackUrn = registrations.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
    result.outputs = (stackUrn && outputsByUrn.get(stackUrn)) || {};
    result.componentOutputs = Object.fromEntries([...outputsByUrn].filter(([urn]) => urn !== stackUrn));
    return result;
}

/** A secret config value as a report may show it: a map keeps its names, every value is masked. */
function maskedConfig(value: string): string {
    try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
            return JSON.stringify(Object.fromEntries(Object.keys(parsed).map((k) => [k, "[secret]"])));
    } catch {
        // not JSON: masked whole
    }
    return "[secret]";
}

/**
 * Every URN a registration answers to, as the engine resolves aliases when it matches a program to
 * its stack's state: its own, each alias's, and those it inherits from its parent's aliases. URNs are
 * formed as the SDK's mock monitor forms them (the parent's own type before `$`); the engine puts the
 * parent's whole type chain there instead, which for a component directly under the stack is the same.
 */
export function urnsOf(run: RunResult, r: Registration): string[] {
    const byUrn = new Map(run.registrations.map((x) => [x.urn, x]));
    const urn = (parentUrn: string | undefined, type: string, name: string) => {
        const chain = parentUrn ? `${parentUrn.split("::")[2].split("$").pop()}$` : "";
        return `urn:pulumi:${run.stack}::${run.project}::${chain}${type}::${name}`;
    };
    const parent = byUrn.get(r.parent);
    const parentUrns = parent ? urnsOf(run, parent) : [undefined];
    const urns = new Set([r.urn, ...parentUrns.map((p) => urn(p, r.type, r.name))]);
    for (const alias of r.options.aliases) {
        // An alias naming its parent takes that parent's old URN when the parent matched one by its
        // own alias (pulumi/pulumi pkg/resource/deploy/step_generator.go, collapseAliasToUrn).
        const named = alias.parentUrn && byUrn.get(alias.parentUrn);
        const parents = alias.noParent
            ? [undefined]
            : alias.parentUrn
              ? named
                  ? urnsOf(run, named)
                  : [alias.parentUrn]
              : parentUrns;
        for (const p of parents) urns.add(urn(p, alias.type ?? r.type, alias.name ?? r.name));
    }
    return [...urns];
}
