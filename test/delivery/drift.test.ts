import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";
import { Yaml, load } from "./helpers";

describe("delivery: the drift check's outcome, and the issue drift.yml opens for it", () => {
    /**
     * drift.yml's refresh step, with a `pulumi` that prints a fixture log and exits as the CLI does,
     * then each of its issue steps whose `if` holds, with a `gh` that records its calls. Run as GitHub
     * runs them, from a checkout (here a directory holding delivery/).
     */
    function runDriftJob(pulumi: string, options: { refreshRuns?: boolean } = {}) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
        fs.symlinkSync(path.join(ROOT, "delivery"), path.join(dir, "delivery"));
        fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\n${pulumi}\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "gh"), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${dir}/gh-calls'\n`, {
            mode: 0o755,
        });
        const output = path.join(dir, "github-output");
        fs.writeFileSync(output, "");
        const env = {
            ...process.env,
            PATH: `${dir}:${process.env.PATH}`,
            PULUMI: path.join(dir, "pulumi"),
            LOCK_WAIT: "0",
            LOCK_TRIES: "2",
            GITHUB_OUTPUT: output,
            STACK: "prod",
            RUN_URL: "https://github.com/acme/flask-eks/actions/runs/1",
        };
        const bash = (script: string) =>
            spawnSync("bash", ["-eo", "pipefail", "-c", script], { cwd: dir, env, encoding: "utf8" });
        const steps: Yaml[] = load("drift.yml").jobs.refresh.steps;
        // A step before the refresh (the credentials, the token exchange) may fail: the refresh is skipped.
        const refresh =
            options.refreshRuns === false ? { status: 1 } : bash(steps.find((s) => s.id === "refresh").run);
        const outcome = /^outcome=(\w+)$/m.exec(fs.readFileSync(output, "utf8"))?.[1] ?? "";
        // The `if` of each issue step, as GitHub evaluates it: failure() and the refresh's outcome.
        const holds = (expression: string) =>
            expression.split(" && ").every((clause) => {
                if (clause === "failure()") return refresh.status !== 0;
                const [, op, value] = /^steps\.refresh\.outputs\.outcome (==|!=) '(\w+)'$/.exec(clause)!;
                return op === "==" ? outcome === value : outcome !== value;
            });
        const issues: string[] = [];
        for (const step of steps.filter((s) => /^failure\(\)/.test(s.if ?? "") && holds(s.if))) {
            const run = bash(step.run);
            assert.equal(run.status, 0, run.stderr);
            issues.push(step.name);
        }
        const calls = path.join(dir, "gh-calls");
        return {
            status: refresh.status,
            outcome,
            issues,
            calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "",
        };
    }
    /** A `pulumi` that prints a fixture log and exits as the CLI does on that outcome. */
    const printing = (log: string, status: number) =>
        `cat '${path.join(ROOT, "test", "drift-logs", log)}'\nexit ${status}`;

    it("a refresh that finds changes (exit 7) is drift: the step fails and a 'Drift detected' issue opens", () => {
        const job = runDriftJob(printing("drift.log", 7));
        assert.notEqual(job.status, 0);
        assert.equal(job.outcome, "drift");
        assert.deepEqual(job.issues, ["Open an issue for the drift"]);
        assert.match(
            job.calls,
            /^issue create --title Drift detected in stack prod --body pulumi refresh --preview-only found changes/m,
        );
    });

    it("a refresh that could not run is no drift: the step fails red and a 'Drift check failed' issue carries its log", () => {
        const job = runDriftJob(printing("failed.log", 1));
        assert.notEqual(job.status, 0);
        assert.equal(job.outcome, "failed");
        assert.deepEqual(job.issues, ["Open an issue for the failed check"]);
        assert.doesNotMatch(job.calls, /Drift detected/);
        assert.match(job.calls, /^issue create --title Drift check failed for stack prod --body /m);
        assert.match(job.calls, /secrets "web-env-3f2a1b0c" is forbidden/);
    });

    it("a step before the refresh failing is a failed check too, its issue saying the refresh did not run", () => {
        const job = runDriftJob(printing("clean.log", 0), { refreshRuns: false });
        assert.deepEqual(job.issues, ["Open an issue for the failed check"]);
        assert.match(job.calls, /the refresh did not run/);
    });

    it("a stack busy on one try and failing on the next is a failed check, not a busy stack", () => {
        // The first try finds the stack busy; on-stack-lock.sh tries again, which fails otherwise.
        const logs = path.join(ROOT, "test", "drift-logs");
        const job = runDriftJob(
            `if [ ! -e tried ]; then touch tried; cat '${logs}/busy.log'; exit 255; fi\ncat '${logs}/failed.log'\nexit 1`,
        );
        assert.equal(job.outcome, "failed");
        assert.deepEqual(job.issues, ["Open an issue for the failed check"]);
    });

    it("a clean refresh passes and opens nothing; a stack busy for the whole wait fails and opens nothing", () => {
        const clean = runDriftJob(printing("clean.log", 0));
        assert.equal(clean.status, 0);
        assert.equal(clean.outcome, "clean");
        assert.deepEqual(clean.issues, []);
        const busy = runDriftJob(printing("busy.log", 255));
        assert.notEqual(busy.status, 0);
        assert.equal(busy.outcome, "busy");
        assert.deepEqual(busy.issues, []);
        assert.equal(busy.calls, "");
    });
});
