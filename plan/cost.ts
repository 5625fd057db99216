import { RunResult, unwrapSecrets } from "../harness";
import { KUBERNETES_VERSIONS, runway } from "../components/versions";
import pricingTable from "./pricing.json";

export interface RegionPrices {
    eksClusterHour: number;
    /** The hourly price of a cluster whose Kubernetes version is in extended support. */
    eksClusterExtendedHour: number;
    ec2Hour: Record<string, number>;
    natGatewayHour: number;
    natGatewayPerGB: number;
    publicIpv4Hour: number;
    nlbHour: number;
    nlbLcuHour: number;
    ebsGp3PerGBMonth: number;
    logsIngestPerGB: number;
    logsStoragePerGBMonth: number;
    kmsKeyMonth: number;
    ecrStoragePerGBMonth: number;
}

export interface PricingTable {
    source: string;
    date: string;
    note: string;
    assumptions: {
        hoursPerMonth: number;
        spotPriceShareOfOnDemand: number;
        natDataGBPerMonth: number;
        nlbLcus: number;
        controlPlaneLogsGBPerMonth: number;
        imageSizeGB: number;
    };
    regions: Record<string, RegionPrices>;
}

export const PRICING = pricingTable as PricingTable;

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
    /** Sum of the priced lines. */
    total: number;
    /** True when some line is unpriced, so the total is a lower bound. */
    partial: boolean;
    /** Why nothing is priced: the table has no prices for the stack's region. */
    unpricedRegion?: string;
}

// Inputs are arbitrary JSON from the engine's point of view, so they are read loosely.
type Json = any;

/** Monthly cost of what a run registered, priced from `table` for the stack's region. */
export function estimateCost(
    run: RunResult,
    table: PricingTable = PRICING,
    today: Date = new Date(),
): CostEstimate {
    const region = run.config["aws:region"];
    const prices = table.regions[region];
    const a = table.assumptions;
    const h = a.hoursPerMonth;
    const of = (type: string): Json[] =>
        run.registrations.filter((r) => r.type === type).map((r) => unwrapSecrets(r.inputs));
    const lines: CostLine[] = [];
    const add = (
        item: string,
        detail: string,
        monthly: (p: RegionPrices) => number | undefined,
        note?: string,
    ) => {
        if (!prices) {
            lines.push({
                item,
                detail,
                note: `no prices for region ${region}`,
            });
            return;
        }
        const value = monthly(prices);
        lines.push(
            value === undefined ? { item, detail, note } : { item, detail, monthly: round(value), note },
        );
    };

    for (const cluster of of("aws:eks/cluster:Cluster")) {
        // EKS bills the extended price only once the version's standard support has ended.
        const row = KUBERNETES_VERSIONS[cluster.version];
        const now = row && runway(row, today);
        if (now?.phase === "extended") {
            add(
                "EKS control plane",
                `1 cluster, Kubernetes ${cluster.version} in extended support`,
                (p) => p.eksClusterExtendedHour * h,
                `standard support ended ${row.endOfStandardSupport}; extended support until ${now.until}`,
            );
        } else {
            add("EKS control plane", `1 cluster, Kubernetes ${cluster.version}`, (p) => p.eksClusterHour * h);
        }
    }

    const launchTemplates = of("aws:ec2/launchTemplate:LaunchTemplate");
    for (const group of of("aws:eks/nodeGroup:NodeGroup")) {
        const { desiredSize, minSize, maxSize } = group.scalingConfig;
        const type: string = group.instanceTypes[0];
        const spot = group.capacityType === "SPOT";
        const detail = `${desiredSize} × ${type} ${spot ? "SPOT" : "ON_DEMAND"} (desired; min ${minSize}, max ${maxSize})`;
        add(
            "EC2 nodes",
            detail,
            (p) =>
                p.ec2Hour[type] === undefined
                    ? undefined
                    : desiredSize * p.ec2Hour[type] * h * (spot ? a.spotPriceShareOfOnDemand : 1),
            prices && prices.ec2Hour[type] === undefined
                ? `no price for ${type} in ${region}`
                : spot
                  ? `spot assumed at ${a.spotPriceShareOfOnDemand * 100}% of on-demand; real spot prices vary`
                  : undefined,
        );
        const disk = launchTemplates[0]?.blockDeviceMappings?.[0]?.ebs?.volumeSize;
        if (disk)
            add(
                "EBS gp3 root volumes",
                `${desiredSize} × ${disk} GiB`,
                (p) => desiredSize * disk * p.ebsGp3PerGBMonth,
            );
    }

    if (of("aws:eks/addon:Addon").some((a) => a.addonName === "amazon-cloudwatch-observability"))
        add(
            "Container Insights",
            "metrics and container logs of every node and pod",
            () => undefined,
            "CloudWatch bills it per observation and per GB of logs, which depend on the pods; see aws.amazon.com/cloudwatch/pricing",
        );

    const nats = of("aws:ec2/natGateway:NatGateway").length;
    if (nats) {
        add("NAT gateways", `${nats} × hourly`, (p) => nats * p.natGatewayHour * h);
        add(
            "NAT data processing",
            `${a.natDataGBPerMonth} GB/month`,
            (p) => a.natDataGBPerMonth * p.natGatewayPerGB,
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
            (p) => loadBalancers * (p.nlbHour + a.nlbLcus * p.nlbLcuHour) * h,
            `${a.nlbLcus} LCU assumed`,
        );
    }

    // NAT gateways hold an Elastic IP each; an internet-facing NLB holds one public address per zone.
    const zones = publicZones(run);
    const publicIps = of("aws:ec2/eip:Eip").length + loadBalancers * zones;
    if (publicIps)
        add("Public IPv4 addresses", `${publicIps} addresses`, (p) => publicIps * p.publicIpv4Hour * h);

    const logGroups = of("aws:cloudwatch/logGroup:LogGroup");
    if (logGroups.length) {
        const gb = a.controlPlaneLogsGBPerMonth;
        const retainedMonths = Math.min(logGroups[0].retentionInDays, 365) / 30;
        add(
            "CloudWatch Logs (control plane)",
            `${gb} GB/month ingested, ${Math.round(retainedMonths * 10) / 10} months kept`,
            (p) => gb * p.logsIngestPerGB + gb * retainedMonths * p.logsStoragePerGBMonth,
            "assumption",
        );
    }

    const keys = of("aws:kms/key:Key").length;
    if (keys) add("KMS keys", `${keys} customer-managed key`, (p) => keys * p.kmsKeyMonth);

    const policy = of("aws:ecr/lifecyclePolicy:LifecyclePolicy")[0]?.policy;
    if (policy) {
        const kept: number = JSON.parse(policy).rules[0].selection.countNumber;
        const gb = kept * a.imageSizeGB;
        add(
            "ECR storage",
            `up to ${kept} images × ${a.imageSizeGB} GB`,
            (p) => gb * p.ecrStoragePerGBMonth,
            "assumption",
        );
    }

    const total = round(lines.reduce((sum, l) => sum + (l.monthly ?? 0), 0));
    const priced = Object.keys(table.regions);
    const unpricedRegion =
        prices || lines.length === 0
            ? undefined
            : `No prices for ${region}: plan/pricing.json has ${priced.slice(0, -1).join(", ")} and ${priced.at(-1)} (AWS list prices as of ${table.date}), so this plan gives no total rather than a wrong one; add the region's figures there from the AWS pricing pages.`;
    return { region, lines, total, partial: lines.some((l) => l.monthly === undefined), unpricedRegion };
}

/** Zones with public subnets: created ones, or those the adopted VPC lists. */
function publicZones(run: RunResult): number {
    const created = run.registrations.filter(
        (r) => r.type === "aws:ec2/subnet:Subnet" && r.name.startsWith("public-"),
    ).length;
    if (created) return created;
    return JSON.parse(run.config[`${run.project}:publicSubnetIds`] ?? "[]").length;
}

function round(n: number): number {
    return Math.round(n * 100) / 100;
}
