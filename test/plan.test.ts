import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { manifestsOf } from "../offline/manifests";
import { ROOT, loadStackConfig } from "../offline/stack-config";
import { estimateCost, noTotalReason, unpricedItems } from "../plan/cost";
import {
    EC2_PRICES,
    Ec2PriceTable,
    FIGURE_NAMES,
    PRICING,
    ec2HourOf,
    isStale,
    staleWarnings,
} from "../plan/prices";
import { COMMERCIAL_REGIONS } from "../config/regions";
import { instanceType } from "../domain/instancetypes";
import { criticalPath, resourceTree, TreeNode } from "../plan/graph";
import { money, renderChecks, renderComparison, renderCost, styleFor, summaryMarkdown } from "../plan/report";
import { appEffects } from "../plan/appsummary";
import { checkAppModule } from "../plan/appmodule";
import { P, absentStack, committedStacks, eksStacks, inputs, okRun, one } from "./helpers";

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
    const plain = styleFor({ isTTY: false } as NodeJS.WriteStream);
    const cents = (x: number) => Math.round(x * 100) / 100;
    /** The generated table as the file holds it, read without plan/cost.ts. */
    const generated = JSON.parse(fs.readFileSync(path.join(ROOT, "plan/ec2-prices.json"), "utf8"));
    const datasetHour = (type: string, region: string): number | null =>
        generated.types[type]?.[generated.regions.indexOf(region)] ?? null;

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
        assert.deepEqual(byItem, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, cents(v)])));
        assert.equal(cost.total, cents(Object.values(byItem).reduce((sum, v) => sum + v!, 0)));
        assert.deepEqual(cost.sources, [
            { file: "plan/pricing.json", source: PRICING.source, date: PRICING.date },
        ]);
    });

    for (const region of ["eu-central-1", "ap-southeast-2", "us-east-2"]) {
        it(`${region}: prices EC2 from the generated table, names every other line unpriced, and gives no total`, async () => {
            const run = await okRun("dev", {
                overrides: { "aws:region": region, [`${P}:instanceTypes`]: '["m7g.large"]' },
            });
            const cost = estimateCost(run);
            const hour = datasetHour("m7g.large", region);
            assert.ok(typeof hour === "number" && hour > 0, `the dataset prices m7g.large in ${region}`);
            const { hoursPerMonth: h, spotPriceShareOfOnDemand: spot } = PRICING.assumptions;
            const nodes = Number(loadStackConfig("dev").values[`${P}:nodeDesiredSize`]);
            const ec2 = cost.lines.find((l) => l.item === "EC2 nodes")!;
            assert.equal(ec2.monthly, cents(nodes * hour * h * spot));
            const others = cost.lines.filter((l) => l !== ec2);
            assert.ok(others.length >= 9, `${others.length} other lines`);
            for (const line of others) {
                assert.equal(line.monthly, undefined, line.item);
                assert.match(line.note!, new RegExp(`^no .+ prices? for ${region} in plan/pricing\\.json$`));
            }
            const note = (item: string) => others.find((l) => l.item === item)!.note;
            assert.equal(
                note("EKS control plane"),
                `no EKS cluster-hour price for ${region} in plan/pricing.json`,
            );
            assert.equal(
                note("Network Load Balancer"),
                `no NLB-hour and NLB LCU-hour prices for ${region} in plan/pricing.json`,
            );
            assert.equal(cost.total, undefined);
            assert.deepEqual(
                cost.sources.map((s) => [s.file, s.date]),
                [["plan/ec2-prices.json", generated.date]],
            );
            const rendered = renderCost(cost, plain);
            assert.doesNotMatch(rendered, /\$0\.00/);
            assert.doesNotMatch(rendered, /^total/m, "no total row");
            assert.ok(
                rendered.includes(
                    `No total: ${others.length} lines are unpriced (${others.map((l) => l.item).join(", ")})`,
                ),
                rendered,
            );
            assert.ok(rendered.includes(`add ${region}'s from the AWS pricing pages`), rendered);
            const summary = summaryMarkdown(run, cost, criticalPath(run), "valid", "flowchart LR\n");
            assert.ok(
                summary.includes(
                    `cost **not estimated** (unpriced: ${others.map((l) => l.item).join(", ")})`,
                ),
            );
            assert.doesNotMatch(summary, /\$0\.00|\*\*total\*\*/);
        });
    }

    it("reports an instance type neither table prices as unpriced, never as zero, and then gives no total", async () => {
        // A type newer than the dataset: the config knows it, no table prices it.
        assert.ok(instanceType("m8i.large") && datasetHour("m8i.large", "us-west-2") === null);
        assert.equal(PRICING.regions["us-west-2"].ec2Hour["m8i.large"], undefined);
        const cost = estimateCost(
            await okRun("dev", { overrides: { [`${P}:instanceTypes`]: '["m8i.large"]' } }),
        );
        const ec2 = cost.lines.find((l) => l.item === "EC2 nodes")!;
        assert.equal(ec2.monthly, undefined);
        assert.equal(
            ec2.note,
            `no price for m8i.large in us-west-2: plan/pricing.json does not list it, and the dataset of plan/ec2-prices.json (${generated.date}) has none for it there`,
        );
        assert.deepEqual(unpricedItems(cost), ["EC2 nodes"]);
        assert.equal(cost.total, undefined);
        assert.equal(
            noTotalReason(cost),
            "No total: 1 line is unpriced (EC2 nodes), and a sum without it would understate the bill.",
        );
    });

    it("names a commercial region the dataset has no EC2 prices for", async () => {
        const [region] = generated.regionsUnpriced;
        assert.ok(region, "the dataset lacks some region");
        const cost = estimateCost(await okRun("dev", { overrides: { "aws:region": region } }));
        assert.ok(cost.lines.length > 0 && cost.lines.every((l) => l.monthly === undefined));
        assert.match(
            cost.lines.find((l) => l.item === "EC2 nodes")!.note!,
            new RegExp(`has no EC2 prices for ${region}$`),
        );
        assert.deepEqual([cost.total, cost.sources], [undefined, []]);
        const rendered = renderCost(cost, plain);
        assert.doesNotMatch(rendered, /\$\d/);
        assert.match(rendered, new RegExp(`Prices for ${region}: none\\.`));
    });

    it("compares against a stack with unpriced lines without a $0 or a difference, naming them", async () => {
        const evaluate = async (overrides: Record<string, string>) => {
            const run = await okRun("dev", { overrides });
            return { run, cost: estimateCost(run), path: criticalPath(run) };
        };
        const priced = await evaluate({});
        const europe = await evaluate({ "aws:region": "eu-central-1" });
        const unpriced = unpricedItems(europe.cost);
        assert.ok(unpriced.length > 0);
        for (const [a, b, nameA, nameB] of [
            [priced, europe, "dev", "frankfurt"],
            [europe, priced, "frankfurt", "dev"],
        ] as const) {
            const text = renderComparison(a, b, nameA, nameB);
            const cost = text.slice(text.indexOf("monthly cost:"));
            assert.doesNotMatch(cost, /\$0\.00/);
            assert.doesNotMatch(cost, /costs [+-]\$/);
            const totals =
                nameA === "dev"
                    ? [money(priced.cost.total!), "no total"]
                    : ["no total", money(priced.cost.total!)];
            assert.match(
                cost,
                new RegExp(`^total +${totals.map((t) => t.replace("$", "\\$")).join(" +")}$`, "m"),
            );
            assert.ok(
                cost.includes(
                    `no cost difference stated: frankfurt has unpriced lines (${unpriced.join(", ")})`,
                ),
                cost,
            );
        }
    });

    it("warns, in the plan and its summary, when a table it used is more than six months old", async () => {
        const run = await okRun("dev");
        const cost = estimateCost(run);
        // Six months after the table's date (a month alone counts from its first day), by the calendar.
        const [y, m, d = 1] = PRICING.date.split("-").map(Number);
        const limit = new Date(Date.UTC(y, m - 1 + 6, d));
        const dayAfter = new Date(limit.getTime() + 86_400_000);
        assert.equal(isStale(PRICING.date, limit), false);
        assert.equal(isStale(PRICING.date, dayAfter), true);
        assert.deepEqual(staleWarnings(cost.sources, limit), []);
        const day = dayAfter.toISOString().slice(0, 10);
        const warning = `plan/pricing.json is dated ${PRICING.date}, more than 6 months before ${day}: AWS may have changed these prices since; check its figures against the AWS pricing pages and update them and its date.`;
        assert.deepEqual(staleWarnings(cost.sources, dayAfter), [warning]);
        assert.ok(renderCost(cost, plain, dayAfter).includes(`warning: ${warning}`));
        assert.doesNotMatch(renderCost(cost, plain, limit), /warning/);
        const summary = (today: Date) =>
            summaryMarkdown(run, cost, criticalPath(run), "valid", "flowchart LR\n", undefined, today);
        assert.ok(summary(dayAfter).includes(`> **Warning:** ${warning}`));
        assert.doesNotMatch(summary(limit), /Warning/);
        // The generated table is judged by its own date.
        const arm = estimateCost(
            await okRun("dev", {
                overrides: { "aws:region": "us-east-2", [`${P}:instanceTypes`]: '["m7g.large"]' },
            }),
        );
        const [warned] = staleWarnings(arm.sources, new Date("2026-12-05T12:00:00Z"));
        assert.match(
            warned,
            new RegExp(`^plan/ec2-prices\\.json is dated ${generated.date}, .* npm run data:prices\\.$`),
        );
    });

    it("prices nothing for the local target, which creates nothing on AWS", async () => {
        const cost = estimateCost(await okRun("local"));
        assert.deepEqual([cost.lines, cost.total, cost.sources], [[], 0, []]);
        assert.equal(
            renderCost(cost, styleFor(process.stdout)),
            "Nothing this stack creates is billed by AWS: $0.00.",
        );
    });

    it("prod costs more than staging, which costs more than dev", async () => {
        const [dev, staging, prod] = await Promise.all(
            ["dev", "staging", "prod"].map(async (s) => estimateCost(await okRun(s)).total!),
        );
        assert.ok(dev < staging && staging < prod, `${dev} ${staging} ${prod}`);
    });
});

describe("plan: the price tables", () => {
    const generated: Ec2PriceTable = JSON.parse(
        fs.readFileSync(path.join(ROOT, "plan/ec2-prices.json"), "utf8"),
    );
    const file = (name: string) => fs.readFileSync(path.join(ROOT, name), "utf8");

    it("plan/pricing.json holds every service figure, positive, for each region it lists, with its date", () => {
        assert.match(PRICING.date, /^\d{4}-\d{2}(-\d{2})?$/);
        for (const [region, prices] of Object.entries(PRICING.regions)) {
            assert.ok(COMMERCIAL_REGIONS.includes(region), region);
            for (const figure of Object.keys(FIGURE_NAMES) as (keyof typeof FIGURE_NAMES)[]) {
                const price = prices[figure];
                assert.ok(typeof price === "number" && price > 0, `${region} ${figure}`);
            }
        }
    });

    it("plan/ec2-prices.json comes from scripts/prices, names its source and date, and accounts for every commercial region", () => {
        assert.equal(generated.generator, "scripts/prices (npm run data:prices)");
        assert.match(JSON.parse(file("package.json")).scripts["data:prices"], /scripts\/prices/);
        assert.ok(fs.existsSync(path.join(ROOT, "scripts/prices/main.go")));
        const module = /^require github\.com\/LeanerCloud\/ec2-instances-info (\S+)$/m.exec(
            file("scripts/prices/go.mod"),
        )![1];
        assert.ok(generated.source.includes(`ec2instances.info`) && generated.source.includes(module));
        assert.match(generated.date, /^\d{4}-\d{2}-\d{2}$/);
        assert.deepEqual(generated, EC2_PRICES, "plan/cost.ts reads this file");
        // Each commercial region once: priced, or listed as unpriced.
        assert.deepEqual(
            [...generated.regions, ...generated.regionsUnpriced].sort(),
            [...COMMERCIAL_REGIONS].sort(),
        );
        assert.ok(generated.regions.length >= 30, `${generated.regions.length} regions priced`);
    });

    it("plan/ec2-prices.json: a sorted row per known type, a positive price or null per region, some price in each", () => {
        const types = Object.keys(generated.types);
        assert.ok(types.length > 500, `${types.length} types`);
        assert.deepEqual(types, [...types].sort(), "sorted, so a regeneration diffs cleanly");
        assert.deepEqual(generated.regions, [...generated.regions].sort());
        for (const [type, row] of Object.entries(generated.types)) {
            assert.ok(instanceType(type), `${type} is in domain/data/instance-types.json`);
            assert.equal(row.length, generated.regions.length, type);
            assert.ok(
                row.every((p) => p === null || (typeof p === "number" && p > 0)),
                type,
            );
            assert.ok(
                row.some((p) => p !== null),
                type,
            );
        }
        for (const region of generated.regions)
            assert.ok(
                Object.keys(generated.types).some((t) => ec2HourOf(generated, t, region)),
                `some price in ${region}`,
            );
    });

    it("the EC2 figures kept by hand in plan/pricing.json equal the dataset's", () => {
        let checked = 0;
        for (const [region, prices] of Object.entries(PRICING.regions))
            for (const [type, hour] of Object.entries(prices.ec2Hour)) {
                assert.equal(ec2HourOf(generated, type, region), hour, `${type} in ${region}`);
                checked++;
            }
        assert.ok(checked >= 30, `${checked} figures`);
    });
});

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

    it("shows what each app setting makes: the environment, secrets by name, every egress rule, the role's policies, TLS", async () => {
        const arn = "arn:aws:acm:us-west-2:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";
        const run = await okRun("dev", {
            overrides: {
                [`${P}:appEnv`]: '{"GREETING":"hi"}',
                [`${P}:appEgress`]: '["10.20.0.0/16:5432/tcp"]',
                [`${P}:appPolicyArns`]: '["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]',
                [`${P}:tlsCertificateArn`]: arn,
            },
        });
        const vpc = inputs(one(run, "aws:ec2/vpc:Vpc")).cidrBlock;
        assert.deepEqual(Object.fromEntries(appEffects(run)), {
            appModule: `APP_MODULE=${loadStackConfig("dev").values[`${P}:appModule`]}`,
            appEnv: "GREETING=hi",
            appSecrets: "none",
            appEgress: `cluster DNS (kube-dns) on 53/UDP, 53/TCP; 10.20.0.0/16 on 5432/TCP; 0.0.0.0/0 except ${vpc} on 443/TCP`,
            appPolicyArns: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            tlsCertificateArn: `TLS on 443 (${arn})`,
        });
        const local = Object.fromEntries(appEffects(await okRun("local")));
        assert.equal(local.appPolicyArns, undefined, "no AWS role on the local target");
        assert.equal(local.tlsCertificateArn, "HTTP on 80");
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

describe("plan: the app's module, imported before any up", () => {
    /** A copy of the project with a stack "mine" serving `appModule`, and app/ as `app` makes it. */
    function project(appModule: string, app: (dir: string) => void): string {
        const root = tempDir();
        for (const file of ["Pulumi.yaml", "index.ts"])
            fs.symlinkSync(path.join(ROOT, file), path.join(root, file));
        fs.mkdirSync(path.join(root, "app"));
        app(path.join(root, "app"));
        fs.writeFileSync(
            path.join(root, "Pulumi.mine.yaml"),
            `config:\n  aws:region: us-west-2\n  ${P}:appModule: "${appModule}"\n  ${P}:appEnv:\n    SHOP_NAME: corner\n`,
        );
        return root;
    }
    const planOf = (root: string) => plan("--root", root, "--stack", "mine", "--out", tempDir());
    const shop = (source: string) => (dir: string) => {
        fs.mkdirSync(path.join(dir, "shop"));
        fs.writeFileSync(path.join(dir, "shop", "__init__.py"), source);
    };

    it("exits 2 with one line naming a module app/ does not have", () => {
        const result = planOf(project("nope:create_app()", shop("")));
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr
                .split("\n")
                .filter((l) => l.startsWith("plan: "))
                .join("\n"),
            `plan: ${P}:appModule: got "nope:create_app()", expected a module of app/ and its callable: no module nope in app/`,
        );
    });

    it("refuses a module app/ lacks that Python finds elsewhere: the standard library, a dependency, a built-in", () => {
        for (const [spec, where] of [
            ["json:loads", /json is .*json\/__init__\.py/],
            ["pip:main", /pip is .*site-packages\/pip\/__init__\.py/],
            ["sys:exit", /sys is built into Python/],
        ] as const) {
            const check = checkAppModule(ROOT, spec, {}) as { problem?: string };
            assert.match(
                check.problem ?? "",
                new RegExp(`^no module ${spec.split(":")[0]} in app/ \\(`),
                spec,
            );
            assert.match(check.problem ?? "", where, spec);
        }
        assert.deepEqual(checkAppModule(ROOT, loadStackConfig("dev").values[`${P}:appModule`], {}), {
            ok: true,
        });
    });

    it("exits 2 naming the module and the callable it lacks", () => {
        const result = planOf(project("shop:create_app()", shop("def make_app():\n    pass\n")));
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            new RegExp(
                `plan: ${P}:appModule: got "shop:create_app\\(\\)", expected a module of app/ and its callable: module shop \\(app/shop/__init__\\.py\\) has no callable create_app\\n`,
            ),
        );
    });

    it("exits 2 naming a dependency the module imports that is not installed", () => {
        const result = planOf(project("shop:app", shop("import no_such_dependency\napp = None\n")));
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            /importing shop needs no_such_dependency, which is not installed: add it to app\/requirements\.txt/,
        );
    });

    it("plans a module that imports with the stack's appEnv, and notes one whose import raises", () => {
        const ok = planOf(
            project(
                "shop:app",
                shop("import os\nNAME = os.environ['SHOP_NAME']\napp = lambda environ, start_response: []\n"),
            ),
        );
        assert.equal(ok.status, 0, ok.stderr);
        const raises = planOf(project("shop:app", shop("import os\nos.environ['DATABASE_URL']\n")));
        assert.equal(raises.status, 0, raises.stderr);
        assert.match(
            raises.stdout,
            /notice: .*:appModule: importing shop raised KeyError: 'DATABASE_URL'; it may need settings only the pod has/,
        );
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
        assert.match(prod, /Kubernetes 1\.36: standard support until 2027-08-02, 247 days left/);
        assert.match(prod, /notice: endpointPublicAccessCidrs holds the placeholder/);
    });
});
