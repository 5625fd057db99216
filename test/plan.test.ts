import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { manifestsOf } from "../harness/manifests";
import { ROOT, loadStackConfig } from "../harness/stack-config";
import { PRICING, estimateCost } from "../plan/cost";
import { criticalPath, resourceTree, TreeNode } from "../plan/graph";
import { money, renderChecks, renderCost, styleFor } from "../plan/report";
import { P, eksStacks, okRun } from "./helpers";

/** Runs the plan CLI as a user would, minus the install step. */
function plan(...args: string[]) {
    const child = spawnSync(
        process.execPath,
        ["--require", "./scripts/transpile.js", "plan/main.ts", ...args],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, NO_COLOR: "1" },
        },
    );
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "flask-eks-plan-"));
}

describe("plan: resource tree and critical path", () => {
    for (const stack of eksStacks()) {
        it(`${stack}: the tree holds every registration once, components under the stack`, async () => {
            const run = await okRun(stack);
            const root = resourceTree(run);
            const seen: string[] = [];
            const walk = (n: TreeNode) => {
                seen.push(n.registration.urn);
                n.children.forEach(walk);
            };
            walk(root);
            assert.deepEqual(seen.sort(), run.registrations.map((r) => r.urn).sort());
            const components = root.children
                .filter((c) => !c.registration.custom)
                .map((c) => c.registration.type);
            assert.deepEqual(components, [
                "flask-eks:index:Network",
                "flask-eks:index:Cluster",
                "flask-eks:index:Image",
                "flask-eks:index:Workload",
            ]);
        });

        it(`${stack}: the critical path runs through the cluster and nodes, and the image build is off it`, async () => {
            const run = await okRun(stack);
            const critical = criticalPath(run);
            const types = critical.chain.map((s) => s.registration.type);
            // cert-manager, the Load Balancer Controller that waits for it, then the Service it serves.
            for (const t of [
                "aws:eks/cluster:Cluster",
                "aws:eks/nodeGroup:NodeGroup",
                "kubernetes:helm.sh/v3:Release",
                "kubernetes:core/v1:Service",
            ]) {
                assert.ok(types.includes(t), t);
            }
            assert.ok(!types.includes("docker:index/image:Image"));
            // The chain is contiguous: each step starts when the one before it finishes.
            critical.chain.slice(1).forEach((s, i) => assert.equal(s.start, critical.chain[i].finish));
            assert.equal(critical.totalSeconds, critical.chain.at(-1)!.finish);
            const image = [...critical.steps.values()].find(
                (s) => s.registration.type === "docker:index/image:Image",
            )!;
            assert.ok(
                image.finish < critical.totalSeconds / 2,
                "the build finishes long before the cluster is ready",
            );
        });
    }
});

describe("plan: cost", () => {
    it("prices the dev stack from the price table's figures and the stack's sizes", async () => {
        const cost = estimateCost(await okRun("dev"));
        const byItem = Object.fromEntries(cost.lines.map((l) => [l.item, l.monthly]));
        // The formulas, written out independently of plan/cost.ts, over pricing.json and dev's config.
        const price = PRICING.regions["us-west-2"];
        const { hoursPerMonth: h, ...a } = PRICING.assumptions;
        const config = loadStackConfig("dev").values;
        const n = (key: string) => Number(config[`${P}:${key}`]);
        const [type] = JSON.parse(config[`${P}:instanceTypes`]);
        const nodes = n("nodeDesiredSize");
        const zones = n("azCount");
        assert.equal(config[`${P}:capacityType`], "SPOT");
        assert.equal(config[`${P}:natGateways`], "single");
        const expected: Record<string, number> = {
            "EKS control plane": price.eksClusterHour * h,
            "EC2 nodes": nodes * price.ec2Hour[type] * h * a.spotPriceShareOfOnDemand,
            "EBS gp3 root volumes": nodes * n("nodeDiskSizeGiB") * price.ebsGp3PerGBMonth,
            "NAT gateways": 1 * price.natGatewayHour * h,
            "NAT data processing": a.natDataGBPerMonth * price.natGatewayPerGB,
            "Network Load Balancer": (price.nlbHour + a.nlbLcus * price.nlbLcuHour) * h,
            // One NAT gateway's address and one per zone the internet-facing NLB spans.
            "Public IPv4 addresses": (1 + zones) * price.publicIpv4Hour * h,
            "CloudWatch Logs (control plane)":
                a.controlPlaneLogsGBPerMonth * price.logsIngestPerGB +
                a.controlPlaneLogsGBPerMonth * (n("logRetentionDays") / 30) * price.logsStoragePerGBMonth,
            "KMS keys": price.kmsKeyMonth,
            "ECR storage": n("imageKeepCount") * a.imageSizeGB * price.ecrStoragePerGBMonth,
        };
        const cents = (x: number) => Math.round(x * 100) / 100;
        assert.deepEqual(byItem, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, cents(v)])));
        assert.equal(cost.total, cents(Object.values(byItem).reduce((sum, v) => sum + v!, 0)));
        assert.equal(cost.partial, false);
    });

    it("reports an instance type without a price in the region as unpriced, never as zero", async () => {
        const inEurope = (type: string) =>
            okRun("dev", { overrides: { "aws:region": "eu-west-1", [`${P}:instanceTypes`]: `["${type}"]` } });
        const cost = estimateCost(await inEurope("c6i.large"));
        const ec2 = cost.lines.find((l) => l.item === "EC2 nodes")!;
        assert.equal(ec2.monthly, undefined);
        assert.match(ec2.note!, /no price for c6i\.large in eu-west-1/);
        assert.equal(cost.partial, true);
        const priced = estimateCost(await inEurope("t3.medium"));
        const pricedEc2 = priced.lines.find((l) => l.item === "EC2 nodes")!.monthly!;
        assert.equal(cost.total, Math.round((priced.total - pricedEc2) * 100) / 100);
    });

    it("refuses a total for a commercial region without prices, saying so", async () => {
        const cost = estimateCost(await okRun("dev", { overrides: { "aws:region": "eu-central-1" } }));
        assert.ok(cost.lines.length > 0 && cost.lines.every((l) => l.monthly === undefined));
        assert.equal(cost.lines[0].note, "no prices for region eu-central-1");
        const text = `No prices for eu-central-1: plan/pricing.json has us-east-1, us-west-2 and eu-west-1 (AWS list prices as of ${PRICING.date}), so this plan gives no total rather than a wrong one; add the region's figures there from the AWS pricing pages.`;
        assert.equal(cost.unpricedRegion, text);
        const rendered = renderCost(cost, styleFor({ isTTY: false } as NodeJS.WriteStream));
        assert.ok(rendered.endsWith(text), rendered);
        assert.doesNotMatch(rendered, /\$0\.00/);
    });

    it("prices nothing for the local target, which creates nothing on AWS", async () => {
        const cost = estimateCost(await okRun("local"));
        assert.deepEqual([cost.lines, cost.total, cost.partial], [[], 0, false]);
        assert.equal(
            renderCost(cost, styleFor(process.stdout)),
            "Nothing this stack creates is billed by AWS: $0.00.",
        );
    });

    it("prod costs more than staging, which costs more than dev", async () => {
        const [dev, staging, prod] = await Promise.all(
            ["dev", "staging", "prod"].map(async (s) => estimateCost(await okRun(s)).total),
        );
        assert.ok(dev < staging && staging < prod, `${dev} ${staging} ${prod}`);
    });
});

describe("plan: the command", () => {
    it("prints the tree, counts, valid manifests, cost and critical path, and writes its four files", async () => {
        const out = tempDir();
        const result = plan("--stack", "dev", "--out", out);
        assert.equal(result.status, 0, result.stderr);
        // The figures the plan must print, from the same run under the harness.
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
            money(estimateCost(run).total),
            `image build: done at ${Math.round(image.finish)} s, off the critical path`,
        ]) {
            assert.ok(result.stdout.includes(part), part);
        }
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
        assert.ok(summary.includes(`| **total** |  | **${money(estimateCost(run).total)}** |`), summary);
        assert.match(summary, /```mermaid\nflowchart LR/);
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
            ["dev", "prod"].map(async (s) => estimateCost(await okRun(s)).total),
        );
        assert.equal(result.status, 0, result.stderr);
        const comparison = result.stdout.slice(result.stdout.indexOf("Compared with prod"));
        assert.match(comparison, /aws:ec2:NatGateway +1 +3/);
        assert.match(comparison, /natGateways +single +perAz/);
        assert.match(comparison, /capacityType +SPOT +ON_DEMAND/);
        assert.match(comparison, new RegExp(`total +\\${money(dev)} +\\${money(prod)}`));
        assert.ok(comparison.includes(`prod costs +${money(prod - dev)}/month against dev`), comparison);
    });

    for (const [what, args, message] of [
        [
            "an unknown stack",
            ["--stack", "qa"],
            /^plan: unknown stack "qa": there is no Pulumi\.qa\.yaml in .+\. Valid stacks: dev, local, prod, staging\.\n$/,
        ],
        ["no stack", [], /^plan: no stack given\. usage: .+ Valid stacks: dev, local, prod, staging\.\n$/],
        ["an unknown compare stack", ["--stack", "dev", "--compare", "qa"], /^plan: unknown stack "qa"/],
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
            "config:\n  aws:region: us-west-2\n  flask-eks:azCount: 9\n  flask-eks:natGateways: lots\n",
        );
        const result = plan("--root", root, "--stack", "broken", "--out", tempDir());
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            /^plan: Invalid config for stack "broken" \(2 problems\):\n  - flask-eks:azCount: got 9, expected an integer from 2 to 6\n  - flask-eks:natGateways: got "lots", expected one of none, single, perAz\n$/m,
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

    it("puts the runway and every notice in summary.md, the pull request's comment", () => {
        const out = tempDir();
        const result = plan("--stack", "prod", "--out", out);
        assert.equal(result.status, 0, result.stderr);
        const summary = fs.readFileSync(path.join(out, "summary.md"), "utf8");
        assert.match(
            summary,
            /### Support runway and notices\n\n- Kubernetes 1\.\d+: standard support until/,
        );
        assert.match(summary, /\n- notice: endpointPublicAccessCidrs holds the placeholder/);
        fs.rmSync(out, { recursive: true });
    });
});

describe("plan: Kubernetes support", () => {
    const extended = {
        overrides: { [`${P}:kubernetesVersion`]: "1.33", [`${P}:upgradePolicy`]: "EXTENDED" },
    };
    const day = new Date("2026-11-28T12:00:00Z");

    it("prices a version past standard support at the extended-support rate, and says why", async () => {
        const price = PRICING.regions["us-west-2"];
        const h = PRICING.assumptions.hoursPerMonth;
        const line = (run: Awaited<ReturnType<typeof okRun>>) =>
            estimateCost(run, PRICING, day).lines.find((l) => l.item === "EKS control plane")!;
        const old = line(await okRun("dev", extended));
        assert.equal(old.monthly, Math.round(price.eksClusterExtendedHour * h * 100) / 100);
        assert.match(old.note!, /standard support ended 2026-07-29; extended support until 2027-07-29/);
        assert.equal(line(await okRun("dev")).monthly, Math.round(price.eksClusterHour * h * 100) / 100);
    });

    it("shows the runway, and every notice the config gives", async () => {
        const plain = styleFor({ isTTY: false } as NodeJS.WriteStream);
        const text = renderChecks(await okRun("dev", extended), day, plain);
        assert.match(
            text,
            /Kubernetes 1\.33: extended support \(billed as such\) until 2027-07-29, 243 days left/,
        );
        assert.match(text, /notice: Kubernetes 1\.33 is in extended support/);
        const prod = renderChecks(await okRun("prod"), day, plain);
        assert.match(prod, /Kubernetes 1\.35: standard support until 2027-03-27, 119 days left/);
        assert.match(prod, /notice: endpointPublicAccessCidrs holds the placeholder/);
    });
});
