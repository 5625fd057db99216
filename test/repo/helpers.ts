// What the repository-wide checks share.
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../offline/stack-config";

/**
 * The test files of the checkout at `root`, by their paths from it, sorted: every *.test.ts under
 * test/, in its subfolders too, but for the folders of the end-to-end test (test/e2e*), the mutation
 * results and the snapshots. scripts/test.sh finds the same.
 */
export function testFiles(root = ROOT): string[] {
    return fs
        .readdirSync(path.join(root, "test"), { recursive: true, encoding: "utf8" })
        .map((f) => `test/${f.split(path.sep).join("/")}`)
        .filter((f) => f.endsWith(".test.ts") && !/^test\/(e2e[^/]*|mutation|snapshots)\//.test(f))
        .sort();
}
