import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { ROOT } from "../../offline/stack-config";
import { P, eksStacks } from "../helpers";

describe("delivery: the way back after a failed up (delivery/way-back.sh)", () => {
    it("names the stack, the image the ready pods run, the stack file's imageRef, and a docs section that exists", () => {
        const stack = eksStacks()[0];
        const run = spawnSync("bash", ["delivery/way-back.sh", stack], {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, GITHUB_REPOSITORY: "acme/shop", GITHUB_SHA: "abc123" },
        });
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`^### The up of \`${stack}\` failed$`, "m"));
        assert.match(run.stdout, new RegExp(`\`${P}:imageRef\` in \`Pulumi\.${stack}\.yaml\``));
        assert.match(run.stdout, /containerStatuses\[0\]\.ready==true/);
        const [, anchor] = /operations\.md#([a-z-]+)\)/.exec(run.stdout) ?? [];
        assert.match(run.stdout, /https:\/\/github\.com\/acme\/shop\/blob\/abc123\/docs\/operations\.md#/);
        const headings = fs
            .readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8")
            .split("\n")
            .filter((l) => l.startsWith("#"))
            .map((l) =>
                l
                    .replace(/^#+ /, "")
                    .toLowerCase()
                    .replace(/[^a-z0-9 -]/g, "")
                    .replace(/ /g, "-"),
            );
        assert.ok(headings.includes(anchor), `${anchor} among ${headings.join(", ")}`);
    });

    it("runs in the deploy job only when its up failed, into the job summary", () => {
        const job = Object.values(
            (
                yaml.load(fs.readFileSync(path.join(ROOT, ".github/workflows/pulumi-up.yml"), "utf8")) as {
                    jobs: Record<string, { steps: { id?: string; if?: string; run?: string }[] }>;
                }
            ).jobs,
        )[0];
        const step = job.steps.find((s) => s.run?.includes("delivery/way-back.sh"));
        assert.equal(step?.if, "failure() && steps.up.outcome == 'failure'");
        assert.match(step?.run ?? "", />> "\$GITHUB_STEP_SUMMARY"$/);
        assert.ok(job.steps.some((s) => s.id === "up"));
    });
});
