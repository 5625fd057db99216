import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Build, contentHash, contextFiles, ignoredNames } from "../../../components/app/build";
import { ROOT } from "../../../offline/stack-config";
import { P, builtAlone, inputs, okRun, one } from "../../helpers";

// components/app/build.ts: the image's tag, a hash of what goes into it, the same on every machine.

/** A build context in a fresh temporary directory: path to content, "+x" after a path for mode 755. */
function context(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
    for (const [spec, content] of Object.entries(files)) {
        const [name, mode] = spec.split(" ");
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
        fs.chmodSync(path.join(dir, name), mode === "+x" ? 0o755 : 0o644);
    }
    return dir;
}

const tagOf = async (overrides: Record<string, string>) =>
    inputs(one(await okRun("dev", { overrides }), "docker:index/image:Image"))
        .imageName.split(":")
        .pop();

describe(".dockerignore as the tag reads it", () => {
    it("takes NAME for the top of the context and **/NAME for any depth, around blanks, comments and CRLF", () => {
        const dir = context({ ".dockerignore": "# left out\r\n  tests \r\n\r\n**/__pycache__\n" });
        assert.deepEqual(ignoredNames(dir), { top: new Set(["tests"]), anywhere: new Set(["__pycache__"]) });
        fs.rmSync(dir, { recursive: true });
    });

    it("refuses any other pattern, naming the file and the line", () => {
        for (const line of ["*.md", "tests/x", "docs/**", "!keep", "a b", "**/x/y"]) {
            const dir = context({ ".dockerignore": `tests\n${line}\n` });
            assert.throws(() => ignoredNames(dir), {
                message: `${path.join(dir, ".dockerignore")}: "${line}" is not NAME or **/NAME, the patterns the image's tag hash reads`,
            });
            fs.rmSync(dir, { recursive: true });
        }
    });

    it("without a .dockerignore, leaves nothing out", () => {
        const dir = context({ Dockerfile: "FROM scratch", "a.py": "" });
        assert.deepEqual(contextFiles(dir), ["Dockerfile", "a.py"]);
        fs.rmSync(dir, { recursive: true });
    });
});

describe("the files the tag counts", () => {
    it("walks in name order; leaves out top names at the top only and **/ names at any depth; then the Dockerfile and .dockerignore", () => {
        const dir = context({
            ".dockerignore": "Dockerfile\n.dockerignore\ntests\n**/__pycache__\n",
            Dockerfile: "FROM scratch",
            "tests/test_a.py": "",
            "z.py": "",
            "pkg/tests/fixture.json": "{}",
            "pkg/__pycache__/m.pyc": "",
            "pkg/b.py": "",
            "a.py": "",
        });
        assert.deepEqual(contextFiles(dir), [
            "a.py",
            "pkg/b.py",
            "pkg/tests/fixture.json",
            "z.py",
            "Dockerfile",
            ".dockerignore",
        ]);
        fs.rmSync(dir, { recursive: true });
    });

    it("counts the Dockerfile once, in the walk, when .dockerignore keeps it in the image", () => {
        const dir = context({ ".dockerignore": ".dockerignore\n", Dockerfile: "FROM scratch" });
        assert.deepEqual(contextFiles(dir), ["Dockerfile", ".dockerignore"]);
        fs.rmSync(dir, { recursive: true });
        // Listed but absent (a build with `-f` elsewhere): nothing to count.
        const without = context({ ".dockerignore": "Dockerfile\n.dockerignore\n" });
        assert.deepEqual(contextFiles(without), [".dockerignore"]);
        fs.rmSync(without, { recursive: true });
    });

    it("holds the files app/'s image is built from", () => {
        const files = contextFiles(path.join(ROOT, "app"));
        assert.ok(files.includes("Dockerfile") && files.includes(".dockerignore"), files.join());
        assert.ok(
            files.every((f) => !f.startsWith("tests/") && !f.includes("__pycache__")),
            files.join(),
        );
    });
});

describe("the tag", () => {
    it("is one value for one content on every machine: a change to how it is computed retags every stack's image", () => {
        // Worked out apart from build.ts: the first 16 hex digits of the SHA-256 of, per file in the
        // walk's order (.dockerignore, b/c.py, run.sh, then Dockerfile), "PATH\0" + "x" or "-" (the
        // executable bit) + "\0" + its bytes + "\0", then each build argument + "\0".
        const dir = context({
            ".dockerignore": "Dockerfile\n",
            Dockerfile: "FROM scratch",
            "run.sh +x": "#!/bin/sh",
            "b/c.py": "x",
        });
        assert.equal(contentHash(dir, ["linux/amd64", '{"APP_VERSION":"1"}']), "063e36170471c0e9");
        fs.rmSync(dir, { recursive: true });
    });

    it("changes with the image's content and build arguments, not with what .dockerignore leaves out", () => {
        const dir = context({
            Dockerfile: "FROM scratch\nCOPY . ./\n",
            ".dockerignore": fs.readFileSync(path.join(ROOT, "app", ".dockerignore"), "utf8"),
        });
        const hash = () => contentHash(dir, ["linux/amd64"]);
        const base = hash();
        // Left out of the image, so out of the tag: tests, dev requirements, caches at any depth.
        fs.mkdirSync(path.join(dir, "tests"));
        fs.writeFileSync(path.join(dir, "tests", "test_x.py"), "x");
        fs.writeFileSync(path.join(dir, "requirements-dev.txt"), "pytest");
        fs.mkdirSync(path.join(dir, "pkg", "__pycache__"), { recursive: true });
        fs.writeFileSync(path.join(dir, "pkg", "__pycache__", "m.pyc"), "x");
        assert.equal(hash(), base);
        assert.notEqual(contentHash(dir, ["linux/arm64"]), base);
        // A new file anywhere else goes into the image (COPY . ./), and so into the tag.
        fs.writeFileSync(path.join(dir, "pkg", "wsgi.py"), "app = None");
        const withApp = hash();
        assert.notEqual(withApp, base);
        // The executable bit changes what runs in the image; a umask's group-write bit does not.
        fs.chmodSync(path.join(dir, "pkg", "wsgi.py"), 0o664);
        assert.equal(hash(), withApp);
        fs.chmodSync(path.join(dir, "pkg", "wsgi.py"), 0o755);
        const executable = hash();
        assert.notEqual(executable, withApp);
        // The Dockerfile shapes the image though it is not copied into it.
        fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\nCOPY . /srv/\n");
        assert.notEqual(hash(), executable);
        fs.rmSync(dir, { recursive: true });
    });

    it("of the stack's image changes with the platform and with imageVersion (APP_VERSION)", async () => {
        const base = await tagOf({});
        assert.match(base, /^[0-9a-f]{16}$/);
        assert.notEqual(await tagOf({ [`${P}:instanceTypes`]: '["t4g.medium"]' }), base);
        assert.notEqual(await tagOf({ [`${P}:imageVersion`]: "2.0.0-other" }), base);
    });
});

describe("Build, built alone", () => {
    it("with no options its image is its own child, and it registers the image's digest", async () => {
        const run = await builtAlone(() => {
            const build = new Build("build", {
                repository: "123456789012.dkr.ecr.us-west-2.amazonaws.com/shop/web",
                projectDir: ROOT,
                context: "app",
                platform: "linux/amd64",
                version: "1.2.3",
            });
            return { repoDigest: build.repoDigest };
        });
        const component = one(run, "flask-eks:index:Build");
        assert.equal(one(run, "docker:index/image:Image").parent, component.urn);
        const outputs = run.componentOutputs[component.urn];
        assert.deepEqual(Object.keys(outputs), ["repoDigest"]);
        assert.match(
            String(outputs.repoDigest),
            /^123456789012\.dkr\.ecr\.us-west-2\.amazonaws\.com\/shop\/web@sha256:/,
        );
    });
});
