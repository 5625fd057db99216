import { Quota, fit, quotaHolds, shownRequests, tenantsFit } from "../domain/capacity";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, runway } from "../domain/versions";
import { StackConfig, parseConfig } from "../config";
import { Registration, RunResult, unwrapSecrets } from "../offline";
import { CostEstimate, noTotalReason, unpricedItems } from "./cost";
import { PRICING, staleWarnings } from "./prices";
import { appEffects } from "./appsummary";
import { CriticalPath, TreeNode, countsByType, shortType } from "./graph";

/** Terminal styling, only when writing to a terminal that wants colour. */
export interface Style {
    bold(s: string): string;
    dim(s: string): string;
    red(s: string): string;
    green(s: string): string;
}

export function styleFor(stream: NodeJS.WriteStream): Style {
    const on = stream.isTTY === true && !process.env.NO_COLOR;
    const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
    return { bold: wrap(1), dim: wrap(2), red: wrap(31), green: wrap(32) };
}

export function money(n: number): string {
    return `$${n.toFixed(2)}`;
}

export function minutes(seconds: number): string {
    return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, "0")} s`;
}

/** Component → children, like `pulumi preview`'s tree. */
export function renderTree(root: TreeNode, style: Style): string {
    const lines: string[] = [];
    const label = (r: Registration) => {
        const type = r.custom ? shortType(r.type) : style.bold(r.type);
        return `${type}  ${r.name}${r.options.protect ? style.dim("  [protect]") : ""}`;
    };
    const walk = (node: TreeNode, prefix: string) => {
        node.children.forEach((child, i) => {
            const last = i === node.children.length - 1;
            lines.push(`${prefix}${last ? "└─ " : "├─ "}${label(child.registration)}`);
            walk(child, prefix + (last ? "   " : "│  "));
        });
    };
    lines.push(style.bold(`${root.registration.type}  ${root.registration.name}`));
    walk(root, "");
    return lines.join("\n");
}

/** Rows as an aligned plain-text table; a column whose cells are all numbers or money is right-aligned. */
export function table(rows: string[][]): string {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    const numeric = rows[0].map(
        (_, c) => c > 0 && rows.slice(1).every((r) => /^([-+]?\$?[\d.,]+( s)?)?$/.test(r[c])),
    );
    return rows
        .map((r) =>
            r
                .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
}

/** A Markdown table: the first row is its header. */
export function markdownTable(rows: string[][]): string {
    return [
        `| ${rows[0].join(" | ")} |`,
        `|${rows[0].map(() => "---").join("|")}|`,
        ...rows.slice(1).map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
}

/** What the app's settings make of the stack (appEffects), as a table; empty when it serves no app. */
export function renderApp(run: RunResult): string {
    const rows = appEffects(run);
    return rows.length ? table([["setting", "makes"], ...rows]) : "";
}

export function renderCost(cost: CostEstimate, style: Style, today: Date = new Date()): string {
    if (cost.lines.length === 0) return "Nothing this stack creates is billed by AWS: $0.00.";
    const rows = cost.lines.map((l) => [
        l.item,
        l.detail,
        l.monthly === undefined ? style.red("unpriced") : money(l.monthly),
        l.note ?? "",
    ]);
    const noTotal = noTotalReason(cost);
    const sources = cost.sources.map((s) => `${s.source}, as of ${s.date} (${s.file})`);
    return [
        table([
            ["item", "what", "per month", "note"],
            ...rows,
            ...(cost.total === undefined ? [] : [["total", "", money(cost.total), ""]]),
        ]),
        ...(noTotal ? [style.red(noTotal)] : []),
        ...(cost.platform ? [platformLine(cost)] : []),
        ...staleWarnings(cost.sources, today).map((w) => `${style.red("warning")}: ${w}`),
        style.dim(`Prices for ${cost.region}: ${sources.join("; ") || "none"}. ${PRICING.note}`),
    ].join("\n");
}

/** An app stack's cost beside its platform's, which it shares with the platform's other apps. */
function platformLine(cost: CostEstimate): string {
    const { stack, cost: platform } = cost.platform!;
    const whole =
        platform.total === undefined ? "has unpriced lines" : `costs ${money(platform.total)} a month`;
    const adds = cost.total === undefined ? "unpriced lines" : money(cost.total);
    return `On platform ${stack}, which ${whole} for all its apps (npm run plan -- --stack ${stack}): this app adds ${adds}.`;
}

/**
 * The support runway of the cluster's Kubernetes version on `today`, and every notice the config
 * gave (a short runway, a placeholder `pulumi up` will refuse) or the caller adds (the app module's
 * import): what the plan must not hide.
 */
export function renderChecks(run: RunResult, today: Date, style: Style, notices: string[] = []): string {
    const lines: string[] = [];
    for (const cluster of run.registrations.filter((r) => r.type === "aws:eks/cluster:Cluster")) {
        const version = String(cluster.inputs.version);
        const now = runway(KUBERNETES_VERSIONS[version], today);
        const text =
            now.phase === "standard"
                ? `Kubernetes ${version}: standard support until ${now.until}, ${now.days} days left`
                : `Kubernetes ${version}: extended support (billed as such) until ${now.until}, ${now.days} days left`;
        lines.push(
            now.phase === "standard" && now.days >= RUNWAY_WARNING_DAYS ? style.green(text) : style.red(text),
        );
    }
    const raw = (ns: string, key: string) => run.config[`${ns}:${key}`];
    const config = parseConfig(raw, run.project, run.stack, undefined, {
        today,
        deploying: false,
        isSecret: (key) => run.secretKeys.includes(key),
    });
    const capacity = capacityLine(run, config);
    if (capacity) lines.push(style.green(capacity));
    lines.push(...[...config.notices, ...notices].map((n) => `${style.red("notice")}: ${n}`));
    return lines.length ? lines.join("\n") : "Nothing to report.";
}

/**
 * Where the stack's pods fit: on its own nodes (layer all), the tenants' quotas on the platform's
 * (platform), or the app's in the namespace its platform lends it (app).
 */
function capacityLine(run: RunResult, config: StackConfig): string | undefined {
    const { workload } = config;
    if (config.layer === "app") {
        const tenant = (unwrapSecrets(run.platform?.outputs.tenants) as Record<string, Quota> | undefined)?.[
            config.appName
        ];
        if (!tenant) return undefined;
        return `Quota of namespace ${config.appName} on ${config.platformStack}: ${tenant.cpu} CPU, ${tenant.memory} and ${tenant.pods} pods hold ${quotaHolds(tenant, workload)} pods of ${workload.cpuRequest} CPU and ${workload.memoryRequest}; the HPA's maximum ${workload.maxReplicas} and a surge pod need ${workload.maxReplicas + 1}`;
    }
    if (config.target !== "eks") return undefined;
    const { nodes } = config;
    if (config.layer === "platform") {
        const { ask, free } = tenantsFit(nodes, config.tenants);
        return `Room at nodeMaxSize: ${nodes.maxSize} × ${nodes.instanceTypes[0]} leave ${shownRequests(free)} after system pods; the tenants' quotas ask ${shownRequests(ask)}`;
    }
    const room = fit(nodes, workload);
    return `Capacity at nodeMaxSize: ${nodes.maxSize} × ${room.instanceType} hold ${room.holds} pods of ${workload.cpuRequest} CPU and ${workload.memoryRequest}; the HPA's maximum ${workload.maxReplicas} and a surge pod need ${room.needs}`;
}

export function renderCriticalPath(path: CriticalPath): string {
    const rows = path.chain.map((s) => [
        minutes(s.start),
        `${shortType(s.registration.type)} ${s.registration.name}`,
        `${s.seconds} s`,
        s.source,
    ]);
    return [
        table([["starts", "resource", "takes", "source"], ...rows]),
        `total: ${minutes(path.totalSeconds)} (${path.totalSeconds} s)`,
    ].join("\n");
}

/** Everything the engine would receive, with secrets masked. */
export function planJson(run: RunResult, cost: CostEstimate, path: CriticalPath): object {
    return {
        stack: run.stack,
        project: run.project,
        region: run.config["aws:region"],
        registrations: run.registrations.map((r) => ({ ...r, inputs: unwrapSecrets(r.inputs, "[secret]") })),
        outputs: unwrapSecrets(run.outputs, "[secret]"),
        cost,
        criticalPath: {
            totalSeconds: path.totalSeconds,
            chain: path.chain.map((s) => ({
                urn: s.registration.urn,
                start: s.start,
                seconds: s.seconds,
                source: s.source,
            })),
        },
    };
}

/** A summary fit to paste as a pull-request comment. */
export function summaryMarkdown(
    run: RunResult,
    cost: CostEstimate,
    path: CriticalPath,
    validation: string,
    graph: string,
    extras: {
        /** The support runway and the config's notices (renderChecks, plain); none for a program without a cluster. */
        checks?: string;
        /** A canary release's steps (renderRelease, Markdown); none for a stack without a canary. */
        release?: string;
        /** The day the prices' age is judged on. Default: now. */
        today?: Date;
    } = {},
): string {
    const { checks, release, today = new Date() } = extras;
    const md = markdownTable;
    const costRows = cost.lines.map((l) => [
        l.item,
        l.detail,
        l.monthly === undefined ? "**unpriced**" : money(l.monthly),
        l.note ?? "",
    ]);
    const noTotal = noTotalReason(cost);
    const headline =
        cost.total === undefined
            ? `cost **not estimated** (unpriced: ${unpricedItems(cost).join(", ")})`
            : `about **${money(cost.total)}/month**`;
    const costMarkdown =
        cost.lines.length === 0
            ? "Nothing this stack creates is billed by AWS: $0.00."
            : [
                  md([
                      ["item", "what", "per month", "note"],
                      ...costRows,
                      ...(cost.total === undefined
                          ? []
                          : [["**total**", "", `**${money(cost.total)}**`, ""]]),
                  ]),
                  ...(noTotal ? [`**${noTotal}**`] : []),
                  ...staleWarnings(cost.sources, today).map((w) => `> **Warning:** ${w}`),
                  `Prices for ${cost.region}: ${cost.sources.map((s) => `${s.source}, as of ${s.date} (\`${s.file}\`)`).join("; ") || "none"}. ${PRICING.note}`,
              ].join("\n\n");
    return `## Plan for stack \`${run.stack}\` (${run.config["aws:region"] ?? "no AWS"})

**${run.registrations.length} registrations**, ${headline}, first \`pulumi up\` about **${minutes(path.totalSeconds)}**.
${
    checks
        ? `\n### Support runway and notices\n\n${checks
              .split("\n")
              .map((line) => `- ${line}`)
              .join("\n")}\n`
        : ""
}
${appEffects(run).length ? `### App\n\n${md([["setting", "makes"], ...appEffects(run).map(([k, v]) => [`\`${k}\``, v])])}\n\n` : ""}### Resources

${md([["type", "count"], ...countsByType(run).map(([t, n]) => [`\`${shortType(t)}\``, String(n)])])}

### Monthly cost

${costMarkdown}

### Critical path of a first \`pulumi up\`

${md([["starts", "resource", "takes"], ...path.chain.map((s) => [minutes(s.start), `\`${shortType(s.registration.type)}\` ${s.registration.name}`, `${s.seconds} s`])])}

${release ? `### Releases after the first\n\n${release}\n\n` : ""}### Kubernetes manifests

${validation}

### Component graph

\`\`\`mermaid
${graph}\`\`\`
`;
}
