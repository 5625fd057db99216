import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RunResult } from "../harness";
import { estimateCost } from "../plan/cost";
import { criticalPath } from "../plan/graph";
import { planJson } from "../plan/report";
import { committedStacks, okRun } from "./helpers";

// What every committed stack would send the engine, as the offline plan's plan.json records it,
// against a committed snapshot. A refactor that renames or moves components must leave it as it is:
// URNs are reduced to each resource's own type and name, parents and aliases (names too) are left
// out, and so are components (which carry no inputs, only structure), so only a change in what is
// created, or how, shows. test/aliases.test.ts checks that the old URNs are still answered.
// Update after an intended change: UPDATE_SNAPSHOTS=1 npm test, then review the diff.

const SNAPSHOTS = path.join(__dirname, "snapshots");
const URN = /urn:pulumi:[^:]+::[^:]+::[^"]*?::[^":]+(::[\w-]*)?/g;

/** `urn:pulumi:stack::project::Parent$Type::name` (optionally `::id`) becomes `Type::name`. */
function byName(urn: string): string {
    const [, , typeChain, name] = urn.split("::");
    return `${typeChain.split("$").pop()}::${name}`;
}

/** Registrations in a stable order (a move may change the order of registration), with sorted
 * dependency lists. */
export function normalisedPlan(run: RunResult): unknown {
    const custom = { ...run, registrations: run.registrations.filter((r) => r.custom) };
    const plan = planJson(custom, estimateCost(run), criticalPath(run)) as Record<string, unknown>;
    const text = JSON.stringify(plan, (key, value) =>
        key === "parent" || key === "aliases" ? undefined : value,
    );
    const normalised = JSON.parse(text.replace(URN, byName));
    for (const r of normalised.registrations) {
        r.dependencies.sort();
        for (const urns of Object.values(r.propertyDependencies) as string[][]) urns.sort();
    }
    normalised.registrations.sort((a: { urn: string }, b: { urn: string }) => a.urn.localeCompare(b.urn));
    return normalised;
}

describe("plan.json snapshot", () => {
    for (const stack of committedStacks()) {
        it(`${stack}: what the engine would receive matches the committed snapshot`, async () => {
            const actual = normalisedPlan(await okRun(stack));
            const file = path.join(SNAPSHOTS, `plan.${stack}.json`);
            if (process.env.UPDATE_SNAPSHOTS === "1") {
                fs.mkdirSync(SNAPSHOTS, { recursive: true });
                fs.writeFileSync(file, `${JSON.stringify(actual, null, 1)}\n`);
            }
            assert.deepEqual(actual, JSON.parse(fs.readFileSync(file, "utf8")));
        });
    }
});
