import { RunResult, unwrapSecrets } from "../offline";
import { nodeShare } from "./appshare";
import { ENTRY_LABEL } from "../domain/namespaces";
import { KUBERNETES_VERSIONS, runway } from "../domain/versions";
import {
    EC2_PRICES,
    EC2_PRICES_FILE,
    Ec2PriceTable,
    FIGURE_NAMES,
    PRICING,
    PRICING_FILE,
    PriceSource,
    PricingTable,
    RegionPrices,
    ServiceFigure,
    ec2HourOf,
} from "./prices";

export interface CostLine {
    item: string;
    /** What was counted, e.g. "2 × t3.medium SPOT". */
    detail: string;
    /** USD per month; undefined when the item could not be priced. */
    monthly?: number;
    /** Why an item is unpriced, or the assumption behind its figure. */
    note?: string;
}

export interface CostEstimate {
    region: string;
    lines: CostLine[];
    /**
     * Sum of the lines, USD per month; undefined when any line is unpriced, since a sum that left
     * it out would understate the bill.
     */
    total?: number;
    /** The tables the priced lines came from, each with its source and date. */
    sources: PriceSource[];
    /** An app stack's platform: its stack and its own estimate, which the app's lines come on top of. */
    platform?: { stack: string; cost: CostEstimate };
}

// Inputs are arbitrary JSON from the engine's point of view, so they are read loosely.
type Json = any;

/**
 * Monthly cost of what a run registered, priced for the stack's region from `table` (services, and
 * EC2 for the types it holds) and `ec2` (EC2 for the rest). `today` decides whether the cluster's
 * Kubernetes version is billed at the extended-support rate.
 */
export function estimateCost(
    run: RunResult,
    table: PricingTable = PRICING,
    today: Date = new Date(),
    ec2: Ec2PriceTable = EC2_PRICES,
): CostEstimate {
    const region = run.config["aws:region"];
    const prices: Partial<RegionPrices> = Object.hasOwn(table.regions, region) ? table.regions[region] : {};
    const a = table.assumptions;
    const h = a.hoursPerMonth;
    const of = (type: string): Json[] =>
        run.registrations.filter((r) => r.type === type).map((r) => unwrapSecrets(r.inputs));
    const lines: CostLine[] = [];
    const used = new Set<string>();
    /** A line priced from plan/pricing.json; `monthly` reads its figures through `p`. */
    const add = (
        item: string,
        detail: string,
        monthly: (p: (figure: ServiceFigure) => number) => number,
        note?: string,
    ) => {
        const missing: ServiceFigure[] = [];
        const value = monthly((figure) => {
            const price = prices[figure];
            if (typeof price === "number" && price > 0) return price;
            missing.push(figure);
            return NaN;
        });
        if (missing.length) {
            const names = [...new Set(missing)].map((f) => FIGURE_NAMES[f]);
            const what = names.length === 1 ? `${names[0]} price` : `${names.join(" and ")} prices`;
            lines.push({ item, detail, note: `no ${what} for ${region} in ${PRICING_FILE}` });
        } else {
            used.add(PRICING_FILE);
            lines.push({ item, detail, monthly: round(value), note });
        }
    };

    for (const cluster of of("aws:eks/cluster:Cluster")) {
        // EKS bills the extended price only once the version's standard support has ended.
        const row = KUBERNETES_VERSIONS[cluster.version];
        const now = row && runway(row, today);
        if (now?.phase === "extended") {
            add(
                "EKS control plane",
                `1 cluster, Kubernetes ${cluster.version} in extended support`,
                (p) => p("eksClusterExtendedHour") * h,
                `standard support ended ${row.endOfStandardSupport}; extended support until ${now.until}`,
            );
        } else {
            add(
                "EKS control plane",
                `1 cluster, Kubernetes ${cluster.version}`,
                (p) => p("eksClusterHour") * h,
            );
        }
    }

    const launchTemplates = of("aws:ec2/launchTemplate:LaunchTemplate");
    for (const group of of("aws:eks/nodeGroup:NodeGroup")) {
        const { desiredSize, minSize, maxSize } = group.scalingConfig;
        const type: string = group.instanceTypes[0];
        const spot = group.capacityType === "SPOT";
        const detail = `${desiredSize} × ${type} ${spot ? "SPOT" : "ON_DEMAND"} (desired; min ${minSize}, max ${maxSize})`;
        // The hand-checked figure where there is one (the tests hold the two tables equal there).
        const kept = prices.ec2Hour?.[type];
        const hour = kept ?? ec2HourOf(ec2, type, region);
        if (hour === undefined) {
            const lacks = ec2.regionsUnpriced.includes(region)
                ? `no EC2 prices for ${region}`
                : "none for it there";
            lines.push({
                item: "EC2 nodes",
                detail,
                note: `no price for ${type} in ${region}: ${PRICING_FILE} does not list it, and the dataset of ${EC2_PRICES_FILE} (${ec2.date}) has ${lacks}`,
            });
        } else {
            used.add(kept === undefined ? EC2_PRICES_FILE : PRICING_FILE);
            lines.push({
                item: "EC2 nodes",
                detail,
                monthly: round(desiredSize * hour * h * (spot ? a.spotPriceShareOfOnDemand : 1)),
                note: spot
                    ? `spot assumed at ${a.spotPriceShareOfOnDemand * 100}% of on-demand; real spot prices vary`
                    : undefined,
            });
        }
        const disk = launchTemplates[0]?.blockDeviceMappings?.[0]?.ebs?.volumeSize;
        if (disk)
            add(
                "EBS gp3 root volumes",
                `${desiredSize} × ${disk} GiB`,
                (p) => desiredSize * disk * p("ebsGp3PerGBMonth"),
            );
    }

    if (of("aws:eks/addon:Addon").some((a) => a.addonName === "amazon-cloudwatch-observability"))
        lines.push({
            item: "Container Insights",
            detail: "metrics and container logs of every node and pod",
            note: "CloudWatch bills it per observation and per GB of logs, which depend on the pods; see aws.amazon.com/cloudwatch/pricing",
        });

    // An app stack's pods run on its platform's nodes: its share of them, by what its pods request.
    const share = run.platform && nodeShare(run, run.platform);
    if (share) {
        const hour = prices.ec2Hour?.[share.type] ?? ec2HourOf(ec2, share.type, region);
        if (hour !== undefined)
            used.add(prices.ec2Hour?.[share.type] === undefined ? EC2_PRICES_FILE : PRICING_FILE);
        lines.push({
            item: "EC2 nodes (this app's share)",
            detail: `${share.pods} pods × (${share.cpu} CPU, ${share.memory}) of ${share.type} ${share.spot ? "SPOT" : "ON_DEMAND"}: ${Math.round(share.nodes * 100)}% of a node`,
            monthly:
                hour === undefined
                    ? undefined
                    : round(share.nodes * hour * h * (share.spot ? a.spotPriceShareOfOnDemand : 1)),
            note: `at the HPA's minimum, by the larger of CPU and memory; the platform's plan prices its nodes whole`,
        });
    }

    const nats = of("aws:ec2/natGateway:NatGateway").length;
    if (nats) {
        add("NAT gateways", `${nats} × hourly`, (p) => nats * p("natGatewayHour") * h);
        add(
            "NAT data processing",
            `${a.natDataGBPerMonth} GB/month`,
            (p) => a.natDataGBPerMonth * p("natGatewayPerGB"),
            "assumption",
        );
    }

    // A LoadBalancer Service is an AWS NLB where a controller is told so: the AWS Load Balancer
    // Controller ("external", the EKS target) or the in-tree one ("nlb"). On a cluster of one's own
    // (the local target) it costs nothing here. The controller itself costs only its pods' room.
    const loadBalancers = of("kubernetes:core/v1:Service").filter(
        (s) =>
            s.spec?.type === "LoadBalancer" &&
            ["external", "nlb"].includes(
                s.metadata?.annotations?.["service.beta.kubernetes.io/aws-load-balancer-type"],
            ),
    ).length;
    if (loadBalancers) {
        add(
            "Network Load Balancer",
            `${loadBalancers} × (hourly + ${a.nlbLcus} LCU)`,
            (p) => loadBalancers * (p("nlbHour") + a.nlbLcus * p("nlbLcuHour")) * h,
            `${a.nlbLcus} LCU assumed`,
        );
    }

    // A platform's shared entry: one internet-facing ALB, which the controller makes once an app of
    // entry shared joins its IngressGroup (none before); its apps add rules, not load balancers.
    const sharing = of("kubernetes:core/v1:Namespace").some(
        (n) => n.metadata?.labels?.[ENTRY_LABEL] === "shared",
    );
    const params = of("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams");
    const sharedAlbs = sharing ? params.filter((p) => p.spec?.scheme === "internet-facing").length : 0;
    if (sharedAlbs)
        add(
            "Application Load Balancer (shared)",
            `${sharedAlbs} × (hourly + ${a.albLcus} LCU)`,
            (p) => sharedAlbs * (p("albHour") + a.albLcus * p("albLcuHour")) * h,
            `${a.albLcus} LCU assumed, for all the apps on it`,
        );

    // NAT gateways hold an Elastic IP each; an internet-facing load balancer one public address per zone.
    const zones = publicZones(run);
    const publicIps = of("aws:ec2/eip:Eip").length + (loadBalancers + sharedAlbs) * zones;
    if (publicIps)
        add("Public IPv4 addresses", `${publicIps} addresses`, (p) => publicIps * p("publicIpv4Hour") * h);

    const logGroups = of("aws:cloudwatch/logGroup:LogGroup");
    if (logGroups.length) {
        const gb = a.controlPlaneLogsGBPerMonth;
        const retainedMonths = Math.min(logGroups[0].retentionInDays, 365) / 30;
        add(
            "CloudWatch Logs (control plane)",
            `${gb} GB/month ingested, ${Math.round(retainedMonths * 10) / 10} months kept`,
            (p) => gb * p("logsIngestPerGB") + gb * retainedMonths * p("logsStoragePerGBMonth"),
            "assumption",
        );
    }

    const keys = of("aws:kms/key:Key").length;
    if (keys) add("KMS keys", `${keys} customer-managed key`, (p) => keys * p("kmsKeyMonth"));

    const policy = of("aws:ecr/lifecyclePolicy:LifecyclePolicy")[0]?.policy;
    if (policy) {
        const kept: number = JSON.parse(policy).rules[0].selection.countNumber;
        const gb = kept * a.imageSizeGB;
        add(
            "ECR storage",
            `up to ${kept} images × ${a.imageSizeGB} GB`,
            (p) => gb * p("ecrStoragePerGBMonth"),
            "assumption",
        );
    }

    const priced = lines.every((l) => l.monthly !== undefined);
    const sources = [
        { file: PRICING_FILE, source: table.source, date: table.date },
        { file: EC2_PRICES_FILE, source: ec2.source, date: ec2.date },
    ].filter((s) => used.has(s.file));
    return {
        region,
        lines,
        total: priced ? round(lines.reduce((sum, l) => sum + l.monthly!, 0)) : undefined,
        sources,
        ...(run.platform && {
            platform: { stack: run.platform.stack, cost: estimateCost(run.platform, table, today, ec2) },
        }),
    };
}

/** The items of an estimate that have no price, in its order. */
export function unpricedItems(cost: CostEstimate): string[] {
    return cost.lines.filter((l) => l.monthly === undefined).map((l) => l.item);
}

/**
 * Why `cost` has no total, naming its unpriced lines, and for a region plan/pricing.json lacks,
 * where the missing figures would go; undefined when it has one.
 */
export function noTotalReason(cost: CostEstimate, table: PricingTable = PRICING): string | undefined {
    const unpriced = unpricedItems(cost);
    if (cost.total !== undefined || unpriced.length === 0) return undefined;
    const items = unpriced.join(", ");
    const one = unpriced.length === 1;
    const regions = Object.keys(table.regions);
    const where = Object.hasOwn(table.regions, cost.region)
        ? ""
        : ` ${PRICING_FILE} has service prices for ${regions.slice(0, -1).join(", ")} and ${regions.at(-1)} only (as of ${table.date}); add ${cost.region}'s from the AWS pricing pages to price the rest.`;
    return `No total: ${unpriced.length} line${one ? " is" : "s are"} unpriced (${items}), and a sum without ${one ? "it" : "them"} would understate the bill.${where}`;
}

/** Zones with public subnets: created ones, those the adopted VPC lists, or an app's platform's. */
function publicZones(run: RunResult): number {
    if (run.platform) return (unwrapSecrets(run.platform.outputs.publicSubnetIds) as string[]).length;
    const created = run.registrations.filter(
        (r) => r.type === "aws:ec2/subnet:Subnet" && r.name.startsWith("public-"),
    ).length;
    if (created) return created;
    return JSON.parse(run.config[`${run.project}:publicSubnetIds`] ?? "[]").length;
}

function round(n: number): number {
    return Math.round(n * 100) / 100;
}
