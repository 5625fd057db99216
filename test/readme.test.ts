import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { withConfigReference } from "../harness/config-reference";
import { ROOT } from "../harness/stack-config";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
    it("has a config reference in sync with Pulumi.yaml (npm run docs:config fixes it)", () => {
        assert.equal(readme, withConfigReference(readme));
    });

    it("names the test command that .ci/run runs", () => {
        assert.match(readme, /```sh\nnpm test\n```/);
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^npm test$/m);
    });
});
