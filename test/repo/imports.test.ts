import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";
import { PROGRAM_PARTS, readRepoFile } from "../helpers";

// The program's imports run one way: index.ts -> targets/ -> config/ -> components/ -> domain/, and
// migrations/ (what earlier stacks hold or set) below config/ and components/, importing none of it.
// Inside components/, the cluster's add-ons build on the AWS platform, and the app on neither:
// addons/ -> platform/ -> domain/, and app/ -> domain/. domain/ (CIDR, quantities, capacity,
// instance types, versions) registers nothing and imports no package: config/, plan/ and policy/
// use it too. Read from the import lines themselves, so a new circle or a backward import fails here
// before anyone sees it.

const FOLDERS = ["targets", "config", "components", "domain", "migrations"];
const LEAVES = [
    "domain/instancetypes",
    "domain/cidr",
    "components/platform/kubeconfig",
    "domain/quantities",
    "components/platform/trust",
    "domain/versions",
    "migrations/index",
].map((f) => `${f}.ts`);
/** What each group of components may import besides itself and the shared helpers. */
const GROUPS: Record<string, string[]> = {
    "components/edge/": [],
    "components/platform/": ["components/edge/"],
    "components/addons/": ["components/platform/"],
    "components/app/": ["components/edge/"],
};

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
        const local = importsOf(readRepoFile(file), runtime).filter((spec) => spec.startsWith("."));
        const targets = local.map((spec) => {
            const resolved = path.join(path.dirname(file), spec);
            return files.includes(`${resolved}.ts`) ? `${resolved}.ts` : `${resolved}/index.ts`;
        });
        graph.set(file, [...new Set(targets)]);
    }
    return graph;
}

/** Every file `start` loads, itself included, directly or through others. */
function reachedFrom(graph: Map<string, string[]>, start: string): Set<string> {
    const reached = new Set<string>();
    const visit = (file: string) => {
        if (reached.has(file)) return;
        reached.add(file);
        graph.get(file)!.forEach(visit);
    };
    visit(start);
    return reached;
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
        assert.ok(graph.get("config/index.ts")!.includes("config/sections/cluster.ts"));
        assert.ok(graph.get("components/platform/cluster.ts")!.includes("components/platform/nodegroup.ts"));
        for (const targets of graph.values()) for (const t of targets) assert.ok(graph.has(t), t);
    });

    it("have no circle", () => {
        assert.deepEqual(cycles(graph), []);
    });

    it("run one way: config never imports targets, components never import config, domain only itself, leaves nothing", () => {
        for (const [file, targets] of graph) {
            const outside = (...allowed: string[]) =>
                targets.filter((t) => !allowed.some((a) => t.startsWith(a)));
            if (file.startsWith("config/"))
                assert.deepEqual(outside("config/", "components/", "domain/", "migrations/"), [], file);
            if (file.startsWith("components/"))
                assert.deepEqual(outside("components/", "domain/", "migrations/"), [], file);
            if (file.startsWith("domain/")) assert.deepEqual(outside("domain/"), [], file);
            if (LEAVES.includes(file)) assert.deepEqual(targets, [], `${file} is a leaf`);
        }
    });

    it("keep domain/ free of packages: Node's own modules only, so config, plan and policy load no SDK through it", () => {
        const domain = [...graph.keys()].filter((f) => f.startsWith("domain/"));
        assert.ok(domain.includes("domain/capacity.ts"));
        for (const file of domain) {
            const packages = importsOf(readRepoFile(file)).filter((spec) => !spec.startsWith("."));
            assert.deepEqual(
                packages.filter((p) => !["fs", "path"].includes(p.replace(/^node:/, ""))),
                [],
                file,
            );
        }
    });

    it("run one way inside components: add-ons on the platform, the app on neither, domain/ below all", () => {
        for (const [file, targets] of graph) {
            const group = Object.keys(GROUPS).find((g) => file.startsWith(g));
            if (group === undefined) continue;
            const allowed = [group, ...GROUPS[group], "domain/", "migrations/"];
            const stray = targets.filter((t) => !allowed.some((a) => t.startsWith(a)));
            assert.deepEqual(stray, [], file);
        }
        // Every component sits in a group: none at the top of components/.
        assert.deepEqual(
            [...graph.keys()].filter(
                (f) => f.startsWith("components/") && !Object.keys(GROUPS).some((g) => f.startsWith(g)),
            ),
            [],
        );
    });

    it("keep AWS out of the local target: its wiring and the components it deploys never import @pulumi/aws", () => {
        const reached = reachedFrom(importGraph(true), "targets/local.ts");
        assert.ok(reached.has("components/app/workload.ts"), "the local target deploys the same Workload");
        for (const file of reached)
            assert.ok(!importsOf(readRepoFile(file), true).includes("@pulumi/aws"), file);
        // The EKS target does import it, so the check can fail.
        const eks = [...reachedFrom(importGraph(true), "targets/eks.ts")];
        assert.ok(eks.some((file) => importsOf(readRepoFile(file), true).includes("@pulumi/aws")));
    });

    it("keep the bootstrap program apart: it reads its config with the program's reader and AWS keys, checks a stack's name as the program does, and names the delivery roles as it does, and nothing else of it", () => {
        const shared = [
            "../config/reader",
            "../config/awsaccess",
            "../config/dnsnames",
            "../config/delivery",
        ];
        for (const file of fs.readdirSync(path.join(ROOT, "bootstrap")).filter((f) => f.endsWith(".ts"))) {
            const local = importsOf(readRepoFile(`bootstrap/${file}`)).filter((spec) => spec.startsWith("."));
            const outside = local.filter((spec) => spec.startsWith("..") && !shared.includes(spec));
            assert.deepEqual(outside, [], `bootstrap/${file}`);
        }
    });

    it("are all inside the program's parts, which the end-to-end test copies as they are", () => {
        const reached = reachedFrom(graph, "index.ts");
        assert.ok(reached.has("migrations/index.ts") && reached.has("domain/capacity.ts"));
        const inParts = (file: string) => PROGRAM_PARTS.some((p) => file === p || file.startsWith(`${p}/`));
        assert.deepEqual(
            [...reached].filter((f) => !inParts(f)),
            [],
        );
        const copied = /^PROGRAM=\(([^)]*)\)$/m.exec(readRepoFile("test/e2e.sh"))?.[1].split(" ");
        assert.deepEqual(
            PROGRAM_PARTS.filter((p) => !copied?.includes(p)),
            [],
        );
    });

    it("a circle would be caught", () => {
        const circular = new Map([
            ["a.ts", ["b.ts"]],
            ["b.ts", ["a.ts"]],
        ]);
        assert.deepEqual(cycles(circular)[0], ["a.ts", "b.ts", "a.ts"]);
    });
});
