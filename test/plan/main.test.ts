// The plan command (plan/main.ts) as a user runs it: what it prints and writes, the bootstrap program,
// a comparison of two stacks, its help, and one paragraph and exit 2 for every bad input.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { manifestsOf } from "../../offline/manifests";
import { ROOT, loadStackConfig } from "../../offline/stack-config";
import { estimateCost } from "../../plan/cost";
import { criticalPath } from "../../plan/graph";
import { renderRelease } from "../../plan/release";
import { money } from "../../plan/report";
import { P, absentStack, committedStacks, okRun } from "../helpers";
import { plan, tempDir } from "./helpers";

describe("plan: the command", () => {
    it("prints the tree, the app's settings, valid manifests, cost and critical path, and writes its four files", async () => {
        const out = tempDir();
        const result = plan("--stack", "dev", "--out", out);
        assert.equal(result.status, 0, result.stderr);
        // The figures the plan must print, from the same offline run.
        const run = await okRun("dev");
        const count = run.registrations.length;
        const critical = criticalPath(run);
        const image = [...critical.steps.values()].find(
            (s) => s.registration.type === "docker:index/image:Image",
        )!;
        for (const part of [
            `Resources (${count})`,
            "├─ flask-eks:index:Network  network",
            `valid: ${manifestsOf(run).length} objects`,
            "total",
            money(estimateCost(run).total!),
            `image build: done at ${Math.round(image.finish)} s, off the critical path`,
        ]) {
            assert.ok(result.stdout.includes(part), part);
        }
        // The tree is the resource listing; a count by type would repeat it.
        assert.doesNotMatch(result.stdout, /^type +count$/m);
        const appModule = loadStackConfig("dev").values[`${P}:appModule`];
        const escaped = appModule.replace(/[.()]/g, "\\$&");
        assert.match(result.stdout, new RegExp(`^appModule +APP_MODULE=${escaped}$`, "m"));
        assert.doesNotMatch(result.stdout, /\x1b\[/, "plain when piped");
        assert.match(result.stderr, new RegExp(`evaluated stack dev: ${count} registrations`));

        const planJson = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
        assert.equal(planJson.registrations.length, count);
        const provider = planJson.registrations.find(
            (r: { type: string }) => r.type === "pulumi:providers:kubernetes",
        );
        assert.equal(provider.inputs.kubeconfig, "[secret]");
        assert.equal(planJson.outputs.kubeconfig, "[secret]");
        for (const key of ["type", "name", "parent", "provider", "dependencies", "options", "inputs"])
            assert.ok(key in provider, key);

        const manifests = yaml.loadAll(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8"));
        assert.deepEqual(manifests, manifestsOf(await okRun("dev")));
        assert.match(
            fs.readFileSync(path.join(out, "graph.mmd"), "utf8"),
            /^flowchart LR\n[\s\S]*network --> cluster/,
        );
        const summary = fs.readFileSync(path.join(out, "summary.md"), "utf8");
        assert.match(summary, /^## Plan for stack `dev` \(us-west-2\)/);
        assert.ok(summary.includes(`| **total** |  | **${money(estimateCost(run).total!)}** |`), summary);
        assert.match(summary, /```mermaid\nflowchart LR/);
        assert.match(
            summary,
            new RegExp(
                `### App\\n\\n\\| setting \\| makes \\|\\n\\|---\\|---\\|\\n\\| \`appModule\` \\| APP_MODULE=${escaped} \\|`,
            ),
        );
        fs.rmSync(out, { recursive: true });
    });

    it("plans the bootstrap program too: its tree, no AWS bill, and no Kubernetes sections", () => {
        const out = tempDir();
        const result = plan("--root", "bootstrap", "--stack", "example", "--out", out);
        assert.equal(result.status, 0, result.stderr);
        for (const part of [
            "├─ aws:iam:Role  deploy-prod",
            "├─ pulumiservice:index:OidcIssuer  github-actions",
            "Nothing this stack creates is billed by AWS: $0.00.",
            "Critical path of a first pulumi up",
        ])
            assert.ok(result.stdout.includes(part), part);
        assert.doesNotMatch(result.stdout, /Kubernetes manifests|Support runway/);
        const summary = fs.readFileSync(path.join(out, "summary.md"), "utf8");
        assert.match(summary, /declares no Kubernetes version/);
        fs.rmSync(out, { recursive: true });
    });

    it("compares two stacks: counts, sizes and cost", async () => {
        const result = plan("--stack", "dev", "--compare", "prod", "--out", tempDir());
        const [dev, prod] = await Promise.all(
            ["dev", "prod"].map(async (s) => estimateCost(await okRun(s)).total!),
        );
        assert.equal(result.status, 0, result.stderr);
        const comparison = result.stdout.slice(result.stdout.indexOf("Compared with prod"));
        assert.match(comparison, /aws:ec2:NatGateway +1 +3/);
        assert.match(comparison, /natGateways +single +perAz/);
        assert.match(comparison, /capacityType +SPOT +ON_DEMAND/);
        assert.match(comparison, new RegExp(`total +\\${money(dev)} +\\${money(prod)}`));
        assert.ok(comparison.includes(`prod costs +${money(prod - dev)}/month against dev`), comparison);
    });

    const absent = absentStack();
    const valid = committedStacks().join(", ").replace(/[.]/g, "\\.");
    for (const [what, args, message] of [
        [
            "an unknown stack",
            ["--stack", absent],
            new RegExp(
                `^plan: unknown stack "${absent}": there is no Pulumi\\.${absent}\\.yaml in .+\\. Valid stacks: ${valid}\\.\\n$`,
            ),
        ],
        ["no stack", [], new RegExp(`^plan: no stack given\\. usage: .+ Valid stacks: ${valid}\\.\\n$`)],
        [
            "an unknown compare stack",
            ["--stack", "dev", "--compare", absent],
            new RegExp(`^plan: unknown stack "${absent}"`),
        ],
        [
            "an unknown argument",
            ["--stack", "dev", "--verbose"],
            /^plan: unknown argument "--verbose"\. usage: /,
        ],
        [
            "a root without Pulumi.yaml",
            ["--stack", "dev", "--root", os.tmpdir()],
            /^plan: no Pulumi\.yaml in /,
        ],
    ] as const) {
        it(`exits 2 with one paragraph and no stack trace for ${what}`, () => {
            const result = plan(...args);
            assert.equal(result.status, 2);
            assert.match(result.stderr, message);
            assert.equal(result.stdout, "");
        });
    }

    it("exits 2 with every config problem for a stack whose config is invalid", () => {
        // A copy of the project with one more stack, whose config breaks two rules.
        const root = tempDir();
        for (const file of ["Pulumi.yaml", "index.ts"])
            fs.symlinkSync(path.join(ROOT, file), path.join(root, file));
        fs.writeFileSync(
            path.join(root, "Pulumi.broken.yaml"),
            `config:\n  aws:region: us-west-2\n  ${P}:azCount: 9\n  ${P}:natGateways: lots\n`,
        );
        const result = plan("--root", root, "--stack", "broken", "--out", tempDir());
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            new RegExp(
                `^plan: Invalid config for stack "broken" \\(2 problems\\):\\n  - ${P}:azCount: got 9, expected an integer from 2 to 6\\n  - ${P}:natGateways: got "lots", expected one of none, single, perAz\\n$`,
                "m",
            ),
        );
        assert.doesNotMatch(result.stderr, /\n\s+at /);
        fs.rmSync(root, { recursive: true });
    });
});

describe("plan: help, YAML mistakes and the summary's notices", () => {
    it("--help prints the usage and the flags, and exits 0", () => {
        const result = plan("--help");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /^usage: npm run plan -- --stack <name>/);
        for (const flag of ["--stack", "--out", "--compare", "--root"])
            assert.ok(result.stdout.includes(`  ${flag} `), flag);
        assert.match(result.stdout, /Exit codes: 0 fine, 1 invalid manifests, 2 bad input/);
    });

    it("exits 2 on a stack file that is not YAML, naming the file, line and column, with no trace", () => {
        const root = tempDir();
        fs.symlinkSync(path.join(ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
        fs.writeFileSync(
            path.join(root, "Pulumi.broken.yaml"),
            "config:\n  aws:region: us-west-2\n  flask-eks:azCount: [2\n",
        );
        const result = plan("--root", root, "--stack", "broken", "--out", tempDir());
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            /^plan: Pulumi\.broken\.yaml line 4, column 1: invalid YAML: unexpected end of the stream within a flow collection\n$/m,
        );
        assert.doesNotMatch(result.stderr, /\n\s+at /);
        fs.rmSync(root, { recursive: true });
    });

    it("puts the runway, every notice and a canary's steps in summary.md, the pull request's comment", async () => {
        const out = tempDir();
        const result = plan("--stack", "prod", "--out", out);
        assert.equal(result.status, 0, result.stderr);
        const summary = fs.readFileSync(path.join(out, "summary.md"), "utf8");
        assert.match(
            summary,
            /### Support runway and notices\n\n- Kubernetes 1\.\d+: standard support until/,
        );
        assert.match(summary, /\n- notice: endpointPublicAccessCidrs holds the placeholder/);
        const release = renderRelease(await okRun("prod"), true)!;
        assert.ok(summary.includes(`### Releases after the first\n\n${release}\n`));
        assert.ok(result.stdout.includes(renderRelease(await okRun("prod"))!));
        fs.rmSync(out, { recursive: true });
    });
});
