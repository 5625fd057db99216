import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ROOT } from "../../offline/stack-config";
import { awsStacks, stacksOfLayer } from "../helpers";

const readStackFile = (stack: string) => fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");

describe("delivery: the stacks a pull request affects (delivery/affected.sh)", () => {
    const affectedAmong = (delivered: string | undefined, ...paths: string[]) => {
        const env = { ...process.env };
        delete env.DELIVERED_STACKS;
        const run = spawnSync("bash", ["delivery/affected.sh"], {
            cwd: ROOT,
            input: paths.join("\n"),
            encoding: "utf8",
            env: delivered === undefined ? env : { ...env, DELIVERED_STACKS: delivered },
        });
        assert.equal(run.status, 0, run.stderr);
        return JSON.parse(run.stdout);
    };
    const affected = (...paths: string[]) => affectedAmong(undefined, ...paths);

    it("a README-only change: none (and no failure)", () => assert.deepEqual(affected("README.md"), []));
    it("the local stack's file alone: none, it is not deployed to AWS", () =>
        assert.deepEqual(affected("Pulumi.local.yaml"), []));
    it("a stack file: that stack", () =>
        assert.deepEqual(affected("Pulumi.staging.yaml", "README.md"), ["staging"]));
    it("the program's code: every AWS stack but those whose file still holds a placeholder (prod's)", () =>
        assert.deepEqual(
            affected("components/app/workload.ts"),
            awsStacks().filter(
                (s) =>
                    !fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8").includes("REPLACE_WITH_"),
            ),
        ));
    it("a platform's file: the platform and every app stack on it; an app's file: that app alone", () => {
        const [platform] = stacksOfLayer("platform");
        const apps = stacksOfLayer("app").filter((s) =>
            readStackFile(s).includes(`platformStack: ${platform}`),
        );
        assert.ok(apps.length >= 2);
        assert.deepEqual(affected(`Pulumi.${platform}.yaml`), [platform, ...apps].sort());
        assert.deepEqual(affected(`Pulumi.${apps[0]}.yaml`), [apps[0]]);
    });
    it("prod's file while it holds the placeholder: none, it is not deployed yet", () =>
        assert.deepEqual(affected("Pulumi.prod.yaml"), []));
    it("with the bootstrap's DELIVERED_STACKS: only the stacks it delivers; before it has run, none", () => {
        const code = "components/app/workload.ts";
        const [first] = affected(code);
        assert.deepEqual(affectedAmong(JSON.stringify([first]), code), [first]);
        assert.deepEqual(affectedAmong(JSON.stringify([first]), `Pulumi.${first}.yaml`), [first]);
        assert.deepEqual(affectedAmong("", code), []);
        assert.deepEqual(affectedAmong("[]", code), []);
        const bad = spawnSync("bash", ["delivery/affected.sh"], {
            cwd: ROOT,
            input: code,
            encoding: "utf8",
            env: { ...process.env, DELIVERED_STACKS: "dev" },
        });
        assert.notEqual(bad.status, 0);
        assert.match(bad.stderr, /parse error|not a JSON list/);
    });
    it("tests, tooling and delivery alone: none", () =>
        assert.deepEqual(
            affected("test/e2e.sh", "engine/build.sh", "bootstrap/index.ts", ".github/workflows/drift.yml"),
            [],
        ));
});
