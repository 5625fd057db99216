import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { DEPLOY_SESSION_SECONDS } from "../bootstrap/roles";
import { ROOT, loadStackConfig } from "../offline/stack-config";
import { P, eksStacks } from "./helpers";

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

/** The jobs that run pulumi up on a push to main (Pulumi Deployments deploys no push: bootstrap.test.ts). */
function pushDeployers(): string[] {
    const deployers: string[] = [];
    for (const file of workflowFiles) {
        const workflow = load(file);
        if (!workflow.on?.push) continue;
        for (const [name, job] of Object.entries(workflow.jobs as Record<string, Yaml>)) {
            const reusable = String(job.uses ?? "").endsWith("pulumi-up.yml");
            const runsUp = (job.steps ?? []).some(
                (s: Yaml) => /pulumi up\b/.test(s.run ?? "") || s.with?.command === "up",
            );
            if (reusable || runsUp) deployers.push(`${file} job ${name}`);
        }
    }
    return deployers;
}

describe("delivery: GitHub Actions", () => {
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
        // The bootstrap writes DELIVERED_STACKS in its stacks config's order (bootstrap.test.ts).
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

    it("on pull requests runs the tests, the plan of every stack, and a policy-checked preview", () => {
        const pr = load("pull-request.yml");
        assert.match(pr.jobs.test.steps.at(-1).run, /^npm test$/);
        // Every AWS stack of the stack files: a new one is planned with no workflow edit.
        assert.equal(pr.jobs.plan.strategy.matrix.stack, "${{ fromJSON(needs.stacks.outputs.all) }}");
        const listed = spawnSync("bash", ["delivery/stacks.sh"], { cwd: ROOT, encoding: "utf8" });
        assert.deepEqual(JSON.parse(listed.stdout), eksStacks());
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

describe("delivery: the stacks a pull request affects (delivery/affected.sh)", () => {
    const affectedAmong = (delivered: string | undefined, ...paths: string[]) => {
        const env = { ...process.env };
        delete env.DELIVERED_STACKS;
        const run = spawnSync("bash", ["delivery/affected.sh"], {
            cwd: ROOT,
            input: paths.join("\n"),
            encoding: "utf8",
            env: delivered === undefined ? env : { ...env, DELIVERED_STACKS: delivered },
        });
        assert.equal(run.status, 0, run.stderr);
        return JSON.parse(run.stdout);
    };
    const affected = (...paths: string[]) => affectedAmong(undefined, ...paths);

    it("a README-only change: none (and no failure)", () => assert.deepEqual(affected("README.md"), []));
    it("the local stack's file alone: none, it is not deployed to AWS", () =>
        assert.deepEqual(affected("Pulumi.local.yaml"), []));
    it("a stack file: that stack", () =>
        assert.deepEqual(affected("Pulumi.staging.yaml", "README.md"), ["staging"]));
    it("the program's code: every AWS stack but those whose file still holds a placeholder (prod's)", () =>
        assert.deepEqual(
            affected("components/app/workload.ts"),
            eksStacks().filter(
                (s) =>
                    !fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8").includes("REPLACE_WITH_"),
            ),
        ));
    it("prod's file while it holds the placeholder: none, it is not deployed yet", () =>
        assert.deepEqual(affected("Pulumi.prod.yaml"), []));
    it("with the bootstrap's DELIVERED_STACKS: only the stacks it delivers; before it has run, none", () => {
        const code = "components/app/workload.ts";
        const [first] = affected(code);
        assert.deepEqual(affectedAmong(JSON.stringify([first]), code), [first]);
        assert.deepEqual(affectedAmong(JSON.stringify([first]), `Pulumi.${first}.yaml`), [first]);
        assert.deepEqual(affectedAmong("", code), []);
        assert.deepEqual(affectedAmong("[]", code), []);
        const bad = spawnSync("bash", ["delivery/affected.sh"], {
            cwd: ROOT,
            input: code,
            encoding: "utf8",
            env: { ...process.env, DELIVERED_STACKS: "dev" },
        });
        assert.notEqual(bad.status, 0);
        assert.match(bad.stderr, /parse error|not a JSON list/);
    });
    it("tests, tooling and delivery alone: none", () =>
        assert.deepEqual(
            affected("test/e2e.sh", "engine/build.sh", "bootstrap/index.ts", ".github/workflows/drift.yml"),
            [],
        ));
});

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

describe("delivery: waiting for a busy stack (delivery/on-stack-lock.sh)", () => {
    /** A `pulumi` that answers 409 the first `busy` times, then `last` (an exit status). */
    const fake = (busy: number, last: number) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-"));
        const bin = path.join(dir, "pulumi");
        fs.writeFileSync(
            bin,
            `#!/bin/sh\nn=$(cat ${bin}.n 2>/dev/null || echo 0); echo $((n + 1)) > ${bin}.n\n` +
                `if [ "$n" -lt ${busy} ]; then echo "error: [409] Conflict: Another update is currently in progress."; exit 255; fi\n` +
                `echo done; exit ${last}\n`,
            { mode: 0o755 },
        );
        return bin;
    };
    const run = (bin: string, tries = 5) =>
        spawnSync("bash", ["delivery/on-stack-lock.sh", bin, "refresh"], {
            cwd: ROOT,
            env: { ...process.env, LOCK_WAIT: "0", LOCK_TRIES: String(tries) },
            encoding: "utf8",
        });

    it("tries again while the stack is busy, then returns the command's result", () => {
        const result = run(fake(2, 0));
        assert.equal(result.status, 0);
        assert.match(result.stdout, /done\n$/);
    });

    it("returns any other failure at once, and a stack busy for the whole wait as a failure", () => {
        assert.equal(run(fake(0, 3)).status, 3);
        const busy = run(fake(9, 0), 3);
        assert.equal(busy.status, 255);
        assert.doesNotMatch(busy.stdout, /done/);
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

describe("delivery: a stack file's placeholder (delivery/placeholder.sh)", () => {
    const check = (stack: string) => {
        const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "placeholder-")), "out");
        const run = spawnSync("bash", ["delivery/placeholder.sh", stack], {
            cwd: ROOT,
            env: { ...process.env, GITHUB_OUTPUT: output },
            encoding: "utf8",
        });
        assert.equal(run.status, 0, run.stderr);
        return { stdout: run.stdout, output: fs.readFileSync(output, "utf8") };
    };

    it("skips prod while its endpoint allowlist is the placeholder, with a notice", () => {
        // prod commits a placeholder today: the check finds it.
        assert.match(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"), /REPLACE_WITH_/);
        const prod = check("prod");
        assert.equal(prod.output, "skip=true\n");
        assert.match(prod.stdout, /^::notice::Pulumi\.prod\.yaml still holds a placeholder/);
    });

    it("runs dev, whose file holds none", () =>
        assert.deepEqual(check("dev"), { stdout: "", output: "skip=false\n" }));
});
