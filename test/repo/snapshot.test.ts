import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RunResult } from "../../offline";
import { estimateCost } from "../../plan/cost";
import { criticalPath } from "../../plan/graph";
import { planJson } from "../../plan/report";
import { checkoutCopy, committedStacks, okRun } from "../helpers";

// What every committed stack would send the engine, as the offline plan's plan.json records it,
// against a committed snapshot. A refactor that renames or moves components must leave it as it is:
// URNs are reduced to each resource's own type and name, parents and aliases (names too) are left
// out, and so are components (which carry no inputs, only structure), so only a change in what is
// created, or how, shows. test/migrations/index.test.ts checks that the old URNs are still answered.
// The image's tag is a hash of app/, and its digest follows from it: both are replaced by a mark, so
// a change to the app changes no snapshot. Update after an intended change, or for a new stack:
// npm run test:snapshots, then review the diff.

const SNAPSHOTS = path.join(__dirname, "..", "snapshots");
const URN = /urn:pulumi:[^:]+::[^:]+::[^"]*?::[^":]+(::[\w-]*)?/g;

/** `urn:pulumi:stack::project::Parent$Type::name` (optionally `::id`) becomes `Type::name`. */
function byName(urn: string): string {
    const [, , typeChain, name] = urn.split("::");
    return `${typeChain.split("$").pop()}::${name}`;
}

/** The text with the built image's content-hash tag and digest marked as such. */
function withoutContentHash(run: RunResult, text: string): string {
    const build = run.registrations.find((r) => r.type === "docker:index/image:Image");
    if (!build) return text;
    const [, repository, tag] = /^(.+):([^:/]+)$/.exec(String(build.inputs.imageName))!;
    const escaped = repository.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return text
        .split(`${repository}:${tag}`)
        .join(`${repository}:<hash of app/>`)
        .replace(
            new RegExp(`${escaped}@sha256:[0-9a-f]{64}`, "g"),
            `${repository}@sha256:<digest of the build>`,
        );
}

/** Registrations in a stable order (a move may change the order of registration), with sorted
 * dependency lists. */
export function normalisedPlan(run: RunResult): unknown {
    const custom = { ...run, registrations: run.registrations.filter((r) => r.custom) };
    const plan = planJson(custom, estimateCost(run), criticalPath(run)) as Record<string, unknown>;
    const text = JSON.stringify(plan, (key, value) =>
        key === "parent" || key === "aliases" ? undefined : value,
    );
    const normalised = JSON.parse(withoutContentHash(run, text.replace(URN, byName)));
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
            const update = `npm run test:snapshots writes it; review the diff and commit test/snapshots/plan.${stack}.json`;
            assert.ok(fs.existsSync(file), `${stack} has no snapshot yet: ${update}`);
            try {
                assert.deepEqual(actual, JSON.parse(fs.readFileSync(file, "utf8")));
            } catch (error) {
                (error as Error).message += `\n\nIf the change is intended: ${update}.`;
                throw error;
            }
        });
    }
});

describe("plan.json snapshot: the app's content", () => {
    it("a change to app/ changes the image's tag, and no snapshot", async () => {
        const copy = checkoutCopy();
        try {
            fs.writeFileSync(path.join(copy, "app", "added.py"), "ANSWER = 42\n");
            const [ours, theirs] = [await okRun("dev"), await okRun("dev", { root: copy })];
            const tag = (run: RunResult) =>
                run.registrations.find((r) => r.type === "docker:index/image:Image")!.inputs.imageName;
            assert.notEqual(tag(theirs), tag(ours));
            assert.deepEqual(normalisedPlan(theirs), normalisedPlan(ours));
        } finally {
            fs.rmSync(copy, { recursive: true });
        }
    });
});
