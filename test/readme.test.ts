import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { execFileSync } from "node:child_process";
import { RENAMED_KEYS } from "../config";
import { ROOT } from "../harness/stack-config";
import { withConfigReference } from "../scripts/docs-config";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
    it("has a config reference in sync with Pulumi.yaml (npm run docs:config fixes it)", () => {
        assert.equal(readme, withConfigReference(readme));
    });

    it("names the test command that .ci/run runs", () => {
        assert.match(readme, /```sh\nnpm test\n```/);
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^npm test$/m);
    });

    const layout = section("Layout");

    it("names in its Layout only paths that exist", () => {
        // Each bullet starts with its folder; a name in it is a path from the root or from that folder.
        for (const bullet of layout.split("\n- ").slice(1)) {
            const names = [...bullet.matchAll(/`([^`\s<]+)`/g)].map(([, name]) => name);
            const folders = names.filter((n) => n.endsWith("/"));
            for (const name of names.filter((n) => /[./]/.test(n) && !n.startsWith("npm"))) {
                const found = [ROOT, ...folders.map((f) => path.join(ROOT, f))].some((dir) =>
                    fs.existsSync(path.join(dir, name)),
                );
                assert.ok(found, `${name} (in the bullet for ${folders[0] ?? names[0]})`);
            }
        }
    });

    it("names every top-level folder of the repository in its Layout", () => {
        const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n");
        const folders = new Set(tracked.filter((f) => f.includes("/")).map((f) => f.split("/")[0]));
        for (const folder of folders)
            assert.match(layout, new RegExp(`\`${folder.replace(".", "\\.")}/`), folder);
    });

    it("lists every renamed config key in its changelog", () => {
        const changelog = section("Changelog");
        for (const [old, renamed] of Object.entries(RENAMED_KEYS)) {
            assert.match(changelog, new RegExp(`\\| \`${old}\` \\| \`${renamed}\``), old);
        }
    });
});

/** The text of a `## ` section of the README. */
function section(heading: string): string {
    const start = readme.indexOf(`\n## ${heading}\n`);
    assert.ok(start >= 0, `README has a ${heading} section`);
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end < 0 ? undefined : end);
}
