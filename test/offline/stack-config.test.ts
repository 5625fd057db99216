import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { readProjectFile } from "../../offline/stack-config";

describe("reading the project file", () => {
    it("parses it once while its text stays the same, and again when the text changes", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
        try {
            const file = path.join(root, "Pulumi.yaml");
            fs.writeFileSync(file, "name: first\n");
            const first = readProjectFile(root);
            assert.equal(first.name, "first");
            assert.equal(readProjectFile(root), first, "the same text parsed again");
            fs.writeFileSync(file, "name: second\n");
            assert.equal(readProjectFile(root).name, "second");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
