// The app's module, imported by the plan before any up (plan/appmodule.ts): a module app/ lacks, a
// callable it lacks, a dependency not installed, and an import that needs the pod's settings.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT, loadStackConfig } from "../../offline/stack-config";
import { checkAppModule } from "../../plan/appmodule";
import { P } from "../helpers";
import { plan, tempDir } from "./helpers";

describe("plan: the app's module, imported before any up", () => {
    /** A copy of the project with a stack "mine" serving `appModule`, and app/ as `app` makes it. */
    function project(appModule: string, app: (dir: string) => void): string {
        const root = tempDir();
        for (const file of ["Pulumi.yaml", "index.ts"])
            fs.symlinkSync(path.join(ROOT, file), path.join(root, file));
        fs.mkdirSync(path.join(root, "app"));
        app(path.join(root, "app"));
        fs.writeFileSync(
            path.join(root, "Pulumi.mine.yaml"),
            `config:\n  aws:region: us-west-2\n  ${P}:appModule: "${appModule}"\n  ${P}:appEnv:\n    SHOP_NAME: corner\n`,
        );
        return root;
    }
    const planOf = (root: string) => plan("--root", root, "--stack", "mine", "--out", tempDir());
    const shop = (source: string) => (dir: string) => {
        fs.mkdirSync(path.join(dir, "shop"));
        fs.writeFileSync(path.join(dir, "shop", "__init__.py"), source);
    };

    it("exits 2 with one line naming a module app/ does not have", () => {
        const result = planOf(project("nope:create_app()", shop("")));
        assert.equal(result.status, 2);
        assert.equal(
            result.stderr
                .split("\n")
                .filter((l) => l.startsWith("plan: "))
                .join("\n"),
            `plan: ${P}:appModule: got "nope:create_app()", expected a module of app/ and its callable: no module nope in app/`,
        );
    });

    it("refuses a module app/ lacks that Python finds elsewhere: the standard library, a dependency, a built-in", () => {
        for (const [spec, where] of [
            ["json:loads", /json is .*json\/__init__\.py/],
            ["pip:main", /pip is .*site-packages\/pip\/__init__\.py/],
            ["sys:exit", /sys is built into Python/],
        ] as const) {
            const check = checkAppModule(ROOT, spec, {}) as { problem?: string };
            assert.match(
                check.problem ?? "",
                new RegExp(`^no module ${spec.split(":")[0]} in app/ \\(`),
                spec,
            );
            assert.match(check.problem ?? "", where, spec);
        }
        assert.deepEqual(checkAppModule(ROOT, loadStackConfig("dev").values[`${P}:appModule`], {}), {
            ok: true,
        });
    });

    it("exits 2 naming the module and the callable it lacks", () => {
        const result = planOf(project("shop:create_app()", shop("def make_app():\n    pass\n")));
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            new RegExp(
                `plan: ${P}:appModule: got "shop:create_app\\(\\)", expected a module of app/ and its callable: module shop \\(app/shop/__init__\\.py\\) has no callable create_app\\n`,
            ),
        );
    });

    it("exits 2 naming a dependency the module imports that is not installed", () => {
        const result = planOf(project("shop:app", shop("import no_such_dependency\napp = None\n")));
        assert.equal(result.status, 2);
        assert.match(
            result.stderr,
            /importing shop needs no_such_dependency, which is not installed: add it to app\/requirements\.txt/,
        );
    });

    it("plans a module that imports with the stack's appEnv, and notes one whose import raises", () => {
        const ok = planOf(
            project(
                "shop:app",
                shop("import os\nNAME = os.environ['SHOP_NAME']\napp = lambda environ, start_response: []\n"),
            ),
        );
        assert.equal(ok.status, 0, ok.stderr);
        const raises = planOf(project("shop:app", shop("import os\nos.environ['DATABASE_URL']\n")));
        assert.equal(raises.status, 0, raises.stderr);
        assert.match(
            raises.stdout,
            /notice: .*:appModule: importing shop raised KeyError: 'DATABASE_URL'; it may need settings only the pod has/,
        );
    });
});
