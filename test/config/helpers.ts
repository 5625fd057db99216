// The config tests' helpers: a committed stack's config with some keys changed, read whole
// (parseConfig) or one section at a time, and the one line a user sees for each bad value.
import * as assert from "node:assert/strict";
import { it } from "node:test";
import { parseConfig } from "../../config";
import { ConfigError, Reader, type Situation } from "../../config/reader";
import { runStack } from "../../offline";
import { loadStackConfig } from "../../offline/stack-config";
import { P, PREVIEW, resourcesOf } from "../helpers";

/** parseConfig over the dev stack's config with some keys changed (a string) or unset (undefined). */
export function parseDev(overrides: Record<string, string | undefined>, situation = PREVIEW) {
    const { values } = loadStackConfig("dev");
    const merged: Record<string, string | undefined> = { ...values, ...overrides };
    return parseConfig((ns, key) => merged[`${ns}:${key}`], P, "dev", undefined, situation);
}

/** The problems parseConfig finds in dev's config with some keys changed; [] if none. */
export function problemsOf(overrides: Record<string, string | undefined>, situation = PREVIEW): string[] {
    try {
        parseDev(overrides, situation);
    } catch (e) {
        return (e as { problems: string[] }).problems;
    }
    return [];
}

/** The same for a committed stack, with every key it sets reported if nothing reads it. */
export function stackProblems(
    stack: string,
    overrides: Record<string, string>,
    situation: Partial<Situation> = {},
): string[] {
    const values: Record<string, string | undefined> = { ...loadStackConfig(stack).values, ...overrides };
    try {
        parseConfig((ns, key) => values[`${ns}:${key}`], P, stack, Object.keys(values), {
            ...PREVIEW,
            ...situation,
        });
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems;
    }
}

/** A class of bad config: what it is, the keys that make it, and the exact line the user sees. */
export type BadConfig = [what: string, overrides: Record<string, string | undefined>, line: string];

/**
 * The tests of a table of bad config: each refused with its one line, and the program fails on each
 * before any resource is registered.
 */
export function refusesEach(cases: BadConfig[]): void {
    for (const [what, overrides, line] of cases) {
        it(`rejects ${what} with one line naming key, value and what is allowed`, () => {
            assert.deepEqual(problemsOf(overrides), [line]);
        });
    }

    it("fails the program before any resource is registered, for each of these", async () => {
        for (const [what, overrides, line] of cases) {
            const run = await runStack("dev", { overrides });
            assert.equal(run.error?.name, "ConfigError", what);
            assert.ok(run.error!.message.includes(line), `${what}: ${run.error!.message}`);
            assert.deepEqual(
                resourcesOf(run).map((r) => r.type),
                [],
                what,
            );
        }
    });
}

export type Section = (r: Reader) => unknown;

/** A section read over the dev stack's config with some keys changed (bare keys are the project's). */
export function read(section: Section, overrides: Record<string, unknown> = {}, situation = PREVIEW) {
    const values: Record<string, string | undefined> = { ...loadStackConfig("dev").values };
    for (const [key, value] of Object.entries(overrides))
        values[key.includes(":") ? key : `${P}:${key}`] =
            typeof value === "string" ? value : JSON.stringify(value);
    const reader = new Reader((ns, key) => values[`${ns}:${key}`], P, [], situation);
    return { result: section(reader), problems: reader.problems, notices: reader.notices };
}

/** Accepted with no problem; the section, typed loosely for assertions. */
// Sections differ in type; the tests index into them freely.
export function accepted(section: Section, overrides: Record<string, unknown>, situation = PREVIEW): any {
    const { result, problems } = read(section, overrides, situation);
    assert.deepEqual(problems, [], JSON.stringify(overrides));
    assert.notEqual(result, undefined);
    return result;
}

/** Refused with exactly one problem, returned, and no section. */
export function refused(section: Section, overrides: Record<string, unknown>, situation = PREVIEW): string {
    const { result, problems } = read(section, overrides, situation);
    assert.equal(problems.length, 1, `${JSON.stringify(overrides)}: ${problems.join("; ")}`);
    assert.equal(result, undefined, JSON.stringify(overrides));
    return problems[0];
}

/** The edges of an integer key: [key, lowest allowed, highest allowed, other keys that leave it alone at stake]. */
export type IntegerRange = [
    key: string,
    low: number,
    high: number | undefined,
    others: Record<string, string>,
];

/** The tests of integer keys at their edges: each bound accepted, one past it refused. */
export function boundsEach(ranges: IntegerRange[]): void {
    for (const [key, low, high, others] of ranges) {
        it(`${key}: ${low}${high === undefined ? " and up" : ` to ${high}`} accepted, ${low - 1}${high === undefined ? "" : ` and ${high + 1}`} refused`, () => {
            const at = (v: number) => problemsOf({ ...others, [`${P}:${key}`]: String(v) });
            assert.deepEqual(at(low), [], `${low}`);
            assert.match(
                at(low - 1).join("\n"),
                new RegExp(`^${P}:${key}: got ${low - 1}, expected an integer`),
            );
            if (high !== undefined) {
                assert.deepEqual(at(high), [], `${high}`);
                assert.match(
                    at(high + 1).join("\n"),
                    new RegExp(`^${P}:${key}: got ${high + 1}, expected an integer`),
                );
            }
        });
    }
}
