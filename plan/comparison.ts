// Two stacks' plans side by side (npm run plan -- --compare): resource counts, sizes and cost.
import { RunResult } from "../offline";
import { CostEstimate, unpricedItems } from "./cost";
import { CriticalPath, countsByType, shortType } from "./graph";
import { money, table } from "./report";

/** A stack evaluated for the plan: its run, cost and critical path. */
export interface Evaluated {
    run: RunResult;
    cost: CostEstimate;
    path: CriticalPath;
}

/** What differs between two stacks: resource counts, sizes and cost. */
export function renderComparison(a: Evaluated, b: Evaluated, nameA: string, nameB: string): string {
    const counts = (run: RunResult) => new Map(countsByType(run));
    const [ca, cb] = [counts(a.run), counts(b.run)];
    const types = [...new Set([...ca.keys(), ...cb.keys()])].sort();
    const countRows = types
        .filter((t) => ca.get(t) !== cb.get(t))
        .map((t) => [shortType(t), String(ca.get(t) ?? 0), String(cb.get(t) ?? 0)]);
    // Every key of the project whose value differs: what makes one stack bigger or dearer than the other.
    const keys = [...new Set([...Object.keys(a.run.config), ...Object.keys(b.run.config)])]
        .filter((k) => k.startsWith(`${a.run.project}:`))
        .sort();
    const sizeRows = keys
        .map((k) => [k.slice(a.run.project.length + 1), a.run.config[k] ?? "", b.run.config[k] ?? ""])
        .filter(([, x, y]) => x !== y);
    const items = [...new Set([...a.cost.lines, ...b.cost.lines].map((l) => l.item))];
    const priceOf = (c: CostEstimate, item: string) => {
        const lines = c.lines.filter((l) => l.item === item);
        if (lines.length === 0) return "-";
        return lines.some((l) => l.monthly === undefined)
            ? "unpriced"
            : money(lines.reduce((s, l) => s + l.monthly!, 0));
    };
    const costRows = items.map((item) => [item, priceOf(a.cost, item), priceOf(b.cost, item)]);
    // A difference is only stated between two totals: an unpriced line is never counted as $0.
    const totalOf = (c: CostEstimate) => (c.total === undefined ? "no total" : money(c.total));
    costRows.push(["total", totalOf(a.cost), totalOf(b.cost)]);
    const sides = [
        [nameA, a.cost],
        [nameB, b.cost],
    ] as const;
    const difference =
        a.cost.total === undefined || b.cost.total === undefined
            ? `no cost difference stated: ${sides
                  .filter(([, c]) => c.total === undefined)
                  .map(([name, c]) => `${name} has unpriced lines (${unpricedItems(c).join(", ")})`)
                  .join("; ")}`
            : `${nameB} costs ${b.cost.total >= a.cost.total ? "+" : "-"}${money(Math.abs(b.cost.total - a.cost.total))}/month against ${nameA}`;
    return [
        "resource counts that differ:",
        countRows.length ? table([["type", nameA, nameB], ...countRows]) : "(none)",
        "",
        "sizes that differ:",
        sizeRows.length ? table([["config", nameA, nameB], ...sizeRows]) : "(none)",
        "",
        "monthly cost:",
        table([["item", nameA, nameB], ...costRows]),
        difference,
        `first pulumi up: ${Math.round(a.path.totalSeconds)} s for ${nameA}, ${Math.round(b.path.totalSeconds)} s for ${nameB}`,
    ].join("\n");
}
