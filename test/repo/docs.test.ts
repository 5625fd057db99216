import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { RENAMED_KEYS } from "../../migrations";
import { ROOT, readProjectFile } from "../../offline/stack-config";
import { CONFIG_REFERENCE, withConfigReference } from "../../scripts/docs-config";
import { readRepoFile } from "../helpers";

/** The example app's package (app/flaskapp/), which a fork replaces. */
const EXAMPLE_APP = "flaskapp";
const readme = readRepoFile("README.md");
const DOCUMENTS = [
    "README.md",
    "CHANGELOG.md",
    ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
    return heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-");
}

function anchors(text: string): Set<string> {
    const withoutCode = text.replace(/```[\s\S]*?```/g, "");
    return new Set([...withoutCode.matchAll(/^#+ (.+)$/gm)].map(([, h]) => slug(h)));
}

describe("README and docs/", () => {
    it("README.md takes 300 lines or fewer", () => {
        const lines = readme.split("\n").length - 1;
        assert.ok(lines <= 300, `${lines} lines`);
    });

    it("every relative link, in README.md, CHANGELOG.md and docs/, names a file that exists and a heading in it", () => {
        for (const document of DOCUMENTS) {
            const text = readRepoFile(document).replace(/```[\s\S]*?```/g, "");
            for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                if (/^[a-z]+:/.test(target)) continue;
                const [file, anchor] = target.split("#");
                const resolved = file ? path.join(path.dirname(document), file) : document;
                assert.ok(fs.existsSync(path.join(ROOT, resolved)), `${document}: ${target}`);
                if (anchor) assert.ok(anchors(readRepoFile(resolved)).has(anchor), `${document}: ${target}`);
            }
        }
    });

    it('every pointer of the form (docs/x.md, "Heading") in the code, stack files and docs names a heading of ours', () => {
        // Config problems and stack files send the reader to a section by its title; a moved section leaves them pointing nowhere.
        const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
            cwd: ROOT,
            encoding: "utf8",
        })
            .split("\n")
            .filter(
                (f) =>
                    /\.(ts|ya?ml|md|sh)$/.test(f) &&
                    !f.startsWith("test/snapshots/") &&
                    fs.existsSync(path.join(ROOT, f)),
            );
        let seen = 0;
        for (const file of tracked)
            for (const [, doc, heading] of readRepoFile(file).matchAll(/([\w/.-]+\.md),? "([^"\n]+)"/g)) {
                if (!fs.existsSync(path.join(ROOT, doc))) continue; // another project's document
                assert.ok(anchors(readRepoFile(doc)).has(slug(heading)), `${file}: ${doc}, "${heading}"`);
                seen++;
            }
        assert.ok(seen >= 3, `${seen} pointers`);
    });

    it("the link checker catches a missing file and a missing heading", () => {
        assert.equal(fs.existsSync(path.join(ROOT, "docs/nowhere.md")), false);
        assert.equal(anchors(readme).has("tear-down"), true);
        assert.equal(anchors(readme).has("tear-down-twice"), false);
        assert.equal(slug("Deploy to AWS"), "deploy-to-aws");
        assert.equal(slug("Policy as code (`policy/`)"), "policy-as-code-policy");
    });

    it("README names the two commands that set themselves up, and .ci/run runs the tests", () => {
        assert.match(readme, /```sh\nnpm run plan -- --stack dev\n```/);
        assert.match(readme, /```sh\nnpm test\n```/);
        assert.match(readRepoFile(".ci/run"), /^npm test$/m);
    });

    it("docs/configuration.md has the config reference in sync with Pulumi.yaml (npm run docs:config fixes it)", () => {
        const text = fs.readFileSync(CONFIG_REFERENCE, "utf8");
        assert.equal(text, withConfigReference(text));
    });

    const layout = readRepoFile("docs/layout.md");

    it("docs/layout.md names only paths that exist", () => {
        // The example app's paths may be gone once appModule names another app (a fork's own).
        const exampleServed = String(readProjectFile().config?.appModule?.default).startsWith(
            `${EXAMPLE_APP}:`,
        );
        const example = (name: string) => name.split("/").includes(EXAMPLE_APP);
        // Each bullet starts with its folder; a name in it is a path from the root or from that folder.
        for (const bullet of layout.split("\n- ").slice(1)) {
            const names = [...bullet.matchAll(/`([^`\s<]+)`/g)].map(([, name]) => name);
            const folders = names.filter((n) => n.endsWith("/"));
            const checked = names.filter((n) => /[./]/.test(n) && !n.startsWith("npm"));
            for (const name of checked.filter((n) => exampleServed || !example(n))) {
                const found = [ROOT, ...folders.map((f) => path.join(ROOT, f))].some((dir) =>
                    fs.existsSync(path.join(dir, name)),
                );
                assert.ok(found, `${name} (in the bullet for ${folders[0] ?? names[0]})`);
            }
        }
    });

    it("docs/layout.md names every top-level folder of the repository", () => {
        const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n");
        const folders = new Set(tracked.filter((f) => f.includes("/")).map((f) => f.split("/")[0]));
        for (const folder of folders)
            assert.match(layout, new RegExp(`\`${folder.replace(".", "\\.")}/`), folder);
    });

    it("CHANGELOG.md lists every renamed config key", () => {
        const changelog = readRepoFile("CHANGELOG.md");
        for (const [old, renamed] of Object.entries(RENAMED_KEYS))
            assert.match(changelog, new RegExp(`\\| \`${old}\` \\| \`${renamed}\``), old);
    });
});
