import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DEPLOY_SESSION_SECONDS } from "../../bootstrap/roles";
import { ROOT, loadStackConfig } from "../../offline/stack-config";
import { P, awsStacks, eksStacks } from "../helpers";
import { WORKFLOWS, Yaml, jobs, load, workflowFiles } from "./helpers";

describe("delivery: GitHub Actions, what each job runs", () => {
    it("on pull requests runs the tests, the plan of every stack, and a policy-checked preview", () => {
        const pr = load("pull-request.yml");
        assert.match(pr.jobs.test.steps.at(-1).run, /^npm test$/);
        // Every AWS stack of the stack files: a new one is planned with no workflow edit.
        assert.equal(pr.jobs.plan.strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.all) }}");
        const listed = spawnSync("bash", ["delivery/stacks.sh"], { cwd: ROOT, encoding: "utf8" });
        assert.deepEqual(JSON.parse(listed.stdout).sort(), awsStacks());
        assert.ok(pr.jobs.plan.steps.some((s: Yaml) => /npm run plan -- --stack/.test(s.run ?? "")));
        const preview = pr.jobs.preview.steps.find((s: Yaml) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(preview.with.command, "preview");
        assert.equal(preview.with.policyPacks, "policy");
        assert.equal(preview.with["comment-on-pr"], true);
    });

    it("checks every stack for drift on a schedule as the drift role, with drift and a failed check told apart", () => {
        const drift = load("drift.yml");
        assert.ok(drift.on.schedule[0].cron);
        assert.equal(drift.jobs.refresh.strategy.matrix.stack, "${{ fromJSON(vars.DELIVERED_STACKS) }}");
        const steps = drift.jobs.refresh.steps;
        const refresh = steps.find((s: Yaml) => s.id === "refresh");
        assert.equal(refresh.run, 'bash delivery/drift.sh "$STACK" refresh.log');
        const aws = steps.find((s: Yaml) =>
            String(s.uses).startsWith("aws-actions/configure-aws-credentials@"),
        );
        assert.equal(aws.with["role-to-assume"], "${{ vars.AWS_DRIFT_ROLE_ARN }}");
        const issues = steps.filter((s: Yaml) => /gh issue create/.test(s.run ?? ""));
        assert.deepEqual(
            issues.map((s: Yaml) => s.if),
            [
                "failure() && steps.refresh.outputs.outcome == 'drift'",
                "failure() && steps.refresh.outputs.outcome != 'drift' && steps.refresh.outputs.outcome != 'busy'",
            ],
        );
    });

    it("holds no Pulumi or cloud secret: every Pulumi step runs on a team token exchanged by OIDC", () => {
        const teams: Record<string, string> = {
            "pull-request.yml": "team:${{ vars.PULUMI_PROJECT }}-previewers-${{ matrix.stack }}",
            "drift.yml": "team:${{ vars.PULUMI_PROJECT }}-drift",
            "pulumi-up.yml": "team:${{ vars.PULUMI_PROJECT }}-deployers-${{ inputs.stack }}",
        };
        for (const file of workflowFiles)
            assert.doesNotMatch(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), /secrets\./, file);
        for (const [file, name, job] of jobs()) {
            const steps: Yaml[] = job.steps ?? [];
            const pulumiAt = steps.findIndex((s) => /^pulumi\/(actions|setup-pulumi)@/.test(String(s.uses)));
            if (pulumiAt < 0) continue;
            const auth = steps.findIndex((s) => String(s.uses).startsWith("pulumi/auth-actions@"));
            assert.ok(auth >= 0 && auth < pulumiAt, `${file} ${name}: token exchange before Pulumi`);
            assert.equal(steps[auth].with["requested-token-type"], "urn:pulumi:token-type:access_token:team");
            assert.equal(steps[auth].with.scope, teams[file], `${file} ${name}`);
            assert.equal(job.permissions?.["id-token"], "write", `${file} ${name}`);
        }
    });

    it("gives a deploy room for a minor-version upgrade, within the deploy role's session", () => {
        const up = load("pulumi-up.yml").jobs.up;
        const aws = up.steps.find((s: Yaml) =>
            String(s.uses).startsWith("aws-actions/configure-aws-credentials@"),
        );
        // The plan's first up is about 19 minutes; an upgrade replaces every node, each drained with
        // its pods' 150 s grace and a new one launched in its place: about 10 minutes a node, at most.
        for (const stack of eksStacks()) {
            const nodes = Number(loadStackConfig(stack).values[`${P}:nodeMaxSize`]);
            assert.ok(up["timeout-minutes"] >= 19 + 30 + 10 * nodes, stack);
        }
        assert.ok(aws.with["role-duration-seconds"] >= up["timeout-minutes"] * 60);
        assert.ok(DEPLOY_SESSION_SECONDS >= aws.with["role-duration-seconds"]);
    });

    it("skips a stack that holds a placeholder, and shows the stack's monthly cost before its first change", () => {
        const steps: Yaml[] = load("pulumi-up.yml").jobs.up.steps;
        const skip = steps.find((s) => s.id === "placeholder");
        assert.equal(skip.run, 'bash delivery/placeholder.sh "$STACK"');
        const later = steps.slice(steps.indexOf(skip) + 1);
        // Each later step is skipped with the stack, or runs only when its up failed (which a
        // skipped stack's never does).
        for (const step of later)
            assert.ok(
                [
                    "steps.placeholder.outputs.skip != 'true'",
                    "failure() && steps.up.outcome == 'failure'",
                ].includes(step.if),
                String(step.name ?? step.uses),
            );
        const cost = later.findIndex((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ""));
        const up = later.findIndex((s) => s.with?.command === "up");
        assert.ok(cost >= 0 && cost < up);
    });

    it("sets up QEMU for arm64 before the first Pulumi step and before any credential, so an x86 runner builds a Graviton stack's image", () => {
        const steps: Yaml[] = load("pulumi-up.yml").jobs.up.steps;
        const uses = (pattern: RegExp) => steps.findIndex((s) => pattern.test(String(s.uses)));
        const qemu = uses(/^docker\/setup-qemu-action@/);
        assert.ok(qemu >= 0, "no docker/setup-qemu-action step");
        assert.equal(steps[qemu].with?.platforms, "arm64");
        // Its binfmt container runs privileged: it must run before the job holds AWS or Pulumi credentials.
        const pulumi = uses(/^pulumi\//);
        const credentials = uses(/^(aws-actions\/configure-aws-credentials|pulumi\/auth-actions)@/);
        assert.ok(pulumi > qemu && credentials > qemu, `QEMU at step ${qemu}, Pulumi at ${pulumi}`);
    });

    it("skips the preview and the drift check of a stack that holds a placeholder, as the deploy does", () => {
        for (const [file, job] of [
            ["pull-request.yml", "preview"],
            ["drift.yml", "refresh"],
        ]) {
            const steps: Yaml[] = load(file).jobs[job].steps;
            const skip = steps.find((s) => s.id === "placeholder");
            assert.equal(skip.run, 'bash delivery/placeholder.sh "$STACK"', file);
            const pulumi = steps.filter(
                (s) => /^(pulumi|aws-actions)\//.test(String(s.uses)) || s.id === "refresh",
            );
            assert.ok(pulumi.length >= 3, file);
            for (const step of pulumi)
                assert.equal(
                    step.if,
                    "steps.placeholder.outputs.skip != 'true'",
                    `${file} ${step.uses ?? step.id}`,
                );
        }
    });

    it("runs every Pulumi CLI at the version the tests build (engine/versions.env)", () => {
        const version = /^PULUMI_VERSION=v(\S+)$/m.exec(
            fs.readFileSync(path.join(ROOT, "engine", "versions.env"), "utf8"),
        )![1];
        let seen = 0;
        for (const [file, name, job] of jobs())
            for (const step of (job.steps ?? []).filter((s: Yaml) =>
                /^pulumi\/(actions|setup-pulumi)@/.test(String(s.uses)),
            )) {
                assert.equal(String(step.with?.["pulumi-version"]), version, `${file} ${name}`);
                seen++;
            }
        assert.equal(seen, 4);
    });

    it("previews a stack only in its preview environment, so a pull request's code gets a token for no other", () => {
        const preview = load("pull-request.yml").jobs.preview;
        assert.equal(preview.environment, "preview-${{ matrix.stack }}");
        // The stack's own preview role, which the environment names: it reads that stack only.
        const aws = preview.steps.find((s: Yaml) =>
            String(s.uses).startsWith("aws-actions/configure-aws-credentials@"),
        );
        assert.equal(aws.with["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        // No job that a pull request runs without an environment exchanges a token: its subject
        // (pull_request) is one the bootstrap maps to no team and trusts with no role.
        for (const [name, job] of Object.entries(load("pull-request.yml").jobs as Record<string, Yaml>)) {
            const exchanges = (job.steps ?? []).some((s: Yaml) =>
                /^(pulumi\/auth-actions|aws-actions\/configure-aws-credentials)@/.test(String(s.uses)),
            );
            if (exchanges) assert.ok(job.environment, name);
        }
    });

    it("follows each up with a second that must change nothing, which records the steady state", () => {
        const ups = load("pulumi-up.yml").jobs.up.steps.filter((s: Yaml) => s.with?.command === "up");
        assert.equal(ups.length, 2);
        // The first starts from what AWS and the cluster hold (a release whose records moved is found gone).
        assert.equal(ups[0].with.refresh, true);
        assert.equal(ups[1].with["expect-no-changes"], true);
    });
});
