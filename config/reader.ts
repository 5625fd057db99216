import * as pulumi from "@pulumi/pulumi";

// Reading raw config values: typed accessors that record one problem line per bad value instead of
// throwing, so every mistake in a stack file is reported at once.

/** Raised when the stack config is invalid; its message has one line per problem. */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly problems: string[],
        stack: string,
    ) {
        super(
            `Invalid config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
        // The user needs the problem lines, not where they were found. Without frames the SDK's run
        // script also skips a colourised inspection that can take Node 20 tens of seconds.
        this.stack = `${this.name}: ${this.message}`;
    }
}

/** A raw value parsed as JSON (the CLI passes lists and maps so), or undefined when it is not JSON. */
export function parseJson(raw: string): unknown {
    try {
        return JSON.parse(raw);
    } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined too */ {
        return undefined;
    }
}

/** Reads a raw config value: the string the CLI passes (arrays as JSON), or undefined when unset. */
export type RawConfig = (namespace: string, key: string) => string | undefined;

/** A section as `complete` builds it: an optional key left empty (null from `Reader.emptyOr`) is undefined. */
export type Completed<T> = { [K in keyof T]: null extends T[K] ? Exclude<T[K], null> | undefined : T[K] };

/**
 * A section of the config, if every value in it was read without a problem; undefined otherwise.
 * Readers return undefined after recording a problem, so a section with one is never built; null,
 * an optional key left empty, is no problem, and the section holds it as undefined.
 */
export function complete<T extends object>(values: { [K in keyof T]: T[K] | undefined }):
    Completed<T> | undefined {
    const entries = Object.entries(values);
    if (entries.some(([, v]) => v === undefined)) return undefined;
    return Object.fromEntries(entries.map(([k, v]) => [k, v ?? undefined])) as Completed<T>;
}

export function deepFreeze<T>(o: T): T {
    if (o && typeof o === "object") {
        Object.values(o).forEach(deepFreeze);
        Object.freeze(o);
    }
    return o;
}

/** When the config is read: some checks depend on the date, and some only refuse a real deployment. */
export interface Situation {
    today: Date;
    /** `pulumi up` (true), or a preview or the offline plan (false). */
    deploying: boolean;
    /** Whether the CLI holds a key (`project:key`) as a secret; unknown means none is. */
    isSecret?: (key: string) => boolean;
}

/** Typed accessors over raw config that record a problem line instead of throwing. */
export class Reader {
    constructor(
        private readonly raw: RawConfig,
        private readonly project: string,
        /** Every problem found so far, one line each. */
        readonly problems: string[],
        readonly situation: Situation = { today: new Date(), deploying: false },
    ) {}

    /** What is allowed but worth saying (the plan prints these; `pulumi up` logs them as warnings). */
    readonly notices: string[] = [];

    /** Every fully qualified key read so far. */
    readonly asked = new Set<string>();

    /** The fully qualified key, as a user would type it in `pulumi config set`. */
    name(key: string): string {
        return key.includes(":") ? key : `${this.project}:${key}`;
    }

    problem(key: string, got: unknown, expected: string): void {
        this.problems.push(`${this.name(key)}: got ${JSON.stringify(got)}, expected ${expected}`);
    }

    /** Runs `why` on a parsed value; records its answer as the expectation when it has one. */
    check<T>(key: string, value: T | undefined, why: (v: T) => string | undefined): T | undefined {
        if (value === undefined) return undefined;
        const expected = why(value);
        if (expected === undefined) return value;
        this.problem(key, value, expected);
        return undefined;
    }

    private get(key: string): string | undefined {
        const [ns, k] = key.includes(":") ? key.split(":") : [this.project, key];
        const value = this.raw(ns, k);
        this.asked.add(this.name(key));
        if (value === undefined) {
            this.problems.push(
                `${this.name(key)}: not set, expected a value (Pulumi.yaml declares every key; set this one with pulumi config set ${this.name(key)} ...)`,
            );
        }
        return value;
    }

    /** A key Pulumi.yaml cannot declare (another provider's, such as aws:profile): unset is no problem. */
    optional(key: string): string | undefined {
        const [ns, k] = key.split(":");
        this.asked.add(key);
        return this.raw(ns, k);
    }

    string(key: string, pattern?: RegExp, expected?: string): string | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        if (pattern && !pattern.test(v)) {
            this.problem(key, v, expected ?? `a string matching ${pattern}`);
            return undefined;
        }
        return v;
    }

    /**
     * A key whose empty value means unset (Pulumi.yaml declares it with the default ""): null when
     * empty, so that a section tells it from a problem (undefined); otherwise as `string` reads it,
     * with "empty, or " before what is expected. With `orUnset`, a key the CLI does not pass at all
     * (a map may arrive so) is null too, and no problem.
     */
    emptyOr(key: string, pattern?: RegExp, expected?: string, orUnset = false): string | null | undefined {
        const v = orUnset ? this.optional(this.name(key)) : this.get(key);
        if (v === "" || (orUnset && v === undefined)) return null;
        if (v === undefined) return undefined;
        if (pattern && !pattern.test(v)) {
            this.problem(key, v, `empty, or ${expected ?? `a string matching ${pattern}`}`);
            return undefined;
        }
        return v;
    }

    oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        if (!(allowed as readonly string[]).includes(v)) {
            this.problem(key, v, `one of ${allowed.join(", ")}`);
            return undefined;
        }
        return v as T;
    }

    integer(key: string, min: number, max?: number): number | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        const range = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
        if (!/^-?\d+$/.test(v.trim())) {
            this.problem(key, v, range);
            return undefined;
        }
        const n = Number(v);
        if (n < min || n > (max ?? Infinity)) {
            this.problems.push(`${this.name(key)}: got ${n}, expected ${range}`);
            return undefined;
        }
        return n;
    }

    boolean(key: string): boolean | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        if (v !== "true" && v !== "false") {
            this.problem(key, v, "true or false");
            return undefined;
        }
        return v === "true";
    }

    /** A list of strings (the CLI passes arrays as JSON), each matching `pattern`; undefined once reported. */
    list(key: string, pattern?: RegExp, expected?: string): string[] | undefined {
        const v = this.get(key);
        if (v === undefined) return undefined;
        const parsed = parseJson(v);
        if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
            this.problem(key, v, "a list of strings");
            return undefined;
        }
        const bad = pattern ? parsed.filter((x: string) => !pattern.test(x)) : [];
        bad.forEach((x) => this.problem(key, x, expected ?? `items matching ${pattern}`));
        return bad.length > 0 ? undefined : (parsed as string[]);
    }
}
