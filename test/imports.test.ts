import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../harness/stack-config";

// The program's imports run one way: index.ts -> config/ -> components/ -> leaf helpers. Read from the
// import lines themselves, so a new circle or a backward import fails here before anyone sees it.

const FOLDERS = ["config", "components"];
const LEAVES = ["architecture", "cidr", "kubeconfig", "quantities", "trust"].map((f) => `components/${f}.ts`);

/** Each program file (relative to the root) and the program files it imports. */
function importGraph(): Map<string, string[]> {
    const files = [
        "index.ts",
        ...FOLDERS.flatMap((dir) =>
            fs
                .readdirSync(path.join(ROOT, dir))
                .filter((f) => f.endsWith(".ts"))
                .map((f) => `${dir}/${f}`),
        ),
    ];
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const source = fs.readFileSync(path.join(ROOT, file), "utf8");
        const targets = [...source.matchAll(/^(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)].map(
            ([, spec]) => {
                const resolved = path.join(path.dirname(file), spec);
                return files.includes(`${resolved}.ts`) ? `${resolved}.ts` : `${resolved}/index.ts`;
            },
        );
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
        assert.ok(graph.get("config/index.ts")!.includes("config/sections.ts"));
        assert.ok(graph.get("components/cluster.ts")!.includes("components/nodegroup.ts"));
        for (const targets of graph.values()) for (const t of targets) assert.ok(graph.has(t), t);
    });

    it("have no circle", () => {
        assert.deepEqual(cycles(graph), []);
    });

    it("run one way: components never import config or index.ts, and leaf helpers import nothing", () => {
        for (const [file, targets] of graph) {
            if (file.startsWith("components/")) {
                assert.deepEqual(
                    targets.filter((t) => !t.startsWith("components/")),
                    [],
                    `${file} imports upward`,
                );
            }
            if (LEAVES.includes(file)) assert.deepEqual(targets, [], `${file} is a leaf`);
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
