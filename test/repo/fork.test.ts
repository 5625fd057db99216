// What a team does first with its fork (README.md, "Make it yours"), done to a copy of this checkout:
// rename the project, add a stack in another region on Graviton nodes, and serve another app in place
// of the example. After the two commands the README names, the copy's plan and its tests pass; a key
// left in a misspelled namespace, or an appModule that is not there, stops the plan with one line.
//
// The copy lives under .fork/ in this checkout, so it resolves this checkout's node_modules the way
// Node looks for packages (up the directory tree); its Python tools are this checkout's .venv's.
import * as assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PROJECT, ROOT } from "../../offline/stack-config";
import { copyCheckoutTo } from "../helpers";
import { testFiles } from "./helpers";

const FORK = "shop-eks";
const VENV = path.join(ROOT, ".venv", "bin");

/** This checkout as a clone has it, in a git repository of its own. */
function copyOfCheckout(): string {
    fs.mkdirSync(path.join(ROOT, ".fork"), { recursive: true });
    const copy = fs.mkdtempSync(path.join(ROOT, ".fork", "copy-"));
    copyCheckoutTo(copy);
    const git = (...args: string[]) =>
        execFileSync("git", ["-c", "user.name=fork", "-c", "user.email=fork@example.com", ...args], {
            cwd: copy,
        });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "the fork");
    return copy;
}

/** The team's changes: the project's new name, a stack qa in Frankfurt on m7g, and their app. */
function makeItTheirs(copy: string): void {
    const edit = (file: string, change: (text: string) => string) =>
        fs.writeFileSync(path.join(copy, file), change(fs.readFileSync(path.join(copy, file), "utf8")));
    edit("Pulumi.yaml", (t) =>
        t
            .replace(/^name: .+$/m, `name: ${FORK}`)
            .replace('default: "flaskapp:create_app()"', 'default: "shop:create_app()"'),
    );
    for (const file of fs.readdirSync(copy).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)))
        edit(file, (t) => t.replace(new RegExp(`^(\\s*)${PROJECT}:`, "gm"), `$1${FORK}:`));
    fs.writeFileSync(
        path.join(copy, "Pulumi.qa.yaml"),
        [
            "# qa: Frankfurt, on Graviton.",
            "config:",
            "  aws:region: eu-central-1",
            `  ${FORK}:azCount: 2`,
            `  ${FORK}:natGateways: single`,
            `  ${FORK}:instanceTypes: ["m7g.large"]`,
            "",
        ].join("\n"),
    );
    fs.rmSync(path.join(copy, "app", "flaskapp"), { recursive: true });
    const shop = path.join(copy, "app", "shop");
    fs.mkdirSync(path.join(shop, "tests"), { recursive: true });
    fs.writeFileSync(
        path.join(shop, "__init__.py"),
        [
            '"""The shop: a plain WSGI app, no Flask."""',
            "import json",
            "",
            "",
            "def create_app():",
            "    def app(environ, start_response):",
            '        body = json.dumps({"shop": "open"}).encode()',
            '        start_response("200 OK", [("Content-Type", "application/json")])',
            "        return [body]",
            "",
            "    return app",
            "",
        ].join("\n"),
    );
    fs.writeFileSync(path.join(shop, "tests", "__init__.py"), "");
    fs.writeFileSync(
        path.join(shop, "tests", "test_shop.py"),
        [
            "from shop import create_app",
            "",
            "",
            "def test_the_shop_is_open():",
            "    seen = []",
            "    body = create_app()({}, lambda status, headers: seen.append(status))",
            '    assert seen == ["200 OK"] and b"open" in b"".join(body)',
            "",
        ].join("\n"),
    );
    fs.writeFileSync(
        path.join(copy, "app", "requirements.txt"),
        "# YOURS: the shop needs nothing beyond the standard library.\n",
    );
}

describe("a fork: renamed, a stack added on Graviton in another region, its own app", () => {
    let copy: string;
    // Without NODE_TEST_CONTEXT: with it, the copy's node --test would report to this run, not run its own.
    const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
    const env = {
        ...inherited,
        NO_COLOR: "1",
        KUBERNETES_VALIDATE: path.join(VENV, "kubernetes-validate"),
        APP_PYTHON: path.join(VENV, "python"),
    };
    const run = (command: string, args: string[]) =>
        spawnSync(command, args, { cwd: copy, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const plan = (stack: string) =>
        run(process.execPath, [
            "--require",
            "./scripts/transpile.js",
            "plan/main.ts",
            "--stack",
            stack,
            "--out",
            path.join(copy, "out", stack),
        ]);

    /**
     * The copy's app tests, started in before() to run beside the program's (they mostly wait on the
     * server's deadlines). Their output goes to a file: a pipe is read only while the event loop
     * runs, and the program's tests below block it.
     */
    let appTests: Promise<{ status: number | null; stdout: string }>;
    const runBeside = (command: string, args: string[]) => {
        const log = path.join(copy, "out", "app-tests.log");
        fs.mkdirSync(path.dirname(log), { recursive: true });
        const out = fs.openSync(log, "w");
        const child = spawn(command, args, { cwd: copy, env, stdio: ["ignore", out, out] });
        fs.closeSync(out);
        return new Promise<{ status: number | null; stdout: string }>((resolve) => {
            child.on("error", (error) => resolve({ status: null, stdout: String(error) }));
            child.on("exit", (status) => resolve({ status, stdout: fs.readFileSync(log, "utf8") }));
        });
    };

    before(() => {
        copy = copyOfCheckout();
        makeItTheirs(copy);
        // The two commands the README's "Make it yours" names after such changes.
        for (const script of ["docs:config", "test:snapshots"]) {
            const done = run("npm", ["run", "--silent", script]);
            assert.equal(done.status, 0, `npm run ${script}: ${done.stdout}${done.stderr}`);
        }
        appTests = runBeside(path.join(VENV, "python"), [
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            "app",
        ]);
    });
    // KEEP_FORK=1 keeps the copy, to look into a failure.
    after(() => process.env.KEEP_FORK || fs.rmSync(copy, { recursive: true, force: true }));

    it("plans the new stack: Graviton nodes and an arm64 image, in Frankfurt, serving the shop", () => {
        const done = plan("qa");
        assert.equal(done.status, 0, done.stderr);
        const planned = JSON.parse(fs.readFileSync(path.join(copy, "out", "qa", "plan.json"), "utf8"));
        const of = (type: string) =>
            planned.registrations.find((r: { type: string }) => r.type === type).inputs;
        assert.equal(of("aws:eks/cluster:Cluster").name, `${FORK}-qa`);
        assert.equal(of("aws:eks/nodeGroup:NodeGroup").amiType, "AL2023_ARM_64_STANDARD");
        assert.equal(of("docker:index/image:Image").build.platform, "linux/arm64");
        assert.match(of("docker:index/image:Image").imageName, /\.dkr\.ecr\.eu-central-1\.amazonaws\.com\//);
        assert.match(done.stdout, /^appModule +APP_MODULE=shop:create_app\(\)$/m);
    });

    it("passes the program's tests, every per-stack test taking qa too", () => {
        // Every test file of the copy, in its subfolders too, but this one and the quick start's, which
        // installs a clone of its own: the plan of the copy's new stack is checked above.
        const tests = testFiles(copy).filter(
            (f) => !["fork.test.ts", "quickstart.test.ts"].includes(path.basename(f)),
        );
        const done = run(process.execPath, ["scripts/run-tests.js", ...tests]);
        const failures = done.stdout.split("\n").filter((l) => /^\s*not ok /.test(l));
        assert.equal(done.status, 0, `${failures.join("\n")}\n${done.stderr.slice(-4000)}`);
        // They ran, all of them: none skipped or cancelled, and at least one pass per it( written in
        // them (loops over stacks and cases make more).
        const written = tests
            .map((f) => fs.readFileSync(path.join(copy, f), "utf8").match(/^\s*it\(/gm)?.length ?? 0)
            .reduce((a, b) => a + b, 0);
        // The totals are the last summary lines, after each process's own.
        const total = (key: string) =>
            Number([...done.stdout.matchAll(new RegExp(`^# ${key} (\\d+)$`, "gm"))].pop()?.[1]);
        const passed = total("pass");
        assert.ok(passed >= written, `${passed} passed, ${written} written`);
        for (const none of ["fail", "skipped", "todo", "cancelled"]) assert.equal(total(none), 0, none);
        assert.match(
            done.stdout,
            /ok \d+ - qa: what the engine would receive matches the committed snapshot/,
        );
    });

    it("passes the app's tests: the shop's, and the server's with their own fixture app", async () => {
        const done = await appTests;
        assert.equal(done.status, 0, done.stdout);
        assert.match(done.stdout, /shop\/tests\/test_shop\.py::test_the_shop_is_open PASSED/);
        assert.match(done.stdout, /server\/tests\/test_wsgi\.py::\w+ PASSED/);
        assert.doesNotMatch(done.stdout, /flaskapp/);
    });

    /** The plan of qa with `line` added to its stack file, which is then put back. */
    const planWith = (line: string) => {
        const file = path.join(copy, "Pulumi.qa.yaml");
        const kept = fs.readFileSync(file, "utf8");
        try {
            fs.writeFileSync(file, `${kept}  ${line}\n`);
            return plan("qa");
        } finally {
            fs.writeFileSync(file, kept);
        }
    };

    it("stops the plan with one line for a key in a misspelled namespace", () => {
        const done = planWith("shop_eks:nodeMaxSize: 5");
        assert.equal(done.status, 2);
        assert.deepEqual(
            done.stderr.split("\n").filter((l) => l.startsWith("  - ")),
            [
                `  - shop_eks:nodeMaxSize: is set in namespace shop_eks:, expected the project's, ${FORK}: (the name in Pulumi.yaml), or a provider's (aws:, docker:, kubernetes:, pulumi:); did you mean ${FORK}:nodeMaxSize?`,
            ],
        );
    });

    it("stops the plan with one line for an appModule the app does not have", () => {
        const done = planWith(`${FORK}:appModule: "nope:create_app()"`);
        assert.equal(done.status, 2);
        assert.deepEqual(
            done.stderr.split("\n").filter((l) => l.startsWith("plan: ")),
            [
                `plan: ${FORK}:appModule: got "nope:create_app()", expected a module of app/ and its callable: no module nope in app/`,
            ],
        );
    });
});
