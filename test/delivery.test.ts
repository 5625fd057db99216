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

/**
 * The flags delivery/deployments.sh gives `pulumi deployment settings edit` for each stack, read by
 * running it with a `pulumi` that records its arguments. (e2e.sh has the real CLI parse them.)
 */
function deploymentsSettings(): Map<string, Map<string, string[]>> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
    const calls = path.join(dir, "calls");
    fs.writeFileSync(
        path.join(dir, "pulumi"),
        `#!/bin/sh\nprintf '%s\\0' "$@" >>${calls}\necho >>${calls}\n`,
        {
            mode: 0o755,
        },
    );
    const run = spawnSync("bash", ["delivery/deployments.sh", "acme", "123456789012", "acme/flask-eks"], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
        encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const settings = new Map<string, Map<string, string[]>>();
    for (const call of fs.readFileSync(calls, "utf8").split("\n").filter(Boolean)) {
        const args = call.split("\0").slice(0, -1);
        assert.deepEqual(args.slice(0, 3), ["deployment", "settings", "edit"]);
        const flags = new Map<string, string[]>();
        for (let i = 3; i < args.length; i++) {
            const [flag, inline] = args[i].split("=", 2);
            const value =
                inline ?? (args[i + 1]?.startsWith("--") || args[i + 1] === undefined ? "true" : args[++i]);
            flags.set(flag, [...(flags.get(flag) ?? []), value]);
        }
        settings.set(flags.get("--stack")![0].replace("acme/flask-eks/", ""), flags);
    }
    return settings;
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
    for (const [stack, flags] of deploymentsSettings())
        if (flags.get("--push-to-deploy")?.[0] !== "false") add(stack, "Pulumi Deployments push-to-deploy");
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
    const settings = deploymentsSettings();
    const versions = fs.readFileSync(path.join(ROOT, "engine", "versions.env"), "utf8");
    const cli = /^PULUMI_VERSION=v(\S+)$/m.exec(versions)![1];

    it("configures exactly the stacks that have stack files", () => {
        assert.deepEqual([...settings.keys()].sort(), eksStacks().sort());
    });

    for (const [stack, flags] of settings) {
        it(`${stack}: runs only what a person starts, with the stack's deploy role, in an image with the AWS CLI`, () => {
            const one = (flag: string) => flags.get(flag)?.[0];
            assert.equal(one("--repo"), "acme/flask-eks");
            assert.equal(one("--branch"), "main");
            assert.equal(one("--folder"), ".");
            // pulumi/pulumi ships the AWS CLI v2 the kubeconfig runs; its slim variants do not.
            assert.equal(one("--executor-image"), `pulumi/pulumi:${cli}`);
            assert.deepEqual(flags.get("--pre-run-command"), [
                "aws --version",
                "npm ci --no-audit --no-fund",
            ]);
            assert.equal(one("--skip-install-deps"), "true");
            assert.equal(
                one("--oidc-aws-role-arn"),
                `arn:aws:iam::123456789012:role/flask-eks-deploy-${stack}`,
            );
            // Each of these would run with the deploy role: pushes are deploy.yml's, pull-request
            // previews are pull-request.yml's (read-only role), and review stacks would deploy a
            // pull request's code.
            assert.equal(one("--push-to-deploy"), "false");
            assert.equal(one("--preview-prs"), "false");
            assert.equal(one("--pr-template"), "false");
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

    it("the read-only role trusts this repository's pull requests and main only", () => {
        // Deployments runs every operation with the one role its settings name, the deploy role;
        // previews and drift checks run in GitHub Actions.
        const statements = fill("preview-role-trust.json").Statement;
        assert.equal(statements.length, 1);
        assert.deepEqual(statements[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:acme/flask-eks:pull_request",
            "repo:acme/flask-eks:ref:refs/heads/main",
        ]);
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
