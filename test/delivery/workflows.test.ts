import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { ROOT } from "../../offline/stack-config";
import { WORKFLOWS, Yaml, jobs, load, pushDeployers, workflowFiles } from "./helpers";

describe("delivery: GitHub Actions, the workflows", () => {
    it("has one deployer for a push to main, which runs one stack at a time, so two updates never race", () => {
        assert.deepEqual(pushDeployers(), ["deploy.yml job up"]);
        assert.equal(load("deploy.yml").jobs.up.strategy["max-parallel"], 1);
    });

    it("keeps one plan comment per stack, found by its hidden marker and edited in place", () => {
        const step = load("pull-request.yml").jobs.plan.steps.find((s: Yaml) => /gh /.test(s.run ?? ""));
        // --edit-last edits whichever comment the bot wrote last: the three stacks overwrote each other.
        assert.doesNotMatch(step.run, /--edit-last/);
        assert.match(step.run, /<!-- plan \$STACK -->/);
        assert.match(step.run, /gh api --method PATCH/);
    });

    it("checks out without persisting the token in .git/config", () => {
        for (const [file, name, job] of jobs()) {
            for (const step of (job.steps ?? []).filter((s: Yaml) =>
                String(s.uses).startsWith("actions/checkout@"),
            )) {
                assert.equal(step.with?.["persist-credentials"], false, `${file} job ${name}`);
            }
        }
    });

    it("passes a reusable workflow only the secrets it needs", () => {
        for (const [file, name, job] of jobs())
            assert.notEqual(job.secrets, "inherit", `${file} job ${name}`);
    });

    it("lets Dependabot wait before proposing a release, and watch the image's base too", () => {
        const updates = (
            yaml.load(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as Yaml
        ).updates;
        for (const update of updates)
            assert.ok(update.cooldown?.["default-days"] >= 3, update["package-ecosystem"]);
        assert.ok(updates.some((u: Yaml) => u["package-ecosystem"] === "docker" && u.directory === "/app"));
    });

    it("runs every step with a pipe under pipefail, so a failing command fails its step", () => {
        for (const [file, name, job] of jobs()) {
            const workflow = load(file);
            for (const step of job.steps ?? []) {
                if (!/\|(?!\|)/.test(step.run ?? "")) continue;
                // GitHub runs `shell: bash` as bash -eo pipefail; its default shell has no pipefail.
                const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
                assert.equal(shell, "bash", `${file} job ${name}: ${step.name ?? step.run}`);
            }
        }
    });

    it("has the pull-request, deploy, reusable up, drift and runway workflows", () => {
        assert.deepEqual(workflowFiles.sort(), [
            "deploy.yml",
            "drift.yml",
            "pull-request.yml",
            "pulumi-up.yml",
            "runway.yml",
        ]);
    });

    it("every job that configures AWS credentials requests an OIDC token, and none uses static keys", () => {
        for (const [file, name, job] of jobs()) {
            const steps: Yaml[] = job.steps ?? [];
            const aws = steps.filter((s) =>
                String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials@"),
            );
            for (const step of aws) {
                assert.equal(job.permissions?.["id-token"], "write", `${file} ${name}`);
                assert.ok(step.with["role-to-assume"], `${file} ${name} assumes a role`);
                for (const key of ["aws-access-key-id", "aws-secret-access-key"])
                    assert.ok(!(key in step.with), `${file} ${name}: ${key}`);
            }
        }
        for (const file of workflowFiles) {
            assert.doesNotMatch(
                fs.readFileSync(path.join(WORKFLOWS, file), "utf8"),
                /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/,
                file,
            );
        }
    });

    it("pins every action to a full commit, with its release in a comment", () => {
        // A tag can be moved by whoever owns it; these actions receive AWS and Pulumi credentials.
        for (const file of workflowFiles) {
            const uses = fs
                .readFileSync(path.join(WORKFLOWS, file), "utf8")
                .split("\n")
                .filter((line) => /^\s+(- )?uses: (?!\.\/)/.test(line));
            assert.ok(uses.length > 0 || file === "deploy.yml", file);
            for (const line of uses)
                assert.match(line, /@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()}`);
        }
    });

    it("deploys the bootstrap's stacks in its order, stopping at the first that fails, each in its environment with one run at a time per stack", () => {
        const deploy = load("deploy.yml");
        assert.deepEqual(deploy.on.push.branches, ["main"]);
        assert.deepEqual(Object.keys(deploy.jobs), ["up"]);
        const job = deploy.jobs.up;
        // The bootstrap writes DELIVERED_STACKS in its stacks config's order (test/bootstrap/roles.test.ts).
        assert.equal(job.if, "vars.DELIVERED_STACKS != ''");
        assert.deepEqual(job.strategy, {
            "max-parallel": 1,
            "fail-fast": true,
            matrix: { stack: "${{ fromJSON(vars.DELIVERED_STACKS) }}" },
        });
        assert.equal(job.uses, "./.github/workflows/pulumi-up.yml");
        assert.deepEqual(job.with, { stack: "${{ matrix.stack }}" });
        const up = load("pulumi-up.yml").jobs.up;
        assert.equal(up.environment, "${{ inputs.stack }}");
        assert.deepEqual(up.concurrency, {
            group: "pulumi-${{ inputs.stack }}",
            "cancel-in-progress": false,
        });
        const pulumi = up.steps.find((s: Yaml) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(pulumi.with.command, "up");
        assert.equal(pulumi.with.policyPacks, "policy");
    });
});
