// The offline plan: `npm run plan -- --stack <name> [--out DIR] [--compare <other>] [--root DIR]`.
// Evaluates index.ts for a stack under the SDK's mocks (offline/), prints the resource tree, counts,
// cost and critical path, validates the Kubernetes manifests, and writes plan.json, manifests.yaml,
// graph.mmd and summary.md. Exit codes: 0 fine, 1 invalid manifests, 2 bad input.
import * as fs from "fs";
import * as path from "path";
import { runStack } from "../offline";
import { manifestsOf, toYaml, validateManifests } from "../offline/manifests";
import { ROOT, StackFileError, committedStacks } from "../offline/stack-config";
import { checkStackAppModule } from "./appmodule";
import { estimateCost } from "./cost";
import { criticalPath, mermaid, resourceTree } from "./graph";
import {
    planJson,
    renderCost,
    renderApp,
    renderChecks,
    renderCriticalPath,
    renderTree,
    styleFor,
    summaryMarkdown,
} from "./report";
import { Evaluated, renderComparison } from "./comparison";
import { renderRelease } from "./release";

const USAGE =
    "usage: npm run plan -- --stack <name> [--out <dir>] [--compare <other-stack>] [--root <project-dir>]";

/** A problem with what the user asked for: printed as one paragraph, exit code 2, no stack trace. */
class InputError extends Error {}

interface Args {
    stack: string;
    out: string;
    compare?: string;
    /** The project directory (Pulumi.yaml, stack files, index.ts): another checkout, say the base branch. */
    root: string;
}

const HELP = `${USAGE}

Evaluates the program for a stack under the Pulumi SDK's mocks (no cloud account, no credentials) and
prints its resources, Kubernetes manifests (validated), support runway and notices, monthly cost and
the critical path of a first pulumi up; writes plan.json, manifests.yaml, graph.mmd and summary.md.

  --stack <name>       a stack with a Pulumi.<name>.yaml in the project directory
  --out <dir>          where the four files go (default: out/plan/<stack>)
  --compare <other>    also evaluate another stack and print the differences
  --root <dir>         the project directory (default: this checkout; bootstrap for its program)

Exit codes: 0 fine, 1 invalid manifests, 2 bad input (arguments, YAML, config).`;

function parseArgs(argv: string[]): Args | "help" {
    if (argv.some((a) => a === "--help" || a === "-h")) return "help";
    const values: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        if (!["--stack", "--out", "--compare", "--root"].includes(flag)) {
            throw new InputError(`unknown argument "${argv[i]}". ${USAGE}`);
        }
        const value = inline ?? argv[++i];
        if (!value) throw new InputError(`${flag} needs a value. ${USAGE}`);
        values[flag.slice(2)] = value;
    }
    const root = path.resolve(values.root ?? ROOT);
    if (!fs.existsSync(path.join(root, "Pulumi.yaml"))) {
        throw new InputError(
            `no Pulumi.yaml in ${root}: --root must be a checkout of this project. ${USAGE}`,
        );
    }
    const stacks = committedStacks(root);
    for (const key of ["stack", "compare"]) {
        const name = values[key];
        if (key === "stack" && !name)
            throw new InputError(`no stack given. ${USAGE}. Valid stacks: ${stacks.join(", ")}.`);
        if (name && !stacks.includes(name)) {
            throw new InputError(
                `unknown stack "${name}": there is no Pulumi.${name}.yaml in ${root}. Valid stacks: ${stacks.join(", ")}.`,
            );
        }
    }
    return {
        stack: values.stack,
        out: values.out ?? path.join(ROOT, "out", "plan", values.stack),
        compare: values.compare,
        root,
    };
}

async function evaluate(stack: string, root: string): Promise<Evaluated> {
    const progress = process.stderr.isTTY ? `\r\x1b[K` : "";
    process.stderr.write(
        `evaluating stack ${stack} under the Pulumi SDK's mocks...${process.stderr.isTTY ? "" : "\n"}`,
    );
    const started = Date.now();
    const run = await runStack(stack, { root });
    if (run.error) {
        process.stderr.write(progress);
        throw new InputError(run.error.message);
    }
    process.stderr.write(
        `${progress}evaluated stack ${stack}: ${run.registrations.length} registrations in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return { run, cost: estimateCost(run), path: criticalPath(run) };
}

async function main(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const out = process.stdout;
    if (args === "help") {
        out.write(`${HELP}\n`);
        return 0;
    }
    const style = styleFor(out);
    const { run, cost, path: critical } = await evaluate(args.stack, args.root);
    const module = checkStackAppModule(run, args.root);
    if (module && "problem" in module) {
        throw new InputError(
            `${run.project}:appModule: got "${module.spec}", expected a module of app/ and its callable: ${module.problem}`,
        );
    }
    const appNotices = module && "notice" in module ? [`${run.project}:appModule: ${module.notice}`] : [];
    const heading = (s: string) => out.write(`\n${style.bold(s)}\n`);

    heading(`Resources (${run.registrations.length})`);
    out.write(`${renderTree(resourceTree(run), style)}\n`);
    const app = renderApp(run);
    if (app) {
        heading("App");
        out.write(`${app}\n`);
    }

    // The checks below are the main program's; the bootstrap program (--root bootstrap) declares no
    // Kubernetes version and registers no Kubernetes object.
    const version = run.config[`${run.project}:kubernetesVersion`];
    const manifests = manifestsOf(run);
    const validation = version ? validateManifests(manifests, version) : { ok: true, output: "" };
    const validationText = !version
        ? "none: the program declares no Kubernetes version and registers no Kubernetes object."
        : validation.ok
          ? `${manifests.length} objects, valid against the Kubernetes ${version} schemas (kubernetes-validate, strict).`
          : `${manifests.length} objects, **invalid** against the Kubernetes ${version} schemas:\n\n${validation.output}`;
    if (version) {
        heading("Kubernetes manifests");
        out.write(
            validation.ok
                ? `${style.green("valid")}: ${validationText}\n`
                : `${style.red("invalid")}:\n${validation.output}\n`,
        );
        heading("Support runway and notices");
        out.write(`${renderChecks(run, new Date(), style, appNotices)}\n`);
    }
    const checks = version
        ? renderChecks(run, new Date(), styleFor({ isTTY: false } as NodeJS.WriteStream), appNotices)
        : undefined;

    heading("Estimated monthly cost");
    out.write(`${renderCost(cost, style)}\n`);
    heading("Critical path of a first pulumi up");
    out.write(`${renderCriticalPath(critical)}\n`);
    const image = [...critical.steps.values()].find(
        (s) => s.registration.type === "docker:index/image:Image",
    );
    if (image) {
        const onPath = critical.chain.includes(image);
        out.write(
            `image build: done at ${Math.round(image.finish)} s, ${onPath ? "ON" : "off"} the critical path\n`,
        );
    }
    const release = renderRelease(run);
    if (release) out.write(`\n${release}\n`);

    fs.mkdirSync(args.out, { recursive: true });
    const graph = mermaid(run);
    const files: [string, string][] = [
        ["plan.json", `${JSON.stringify(planJson(run, cost, critical), null, 2)}\n`],
        ["manifests.yaml", toYaml(manifests)],
        ["graph.mmd", graph],
        [
            "summary.md",
            summaryMarkdown(run, cost, critical, validationText, graph, {
                checks,
                release: renderRelease(run, true),
            }),
        ],
    ];
    for (const [name, content] of files) fs.writeFileSync(path.join(args.out, name), content);
    heading("Wrote");
    out.write(
        `${files.map(([name]) => path.relative(process.cwd(), path.join(args.out, name))).join("\n")}\n`,
    );

    if (args.compare) {
        const other = await evaluate(args.compare, args.root);
        heading(`Compared with ${args.compare}`);
        out.write(`${renderComparison({ run, cost, path: critical }, other, args.stack, args.compare)}\n`);
    }
    return validation.ok ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            if (error instanceof InputError || error instanceof StackFileError) {
                process.stderr.write(`plan: ${error.message}\n`);
                process.exit(2);
            }
            throw error;
        },
    );
}
