import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runComponent } from "../../offline";

describe("a run under the mocks", () => {
    it("captures no stack frames while the program runs, and restores the limit after", async () => {
        const before = Error.stackTraceLimit;
        let during: number | undefined;
        const run = await runComponent(() => {
            during = Error.stackTraceLimit;
        });
        assert.equal(run.error, undefined);
        assert.equal(during, 0);
        assert.equal(Error.stackTraceLimit, before);
    });

    it("restores the limit after a run that failed", async () => {
        const before = Error.stackTraceLimit;
        const run = await runComponent(() => {
            throw new Error("the program failed");
        });
        assert.equal(run.error?.message, "the program failed");
        assert.equal(Error.stackTraceLimit, before);
    });
});
