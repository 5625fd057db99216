// The plan's cost estimate (plan/cost.ts): from the price tables and the stack's sizes, never a $0
// for what it cannot price, and the extended-support rate when it applies.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { instanceType } from "../../domain/instancetypes";
import { ROOT, loadStackConfig } from "../../offline/stack-config";
import { estimateCost, noTotalReason, unpricedItems } from "../../plan/cost";
import { criticalPath } from "../../plan/graph";
import { PRICING, isStale, staleWarnings } from "../../plan/prices";
import { renderComparison } from "../../plan/comparison";
import { money, renderCost, styleFor, summaryMarkdown } from "../../plan/report";
import { P, okRun } from "../helpers";

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
            summaryMarkdown(run, cost, criticalPath(run), "valid", "flowchart LR\n", { today });
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

describe("plan: the shared entry's cost", () => {
    const albLine = (cost: ReturnType<typeof estimateCost>) =>
        cost.lines.find((l) => l.item === "Application Load Balancer (shared)");
    const h = PRICING.assumptions.hoursPerMonth;
    const price = PRICING.regions["us-west-2"];

    it("prices the platform's ALB and its addresses once, and an app on it its pods and images only", async () => {
        const platform = estimateCost(await okRun("dev-platform"));
        assert.equal(
            albLine(platform)?.monthly,
            Math.round((price.albHour + PRICING.assumptions.albLcus * price.albLcuHour) * h * 100) / 100,
        );
        // The NAT gateway's address, and the ALB's in each of the two zones.
        assert.equal(platform.lines.find((l) => l.item === "Public IPv4 addresses")?.detail, "3 addresses");
        const app = estimateCost(await okRun("dev-api"));
        assert.deepEqual(
            app.lines.map((l) => l.item),
            ["EC2 nodes (this app's share)", "ECR storage"],
        );
        assert.ok(app.total! < 30, `${app.total}`);
    });

    it("prices no ALB while no tenant has entry shared: the controller makes it for the first", async () => {
        const tenants = { web: { cpu: "1500m", memory: "2Gi", pods: 10 } };
        const run = await okRun("dev-platform", { overrides: { [`${P}:tenants`]: JSON.stringify(tenants) } });
        assert.equal(albLine(estimateCost(run)), undefined);
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
});
