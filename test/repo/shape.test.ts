import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";

// The shape every building block keeps (issue 33), checked so that a new file keeps it too: blocks are
// components, targets wire them, tests sit where the file they test is, files and constructors stay
// short enough to read whole.

/** Every .ts file under `dir` (relative to the checkout), by its path from the checkout, sorted. */
function tsFiles(dir: string): string[] {
    const full = path.join(ROOT, dir);
    if (!fs.existsSync(full)) return [];
    return fs
        .readdirSync(full, { recursive: true, encoding: "utf8" })
        .map((f) => path.posix.join(dir, f.split(path.sep).join("/")))
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.includes("node_modules/"))
        .sort();
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/**
 * Whether StrykerJS instrumented the file (a mutation run's sandbox): its length and layout are then
 * the instrumenter's, and a mutant never changes ours, so the size checks leave it out.
 */
const instrumented = (file: string) => read(file).includes("function stryNS_9fa48()");

/** The TypeScript of the program, its tooling and its tests. */
const OWN_CODE = [
    "index.ts",
    "targets",
    "config",
    "components",
    "domain",
    "migrations",
    "offline",
    "plan",
    "policy",
    "bootstrap",
    "scripts",
    "test",
    "bench",
].flatMap((d) => (d.endsWith(".ts") ? [d] : tsFiles(d)));

/** Files that are tables of data rather than code, and may be as long as the data is. */
const DATA_TABLES = new Set<string>([]);

const MAX_LINES = 300;
const MAX_CONSTRUCTOR_LINES = 100;

describe("the shape of the code", () => {
    it(`no TypeScript file is over ${MAX_LINES} lines, but a data table`, () => {
        const long = OWN_CODE.filter((f) => !DATA_TABLES.has(f) && !instrumented(f))
            .map((f) => [f, read(f).split("\n").length - 1] as const)
            .filter(([, lines]) => lines > MAX_LINES)
            .map(([f, lines]) => `${f}: ${lines} lines`);
        assert.deepEqual(long, []);
    });

    it("each file under components/, config/ and policy/ has its tests at the mirrored path under test/", () => {
        const missing = ["components", "config", "policy"]
            .flatMap(tsFiles)
            .map((f) => f.replace(/\.ts$/, ""))
            .filter((f) => {
                const folder = path.join(ROOT, "test", f);
                const inFolder =
                    fs.existsSync(folder) &&
                    fs
                        .readdirSync(folder, { recursive: true, encoding: "utf8" })
                        .some((t) => t.endsWith(".test.ts"));
                return !inFolder && !fs.existsSync(path.join(ROOT, "test", `${f}.test.ts`));
            })
            .map((f) => `${f}.ts: no test/${f}.test.ts (nor test/${f}/)`);
        assert.deepEqual(missing, []);
    });

    it("every file under components/ that registers a resource is a ComponentResource taking (name, args, opts)", () => {
        const wrong: string[] = [];
        for (const file of tsFiles("components")) {
            const text = read(file);
            if (!/\bnew (aws|k8s|docker)\.(?!Provider\b)[\w.]+\(/.test(text)) continue;
            const classes = [
                ...text.matchAll(
                    /export (abstract )?class (\w+) extends (?:pulumi\.ComponentResource|HelmAddon) \{[\s\S]*?constructor\(([^)]*)\)/g,
                ),
            ];
            if (classes.length === 0) wrong.push(`${file}: registers resources but exports no component`);
            for (const [, abstract, name, params] of classes) {
                // A base class takes first the type of the components made from it.
                const expected = new RegExp(
                    `^${abstract ? "type: string, " : ""}name: string, args: \\w+, opts\\?: pulumi\\.ComponentResourceOptions$`,
                );
                const got = params
                    .replace(/\s+/g, " ")
                    .replace("private readonly ", "")
                    .replace(/,\s*$/, "")
                    .trim();
                if (!expected.test(got)) wrong.push(`${file}: ${name}(${got})`);
            }
            // A block made with a positional parent would be an exported function taking a Resource.
            for (const [, fn, params] of text.matchAll(/export (?:async )?function (\w+)\(([^)]*)\)/g))
                if (/pulumi\.Resource\b/.test(params)) wrong.push(`${file}: ${fn} takes a parent`);
        }
        assert.deepEqual(wrong, []);
    });

    it(`no component's constructor is over ${MAX_CONSTRUCTOR_LINES} lines`, () => {
        const long: string[] = [];
        for (const file of tsFiles("components").filter((f) => !instrumented(f))) {
            const lines = read(file).split("\n");
            let start = -1;
            lines.forEach((line, i) => {
                if (/^    constructor\(/.test(line)) start = i;
                else if (start >= 0 && line === "    }") {
                    if (i - start + 1 > MAX_CONSTRUCTOR_LINES)
                        long.push(`${file}:${start + 1}: ${i - start + 1} lines`);
                    start = -1;
                }
            });
        }
        assert.deepEqual(long, []);
    });

    it("targets/ only wires: it makes the explicit providers and components, no resource of its own", () => {
        for (const file of tsFiles("targets")) {
            const made = [...read(file).matchAll(/\bnew ((?:aws|k8s|docker)\.[\w.]+)\(/g)].map(
                ([, type]) => type,
            );
            assert.deepEqual(
                made.filter((type) => !/\.Provider$/.test(type)),
                [],
                file,
            );
        }
    });
});
