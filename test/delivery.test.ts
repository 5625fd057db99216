import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { ROOT } from "../harness/stack-config";
import { eksStacks } from "./helpers";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
// Workflow files are free-form YAML; the tests walk them loosely.
type Yaml = any;
const load = (file: string): Yaml => yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));

/** Every job of every workflow, with the steps it runs. */
function jobs(): [string, string, Yaml][] {
    return workflowFiles.flatMap((f) =>
        Object.entries(load(f).jobs as Record<string, Yaml>).map(
            ([name, job]) => [f, name, job] as [string, string, Yaml],
        ),
    );
}

/** The stacks each mechanism deploys on a push to main: GitHub Actions workflows and Pulumi Deployments. */
function pushDeployers(): Map<string, string[]> {
    const deployers = new Map<string, string[]>();
    const add = (stack: string, by: string) => deployers.set(stack, [...(deployers.get(stack) ?? []), by]);
    for (const file of workflowFiles) {
        const workflow = load(file);
        if (!workflow.on?.push) continue;
        for (const [name, job] of Object.entries(workflow.jobs as Record<string, Yaml>)) {
            const reusable = String(job.uses ?? "").endsWith("pulumi-up.yml");
            const runsUp = (job.steps ?? []).some(
                (s: Yaml) => /pulumi up\b/.test(s.run ?? "") || s.with?.command === "up",
            );
            if (reusable || runsUp) add(job.with?.stack ?? name, `${file} job ${name}`);
        }
    }
    for (const stack of eksStacks()) {
        const settings = yaml.load(
            fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.deploy.yaml`), "utf8"),
        ) as Yaml;
        if (settings.settings.gitHub.deployCommits) add(stack, `Pulumi.${stack}.deploy.yaml deployCommits`);
    }
    return deployers;
}

describe("delivery: GitHub Actions", () => {
    it("has exactly one deployer per stack for a push to main, so two updates never race", () => {
        const deployers = pushDeployers();
        for (const stack of eksStacks())
            assert.equal(deployers.get(stack)?.length, 1, `${stack}: ${deployers.get(stack)}`);
    });

    it("keeps one plan comment per stack, found by its hidden marker and edited in place", () => {
        const step = load("pull-request.yml").jobs.plan.steps.find((s: Yaml) => /gh /.test(s.run ?? ""));
        // --edit-last edits whichever comment the bot wrote last: the three stacks overwrote each other.
        assert.doesNotMatch(step.run, /--edit-last/);
        assert.match(step.run, /<!-- flask-eks plan \$STACK -->/);
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

    it("has the pull-request, deploy, reusable up and drift workflows", () => {
        assert.deepEqual(workflowFiles.sort(), [
            "deploy.yml",
            "drift.yml",
            "pull-request.yml",
            "pulumi-up.yml",
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

    it("deploys dev, then staging, then prod, each in its environment with one run at a time per stack", () => {
        const deploy = load("deploy.yml");
        assert.deepEqual(deploy.on.push.branches, ["main"]);
        assert.deepEqual(Object.keys(deploy.jobs), ["dev", "staging", "prod"]);
        assert.deepEqual(deploy.jobs.staging.needs, ["dev"]);
        assert.deepEqual(deploy.jobs.prod.needs, ["staging"]);
        for (const stack of ["dev", "staging", "prod"]) {
            assert.equal(deploy.jobs[stack].uses, "./.github/workflows/pulumi-up.yml");
            assert.equal(deploy.jobs[stack].with.stack, stack);
        }
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

    it("on pull requests runs the tests, the plan of every stack, and a policy-checked preview", () => {
        const pr = load("pull-request.yml");
        assert.match(pr.jobs.test.steps.at(-1).run, /^npm test$/);
        assert.deepEqual(
            pr.jobs.plan.strategy.matrix.stack,
            eksStacks().sort(
                (a, b) => ["dev", "staging", "prod"].indexOf(a) - ["dev", "staging", "prod"].indexOf(b),
            ),
        );
        assert.ok(pr.jobs.plan.steps.some((s: Yaml) => /npm run plan -- --stack/.test(s.run ?? "")));
        const preview = pr.jobs.preview.steps.find((s: Yaml) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(preview.with.command, "preview");
        assert.equal(preview.with.policyPacks, "policy");
        assert.equal(preview.with["comment-on-pr"], true);
    });

    it("checks every stack for drift on a schedule and opens an issue on drift", () => {
        const drift = load("drift.yml");
        assert.ok(drift.on.schedule[0].cron);
        const steps = drift.jobs.refresh.steps;
        assert.ok(
            steps.some((s: Yaml) => /pulumi refresh --preview-only --expect-no-changes/.test(s.run ?? "")),
        );
        assert.ok(steps.some((s: Yaml) => s.if === "failure()" && /gh issue create/.test(s.run)));
    });
});

describe("delivery: Pulumi Deployments settings", () => {
    for (const stack of eksStacks()) {
        it(`Pulumi.${stack}.deploy.yaml parses and fits the stack file it sits next to`, () => {
            const file = yaml.load(
                fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.deploy.yaml`), "utf8"),
            ) as Yaml;
            assert.ok(fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)));
            assert.equal(file.version, 1);
            const { sourceContext, operationContext, gitHub } = file.settings;
            assert.equal(sourceContext.git.repoDir, ".");
            assert.equal(sourceContext.git.branch, "refs/heads/main");
            assert.deepEqual(operationContext.preRunCommands, ["npm ci --no-audit --no-fund"]);
            assert.match(
                operationContext.oidc.aws.roleArn,
                new RegExp(`^arn:aws:iam::\\d{12}:role/flask-eks-deploy-${stack}$`),
            );
            assert.match(operationContext.oidc.aws.duration, /^\d+h\d+m\d+s$/);
            assert.equal(gitHub.deployCommits, false, "GitHub Actions deploys on push (deploy.yml)");
            // Its role is the deploy role: a preview there would run a pull request's code with write
            // credentials. pull-request.yml previews with the read-only role instead.
            assert.equal(gitHub.previewPullRequests, false, "no pull-request previews with the deploy role");
            assert.equal(gitHub.pullRequestTemplate, stack === "dev", "review stacks are copies of dev");
        });
    }
});

describe("delivery: OIDC trust policies", () => {
    const fill = (file: string) =>
        JSON.parse(
            fs
                .readFileSync(path.join(ROOT, "delivery", file), "utf8")
                .replaceAll("ACCOUNT_ID", "123456789012")
                .replaceAll("GITHUB_REPO", "acme/flask-eks")
                .replaceAll("PULUMI_ORG", "acme")
                .replaceAll("STACK", "prod"),
        );

    it("the deploy role trusts only this repository's environment and this stack's deployments", () => {
        const [github, pulumi] = fill("deploy-role-trust.json").Statement;
        assert.equal(
            github.Condition.StringEquals["token.actions.githubusercontent.com:sub"],
            "repo:acme/flask-eks:environment:prod",
        );
        assert.equal(
            github.Condition.StringEquals["token.actions.githubusercontent.com:aud"],
            "sts.amazonaws.com",
        );
        // Only the operations that change the stack: a preview (of a pull request's code, say) or
        // a refresh never gets the deploy role; they have the read-only one.
        assert.deepEqual(pulumi.Condition.StringEquals["api.pulumi.com/oidc:sub"], [
            "pulumi:deploy:org:acme:project:flask-eks:stack:prod:operation:update:scope:write",
            "pulumi:deploy:org:acme:project:flask-eks:stack:prod:operation:destroy:scope:write",
        ]);
        assert.equal(pulumi.Condition.StringLike, undefined, "no wildcard over operations");
        assert.equal(pulumi.Condition.StringEquals["api.pulumi.com/oidc:aud"], "acme");
    });

    it("the read-only role trusts pull requests, main and the three stacks' previews and refreshes only", () => {
        const [github, pulumi] = fill("preview-role-trust.json").Statement;
        assert.deepEqual(github.Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:acme/flask-eks:pull_request",
            "repo:acme/flask-eks:ref:refs/heads/main",
        ]);
        const subs: string[] = pulumi.Condition.StringLike["api.pulumi.com/oidc:sub"];
        assert.equal(subs.length, 6);
        for (const sub of subs)
            assert.match(
                sub,
                /^pulumi:deploy:org:acme:project:flask-eks:stack:(dev|staging|prod):operation:(preview|refresh):scope:write$/,
            );
    });
});

describe("delivery: test:aws", () => {
    it("skips cleanly, saying what it needs, on a machine without the CLI or credentials", () => {
        const child = spawnSync(
            process.execPath,
            ["--require", "./scripts/transpile.js", "test/aws/integration.ts"],
            {
                cwd: ROOT,
                env: {
                    PATH: "/usr/bin:/bin",
                    HOME: fs.mkdtempSync(path.join(os.tmpdir(), "home-")),
                },
                encoding: "utf8",
            },
        );
        assert.equal(child.status, 0, child.stderr);
        assert.match(
            child.stdout,
            /^test:aws: skipped: needs the Pulumi CLI on PATH; AWS credentials .+ Nothing was deployed and nothing was tested\.\n$/,
        );
        assert.doesNotMatch(child.stdout, /passed/);
    });
});
