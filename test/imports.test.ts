import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../harness/stack-config";

// The program's imports run one way: index.ts -> targets/ -> config/ -> components/ -> leaf helpers.
// Inside components/, the cluster's add-ons build on the AWS platform, and the app on neither:
// addons/ -> platform/ -> the shared helpers at the top of components/, and app/ -> those helpers.
// Read from the import lines themselves, so a new circle or a backward import fails here before
// anyone sees it.

const FOLDERS = ["targets", "config", "components"];
const LEAVES = [
    "instancetypes",
    "cidr",
    "platform/kubeconfig",
    "quantities",
    "platform/trust",
    "versions",
].map((f) => `components/${f}.ts`);
/** What each group of components may import besides itself and the shared helpers. */
const GROUPS: Record<string, string[]> = {
    "components/platform/": [],
    "components/addons/": ["components/platform/"],
    "components/app/": [],
};

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/**
 * The modules a file imports (or requires): relative paths and package names. With `runtime`, only
 * what is loaded when it runs: `import type` is erased by the compiler.
 */
function importsOf(source: string, runtime = false): string[] {
    const statements = /^(import|export)\b( type\b)?[^;]*?from\s+"([^"]+)"|require\("([^"]+)"\)/gms;
    return [...source.matchAll(statements)]
        .filter(([, , typeOnly]) => !(runtime && typeOnly))
        .map(([, , , from, required]) => from ?? required);
}

/** Each program file (relative to the root) and the program files it imports (at runtime only, with `runtime`). */
function importGraph(runtime = false): Map<string, string[]> {
    const files = [
        "index.ts",
        ...FOLDERS.flatMap((dir) =>
            fs
                .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
                .filter((f) => f.endsWith(".ts"))
                .map((f) => `${dir}/${f}`),
        ),
    ];
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const local = importsOf(read(file), runtime).filter((spec) => spec.startsWith("."));
        const targets = local.map((spec) => {
            const resolved = path.join(path.dirname(file), spec);
            return files.includes(`${resolved}.ts`) ? `${resolved}.ts` : `${resolved}/index.ts`;
        });
        graph.set(file, [...new Set(targets)]);
    }
    return graph;
}

function cycles(graph: Map<string, string[]>): string[][] {
    const found: string[][] = [];
    const visit = (file: string, trail: string[]) => {
        const at = trail.indexOf(file);
        if (at >= 0) {
            found.push([...trail.slice(at), file]);
            return;
        }
        for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    };
    for (const file of graph.keys()) visit(file, []);
    return found;
}

describe("imports", () => {
    const graph = importGraph();

    it("reads every import of the program", () => {
        assert.ok(graph.get("index.ts")!.includes("config/index.ts"));
        assert.ok(graph.get("index.ts")!.includes("targets/local.ts"));
        assert.ok(graph.get("config/index.ts")!.includes("config/sections.ts"));
        assert.ok(graph.get("components/platform/cluster.ts")!.includes("components/platform/nodegroup.ts"));
        for (const targets of graph.values()) for (const t of targets) assert.ok(graph.has(t), t);
    });

    it("have no circle", () => {
        assert.deepEqual(cycles(graph), []);
    });

    it("run one way: config never imports targets, components never import config, leaves nothing", () => {
        for (const [file, targets] of graph) {
            const outside = (...allowed: string[]) =>
                targets.filter((t) => !allowed.some((a) => t.startsWith(a)));
            if (file.startsWith("config/")) assert.deepEqual(outside("config/", "components/"), [], file);
            if (file.startsWith("components/")) assert.deepEqual(outside("components/"), [], file);
            if (LEAVES.includes(file)) assert.deepEqual(targets, [], `${file} is a leaf`);
        }
    });

    it("run one way inside components: add-ons on the platform, the app on neither, shared helpers below all", () => {
        const shared = (t: string) =>
            t.startsWith("components/") && !t.slice("components/".length).includes("/");
        for (const [file, targets] of graph) {
            const group = Object.keys(GROUPS).find((g) => file.startsWith(g));
            if (group === undefined) continue;
            const allowed = [group, ...GROUPS[group]];
            const stray = targets.filter((t) => !shared(t) && !allowed.some((a) => t.startsWith(a)));
            assert.deepEqual(stray, [], file);
        }
        // The shared helpers import no group.
        for (const [file, targets] of graph)
            if (shared(file))
                assert.deepEqual(
                    targets.filter((t) => !shared(t)),
                    [],
                    file,
                );
    });

    it("keep AWS out of the local target: its wiring and the components it deploys never import @pulumi/aws", () => {
        const loads = importGraph(true);
        const reached = new Set<string>();
        const visit = (file: string) => {
            if (reached.has(file)) return;
            reached.add(file);
            loads.get(file)!.forEach(visit);
        };
        visit("targets/local.ts");
        assert.ok(reached.has("components/app/workload.ts"), "the local target deploys the same Workload");
        for (const file of reached) assert.ok(!importsOf(read(file), true).includes("@pulumi/aws"), file);
        // The EKS target does import it, so the check can fail.
        assert.ok(importsOf(read("targets/eks.ts")).includes("@pulumi/aws"));
    });

    it("keep the bootstrap program apart: it reads its config with the program's reader and AWS keys, checks a stack's name as the program does, and names the delivery roles as it does, and nothing else of it", () => {
        const shared = [
            "../config/reader",
            "../config/awsaccess",
            "../config/dnsnames",
            "../config/delivery",
        ];
        for (const file of fs.readdirSync(path.join(ROOT, "bootstrap")).filter((f) => f.endsWith(".ts"))) {
            const local = importsOf(read(`bootstrap/${file}`)).filter((spec) => spec.startsWith("."));
            const outside = local.filter((spec) => spec.startsWith("..") && !shared.includes(spec));
            assert.deepEqual(outside, [], `bootstrap/${file}`);
        }
    });

    it("a circle would be caught", () => {
        const circular = new Map([
            ["a.ts", ["b.ts"]],
            ["b.ts", ["a.ts"]],
        ]);
        assert.deepEqual(cycles(circular)[0], ["a.ts", "b.ts", "a.ts"]);
    });
});
