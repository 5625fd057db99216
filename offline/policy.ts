import {
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { Registration, RunResult, providerUrn, unwrapSecrets } from ".";

export interface Violation {
    policy: string;
    level: string;
    urn?: string;
    message: string;
}

/** Per-policy config, as `--policy-pack-config` would give it. */
export type PackConfig = Record<string, Record<string, unknown>>;

/**
 * Thrown by args.notApplicable(), as the policy server does. Not an Error: validateResourceOfType
 * throws one for every resource of another type, and a stack trace each would cost most of a run.
 */
class NotApplicable {
    constructor(readonly reason?: string) {}
}

// The engine hands policies the same type tokens the SDK registered; resource classes carry theirs.
function isTypeOf(type: string, resourceClass: unknown): boolean {
    return (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

function options(r: Registration) {
    return {
        protect: r.options.protect,
        ignoreChanges: r.options.ignoreChanges,
        deleteBeforeReplace: r.options.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: r.options.additionalSecretOutputs,
        parent: r.parent || undefined,
    };
}

/** What resource and stack validations both see of a registration: inputs as props, and its type. */
function described(r: Registration) {
    const props = unwrapSecrets(r.inputs) as Record<string, unknown>;
    return {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: options(r),
        isType: (cls: unknown) => isTypeOf(r.type, cls),
        // The two argument shapes type asType differently; both return the props for a matching class.
        asType: (cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined),
    };
}

type Described = ReturnType<typeof described>;

/** What the policy server hands a resource validation for one registration (described once per run). */
function resourceArgs(
    base: Described,
    provider: Described | undefined,
    config: () => Record<string, unknown>,
): ResourceValidationArgs {
    return {
        ...base,
        asType: base.asType as ResourceValidationArgs["asType"],
        provider: provider && (({ type, props, urn, name }) => ({ type, props, urn, name }))(provider),
        stackTags: new Map(),
        getConfig: <T extends object>() => config() as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** The stack's resources as the policy server links them for stack validations. */
function policyResources(run: RunResult, describedByUrn: Map<string, Described>): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of run.registrations) {
        const base = describedByUrn.get(r.urn)!;
        byUrn.set(r.urn, {
            ...base,
            asType: base.asType as PolicyResource["asType"],
            dependencies: [],
            propertyDependencies: {},
        });
    }
    for (const r of run.registrations) {
        const resource = byUrn.get(r.urn)!;
        resource.parent = byUrn.get(r.parent);
        resource.dependencies = r.dependencies
            .map((u) => byUrn.get(u))
            .filter((x): x is PolicyResource => !!x);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
            resource.propertyDependencies[key] = urns
                .map((u) => byUrn.get(u))
                .filter((x): x is PolicyResource => !!x);
        }
    }
    return [...byUrn.values()];
}

// The JSON types a config schema may name, and how a value shows it.
const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
    null: (v) => v === null,
    boolean: (v) => typeof v === "boolean",
    string: (v) => typeof v === "string",
    number: (v) => typeof v === "number",
    integer: (v) => Number.isInteger(v),
    array: Array.isArray,
    object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
};

/**
 * A policy's config as the engine hands it over: its schema's defaults, then the given values, then
 * each value checked against its property's type (pulumi/pulumi pkg/resource/analyzer/config.go,
 * ReconcilePolicyPackConfig). The engine refuses a pack whose config does not validate.
 */
function reconciled(policy: Policy, given: Record<string, unknown>): Record<string, unknown> {
    const properties = policy.configSchema?.properties ?? {};
    const result: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(properties))
        if (schema.default !== undefined) result[key] = schema.default;
    // The enforcement level is the engine's, not the rule's: it is not in what getConfig returns.
    const { enforcementLevel: _level, ...values } = given;
    Object.assign(result, values);
    for (const [key, schema] of Object.entries(properties)) {
        if (!(key in result) || schema.type === undefined) continue;
        const check = JSON_TYPES[String(schema.type)];
        if (!check)
            throw new Error(
                `${policy.name}: config property ${key} has type ${schema.type}, not a JSON type`,
            );
        if (!check(result[key]))
            throw new Error(
                `${policy.name}: config ${key} is ${JSON.stringify(result[key])}, not a ${schema.type}`,
            );
    }
    return result;
}

/** Runs policies over a run's registrations the way `pulumi preview --policy-pack` would. */
export async function evaluatePolicies(
    policies: Policy[],
    run: RunResult,
    config: PackConfig = {},
): Promise<Violation[]> {
    const violations: Violation[] = [];
    const byUrn = new Map(run.registrations.map((r) => [r.urn, described(r)]));
    const resources = policyResources(run, byUrn);
    // The engine checks every policy's config, a disabled one's too, before any runs.
    const configs = new Map(policies.map((p) => [p, reconciled(p, config[p.name] ?? {})]));
    // One set of arguments per resource for the whole run; getConfig answers for the policy at hand.
    let policyConfig: Record<string, unknown> = {};
    const each = run.registrations.map((r) => ({
        urn: r.urn,
        args: resourceArgs(
            byUrn.get(r.urn)!,
            r.provider ? byUrn.get(providerUrn(r.provider)) : undefined,
            () => policyConfig,
        ),
    }));
    for (const policy of policies) {
        const level =
            (config[policy.name]?.enforcementLevel as string) ?? policy.enforcementLevel ?? "advisory";
        if (level === "disabled") continue;
        const report: ReportViolation = (message, urn) =>
            violations.push({ policy: policy.name, level, urn, message });
        policyConfig = configs.get(policy)!;
        if ("validateResource" in policy && policy.validateResource) {
            const validations = [(policy as ResourceValidationPolicy).validateResource!].flat();
            for (const { urn, args } of each) {
                for (const validate of validations) {
                    try {
                        await validate(args, (message) => report(message, urn));
                    } catch (e) {
                        if (!(e instanceof NotApplicable)) throw e;
                    }
                }
            }
        }
        if ("validateStack" in policy && policy.validateStack) {
            await (policy as StackValidationPolicy).validateStack(
                {
                    resources,
                    stackTags: new Map(),
                    getConfig: <T extends object>() => policyConfig as T,
                    notApplicable: (reason?: string): never => {
                        throw new NotApplicable(reason);
                    },
                },
                report,
            );
        }
    }
    return violations;
}
