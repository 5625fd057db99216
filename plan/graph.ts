import { Registration, RunResult, prerequisites } from "../offline";
import durationsTable from "./durations.json";

/** A registration and the registrations it parents. */
export interface TreeNode {
    registration: Registration;
    children: TreeNode[];
}

/** The resource tree rooted at the Stack: components with their children, in registration order. */
export function resourceTree(run: RunResult): TreeNode {
    const nodes = new Map(
        run.registrations.map((r) => [r.urn, { registration: r, children: [] as TreeNode[] }]),
    );
    let root: TreeNode | undefined;
    for (const node of nodes.values()) {
        const parent = nodes.get(node.registration.parent);
        if (parent) parent.children.push(node);
        else if (node.registration.type === "pulumi:pulumi:Stack") root = node;
    }
    if (!root) throw new Error("the run registered no Stack resource");
    return root;
}

/** How many registrations of each type, most common first. */
export function countsByType(run: RunResult): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of run.registrations) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Short, readable name of a type token: `aws:eks/cluster:Cluster` → `aws:eks:Cluster`. */
export function shortType(type: string): string {
    const [pkg, module, name] = type.split(":");
    return name === undefined ? type : `${pkg}:${module.split("/")[0]}:${name}`;
}

/** Components, providers and the Stack take no time of their own. */
/** A Service with no load balancer (behind the shared ALB): nothing to wait for but the API server. */
const CLUSTER_IP = { seconds: 1, source: "estimate: no load balancer to wait for" };
function plainService(r: Registration): boolean {
    return (
        r.type === "kubernetes:core/v1:Service" &&
        (r.inputs.spec as { type?: string })?.type !== "LoadBalancer"
    );
}

function takesNoTime(r: Registration): boolean {
    return !r.custom || r.type.startsWith("pulumi:providers:");
}

export interface Step {
    registration: Registration;
    seconds: number;
    /** When it can start: the latest finish among what it waits for. */
    start: number;
    finish: number;
    /** Where the duration figure comes from. */
    source: string;
}

export interface CriticalPath {
    /** The chain that sets the wall time, first to last. */
    chain: Step[];
    totalSeconds: number;
    steps: Map<string, Step>;
}

const durations = durationsTable as {
    unknownTypeSeconds: number;
    types: Record<string, { seconds: number; source: string }>;
};

/**
 * The longest chain of a first `pulumi up`, if every resource starts as soon as everything it waits
 * for (its dependencies and its provider) is done. Registration order is a topological order:
 * a resource names only URNs that were registered before it.
 */
export function criticalPath(run: RunResult): CriticalPath {
    const steps = new Map<string, Step>();
    const after = new Map<string, string | undefined>();
    for (const r of run.registrations) {
        const known = plainService(r) ? CLUSTER_IP : durations.types[r.type];
        const seconds = takesNoTime(r) ? 0 : (known?.seconds ?? durations.unknownTypeSeconds);
        const source = takesNoTime(r)
            ? "no time of its own"
            : (known?.source ?? `no figure; ${seconds} s assumed`);
        const waitsFor = prerequisites(r);
        let start = 0;
        let latest: string | undefined;
        for (const urn of waitsFor) {
            const finish = steps.get(urn)?.finish ?? 0;
            if (latest === undefined || finish > start) [start, latest] = [finish, urn];
        }
        steps.set(r.urn, { registration: r, seconds, start, finish: start + seconds, source });
        after.set(r.urn, latest);
    }
    const last = [...steps.values()].reduce((a, b) => (b.finish > a.finish ? b : a));
    const chain: Step[] = [];
    for (let urn: string | undefined = last.registration.urn; urn; urn = after.get(urn)) {
        const step = steps.get(urn)!;
        if (step.seconds > 0) chain.unshift(step);
    }
    return { chain, totalSeconds: last.finish, steps };
}

/** A Mermaid flowchart of the component graph: components, their children by type, and the links between components. */
export function mermaid(run: RunResult): string {
    const byUrn = new Map(run.registrations.map((r) => [r.urn, r]));
    const componentOf = (r: Registration): Registration | undefined => {
        for (let p = byUrn.get(r.parent); p; p = byUrn.get(p.parent))
            if (!p.custom && p.type !== "pulumi:pulumi:Stack") return p;
        return undefined;
    };
    const id = (r: Registration) => r.name.replace(/[^A-Za-z0-9]/g, "_");
    const lines = ["flowchart LR"];
    const components = run.registrations.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack");
    for (const c of components) {
        const children = countsByType({
            ...run,
            registrations: run.registrations.filter((r) => r.custom && componentOf(r) === c),
        });
        const label = children.map(([t, n]) => `${n} × ${shortType(t)}`).join("<br/>");
        lines.push(`    ${id(c)}["<b>${c.name}</b> (${c.type.split(":").pop()})<br/>${label}"]`);
    }
    const edges = new Set<string>();
    for (const r of run.registrations) {
        const to = componentOf(r);
        if (!to) continue;
        for (const urn of prerequisites(r)) {
            const dep = byUrn.get(urn);
            const from = dep && (dep.custom ? componentOf(dep) : dep);
            if (from && from !== to) edges.add(`    ${id(from)} --> ${id(to)}`);
        }
    }
    return [...lines, ...[...edges].sort()].join("\n") + "\n";
}
